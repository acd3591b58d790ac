"""Due dates follow configuration when the tool set them (pure).

The tool records in each issue it gives a due date, in the hidden tool-owned block `due`, the
due date it set for the configuration it last followed:

    <!-- automation:begin due -->
    <!-- automation:due 2027-03-31 -->
    <!-- automation:end due -->

When configuration gives another date (a cohort's `end_date` moved, say), an open issue whose
due date is still the recorded one gets the new date, then the new record (the proof that the
change was made). A due date a person changed is theirs: it stays, whatever configuration says.

An issue without the record (made before this version) gets it when its due date is the one
configuration gives now (none, for an issue without one), and from then on follows; one with
another date keeps it.

An issue made for a period of a fiscal calendar (an ESP quarter) records it in the same block,
with the calendar, `<!-- automation:period 2026-11-01 2027-01-31 calendar 2 -->` (fiscal years
starting in February): once the calendar changes, its key means another period, and none of
the program's issues is written until it is back (`other_calendar`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from enum import Enum

from automation.actions import Action, Failure, Plan, UpdateDueDate
from automation.changes import description_update
from automation.config.models import Program
from automation.desired import DesiredIssue
from automation.edits import BlockTexts, Edits
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.markers import block_content, outside_blocks

DUE_BLOCK = "due"
_RECORD = re.compile(r"<!-- automation:due (?P<date>\d{4}-\d{2}-\d{2}|none) -->")
_PERIOD = re.compile(
    r"<!-- automation:period (?P<first>\S+) (?P<last>\S+) calendar (?P<calendar>\S+) -->"
)
Period = tuple[dt.date, dt.date]


def record(due: dt.date | None, item: DesiredIssue | None = None) -> str:
    """The content of the `due` block for this due date (and the period ITEM is made for)."""
    text = f"<!-- automation:due {due.isoformat() if due else 'none'} -->\n"
    if item is not None and item.period is not None and item.calendar is not None:
        first, last = (day.isoformat() for day in item.period)
        text += f"<!-- automation:period {first} {last} calendar {item.calendar} -->\n"
    return text


def due_blocks(item: DesiredIssue) -> BlockTexts:
    """The record a new issue is created with, its due date or none (an open-ended cohort's
    issue gets the end date configuration gives it later), and its period."""
    return ((DUE_BLOCK, record(item.due_date, item)),)


def other_calendar(found: ObservedIssue, calendar: str) -> str | None:
    """Why FOUND, made for a period of another calendar than CALENDAR (an ESP program's
    `fiscal_year_start_month`), cannot be kept up to date: its key means another period now
    (an ESP trial: the fiscal year's first month changed while the program ran, and a quarter
    over for ten months was taken over as the current one, its due date, status and people
    rewritten, while the new calendar's issues were made beside the old); None when it is of
    CALENDAR, or records none (made before this version, or for no such period)."""
    try:
        made = _PERIOD.search(block_content(found.description, DUE_BLOCK) or "")
    except ItemError:
        return None  # damaged markers: the plan of the block says so
    if made is None or made["calendar"] == calendar:
        return None
    return (
        f"issue {found.reference} was made for {made['first']} to {made['last']}, a period of "
        f"fiscal years starting in month {made['calendar']}, and the program's "
        f"`fiscal_year_start_month` is now {calendar}: its quarters and years would take over "
        "the old calendar's issues, and be made beside them. None of the program's issues is "
        "written until it is back as it was (README, Executive Sponsorship Program)"
    )


def recorded(description: str) -> tuple[dt.date | None] | None:
    """The due date the tool last set, as the issue records it (a one-tuple: the date may be
    None); None without a readable record; ItemError when the block's markers are damaged."""
    found = _RECORD.search(block_content(description, DUE_BLOCK) or "")
    if found is None:
        return None
    date = found.group("date")
    try:
        return (None if date == "none" else dt.date.fromisoformat(date),)
    except ValueError:
        return None  # a date no calendar has: as unreadable as no record


class Step(Enum):
    """What an issue's due date needs."""

    NONE = "none"  # the date the tool followed last, a person's, or a closed issue's
    RECORD = "record"  # the date is configuration's: record it (a run that stopped, say)
    MOVE = "move"  # configuration moved the date the tool set and the issue still has


def step(item: DesiredIssue, found: ObservedIssue) -> Step:
    """What the issue's due date needs; ItemError when its record's markers are damaged."""
    if found.state != "opened":
        return Step.NONE
    before = recorded(found.description)
    if found.due_date == item.due_date:
        return Step.NONE if before is not None and before[0] == item.due_date else Step.RECORD
    if before is None or before[0] == item.due_date or found.due_date != before[0]:
        return Step.NONE
    return Step.MOVE


def due_after(item: DesiredIssue, found: ObservedIssue) -> dt.date | None:
    """The issue's due date once the plan is carried out (its status counts from it)."""
    try:
        moves = step(item, found) is Step.MOVE
    except ItemError:
        moves = False
    return item.due_date if moves else found.due_date


def dates_moved(
    program: Program,
    actions: Sequence[Action],
    found: Mapping[str, ObservedIssue],
    desired: Mapping[str, DesiredIssue],
) -> tuple[str, ...]:
    """One warning for the issues whose due date the plan's ACTIONS move while their own
    text, outside the tool's blocks, still says the old one and today's rendering no longer
    does (a hire's goal day, written when the issue was made and then theirs): said by the
    run that moves them (a newcomer moved a start date; only the reworded task that held the
    date was warned of). A date the template still writes (a period's last day, a goal the
    move left alone) is right where it stands: an upgrade trial was told to correct those."""
    moved = [
        f"{issue.reference} ({action.before} -> {action.after or 'none'})"
        for action in actions
        if isinstance(action, UpdateDueDate)
        and action.before is not None
        and (issue := found.get(action.key)) is not None
        and _stale_lines(action.before, issue, desired.get(action.key))
    ]
    if not moved:
        return ()
    one = len(moved) == 1
    which = f"issue {moved[0]}" if one else f"issues {', '.join(moved)}"
    its, it = ("its", "it was") if one else ("their", "they were")
    return (
        f"{program.id}: {MOVES} the due date of {which}; the dates written in {its} text when "
        f"{it} made (outside the tool's blocks: a start date, a goal day) stay as they were: "
        "correct them by hand where they are wrong",
    )


# what moved a due date: configuration, or an upgrade's new rule for it (an upgrade trial
# was sent looking through configuration's history for a change nobody made)
MOVES = "configuration (or a new release's rule for due dates) moves"


def _stale_lines(before: dt.date, issue: ObservedIssue, item: DesiredIssue | None) -> bool:
    """Whether a line of ISSUE's own text (outside the tool's blocks) says the date BEFORE
    where today's rendering of its template has no such line: a line it still writes word
    for word (a period's last day) is right, while one it now words otherwise (a phase's
    dates, moved with the end) is not (a review: comparing the whole text took the end of
    one phase for the moved end of another)."""
    day = before.isoformat()
    now = set(outside_blocks(item.description).splitlines()) if item is not None else set()
    return any(
        day in line and line not in now for line in outside_blocks(issue.description).splitlines()
    )


FAR = dt.timedelta(days=183)  # a due date moved by more than this: a year typed wrong?


def moved_far(program: Program, actions: Sequence[Action]) -> tuple[str, ...]:
    """One warning for the due dates the plan's ACTIONS move by more than half a year (an
    onboarding trial: a start date typed a year late moved a hire's issue a year on, took her
    out of the workshop she had attended, and nothing was said). Said as they move; a move
    meant (a renewal, a cohort put off) is said too, once."""
    moved = [
        f"#{action.iid} ({action.before} -> {action.after})"
        for action in actions
        if isinstance(action, UpdateDueDate)
        and action.before is not None
        and action.after is not None
        and abs(action.after - action.before) > FAR
    ]
    if not moved:
        return ()
    which = f"issue {moved[0]}" if len(moved) == 1 else f"issues {', '.join(moved)}"
    return (
        f"{program.id}: {MOVES} the due date of {which} by more than half a "
        "year: if that is not meant, check the dates they come from (`start_date`, "
        "`end_date`, `start`, an account's `end`): a year typed wrong moves them so, and "
        "they follow it back once corrected",
    )


def plan_due(program: Program, item: DesiredIssue, found: ObservedIssue) -> Plan:
    """An open issue's due date when configuration gives another than the one the tool set:
    the new date, then the record (the proof that the change was made)."""
    try:
        needs = step(item, found)
    except ItemError as error:
        message = f"issue {found.reference}: {error}"
        return Plan(failures=(Failure(program.id, item.key, message, found.iid),))
    if needs is Step.NONE:
        return Plan()
    edits = Edits(((DUE_BLOCK, record(item.due_date, item)),))
    update = description_update(program, found, item.key, edits)
    if isinstance(update, Failure):
        return Plan(failures=(update,))
    moved = UpdateDueDate(program.id, item.key, found.iid, found.due_date, item.due_date)
    return Plan((*([moved] if needs is Step.MOVE else []), *([update] if update else [])))
