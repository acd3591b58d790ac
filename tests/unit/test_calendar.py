"""Fiscal periods: the default year starts on 1 February and is named by the year it ends."""

from __future__ import annotations

import datetime as dt

import pytest

from automation.calendar import add_months, fiscal_year, period, periods
from automation.kinds.onboarding.model import Workshop

FEB = 2


@pytest.mark.parametrize(
    ("day", "year", "quarter", "month"),
    [
        (dt.date(2027, 1, 31), 2027, "fy27-q4", "2027-01"),
        (dt.date(2027, 2, 1), 2028, "fy28-q1", "2027-02"),
        (dt.date(2027, 4, 30), 2028, "fy28-q1", "2027-04"),
        (dt.date(2027, 5, 1), 2028, "fy28-q2", "2027-05"),
        (dt.date(2026, 11, 24), 2027, "fy27-q4", "2026-11"),
        (dt.date(2026, 10, 31), 2027, "fy27-q3", "2026-10"),
    ],
)
def test_periods_at_year_and_quarter_boundaries(
    day: dt.date, year: int, quarter: str, month: str
) -> None:
    assert fiscal_year(day, FEB) == year
    assert period("quarterly", day, FEB).key == quarter
    assert period("monthly", day, FEB).key == month
    assert period("annual", day, FEB).key == f"fy{year % 100}"


def test_a_quarter_knows_its_days_and_name() -> None:
    q4 = period("quarterly", dt.date(2026, 12, 15), FEB)
    assert (q4.name, q4.start, q4.end) == ("FY27 Q4", dt.date(2026, 11, 1), dt.date(2027, 1, 31))
    assert q4.next(FEB).key == "fy28-q1"
    year = period("annual", dt.date(2026, 12, 15), FEB)
    assert (year.start, year.end) == (dt.date(2026, 2, 1), dt.date(2027, 1, 31))


def test_a_calendar_fiscal_year_is_named_by_its_own_year() -> None:
    assert fiscal_year(dt.date(2026, 12, 31), 1) == 2026
    assert period("quarterly", dt.date(2026, 12, 31), 1).key == "fy26-q4"


def test_a_fiscal_year_ending_in_2100_is_not_named_as_the_one_ending_in_2000() -> None:
    assert period("annual", dt.date(2000, 1, 15), FEB).name == "FY00"
    assert period("quarterly", dt.date(2099, 2, 1), FEB).key == "fy2100-q1"


def test_periods_between_two_days() -> None:
    keys = [p.key for p in periods("monthly", dt.date(2026, 10, 20), dt.date(2027, 1, 2), FEB)]
    assert keys == ["2026-10", "2026-11", "2026-12", "2027-01"]


def test_add_months_clamps_to_the_end_of_shorter_months() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 3, 15), -3) == dt.date(2026, 12, 15)


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        ("2020-09-28", "2020-10-07", "Sep 28-Oct 7, 2020"),  # the handbook's own
        ("2026-12-07", "2026-12-10", "Dec 7-10, 2026"),
        ("2026-12-07", "2026-12-07", "Dec 7, 2026"),
        ("2026-12-29", "2027-01-05", "Dec 29, 2026-Jan 5, 2027"),  # it read "..., 2026"
        ("2026-01-05", "2027-01-07", "Jan 5, 2026-Jan 7, 2027"),  # it read "Jan 5-7, 2026"
    ],
)
def test_a_workshops_dates_read_as_the_handbook_writes_them(
    start: str, end: str, shown: str
) -> None:
    workshop = Workshop(
        id="w",
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        geo="AMER",
        location="Remote",
    )
    assert workshop.dates == shown
