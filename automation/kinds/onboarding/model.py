"""The program file of an onboarding program: roles, SQS workshops, hires and milestones."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field

from automation.config.counts import Count
from automation.config.models import Date, Frozen, OneLine, Program, Slug, Url, Username


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


# a hire's role or workshop id in any case (`role: AE` is role `ae`; a tester was told the id
# format instead of the program's roles), as usernames and geos match in any case
AnyCaseId = Annotated[Slug, BeforeValidator(_lower)]


class Role(Frozen):
    """An onboarding role and the track it follows."""

    id: Slug
    name: OneLine
    track: Literal["sales", "customer-success"]
    capstone: OneLine | None = Field(default=None, description="customer success capstone")
    workshop: bool = Field(default=True, description="attends the SQS workshop")


class ExcludedRole(Frozen):
    """A role that has its own onboarding and must not be put in this program."""

    id: Slug
    reason: OneLine


class Workshop(Frozen):
    """A Sales Quick Start workshop: the page's columns (dates, geo, location, issue)."""

    id: Slug
    start: Date
    end: Date
    geo: OneLine
    location: OneLine
    issue: Url | None = None
    learning_path: Url | None = Field(
        default=None, description="this cohort's learning path; default: `links.learning_path`"
    )
    sdrs: tuple[Username, ...] = Field(
        default=(),
        description="Sales Development Reps attending: counted in the cohort, no issue",
    )

    @property
    def dates(self) -> str:
        """The dates as the handbook writes them, e.g. Sep 28-Oct 7, 2020; across a new
        year with both years, Dec 29, 2026-Jan 5, 2027 (a tester: it read "Dec 29-Jan 5,
        2026", the handbook's words for a workshop a year earlier)."""
        first = f"{self.start:%b} {self.start.day}"
        if self.end == self.start:
            return f"{first}, {self.start.year}"
        if self.end.year != self.start.year:
            return f"{first}, {self.start.year}-{self.end:%b} {self.end.day}, {self.end.year}"
        same_month = self.end.month == self.start.month
        last = f"{self.end.day}" if same_month else f"{self.end:%b} {self.end.day}"
        return f"{first}-{last}, {self.end.year}"


class Cancelled(Frozen):
    """A workshop a hire will not attend, with the Regional Director's written approval."""

    workshop: AnyCaseId
    approved_by: Username = Field(description="the Regional Director who approved in writing")

    approval: Url = Field(description="where the written approval is (an issue, a message)")


class Hire(Frozen):
    """A new hire in onboarding: who, in which role, and optionally which workshop."""

    username: Username
    role: AnyCaseId
    workshop: AnyCaseId | None = Field(default=None, description="overrides the automatic choice")
    renamed_from: Username | None = Field(
        default=None, description="their former GitLab username, after a username change"
    )
    cancelled: tuple[Cancelled, ...] = Field(
        default=(), description="workshops cancelled with approval: not chosen again"
    )


class MilestoneDays(Frozen):
    """When a hire's milestones fall, in days: after the start date, or after the workshop."""

    ready: Count = Field(default=30, ge=0, le=365, description='"customer conversation ready"')
    goal: Count = Field(default=90, ge=0, le=365, description="first deal or engagement; due date")
    live_lead: Count = Field(default=30, ge=0, le=365, description="after the SQS workshop ends")


class Links(Frozen):
    """The handbook's links: the learning path (each workshop may have its own), the SQS
    learning objectives and the workshop agenda."""

    learning_path: Url | None = None
    objectives: Url | None = None
    agenda: Url | None = None


class Swag(Frozen):
    """The swag kit new sales team members of some geos may order."""

    geos: tuple[OneLine, ...] = ()
    tracks: tuple[Literal["sales", "customer-success"], ...] | None = Field(
        default=None, description="the tracks whose hires may order it (default: every track)"
    )
    form: Url | None = None

    def offered(self, geo: str | None, track: str) -> bool:
        """Whether a hire of this geo (any case, as workshops match) and track may order it."""
        if not geo or geo.casefold() not in {g.casefold() for g in self.geos}:
            return False
        return self.tracks is None or track in self.tracks


class Onboarding(Frozen):
    """The `onboarding:` part of an onboarding program."""

    create_days_before_start: Count = Field(default=14, ge=0, le=365)
    prework_days: Count = Field(
        default=14,
        ge=0,
        le=365,
        description="a hire's workshop starts at least this many days after their start",
    )
    prework_due_days: Count = Field(
        default=3,
        ge=0,
        le=60,
        description="the pre-work is due this many days before the workshop starts",
    )
    prework_section: OneLine | None = Field(
        default="SQS pre-work",
        description="the section whose tasks are the pre-work (by its heading, or the one it "
        "was renamed from): a workshop's rollup says whose is finished; null: the program has "
        "no pre-work (its rollups list none)",
    )
    links: Links = Links()
    swag: Swag = Swag()
    learning_path_note: str | None = Field(
        default=None,
        description="template of the note posted once on the hire's general onboarding issue",
    )
    enablement_contact: Username
    milestone_days: MilestoneDays = MilestoneDays()
    roles: tuple[Role, ...] = Field(min_length=1)
    excluded_roles: tuple[ExcludedRole, ...] = ()
    workshops: tuple[Workshop, ...] = ()
    hires: tuple[Hire, ...] = ()

    def group_name(self, workshop: Workshop) -> str:
        """The workshop's cohort as its rollup, its hires' rows and the dashboard name it: by
        its dates and geo, and its location too when another workshop has the same dates
        and geo (an AMER virtual one beside an AMER one in Austin)."""
        name = f"SQS {workshop.dates} {workshop.geo}"
        twins = [w for w in self.workshops if (w.dates, w.geo) == (workshop.dates, workshop.geo)]
        return f"{name} ({workshop.location})" if len(twins) > 1 else name


class OnboardingProgram(Program):
    """One issue per new hire, on the track of their role (Sales Onboarding)."""

    late_advice: ClassVar[str] = (
        "Take out of `hires` whoever needs no issue (or had theirs deleted on purpose); give "
        "someone still to be onboarded a later `start_date`; for someone whose issue has "
        "another username, write `renamed_from` (README 'Renaming')"
    )

    kind: Literal["onboarding"]
    onboarding: Onboarding

    def lead_username(self) -> str | None:
        """Field Enablement's contact: the tracking issue and workshop rollups are theirs."""
        return self.onboarding.enablement_contact

    def made_days_before_start(self) -> int | None:
        """A hire's issue is made this many days before their start date."""
        return self.onboarding.create_days_before_start

    def template_files(self) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """The program's, and the learning-path note's."""
        note = self.onboarding.learning_path_note
        own = ((("onboarding", "learning_path_note"), note),) if note else ()
        return (*super().template_files(), *own)

    def prework_heading(self) -> str | None:
        """The heading of the pre-work section now (renamed, its new one), if there is one."""
        named = self.onboarding.prework_section
        if named is None:
            return None
        return next(
            (s.heading for s in self.sections if named in (s.heading, s.renamed_from)), None
        )
