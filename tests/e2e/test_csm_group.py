"""CSM Aspiring Leaders on the shipped configuration: the pilot group's monthly issue, the
program lead, and the page's optional items."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from automation.markers import block_content
from tests.conftest import keep_programs
from tests.local_cli import edit, issues, path_of, run

PROGRAM = Path("config/programs/csm-aspiring-leaders.yml")
TEMPLATE = Path("templates/csm-aspiring-leaders/participant.md.j2")
GROUP = "csm-aspiring-leaders/fy27-pilot/monthly"
SAM = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"


@pytest.fixture
def project(shipped: Path) -> Path:
    """The shipped CSM Aspiring Leaders program as it is, group issues and lead included."""
    return keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)


def test_the_group_gets_an_issue_a_month_with_its_call_and_discussion(project: Path) -> None:
    assert run("apply").code == 0
    november = issues(project)[f"{GROUP}/2026-11"]
    assert november.title == "CSM Aspiring Leaders: FY27 pilot group, November 2026"
    assert november.assignees == ("chloe.winters",)
    assert str(november.due_date) == "2026-11-30"
    text = november.description
    assert "- [ ] **Program lead:** Hold the call: each participant's progress" in text
    for name, user in (("Sam Delacroix", "sam.delacroix"), ("Lena Fischer", "lena.fischer")):
        assert (
            f"- [ ] **{name}:** Post your progress, questions and feedback in the thread (@{user})."
        ) in text
    assert "| Group call | 0/3 | 0% |" in text and "| Async discussion | 0/4 | 0% |" in text
    # its sections are ongoing ones: it has no phase, rather than "all phases complete", and
    # says nothing of phases (it said "Current phase: no phases")
    assert "\n**Status:** not started\n" in text and "Current phase" not in text
    tracking = issues(project)["csm-aspiring-leaders/tracking"].description
    row = next(line for line in tracking.split("\n") if f"| #{november.iid} " in line)
    assert "| FY27 pilot group | – |" in row and "complete" not in row, row
    assert "No changes" in run("apply").out
    assert run("apply", today="2026-12-01").code == 0
    assert f"{GROUP}/2026-12" in issues(project)
    assert issues(project)[f"{GROUP}/2026-11"].state == "opened"  # last month's stays


def test_a_group_issue_states_the_days_of_its_month_inside_the_cohort(project: Path) -> None:
    """A tester's finding: a cohort from 2027-04-19 to 2027-10-15 had its April issue say
    "this month (2027-04-01 to 2027-04-30)" and its October one "(2027-10-01 to 2027-10-31)",
    while it is due, and the cohort ends, on the 15th."""
    edit(PROGRAM, "start_date: 2026-11-02", "start_date: 2027-04-19")
    edit(PROGRAM, "end_date: 2027-04-30", "end_date: 2027-10-15")
    assert run("apply", today="2027-04-20").code == 0
    assert run("apply", today="2027-10-01").code == 0
    april, october = (issues(project)[f"{GROUP}/{month}"] for month in ("2027-04", "2027-10"))
    assert "this month (2027-04-19 to 2027-04-30)" in april.description
    assert "this month (2027-10-01 to 2027-10-15)" in october.description
    assert str(october.due_date) == "2027-10-15"


def test_a_cohort_planned_months_ahead_gets_its_issues_two_weeks_before_it_starts(
    project: Path,
) -> None:
    """A tester's finding: a cohort starting in May 2027, added in November 2026, had its
    participants' issues made, assigned (GitLab told them) and counted "not started" in the
    program's figures for six months. They come `create_days_before_start` (14) before."""
    edit(
        PROGRAM,
        "cohorts:\n",
        "cohorts:\n  - id: fy28-h1\n    name: FY28 H1 group\n    start_date: 2027-05-03\n"
        "    end_date: 2027-10-29\n    participants: [kenji.watanabe]\n",
    )
    kenji = "csm-aspiring-leaders/fy28-h1/kenji.watanabe"
    assert run("apply").code == 0
    assert kenji not in issues(project)
    assert run("apply", today="2027-04-18").code == 0
    assert kenji not in issues(project)
    assert run("apply", today="2027-04-19").code == 0
    assert kenji in issues(project)


