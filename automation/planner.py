"""Compare what should exist with what does, and list the writes that close the gap (pure).

Each helper returns the part of the plan it decides (a `Plan`, with the rollup row of a
tracked issue); `plan_program` puts the parts together in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from automation.actions import (
    AddNote,
    CloseIssue,
    CreateIssue,
    CreateLabel,
    Failure,
    Observed,
    Plan,
    combine,
)
from automation.blocks import (
    COMPLETION_BLOCK,
    PROGRESS_BLOCK,
    ROLLUP_BLOCK,
    Blocks,
    RollupRow,
    record_specs,
)
from automation.changes import description_update, has_block, labels_update, present, updates
from automation.checklist import count_tasks
from automation.desired import DesiredIssue, DesiredProgram, Measured
from automation.edits import BlockTexts, Edits, apply_edits
from automation.epics import plan_epics, plan_links
from automation.figures import rewrite_figures
from automation.identity import Resolved, resolve
from automation.index import INDEX_BLOCK, index_content, key_prefix
from automation.items import NewIssue, ObservedIssue
from automation.lifecycle import (
    NO_TURN,
    Departures,
    Endings,
    Turn,
    departures,
    turn,
    with_endings,
    with_notes,
)
from automation.migration import Migrations, migrate, record_block
from automation.missed import missed_periods
from automation.people import people_blocks, plan_people, with_people
from automation.progress import (
    Progress,
    Status,
    issue_labels,
    label_specs,
    measure,
    program_label,
)
from automation.records import Recorded, read_records
from automation.renames import Held, aliases, former_label

COMPLETION_MARKER = "<!-- automation:note completion -->"


@dataclass(frozen=True)
class _Program:
    """What comparing one program's items needs to know (read only)."""

    desired: DesiredProgram
    blocks: Blocks
    today: dt.date
    keyed: Mapping[str, ObservedIssue]  # issues carrying a key, whatever their labels
    restore: frozenset[str]  # keys whose identity line is put back (or renamed)
    failed: frozenset[str]  # keys that could not be matched: nothing is created for them
    measured: Mapping[str, Measured]
    migrations: Migrations  # template tasks added to open issues, and their records
    departed: Departures = field(default_factory=Departures)  # people who left (lifecycle.py)

    @property
    def id(self) -> str:
        return self.desired.program.id

    def identity(self, key: str) -> str | None:
        """The key, when its issue's lost identity line is put back."""
        return key if key in self.restore else None

    def measure(
        self, description: str, due_date: dt.date | None, sections: Sequence[str] | None
    ) -> Progress:
        return measure(description, self.desired.program, due_date, self.today, sections)


def plan_program(
    desired: DesiredProgram, observed: Observed, blocks: Blocks, today: dt.date
) -> Plan:
    """The writes that make one program's issues, labels, rollup and epics (or links) match
    the configuration."""
    program = desired.program
    labels = tuple(
        CreateLabel(spec, program.id)
        for spec in label_specs(program)
        if spec.name not in observed.labels
    )
    wanted = [item.key for item in desired.every_issue()]
    renamed = aliases(desired.every_issue())
    resolved = resolve(
        observed.issues,
        wanted,
        desired.tracking.key,
        observed.fetched,
        program_label(program),
        aliases=renamed,
    )
    held = Held.of(desired, observed.issues, resolved, renamed)
    departed = departures(desired, observed.issues, resolved, blocks, today)
    matched = Plan(
        labels,
        tuple(Failure(program.id, f.key, f.message, f.iid) for f in resolved.failed),
        (
            *desired.warnings,
            *resolved.warnings,
            *missed_periods(desired, resolved.found, today),
            *held.warnings,
        ),
        notices=former_label(program, observed.labels),
    )
    found = resolved.found
    migrations = migrate(desired, found)
    measured = with_endings(desired, _measure_all(desired, found, today, migrations), today)
    ctx = _Program(
        desired,
        blocks,
        today,
        observed.keyed,
        frozenset(resolved.restore) | frozenset(resolved.renamed),  # renamed: a new key line
        frozenset(f.key for f in resolved.failed) | held.keys,
        measured,
        migrations,
        departed,
    )
    tracked = [_plan_tracked(item, found.get(item.key), ctx) for item in desired.issues]
    rows = [(item, row) for item, (_, row) in zip(desired.issues, tracked, strict=True)]
    planned = combine(
        [
            matched,
            departed.plan,
            migrations.plan,
            *(plan for plan, _ in tracked),
            _plan_rollups(resolved, rows, ctx) if not held.keys else Plan(),  # kept meanwhile
            _plan_figures(found, observed.issues, ctx),
        ]
    )
    if observed.epics is None:
        return planned + plan_links(desired, found, observed.tracking_links)
    failed = frozenset(f.key for f in planned.failures) | held.keys
    return planned + plan_epics(desired, found, observed.epics, failed)


