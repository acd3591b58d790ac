"""The reminders' notes as a program's issues would get them, rendered ahead of their day, so a
mistake in a team's reminder templates is found by `validate`, not on the day a reminder falls
due (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from automation.actions import Remind
from automation.config.reminders import Reminder, Reminders
from automation.desired import DesiredIssue, DesiredProgram
from automation.items import ObservedIssue
from automation.reminders.due import Due, open_tasks, people, with_lead
from automation.reminders.notes import digest_note, reminder_notes
from automation.rendering import Renderer
from automation.tasks import Task, tasks_of

Kind = tuple[tuple[Any, ...], tuple[str, ...], tuple[str, ...]]  # dates, roles, sections


def sample_notes(
    desired: DesiredProgram,
    renderer: Renderer,
    today: dt.date,
    extra: Callable[[DesiredIssue, tuple[Task, ...]], Sequence[Reminder]] = lambda _i, _t: (),
    both: bool = False,
) -> dict[str, str]:
    """The note each of the program's reminders (and those EXTRA gives for an issue and its
    tasks) would post on the first issue of each kind that has dates and tasks (the same
    dates, roles and sections make the same note, with other values), on its day and sent a
    week late (runs were missed), or, for a program whose reminders go in a weekly digest,
    that digest of every issue's (BOTH: the notes and the digest), by a name for each."""
    due: list[Due] = []
    kinds: dict[Kind, list[Due]] = {}
    headings = [s.heading for s in desired.program.sections]
    part = with_lead(desired.program)  # as the run's reminders name their people
    for number, item in enumerate(desired.issues, start=1):
        tasks = tasks_of(item.description, headings)
        if not item.dates or not tasks:
            continue
        reminders = (*part.send, *extra(item, tasks))
        dues = [_due(part, reminder, number, item, tasks, today) for reminder in reminders]
        due.extend(dues)
        sections = tuple(dict.fromkeys(task.section for task in tasks))
        kinds.setdefault((tuple(item.dates), tuple(item.roles), sections), dues)
    program, digest = desired.program.id, bool(desired.program.reminders.digest)
    notes: dict[str, str] = {}
    if both or not digest:
        first = [one for dues in kinds.values() for one in dues]
        late = today + dt.timedelta(days=7)
        sent = [*reminder_notes(program, first, (), renderer).actions]
        sent += reminder_notes(program, first, (), renderer, late).actions
        notes |= {
            f"{a.key} reminder {i}": a.body for i, a in enumerate(sent) if isinstance(a, Remind)
        }
    if both or digest:
        tracking = ObservedIssue(0, "tracking", "", ())
        week = digest_note(program, "t", tracking, due, None, renderer, today).actions
        notes |= {f"{program} digest": a.body for a in week if isinstance(a, Remind)}
    return notes


def _due(  # noqa: PLR0917
    part: Reminders,
    reminder: Reminder,
    number: int,
    item: DesiredIssue,
    tasks: tuple[Task, ...],
    today: dt.date,
) -> Due:
    """REMINDER's occasion on issue NUMBER (ITEM, whose TASKS these are), with its open tasks
    (or the issue's first, for a reminder whose tasks the template does not have), naming
    the people the run would (PART: the program's reminders, with its lead)."""
    return Due(
        reminder,
        item,
        ObservedIssue(number, item.title, item.description, item.labels),
        today,
        open_tasks(tasks, reminder) or (tasks[0].text,),
        people(part, item, reminder),
    )