def test_a_person_moved_into_a_cohort_that_starts_in_months_is_still_in_the_program(
    project: Path,
) -> None:
    """A reviewer's finding: Sam, moved from the pilot group into FY28 H1 (its issues not
    made yet), had his issue closed with "Left the program"."""
    assert run("apply").code == 0
    sam = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    edit(
        PROGRAM,
        "cohorts:\n",
        "cohorts:\n  - id: fy28-h1\n    name: FY28 H1 group\n    start_date: 2027-05-03\n"
        "    end_date: 2027-10-29\n    participants: [sam.delacroix]\n",
    )
    edit(PROGRAM, "      - sam.delacroix\n", "")
    assert run("apply", today="2026-11-25").code == 0
    withdrawn = block_content(issues(project)[sam].description, "withdrawn") or ""
    assert "still in the program, in FY28 H1 group" in withdrawn, withdrawn


def test_no_group_issue_before_the_cohort_starts_or_after_it_ends(project: Path) -> None:
    assert run("apply", today="2026-10-20").code == 0
    assert not [k for k in issues(project) if k.startswith(GROUP)]
    assert run("apply", today="2027-04-20").code == 0
    assert run("apply", today="2027-05-03").code == 0
    months = sorted(k.rsplit("/", 1)[1] for k in issues(project) if k.startswith(GROUP))
    assert months == ["2027-04"]  # each made in its own month; none for May
    assert str(issues(project)[f"{GROUP}/2027-04"].due_date) == "2027-04-30"


def test_the_program_lead_is_the_tracking_issues_assignee(project: Path) -> None:
    assert run("apply").code == 0
    assert issues(project)["csm-aspiring-leaders/tracking"].assignees == ("chloe.winters",)
    edit(project / PROGRAM, "lead: chloe.winters", "lead: priya.natarajan")
    result = run("apply")
    assert re.search(r"tracking\]: assignees \+priya\.natarajan -chloe\.winters", result.out)
    assert issues(project)["csm-aspiring-leaders/tracking"].assignees == ("priya.natarajan",)
    assert "No changes" in run("apply").out


def test_a_new_lead_takes_on_this_months_group_issue_not_the_past_ones(project: Path) -> None:
    """A tester: a lead changed in March was assigned every past month's group issue (open
    for good, overdue), six assignment e-mails; the one before, six unassignments. A month
    that ended keeps its lead, as an ESP period keeps its people."""
    assert run("apply").code == 0
    assert run("apply", today="2026-12-01").code == 0
    edit(project / PROGRAM, "lead: chloe.winters", "lead: priya.natarajan")
    assert run("apply", today="2026-12-02").code == 0
    found = issues(project)
    assert found[f"{GROUP}/2026-11"].assignees == ("chloe.winters",)
    assert found[f"{GROUP}/2026-12"].assignees == ("priya.natarajan",)
    assert found["csm-aspiring-leaders/tracking"].assignees == ("priya.natarajan",)


def test_a_lead_not_in_the_roster_is_a_config_error(project: Path) -> None:
    edit(project / PROGRAM, "lead: chloe.winters", "lead: chloe.whitestone")
    result = run("validate")
    assert result.code == 2
    assert re.search(
        r"config/programs/csm-aspiring-leaders\.yml:\d+: program lead 'chloe\.whitestone' is "
        r"not in the roster",
        result.err,
    )


def required_ticked(text: str) -> str:
    """Every task ticked but the optional ones."""
    return "\n".join(
        line if "Optional" in line else line.replace("[ ]", "[x]", 1) for line in text.split("\n")
    )


def test_optional_items_are_shown_as_optional_and_not_counted(project: Path) -> None:
    assert run("apply").code == 0
    text = issues(project)[SAM].description
    for item in (
        "1. [ ] Optional: take the [Elevate]",
        "- [ ] Optional: participate in the [GitLab mentorship program]",
        "   - [ ] Optional: potentially sign up for it.",
    ):
        assert item in text
    path = path_of(project, SAM)
    path.write_text(path.read_text("utf-8").replace("[ ] Optional:", "[x] Optional:"), "utf-8")
    assert run("apply").code == 0
    sam = issues(project)[SAM]
    assert "progress::0%" in sam.labels  # optional ticks count for nothing
    path.write_text(
        required_ticked(path.read_text("utf-8").replace("[x] Optional:", "[ ] Optional:")), "utf-8"
    )
    assert run("apply").code == 0
    sam = issues(project)[SAM]
    assert {"status::complete", "progress::100%"} <= set(sam.labels)
    assert sam.description.count("[ ] Optional:") == 3  # still there, still open
    index = (project / ".automation" / "index.md").read_text("utf-8")  # as the issue counts them
    row = next(line for line in index.split("\n") if f"[#{sam.iid}]" in line)
    assert "| 25/25 (100%) | complete |" in row, row