def _measure_all(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    today: dt.date,
    migrations: Migrations,
) -> dict[str, Measured]:
    """Progress and recorded values of every tracked issue that exists, by key (with the
    template tasks it gets added)."""
    measured: dict[str, Measured] = {}
    specs = record_specs(desired.program)
    for item in desired.issues:
        issue = found.get(item.key)
        if issue is not None:
            text = migrations.text(item.key, issue.description)
            progress = measure(text, desired.program, issue.due_date, today, item.sections)
            measured[item.key] = Measured(issue, progress, read_records(issue.description, specs))
    return measured


def _plan_tracked(
    item: DesiredIssue, found: ObservedIssue | None, ctx: _Program
) -> tuple[Plan, RollupRow | None]:
    if found is None:
        if not item.create:
            return Plan(), None  # a past period's issue that was never made: not made now
        refused = _refused(item, ctx)
        if refused is not None:
            return refused, RollupRow(None, item.subject, item.group, None, "")
        return _plan_new(item, ctx)
    progress, records = ctx.measured[item.key].progress, ctx.measured[item.key].records
    headings = Plan(warnings=_missing_headings(found, progress))
    unreadable = Plan(warnings=_unreadable(found, records))
    exposed = _exposed(item, found, ctx)
    if exposed is not None:
        row = RollupRow(found.reference, item.subject, item.group, progress, found.state, records)
        return headings + exposed + unreadable, row
    derived = ctx.blocks.derived(item.derived, ctx.measured)
    blocks = (*item.blocks, *derived, (PROGRESS_BLOCK, ctx.blocks.progress(progress)))
    completing = progress.status is Status.COMPLETE and not has_block(found, COMPLETION_BLOCK)
    if completing:
        blocks = (*blocks, (COMPLETION_BLOCK, ctx.blocks.completion(ctx.today)))
    turned = turn(ctx.desired, item, found, ctx.measured, ctx.blocks, ctx.today)
    blocks = (*blocks, *turned.blocks)
    written, state = _write_tracked(item, found, blocks, progress, completing, ctx, turned)
    if state == "opened" and not written.failures:  # an issue that failed gets nothing
        written = with_people(written, plan_people(ctx.desired.program, item, found))
    row = RollupRow(found.reference, item.subject, item.group, progress, state, records)
    return headings + written + unreadable, row


def _write_tracked(  # noqa: PLR0917
    item: DesiredIssue,
    found: ObservedIssue,
    blocks: BlockTexts,
    progress: Progress,
    completing: bool,
    ctx: _Program,
    turned: Turn = NO_TURN,
) -> tuple[Plan, str]:
    """A tracked issue's blocks and labels; once every task is done: close, then the note,
    then the blocks, each the next one's proof (so too a person back in the program, or an
    account that ended: TURNED). Returns the issue's state afterwards."""
    program = ctx.desired.program
    blocks = (*blocks, *ctx.migrations.blocks(item.key))
    edits = Edits(blocks, ctx.identity(item.key), tasks=ctx.migrations.tasks(item.key))
    update = description_update(program, found, item.key, edits)
    wanted = issue_labels(program, progress)
    if isinstance(update, Failure) or not (completing or turned.actions):
        return updates(program, found, item.key, update, wanted), found.state
    labels = labels_update(program, found, item.key, wanted)
    closing, state = _complete(item, found, ctx) if completing else ((), found.state)
    before = turned.actions
    if state != found.state:  # closed on completion: not closed twice
        before = tuple(a for a in before if not isinstance(a, CloseIssue))
    else:
        state = turned.state or state
    return Plan((*present(labels), *before, *closing, *present(update))), state


