"""A program over time (issue 13, items 1 and 6): a person who leaves is withdrawn once and can
come back to the same issue; an account that ends has its plan closed with one summary note; a
cohort that ends gets its final figures once, frozen, and its open issues are labelled, not
closed. Each rule on the local backend through the CLI, and the main ones on the fake GitLab."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.checklist import count_all
from automation.items import ObservedIssue
from automation.keptlines import without_marks
from automation.markers import block_content, outside_blocks
from automation.run import Prepared, apply, prepare
from tests.backends import PROJECT, TODAY, GitLabBackend, LocalBackend, Result, cli, new_fake
from tests.conftest import REPO, keep_programs
from tests.crash import Crash, CrashingTracker
from tests.e2e.test_contract import tick
from tests.local_cli import cut_block, edit, issues, path_of, run
from tests.memory import memory_for, run_apply

CSM = Path("config/programs/csm-aspiring-leaders.yml")
SPONSORSHIP = Path("config/programs/sales-sponsorship.yml")
ESP = Path("config/programs/executive-sponsorship.yml")
LENA = "csm-aspiring-leaders/fy27-pilot/lena.fischer"
OTHERS = (
    "csm-aspiring-leaders/fy27-pilot/sam.delacroix",
    "csm-aspiring-leaders/fy27-pilot/aiko.tanaka",
)
TRACKING = "csm-aspiring-leaders/tracking"
WITHDRAWN_NOTE = "<!-- automation:note withdrawn -->"
COMPLETION_NOTE = "<!-- automation:note completion -->"
PARTICIPANTS = ("sam.delacroix", "aiko.tanaka", "lena.fischer")


def remove_lena(root: Path) -> None:
    edit(root / CSM, "      - lena.fischer\n", "")


def put_lena_back(root: Path) -> None:
    edit(root / CSM, "      - aiko.tanaka\n", "      - aiko.tanaka\n      - lena.fischer\n")


def leaving(root: Path, yaml: str) -> None:
    with (root / CSM).open("a", encoding="utf-8") as program:
        program.write(f"leaving:\n{yaml}")


def notes(root: Path, issue: ObservedIssue) -> str:
    path = root / ".automation" / "notes" / f"{issue.iid}.md"
    return path.read_text("utf-8") if path.is_file() else ""


def quiet(result: Result) -> None:
    """Nothing to write and nothing to warn about (notes, such as matches not released, may be
    said)."""
    assert result.code == 0, result.out + result.err
    said = [line for line in result.out.strip().splitlines() if not line.startswith("note: ")]
    assert said[0].startswith("No changes"), result.out
    assert "warning" not in result.out, result.out


def statuses(issue: ObservedIssue) -> set[str]:
    return {label for label in issue.labels if label.startswith("status::")}


# --- leaving, on the local backend ---------------------------------------------------------


def test_a_person_added_to_a_cohort_that_ended_gets_no_issue(project: Path) -> None:
    """FY27 pilot ended on 2027-04-30; Amara added in May is not given an issue born ended
    and overdue (nor told of it); the others' issues stay as they are."""
    assert run("apply", "2027-04-01").code == 0
    before = issues(project)
    edit(project / CSM, "      - lena.fischer\n", "      - lena.fischer\n      - amara.osei\n")
    result = run("apply", "2027-05-03")
    assert result.code == 0, result.out + result.err
    assert (
        "1 issue of csm-aspiring-leaders not created: their time was over (from 2027-04-30)"
    ) in result.out, result.out  # a newcomer's trial: it went unsaid
    assert "A participant added to a cohort after its `end_date` gets no issue" in result.out
    after = issues(project)
    assert not any(key.endswith("/amara.osei") for key in after)
    assert set(before) <= set(after)
    edit(project / CSM, "    end_date: 2027-04-30\n", "    end_date: 2027-05-31\n")  # extended
    assert run("apply", "2027-05-04").code == 0
    assert any(key.endswith("/amara.osei") for key in issues(project))


def test_a_person_removed_is_withdrawn_once_then_left_quiet(project: Path) -> None:
    assert run("apply").code == 0
    remove_lena(project)
    leaving(project, "  reasons:\n    Lena.Fischer: Moved to the Sales team\n")
    result = run("apply")
    assert result.code == 0 and "0 failed, 0 warnings" in result.out, result.out
    assert "withdrawn: no longer in the program's configuration" in result.out
    lena = issues(project)[LENA]
    assert lena.state == "closed"
    assert statuses(lena) == {"status::withdrawn"}
    said = notes(project, lena)
    assert said.count(WITHDRAWN_NOTE) == 1
    assert "Withdrawn from CSM Aspiring Leaders.** Moved to the Sales team" in said
    assert "Left the program on 2026-11-24" in (block_content(lena.description, "withdrawn") or "")
    workspace = LocalBackend(project)
    before = workspace.fingerprint()
    quiet(run("apply"))
    quiet(run("apply", today="2026-12-24"))
    assert workspace.fingerprint() == before  # writes nothing, not even the lock


def test_a_reason_for_someone_listed_again_is_warned_of_until_their_cohort_ends(
    project: Path,
) -> None:
    """A newcomer's trial: Lena left the pilot with a reason, then joined a later cohort; the
    reason stayed in the file, unsaid, and was posted again, publicly, as the reason she left
    that cohort. `plan` and `apply` now warn while a cohort that has not ended lists her
    under an issue that was never withdrawn (one back in the pilot has her note already)."""
    assert run("apply").code == 0
    remove_lena(project)
    leaving(project, "  reasons:\n    lena.fischer: Moved to the Sales team\n")
    assert run("apply").code == 0
    put_lena_back(project)  # in the pilot again: her note there is posted, never again
    back = run("apply", "2027-01-04")
    assert back.code == 0 and "leaving.reasons" not in back.out, back.out
    remove_lena(project)
    edit(
        project / CSM,
        "  - id: fy27-pilot\n",
        "  - id: fy28-cohort-1\n    name: FY28 cohort 1\n    start_date: 2027-06-01\n"
        "    end_date: 2027-11-30\n    participants:\n      - lena.fischer\n  - id: fy27-pilot\n",
    )
    line = _line_of(project / CSM, "lena.fischer: Moved")
    said = (
        f"warning: {CSM}:{line}: `leaving.reasons` gives a reason for 'lena.fischer', whom the "
        "program file still lists in 'FY28 cohort 1': it would be posted in their note"
    )
    for command in ("plan", "apply"):  # `validate` reads no issue: it cannot tell (below)
        result = run(command, "2027-05-20")
        assert result.code == 0 and said in result.out, result.out + result.err
    assert "leaving.reasons" not in run("plan", "2027-12-01").out


# --- a reason under a name no one has ------------------------------------------------------


def _line_of(path: Path, text: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line
    )


TYPO = "  reasons:\n    lena.fischr: Moved to the Sales team\n"  # the coordinator's finding


def test_a_misspelt_reason_is_warned_of_by_validate_and_plan_at_its_line(project: Path) -> None:
    """A reason under a name that neither people.yml nor the program has is a warning with its
    file and line: `validate` (which reads no issue) says it when the name is much like one
    it knows, and offers it; `plan` too."""
    leaving(project, TYPO)
    line = _line_of(project / CSM, "lena.fischr:")
    said = (
        f"warning: {CSM}:{line}: `leaving.reasons` gives a reason for 'lena.fischr', which is "
        "not in people.yml or this program's file; did you mean 'lena.fischer'? Check the "
        "spelling: a reason counts only under the exact username or account id, and the note "
        "that someone left is posted once, ever"
    )
    validated = run("validate")
    assert validated.code == 0 and said in validated.out.splitlines(), validated.out
    planned = run("plan")
    assert planned.code == 0, planned.out + planned.err
    assert (
        said.replace("people.yml or this", "people.yml, this").replace(
            "program's file;", "program's file or its issues;"
        )
        in planned.out.splitlines()
    ), planned.out


@pytest.mark.parametrize("fix", ["spelt right", "removed"])
def test_a_withdrawal_waits_while_a_reason_much_like_the_persons_names_no_one(
    project: Path, fix: str
) -> None:
    """The coordinator's finding: removing Lena while her reason is under 'lena.fischr' would
    post her note, once, ever, without it. Her issue waits, open and unlabelled, with a
    warning naming the reason's line; once the name is spelt right (or the reason removed),
    the next run withdraws her, the note with the reason (or without one)."""
    assert run("apply").code == 0
    remove_lena(project)
    leaving(project, TYPO)
    line = _line_of(project / CSM, "lena.fischr:")
    result = run("apply")
    assert result.code == 0, result.out + result.err
    lena = issues(project)[LENA]
    assert (
        f"warning: issue #{lena.iid} is not withdrawn yet: `leaving.reasons` has no reason for "
        f"'lena.fischer', but {CSM}:{line} gives one for 'lena.fischr', which no one has; if "
        "it is 'lena.fischer' misspelt, fix it, otherwise remove it, and the next run "
        "withdraws the issue (its note is posted once, ever)"
    ) in result.out.splitlines(), result.out
    assert "gives a reason for 'lena.fischr'" not in result.out  # one warning, not two
    assert lena.state == "opened" and "status::withdrawn" not in lena.labels
    assert not notes(project, lena) and block_content(lena.description, "withdrawn") is None
    tracking = issues(project)[TRACKING].description  # a reviewer's: it said withdrawn already
    assert "withdrawn" not in (block_content(tracking, "rollup") or ""), tracking
    if fix == "spelt right":
        edit(project / CSM, "lena.fischr:", "lena.fischer:")
    else:
        edit(project / CSM, TYPO, "  close: true\n")
    result = run("apply")
    assert result.code == 0 and "warning:" not in result.out, result.out
    lena = issues(project)[LENA]
    assert lena.state == "closed" and statuses(lena) == {"status::withdrawn"}
    said = notes(project, lena)
    assert said.count(WITHDRAWN_NOTE) == 1
    assert ("Moved to the Sales team" in said) == (fix == "spelt right")


def test_a_reason_for_someone_removed_from_people_yml_too_is_no_mistake(project: Path) -> None:
    """A leaver is often taken out of people.yml as well: their issue says who they were, so
    their reason is theirs, with no warning, on any command."""
    assert run("apply").code == 0
    remove_lena(project)
    people = project / "config/people.yml"
    text = people.read_text("utf-8")
    start = text.index("  - username: lena.fischer\n")
    end = text.index("  - username:", start + 1)
    people.write_text(text[:start] + text[end:], "utf-8")
    leaving(project, "  reasons:\n    lena.fischer: Moved to the Sales team\n")
    for command in ("validate", "plan"):
        result = run(command)
        assert result.code == 0 and "leaving.reasons" not in result.out, result.out + result.err
    result = run("apply")
    assert result.code == 0 and "leaving.reasons" not in result.out, result.out
    assert "Moved to the Sales team" in notes(project, issues(project)[LENA])