def test_issues_made_before_keep_their_ticks_and_wording(project: Path) -> None:
    old = (project / TEMPLATE).read_text("utf-8")
    edit(
        project / TEMPLATE,
        "1. [ ] Optional: take the [Elevate]",
        "1. [ ] Take the [Elevate]",
    )
    assert run("apply").code == 0
    path = path_of(project, SAM)
    edit(path, "1. [ ] Take the [Elevate]", "1. [x] Take the [Elevate]")
    edit(path, "1. [ ] Have coffee chats", "1. [x] Have coffee chats")
    before = issues(project)[SAM].description
    (project / TEMPLATE).write_text(old, "utf-8")
    assert run("apply").code == 0
    after = issues(project)[SAM].description
    assert "1. [x] Take the [Elevate]" in after  # the person's tick and the old wording
    assert "1. [x] Have coffee chats" in after
    assert "Optional: take the [Elevate]" not in after  # a rewording is not added again
    assert after.count("[x]") == before.count("[x]")
    assert "No changes" in run("apply").out


def test_a_participant_swapped_mid_month_gets_their_task_in_the_month_and_the_other_keeps_theirs(
    project: Path,
) -> None:
    """A roster change is no template rewording: the month's group issue gets the newcomer's
    task, keeps the leaver's (ticked, say) as it is, and the warning says what happened."""
    assert run("apply").code == 0
    month = path_of(project, f"{GROUP}/2026-11")
    lena_task = "- [ ] **Lena Fischer:** Post your progress"
    edit(month, lena_task, lena_task.replace("[ ]", "[x]"))
    edit(project / PROGRAM, "      - lena.fischer\n", "      - kenji.watanabe\n")
    result = run("apply")
    assert result.code == 0, result.out + result.err
    text = issues(project)[f"{GROUP}/2026-11"].description
    assert "- [ ] **Kenji Watanabe:** Post your progress" in text
    assert "- [x] **Lena Fischer:** Post your progress" in text
    assert "| Async discussion | 1/5 | 20% |" in text
    said = result.out + result.err
    assert "differently" not in said and "the template of" not in said, said
    assert "no longer asks for task '**Lena Fischer:** Post your" in said
    again = run("apply")
    assert "No changes" in again.out and "Lena" not in again.out + again.err


@pytest.mark.parametrize("deleted", [False, True])
def test_a_month_over_is_not_said_to_miss_the_task_of_someone_who_joined_after_it(
    project: Path, deleted: bool
) -> None:
    """A year-long trial: Kenji joined the group in January; December's issue, all ticked,
    was said on completing to have "4 of the 5 tasks its template has", and staff were told
    to restore a task it never had. It is counted against the tasks it was made with: a task
    someone did delete from it is still said."""
    assert run("apply", "2026-12-01").code == 0
    month = path_of(project, f"{GROUP}/2026-12")
    text = month.read_text("utf-8")
    if deleted:
        lena = next(line for line in text.split("\n") if "**Lena Fischer:** Post" in line)
        text = text.replace(lena + "\n", "")
    month.write_text(re.sub(r"- \[ \] (?!Optional)", "- [x] ", text), "utf-8")
    edit(
        project / PROGRAM,
        "      - lena.fischer\n",
        "      - lena.fischer\n      - kenji.watanabe\n",
    )
    result = run("apply", "2027-01-01")
    assert result.code == 0, result.out + result.err
    december = issues(project)[f"{GROUP}/2026-12"]
    assert "status::complete" in december.labels
    assert "Kenji" not in december.description  # a month over gets no newcomer's task
    said = [line for line in result.out.splitlines() if f"#{december.iid} is complete" in line]
    if deleted:
        assert len(said) == 1 and "3 of the 4 tasks its template has" in said[0], said
    else:
        assert not said, said


@pytest.mark.parametrize("today", ["2026-10-01", "2026-11-01", "2026-11-02", "2028-06-01"])
def test_the_configuration_is_valid_whatever_the_day(shipped: Path, today: str) -> None:
    # before the cohort's first month (or after its last) no monthly group issue is made, and
    # no other issue has the 'Group call' section: that is no mistake in configuration
    result = run("validate", today)
    assert result.code == 0, result.out + result.err


