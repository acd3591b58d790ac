"""A program read from its ledger instead of listed (docs/incremental-planning.md, step 7).

A run the record covers (unchanged.py) knows every issue changed since a run left nothing to
do. For a big program (one with a ledger, ledgerissues.py) whose changed issues all changed
locally (locality.py: a box ticked, a line typed, an assignee, a due date), the run reads the
program's tracking issue, its index, its ledger's shards, the changed issues and the issues
whose plans read them (`dependents`), by number: a request per 100 of them, not a page per
100 of the program's issues. Every other tracked issue is planned from its ledger row's stub
(planner.py, `kept`): nothing to write, its rollup row as the ledger holds it.

Anything out of the ordinary is a reason to list and plan the program in full, as before: no
record of the ledger's place, a warning standing, a shard a person edited or that does not
read back, an index that does not name what the ledger holds, a changed issue that is not a
tracked one or changed more than locally, an issue of the program deleted (the label's count
differs), a renamed program, and a plan that creates, fails, warns, publishes or sends a
week's digest. A full plan is always right; this is a shortcut to the same plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from automation.actions import CreateEpic, CreateIssue, CreateLabel, Observed, Plan
from automation.desired import DesiredProgram
from automation.identity import find_tracking, program_index
from automation.index import key_prefix
from automation.items import ObservedIssue
from automation.ledgerissues import LEDGER_BLOCK
from automation.locality import dependents, local_change
from automation.markers import sound_block
from automation.progress import program_label
from automation.renames import aliases
from automation.rowledger import NOTHING_KEPT, LedgerRow, read_shard
from automation.syncrecord import watch
from automation.trackers.base import ChangeLog
from automation.unchanged import LookBack, program_ids

Say = Callable[[str], None]


@dataclass(frozen=True)
class Read:
    """A program as an incremental run reads it: the issues it read, and the stubs of the
    others, by iid (GitLab lists by creation, which iids follow but for moved or imported
    issues; relist.py takes iid order too, and plans do not depend on it); ROWS: the
    ledger's rows of the stubs."""

    issues: tuple[ObservedIssue, ...]
    rows: Mapping[int, LedgerRow]
    changed: int


def read_program(
    tracker: ChangeLog, desired: DesiredProgram, tracking: int, changed: Sequence[ObservedIssue]
) -> Read | None:
    """DESIRED's issues, read from its TRACKING issue (iid), index and ledger, with the
    CHANGED issues and their dependents read afresh; None: list it in full instead."""
    ledger = _ledger(tracker, desired, tracking, changed)
    if ledger is None:
        return None
    entries, read, rows = ledger
    keys = [str(issue.key) for issue in changed]
    focus = {*keys, *dependents(desired, keys)}
    kept = {iid: row for iid, row in rows.items() if row.key not in focus}
    wanted = {*entries.values(), *read, *(i.iid for i in changed)} - set(kept)
    fresh = {**read, **tracker.program_part(sorted(wanted - set(read)))}
    now = [fresh.get(issue.iid) for issue in changed]  # as they are now, not as listed
    if None in now or not _local(desired, [i for i in now if i is not None], rows):
        return None
    issues = [*(fresh[iid] for iid in wanted if iid in fresh), *(r.stub for r in kept.values())]
    if not _whole(tracker, desired, issues, wanted, fresh):
        return None
    return Read(tuple(sorted(issues, key=lambda i: i.iid)), kept, len(changed))


def _ledger(
    tracker: ChangeLog, desired: DesiredProgram, tracking: int, changed: Sequence[ObservedIssue]
) -> tuple[dict[str, int], dict[int, ObservedIssue], dict[int, LedgerRow]] | None:
    """The program's index, the issues read for it and for the ledger (tracking, index,
    shards), and the ledger's rows by iid; None when there is no ledger to read, or one of
    those issues is among the CHANGED (a person's edit: planned in full)."""
    if not desired.ledgers or desired.program.renamed_from:
        return None
    index = _index(tracker, desired, tracking)
    if index is None:
        return None
    entries, read = index
    shards = [entries.get(item.key) for item in desired.ledgers]
    ours = {*read, *shards}
    if None in shards or any(issue.iid in ours for issue in changed):
        return None
    rows = _rows(tracker, desired, entries, read, [iid for iid in shards if iid is not None])
    return None if rows is None else (entries, read, rows)