def test_a_reason_under_a_name_like_no_one_is_said_by_plan_not_validate(project: Path) -> None:
    """A name like none it knows may be a leaver taken out of both files: `validate` cannot
    tell without the issues, and says nothing; `plan` reads them, and says it names no one."""
    leaving(project, "  reasons:\n    zed.quorra: Moved to the Sales team\n")
    line = _line_of(project / CSM, "zed.quorra:")
    validated = run("validate")
    assert validated.code == 0 and "leaving.reasons" not in validated.out, validated.out
    planned = run("plan")
    assert (
        f"warning: {CSM}:{line}: `leaving.reasons` gives a reason for 'zed.quorra', which is "
        "not in people.yml, this program's file or its issues; check the spelling"
    ) in planned.out, planned.out


def _another_cohort(root: Path, cohort: str, name: str, start: str, end: str) -> None:
    path = root / CSM
    path.write_text(
        path.read_text("utf-8") + f"  - id: {cohort}\n    name: {name}\n    start_date: {start}\n"
        f"    end_date: {end}\n    participants:\n      - lena.fischer\n",
        "utf-8",
    )


@pytest.mark.parametrize("edits", ["one", "two"])
def test_a_person_moved_to_another_cohort_is_told_so_not_that_they_left(
    project: Path, edits: str
) -> None:
    """A tester's finding: a person moved to a new cohort read "Left the program" and
    "Withdrawn from CSM Aspiring Leaders" on their old issue (a reviewer's: also when the
    move was made in two edits, added to the new cohort first)."""
    assert run("apply").code == 0
    _another_cohort(project, "fy28-cohort", "FY28 cohort", "2026-11-02", "2027-10-30")
    if edits == "two":
        assert run("apply").code == 0
    remove_lena(project)
    assert run("apply").code == 0
    old = issues(project)[LENA]
    assert "csm-aspiring-leaders/fy28-cohort/lena.fischer" in issues(project)
    block = block_content(old.description, "withdrawn") or ""
    assert "No longer in FY27 pilot group since 2026-11-24; still in the program" in block
    assert "Left the program" not in block
    said = notes(project, old)
    assert "still in CSM Aspiring Leaders, in FY28 cohort" in said
    # a trial: "Their issue there is another one", said before that issue was made
    assert "Their issue there is a new one (made with that group's issues, if" in said
    assert "Withdrawn from" not in said


def test_a_person_whose_cohort_is_deleted_is_told_they_are_still_in_their_other_one(
    project: Path,
) -> None:
    """A tester moved a person back to their first cohort and deleted the second, the natural
    edit once it held nobody (an empty list is refused): the second cohort's issue read
    "Withdrawn from CSM Aspiring Leaders", though the person is still in it."""
    assert run("apply").code == 0
    before = (project / CSM).read_text("utf-8")
    _another_cohort(project, "fy28-cohort", "FY28 cohort", "2026-11-02", "2027-10-30")
    assert run("apply").code == 0
    (project / CSM).write_text(
        before, "utf-8"
    )  # the second cohort deleted; Lena still in the first
    assert run("apply").code == 0
    left = issues(project)["csm-aspiring-leaders/fy28-cohort/lena.fischer"]
    said = _withdrawn_said(project, left)
    assert "still in CSM Aspiring Leaders, in FY27 pilot group" in said, said
    assert "Withdrawn from" not in said and "Left the program" not in said


def _lenas_pair_moved_to_h2(root: Path, sponsor: str) -> dict[str, ObservedIssue]:
    """Lena's pair taken off FY28 H1 and put in FY28 H2, with SPONSOR; the issues after."""
    assert run("apply").code == 0
    program = root / SPONSORSHIP
    edit(program, "        - {sponsor: hannah.berg, sponsee: lena.fischer}\n", "")
    edit(
        program,
        "      pairs:\n        # Matches go",
        f"      pairs:\n        - {{sponsor: {sponsor}, sponsee: lena.fischer}}\n"
        "        # Matches go",
    )
    assert run("apply").code == 0
    found = issues(root)
    assert "sales-sponsorship/fy28-h2/lena.fischer" in found
    return found


def _withdrawn_said(root: Path, issue: ObservedIssue) -> str:
    return (block_content(issue.description, "withdrawn") or "") + notes(root, issue)


def test_a_sponsorship_pair_moved_to_the_next_cohort_is_told_so(sponsorship: Path) -> None:
    """A reviewer's finding: a pair moved to another cohort read "Left the program" on its
    old pair and score issues."""
    found = _lenas_pair_moved_to_h2(sponsorship, "hannah.berg")
    for key in (
        "sales-sponsorship/fy28-h1/lena.fischer",
        "sales-sponsorship/fy28-h1/lena.fischer/sponsee-scores",
    ):
        block = block_content(found[key].description, "withdrawn") or ""
        assert "still in the program, in FY28 H2 cohort" in block, (key, block)


def test_a_pair_moved_with_a_new_sponsor_tells_the_old_sponsor_nothing_of_it(
    sponsorship: Path,
) -> None:
    """A reviewer's finding: the old pair issue, which the old sponsor reads, said where the
    sponsee is sponsored now, by another pair than the one it was for."""
    old = _lenas_pair_moved_to_h2(sponsorship, "dana.whitfield")[
        "sales-sponsorship/fy28-h1/lena.fischer"
    ]
    assert "hannah.berg" in old.assignees
    assert "FY28 H2" not in _withdrawn_said(sponsorship, old)


def test_a_sponsorship_pair_is_no_move_to_a_cohort_that_ended(sponsorship: Path) -> None:
    """A reviewer's finding: Lena, sponsored in FY27 (ended) and taken off FY28 H1, read that
    she was still in the program, in FY27."""
    program = sponsorship / SPONSORSHIP
    edit(
        program,
        "  cohorts:\n",
        "  cohorts:\n    - id: fy27\n      name: FY27 cohort\n      start: 2026-03-02\n"
        "      pairs:\n        - {sponsor: hannah.berg, sponsee: lena.fischer}\n",
    )
    assert run("apply").code == 0
    edit(program, "        - {sponsor: hannah.berg, sponsee: lena.fischer}\n", "", 2)
    edit(
        program,
        "      pairs:\n",
        "      pairs:\n        - {sponsor: hannah.berg, sponsee: lena.fischer}\n",
    )  # in FY27 (ended) only
    assert run("apply").code == 0
    found = issues(sponsorship)
    said = _withdrawn_said(sponsorship, found["sales-sponsorship/fy28-h1/lena.fischer"])
    assert "FY27 cohort" not in said and "This pair left the program" in said
    # a trial: the sponsor's own score issue read "Left the program", but the sponsor did not
    sponsor = found["sales-sponsorship/fy28-h1/lena.fischer/sponsor-scores/hannah.berg"]
    said = _withdrawn_said(sponsorship, sponsor)
    assert "This pair left the program" in said and "The pair this issue is for" in said
    assert "Left the program" not in said


def test_an_esp_account_set_back_to_proposed_is_no_move(esp: Path) -> None:
    """A reviewer's finding: an account with id `scorecard` had keys differing from the
    program scorecard's in their first part alone, and was told it moved to "Program"."""
    program = esp / ESP
    edit(program, "{id: stark, name: Stark Logistics", "{id: scorecard, name: Stark Logistics")
    assert run("apply").code == 0
    ours = [k for k in issues(esp) if "/account/scorecard/quarterly/" in k]
    assert any(k.replace("/account/", "/program/") in issues(esp) for k in ours)
    edit(
        program,
        "sponsor: jordan.alvarez, status: approved,\n       account_team: [sam.delacroix",
        "sponsor: jordan.alvarez, status: proposed,\n       account_team: [sam.delacroix",
    )
    assert run("apply").code == 0
    for key in ours:
        assert "still in" not in _withdrawn_said(esp, issues(esp)[key]), key


def test_leaving_is_no_move_to_a_cohort_that_ended(project: Path) -> None:
    """A reviewer's finding: Lena, in an earlier cohort that ended, taken off the pilot, read
    that she moved to it."""
    _another_cohort(project, "fy26", "FY26 cohort", "2025-11-03", "2026-04-30")
    assert run("apply", today="2026-01-15").code == 0
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply").code == 0
    old = issues(project)[LENA]
    said = (block_content(old.description, "withdrawn") or "") + notes(project, old)
    assert "still in" not in said and "Left the program on 2026-11-24" in said


def test_a_person_removed_after_deleting_their_issues_first_line_is_withdrawn_all_the_same(
    project: Path,
) -> None:
    """The index of keys still names Lena's issue: it is withdrawn and listed, not left
    untracked with a warning to dig in the description history."""
    assert run("apply").code == 0
    path = path_of(project, LENA)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"<!-- automation:key={LENA} -->\n", "", 1), encoding="utf-8")
    assert f"automation:key={LENA}" not in path.read_text(encoding="utf-8")
    remove_lena(project)
    result = run("apply")
    assert result.code == 0 and "0 failed, 0 warnings" in result.out, result.out
    lena = next(i for i in issues(project).values() if i.iid == int(path.stem))
    assert lena.state == "closed" and statuses(lena) == {"status::withdrawn"}
    assert notes(project, lena).count(WITHDRAWN_NOTE) == 1
    tracking = block_content(issues(project)[TRACKING].description, "rollup") or ""
    assert re.search(rf"^\| #{lena.iid} \(closed\) \| .*\| withdrawn \|$", tracking, re.M)
    quiet(run("apply"))


def test_a_withdrawn_issues_progress_block_says_withdrawn_like_its_label(project: Path) -> None:
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply").code == 0
    lena = issues(project)[LENA]
    assert statuses(lena) == {"status::withdrawn"}
    assert "**Status:** withdrawn" in (block_content(lena.description, "progress") or "")
    quiet(run("apply"))


def test_the_rollup_lists_a_withdrawn_person_outside_its_figures(project: Path) -> None:
    assert run("apply").code == 0
    path = path_of(project, LENA)
    path.write_text(tick(path.read_text("utf-8"), "Have coffee chats"), "utf-8")
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply").code == 0
    found = issues(project)
    tracking = block_content(found[TRACKING].description, "rollup") or ""
    lena = found[LENA]
    assert re.search(
        rf"^\| #{lena.iid} \(closed\) \| .*Lena Fischer .*\| withdrawn \|$", tracking, re.M
    )
    # the tool's count: tasks that say they are optional are not counted
    counts = [count_all(found[key].description, [], skip_optional=True)[1] for key in OTHERS]
    done, total = sum(c.completed_count for c in counts), sum(c.count for c in counts)
    assert done == 0  # only Lena ticked a task: it is not in the figures
    assert f"| **Overall** | **{done}/{total}** | **0%** |" in tracking
    assert "2 tracked issues; 0 complete; 1 withdrawn, listed but not counted." in tracking


