"""The reminders' notes: one per occasion on its issue, or one digest a week in the tracking
issue, edited in place (pure: the notes already there are given)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

from automation.actions import Plan, Remind
from automation.items import ObservedIssue, ObservedNote
from automation.markers import same_text
from automation.reminders.due import Due
from automation.rendering import Renderer, Trusted, own_reference

GRAVE = "\u02cb"  # a modifier letter that looks like a backtick and is none

NOTE_TEMPLATE = "blocks/reminder-note.md.j2"
DIGEST_TEMPLATE = "blocks/reminder-digest.md.j2"
# what a note quotes, at most: people write their tasks, and a note (a digest above all) must
# stay far under GitLab's limit of 1,000,000 characters whatever they write
MAX_TASKS = 20  # per occasion; `more_tasks` says how many more are open
MAX_TASK_CHARS = 200  # of each task's text
MAX_ENTRIES = 100  # occasions in a digest; `more_entries` says how many more


def week_of(today: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and Sunday of TODAY's week: a digest's span."""
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


DIGEST_PREFIX = "<!-- automation:note reminders-digest "


def digest_marker(today: dt.date) -> str:
    """What marks the digest note of TODAY's week (ISO week, as GitLab users count them)."""
    year, week, _ = week_of(today)[0].isocalendar()
    return f"<!-- automation:note reminders-digest {year}-W{week:02d} -->"


def reminder_notes(
    program: str,
    due: Sequence[Due],
    sent: Collection[tuple[int, str]],
    renderer: Renderer,
    today: dt.date | None = None,
) -> Plan:
    """A note for each occasion that has none yet (SENT: (iid, marker) of those that do); one
    sent after its day (TODAY later: runs were missed) says so."""
    return Plan(
        tuple(
            Remind(
                program, d.item.key, d.issue.iid, _body(d.marker, NOTE_TEMPLATE, d, renderer, today)
            )
            for d in due
            if (d.issue.iid, d.marker) not in sent
        )
    )


def digest_note(  # noqa: PLR0917
    program: str,
    key: str,
    tracking: ObservedIssue,
    due: Sequence[Due],
    note: ObservedNote | None,
    renderer: Renderer,
    today: dt.date,
    stored: Callable[[str], str] = lambda text: text,
) -> Plan:
    """The week's digest in the tracking issue: posted once something is due, then edited
    only when what it lists changed (NOTE: the week's digest, if posted; STORED: the text as
    it will be written, with the mentions of anyone who is not a user made inert)."""
    if not due and note is None:
        return Plan()
    monday, sunday = week_of(today)
    entries = [_values(d) for d in due[:MAX_ENTRIES]]
    more = max(len(due) - MAX_ENTRIES, 0)
    values = {"monday": monday, "sunday": sunday, "entries": entries, "more_entries": more}
    body = f"{digest_marker(today)}\n{renderer.render(DIGEST_TEMPLATE, values).strip()}"
    body += "".join(f"\n{d.listing}" for d in due[:MAX_ENTRIES])
    if note is not None and same_text(note.body, stored(body)):
        return Plan()
    return Plan((Remind(program, key, tracking.iid, body, digest=True, edit=note is not None),))


def _body(
    marker: str, template: str, due: Due, renderer: Renderer, today: dt.date | None = None
) -> str:
    return f"{marker}\n{renderer.render(template, _values(due, today)).strip()}"


def _values(due: Due, today: dt.date | None = None) -> dict[str, Any]:
    """What a note's template gets about one occasion (`sent_late`: the day it is sent, when
    that is after its own day)."""
    return {
        "reminder": due.reminder,
        "day": due.day,
        "sent_late": today if today is not None and today > due.day else None,
        "issue": own_reference(due.issue.reference),
        "subject": due.item.subject,
        "people": list(due.people),
        "tasks": [quoted(_shortened(plain(task[:READ_CHARS]))) for task in due.tasks[:MAX_TASKS]],
        "more_tasks": max(len(due.tasks) - MAX_TASKS, 0),
    }


# How much of a task `plain` reads: enough for its shortened text after links' addresses go
# (its patterns take time growing with the square of a line a person pasted, 1 MB at most)
READ_CHARS = 4_000
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")  # [text](address), or an image
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def plain(task: str) -> str:
    """A task as it reads, not as it is written: a link's text without its address, bold
    without its stars (a code span shows Markdown as typed: "**New hire:** ... ([path](https://
    ...))" read as code to the person reminded)."""
    return _STRONG.sub(r"\1", _LINK.sub(r"\1", task))


def _shortened(task: str) -> str:
    return task if len(task) <= MAX_TASK_CHARS else task[: MAX_TASK_CHARS - 1] + "…"


def quoted(task: str) -> Trusted:
    """A task's text as the issue has it, in a code span: GitLab shows it as typed and acts
    on nothing in it (no mention, reference, link, image or HTML: a person can write any of
    them in their task, and the note, a digest in the tracking issue above all, is the
    tool's user's). A backtick in it is shown as `ˋ`, so that nothing in it ends the span."""
    return Trusted(f"`{task.replace('`', GRAVE)}`")
