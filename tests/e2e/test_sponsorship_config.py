"""Mistakes in the sponsorship's new settings and the job grades are one-line errors with the
file and line, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, line_of, run

PROGRAM = Path("config/programs/sales-sponsorship.yml")
GRADES = Path("config/job-grades.yml")


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


def refused(root: Path) -> str:
    result = run("validate")
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.err
    assert not (root / ".automation").exists()
    return result.err


def test_a_weight_for_a_phase_the_program_does_not_have(sponsorship: Path) -> None:
    edit(sponsorship / PROGRAM, "phase_weights: {Build: 1,", "phase_weights: {Biuld: 1,")
    err = refused(sponsorship)
    line = line_of(sponsorship / PROGRAM, "phase_weights:")
    assert (
        f"{PROGRAM}:{line}: 'Biuld' is not a phase of this program; weigh one of: Build, "
        "Develop, Commit, Advocate"
    ) in err


def test_an_unknown_pair_status(sponsorship: Path) -> None:
    edit(sponsorship / PROGRAM, "status: proposed}", "status: maybe}")
    err = refused(sponsorship)
    line = line_of(sponsorship / PROGRAM, "status: maybe")
    assert f"{PROGRAM}:{line}:" in err and "'proposed', 'approved' or 'released'" in err


def test_grade_tracks_that_overlap(sponsorship: Path) -> None:
    edit(
        sponsorship / GRADES,
        "manager_grades: {from: 9, to: 12}",
        "manager_grades: {from: 8, to: 12}",
    )
    err = refused(sponsorship)
    assert f"{GRADES}:" in err and "overlap; a grade is one or the other" in err


def test_the_level_heading_title_is_accepted(sponsorship: Path) -> None:
    people = sponsorship / "config/people.yml"
    assert "title: Ecosystem Sales Manager (Intermediate)" in people.read_text("utf-8")
    assert run("validate").code == 0
    edit(
        people,
        "title: Ecosystem Sales Manager (Intermediate)",
        "title: Ecosystem Sales Manager (Junior)",
    )
    err = refused(sponsorship)
    line = line_of(sponsorship / PROGRAM, "sponsee: amara.osei")
    assert (
        f"{PROGRAM}:{line}: pair 1 of cohort fy28-h2: the sponsee has no grade; give a title "
        in err
    )
    # the program is confidential: no message says who is in a pair, nor which title is theirs
    assert "amara.osei" not in err and "Junior" not in err


UNLISTED = "title: Ecosystem Sales Manager (Junior)"


def test_a_title_not_listed_is_refused_only_while_a_rule_reads_the_grade(
    sponsorship: Path,
) -> None:
    """Only the matching rules read grades, and they stop reading a pair's once it is given
    an `exception` or its cohort is over: a title not in job-grades.yml then needs no grade."""
    people = sponsorship / "config/people.yml"
    edit(people, "title: Ecosystem Sales Manager (Intermediate)", UNLISTED)
    assert run("validate", "2028-06-01").code == 0  # the cohort is over
    pair = "{sponsor: dana.whitfield, sponsee: amara.osei, status: proposed}"
    excepted = pair.replace("}", ", exception: matched before her title changed}")
    edit(sponsorship / PROGRAM, pair, excepted)
    assert run("validate").code == 0, run("validate").err


def test_a_new_hire_of_a_title_not_listed_needs_no_grade(shipped: Path) -> None:
    """A newcomer's trial: a new hire of a title not in job-grades.yml (without `grade:`)
    stopped every run, and onboarding reads no grade; their issue is made."""
    people = shipped / "config/people.yml"
    edit(people, "title: Professional Services Engineer\n    grade: 6\n", "title: Field CTO\n")
    assert run("validate").code == 0
    result = run("apply", "2026-12-01")
    assert result.code == 0 and "[sales-onboarding/grace.liu]" in result.out, result.err


def test_a_cohort_id_twice_is_refused_not_merged_into_one_rollup(sponsorship: Path) -> None:
    edit(sponsorship / PROGRAM, "- id: fy28-h2", "- id: fy28-h1")
    err = refused(sponsorship)
    line = line_of(sponsorship / PROGRAM, "- id: fy28-h1")  # the first; the repeat is later
    assert f"cohort id 'fy28-h1' appears twice (first at line {line}); keep one" in err


@pytest.mark.parametrize(
    "reasons",
    [
        '    lena.fischer: "a reason\\non two lines"\n',
        "    lena.fischer: moved\n    Lena.Fischer: moved too\n",
    ],
)
def test_a_mistake_in_a_leaving_reason_names_nobody(sponsorship: Path, reasons: str) -> None:
    path = sponsorship / PROGRAM
    path.write_text(f"{path.read_text('utf-8')}leaving:\n  reasons:\n{reasons}", "utf-8")
    err = refused(sponsorship)
    line = line_of(path, "reasons:")
    assert f"{PROGRAM}:{line}:" in err or f"{PROGRAM}:{line + 1}:" in err
    assert "lena" not in err.lower() and "fischer" not in err.lower()


def test_a_pair_written_with_names_is_refused_without_them_here_or_set_aside(
    shipped: Path,
) -> None:
    edit(
        shipped / PROGRAM,
        "{sponsor: jordan.alvarez, sponsee: aiko.tanaka,",
        "{sponsor: '@jordan.alvarez', sponsee: Aiko Tanaka,",
    )
    err = refused(shipped)
    aside = run("validate", "2026-11-24", "--program", "sales-onboarding")
    assert aside.code == 0 and f"warning: {PROGRAM}:" in aside.out + aside.err
    for said in (err, aside.out + aside.err):
        assert "jordan" not in said.lower() and "aiko" not in said.lower(), said


@pytest.mark.parametrize(
    ("where", "also"),
    [
        (Path("config/people.yml"), "  - username: zz.bad\n    name: Zed\n    grade: 99\n"),
        (PROGRAM, "confidential: false\n"),  # refused there, still the sponsorship's file
        (PROGRAM, ""),
    ],
)
def test_a_reason_s_mistake_names_nobody_whatever_else_is_wrong(
    sponsorship: Path, where: Path, also: str
) -> None:
    path = sponsorship / PROGRAM
    reasons = "leaving:\n  reasons:\n    lena.fischer: moved\n    Lena.Fischer: again\n"
    reasons += "    lena.fishcer: [not, one, line]\n"  # a typo: no roster name to hide
    reasons += '    "zed quorra, jr": [not, one, line]\n'  # a key with a space and a comma
    path.write_text(path.read_text("utf-8") + reasons, "utf-8")
    (sponsorship / where).write_text((sponsorship / where).read_text("utf-8") + also, "utf-8")
    err = refused(sponsorship)
    assert f"{PROGRAM}:" in err
    assert "lena" not in err.lower() and "fisch" not in err.lower(), err
    assert "quorra" not in err.lower() and ", jr" not in err.lower(), err


def test_a_cohort_that_ended_is_warned_and_told_about_no_more(sponsorship: Path) -> None:
    """Pairs three hours apart break a two-hour rule (a warning) in fy28-h1 (2027-02-01, six
    months), and fy28-h2 (2027-08-02) has pairs never released: said while each cohort runs,
    not for ever after."""
    program = sponsorship / "config" / "programs" / "sales-sponsorship.yml"
    edit(program, "max_timezone_gap_hours: 6", "max_timezone_gap_hours: 2")
    running = run("plan", "2027-07-01").out
    assert "pair 3 of cohort fy28-h1" in running
    assert "cohort fy28-h2: 2 pairs are not released" in run("plan", "2028-02-01").out
    after = run("plan", "2028-03-01").out
    assert "of cohort fy28-h1" not in after and "not released" not in after


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("kickoff", "2029-01-27", "kickoff 2029-01-27"),
        ("kickoff", "2026-01-27", "kickoff 2026-01-27"),  # the year before (a reviewer's)
        ("sponsor_training", "2026-01-20", "sponsor_training 2026-01-20"),
    ],
)
def test_a_kickoff_or_training_far_from_its_cohort_is_warned_about_at_its_line(
    sponsorship: Path, field: str, typed: str, said: str
) -> None:
    """A year typed wrong would be written into every pair issue, where only people can
    correct it: a warning at the date from `validate` and `plan`, while the cohort runs
    (cohort fy28-h1: 2027-02-01 to 2027-08-01); not an error, which would stop every program
    for a date that may be right (a yearly training), or for an ended cohort's, after an
    upgrade (a reviewer's finding)."""
    edit(sponsorship / PROGRAM, f"{field}: 2027-01-", f"{field}: {typed[:8]}")
    line = line_of(sponsorship / PROGRAM, f"{field}: {typed}")
    warned = (
        f"warning: {PROGRAM}:{line}: cohort 'fy28-h1': its {said} is not between 2026-08-01 "
        "(6 months before the cohort starts) and 2027-08-01 (its end); check the year"
    )
    checked = run("validate")
    assert checked.code == 0 and warned in checked.out, checked.out + checked.err
    assert warned in run("plan").out
    after = run("plan", "2027-09-01")  # the cohort ended: nothing to act on
    assert after.code == 0 and "check the year" not in after.out


def test_a_training_held_a_season_before_its_cohort_is_accepted(sponsorship: Path) -> None:
    """Fourteen weeks early is a plan, not a year typed wrong (a reviewer saw an ended
    cohort's such date stop every program after an upgrade)."""
    edit(sponsorship / PROGRAM, "sponsor_training: 2027-01-20", "sponsor_training: 2026-10-26")
    assert run("validate").code == 0


def test_a_sponsee_paired_again_during_their_commitment_is_warned_about(
    sponsorship: Path,
) -> None:
    """Sam's pair of FY28 H1 (from 2027-02-01) commits him for nine months: a pair for him in
    FY28 H2 (from 2027-08-02) is warned about at its line, without names (a reader saw
    `validate` say nothing); the shipped file has no such pair."""
    assert "committed to" not in run("validate").out
    edit(
        PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: sam.delacroix, status: approved"
    )
    line = line_of(PROGRAM, "sponsee: sam.delacroix, status: approved")
    said = run("validate")
    assert said.code == 0
    assert (
        f"warning: {PROGRAM}:{line}: pair 2 of cohort fy28-h2: the sponsee is committed to "
        "pair 3 of cohort fy28-h1 until 2027-11-01; a sponsee commits to 9 months with one "
        "sponsor"
    ) in said.out, said.out
    assert "sam" not in said.out.lower()


def test_a_sponsee_going_on_with_the_same_sponsor_or_after_an_unreleased_pair_is_not_warned(
    sponsorship: Path,
) -> None:
    """A tester's finding: Sam going on with Dana, his FY28 H1 sponsor, in FY28 H2 was told
    "a sponsee commits to 9 months with one sponsor" (he does); and a pair never released
    committed nobody."""
    edit(
        PROGRAM,
        "{sponsor: jordan.alvarez, sponsee: tom.reyes, status: approved}",
        "{sponsor: dana.whitfield, sponsee: sam.delacroix, status: approved}",
    )
    assert "committed to" not in run("validate").out
    edit(
        PROGRAM,
        "{sponsor: dana.whitfield, sponsee: sam.delacroix}",
        "{sponsor: victor.nakamura, sponsee: sam.delacroix, status: proposed}",
    )
    assert "committed to" not in run("validate").out


def test_a_grade_that_contradicts_a_title_is_one_problem_not_five(sponsorship: Path) -> None:
    """A tester's: a sponsor's `grade: 6` under a grade-10 title was said, then each of the
    sponsor's pairs was refused twice on that grade (wrongly: the title's grade meets the
    rules). A value that needs another valid waits for it: one problem."""
    people = Path("config/people.yml")
    edit(
        sponsorship / people,
        "    title: Director, Customer Success\n    grade: 10\n",
        ("    title: Director, Ecosystem Sales\n    grade: 6\n"),
    )
    said = refused(sponsorship)
    # only the sponsorship file names him here: his username would tell he is in it
    assert said.splitlines()[:-1] == [
        f"{people}:9: grade 6 of '[confidential]' differs from grade 10 of the title 'Director, "
        "Ecosystem Sales'; remove `grade:` or fix the title"
    ], said


@pytest.mark.parametrize(
    ("days", "why"),
    [
        ("120", "is not in order with the mid checkpoint (2027-05-02)"),
        ("400", "is after the cohort's end"),
    ],
)
def test_checkpoints_out_of_order_or_past_the_cohort_are_refused(
    sponsorship: Path, days: str, why: str
) -> None:
    """A trial: `days_after_start: 200` for the start checkpoint was accepted, and the start
    figure was to be published after the end one's, months after the cohort ended."""
    edit(sponsorship / PROGRAM, "days_after_start: 14}", f"days_after_start: {days}}}")
    err = refused(sponsorship)
    line = line_of(sponsorship / PROGRAM, f"days_after_start: {days}")
    said = [text for text in err.splitlines() if "checkpoint of cohort" in text]
    assert len(said) == 1 and said[0].startswith(f"{PROGRAM}:{line}:"), err
    assert why in err and "set `days_after_start` so that start, mid and end" in err


def test_a_number_refused_in_a_confidential_program_is_shown(sponsorship: Path) -> None:
    """A trial: `min_answers: 1` was refused with "(got '[confidential]')"; a number names
    nobody."""
    edit(sponsorship / PROGRAM, "min_answers: 3", "min_answers: 1")
    err = refused(sponsorship)
    assert "'sponsorship.scores.min_answers': should be at least 2 (got '1')" in err, err


def test_a_yes_for_a_number_in_a_confidential_program_is_refused_and_shown(
    sponsorship: Path,
) -> None:
    """A review: `max_timezone_gap_hours: yes` was read as 1 hour (pydantic takes true for
    1); refused, it read "(got '[confidential]')", though a yes names nobody."""
    edit(sponsorship / PROGRAM, "max_timezone_gap_hours: 6", "max_timezone_gap_hours: yes")
    err = refused(sponsorship)
    said = "'sponsorship.rules.max_timezone_gap_hours': should be a number (got 'yes')"
    assert said in err, err


def test_a_checkpoint_renamed_from_another_checkpoint_s_label_is_refused(
    sponsorship: Path,
) -> None:
    edit(
        sponsorship / PROGRAM,
        "{id: end, label: satisfaction (end)}",
        "{id: end, label: satisfaction (end), renamed_from: satisfaction (start)}",
    )
    err = refused(sponsorship)
    line = line_of(sponsorship / PROGRAM, "renamed_from: satisfaction (start)")
    assert (
        f"{PROGRAM}:{line}: 'satisfaction (start)' is the label of a checkpoint now; "
        "`renamed_from` names the label this checkpoint had before"
    ) in err, err
