"""What should exist: the issues, epics and rollups a program's configuration asks for (pure)."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar

from automation.checklist import count_tasks, headings_found
from automation.config.models import Config, Program
from automation.config.source import Source
from automation.course import Course
from automation.edits import BlockTexts
from automation.errors import ConfigError, ItemError, Problem
from automation.index import index_key
from automation.items import ObservedIssue
from automation.later import FromBody, Later, Rendered
from automation.markers import (
    KEPT_PREFIX,
    begin_marker,
    block_content,
    end_marker,
    identity_marker,
    placed_blocks,
)
from automation.progress import Progress, Status, program_label
from automation.reasons import Listed, Stray
from automation.records import Recorded, RecordSpec, averages
from automation.rendering import Renderer, depends_on_values

P = TypeVar("P", bound=Program)


@dataclass(frozen=True)
class Measured:
    """A tracked issue as observed, with its progress and recorded values."""

    issue: ObservedIssue
    progress: Progress
    records: Mapping[str, Recorded]


@dataclass(frozen=True)
class DerivedRow:
    """One row of a derived block: its own values, and which measured issues its figures count."""

    values: Mapping[str, Any]  # for the template, e.g. the account
    records: str | None = None  # the key of the issue whose recorded values the row shows
    counted: tuple[str, ...] = ()  # keys of issues that count as done once complete
    section: tuple[str, str] | None = None  # (key, heading): done once that section's tasks are
    year_records: str | None = None  # the issue whose values count per year (they win)
    # the section is done only with a task in it, all ticked: something was held (an ESP
    # touchpoint; a tester saw one marked not applicable, `[~]`, read "yes"), where a section
    # left with no task is otherwise nothing to do (a hire's pre-work: a reviewer's finding)
    ticked: bool = False
    # the key of an issue without which the row is left out: one not to be made yet, which
    # counts once it was made (a hire whose start moved out of the creation window)
    made: str | None = None


@dataclass(frozen=True)
class Closing:
    """When a derived block's figures are published, once: when every row has a value for each
    label it holds (if EARLY), or on `on` at the latest (`passed`: today is on or after it).
    From then on the block is sealed: its content is never written again (`Blocks.derived`)."""

    on: dt.date
    passed: bool
    early: bool = True
    # sealed with nothing published, it opens again when `on` moves to a day not past (a
    # sponsorship figure); a block that shows more than its averages (an ESP scorecard's
    # rows) never does
    reopens: bool = False
    # its first run after `on` came too late to take the figures (an ESP scorecard's quarter
    # over for more than a week): what the block holds is kept, said not final, and sealed
    late: bool = False


@dataclass(frozen=True)
class Derived:
    """A tool-owned block whose content comes from other issues' progress (ESP's scorecard):
    what to count, as plain data; `derived_values` counts it once the issues are measured."""

    name: str  # the block
    template: str
    values: Mapping[str, Any]
    rows: tuple[DerivedRow, ...]
    specs: tuple[RecordSpec, ...] = ()  # recorded values averaged over the rows
    closes: Closing | None = None  # published once, then sealed; None: rewritten every run


def derived_values(block: Derived, measured: Mapping[str, Measured]) -> dict[str, Any]:
    """The template values of a derived block: each row's figures from the measured issues."""
    rows = [_row(row, measured) for row in block.rows if row.made is None or row.made in measured]
    plans = [row["records"] for row in rows if row["records"] is not None]
    closes = block.closes
    figures = averages(plans, block.specs)
    # early only with every figure there to publish: a block sealed early with too few
    # answers to show would stay so, whoever answers (or is added) before its date
    shown = all(figure.mean is not None for figure in figures)
    return {
        **block.values,
        "rows": rows,
        "specs": list(block.specs),
        "averages": figures,
        "closed": closes is not None
        and (closes.passed or (closes.early and shown and _all_in(rows, block.specs))),
        "closes_on": closes.on if closes else None,
    }


