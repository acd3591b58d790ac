"""A tracker held in memory, with the local tracker's semantics and none of its files, so the
run, applier and crash properties can be checked many times over in little time.

What it keeps, as the local tracker does: iids counted from the highest one in use; labels
added after the ones an issue has, in order, and removed by name; an item's `updated_at`
moving only when something about it changed; notes as a list per issue, found by their hidden
marker; related links on both issues; a lock taken only when nobody holds it; the tool's own
items authored by `automation`; every `@name` a person but the reserved mentions and the
configured groups. A person's edits go through `edit` and `add_issue`.

`writes` counts every call that would write (label, issue, epic, note, link and lock writes),
whether or not it changed anything, so "nothing was written" can be checked exactly."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace

from automation.config.models import RESERVED_USERNAMES
from automation.errors import AutomationError
from automation.items import (
    EpicChange,
    IssueLinks,
    NewEpic,
    NewIssue,
    ObservedEpic,
    ObservedIssue,
    ObservedNote,
)
from automation.lock import RunLock
from automation.progress import LabelSpec
from automation.run import Applied, Prepared, apply
from automation.trackers.base import Tracker
from tests.backends import StepClock

TOOL_USER = "automation"  # as in the local tracker: the author of what the tool creates
START = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)


class MissingItem(AutomationError):
    """A write or a read that needs an issue or epic that is not there (the local tracker
    raises its WorkspaceError for a file that is gone)."""


@dataclass
class StoredIssue:
    """An issue as the memory holds it (the local tracker's front matter and body)."""

    title: str
    description: str
    labels: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    state: str = "opened"
    confidential: bool = False
    due_date: dt.date | None = None
    assignees: list[str] = field(default_factory=list)
    epic: int | None = None
    links: list[int] = field(default_factory=list)
    author: str = TOOL_USER


@dataclass
class StoredEpic:
    """An epic as the memory holds it."""

    title: str
    description: str
    labels: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    confidential: bool = False


class MemoryTracker(Tracker):
    """Issues, epics, notes, labels and the run lock in dictionaries."""

    name = "memory"

    def __init__(self, epics: bool = True, groups: Collection[str] = ()) -> None:
        self.epics_on = epics
        self.groups = frozenset(name.lower() for path in groups for name in path.split("/"))
        self.issues: dict[int, StoredIssue] = {}
        self.epics: dict[int, StoredEpic] = {}
        self.notes: dict[int, list[str]] = {}
        self.elsewhere: dict[tuple[str, int], list[str]] = {}  # other projects' issues' notes
        self.labels: dict[str, LabelSpec] = {}
        self.lock: tuple[str, dt.datetime] | None = None
        self.writes = 0
        self._ticks = 0

    def _now(self) -> dt.datetime:
        """A clock that moves a minute at each stamp (the local tracker's is the wall clock)."""
        self._ticks += 1
        return START + dt.timedelta(minutes=self._ticks)

    def _issue(self, iid: int) -> StoredIssue:
        if iid not in self.issues:
            raise MissingItem(f"memory: issue #{iid} does not exist")
        return self.issues[iid]

    def _epic(self, iid: int) -> StoredEpic:
        if iid not in self.epics:
            raise MissingItem(f"memory: epic &{iid} does not exist")
        return self.epics[iid]

    def _change(self, iid: int, **fields: object) -> None:
        """Change an issue; only a change that differs moves updated_at."""
        stored = self._issue(iid)
        changed = replace(stored, **fields)  # type: ignore[arg-type]
        if changed != stored:
            self.issues[iid] = replace(changed, updated_at=self._now())

    # --- reads ------------------------------------------------------------------------------

    def is_user(self, username: str) -> bool:
        name = username.lower()
        return name not in RESERVED_USERNAMES and name not in self.groups

    def label_names(self) -> frozenset[str]:
        return frozenset(self.labels)

    def all_issues(self) -> list[ObservedIssue]:
        """Every issue, in iid order."""
        return [_observed_issue(iid, self.issues[iid]) for iid in sorted(self.issues)]

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        return tuple(issue for issue in self.all_issues() if program_label in issue.labels)

    def find_issue(self, key: str, program_label: str) -> ObservedIssue | None:
        return next((i for i in self.program_issues(program_label) if i.key == key), None)

    def get_issue(self, iid: int) -> ObservedIssue | None:
        stored = self.issues.get(iid)
        return None if stored is None else _observed_issue(iid, stored)

    def has_note(self, iid: int, marker: str) -> bool:
        return self.find_note(iid, marker) is not None

    def keyed_issues(self) -> dict[str, ObservedIssue]:
        return {issue.key: issue for issue in self.all_issues() if issue.key}

    def epics_available(self) -> bool:
        return self.epics_on

    def program_epics(self, program_label: str) -> tuple[ObservedEpic, ...]:
        epics = (_observed_epic(iid, self.epics[iid]) for iid in sorted(self.epics))
        return tuple(epic for epic in epics if program_label in epic.labels)

    def get_epic(self, iid: int) -> ObservedEpic | None:
        stored = self.epics.get(iid)
        return None if stored is None else _observed_epic(iid, stored)

    def issue_links(self, iid: int) -> IssueLinks:
        return IssueLinks(frozenset(self._issue(iid).links))

    # --- writes -----------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> None:
        self.writes += 1
        self.labels.setdefault(spec.name, spec)

    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        self.writes += 1
        now = self._now()
        stored = StoredIssue(
            title=issue.title,
            description=issue.description,
            labels=list(issue.labels),
            created_at=now,
            updated_at=now,
            confidential=issue.confidential,
            due_date=issue.due_date,
            assignees=list(issue.assignees),
            epic=epic.iid if epic else None,
        )
        iid = max(self.issues, default=0) + 1
        self.issues[iid] = stored
        return _observed_issue(iid, stored)

    def update_description(
        self, iid: int, description: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        self.writes += 1
        self._change(iid, description=description, labels=self._labels(iid, add, remove))

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        self.writes += 1
        self._change(iid, labels=self._labels(iid, add, remove))

    def _labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> list[str]:
        labels = [label for label in self._issue(iid).labels if label not in remove]
        return labels + [label for label in add if label not in labels]

    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        self.writes += 1
        self._change(iid, assignees=list(usernames))
        return tuple(usernames)

    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        self.writes += 1
        self._change(iid, due_date=due)

    def add_note(self, iid: int, body: str) -> None:
        self.writes += 1
        self._issue(iid)
        self.notes.setdefault(iid, []).append(body)

    def has_note_in(self, project: str, iid: int, marker: str) -> bool:
        return any(marker in body for body in self.elsewhere.get((project, iid), []))

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        self.writes += 1
        self.elsewhere.setdefault((project, iid), []).append(body)

    def find_note(self, iid: int, marker: str) -> ObservedNote | None:
        """The note whose first line is the marker; its id is its place in the list, from 1."""
        for number, body in enumerate(self.notes.get(iid, []), start=1):
            if body.split("\n", 1)[0].strip() == marker:
                return ObservedNote(number, body)
        return None

    def notes_marked(self, iid: int, prefix: str) -> tuple[ObservedNote, ...]:
        return tuple(
            ObservedNote(number, body)
            for number, body in enumerate(self.notes.get(iid, []), start=1)
            if body.split("\n", 1)[0].strip().startswith(prefix)
        )

    def update_note(self, iid: int, note_id: int, body: str) -> None:
        self.writes += 1
        self.notes[iid][note_id - 1] = body

    def close_issue(self, iid: int) -> None:
        self.writes += 1
        self._change(iid, state="closed")

    def reopen_issue(self, iid: int) -> None:
        self.writes += 1
        self._change(iid, state="opened")

    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        self.writes += 1
        now = self._now()
        labels = list(epic.labels)
        stored = StoredEpic(epic.title, epic.description, labels, now, now, epic.confidential)
        iid = max(self.epics, default=0) + 1
        self.epics[iid] = stored
        return _observed_epic(iid, stored)

    def update_epic(self, iid: int, change: EpicChange) -> None:
        self.writes += 1
        stored = self._epic(iid)
        labels = [label for label in stored.labels if label not in change.remove]
        labels += [label for label in change.add if label not in labels]
        text = stored.description if change.description is None else change.description
        secret = stored.confidential if change.confidential is None else change.confidential
        self.epics[iid] = replace(
            stored, description=text, labels=labels, updated_at=self._now(), confidential=secret
        )

    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> bool:
        self.writes += 1
        if self._issue(issue.iid).epic == epic_iid:
            return False
        self._change(issue.iid, epic=epic_iid)
        return True

    def link_issues(self, iid: int, target_iid: int) -> None:
        self.writes += 1
        for one, other in ((iid, target_iid), (target_iid, iid)):
            links = self._issue(one).links
            if other not in links:
                self._change(one, links=[*links, other])

    # --- the run lock -------------------------------------------------------------------------

    def lock_description(self) -> str:
        return "the memory tracker's lock"

    def lock_take(self, holder: str, until: dt.datetime) -> bool:
        self.writes += 1
        if self.lock is not None:
            return False
        self.lock = (holder, until)
        return True

    def lock_read(self) -> tuple[str, dt.datetime] | None:
        return self.lock

    def lock_drop(self) -> None:
        self.writes += 1
        self.lock = None

    def lock_extend(self, holder: str, until: dt.datetime) -> None:
        self.writes += 1
        self.lock = (holder, until)

    # --- what people do, and what tests compare -----------------------------------------------

    def edit(self, iid: int, change: Callable[[str], str]) -> None:
        """A person edits an issue's description (not a write of the tool: not counted)."""
        stored = self._issue(iid)
        text = change(stored.description)
        if text != stored.description:
            self.issues[iid] = replace(stored, description=text, updated_at=self._now())

    def set_state(self, iid: int, state: str) -> None:
        """A person closes or reopens an issue."""
        self.issues[iid] = replace(self._issue(iid), state=state, updated_at=self._now())

    def add_issue(self, issue: NewIssue, author: str) -> ObservedIssue:
        """A person (AUTHOR) creates an issue."""
        created = self.create_issue(issue)
        self.writes -= 1
        self.issues[created.iid] = replace(self.issues[created.iid], author=author)
        return _observed_issue(created.iid, self.issues[created.iid])

    def fingerprint(self) -> object:
        """Everything held, as a value to compare before and after a run."""
        held = (self.issues, self.epics, self.notes, self.elsewhere, self.labels, self.lock)
        return copy.deepcopy(held)


def _observed_issue(iid: int, stored: StoredIssue) -> ObservedIssue:
    return ObservedIssue(
        iid=iid,
        title=stored.title,
        description=stored.description,
        labels=tuple(stored.labels),
        state=stored.state,
        assignees=tuple(stored.assignees),
        due_date=stored.due_date,
        confidential=stored.confidential,
        web_url=f"memory/issues/{iid}",
        id=iid,
        epic=stored.epic,
        by_tool=stored.author == TOOL_USER,
        author=stored.author,
    )


def _observed_epic(iid: int, stored: StoredEpic) -> ObservedEpic:
    labels = tuple(stored.labels)
    return ObservedEpic(
        iid, iid, stored.title, stored.description, labels, confidential=stored.confidential
    )


def memory_for(prepared: Prepared) -> MemoryTracker:
    """An empty memory tracker set up as the CLI sets up the local one for this config."""
    settings = prepared.loaded.config.settings.gitlab
    return MemoryTracker(epics=settings.epics, groups=(settings.group, settings.project))


def run_apply(prepared: Prepared, tracker: Tracker, today: dt.date) -> Applied:
    """What `automation apply` does with a tracker: the run under the run lock. No item may
    fail: a test goes on from what the run wrote, and a failed item would have it check the
    wrong state (a run that must fail is `apply` in the test itself)."""
    applied = apply(prepared, tracker, today, lock=RunLock(tracker, StepClock()))
    assert not applied.outcome.failures, applied.outcome.failures
    return applied
