"""The small interface every tracker implements; the data crossing it lives in the core."""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

from automation.errors import ItemError
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
from automation.trackers.ledger import Writes
from automation.trackers.relist import Listed, Lists
from automation.unseen import Unseen

# the expiry of a lock whose text cannot be read: never, until a person deletes it
UNREADABLE_LOCK = dt.datetime.max.replace(tzinfo=dt.UTC)
OVER_COUNTED = 10_001  # what `any_open` says past GitLab's 10,000, where it gives no total


def open_ones_carry(count: int) -> str:
    """`N open issues carry` for a count `any_open` gave (past 10,000: over 10,000)."""
    if count == 1:
        return "1 open issue carries"
    return f"{'over 10,000' if count >= OVER_COUNTED else count} open issues carry"


class Tracker(abc.ABC):
    """Reads and writes issues and labels; the applier is the only caller of the writes."""

    name: str

    def adjacent(self) -> AbstractContextManager[None]:
        """A read and the write made on it, with nothing of the tracker's between them (no
        pacing, no waiting)."""
        return nullcontext()

    def get_epic_in(self, group: int, iid: int) -> ObservedEpic | None:
        """An epic of another group than the tracker's; None when there is none to read."""
        del group, iid
        return None

    def held_elsewhere(self, epic_iid: int) -> str | None:
        """An issue of the tool's with a key that the epic holds in another project than the
        tracker's (how the tracker refers to it); None when there is none, or no projects."""
        del epic_iid
        return None

    def pause(self, seconds: float) -> None:
        """Wait (the tracker's clock moves on); a tracker with nothing to wait for does not."""
        del seconds

    @abc.abstractmethod
    def label_names(self) -> frozenset[str]:
        """Names of the labels that exist where the program's issues can use them."""

    def label_description(self, name: str) -> str | None:
        """The description of a label `label_names` listed; None when there is none or the
        tracker does not say."""
        return None

    @abc.abstractmethod
    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        """Every issue, open or closed, that carries the program label."""

    def any_open(self, label: str) -> int:
        """How many open issues carry the label (GitLab answers it in one small request);
        OVER_COUNTED past the 10,000 GitLab counts."""
        return sum(issue.state == "opened" for issue in self.program_issues(label))

    def first_open(self, label: str) -> ObservedIssue | None:
        """One open issue that carries the label, the newest; None when none does."""
        listed = self.program_issues(label)
        return next((i for i in reversed(listed) if i.state == "opened"), None)

    @abc.abstractmethod
    def find_issue(self, key: str, program_label: str) -> ObservedIssue | None:
        """The program's issue with this key, looked up afresh (before retrying a create)."""

    @abc.abstractmethod
    def get_issue(self, iid: int) -> ObservedIssue | None:
        """One issue read afresh (just before its description is rewritten); None if deleted."""

    @abc.abstractmethod
    def is_user(self, username: str) -> bool:
        """Whether USERNAME is a person's account, so that `@username` notifies a person (not a
        group, nor a name nobody has)."""

    @abc.abstractmethod
    def has_note(self, iid: int, marker: str) -> bool:
        """Whether the tool's user already posted a note carrying this hidden marker."""

    @abc.abstractmethod
    def find_note(self, iid: int, marker: str) -> ObservedNote | None:
        """The tool's user's note whose first line is this hidden marker (a person's note that
        quotes it, or a system note, is not one); None when there is none."""

    @abc.abstractmethod
    def notes_marked(self, iid: int, prefix: str) -> tuple[ObservedNote, ...]:
        """The token's user's notes whose first line starts with PREFIX (the digests of every
        week: `<!-- automation:note reminders-digest `), in one read of the notes; a former
        token's user's are not among them (the token may not edit them)."""

    @abc.abstractmethod
    def keyed_issues(self) -> dict[str, ObservedIssue]:
        """Every issue that carries a key, whatever its labels (asked only before creating,
        to find issues whose program label a person removed)."""

    @abc.abstractmethod
    def create_label(self, spec: LabelSpec) -> None:
        """Create a label; one that already exists counts as created."""

    @abc.abstractmethod
    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        """Create an issue (inside EPIC, when given) and return it as stored."""

    @abc.abstractmethod
    def update_description(
        self, iid: int, description: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        """Replace an issue's description, and add and remove labels in the same write."""

    def unseen_changes(self, iid: int, read: ObservedIssue) -> Unseen:
        """A person's changes to the issue that READ (made just before the tool's last write
        of it) did not show; none where every read shows every change made before it."""
        del iid, read
        return Unseen()

    def assignee_changes_since(
        self, iid: int, moment: dt.datetime
    ) -> list[tuple[str, bool]] | None:
        """People's changes of the issue's assignees after MOMENT, oldest first, as (username,
        assigned); None when they cannot be read. Read after the tool's assignee write: none
        where every read shows every change made before it (reassigned.py)."""
        del iid, moment
        return []

    @abc.abstractmethod
    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """Add and remove labels without touching the issue's other labels."""

    @abc.abstractmethod
    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        """Make these people the issue's assignees (the applier computed them from the
        assignees read just before); returns the assignees as stored (GitLab Free keeps the
        first)."""

    @abc.abstractmethod
    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        """Set the issue's due date (None: no due date)."""

    @abc.abstractmethod
    def add_note(self, iid: int, body: str) -> None:
        """Post a note on an issue."""

    def has_note_in(self, project: str, iid: int, marker: str) -> bool:
        """Whether the tool's user posted a note with this marker on an issue of another
        project (its web address, on the same GitLab)."""
        raise ItemError(f"this tracker cannot read the issues of {project}")

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        """Post a note on an issue of another project (its web address, on the same GitLab)."""
        raise ItemError(f"this tracker cannot write to the issues of {project}")

    @abc.abstractmethod
    def update_note(self, iid: int, note_id: int, body: str) -> None:
        """Replace the body of one of the tool's notes on an issue (edited in place)."""

    @abc.abstractmethod
    def close_issue(self, iid: int) -> None:
        """Close an issue."""

    @abc.abstractmethod
    def reopen_issue(self, iid: int) -> None:
        """Reopen a closed issue."""

    # --- the run lock: one run at a time ---------------------------------------------------

    @abc.abstractmethod
    def lock_description(self) -> str:
        """Where the lock is kept, for a person who must remove a crashed run's lock."""

    @abc.abstractmethod
    def lock_take(self, holder: str, until: dt.datetime) -> bool:
        """Take the lock for HOLDER until a time; False when it is held already."""

    @abc.abstractmethod
    def lock_read(self) -> tuple[str, dt.datetime] | None:
        """Who holds the lock and until when; None when nobody does (on GitLab, a lock whose
        text cannot be read is held until UNREADABLE_LOCK: until a person deletes it)."""

    @abc.abstractmethod
    def lock_drop(self) -> None:
        """Remove the lock, whoever holds it."""

    @abc.abstractmethod
    def lock_extend(self, holder: str, until: dt.datetime) -> None:
        """Move the lock's expiry (its holder is still working)."""

    # --- epics (Premium) and the related-issue links used instead of them ------------------

    @abc.abstractmethod
    def epics_available(self) -> bool:
        """Whether epics can be used (GitLab Premium, and enabled in settings)."""

    def one_assignee(self) -> bool:
        """Whether an issue keeps one assignee only (GitLab Free): no epics, as settings can
        also say on Premium; a tracker that can ask its group says which."""
        return not self.epics_available()

    @abc.abstractmethod
    def program_epics(self, program_label: str) -> tuple[ObservedEpic, ...]:
        """Every epic that carries the program label."""

    @abc.abstractmethod
    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        """Create an epic and return it as stored."""

    @abc.abstractmethod
    def get_epic(self, iid: int) -> ObservedEpic | None:
        """One epic read afresh (just before it is renamed); None if deleted."""

    @abc.abstractmethod
    def update_epic(self, iid: int, change: EpicChange) -> None:
        """Replace an epic's description (unless None) and add and remove labels (and make it
        confidential, when asked), in one write, without touching its other labels."""

    @abc.abstractmethod
    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> bool:
        """Put an issue in an epic (by the issue's global id); False when it was in that epic
        already (nothing changed)."""

    @abc.abstractmethod
    def issue_links(self, iid: int) -> IssueLinks:
        """The issues related to an issue: the project's, and how many of other projects'."""

    @abc.abstractmethod
    def link_issues(self, iid: int, target_iid: int) -> None:
        """Relate two issues of the project."""


class ChangeLog(abc.ABC):
    """A tracker that can say whether anything changed since a moment, and keep the record of
    the last run that left nothing to do (see syncrecord.py): GitLab."""

    @abc.abstractmethod
    def first_answer_at(self) -> dt.datetime | None:
        """The tracker's own clock when it first answered this run (None: not yet)."""

    @abc.abstractmethod
    def last_answer_at(self) -> dt.datetime | None:
        """The tracker's own clock when it last answered this run (None: not yet)."""

    @abc.abstractmethod
    def last_write_at(self) -> dt.datetime | None:
        """The tracker's own clock when it last answered a write of this run as done (None:
        none yet). A read after it shows every change made before it, whatever replica
        answers (GitLab sticks a user's reads to replicas caught up with their last write)."""

    @abc.abstractmethod
    def now(self) -> dt.datetime | None:
        """The tracker's own clock now (a small request; None: it does not say)."""

    @abc.abstractmethod
    def own_writes(self) -> Writes | None:
        """The issues this run wrote and listed, with the tracker's time of each, when every
        write was the run's own alone (see ledger.py); None otherwise."""

    @abc.abstractmethod
    def up_to_date(self, lists: Lists, moment: dt.datetime) -> Listed | None:
        """This run's LISTS of program issues, read from MOMENT (the tracker's clock) on, as
        they would be listed now: brought up to date from the issues changed since (a page per
        100 of them, never more than reading the lists again would take), each that enters a
        list recorded as what the run plans from; None when that cannot be told."""

    @abc.abstractmethod
    def issues_numbered(self, iids: Sequence[int]) -> dict[int, ObservedIssue] | None:
        """The issues of these numbers, in one request, by iid; one deleted is not among
        them. None when they are more than a page (100)."""

    @abc.abstractmethod
    def program_part(self, iids: Sequence[int]) -> dict[int, ObservedIssue]:
        """Some of a program's issues, by iid (a request per 100), each recorded as what the
        run plans from, as a program's list records its issues; one deleted is not among
        them (incremental.py reads a program this way instead of listing it)."""

    @abc.abstractmethod
    def vouch(self, iid: int, digest: str) -> None:
        """Issue IID was planned from a stored copy whose `syncrecord.watch` digest is DIGEST
        (a ledger's row, incremental.py), not read: a write of the run that newly mentions
        it leaves a record only while it still reads so (trackers/ledger.py)."""

    @abc.abstractmethod
    def label_count(self, label: str) -> int | None:
        """How many issues carry the label, open or closed (a request; None past 10,000,
        which GitLab does not count)."""

    @abc.abstractmethod
    def changed_since(self, moment: dt.datetime, limit: int) -> tuple[ObservedIssue, ...] | None:
        """The project's issues created or changed on or after MOMENT, or None when there
        are more than LIMIT of them."""

    @abc.abstractmethod
    def author(self) -> str:
        """Whose issues are the tool's (the token's user): a run as another user finds other
        issues its own, so it cannot go by a record another user's run kept."""

    @abc.abstractmethod
    def read_sync_record(self) -> str | None:
        """The record's text, or None when there is none."""

    @abc.abstractmethod
    def record_at_start(self) -> str | None:
        """The record's text as this run first read it (read now if it has not yet), before
        the run kept its own; None when there was none."""

    @abc.abstractmethod
    def write_sync_record(self, text: str) -> None:
        """Keep the record's text (made if missing)."""
