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
    return Generated(issues, groups)


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
    )