def test_a_withdrawn_persons_title_is_listed_as_words_never_as_references_or_links(
    project: Path,
) -> None:
    """Lena, about to leave, retitles her issue: the tracking issue lists the title the tool
    can no longer take from configuration, but the tool's user writes no reference to another
    project's issue, merge request or milestone, and no link."""
    assert run("apply").code == 0
    path = path_of(project, LENA)
    hostile = "Lena, see other-group/secret-project#1 and https://evil.example/login %v1 !5 #3"
    edit(
        path,
        "title: 'CSM Aspiring Leaders: Lena Fischer (FY27 pilot group)'",
        f"title: '{hostile}'",
    )
    remove_lena(project)
    assert run("apply").code == 0
    tracking = block_content(issues(project)[TRACKING].description, "rollup") or ""
    row = next(line for line in tracking.splitlines() if "withdrawn |" in line)
    shown = "Lena, see other-group secret-project 1 and https: evil.example login v1 5 3"
    assert f"| {shown} |" in row, row
    for live in ("#1", "#3", "!5", "%v1", "://", "/secret"):
        assert live not in row.split("|", 2)[2], row


def test_a_withdrawn_persons_confidential_issue_keeps_its_title_out_of_a_public_rollup(
    project: Path,
) -> None:
    """A tester's: in a public program a manager made Lena's issue confidential and wrote
    why into its title; when she left, the public tracking issue listed that title. A
    confidential issue's title is not the program's to show."""
    assert run("apply").code == 0
    path = path_of(project, LENA)
    private = "Lena Fischer - on medical leave until March"
    edit(
        path,
        "title: 'CSM Aspiring Leaders: Lena Fischer (FY27 pilot group)'",
        f"title: '{private}'",
    )
    edit(path, "confidential: false", "confidential: true")
    remove_lena(project)
    assert run("apply").code == 0
    tracking = issues(project)[TRACKING]
    assert not tracking.confidential
    row = next(line for line in tracking.description.splitlines() if "withdrawn |" in line)
    assert "medical" not in row and "(a confidential issue)" in row, row


def test_putting_the_person_back_reopens_the_same_issue(project: Path) -> None:
    assert run("apply").code == 0
    before = issues(project)[LENA]
    remove_lena(project)
    assert run("apply").code == 0
    put_lena_back(project)
    result = run("apply", today="2026-11-25")
    assert f"reopened #{before.iid} [{LENA}]: back in the program" in result.out
    assert "created issue" not in result.out
    lena = issues(project)[LENA]
    assert (lena.iid, lena.state) == (before.iid, "opened")
    assert statuses(lena) == {"status::not started"}
    assert "Back in the program on 2026-11-25" in (
        block_content(lena.description, "withdrawn") or ""
    )
    assert len(issues(project)) == 4
    quiet(run("apply", today="2026-11-25"))
    # leaving again: labelled and closed again, and the note is never posted twice
    remove_lena(project)
    assert run("apply", today="2026-11-26").code == 0
    lena = issues(project)[LENA]
    assert lena.state == "closed" and statuses(lena) == {"status::withdrawn"}
    assert notes(project, lena).count(WITHDRAWN_NOTE) == 1
    quiet(run("apply", today="2026-11-26"))


def test_a_person_put_back_once_the_cohort_ended_leaves_the_issue_as_it_was(
    project: Path,
) -> None:
    """A tester's finding: Lena, removed in March and put back after the pilot group ended
    (2027-04-30), had her closed issue reopened (GitLab told her) and labelled ended at once.
    Nothing is reopened into something over: it stays closed and withdrawn."""
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply", today="2027-03-01").code == 0
    before = issues(project)[LENA]
    put_lena_back(project)
    result = run("apply", today="2027-05-10")
    assert result.code == 0 and "reopened" not in result.out, result.out
    lena = issues(project)[LENA]
    assert (lena.state, lena.description) == ("closed", before.description)
    assert statuses(lena) == {"status::withdrawn"}
    quiet(run("apply", today="2027-05-10"))


def test_an_esp_account_approved_again_after_its_end_stays_withdrawn(shipped: Path) -> None:
    """A reviewer's finding: Globex (its commitment ends 2027-01-31), set back to proposed in
    December and approved again in February, had its four issues reopened (GitLab told its
    people), labelled ended and its plan closed again, in one run."""
    keep_programs(shipped, "executive-sponsorship")
    esp = shipped / "config/programs/executive-sponsorship.yml"
    approved = "sponsor: dana.whitfield, status: approved,\n       account_team: [tom.reyes"
    proposed = approved.replace("approved", "proposed")
    assert run("apply", "2026-11-24").code == 0
    edit(esp, approved, proposed)
    assert run("apply", "2026-12-15").code == 0
    before = {k: i for k, i in issues(shipped).items() if "/globex/" in k}
    edit(esp, proposed, approved)
    result = run("apply", "2027-02-15")
    assert result.code == 0 and "reopen" not in result.out, result.out
    after = {k: i for k, i in issues(shipped).items() if "/globex/" in k}
    assert {k: i.state for k, i in after.items()} == {k: i.state for k, i in before.items()}
    assert all(statuses(i) == {"status::withdrawn"} for i in after.values())
    assert "No changes" in run("apply", "2027-02-15").out


def test_an_issue_closed_by_hand_is_labelled_withdrawn_and_never_reopened(project: Path) -> None:
    assert run("apply").code == 0
    edit(path_of(project, LENA), "state: opened", "state: closed")  # a person closed it
    remove_lena(project)
    result = run("apply")
    assert "close #" not in result.out
    lena = issues(project)[LENA]
    assert lena.state == "closed" and statuses(lena) == {"status::withdrawn"}
    assert notes(project, lena).count(WITHDRAWN_NOTE) == 1
    quiet(run("apply"))
    put_lena_back(project)
    assert "reopen" not in run("apply").out
    lena = issues(project)[LENA]
    assert lena.state == "closed" and "status::withdrawn" not in lena.labels


def test_a_program_can_keep_a_withdrawn_issue_open(project: Path) -> None:
    assert run("apply").code == 0
    text = path_of(project, LENA).read_text("utf-8")
    remove_lena(project)
    leaving(project, "  close: false\n  reasons:\n    lena.fischer: '/close @all <!-- x'\n")
    assert run("apply").code == 0
    lena = issues(project)[LENA]
    assert lena.state == "opened" and statuses(lena) == {"status::withdrawn"}
    said = notes(project, lena)
    assert "\\/close @\u200ball &lt;!-- x" in said  # the reason is shown as typed, inert
    assert "/close @all" not in said
    # nothing a person wrote changed: only the tool's blocks (its status shown as withdrawn,
    # and the withdrawn block added at the end)
    before = text.split("---\n", 2)[2]
    assert outside_blocks(lena.description).startswith(outside_blocks(before).rstrip())
    assert lena.description.startswith(before.split("<!-- automation:begin progress -->")[0])
    quiet(run("apply"))


def test_a_complete_issue_whose_person_is_removed_is_left_as_it_is(project: Path) -> None:
    assert run("apply").code == 0
    path = path_of(project, LENA)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    assert run("apply").code == 0
    remove_lena(project)
    result = run("apply")
    assert "withdrawn" not in result.out
    lena = issues(project)[LENA]
    assert statuses(lena) == {"status::complete"}
    assert "| complete |" in (block_content(issues(project)[TRACKING].description, "rollup") or "")
    quiet(run("apply"))


def test_an_issue_finished_then_its_person_removed_before_a_run_says_complete(
    project: Path,
) -> None:
    """Lena ticks her last tasks and is taken out of the cohort before the next run: her
    issue is not withdrawn (she finished), and its labels and progress block say complete,
    not what they said before her ticks (a tester saw it frozen at 0% for a year)."""
    assert run("apply").code == 0
    path = path_of(project, LENA)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    remove_lena(project)
    result = run("apply")
    assert "withdrawn" not in result.out, result.out
    lena = issues(project)[LENA]
    assert statuses(lena) == {"status::complete"} and "progress::100%" in lena.labels
    assert not [x for x in lena.labels if x.startswith("phase::")]
    assert "100%" in (block_content(lena.description, "progress") or "")
    assert lena.state == "opened"  # the program does not close finished issues
    quiet(run("apply"))
    assert run("apply", today="2027-06-01").code == 0  # the cohort ended: still complete
    assert statuses(issues(project)[LENA]) == {"status::complete"}
    quiet(run("apply", today="2027-06-01"))


def test_a_withdrawn_issue_ticked_to_the_end_afterwards_stays_quiet(project: Path) -> None:
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply").code == 0
    path = path_of(project, LENA)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    ticked = path.read_text("utf-8")
    assert f"#{issues(project)[LENA].iid}" not in run("apply").out  # the rollup follows
    assert path.read_text("utf-8") == ticked
    assert statuses(issues(project)[LENA]) == {"status::withdrawn"}
    quiet(run("apply"))


TOM = "sales-onboarding/tom.reyes"
ONBOARDING = Path("config/programs/sales-onboarding.yml")


def tom_finishes_and_is_removed(root: Path) -> str:
    """Onboarding alone: Tom ticks every task and is taken out of `hires` before a run.
    Returns the program file as it was."""
    keep_programs(root, "sales-onboarding")
    assert run("apply").code == 0
    path = path_of(root, TOM)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    configured = (root / ONBOARDING).read_text("utf-8")
    edit(root / ONBOARDING, "    - {username: tom.reyes, role: ae}\n", "")
    return configured


def test_a_withdrawn_issue_whose_block_was_deleted_stays_quiet_when_ticked(project: Path) -> None:
    """Lena, withdrawn, deletes the withdrawn block and ticks every task: her issue is still
    not written to (its `status::withdrawn` label, which she cannot take off, says so)."""
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply").code == 0
    path = path_of(project, LENA)
    cut_block(path, "withdrawn", lambda text: text.replace("[ ]", "[x]"))
    ticked = path.read_text("utf-8")
    assert run("apply").code == 0
    assert path.read_text("utf-8") == ticked
    assert statuses(issues(project)[LENA]) == {"status::withdrawn"}


def test_a_hire_who_graduated_left_and_came_back_gets_the_note_once(shipped: Path) -> None:
    """Tom finishes and is removed before a run (closed, no note: it is written from his
    configuration), then put back: the note comes then, once."""
    key, configured = TOM, tom_finishes_and_is_removed(shipped)
    assert run("apply").code == 0
    tom = issues(shipped)[key]
    assert tom.state == "closed" and COMPLETION_NOTE not in notes(shipped, tom)
    (shipped / ONBOARDING).write_text(configured, "utf-8")  # a mistaken removal, put right
    result = run("apply")
    tom = issues(shipped)[key]
    assert notes(shipped, tom).count(COMPLETION_NOTE) == 1, result.out
    assert tom.state == "closed" and "No changes" in run("apply").out
    assert notes(shipped, issues(shipped)[key]).count(COMPLETION_NOTE) == 1


