"""Date arithmetic the programs need: months, fiscal periods (pure)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """A fiscal month, quarter or year: its key part, its name for people, and its days."""

    cadence: str  # "monthly", "quarterly" or "annual"
    key: str  # stable, e.g. 2026-11, fy27-q4, fy27
    name: str  # e.g. November 2026, FY27 Q4, FY27
    start: dt.date
    end: dt.date  # the last day

    def next(self, first_month: int) -> Period:
        """The period right after this one."""
        return period(self.cadence, self.end + dt.timedelta(days=1), first_month)


def fiscal_year(day: dt.date, first_month: int) -> int:
    """The fiscal year a day is in, named by the calendar year it ends in."""
    return day.year + 1 if first_month > 1 and day.month >= first_month else day.year


def _fy(year: int) -> str:
    # two digits, as the handbook writes them, in this century; a fiscal year ending in 2100
    # (from 2099-02-01 with February's) is not FY00, the name of the year ending in 2000
    return f"FY{year % 100:02d}" if year < 2100 else f"FY{year}"


def period(cadence: str, day: dt.date, first_month: int) -> Period:
    """The monthly, quarterly or annual period that contains a day."""
    year = fiscal_year(day, first_month)
    year_start = dt.date(year - 1 if first_month > 1 else year, first_month, 1)
    if cadence == "monthly":
        start = day.replace(day=1)
        name = f"{start:%B %Y}"
        return Period(cadence, f"{start:%Y-%m}", name, start, add_months(start, 1) - _DAY)
    if cadence == "quarterly":
        quarter = ((day.month - first_month) % 12) // 3 + 1
        start = add_months(year_start, 3 * (quarter - 1))
        key = f"{_fy(year).lower()}-q{quarter}"
        return Period(cadence, key, f"{_fy(year)} Q{quarter}", start, add_months(start, 3) - _DAY)
    if cadence == "annual":
        return Period(
            cadence, _fy(year).lower(), _fy(year), year_start, add_months(year_start, 12) - _DAY
        )
    raise ValueError(f"unknown cadence {cadence!r}")


def anniversary_years(start: dt.date, last: dt.date, first_month: int) -> list[Period]:
    """The years of something that began on `start` (an account joining a program), each
    from one anniversary to the day before the next, up to the one containing `last`. A year
    is keyed by the fiscal year it begins in (one anniversary falls in each), and named like
    one when it is one."""
    found: list[Period] = []
    n = 0
    while (begin := add_months(start, 12 * n)) <= last:
        end = add_months(start, 12 * (n + 1)) - _DAY
        fiscal = period("annual", begin, first_month)
        same = (begin, end) == (fiscal.start, fiscal.end)
        name = fiscal.name if same else f"{begin:%b %Y} to {end:%b %Y}"
        found.append(Period("annual", fiscal.key, name, begin, end))
        n += 1
    return found


def backfill_start(backfill: str, today: dt.date, first_month: int) -> dt.date:
    """Where a kind's `backfill` window reaches back to: the start of the current quarter
    (`quarter`) or year (`year`), of the year starting in FIRST_MONTH; TODAY for `none`."""
    if backfill == "none":
        return today
    return period("quarterly" if backfill == "quarter" else "annual", today, first_month).start


def periods(cadence: str, first: dt.date, last: dt.date, first_month: int) -> list[Period]:
    """Every period from the one containing `first` to the one containing `last`."""
    found: list[Period] = []
    current = period(cadence, first, first_month)
    while current.start <= last:
        found.append(current)
        current = current.next(first_month)
    return found


_DAY = dt.timedelta(days=1)
