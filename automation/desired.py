"""What should exist: the issues each program's configuration asks for, rendered (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from automation.blocks import BLOCK_NAMES, EPIC_TEMPLATE
from automation.checklist import count_sections
from automation.config.loader import Loaded
from automation.config.models import Cohort, Config, Program
from automation.config.source import Source
from automation.errors import ConfigError, ItemError, Problem
from automation.markers import block_content, identity_marker
from automation.progress import program_label
from automation.rendering import Renderer, neutralise_title


@dataclass(frozen=True)
class DesiredIssue:
    """An issue the configuration asks for, as it would be created today."""

    key: str
    title: str
    description: str  # identity marker + rendered template; managed blocks still empty
    labels: tuple[str, ...]
    subject: str  # who or what the issue is about, as rollups show it
    group: str = ""  # the cohort (or other grouping) it belongs to
    assignees: tuple[str, ...] = ()
    due_date: dt.date | None = None
    confidential: bool = False
    epic_key: str | None = None  # the epic it belongs in, where epics are available


@dataclass(frozen=True)
class DesiredEpic:
    """An epic that groups a program's issues (GitLab Premium)."""

    key: str
    title: str
    description: str
    labels: tuple[str, ...]
    parent_key: str | None = None


@dataclass(frozen=True)
class DesiredProgram:
    """A program's tracked issues, its tracking issue and its epics."""

    program: Program
    issues: tuple[DesiredIssue, ...]
    tracking: DesiredIssue
    epics: tuple[DesiredEpic, ...] = ()


@dataclass(frozen=True)
class _Context:
    config: Config
    program: Program
    source: Source
    renderer: Renderer

    def title(self, template: str, loc: tuple[str, ...], values: dict[str, Any]) -> str:
        origin = self.source.problem(loc, "")
        return self.renderer.render_title(template, values, origin)

    def issue(
        self, key: str, title: str, template: str, values: dict[str, Any], **fields: Any
    ) -> DesiredIssue:
        body = self.renderer.render(template, values)
        self._check_blocks(template, body)
        return DesiredIssue(
            key=key,
            title=title,
            description=f"{identity_marker(key)}\n{body}",
            labels=(program_label(self.program),),
            confidential=self.program.confidential,
            **fields,
        )

    def _check_blocks(self, template: str, body: str) -> None:
        """A template must leave the tool's block markers intact, each on its own line."""
        for name in BLOCK_NAMES:
            try:
                block_content(body, name)
            except ItemError as error:
                where = str(self.renderer.templates_dir / template)
                raise ConfigError(
                    [
                        Problem(
                            where,
                            1,
                            f"{error}. Put {{{{ managed_block('{name}') }}}} on a line of its own",
                        )
                    ]
                ) from error


Generator = Callable[[_Context], Iterator[DesiredIssue]]


def _participants(ctx: _Context) -> Iterator[DesiredIssue]:
    """One issue per participant of each cohort."""
    for cohort in ctx.program.cohorts:
        for username in cohort.participants:
            yield _participant_issue(ctx, cohort, username)


def _participant_issue(ctx: _Context, cohort: Cohort, username: str) -> DesiredIssue:
    person = ctx.config.person(username)
    manager = ctx.config.person(person.manager) if person.manager else None
    values = {"program": ctx.program, "cohort": cohort, "participant": person, "manager": manager}
    return ctx.issue(
        key=f"{ctx.program.id}/{cohort.id}/{username.lower()}",
        title=ctx.title(ctx.program.title, ("title",), values),
        template=ctx.program.template,
        values=values,
        subject=person.name,
        group=cohort.name,
        assignees=(person.username,),
        due_date=cohort.end_date,
        epic_key=_cohort_epic_key(ctx.program, cohort),
    )


def _program_epic_key(program: Program) -> str:
    return f"{program.id}/epic"


def _cohort_epic_key(program: Program, cohort: Cohort) -> str:
    return f"{program.id}/{cohort.id}/epic"


def _epics(ctx: _Context) -> tuple[DesiredEpic, ...]:
    """One epic for the program and one per cohort inside it."""
    program = ctx.program
    top = _epic(ctx, _program_epic_key(program), None, None)
    cohorts = (_epic(ctx, _cohort_epic_key(program, c), c, top.key) for c in program.cohorts)
    return (top, *cohorts)


def _epic(ctx: _Context, key: str, cohort: Cohort | None, parent: str | None) -> DesiredEpic:
    values = {"program": ctx.program, "cohort": cohort}
    title = ctx.program.name + (f": {cohort.name}" if cohort else "")
    body = ctx.renderer.render(EPIC_TEMPLATE, values)
    return DesiredEpic(
        key=key,
        title=neutralise_title(title),
        description=f"{identity_marker(key)}\n{body}",
        labels=(program_label(ctx.program),),
        parent_key=parent,
    )


GENERATORS: dict[str, Generator] = {"participants": _participants}


def _tracking_issue(ctx: _Context) -> DesiredIssue:
    values = {"program": ctx.program}
    return ctx.issue(
        key=f"{ctx.program.id}/tracking",
        title=ctx.title(ctx.program.tracking.title, ("tracking", "title"), values),
        template=ctx.program.tracking.template,
        values=values,
        subject=ctx.program.name,
        epic_key=_program_epic_key(ctx.program),
    )


def _missing_headings(ctx: _Context, issues: tuple[DesiredIssue, ...]) -> Iterator[Problem]:
    """Declared sections the rendered template does not have as headings."""
    sections = ctx.program.sections
    missing: set[int] = set()
    for issue in issues:
        counts = count_sections(issue.description, [s.heading for s in sections])
        missing |= {i for i, c in enumerate(counts) if not c.found}
    for i in sorted(missing):
        yield ctx.source.problem(
            ("sections", i, "heading"),
            f"'{sections[i].heading}' is not a heading in "
            f"{ctx.renderer.templates_dir / ctx.program.template}; "
            "make it match a `## ...` heading of the template exactly",
        )


def desired_programs(loaded: Loaded, renderer: Renderer) -> tuple[DesiredProgram, ...]:
    """Render every program's issues; all template problems are raised together."""
    problems: list[Problem] = []
    result: list[DesiredProgram] = []
    for program, source in zip(loaded.config.programs, loaded.programs, strict=True):
        ctx = _Context(loaded.config, program, source, renderer)
        try:
            issues = tuple(GENERATORS[program.kind](ctx))
            problems.extend(_missing_headings(ctx, issues))
            result.append(DesiredProgram(program, issues, _tracking_issue(ctx), _epics(ctx)))
        except ConfigError as error:
            problems.extend(error.problems)
    if problems:
        raise ConfigError(problems)
    return tuple(result)