def test_a_departed_public_pair_with_nothing_to_write_is_not_warned_about(
    shipped: Path,
) -> None:
    """Lena's pair is complete (its completion recorded), then made public and the pair
    removed: nothing would be written to it, so nothing is said about it on every run."""
    keep_programs(shipped, "sales-sponsorship")
    program = shipped / "config/programs/sales-sponsorship.yml"
    assert run("apply", "2027-02-10").code == 0
    key = "sales-sponsorship/fy28-h1/lena.fischer"
    path = path_of(shipped, key)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    assert run("apply", "2027-02-10").code == 0
    edit(path, "confidential: true", "confidential: false")
    edit(program, "        - {sponsor: hannah.berg, sponsee: lena.fischer}\n", "")
    for _ in range(2):
        result = run("apply", "2027-02-11")
        assert "public though" not in result.out, result.out


def test_a_hire_who_graduated_then_left_before_a_run_is_closed_once(shipped: Path) -> None:
    """Onboarding closes a finished issue: Tom finishes and is taken out of `hires` before a
    run: his issue is labelled complete and closed, once (the graduation note, written from
    his configuration, is not posted); reopened, it is not closed again."""
    key = TOM
    tom_finishes_and_is_removed(shipped)
    path = path_of(shipped, key)
    result = run("apply")
    assert result.code == 0 and "withdrawn" not in result.out, result.out
    tom = issues(shipped)[key]
    assert tom.state == "closed" and statuses(tom) == {"status::complete"}, result.out
    assert "No changes" in run("apply").out
    edit(path, "state: closed", "state: opened")  # a person reopens it
    assert "close" not in run("apply").out


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        (
            "  reasons:\n    lena.fischer: |\n      two\n      lines\n",
            "csm-aspiring-leaders.yml:{second}: 'leaving.reasons.lena.fischer': must be a single "
            "line",
        ),
        (
            "  reasons:\n    lena.fischer: a\n    Lena.Fischer: b\n",
            "two reasons are for the same username written in another case",
        ),
        (
            "  close: maybe\n",
            "aspiring-leaders.yml:{first}: 'leaving.close': should be true or false",
        ),
        ("  reason: {}\n", ":{first}: unknown key 'leaving.reason'; did you mean 'reasons'?"),
    ],
)
def test_a_wrong_leaving_section_is_a_configuration_error(
    project: Path, yaml: str, message: str
) -> None:
    first = len((project / CSM).read_text("utf-8").splitlines()) + 2  # the line after `leaving:`
    leaving(project, yaml)
    result = run("validate")
    assert result.code == 2
    assert message.format(first=first, second=first + 1) in result.err


# --- endings, on the local backend -----------------------------------------------------------


@pytest.fixture
def esp(shipped: Path) -> Path:
    return keep_programs(shipped, "executive-sponsorship")


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


GLOBEX = "executive-sponsorship/account/globex/account-plan"  # its commitment ends 2027-01-31
ACCOUNT_NOTE = "<!-- automation:note account-ended 2027-01-31 -->"


def test_an_account_that_ended_before_the_first_run_gets_no_issues(esp: Path) -> None:
    # made and closed in one run, they would only notify its people of something over
    result = run("apply", today="2027-02-01")
    assert result.code == 0, result.out + result.err
    assert not [k for k in issues(esp) if "/account/globex/" in k]
    assert "closed" not in result.out and "Globex" not in result.out
    assert "No changes" in run("apply", today="2027-02-01").out


def test_an_account_that_ended_inside_the_backfill_window_gets_no_issues(esp: Path) -> None:
    """Globex's commitment ends on 2026-12-15, inside the fiscal quarter a first run on
    2027-01-10 backfills: no cadence issue either (its past months would be made overdue,
    assigned, labelled ended at once and reminded of). Periods missed by an account the tool
    ran are still made (test_missed_runs.py)."""
    edit(
        esp / "config/programs/executive-sponsorship.yml",
        "start: 2026-02-01, end: 2027-01-31}",
        "start: 2026-02-01, end: 2026-12-15, ended_early: the customer did not renew}",
    )
    result = run("apply", today="2027-01-10")
    assert result.code == 0, result.out + result.err
    assert not [k for k in issues(esp) if "/account/globex/" in k]
    assert "Globex" not in result.out + result.err
    assert "executive-sponsorship/account/initech/monthly/2026-12" in issues(esp)  # backfilled


def test_an_ended_account_plan_is_closed_with_one_summary_note(esp: Path) -> None:
    assert run("apply").code == 0
    assert issues(esp)[GLOBEX].state == "opened"
    assert run("apply", today="2027-01-31").code == 0  # its last day
    assert issues(esp)[GLOBEX].state == "opened"
    january = path_of(esp, "executive-sponsorship/account/globex/monthly/2027-01")
    january.write_text(
        january.read_text("utf-8").replace("[ ]", "[x]"), "utf-8"
    )  # done, and kept open
    result = run("apply", today="2027-02-01")
    assert "the account's commitment ended" in result.out
    plan = issues(esp)[GLOBEX]
    assert plan.state == "closed"
    assert "status::ended" in plan.labels and "status::not started" not in plan.labels
    said = notes(esp, plan)
    assert said.count(ACCOUNT_NOTE) == 1
    assert "Globex Corporation: the commitment ended on 2027-01-31" in said
    counted = re.search(r"issues: 1 of (\d+) complete, (\d+) unfinished and still open", said)
    assert counted and int(counted[2]) == int(counted[1]) - 1, said
    # the next run, and a person reopening the plan: no second note, not closed again
    assert ACCOUNT_NOTE not in run("apply", today="2027-02-02").out
    edit(path_of(esp, GLOBEX), "state: closed", "state: opened")
    result = run("apply", today="2027-02-03")
    assert f"closed #{plan.iid} " not in result.out
    assert issues(esp)[GLOBEX].state == "opened"
    assert "status::ended" in issues(esp)[GLOBEX].labels  # its commitment is over all the same
    assert notes(esp, plan).count(ACCOUNT_NOTE) == 1
    other = issues(esp)["executive-sponsorship/account/initech/account-plan"]
    assert other.state == "opened" and not notes(esp, other)


def test_an_ended_account_tidied_out_of_the_file_stays_ended_in_the_rollup(esp: Path) -> None:
    """A tester's finding: once the ended account's entry was deleted, its closed plan's
    row read "not started" and the KPI counts dropped it."""
    assert run("apply").code == 0
    assert run("apply", today="2027-02-01").code == 0  # Globex ended on 2027-01-31
    program = esp / "config/programs/executive-sponsorship.yml"
    text = program.read_text("utf-8")
    entry = re.search(r"    - \{id: globex,.*?\}\n", text, re.S)
    assert entry is not None
    program.write_text(text.replace(entry[0], ""), "utf-8")
    result = run("apply", today="2027-02-10")
    assert result.code == 0, result.out + result.err
    rollup = block_content(issues(esp)["executive-sponsorship/tracking"].description, "rollup")
    row = next(r for r in (rollup or "").splitlines() if "account plan: Globex Corporation" in r)
    assert "| ended |" in row and "not started" not in row
    assert "status::ended" in issues(esp)[GLOBEX].labels and not notes(
        esp, issues(esp)[GLOBEX]
    ).count("withdrawn")


def test_a_withdrawn_issue_is_labelled_as_its_progress_block_says(project: Path) -> None:
    """A year's simulation: Lena finished Module 1, then left; her issue's block said
    "Module 2: Learn", 12%, while its labels stayed `phase::Explore` and `progress::0%`."""
    assert run("apply").code == 0
    lena = "csm-aspiring-leaders/fy27-pilot/lena.fischer"
    path = path_of(project, lena)
    text = path.read_text("utf-8")
    explore = text.split("## Module 1: Explore")[1].split("## Module 2")[0]
    path.write_text(text.replace(explore, explore.replace("[ ]", "[x]")), "utf-8")
    edit(project / "config/programs/csm-aspiring-leaders.yml", "      - lena.fischer\n", "")
    assert run("apply").code == 0
    issue = issues(project)[lena]
    assert "**Current phase:** Module 2: Learn · **Status:** withdrawn" in issue.description
    managed = sorted(label for label in issue.labels if "::" in label and "program" not in label)
    assert managed == ["phase::Learn", "progress::1-24%", "status::withdrawn"]


def test_an_account_deleted_by_mistake_keeps_its_values_in_the_averages(esp: Path) -> None:
    """A year's review: the README says an account deleted from the file (by mistake, say)
    is counted as before while it waits, but the values recorded in its plan left the
    program's averages ("0 of 4" where it read "1 of 5"); a withdrawn account's leave."""
    assert run("apply").code == 0
    plan = path_of(esp, "executive-sponsorship/account/umbrella/account-plan")
    edit(plan, "  - Influence: __/10", "  - Influence: 9/10")
    assert run("apply").code == 0
    program = esp / "config/programs/executive-sponsorship.yml"
    entry = (
        "    - {id: umbrella, name: Umbrella Health, sponsor: jordan.alvarez, status: approved,\n"
    )
    edit(program, entry + "       account_team: [aiko.tanaka], start: 2026-02-01}\n", "")

    def influence() -> str:
        tracking = issues(esp)["executive-sponsorship/tracking"].description
        rollup = block_content(tracking, "rollup") or ""
        return next(r for r in rollup.splitlines() if r.startswith("| Influence |"))

    result = run("apply")
    assert "'umbrella' is no longer in the file" in result.out
    assert influence() == "| Influence | 9.0 | 1 of 5 |"
    with program.open("a", encoding="utf-8") as file:
        file.write("leaving:\n  reasons:\n    umbrella: The customer paused the program\n")
    assert run("apply").code == 0
    assert influence() == "| Influence | – | 0 of 4 |"  # withdrawn: out of the averages


def test_an_account_taken_out_of_the_program_is_withdrawn_by_its_id(esp: Path) -> None:
    assert run("apply").code == 0
    program = esp / "config/programs/executive-sponsorship.yml"
    edit(
        program,
        "- {id: umbrella, name: Umbrella Health, sponsor: jordan.alvarez, status: approved,",
        "- {id: umbrella, name: Umbrella Health, sponsor: jordan.alvarez, status: proposed,",
    )
    with program.open("a", encoding="utf-8") as file:
        file.write("leaving:\n  reasons:\n    umbrella: The customer paused the program\n")
    assert run("apply").code == 0
    umbrella = {k: i for k, i in issues(esp).items() if "/account/umbrella/" in k}
    assert len(umbrella) == 4  # the plan and this period's monthly, quarterly, annual issues
    for issue in umbrella.values():
        assert issue.state == "closed" and statuses(issue) == {"status::withdrawn"}
        said = notes(esp, issue)
        assert "The customer paused the program" in said
        # a customer's account, not a person (a year's simulation read "the person (or
        # customer account)")
        assert "Umbrella Health is `proposed` in the program's configuration now" in said
        assert "person" not in said
        assert "Approving the account again reopens it" in issue.description
    tracking = block_content(issues(esp)["executive-sponsorship/tracking"].description, "rollup")
    assert (tracking or "").count("| withdrawn |") == 4
    # each row shows the phases its issue has, as a live row does: the plan no cadence's
    plan = next(r for r in (tracking or "").splitlines() if "account plan: Umbrella Health" in r)
    live = next(r for r in (tracking or "").splitlines() if "Globex Corporation: account plan" in r)
    assert _phases(plan) == _phases(live)
    quiet(run("apply"))


