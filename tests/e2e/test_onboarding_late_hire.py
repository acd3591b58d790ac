"""A reviewer's findings (r22): d37fb8e -- `create=` covers only hires in no workshop group."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, issues, lines_with, run

PROGRAM = Path("config/programs/sales-onboarding.yml")


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def add_hire(username: str, name: str, role: str, start: str, geo: str) -> None:
    edit(
        Path("config/people.yml"),
        "  - username: grace.liu\n",
        f"  - username: {username}\n    name: {name}\n    title: Account Executive\n"
        f"    grade: 6\n    manager: dana.whitfield\n    start_date: {start}\n"
        f"    geo: {geo}\n  - username: grace.liu\n",
    )
    edit(
        PROGRAM,
        "    - {username: grace.liu, role: pse}\n",
        f"    - {{username: grace.liu, role: pse}}\n    - {{username: {username}, role: {role}}}\n",
    )


def test_a_hire_added_after_their_workshop_group_ended_gets_no_issue(onboarding: Path) -> None:
    """An AE (workshop amer-2026-12, whose group ends 2027-03-10) added on 2027-04-01."""
    assert run("apply", "2026-12-01").code == 0
    add_hire("zoe.park", "Zoe Park", "ae", "2026-11-01", "AMER")
    assert run("apply", "2027-04-01").code == 0
    assert "sales-onboarding/zoe.park" not in issues(onboarding)


def test_a_late_hire_given_no_issue_gets_one_when_a_workshop_is_scheduled_later(
    onboarding: Path,
) -> None:
    """An APAC hire added after their own end gets no issue, nor later, once an APAC
    workshop is scheduled months on."""
    add_hire("zoe.park", "Zoe Park", "ae", "2026-06-01", "APAC")
    assert run("apply", "2026-12-01").code == 0
    assert "sales-onboarding/zoe.park" not in issues(onboarding)
    edit(
        onboarding / PROGRAM,
        "  # A hire's `cancelled` workshops",
        "    - {id: apac-2027-07, start: 2027-07-12, end: 2027-07-15, geo: APAC, "
        "location: Tokyo}\n  # A hire's `cancelled` workshops",
    )
    assert run("apply", "2027-06-01").code == 0
    assert "sales-onboarding/zoe.park" not in issues(onboarding)


def test_validate_counts_the_late_hire_as_apply_makes_it(onboarding: Path) -> None:
    add_hire("zoe.park", "Zoe Park", "ae", "2026-11-01", "AMER")
    due = run("validate", "2027-04-01").out
    assert run("apply", "2027-04-01").code == 0
    made = len(issues(onboarding))
    assert f"{made} issues called for today" in due, due  # exactly (a tester: one less passed)
    assert not [key for key in issues(onboarding) if key.endswith("zoe.park")]


def test_a_late_hire_is_never_given_a_workshop_scheduled_later(onboarding: Path) -> None:
    """A hire whose onboarding is over is given no issue by a workshop scheduled later."""
    add_hire("zoe.park", "Zoe Park", "ae", "2026-06-01", "APAC")
    assert run("apply", "2026-12-01").code == 0
    edit(
        onboarding / PROGRAM,
        "  # A hire's `cancelled` workshops",
        "    - {id: apac-2027-07, start: 2027-07-12, end: 2027-07-15, geo: APAC, "
        "location: Tokyo}\n  # A hire's `cancelled` workshops",
    )
    assert run("apply", "2027-06-01").code == 0  # (a tester: a crash here passed)
    assert "sales-onboarding/zoe.park" not in issues(onboarding)


def test_a_hire_added_after_their_onboarding_was_over_is_said_for_a_year(
    onboarding: Path,
) -> None:
    """A tester: a hire added late got no issue and no word of it anywhere. The warning names
    them until a year after their onboarding was over; a hire whose issue exists is not
    named."""
    assert run("apply", "2026-12-01").code == 0
    add_hire("zoe.park", "Zoe Park", "ae", "2026-06-01", "APAC")  # over from 2026-09-14
    said = run("apply", "2026-12-02")
    assert said.code == 0
    line = next(line for line in said.out.splitlines() if "zoe" in line.lower())
    assert "1 issue of sales-onboarding not created" in line and "Zoe Park" in line, line
    assert "start_date" in line and "2026-09-14" in line, line
    assert "Grace" not in line  # a hire with an issue is not named
    assert "Zoe Park" in run("apply", "2027-09-14").out  # a year after it was over
    assert "Zoe Park" not in run("apply", "2027-09-15").out


def test_a_finished_hires_deleted_issue_is_no_missed_period_nor_a_late_arrival(
    onboarding: Path,
) -> None:
    """A tester's: Grace's issue (no workshop: her own end 2027-03-09) deleted by a person
    after it ended read as a missed period of a series (onboarding has none) and as a hire
    configuration asked for too late."""
    assert run("apply", "2026-12-01").code == 0
    assert run("apply", "2027-03-15").code == 0
    grace = issues(onboarding)["sales-onboarding/grace.liu"]
    (onboarding / ".automation" / "issues" / f"{grace.iid}.md").unlink()
    first = run("apply", "2027-03-16")
    assert first.code == 0 and f"issue #{grace.iid}, which held an item" in first.out
    assert "period" not in first.out and "not created" not in first.out, first.out
    later = run("apply", "2027-03-17")
    assert "period" not in later.out, later.out
    assert "(added late, their issue deleted, or their username changed" in later.out, later.out


def test_a_hires_role_and_workshop_match_in_any_case(shipped: Path) -> None:
    """A tester wrote `role: AE` and was told the id format (lowercase letters...) instead of
    the program's roles; ids are lowercase, so AE is ae, as usernames match in any case."""
    keep_programs(shipped, "sales-onboarding")
    program = shipped / PROGRAM
    text = program.read_text("utf-8")
    program.write_text(
        text.replace("{username: tom.reyes, role: ae}", "{username: tom.reyes, role: AE}"), "utf-8"
    )
    assert "{username: tom.reyes, role: AE}" in program.read_text("utf-8")
    result = run("validate")
    assert result.code == 0 and "Configuration is valid" in result.out, result.out + result.err
    program.write_text(
        text.replace("{username: tom.reyes, role: ae}", "{username: tom.reyes, role: AEX}"), "utf-8"
    )
    wrong = run("validate")
    assert wrong.code == 2 and "is not one of this program's roles (sal, ae," in wrong.err, (
        wrong.err
    )