def _all_in(rows: list[dict[str, Any]], specs: tuple[RecordSpec, ...]) -> bool:
    """Whether every row's issue exists and holds a value for each label it has a line for."""
    return bool(rows) and all(
        row["records"] is not None
        and all(
            (found := row["records"].get(spec.label)) is None
            or not found.present
            or found.value is not None
            for spec in specs
        )
        for row in rows
    )


def _records(row: DerivedRow, measured: Mapping[str, Measured]) -> Mapping[str, Recorded] | None:
    """The row's recorded values: its issue's, with those its year's issue has instead."""
    found = measured.get(row.records) if row.records else None
    year = measured.get(row.year_records) if row.year_records else None
    if found is None or year is None:
        return found.records if found else None
    return {
        label: year.records[label] if year.records[label].present else value
        for label, value in found.records.items()
    }


def _row(row: DerivedRow, measured: Mapping[str, Measured]) -> dict[str, Any]:
    section_done = None
    if row.section is not None and (issue := measured.get(row.section[0])) is not None:
        section = next(
            (s for s in issue.progress.sections if s.section.heading == row.section[1]), None
        )
        # an issue with no task left that counts has done nothing (a trial: pre-work `done`)
        left = issue.progress.overall.count > 0
        held = section is not None and left and (section.tasks.count > 0 or not row.ticked)
        section_done = bool(section and section.found and held and section.tasks.complete)
    done = [measured.get(key) for key in row.counted]
    return {
        **row.values,
        "records": _records(row, measured),
        "done": sum(1 for m in done if m and m.progress.status is Status.COMPLETE),
        "counted": len(row.counted),
        "section_done": section_done,
    }


@dataclass(frozen=True)
class NoteElsewhere:
    """A note posted once on an issue of another project (a hire's general onboarding issue),
    then recorded by a tool-owned block of this issue: the block is the proof, and the note's
    marker (its first line) is looked for there before posting, so a run that stopped between
    the two posts nothing twice."""

    project: str  # the other project's web address, on the same GitLab
    iid: int
    body: str  # its first line is its hidden marker
    block: str  # the block of this issue that records the note
    proof: str  # that block's content (and the proof line of the issue it is written in)
    names: str  # what the block names, which one naming another issue does not (its address)


