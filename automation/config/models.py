"""Immutable, validated configuration: settings, the roster of people, and the programs."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cached_property
from typing import Annotated, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from automation.config.counts import Amount, Count
from automation.config.reminders import Reminders
from automation.config.source import shorten
from automation.mentions import USERNAME_PATTERN

RESERVED_USERNAMES = frozenset({"all", "here", "channel", "everyone"})

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"  # ids: of programs, cohorts, accounts
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=64),
]
Username = Annotated[
    str,
    StringConstraints(pattern=USERNAME_PATTERN, max_length=255),
]
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
DAYS_HELP = "write a date from 1900 to 2999"
# a date in configuration: the tool counts months and years on from it, so not near year 9999


def _no_number(value: object) -> object:
    """A date is written, not counted: pydantic reads a number (or digits in quotes) as
    seconds since 1970 (a fuzzing trial's `start_date: 1793577600` was 2026-11-02, unsaid, and
    `0` would be 1970-01-01)."""
    digits = isinstance(value, str) and value.strip().lstrip("-").isdigit()
    if digits or (isinstance(value, int | float) and not isinstance(value, bool)):
        raise PydanticCustomError("date_type", "a number is not a date")
    return value


Date = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY), BeforeValidator(_no_number)]
OneLine = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\r\n]*$")]
Url = Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$", max_length=2000)]


class Frozen(BaseModel):
    """Base of every config model: immutable, and unknown keys are errors (catches typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class GitLabSettings(Frozen):
    """Where the programs live in GitLab."""

    group: str = Field(min_length=1, description="full path of the group for labels and epics")
    project: str = Field(min_length=1, description="full path of the project for issues")
    epics: bool = True
    issue_creates_per_minute: Count = Field(default=150, ge=1, le=200)
    notes_per_minute: Count = Field(default=50, ge=1, le=60)
    issue_updates_per_minute: Count = Field(default=500, ge=1, le=600)
    former_users: tuple[Username, ...] = Field(
        default=(), description="users of replaced tokens, whose issues the tool keeps"
    )

    @field_validator("group", "project")
    @classmethod
    def _plain_path(cls, value: str) -> str:
        return _gitlab_path(value)


def _gitlab_path(value: str) -> str:
    """A group's or project's full path (or id) as GitLab's API finds it: the tool encodes the
    `/` itself, so an encoded one, an address or stray slashes would find nothing."""
    example = "e.g. enablement/programs, or the numeric id in quotes"
    if "://" in value:
        raise ValueError(
            f"'{shorten(value)}' is a web address; write the full path only, {example}"
        )
    if "%2f" in value.lower():
        raise ValueError(f"write '/' as it is, not '%2F' (the tool encodes it), {example}")
    if value.startswith("/") or value.endswith("/") or "//" in value or " " in value:
        raise ValueError(
            f"'{shorten(value)}' is not a full path: write it without spaces or a leading or "
            f"trailing '/', {example}"
        )
    odd = next((part for part in value.split("/") if not _path_part(part)), None)
    if odd is not None:
        raise ValueError(
            f"'{shorten(odd)}' cannot be part of a GitLab path: a group's or project's path has "
            "letters, digits, '_', '-' and '.', starts with a letter, digit, '_' or '.', and "
            f"does not end in '.', '.git' or '.atom', {example}"
        )
    return value


# A path segment as GitLab allows one (lib/gitlab/path_regex.rb): `@all` or `ops team` is none.
_PATH_PART = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*")


def _path_part(part: str) -> bool:
    """Whether GitLab allows PART in a path: not `programs.git` (pasted from a clone address),
    `x.atom`, or one ending in '.' (`.` and `..`: requests drops them, and the run asked
    the project list instead, then blamed GITLAB_URL: a review)."""
    ends = part.lower().endswith((".", ".git", ".atom"))
    return bool(_PATH_PART.fullmatch(part)) and not ends


class Settings(Frozen):
    """config/settings.yml."""

    gitlab: GitLabSettings


class Person(Frozen):
    """One person in config/people.yml; only what the programs need."""

    username: Username
    name: OneLine
    title: OneLine | None = None
    grade: Count | None = Field(default=None, ge=1, le=20, description="when not from the title")
    manager: Username | None = None
    start_date: Date | None = None
    geo: OneLine | None = None
    timezone: OneLine | None = Field(default=None, description="IANA name, e.g. Europe/Berlin")
    onboarding_issue: Url | None = Field(default=None, description="general onboarding issue")

    @field_validator("username")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.lower() in RESERVED_USERNAMES:
            raise ValueError(
                f"'{shorten(value)}' is a reserved GitLab mention, not a person; use the "
                "person's own GitLab username"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown timezone '{shorten(value)}'; use a name like Europe/Berlin or "
                    "America/New_York"
                ) from None
        return value


class Roster(Frozen):
    """config/people.yml."""

    people: tuple[Person, ...]


class JobTitle(Frozen):
    """A title and its job grade, with the other spellings the handbook uses for it."""

    title: OneLine
    grade: Count = Field(ge=1, le=20)
    also: tuple[OneLine, ...] = Field(
        default=(), description="other spellings, e.g. the page's level heading"
    )

    def names(self) -> tuple[str, ...]:
        """The title and its other spellings."""
        return (self.title, *self.also)


class GradeRange(Frozen):
    """Grades `from` to `to`, both included."""

    low: Count = Field(alias="from", ge=1, le=20)
    high: Count = Field(alias="to", ge=1, le=20)

    def __contains__(self, grade: object) -> bool:
        return isinstance(grade, int) and self.low <= grade <= self.high

    @model_validator(mode="after")
    def _ordered(self) -> GradeRange:
        if self.low > self.high:
            raise ValueError(f"`from` ({self.low}) is above `to` ({self.high})")
        return self


Track = Literal["individual contributor", "manager"]


class JobFamily(Frozen):
    """A job family's titles, as its handbook page lists them, and which of its grades are
    individual contributors' and which managers' (where the page says)."""

    name: OneLine
    source: OneLine | None = None
    individual_contributor_grades: GradeRange | None = None
    manager_grades: GradeRange | None = None
    titles: tuple[JobTitle, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _tracks_apart(self) -> JobFamily:
        ic, manager = self.individual_contributor_grades, self.manager_grades
        if (
            ic is not None
            and manager is not None
            and ic.low <= manager.high
            and manager.low <= ic.high
        ):
            raise ValueError(
                "individual_contributor_grades and manager_grades overlap; a grade is one or "
                "the other"
            )
        return self

    def track(self, grade: int) -> Track | None:
        """Whether the grade is an individual contributor's or a manager's in this family."""
        if grade in (self.manager_grades or ()):
            return "manager"
        if grade in (self.individual_contributor_grades or ()):
            return "individual contributor"
        return None


class JobGrades(Frozen):
    """config/job-grades.yml: titles to grades, one family after another."""

    families: tuple[JobFamily, ...]

    def _find(self, title: str) -> tuple[JobFamily, JobTitle] | None:
        wanted = _folded(title)
        for family in self.families:
            for known in family.titles:
                if any(_folded(name) == wanted for name in known.names()):
                    return family, known
        return None

    def grade_of(self, title: str) -> int | None:
        """The grade of a title (case and spacing ignored), or None for an unknown title."""
        found = self._find(title)
        return found[1].grade if found else None

    def track_of(self, title: str) -> tuple[Track, str] | None:
        """Whether the title is an individual contributor's or a manager's, and its family's
        name; None when the title is unknown or its family does not split its grades."""
        found = self._find(title)
        if found is None:
            return None
        family, known = found
        track = family.track(known.grade)
        return (track, family.name) if track else None

    def titles(self) -> list[str]:
        """Every known title."""
        return [known.title for family in self.families for known in family.titles]


def _folded(title: str) -> str:
    return " ".join(title.split()).casefold()


class Section(Frozen):
    """A heading of the issue template whose tasks are counted together (a phase or module)."""

    heading: OneLine
    label: OneLine | None = Field(default=None, description="phase label value; the heading")
    ongoing: bool = Field(default=False, description="counted, but never the current phase")
    required: bool = Field(
        default=True,
        description="false: its tasks are measured and shown (progress table, rollups) but "
        "not needed for the issue's completion, and it is never the current phase",
    )
    renamed_from: OneLine | None = Field(
        default=None,
        description="the heading the section had before: issues made with it are counted "
        "under this one, and open ones get the new heading",
    )

    @property
    def is_phase(self) -> bool:
        """Whether the section can be an issue's current phase."""
        return self.required and not self.ongoing

    @property
    def label_value(self) -> str:
        """The value of the phase label for this section."""
        return self.label or self.heading

    @model_validator(mode="after")
    def _usable_as_label(self) -> Section:
        value = self.label_value
        if not self.is_phase:
            return self  # never a phase label (a reviewer: an ongoing section was refused)
        if "," in value or "::" in value:
            raise ValueError(
                f"phase label '{shorten(value)}' cannot contain ',' or '::' (GitLab would "
                "split it); set `label:` to a short name without them"
            )
        # GitLab keeps a label's title under 256 characters, and stores it without tags and
        # with entities decoded: a label it stores otherwise is never found again, and the
        # program's issues fail on every run (a tester's finding)
        if len(value) > PHASE_LABEL_MAX:
            raise ValueError(
                f"phase label '{value[:40]}…' is {len(value)} characters long; GitLab takes "
                f"at most {PHASE_LABEL_MAX} after 'phase::': set `label:` to a short name"
            )
        if "\u00a0" in value:  # a French space before a colon, a Mac's Option-Space
            raise ValueError(
                f"phase label '{shorten(value)}' holds a non-breaking space, which GitLab keeps "
                "as '&nbsp;' in a label's name (never found again by it); set `label:` to a "
                "name with plain spaces"
            )
        if _MARKUP.search(value):
            raise ValueError(
                f"phase label '{shorten(value)}' holds what GitLab takes for HTML (a tag or an "
                "entity, which it removes from label names); set `label:` to a name without it"
            )
        return self


PHASE_LABEL_MAX = 255 - len("phase::")
_MARKUP = re.compile(r"<[A-Za-z!/?]|&(?:#\d+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


class Tracking(Frozen):
    """The program's tracking issue."""

    title: OneLine
    group_title: OneLine = Field(
        default="{{ program.name }}: {{ group.name }}",
        description="Jinja expression for the title of a group's (cohort's) rollup issue",
    )
    template: str = "tracking.md.j2"


class Completion(Frozen):
    """What happens once every task of an issue is done."""

    note: str | None = Field(default=None, description="template of a note posted once, ever")
    close: bool = False


Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\r\n]*$")]


class Leaving(Frozen):
    """What happens to the issue of a person (or account) removed from the program while it
    is open: it is labelled `status::withdrawn`, gets one note, and is closed unless
    `close: false`. `reasons` gives the note's reason, by username or account id."""

    close: bool = True
    reasons: dict[Username, Reason] = Field(default_factory=dict)

    @field_validator("reasons")
    @classmethod
    def _one_reason_each(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for name in value:
            if name.lower() in seen:
                raise ValueError(  # names no one: the program may be confidential
                    "two reasons are for the same username written in another case (GitLab "
                    "ignores case); keep one reason"
                )
            seen[name.lower()] = name
        return value

    def reason(self, who: str) -> str | None:
        """The reason given for a username or account id, whatever its case."""
        wanted = who.lower()
        return next((text for name, text in self.reasons.items() if name.lower() == wanted), None)


class RecordField(Frozen):
    """A value people record in an issue on a `Label: value` line."""

    label: Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[^:\r\n]+$")]
    out_of: Amount | None = Field(default=None, gt=0, description="the scale, e.g. 10")
    least: Amount | None = Field(
        default=None,
        alias="min",
        allow_inf_nan=False,
        description="the smallest value that makes sense: 0 for a count",
    )
    min_for_average: Count = Field(
        default=1, ge=1, description="hide the average until this many issues recorded a value"
    )
    rollup: bool = Field(
        default=True, description="averaged in the rollups on every run; false: published otherwise"
    )
    renamed_from: (
        Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[^:\r\n]+$")]
        | None
    ) = Field(
        default=None,
        description="the label's former wording: lines recorded under it are still read",
    )

    @model_validator(mode="after")
    def _least_on_scale(self) -> RecordField:
        if self.least is not None and self.out_of is not None and self.least >= self.out_of:
            raise ValueError(
                f"min ({self.least:g}) must be less than out_of ({self.out_of:g}); a value on "
                "the scale is read from min to out_of"
            )
        return self


class PlanIssue(Frozen):
    """A plan-style issue whose task lines end in completion figures (=> `45%`)."""

    title: OneLine
    template: str


class Program(Frozen):
    """One program file in config/programs/: what every kind has. Each kind subclasses it with
    `kind: Literal[...]` and its own part (see automation/kinds/)."""

    confidential_by_default: ClassVar[bool] = False
    backfill_setting: ClassVar[str | None] = None  # where a kind's backfill of missed periods is
    # what to do about issues configuration asked for after their time was over (missed.py)
    late_advice: ClassVar[str] = (
        "Take out of configuration whoever needs no issue (or had theirs deleted on purpose)"
    )

    id: Slug
    name: OneLine
    kind: str
    template: str
    title: OneLine = Field(description="Jinja expression for each issue's title")
    confidential: bool | None = Field(default=None, description="default: the kind's")
    sections: tuple[Section, ...] = Field(min_length=1)
    tracking: Tracking
    completion: Completion = Completion()
    records: tuple[RecordField, ...] = ()
    plan: PlanIssue | None = None
    leaving: Leaving = Leaving()
    renamed_from: Slug | None = Field(
        default=None, description="the program's former id, whose issues it takes over"
    )
    reminders: Reminders = Reminders()

    def recorded_values(self) -> tuple[RecordField, ...]:
        """Every value people record in the program's issues: `records`, and what its kind adds."""
        return self.records

    def year_start_month(self) -> int:
        """The month the program's years start in (its kind's backfill `year` reaches back to
        the start of the current one): January, or a fiscal year's."""
        return 1

    def lead_username(self) -> str | None:
        """Who runs the program, as its kind's setting names them (None: nobody): assigned its
        own issues (tracking, group rollups, plan), and its reminders' `program_lead` on every
        issue unless `reminders.program_lead` names someone else."""
        return None

    def made_days_before_start(self) -> int | None:
        """How many days before its `start` date a kind makes an issue (None: not so)."""
        return None

    def template_files(self) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """Each template file the program names, with where in its file: each must exist (a
        tester's missing `completion.note` was said at line 1 of the file that was not there).
        A kind adds its own. An empty `template` is said (`validate` names its line); an empty
        completion note is none, as it was before that (a review)."""
        note = self.completion.note
        return (
            (("template",), self.template),
            (("tracking", "template"), self.tracking.template),
            *([(("completion", "note"), note)] if note else []),
        )

    @property
    def is_confidential(self) -> bool:
        """As configured, or as the kind has it by default (sponsorship: confidential)."""
        return self.confidential if self.confidential is not None else self.confidential_by_default

    @property
    def outputs_hidden(self) -> bool:
        """Whether outputs (logs, plans, reports, the dashboard) show its items only by
        reference, and none of its people: when it is confidential, and for a kind
        confidential by default even when its file makes it public (its earlier issues stay
        confidential in GitLab: a tester saw their pairs named in the log once it was)."""
        return self.is_confidential or self.confidential_by_default

    @property
    def renamed_headings(self) -> tuple[tuple[str, str], ...]:
        """(old, new) for each section said to be renamed (`renamed_from`)."""
        return tuple((s.renamed_from, s.heading) for s in self.sections if s.renamed_from)

    @property
    def phases(self) -> tuple[Section, ...]:
        """The sections that are phases (can be current), in order."""
        return tuple(s for s in self.sections if s.is_phase)


class Config(Frozen):
    """Everything a run needs, validated and cross-checked."""

    settings: Settings
    people: tuple[Person, ...]
    programs: tuple[Program, ...]
    grades: JobGrades = JobGrades(families=())

    def grade(self, person: Person) -> int | None:
        """A person's grade: given in the roster, or that of their title."""
        return grade_of(person, self.grades)

    @cached_property
    def _by_username(self) -> dict[str, Person]:
        return by_username(self.people)

    def person(self, username: str) -> Person:
        """The roster entry for a username, case-insensitively as GitLab matches them."""
        return self._by_username[username.lower()]

    def spelt(self, username: str) -> str:
        """A username as the roster spells it (`Morgan.Lee` in a program file: `morgan.lee`),
        or as given when the roster has no such person."""
        found = self._by_username.get(username.lower())
        return found.username if found else username


def by_username(people: Iterable[Person]) -> dict[str, Person]:
    """The roster by lowercased username, each username's first entry: a repeat is reported
    as such, and checks that look a person up read the entry the message calls the first."""
    found: dict[str, Person] = {}
    for person in people:
        found.setdefault(person.username.lower(), person)
    return found


def grade_of(person: Person, grades: JobGrades) -> int | None:
    """A person's grade: given in the roster, or that of their title."""
    if person.grade is not None:
        return person.grade
    return grades.grade_of(person.title) if person.title else None


def title_grade_differs(person: Person, grades: JobGrades) -> int | None:
    """The grade of a person's title when their `grade:` says another (a roster problem, said
    there: rules that read the grade wait for it), else None."""
    from_title = grades.grade_of(person.title) if person.title else None
    return from_title if from_title is not None and person.grade not in (None, from_title) else None


def title_unlisted(person: Person, grades: JobGrades) -> bool:
    """Whether a person's grade is missing for want of their title in job-grades.yml (a roster
    problem, said there for those whose grade a rule reads: the rule waits for it)."""
    listed = person.title is None or not grades.families or grades.grade_of(person.title)
    return person.grade is None and not listed


def managing(people: Iterable[Person]) -> frozenset[str]:
    """The lowercased usernames someone in the roster names as their `manager`."""
    return frozenset(p.manager.lower() for p in people if p.manager)


def manages_people(
    person: Person, managers: frozenset[str], grades: JobGrades
) -> tuple[bool, str | None]:
    """Whether a person manages people: by their title's grade where its job family splits
    individual contributor and manager grades (the family's name comes with the answer), or
    else by someone in the roster reporting to them (MANAGERS: `managing`; no family)."""
    track = grades.track_of(person.title) if person.title else None
    if track is not None:
        return track[0] == "manager", track[1]
    return person.username.lower() in managers, None