INITECH = "executive-sponsorship/account/initech"
APPROVED = "name: Initech, sponsor: dana.whitfield, status: approved"


def test_an_account_paused_then_approved_again_gets_nothing_for_its_time_away(
    esp: Path,
) -> None:
    """Initech is taken out of the program on 2 December (back to `proposed`) and approved
    again on 1 March: the periods that ended meanwhile with no issue are not its own, so none
    is made (not even February's, which the backfill window reaches) or warned about as
    missed, then or later (a tester's finding); the issues it had are its own still (the
    December session, the quarter that ended in January): reopened, in the rollup. Its later
    periods come as usual."""
    program = esp / "config/programs/executive-sponsorship.yml"
    assert run("apply", "2026-12-01").code == 0
    edit(program, APPROVED, APPROVED.replace("approved", "proposed"))
    for day in ("2026-12-02", "2027-01-01", "2027-02-01"):
        assert run("apply", day).code == 0
    edit(program, APPROVED.replace("approved", "proposed"), APPROVED)
    back = run("apply", "2027-03-01")
    assert back.code == 0 and "ended while no run" not in back.out, back.out
    found = issues(esp)
    assert f"{INITECH}/monthly/2027-01" not in found and f"{INITECH}/monthly/2027-02" not in found
    for key in ("monthly/2026-11", "monthly/2026-12", "quarterly/fy27-q4", "monthly/2027-03"):
        assert found[f"{INITECH}/{key}"].state == "opened", key
    rollup = block_content(found["executive-sponsorship/tracking"].description, "rollup") or ""
    assert f"#{found[f'{INITECH}/monthly/2026-12'].iid} " in rollup
    quiet(run("apply", "2027-03-01"))
    later = run("apply", "2027-04-01")
    assert "ended while no run" not in later.out and f"{INITECH}/monthly/2027-04" in later.out


def test_the_month_before_an_account_comes_back_is_not_made_though_due_after(
    esp: Path,
) -> None:
    """A newcomer's trial: Initech away for May 2027, approved again on 1 June; May's session
    (due on 6 June, the end of the month's last week) was made, though spent away."""
    program = esp / "config/programs/executive-sponsorship.yml"
    assert run("apply", "2027-04-15").code == 0
    edit(program, APPROVED, APPROVED.replace("approved", "proposed"))
    assert run("apply", "2027-05-01").code == 0
    edit(program, APPROVED.replace("approved", "proposed"), APPROVED)
    back = run("plan", "2027-06-01")
    assert back.code == 0, back.out + back.err
    assert f"[{INITECH}/monthly/2027-05]" not in back.out
    assert f"[{INITECH}/monthly/2027-06]" in back.out


def test_a_time_away_typed_into_an_issue_suppresses_nothing(esp: Path) -> None:
    """A block a person writes into an account's issue, with a time away of a hundred years:
    it proves nothing (no proof line of the tool's), so the account's periods are as before."""
    assert run("apply", "2026-12-01").code == 0
    path = path_of(esp, f"{INITECH}/monthly/2026-12")
    forged = "<!-- automation:begin withdrawn -->\n<!-- automation:withdrawn back -->\n"
    forged += "<!-- automation:away 2000-01-01 2100-01-01 -->\n<!-- automation:end withdrawn -->\n"
    path.write_text(path.read_text("utf-8") + "\n" + forged, "utf-8")
    result = run("apply", "2027-02-10")  # January was missed: before the backfill window
    assert "Initech: January 2027 monthly" in result.out, result.out
    assert f"{INITECH}/monthly/2027-02" in issues(esp)


def _phases(row: str) -> list[bool]:
    """Which phase columns of a rollup row have a figure (not '–')."""
    return [cell.strip() != "–" for cell in row.split("|")[5:-3]]


def test_a_hire_taken_out_of_onboarding_keeps_an_open_issue_when_told(shipped: Path) -> None:
    keep_programs(shipped, "sales-onboarding")
    assert run("apply").code == 0
    program = shipped / "config/programs/sales-onboarding.yml"
    edit(program, "    - {username: tom.reyes, role: ae}\n", "")
    with program.open("a", encoding="utf-8") as file:
        file.write("leaving:\n  close: false\n")
    assert run("apply").code == 0
    tom = issues(shipped)["sales-onboarding/tom.reyes"]
    assert tom.state == "opened" and statuses(tom) == {"status::withdrawn"}
    said = notes(shipped, tom)
    assert "**Withdrawn from Sales & Customer Success Onboarding.**\n" in said
    assert "brings this issue back" in said
    tracking = issues(shipped)["sales-onboarding/tracking"].description
    assert re.search(r"\| Sales onboarding: Tom Reyes .*\| withdrawn \|", tracking)
    again = run("apply").out  # the sample's one warning is about another hire's workshop
    assert again.startswith("warning: no SQS workshop for Kenji Watanabe")
    assert again.endswith(
        "No changes: 13 issues are up to date; nothing was written (1 warning).\n"
    )


def test_a_cohort_end_labels_open_issues_and_posts_final_figures_once(project: Path) -> None:
    assert run("apply").code == 0
    path = path_of(project, LENA)
    path.write_text(tick(path.read_text("utf-8"), "Have coffee chats"), "utf-8")
    assert run("apply", today="2027-04-30").code == 0  # the cohort's last day: nothing ends yet
    assert all(statuses(i) != {"status::ended"} for i in issues(project).values())
    result = run("apply", today="2027-05-01")
    found = issues(project)
    for key in (LENA, *OTHERS):
        assert found[key].state == "opened" and statuses(found[key]) == {"status::ended"}
    tracking = found[TRACKING]
    said = notes(project, tracking)
    assert said.count("<!-- automation:note ended fy27-pilot -->") == 1
    assert "**FY27 pilot group ended on 2027-04-30.**" in said
    assert "3 unfinished issues are labelled `status::ended` and left open" in said
    assert "**Overall:** 1/75 tasks done (1%)" in said
    rollup = block_content(tracking.description, "rollup") or ""
    assert rollup.startswith("<!-- automation:final fy27-pilot 2027-04-30 -->\n")
    assert "closed" not in result.out
    quiet(run("apply", today="2027-05-02"))
    # a late tick still shows in the issue and the live tracking table; no second note
    path.write_text(tick(path.read_text("utf-8"), "Have ongoing regular calls"), "utf-8")
    assert run("apply", today="2027-05-03").code == 0
    assert notes(project, issues(project)[TRACKING]) == said
    quiet(run("apply", today="2027-05-03"))


def test_an_ended_issue_closed_by_hand_stays_ended(project: Path) -> None:
    """Lena's unfinished issue is labelled `ended` when the cohort ends; she closes it: it
    stays `ended` in its labels and the tracking table (a reader saw it turn `not started`)."""
    assert run("apply").code == 0
    assert run("apply", today="2027-05-01").code == 0
    path = path_of(project, LENA)
    path.write_text(path.read_text("utf-8").replace("state: opened", "state: closed", 1), "utf-8")
    assert run("apply", today="2027-06-01").code == 0
    found = issues(project)
    assert found[LENA].state == "closed" and statuses(found[LENA]) == {"status::ended"}
    assert not re.search(r"Lena Fischer.*\| not started \|", found[TRACKING].description)
    quiet(run("apply", today="2027-06-01"))


def test_the_cohort_end_note_counts_as_left_open_only_the_open_issues(project: Path) -> None:
    """Lena closed her unfinished issue before the cohort ended: it reads `ended` with the
    others, and the note's "left open" counts the two others only, and says hers apart (a
    reviewer saw "No issue was left unfinished" when people had closed every one)."""
    assert run("apply").code == 0
    path = path_of(project, LENA)
    path.write_text(path.read_text("utf-8").replace("state: opened", "state: closed", 1), "utf-8")
    assert run("apply", today="2027-05-01").code == 0
    found = issues(project)
    assert all(statuses(found[key]) == {"status::ended"} for key in (LENA, *OTHERS))
    said = notes(project, found[TRACKING])
    assert (
        "2 unfinished issues are labelled `status::ended` and left open; 1 unfinished issue "
        "was closed with tasks open."
    ) in said, said


def test_a_cohort_end_freezes_its_own_rollup(sponsorship: Path) -> None:
    assert run("apply", today="2027-02-01").code == 0
    aiko = "sales-sponsorship/fy28-h1/aiko.tanaka"
    rollup_key = "sales-sponsorship/fy28-h1/tracking"
    path = path_of(sponsorship, aiko)
    path.write_text(path.read_text("utf-8").replace("- [ ]", "- [x]", 3), "utf-8")
    assert (
        run("apply", today="2027-08-01").code == 0
    )  # six months after the start: the pairs' due date
    assert "<!-- automation:final" not in issues(sponsorship)[rollup_key].description
    assert run("apply", today="2027-08-02").code == 0
    frozen = issues(sponsorship)[rollup_key]
    assert (block_content(frozen.description, "rollup") or "").startswith(
        "<!-- automation:final fy28-h1 2027-08-01 -->\n"
    )
    said = notes(sponsorship, frozen)
    assert said.count("<!-- automation:note ended fy28-h1 -->") == 1
    assert "The figures in this issue are final" in said
    pairs = [i for k, i in issues(sponsorship).items() if k.count("/") == 2 and "tracking" not in k]
    assert len(pairs) == 4
    assert all(i.state == "opened" and statuses(i) == {"status::ended"} for i in pairs)
    # a tick after the end: the pair's issue and the program's tracking follow, the cohort's
    # rollup keeps its final figures
    program = issues(sponsorship)["sales-sponsorship/tracking"].description
    path.write_text(path.read_text("utf-8").replace("- [ ]", "- [x]", 3), "utf-8")
    assert run("apply", today="2027-08-03").code == 0
    assert issues(sponsorship)[rollup_key].description == frozen.description
    assert issues(sponsorship)["sales-sponsorship/tracking"].description != program
    assert notes(sponsorship, frozen) == said
    quiet(run("apply", today="2027-08-04"))


def rollup_of(issue: ObservedIssue) -> str:
    """The rollup block's text, less the record of its lines."""
    return without_marks(block_content(issue.description, "rollup") or "")