@dataclass(frozen=True)
class DesiredIssue:
    """An issue the configuration asks for, as it would be created today."""

    key: str
    title: str
    # identity marker + rendered template; managed blocks still empty (rendered when first
    # read, for a program planned from its ledger: later.py). FromBody() gives no default,
    # which mypy cannot see: hence the two ignores below
    description: FromBody[str] = FromBody()
    labels: tuple[str, ...]  # type: ignore[misc]
    subject: str  # type: ignore[misc]  # who or what the issue is about, as rollups show it
    group: str = ""  # the name of its group (cohort, workshop), as rollups show it
    assignees: tuple[str, ...] = ()
    due_date: dt.date | None = None
    # the day its figures are published for the last time (a sponsorship score issue): from
    # then on, not complete, it is ended rather than overdue, as when its group ends
    ends: dt.date | None = None
    confidential: bool = False
    epic_key: str | None = None  # the epic it belongs in, where epics are available
    rollups: tuple[str, ...] = ()  # group rollup issues that list it, besides the program's
    # False: no rollup lists it, the program's neither (a sponsorship score issue, whose
    # figures are published only by checkpoint: a row would show who answered, and when)
    listed: bool = True
    blocks: BlockTexts = ()  # tool-owned blocks whose content comes from configuration
    # its template's `kept_block`s as rendered: rewritten where the issue has them, never added
    kept: FromBody[BlockTexts] = FromBody(())
    sections: FromBody[tuple[str, ...] | None] = FromBody(None)  # its headings; None: all
    completion_note: str | None = None  # posted once when every task is done
    create: bool = True  # False for a past period's issue: kept up to date, never created
    # not created because its time ended on this day before it was asked for (a hire added
    # after their onboarding was over): said in a warning (missed.py)
    over_before_made: dt.date | None = None
    # what the run that makes it warns of (a participant who manages people, added to a cohort
    # already running: one promoted during it is not told of on every run)
    caution: str | None = None
    # made only where the issue of this key exists (an ended account's last periods: in an
    # account the tool already ran, never on a first run after its end)
    requires: str | None = None
    derived: tuple[Derived, ...] = ()  # blocks computed from other issues when planning
    former_keys: tuple[str, ...] = ()  # keys it was made under before a rename (renames.py)
    dates: Mapping[str, dt.date] = field(default_factory=dict)  # what reminders count from
    # the DATES whose figures the issue asks for (a score issue's checkpoints): one made after
    # such a day is said (missed.asked_late)
    asks: tuple[str, ...] = ()
    # the last day of each phase, by heading (a sponsorship pair's calendar): a phase not
    # complete after it makes the issue overdue (progress.behind)
    phases_due: Mapping[str, dt.date] = field(default_factory=dict)
    # the text it is made with when not its DESCRIPTION, which its record of template tasks
    # lists (a score issue made once a checkpoint closed: without that checkpoint's task,
    # never added later, as a task a person deleted)
    made_with: str | None = None
    # the day each part MADE_WITH may leave out closes (a score issue's checkpoints, by name)
    closing: Mapping[str, dt.date] = field(default_factory=dict)
    # the day what it is about began (an ESP account's `start`): one made long after is said
    # (missed.begun_long_ago)
    begins: dt.date | None = None
    # the first and last day of the period its key stands for (an ESP quarter or fiscal year),
    # and the calendar that places it (the fiscal year's first month), recorded in the issue:
    # one recorded with another calendar is another period's (duedates.other_calendar)
    period: tuple[dt.date, dt.date] | None = None
    calendar: str | None = None
    # where an issue made for it before its period moved to another key may be (an ESP
    # account's own years, keyed by the fiscal year they begin in: a `start` corrected by days
    # across the year's first day gives the year another key): the key prefix it shares with
    # them (renames.moved_periods)
    moves_within: str | None = None
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> usernames
    elsewhere: tuple[NoteElsewhere, ...] = ()  # notes posted once on other projects' issues
    # a document kept while it is open (an ESP account plan, whose values are read every
    # month): its people follow configuration even once its tasks are all done
    living: bool = False
    # the last day its people follow configuration (an ESP period's end): after it, the
    # people it had are its history (a newcomer is not handed a past month's session)
    people_until: dt.date | None = None

    def __post_init__(self) -> None:
        # a person named twice (a sponsor also on the account team) is assigned once
        once: dict[str, str] = {}
        for name in self.assignees:
            once.setdefault(name.casefold(), name)
        object.__setattr__(self, "assignees", tuple(once.values()))

    @property
    def ended_on(self) -> dt.date | None:
        """The last day of the item's period (its `end` date: an ESP month's session is due
        at the end of the month's last week), or its due date for an item with no such date."""
        return self.dates.get("end") or self.due_date

    @property
    def people_roles(self) -> tuple[tuple[str, str], ...]:
        """(role, username) of each of its people, for outputs that hide their names."""
        return tuple((role, name) for role, names in self.roles.items() for name in names)


@dataclass(frozen=True)
class DesiredEpic:
    """An epic that groups a program's issues (GitLab Premium)."""

    key: str
    title: str
    description: str
    labels: tuple[str, ...]
    former_keys: tuple[str, ...] = ()  # keys it was made under before a rename (renames.py)
    create: bool = True  # False: kept up to date if it exists, never made (Group.create)


# a begin marker's line, found by the line break before it in the text after a "\n" (a
# pattern that starts with `^` is tried at every character: 5% of a run's CPU)
_BEGIN = re.compile(r"\n<!-- automation:begin (?P<name>[a-z][a-z0-9-]*) -->$", re.M)


def _line_of(path: Path, name: str) -> int:
    """The line of a template that places block NAME (1 when it cannot be told)."""
    return next(iter(_lines_of(path, name)), 1)


