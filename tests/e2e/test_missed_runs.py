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
    assert "Globex Corporation: December 2026 monthly" in warnings[0]
    assert "Initech: January 2027 monthly" in warnings[0]
    assert "backfill: year" in warnings[0]


def test_a_wider_backfill_creates_them(esp: Path) -> None:
    assert run("apply", "2026-08-10").code == 0
    edit(esp / PROGRAM, "  backfill: quarter\n", "  backfill: year\n")
    run("apply", "2026-11-24")
    found = issues(esp)
    for month in ("2026-09", "2026-10"):
        assert "status::overdue" in found[f"{GLOBEX}/monthly/{month}"].labels


def test_history_before_the_first_run_is_neither_created_nor_warned(esp: Path) -> None:
    result = run("apply", "2026-11-24")
    assert f"{GLOBEX}/monthly/2026-10" not in issues(esp)
    assert "ended while no run" not in result.out
