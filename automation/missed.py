"""Periods nobody made an issue for (pure): a past period whose issue was never created, in a
series (an account's monthly sessions, say) where an earlier period's issue exists, was missed
while no run happened, and the backfill window no longer reaches it. Never skipped silently."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Iterable, Mapping

from automation.actions import Action, CreateIssue
from automation.calendar import backfill_start
from automation.config.models import Program
from automation.desired import DesiredIssue, DesiredProgram, group_of
from automation.items import ObservedIssue

WIDEST = "year"  # the widest backfill window a kind offers
MADE_NOW = "made now"  # how the notices of a run's creates say them (`as_planned`: a plan's)
SHOWN = 10  # periods named in the warning; the rest are counted
REMEMBERED = dt.timedelta(days=365)  # a missed period is warned about for a year after it ended


def missed_periods(
    desired: DesiredProgram, found: Mapping[str, ObservedIssue], today: dt.date
) -> list[str]:
    """One warning listing the missed periods of a program, or none."""
    earliest: dict[str, dt.date] = {}
    for item in desired.issues:
        if item.key in found and (end := item.ended_on) is not None:
            series = _series(item.key)
            earliest[series] = min(end, earliest.get(series, end))
    missed = [
        item
        for item in desired.issues
        if not item.create
        and item.over_before_made is None  # a person's own item (a hire), not a period
        and item.key not in found
        and (end := item.ended_on) is not None
        and today - REMEMBERED <= end < today
        and earliest.get(_series(item.key), today) < end
        and not _over(desired, item, today)
    ]
    if not missed:
        return []
    ends = [end for item in missed if (end := item.ended_on) is not None]
    return [
        f"{quantity(len(missed), 'period')} of {desired.program.id} ended while no run created "
        "their issues (no run in their time, or only runs that failed to, that waited for "
        "a rename's `renamed_from`, or that configuration then asked for none: an account "
        "whose `end` has since moved later), and are now before "
        "the backfill window, so they were not created"
        f"{_named(desired, missed)}. " + _advice(desired.program, ends, today)
    ]


def made_too_late(desired: DesiredProgram, had: Collection[str], today: dt.date) -> list[str]:
    """One warning naming the items of a program asked for after their time was over, so
    never created (a hire added to `hires` after their onboarding's end: a tester found no
    word of them anywhere), for a year after each was over; or none. HAD: the keys that have
    or had an issue (found, or in the program's index: one a person deleted is said so on
    the run that finds it gone; the index forgets it then, and the warning's words cover it)."""
    late = [
        item
        for item in desired.issues
        if item.over_before_made is not None
        and item.key not in had
        and today - REMEMBERED <= item.over_before_made
    ]
    if not late:
        return []
    over = min(item.over_before_made or today for item in late)
    return [
        f"{quantity(len(late), 'issue')} of {desired.program.id} not created: their time was "
        f"over (from {over:%Y-%m-%d}) with no issue for them (added late, their issue deleted, or "
        "their username changed: name the former one with `renamed_from`)"
        f"{_named(desired, late)}. {desired.program.late_advice}. This is said until a year "
        "after each was over"
    ]


def as_planned(notice: str) -> str:
    """A notice of what a run makes, as a plan (which makes nothing) says it (a newcomer read
    "6 issues made now" in `plan`'s output)."""
    return notice.replace(MADE_NOW, "to be made by apply")


def cautions(desired: DesiredProgram, actions: Iterable[Action]) -> tuple[str, ...]:
    """The cautions (`DesiredIssue.caution`) of the issues this plan creates."""
    created = {a.key for a in actions if isinstance(a, CreateIssue)}
    return tuple(item.caution for item in desired.issues if item.key in created and item.caution)


def made_past(
    desired: DesiredProgram, actions: Iterable[Action], today: dt.date
) -> tuple[str, ...]:
    """A notice of the issues this plan creates for periods already over (a newcomer's trial:
    after two months without a run, the missed months' issues came, overdue, and were
    reminded of at once, with no word of why), or none."""
    created = {a.key for a in actions if isinstance(a, CreateIssue)}
    past = [
        item
        for item in desired.issues
        if item.key in created and (end := item.ended_on) is not None and end < today
    ]
    if not past:
        return ()
    return (
        f"{desired.program.id}: {quantity(len(past), 'issue')} {MADE_NOW} for periods that were "
        f"over before this run{_named(desired, past)} (no run happened in their time, or they "
        "are in the program's backfill window on its first run: README, Runs are missed)",
    )


LONG_AGO = dt.timedelta(days=31)  # an account made this long after its start is said


def begun_long_ago(
    desired: DesiredProgram, actions: Iterable[Action], today: dt.date
) -> tuple[str, ...]:
    """A notice of the issues this plan creates for what began more than a month before (a
    trial: Tyrell, approved in November with the `start` it was proposed with in February, had
    its annual review counted from February and no sessions for the months between, unsaid),
    or none. Not on the program's first run, which makes what began before it as it should."""
    created = {a.key for a in actions if isinstance(a, CreateIssue)}
    if desired.tracking.key in created:
        return ()
    late = [
        item
        for item in desired.issues
        if item.key in created and item.begins is not None and item.begins < today - LONG_AGO
    ]
    if not late:
        return ()
    first = min(item.begins or today for item in late)
    return (
        f"{desired.program.id}: {quantity(len(late), 'issue')} {MADE_NOW} for what began more "
        f"than a month ago (from {first}){_named(desired, late)}: their periods count from "
        "that day, and those over before the backfill window are not made; if it began later "
        "(an account approved late), set its `start` to the day it did",
    )


def skipped_at_start(
    desired: DesiredProgram, actions: Iterable[Action], found: Collection[str], today: dt.date
) -> tuple[str, ...]:
    """A notice of the periods, ended before the backfill window, of each series whose first
    issues this plan creates (an ESP trial: an account approved on 2 August with its `start`
    of 19 July got no July session and no Q2 quarter, unsaid, and the sealed Q2 scorecard
    charged it a missed month), or none. Not on the program's first run, whose window is what
    README says it makes, nor where a series had issues (`missed_periods` says those)."""
    created = {a.key for a in actions if isinstance(a, CreateIssue)}
    if desired.program.backfill_setting is None or not created or desired.tracking.key in created:
        return ()
    present = frozenset(found)  # once: asked of every item's former keys
    had = {_series(key) for key in present} | {  # a series renamed (`renamed_from`) is not new
        _series(item.key)
        for item in desired.issues
        if any(old in present for old in item.former_keys)
    }
    new = {_series(key) for key in created} - had
    skipped = [
        item
        for item in desired.issues
        if _series(item.key) in new
        and not item.create
        and item.over_before_made is None
        and item.key not in present
        and (end := item.ended_on) is not None
        and end < today
    ]
    if not skipped:
        return ()
    ends = [end for item in skipped if (end := item.ended_on) is not None]
    return (
        f"{desired.program.id}: {quantity(len(skipped), 'period')} that ended before the "
        f"backfill window, of a cohort or account whose first issues are {MADE_NOW}, "
        f"{'is' if len(skipped) == 1 else 'are'} not created{_named(desired, skipped)}. "
        + _advice(desired.program, ends, today, repeated=False),
    )


def asked_late(
    desired: DesiredProgram, actions: Iterable[Action], today: dt.date
) -> tuple[str, ...]:
    """A notice of the issues this plan creates that ask for a figure whose checkpoint day is
    past (a trial: a sponsorship pair released, or given a new sponsor, after the start
    checkpoint got score issues asking for it, overdue at once, with no word that a cohort
    figure published already would never count it), or none."""
    created = {a.key for a in actions if isinstance(a, CreateIssue)}
    late = [i for i in desired.issues if i.key in created and _past_checkpoints(i, today)]
    if not late:
        return ()
    past = sorted({name for item in late for name in _past_checkpoints(item, today)})
    return (
        f"{desired.program.id}: {quantity(len(late), 'issue')} {MADE_NOW} ask for checkpoints "
        f"whose day is past ({', '.join(past)}){_named(desired, late)}: an answer counts only "
        "while the cohort's figure for its checkpoint is not published yet (when every answer "
        "is in, or its grace days after its day); a figure published already never changes",
    )


def _past_checkpoints(item: DesiredIssue, today: dt.date) -> set[str]:
    """The days ITEM asks figures for that are past, by name (`checkpoint_start`: `start`)."""
    return {name.removeprefix("checkpoint_") for name in item.asks if item.dates[name] < today}


def _named(desired: DesiredProgram, missed: list[DesiredIssue]) -> str:
    """Which periods: by subject, the first few; none for a confidential program (a subject
    names its account, a customer, and warnings reach CI logs)."""
    if desired.program.is_confidential:
        return " (not named here: the program is confidential)"
    subjects = [item.subject for item in missed]  # or items made too late
    more = f" and {len(subjects) - SHOWN} more" if subjects[SHOWN:] else ""
    return ": " + ", ".join(subjects[:SHOWN]) + more


def _over(desired: DesiredProgram, item: DesiredIssue, today: dt.date) -> bool:
    """Whether the period's cohort ended: no setting makes its issue any more, and nobody
    can act on a warning (an account's last periods are still made after its end)."""
    return desired.course.ended(group_of(desired, item), today)


WINDOWS = ("quarter", WIDEST)  # backfill settings that reach back, narrowest first


def _advice(program: Program, ends: list[dt.date], today: dt.date, repeated: bool = True) -> str:
    """How to get them: the narrowest backfill setting wider than the kind's present one that
    reaches them (the widest window starts with the current year); else, that they are not
    made any more, and (REPEATED: a warning every run gives) for how long it is said."""
    setting = program.backfill_setting
    value: object = functools.reduce(getattr, setting.split("."), program) if setting else None
    reached = WINDOWS.index(str(value)) + 1 if value in WINDOWS else 0  # those already set
    for option in () if setting is None else WINDOWS[reached:]:
        reach = backfill_start(option, today, program.year_start_month())
        reachable = sum(1 for end in ends if end >= reach)
        if reachable and (reachable == len(ends) or option == WIDEST):
            which = (
                "them" if reachable == len(ends) else f"the {reachable} that ended this {option}"
            )
            return f"To create {which}, set `{setting}: {option}` in the program file"
    said = "; this is said until a year after each ended" if repeated else ""
    return (
        "No backfill setting reaches them: the tool does not create periods that ended before "
        f"the program's current year began (its fiscal year, for one that has one){said}"
    )


def quantity(count: int, noun: str) -> str:
    """'1 period', '3 issues' (output.result's `plural`, which the core cannot import)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _series(key: str) -> str:
    return key.rsplit("/", 1)[0]
