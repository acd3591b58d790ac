"""The issues of a sponsorship program: one per pair, dated from the cohort's start."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
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
MATCHES = "matches"  # a cohort rollup's block: the pairs proposed and approved, not released
MATCHES_TEMPLATE = "sales-sponsorship/matches.md.j2"


def generate(ctx: Ctx) -> Generated:
    """An issue per pair; each cohort is a group with a (confidential) rollup issue."""
    part = ctx.program.sponsorship
    issues = tuple(_pair(ctx, part, c, p) for c in part.cohorts for p in c.released())
    groups = tuple(
        Group(
            c.id, c.name, rollup=True, values={"cohort": c}, blocks=((MATCHES, _matches(ctx, c)),)
        )
        for c in part.cohorts
    )
    people = {person.username.lower(): person for person in ctx.config.people}
    found = findings(part, people, ctx.config.grades)
    warnings = tuple(str(ctx.source.problem(f.loc, f.message)) for f in found if not f.error)
    return Generated(issues, groups, warnings=warnings, notices=tuple(_staged_notices(ctx)))


def _matches(ctx: Ctx, cohort: SponsorshipCohort) -> str:
    """The cohort rollup's list of matches not released yet, for the program team."""
    staged = [
        {
            "status": pair.status,
            "sponsor": ctx.config.person(pair.sponsor),
            "sponsee": ctx.config.person(pair.sponsee),
        }
        for pair in cohort.staged()
    ]
    return ctx.renderer.render(MATCHES_TEMPLATE, {"cohort": cohort, "staged": staged})


def _staged_notices(ctx: Ctx) -> Iterator[str]:
    """What `plan` says about matches not released: counts only (who is matched with whom is
    confidential; the cohort rollup lists them)."""
    for cohort in ctx.program.sponsorship.cohorts:
        counts = Counter(pair.status for pair in cohort.staged())
        if counts:
            total = sum(counts.values())
            said = ", ".join(f"{counts[s]} {s}" for s in ("proposed", "approved") if counts[s])
            yield (
                f"{ctx.program.id}: cohort {cohort.id}: {total} "
                f"{'pair is' if total == 1 else 'pairs are'} not released ({said}): nothing is "
                "created, assigned or notified for them until `status: released` (the cohort "
                "rollup lists them)"
            )


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
        # the manager too: only assignees (and Planners) can read a confidential issue, and the
        # manager has tasks in it; GitLab Free keeps the first, the sponsor
        assignees=(sponsor.username, sponsee.username, *([manager.username] if manager else [])),
        due_date=when["end"],
        epic_key=ctx.group_epic_key(cohort.id),
        rollups=(ctx.group_rollup_key(cohort.id),),
        completion_note=ctx.note(values),
        dates={
            "start": when["start"],
            "end": when["end"],
            **{f"checkpoint_{name}": day for name, day in when["checkpoints"].items()},
        },
        roles={
            "participant": (sponsee.username,),
            "sponsor": (sponsor.username,),
            "manager": (manager.username,) if manager else (),
        },
    )
