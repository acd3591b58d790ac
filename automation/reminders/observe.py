"""What reminders need to read before planning: which occasions already have their note, and
the week's digest note (the only reads reminders add to a run, and only with its `remind`
step)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from automation.actions import Observed, Plan, Remind
from automation.config.reminders import Reminders
from automation.desired import DesiredProgram
from automation.identity import resolve
from automation.items import ObservedIssue, ObservedNote
from automation.mentions import among, people_only
from automation.progress import program_label
from automation.reminders.due import Due, due_reminders, passed
from automation.reminders.notes import (
    DIGEST_PREFIX,
    digest_marker,
    digest_note,
    reminder_notes,
    week_of,
)
from automation.renames import aliases
from automation.rendering import Renderer, own_reference
from automation.trackers.base import ChangeLog, Tracker
from automation.unchanged import last_quiet_day


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
        others=observed.others(public=not desired.program.is_confidential),
        hidden=desired.program.outputs_hidden,
    ).found
    program = desired.program.id
    if part.digest:
        return _digest_plan(desired, found, tracker, renderer, today)
    since = today - dt.timedelta(days=part.late_days)
    occasions = due_reminders(desired, found, today, since)
    due = tuple(d for d in occasions if not passed(d, today))
    sent = {(d.issue.iid, d.marker) for d in due if tracker.has_note(d.issue.iid, d.marker)}

    def unsent(some: Sequence[Due]) -> list[Due]:
        return [d for d in some if not tracker.has_note(d.issue.iid, d.marker)]

    lost = _lost(desired, found, tracker, today, since)
    passing = [d for d in occasions if passed(d, today)]
    said = _unsent_said(program, (*passing, *lost), unsent, part, tracker, today)
    return reminder_notes(program, due, sent, renderer, today) + said


def _digest_plan(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    tracker: Tracker,
    renderer: Renderer,
    today: dt.date,
) -> Plan:
    """The week's digest in the program's tracking issue: posted, or edited in place, and
    earlier weeks' quieted before a new one is posted."""
    part = desired.program.reminders
    program = desired.program.id
    tracking = found.get(desired.tracking.key)
    public = desired.tracking.confidential and tracking and not tracking.confidential
    if tracking is None or tracking.state != "opened" or public:
        return Plan()  # not before the tracking issue exists, nor once closed or exposed
    monday = week_of(today)[0]
    note = tracker.find_note(tracking.iid, digest_marker(today))
    # the week's digest by a replaced token's user is not the new one's to edit: the new
    # one posts its own beside it, listing only what that one does not (reviewers: an
    # edit stopped every run that week; a second digest mentioned its people again;
    # skipping the week lost what fell due in it)
    theirs = () if note is None else (*note.earlier, *(() if note.own else (note.body,)))
    note = note if note is None or note.own else None
    # this week's, then those of the weeks before, as far as late_days reaches from this
    # week's Monday, that no digest listed (the cut at MAX_ENTRIES leaves them out first)
    since = monday - dt.timedelta(days=part.late_days)
    occasions = due_reminders(desired, found, today, since)
    kept = _not_first_too_late(occasions, note, today)
    every = [d for d in kept if not any(_listed(body, d) for body in theirs)]
    # too late to be listed now: said, if no digest did (a reviewer)
    kept_ids = {id(d) for d in kept}
    dropped = [
        d for d in occasions if id(d) not in kept_ids and not any(_listed(b, d) for b in theirs)
    ]
    earlier = [d for d in every if d.day < monday]
    lost = _lost(desired, found, tracker, today, since)
    due = (
        *(d for d in every if d.day >= monday),
        *_unlisted(tracker, tracking.iid, earlier, monday),
    )
    plan = digest_note(
        program,
        desired.tracking.key,
        tracking,
        due,
        note,
        renderer,
        today,
        lambda text: people_only(text, among(renderer.roster, tracker.is_user))[0],
    )
    plan += _unsent_said(
        program,
        (*dropped, *lost),
        lambda some: _unlisted(tracker, tracking.iid, some, monday),
        part,
        tracker,
        today,
    )
    posts = any(isinstance(a, Remind) and not a.edit for a in plan.actions)
    return (
        _quieted(tracker, program, desired.tracking.key, tracking.iid, monday) + plan
        if posts
        else plan
    )


MAX_LOST = 100  # occasions a run looks for the notes of, after a stop: the first so many


