"""Each kind's generator: the issues, keys, titles and due dates a small program file asks for,
rendered from the shipped templates; and the wording the program file can change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from automation.config.loader import load_config
from automation.desired import Derived, DerivedRow, DesiredIssue, DesiredProgram, derived_values
from automation.kinds import desired_programs
from automation.kinds.sponsorship.generate import dates
from automation.rendering import Renderer
from tests.projects import SETTINGS

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"

PROGRAMS = Path(__file__).parent / "kind_programs"  # small program files, one per kind
PEOPLE = (PROGRAMS / "people.yml").read_text("utf-8")
PARTICIPANTS, ONBOARDING, SPONSORSHIP, ESP = (
    (PROGRAMS / f"{kind}.yml").read_text("utf-8")
    for kind in ("participants", "onboarding", "sponsorship", "esp")
)


def programs(tmp_path: Path, program: str, today: str) -> dict[str, DesiredIssue]:
    """The desired issues (tracked, tracking, rollups, plans) of one program file, by key."""
    return {issue.key: issue for issue in desired(tmp_path, program, today).every_issue()}


def desired(tmp_path: Path, program: str, today: str) -> DesiredProgram:
    config = tmp_path / "config"
    (config / "programs").mkdir(parents=True)
    (config / "settings.yml").write_text(SETTINGS, "utf-8")
    (config / "people.yml").write_text(PEOPLE, "utf-8")
    (config / "programs" / "program.yml").write_text(program, "utf-8")
    loaded = load_config(config)
    renderer = Renderer(TEMPLATES, [p.username for p in loaded.config.people])
    (only,) = desired_programs(loaded, renderer, dt.date.fromisoformat(today))
    return only


# -- participants ---------------------------------------------------------------------------


def test_participants_get_one_issue_each_per_cohort(tmp_path: Path) -> None:
    program = desired(tmp_path, PARTICIPANTS, "2026-11-24")
    assert [(i.key, i.title, i.assignees, i.due_date, i.group) for i in program.issues] == [
        ("leaders/c1/ben", "Leaders: Ben Lead", ("ben",), dt.date(2027, 4, 30), "Cohort 1"),
        ("leaders/c1/cy", "Leaders: Cy New", ("cy",), dt.date(2027, 4, 30), "Cohort 1"),
    ]
    assert [i.epic_key for i in program.issues] == ["leaders/c1/epic", "leaders/c1/epic"]
    assert program.tracking.key == "leaders/tracking"
    assert [e.key for e in program.epics] == ["leaders/epic", "leaders/c1/epic"]
    assert not program.rollups
    first = program.issues[0]
    assert first.description.startswith("<!-- automation:key=leaders/c1/ben -->\n")
    assert first.labels == ("program::leaders",)
    assert not first.confidential


# -- onboarding -----------------------------------------------------------------------------


def test_onboarding_creates_hires_in_the_window_with_the_goal_as_due_date(
    tmp_path: Path,
) -> None:
    program = desired(tmp_path, ONBOARDING, "2026-11-24")
    cy, dee = program.issues
    assert (cy.key, cy.title, cy.assignees) == (
        "onboarding/cy",
        "Onboarding: Cy New (Account Executive)",
        ("cy", "ben"),
    )
    assert (cy.due_date, cy.create, cy.group) == (
        dt.date(2027, 3, 1),
        True,
        "SQS Dec 14-17, 2026 EMEA",
    )
    assert cy.rollups == ("onboarding/emea-dec/tracking",)
    assert (dee.due_date, dee.create) == (dt.date(2027, 8, 30), False)  # starts in June
    assert [r.key for r in program.rollups] == ["onboarding/emea-dec/tracking"]
    assert [name for name, _ in cy.blocks] == ["workshop"]
    assert [name for name, _ in program.tracking.blocks] == ["workshops"]
    assert "90-day goal | Close your first deal by 2027-03-01" in cy.description
    assert "due within 30 days after the workshop: by 2027-01-16" in dict(cy.blocks)["workshop"]


def test_onboarding_milestone_days_come_from_the_program_file(tmp_path: Path) -> None:
    program = ONBOARDING.replace(
        "  enablement_contact: ana\n",
        "  enablement_contact: ana\n  milestone_days: {ready: 20, goal: 60, live_lead: 10}\n",
    )
    cy = desired(tmp_path, program, "2026-11-24").issues[0]
    assert cy.due_date == dt.date(2027, 1, 30)
    assert "60-day goal | Close your first deal by 2027-01-30" in cy.description
    assert 'Your 20-day goal: be "customer conversation ready" by 2026-12-21' in cy.description
    assert "due within 10 days after the workshop: by 2026-12-27" in dict(cy.blocks)["workshop"]


# -- sponsorship ----------------------------------------------------------------------------


def test_sponsorship_pairs_are_confidential_and_due_at_the_program_end(tmp_path: Path) -> None:
    program = desired(tmp_path, SPONSORSHIP, "2026-11-24")
    (pair,) = program.issues
    assert (pair.key, pair.title, pair.assignees, pair.due_date) == (
        "sponsorship/h1/cy",
        "Sponsorship: Cy New with Ana Boss",
        ("ana", "cy", "ben"),  # ben: cy's manager, who has tasks in the pair issue
        dt.date(2027, 8, 1),
    )
    assert pair.confidential and program.tracking.confidential
    assert pair.rollups == ("sponsorship/h1/tracking",)
    assert "(2027-02-01 to 2027-03-17)" in pair.description  # Build, a quarter of the program


def test_sponsorship_phases_are_the_program_files_phase_sections() -> None:
    when = dates(dt.date(2027, 2, 1), 6, ["Learn", "Lead"])
    assert when["phases"] == {
        "Learn": (dt.date(2027, 2, 1), dt.date(2027, 5, 1)),  # the day before Lead
        "Lead": (dt.date(2027, 5, 2), dt.date(2027, 8, 1)),
    }


# -- executive sponsorship ------------------------------------------------------------------


def test_esp_has_an_account_plan_and_each_period_up_to_today(tmp_path: Path) -> None:
    issues = programs(tmp_path, ESP, "2026-12-10")
    rows = [f"{key} | {i.title} | {i.due_date} | {i.create}" for key, i in issues.items()]
    assert rows == [
        "esp/account/globex/account-plan | ESP account plan: Globex | None | True",
        # November ended, but in this fiscal quarter: made (overdue) if a run missed it; due
        # when the last week it lists ends (the week of November 30)
        "esp/account/globex/monthly/2026-11 | ESP November 2026: Globex account planning "
        "session | 2026-12-06 | True",
        "esp/account/globex/monthly/2026-12 | ESP December 2026: Globex account planning "
        "session | 2027-01-03 | True",
        "esp/account/globex/quarterly/fy27-q4 | ESP FY27 Q4: Globex quarterly review | "
        "2027-01-31 | True",
        # the account's own year, from the day it joined (2026-11-02)
        "esp/account/globex/annual/fy27 | ESP Nov 2026 to Nov 2027: Globex annual review | "
        "2027-11-01 | True",
        "esp/program/monthly/2026-11 | ESP November 2026: E-Group and CRO LT program update | "
        "2026-11-30 | True",
        "esp/program/monthly/2026-12 | ESP December 2026: E-Group and CRO LT program update | "
        "2026-12-31 | True",
        "esp/program/scorecard/quarterly/fy27-q4 | ESP FY27 Q4: program scorecard | "
        "2027-02-14 | True",  # its review, two weeks after the quarter
        "esp/program/annual/fy27 | ESP FY27: annual program review and account selection | "
        "2027-01-31 | True",
        "esp/tracking | ESP tracking | None | True",
        # made only once the program's index of keys outgrows its tracking issue
        "esp/tracking/index | ESP: index of keys | None | True",
    ]
    assert issues["esp/account/globex/monthly/2026-12"].assignees == ("ana", "ben")
    assert issues["esp/program/monthly/2026-12"].assignees == ("ana",)


def test_esp_titles_and_touchpoint_come_from_the_program_file(tmp_path: Path) -> None:
    program = ESP.replace(
        "  program_manager: ana\n",
        "  program_manager: ana\n"
        "  titles: {account_quarterly: 'QBR {{ period.name }} {{ account.name }}'}\n"
        "  touchpoint: Quarterly activities\n",
    )
    issues = programs(tmp_path, program, "2026-12-10")
    assert issues["esp/account/globex/quarterly/fy27-q4"].title == "QBR FY27 Q4 Globex"
    assert issues["esp/account/globex/annual/fy27"].title == (
        "ESP Nov 2026 to Nov 2027: Globex annual review"
    )
    (scorecard,) = issues["esp/program/scorecard/quarterly/fy27-q4"].derived
    assert scorecard.rows[0].section == (
        "esp/account/globex/quarterly/fy27-q4",
        "Quarterly activities",
    )


def test_the_scorecard_is_data_naming_the_issues_it_counts(tmp_path: Path) -> None:
    issues = programs(tmp_path, ESP, "2026-12-10")
    (scorecard,) = issues["esp/program/scorecard/quarterly/fy27-q4"].derived
    assert (scorecard.name, scorecard.template) == ("scorecard", "blocks/esp-scorecard.md.j2")
    assert [s.label for s in scorecard.specs] == ["NPS"]
    (row,) = scorecard.rows  # Initech is only proposed
    assert row == DerivedRow(
        values=row.values,
        records="esp/account/globex/account-plan",
        year_records="esp/account/globex/annual/fy27",
        counted=("esp/account/globex/monthly/2026-11", "esp/account/globex/monthly/2026-12"),
        section=("esp/account/globex/quarterly/fy27-q4", "Sponsor touchpoint"),
        ticked=True,  # a touchpoint is held: a section left with no task is not one
    )
    assert row.values["account"].name == "Globex"
    past = issues["esp/account/globex/monthly/2026-11"]
    assert not past.derived


def test_derived_values_count_nothing_before_the_issues_exist() -> None:
    block = Derived(
        "scorecard",
        "unused",
        {"quarter": "Q"},
        (DerivedRow({"account": "a"}, "plan", ("m1", "m2"), ("q", "Sponsor touchpoint")),),
    )
    values = derived_values(block, {})
    assert values["quarter"] == "Q"
    assert values["rows"] == [
        {"account": "a", "records": None, "done": 0, "counted": 2, "section_done": None}
    ]
    assert values["averages"] == []


@pytest.mark.parametrize("kind", ["participants", "onboarding", "sponsorship", "esp"])
def test_every_kind_renders_its_issues_from_the_shipped_templates(
    tmp_path: Path, kind: str
) -> None:
    program = (PROGRAMS / f"{kind}.yml").read_text("utf-8")
    for issue in programs(tmp_path, program, "2027-02-01").values():
        assert issue.description.startswith(f"<!-- automation:key={issue.key} -->\n")
        assert "<!-- automation:begin progress -->" in issue.description or issue.key.endswith(
            ("tracking", "tracking/index")
        )
