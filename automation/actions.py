"""The vocabulary of writes: every action a plan can hold, and the plan itself (pure data).

Code that handles actions matches on `Action` and ends with `assert_never`, so adding an
action makes the type checker list every place that must handle it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import assert_never

from automation.edits import Edits
from automation.identity import Others
from automation.items import IssueLinks, NewEpic, NewIssue, ObservedEpic, ObservedIssue
from automation.progress import LabelSpec


@dataclass(frozen=True)
class CreateLabel:
    """Provision a label before any issue uses it."""

    spec: LabelSpec
    program: str = ""
    iid: None = None

    @property
    def key(self) -> str:
        return f"label:{self.spec.name}"


@dataclass(frozen=True)
class CreateIssue:
    """Create an issue that does not exist yet, inside its epic when it has one (HOME, the
    epic's key): the EPIC found when planning, or one this plan creates before it."""

    program: str
    issue: NewIssue
    iid: None = None
    home: str | None = None
    epic: ObservedEpic | None = None

    @property
    def key(self) -> str:
        return self.issue.key


@dataclass(frozen=True)
class UpdateDescription:
    """Rewrite the tool's blocks in an issue's description (made again on the text read just
    before writing, so a person's edit during the run is kept)."""

    program: str
    key: str
    iid: int
    block: str
    before: str
    after: str
    edits: Edits = field(default_factory=Edits)


@dataclass(frozen=True)
class UpdateLabels:
    """Add and remove managed labels on an issue."""

    program: str
    key: str
    iid: int
    add: tuple[str, ...]
    remove: tuple[str, ...]


@dataclass(frozen=True)
class UpdateAssignees:
    """Assign the people configuration now names and unassign the ones the tool assigned
    that it no longer names, on the assignees read just before writing (so a person someone
    assigned meanwhile stays); see people.py."""

    program: str
    key: str
    iid: int
    add: tuple[str, ...]
    remove: tuple[str, ...]
    order: tuple[str, ...] = ()  # the people configuration names, the first kept on Free
    roles: tuple[tuple[str, str], ...] = ()  # (role, username), for warnings that hide names


@dataclass(frozen=True)
class UpdateDueDate:
    """Move an issue's due date that configuration moved, when it is still the date the
    tool set (BEFORE) in the issue read just before writing: a date a person set meanwhile
    stays (see duedates.py)."""

    program: str
    key: str
    iid: int
    before: dt.date | None
    after: dt.date | None


@dataclass(frozen=True)
class AddNote:
    """Post a note on an issue (its text comes from a template, made inert), unless a note
    with its marker (the body's hidden first line) is there already."""

    program: str
    key: str
    iid: int
    body: str
    project: str | None = None  # another project's web address (a hire's general onboarding)
    as_listed: str | None = None  # see CloseIssue

    @property
    def marker(self) -> str:
        return self.body.split("\n", 1)[0]

    @property
    def target(self) -> str:
        """The issue the note goes on, as people write it."""
        return f"{self.project}/-/issues/{self.iid}" if self.project else f"#{self.iid}"


@dataclass(frozen=True)
class Remind:
    """A reminder (reminders/): on an issue, a note posted once per occasion, never on an
    issue closed since it was listed, nor when a note with its marker (the body's hidden first
    line) is there; or, with `digest`, the week's digest note in the tracking issue, posted
    once and then edited in place (found by its marker)."""

    program: str
    key: str
    iid: int
    body: str
    digest: bool = False
    edit: bool = False  # the week's digest is there already: it is edited, not posted again
    # the note an earlier week's digest is, when the edit quiets it: found already, and
    # not found again by its marker (a week with two digests had only its newest edited)
    note: int | None = None

    @property
    def marker(self) -> str:
        return self.body.split("\n", 1)[0]


@dataclass(frozen=True)
class CloseIssue:
    """Close an issue whose tasks are all done, once: not when the completion note (posted
    after closing) shows it was done before and a person reopened the issue. (Also an issue
    whose person left the program, or an ended account's plan: `why` says which.)"""

    program: str
    key: str
    iid: int
    unless_note: str | None = None
    why: str = "every required task is done"  # optional ones and `required: false` sections aside
    # the text the plan found complete: closed (or noted) only while the issue still reads
    # so, not after a person unticked a task during the run
    as_listed: str | None = None


@dataclass(frozen=True)
class ReopenIssue:
    """Reopen the issue of a person who is back in the program, which the tool closed when
    they left (see lifecycle.py)."""

    program: str
    key: str
    iid: int


@dataclass(frozen=True)
class CreateEpic:
    """Create an epic that groups a program's issues."""

    program: str
    epic: NewEpic
    iid: None = None

    @property
    def key(self) -> str:
        return self.epic.key


@dataclass(frozen=True)
class AddToEpic:
    """Put an issue that is in no epic yet into its epic."""

    program: str
    key: str
    epic_iid: int
    issue: ObservedIssue

    @property
    def iid(self) -> int:
        return self.issue.iid


@dataclass(frozen=True)
class LinkIssues:
    """Relate a tracked issue to the tracking issue (where epics are not available)."""

    program: str
    key: str
    iid: int
    target_iid: int


@dataclass(frozen=True)
class UpdateEpic:
    """Rename an epic made under a former key (renamed_from), or take back one that lost its
    identity line or its program label: its identity line, made again on the text read just
    before writing, and its program label."""

    program: str
    key: str
    iid: int
    before: str
    after: str
    edits: Edits = field(default_factory=Edits)
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    confidential: bool | None = None  # True: made confidential (a confidential program's)


Action = (
    CreateLabel
    | CreateIssue
    | UpdateDescription
    | UpdateLabels
    | UpdateAssignees
    | UpdateDueDate
    | AddNote
    | CloseIssue
    | ReopenIssue
    | CreateEpic
    | AddToEpic
    | LinkIssues
    | UpdateEpic
    | Remind
)
ALL_STEPS = frozenset({"create", "labels", "progress", "remind"})


def steps_of(action: Action) -> frozenset[str]:
    """Which steps of a run an action belongs to: a daily schedule can create items while an
    hourly one syncs labels and progress."""
    steps: frozenset[str]
    match action:
        case CreateLabel():
            steps = frozenset({"create", "labels"})
        case CreateIssue() | CreateEpic() | AddToEpic() | LinkIssues():
            steps = frozenset({"create"})
        case UpdateLabels():
            steps = frozenset({"labels"})
        # assignees go with their note and record (progress), never without them
        case UpdateDescription() | AddNote() | CloseIssue() | ReopenIssue() | UpdateAssignees():
            steps = frozenset({"progress"})
        case UpdateDueDate():  # the labels count from the date it moves to
            steps = frozenset({"labels", "progress"})
        case UpdateEpic():  # a rename: whichever step runs first makes it
            steps = ALL_STEPS
        case Remind():
            steps = frozenset({"remind"})
        case _:
            assert_never(action)
    return steps


@dataclass(frozen=True)
class Observed:
    """What a tracker holds for one program."""

    issues: tuple[ObservedIssue, ...] = ()
    labels: frozenset[str] = frozenset()
    epics: tuple[ObservedEpic, ...] | None = None  # None: epics are not available
    tracking_links: IssueLinks = field(default_factory=IssueLinks)
    keyed: Mapping[str, ObservedIssue] = field(default_factory=dict)  # any label; see run.py
    fetched: Mapping[int, ObservedIssue | None] = field(default_factory=dict)  # see run.py
    # epics the program's issues sit in that its label does not list, read by iid (None: gone)
    # while an epic configuration asks for is not listed (epics.py, `epics_to_read`)
    read_epics: Mapping[int, ObservedEpic | None] = field(default_factory=dict)
    # ... and, read at the same time, other groups' epics they sit in, by (group id, iid)
    read_elsewhere: Mapping[tuple[int, int], ObservedEpic | None] = field(default_factory=dict)
    # issues another program's record of keys holds: iid -> that program's id (elsewhere.py)
    recorded_elsewhere: Mapping[int, str] = field(default_factory=dict)
    # ... and the programs whose record could not be read (elsewhere.py, `recorded`)
    unread_elsewhere: tuple[str, ...] = ()
    # the issues this run created (run.observe_all): the program's own, whatever others say
    made: frozenset[int] = frozenset()

    def others(self, public: bool) -> Others:
        """What says an issue of the list is not the program's (PUBLIC: the program is)."""
        homes = frozenset(epic.iid for epic in self.epics or ())
        return Others(self.recorded_elsewhere, self.unread_elsewhere, public, homes, self.made)


@dataclass(frozen=True)
class Failure:
    """An item that cannot be planned or written, with what a person should do about it."""

    program: str
    key: str
    message: str
    iid: int | None = None


@dataclass(frozen=True)
class Plan:
    """Every write a run would make, plus what it could not do and what it noticed."""

    actions: tuple[Action, ...] = ()
    failures: tuple[Failure, ...] = ()
    warnings: tuple[str, ...] = ()
    unchanged: int = 0
    notices: tuple[str, ...] = ()  # said once per run, not counted as warnings
    again: frozenset[str] = frozenset()  # keys whose write calls for another round
    public: tuple[str, ...] = ()  # confidential items' issues made public: said in one warning
    warned: frozenset[str] = frozenset()  # the programs whose plans said warnings (ids)

    def __add__(self, other: Plan) -> Plan:
        return combine((self, other))

    def only(self, steps: frozenset[str]) -> Plan:
        """The plan limited to some steps (create, labels, progress); the rest waits."""
        kept = tuple(a for a in self.actions if steps_of(a) & steps)
        return replace(self, actions=kept)

    @property
    def empty(self) -> bool:
        """True when nothing would be written."""
        return not self.actions

    @property
    def creates_issues(self) -> bool:
        """True when the plan creates issues."""
        return any(isinstance(a, CreateIssue) for a in self.actions)

    def more_after(self, done: Sequence[Action], failed: Sequence[Failure] = ()) -> bool:
        """Whether a round that made the writes DONE (and FAILED these) calls for another: it
        created issues or epics (their references are known only now), or rewrote what the
        next round builds on (an index issue that now holds the whole index: keyindex.py),
        unless that failed (the next run tries again, not another round)."""
        stuck = any(f.key in self.again for f in failed)
        moving = any(isinstance(a, UpdateDescription) and a.key in self.again for a in done)
        return bool(done) and (self.creates_items or (moving and not stuck))

    @property
    def creates_items(self) -> bool:
        """True when the plan creates issues or epics (known to other items only afterwards)."""
        return any(isinstance(a, CreateIssue | CreateEpic) for a in self.actions)


def combine(plans: Iterable[Plan]) -> Plan:
    """Plans one after the other, as one: a label is created once, a notice said once."""
    plans = list(plans)
    return Plan(
        _unique_labels(a for p in plans for a in p.actions),
        tuple(f for p in plans for f in p.failures),
        tuple(w for p in plans for w in p.warnings),
        sum(p.unchanged for p in plans),
        tuple(dict.fromkeys(n for p in plans for n in p.notices)),
        frozenset(key for p in plans for key in p.again),
        tuple(dict.fromkeys(r for p in plans for r in p.public)),
        frozenset(i for p in plans for i in p.warned),
    )


def _unique_labels(actions: Iterable[Action]) -> tuple[Action, ...]:
    seen: set[str] = set()
    kept: list[Action] = []
    for action in actions:
        if isinstance(action, CreateLabel):
            if action.spec.name in seen:
                continue
            seen.add(action.spec.name)
        kept.append(action)
    return tuple(kept)
