"""The program file of a sponsorship program: cohorts of sponsor/sponsee pairs and the rules."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from automation.config.models import Frozen, OneLine, Program, Slug, Username

RuleLevel = Literal["warning", "error"]
# A match is proposed (by the program team), approved (by leadership), then released to the pair
# (the plan's "Release Sponsorship Matches"): only a released pair has issues, assignees, notes.
PairStatus = Literal["proposed", "approved", "released"]


class SponsorshipRules(Frozen):
    """Matching rules: must-rules are errors; should-rules are warnings unless set to error."""

    min_sponsor_grade: int = Field(default=10, ge=1, le=20)
    min_grade_gap: int = Field(default=2, ge=0, le=10)
    min_tenure_months: int = Field(default=6, ge=0, le=120)
    sponsor_manages_people: RuleLevel = "warning"
    max_timezone_gap_hours: float = Field(default=6, ge=0, le=24)
    timezone_gap: RuleLevel = "warning"


class Pair(Frozen):
    """A sponsor and their sponsee."""

    sponsor: Username
    sponsee: Username
    status: PairStatus = Field(
        default="released", description="proposed, approved, released (default: released)"
    )
    renamed_from: Username | None = Field(
        default=None, description="the sponsee's former username (the pair's id)"
    )


class SponsorshipCohort(Frozen):
    """Pairs that start the program together."""

    id: Slug
    name: OneLine
    start: dt.date
    pairs: tuple[Pair, ...] = Field(min_length=1)
    renamed_from: Slug | None = Field(default=None, description="the cohort's former id")

    def released(self) -> tuple[Pair, ...]:
        """The pairs released to the people in them: the only ones with issues."""
        return tuple(pair for pair in self.pairs if pair.status == "released")

    def staged(self) -> tuple[Pair, ...]:
        """The pairs proposed or approved, not released yet."""
        return tuple(pair for pair in self.pairs if pair.status != "released")


class Sponsorship(Frozen):
    """The `sponsorship:` part of a sponsorship program."""

    program_months: int = Field(default=6, ge=1, le=24)
    commitment_months: int = Field(default=9, ge=1, le=24)
    allow_public_issues: bool = Field(default=False, description="see README.md, Privacy")
    rules: SponsorshipRules = SponsorshipRules()
    cohorts: tuple[SponsorshipCohort, ...] = Field(min_length=1)


class SponsorshipProgram(Program):
    """One confidential issue per sponsor/sponsee pair (Sales Sponsorship)."""

    confidential_by_default: ClassVar[bool] = True

    kind: Literal["sponsorship"]
    sponsorship: Sponsorship

    @model_validator(mode="after")
    def _confidential_unless_allowed(self) -> SponsorshipProgram:
        if self.confidential is False and not self.sponsorship.allow_public_issues:
            raise ValueError(
                "sponsorship issues are confidential: `confidential: false` also needs "
                "`sponsorship.allow_public_issues: true` (see README.md, Privacy)"
            )
        return self
