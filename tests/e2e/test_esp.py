"""Executive Sponsorship Program on the shipped configuration: periods, rules and scorecard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, issues, path_of, run

PROGRAM = Path("config/programs/executive-sponsorship.yml")
APPROVED = ("globex", "initech", "umbrella", "stark", "wayne")


@pytest.fixture
def esp(shipped: Path) -> Path:
    return keep_programs(shipped, "executive-sponsorship")


def test_the_sample_creates_exactly_the_current_periods(esp: Path) -> None:
    assert run("apply").code == 0
    expected = {
        "executive-sponsorship/tracking",
        "executive-sponsorship/program/monthly/2026-11",
        "executive-sponsorship/program/scorecard/quarterly/fy27-q4",
    }
    for account in APPROVED:
        base = f"executive-sponsorship/account/{account}"
        expected |= {
            f"{base}/account-plan",
            f"{base}/monthly/2026-11",
            f"{base}/quarterly/fy27-q4",
            f"{base}/annual/fy27",
        }
    assert set(issues(esp)) == expected
    assert "No changes" in run("apply").out


def test_a_new_month_creates_only_that_months_issues(esp: Path) -> None:
    run("apply")
    before = set(issues(esp))
    result = run("apply", today="2026-12-01")
    new = set(issues(esp)) - before
    assert new == {f"executive-sponsorship/account/{a}/monthly/2026-12" for a in APPROVED} | {
        "executive-sponsorship/program/monthly/2026-12"
    }
    assert result.out.count("created issue") == 6
    assert "No changes" in run("apply", today="2026-12-01").out


def test_a_new_fiscal_year_brings_quarter_and_year_issues(esp: Path) -> None:
    run("apply")
    run("apply", today="2027-02-01")
    found = set(issues(esp))
    assert "executive-sponsorship/account/umbrella/quarterly/fy28-q1" in found
    assert "executive-sponsorship/account/umbrella/annual/fy28" in found
    # Globex's commitment ended on 2027-01-31: no new periods for it
    assert "executive-sponsorship/account/globex/monthly/2027-02" not in found
    assert "executive-sponsorship/account/globex/monthly/2026-12" not in found  # never due


def test_past_unfinished_period_is_overdue_and_stays_open(esp: Path) -> None:
    run("apply")
    key = "executive-sponsorship/account/initech/monthly/2026-11"
    run("apply", today="2026-12-02")
    issue = issues(esp)[key]
    assert "status::overdue" in issue.labels and issue.state == "opened"
    path = path_of(esp, key)
    path.write_text(path.read_text().replace("- [ ]", "- [x]"))
    run("apply", today="2026-12-02")
    assert "status::complete" in issues(esp)[key].labels


def test_proposed_pairings_are_listed_for_review_not_created(esp: Path) -> None:
    run("apply")
    assert not [k for k in issues(esp) if "/tyrell/" in k]
    tracking = issues(esp)["executive-sponsorship/tracking"].description
    assert "| Tyrell Systems | Victor Nakamura | Kenji Watanabe | 2027-02-01 | open |" in tracking
    edit(
        esp / PROGRAM,
        "sponsor: victor.nakamura, status: proposed",
        "sponsor: victor.nakamura, status: approved",
    )
    run("apply", today="2027-02-01")
    assert "executive-sponsorship/account/tyrell/account-plan" in issues(esp)


def test_a_sponsor_with_too_many_accounts_is_an_error(esp: Path) -> None:
    for extra in ("acme", "hooli", "soylent"):
        edit(
            esp / PROGRAM,
            "  accounts:\n",
            f"  accounts:\n    - {{id: {extra}, name: {extra}, "
            "sponsor: dana.whitfield, account_team: [tom.reyes], start: 2026-03-02}\n",
        )
    result = run("validate")
    assert result.code == 2
    assert re.search(
        r"config/programs/executive-sponsorship\.yml:\d+: sponsor "
        r"'dana\.whitfield' has 5 accounts in FY27 \(soylent, hooli, acme, globex, "
        r"initech\); a sponsor takes at most 4 a year",
        result.err,
    )


def test_a_commitment_shorter_than_a_year_is_an_error(esp: Path) -> None:
    edit(esp / PROGRAM, "start: 2026-02-01, end: 2027-01-31", "start: 2026-02-01, end: 2027-01-30")
    result = run("validate")
    assert result.code == 2
    assert (
        "account 'globex' with sponsor 'dana.whitfield': the commitment ends 2027-01-30, "
        "before 2027-01-31; sponsors commit for at least 12 months"
    ) in result.err


def test_scorecard_aggregates_kpis_and_cadence_compliance(esp: Path) -> None:
    run("apply")
    plans = {
        a: path_of(esp, f"executive-sponsorship/account/{a}/account-plan")
        for a in ("globex", "initech", "umbrella")
    }
    edit(plans["globex"], "Relationship score: __/10", "Relationship score: 8/10")
    edit(plans["globex"], "NPS: __", "NPS: -20")
    edit(plans["initech"], "Relationship score: __/10", "Relationship score: 6")
    edit(plans["umbrella"], "Relationship score: __/10", "Relationship score: strong")
    monthly = path_of(esp, "executive-sponsorship/account/globex/monthly/2026-11")
    monthly.write_text(monthly.read_text().replace("- [ ]", "- [x]"))
    quarterly = path_of(esp, "executive-sponsorship/account/globex/quarterly/fy27-q4")
    edit(
        quarterly,
        "- [ ] **Executive Sponsor:** Hold at least one informal",
        "- [x] **Executive Sponsor:** Hold at least one informal",
    )
    result = run("apply")
    plan = issues(esp)["executive-sponsorship/account/umbrella/account-plan"]
    assert (
        f"warning: issue #{plan.iid}: the value of 'Relationship score' cannot be read"
        in result.out
    )
    card = issues(esp)["executive-sponsorship/program/scorecard/quarterly/fy27-q4"].description
    assert "| Globex Corporation | 8 | -20 | – | – | – | 1 of 1 | yes |" in card
    assert "| Initech | 6 | – | – | – | – | 0 of 1 | not yet |" in card
    assert "| Umbrella Health | unreadable | – | – | – | – | 0 of 1 | not yet |" in card
    assert "| **Average** | 7.0 | -20.0 | – | – | – |  | |" in card
    assert "No changes" in run("apply").out


def test_a_past_quarters_scorecard_keeps_the_figures_it_closed_with(esp: Path) -> None:
    run("apply", today="2027-01-20")
    plan = path_of(esp, "executive-sponsorship/account/globex/account-plan")
    edit(plan, "Relationship score: __/10", "Relationship score: 8/10")
    run("apply", today="2027-01-20")
    key = "executive-sponsorship/program/scorecard/quarterly/fy27-q4"
    assert "| Globex Corporation | 8 |" in issues(esp)[key].description
    edit(plan, "Relationship score: 8/10", "Relationship score: 2/10")
    run("apply", today="2027-02-02")
    assert "| Globex Corporation | 8 |" in issues(esp)[key].description  # frozen
    current = issues(esp)["executive-sponsorship/program/scorecard/quarterly/fy28-q1"]
    assert "| Globex Corporation |" not in current.description  # its commitment has ended
    assert "| Initech | – |" in current.description


def test_a_mid_quarter_start_counts_only_its_own_months(esp: Path) -> None:
    edit(
        esp / PROGRAM,
        "account_team: [oliver.grant], start: 2026-11-02",
        "account_team: [oliver.grant], start: 2026-12-14",
    )
    run("apply", today="2027-01-15")
    card = issues(esp)["executive-sponsorship/program/scorecard/quarterly/fy27-q4"].description
    assert "| Wayne Financial | – | – | – | – | – | 0 of 2 | not yet |" in card
    assert "| Initech | – | – | – | – | – | 0 of 3 | not yet |" in card


def test_open_ended_accounts_count_towards_the_cap_in_later_years(esp: Path) -> None:
    for extra in ("n1", "n2", "n3", "n4"):
        edit(
            esp / PROGRAM,
            "  accounts:\n",
            f"  accounts:\n    - {{id: {extra}, name: {extra}, "
            "sponsor: dana.whitfield, account_team: [tom.reyes], start: 2028-02-01}\n",
        )
    result = run("validate")
    assert result.code == 2
    assert (
        "sponsor 'dana.whitfield' has 5 accounts in FY29 (n4, n3, n2, n1, initech); a "
        "sponsor takes at most 4 a year"
    ) in result.err