def test_a_section_in_no_template_is_a_mistake_on_every_day(shipped: Path) -> None:
    edit(PROGRAM, "heading: Group call", "heading: Grup call")
    for today in ("2026-11-01", "2026-12-01"):
        result = run("validate", today)
        assert result.code == 2, result.out
        assert "'Grup call' is not a heading" in result.err


def test_a_section_found_only_in_another_program_s_template_is_a_mistake(shipped: Path) -> None:
    edit(PROGRAM, "heading: Group call", "heading: Annual review")  # an ESP template's heading
    result = run("validate", "2026-11-01")
    assert result.code == 2, result.out
    assert "'Annual review' is not a heading" in result.err


def test_a_section_in_a_template_kept_in_another_folder_is_found_whatever_the_day(
    shipped: Path,
) -> None:
    (shipped / "templates/shared").mkdir()
    (shipped / "templates/csm-aspiring-leaders/group-monthly.md.j2").rename(
        shipped / "templates/shared/group-monthly.md.j2"
    )
    edit(
        PROGRAM,
        "template: csm-aspiring-leaders/group-monthly.md.j2",
        "template: shared/group-monthly.md.j2",
    )
    for today in ("2026-11-01", "2026-11-10"):
        result = run("validate", today)
        assert result.code == 0, result.out + result.err


def test_a_participant_who_manages_people_is_warned_about(project: Path) -> None:
    """A content reviewer's finding: the page is for individual contributors, yet a manager
    could join a cohort unnoticed."""
    edit(PROGRAM, "      - lena.fischer\n", "      - lena.fischer\n      - priya.natarajan\n")
    said = run("plan")
    assert said.code == 0, said.out + said.err
    assert (
        "cohort 'fy27-pilot': participant priya.natarajan manages people (someone's `manager` "
        "in people.yml); the program is for individual contributors"
    ) in said.out.replace("\n", " ")
    assert "sam.delacroix manages" not in said.out and "sam.delacroix has" not in said.out
    edit(PROGRAM, "individual_contributors: true", "individual_contributors: false")
    assert "manages people" not in run("plan").out


def test_a_participant_with_a_managers_title_is_warned_about(project: Path) -> None:
    edit(
        Path("config/people.yml"),
        "    title: Senior Customer Success Manager\n    grade: 7\n",
        "    title: Senior Manager, Ecosystem Sales\n",
    )
    said = run("plan").out.replace("\n", " ")
    assert (
        "participant sam.delacroix has a people manager's title in the Ecosystem Sales family"
    ) in said


def test_a_participant_promoted_during_the_cohort_is_not_warned_about(project: Path) -> None:
    """A newcomer's trial: Sam, promoted to manager while the pilot ran (the program's aim),
    was warned about on every run, with the advice to take him out, which withdraws him. A
    manager added to a running cohort is said by the run that makes their issue; one in a
    cohort that has not begun, on every run until it does."""
    assert run("apply").code == 0
    edit(
        Path("config/people.yml"),
        "    title: Senior Customer Success Manager\n    grade: 7\n",
        "    title: Senior Manager, Ecosystem Sales\n",
    )
    promoted = run("apply", "2026-11-25")
    assert promoted.code == 0 and "sam.delacroix has" not in promoted.out, promoted.out
    edit(PROGRAM, "      - lena.fischer\n", "      - lena.fischer\n      - priya.natarajan\n")
    added = run("apply", "2026-11-26")
    assert "participant priya.natarajan manages people" in added.out, added.out
    assert "priya.natarajan manages" not in run("apply", "2026-11-27").out
    edit(PROGRAM, "    start_date: 2026-11-02\n", "    start_date: 2026-12-07\n")
    for day in ("2026-11-28", "2026-11-29"):
        assert "participant priya.natarajan manages people" in run("plan", day).out


def test_a_missing_heading_is_said_while_the_issue_is_under_way_not_for_ever_after(
    project: Path,
) -> None:
    """A tester's: the warning came on every run for months-old group issues the tool will
    never change again (past their due date, still open). It is said while the issue is
    under way."""
    assert run("apply", "2026-12-15").code == 0
    december = issues(project)[f"{GROUP}/2026-12"]
    edit(path_of(project, december.key or ""), "## Group call\n", "")
    said = run("apply", "2026-12-16").out
    assert f"issue #{december.iid} has no heading 'Group call': that section's figure" in said, said
    assert "has no heading" not in run("apply", "2027-01-05").out  # December's is past due