FY28_H1 = "sales-sponsorship/fy28-h1/tracking"


def test_a_cohort_end_moved_later_makes_its_final_rollup_live_again(sponsorship: Path) -> None:
    """A tester's finding: FY28 H1's end, wrong for one run (`program_months: 1`, so it ended
    on 2027-03-01), froze the cohort's rollup for good once fixed: every pair `ended` at 0%
    whatever was ticked, the "final" note left standing, no note at the real end. Now the
    rollup is live again, one note says so, and the cohort ends anew at its real end."""
    edit(sponsorship / SPONSORSHIP, "  program_months: 6\n", "  program_months: 1\n")
    assert run("apply", today="2026-11-02").code == 0
    assert run("apply", today="2027-03-20").code == 0
    assert rollup_of(issues(sponsorship)[FY28_H1]).startswith(
        "<!-- automation:final fy28-h1 2027-03-01 -->\n"
    )
    first = notes(sponsorship, issues(sponsorship)[FY28_H1])
    assert first.count("<!-- automation:note ended fy28-h1 -->") == 1
    edit(sponsorship / SPONSORSHIP, "  program_months: 1\n", "  program_months: 6\n")
    assert run("apply", today="2027-03-21").code == 0
    said = _live_again(
        sponsorship,
        issues(sponsorship)[FY28_H1],
        ("fy28-h1", "2027-03-01", "FY28 H1 cohort", "2027-08-01"),
        first,
    )
    # the pairs' issues took the tasks the template gained with the longer program in the
    # same run (migration weighs the due date the run leaves): the next run is quiet
    quiet(run("apply", today="2027-03-21"))
    assert notes(sponsorship, issues(sponsorship)[FY28_H1]) == said
    path = path_of(sponsorship, "sales-sponsorship/fy28-h1/aiko.tanaka")
    path.write_text(path.read_text("utf-8").replace("- [ ]", "- [x]", 1), "utf-8")
    assert run("apply", today="2027-04-01").code == 0
    table = rollup_of(issues(sponsorship)[FY28_H1])
    assert re.search(  # live: behind its Build phase's last day (2027-03-17), not ended
        r"\| Aiko Tanaka with Jordan Alvarez \|.* \| [1-9]\d?% \| overdue \|", table
    )
    assert "| ended |" not in table
    assert notes(sponsorship, issues(sponsorship)[FY28_H1]) == said
    quiet(run("apply", today="2027-04-01"))
    # the real end: final figures again, and a note of its own
    _ended_anew(
        sponsorship,
        FY28_H1,
        ("fy28-h1", "2027-08-02", "2027-08-01"),
        said,
        "**FY28 H1 cohort ended on 2027-08-01.** The figures in this issue are final",
    )


def _live_again(
    root: Path, issue: ObservedIssue, when: tuple[str, str, str, str], first: str
) -> str:
    """ISSUE's rollup of a group whose end (WHEN: the group, its first end, its name, its new
    end) moved later is live again, and one note, after the FIRST ones, says so: its notes."""
    group, ended, name, end = when
    assert "<!-- automation:final" not in issue.description
    assert rollup_of(issue).startswith(f"<!-- automation:moved {group} {ended} -->\n")
    said = notes(root, issue)
    assert said.startswith(first)
    assert said.count(f"<!-- automation:note end-moved {group} {ended} -->") == 1
    assert (
        f"**{name}'s end moved to {end}.** The figures noted as final on {ended} are live "
        "again until then"
    ) in said
    return said


def _ended_anew(
    root: Path, key: str, when: tuple[str, str, str], before: str, headline: str
) -> str:
    """A run on the day after a group's end moved later (WHEN: group, run day, end): the
    final line for the new end, one ended note of its own (dated) after the notes BEFORE,
    saying HEADLINE; the next run quiet. The notes after it."""
    group, day, end = when
    assert run("apply", today=day).code == 0
    ended = issues(root)[key]
    assert rollup_of(ended).startswith(f"<!-- automation:final {group} {end} -->\n")
    again = notes(root, ended)
    assert again.startswith(before)
    assert again.count(f"<!-- automation:note ended {group} {end} -->") == 1
    assert headline in again
    quiet(run("apply", today=day))
    return again


def test_a_participants_cohort_end_moved_later_is_live_again_in_the_tracking_issue(
    project: Path,
) -> None:
    """The same for a participants cohort, whose final line is in the program's tracking
    issue: an `end_date` too early, then fixed. An end moved earlier, or moved once both ends
    passed, leaves the final figures as they are."""
    edit(project / CSM, "    end_date: 2027-04-30\n", "    end_date: 2027-03-31\n")
    assert run("apply").code == 0
    assert run("apply", today="2027-04-01").code == 0
    tracking = issues(project)[TRACKING]
    assert rollup_of(tracking).startswith("<!-- automation:final fy27-pilot 2027-03-31 -->\n")
    first = notes(project, tracking)
    assert first.count("<!-- automation:note ended fy27-pilot -->") == 1
    edit(project / CSM, "    end_date: 2027-03-31\n", "    end_date: 2027-04-30\n")
    assert run("apply", today="2027-04-02").code == 0
    found = issues(project)
    assert all(statuses(found[key]) != {"status::ended"} for key in (LENA, *OTHERS))
    assert "| ended |" not in rollup_of(found[TRACKING])
    moved = ("fy27-pilot", "2027-03-31", "FY27 pilot group", "2027-04-30")
    said = _live_again(project, found[TRACKING], moved, first)
    quiet(run("apply", today="2027-04-02"))
    when = ("fy27-pilot", "2027-05-01", "2027-04-30")
    again = _ended_anew(project, TRACKING, when, said, "**FY27 pilot group ended on 2027-04-30.**")
    for end in ("2027-04-15", "2027-05-15"):  # earlier; later, but passed too
        edit(project / CSM, "    end_date: 2027-04-30\n", f"    end_date: {end}\n")
        assert run("apply", today="2027-06-01").code == 0
        tracking = issues(project)[TRACKING]
        assert rollup_of(tracking).startswith("<!-- automation:final fy27-pilot 2027-04-30 -->\n")
        assert notes(project, tracking) == again
        edit(project / CSM, f"    end_date: {end}\n", "    end_date: 2027-04-30\n")


def test_an_ended_rollup_written_before_ends_could_move_gets_nothing_more(
    sponsorship: Path,
) -> None:
    """Upgrading: a cohort rollup holding the ended note (`<!-- automation:note ended
    GROUP -->`, no date) and the final line of an earlier version, for an end that did not
    move, gets no note and no change, on the day after and later."""
    assert run("apply", today="2027-02-01").code == 0
    assert run("apply", today="2027-08-02").code == 0
    ended = issues(sponsorship)[FY28_H1]
    said = notes(sponsorship, ended)
    # as an earlier version wrote them
    assert said.count("<!-- automation:note ended fy28-h1 -->") == 1
    assert "<!-- automation:note ended fy28-h1 2027" not in said
    assert "<!-- automation:note end-moved" not in said
    assert rollup_of(ended).startswith(
        "<!-- automation:final fy28-h1 2027-08-01 -->\n#### Tracked issues\n"
    )
    quiet(run("apply", today="2027-08-03"))
    for today in ("2027-08-03", "2027-12-01"):  # later: its scores are published, say
        assert run("apply", today=today).code == 0
        assert rollup_of(issues(sponsorship)[FY28_H1]) == rollup_of(ended)
        assert notes(sponsorship, issues(sponsorship)[FY28_H1]) == said


# --- on the fake GitLab --------------------------------------------------------------------


@pytest.fixture
def gitlab(project: Path) -> Iterator[GitLabBackend]:
    fake = new_fake(users=PARTICIPANTS)
    with fake.activate():
        yield GitLabBackend(fake)


def on(gitlab: GitLabBackend, today: str, command: str = "apply") -> Result:
    result = cli([command, "--backend", "gitlab", "--today", today, "--rehearsal"], gitlab.env())
    assert result.code == 0, result.out + result.err
    return result


def gitlab_notes(gitlab: GitLabBackend, iid: int) -> list[str]:
    return [n.body for n in gitlab.fake.project(PROJECT).issues[iid].notes if not n.system]


def by_key(gitlab: GitLabBackend) -> dict[str, ObservedIssue]:
    return {i.key or "": i for i in gitlab.issues()}


def test_on_gitlab_a_withdrawal_is_written_once_and_coming_back_reopens_it(
    project: Path, gitlab: GitLabBackend
) -> None:
    on(gitlab, "2026-11-24")
    iid = by_key(gitlab)[LENA].iid
    remove_lena(project)
    leaving(project, "  reasons:\n    lena.fischer: Moved to the Sales team\n")
    on(gitlab, "2026-11-24")
    lena = by_key(gitlab)[LENA]
    assert lena.state == "closed" and statuses(lena) == {"status::withdrawn"}
    [note] = [n for n in gitlab_notes(gitlab, iid) if n.startswith(WITHDRAWN_NOTE)]
    assert "Moved to the Sales team" in note
    before = gitlab.fingerprint()
    quiet(on(gitlab, "2026-11-24"))
    quiet(on(gitlab, "2026-12-01"))
    assert gitlab.fingerprint() == before  # no write at all, not even the run lock
    put_lena_back(project)
    result = on(gitlab, "2026-12-02")
    assert f"reopened #{iid} [{LENA}]: back in the program" in result.out
    lena = by_key(gitlab)[LENA]
    assert (lena.iid, lena.state) == (iid, "opened")
    assert "status::withdrawn" not in lena.labels
    assert len(gitlab.issues()) == 4
    quiet(on(gitlab, "2026-12-02"))


def test_a_withdrawal_cut_off_after_the_closing_still_reopens_when_the_person_is_back(
    project: Path, gitlab: GitLabBackend
) -> None:
    """A chaos tester's finding: GitLab failed after the run closed Lena's issue and before
    its note and block; the next run took it for closed by a person (its note said so), and
    putting Lena back left it closed."""
    on(gitlab, "2026-11-24")
    iid = by_key(gitlab)[LENA].iid
    remove_lena(project)
    fault = gitlab.fake.inject(502, times=1000, method="GET", path_contains=f"/issues/{iid}/notes")
    assert gitlab.cli("apply", "--today", "2026-11-24").code == 3
    gitlab.fake.clear_faults()
    assert fault.fired and by_key(gitlab)[LENA].state == "closed"
    on(gitlab, "2026-11-24")
    [note] = [n for n in gitlab_notes(gitlab, iid) if n.startswith(WITHDRAWN_NOTE)]
    assert "labelled `status::withdrawn` and closed" in note, note
    put_lena_back(project)
    result = on(gitlab, "2026-12-02")
    assert f"reopened #{iid} [{LENA}]: back in the program" in result.out
    assert by_key(gitlab)[LENA].state == "opened"


