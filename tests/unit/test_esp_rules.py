"""The Executive Sponsorship Program's own rules: account years and the sponsor cap (pure)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
from pathlib import Path

from automation.blocks import record_specs
from automation.calendar import anniversary_years
from automation.checklist import TaskCount
from automation.desired import Derived, DerivedRow, Measured, derived_values
from automation.items import ObservedIssue
from automation.kinds.esp.checks import over_cap
from automation.kinds.esp.generate import mondays
from automation.kinds.esp.model import Account, ExecutiveSponsorship
from automation.progress import Progress, Status
from automation.records import RecordSpec, read_records
from automation.run import prepare

FEB = 2
D = dt.date


REPO = Path(__file__).resolve().parents[2]


def test_an_account_year_runs_from_one_anniversary_to_the_day_before_the_next() -> None:
    years = anniversary_years(D(2026, 11, 2), D(2027, 11, 2), FEB)
    assert [(y.key, y.name, y.start, y.end) for y in years] == [
        ("fy27", "Nov 2026 to Nov 2027", D(2026, 11, 2), D(2027, 11, 1)),
        ("fy28", "Nov 2027 to Nov 2028", D(2027, 11, 2), D(2028, 11, 1)),
    ]
    assert all(y.cadence == "annual" for y in years)


def test_an_account_that_joined_on_the_fiscal_year_start_has_fiscal_years() -> None:
    (year,) = anniversary_years(D(2026, 2, 1), D(2027, 1, 31), FEB)
    assert (year.key, year.name, year.end) == ("fy27", "FY27", D(2027, 1, 31))


def test_a_leap_day_start_keeps_one_year_per_fiscal_year() -> None:
    years = anniversary_years(D(2028, 2, 29), D(2032, 3, 1), FEB)
    assert [y.start for y in years] == [
        D(2028, 2, 29),
        D(2029, 2, 28),
        D(2030, 2, 28),
        D(2031, 2, 28),
        D(2032, 2, 29),
    ]
    assert len({y.key for y in years}) == len(years)
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in itertools.pairwise(years))


def test_nothing_before_the_account_joins() -> None:
    assert anniversary_years(D(2027, 5, 1), D(2027, 4, 30), FEB) == []


def _account(ident: str, start: D, sponsor: str = "dana", end: D | None = None) -> Account:
    return Account(
        id=ident, name=ident, sponsor=sponsor, account_team=("tom",), start=start, end=end
    )


def test_the_latest_to_join_go_over_the_cap_each_once() -> None:
    part = ExecutiveSponsorship(
        program_manager="pm",
        max_accounts_per_sponsor=2,
        accounts=(
            _account("late", D(2026, 9, 1)),
            _account("early", D(2026, 2, 1)),
            _account("mid", D(2026, 5, 1)),
            _account("other", D(2026, 9, 1), sponsor="kim"),
            _account("later", D(2026, 10, 1)),
        ),
    )
    found = over_cap(part)
    assert [(part.accounts[o.index].id, o.year) for o in found] == [("late", 2027), ("later", 2027)]
    assert found[0].accounts == ("early", "mid", "late", "later")


def test_an_ended_commitment_frees_a_place_the_next_year() -> None:
    part = ExecutiveSponsorship(
        program_manager="pm",
        max_accounts_per_sponsor=1,
        accounts=(
            _account("old", D(2026, 2, 1), end=D(2027, 1, 31)),
            _account("new", D(2027, 2, 1)),
        ),
    )
    assert over_cap(part) == []


SPECS = (RecordSpec("Influence", 10), RecordSpec("Public references"))
NOTHING = Progress((), TaskCount(), None, Status.NOT_STARTED)


def _measured(text: str) -> Measured:
    issue = ObservedIssue(iid=1, title="t", description=text, labels=())
    return Measured(issue, NOTHING, read_records(text, SPECS))


def _values(measured: dict[str, Measured]) -> dict[str, object]:
    row = DerivedRow({"account": "a"}, records="plan", year_records="year")
    block = Derived("scorecard", "unused", {}, (row,), SPECS)
    (found,) = derived_values(block, measured)["rows"]
    records = found["records"]
    return {label: r.value for label, r in records.items()} if records else {}


def test_a_value_counted_per_year_comes_from_the_years_issue() -> None:
    plan = _measured("- Influence: 8/10\n")
    year = _measured("- Public references: 1\n")
    assert _values({"plan": plan, "year": year}) == {"Influence": 8, "Public references": 1}


def test_before_the_years_issue_exists_the_plan_alone_counts() -> None:
    plan = _measured("- Influence: 8/10\n- Public references: 5\n")
    assert _values({"plan": plan}) == {"Influence": 8, "Public references": 5}
    # a year's issue with a blank count is "not recorded yet", not the plan's old figure
    assert _values({"plan": plan, "year": _measured("- Public references: __\n")}) == {
        "Influence": 8,
        "Public references": None,
    }


def test_the_shipped_tracking_issue_never_averages_public_references() -> None:
    """The page counts public references per year against a target of two: the scorecard
    counts them; the tracking issue's table of averages leaves them out."""
    prepared = prepare(REPO / "config", REPO / "templates", dt.date(2027, 2, 1))
    esp = next(p.program for p in prepared.programs if p.program.id == "executive-sponsorship")
    averaged = {spec.label for spec in record_specs(esp, rollup=True)}
    assert "Public references" not in averaged
    assert {"Influence", "Roadblocks removed"} <= averaged
    assert "Public references" in {spec.label for spec in record_specs(esp)}


