"""Sponsor/sponsee matching rules: each error and warning names the pair, the rule, the values."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from automation.config.models import JobGrades, Person
from automation.kinds.sponsorship import checks
from automation.kinds.sponsorship.checks import Finding, clock_gap, findings
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
            "pair 1 of cohort c1: the sponsor's grade is below 10; a sponsor needs grade 10 or "
            "above",
        ),
        (
            changed("see", grade=9),
            "pair 1 of cohort c1: the sponsor's grade is less than 2 above the sponsee's; a "
            "sponsor needs to be at least 2 grades higher",
        ),
        (
            changed("see", manager="spon"),
            "pair 1 of cohort c1: the sponsor is the "
            "sponsee's direct manager; a sponsor must not be the sponsee's manager",
        ),
        (
            changed("spon", start_date=dt.date(2026, 8, 2)),
            "pair 1 of cohort c1: the sponsor started less than 6 months before the cohort "
            "starts; a sponsor needs 6 months at the company",
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
            f"pair 1 of cohort c1: {checks.NOT_A_MANAGER}; a sponsor should be a people manager "
            "or manager of managers",
        ),
        (
            FAR_AWAY,
            "timezone_gap",
            "pair 1 of cohort c1: the sponsor's and sponsee's timezones are 8 hours apart; 1-1s "
            "need them at most 6 hours apart",
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
    # the middle of each quarter: inside the program, never on its last day
    assert when["quarters"] == [dt.date(2027, 3, 17), dt.date(2027, 6, 16)]
    nine = dates(START, 9)
    assert len(nine["quarters"]) == 3 and all(START < q < nine["end"] for q in nine["quarters"])
    assert dates(START, 9)["end"] == dt.date(2027, 11, 1)


@pytest.mark.parametrize("months", range(1, 25))
def test_every_all_hands_falls_inside_the_program(months: int) -> None:
    """A quarter begun in the program's last month (1, 4, 7... months) would have its middle
    after the end, past the pair's due date: it has none; the others are three months apart."""
    when = dates(START, months)
    assert all(START < q < when["end"] for q in when["quarters"])
    assert len(when["quarters"]) == (months + 1) // 3
    spacing = {(b - a).days // 30 for a, b in itertools.pairwise(when["quarters"])}
    assert spacing <= {3}


def test_a_seven_month_program_has_two_all_hands() -> None:
    assert dates(START, 7)["quarters"] == [dt.date(2027, 3, 17), dt.date(2027, 6, 16)]
    assert dates(START, 8)["quarters"][-1] == dt.date(2027, 9, 16)  # before its 2027-10-01 end


def test_phase_lengths_follow_their_weights() -> None:
    phases = ("Build", "Develop", "Commit", "Advocate")
    equal = dates(START, 6, phases)["phases"]
    # 45 of 181 days, its last the day before Develop's first (no day in two phases)
    assert equal["Build"] == (START, dt.date(2027, 3, 17))
    assert equal["Develop"][0] == dt.date(2027, 3, 18)
    assert equal["Advocate"][1] == dt.date(2027, 8, 1)
    weighted = dates(START, 6, phases, {"Build": 2, "Advocate": 0.5})["phases"]
    # Build 2 of 4.5 shares of 181 days, Advocate half a share
    assert weighted["Build"] == (START, START + dt.timedelta(days=79))
    assert weighted["Advocate"] == (START + dt.timedelta(days=161), dt.date(2027, 8, 1))
    assert weighted["Develop"][0] == weighted["Build"][1] + dt.timedelta(days=1)


def zoned(sponsor: str, sponsee: str) -> dict[str, Person]:
    return {
        **changed("spon", timezone=sponsor),
        "see": BASE["see"].model_copy(update={"timezone": sponsee}),
    }


@pytest.mark.parametrize(
    ("sponsor", "sponsee", "start", "hours"),
    [
        # across the date line: 13 and -10 hours from UTC in February are one hour apart
        ("Pacific/Auckland", "Pacific/Honolulu", dt.date(2027, 2, 1), 1),
        # Auckland's winter (UTC+12): two hours
        ("Pacific/Auckland", "Pacific/Honolulu", dt.date(2027, 7, 1), 2),
        # Kiritimati (UTC+14) and Honolulu (UTC-10) show the same time of day
        ("Pacific/Kiritimati", "Pacific/Honolulu", dt.date(2027, 2, 1), 0),
        # New York moves its clocks on 14 March 2027, London on 28 March
        ("America/New_York", "Europe/London", dt.date(2027, 3, 1), 5),
        ("America/New_York", "Europe/London", dt.date(2027, 3, 20), 4),
        ("America/New_York", "Europe/London", dt.date(2027, 4, 5), 5),
        # half-hour zones
        ("Asia/Kolkata", "Europe/Berlin", dt.date(2027, 2, 1), 4.5),
    ],
)
def test_timezone_gap_is_the_clocks_difference_on_the_cohort_start(
    sponsor: str, sponsee: str, start: dt.date, hours: float
) -> None:
    assert clock_gap(sponsor, sponsee, start) == hours
    cohort = SponsorshipCohort(
        id="c1", name="C1", start=start, pairs=(Pair(sponsor="spon", sponsee="see"),)
    )
    part = Sponsorship(rules=SponsorshipRules(max_timezone_gap_hours=4.5), cohorts=(cohort,))
    warned = list(findings(part, zoned(sponsor, sponsee), JobGrades(families=())))
    assert bool(warned) == (hours > 4.5)
    if warned:
        assert f"timezones are {hours:g} hours apart" in warned[0].message
        assert sponsor not in warned[0].message and sponsee not in warned[0].message


def test_a_dst_change_moves_the_verdict_with_the_cohort_start() -> None:
    people = zoned("America/New_York", "Europe/London")
    before = run(people, max_timezone_gap_hours=4)
    assert [f.message for f in before] == [
        "pair 1 of cohort c1: the sponsor's and sponsee's timezones are 5 hours apart; 1-1s "
        "need them at most 4 hours apart"
    ]


ECOSYSTEM = JobGrades.model_validate(
    {
        "families": [
            {
                "name": "Ecosystem Sales",
                "individual_contributor_grades": {"from": 5, "to": 8},
                "manager_grades": {"from": 9, "to": 12},
                "titles": [
                    {
                        "title": "Ecosystem Sales Manager",
                        "grade": 6,
                        "also": ["Ecosystem Sales Manager (Intermediate)"],
                    },
                    {"title": "Staff Ecosystem Sales Manager", "grade": 8},
                    {"title": "Director, Ecosystem Sales", "grade": 10},
                ],
            }
        ]
    }
)


def graded(people: dict[str, Person]) -> list[Finding]:
    cohort = SponsorshipCohort(
        id="c1", name="C1", start=START, pairs=(Pair(sponsor="spon", sponsee="see"),)
    )
    return list(findings(Sponsorship(cohorts=(cohort,)), people, ECOSYSTEM))


def test_the_level_heading_is_a_title_with_its_grade() -> None:
    assert ECOSYSTEM.grade_of("Ecosystem Sales Manager (Intermediate)") == 6
    assert ECOSYSTEM.grade_of("ecosystem  sales manager (intermediate)") == 6
    assert ECOSYSTEM.track_of("Ecosystem Sales Manager (Intermediate)") == (
        "individual contributor",
        "Ecosystem Sales",
    )
    assert ECOSYSTEM.track_of("Director, Ecosystem Sales") == ("manager", "Ecosystem Sales")
    assert ECOSYSTEM.track_of("Chief Cheerleader") is None


def test_a_director_by_title_is_a_people_manager_even_with_no_reports_in_the_roster() -> None:
    people = {
        **NOT_A_MANAGER,
        "spon": BASE["spon"].model_copy(
            update={"title": "Director, Ecosystem Sales", "grade": None}
        ),
        "see": BASE["see"].model_copy(
            update={"title": "Ecosystem Sales Manager (Intermediate)", "grade": None}
        ),
    }
    assert graded(people) == []


def test_a_sponsor_with_an_individual_contributor_title_is_warned_about_even_with_reports() -> None:
    people = {
        **BASE,
        "spon": BASE["spon"].model_copy(
            update={"title": "Staff Ecosystem Sales Manager", "grade": None}
        ),
        "see": BASE["see"].model_copy(update={"grade": 5}),
    }
    messages = [f.message for f in graded(people)]
    assert (
        f"pair 1 of cohort c1: {checks.NOT_A_MANAGER}; a sponsor should be a people manager or "
        "manager of managers"
    ) in messages
    assert "Ecosystem Sales" not in " ".join(messages)  # no job family (a privacy tester)


def test_a_title_outside_the_families_falls_back_to_the_roster() -> None:
    people = {**NOT_A_MANAGER, "spon": BASE["spon"].model_copy(update={"title": "Head of Things"})}
    assert [f.message for f in graded(people)] == [
        f"pair 1 of cohort c1: {checks.NOT_A_MANAGER}; a sponsor should be a people manager or "
        "manager of managers"
    ]


def test_overlapping_grade_tracks_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        JobGrades.model_validate(
            {
                "families": [
                    {
                        "name": "X",
                        "individual_contributor_grades": {"from": 5, "to": 9},
                        "manager_grades": {"from": 9, "to": 12},
                        "titles": [{"title": "T", "grade": 5}],
                    }
                ]
            }
        )


def test_a_missing_timezone_names_whose_is_missing() -> None:
    sponsee_only = changed("see", timezone=None)
    neither = {**sponsee_only, "spon": BASE["spon"].model_copy(update={"timezone": None})}
    for people, whom in ((sponsee_only, "the sponsee"), (neither, "either person")):
        (found,) = run(people)
        assert not found.error
        assert found.message == (
            f"pair 1 of cohort c1: no timezone in people.yml for {whom}, so the timezone rule "
            "was not checked; add `timezone:` (e.g. Europe/Berlin)"
        )
