"""Sales Sponsorship on the shipped configuration, through the CLI on the local backend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from automation.items import ObservedIssue
from automation.keptlines import without_marks
from tests.backends import cli
from tests.conftest import keep_programs
from tests.figures import figure_values
from tests.local_cli import TODAY, edit, issues, line_of, lines_with, path_of, run

PROGRAM = Path("config/programs/sales-sponsorship.yml")
PAIRS = ("aiko.tanaka", "lena.fischer", "sam.delacroix", "kenji.watanabe")


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


def issue_path(root: Path, issue: ObservedIssue) -> Path:
    return root / ".automation" / "issues" / f"{issue.iid}.md"


def pair(root: Path, sponsee: str) -> ObservedIssue:
    return issues(root)[f"sales-sponsorship/fy28-h1/{sponsee}"]


def test_shipped_config_makes_four_confidential_pairs_plan_and_rollups(sponsorship: Path) -> None:
    result = run("apply")
    assert result.code == 0, result.out + result.err
    assert "warning:" not in result.out  # the shipped sample meets every rule
    found = issues(sponsorship)
    pairs = [found[f"sales-sponsorship/fy28-h1/{s}"] for s in PAIRS]
    assert all(p.confidential for p in found.values())
    # the sponsee's manager is assigned too: their tasks are in the confidential issue
    assert pairs[0].assignees == ("jordan.alvarez", "aiko.tanaka", "priya.natarajan")
    assert str(pairs[0].due_date) == "2027-08-01"  # six months after the cohort start
    assert "| Sponsee's manager | @priya.natarajan |" in pairs[0].description
    # the page's "Individual Quarterly Feedback with DIB Team" is both sides' (a review: the
    # sponsee's alone, the sponsor had no check-in)
    dib = "**Sponsor and sponsee:** Each give your individual quarterly feedback to the DIB team"
    assert pairs[0].description.count(dib) == 2  # the cohort's two quarters
    assert {
        "sales-sponsorship/plan",
        "sales-sponsorship/tracking",
        "sales-sponsorship/fy28-h1/tracking",
    } <= set(found)
    assert found["sales-sponsorship/fy28-h1/tracking"].title == "Sales Sponsorship: FY28 H1 cohort"


def test_ticking_tasks_moves_phase_labels_and_rollups(sponsorship: Path) -> None:
    assert run("apply").code == 0
    lena = pair(sponsorship, "lena.fischer")
    text = issue_path(sponsorship, lena).read_text("utf-8")
    build = text.split("## Build")[1].split("## Develop")[0]
    issue_path(sponsorship, lena).write_text(
        text.replace(build, build.replace("- [ ]", "- [x]")), "utf-8"
    )
    assert run("apply").code == 0
    lena = pair(sponsorship, "lena.fischer")
    assert "phase::Develop" in lena.labels and "phase::Build" not in lena.labels
    cohort = issues(sponsorship)["sales-sponsorship/fy28-h1/tracking"].description
    assert re.search(
        rf"\| #{lena.iid} \| Lena Fischer with Hannah Berg \| FY28 H1 cohort \| "
        r"Develop \| 0% \| 100% \| 0% \| 0% \| 0% \| 29% \| in progress \|",  # 7 of 24
        cohort,
    )
    # no column of a section no pair has (the scores'; a year's review: every row read "–",
    # and the completion table "Satisfaction scores | 0/0 | no tasks")
    assert "Satisfaction scores" not in cohort.split("automation:begin rollup")[1]


def test_the_pages_suggested_invitations_are_optional_and_do_not_hold_a_pair_back(
    sponsorship: Path,
) -> None:
    """A content review: the page lists "Sponsee invites Sponsor to a team meeting where they
    are presenting" and "Sponsor invites sponsee to a working group" as suggested actions; as
    counted tasks, a pair whose sponsee never presented stayed in Develop for good."""
    assert run("apply").code == 0
    path = issue_path(sponsorship, pair(sponsorship, "lena.fischer"))
    text = path.read_text("utf-8")
    done = text.split("## Develop")[0].replace("- [ ]", "- [x]")
    develop = text.split("## Develop")[1].split("## Commit")[0]
    assert develop.count("- [ ] Optional:") == 2
    ticked = "\n".join(
        line.replace("- [ ] **", "- [x] **") for line in develop.splitlines()
    )  # every task of Develop but the two optional ones
    before = text.split("## Develop")[0]
    path.write_text(text.replace(before, done).replace(develop, ticked), "utf-8")
    assert run("apply").code == 0
    lena = pair(sponsorship, "lena.fischer")
    assert "phase::Commit" in lena.labels, lena.labels
    assert "| Develop | 3/3 | 100% |" in lena.description


def test_a_cohort_made_longer_warns_of_the_phase_dates_its_pairs_text_still_says(
    sponsorship: Path,
) -> None:
    """A review: the due-date warning looked for the old end anywhere in today's rendering,
    found it as the new end of the Commit phase, and said nothing, though each pair's four
    phase lines kept their former dates."""
    assert run("apply").code == 0
    edit(
        sponsorship / PROGRAM,
        "      start: 2027-02-01\n",
        "      start: 2027-02-01\n      program_months: 8\n",
    )
    result = run("apply")
    assert result.code == 0, result.out + result.err
    (said,) = [line for line in result.out.splitlines() if "dates written in" in line]
    for sponsee in PAIRS:
        assert f"#{pair(sponsorship, sponsee).iid} (2027-08-01 -> 2027-10-01)" in said, said
    assert "dates written in" not in run("apply").out


def test_a_pair_behind_its_phases_calendar_is_overdue(sponsorship: Path) -> None:
    """A trial: pair issues went from `in progress` straight to `ended` (their due date is the
    cohort's end), never shown behind, however far a pair fell behind the phases' dates the
    issue itself gives. A phase not done after its last day makes the pair overdue."""
    assert run("apply", "2027-03-01").code == 0
    lena = path_of(sponsorship, "sales-sponsorship/fy28-h1/lena.fischer")
    text = lena.read_text("utf-8")
    build = text.split("## Build")[1].split("## Develop")[0]
    lena.write_text(text.replace(build, build.replace("- [ ]", "- [x]")), "utf-8")
    assert run("apply", "2027-03-10").code == 0
    assert "status::not started" in pair(sponsorship, "aiko.tanaka").labels  # Build runs on
    assert run("apply", "2027-04-01").code == 0
    aiko, lena_now = pair(sponsorship, "aiko.tanaka"), pair(sponsorship, "lena.fischer")
    assert "status::overdue" in aiko.labels and "phase::Build" in aiko.labels
    assert "**Status:** overdue (Build was to be done by 2027-03-17)" in aiko.description
    assert "status::in progress" in lena_now.labels  # Build done, Develop's time runs
    rollup = rollup_of(sponsorship, "sales-sponsorship/fy28-h1/tracking")
    assert re.search(rf"\| #{aiko.iid} \|[^\n]*\| overdue \|", rollup)
    assert "No changes" in run("apply", "2027-04-01").out


def rollup_of(root: Path, key: str) -> str:
    """The rollup block of issue KEY, less the record of its lines (which differ with the
    totals' heading)."""
    description = issues(root)[key].description
    block = description.split("automation:begin rollup")[1].split("automation:end rollup")[0]
    return without_marks(block)


def test_the_programs_rollup_lists_the_pairs_as_the_cohorts_does(sponsorship: Path) -> None:
    """A year's review: the program's tracking issue listed each score issue with its
    progress (who had answered, and when), where the cohort's said nothing about the answers
    is shown before a checkpoint closes; their totals differed (0/128 and 0/104)."""
    assert run("apply").code == 0
    scores = f"sales-sponsorship/fy28-h1/{PAIRS[0]}/sponsee-scores"
    path = issue_path(sponsorship, issues(sponsorship)[scores])
    edit(path, "- [ ] Record your satisfaction (start)", "- [x] Record your satisfaction (start)")
    assert run("apply").code == 0
    program = rollup_of(sponsorship, "sales-sponsorship/tracking")
    cohort = rollup_of(sponsorship, "sales-sponsorship/fy28-h1/tracking")
    assert program.split("#### Program completion")[0] == cohort.split("#### Cohort completion")[0]
    assert "| **Overall** | **0/96** | **0%** |" in program and "scores" not in program
    assert "status::in progress" in issues(sponsorship)[scores].labels  # its own labels still


def test_a_cohort_whose_only_pair_left_has_no_scores_column(sponsorship: Path) -> None:
    """A year's simulation: the H2 cohort's one released pair taken out, its rollup listed
    the withdrawn pair under a "Satisfaction scores" column, with a line "0/0 | no tasks"
    (the columns followed the counted issues, and a withdrawn one is not counted)."""
    h2 = sponsorship / PROGRAM
    pair_line = "        - {sponsor: jordan.alvarez, sponsee: tom.reyes, status: approved}\n"
    edit(h2, pair_line, pair_line.replace("approved", "released"))
    assert run("apply", "2027-08-01").code == 0
    edit(h2, pair_line.replace("approved", "released"), "")
    assert run("apply", "2027-08-15").code == 0
    cohort = rollup_of(sponsorship, "sales-sponsorship/fy28-h2/tracking")
    assert "| withdrawn |" in cohort and "Satisfaction scores" not in cohort, cohort


def test_a_cohort_with_no_issue_yet_says_so_instead_of_empty_tables(sponsorship: Path) -> None:
    """A year's review: the H2 cohort's rollup, before any pair was released, showed a table
    header with no row, every section "0/0 | no tasks" and a chart of six bars at 0%."""
    assert run("apply").code == 0
    description = issues(sponsorship)["sales-sponsorship/fy28-h2/tracking"].description
    rollup = rollup_of(sponsorship, "sales-sponsorship/fy28-h2/tracking")
    charts = description.split("automation:begin charts")[1].split("automation:end charts")[0]
    assert "no tasks" not in rollup and "| Issue |" not in rollup, rollup
    assert "No issue of this cohort now (none made yet, or its people moved to another)" in rollup
    assert "xychart" not in charts, charts
    h1 = rollup_of(sponsorship, "sales-sponsorship/fy28-h1/tracking")
    assert "| Issue |" in h1 and "No issue" not in h1  # a cohort with pairs keeps its tables


def test_a_template_failing_for_one_pair_names_no_key(
    sponsorship: Path,
) -> None:
    """A template error that comes from one issue's values names that issue's key (a
    thousand people, one line), but not a confidential program's: its keys name its people
    (and an ESP program's, its customer accounts), which a reviewer saw printed."""
    template = sponsorship / "templates" / "sales-sponsorship" / "pair.md.j2"
    first = template.read_text("utf-8").splitlines()[0]
    edit(template, first, first + " {{ 10 // (sponsee.username[0] != 'l') }}")
    result = run("validate")
    assert result.code == 2 and "Traceback" not in result.err
    said = result.err.splitlines()[0]
    assert "pair.md.j2:1: rendering one of its issues: template error: " in said, said
    assert "fy28" not in said and "lena" not in said.lower() and "division" in said, said


def test_an_unreadable_score_is_a_warning_that_names_only_the_issue(sponsorship: Path) -> None:
    assert run("apply").code == 0
    for sponsee, value in (("lena.fischer", "8/10"), ("sam.delacroix", "great")):
        key = f"sales-sponsorship/fy28-h1/{sponsee}/sponsee-scores"
        edit(
            sponsorship / ".automation" / "issues" / f"{issues(sponsorship)[key].iid}.md",
            "Sponsee satisfaction (start): __/10",
            f"Sponsee satisfaction (start): {value}",
        )
    result = run("apply")
    sam = issues(sponsorship)["sales-sponsorship/fy28-h1/sam.delacroix/sponsee-scores"]
    assert (
        f"warning: issue #{sam.iid}: the value of 'Sponsee satisfaction (start)' cannot be read"
    ) in result.out
    assert "great" not in result.out  # a person's answer never reaches the CI log
    later = run("apply", "2027-08-15")  # the cohort ended: its figures are final
    assert "cannot be read" not in later.out, later.out
    # no average is recomputed on every run, in the cohort rollup or the program's
    for key in ("sales-sponsorship/fy28-h1/tracking", "sales-sponsorship/tracking"):
        assert "#### Recorded values" not in issues(sponsorship)[key].description


def test_an_unreadable_score_is_said_in_its_issue_and_its_box_does_not_count(
    sponsorship: Path,
) -> None:
    """A trial: Sam typed `11/10` and ticked every box of his score issue; only the CI log
    said the score could not be read, the issue completed, and the checkpoint was later
    published as "fewer than 3 answers". His own issue now says what to write, and the issue
    does not complete until it can be read."""
    assert run("apply", "2027-02-10").code == 0
    key = "sales-sponsorship/fy28-h1/sam.delacroix/sponsee-scores"
    path = path_of(sponsorship, key)
    edit(path, "Sponsee satisfaction (start): __/10", "Sponsee satisfaction (start): 11/10")
    edit(path, "- [ ]", "- [x]", count=3)
    assert run("apply", "2027-02-11").code == 0
    sam = issues(sponsorship)[key]
    said = (
        "**Cannot count:** the value of 'Sponsee satisfaction (start)' cannot be read: it is "
        "outside 0 to 10; write it like 8/10"
    )
    assert said in sam.description and "| **Overall** | **2/3** | **66%** |" in sam.description
    assert "status::in progress" in sam.labels and sam.state == "opened"
    assert "automation:begin completion" not in sam.description
    edit(path, "Sponsee satisfaction (start): 11/10", "Sponsee satisfaction (start): 9/10")
    assert run("apply", "2027-02-12").code == 0
    sam = issues(sponsorship)[key]
    assert "Cannot count" not in sam.description and "**3/3**" in sam.description
    assert "status::complete" in sam.labels


def test_a_plan_line_that_links_a_pair_issue_follows_its_completion(sponsorship: Path) -> None:
    assert run("apply").code == 0
    plan = issues(sponsorship)["sales-sponsorship/plan"]
    kenji = pair(sponsorship, "kenji.watanabe")
    edit(
        issue_path(sponsorship, plan),
        "- [ ] Begin the Sponsorship Program => `0%`",
        f"- [ ] Begin the Sponsorship Program, see #{kenji.iid} => `0%`",
    )
    edit(
        issue_path(sponsorship, plan),
        "- [ ] Develop program materials",
        "- [x] Develop program materials",
    )
    kenji_path = issue_path(sponsorship, kenji)
    kenji_path.write_text(
        kenji_path.read_text("utf-8").replace("- [ ]", "- [x]", 6), "utf-8"
    )  # 6 of 24 (the two optional invitations not counted)
    result = run("apply")
    assert f"updated description: #{plan.iid} of sales-sponsorship (confidential)" in (result.out)
    figures = figure_values(issues(sponsorship)["sales-sponsorship/plan"].description)
    # phase 1: 1 of 9 boxes; phase 3: the linked issue (25%) and 4 open boxes
    assert figures[1] == 100 and figures[9] == 11
    assert figures[15] == 25 and figures[20] == 5
    assert figures[-1] == (11 + 0 + 5 + 0) // 4
    assert "No changes" in run("apply").out
    # a box typed inside the pair issue's progress block is the person's, not the tool's:
    # the block is not written over it (the issue fails, untouched), and it counts
    begin = "<!-- automation:begin progress -->\n"
    edit(kenji_path, begin, begin + "- [x] my own note-to-self\n")
    typed = kenji_path.read_text("utf-8")
    result = run("apply")
    assert result.code == 1 and "the managed block 'progress' is damaged: it holds a task" in (
        result.out
    )
    assert kenji_path.read_text("utf-8") == typed
    plan_text = issues(sponsorship)["sales-sponsorship/plan"].description
    assert figure_values(plan_text)[15] == 28  # 7 of 25


@pytest.mark.parametrize(
    "link",
    [
        "https://gitlab.example.com/enablement/programs/-/issues/{iid}",
        "enablement/programs#{iid}",
        "Enablement/Programs#{iid}",  # GitLab's paths ignore case
    ],
)
def test_a_plan_line_that_links_a_pair_issue_by_its_url_follows_it_too(
    sponsorship: Path, link: str
) -> None:
    """An attacker's trial: a pair issue linked by its URL ("Copy link") or as
    `group/project#N`, both shown by GitLab as the same #N, read 0% where `#N` read 50%."""
    assert run("apply").code == 0
    plan = issues(sponsorship)["sales-sponsorship/plan"]
    kenji = pair(sponsorship, "kenji.watanabe")
    line = "- [ ] Begin the Sponsorship Program => `0%`"
    linked = f"- [ ] Begin the Sponsorship Program, see {link.format(iid=kenji.iid)} => `0%`"
    edit(issue_path(sponsorship, plan), line, linked)
    kenji_path = issue_path(sponsorship, kenji)
    kenji_path.write_text(kenji_path.read_text("utf-8").replace("- [ ]", "- [x]", 6), "utf-8")
    assert run("apply").code == 0
    figures = figure_values(issues(sponsorship)["sales-sponsorship/plan"].description)
    assert figures[15] == 25, figures  # 6 of 24, as `#N` reads it
    other = re.sub("programs", "elsewhere", link.format(iid=kenji.iid), flags=re.I)  # not ours
    edit(issue_path(sponsorship, plan), link.format(iid=kenji.iid), other)
    assert run("apply").code == 0
    assert figure_values(issues(sponsorship)["sales-sponsorship/plan"].description)[15] == 0


def test_turning_confidentiality_off_needs_the_documented_flag(sponsorship: Path) -> None:
    edit(sponsorship / PROGRAM, "kind: sponsorship\n", "kind: sponsorship\nconfidential: false\n")
    result = run("validate")
    assert result.code == 2
    assert (
        "sponsorship issues are confidential: `confidential: false` also needs "
        "`sponsorship.allow_public_issues: true`" in result.err
    )
    edit(
        sponsorship / PROGRAM,
        "  program_months: 6\n",
        "  program_months: 6\n  allow_public_issues: true\n",
    )
    assert run("validate").code == 0


def refused_pair(pair: str, says: str) -> str:
    """`validate`'s errors once the shipped second pair of fy28-h1 is PAIR, which must be
    refused with a line of the program file saying SAYS."""
    edit(PROGRAM, "{sponsor: hannah.berg, sponsee: lena.fischer}", pair)
    result = run("validate")
    assert result.code == 2
    line = rf"config/programs/sales-sponsorship\.yml:\d+: pair 2 of cohort fy28-h1: {says}"
    assert re.search(line, result.err), result.err
    return result.err


def test_a_broken_must_rule_stops_validate_with_file_line_and_values(sponsorship: Path) -> None:
    err = refused_pair(
        "{sponsor: hannah.berg, sponsee: oliver.grant}",
        "the sponsor is the sponsee's direct manager",
    )
    assert "hannah" not in err and "oliver" not in err
    assert not (sponsorship / ".automation").exists()


def test_a_match_people_yml_breaks_later_is_not_checked_once_its_cohort_ended(
    shipped: Path,
) -> None:
    """A tester's finding: Aiko (grade 8, sponsored by Jordan, grade 10) promoted to a grade-9
    manager after FY28 H1 stopped every run of every program (exit 2). The matching rules
    hold when a match is made: once the cohort ended they are not checked. While it runs, a
    trial found every program still stopped: now the pair fails its own program's run (exit
    1, saying what to do), its issue is still kept up to date, and the other programs run;
    an `exception` for the pair lets the runs go on."""
    assert run("apply", "2027-02-15").code == 0
    people = shipped / "config" / "people.yml"
    edit(
        people,
        "    title: Staff Customer Success Manager\n    grade: 8",
        "    title: Manager, Customer Success\n    grade: 9",
    )
    edit(path_of(shipped, "sales-sponsorship/fy28-h1/aiko.tanaka"), "- [ ]", "- [x]")
    checked = run("validate", "2027-03-01")
    assert checked.code == 0, checked.err
    assert (
        "warning: config/programs/sales-sponsorship.yml:112: pair 1 of cohort fy28-h1: the "
        "sponsor's grade is less than 2 above the sponsee's" in checked.out
    )
    during = run("apply", "2027-03-01")
    assert during.code == 1, during.err
    failed = [line for line in during.out.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "give the pair `exception:` saying so" in failed[0]
    assert "aiko" not in failed[0] and "sales-sponsorship/fy28-h1/aiko" not in during.out
    assert "Summary: 6 created" in during.out  # the other programs ran
    key = "sales-sponsorship/fy28-h1/aiko.tanaka"
    assert f"#{issues(shipped)[key].iid} of sales-sponsorship" in during.out  # the tick counted
    after = run("apply", "2027-09-01")
    assert after.code == 0 and "grade is less than" not in after.out + after.err
    edit(
        shipped / PROGRAM,
        "sponsee: aiko.tanaka, status: released}",
        "sponsee: aiko.tanaka, status: released, exception: promoted in February}",
    )
    assert run("validate", "2027-03-01").code == 0
    assert run("apply", "2027-03-01").code == 0


def test_a_match_added_mid_cohort_that_breaks_a_rule_makes_nothing(sponsorship: Path) -> None:
    """A reviewer's finding kept when a promotion stopped failing every program: a match
    released while its cohort runs is checked as any. Oliver paired with his own manager
    gets no issue (nobody is told of it); the run fails that pair and says why."""
    assert run("apply", "2027-02-15").code == 0
    edit(
        sponsorship / PROGRAM,
        "{sponsor: hannah.berg, sponsee: lena.fischer}",
        "{sponsor: hannah.berg, sponsee: lena.fischer}\n"
        "        - {sponsor: hannah.berg, sponsee: oliver.grant}",
    )
    result = run("apply", "2027-03-01")
    assert result.code == 1
    assert "pair 3 of cohort fy28-h1: the sponsor is the sponsee's direct manager" in result.out
    assert "oliver" not in result.out + result.err
    assert not [key for key in issues(sponsorship) if "oliver" in key]
    assert "4 tracked issues;" in rollup_of(sponsorship, "sales-sponsorship/fy28-h1/tracking")


def test_a_match_released_after_its_cohort_ended_makes_nothing(sponsorship: Path) -> None:
    """A tester's finding: the approved Tom/Jordan match of FY28 H2, released after the
    cohort's end, got three issues made, assigned (GitLab tells their people) and labelled
    ended in one run, and the cohort's final rollup kept a "(being created)" row for good.
    A later trial: nothing said so either; a warning does, naming nobody."""
    for day in ("2027-02-15", "2027-08-03", "2028-02-10"):
        assert run("apply", day).code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    late = run("apply", "2028-03-01")
    assert late.code == 0
    (said,) = lines_with(late, "not created")
    assert "1 issue of sales-sponsorship not created: their time was over (from 2028-02-02)" in said
    assert "A pair released after its cohort ended gets no issue" in said, said
    assert "(not named here: the program is confidential)" in said
    assert "tom" not in (late.out + late.err).lower() and "jordan" not in late.out.lower()
    assert not [key for key in issues(sponsorship) if "tom.reyes" in key]
    rollup = issues(sponsorship)["sales-sponsorship/fy28-h2/tracking"].description
    assert "being created" not in rollup and "not created" not in rollup
    assert "No changes" in run("apply", "2028-03-01").out


def test_one_cohort_can_be_extended_leaving_those_that_ended_as_they_were(
    sponsorship: Path,
) -> None:
    """A tester's finding: cohorts had no length of their own, so extending FY28 H2 by two
    months (`program_months: 8`) revived FY28 H1, ended in August: its issues back to "not
    started", an "end moved" note, and a second score reminder."""
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    assert run("apply", "2027-08-03").code == 0
    assert run("apply", "2027-09-14").code == 0
    ended = {k: i.description for k, i in issues(sponsorship).items() if "/fy28-h1/" in k}
    edit(
        sponsorship / PROGRAM,
        "      start: 2027-08-02\n",
        "      start: 2027-08-02\n      program_months: 8\n",
    )
    assert run("apply", "2027-09-14").code == 0
    assert str(issues(sponsorship)["sales-sponsorship/fy28-h2/tom.reyes"].due_date) == "2028-04-02"
    after = {k: i.description for k, i in issues(sponsorship).items() if "/fy28-h1/" in k}
    assert after == ended
    assert all(
        "status::ended" in i.labels or "status::complete" in i.labels
        for k, i in issues(sponsorship).items()
        if k.startswith("sales-sponsorship/fy28-h1/") and not k.endswith("/tracking")
    )


def test_a_pair_issue_states_its_cohorts_own_length(sponsorship: Path) -> None:
    """A reviewer's finding: a pair of a cohort with `program_months: 8` read "a 6-month
    program" two lines below its dates."""
    assert run("apply").code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    edit(
        sponsorship / PROGRAM,
        "      start: 2027-08-02\n",
        "      start: 2027-08-02\n      program_months: 8\n",
    )
    assert run("apply", "2027-08-03").code == 0
    tom = issues(sponsorship)["sales-sponsorship/fy28-h2/tom.reyes"].description
    assert "| Length | the program runs 8 months;" in tom
    aiko = issues(sponsorship)["sales-sponsorship/fy28-h1/aiko.tanaka"].description
    assert "| Length | the program runs 6 months;" in aiko


def test_a_sponsor_of_two_sponsees_can_tell_their_score_issues_apart(sponsorship: Path) -> None:
    """A tester's finding: Jordan, sponsor of Aiko and Sam in one cohort, got two score issues
    of one title and one text: which relationship each was for, only the hidden key said."""
    edit(
        sponsorship / PROGRAM,
        "{sponsor: dana.whitfield, sponsee: sam.delacroix}",
        "{sponsor: jordan.alvarez, sponsee: sam.delacroix}",
    )
    assert run("apply").code == 0
    titles = sorted(
        i.title
        for k, i in issues(sponsorship).items()
        if k.endswith("/sponsor-scores/jordan.alvarez")
    )
    assert titles == [
        "Sponsorship satisfaction: Jordan Alvarez as sponsor of Aiko Tanaka (FY28 H1 cohort)",
        "Sponsorship satisfaction: Jordan Alvarez as sponsor of Sam Delacroix (FY28 H1 cohort)",
    ]


def test_a_replaced_sponsor_is_not_told_they_left_the_program(sponsorship: Path) -> None:
    """A tester's finding: Dana, replaced as Sam's sponsor by Jordan, had her score issue
    closed with "Withdrawn from Sales Sponsorship Program ... no longer in the program's
    configuration", though she sponsors on (in the next cohort, say)."""
    assert run("apply").code == 0
    dana = "sales-sponsorship/fy28-h1/sam.delacroix/sponsor-scores/dana.whitfield"
    issue = issues(sponsorship)[dana]
    edit(
        sponsorship / PROGRAM,
        "{sponsor: dana.whitfield, sponsee: sam.delacroix}",
        "{sponsor: jordan.alvarez, sponsee: sam.delacroix}",
    )
    result = cli(["apply", "--backend", "local", "--today", TODAY], {}, screen=True)
    assert result.code == 0
    # the run's line for closing it says so too (a newcomer read "no longer in the
    # program's configuration" there, beside the note's right words)
    assert "withdrawn: the pair has another sponsor in the program's configuration" in result.out
    assert "withdrawn: no longer in the program's configuration" not in result.out
    said = (sponsorship / ".automation" / "notes" / f"{issue.iid}.md").read_text("utf-8")
    assert "This pair in FY28 H1 cohort has another sponsor in the program's configuration" in said
    assert "Withdrawn from" not in said
    assert (
        "No longer this pair's sponsor in the program's configuration since"
        in issues(sponsorship)[dana].description
    )
    # a trial: the pair's own issue keeps the former sponsor in its title and people table;
    # the run that sees the change says so, once
    warned = f"warning: sales-sponsorship: issue #{issue.iid}, a former sponsor's score issue"
    line = next(line for line in result.out.splitlines() if warned in line)
    sams = issues(sponsorship)["sales-sponsorship/fy28-h1/sam.delacroix"]
    assert f"The pair's own issue #{sams.iid} keeps the title and people table" in line
    assert "edit them by hand" in line and "dana" not in line.lower()
    again = run("apply")
    assert again.code == 0 and "former sponsor" not in again.out


def test_no_demographic_or_performance_field_can_be_stored(sponsorship: Path) -> None:
    people = sponsorship / "config" / "people.yml"
    edit(people, "    name: Lena Fischer\n", "    name: Lena Fischer\n    performance: high\n")
    result = run("validate")
    assert result.code == 2
    # only the sponsorship file names her here: people.yml's line finds her, her name would
    # tell she is in it (a privacy tester)
    line = line_of(people, "    performance: high")
    assert f"people.yml:{line}: unknown key 'performance' in person '[confidential]'" in result.err


def test_a_program_made_confidential_after_its_issues_says_so_in_one_warning(
    shipped: Path,
) -> None:
    """Staff add `confidential: true` to a running program: its issues are public, each gets
    nothing more written, and the run says so once, naming them, not once per issue (a tester
    saw 124 warnings a run)."""
    keep_programs(shipped, "executive-sponsorship")
    assert run("apply").code == 0
    program = shipped / "config/programs/executive-sponsorship.yml"
    edit(program, "kind: esp\n", "kind: esp\nconfidential: true\n")
    result = run("apply")
    assert result.code == 0, result.out
    public = [line for line in result.out.splitlines() if "public though the program" in line]
    assert len(public) == 1, result.out
    found = re.search(r"warning: (\d+) issues of executive-sponsorship are public", public[0])
    assert found is not None and int(found[1]) == len(issues(shipped))  # the tracking one too
    assert f"and {int(found[1]) - 10} more" in public[0]
    assert "Turn on confidentiality" in public[0]


def test_a_pair_issue_made_public_gets_nothing_more_and_is_reported_every_run(
    sponsorship: Path,
) -> None:
    assert run("apply").code == 0
    lena = pair(sponsorship, "lena.fischer")
    path = issue_path(sponsorship, lena)
    edit(path, "confidential: true", "confidential: false")
    text = path.read_text("utf-8")
    path.write_text(text.replace("- [ ]", "- [x]", 3), "utf-8")  # progress that would change blocks
    before = path.read_text("utf-8")
    warning = (
        f"warning: issue #{lena.iid} of sales-sponsorship is public though the program is "
        "confidential: the tool writes nothing to it"
    )
    for _ in range(2):
        result = run("apply")
        assert warning in result.out
        assert path.read_text("utf-8") == before
    # what to do says how on this backend too (a tester read only GitLab's menu)
    assert "on the local backend, `confidential: true` in the issue's file" in result.out
    edit(path, "confidential: false", "confidential: true")
    assert run("apply").code == 0
    assert path.read_text("utf-8") != before  # confidential again: its blocks and labels catch up


def test_a_pair_issue_made_before_managers_were_assigned_gets_its_manager(
    sponsorship: Path,
) -> None:
    assert run("apply").code == 0
    path = issue_path(sponsorship, pair(sponsorship, "lena.fischer"))
    # as the previous version wrote it: sponsor and sponsee assigned, and recorded
    edit(path, "- marcus.oyelaran\n", "")
    edit(path, "hannah.berg,lena.fischer,marcus.oyelaran", "hannah.berg,lena.fischer")
    result = run("apply")
    assert result.code == 0, result.out
    lena = pair(sponsorship, "lena.fischer")
    assert lena.assignees == ("hannah.berg", "lena.fischer", "marcus.oyelaran")
    assert "<!-- automation:assigned hannah.berg,lena.fischer,marcus.oyelaran -->" in (
        lena.description
    )
    notes = list((sponsorship / ".automation" / "notes").rglob("*"))
    assert any("@marcus.oyelaran" in n.read_text("utf-8") for n in notes if n.is_file())
    assert run("apply").out.splitlines()[-1].startswith("No changes")


def test_a_sponsee_s_new_manager_is_written_in_the_pair_s_table_and_tasks_name_nobody(
    sponsorship: Path,
) -> None:
    # a newcomer's trial: the table kept naming the former manager, and the IGP task too
    assert run("apply").code == 0
    before = pair(sponsorship, "sam.delacroix").description
    assert "| Sponsee's manager | @priya.natarajan |" in before
    assert "IGP) together; the sponsor" in before  # the task names no manager to go stale
    people = sponsorship / "config" / "people.yml"
    edit(people, "grade: 7\n    manager: priya.natarajan", "grade: 7\n    manager: marcus.oyelaran")
    result = run("apply")
    assert result.code == 0 and "template now words" not in result.out, result.out
    after = pair(sponsorship, "sam.delacroix").description
    assert "| Sponsee's manager | @marcus.oyelaran |" in after
    assert "@priya.natarajan" not in after
    assert run("apply").out.splitlines()[-1].startswith("No changes")


def test_the_program_lead_is_assigned_the_programs_own_issues(sponsorship: Path) -> None:
    """The tracking issue, the cohort rollups and the plan were on nobody's list (a review):
    `lead` is assigned them, and a program without one leaves them unassigned as before."""
    own = [f"sales-sponsorship/{key}" for key in ("tracking", "plan")]
    own += [f"sales-sponsorship/{cohort}/tracking" for cohort in ("fy28-h1", "fy28-h2")]
    assert run("apply").code == 0
    found = issues(sponsorship)
    assert [found[key].assignees for key in own] == [("riley.chen",)] * len(own)
    assert pair(sponsorship, "aiko.tanaka").assignees[0] == "jordan.alvarez"  # pairs unchanged
    edit(PROGRAM, "  lead: riley.chen\n", "")
    assert run("apply").code == 0
    found = issues(sponsorship)
    assert [found[key].assignees for key in own] == [()] * len(own)


def test_a_lead_not_in_people_yml_is_refused_with_its_line(sponsorship: Path) -> None:
    edit(PROGRAM, "lead: riley.chen", "lead: ri1ey.chen")
    result = run("apply")
    assert result.code == 2
    # its lead is named by the program file alone: the typo, one key off, would name them (a
    # privacy trial), as the suggestion would
    assert re.search(r"sales-sponsorship\.yml:\d+: program lead '\[confidential\]'", result.err)
    assert "ri1ey" not in result.err and "riley" not in result.err
    assert not (sponsorship / ".automation" / "issues").exists()


def test_a_sponsor_who_is_their_own_sponsee_is_refused_whatever_the_rules(
    sponsorship: Path,
) -> None:
    """A tester: the same person on both sides was refused only for the grade gap, and with
    `min_grade_gap: 0` the pair was valid."""
    edit(PROGRAM, "min_grade_gap: 2", "min_grade_gap: 0")
    refused_pair(
        "{sponsor: dana.whitfield, sponsee: dana.whitfield, exception: approved by the VP}",
        "the sponsor and the sponsee are the same person",
    )


def test_a_pair_taken_back_from_released_is_told_so_not_that_it_left(sponsorship: Path) -> None:
    """Like an ESP account set back to proposed: a released pair set back to `approved` had
    its issue closed with "no longer in the program's configuration"."""
    assert run("apply").code == 0
    key = "sales-sponsorship/fy28-h1/sam.delacroix"
    pair = "{sponsor: dana.whitfield, sponsee: sam.delacroix"
    edit(sponsorship / PROGRAM, pair + "}", pair + ", status: approved}")
    result = cli(["apply", "--backend", "local", "--today", TODAY], {}, screen=True)
    assert result.code == 0
    assert "withdrawn: approved in the program's configuration now" in result.out
    issue = issues(sponsorship)[key]
    said = (sponsorship / ".automation" / "notes" / f"{issue.iid}.md").read_text("utf-8")
    assert "is `approved` in the program's configuration now, not released" in said
    assert "no longer in the program's configuration" not in said
    assert "Releasing it again (`status: released`) reopens this issue" in said


def test_a_pair_released_after_a_checkpoint_is_told_its_score_issues_ask_for_it(
    sponsorship: Path,
) -> None:
    """A trial: a pair released after its cohort's start checkpoint got score issues asking
    for it, overdue at once, with no word that a figure published already never counts it.
    Said by the run that makes them, counted only (the program is confidential)."""
    assert run("apply", "2027-07-20").code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    result = run("apply", "2027-08-20")  # after the start checkpoint, before it closes
    assert result.code == 0, result.out + result.err
    assert lines_with(result, "ask for checkpoints") == [
        "note: sales-sponsorship: 2 issues made now ask for checkpoints whose day is past "
        "(start) (not named here: the program is confidential): an answer counts only while "
        "the cohort's figure for its checkpoint is not published yet (when every answer is in, "
        "or its grace days after its day); a figure published already never changes"
    ], result.out
    assert "Tom" not in result.out
    assert "ask for checkpoints" not in run("apply", "2027-09-02").out  # said once


def test_a_pair_released_once_a_checkpoint_closed_is_not_asked_for_it(sponsorship: Path) -> None:
    """A trial: Tom's pair, released after the start checkpoint's figure was published, got
    "Record your satisfaction (start) ... by 2027-08-16", a task counted in his progress whose
    answer could never count. His score issues ask for the checkpoints still open only, and
    the task left out is never added later, nor warned of."""
    assert run("apply", "2027-07-20").code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    result = run("apply", "2027-09-01")
    assert result.code == 0 and "ask for checkpoints" not in result.out, result.out
    key = "sales-sponsorship/fy28-h2/tom.reyes/sponsee-scores"
    tom = issues(sponsorship)[key].description
    assert "satisfaction (start)" not in tom
    assert "- [ ] Record your satisfaction (mid-program) below" in tom
    assert "- [ ] Record your satisfaction (end) below" in tom
    assert "- Sponsee satisfaction (mid-program): __/10" in tom
    later = run("apply", "2027-10-01")
    assert later.code == 0 and "warning:" not in later.out, later.out
    assert issues(sponsorship)[key].description.count("- [ ]") == 2
    closed = run("apply", "2027-12-01")  # the mid checkpoint closed since his issue was made
    assert closed.code == 0 and "warning:" not in closed.out, closed.out
    assert "Record your satisfaction (mid-program)" in issues(sponsorship)[key].description
    # the tool's first run, late in FY28 H1, asked its pairs for the last checkpoint only
    aiko = issues(sponsorship)["sales-sponsorship/fy28-h1/aiko.tanaka/sponsee-scores"]
    assert aiko.description.count("- [ ] Record your satisfaction") == 1


def test_a_pair_released_on_the_day_a_figure_is_published_is_not_asked_for_it(
    sponsorship: Path,
) -> None:
    """A review: an issue made on the day the start checkpoint's figure is published (its
    day, 2027-08-16, plus 14 grace days) asked for it, an answer that could never count."""
    assert run("apply", "2027-07-20").code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    assert run("apply", "2027-08-30").code == 0
    tom = issues(sponsorship)["sales-sponsorship/fy28-h2/tom.reyes/sponsee-scores"]
    assert "satisfaction (start)" not in tom.description
    assert "- [ ] Record your satisfaction (mid-program) below" in tom.description


def test_a_pair_released_the_day_before_a_figure_is_published_is_asked_for_it(
    sponsorship: Path,
) -> None:
    assert run("apply", "2027-07-20").code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    assert run("apply", "2027-08-29").code == 0
    tom = issues(sponsorship)["sales-sponsorship/fy28-h2/tom.reyes/sponsee-scores"]
    assert "- [ ] Record your satisfaction (start) below, by 2027-08-16" in tom.description


def test_a_score_typed_in_the_pair_s_issue_is_said_and_not_counted(sponsorship: Path) -> None:
    """A trial: a sponsor wrote her score in the pair's issue, which her sponsee and his
    manager read: it was not counted, and nobody was told. Said by issue and label, never
    with the value or a name; the same label in her own score issue counts."""
    assert run("apply", "2027-03-01").code == 0
    lena = path_of(sponsorship, "sales-sponsorship/fy28-h1/lena.fischer")
    text = lena.read_text("utf-8")
    lena.write_text(
        text.replace("## Build", "Sponsor satisfaction (start): 5/10\n\n## Build"), "utf-8"
    )
    result = run("apply", "2027-03-02")
    assert result.code == 0, result.out + result.err
    iid = pair(sponsorship, "lena.fischer").iid
    assert lines_with(result, "which its template does not ask for") == [
        f"warning: issue #{iid} gives a value for 'Sponsor satisfaction (start)', which its "
        "template does not ask for, so it is not counted: record it in the issue that asks for "
        "it, and delete it here if others can read this issue"
    ], result.out
    assert "5/10" not in result.out and "Lena" not in result.out
    remark = "Sponsor satisfaction (start): after our first talk"  # no value: a remark
    lena.write_text(text.replace("## Build", f"{remark}\n\n## Build"), "utf-8")
    assert "template does not ask for" not in run("apply", "2027-03-03").out


def test_a_start_year_mistyped_for_one_run_does_not_seal_the_end_figure(
    sponsorship: Path,
) -> None:
    """A trial: `start: 2026-02-01` for one run ended the running cohort and sealed its end
    figure as "not published"; with the year fixed, it stayed so for good."""
    assert run("apply", "2027-06-25").code == 0
    edit(sponsorship / PROGRAM, "start: 2027-02-01", "start: 2026-02-01")
    assert run("apply", "2027-06-25").code == 0
    key = "sales-sponsorship/fy28-h1/tracking"
    sealed = issues(sponsorship)[key].description
    assert "<!-- automation:sealed-empty 2026-08-15 -->" in sealed
    edit(sponsorship / PROGRAM, "start: 2026-02-01", "start: 2027-02-01")
    assert run("apply", "2027-06-26").code == 0
    end = issues(sponsorship)[key].description.split("begin scores-end")[1]
    assert end.split("end scores-end")[0].count("Not published yet") == 1


def test_a_score_issue_made_without_a_closed_checkpoint_completes_unwarned(
    sponsorship: Path,
) -> None:
    """A trial: a new sponsor's score issue, rightly made without the start checkpoint
    (published already), completed with "2 of the 3 tasks its template has ... if someone
    deleted them by mistake, put them back", a task it never had."""
    assert run("apply", "2027-03-01").code == 0
    edit(
        sponsorship / PROGRAM,
        "{sponsor: victor.nakamura, sponsee: kenji.watanabe}",
        "{sponsor: jordan.alvarez, sponsee: kenji.watanabe}",
    )
    assert run("apply", "2027-03-12").code == 0
    key = "sales-sponsorship/fy28-h1/kenji.watanabe/sponsor-scores/jordan.alvarez"
    path = path_of(sponsorship, key)
    text = path.read_text("utf-8").replace("- [ ]", "- [x]").replace("__/10", "8/10")
    path.write_text(text, "utf-8")
    result = run("apply", "2027-07-20")
    assert result.code == 0, result.out + result.err
    assert "status::complete" in issues(sponsorship)[key].labels
    assert "is complete with" not in result.out, result.out


def test_another_pair_s_issue_pasted_into_a_pair_s_is_said_without_its_key(
    sponsorship: Path,
) -> None:
    """A trial pasted Aiko's pair issue, hidden first line and all, into Lena's: every section
    counted twice, unsaid."""
    assert run("apply", "2027-03-01").code == 0
    lena = path_of(sponsorship, "sales-sponsorship/fy28-h1/lena.fischer")
    aiko = path_of(sponsorship, "sales-sponsorship/fy28-h1/aiko.tanaka")
    body = aiko.read_text("utf-8").split("\n---\n", 1)[1]  # below the local file's header
    pasted = re.sub(
        r"<!-- automation:begin (\S+) -->.*?<!-- automation:end \1 -->", "", body, flags=re.S
    )
    lena.write_text(lena.read_text("utf-8") + "\nCopied from Aiko's issue:\n" + pasted, "utf-8")
    result = run("apply", "2027-03-02")
    assert result.code == 0, result.out + result.err
    said = lines_with(result, "hidden first line of another issue")
    assert said == [
        f"warning: issue #{pair(sponsorship, 'lena.fischer').iid} holds the hidden first line of "
        "another issue of the program, with text pasted from it, perhaps: the headings and tasks "
        "pasted count in this issue; delete what does not belong here, or at least that line "
        "(`<!-- automation:key=… -->`)"
    ], result.out
    assert "aiko" not in result.out.lower()
    edit(lena, "<!-- automation:key=sales-sponsorship/fy28-h1/aiko.tanaka -->", "")
    later = run("apply", "2027-03-03")
    assert later.code == 0 and "hidden first line of another" not in later.out, later.out


@pytest.mark.parametrize("renamed", [True, False])
def test_a_checkpoint_label_reworded_with_renamed_from_still_reads_the_answers(
    sponsorship: Path, renamed: bool
) -> None:
    """A trial reworded the end checkpoint's label mid-cohort: every end score recorded under
    the old wording stopped counting, unsaid. With `renamed_from`, they count."""
    assert run("apply", "2027-07-20").code == 0
    for key in issues(sponsorship):
        if key.startswith("sales-sponsorship/fy28-h1/") and key.endswith("/sponsee-scores"):
            edit(path_of(sponsorship, key), "satisfaction (end): __/10", "satisfaction (end): 8/10")
    former = ", renamed_from: satisfaction (end)" if renamed else ""
    edit(
        sponsorship / PROGRAM,
        "{id: end, label: satisfaction (end)}",
        f"{{id: end, label: satisfaction (end of program){former}}}",
    )
    for line in ("task: satisfaction (end)", "unless_recorded: satisfaction (end)"):
        edit(sponsorship / PROGRAM, line, line.replace("(end)", "(end of program)"))
    assert run("apply", "2027-08-16").code == 0
    published = issues(sponsorship)["sales-sponsorship/fy28-h1/tracking"].description
    block = published.split("begin scores-end")[1].split("end scores-end")[0]
    assert ("| Sponsee satisfaction (end of program) | 8.0 |" in block) is renamed, block


def test_a_sponsor_change_that_breaks_a_rule_changes_nobody_s_issues(sponsorship: Path) -> None:
    """A trial made Kenji's manager his sponsor: the run failed for the pair, yet assigned her
    to the pair's issue, unassigned Victor and withdrew his score issue (his 8/10 in it).
    Held, the pair's issues keep their people; fixed, nothing is left to undo."""
    assert run("apply", "2027-03-01").code == 0
    before = pair(sponsorship, "kenji.watanabe").assignees
    victor = "sales-sponsorship/fy28-h1/kenji.watanabe/sponsor-scores/victor.nakamura"
    match = "{sponsor: victor.nakamura, sponsee: kenji.watanabe}"
    edit(sponsorship / PROGRAM, match, match.replace("victor.nakamura", "dana.whitfield"))
    held = run("apply", "2027-03-10")
    assert held.code == 1 and "the sponsor is the sponsee's direct manager" in held.out
    assert "those made keep their people" in held.out and "withdrawn" not in held.out
    assert pair(sponsorship, "kenji.watanabe").assignees == before
    assert issues(sponsorship)[victor].state == "opened"
    edit(sponsorship / PROGRAM, match.replace("victor.nakamura", "dana.whitfield"), match)
    fixed = run("apply", "2027-03-11")
    assert fixed.code == 0 and "withdrawn" not in fixed.out and "assignees" not in fixed.out


def test_deleted_score_tasks_are_still_said_when_the_issue_completes(sponsorship: Path) -> None:
    """A review: a score issue made before any checkpoint closed, its start and mid tasks
    deleted, completed unsaid: it was measured against today's text, which leaves out the
    checkpoints closed since."""
    assert run("apply", "2027-01-25").code == 0
    key = "sales-sponsorship/fy28-h1/aiko.tanaka/sponsee-scores"
    path = path_of(sponsorship, key)
    text = path.read_text("utf-8")
    text = re.sub(r"- \[ \] Record your satisfaction \((start|mid-program)\)[^\n]*\n", "", text)
    path.write_text(text.replace("- [ ]", "- [x]").replace("__/10", "8/10"), "utf-8")
    result = run("apply", "2027-08-20")
    assert result.code == 0, result.out + result.err
    assert "status::complete" in issues(sponsorship)[key].labels
    assert len(lines_with(result, "is complete with 1 of the 3 tasks")) == 1, result.out


def test_a_team_template_that_asks_for_closed_checkpoints_is_said(sponsorship: Path) -> None:
    """A review: with a team's `scores.md.j2` from before `closed` (it asks for every
    checkpoint), Tom's score issues, made once the start figure was published, asked for it
    unsaid."""
    template = sponsorship / "templates/sales-sponsorship/scores.md.j2"
    edit(template, " if c.id not in closed %}", " %}", count=2)
    assert " if c.id not in closed" not in template.read_text("utf-8")
    assert run("apply", "2027-07-20").code == 0
    edit(sponsorship / PROGRAM, "sponsee: tom.reyes, status: approved", "sponsee: tom.reyes")
    result = run("apply", "2027-09-01")
    assert result.code == 0, result.out + result.err
    assert len(lines_with(result, "ask for checkpoints whose day is past (start)")) == 1, result.out


def test_a_score_issue_states_the_cohort_dates_configuration_gives(sponsorship: Path) -> None:
    """A year-long trial: the cohort's start moved a month later before it began; the pairs'
    table followed it, each person's score issue went on saying the old dates, and no
    warning named them (their due date is not among those dates), while seven warnings said
    "task no. 1", "task no. 2"... of the tasks whose dates moved."""
    assert run("apply", "2027-01-15").code == 0
    edit(sponsorship / PROGRAM, "      start: 2027-02-01\n", "      start: 2027-03-01\n")
    moved = run("apply", "2027-01-16")
    assert moved.code == 0
    # the checkpoints' dates in their tasks: one warning a section, not one a task
    (reworded,) = lines_with(moved, "'Satisfaction scores' differently")
    assert "words tasks no. 1, 2 and 3 in" in reworded and "keep their wording" in reworded
    assert len(lines_with(moved, "differently")) == 2, moved.out
    scores = [i for key, i in issues(sponsorship).items() if "-scores" in key]
    assert len(scores) == 2 * len(PAIRS)
    for issue in scores:
        assert "| Cohort | FY28 H1 cohort: 2027-03-01 to 2027-09-01 |" in issue.description
        assert "2027-02-01" not in issue.description
