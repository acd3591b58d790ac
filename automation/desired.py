"""What should exist: the issues, epics and rollups a program's configuration asks for (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from automation.blocks import BLOCK_NAMES
from automation.checklist import count_sections
from automation.config.models import Config, Program
from automation.config.source import Source
from automation.edits import BlockTexts
from automation.errors import ConfigError, ItemError, Problem
from automation.items import ObservedIssue
from automation.markers import block_content, identity_marker
from automation.progress import Progress, program_label
from automation.records import Recorded
from automation.rendering import Renderer

if TYPE_CHECKING:
    from automation.config.loader import Loaded


@dataclass(frozen=True)
class Measured:
    """A tracked issue as observed, with its progress and recorded values."""

    issue: ObservedIssue
    progress: Progress
    records: Mapping[str, Recorded]


Derive = Callable[[Mapping[str, Measured]], str]  # block content from the measured issues


@dataclass(frozen=True)
class DesiredIssue:
    """An issue the configuration asks for, as it would be created today."""

    key: str
    title: str
    description: str  # identity marker + rendered template; managed blocks still empty
    labels: tuple[str, ...]
    subject: str  # who or what the issue is about, as rollups show it
    group: str = ""  # the name of its group (cohort, workshop), as rollups show it
    assignees: tuple[str, ...] = ()
    due_date: dt.date | None = None
    confidential: bool = False
    epic_key: str | None = None  # the epic it belongs in, where epics are available
    rollups: tuple[str, ...] = ()  # group rollup issues that list it, besides the program's
    blocks: BlockTexts = ()  # tool-owned blocks whose content comes from configuration
    sections: tuple[str, ...] | None = None  # the section headings it has; None: all
    completion_note: str | None = None  # posted once when every task is done
    create: bool = True  # False for a past period's issue: kept up to date, never created
    derived: tuple[tuple[str, Derive], ...] = ()  # blocks computed from other issues


@dataclass(frozen=True)
class DesiredEpic:
    """An epic that groups a program's issues (GitLab Premium)."""

    key: str
    title: str
    description: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """Issues that belong together (a cohort, a workshop): an epic, and maybe a rollup."""

    id: str
    name: str
    rollup: bool = False
    values: Mapping[str, Any] = field(default_factory=dict)  # for the templates


@dataclass(frozen=True)
class Generated:
    """What a program kind makes of its configuration."""

    issues: tuple[DesiredIssue, ...]
    groups: tuple[Group, ...] = ()
    tracking_blocks: BlockTexts = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DesiredProgram:
    """A program's tracked issues, its tracking issue, group rollups and epics."""

    program: Program
    issues: tuple[DesiredIssue, ...]
    tracking: DesiredIssue
    epics: tuple[DesiredEpic, ...] = ()
    rollups: tuple[DesiredIssue, ...] = ()
    warnings: tuple[str, ...] = ()
    plans: tuple[DesiredIssue, ...] = ()  # plan-style issues whose figures the tool owns

    def every_issue(self) -> tuple[DesiredIssue, ...]:
        """Tracked issues, the tracking issue, group rollups and plan-style issues."""
        return (*self.issues, self.tracking, *self.rollups, *self.plans)


@dataclass(frozen=True)
class Context:
    """Everything a program kind needs to render its issues."""

    config: Config
    program: Program
    source: Source
    renderer: Renderer
    today: dt.date

    def title(self, template: str, loc: tuple[str, ...], values: Mapping[str, Any]) -> str:
        """A one-line title from a Jinja expression in the program file."""
        return self.renderer.render_title(template, values, self.source.problem(loc, ""))

    def render(self, template: str, values: Mapping[str, Any]) -> str:
        """A template rendered, with the tool's block markers checked."""
        body = self.renderer.render(template, values)
        for name in BLOCK_NAMES:
            try:
                block_content(body, name)
            except ItemError as error:
                where = str(self.renderer.templates_dir / template)
                hint = f"Put {{{{ managed_block('{name}') }}}} on a line of its own"
                raise ConfigError([Problem(where, 1, f"{error}. {hint}")]) from error
        return body

    def issue(
        self, key: str, title: str, template: str, values: Mapping[str, Any], **fields: Any
    ) -> DesiredIssue:
        """A desired issue: marker, rendered body, program label and the sections it has."""
        description = f"{identity_marker(key)}\n{self.render(template, values)}"
        headings = [s.heading for s in self.program.sections]
        found = tuple(c.heading for c in count_sections(description, headings) if c.found)
        return DesiredIssue(
            key=key,
            title=title,
            description=description,
            labels=(program_label(self.program),),
            confidential=self.program.is_confidential,
            sections=found,
            **fields,
        )

    def note(self, values: Mapping[str, Any]) -> str | None:
        """The completion note for an issue, when the program posts one."""
        template = self.program.completion.note
        return self.renderer.render(template, values).strip() if template else None

    def program_epic_key(self) -> str:
        """The key of the program's epic."""
        return f"{self.program.id}/epic"

    def group_epic_key(self, group: str) -> str:
        """The key of a group's epic."""
        return f"{self.program.id}/{group}/epic"

    def group_rollup_key(self, group: str) -> str:
        """The key of a group's rollup issue."""
        return f"{self.program.id}/{group}/tracking"

    def tracking_key(self) -> str:
        """The key of the program's tracking issue."""
        return f"{self.program.id}/tracking"


def missing_headings(ctx: Context, issues: tuple[DesiredIssue, ...]) -> list[Problem]:
    """Declared sections that no rendered issue has as a heading (usually a typo)."""
    present = {heading for issue in issues for heading in issue.sections or ()}
    return [
        ctx.source.problem(
            ("sections", i, "heading"),
            f"'{section.heading}' is not a heading in "
            f"{ctx.renderer.templates_dir / ctx.program.template}; "
            "make it match a `## ...` heading of the template exactly",
        )
        for i, section in enumerate(ctx.program.sections)
        if issues and section.heading not in present
    ]


def load_context(loaded: Loaded, renderer: Renderer, today: dt.date) -> list[Context]:
    """One context per program, in configuration order."""
    return [
        Context(loaded.config, program, source, renderer, today)
        for program, source in zip(loaded.config.programs, loaded.programs, strict=True)
    ]
