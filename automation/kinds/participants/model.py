"""The program file of a participants program: its cohorts of participants."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, field_validator

from automation.config.counts import Count
from automation.config.models import Date, Frozen, OneLine, Program, Slug, Username


class Participant(Frozen):
    """A participant whose GitLab username changed: `{username: NEW, renamed_from: OLD}`, so
    their issue follows them instead of a new one being made."""

    username: Username
    renamed_from: Username


class Cohort(Frozen):
    """A group of participants that start together."""

    id: Slug
    name: OneLine
    start_date: Date | None = None
    end_date: Date | None = None
    participants: tuple[Username | Participant, ...]
    renamed_from: Slug | None = Field(default=None, description="the cohort's former id")

    @field_validator("participants")
    @classmethod
    def _someone(cls, value: tuple[str | Participant, ...]) -> tuple[str | Participant, ...]:
        """A cohort with nobody yet (sign-up still open) says what to do meanwhile."""
        if not value:
            raise ValueError(
                "lists nobody; a cohort needs at least one participant: list them, or leave "
                "the cohort out of the file (comment its lines out with #) until it has some"
            )
        return value

    @property
    def usernames(self) -> tuple[str, ...]:
        """The participants' usernames, as they are now."""
        return tuple(p if isinstance(p, str) else p.username for p in self.participants)


class GroupIssues(Frozen):
    """A cohort's own issue each month (the pilot group's calls and async discussion), from
    its start date to its end date, assigned to the program lead."""

    template: str
    title: OneLine = Field(
        description="Jinja expression; `program`, `cohort`, `period` (`name`, `start`, `end`)"
    )
    backfill: Literal["none", "quarter", "year"] = Field(
        default="none",
        description="months that ended with no issue (runs were missed) are created, overdue, "
        "back to the start of the current calendar quarter or year; none: only this month's",
    )


class ParticipantsProgram(Program):
    """One issue per participant of each cohort (CSM Aspiring Leaders)."""

    backfill_setting: ClassVar[str | None] = "group_issues.backfill"
    late_advice: ClassVar[str] = (
        "A participant added to a cohort after its `end_date` gets no issue. If the end date is "
        "wrong, correct it (they get their issue then); if they need none (or had theirs "
        "deleted on purpose), take them out of the cohort"
    )

    kind: Literal["participants"]
    lead: Username | None = Field(
        default=None, description="the program lead: assigned the tracking and group issues"
    )
    group_issues: GroupIssues | None = None
    create_days_before_start: Count = Field(
        default=14,
        ge=0,
        le=365,
        description="a cohort's participant issues are made this many days before it starts "
        "(not months ahead, telling people of something far off)",
    )
    individual_contributors: bool = Field(
        default=False,
        description="the program is for individual contributors: a participant who manages "
        "people is warned about",
    )
    cohorts: tuple[Cohort, ...] = ()

    def made_days_before_start(self) -> int | None:
        """A participant's issue is made this many days before the cohort's start."""
        return self.create_days_before_start

    def lead_username(self) -> str | None:
        return self.lead

    def template_files(self) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """The program's, and its cohorts' monthly group issues'."""
        group = self.group_issues
        own = ((("group_issues", "template"), group.template),) if group else ()
        return (*super().template_files(), *own)
