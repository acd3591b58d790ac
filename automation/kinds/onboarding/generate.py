"""The issues of an onboarding program: one per hire within the creation window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from automation.config.models import Person
from automation.desired import Context, DesiredIssue, Generated, Group
from automation.kinds.onboarding.model import (
    Hire,
    Onboarding,
    OnboardingProgram,
    Role,
    Workshop,
)

Ctx = Context[OnboardingProgram]
WORKSHOP = "workshop"  # the block of a hire's issue that shows their workshop
WORKSHOPS = "workshops"  # the block of the tracking issue that lists the upcoming workshops
WORKSHOP_BLOCK = "blocks/workshop.md.j2"
WORKSHOPS_BLOCK = "blocks/workshops.md.j2"


@dataclass(frozen=True)
class _Hire:
    """A hire whose issue is due now, with everything their issue needs."""

    entry: Hire
    person: Person
    role: Role
    workshop: Workshop | None
    due: bool  # within the creation window (an existing issue is kept up to date anyway)


def generate(ctx: Ctx) -> Generated:
    """Issues for hires within the creation window; workshops with hires are groups."""
    part = ctx.program.onboarding
    hires, warnings = _due_hires(ctx, part)
    issues = tuple(_issue(ctx, part, hire) for hire in hires)
    used = {hire.workshop.id for hire in hires if hire.workshop and hire.due}
    groups = tuple(
        Group(w.id, _group_name(w), rollup=True, values={"workshop": w})
        for w in part.workshops
        if w.id in used
    )
    upcoming = [w for w in part.workshops if w.end >= ctx.today]
    table = ctx.renderer.render(WORKSHOPS_BLOCK, {"workshops": upcoming})
    return Generated(issues, groups, ((WORKSHOPS, table),), tuple(warnings))


def _due_hires(ctx: Ctx, part: Onboarding) -> tuple[list[_Hire], list[str]]:
    roles = {role.id: role for role in part.roles}
    hires: list[_Hire] = []
    warnings: list[str] = []
    for entry in part.hires:
        person = ctx.config.person(entry.username)
        if person.start_date is None:
            warnings.append(
                f"hire '{person.username}' has no start_date in people.yml; "
                "their onboarding issue is created once it has one"
            )
            continue
        opens = person.start_date - dt.timedelta(days=part.create_days_before_start)
        due = ctx.today >= opens  # too early: issues do not appear months ahead
        role = roles[entry.role]
        workshop = _workshop(part, entry, person, role)
        if due and role.workshop and workshop is None:
            warnings.append(
                f"no SQS workshop for {person.name} ({person.username}) in geo "
                f"{person.geo or '(no geo in people.yml)'} after their start date "
                f"({person.start_date}); their issue says the workshop is to be scheduled"
            )
        hires.append(_Hire(entry, person, role, workshop, due))
    return hires, warnings


def _workshop(part: Onboarding, entry: Hire, person: Person, role: Role) -> Workshop | None:
    """The override, or the first workshop in the hire's geo that starts after their start."""
    if not role.workshop:
        return None
    if entry.workshop is not None:
        return next(w for w in part.workshops if w.id == entry.workshop)
    start = person.start_date or dt.date.min
    candidates = [
        w
        for w in part.workshops
        if person.geo and w.geo.casefold() == person.geo.casefold() and w.start > start
    ]
    return min(candidates, key=lambda w: w.start, default=None)


def _issue(ctx: Ctx, part: Onboarding, hire: _Hire) -> DesiredIssue:
    person, workshop = hire.person, hire.workshop
    start = person.start_date or ctx.today
    manager = ctx.config.person(person.manager) if person.manager else None
    days = part.milestone_days
    dates = {
        "start": start,
        "ready": start + dt.timedelta(days=days.ready),
        "goal": start + dt.timedelta(days=days.goal),
        "live_lead": workshop.end + dt.timedelta(days=days.live_lead) if workshop else None,
    }
    values = {
        "program": ctx.program,
        "hire": person,
        "role": hire.role,
        "manager": manager,
        "enablement": ctx.config.person(part.enablement_contact),
        "workshop": workshop,
        "dates": dates,
        "days": days,
    }
    group = ctx.group_rollup_key(workshop.id) if workshop else None
    return ctx.program_issue(
        key=f"{ctx.program.id}/{person.username.lower()}",
        values=values,
        subject=f"{person.name} ({hire.role.name})",
        group=_group_name(workshop) if workshop else _no_group(hire.role),
        assignees=(person.username, *((manager.username,) if manager else ())),
        due_date=dates["goal"],
        epic_key=ctx.group_epic_key(workshop.id) if workshop else ctx.program_epic_key(),
        rollups=(group,) if group else (),
        blocks=((WORKSHOP, ctx.renderer.render(WORKSHOP_BLOCK, values)),),
        create=hire.due,
        completion_note=ctx.note(values),
    )


def _group_name(workshop: Workshop) -> str:
    return f"SQS {workshop.dates} {workshop.geo}"


def _no_group(role: Role) -> str:
    return "SQS to be scheduled" if role.workshop else "no SQS workshop"