def test_an_ended_cohort_tidied_out_of_the_file_keeps_its_group_issues_in_the_figures(
    project: Path,
) -> None:
    """A trial: once the ended pilot's entry was deleted (as README's "Someone leaves" says
    is quiet), its monthly group issues and their ticks left the program's figures, and each
    was warned of ("which the configuration no longer defines") on every run."""
    assert run("apply").code == 0
    edit(path_of(project, f"{GROUP}/2026-11"), "- [ ] **Program lead:**", "- [x] **Program lead:**")
    assert run("apply", "2026-12-01").code == 0
    december = path_of(project, f"{GROUP}/2026-12")  # a month done whole (a CSM trial's #12:
    december.write_text(december.read_text("utf-8").replace("- [ ] ", "- [x] "), "utf-8")
    assert run("apply", "2027-05-03").code == 0  # the pilot ended on 2027-04-30
    assert "status::complete" in issues(project)[f"{GROUP}/2026-12"].labels
    before = issues(project)["csm-aspiring-leaders/tracking"].description
    text = PROGRAM.read_text("utf-8")
    start = text.index("  - id: fy27-pilot\n")
    end = text.index("      - lena.fischer\n") + len("      - lena.fischer\n")
    PROGRAM.write_text(
        text[:start]
        + "  - id: fy28-next\n    name: FY28 cohort\n    start_date: 2027-09-01\n"
        + "    end_date: 2028-02-29\n    participants:\n      - sam.delacroix\n"
        + text[end:],
        "utf-8",
    )
    result = run("apply", "2027-05-04")
    assert result.code == 0, result.out + result.err
    assert "no longer defines" not in result.out, result.out
    after = issues(project)["csm-aspiring-leaders/tracking"].description
    total = re.compile(r"\| \*\*Overall\*\* \| \*\*\d+/\d+\*\* \|")
    assert total.findall(after) == total.findall(before)  # the group calls still counted
    assert "| Group call | 4/" in after
    # the complete month too: listed as complete, not left out of the figures
    row = f"| #{issues(project)[f'{GROUP}/2026-12'].iid} |"
    assert row in before and row in after and "complete |" in after.split(row, 1)[1].split("\n")[0]


@pytest.mark.parametrize(
    ("made", "was", "now", "month", "dates"),
    [  # a CSM trial: `end_date` typed a year early (2026-12-31 for 2027-04-30)
        (
            "2027-01-05",
            "end_date: 2027-04-30",
            "end_date: 2026-12-31",
            "2027-01",
            "2026-11-02 to 2026-12-31",
        ),
        # a year's trial: `start_date` moved later, and the hint named the end, which had not
        (
            "2026-12-07",
            "start_date: 2026-11-02",
            "start_date: 2027-01-04",
            "2026-12",
            "2027-01-04 to 2027-04-30",
        ),
    ],
)
def test_a_month_a_moved_date_leaves_out_names_the_groups_dates(  # noqa: PLR0917
    project: Path, made: str, was: str, now: str, month: str, dates: str
) -> None:
    """A cohort's date moved so that a month's group issue made before is no longer defined,
    with nothing saying why. The warning names the group's dates, and correcting the one
    typed wrong is all that is needed."""
    assert run("apply", made).code == 0
    issue = issues(project)[f"{GROUP}/{month}"]
    edit(PROGRAM, was, now)
    said = run("plan", made).out
    assert (
        f"issue #{issue.iid} has key '{GROUP}/{month}', which the configuration no longer "
        f"defines (its group 'FY27 pilot group' runs from {dates}: if a date is wrong, correct "
        "it in the program file); it was left as it is"
    ) in said, said
    edit(PROGRAM, now, was)
    assert "No changes" in run("apply", made).out


def test_a_new_lead_is_named_in_the_months_group_issue(project: Path) -> None:
    """A newcomer's trial: the lead handed the program on; the month's group issue was
    reassigned, but its text still read "Led by @chloe.winters", who kept its notifications.
    The line is a kept block: it follows `lead` while the issue is open."""
    assert run("apply", "2027-01-04").code == 0
    january = f"{GROUP}/2027-01"
    assert "Led by @chloe.winters." in (
        block_content(issues(project)[january].description, "kept-lead") or ""
    )
    edit(PROGRAM, "lead: chloe.winters", "lead: riley.chen")
    result = run("apply", "2027-01-05")
    assert result.code == 0, result.out
    text = issues(project)[january].description
    assert "Led by @riley.chen." in text and "chloe.winters" not in text
