"""The issues of a participants program: one per participant of each cohort."""

from __future__ import annotations

from automation.desired import Context, DesiredIssue, Generated, Group
from automation.kinds.participants.model import Cohort, ParticipantsProgram

Ctx = Context[ParticipantsProgram]


def generate(ctx: Ctx) -> Generated:
    """An issue per participant; each cohort is a group with its own epic."""
    issues = tuple(
        _participant(ctx, cohort, username)
        for cohort in ctx.program.cohorts
        for username in cohort.participants
    )
    groups = tuple(Group(c.id, c.name, values={"cohort": c}) for c in ctx.program.cohorts)
    return Generated(issues, groups, warnings=tuple(_overlaps(ctx.program.cohorts)))


def _overlaps(cohorts: tuple[Cohort, ...]) -> list[str]:
    """A person in two cohorts whose dates overlap gets two issues with the same title."""
    said = []
    for i, one in enumerate(cohorts):
        for other in cohorts[i + 1 :]:
            both = sorted(
                {u.lower() for u in one.participants} & {u.lower() for u in other.participants}
            )
            if both and _overlap(one, other):
                said.append(
                    f"{', '.join(both)} in both cohorts '{one.id}' and '{other.id}', whose dates "
                    "overlap: each gets two issues with the same title; keep them in one cohort"
                )
    return said


def _overlap(one: Cohort, other: Cohort) -> bool:
    """Whether two cohorts run at the same time (a missing date is open-ended)."""
    starts_before_other_ends = (
        other.end_date is None or (one.start_date or other.end_date) <= other.end_date
    )
    other_starts_before_one_ends = (
        one.end_date is None or (other.start_date or one.end_date) <= one.end_date
    )
    return starts_before_other_ends and other_starts_before_one_ends


def _participant(ctx: Ctx, cohort: Cohort, username: str) -> DesiredIssue:
    person = ctx.config.person(username)
    manager = ctx.config.person(person.manager) if person.manager else None
    values = {"program": ctx.program, "cohort": cohort, "participant": person, "manager": manager}
    return ctx.program_issue(
        key=f"{ctx.program.id}/{cohort.id}/{username.lower()}",
        values=values,
        subject=person.name,
        group=cohort.name,
        assignees=(person.username,),
        due_date=cohort.end_date,
        epic_key=ctx.group_epic_key(cohort.id),
        completion_note=ctx.note(values),
        dates={
            name: day
            for name, day in (("start", cohort.start_date), ("end", cohort.end_date))
            if day is not None
        },
        roles={
            "participant": (person.username,),
            "manager": (manager.username,) if manager else (),
        },
    )
