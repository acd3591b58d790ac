"""One run from configuration to writes: load, render, observe, plan, and apply in rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from automation.applier import Listener, Outcome, execute
from automation.blocks import (
    COMPLETION_TEMPLATE,
    EPIC_TEMPLATE,
    PROGRESS_TEMPLATE,
    ROLLUP_TEMPLATE,
    Blocks,
)
from automation.config.loader import Loaded, load_config
from automation.config.models import Program
from automation.config.source import Source
from automation.desired import DesiredProgram
from automation.errors import ConfigError, Problem
from automation.kinds import desired_programs
from automation.planner import ALL_STEPS, Observed, Plan, plan_program
from automation.progress import program_label
from automation.rendering import Renderer
from automation.trackers.base import Tracker

MAX_ROUNDS = 3  # creating issues makes their references known; a later round fills them in


@dataclass(frozen=True)
class Prepared:
    """A validated configuration, rendered into the issues it asks for."""

    loaded: Loaded
    blocks: Blocks
    programs: tuple[DesiredProgram, ...]


def prepare(
    config_dir: Path, templates_dir: Path, today: dt.date, only: str | None = None
) -> Prepared:
    """Load and check configuration and templates; ConfigError lists every problem found."""
    checker = Renderer(templates_dir, [])
    loaded = load_config(
        config_dir, lambda program, source: _template_problems(checker, program, source)
    )
    known = [p.id for p in loaded.config.programs]
    if only is not None and only not in known:
        raise ConfigError(
            [
                Problem(
                    str(config_dir / "programs"),
                    1,
                    f"no program with id '{only}'; known: {', '.join(known)}",
                )
            ]
        )
    renderer = Renderer(templates_dir, [p.username for p in loaded.config.people])
    programs = desired_programs(loaded, renderer, today)
    chosen = tuple(p for p in programs if only is None or p.program.id == only)
    return Prepared(loaded, Blocks(renderer), chosen)


def _template_problems(renderer: Renderer, program: Program, source: Source) -> list[Problem]:
    """A program's templates exist and parse; the block layouts too."""
    problems: list[Problem] = []
    for loc, name in (
        (("template",), program.template),
        (("tracking", "template"), program.tracking.template),
    ):
        if renderer.exists(name):
            problems.extend(renderer.check(name))
        else:
            problems.append(source.problem(loc, renderer.not_found(name)))
    for name in (PROGRESS_TEMPLATE, ROLLUP_TEMPLATE, EPIC_TEMPLATE, COMPLETION_TEMPLATE):
        problems.extend(renderer.check(name))
    return problems


def private_keys(prepared: Prepared) -> frozenset[str]:
    """Keys of the confidential items, which outputs show by reference only."""
    return frozenset(
        item.key
        for desired in prepared.programs
        for item in (*desired.issues, desired.tracking, *desired.rollups, *desired.plans)
        if item.confidential
    )


def make_plan(
    prepared: Prepared, tracker: Tracker, today: dt.date, steps: frozenset[str] = ALL_STEPS
) -> Plan:
    """Observe the tracker and plan every chosen program, limited to some steps (no writes)."""
    labels = tracker.label_names()
    epics = tracker.epics_available()
    plan = Plan()
    for desired in prepared.programs:
        observed = observe(tracker, desired, labels, epics)
        planned = plan_program(desired, observed, prepared.blocks, today)
        if planned.creates_issues:  # a key may sit on an issue that lost its program label
            observed = replace(observed, keyed=tracker.keyed_issues())
            planned = plan_program(desired, observed, prepared.blocks, today)
        plan += planned
    return plan.only(steps)


def observe(
    tracker: Tracker, desired: DesiredProgram, labels: frozenset[str], epics: bool
) -> Observed:
    """One program's state: one issue list, plus its epics or its tracking issue's links."""
    label = program_label(desired.program)
    issues = tracker.program_issues(label)
    if epics:
        return Observed(issues, labels, tracker.program_epics(label))
    tracking = next((i for i in issues if i.key == desired.tracking.key), None)
    links = tracker.issue_links(tracking.iid) if tracking else frozenset()
    return Observed(issues, labels, None, links)


@dataclass(frozen=True)
class Applied:
    """The plans a run carried out, round by round, and their combined outcome."""

    plans: Sequence[Plan]
    outcome: Outcome


def apply(
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    on_done: Listener = lambda _: None,
    steps: frozenset[str] = ALL_STEPS,
) -> Applied:
    """Plan and execute until nothing is left to do (issues created in one round get their
    references into the rollups in the next)."""
    plans: list[Plan] = []
    outcome = Outcome()
    for _ in range(MAX_ROUNDS):
        plan = make_plan(prepared, tracker, today, steps)
        plans.append(plan)
        result = execute(plan, tracker, on_done)
        outcome.done.extend(result.done)
        outcome.failures = result.failures  # the latest round knows what still fails
        if not (plan.creates_items and result.done):
            break
    return Applied(plans, outcome)
