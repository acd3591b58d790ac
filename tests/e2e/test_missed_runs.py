"""Missed runs: periods that ended while the schedule was down are created (overdue) within the
backfill window, and listed in one warning beyond it; none is skipped silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, issues, run

PROGRAM = Path("config/programs/executive-sponsorship.yml")
GLOBEX = "executive-sponsorship/account/globex"


@pytest.fixture
def esp(shipped: Path) -> Path:
    return keep_programs(shipped, "executive-sponsorship")


def test_a_period_that_ended_in_this_quarter_is_created_overdue(esp: Path) -> None:
    assert run("apply", "2026-11-24").code == 0
    result = run("apply", "2027-01-12")  # December ended while no run happened
    assert result.code == 0, result.out
    december = issues(esp)[f"{GLOBEX}/monthly/2026-12"]
    assert "status::overdue" in december.labels and december.state == "opened"
    assert "ended while no run created" not in result.out
    assert "No changes" in run("apply", "2027-01-12").out


def test_periods_before_the_window_are_listed_in_one_warning(esp: Path) -> None:
    assert run("apply", "2026-11-24").code == 0
    result = run("apply", "2027-02-10")  # December and January missed; a new quarter began
    found = issues(esp)
    assert f"{GLOBEX}/monthly/2026-12" not in found
    assert "executive-sponsorship/account/initech/monthly/2027-01" not in found
    warnings = [line for line in result.out.splitlines() if "ended while no run" in line]
    assert len(warnings) == 1
    # the runs that waited for a rename's `renamed_from` too (a configuration trial was told
    # "no run in their time" of a month whose run had waited on purpose)
    assert "that waited for a rename's `renamed_from`, or" in warnings[0]
    assert "Globex Corporation: December 2026 monthly" in warnings[0]
    assert "Initech: January 2027 monthly" in warnings[0]
    # December and January ended before the fiscal year that began in February: `year` would
    # not reach them either, so the warning does not send anyone to widen it
    assert "does not create periods that ended before the program's current year" in warnings[0]
    assert "backfill: year" not in warnings[0]


def test_the_first_run_of_a_quarter_names_its_last_month_missed(esp: Path) -> None:
    """A year's simulation: runs stopped in May; the first after, on 2027-08-01 (a quarter's
    first day), neither made the accounts' July sessions (due at the end of July's last week,
    on August 1) nor named them: the warning counted the program's July issue only."""
    assert run("apply", "2027-05-01").code == 0
    result = run("apply", "2027-08-01")
    assert result.code == 0, result.out
    assert "executive-sponsorship/account/initech/monthly/2027-07" not in issues(esp)
    (warning,) = [line for line in result.out.splitlines() if "ended while no run" in line]
    assert "Initech: July 2027 monthly" in warning and "Program: July 2027 monthly" in warning
    assert warning == next(
        line for line in run("plan", "2027-08-02").out.splitlines() if "ended while no run" in line
    )


def test_a_wider_backfill_creates_them(esp: Path) -> None:
    assert run("apply", "2026-08-10").code == 0
    said = run("plan", "2026-11-24").out  # September and October: this fiscal year
    assert "To create them, set `esp.backfill: year` in the program file" in said, said
    edit(esp / PROGRAM, "  backfill: quarter\n", "  backfill: year\n")
    assert run("apply", "2026-11-24").code == 0
    found = issues(esp)
    for month in ("2026-09", "2026-10"):
        assert "status::overdue" in found[f"{GLOBEX}/monthly/{month}"].labels


def test_an_account_that_ended_while_no_run_happened_still_gets_its_last_periods(
    esp: Path,
) -> None:
    edit(
        esp / PROGRAM, "start: 2026-02-01, end: 2027-01-31}", "start: 2025-10-01, end: 2026-09-30}"
    )
    assert run("apply", "2026-08-01").code == 0
    result = run("apply", "2026-10-05")  # September went by with no run, and so did the account
    assert result.code == 0, result.out
    september = issues(esp)[f"{GLOBEX}/monthly/2026-09"]
    assert "status::ended" in september.labels  # made, and over with its account
    assert "ended while no run" not in result.out


def test_an_account_extended_after_it_ended_names_its_months_not_made_truly(esp: Path) -> None:
    """A year's trial: Globex's `end` taken away months after it passed; the months the runs
    had made nothing for, since configuration asked for none, were said to have had "no run
    in their time", though a run came every month."""
    for day in ("2027-01-05", "2027-02-05", "2027-03-05", "2027-04-05"):
        assert run("apply", day).code == 0
    edit(esp / PROGRAM, "start: 2026-02-01, end: 2027-01-31}", "start: 2026-02-01}")
    result = run("apply", "2027-05-10")  # a new quarter: February to April are before it
    assert result.code == 0, result.out
    (said,) = [line for line in result.out.splitlines() if "ended while no run" in line]
    assert "Globex Corporation: February 2027 monthly" in said, said
    assert "configuration then asked for none: an account whose `end` has since moved" in said