def _lost(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    tracker: Tracker,
    today: dt.date,
    since: dt.date,
) -> list[Due]:
    """The occasions whose day came after the last run that left nothing to do and before
    SINCE, the first day a run still sends: sent by a run between, or never (a schedule
    stopped for longer than `late_days`). None when the last such run was the day before
    SINCE or later, the usual case: no read."""
    quiet = last_quiet_day(tracker)
    if quiet is None or quiet >= since - dt.timedelta(days=1) or _ahead(tracker, today):
        return []
    after = quiet + dt.timedelta(days=1)
    lost = [d for d in due_reminders(desired, found, today, after) if d.day < since]
    return sorted(lost, key=lambda d: d.day)  # the earliest looked for first


def _ahead(tracker: Tracker, today: dt.date) -> bool:
    """Whether the run is of a day after GitLab's (`plan --today`, a rehearsal of a later
    day): the schedule may yet send what it would call lost (a reviewer)."""
    now = tracker.last_answer_at() if isinstance(tracker, ChangeLog) else None
    return now is None or today > now.astimezone(dt.UTC).date()


def _unsent_said(  # noqa: PLR0917
    program: str,
    occasions: Sequence[Due],
    unsent: Callable[[Sequence[Due]], Sequence[Due]],
    part: Reminders,
    tracker: Tracker,
    today: dt.date,
) -> Plan:
    """What is said of OCCASIONS no run sent (UNSENT finds which): those days before a date
    that came since the last run that left nothing to do, which are not sent once it has come
    (a year's trial: on a weekly schedule no hire got the pre-work reminder, nothing said so
    when it happened, and a note a week later blamed `late_days`); the others (`_lost`: older
    than `late_days`, a schedule stopped)."""
    quiet = None if _ahead(tracker, today) else last_quiet_day(tracker)
    came = [d for d in occasions if passed(d, today) and _came_after(d, quiet)]
    late = [d for d in occasions if not passed(d, today)]
    return _never_sent(program, late, unsent, part, tracker) + _date_came(program, came, unsent)


def _came_after(due: Due, quiet: dt.date | None) -> bool:
    """Whether an occasion's day and the date it speaks of both came after QUIET, the day of
    the last run that found everything up to date (which sent it, had its day come): None,
    when no record tells (the local backend), or the run is of a day after GitLab's (a
    rehearsal: the schedule may yet send it): not said."""
    date = due.item.dates.get(due.reminder.date)
    return quiet is not None and date is not None and due.day > quiet and date > quiet


def _date_came(
    program: str, candidates: Sequence[Due], unsent: Callable[[Sequence[Due]], Sequence[Due]]
) -> Plan:
    """A notice of the occasions (of the first MAX_LOST CANDIDATES) whose date came before a
    run could send them. Counts and days only, as `_never_sent`."""
    lost = _Unsent.of(candidates, unsent, lambda d: d.item.dates[d.reminder.date])
    if lost is None:
        return Plan()
    speak, it = ("it speaks", "it") if lost.count == 1 else ("they speak", "them")
    return Plan(
        notices=(
            f"{program}: {lost.reminders} not sent: the date {speak} of came ({lost.when}) "
            f"before a run could send {it}, and a "
            "reminder days before a date is not sent once that date has come; a schedule that "
            f"runs every day sends each on its day. By reminder: {lost.which}",
        )
    )


def _never_sent(
    program: str,
    candidates: Sequence[Due],
    unsent: Callable[[Sequence[Due]], Sequence[Due]],
    part: Reminders,
    tracker: Tracker,
) -> Plan:
    """A notice of the occasions (of the first MAX_LOST CANDIDATES, those UNSENT finds no
    note or digest line for) that were never sent, and will not be: their day came more than
    `late_days` before this run (README "Runs are missed"). Counts and days only: an issue of
    a confidential program says who it is about."""
    lost = _Unsent.of(candidates, unsent, lambda d: d.day)
    if lost is None:
        return Plan()
    return Plan(
        notices=(
            f"{program}: {lost.reminders} never sent, due {lost.when}: more than `late_days` "
            f"({part.late_days}) days before this run, with no run between that found "
            f"everything up to date (the last: {last_quiet_day(tracker)}). They are not sent "
            f"late; before a planned stop, raise `late_days`. By reminder: {lost.which}",
        )
    )


