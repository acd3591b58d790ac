"""Sponsor/sponsee matching rules: each error and warning names the pair, the rule, the values."""

from __future__ import annotations

import datetime as dt

import pytest

from automation.config.models import JobGrades, Person
from automation.kinds.sponsorship.checks import Finding, findings
from automation.kinds.sponsorship.generate import dates
from automation.kinds.sponsorship.model import (
    Pair,
    Sponsorship,
    SponsorshipCohort,
    SponsorshipRules,
)

START = dt.date(2027, 2, 1)
BASE = {
    "boss": Person(
        username="boss",
        name="Boss",
        grade=12,
        start_date=dt.date(2019, 1, 7),
        timezone="Europe/Berlin",
    ),
    "spon": Person(
        username="spon",
        name="Sponsor",
        grade=10,
        manager="boss",
        start_date=dt.date(2020, 1, 6),
        timezone="Europe/Berlin",
    ),
    "mgr": Person(
        username="mgr",
        name="Manager",
        grade=9,
        manager="spon",
        start_date=dt.date(2021, 1, 4),
        timezone="Europe/Paris",
    ),
    "see": Person(
        username="see",
        name="Sponsee",
        grade=8,
        manager="mgr",
        start_date=dt.date(2024, 1, 8),
        timezone="Europe/London",
    ),
}


def run(
    people: dict[str, Person] | None = None, pairs: tuple[Pair, ...] | None = None, **rules: object
) -> list[Finding]:
    part = Sponsorship(
        rules=SponsorshipRules.model_validate(rules),
        cohorts=(
            SponsorshipCohort(
                id="c1",
                name="C1",
                start=START,
                pairs=pairs or (Pair(sponsor="spon", sponsee="see"),),
            ),
        ),
    )
    return list(findings(part, people or BASE, JobGrades(families=())))


def changed(name: str, **fields: object) -> dict[str, Person]:
    return {**BASE, name: BASE[name].model_copy(update=fields)}


def test_a_valid_pair_breaks_no_rule() -> None:
    assert run() == []


@pytest.mark.parametrize(
    ("people", "message"),
    [
        (
            {**changed("spon", grade=9), "see": BASE["see"].model_copy(update={"grade": 7})},
            "pair 1 of cohort c1: sponsor grade 9 is below 10; a sponsor needs grade 10 or above",
        ),
        (
            changed("see", grade=9),
            "pair 1 of cohort c1: sponsor grade 10 is not 2 above "
            "sponsee grade 9; a sponsor needs to be at least 2 grades higher",
        ),
        (
            changed("see", manager="spon"),
            "pair 1 of cohort c1: the sponsor is the "
            "sponsee's direct manager; a sponsor must not be the sponsee's manager",
        ),
        (
            changed("spon", start_date=dt.date(2026, 8, 2)),
            "pair 1 of cohort c1: sponsor "
            "started 2026-08-02, less than 6 months before the cohort starts (2027-02-01); a "
            "sponsor needs 6 months at the company",
        ),
        (
            changed("spon", start_date=None),
            "pair 1 of cohort c1: the sponsor has no "
            "start_date in people.yml, so the tenure rule cannot be checked",
        ),
        (
            changed("see", grade=None),
            "pair 1 of cohort c1: the sponsee has no grade; give a "
            "title from job-grades.yml or `grade:` in people.yml",
        ),
    ],
)
def test_each_must_rule_is_an_error(people: dict[str, Person], message: str) -> None:
    assert [(f.error, f.message) for f in run(people)] == [(True, message)]


def test_tenure_of_exactly_six_months_is_enough() -> None:
    assert run(changed("spon", start_date=dt.date(2026, 8, 1))) == []


def test_a_sponsee_in_two_pairs_of_a_cohort_is_an_error() -> None:
    people = {**BASE, "two": BASE["spon"].model_copy(update={"username": "two"})}
    pairs = (Pair(sponsor="spon", sponsee="see"), Pair(sponsor="two", sponsee="see"))
    errors = [f for f in run(people, pairs) if f.error]
    assert errors[0].message == (
        "pair 2 of cohort c1: the sponsee is already in pair 1 "
        "of this cohort; a sponsee has one sponsor per cohort"
    )
    assert errors[0].loc == ("sponsorship", "cohorts", 0, "pairs", 1)


NOT_A_MANAGER = changed("mgr", manager="boss")
FAR_AWAY = changed("see", timezone="Asia/Tokyo")


@pytest.mark.parametrize(
    ("people", "rule", "message"),
    [
        (
            NOT_A_MANAGER,
            "sponsor_manages_people",
            "pair 1 of cohort c1: the sponsor "
            "manages nobody in people.yml; a sponsor should be a people manager or manager of "
            "managers",
        ),
        (
            FAR_AWAY,
            "timezone_gap",
            "pair 1 of cohort c1: timezones Europe/Berlin and "
            "Asia/Tokyo are 8 hours apart; 1-1s need them at most 6 hours apart",
        ),
    ],
)
def test_should_rules_warn_and_can_be_made_errors(
    people: dict[str, Person], rule: str, message: str
) -> None:
    assert [(f.error, f.message) for f in run(people)] == [(False, message)]
    assert [(f.error, f.message) for f in run(people, None, **{rule: "error"})] == [(True, message)]


def test_timezone_limit_is_configurable() -> None:
    assert run(FAR_AWAY, max_timezone_gap_hours=8) == []


def test_phases_and_checkpoints_follow_the_cohort_start() -> None:
    when = dates(START, 6)
    assert when["end"] == dt.date(2027, 8, 1)
    assert when["checkpoints"] == {
        "start": dt.date(2027, 2, 15),
        "mid": dt.date(2027, 5, 2),
        "end": dt.date(2027, 8, 1),
    }
    assert when["quarters"] == [dt.date(2027, 5, 1), dt.date(2027, 8, 1)]
    assert dates(START, 9)["end"] == dt.date(2027, 11, 1)
