"""Periods nobody made an issue for (pure): a past period whose issue was never created, in a
series (an account's monthly sessions, say) where an earlier period's issue exists, was missed
while no run happened, and the backfill window no longer reaches it. Never skipped silently."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

from automation.config.models import Program
from automation.desired import DesiredProgram
from automation.items import ObservedIssue

WIDEST = "year"  # the widest backfill window a kind offers
SHOWN = 10  # periods named in the warning; the rest are counted
REMEMBERED = dt.timedelta(days=365)  # a missed period is warned about for a year after it ended


def missed_periods(
    desired: DesiredProgram, found: Mapping[str, ObservedIssue], today: dt.date
) -> list[str]:
    """One warning listing the missed periods of a program, or none."""
    earliest: dict[str, dt.date] = {}
    for item in desired.issues:
        if item.key in found and item.due_date is not None:
            series = _series(item.key)
            earliest[series] = min(item.due_date, earliest.get(series, item.due_date))
    missed = [
        item.subject
        for item in desired.issues
        if not item.create
        and item.key not in found
        and item.due_date is not None
        and today - REMEMBERED <= item.due_date < today
        and earliest.get(_series(item.key), today) < item.due_date
    ]
    if not missed:
        return []
    named = ", ".join(missed[:SHOWN]) + (
        f" and {len(missed) - SHOWN} more" if missed[SHOWN:] else ""
    )
    return [
        f"{len(missed)} periods of {desired.program.id} ended while no run created their issues, "
        f"before the backfill window, so they were not created: {named}. "
        + _advice(desired.program)
    ]


def _advice(program: Program) -> str:
    """How to get them: widen the kind's backfill setting, unless it is as wide as it goes."""
    setting = program.backfill_setting
    value: object = functools.reduce(getattr, setting.split("."), program) if setting else None
    if setting is None or value == WIDEST:
        return "Create them by hand where they are needed"
    return f"To create them, widen `{setting}` in the program file (for example `{WIDEST}`)"


def _series(key: str) -> str:
    return key.rsplit("/", 1)[0]