def test_on_gitlab_an_issue_finished_then_its_person_removed_says_complete(
    project: Path, gitlab: GitLabBackend
) -> None:
    on(gitlab, "2026-11-24")
    lena = by_key(gitlab)[LENA]
    gitlab.edit(lena.iid, lambda text: text.replace("[ ]", "[x]"))
    remove_lena(project)
    result = on(gitlab, "2026-11-24")
    assert "withdrawn" not in result.out, result.out
    lena = by_key(gitlab)[LENA]
    assert statuses(lena) == {"status::complete"} and "progress::100%" in lena.labels
    quiet(on(gitlab, "2026-11-24"))


def test_on_gitlab_a_cohort_end_labels_without_closing_and_notes_once(
    gitlab: GitLabBackend,
) -> None:
    on(gitlab, "2026-11-24")
    on(gitlab, "2027-05-01")
    found = by_key(gitlab)
    for key in (LENA, *OTHERS):
        assert found[key].state == "opened" and statuses(found[key]) == {"status::ended"}
    marker = "<!-- automation:note ended fy27-pilot -->"
    assert [n.startswith(marker) for n in gitlab_notes(gitlab, found[TRACKING].iid)] == [True]
    before = gitlab.fingerprint()
    quiet(on(gitlab, "2027-05-02"))
    assert gitlab.fingerprint() == before


# --- a run killed while withdrawing (the in-memory tracker, as in test_crash.py) -------------

WITHDRAWING_WRITES = 5  # labels, close, note, block, then the tracking issue's rollup


@pytest.fixture(scope="module")
def with_and_without_lena(tmp_path_factory: pytest.TempPathFactory) -> tuple[Prepared, Prepared]:
    root = tmp_path_factory.mktemp("leaving")
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "templates", root / "templates")
    keep_programs(root, "csm-aspiring-leaders")
    today = dt.date.fromisoformat(TODAY)
    with_lena = prepare(root / "config", root / "templates", today)
    remove_lena(root)
    return with_lena, prepare(root / "config", root / "templates", today)


@pytest.mark.parametrize("k", range(1, WITHDRAWING_WRITES + 1))
def test_a_run_killed_while_withdrawing_finishes_on_the_next_with_one_note(
    with_and_without_lena: tuple[Prepared, Prepared], k: int
) -> None:
    with_lena, without = with_and_without_lena
    today = dt.date.fromisoformat(TODAY)
    memory = memory_for(with_lena)
    run_apply(with_lena, memory, today)
    counting = CrashingTracker(memory_for(with_lena), after=10**6)
    run_apply(with_lena, counting.inner, today)
    assert not apply(without, counting, today).outcome.failures
    assert 10**6 - counting.left == WITHDRAWING_WRITES
    with pytest.raises(Crash):
        apply(without, CrashingTracker(memory, after=k), today)
    run_apply(without, memory, today)
    before = memory.fingerprint()
    assert run_apply(without, memory, today).plans[0].empty
    assert memory.fingerprint() == before
    lena = next(i for i in memory.all_issues() if i.key == LENA)
    assert lena.state == "closed" and statuses(lena) == {"status::withdrawn"}
    assert "\n".join(memory.notes[lena.iid]).count(WITHDRAWN_NOTE) == 1
    assert block_content(lena.description, "withdrawn")


def test_removing_someone_after_their_cohort_ended_leaves_their_issue_ended(shipped: Path) -> None:
    keep_programs(shipped, "csm-aspiring-leaders")
    assert run("apply", "2026-11-24").code == 0
    assert run("apply", "2027-06-01").code == 0  # the pilot group ended on 2027-04-30
    remove_lena(shipped)  # tidying up the configuration afterwards
    result = run("apply", "2027-06-01")
    lena = next(i for k, i in issues(shipped).items() if k.endswith("/lena.fischer"))
    assert "status::ended" in lena.labels and "status::withdrawn" not in lena.labels
    assert lena.state == "opened"
    assert "withdrawn: no longer in the program's configuration" not in result.out


def test_removed_on_the_first_run_after_the_cohort_ended_the_issue_is_labelled_ended(
    shipped: Path,
) -> None:
    """A tester's finding: with no run between the cohort's end (2027-04-30) and Lena's removal,
    her issue kept `status::not started` and its progress block for good, while the rollup
    and the cohort's ended note counted it as ended."""
    keep_programs(shipped, "csm-aspiring-leaders")
    assert run("apply", "2027-04-15").code == 0
    remove_lena(shipped)
    assert run("apply", "2027-05-15").code == 0
    lena = next(i for k, i in issues(shipped).items() if k.endswith("/lena.fischer"))
    assert statuses(lena) == {"status::ended"} and lena.state == "opened"
    assert "**Status:** ended" in lena.description
    assert run("apply", "2027-06-15").out.startswith("No changes")


def test_a_withdrawn_issue_whose_block_was_deleted_stays_withdrawn_after_its_cohort_ends(
    shipped: Path,
) -> None:
    """A reviewer's finding: Lena left in February; a person deleted the withdrawn block; the
    first run after the cohort's end relabelled her issue ended (its label says withdrawn)."""
    keep_programs(shipped, "csm-aspiring-leaders")
    assert run("apply", "2027-01-04").code == 0
    remove_lena(shipped)
    assert run("apply", "2027-02-01").code == 0
    cut_block(path_of(shipped, LENA), "withdrawn")
    may = run("apply", "2027-05-15")
    assert may.code == 0, may.out
    assert statuses(issues(shipped)[LENA]) == {"status::withdrawn"}, may.out


def test_a_withdrawn_issue_stays_withdrawn_when_its_cohort_ends_later(shipped: Path) -> None:
    """Lena left in February; the pilot group ends on 2027-04-30. In May her row still says
    withdrawn and her tasks stay out of the figures (the cohort's end does not count her in)."""
    keep_programs(shipped, "csm-aspiring-leaders")
    assert run("apply", "2027-01-04").code == 0
    remove_lena(shipped)
    assert run("apply", "2027-02-01").code == 0
    before = issues(shipped)[TRACKING].description
    assert "1 withdrawn, listed but not counted" in before
    result = run("apply", "2027-05-03")
    assert result.code == 0, result.out
    tracking = issues(shipped)[TRACKING].description
    assert "1 withdrawn, listed but not counted" in tracking, tracking
    lena = next(i for k, i in issues(shipped).items() if k.endswith("/lena.fischer"))
    row = next(line for line in tracking.splitlines() if f"#{lena.iid} " in line)
    assert "withdrawn" in row and "ended" not in row, row
    assert statuses(lena) == {"status::withdrawn"}
    ended = notes(shipped, issues(shipped)[TRACKING])
    assert "2 unfinished issues are labelled `status::ended` and left open; 1 withdrawn" in ended
    assert "| withdrawn |" in ended and "**Overall:** 0/50 tasks" in ended, ended


def test_a_hire_removed_after_their_workshop_group_ended_stays_ended(shipped: Path) -> None:
    """Oliver's workshop group (emea-2027-01) ended on 2027-01-21, so his unfinished issue is
    labelled ended; taking him out of the hires afterwards (tidying up) leaves it ended and
    open, as for a participant removed after their cohort ended."""
    keep_programs(shipped, "sales-onboarding")
    assert run("apply").code == 0  # his issue is made while his onboarding runs
    assert run("apply", "2027-05-03").code == 0
    oliver = next(i for k, i in issues(shipped).items() if k.endswith("/oliver.grant"))
    assert "status::ended" in oliver.labels
    # what ended is the time for the hires' goals, not the workshop (a reader took "SQS Jan
    # 18-21 ... ended on" the goals' day for a workshop said to end three months late)
    said = "".join(notes(shipped, issue) for issue in issues(shipped).values())
    assert ": the time its hires had for their onboarding goals ended on 2027-" in said, said
    assert not re.search(r"\*\*SQS [^*:\n]* ended on", said)
    edit(
        shipped / "config/programs/sales-onboarding.yml",
        "    - {username: oliver.grant, role: channel}\n",
        "",
    )
    result = run("apply", "2027-05-04")
    assert result.code == 0, result.out
    oliver = next(i for k, i in issues(shipped).items() if k.endswith("/oliver.grant"))
    assert statuses(oliver) == {"status::ended"} and oliver.state == "opened", result.out
    assert "withdrawn: no longer in the program's configuration" not in result.out


def test_going_back_after_a_rehearsal_of_a_later_day_withdraws_no_account_issue(
    shipped: Path,
) -> None:
    """The README's rehearsal (`--today` a few months on) makes the periods of those months;
    back on today they are not asked for yet, but their accounts are still in the program:
    they are left as they are (a warning while open), not closed as if someone left."""
    keep_programs(shipped, "executive-sponsorship")
    assert run("apply", "2026-12-01").code == 0
    assert run("apply", "2027-03-01").code == 0
    made = {k: i.state for k, i in issues(shipped).items()}
    back = run("apply", "2026-12-01")
    assert back.code == 0, back.out
    assert "withdrawn" not in back.out
    assert {k: i.state for k, i in issues(shipped).items()} == made
    assert "which the configuration no longer defines; it was left as it is" in back.out
    assert not any(WITHDRAWN_NOTE in notes(shipped, i) for i in issues(shipped).values())


def test_a_corrected_account_start_leaves_the_period_before_it_as_it_is(shipped: Path) -> None:
    keep_programs(shipped, "executive-sponsorship")
    assert run("apply", "2026-12-01").code == 0
    edit(shipped / ESP, "start: 2026-11-02}", "start: 2026-12-01}")
    result = run("apply", "2026-12-01")
    assert result.code == 0, result.out
    november = issues(shipped)["executive-sponsorship/account/wayne/monthly/2026-11"]
    assert november.state == "opened" and "status::withdrawn" not in november.labels
    assert "withdrawn: no longer in the program's configuration" not in result.out


def test_going_back_after_a_rehearsal_withdraws_no_sponsorship_pair_issue(shipped: Path) -> None:
    """Score and career-advancement issues a rehearsal a year on made are the pairs' while
    the pairs are still released: nothing is closed or noted when the date goes back."""
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply", "2026-12-01").code == 0
    assert run("apply", "2028-09-01").code == 0
    made = {k: i.state for k, i in issues(shipped).items()}
    assert any(k.count("/") == 3 for k in made)  # a pair's later issues exist
    back = run("apply", "2026-12-01")
    assert back.code == 0, back.out
    assert "withdrawn: no longer in the program's configuration" not in back.out
    assert {k: i.state for k, i in issues(shipped).items()} == made
    assert not any(WITHDRAWN_NOTE in notes(shipped, i) for i in issues(shipped).values())


