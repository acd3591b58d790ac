"""Which reminders fall due, on which issues, about which of their open tasks, for whom (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from automation.blocks import record_specs
from automation.checklist import count_tasks, heading_key, is_optional, rename_headings
from automation.config.models import Program
from automation.config.reminders import Reminder, Reminders
from automation.desired import DesiredIssue, DesiredProgram, is_over
from automation.duedates import due_after
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.markers import outside_blocks
from automation.people import recorded
from automation.records import RecordSpec, read_records
from automation.reminders.checks import LEAD, folded
from automation.tasks import Task, tasks_of


@dataclass(frozen=True)
class Due:
    """One occasion: a reminder whose day has come on an open issue with its tasks still open."""

    reminder: Reminder
    item: DesiredIssue
    issue: ObservedIssue
    day: dt.date
    tasks: tuple[str, ...]  # the open tasks it is about, as the issue says them
    people: tuple[str, ...]  # usernames of its roles on this issue

    @property
    def marker(self) -> str:
        """The hidden first line of its note: the occasion, so it is sent once."""
        return reminder_marker(self.reminder.id, self.day)

    @property
    def listing(self) -> str:
        """The hidden line a digest that lists the occasion ends with (the tool's own, whatever
        the digest's template writes), so no later digest lists it again."""
        return f"<!-- automation:listed {self.issue.iid} {self.reminder.id} {self.day} -->"


def reminder_marker(reminder: str, day: dt.date) -> str:
    """What marks the note of one reminder's occasion (its day) on an issue."""
    return f"<!-- automation:note reminder {reminder} {day.isoformat()} -->"


def due_reminders(
    desired: DesiredProgram, found: Mapping[str, ObservedIssue], today: dt.date, since: dt.date
) -> tuple[Due, ...]:
    """Every occasion whose day is between SINCE and TODAY (both included), on an issue that
    is open, not over (and, if it must be, confidential), while some of its chosen tasks are
    open."""
    part = with_lead(desired.program)
    if not part.send:
        return ()
    headings = [section.heading for section in desired.program.sections]
    renames = desired.program.renamed_headings  # an issue made before: under the new ones
    specs = record_specs(desired.program)
    return tuple(
        due
        for item in desired.issues
        if (issue := found.get(item.key)) is not None and _may_remind(desired, item, issue, today)
        for due in _occasions(part, item, _renamed(issue, renames), headings, (since, today))
        if not _recorded(due, specs)
    )


def with_lead(program: Program) -> Reminders:
    """The program's reminders, whose `program_lead` is, unless they name one, the lead its
    kind names (`lead`, `sponsorship.lead`) on every issue of the program (a reviewer: a
    reminder of score issues to the program lead mentioned nobody)."""
    part, lead = program.reminders, program.lead_username()
    return part if part.program_lead or not lead else part.model_copy(update={"program_lead": lead})


def _recorded(due: Due, specs: Sequence[RecordSpec]) -> bool:
    """Whether the occasion's issue records a value its reminder's `unless_recorded` names
    (a year's simulation: a sponsee who wrote her score and left its box unticked was asked
    to record it, though the published average counted it)."""
    wanted = due.reminder.unless_recorded
    if wanted is None:
        return False
    text = folded(wanted)
    named = [spec for spec in specs if text in folded(spec.label)]
    values = read_records(due.issue.description, named).values()
    return any(value.value is not None for value in values)


def _renamed(issue: ObservedIssue, renames: Sequence[tuple[str, str]]) -> ObservedIssue:
    text = rename_headings(issue.description, renames)
    return issue if text == issue.description else replace(issue, description=text)


def _may_remind(
    desired: DesiredProgram, item: DesiredIssue, issue: ObservedIssue, today: dt.date
) -> bool:
    """Open, not over (its account's commitment or its cohort ended: nothing is left to do
    on time, as its `status::ended` says), and not a confidential item a person made public
    (its people stay unnamed)."""
    return (
        issue.state == "opened"
        and (issue.confidential or not item.confidential)
        and not is_over(desired, item, today, due_after(item, issue))
    )


def _occasions(
    part: Reminders,
    item: DesiredIssue,
    issue: ObservedIssue,
    headings: list[str],
    window: tuple[dt.date, dt.date],
) -> Iterator[Due]:
    tasks: tuple[Task, ...] | None = None  # read only when a reminder's day has come
    for reminder in part.send:
        date = item.dates.get(reminder.date)
        day = reminder.day(date) if date is not None else None
        if day is None or not window[0] <= day <= window[1] or _made_after(issue, day, window[1]):
            continue
        if tasks is None:  # the person's: not a box typed inside the tool's blocks
            tasks = tasks_of(outside_blocks(issue.description), headings)
        chosen = open_tasks(tasks, reminder)
        if chosen:
            named = people(part, item, reminder)
            yield Due(reminder, item, issue, day, chosen, _of_the_period(named, item, issue, day))


def _of_the_period(
    named: tuple[str, ...], item: DesiredIssue, issue: ObservedIssue, day: dt.date
) -> tuple[str, ...]:
    """NAMED less the newcomers: after `people_until` (an ESP month's end) an issue's people
    are its history, as assigning keeps them, so a reminder sent after it names no one
    configuration would assign now whom the issue does not record (a tester: a newcomer to
    an account team was reminded of a month before they joined). Roles the issue is never
    assigned to (the program lead) stay. Those who left are not named in their place: the
    record says who, not in which role (a reviewer saw a team member named in the sponsor's
    reminder); they are still assigned, so GitLab sends them the note all the same."""
    if item.people_until is None or day <= item.people_until:
        return named
    try:
        then = recorded(issue.description)
    except ItemError:  # a damaged record: the people configuration names
        return named
    if then is None:
        return named
    newcomers = {n.casefold() for n in item.assignees} - {n.casefold() for n in then}
    return tuple(name for name in named if name.casefold() not in newcomers)


def _made_after(issue: ObservedIssue, day: dt.date, today: dt.date) -> bool:
    """Whether the issue was made after an occasion's day (a person who joined since, or
    runs down until after it): its tasks were not "still open" then, and it is not reminded
    of that day late. A rehearsal of a day before GitLab made the issue (`--today` in the
    past) is not read that way: on that day the issue is taken as there."""
    made = issue.created_at.astimezone(dt.UTC).date() if issue.created_at else None
    return made is not None and day < made <= today


def passed(due: Due, today: dt.date) -> bool:
    """Whether an occasion, sent late (after its day), comes too late: it is days before its
    date, and that date has come (its message speaks of what is ahead: "the pre-work is due
    in 3 days")."""
    date = due.item.dates.get(due.reminder.date)
    return date is not None and due.day < today and due.day < date <= today


def open_tasks(tasks: tuple[Task, ...], reminder: Reminder) -> tuple[str, ...]:
    """The open tasks a reminder names: in its section, containing its text (or both). A
    reminder of a section leaves out its optional tasks, which no figure counts (one that
    names a task by its words sends it, optional or not). With `unless_recorded` the value
    decides, not the box: its tasks, ticked or not (a trial: a score's task ticked with the
    value still `__/10` was never reminded of; `_recorded` leaves out a recorded one)."""
    section = heading_key(reminder.section) if reminder.section else None
    text = folded(reminder.task) if reminder.task else None
    boxes = reminder.unless_recorded is None
    return tuple(
        task.text
        for task in tasks
        if (section is None or heading_key(task.section) == section)
        and (text in folded(task.text) if text is not None else not is_optional(task.text))
        and not (boxes and count_tasks(task.line).completed_count)
    )


def people(part: Reminders, item: DesiredIssue, reminder: Reminder) -> tuple[str, ...]:
    """The usernames of a reminder's roles on an issue, each once (GitLab ignores case)."""
    named: dict[str, str] = {}
    for role in reminder.to:
        lead = (part.program_lead,) if role == LEAD and part.program_lead else None
        for username in lead or item.roles.get(role, ()):
            named.setdefault(username.lower(), username)
    return tuple(named.values())