def _lines_of(path: Path, name: str) -> list[int]:
    """The lines of a template that place block NAME."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        lines = path.read_text(encoding="utf-8").splitlines()
        return [n for n, line in enumerate(lines, 1) if "managed_block" in line and name in line]
    return []


def _misplaced(path: Path, name: str) -> Problem:
    """What to say of a template whose block NAME is not read back as one: placed twice (a
    tester was sent to line 1, with advice about a damaged issue), or not on its own line."""
    lines = _lines_of(path, name)
    if len(lines) > 1:
        return Problem(
            str(path),
            lines[1],
            f"{{{{ managed_block('{name}') }}}} is placed more than once in this template "
            f"(lines {', '.join(map(str, lines))}); keep one: the tool writes one such block "
            "in each issue",
        )
    return Problem(
        str(path),
        next(iter(lines), 1),
        f"put {{{{ managed_block('{name}') }}}} on a line of its own, with nothing else on "
        "that line: placed beside text, the block it writes is not read back as one",
    )


# blocks the tool appends to issues itself, which a template may place as well (it then
# writes them there): the due date, assignees, template tasks, a withdrawal's or an ending's
# proof, the index of keys, the learning-path note's record
APPENDED_BLOCKS = (
    "due",
    "assigned",
    "template-tasks",
    "withdrawn",
    "ended",
    "index",
    "keys",
    "learning-path-note",
)


def _misspelt_block(body: str, blocks: Sequence[str]) -> tuple[str, str] | None:
    """What to say of a block a template places under a name that is none of the tool's
    (`managed_block('progres')`, `managed_block('notes')`): the tool never fills it, it stays
    empty in every issue, and the tool writes the real one at the issue's end (a tester)."""
    for found in _BEGIN.finditer(f"\n{body}"):
        name = found["name"]
        near = _near_miss(name, tuple(blocks))
        if near is not None:
            return name, (
                f"managed_block('{name}') is no block the tool writes here; did you mean "
                f"managed_block('{near}')?"
            )
        if name not in blocks and name not in APPENDED_BLOCKS and not name.startswith(KEPT_PREFIX):
            return name, (
                f"managed_block('{name}') is no block the tool writes, so it would stay empty "
                f"in every issue; the blocks a template may place: {', '.join(blocks)} (or "
                "keep text of its own with kept_block)"
            )
    return None


def kept_blocks(text: str) -> BlockTexts:
    """The `kept_block`s of a rendering (checked by `_check_kept`), with their content."""
    return tuple((name, block_content(text, name) or "") for name in kept_names(text))


def kept_names(text: str) -> tuple[str, ...]:
    """The names of the kept blocks a text (an issue's) begins, on lines of their own."""
    if KEPT_PREFIX not in text:
        return ()
    found = (m["name"] for m in _BEGIN.finditer(f"\n{text}"))
    return tuple(name for name in found if name.startswith(KEPT_PREFIX))


def _check_kept(
    body: str, path: Path, headings: Sequence[str], line_of: Callable[[str], int]
) -> None:
    """A template's kept blocks: each once, its markers on lines of their own, and no task or
    declared section's heading in it (a person's tick there would be rewritten, and the tool
    does not count it; the section would not be found: a reviewer's)."""
    if KEPT_PREFIX not in body:
        return
    names = list(kept_names(body))
    problem = next(((f"'{n}' is there twice", n) for n in names if names.count(n) > 1), None)
    if body.count(f"<!-- automation:begin {KEPT_PREFIX}") != len(names):
        problem = problem or ("a kept block's marker is not on a line of its own", "")
    for name in names:
        problem = problem or _kept_problem(body, name, headings)
    if problem is not None:
        hint = (
            "a kept block is written again on every run, so it holds no task and no section's "
            "heading, is placed once, and its {% call %} and {% endcall %} stand on lines of "
            "their own"
        )
        # the line naming the block, its `kept_block(…)` call (a trial was sent to line 1)
        short = problem[1].removeprefix(KEPT_PREFIX)
        line = line_of(short) if short else 1
        raise ConfigError([Problem(str(path), line, f"{problem[0]}: {hint}")])


