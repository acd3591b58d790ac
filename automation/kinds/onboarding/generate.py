"""The issues of an onboarding program: one per hire within the creation window."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from automation.config.models import Person
from automation.course import group_line
from automation.desired import (
    Context,
    Derived,
    DerivedRow,
    DesiredIssue,
    Generated,
    Group,
    NoteElsewhere,
)
from automation.keptlines import recording
from automation.kinds.onboarding.course import WORKSHOP, group_end
from automation.kinds.onboarding.model import (
    Hire,
    Onboarding,
    OnboardingProgram,
    Role,
    Workshop,
)

Ctx = Context[OnboardingProgram]
WORKSHOPS = "workshops"  # the block of the tracking issue that lists the upcoming workshops
WORKSHOP_BLOCK = "blocks/workshop.md.j2"
WORKSHOPS_BLOCK = "blocks/workshops.md.j2"
COHORT = "cohort"  # the block of a workshop's rollup: who attends, and whose pre-work is late
COHORT_BLOCK = "blocks/sqs-cohort.md.j2"


@dataclass(frozen=True)
class _Hire:
    """A hire whose issue is due now, with everything their issue needs."""

    entry: Hire
    person: Person
    role: Role
    workshop: Workshop | None
    due: bool  # within the creation window (an existing issue is kept up to date anyway)


def generate(ctx: Ctx) -> Generated:
    """Issues for hires within the creation window; workshops with hires are groups. A
    workshop without (its hires left, or none yet) is a group that is not made: a rollup
    and epic made while it had hires are kept up to date, listing who left."""
    part = ctx.program.onboarding
    hires, warnings, kept = _due_hires(ctx, part)
    issues = tuple(_issue(ctx, part, hire) for hire in hires)
    used = {hire.workshop.id for hire in hires if hire.workshop and hire.due}
    groups = tuple(
        Group(
            w.id,
            part.group_name(w),
            rollup=True,
            values={"workshop": w},
            derived=(_cohort(ctx, w, [h for h in hires if h.workshop == w]),),
            # not made once its group is over (an onboarding trial's first run made live
            # rollups of workshops months past, promising issues it would never make); one
            # made before is kept up to date, and made again while an issue of it is open
            create=(w.id in used or bool(w.sdrs)) and ctx.today <= group_end(part, w),
        )
        for w in part.workshops
    )
    upcoming = [w for w in part.workshops if w.end >= ctx.today]
    table = ctx.renderer.render(WORKSHOPS_BLOCK, {"workshops": upcoming})
    return Generated(
        issues,
        groups,
        ((WORKSHOPS, table),),
        (*_no_prework(ctx), *warnings),
        kept=kept,
    )


def _no_prework(ctx: Ctx) -> list[str]:
    """A program whose hires go to workshops without its pre-work section among `sections`
    (renamed, `renamed_from` since removed, say): each workshop rollup would show every hire's
    pre-work as not done. Said, not refused: nothing else depends on it."""
    part, program = ctx.program.onboarding, ctx.program
    missing = part.prework_section is not None and program.prework_heading() is None
    if not missing or not any(r.workshop for r in part.roles):
        return []
    return [
        f"{ctx.source.file}: the pre-work section '{part.prework_section}' is not one of this "
        "program's `sections`, so the workshop rollups show every hire's pre-work as not done; "
        "name the section whose tasks are the pre-work in `onboarding.prework_section` (or "
        "`prework_section: null` for a program without pre-work)"
    ]


def _due_hires(ctx: Ctx, part: Onboarding) -> tuple[list[_Hire], list[str], frozenset[str]]:
    """The hires with a start date, what to say of them, and the keys of those without one
    (an issue made before the date was deleted from people.yml is left as it stands, and
    counted so: a newcomer's trial saw it dropped from every rollup)."""
    roles = {role.id: role for role in part.roles}
    hires: list[_Hire] = []
    warnings: list[str] = []
    kept: set[str] = set()
    for entry in part.hires:
        person = ctx.config.person(entry.username)
        if person.start_date is None:
            warnings.append(
                f"hire '{person.username}' has no start_date in people.yml; their onboarding "
                "issue is made once it has one (one made already is left as it stands until "
                "then, and the rollups count it so)"
            )
            kept.add(_key(ctx, person))
            continue
        opens = person.start_date - dt.timedelta(days=part.create_days_before_start)
        due = ctx.today >= opens  # too early: issues do not appear months ahead
        role = roles[entry.role]
        hire = _Hire(entry, person, role, _workshop(part, entry, person, role), due)
        warnings.extend(_workshop_warnings(ctx, hire, person.start_date))
        warnings.extend(_no_note(ctx, hire, person.start_date))
        hires.append(hire)
    return hires, warnings, frozenset(kept)


def _no_note(ctx: Ctx, hire: _Hire, start: dt.date) -> list[str]:
    """What to say, while a hire's onboarding runs, when the learning path note would be
    posted on their general onboarding issue but its address is no GitLab issue's (a trial:
    a merge request's address, or a GitHub issue's, and the note silently never went)."""
    part, person = ctx.program.onboarding, hire.person
    address = person.onboarding_issue
    goal = start + dt.timedelta(days=part.milestone_days.goal)
    if part.learning_path_note is None or not address or _ISSUE_URL.match(address):
        return []
    if not hire.due or ctx.today > goal or not _links(part, hire.workshop)["learning_path"]:
        return []
    return [
        f"the learning path note is not posted for {person.name} ({person.username}): their "
        f"`onboarding_issue` in people.yml is no GitLab issue's address (one ending in "
        "`/-/issues/` and its number); give the address of their general onboarding issue"
    ]


def _workshop_warnings(ctx: Ctx, hire: _Hire, start: dt.date) -> list[str]:
    """What to say of a hire's workshop while it is of use (until their goal day): none in
    their geo, or one after the goal (their issue would be overdue before it)."""
    part, person, workshop = ctx.program.onboarding, hire.person, hire.workshop
    goal = start + dt.timedelta(days=part.milestone_days.goal)
    if not hire.due or ctx.today > goal:
        return []
    fix = f"`workshops` in {ctx.source.file}, or name one for them with `workshop:`"
    if hire.role.workshop and workshop is None and not person.geo:
        return [
            f"no SQS workshop for {person.name} ({person.username}): they have no `geo:` in "
            f"people.yml, and workshops are found by geo; their issue says the workshop "
            f"is to be scheduled. Give them their geo, or name a workshop for them with "
            f"`workshop:` in {ctx.source.file}"
        ]
    if hire.role.workshop and workshop is None:
        return [
            f"no SQS workshop for {person.name} ({person.username}) in geo {person.geo} at "
            f"least {part.prework_days} days after their start date ({start}){_takes(part)}; "
            f"their issue says the workshop is to be scheduled. Add one to {fix}"
        ]
    if workshop is not None and workshop.start > goal:
        return [
            f"the SQS workshop of {person.name} ({person.username}), '{workshop.id}', starts on "
            f"{workshop.start}, after their {part.milestone_days.goal}-day goal ({goal}): their "
            f"issue would be overdue before it. Add an earlier workshop to {fix}"
        ]
    return []


def _takes(part: Onboarding) -> str:
    """Why a workshop starts days after the hire: for the pre-work, when there is any."""
    return ", the time the pre-work takes" if part.prework_section is not None else ""


def _workshop_block(ctx: Ctx, values: dict[str, Any], workshop: Workshop | None) -> str:
    """A hire's workshop block, ending with a hidden line naming the workshop: should the hire
    leave, their row stays in that workshop's rollup (the issue's key does not name it)."""
    text = recording(ctx.renderer.render(WORKSHOP_BLOCK, values))  # a line typed in it is kept
    return f"{text}\n{group_line(workshop.id)}" if workshop is not None else text


def _workshop(part: Onboarding, entry: Hire, person: Person, role: Role) -> Workshop | None:
    """The override, or the first workshop in the hire's geo that leaves `prework_days` after
    their start for the pre-work (and that they have not cancelled)."""
    if not role.workshop:
        return None
    if entry.workshop is not None:
        return next(w for w in part.workshops if w.id == entry.workshop)
    earliest = (person.start_date or dt.date.min) + dt.timedelta(days=part.prework_days)
    cancelled = {c.workshop for c in entry.cancelled}
    candidates = [
        w
        for w in part.workshops
        if person.geo
        and w.geo.casefold() == person.geo.casefold()
        and w.start >= earliest
        and w.id not in cancelled
    ]
    return min(candidates, key=lambda w: w.start, default=None)


def _prework_due(part: Onboarding, workshop: Workshop | None) -> dt.date | None:
    return workshop.start - dt.timedelta(days=part.prework_due_days) if workshop else None


def _cohort(ctx: Ctx, workshop: Workshop, hires: list[_Hire]) -> Derived:
    """A workshop rollup's block: its hires and SDRs, and each hire's pre-work, flagged when
    it is not finished by its due date. A hire not due yet is in it once their issue was
    made (their start moved later after it was)."""
    part, prework = ctx.program.onboarding, ctx.program.prework_heading()
    rows = tuple(
        DerivedRow(
            values={"name": h.person.name, "role": h.role.name},
            section=(_key(ctx, h.person), prework) if prework else None,
            made=None if h.due else _key(ctx, h.person),
        )
        for h in hires
    )
    values = {
        "workshop": workshop,
        "due": _prework_due(part, workshop),
        "prework": part.prework_section is not None,  # the table of pre-work, or none
        "today": ctx.today,
        "sdrs": [ctx.config.person(u) for u in workshop.sdrs],
    }
    return Derived(COHORT, COHORT_BLOCK, values, rows)


def _key(ctx: Ctx, person: Person) -> str:
    return f"{ctx.program.id}/{person.username.lower()}"


def _links(part: Onboarding, workshop: Workshop | None) -> dict[str, Any]:
    """The handbook's links for a hire: their cohort's learning path, or the program's."""
    path = (workshop.learning_path if workshop else None) or part.links.learning_path
    return {"learning_path": path, "objectives": part.links.objectives, "agenda": part.links.agenda}


def _own_end(part: Onboarding, start: dt.date) -> dt.date:
    """The first day a hire's own onboarding is over: as a workshop group's,
    `milestone_days.goal` days after the earliest workshop they could have attended. It ends
    the issue of a hire in no workshop group (a role that skips the workshop, or none in their
    geo; a tester: it stayed overdue for ever, and taking them out of `hires` afterwards
    withdrew them, with a note, as if they had left), and no hire's issue is made after it."""
    return start + dt.timedelta(days=part.prework_days + part.milestone_days.goal + 1)


def _due(goal: dt.date, lead_days: int, hire: _Hire) -> dt.date:
    """The issue's due date: the goal day, or the Live Lead's day (LEAD_DAYS after the
    workshop) of a hire who attends a workshop that starts by the goal day (one after it is
    warned about), when that is later (a workshop late in their first 90 days: a tester's
    hire read overdue with days of the Live Lead's window left)."""
    workshop = hire.workshop
    if workshop is None or not hire.role.workshop or workshop.start > goal:
        return goal
    return max(goal, workshop.end + dt.timedelta(days=lead_days))


def _ready(after_start: dt.date, workshop: Workshop | None) -> dt.date:
    """When a hire is to be "customer conversation ready": the page's blended path (learning
    path and SQS workshop) takes "their first 30 days or so", so never before the workshop
    they attend ends (a workshop weeks away would otherwise make the goal due before it)."""
    return max(after_start, workshop.end) if workshop else after_start


def _issue(ctx: Ctx, part: Onboarding, hire: _Hire) -> DesiredIssue:
    person, workshop = hire.person, hire.workshop
    start = person.start_date or ctx.today
    manager = ctx.config.person(person.manager) if person.manager else None
    days = part.milestone_days
    dates = {
        "start": start,
        "ready": _ready(start + dt.timedelta(days=days.ready), workshop),
        "goal": start + dt.timedelta(days=days.goal),
        "live_lead": workshop.end + dt.timedelta(days=days.live_lead) if workshop else None,
        "prework_due": _prework_due(part, workshop),
    }
    cancelled = [
        {"workshop": w, "approved_by": ctx.config.person(c.approved_by), "approval": c.approval}
        for c in hire.entry.cancelled
        for w in part.workshops
        if w.id == c.workshop
    ]
    values: dict[str, Any] = {
        "program": ctx.program,
        "hire": person,
        "role": hire.role,
        "manager": manager,
        "enablement": ctx.config.person(part.enablement_contact),
        "workshop": workshop,
        "dates": dates,
        "days": days,
        "links": _links(part, workshop),
        "swag": part.swag,
        "swag_kit": part.swag.offered(person.geo, hire.role.track),
        "prework": {
            "days": part.prework_days,
            "due_days": part.prework_due_days,
            "section": part.prework_section,  # None: the program has no pre-work
        },
        "cancelled": cancelled,
    }
    group = ctx.group_rollup_key(workshop.id) if workshop else None
    own_end = _own_end(part, start)
    # over with no workshop: the block stops promising one (a year's simulation), and says its
    # last day, as a workshop group's and a cohort's notes do (a newcomer: it said the day after)
    values["ended"] = own_end - dt.timedelta(days=1) if ctx.today >= own_end else None
    return ctx.program_issue(
        key=_key(ctx, person),
        values=values,
        subject=f"{person.name} ({hire.role.name})",
        group=part.group_name(workshop) if workshop else _no_group(hire.role, values["ended"]),
        assignees=(person.username, *((manager.username,) if manager else ())),
        due_date=_due(start + dt.timedelta(days=days.goal), days.live_lead, hire),
        ends=None if workshop else own_end,
        # once its group's time (or its own) is over, its people are its history (a
        # newcomer's: a new manager was handed an onboarding over for months)
        people_until=group_end(part, workshop) if workshop else own_end - dt.timedelta(days=1),
        epic_key=ctx.group_epic_key(workshop.id) if workshop else ctx.program_epic_key(),
        rollups=(group,) if group else (),
        blocks=((WORKSHOP, _workshop_block(ctx, values, workshop)),),
        # not made once their onboarding is over, as if in the earliest workshop they could
        # have had (a tester: added late, it was made, notifying them, and labelled ended in
        # the same run; a reviewer: with a workshop scheduled a year on, made overdue)
        create=hire.due and ctx.today < own_end,
        over_before_made=own_end if ctx.today >= own_end else None,
        completion_note=ctx.note(values),
        caution=_late_for_prework(ctx, hire, dates["prework_due"]),
        dates=_reminder_dates(dates, workshop),
        roles={
            "participant": (person.username,),
            "manager": (manager.username,) if manager else (),
        },
        elsewhere=_learning_path_note(ctx, person, values),
    )


def _late_for_prework(ctx: Ctx, hire: _Hire, due: dt.date | None) -> str | None:
    """What the run that makes a hire's issue says when their pre-work was due before it (an
    onboarding trial: a hire added late got the issue on the eve of the workshop, its pre-work
    overdue, unsaid)."""
    if due is None or hire.workshop is None or due >= ctx.today:
        return None
    person, part = hire.person, ctx.program.onboarding
    return (
        f"issue for {person.name} ({hire.role.name}) made on {ctx.today}, after their SQS "
        f"pre-work was due ({due}, before their workshop {part.group_name(hire.workshop)}): "
        "tell them and their manager what to do before it starts"
    )


_ISSUE_URL = re.compile(r"^(?P<project>https://\S+?)/-/issues/(?P<iid>\d+)/?(?:[?#]\S*)?$")
NOTE_BLOCK = "learning-path-note"  # the hire's issue records that the note was posted


def _learning_path_note(
    ctx: Ctx, person: Person, values: dict[str, Any]
) -> tuple[NoteElsewhere, ...]:
    """The page's Enablement step: one comment on the hire's general onboarding issue with
    their learning path's link (when the program has a note template, and there is a link)."""
    template = ctx.program.onboarding.learning_path_note
    found = _ISSUE_URL.match(person.onboarding_issue or "")
    if template is None or found is None or not values["links"]["learning_path"]:
        return ()
    key = _key(ctx, person)
    body = ctx.renderer.render(template, values).strip()
    return (
        NoteElsewhere(
            project=found["project"],
            iid=int(found["iid"]),
            body=f"<!-- automation:note learning-path {key} -->\n{body}",
            block=NOTE_BLOCK,
            proof=f"The learning path's link was posted on the general onboarding issue "
            f"({person.onboarding_issue}) on {ctx.today}.",
            names=f"({person.onboarding_issue})",
        ),
    )


def _reminder_dates(
    dates: dict[str, dt.date | None], workshop: Workshop | None
) -> dict[str, dt.date]:
    """The dates a hire's reminders can count from (README: Reminders)."""
    known = dict(dates)
    if workshop is not None:
        known.update(workshop_start=workshop.start, workshop_end=workshop.end)
    return {name: day for name, day in known.items() if day is not None}


def _no_group(role: Role, ended: dt.date | None) -> str:
    """The rollups' group cell of a hire with no workshop: to be scheduled while their
    onboarding runs, as their issue says (a newcomer's trial: once it ended, the issue said no
    workshop was scheduled, and the rollup still "SQS to be scheduled")."""
    return "SQS to be scheduled" if role.workshop and ended is None else "no SQS workshop"
