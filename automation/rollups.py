"""The rollups (the program's tracking issue, each group's rollup issue) and the plan-style
issues whose `=> NN%` figures follow the issues they link to (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from automation.actions import Plan, combine
from automation.blocks import ROLLUP_BLOCK, RollupRow, counted
from automation.changes import joined
from automation.charts import CHARTS_BLOCK, charts_of, rollup_history
from automation.desired import DesiredIssue
from automation.edits import BlockTexts, Edits, apply_edits
from automation.figures import rewrite_figures
from automation.history import HEADER, HISTORY_BLOCK, history_content
from automation.identity import Resolved
from automation.items import ObservedIssue
from automation.keyindex import plan_index
from automation.lifecycle import Endings, with_notes
from automation.people import people_blocks, plan_people
from automation.planning import ProgramContext, create, exposed, keep, refused
from automation.progress import UNFINISHED, measure, total


def plan_figures(
    found: Mapping[str, ObservedIssue], observed: Sequence[ObservedIssue], ctx: ProgramContext
) -> Plan:
    """Plan-style issues: only their `=> NN%` figures change, from the issues lines link to,
    each as its own progress counts it (optional tasks, sections not required and anything
    inside the tool's blocks left out)."""
    if not ctx.desired.plans:
        return Plan()  # no program issue shows figures: nothing to count
    completion = {issue.iid: _completion(issue, ctx) for issue in observed}
    return combine(
        _plan_figure(item, found.get(item.key), completion, ctx) for item in ctx.desired.plans
    )


def _completion(issue: ObservedIssue, ctx: ProgramContext) -> int:
    """An issue's overall percent as its progress counts it (measured already for a tracked
    issue)."""
    known = ctx.measured.get(issue.key or "")
    if known is not None and known.issue.iid == issue.iid:
        return known.progress.overall.percent
    text = ctx.migrations.text(issue.key, issue.description)
    return measure(text, ctx.desired.program, issue.due_date, ctx.today).overall.percent


def _plan_figure(
    item: DesiredIssue, have: ObservedIssue | None, completion: dict[int, int], ctx: ProgramContext
) -> Plan:
    if have is None:
        taken = refused(item, ctx)
        if taken is not None:
            return taken
        text = apply_edits(
            rewrite_figures(item.description, completion, ctx.desired.project),
            Edits(people_blocks(item)),
        )
        return create(item, text, item.labels, ctx)
    figures = tuple(sorted(completion.items()))
    edits = Edits(identity=ctx.identity(item.key), figures=figures, project=ctx.desired.project)
    people = plan_people(ctx.desired.program, item, have, ctx.several, ctx.today)  # a lead
    return joined(keep(have, item.key, edits, ctx), people)


def plan_rollups(
    resolved: Resolved, tracked: list[tuple[DesiredIssue, RollupRow | None]], ctx: ProgramContext
) -> Plan:
    """The program's tracking issue lists every tracked issue (and keeps the index of keys, or
    says where it went: keyindex.py); a group's rollup lists its members."""
    found, tracking = resolved.found, ctx.desired.tracking
    every = [row for item, row in tracked if row is not None and item.listed]
    every += ctx.departed.rows_in(None)
    indexed, index = plan_index(resolved, ctx)
    ends = Endings.of(ctx.desired, tracked, ctx.departed, ctx.blocks, ctx.today)
    plans = [
        indexed,
        _plan_rollup(tracking, found.get(tracking.key), every, ctx, extra=index, ends=ends),
        Plan(warnings=_tracking_made_again(resolved, tracking.key, ctx)),
    ]
    for rollup in ctx.desired.rollups:
        rows = [row for item, row in tracked if row is not None and rollup.key in item.rollups]
        rows += ctx.departed.rows_of(ctx.desired, rollup.key)
        plans.append(
            _plan_rollup(rollup, found.get(rollup.key), rows, ctx, rollup.subject, ends=ends)
        )
    return combine(plans)


def _tracking_made_again(resolved: Resolved, key: str, ctx: ProgramContext) -> tuple[str, ...]:
    """A tracking issue not found while the program's other issues are (an operations trial:
    one an owner deleted was made again among "N created", and its lead looked for their
    text): the run makes it anew, and says so."""
    if key in resolved.found or key in ctx.failed or key in ctx.keyed:
        return ()  # found, or not made: another issue holds its key (`refused`)
    if not set(resolved.found) - {key}:
        return ()  # the program's first run
    return (
        f"the tracking issue of {ctx.desired.program.id} was not found (deleted, or a run "
        "stopped before making it?): a new one is made; if there was one, its history and "
        "charts start again here, and text people wrote in it is not carried over",
    )


def _plan_rollup(  # noqa: PLR0917
    item: DesiredIssue,
    found: ObservedIssue | None,
    rows: list[RollupRow],
    ctx: ProgramContext,
    group: str | None = None,
    extra: BlockTexts = (),
    ends: Endings | None = None,
) -> Plan:
    content = ctx.blocks.rollup(ctx.desired.program, rows, group)
    charts = _charts(found, rows, ctx, group)
    own = (*item.blocks, *ctx.blocks.derived(item.derived, ctx.measured, found))
    blocks = (*own, (ROLLUP_BLOCK, content), *charts, *extra)
    if found is None:
        if not item.create:
            return Plan()  # a group with nobody in it now: its rollup is not made
        taken = refused(item, ctx)
        if taken is not None:
            return taken
        edits = _charted(Edits((*blocks, *people_blocks(item))), charts)
        return create(item, apply_edits(item.description, edits), item.labels, ctx)
    public = exposed(item, found, ctx)
    if public is not None:
        return public
    said = Plan(warnings=_closed_while_under_way(found, rows))
    people = plan_people(ctx.desired.program, item, found, ctx.several, ctx.today)  # a lead
    if ends is None:
        edits = _charted(Edits(blocks, ctx.identity(item.key)), charts)
        return said + joined(keep(found, item.key, edits, ctx), people)
    final, notes = ends.rollup(item, found, content)  # a group that ended: its final figures
    if final is None:  # ... frozen, and its charts and live blocks with them (a tester: a
        ctx.blocks.frozen(group)
        charts = ()  # late hire's pre-work changed a final workshop's table); a block
        sealed = [d for d in item.derived if d.closes is not None]  # published once still is
        own = ctx.blocks.derived(sealed, ctx.measured, found)
    rollup = ((ROLLUP_BLOCK, final), *charts) if final is not None else ()
    edits = _charted(Edits((*own, *rollup, *extra), ctx.identity(item.key)), charts)
    return said + joined(with_notes(keep(found, item.key, edits, ctx), notes), people)


def _closed_while_under_way(found: ObservedIssue, rows: list[RollupRow]) -> tuple[str, ...]:
    """A rollup issue closed while issues it lists are under way: the tool keeps it up to
    date, and nothing else says it left people's lists and boards (a tester: a triage bot
    closed the tracking issue for inactivity)."""
    if found.state != "closed":
        return ()
    under_way = sum(
        1
        for row in rows
        if row.state == "opened" and row.progress and row.progress.status in UNFINISHED
    )
    if not under_way:
        return ()
    if found.moved_to is not None:  # reopened, it would be a second copy (an operations trial)
        return (
            f"issue {found.reference} was moved to another project, and GitLab closed it here, "
            f"while {under_way} of the issues it lists are under way: the tool keeps this one up "
            "to date, not the copy there; if it was moved by mistake, move it back (the tool "
            "picks it up again once it is back)",
        )
    return (
        f"issue {found.reference} is closed while {under_way} of the issues it lists are under "
        "way (another tool, or a person, closed it): the tool still keeps it up to date; "
        "reopen it so that people find it in lists and boards",
    )


def _charts(
    found: ObservedIssue | None, rows: list[RollupRow], ctx: ProgramContext, group: str | None
) -> BlockTexts:
    """The charts that open a rollup, and the hidden weekly history behind its burn-up: this
    week's figures added to the ones the issue holds (none when the templates have no
    charts template)."""
    totals = total(counted(rows), ctx.desired.program)
    weeks = rollup_history(found.description if found else None, totals, ctx.today)
    drawn = ctx.blocks.charts(charts_of(totals, weeks), group)
    if drawn is None:
        return ()
    return ((CHARTS_BLOCK, drawn), (HISTORY_BLOCK, history_content(weeks)))


def _charted(edits: Edits, charts: BlockTexts) -> Edits:
    """The edits, placing a new charts block at the issue's opening and writing a damaged
    history block afresh."""
    if not charts:
        return edits
    return replace(edits, opening=(CHARTS_BLOCK,), rebuilt=((HISTORY_BLOCK, HEADER),))