def test_history_before_the_first_run_is_neither_created_nor_warned(esp: Path) -> None:
    result = run("apply", "2026-11-24")
    assert f"{GLOBEX}/monthly/2026-10" not in issues(esp)
    assert "ended while no run" not in result.out


CSM = Path("config/programs/csm-aspiring-leaders.yml")
PILOT = "csm-aspiring-leaders/fy27-pilot/monthly"


def backfill(root: Path, window: str) -> None:
    edit(root / CSM, "group_issues:\n", f"group_issues:\n  backfill: {window}\n")


def test_csm_group_months_missed_are_named_with_advice_that_works(shipped: Path) -> None:
    """The pilot group's monthly issues of months no run happened in: the warning names the
    setting a participants program has, and following it creates them, overdue."""
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    assert run("apply", "2027-01-04").code == 0
    assert run("apply", "2027-02-01").code == 0
    result = run("apply", "2027-04-05")  # February and March missed
    warnings = [line for line in result.out.splitlines() if "ended while no run" in line]
    assert len(warnings) == 1, result.out
    assert "To create them, set `group_issues.backfill: year` in the program file" in warnings[0]
    backfill(shipped, "year")
    result = run("apply", "2027-04-05")
    assert result.code == 0, result.out
    found = issues(shipped)
    for month in ("2027-02", "2027-03"):
        assert "status::overdue" in found[f"{PILOT}/{month}"].labels, result.out
    assert "ended while no run" not in result.out
    assert "No changes" in run("apply", "2027-04-05").out


def test_the_advice_names_the_narrowest_window_that_reaches_the_missed_months(
    shipped: Path,
) -> None:
    """A tester's: the warning said `backfill: year` for a month of this quarter, which
    `quarter` already reaches; it names the narrowest setting that does."""
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    assert run("apply", "2027-01-04").code == 0
    result = run("apply", "2027-03-15")  # February ended while no run happened
    assert "To create them, set `group_issues.backfill: quarter` in the program file" in (
        result.out
    ), result.out
    backfill(shipped, "quarter")
    result = run("apply", "2027-03-15")
    assert f"{PILOT}/2027-02" in issues(shipped) and "ended while no run" not in result.out


def test_a_quarter_backfill_creates_this_quarters_missed_months_only(shipped: Path) -> None:
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    backfill(shipped, "quarter")
    assert run("apply", "2027-01-04").code == 0  # December ended last quarter: not made
    assert run("apply", "2027-03-15").code == 0  # February ended while no run happened
    months = sorted(k.rsplit("/", 1)[1] for k in issues(shipped) if k.startswith(PILOT))
    assert months == ["2027-01", "2027-02", "2027-03"]


def test_a_new_cohorts_months_no_setting_reaches_are_said_once_and_so(shipped: Path) -> None:
    """A newcomer's trial: a cohort's months that ended last year, not made as its first
    issues are, were said once, in words that promised the note "until a year after each
    ended", and read as if a backfill setting would bring them."""
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    assert run("apply", "2027-01-04").code == 0
    edit(
        shipped / CSM,
        "cohorts:\n",
        "cohorts:\n  - id: fy27-second\n    name: FY27 second group\n    start_date: 2026-11-02\n"
        "    end_date: 2027-04-30\n    participants:\n      - riley.chen\n",
    )
    result = run("apply", "2027-01-05")
    said = [line for line in result.out.splitlines() if "before the backfill window" in line]
    assert len(said) == 1, result.out
    assert "FY27 second group: November 2026, FY27 second group: December 2026" in said[0]
    assert said[0].endswith(
        "No backfill setting reaches them: the tool does not create periods that ended before "
        "the program's current year began (its fiscal year, for one that has one)"
    ), said
    assert "before the backfill window" not in run("apply", "2027-01-05").out


def test_with_the_widest_backfill_the_advice_is_to_make_them_by_hand(shipped: Path) -> None:
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    backfill(shipped, "year")
    assert run("apply", "2026-11-02").code == 0
    result = run("apply", "2027-02-01")  # December ended last year: beyond even `year`
    warnings = [line for line in result.out.splitlines() if "ended while no run" in line]
    assert len(warnings) == 1 and "December 2026" in warnings[0], result.out
    assert "does not create periods that ended before the program's current year" in warnings[0]


def test_a_cohort_that_ended_gets_no_missed_month_and_no_advice_to_make_one(
    shipped: Path,
) -> None:
    """February and March were missed; the next run comes after the cohort ended (April):
    no warning advises a setting that would make a month of a cohort that is over, and the
    widest setting makes none (a tester followed the advice and got one)."""
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    assert run("apply", "2027-01-04").code == 0
    assert run("apply", "2027-02-01").code == 0
    result = run("apply", "2027-05-10")  # the cohort ended on 2027-04-30
    assert result.code == 0, result.out
    assert "ended while no run" not in result.out, result.out
    backfill(shipped, "year")
    result = run("apply", "2027-05-10")
    assert "create issue" not in result.out and "created issue" not in result.out, result.out
    months = sorted(k.rsplit("/", 1)[1] for k in issues(shipped) if k.startswith(PILOT))
    assert months == ["2027-01", "2027-02"]
    assert "No changes" in run("apply", "2027-05-10").out
