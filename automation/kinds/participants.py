"""Participants programs: one issue per participant of each cohort (CSM Aspiring Leaders)."""

from __future__ import annotations

from automation.config.models import Cohort
from automation.desired import Context, DesiredIssue, Generated, Group


def generate(ctx: Context) -> Generated:
    """An issue per participant; each cohort is a group with its own epic."""
    issues = tuple(
        _participant(ctx, cohort, username)
        for cohort in ctx.program.cohorts
        for username in cohort.participants
    )
    groups = tuple(Group(c.id, c.name, values={"cohort": c}) for c in ctx.program.cohorts)
    return Generated(issues, groups)


def _participant(ctx: Context, cohort: Cohort, username: str) -> DesiredIssue:
    person = ctx.config.person(username)
    manager = ctx.config.person(person.manager) if person.manager else None
    values = {"program": ctx.program, "cohort": cohort, "participant": person, "manager": manager}
    return ctx.issue(
        key=f"{ctx.program.id}/{cohort.id}/{username.lower()}",
        title=ctx.title(ctx.program.title, ("title",), values),
        template=ctx.program.template,
        values=values,
        subject=person.name,
        group=cohort.name,
        assignees=(person.username,),
        due_date=cohort.end_date,
        epic_key=ctx.group_epic_key(cohort.id),
        completion_note=ctx.note(values),
    )
