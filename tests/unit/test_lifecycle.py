"""Whose issue a key is and when groups end, as each kind reads its program file
(kinds/<kind>/course.py): what decides that an issue is withdrawn, and when a cohort ends."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from automation.blocks import Blocks, RollupRow
from automation.course import Course, Member
from automation.lifecycle import _vanished, member_of
from automation.progress import Status, measure
from automation.rendering import Renderer
from tests.unit.test_kinds import ESP, ONBOARDING, PARTICIPANTS, SPONSORSHIP, TEMPLATES, desired


def test_a_participants_key_names_its_participant_and_cohort(tmp_path: Path) -> None:
    program = desired(tmp_path, PARTICIPANTS, "2026-11-24")
    assert member_of(program, "leaders/c1/zed") == Member("zed", "c1")
    assert member_of(program, "leaders/c1/tracking") is None
    assert member_of(program, "leaders/tracking") is None
    assert member_of(program, "other/c1/zed") is None  # not this program's
    assert program.course.ends == {"c1": dt.date(2027, 4, 30)}
    assert not program.course.ended("c1", dt.date(2027, 4, 30))
    assert program.course.ended("c1", dt.date(2027, 5, 1))


def test_a_sponsorship_cohort_ends_with_its_pairs_due_date(tmp_path: Path) -> None:
    program = desired(tmp_path, SPONSORSHIP, "2026-11-24")
    assert member_of(program, "sponsorship/h1/zed") == Member("zed", "h1")
    assert member_of(program, "sponsorship/plan") is None
    assert program.course.ends == {"h1": program.issues[0].due_date}


def test_an_onboarding_hire_still_listed_has_not_left(tmp_path: Path) -> None:
    program = desired(tmp_path, ONBOARDING, "2026-11-24")
    assert member_of(program, "onboarding/zed") == Member("zed")
    assert member_of(program, "onboarding/cy") is None  # a hire, whatever their issue's state
    assert member_of(program, "onboarding/emea-dec/tracking") is None
    assert program.course.ends == {"emea-dec": dt.date(2026, 12, 17) + dt.timedelta(days=90)}


def test_an_esp_key_names_its_account_and_an_approved_account_ends(tmp_path: Path) -> None:
    program = desired(
        tmp_path,
        ESP.replace("start: 2026-11-02}", "start: 2026-11-02, end: 2027-11-30}"),
        "2026-11-24",
    )
    assert member_of(program, "esp/account/acme/monthly/2026-11") == Member("acme", "acme")
    assert member_of(program, "esp/program/monthly/2026-11") is None
    [ending] = program.course.endings
    assert (ending.key, ending.end, ending.counts) == (
        "esp/account/globex/account-plan",
        dt.date(2027, 11, 30),
        "esp/account/globex/",
    )
    assert not program.course.ends  # cadence issues are not labelled ended


def test_a_withdrawn_row_is_listed_but_not_counted(tmp_path: Path) -> None:
    program = desired(tmp_path, PARTICIPANTS, "2026-11-24")
    blocks = Blocks(Renderer(TEMPLATES, []))
    today = dt.date(2026, 11, 24)
    first, second = program.issues
    done = measure(first.description.replace("[ ]", "[x]"), program.program, None, today)
    left = measure(second.description, program.program, None, today)
    rows = [
        RollupRow("#1", first.subject, "c1", done, "opened"),
        RollupRow("#2", "Leaders: Cy", "c1", replace(left, status=Status.WITHDRAWN), "closed"),
    ]
    text = blocks.rollup(program.program, rows)
    assert "| #2 (closed) | Leaders: Cy | c1 |" in text and "| withdrawn |" in text
    assert f"**{done.overall.count}/{done.overall.count}** | **100%**" in text
    assert "1 tracked issue; 1 complete; 1 withdrawn, listed but not counted." in text


def test_a_vanished_groups_issues_are_named_in_order(tmp_path: Path) -> None:
    """A tester read "(#10, #13, #11, #12)" (in the order of their keys)."""
    program = desired(tmp_path, PARTICIPANTS, "2026-11-24")
    said = _vanished(program, "c1", ["#10", "#13", "#11", "#9", "#12", "#14", "#2"])
    assert "(#2, #9, #10, #11, #12 and 2 more)" in said


def test_a_group_is_named_as_people_know_it_even_under_a_former_id() -> None:
    """A tester: a withdrawal note said "No longer in fy27-pilot" of a cohort renamed to
    fy27-main (`renamed_from`), still named "FY27 pilot group"."""
    course = Course(names={"fy27-main": "FY27 pilot group"}, formerly={"fy27-pilot": "fy27-main"})
    assert course.name("fy27-pilot") == "FY27 pilot group"
    assert course.name("fy27-main") == "FY27 pilot group"
    assert course.name("fy27-b") == "fy27-b"  # gone from configuration: its id is all there is
    assert course.name(None) == ""