def test_a_cancelled_workshop_matches_in_any_case_too(shipped: Path) -> None:
    """A reviewer's: `workshop:` took any case, the same id under `cancelled` was refused."""
    keep_programs(shipped, "sales-onboarding")
    program = shipped / PROGRAM
    text = program.read_text("utf-8")
    assert "cancelled: [{workshop: amer-2026-12" in text
    program.write_text(
        text.replace("cancelled: [{workshop: amer-2026-12", "cancelled: [{workshop: AMER-2026-12"),
        "utf-8",
    )
    result = run("validate")
    assert result.code == 0, result.out + result.err


def test_a_first_run_after_the_workshops_groups_ended_makes_no_rollup_for_them(
    onboarding: Path,
) -> None:
    """An onboarding trial: the first run, months after the sample's workshops' groups ended,
    made a live rollup issue and epic for each, reading "1 hire with an onboarding issue"
    beside "no issue yet", and promising issues the same run said it would never make."""
    result = run("apply", "2027-06-14")
    assert result.code == 0, result.out + result.err
    assert "not created: their time was over" in result.out
    made = issues(onboarding)
    assert not [key for key in made if key.endswith("/tracking") and key.count("/") == 2], made
    assert "sales-onboarding/tracking" in made


def test_a_hire_whose_issue_comes_after_their_pre_work_was_due_is_warned_of(
    onboarding: Path,
) -> None:
    """An onboarding trial: a hire added late got their issue with the SQS pre-work already
    overdue, on the eve of their workshop, unsaid. The run that makes it says so, once."""
    assert run("apply", "2026-11-30").code == 0
    add_hire("zoe.park", "Zoe Park", "ae", "2026-11-16", "AMER")  # amer-2026-12, from Dec 7
    result = run("apply", "2026-12-06")
    assert result.code == 0, result.out + result.err
    assert lines_with(result, "pre-work was due") == [
        "warning: issue for Zoe Park (Mid-Market Account Executive) made on 2026-12-06, after "
        "their SQS pre-work was due (2026-12-04, before their workshop SQS Dec 7-10, 2026 "
        "AMER): tell them and their manager what to do before it starts"
    ], result.out
    assert "pre-work was due" not in run("apply", "2026-12-06").out
