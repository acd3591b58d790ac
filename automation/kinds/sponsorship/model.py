"""The program file of a sponsorship program: cohorts of sponsor/sponsee pairs and the rules."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from automation.calendar import add_months
from automation.config.counts import Amount, Count
from automation.config.models import (
    Date,
    Frozen,
    OneLine,
    Program,
    RecordField,
    Slug,
    Url,
    Username,
)

RuleLevel = Literal["warning", "error"]
# A match is proposed (by the program team), approved (by leadership), then released to the pair
# (the plan's "Release Sponsorship Matches"): only a released pair has issues, assignees, notes.
PairStatus = Literal["proposed", "approved", "released"]


class SponsorshipRules(Frozen):
    """Matching rules: must-rules are errors; should-rules are warnings unless set to error."""

    min_sponsor_grade: Count = Field(default=10, ge=1, le=20)
    min_grade_gap: Count = Field(default=2, ge=0, le=10)
    min_tenure_months: Count = Field(default=6, ge=0, le=120)
    sponsor_manages_people: RuleLevel = "warning"
    max_timezone_gap_hours: Amount = Field(default=6, ge=0, le=24)
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
    exception: OneLine | None = Field(
        default=None,
        description="why the matching rules are not checked for this pair any more: "
        "people.yml changed after the match (a promotion, a new manager)",
    )

    @property
    def released(self) -> bool:
        """Whether the pair is released to its people: the only pairs with issues."""
        return self.status == "released"

    def of(self, side: str) -> str:
        """The username on SIDE ('sponsor' or 'sponsee') of the pair."""
        return self.sponsor if side == "sponsor" else self.sponsee


class SponsorshipCohort(Frozen):
    """Pairs that start the program together."""

    id: Slug
    name: OneLine
    start: Date
    kickoff: Date | None = Field(default=None, description="the kick-off call's date")
    sponsor_training: Date | None = Field(default=None, description="the Sponsor Training's")
    pairs: tuple[Pair, ...] = Field(min_length=1)
    renamed_from: Slug | None = Field(default=None, description="the cohort's former id")
    program_months: Count | None = Field(
        default=None,
        ge=1,
        le=24,
        description="this cohort's length, when not the program's `program_months` (one "
        "cohort extended, say, leaving those that ended as they were)",
    )

    def released(self) -> tuple[Pair, ...]:
        """The pairs released to the people in them: the only ones with issues."""
        return tuple(pair for pair in self.pairs if pair.released)

    def staged(self) -> tuple[Pair, ...]:
        """The pairs proposed or approved, not released yet."""
        return tuple(pair for pair in self.pairs if not pair.released)


CheckpointId = Literal["start", "mid", "end"]
CHECKPOINT_DAYS = 14  # the "start" satisfaction checkpoint, two weeks in
SIDES = ("sponsee", "sponsor")


class Checkpoint(Frozen):
    """When both sides record their satisfaction: `start` (two weeks in by default), `mid`
    (halfway by default) and `end` (the program's last day by default)."""

    id: CheckpointId
    label: OneLine = Field(description="after 'Sponsee ' / 'Sponsor ', e.g. 'satisfaction (start)'")
    days_after_start: Count | None = Field(default=None, ge=0, le=800)
    renamed_from: OneLine | None = Field(
        default=None,
        description="the label's former wording: scores recorded under it are still read",
    )

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        """Its date in a cohort from START to END: `days_after_start` when given; else two
        weeks in (start), halfway (mid) or the last day (end)."""
        if self.days_after_start is not None:
            return start + dt.timedelta(days=self.days_after_start)
        halfway = start + dt.timedelta(days=round((end - start).days / 2))
        two_weeks = start + dt.timedelta(days=CHECKPOINT_DAYS)
        return {"start": two_weeks, "mid": halfway, "end": end}[self.id]


class Scores(Frozen):
    """Satisfaction scores: each person records theirs in an issue of their own, which the other
    side cannot read; the cohort's figure per checkpoint is published once, when it closes."""

    title: OneLine
    template: str
    out_of: Amount = Field(default=10, gt=0)
    checkpoints: tuple[Checkpoint, ...] = Field(min_length=1)
    grace_days: Count = Field(default=14, ge=0, le=365, description="after a checkpoint's date")
    min_answers: Count = Field(default=3, ge=2, le=1000, description="per published figure")

    @model_validator(mode="after")
    def _one_each(self) -> Scores:
        ids = [c.id for c in self.checkpoints]
        if len(set(ids)) != len(ids):
            raise ValueError("each checkpoint id (start, mid, end) may appear once")
        return self

    def label(self, side: str, checkpoint: Checkpoint) -> str:
        """The line a person fills in: `Sponsee satisfaction (start)`."""
        return f"{side.capitalize()} {checkpoint.label}"

    def former_label(self, side: str, checkpoint: Checkpoint) -> str | None:
        """The line as it was worded before `renamed_from`, if it was renamed."""
        was = checkpoint.renamed_from
        return f"{side.capitalize()} {was}" if was else None


class Advancement(Frozen):
    """The page's "Career Advancement Rate within twelve months": an issue per pair, that many
    months after the cohort ends, to record whether the sponsee advanced."""

    months_after_end: Count = Field(default=12, ge=1, le=36)
    title: OneLine
    template: str
    label: OneLine = Field(description="the line recorded: 1 (advanced) or 0 (not)")


class Sponsorship(Frozen):
    """The `sponsorship:` part of a sponsorship program."""

    program_months: Count = Field(default=6, ge=1, le=24)
    commitment_months: Count = Field(default=9, ge=1, le=24)
    allow_public_issues: bool = Field(default=False, description="see README.md, Privacy")
    handbook: Url | None = Field(default=None, description="the program's handbook page")
    lead: Username | None = Field(
        default=None,
        description="who runs the program: assigned its tracking issue, cohort rollups and plan",
    )
    phase_weights: dict[OneLine, Amount] = Field(
        default_factory=dict,
        description="each phase's share of the program, by heading; default: equal",
    )
    rules: SponsorshipRules = SponsorshipRules()
    scores: Scores | None = None
    advancement: Advancement | None = None
    cohorts: tuple[SponsorshipCohort, ...] = Field(min_length=1)

    @field_validator("phase_weights")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [name for name, weight in value.items() if weight <= 0]
        if bad:
            raise ValueError(f"phase weights must be above 0: {', '.join(bad)}")
        return value

    def end_of(self, cohort: SponsorshipCohort) -> dt.date:
        """The cohort's end: `program_months` after its start, the pairs' due date."""
        return add_months(cohort.start, self.months_of(cohort))

    def months_of(self, cohort: SponsorshipCohort) -> int:
        """How long the cohort runs: its own `program_months`, or the program's."""
        return cohort.program_months or self.program_months


class SponsorshipProgram(Program):
    """One confidential issue per sponsor/sponsee pair (Sales Sponsorship)."""

    confidential_by_default: ClassVar[bool] = True
    late_advice: ClassVar[str] = (
        "A pair released after its cohort ended gets no issue: there is nothing left to do "
        "in it. If the cohort's `start` or `program_months` is wrong, correct it; if the pair "
        "needs no issue (or had its issue deleted on purpose), take it out of the cohort"
    )

    kind: Literal["sponsorship"]
    sponsorship: Sponsorship

    def template_files(self) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """The program's, and its score and advancement issues'."""
        part = self.sponsorship
        own = (
            (("sponsorship", name, "template"), item.template)
            for name, item in (("scores", part.scores), ("advancement", part.advancement))
            if item is not None
        )
        return (*super().template_files(), *own)

    def lead_username(self) -> str | None:
        return self.sponsorship.lead

    def recorded_values(self) -> tuple[RecordField, ...]:
        """The program's `records`, and the scores and advancement lines of its own issues:
        never averaged in the rollups on every run (see `Scores`)."""
        part = self.sponsorship
        scores, advancement = part.scores, part.advancement
        own = (
            [
                RecordField(
                    label=scores.label(side, c),
                    out_of=scores.out_of,
                    rollup=False,
                    renamed_from=scores.former_label(side, c),
                )
                for c in scores.checkpoints
                for side in SIDES
            ]
            if scores is not None
            else []
        )
        if advancement is not None:
            own.append(RecordField(label=advancement.label, out_of=1, rollup=False))
        return (*self.records, *own)

    @model_validator(mode="after")
    def _confidential_unless_allowed(self) -> SponsorshipProgram:
        if self.confidential is False and not self.sponsorship.allow_public_issues:
            raise ValueError(
                "sponsorship issues are confidential: `confidential: false` also needs "
                "`sponsorship.allow_public_issues: true` (see README.md, Privacy)"
            )
        return self
