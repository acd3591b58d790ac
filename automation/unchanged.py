"""What a scheduled run may skip (the record is described in syncrecord.py): everything when
no issue changed since the last run that left nothing to do; when some did, the programs
none of them belongs to; otherwise nothing (a full run). And when a run may keep the record:
after finding nothing to do, or after writes that were its own alone."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from automation.items import ObservedIssue
from automation.progress import program_of
from automation.syncrecord import (
    OVERLAP,
    REPLICA_LAG,
    TOUCH_INTERVAL,
    SyncRecord,
    fingerprint,
    read_record,
    watch,
)
from automation.trackers.base import ChangeLog, Tracker
from automation.trackers.ledger import Writes

MAX_CHANGED = 500  # more issues changed than this since the record: a full run is as cheap
MAX_WATCHED = 100  # issues a record watches, read again by each run it covers in one request


@dataclass(frozen=True)
class LookBack:
    """The record that covers this run, and the issues changed since its moment."""

    record: SyncRecord
    changed: tuple[ObservedIssue, ...]

    def programs(self) -> frozenset[str] | None:
        """The ids of the programs the changed issues belong to, by their program label and
        their key; None (every program) when one belongs to none (a person's own issue), or
        is the tool's issue without its key or the label of its key's program: a program's
        index may still name it, and only a full run can place it."""
        ids: set[str] = set()
        for issue in self.changed:
            found = program_ids(issue)
            if not found:
                return None
            ids |= found
        return frozenset(ids)

    def deferred(self) -> frozenset[str]:
        """The programs whose issues' bodies need rendering only when read (later.py): those
        read from their ledger if nothing is out of the ordinary (incremental.py). The record's
        run rendered them, as this run would (the same configuration, templates and tool, the
        same day), without a problem or a warning."""
        return frozenset(p for p, _ in self.record.ledgers) - self.record.warned


def program_ids(issue: ObservedIssue) -> set[str]:
    """The programs an issue shows it is of; none (a full run) when it is the tool's and its
    key or its program label is gone, or they disagree: another program's first line may
    have been typed over it, and the program that made it is not known."""
    ids = {p for label in issue.labels if (p := program_of(label)) is not None}
    keyed = issue.key.split("/", 1)[0] if issue.key else None
    if issue.by_tool and (keyed is None or keyed not in ids):
        return set()
    return ids | ({keyed} if keyed else set())


def inputs(version: str, config: Path, templates: Path, programs: Sequence[str]) -> str:
    """The fingerprint of what a run reads besides GitLab: the tool (its version, and its
    code: a tester upgraded to code of the same version number, and the old record let the
    day's runs skip what the new code does), its files, its options."""
    return fingerprint((config, templates), (version, code_digest(), *runtime(), *sorted(programs)))


# what the tool runs on besides its own code: a new Jinja2 or markdown-it-py may render a
# block or count a box otherwise, and a same-day upgrade must not be covered (a tester)
_RUNTIME = ("python-gitlab", "jinja2", "pydantic", "pyyaml", "tzdata", "markdown-it-py")


@functools.cache
def runtime() -> tuple[str, ...]:
    """Python's version and the installed versions of the tool's dependencies."""
    return (sys.version, *(f"{name}={_installed(name)}" for name in _RUNTIME))


def _installed(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


@functools.cache
def code_digest() -> str:
    """A hash of the tool's own source (`fingerprint` of its package)."""
    return fingerprint((Path(__file__).resolve().parent,), ())


def look_back(
    tracker: Tracker, inputs: str, today: dt.date, steps: frozenset[str]
) -> LookBack | None:
    """The record that covers a run with these inputs, and what changed since it (a request
    for the record, and a page per 100 changed issues); None: run in full."""
    record = _covering(tracker, inputs, today, steps)
    if record is None or not isinstance(tracker, ChangeLog) or _ahead(tracker, record):
        return None
    changed = tracker.changed_since(record.since, MAX_CHANGED)
    if changed is None:
        return None
    moved = _watched_changes(tracker, record, {issue.iid for issue in changed})
    return None if moved is None else LookBack(record, (*changed, *moved))


def _watched_changes(
    tracker: ChangeLog, record: SyncRecord, listed: Collection[int]
) -> tuple[ObservedIssue, ...] | None:
    """The issues the record watches (syncrecord.watch) that changed, though their time may
    not say so, and the list since the record's moment did not show them (a request, when it
    watches any); None (a full run) when one is gone, or the answer does not add up."""
    if not record.watched:
        return ()
    found = tracker.issues_numbered([iid for iid, _ in record.watched])
    if found is None or any(iid not in found for iid, _ in record.watched):
        return None
    return tuple(
        found[iid]
        for iid, digest in record.watched
        if iid not in listed and watch(found[iid]) != digest
    )


def _ahead(tracker: ChangeLog, record: SyncRecord) -> bool:
    """Whether the record's moment is after GitLab's clock now (its answer to the record's
    read): GitLab's clock was put back since a run kept it, or someone edited it. Every
    change before that moment would be skipped all day (a tester): a full run instead."""
    now = tracker.first_answer_at()
    return now is not None and record.since > now


def _covering(
    tracker: Tracker, inputs: str, today: dt.date, steps: frozenset[str]
) -> SyncRecord | None:
    """The record, when it covers a run with these inputs (a request for it)."""
    if not isinstance(tracker, ChangeLog):
        return None
    record = read_record(tracker.read_sync_record())
    if record is None or not record.covers(_as_author(tracker, inputs), today, steps):
        return None
    return record


@dataclass(frozen=True)
class Keeping:
    """What a record kept now says besides its moment: the run's inputs (their fingerprint),
    day and steps, the up-to-date issues it counted, the programs whose warnings stand, and
    where the programs' ledgers start."""

    inputs: str
    today: dt.date
    steps: frozenset[str]
    issues: int
    warned: frozenset[str] = frozenset()
    ledgers: tuple[tuple[str, int], ...] = ()  # (SyncRecord.ledgers)

    def record(
        self, tracker: ChangeLog, since: dt.datetime, watched: Sequence[ObservedIssue] = ()
    ) -> SyncRecord:
        author = _as_author(tracker, self.inputs)
        marks = tuple(sorted((issue.iid, watch(issue)) for issue in watched))
        return SyncRecord(
            since, self.today, self.issues, self.steps, author, self.warned, marks, self.ledgers
        )


def last_quiet_day(tracker: Tracker) -> dt.date | None:
    """The day of the last run that left nothing to do, as the record said when this run
    began (a request, unless the run read it already); None when there is none, or the
    tracker keeps none (the local backend)."""
    if not isinstance(tracker, ChangeLog):
        return None
    record = read_record(tracker.record_at_start())
    return record.day if record is not None else None


def standing(
    tracker: Tracker, inputs: str, today: dt.date, steps: frozenset[str]
) -> frozenset[str]:
    """The programs whose warnings stand today as the record of a run with these inputs names
    them (a request for the record); none when there is no such record."""
    record = _covering(tracker, inputs, today, steps)
    return record.warned if record is not None else frozenset()


def keep_record(tracker: Tracker, keeping: Keeping) -> None:
    """After a run that found nothing to do, in every program or in every program that had
    changed: as of its first request, less two minutes, these inputs leave nothing to do. Its
    reads may have come from a replica a minute behind (REPLICA_LAG), and a change they missed
    may be one that only touched an issue changed up to a minute before it, leaving that
    earlier time (TOUCH_INTERVAL): the record's moment must come before both (a tester's
    finding: with one minute, such a label change went unseen for the rest of the day)."""
    if not isinstance(tracker, ChangeLog):
        return
    start = tracker.first_answer_at()
    if start is not None:
        since = start - REPLICA_LAG - TOUCH_INTERVAL
        tracker.write_sync_record(keeping.record(tracker, since).text())


MARGIN = 2 * OVERLAP  # a record kept after writes: more room for clocks, nothing to gain by less
SETTLE = MARGIN + dt.timedelta(seconds=2)  # the run's writes then fall before its moment


def _own_alone(tracker: Tracker) -> Writes | None:
    """The run's writes, when it wrote and they were its own alone (the tracker's ledger):
    a record may be kept after them (`keep_record_after_writes`)."""
    if not isinstance(tracker, ChangeLog):
        return None
    writes = tracker.own_writes()
    return writes if writes is not None and writes.own else None


def settle(tracker: Tracker) -> None:
    """Before the run's last write (its lock's release), a run whose record may be kept after
    its writes waits SETTLE: they are then older than the record's moment can be, which
    comes before that last write (`keep_record_after_writes`)."""
    if _own_alone(tracker) is not None:
        tracker.pause(SETTLE.total_seconds())


def keep_record_after_writes(tracker: Tracker, keeping: Keeping) -> bool:
    """After a run that wrote, without failures: keep the record when GitLab now holds just
    what the run planned. That is (the tracker's ledger): it only rewrote descriptions; each
    issue it wrote was, just before the write, as listed when it planned; GitLab answered
    each write, in one request, with just that change. And a fresh list of every issue
    changed since the run's first request shows each as the run listed or wrote it:
    anything else, a person's tick, note or link, is a change the record must not cover.
    The record's moment comes before the run's last write (the lock's release, after the
    run's `settle`), less a margin for clocks: GitLab answers the list from a replica caught
    up with that write at least (one a minute behind otherwise), so the list shows every
    change before the moment; and the run's writes of issues, older by SETTLE, are before it.
    True when the record was kept."""
    writes = _own_alone(tracker)
    if writes is None or not isinstance(tracker, ChangeLog):
        return False
    start, last = tracker.first_answer_at(), tracker.last_write_at()
    if start is None or last is None:
        return False
    moment = tracker.now()  # before the list is read: a change it misses is after this
    changed = tracker.changed_since(start - OVERLAP - TOUCH_INTERVAL, MAX_CHANGED)
    if changed is None or moment is None or not _shows_writes(changed, writes):
        return False
    if not all(map(writes.explain, changed)):
        return False
    watched = [i for i in changed if i.iid in writes.mentioned and i.iid not in writes.own]
    touched = _touchable(changed, writes, moment, watched)
    since = min([moment - MARGIN, last - OVERLAP, *touched])
    if max(writes.own.values()) >= since or len(watched) > MAX_WATCHED:
        return False  # clocks that disagree, or a person's change just now: checked next run
    tracker.write_sync_record(keeping.record(tracker, since, watched).text())
    return True


def _as_author(tracker: ChangeLog, inputs: str) -> str:
    """The fingerprint of the run's inputs and of the user its issues are by (a new token's
    user finds the old one's issues not its own: every item fails until `former_users`
    names it, which a record kept by the old token's runs must not hide)."""
    return fingerprint((), (inputs, tracker.author()))


def _shows_writes(changed: Sequence[ObservedIssue], writes: Writes) -> bool:
    """Whether the list shows every issue the run wrote: one that does not (a replica
    behind, or a GitLab emulation whose writes leave `updated_at` as it was) cannot be
    trusted to show a person's change either, and the record would hide it all day."""
    listed = {issue.iid for issue in changed}
    return all(iid in listed for iid in writes.own)


def _touchable(
    changed: Sequence[ObservedIssue],
    writes: Writes,
    moment: dt.datetime,
    watched: Sequence[ObservedIssue],
) -> list[dt.datetime]:
    """The times of the issues a person changed last, within a minute of MOMENT: another
    change of theirs, made only now and only touching the issue (a label), may leave that
    time as it is (GitLab's ThrottledTouch), so the record's moment must not pass it. The
    list read from a minute before the run's start holds each issue a change during the run
    could have left that way; one the run wrote last is moved by anyone else's change. An
    issue the run's write newly mentioned is WATCHED instead: GitLab's note moved its time,
    not the user who saved it last, whose label change within the minute then moves nothing
    (a tester), so the record names it and each run it covers reads it again."""
    skipped = {issue.iid for issue in watched}
    return [
        issue.updated_at
        for issue in changed
        if issue.updated_at is not None
        and issue.updated_at > moment - TOUCH_INTERVAL
        and writes.own.get(issue.iid) != issue.updated_at
        and issue.iid not in skipped
    ]


def concerned(ids: Collection[str], program: str, former: str | None) -> bool:
    """Whether a program (or its former id, while renamed) is among IDS."""
    return program in ids or (former is not None and former in ids)