def _index(
    tracker: ChangeLog, desired: DesiredProgram, tracking: int
) -> tuple[dict[str, int], dict[int, ObservedIssue]] | None:
    """The program's index (key -> iid) and the issues read for it: the tracking issue and,
    when the index is kept in an issue of its own, that issue (a request each)."""
    key = desired.tracking.key
    read = tracker.program_part([tracking])
    if tracking not in read or read[tracking].key != key:
        return None
    entries = program_index(list(read.values()), key)
    holder = desired.index.key if desired.index is not None else None
    if entries is not None and holder is not None and holder in entries:  # an issue of its own
        read |= tracker.program_part([entries[holder]])
        entries = program_index(list(read.values()), key)
    return (entries, read) if entries else None


def _rows(
    tracker: ChangeLog,
    desired: DesiredProgram,
    entries: Mapping[str, int],
    read: dict[int, ObservedIssue],
    shards: Sequence[int],
) -> dict[int, LedgerRow] | None:
    """The ledger's rows by iid, read from its SHARDS (their iids, in order; a request), each
    row named by the index as its key's issue; None when a shard is missing, damaged,
    unreadable, overflowing or of another count of shards."""
    read |= tracker.program_part(shards)
    sections, prefix = desired.program.sections, key_prefix(desired.tracking.key)
    rows: dict[int, LedgerRow] = {}
    for number, iid in enumerate(shards):
        issue = read.get(iid)
        content = sound_block(issue.description, LEDGER_BLOCK) if issue else None
        shard = read_shard(content or "", sections, prefix)
        if shard is None or shard.overflow or (shard.number, shard.shards) != (number, len(shards)):
            return None
        rows |= {row.iid: row for row in shard.rows.values()}
    if any(entries.get(row.key) != iid for iid, row in rows.items()):
        return None
    return rows


def _local(
    desired: DesiredProgram, changed: Sequence[ObservedIssue], rows: Mapping[int, LedgerRow]
) -> bool:
    """Whether every changed issue is a tracked one with a row, changed only locally."""
    for issue in changed:
        row = rows.get(issue.iid)
        if row is None or row.key != issue.key:
            return False
        if local_change(row.footprint, issue, desired) is not None:
            return False
    return True


def _whole(
    tracker: ChangeLog,
    desired: DesiredProgram,
    issues: Sequence[ObservedIssue],
    wanted: set[int],
    fresh: Mapping[int, ObservedIssue],
) -> bool:
    """Whether the issues read are the program's list: each wanted one is there with the
    program's label, and GitLab counts as many issues with it (one deleted, or one that
    gained the label unseen, makes them differ). Past 10,000 GitLab does not count: such a
    program is listed, since nothing else shows a deletion (a stub would stand for the
    deleted issue, and the record would cover it all day)."""
    label = program_label(desired.program)
    if any(iid not in fresh or label not in fresh[iid].labels for iid in wanted):
        return False
    return tracker.label_count(label) == len(issues)


def acceptable(plan: Plan) -> bool:
    """Whether a plan made from a ledger may stand: it creates nothing, fails nothing, warns
    of nothing and publishes nothing (the full plan says those with the whole program in
    view; they are rare)."""
    if plan.failures or plan.warnings or plan.public:
        return False
    made = (CreateIssue, CreateEpic, CreateLabel)  # a label made again: it left every issue
    return not any(isinstance(a, made) for a in plan.actions)