def _exposed(item: DesiredIssue, found: ObservedIssue, ctx: _Program) -> Plan | None:
    """A confidential item whose issue a person made public gets nothing more written: its
    names and figures would be published."""
    if item.confidential and not found.confidential:
        return Plan(
            warnings=(
                f"issue {found.reference} of {ctx.id} must be confidential but was made "
                "public; the tool writes nothing to it until it is made confidential again",
            )
        )
    return None


def _missing_headings(found: ObservedIssue, progress: Progress) -> tuple[str, ...]:
    return tuple(
        f"issue {found.reference} has no heading '{s.section.heading}', so those tasks count only "
        "towards the overall figure and that phase cannot complete; restore the heading"
        for s in progress.sections
        if s.applicable and not s.found
    )


def _unreadable(found: ObservedIssue, records: Mapping[str, Recorded]) -> tuple[str, ...]:
    """An unreadable recorded value is a warning naming the issue and the label only: values
    can be private (satisfaction scores)."""
    return tuple(
        f"issue {found.reference}: the value of '{r.label}' cannot be read; write a number "
        "like the example in the issue"
        for r in records.values()
        if r.problem
    )


def _plan_new(item: DesiredIssue, ctx: _Program) -> tuple[Plan, RollupRow]:
    """Create an issue with its blocks filled in from the start."""
    derived = ctx.blocks.derived(item.derived, ctx.measured)
    record = record_block(ctx.desired.program, item)
    text = apply_edits(
        item.description, Edits((*item.blocks, *derived, *people_blocks(item), *record))
    )
    progress = ctx.measure(text, item.due_date, item.sections)  # blocks hold no tasks
    text = apply_edits(text, Edits(((PROGRESS_BLOCK, ctx.blocks.progress(progress)),)))
    labels = tuple(sorted(set(item.labels) | issue_labels(ctx.desired.program, progress)))
    row = RollupRow(None, item.subject, item.group, progress, "opened")
    return _create(item, text, labels, ctx), row


def _refused(item: DesiredIssue, ctx: _Program) -> Plan | None:
    """Never a second issue for a key: not when two already exist, nor when one lost its
    program label. None when the issue may be created."""
    if item.key in ctx.failed:
        return Plan()
    stray = ctx.keyed.get(item.key)
    if stray is None:
        return None
    message = (
        f"issue {stray.reference} already carries this key but not the label "
        f"{program_label(ctx.desired.program)}; add the label back, or delete the "
        "issue's first line (the automation:key marker) to detach it from the program"
    )
    return Plan(failures=(Failure(ctx.id, item.key, message, stray.iid),))


def _create(item: DesiredIssue, description: str, labels: tuple[str, ...], ctx: _Program) -> Plan:
    new = NewIssue(
        key=item.key,
        title=item.title,
        description=description,
        labels=labels,
        assignees=item.assignees,
        due_date=item.due_date,
        confidential=item.confidential,
    )
    return Plan((CreateIssue(ctx.id, new),))


def _complete(
    item: DesiredIssue, found: ObservedIssue, ctx: _Program
) -> tuple[tuple[CloseIssue | AddNote, ...], str]:
    """Every task is done and the completion block is not there yet: close (unless the note
    shows this happened before and a person reopened the issue), then the note, once.
    Returns the issue's state once the plan is carried out."""
    note = f"{COMPLETION_MARKER}\n{item.completion_note}" if item.completion_note else None
    closing: list[CloseIssue | AddNote] = []
    state = found.state
    if ctx.desired.program.completion.close and found.state == "opened":
        marker = COMPLETION_MARKER if note else None
        closing.append(CloseIssue(ctx.id, item.key, found.iid, marker))
        state = "closed"
    if note:
        closing.append(AddNote(ctx.id, item.key, found.iid, note))
    return tuple(closing), state


