"""Compare what should exist with what does, and list the writes that close the gap (pure)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from automation.blocks import (
    COMPLETION_BLOCK,
    PROGRESS_BLOCK,
    ROLLUP_BLOCK,
    Blocks,
    RollupRow,
    record_specs,
)
from automation.checklist import count_tasks
from automation.desired import DesiredIssue, DesiredProgram, Measured
from automation.edits import BlockTexts, Edits, apply_edits
from automation.errors import ItemError
from automation.figures import rewrite_figures
from automation.identity import Resolved, claimed, resolve
from automation.index import INDEX_BLOCK, index_content, key_prefix
from automation.items import NewEpic, NewIssue, ObservedEpic, ObservedIssue
from automation.markers import block_content, normalise
from automation.progress import (
    LabelSpec,
    Progress,
    Status,
    issue_labels,
    label_changes,
    label_specs,
    measure,
    program_label,
    removable_labels,
)
from automation.records import Recorded, read_records


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
    """Create an issue that does not exist yet."""

    program: str
    issue: NewIssue
    iid: None = None

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
class AddNote:
    """Post a note on an issue (its text comes from a template, made inert), unless a note
    with its marker (the body's hidden first line) is there already."""

    program: str
    key: str
    iid: int
    body: str

    @property
    def marker(self) -> str:
        return self.body.split("\n", 1)[0]


@dataclass(frozen=True)
class CloseIssue:
    """Close an issue whose tasks are all done, once: not when the completion note (posted
    after closing) shows it was done before and a person reopened the issue."""

    program: str
    key: str
    iid: int
    unless_note: str | None = None


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


Action = (
    CreateLabel
    | CreateIssue
    | UpdateDescription
    | UpdateLabels
    | AddNote
    | CloseIssue
    | CreateEpic
    | AddToEpic
    | LinkIssues
)
FIGURES = "figures"  # what an UpdateDescription of a plan-style issue changes
# Which step of a run each action belongs to: a daily schedule can create items while an
# hourly one syncs labels and progress.
STEPS: dict[type, frozenset[str]] = {
    CreateLabel: frozenset({"create", "labels"}),
    CreateIssue: frozenset({"create"}),
    CreateEpic: frozenset({"create"}),
    AddToEpic: frozenset({"create"}),
    LinkIssues: frozenset({"create"}),
    UpdateLabels: frozenset({"labels"}),
    UpdateDescription: frozenset({"progress"}),
    AddNote: frozenset({"progress"}),
    CloseIssue: frozenset({"progress"}),
}
ALL_STEPS = frozenset({"create", "labels", "progress"})
NO_EPICS = (
    "epics are not available (GitLab Free, or `epics: false` in settings.yml): each "
    "program's issues are linked to its tracking issue instead"
)
LINK_CAP = 100  # GitLab's maximum of related links per issue
COMPLETION_MARKER = "<!-- automation:note completion -->"


@dataclass(frozen=True)
class Observed:
    """What a tracker holds for one program."""

    issues: tuple[ObservedIssue, ...] = ()
    labels: frozenset[str] = frozenset()
    epics: tuple[ObservedEpic, ...] | None = None  # None: epics are not available
    tracking_links: frozenset[int] = frozenset()
    keyed: Mapping[str, ObservedIssue] = field(default_factory=dict)  # any label; see run.py
    fetched: Mapping[int, ObservedIssue | None] = field(default_factory=dict)  # see run.py


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

    def __add__(self, other: Plan) -> Plan:
        return Plan(
            _unique_labels(self.actions + other.actions),
            self.failures + other.failures,
            self.warnings + other.warnings,
            self.unchanged + other.unchanged,
            tuple(dict.fromkeys(self.notices + other.notices)),
        )

    def only(self, steps: frozenset[str]) -> Plan:
        """The plan limited to some steps (create, labels, progress); the rest waits."""
        kept = tuple(a for a in self.actions if STEPS[type(a)] & steps)
        return Plan(kept, self.failures, self.warnings, self.unchanged, self.notices)

    @property
    def empty(self) -> bool:
        """True when nothing would be written."""
        return not self.actions

    @property
    def creates_issues(self) -> bool:
        """True when the plan creates issues."""
        return any(isinstance(a, CreateIssue) for a in self.actions)

    @property
    def creates_items(self) -> bool:
        """True when the plan creates issues or epics (known to other items only afterwards)."""
        return any(isinstance(a, CreateIssue | CreateEpic) for a in self.actions)


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


@dataclass
class _Builder:
    """Collects one program's plan while its items are compared."""

    desired: DesiredProgram
    blocks: Blocks
    today: dt.date
    keyed: Mapping[str, ObservedIssue] = field(default_factory=dict)
    measured: Mapping[str, Measured] = field(default_factory=dict)
    restore: set[str] = field(default_factory=set)  # keys whose identity line is put back
    actions: list[Action] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def program(self) -> str:
        return self.desired.program.id

    def fail(self, key: str, message: str, iid: int | None = None) -> None:
        self.failures.append(Failure(self.program, key, message, iid))

    def failed(self, key: str) -> bool:
        return any(f.key == key for f in self.failures)

    def measure(
        self, description: str, due_date: dt.date | None, sections: Sequence[str] | None
    ) -> Progress:
        return measure(description, self.desired.program, due_date, self.today, sections)

    def plan(self) -> Plan:
        return Plan(
            tuple(self.actions),
            tuple(self.failures),
            tuple(self.warnings),
            self.unchanged,
            tuple(self.notices),
        )


def plan_program(
    desired: DesiredProgram, observed: Observed, blocks: Blocks, today: dt.date
) -> Plan:
    """The writes that make one program's issues, labels, rollup and epics (or links) match
    the configuration."""
    out = _Builder(desired, blocks, today, observed.keyed)
    out.actions.extend(
        CreateLabel(spec, out.program)
        for spec in label_specs(desired.program)
        if spec.name not in observed.labels
    )
    out.warnings.extend(desired.warnings)
    resolved = _resolve(observed, desired, out)
    found = resolved.found
    out.measured = _measure_all(desired.issues, found, out)
    tracked = [_plan_tracked(item, found.get(item.key), out) for item in desired.issues]
    _plan_rollups(resolved, tracked, out)
    _plan_figures(found, observed.issues, out)
    if observed.epics is None:
        _plan_links(found, observed.tracking_links, out)
    else:
        _plan_epics(found, observed.epics, out)
    return out.plan()


def _plan_links(found: dict[str, ObservedIssue], linked: frozenset[int], out: _Builder) -> None:
    """Without epics, relate every tracked issue to the tracking issue."""
    out.notices.append(NO_EPICS)
    tracking = found.get(out.desired.tracking.key)
    if tracking is None:
        return
    room, left = LINK_CAP - len(linked), 0
    for item in out.desired.issues:
        issue = found.get(item.key)
        if issue is None or issue.iid in linked:
            continue
        if room > 0:
            out.actions.append(LinkIssues(out.program, item.key, tracking.iid, issue.iid))
            room -= 1
        else:
            left += 1
    if left:
        out.notices.append(
            f"{left} issues of {out.program} are not linked to tracking issue "
            f"{tracking.reference}: GitLab allows {LINK_CAP} related links per issue. Its "
            "table lists every issue"
        )


def _plan_epics(
    found: dict[str, ObservedIssue], observed: Sequence[ObservedEpic], out: _Builder
) -> None:
    """Create missing epics, and put issues that are in no epic into theirs."""
    epics = _index_epics(observed, out)
    for epic in out.desired.epics:
        if epic.key not in epics and not out.failed(epic.key):
            new = NewEpic(epic.key, epic.title, epic.description, epic.labels)
            out.actions.append(CreateEpic(out.program, new))
    desired = out.desired
    for item in desired.every_issue():
        issue, home = found.get(item.key), epics.get(item.epic_key or "")
        if issue is not None and home is not None and issue.epic is None:
            out.actions.append(AddToEpic(out.program, item.key, home.iid, issue))


def _index_epics(observed: Sequence[ObservedEpic], out: _Builder) -> dict[str, ObservedEpic]:
    by_key: dict[str, list[ObservedEpic]] = defaultdict(list)
    for epic in observed:
        if epic.first_line_key is not None:
            by_key[epic.first_line_key].append(epic)
    for key, twins in by_key.items():
        foreign = next((e for e in twins if not e.by_tool), None)
        if foreign is not None:
            out.fail(key, claimed(f"epic &{foreign.iid}", foreign.author))
        elif len(twins) > 1:
            refs = " and ".join(f"&{e.iid}" for e in twins)
            out.fail(
                key,
                f"epics {refs} carry the same key; close the duplicate and delete its "
                "first line (the automation:key marker)",
            )
    return {key: epics[0] for key, epics in by_key.items() if len(epics) == 1 and epics[0].by_tool}


def _resolve(observed: Observed, desired: DesiredProgram, out: _Builder) -> Resolved:
    """Observed issues by key (see identity.py); what cannot be matched fails its item."""
    items = desired.every_issue()
    label = program_label(desired.program)
    wanted = [item.key for item in items]
    resolved = resolve(observed.issues, wanted, desired.tracking.key, observed.fetched, label)
    for failed in resolved.failed:
        out.fail(failed.key, failed.message, failed.iid)
    out.warnings.extend(resolved.warnings)
    out.restore = resolved.restore
    return resolved


def _measure_all(
    items: Sequence[DesiredIssue], found: Mapping[str, ObservedIssue], out: _Builder
) -> dict[str, Measured]:
    """Progress and recorded values of every tracked issue that exists, by key."""
    measured: dict[str, Measured] = {}
    specs = record_specs(out.desired.program)
    for item in items:
        issue = found.get(item.key)
        if issue is not None:
            progress = out.measure(issue.description, issue.due_date, item.sections)
            measured[item.key] = Measured(issue, progress, read_records(issue.description, specs))
    return measured


def _plan_tracked(
    item: DesiredIssue, found: ObservedIssue | None, out: _Builder
) -> tuple[DesiredIssue, RollupRow | None]:
    if found is None:
        if not item.create:
            return item, None  # a past period's issue that was never made: not made now
        if not _may_create(item, out):
            return item, RollupRow(None, item.subject, item.group, None, "")
        return item, _plan_new(item, out)
    progress = out.measured[item.key].progress
    _warn_tracked(found, progress, out)
    if _exposed(item, found, out):
        records = _records(item.key, found, out)
        return item, RollupRow(
            found.reference, item.subject, item.group, progress, found.state, records
        )
    derived = out.blocks.derived(item.derived, out.measured)
    blocks = (*item.blocks, *derived, (PROGRESS_BLOCK, out.blocks.progress(progress)))
    completing = progress.status is Status.COMPLETE and not _has_block(found, COMPLETION_BLOCK)
    if completing:
        blocks = (*blocks, (COMPLETION_BLOCK, out.blocks.completion(out.today)))
    update = _edit(found, item.key, blocks, out)
    state = found.state
    if update is not None:
        if update and not completing:
            out.actions.append(update)
        wanted = issue_labels(out.desired.program, progress)
        changed = _update_labels(found, item.key, wanted, out)
        if completing:  # close, then the note, then the block: each is the next one's proof
            state = _complete(item, found, out)
            if update:
                out.actions.append(update)
        out.unchanged += not (changed or update or completing)
    records = _records(item.key, found, out)
    return item, RollupRow(found.reference, item.subject, item.group, progress, state, records)


def _exposed(item: DesiredIssue, found: ObservedIssue, out: _Builder) -> bool:
    """A confidential item whose issue a person made public gets nothing more written: its
    names and figures would be published."""
    if item.confidential and not found.confidential:
        out.warnings.append(
            f"issue {found.reference} of {out.program} must be confidential but was made "
            "public; the tool writes nothing to it until it is made confidential again"
        )
        return True
    return False


def _warn_tracked(found: ObservedIssue, progress: Progress, out: _Builder) -> None:
    out.warnings.extend(
        f"issue {found.reference} has no heading '{s.section.heading}', so those tasks count only "
        "towards the overall figure and that phase cannot complete; restore the heading"
        for s in progress.sections
        if s.applicable and not s.found
    )


def _records(key: str, found: ObservedIssue, out: _Builder) -> Mapping[str, Recorded]:
    """The values recorded in an issue; an unreadable one is a warning naming the issue."""
    records = out.measured[key].records
    out.warnings.extend(  # the label only: values can be private (satisfaction scores)
        f"issue {found.reference}: the value of '{r.label}' cannot be read; write a number "
        "like the example in the issue"
        for r in records.values()
        if r.problem
    )
    return records


def _plan_new(item: DesiredIssue, out: _Builder) -> RollupRow:
    """Create an issue with its blocks filled in from the start."""
    derived = out.blocks.derived(item.derived, out.measured)
    text = apply_edits(item.description, Edits((*item.blocks, *derived)))
    progress = out.measure(text, item.due_date, item.sections)  # blocks hold no tasks
    text = apply_edits(text, Edits(((PROGRESS_BLOCK, out.blocks.progress(progress)),)))
    labels = tuple(sorted(set(item.labels) | issue_labels(out.desired.program, progress)))
    out.actions.append(CreateIssue(out.program, _new_issue(item, text, labels)))
    return RollupRow(None, item.subject, item.group, progress, "opened")


def _may_create(item: DesiredIssue, out: _Builder) -> bool:
    """Never a second issue for a key: not when two already exist, nor when one lost its
    program label."""
    if out.failed(item.key):
        return False
    stray = out.keyed.get(item.key)
    if stray is not None:
        out.fail(
            item.key,
            f"issue {stray.reference} already carries this key but not the label "
            f"{program_label(out.desired.program)}; add the label back, or delete the "
            "issue's first line (the automation:key marker) to detach it from the program",
            stray.iid,
        )
        return False
    return True


def _has_block(found: ObservedIssue, name: str) -> bool:
    try:
        return block_content(found.description, name) is not None
    except ItemError:
        return True  # damaged: _edit reports it


def _complete(item: DesiredIssue, found: ObservedIssue, out: _Builder) -> str:
    """Every task is done and the completion block is not there yet: close (unless the note
    shows this happened before and a person reopened the issue), then the note, once.
    Returns the issue's state once the plan is carried out."""
    note = f"{COMPLETION_MARKER}\n{item.completion_note}" if item.completion_note else None
    state = found.state
    if out.desired.program.completion.close and found.state == "opened":
        marker = COMPLETION_MARKER if note else None
        out.actions.append(CloseIssue(out.program, item.key, found.iid, marker))
        state = "closed"
    if note:
        out.actions.append(AddNote(out.program, item.key, found.iid, note))
    return state


def _new_issue(item: DesiredIssue, description: str, labels: tuple[str, ...]) -> NewIssue:
    return NewIssue(
        key=item.key,
        title=item.title,
        description=description,
        labels=labels,
        assignees=item.assignees,
        due_date=item.due_date,
        confidential=item.confidential,
    )


def _edit(
    found: ObservedIssue, key: str, blocks: BlockTexts, out: _Builder
) -> UpdateDescription | Literal[False] | None:
    """One rewrite of the tool's blocks (and a lost identity line); False when the text is
    as it should be, None when a block is damaged (the item fails)."""
    edits = Edits(blocks, key if key in out.restore else None)
    return _description_update(found, key, edits, out)


def _description_update(
    found: ObservedIssue, key: str, edits: Edits, out: _Builder
) -> UpdateDescription | Literal[False] | None:
    try:
        after = apply_edits(found.description, edits)
    except ItemError as error:
        out.fail(key, f"issue {found.reference}: {error}", found.iid)
        return None
    if normalise(after) == normalise(found.description):
        return False
    changed = [name for name, content in edits.blocks if _block_differs(found, name, content)]
    names = ", ".join((["identity line"] if edits.identity else []) + changed) or FIGURES
    return UpdateDescription(out.program, key, found.iid, names, found.description, after, edits)


def _block_differs(found: ObservedIssue, name: str, content: str) -> bool:
    return normalise(block_content(found.description, name) or "") != normalise(content)


def _update_labels(found: ObservedIssue, key: str, wanted: frozenset[str], out: _Builder) -> bool:
    add, remove = label_changes(found.labels, wanted, removable_labels(out.desired.program))
    if add or remove:
        out.actions.append(UpdateLabels(out.program, key, found.iid, add, remove))
    return bool(add or remove)


def _plan_figures(
    found: Mapping[str, ObservedIssue], observed: Sequence[ObservedIssue], out: _Builder
) -> None:
    """Plan-style issues: only their `=> NN%` figures change, from the issues lines link to."""
    completion = {issue.iid: count_tasks(issue.description).percent for issue in observed}
    for item in out.desired.plans:
        have = found.get(item.key)
        if have is None:
            if _may_create(item, out):
                text = rewrite_figures(item.description, completion)
                out.actions.append(CreateIssue(out.program, _new_issue(item, text, item.labels)))
            continue
        identity = item.key if item.key in out.restore else None
        edits = Edits(identity=identity, figures=tuple(sorted(completion.items())))
        update = _description_update(have, item.key, edits, out)
        if update is None:
            continue
        if update:
            out.actions.append(update)
        wanted = frozenset({program_label(out.desired.program)})
        changed = _update_labels(have, item.key, wanted, out)
        out.unchanged += not (changed or update)


def _plan_rollups(
    resolved: Resolved,
    tracked: list[tuple[DesiredIssue, RollupRow | None]],
    out: _Builder,
) -> None:
    """The program's tracking issue lists every tracked issue (and keeps the index of keys);
    a group's rollup lists its members."""
    found, tracking = resolved.found, out.desired.tracking
    every = [row for _, row in tracked if row is not None]
    entries = resolved.entries(tracking.key)
    index = ((INDEX_BLOCK, index_content(entries, key_prefix(tracking.key))),)
    _plan_rollup(tracking, found.get(tracking.key), every, out, extra=index)
    for rollup in out.desired.rollups:
        rows = [row for item, row in tracked if row is not None and rollup.key in item.rollups]
        _plan_rollup(rollup, found.get(rollup.key), rows, out, rollup.subject)


def _plan_rollup(  # noqa: PLR0917
    item: DesiredIssue,
    found: ObservedIssue | None,
    rows: list[RollupRow],
    out: _Builder,
    group: str | None = None,
    extra: BlockTexts = (),
) -> None:
    content = out.blocks.rollup(out.desired.program, rows, group)
    blocks = (*item.blocks, (ROLLUP_BLOCK, content), *extra)
    if found is None:
        if _may_create(item, out):
            text = apply_edits(item.description, Edits(blocks))
            out.actions.append(CreateIssue(out.program, _new_issue(item, text, item.labels)))
        return
    if _exposed(item, found, out):
        return
    update = _edit(found, item.key, blocks, out)
    if update is not None:
        if update:
            out.actions.append(update)
        wanted = frozenset({program_label(out.desired.program)})
        changed = _update_labels(found, item.key, wanted, out)
        out.unchanged += not (changed or update)