@dataclass
class Incremental:
    """A run's programs read from their ledgers where the record allows (see the module's
    docstring): by label, what was read, and the programs to list in full after all."""

    tracker: ChangeLog
    look: LookBack
    programs: Mapping[str, DesiredProgram]  # by program label
    say: Say = lambda _: None
    read: dict[str, Read] = field(default_factory=dict)
    full: set[str] = field(default_factory=set)
    said: set[str] = field(default_factory=set)

    def listed(self, label: str) -> tuple[ObservedIssue, ...] | None:
        """The program of LABEL's issues, read from its ledger; None: list it."""
        desired = self.programs.get(label)
        if desired is None or label in self.full:
            return None
        found = self._read(desired)
        if found is None:
            self.full.add(label)
            return None
        self.read[label] = found
        for row in found.rows.values():
            self.tracker.vouch(row.iid, row.watched)
        return found.issues

    def _read(self, desired: DesiredProgram) -> Read | None:
        program = desired.program.id
        tracking = dict(self.look.record.ledgers).get(program)
        if tracking is None or program in self.look.record.warned:
            return None
        changed = [i for i in self.look.changed if program in program_ids(i)]
        return read_program(self.tracker, desired, tracking, changed)

    def kept(
        self, desired: DesiredProgram, issues: Sequence[ObservedIssue]
    ) -> Mapping[str, LedgerRow] | None:
        """The rows of the issues ISSUES holds as their ledger's stubs; None (plan the
        program in full) when one of them is there no more, or changed from what its row
        says: its dependents were planned from their stubs (a person's score typed just
        before the plan under the lock left the scorecard that counts it as it was: a
        review). One GitLab only noted a mention on is planned from the issue itself."""
        found = self.read.get(program_label(desired.program))
        if found is None:
            return NOTHING_KEPT
        held = {issue.iid: issue for issue in issues}
        kept = {}
        for iid, row in found.rows.items():
            now = held.get(iid)
            if now is row.stub:
                kept[row.key] = row
            elif now is None or watch(now) != row.watched:
                return None
        return kept

    def fall_back(self, desired: DesiredProgram) -> None:
        """List and plan the program in full from now on."""
        label = program_label(desired.program)
        self.full.add(label)
        self.read.pop(label, None)

    def used(self, desired: DesiredProgram) -> None:
        """Say, once, that the program was planned from its ledger."""
        found = self.read.get(program_label(desired.program))
        if found is None or desired.program.id in self.said:
            return
        self.said.add(desired.program.id)
        read, kept = len(found.issues) - len(found.rows), len(found.rows)
        self.say(
            f"{desired.program.id}: read from its ledger: {read} of its issues were read (the "
            f"{found.changed} that changed and those that show their figures); the figures of "
            f"the other {kept} come from the ledger (the first run of each day, or --full, "
            "reads every issue)"
        )


def ledgers(
    tracker: object, look: LookBack | None, programs: Sequence[DesiredProgram], say: Say
) -> Incremental | None:
    """For a run the record LOOK covers, on GitLab: the PROGRAMS that have a ledger, which may
    be read from it (SAY: what the run says when one is)."""
    if look is None or not isinstance(tracker, ChangeLog) or not look.record.ledgers:
        return None
    by_label = {program_label(d.program): d for d in programs if d.ledgers}
    return Incremental(tracker, look, by_label, say) if by_label else None


def places(
    programs: Sequence[DesiredProgram],
    observed: Mapping[str, Observed],
    look: LookBack | None,
) -> tuple[tuple[str, int], ...]:
    """Where the programs' ledgers start (SyncRecord.ledgers) once a run left nothing to do
    (its last round: run.Applied.finished): the tracking issue each program with a ledger was
    last OBSERVED with (by id), and, for the programs the run did not check, where the
    record LOOK says."""
    checked = {desired.program.id for desired in programs}
    found = [] if look is None else [p for p in look.record.ledgers if p[0] not in checked]
    for desired in programs:
        seen = observed.get(desired.program.id)
        if seen is None or not desired.ledgers:
            continue
        named = aliases(desired.every_issue())
        key = desired.tracking.key
        tracking = find_tracking(seen.issues, key, named, desired.tracking.title)
        if tracking is not None and tracking.key == key:
            found.append((desired.program.id, tracking.iid))
    return tuple(sorted(found))
