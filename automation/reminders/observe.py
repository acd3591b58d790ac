"""What reminders need to read before planning: which occasions already have their note, and
the week's digest note (the only reads reminders add to a run, and only with its `remind`
step)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from automation.actions import Observed, Plan
from automation.desired import DesiredProgram
from automation.identity import resolve
from automation.mentions import among, people_only
from automation.progress import program_label
from automation.reminders.due import Due, due_reminders
from automation.reminders.notes import (
    digest_marker,
    digest_note,
    listed,
    reminder_notes,
    week_of,
)
from automation.renames import aliases
from automation.rendering import Renderer
from automation.trackers.base import Tracker


def plan_reminders(
    desired: DesiredProgram,
    observed: Observed,
    tracker: Tracker,
    renderer: Renderer,
    today: dt.date,
) -> Plan:
    """The reminders a run would send for one program: a note per occasion that has none, or
    the week's digest when the program asks for one."""
    part = desired.program.reminders
    if not part.send:
        return Plan()
    wanted = [item.key for item in desired.every_issue()]
    found = resolve(
        observed.issues,
        wanted,
        desired.tracking.key,
        observed.fetched,
        program_label(desired.program),
        aliases=aliases(desired.every_issue()),
        titles=desired.titles(),
    ).found
    program = desired.program.id
    if part.digest:
        tracking = found.get(desired.tracking.key)
        public = desired.tracking.confidential and tracking and not tracking.confidential
        if tracking is None or tracking.state != "opened" or public:
            return Plan()  # not before the tracking issue exists, nor once closed or exposed
        monday = week_of(today)[0]
        due = due_reminders(desired, found, today, monday)
        # the weeks before, as far as late_days reaches from this week's Monday (the same for
        # every run of the week, so the digest does not change with the day it is read)
        late = due_reminders(desired, found, today, monday - dt.timedelta(days=part.late_days))
        due = (*_unlisted(tracker, tracking.iid, [d for d in late if d.day < monday]), *due)
        note = tracker.find_note(tracking.iid, digest_marker(today))
        return digest_note(
            program,
            desired.tracking.key,
            tracking,
            due,
            note,
            renderer,
            today,
            lambda text: people_only(text, among(renderer.roster, tracker.is_user))[0],
        )
    due = due_reminders(desired, found, today, today - dt.timedelta(days=part.late_days))
    sent = {(d.issue.iid, d.marker) for d in due if tracker.has_note(d.issue.iid, d.marker)}
    return reminder_notes(program, due, sent, renderer, today)


def _unlisted(tracker: Tracker, iid: int, earlier: Sequence[Due]) -> list[Due]:
    """The occasions of earlier weeks (inside `late_days`) that their week's digest does not
    list: their day passed with no run after it that week (a Sunday, on a weekday schedule).
    The week's digest lists them, late, rather than none ever (a tester's finding). A read of
    each such week's digest, only when there are any."""
    notes: dict[str, str] = {}
    unlisted = []
    for due in earlier:
        marker = digest_marker(due.day)
        if marker not in notes:
            found = tracker.find_note(iid, marker)
            notes[marker] = found.body if found is not None else ""
        if not listed(notes[marker], due):
            unlisted.append(due)
    return unlisted