@dataclass(frozen=True)
class _Unsent:
    """Occasions a notice says were not sent, counted: how many (REMINDERS: `3 reminders`,
    and of how many looked for), on which days (WHEN) and of which reminder (WHICH)."""

    count: int
    reminders: str
    when: str
    which: str

    @classmethod
    def of(
        cls,
        candidates: Sequence[Due],
        unsent: Callable[[Sequence[Due]], Sequence[Due]],
        day: Callable[[Due], dt.date],
    ) -> _Unsent | None:
        """Those of the first MAX_LOST CANDIDATES that UNSENT finds, by DAY; None: none."""
        lost = unsent(candidates[:MAX_LOST])
        if not lost:
            return None
        days = sorted({day(d) for d in lost})
        when = f"on {days[0]}" if len(days) == 1 else f"from {days[0]} to {days[-1]}"
        by_id = sorted(Counter(d.reminder.id for d in lost).items())
        looked = f" (of the first {MAX_LOST} looked for)" if candidates[MAX_LOST:] else ""
        many = "" if len(lost) == 1 else "s"
        return cls(
            len(lost),
            f"{len(lost)} reminder{many}{looked}",
            when,
            ", ".join(f"{name} ({count})" for name, count in by_id),
        )


def _quieted(tracker: Tracker, program: str, key: str, iid: int, monday: dt.date) -> Plan:
    """Earlier weeks' digests with their mentions made inert, before a new week's is posted.
    GitLab e-mails a new note to everyone an issue's text mentions (its participants): each
    person a digest ever named was e-mailed every later digest, about others (a tester: 37
    e-mails to people a digest did not name, in three months). Edited so, a digest names
    its people still, and mentions (and e-mails) no one; an edit notifies no one. Every
    earlier one, however old (a reviewer: a window of weeks left older digests live), in one
    read of the tracking issue's notes."""
    this_week = digest_marker(monday)
    edits = []
    for found in tracker.notes_marked(iid, DIGEST_PREFIX):
        if found.body.split("\n", 1)[0].strip() == this_week:
            continue
        quiet, named = people_only(found.body, lambda _: False)
        if named:
            edits.append(Remind(program, key, iid, quiet, digest=True, edit=True, note=found.id))
    return Plan(tuple(edits))


def _not_first_too_late(
    due: Sequence[Due], note: ObservedNote | None, today: dt.date
) -> tuple[Due, ...]:
    """The occasions, less those the week's digest would list for the first time once it is
    too late for them (`passed`: the date a reminder days before it speaks of has come); one
    the digest lists already stays listed (reviewers' findings: dropped, the digest said all
    was done; listed first after its date, it spoke of a deadline already past)."""
    body = note.body if note is not None else ""
    return tuple(d for d in due if not passed(d, today) or _listed(body, d))


def _listed(body: str, due: Due) -> bool:
    """Whether a digest lists the occasion: by the hidden lines the tool ends it with; a digest
    written before those lines were, by its text (`- #12 ...: message (day)`, the shipped
    template's: a team's own template is read as listing nothing, so its open occasions are
    listed once more after upgrading, rather than lost)."""
    listings = _listings(body)
    if listings:
        return due.listing in listings
    reference = f"{own_reference(due.issue.reference)} "
    said = f"{due.reminder.message or due.reminder.id} ({due.day.isoformat()})"
    lines = (line for line in body.splitlines() if line.startswith("- "))
    return any(reference in line and said in line for line in lines)


LISTING = re.compile(r"<!-- automation:listed \d+ \S+ \d{4}-\d{2}-\d{2} -->")


def _listings(body: str) -> frozenset[str]:
    """The hidden lines a digest ends with, whole lines only, read from its end: a line of the
    same shape quoted from a person's task, above them (in a code span), is not one (a
    tester's finding: a participant's task hid another hire's occasion for good)."""
    found: set[str] = set()
    for line in reversed(body.rstrip().splitlines()):
        if LISTING.fullmatch(line.strip()) is None:
            break
        found.add(line.strip())
    return frozenset(found)


def _unlisted(tracker: Tracker, iid: int, earlier: Sequence[Due], monday: dt.date) -> list[Due]:
    """The occasions of earlier weeks (inside `late_days`) that no digest before this week's
    lists: their day passed with no run after it that week (a Sunday, on a weekday
    schedule). This week's digest lists them, late, rather than none ever (a tester's
    finding), and once (a reviewer's: with `late_days` over a week, each later week's
    digest listed them again). A read of each such week's digest, only when there are any."""
    bodies: dict[dt.date, tuple[str, ...]] = {}

    def of(week: dt.date) -> tuple[str, ...]:
        """The week's digests: the newest, and a replaced token's user's beside it."""
        if week not in bodies:
            found = tracker.find_note(iid, digest_marker(week))
            bodies[week] = () if found is None else (found.body, *found.earlier)
        return bodies[week]

    def weeks(due: Due) -> Iterator[dt.date]:
        week = week_of(due.day)[0]
        while week < monday:
            yield week
            week += dt.timedelta(days=7)

    return [due for due in earlier if not any(_listed(b, due) for w in weeks(due) for b in of(w))]