def _kept_problem(body: str, name: str, headings: Sequence[str]) -> tuple[str, str] | None:
    """What is wrong with the kept block NAME of a rendering, and its name."""
    short = name.removeprefix(KEPT_PREFIX)
    begin = body.find(begin_marker(name))
    inside = body[begin : body.find(end_marker(name), begin)]
    if count_tasks(inside).count:
        return f"kept_block '{short}' holds a task", name
    held = headings_found(inside, headings) if "#" in inside else ()
    if held:
        return f"kept_block '{short}' holds the heading of section '{held[0]}'", name
    try:
        block_content(body, name)
    except ItemError:
        return f"kept_block '{short}' holds another block or the key line", name
    return None


@functools.lru_cache(maxsize=1024)
def _near_miss(name: str, blocks: tuple[str, ...]) -> str | None:
    """The tool's block NAME is close to and is not (worked out once a name: every issue of
    a template holds the same names, and the comparison was 5% of a run's CPU)."""
    if name in blocks:
        return None
    near = difflib.get_close_matches(name, blocks, n=1, cutoff=0.75)
    return near[0] if near else None


@dataclass(frozen=True)
class Group:
    """Issues that belong together (a cohort, a workshop): an epic, and maybe a rollup."""

    id: str
    name: str
    rollup: bool = False
    values: Mapping[str, Any] = field(default_factory=dict)  # for the templates
    blocks: BlockTexts = ()  # tool-owned blocks of its rollup issue, from configuration
    derived: tuple[Derived, ...] = ()  # blocks of its rollup issue computed from other issues
    # False: configuration still names the group but nothing is made for it now (a workshop
    # whose hires all left): its rollup and epic are kept up to date if they exist, not made
    create: bool = True


