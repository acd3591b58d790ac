"""Tracker wrappers for tests: one that passes everything through, one that dies after the
k-th write like a killed CI job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from automation.items import (
    EpicChange,
    IssueLinks,
    NewEpic,
    NewIssue,
    ObservedEpic,
    ObservedIssue,
    ObservedNote,
)
from automation.progress import LabelSpec
from automation.trackers.base import Tracker


class Crash(BaseException):
    """The process died (not an error the tool could catch and report)."""


class Delegating(Tracker):
    """Passes every call to a real tracker; subclasses step in where a test needs it."""

    def __init__(self, inner: Tracker) -> None:
        self.inner = inner
        self.name = inner.name

    def label_names(self) -> frozenset[str]:
        return self.inner.label_names()

    def label_description(self, name: str) -> str | None:
        return self.inner.label_description(name)

    def first_open(self, label: str) -> ObservedIssue | None:
        return self.inner.first_open(label)

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        return self.inner.program_issues(program_label)

    def find_issue(self, key: str, program_label: str) -> ObservedIssue | None:
        return self.inner.find_issue(key, program_label)

    def keyed_issues(self) -> dict[str, ObservedIssue]:
        return self.inner.keyed_issues()

    def get_issue(self, iid: int) -> ObservedIssue | None:
        return self.inner.get_issue(iid)

    def has_note(self, iid: int, marker: str) -> bool:
        return self.inner.has_note(iid, marker)

    def find_note(self, iid: int, marker: str) -> ObservedNote | None:
        return self.inner.find_note(iid, marker)

    def notes_marked(self, iid: int, prefix: str) -> tuple[ObservedNote, ...]:
        return self.inner.notes_marked(iid, prefix)

    def is_user(self, username: str) -> bool:
        return self.inner.is_user(username)

    def lock_description(self) -> str:
        return self.inner.lock_description()

    def lock_take(self, holder: str, until: dt.datetime) -> bool:
        return self.inner.lock_take(holder, until)

    def lock_read(self) -> tuple[str, dt.datetime] | None:
        return self.inner.lock_read()

    def lock_drop(self) -> None:
        self.inner.lock_drop()

    def lock_extend(self, holder: str, until: dt.datetime) -> None:
        self.inner.lock_extend(holder, until)

    def epics_available(self) -> bool:
        return self.inner.epics_available()

    def one_assignee(self) -> bool:
        return self.inner.one_assignee()

    def program_epics(self, program_label: str) -> tuple[ObservedEpic, ...]:
        return self.inner.program_epics(program_label)

    def issue_links(self, iid: int) -> IssueLinks:
        return self.inner.issue_links(iid)

    def create_label(self, spec: LabelSpec) -> None:
        self.inner.create_label(spec)

    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        return self.inner.create_issue(issue, epic)

    def update_description(
        self, iid: int, description: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        self.inner.update_description(iid, description, add, remove)

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        self.inner.update_labels(iid, add, remove)

    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        return self.inner.create_epic(epic)

    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> bool:
        return self.inner.add_to_epic(epic_iid, issue)

    def get_epic(self, iid: int) -> ObservedEpic | None:
        return self.inner.get_epic(iid)

    def update_epic(self, iid: int, change: EpicChange) -> None:
        self.inner.update_epic(iid, change)

    def link_issues(self, iid: int, target_iid: int) -> None:
        self.inner.link_issues(iid, target_iid)

    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        return self.inner.set_assignees(iid, usernames)

    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        self.inner.set_due_date(iid, due)

    def add_note(self, iid: int, body: str) -> None:
        self.inner.add_note(iid, body)

    def has_note_in(self, project: str, iid: int, marker: str) -> bool:
        return self.inner.has_note_in(project, iid, marker)

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        self.inner.add_note_in(project, iid, body)

    def update_note(self, iid: int, note_id: int, body: str) -> None:
        self.inner.update_note(iid, note_id, body)

    def close_issue(self, iid: int) -> None:
        self.inner.close_issue(iid)

    def reopen_issue(self, iid: int) -> None:
        self.inner.reopen_issue(iid)


class CrashingTracker(Delegating):
    """Raises Crash right after the k-th write."""

    def __init__(self, inner: Tracker, after: int) -> None:
        super().__init__(inner)
        self.left = after

    def _wrote(self) -> None:
        self.left -= 1
        if self.left == 0:
            raise Crash

    def create_label(self, spec: LabelSpec) -> None:
        super().create_label(spec)
        self._wrote()

    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        created = super().create_issue(issue, epic)
        self._wrote()
        return created

    def update_description(
        self, iid: int, description: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        super().update_description(iid, description, add, remove)
        self._wrote()

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        super().update_labels(iid, add, remove)
        self._wrote()

    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        created = super().create_epic(epic)
        self._wrote()
        return created

    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> bool:
        added = super().add_to_epic(epic_iid, issue)
        self._wrote()
        return added

    def update_epic(self, iid: int, change: EpicChange) -> None:
        super().update_epic(iid, change)
        self._wrote()

    def link_issues(self, iid: int, target_iid: int) -> None:
        super().link_issues(iid, target_iid)
        self._wrote()

    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        kept = super().set_assignees(iid, usernames)
        self._wrote()
        return kept

    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        super().set_due_date(iid, due)
        self._wrote()

    def add_note(self, iid: int, body: str) -> None:
        super().add_note(iid, body)
        self._wrote()

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        super().add_note_in(project, iid, body)
        self._wrote()

    def update_note(self, iid: int, note_id: int, body: str) -> None:
        super().update_note(iid, note_id, body)
        self._wrote()

    def close_issue(self, iid: int) -> None:
        super().close_issue(iid)
        self._wrote()

    def reopen_issue(self, iid: int) -> None:
        super().reopen_issue(iid)
        self._wrote()