def test_after_a_rehearsal_a_renamed_account_or_cohort_still_has_not_left(shipped: Path) -> None:
    """The rehearsal made issues under the old ids; renamed (`renamed_from`), the account and
    the cohort are still in the program: going back withdraws none of those issues."""
    keep_programs(shipped, "executive-sponsorship", "sales-sponsorship")
    assert run("apply", "2026-12-01").code == 0
    assert run("apply", "2028-09-01").code == 0
    made = {k: i.state for k, i in issues(shipped).items()}
    edit(shipped / ESP, "{id: wayne,", "{id: wayne-fin, renamed_from: wayne,")
    edit(
        shipped / SPONSORSHIP,
        "    - id: fy28-h1\n",
        "    - id: h1-fy28\n      renamed_from: fy28-h1\n",
    )
    back = run("apply", "2026-12-01")
    assert back.code == 0, back.out
    assert "withdrawn: no longer in the program's configuration" not in back.out
    states = {
        k.replace("wayne-fin", "wayne").replace("h1-fy28", "fy28-h1"): i.state
        for k, i in issues(shipped).items()
    }
    assert states == made


def test_after_a_rehearsal_a_renamed_sponsee_still_has_not_left(shipped: Path) -> None:
    """Lena's username changes (people.yml, and `renamed_from` on her pair): the issues the
    rehearsal made under her former username are still her pair's."""
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply", "2026-12-01").code == 0
    assert run("apply", "2028-09-01").code == 0
    made = {k: i.state for k, i in issues(shipped).items()}
    edit(shipped / "config/people.yml", "  - username: lena.fischer\n", "  - username: lena.berg\n")
    edit(
        shipped / SPONSORSHIP,
        "sponsee: lena.fischer}",
        "sponsee: lena.berg, renamed_from: lena.fischer}",
    )
    back = run("apply", "2026-12-01")
    assert back.code == 0, back.out + back.err
    assert "withdrawn: no longer in the program's configuration" not in back.out
    states = {k.replace("lena.berg", "lena.fischer"): i.state for k, i in issues(shipped).items()}
    assert states == made


def test_a_due_date_moved_back_into_the_future_gets_its_template_tasks_in_the_same_run(
    sponsorship: Path,
) -> None:
    """A tester's: `program_months` typed too short (the pairs' due dates passed), then put
    right. The run that moved the due dates back still took the issues for finished (their
    old due date had passed) and left their template tasks for the next run, which was not
    `No changes`. The tasks are now weighed with the due date the run leaves."""
    edit(sponsorship / SPONSORSHIP, "program_months: 6", "program_months: 1")
    assert run("apply").code == 0
    assert run("apply", "2027-03-20").code == 0
    edit(sponsorship / SPONSORSHIP, "program_months: 1", "program_months: 6")
    fixed = run("apply", "2027-03-21")
    assert fixed.code == 0, fixed.out
    # the dates in them, one warning for the section's tasks
    assert "words tasks no. 2 and 3 in 'Satisfaction scores' differently" in fixed.out
    quiet(run("apply", "2027-03-21"))


def test_a_rehearsals_notes_are_dated_on_the_day_it_rehearses(project: Path) -> None:
    """A tester read a note "sent on 2027-04-20" stamped with the machine's real date: on the
    local backend a note is dated on the run's day (`--today`), at the time of day."""
    assert run("apply").code == 0
    remove_lena(project)
    assert run("apply", "2027-02-03").code == 0
    said = notes(project, issues(project)[LENA])
    assert re.search(r"^note by automation at 2027-02-03T\d\d:\d\d:\d\d", said, re.MULTILINE), said


def test_a_heading_a_person_deleted_reads_as_no_figure_in_the_rollup_too(project: Path) -> None:
    """A tester's: the issue's own table said `heading not found` for a section whose heading
    a person deleted, while the tracking issue's row showed 0% for it: it shows no figure."""
    assert run("apply").code == 0
    sam = OTHERS[0]
    edit(path_of(project, sam), "## Module 3: Practice\n", "")
    assert run("apply").code == 0
    found = issues(project)
    assert "| Module 3: Practice | 0/0 | heading not found |" in found[sam].description
    row = next(
        line
        for line in found[TRACKING].description.splitlines()
        if line.startswith(f"| #{found[sam].iid} |")
    )
    assert row.split(" | ")[7] == "–", row  # Module 3's column: after phase, Ongoing, 1, 2


def test_a_cohort_added_after_its_end_gets_no_epic_and_no_ended_note(project: Path) -> None:
    """A tester added a cohort whose end had passed: no issue (as documented), yet an empty
    epic and an "ended" note over an empty table on the tracking issue. Now nothing, as for
    an ESP account that ended before its first run."""
    assert run("apply").code == 0
    _another_cohort(project, "fy26-old", "FY26 old group", "2026-01-05", "2026-10-31")
    result = run("apply")
    assert result.code == 0, result.out
    assert "FY26 old group" not in result.out, result.out
    epics = (project / ".automation" / "epics").glob("*.md")
    assert not any("FY26 old group" in path.read_text("utf-8") for path in epics)
    assert "FY26 old group ended" not in notes(project, issues(project)[TRACKING])
    assert "No changes" in run("apply").out


SECOND = """  - id: fy27-second
    name: FY27 second group
    start_date: 2026-11-02
    end_date: 2027-12-31
    participants:
      - grace.liu
      - riley.chen
"""


def test_a_running_cohort_deleted_from_the_file_withdraws_nobody_until_reasons_say_so(
    project: Path,
) -> None:
    """A tester's finding: a running cohort's entry deleted by mistake (a bad merge) had every
    participant withdrawn in one run, closed with a note each. They wait, in one warning;
    put back, nothing happened; taken out on purpose, reasons withdraw them."""
    program = project / "config/programs/csm-aspiring-leaders.yml"
    edit(program, "      - lena.fischer\n", "      - lena.fischer\n" + SECOND)
    assert run("apply").code == 0
    before = issues(project)
    # renamed with `renamed_from` while one person is taken out: she is withdrawn as usual
    # (a reviewer: she was held as if the cohort were gone)
    edit(program, "  - id: fy27-pilot\n", "  - id: fy27-one\n    renamed_from: fy27-pilot\n")
    edit(program, "      - lena.fischer\n", "")
    renamed = run("apply", "2026-12-01")
    assert "is no longer in the file" not in renamed.out
    lena = [i for k, i in issues(project).items() if k.endswith("/lena.fischer")]
    assert len(lena) == 1 and lena[0].state == "closed", [(i.key, i.state) for i in lena]
    edit(program, SECOND, "")
    result = run("apply", "2026-12-07")
    assert result.code == 0, result.out + result.err
    said = [line for line in result.out.splitlines() if "'fy27-second' is no longer" in line]
    assert len(said) == 1 and "left as they are, not withdrawn" in said[0]
    second = [k for k in before if "/fy27-second/" in k and not k.endswith("/tracking")]
    assert second and all(issues(project)[k].state == "opened" for k in second)
    assert all("status::withdrawn" not in issues(project)[k].labels for k in second)
    assert not any(notes(project, issues(project)[k]) for k in second)
    with program.open("a", encoding="utf-8") as file:
        file.write("leaving:\n  reasons:\n")
        file.write(
            "    grace.liu: The cohort was cancelled\n    riley.chen: The cohort was cancelled\n"
        )
    result = run("apply", "2026-12-08")
    assert "is no longer in the file" not in result.out
    for key in second:
        assert issues(project)[key].state == "closed"
        assert "The cohort was cancelled" in notes(project, issues(project)[key])


def _status(root: Path, key: str) -> list[str]:
    return [label for label in issues(root)[key].labels if label.startswith("status::")]


def test_a_finished_issue_unticked_then_ended_with_its_cohort_stays_ended_when_its_person_goes(
    project: Path,
) -> None:
    """A reviewer's: Sam finished, unticked a task, the cohort ended (his issue ended, as the
    others); taken out of the file afterwards, the issue turned overdue."""
    sam = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    assert run("apply", "2026-11-24").code == 0
    path = path_of(project, sam)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    assert run("apply", "2026-11-25").code == 0
    path.write_text(path.read_text("utf-8").replace("1. [x]", "1. [ ]", 1), "utf-8")
    assert run("apply", "2027-05-03").code == 0
    assert _status(project, sam) == ["status::ended"]
    edit(project / "config/programs/csm-aspiring-leaders.yml", "      - sam.delacroix\n", "")
    result = run("apply", "2027-05-04")
    assert result.code == 0 and _status(project, sam) == ["status::ended"], result.out


def test_a_closed_graduated_issue_of_someone_who_left_is_never_overdue(shipped: Path) -> None:
    """A reviewer's: two graduated hires' closed issues, one hire taken out, a task unticked
    in both after the due date: the live one read in progress, the other's overdue."""
    root = keep_programs(shipped, "sales-onboarding")
    assert run("apply", "2026-11-24").code == 0
    tom, sofia = "sales-onboarding/tom.reyes", "sales-onboarding/sofia.alvarez"
    for key in (tom, sofia):
        path = path_of(root, key)
        path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    assert run("apply", "2026-11-25").code == 0
    assert issues(root)[tom].state == issues(root)[sofia].state == "closed"
    edit(
        root / "config/programs/sales-onboarding.yml", "    - {username: tom.reyes, role: ae}\n", ""
    )
    assert run("apply", "2026-11-26").code == 0
    for key in (tom, sofia):
        path = path_of(root, key)
        path.write_text(path.read_text("utf-8").replace("[x]", "[ ]", 1), "utf-8")
    result = run("apply", "2027-02-20")  # Tom's due date passed (2027-02-14), Sofia's not
    assert result.code == 0, result.out
    assert _status(root, tom) == ["status::ended"], result.out  # closed unfinished, past due
    assert _status(root, sofia) == ["status::in progress"], result.out
    # both closed and past their due dates: both ended, as a live issue closed late (a
    # reviewer: the one who left read in progress)
    result = run("apply", "2027-03-08")
    assert _status(root, tom) == _status(root, sofia) == ["status::ended"], result.out


def test_a_no_workshop_hires_closed_issue_unticked_after_they_left_ends(shipped: Path) -> None:
    """A reviewer's: Grace (PSE, no workshop group) finished, was taken out of `hires`, and a
    task of her closed issue was unticked: it read in progress for ever."""
    root = keep_programs(shipped, "sales-onboarding")
    grace = "sales-onboarding/grace.liu"
    assert run("apply", "2026-11-24").code == 0
    path = path_of(root, grace)
    path.write_text(path.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    assert run("apply", "2026-11-25").code == 0 and issues(root)[grace].state == "closed"
    edit(
        root / "config/programs/sales-onboarding.yml",
        "    - {username: grace.liu, role: pse}\n",
        "",
    )
    assert run("apply", "2026-11-26").code == 0
    path.write_text(path.read_text("utf-8").replace("[x]", "[ ]", 1), "utf-8")
    result = run("apply", "2027-12-01")
    assert _status(root, grace) == ["status::ended"], result.out
    assert "No changes" in run("apply", "2027-12-02").out
