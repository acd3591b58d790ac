"""Program kinds (one folder each, listed in registry.py) and what every program has besides
its kind's issues: a tracking issue, epics, group rollups and a plan-style issue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from automation import privacy  # a module (privacy reads the kinds' registry)
from automation.blocks import CORE_BLOCKS, EPIC_TEMPLATE
from automation.config.models import Program
from automation.desired import (
    Context,
    DesiredEpic,
    DesiredIssue,
    DesiredProgram,
    Generated,
    Group,
    missing_headings,
)
from automation.errors import ConfigError, Problem
from automation.keyindex import index_issue
from automation.kinds.registry import kind_of
from automation.ledgerissues import ledger_issues
from automation.markers import identity_marker
from automation.progress import program_label
from automation.reasons import listed_reasons, strays
from automation.renames import with_former_keys
from automation.rendering import MAX_TITLE, Renderer, cut_title, neutralise_title

if TYPE_CHECKING:
    from automation.config.loader import Loaded

Ctx = Context[Program]


def desired_programs(
    loaded: Loaded,
    renderer: Renderer,
    today: dt.date,
    chosen: Callable[[Program], bool] = lambda _program: True,
    *,
    deferred: Collection[str] = (),
) -> tuple[DesiredProgram, ...]:
    """Render every chosen program; all template problems are raised together. The issues
    of the programs DEFERRED names (by id) are rendered when first read (later.py)."""
    problems: list[Problem] = []
    result: list[DesiredProgram] = []
    config = loaded.config
    roster_names = privacy.names_of((person.username, person.name) for person in config.people)
    usernames = [person.username for person in config.people]
    for program, source in zip(config.programs, loaded.programs, strict=True):
        if not chosen(program):
            continue
        kind = kind_of(program)
        blocks = (*CORE_BLOCKS, *kind.blocks)
        said = _said(program, roster_names)
        later = program.id in deferred
        ctx = Context(config, program, source, renderer, today, blocks, later, said)
        try:
            generated = kind.generated(ctx)
            problems.extend(missing_headings(ctx, generated.issues))
            desired = with_former_keys(_assemble(ctx, generated), kind.renamed(program))
            course = kind.course_of(program)
            stray = strays(program, source, [*usernames, *course.named])
            desired = replace(desired, course=course, strays=stray)
            result.append(replace(desired, listed=listed_reasons(desired, source, today)))
        except ConfigError as error:
            problems.extend(said(error.problems))
    if problems:
        raise ConfigError(problems)
    return tuple(result)


def _said(program: Program, names: frozenset[str]) -> Callable[[Sequence[Problem]], list[Problem]]:
    """How the program's problems are said: a confidential program's without the roster's
    NAMES (privacy.unnamed)."""
    if program.outputs_hidden:
        return lambda problems: privacy.unnamed(problems, names)
    return list


def _assemble(ctx: Ctx, generated: Generated) -> DesiredProgram:
    """Add what every program has: its tracking issue, its epics and its group rollups."""
    tracking = _rollup_issue(ctx, ctx.tracking_key(), None, ctx.program_epic_key())
    tracking = _with_blocks(tracking, generated.tracking_blocks)
    # the program's own issues (tracking, group rollups, plan) are its lead's to read: each is
    # assigned to them (a year's simulation found the workshop rollups on nobody's list)
    named = ctx.program.lead_username()  # Program.lead_username: one place says who
    lead = (ctx.config.spelt(named),) if named else ()
    tracking = replace(tracking, assignees=lead)
    top = _epic(ctx, ctx.program_epic_key(), None)
    epics = (top, *(_epic(ctx, ctx.group_epic_key(g.id), g) for g in generated.groups))
    rollups = tuple(
        replace(
            _rollup_issue(ctx, ctx.group_rollup_key(g.id), g, ctx.group_epic_key(g.id)),
            blocks=g.blocks,
            derived=g.derived,
            create=g.create,
            assignees=lead,
        )
        for g in generated.groups
        if g.rollup
    )
    plans = tuple(replace(plan, assignees=lead) for plan in _plan_issues(ctx, generated))
    titled: list[DesiredIssue | DesiredEpic] = [*generated.issues, tracking, *rollups, *plans]
    titled += epics
    warnings = (*generated.warnings, *_cut_titles(titled, ctx.program.outputs_hidden))
    return DesiredProgram(
        ctx.program,
        generated.issues,
        tracking,
        epics,
        rollups,
        warnings,
        plans,
        notices=generated.notices,
        failures=generated.failures,
        index=index_issue(ctx.program, ctx.index_key()),
        ledgers=ledger_issues(ctx.program, ctx.tracking_key(), len(generated.issues)),
        kept=generated.kept,
        waiting=generated.waiting,
        project=ctx.config.settings.gitlab.project,
    )


def _cut_titles(items: Sequence[DesiredIssue | DesiredEpic], confidential: bool) -> list[str]:
    """Titles GitLab's limit made the renderer cut (issues, rollups, epics): said, so nobody
    wonders where the end went (a tester: the tracking issue's and rollups' were cut
    silently, and epics' not at all)."""
    return [
        f"the title of {item.key} is longer than GitLab's {MAX_TITLE} characters and was cut"
        f"{_cut_to(item, confidential)}; shorten the names in it, or the title setting of "
        "the program file it comes from (an epic's: the program's and the group's names)"
        for item in items
        if len(item.title) >= MAX_TITLE and item.title.endswith("…")
    ]


def _cut_to(item: DesiredIssue | DesiredEpic, confidential: bool) -> str:
    """What the title was cut to; nothing for a confidential item, whose title is never
    shown (not even its start)."""
    hidden = confidential or getattr(item, "confidential", False)
    return "" if hidden else f" to '{item.title[:40]}…'"


def _plan_issues(ctx: Ctx, generated: Generated) -> tuple[DesiredIssue, ...]:
    """The program's plan-style issue, if it has one: its figures follow the program."""
    plan = ctx.program.plan
    if plan is None:
        return ()
    values = {"program": ctx.program, "groups": generated.groups}
    issue = ctx.issue(
        key=f"{ctx.program.id}/plan",
        title=ctx.title(plan.title, ("plan", "title"), values),
        template=plan.template,
        values=values,
        subject=ctx.program.name,
        epic_key=ctx.program_epic_key(),
    )
    return (issue,)


def _with_blocks(issue: DesiredIssue, blocks: tuple[tuple[str, str], ...]) -> DesiredIssue:
    return replace(issue, blocks=blocks) if blocks else issue


def _rollup_issue(ctx: Ctx, key: str, group: Group | None, epic_key: str) -> DesiredIssue:
    """The program's tracking issue (no group), or a group's rollup issue."""
    values = {"program": ctx.program, "group": group, **(group.values if group else {})}
    tracking = ctx.program.tracking
    title = (
        ctx.title(tracking.group_title, ("tracking", "group_title"), values)
        if group
        else ctx.title(tracking.title, ("tracking", "title"), values)
    )
    return ctx.issue(
        key=key,
        title=title,
        template=ctx.program.tracking.template,
        values=values,
        subject=group.name if group else ctx.program.name,
        epic_key=epic_key,
    )


def _epic(ctx: Ctx, key: str, group: Group | None) -> DesiredEpic:
    values = {"program": ctx.program, "group": group}
    title = ctx.program.name + (f": {group.name}" if group else "")
    return DesiredEpic(
        key=key,
        title=cut_title(neutralise_title(title)),  # a tester: GitLab refused it every run
        description=f"{identity_marker(key)}\n{ctx.render(EPIC_TEMPLATE, values)}",
        labels=(program_label(ctx.program),),
        create=group.create if group else True,
    )