@dataclass(frozen=True)
class Generated:
    """What a program kind makes of its configuration."""

    issues: tuple[DesiredIssue, ...]
    groups: tuple[Group, ...] = ()
    tracking_blocks: BlockTexts = ()
    warnings: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()  # said once per run (pairs not released yet), not warnings
    failures: tuple[tuple[str, str], ...] = ()  # (key, message): items held back by a rule
    # keys of people still in the program whose issue cannot be written now (a hire with no
    # start date): one that exists is left as it stands, and the rollups count it so
    kept: frozenset[str] = frozenset()
    # keys whose issues under them (`KEY/...`) no longer asked for are left as they stand,
    # not withdrawn: a sponsorship pair held by a matching rule (its former sponsor's scores)
    waiting: frozenset[str] = frozenset()


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
    course: Course = field(default_factory=Course)  # members and endings (lifecycle.py)
    notices: tuple[str, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()  # (key, message): held back, see Generated
    index: DesiredIssue | None = None  # where a big program's index of keys goes (keyindex.py)
    ledgers: tuple[DesiredIssue, ...] = ()  # a big program's ledger shards (ledgerissues.py)
    # `leaving.reasons` under a name neither the roster nor the program file has (reasons.py)
    strays: tuple[Stray, ...] = ()
    listed: tuple[Listed, ...] = ()  # reasons of people still listed (reasons.listed_reasons)
    kept: frozenset[str] = frozenset()  # see Generated
    waiting: frozenset[str] = frozenset()  # see Generated
    project: str = ""  # the GitLab project's path (settings.yml): a link to one of its issues
    # (new, old) key paths of the groups renamed (`renamed_from`), most specific first: an
    # issue configuration no longer asks for follows them too (renames.moved)
    moves: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def by_key(self) -> dict[str, DesiredIssue]:
        """Its tracked issues by key."""
        return {item.key: item for item in self.issues}

    def every_issue(self) -> tuple[DesiredIssue, ...]:
        """Tracked issues, the tracking issue, group rollups, plan-style issues, the index
        issue and the ledger's shards (made only for a big program)."""
        index = (self.index,) if self.index is not None else ()
        return (*self.issues, self.tracking, *self.rollups, *self.plans, *index, *self.ledgers)

    def titles(self) -> dict[str, str]:
        """The titles an issue that lost its first line may be known by, by key: never a
        confidential item's (what the tool writes there must not reach an issue a person
        could have given that title)."""
        return {item.key: item.title for item in self.every_issue() if not item.confidential}


@dataclass(frozen=True)
class Context(Generic[P]):
    """Everything a program kind needs to render its issues."""

    config: Config
    program: P
    source: Source
    renderer: Renderer
    today: dt.date
    blocks: tuple[str, ...] = ()  # the tool-owned blocks its templates may hold
    # its issues' bodies are rendered when first read (later.py): a program planned from its
    # ledger reads few of them
    deferred: bool = False
    # how a problem is said (a confidential program's without people's names): what a body
    # rendered when read raises passes through it as the other problems do
    said: Callable[[Sequence[Problem]], list[Problem]] = list

    def title(self, template: str, loc: tuple[str, ...], values: Mapping[str, Any]) -> str:
        """A one-line title from a Jinja expression in the program file."""
        origin = self.source.problem(loc, "")
        return self.renderer.render_title(template, values, origin, self.program.id)

    def render(self, template: str, values: Mapping[str, Any]) -> str:
        """A template rendered, with the tool's block markers checked."""
        body = self.renderer.render(template, values, kept=True)
        misspelt = _misspelt_block(body, self.blocks)
        if misspelt is not None:
            path = self.renderer.templates_dir / template
            raise ConfigError([Problem(str(path), _line_of(path, misspelt[0]), misspelt[1])])
        for name in placed_blocks(body, self.blocks):
            try:
                block_content(body, name)
            except ItemError:  # the template's, whatever the issue's values
                path = self.renderer.templates_dir / template
                raise ConfigError([_misplaced(path, name)]) from None
        headings = [s.heading for s in self.program.sections]
        path = self.renderer.templates_dir / template
        _check_kept(body, path, headings, lambda name: self.renderer.line_naming(template, name))
        return body

    def issue(
        self, key: str, title: str, template: str, values: Mapping[str, Any], **fields: Any
    ) -> DesiredIssue:
        """A desired issue: marker, rendered body, program label and the sections it has
        (its body rendered when first read, in a program whose bodies are deferred)."""
        # as the roster spells them (a trial: `program_manager: Morgan.Lee` was assigned so, and
        # kept so on issues whose people are history once the casing was fixed)
        spelt = self.config.spelt
        if "assignees" in fields:
            fields["assignees"] = tuple(spelt(name) for name in fields["assignees"])
        if "roles" in fields:
            fields["roles"] = {r: tuple(map(spelt, names)) for r, names in fields["roles"].items()}
        body = Later(functools.partial(self._later, key, template, values))
        if not self.deferred:
            body.rendered()  # now: a problem in it is the run's, said before anything is read
        return DesiredIssue(
            key=key,
            title=title,
            description=body,
            labels=(program_label(self.program),),
            confidential=self.program.is_confidential,
            sections=body,
            kept=body,
            **fields,
        )

    def _later(self, key: str, template: str, values: Mapping[str, Any]) -> Rendered:
        """The body, rendered now or when first read: a problem found then (a template edited
        while the run went on) is said as the program's other problems are."""
        try:
            return self.rendered(key, template, values)
        except ConfigError as error:
            raise ConfigError(self.said(error.problems)) from None

    def rendered(self, key: str, template: str, values: Mapping[str, Any]) -> Rendered:
        """The issue KEY's body, the section headings it has, and its kept blocks."""
        description = self.body(key, template, values)
        headings = [s.heading for s in self.program.sections]
        found = headings_found(description, headings)
        return Rendered(description, found, kept_blocks(description))

    def body(self, key: str, template: str, values: Mapping[str, Any]) -> str:
        """The issue KEY's text: its identity line, then its template rendered; a failure that
        comes from its values names it (a template that failed for one person of a thousand
        said only its file and line), but not in a confidential program: its keys name its
        people and accounts, which no redaction of names alone covers (a reviewer's: an ESP
        account's id, a username of two letters)."""
        try:
            return f"{identity_marker(key)}\n{self.render(template, values)}"
        except ConfigError as error:
            if not depends_on_values(error.__cause__):
                raise
            which = "one of its issues" if self.program.is_confidential else f"the issue {key}"
            named = [replace(p, message=f"rendering {which}: {p.message}") for p in error.problems]
            raise ConfigError(named) from error

    def program_issue(self, key: str, values: Mapping[str, Any], **fields: Any) -> DesiredIssue:
        """An issue of the program's own template and title (a participant's, a hire's...)."""
        title = self.title(self.program.title, ("title",), values)
        return self.issue(key, title, self.program.template, values, **fields)

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

    def index_key(self) -> str:
        """The key of the program's index issue (keyindex.py)."""
        return index_key(self.tracking_key())


def _templates_named(value: object) -> Iterator[str]:
    """Every template a program file names (its values ending in `.j2`), wherever it is."""
    if isinstance(value, str) and value.endswith(".j2"):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _templates_named(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _templates_named(item)


def missing_headings(ctx: Context[Program], issues: tuple[DesiredIssue, ...]) -> list[Problem]:
    """Declared sections that no rendered issue has as a heading, nor any template the
    program file names as written (usually a typo). Those templates count too, so that a
    valid configuration stays valid whatever the day: a section of an issue made only from
    next month (a cohort's monthly group issue) is in its template today."""
    if not issues:
        return []
    headings = [s.heading for s in ctx.program.sections]
    wanted, present = set(headings), set[str]()
    for source in ctx.renderer.sources(_templates_named(ctx.program.model_dump())):
        present.update(headings_found(source, headings))
    for issue in issues:  # until each is found: an issue's body may be rendered when read
        if present >= wanted:
            break
        present.update(issue.sections or ())
    return [
        ctx.source.problem(
            ("sections", i, "heading"),
            f"'{section.heading}' is not a heading in "
            f"{ctx.renderer.templates_dir / ctx.program.template}; "
            "make it match a `## ...` heading of the template exactly",
        )
        for i, section in enumerate(ctx.program.sections)
        if section.heading not in present
    ]


def group_of(desired: DesiredProgram, item: DesiredIssue) -> str | None:
    """The id of the group (cohort, workshop) that ends, which a tracked issue belongs to: the
    group of its rollup issue, or of its epic."""
    prefix = f"{desired.program.id}/"
    for key in (*item.rollups, item.epic_key or ""):
        parts = key.removeprefix(prefix).split("/")
        if key.startswith(prefix) and len(parts) == 2 and parts[0] in desired.course.ends:
            return parts[0]
    return None


def is_over(
    desired: DesiredProgram, item: DesiredIssue, today: dt.date, due: dt.date | None = None
) -> bool:
    """Whether an issue's time is over: its own end passed (an ESP account's commitment), or
    its group (a cohort, a workshop) ended, unless DUE, the open issue's due date as the plan
    leaves it (`duedates.due_after`: a person's stays, the tool's follows configuration), is
    after the group's end and not past (a trial: a manager gave a participant two more weeks,
    and her issue was labelled `ended` the day after her cohort's end)."""
    if _own_end_passed(item, today):
        return True
    if not _group_ended(desired, item, today):
        return False
    end = desired.course.ends.get(group_of(desired, item) or "")
    return due is None or end is None or not end < due >= today


def _own_end_passed(item: DesiredIssue, today: dt.date) -> bool:
    return item.ends is not None and today >= item.ends


def _group_ended(desired: DesiredProgram, item: DesiredIssue, today: dt.date) -> bool:
    return bool(desired.course.ends) and desired.course.ended(group_of(desired, item), today)