def test_a_periods_weeks_are_its_mondays() -> None:
    march = mondays(dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert march == [dt.date(2027, 3, d) for d in (1, 8, 15, 22, 29)]
    assert mondays(dt.date(2027, 3, 2), dt.date(2027, 3, 7)) == []  # Tuesday to Sunday
    assert mondays(dt.date(2027, 3, 7), dt.date(2027, 3, 8)) == [dt.date(2027, 3, 8)]
    for start in (dt.date(2027, 1, 1) + dt.timedelta(days=n) for n in range(14)):
        for length in range(0, 100, 3):
            end = start + dt.timedelta(days=length)
            every_day = (start + dt.timedelta(days=d) for d in range(length + 1))
            assert mondays(start, end) == [day for day in every_day if day.weekday() == 0]


def test_the_last_days_of_the_calendar_have_no_monday_past_them() -> None:
    assert mondays(dt.date(9999, 12, 28), dt.date(9999, 12, 31)) == []  # Tuesday to Friday


def test_a_year_over_the_cap_that_is_over_is_not_said_again() -> None:
    """Two accounts of one sponsor in FY27, one of them ended with it: from FY28 on nothing
    can be rebalanced in FY27 (a tester saw its warning on every run of FY29)."""
    part = ExecutiveSponsorship(
        program_manager="pm",
        max_accounts_per_sponsor=1,
        accounts=(
            _account("old", D(2026, 2, 1), end=D(2027, 1, 31)),
            _account("late", D(2026, 9, 1), end=D(2027, 1, 31)),
        ),
    )
    assert [o.year for o in over_cap(part)] == [2027]
    assert over_cap(part, since=2027) != [] and over_cap(part, since=2028) == []


def test_an_account_joining_mid_month_gets_that_months_weeks_from_its_own(tmp_path: Path) -> None:
    """Wayne joins on Wednesday 18 November: its November issue asks for the weeks of 16, 23
    and 30 November, not of the 2nd and 9th, before it was in the program."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    esp = tmp_path / "config" / "programs" / "executive-sponsorship.yml"
    esp.write_text(
        esp.read_text("utf-8").replace(
            "[oliver.grant], start: 2026-11-02", "[oliver.grant], start: 2026-11-18"
        ),
        "utf-8",
    )
    prepared = prepare(tmp_path / "config", REPO / "templates", dt.date(2026, 11, 20))
    program = next(p for p in prepared.programs if p.program.id == "executive-sponsorship")
    (november,) = [i for i in program.issues if i.key.endswith("/wayne/monthly/2026-11")]
    weeks = re.findall(r"week of (\d{4}-\d\d-\d\d)", november.description, re.IGNORECASE)
    assert sorted(set(weeks)) == ["2026-11-16", "2026-11-23", "2026-11-30"], weeks