def _keep(found: ObservedIssue, key: str, edits: Edits, ctx: _Program) -> Plan:
    """An existing rollup or plan-style issue: its edits, and the program label only."""
    program = ctx.desired.program
    update = description_update(program, found, key, edits)
    return updates(program, found, key, update, frozenset({program_label(program)}))


def _plan_figures(
    found: Mapping[str, ObservedIssue], observed: Sequence[ObservedIssue], ctx: _Program
) -> Plan:
    """Plan-style issues: only their `=> NN%` figures change, from the issues lines link to."""
    completion = {
        issue.iid: count_tasks(ctx.migrations.text(issue.key, issue.description)).percent
        for issue in observed
    }
    return combine(
        _plan_figure(item, found.get(item.key), completion, ctx) for item in ctx.desired.plans
    )


def _plan_figure(
    item: DesiredIssue, have: ObservedIssue | None, completion: dict[int, int], ctx: _Program
) -> Plan:
    if have is None:
        refused = _refused(item, ctx)
        if refused is not None:
            return refused
        return _create(item, rewrite_figures(item.description, completion), item.labels, ctx)
    edits = Edits(identity=ctx.identity(item.key), figures=tuple(sorted(completion.items())))
    return _keep(have, item.key, edits, ctx)


def _plan_rollups(
    resolved: Resolved, tracked: list[tuple[DesiredIssue, RollupRow | None]], ctx: _Program
) -> Plan:
    """The program's tracking issue lists every tracked issue (and keeps the index of keys);
    a group's rollup lists its members."""
    found, tracking = resolved.found, ctx.desired.tracking
    every = [row for _, row in tracked if row is not None] + ctx.departed.rows_in(None)
    entries = resolved.entries(tracking.key)
    index = ((INDEX_BLOCK, index_content(entries, key_prefix(tracking.key))),)
    ends = Endings.of(ctx.desired, tracked, ctx.departed, ctx.blocks, ctx.today)
    plans = [_plan_rollup(tracking, found.get(tracking.key), every, ctx, extra=index, ends=ends)]
    for rollup in ctx.desired.rollups:
        rows = [row for item, row in tracked if row is not None and rollup.key in item.rollups]
        rows += ctx.departed.rows_of(ctx.desired, rollup.key)
        plans.append(
            _plan_rollup(rollup, found.get(rollup.key), rows, ctx, rollup.subject, ends=ends)
        )
    return combine(plans)


def _plan_rollup(  # noqa: PLR0917
    item: DesiredIssue,
    found: ObservedIssue | None,
    rows: list[RollupRow],
    ctx: _Program,
    group: str | None = None,
    extra: BlockTexts = (),
    ends: Endings | None = None,
) -> Plan:
    content = ctx.blocks.rollup(ctx.desired.program, rows, group)
    blocks = (*item.blocks, (ROLLUP_BLOCK, content), *extra)
    if found is None:
        refused = _refused(item, ctx)
        if refused is not None:
            return refused
        return _create(item, apply_edits(item.description, Edits(blocks)), item.labels, ctx)
    exposed = _exposed(item, found, ctx)
    if exposed is not None:
        return exposed
    if ends is None:
        return _keep(found, item.key, Edits(blocks, ctx.identity(item.key)), ctx)
    final, notes = ends.rollup(item, found, content)  # a group that ended: its final figures
    rollup = ((ROLLUP_BLOCK, final),) if final is not None else ()
    edits = Edits((*item.blocks, *rollup, *extra), ctx.identity(item.key))
    return with_notes(_keep(found, item.key, edits, ctx), notes)
