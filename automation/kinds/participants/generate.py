"""The issues of a participants program: one per participant of each cohort."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from automation.calendar import Period, backfill_start, periods
from automation.config.models import manages_people, managing
from automation.desired import Context, DesiredIssue, Generated, Group
from automation.kinds.participants.model import Cohort, GroupIssues, ParticipantsProgram

Ctx = Context[ParticipantsProgram]


def generate(ctx: Ctx) -> Generated:
    """An issue per participant; each cohort is a group with its own epic."""
    cautions = _managers(ctx)
    issues = tuple(
        _participant(ctx, cohort, username, cautions.get((cohort.id, username)))
        for cohort in ctx.program.cohorts
        for username in cohort.usernames
    )
    monthly = ctx.program.group_issues
    if monthly is not None:
        issues += tuple(
            _group_issue(ctx, monthly, cohort, month)
            for cohort in ctx.program.cohorts
            for month in _months(cohort, ctx.today)
        )
    groups = tuple(  # a cohort that ended gets no epic now, as its participants get no issue
        Group(c.id, c.name, values={"cohort": c}, create=not _ended(c, ctx.today))
        for c in ctx.program.cohorts
    )
    warnings = (
        *_overlaps(ctx.program.id, ctx.program.cohorts),
        *_not_begun(ctx, cautions),
        *_long(ctx),
    )
    return Generated(issues, groups, warnings=warnings)


def _managers(ctx: Ctx) -> dict[tuple[str, str], str]:
    """With `individual_contributors: true`, what to say of each participant of a cohort
    still running who manages people (`manages_people`), by (cohort id, username)."""
    if not ctx.program.individual_contributors:
        return {}
    managers = managing(ctx.config.people)
    said = {}
    for cohort in ctx.program.cohorts:
        if _ended(cohort, ctx.today):
            continue
        for username in cohort.usernames:
            manages, family = manages_people(
                ctx.config.person(username), managers, ctx.config.grades
            )
            if manages:
                why = (
                    f"has a people manager's title in the {family} family"
                    if family
                    else "manages people (someone's `manager` in people.yml)"
                )
                said[cohort.id, username] = (
                    f"{ctx.program.id}: cohort '{cohort.id}': participant {username} {why}; the "
                    "program is for individual contributors (`individual_contributors: true`): "
                    "take them out of the cohort, or set it to false"
                )
    return said


def _not_begun(ctx: Ctx, cautions: dict[tuple[str, str], str]) -> list[str]:
    """The cautions of the cohorts that have not begun, said on every run until they do (a
    cohort's selection, to fix). Once one runs, a participant who manages people is said of
    by the run that makes their issue only (a newcomer's trial: Sam, promoted during the
    cohort, the program's aim, was told of on every run, with the advice to take him out,
    which would withdraw him)."""
    begun = {c.id for c in ctx.program.cohorts if _begun(c, ctx.today)}
    return [said for (cohort, _), said in cautions.items() if cohort not in begun]


def _begun(cohort: Cohort, today: dt.date) -> bool:
    """Whether the cohort has begun (a participant who manages people is then said of only
    by the run that makes their issue)."""
    return cohort.start_date is not None and cohort.start_date <= today


def _months(cohort: Cohort, today: dt.date) -> list[Period]:
    """The cohort's months from its start to today (or its end); none without a start."""
    if cohort.start_date is None:
        return []
    last = min(today, cohort.end_date) if cohort.end_date else today
    return periods("monthly", cohort.start_date, last, 1) if cohort.start_date <= last else []


def _group_issue(ctx: Ctx, monthly: GroupIssues, cohort: Cohort, month: Period) -> DesiredIssue:
    """A cohort's issue for one month: made when the month starts, kept up to date after.
    Its template's `period` is the part of the month inside the cohort's dates (a cohort
    that starts on the 19th meets from then)."""
    people = tuple(ctx.config.person(u) for u in cohort.usernames)
    lead = ctx.config.person(ctx.program.lead) if ctx.program.lead else None
    end = min(month.end, cohort.end_date) if cohort.end_date else month.end
    values = {
        "program": ctx.program,
        "cohort": cohort,
        "period": replace(month, start=max(month.start, cohort.start_date or month.start), end=end),
        "participants": people,
        "lead": lead,
    }
    return ctx.issue(
        key=f"{ctx.program.id}/{cohort.id}/monthly/{month.key}",
        title=ctx.title(monthly.title, ("group_issues", "title"), values),
        template=monthly.template,
        values=values,
        subject=f"{cohort.name}: {month.name}",
        group=cohort.name,
        assignees=(lead.username,) if lead else (),
        due_date=end,
        epic_key=ctx.group_epic_key(cohort.id),
        create=_creates(monthly, cohort, month, ctx.today),
        people_until=end,  # a new lead takes this month on, not the past ones (a tester)
    )


def _creates(monthly: GroupIssues, cohort: Cohort, month: Period, today: dt.date) -> bool:
    """This month's issue; with `backfill`, also those of months that ended, since the start
    of the current calendar quarter or year (runs were missed: they are made overdue). None
    once the cohort ended: it gets no new issue, as its participants do not."""
    if _ended(cohort, today):
        return False
    return month.end >= backfill_start(monthly.backfill, today, 1)


def _overlaps(program: str, cohorts: tuple[Cohort, ...]) -> list[str]:
    """A person in two cohorts whose dates overlap gets two issues at once, one in each (the
    warning names the PROGRAM: a person may be in several). Not "with the same title": a
    newcomer's title named the cohort."""
    said = []
    for i, one in enumerate(cohorts):
        for other in cohorts[i + 1 :]:
            both = sorted({u.lower() for u in one.usernames} & {u.lower() for u in other.usernames})
            if both and _overlap(one, other):
                said.append(
                    f"{program}: {', '.join(both)} in both cohorts '{one.id}' and '{other.id}', "
                    "whose dates overlap: each gets two issues to work in at once, one in each "
                    "cohort; keep them in one cohort"
                )
    return said


LONG = dt.timedelta(days=2 * 366)  # a cohort longer than this is more likely a typo


def _long(ctx: Ctx) -> list[str]:
    """A cohort still to end that runs over two years, most likely a year typed wrong (a
    newcomer's trial: `end_date: 2082-11-30` for 2028 made a 54-year cohort, unsaid, with a
    group issue a month until then)."""
    return [
        f"{ctx.program.id}: cohort '{c.id}' runs from {c.start_date} to {c.end_date}, over "
        f"{(c.end_date - c.start_date).days // 365} years: is its `end_date` right?"
        for c in ctx.program.cohorts
        if c.start_date
        and c.end_date
        and c.end_date - c.start_date > LONG
        and not _ended(c, ctx.today)
    ]


def _open(ctx: Ctx, cohort: Cohort) -> bool:
    """Whether a cohort's participant issues are made now: from `create_days_before_start`
    before its start (a cohort planned months ahead gets its issues then, not at once) until
    its end."""
    ahead = dt.timedelta(days=ctx.program.create_days_before_start)
    begun = cohort.start_date is None or ctx.today >= cohort.start_date - ahead
    return begun and not _ended(cohort, ctx.today)


def _ended(cohort: Cohort, today: dt.date) -> bool:
    """Whether the cohort's end has passed: nothing new is made for it."""
    return cohort.end_date is not None and cohort.end_date < today


def _overlap(one: Cohort, other: Cohort) -> bool:
    """Whether two cohorts run at the same time (a missing date is open-ended)."""
    starts_before_other_ends = (
        other.end_date is None or (one.start_date or other.end_date) <= other.end_date
    )
    other_starts_before_one_ends = (
        one.end_date is None or (other.start_date or one.end_date) <= one.end_date
    )
    return starts_before_other_ends and other_starts_before_one_ends


def _participant(ctx: Ctx, cohort: Cohort, username: str, caution: str | None) -> DesiredIssue:
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
        create=_open(ctx, cohort),  # not long before it starts; none once it ended
        # one listed once the cohort ended is said, not made (a newcomer's trial: silence)
        over_before_made=cohort.end_date if _ended(cohort, ctx.today) else None,
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
        caution=caution if _begun(cohort, ctx.today) else None,
    )
