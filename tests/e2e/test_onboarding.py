"""Sales & Customer Success Onboarding on the shipped configuration, through the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from automation.items import ObservedIssue
from tests.conftest import keep_programs
from tests.local_cli import edit, issues, run

PROGRAM = Path("config/programs/sales-onboarding.yml")


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def hire(root: Path, username: str) -> ObservedIssue:
    return issues(root)[f"sales-onboarding/{username}"]


def test_every_sample_hire_gets_an_issue_with_track_dates_and_assignees(
    onboarding: Path,
) -> None:
    result = run("apply")
    assert result.code == 0, result.out + result.err
    found = issues(onboarding)
    hires = {k for k in found if k.count("/") == 1 and not k.endswith("/tracking")}
    assert len(hires) == 8
    maya = hire(onboarding, "maya.okonkwo")
    assert maya.assignees == ("maya.okonkwo", "dana.whitfield")
    assert str(maya.due_date) == "2027-02-28"  # start 2026-11-30 + 90 days
    assert "| 90-day goal | Close your first deal by 2027-02-28 |" in maya.description
    assert "(goal: 2026-12-30, 30 days after your start)" in maya.description
    assert (
        "[GitLab onboarding issue](https://gitlab.example.com/people-group/onboarding/"
        "-/issues/1201)" in maya.description
    )


def test_tracks_follow_roles_with_the_role_capstone(onboarding: Path) -> None:
    run("apply")
    sales, tam, sa = (
        hire(onboarding, u).description for u in ("tom.reyes", "ines.moreau", "arjun.mehta")
    )
    assert "Deliver the GitLab Value Pitch" in sales and "capstone" not in sales
    assert "Close your first deal" in sales
    assert "Deliver the role based capstone: Deliver a mock customer kickoff." in tam
    assert "Deliver the role based capstone: Build and deliver a mock demo." in sa
    assert "Kick off your first customer engagement" in tam
    assert "Value Pitch" not in tam


def test_discovery_calls_are_a_nested_task_list(onboarding: Path) -> None:
    run("apply")
    text = hire(onboarding, "tom.reyes").description
    assert re.search(
        r"- \*\*New hire:\*\* Complete the series of discovery calls:\n"
        r"  - \[ \] Submit 1 recorded mock discovery call in SQS pre-work\.\n"
        r"  - \[ \] Complete 1 mock discovery call at the SQS Workshop\.\n"
        r"  - \[ \] Submit 1 \"Live Lead\" within 30 days after the SQS Workshop "
        r"\(the date is in the workshop table above\)\.",
        text,
    )


def test_the_live_lead_date_lives_in_the_workshop_block(onboarding: Path) -> None:
    run("apply")
    text = hire(onboarding, "tom.reyes").description
    assert 'Your "Live Lead" is due within 30 days after the workshop: by 2027-01-09.' in text


def test_pse_has_no_workshop_tasks_and_that_phase_is_not_on_their_track(
    onboarding: Path,
) -> None:
    run("apply")
    grace = hire(onboarding, "grace.liu")
    assert "## SQS workshop" not in grace.description
    assert "do not attend the Sales Quick Start workshop" in grace.description
    assert "Write a Statement of Work" in grace.description
    assert "| SQS workshop |" not in grace.description  # progress table
    assert grace.epic is not None


def test_sdr_in_the_program_is_a_clear_config_error(onboarding: Path) -> None:
    edit(
        onboarding / PROGRAM,
        "{username: kenji.watanabe, role: isr}",
        "{username: kenji.watanabe, role: sdr}",
    )
    result = run("validate")
    assert result.code == 2
    assert re.search(
        r"config/programs/sales-onboarding\.yml:\d+: hire 'kenji\.watanabe' has "
        r"role 'sdr': Sales Development Reps have their own onboarding process; "
        r"remove them from this program",
        result.err,
    )


def test_each_hire_gets_the_first_workshop_in_their_geo_after_their_start(
    onboarding: Path,
) -> None:
    run("apply")
    assert "| Dec 7-10, 2026 | AMER | Virtual |" in hire(onboarding, "maya.okonkwo").description
    # starts on the day the December workshop starts: the next one, in January
    assert (
        "| Jan 11-14, 2027 | AMER | Virtual | to be opened |"
        in hire(onboarding, "sofia.alvarez").description
    )
    assert "| Dec 14-17, 2026 | EMEA | Amsterdam |" in hire(onboarding, "ines.moreau").description


def test_a_workshop_named_for_a_hire_overrides_the_choice(onboarding: Path) -> None:
    edit(
        onboarding / PROGRAM,
        "{username: maya.okonkwo, role: sal}",
        "{username: maya.okonkwo, role: sal, workshop: amer-2027-01}",
    )
    run("apply")
    assert "| Jan 11-14, 2027 | AMER |" in hire(onboarding, "maya.okonkwo").description


def test_no_workshop_is_a_warning_and_the_issue_says_to_be_scheduled(onboarding: Path) -> None:
    plan = run("plan")
    assert (
        "warning: no SQS workshop for Kenji Watanabe (kenji.watanabe) in geo APAC after "
        "their start date (2026-11-24); their issue says the workshop is to be scheduled"
    ) in plan.out
    run("apply")
    kenji = hire(onboarding, "kenji.watanabe").description
    assert "**To be scheduled:** no Sales Quick Start workshop in APAC starts after" in kenji


def test_scheduling_a_workshop_later_updates_the_hire_issue(onboarding: Path) -> None:
    run("apply")
    before = hire(onboarding, "kenji.watanabe").description
    edit(
        onboarding / PROGRAM,
        "  hires:\n",
        "    - {id: apac-2027-01, start: 2027-01-18,"
        " end: 2027-01-21, geo: APAC, location: Sydney}\n  hires:\n",
    )
    result = run("apply")
    assert "workshop block" in result.out
    after = hire(onboarding, "kenji.watanabe").description
    assert "| Jan 18-21, 2027 | APAC | Sydney | to be opened |" in after
    assert (
        after.split("<!-- automation:begin workshop")[0]
        == before.split("<!-- automation:begin workshop")[0]
    )


def test_issues_appear_only_within_the_creation_window(onboarding: Path) -> None:
    edit(
        onboarding / "config" / "people.yml",
        "start_date: 2026-12-07\n    geo: EMEA",
        "start_date: 2027-03-01\n    geo: EMEA",
    )
    run("apply")
    assert "sales-onboarding/oliver.grant" not in issues(onboarding)
    run("apply", today="2027-02-15")  # 14 days before the start date
    assert "sales-onboarding/oliver.grant" in issues(onboarding)


def test_rollups_per_cohort_and_for_the_program(onboarding: Path) -> None:
    run("apply")
    found = issues(onboarding)
    cohort = found["sales-onboarding/emea-2026-12/tracking"]
    assert cohort.title == "Sales onboarding: SQS cohort Dec 14-17, 2026 EMEA"
    assert {
        name
        for name in ("Ines Moreau", "Arjun Mehta", "Oliver Grant", "Maya Okonkwo")
        if name in cohort.description
    } == {"Ines Moreau", "Arjun Mehta", "Oliver Grant"}
    program = found["sales-onboarding/tracking"].description
    assert "| DATES | GEO | LOCATION | ISSUE |" in program
    assert program.count("| Dec 7-10, 2026 | AMER | Virtual |") == 1


def tick_all(path: Path) -> None:
    path.write_text(path.read_text().replace("- [ ]", "- [x]"))


def test_graduation_labels_note_once_and_close(onboarding: Path) -> None:
    run("apply")
    tom = hire(onboarding, "tom.reyes")
    tick_all(onboarding / ".automation" / "issues" / f"{tom.iid}.md")
    result = run("apply")
    assert f"added note to #{tom.iid}" in result.out and f"closed #{tom.iid}" in result.out
    tom = hire(onboarding, "tom.reyes")
    assert tom.state == "closed"
    assert {"status::complete", "progress::100%"} <= set(tom.labels)
    assert "**Completed on 2026-11-24:**" in tom.description
    notes = (onboarding / ".automation" / "notes" / f"{tom.iid}.md").read_text()
    assert notes.count("Congratulations @tom.reyes") == 1
    # a person reopens it and unticks, then ticks again: no second note, not closed again
    path = onboarding / ".automation" / "issues" / f"{tom.iid}.md"
    path.write_text(
        path.read_text()
        .replace("state: closed", "state: opened")
        .replace("- [x] **New hire:** Deliver", "- [ ] **New hire:** Deliver")
    )
    run("apply")
    tick_all(path)
    run("apply")
    assert (onboarding / ".automation" / "notes" / f"{tom.iid}.md").read_text() == notes
    assert hire(onboarding, "tom.reyes").state == "opened"


def test_graduation_shows_in_the_cohort_and_program_rollups(onboarding: Path) -> None:
    run("apply")
    tom = hire(onboarding, "tom.reyes")
    tick_all(onboarding / ".automation" / "issues" / f"{tom.iid}.md")
    run("apply")
    found = issues(onboarding)
    for key in ("sales-onboarding/amer-2026-12/tracking", "sales-onboarding/tracking"):
        text = found[key].description
        assert re.search(
            rf"\| #{tom.iid} \(closed\) \| Tom Reyes .* \| 100% \| complete \|", text
        ), key
    assert "8 tracked issues; 1 complete." in found["sales-onboarding/tracking"].description
    assert "No changes" in run("apply").out


def test_an_issue_stays_tracked_when_its_start_date_moves_later(onboarding: Path) -> None:
    run("apply")
    edit(
        onboarding / "config" / "people.yml",
        "start_date: 2026-11-30\n    geo: AMER",
        "start_date: 2027-03-01\n    geo: AMER",
    )
    result = run("apply")
    assert "create issue" not in result.out and "created issue" not in result.out
    maya = hire(onboarding, "maya.okonkwo")
    assert "**To be scheduled:** no Sales Quick Start workshop in AMER" in maya.description
    tracking = issues(onboarding)["sales-onboarding/tracking"].description
    assert f"| #{maya.iid} | Maya Okonkwo" in tracking  # still tracked, not dropped
