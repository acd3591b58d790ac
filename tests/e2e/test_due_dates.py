"""Due dates follow configuration when the tool set them: a cohort's end_date moves, and its
open issues' due dates move with it, on the local backend and on the fake GitLab; a date a
person set stays; a closed issue keeps its date; a re-run writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.duedates import recorded
from automation.run import apply, prepare
from tests.backends import PROJECT, GitLabBackend, LocalBackend, new_fake, roster_of
from tests.conftest import keep_programs
from tests.crash import Crash, Delegating
from tests.local_cli import edit, issues, path_of, run

CSM = Path("config/programs/csm-aspiring-leaders.yml")
SAM, AIKO, LENA = (
    f"csm-aspiring-leaders/fy27-pilot/{name}"
    for name in ("sam.delacroix", "aiko.tanaka", "lena.fischer")
)
APRIL, JUNE, MAY = dt.date(2027, 4, 30), dt.date(2027, 6, 30), dt.date(2027, 5, 15)


def extend_the_cohort() -> None:
    edit(CSM, "end_date: 2027-04-30", "end_date: 2027-06-30")


@pytest.fixture
def csm(shipped: Path) -> Path:
    return keep_programs(shipped, "csm-aspiring-leaders")


def test_an_extended_cohort_moves_its_open_issues_due_dates_but_not_a_person_s(
    csm: Path,
) -> None:
    assert run("apply").code == 0
    made = issues(csm)
    assert {made[k].due_date for k in (SAM, AIKO, LENA)} == {APRIL}
    assert recorded(made[SAM].description) == (APRIL,)
    edit(path_of(csm, AIKO), "due_date: 2027-04-30", "due_date: 2027-05-15")  # her manager's
    edit(path_of(csm, LENA), "state: opened", "state: closed")  # she left early
    extend_the_cohort()
    result = run("apply")
    assert result.code == 0, result.out + result.err
    assert "due date 2027-04-30 -> 2027-06-30" in result.out
    now = issues(csm)
    assert now[SAM].due_date == JUNE and recorded(now[SAM].description) == (JUNE,)
    assert now[AIKO].due_date == MAY and recorded(now[AIKO].description) == (APRIL,)
    assert now[LENA].due_date == APRIL  # a closed issue's dates are its history
    before = LocalBackend(csm).fingerprint()
    assert "No changes" in run("apply").out
    assert LocalBackend(csm).fingerprint() == before


def test_past_the_old_end_date_an_extended_cohort_s_issues_are_not_overdue(csm: Path) -> None:
    assert run("apply").code == 0
    extend_the_cohort()
    assert run("apply", "2027-05-10").code == 0
    sam = issues(csm)[SAM]
    assert sam.due_date == JUNE
    assert "status::overdue" not in sam.labels and "status::not started" in sam.labels


def test_an_issue_made_before_the_record_follows_once_it_has_it(csm: Path) -> None:
    assert run("apply").code == 0
    sam = path_of(csm, SAM)
    text = sam.read_text("utf-8")
    start = text.index("<!-- automation:begin due -->")
    end = text.index("<!-- automation:end due -->\n") + len("<!-- automation:end due -->\n")
    sam.write_text(text[:start] + text[end:], "utf-8")  # as an issue of the version before
    result = run("apply")
    assert "due block" in result.out and "due date" not in result.out.replace("due block", "")
    assert recorded(issues(csm)[SAM].description) == (APRIL,)
    extend_the_cohort()
    assert run("apply").code == 0
    assert issues(csm)[SAM].due_date == JUNE


@pytest.fixture
def gitlab(csm: Path) -> Iterator[GitLabBackend]:
    fake = new_fake("free", users=roster_of(csm))
    with fake.activate():
        yield GitLabBackend(fake)


def test_on_gitlab_an_extended_cohort_moves_the_tool_s_due_dates_only(
    gitlab: GitLabBackend,
) -> None:
    assert gitlab.cli("apply").code == 0
    iids = {i.key: i.iid for i in gitlab.issues() if i.key in (SAM, AIKO)}
    gitlab.fake.edit_issue(PROJECT, iids[AIKO], due_date="2027-05-15", as_user="chloe.winters")
    extend_the_cohort()
    result = gitlab.cli("apply")
    assert result.code == 0, result.out + result.err
    due = {i.key: i.due_date for i in gitlab.issues()}
    assert due[SAM] == JUNE and due[AIKO] == MAY
    before = gitlab.fingerprint()
    assert "No changes" in gitlab.cli("apply").out
    assert gitlab.fingerprint() == before


def test_an_open_ended_cohort_s_issues_get_the_end_date_added_later(csm: Path) -> None:
    edit(CSM, "    end_date: 2027-04-30\n", "")
    assert run("apply").code == 0
    assert issues(csm)[SAM].due_date is None and recorded(issues(csm)[SAM].description) == (None,)
    edit(
        CSM,
        "    start_date: 2026-11-02\n",
        "    start_date: 2026-11-02\n    end_date: 2027-06-30\n",
    )
    assert "due date none -> 2027-06-30" in run("apply").out
    assert issues(csm)[SAM].due_date == JUNE


def test_a_labels_only_run_moves_the_date_its_labels_count_from(csm: Path) -> None:
    assert run("apply").code == 0
    extend_the_cohort()
    assert run("apply", "2027-05-10", "--steps", "labels").code == 0
    sam = issues(csm)[SAM]
    assert sam.due_date == JUNE and "status::overdue" not in sam.labels
    assert recorded(sam.description) == (APRIL,)  # its record comes with the progress step
    assert run("apply", "2027-05-10").code == 0
    assert recorded(issues(csm)[SAM].description) == (JUNE,)


class DiesAfterTheMove(Delegating):
    """The run is killed right after it moved a due date, before its record."""

    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        super().set_due_date(iid, due)
        raise Crash


def test_a_run_killed_after_moving_a_date_is_finished_by_the_next(csm: Path) -> None:
    assert run("apply").code == 0
    extend_the_cohort()
    prepared = prepare(Path("config"), Path("templates"), dt.date(2026, 11, 24))
    with pytest.raises(Crash):
        apply(prepared, DiesAfterTheMove(LocalBackend(csm).tracker()), dt.date(2026, 11, 24))
    moved = issues(csm)[SAM]
    assert moved.due_date == JUNE and recorded(moved.description) == (APRIL,)  # half-way
    result = run("apply")  # Sam's record; Aiko's and Lena's dates, not moved before the kill
    assert result.code == 0, result.out
    assert f"#{moved.iid} [{SAM}]: due block" in result.out
    assert f"#{moved.iid} [{SAM}]: due date" not in result.out
    assert recorded(issues(csm)[SAM].description) == (JUNE,)
    assert {issues(csm)[k].due_date for k in (SAM, AIKO, LENA)} == {JUNE}
    assert "No changes" in run("apply").out


def test_a_hire_back_with_a_new_start_date_gets_the_new_due_date_in_that_run(
    shipped: Path,
) -> None:
    """Tom leaves (his issue withdrawn and closed), then comes back starting later: the run
    that reopens his issue moves its due date too, not the run after."""
    keep_programs(shipped, "sales-onboarding")
    program = shipped / "config" / "programs" / "sales-onboarding.yml"
    tom = "    - {username: tom.reyes, role: ae}\n"
    assert run("apply", "2026-12-01").code == 0
    before = issues(shipped)["sales-onboarding/tom.reyes"].due_date
    assert before is not None
    edit(program, tom, "")
    assert run("apply", "2026-12-02").code == 0
    edit(program, "  hires:\n", "  hires:\n" + tom)
    people = shipped / "config" / "people.yml"
    text = people.read_text("utf-8")
    at = text.index("start_date:", text.index("username: tom.reyes"))
    people.write_text(text[:at] + "start_date: 2027-01-04" + text[text.index("\n", at) :], "utf-8")
    back = run("apply", "2026-12-20")
    assert back.code == 0, back.out
    found = issues(shipped)["sales-onboarding/tom.reyes"]
    assert found.state == "opened" and found.due_date is not None and found.due_date > before


def test_an_issue_whose_manager_extended_it_ends_on_its_own_date_not_its_cohort_s(
    csm: Path,
) -> None:
    """A trial: a manager gave a participant two more weeks (her issue's due date); she
    was not overdue, but her issue was labelled `ended` the day after her cohort's end."""
    assert run("apply").code == 0
    edit(path_of(csm, AIKO), "due_date: 2027-04-30", "due_date: 2027-05-15")
    result = run("apply", "2027-05-10")
    assert result.code == 0, result.out + result.err
    now = issues(csm)
    assert "status::ended" in now[SAM].labels
    assert "status::ended" not in now[AIKO].labels and "status::overdue" not in now[AIKO].labels
    assert now[AIKO].state == "opened"
    assert run("apply", "2027-05-16").code == 0
    assert "status::ended" in issues(csm)[AIKO].labels


def test_a_cohort_shortened_past_its_new_end_ends_its_issues_not_overdue(csm: Path) -> None:
    """A review: the tool's own due date, about to move to the new, earlier end, was taken
    for a manager's extension, and every issue read `overdue` for one run."""
    assert run("apply").code == 0
    edit(CSM, "end_date: 2027-04-30", "end_date: 2027-03-31")
    result = run("apply", "2027-04-05")
    assert result.code == 0, result.out + result.err
    for key in (SAM, AIKO, LENA):
        found = issues(csm)[key]
        assert found.due_date == dt.date(2027, 3, 31)
        assert "status::ended" in found.labels and "status::overdue" not in found.labels
