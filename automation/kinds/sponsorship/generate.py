"""The issues of a sponsorship program: one per pair, dated from the cohort's start."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from automation.calendar import add_months
from automation.desired import Context, DesiredIssue, Generated, Group
from automation.kinds.sponsorship.checks import findings
from automation.kinds.sponsorship.model import (
    Pair,
    Sponsorship,
    SponsorshipCohort,
    SponsorshipProgram,
)

Ctx = Context[SponsorshipProgram]
CHECKPOINT_DAYS = 14  # the "start" satisfaction checkpoint, two weeks in


def generate(ctx: Ctx) -> Generated:
    """An issue per pair; each cohort is a group with a (confidential) rollup issue."""
    part = ctx.program.sponsorship
    issues = tuple(_pair(ctx, part, c, p) for c in part.cohorts for p in c.pairs)
    groups = tuple(Group(c.id, c.name, rollup=True, values={"cohort": c}) for c in part.cohorts)
    people = {person.username.lower(): person for person in ctx.config.people}
    found = findings(part, people, ctx.config.grades)
    warnings = tuple(str(ctx.source.problem(f.loc, f.message)) for f in found if not f.error)
    return Generated(issues, groups, warnings=warnings)


def dates(start: dt.date, months: int, phases: Sequence[str] = ()) -> dict[str, Any]:
    """When each phase (by heading, of equal length, in order) ends and each checkpoint falls,
    from the cohort start."""
    end = add_months(start, months)
    span = (end - start).days

    def at(share: float) -> dt.date:
        return start + dt.timedelta(days=round(span * share))

    bounds = [at(i / max(len(phases), 1)) for i in range(len(phases) + 1)]
    return {
        "start": start,
        "end": end,
        "phases": {name: (bounds[i], bounds[i + 1]) for i, name in enumerate(phases)},
        "checkpoints": {
            "start": start + dt.timedelta(days=CHECKPOINT_DAYS),
            "mid": at(0.5),
            "end": end,
        },
        "quarters": [add_months(start, m) for m in range(3, months + 1, 3)],
    }


def _pair(ctx: Ctx, part: Sponsorship, cohort: SponsorshipCohort, pair: Pair) -> DesiredIssue:
    sponsor, sponsee = ctx.config.person(pair.sponsor), ctx.config.person(pair.sponsee)
    manager = ctx.config.person(sponsee.manager) if sponsee.manager else None
    phases = [section.heading for section in ctx.program.phases]
    when = dates(cohort.start, part.program_months, phases)
    values = {
        "program": ctx.program,
        "cohort": cohort,
        "sponsor": sponsor,
        "sponsee": sponsee,
        "manager": manager,
        "part": part,
        "dates": when,
    }
    return ctx.program_issue(
        key=f"{ctx.program.id}/{cohort.id}/{sponsee.username.lower()}",
        values=values,
        subject=f"{sponsee.name} with {sponsor.name}",
        group=cohort.name,
        assignees=(sponsor.username, sponsee.username),
        due_date=when["end"],
        epic_key=ctx.group_epic_key(cohort.id),
        rollups=(ctx.group_rollup_key(cohort.id),),
        completion_note=ctx.note(values),
    )
