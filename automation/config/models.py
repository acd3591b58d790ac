"""Immutable, validated configuration: settings, the roster of people, and the programs."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

RESERVED_USERNAMES = frozenset({"all", "here", "channel", "everyone"})

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=64),
]
Username = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$", max_length=255),
]
OneLine = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\r\n]*$")]


class Frozen(BaseModel):
    """Base of every config model: immutable, and unknown keys are errors (catches typos)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class GitLabSettings(Frozen):
    """Where the programs live in GitLab."""

    group: str = Field(min_length=1, description="full path of the group for labels and epics")
    project: str = Field(min_length=1, description="full path of the project for issues")
    epics: bool = True
    issue_creates_per_minute: int = Field(default=150, ge=1, le=200)


class Settings(Frozen):
    """config/settings.yml."""

    gitlab: GitLabSettings


class Person(Frozen):
    """One person in config/people.yml; only what the programs need."""

    username: Username
    name: OneLine
    title: OneLine | None = None
    manager: Username | None = None
    start_date: dt.date | None = None

    @field_validator("username")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.lower() in RESERVED_USERNAMES:
            raise ValueError(f"'{value}' is a reserved GitLab mention, not a person")
        return value


class Roster(Frozen):
    """config/people.yml."""

    people: tuple[Person, ...]


class Section(Frozen):
    """A heading of the issue template whose tasks are counted together (a phase or module)."""

    heading: OneLine
    label: OneLine | None = Field(default=None, description="phase label value; the heading")
    ongoing: bool = Field(default=False, description="counted, but never the current phase")

    @property
    def label_value(self) -> str:
        """The value of the phase label for this section."""
        return self.label or self.heading

    @model_validator(mode="after")
    def _usable_as_label(self) -> Section:
        value = self.label_value
        if "," in value or "::" in value:
            raise ValueError(
                f"phase label '{value}' cannot contain ',' or '::' (GitLab would split it); "
                "set `label:` to a short name without them"
            )
        return self


class Cohort(Frozen):
    """A group of participants that start together."""

    id: Slug
    name: OneLine
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    participants: tuple[Username, ...] = Field(min_length=1)


class Tracking(Frozen):
    """The program's tracking issue."""

    title: OneLine
    template: str = "tracking.md.j2"


class Program(Frozen):
    """One program file in config/programs/."""

    id: Slug
    name: OneLine
    kind: Literal["participants"]
    template: str
    title: OneLine = Field(description="Jinja expression for each issue's title")
    confidential: bool = False
    sections: tuple[Section, ...] = Field(min_length=1)
    tracking: Tracking
    cohorts: tuple[Cohort, ...] = ()

    @property
    def phases(self) -> tuple[Section, ...]:
        """The sections that are phases (can be current), in order."""
        return tuple(s for s in self.sections if not s.ongoing)


class Config(Frozen):
    """Everything a run needs, validated and cross-checked."""

    settings: Settings
    people: tuple[Person, ...]
    programs: tuple[Program, ...]

    @cached_property
    def _by_username(self) -> dict[str, Person]:
        return {person.username.lower(): person for person in self.people}

    def person(self, username: str) -> Person:
        """The roster entry for a username, case-insensitively as GitLab matches them."""
        return self._by_username[username.lower()]
