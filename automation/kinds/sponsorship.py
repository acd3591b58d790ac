"""Sponsorship programs: one confidential issue per sponsor/sponsee pair (Sales Sponsorship)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from automation.calendar import add_months
from automation.config.models import Pair, Sponsorship, SponsorshipCohort
from automation.config.sponsorship import findings
from automation.desired import Context, DesiredIssue, Generated, Group

CHECKPOINT_DAYS = 14  # the "start" satisfaction checkpoint, two weeks in


def generate(ctx: Context) -> Generated:
    """An issue per pair; each cohort is a group with a (confidential) rollup issue."""
    part = _part(ctx)
    issues = tuple(_pair(ctx, part, c, p) for c in part.cohorts for p in c.pairs)
    groups = tuple(Group(c.id, c.name, rollup=True, values={"cohort": c}) for c in part.cohorts)
    people = {person.username.lower(): person for person in ctx.config.people}
    found = findings(part, people, ctx.config.grades)
    warnings = tuple(str(ctx.source.problem(f.loc, f.message)) for f in found if not f.error)
    return Generated(issues, groups, warnings=warnings)


def _part(ctx: Context) -> Sponsorship:
    assert ctx.program.sponsorship is not None  # the model requires it for this kind
    return ctx.program.sponsorship


def dates(start: dt.date, months: int) -> dict[str, Any]:
    """When each phase ends and each checkpoint falls, from the cohort start."""
    end = add_months(start, months)
    span = (end - start).days

    def at(share: float) -> dt.date:
        return start + dt.timedelta(days=round(span * share))

    bounds = [start, at(0.25), at(0.5), at(0.75), end]
    names = ("Build", "Develop", "Commit", "Advocate")
    return {
        "start": start,
        "end": end,
        "phases": {name: (bounds[i], bounds[i + 1]) for i, name in enumerate(names)},
        "checkpoints": {
            "start": start + dt.timedelta(days=CHECKPOINT_DAYS),
            "mid": at(0.5),
            "end": end,
        },
        "quarters": [add_months(start, m) for m in range(3, months + 1, 3)],
    }


def _pair(ctx: Context, part: Sponsorship, cohort: SponsorshipCohort, pair: Pair) -> DesiredIssue:
    sponsor, sponsee = ctx.config.person(pair.sponsor), ctx.config.person(pair.sponsee)
    manager = ctx.config.person(sponsee.manager) if sponsee.manager else None
    when = dates(cohort.start, part.program_months)
    values = {
        "program": ctx.program,
        "cohort": cohort,
        "sponsor": sponsor,
        "sponsee": sponsee,
        "manager": manager,
        "part": part,
        "dates": when,
    }
    return ctx.issue(
        key=f"{ctx.program.id}/{cohort.id}/{sponsee.username.lower()}",
        title=ctx.title(ctx.program.title, ("title",), values),
        template=ctx.program.template,
        values=values,
        subject=f"{sponsee.name} with {sponsor.name}",
        group=cohort.name,
        assignees=(sponsor.username, sponsee.username),
        due_date=when["end"],
        epic_key=ctx.group_epic_key(cohort.id),
        rollups=(ctx.group_rollup_key(cohort.id),),
        completion_note=ctx.note(values),
    )
