"""Satisfaction scores stay private: each person records theirs in an issue of their own, and a
cohort's figure per checkpoint is published once, when the checkpoint closes, over at least the
minimum of answers, and never changes afterwards (so no score can be worked out by comparing
two published figures). On the shipped configuration, through the CLI, local backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.markers import block_content
from tests.conftest import keep_programs
from tests.e2e.test_lifecycle import notes
from tests.local_cli import edit, issues, path_of, run

H1 = "sales-sponsorship/fy28-h1"
COHORT = f"{H1}/tracking"
SPONSEES = ("aiko.tanaka", "lena.fischer", "sam.delacroix", "kenji.watanabe")
SPONSORS = dict(
    zip(
        SPONSEES,
        ("jordan.alvarez", "hannah.berg", "dana.whitfield", "victor.nakamura"),
        strict=True,
    )
)
BEFORE_CLOSE = "2027-02-20"  # the start checkpoint is 2027-02-15; it closes on 2027-03-01
CLOSED = "2027-03-01"


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply", BEFORE_CLOSE).code == 0
    return shipped


def record(  # noqa: PLR0917
    root: Path, sponsee: str, side: str, label: str, score: str, sponsor: str | None = None
) -> None:
    """A person writes their score in their own issue."""
    path = path_of(root, scores_key(sponsee, side, sponsor))
    edit(path, f"{label}: __/10", f"{label}: {score}")


def scores_key(sponsee: str, side: str, sponsor: str | None = None) -> str:
    """A score issue's key: the sponsor's names them."""
    if side == "sponsee":
        return f"{H1}/{sponsee}/sponsee-scores"
    return f"{H1}/{sponsee}/sponsor-scores/{sponsor or SPONSORS[sponsee]}"


def published(root: Path, block: str = "scores-start") -> str:
    return block_content(issues(root)[COHORT].description, block) or ""


def apply(today: str) -> None:
    result = run("apply", today)
    assert result.code == 0, result.out + result.err


def test_each_person_has_their_own_score_issue_assigned_to_them_alone(sponsorship: Path) -> None:
    found = issues(sponsorship)
    sponsee = found[f"{H1}/lena.fischer/sponsee-scores"]
    sponsor = found[scores_key("lena.fischer", "sponsor")]
    assert sponsee.assignees == ("lena.fischer",) and sponsee.confidential
    assert sponsor.assignees == ("hannah.berg",) and sponsor.confidential
    assert "Sponsee satisfaction (start): __/10" in sponsee.description
    assert "Sponsor satisfaction" not in sponsee.description
    # the pair issue, which sponsor, sponsee and manager all read, holds no score line
    assert "satisfaction (start): __" not in found[f"{H1}/lena.fischer"].description


def test_scores_recorded_one_at_a_time_change_no_published_figure_until_close(
    sponsorship: Path,
) -> None:
    root = sponsorship
    seen = [published(root)]
    answers = [
        (s, "sponsee", "Sponsee satisfaction (start)", v)
        for s, v in zip(SPONSEES, ("8/10", "6", "7", "9"), strict=True)
    ] + [
        ("aiko.tanaka", "sponsor", "Sponsor satisfaction (start)", "9"),
        ("lena.fischer", "sponsor", "Sponsor satisfaction (start)", "5"),
    ]
    for sponsee, side, label, score in answers:
        record(root, sponsee, side, label, score)
        apply(BEFORE_CLOSE)
        seen.append(published(root))
    assert len(set(seen)) == 1, "a figure changed before the checkpoint closed"
    assert "Not published yet" in seen[0]
    assert "|" not in seen[0] and "answers:" not in seen[0]  # no figure, not even a count
    apply(CLOSED)  # the date plus the grace period: it closes with 4 + 2 answers
    final = published(root)
    assert "| Sponsee satisfaction (start) | 7.5 | 4 |" in final
    # two sponsors answered, fewer than the minimum of 3: no figure, ever
    assert "| Sponsor satisfaction (start) | not published: fewer than 3 answers | – |" in final
    # the day it closed, not only the run's (a year's simulation: "when this closed" named
    # the first run after, two weeks late)
    assert f"Published on {CLOSED}, when this closed;" in final
    # a late answer and a changed answer: the published block stays exactly as it was
    record(root, "sam.delacroix", "sponsor", "Sponsor satisfaction (start)", "2")
    edit(
        path_of(root, f"{H1}/kenji.watanabe/sponsee-scores"),
        "Sponsee satisfaction (start): 9",
        "Sponsee satisfaction (start): 1",
    )
    apply("2027-03-05")
    apply("2027-06-01")
    assert published(root) == final


def test_a_checkpoint_closes_early_once_every_score_is_in(sponsorship: Path) -> None:
    root = sponsorship
    for n, sponsee in enumerate(SPONSEES):
        record(root, sponsee, "sponsee", "Sponsee satisfaction (mid-program)", str(5 + n))
        record(root, sponsee, "sponsor", "Sponsor satisfaction (mid-program)", "8")
        apply("2027-04-01")
        assert "Not published yet" in published(root, "scores-mid")
    # all eight in long before its date: nothing shown until the date itself (a tester: the
    # whole form filled in on day one sealed even the end-of-program figure months early)
    apply("2027-05-01")
    assert "Not published yet" in published(root, "scores-mid")
    apply("2027-05-02")  # its date, two weeks before the grace period ends: all are in
    final = published(root, "scores-mid")
    assert "| Sponsee satisfaction (mid-program) | 6.5 | 4 |" in final
    assert "| Sponsor satisfaction (mid-program) | 8.0 | 4 |" in final
    assert "automation:sealed" in final
    assert "Published on 2027-05-02, when this closed;" in final  # early, when all were in
    # the start checkpoint closed on its own date plus grace (2027-03-01) with no answer,
    # published by the first run after it (2027-04-01): nothing shown, and both dates said
    start = published(root, "scores-start")
    assert start.count("not published: fewer than 3 answers") == 2
    assert "Published on 2027-04-01, by the first run after it closed on 2027-03-01;" in start


def test_a_checkpoint_with_too_few_answers_to_show_is_not_sealed_before_its_date(
    sponsorship: Path,
) -> None:
    """A tester's finding: every score in long before the date, but fewer than the minimum
    to publish, sealed "not published" for good; answers from pairs released later could
    never count. Now it waits for its date."""
    program = sponsorship / "config/programs/sales-sponsorship.yml"
    edit(program, "    min_answers: 3\n", "    min_answers: 5\n")
    for sponsee in SPONSEES:
        record(sponsorship, sponsee, "sponsee", "Sponsee satisfaction (mid-program)", "7")
        record(sponsorship, sponsee, "sponsor", "Sponsor satisfaction (mid-program)", "8")
    apply("2027-04-01")  # all eight are in, four a side: fewer than five
    assert "automation:sealed" not in published(sponsorship, "scores-mid")
    apply("2027-05-20")  # its date (2027-05-02) and the grace passed: sealed, not shown
    final = published(sponsorship, "scores-mid")
    assert "automation:sealed" in final and "fewer than 5 answers" in final


def test_a_deleted_line_does_not_hold_a_checkpoint_open_and_nothing_is_shown_per_pair(
    sponsorship: Path,
) -> None:
    root = sponsorship
    for n, sponsee in enumerate(SPONSEES):
        record(root, sponsee, "sponsor", "Sponsor satisfaction (mid-program)", "7")
        if n:  # aiko's sponsee line is deleted: she chose not to answer
            record(root, sponsee, "sponsee", "Sponsee satisfaction (mid-program)", "6")
    edit(
        path_of(root, f"{H1}/aiko.tanaka/sponsee-scores"),
        "- Sponsee satisfaction (mid-program): __/10\n",
        "",
    )
    apply("2027-05-02")  # its date: every line left has its value
    mid = published(root, "scores-mid")
    assert "| Sponsee satisfaction (mid-program) | 6.0 | 3 |" in mid
    assert "| Sponsor satisfaction (mid-program) | 7.0 | 4 |" in mid
    cohort = issues(root)[COHORT].description
    shown = cohort.split("begin scores-start")[1].split("end advancement")[0]
    for sponsee in SPONSEES:
        assert sponsee not in shown and sponsee.split(".")[0] not in shown.lower()
    tracking = issues(root)["sales-sponsorship/tracking"].description
    assert "#### Recorded values" not in tracking  # no figure is averaged on every run
    assert "satisfaction (mid-program)" not in tracking.lower()


ADVANCED = "Advanced within twelve months"
MANAGERS = {
    "aiko.tanaka": "priya.natarajan",
    "lena.fischer": "marcus.oyelaran",
    "sam.delacroix": "priya.natarajan",
    "kenji.watanabe": "dana.whitfield",
}


def test_career_advancement_is_asked_twelve_months_after_the_end_and_its_rate_published_once(
    sponsorship: Path,
) -> None:
    root = sponsorship
    apply("2028-07-31")  # the cohort ended on 2027-08-01
    assert not [k for k in issues(root) if k.endswith("/advancement")]
    apply("2028-08-01")
    found = issues(root)
    for sponsee, manager in MANAGERS.items():
        asked = found[f"{H1}/{sponsee}/advancement"]
        assert asked.assignees == (manager,) and asked.confidential
        assert str(asked.due_date) == "2028-08-15"
        assert "between 2027-08-01 and 2028-08-01" in asked.description
    for sponsee, answer in zip(MANAGERS, ("1", "0", "1"), strict=False):
        edit(
            path_of(root, f"{H1}/{sponsee}/advancement"),
            f"{ADVANCED}: __/1",
            f"{ADVANCED}: {answer}",
        )
        apply("2028-08-05")
        assert "Not published yet" in published(root, "advancement")
    # no rollup lists them: a row would show which manager has answered (a reviewer's)
    for rollup in (COHORT, "sales-sponsorship/tracking"):
        assert "career advancement" not in issues(root)[rollup].description
    apply("2028-08-15")  # its date plus the grace period
    rate = published(root, "advancement")
    assert f"| {ADVANCED} | 67% | 3 |" in rate
    # published once: an unanswered issue is ended from then on, not overdue for good
    assert _status(root, f"{H1}/kenji.watanabe/advancement") == ["status::ended"]
    edit(path_of(root, f"{H1}/kenji.watanabe/advancement"), f"{ADVANCED}: __/1", f"{ADVANCED}: 1")
    apply("2028-09-01")
    assert published(root, "advancement") == rate


def _status(root: Path, key: str) -> list[str]:
    return [label for label in issues(root)[key].labels if label.startswith("status::")]


def test_a_score_issue_left_open_ends_when_its_last_checkpoint_closes_not_overdue_for_ever(
    sponsorship: Path,
) -> None:
    """The end checkpoint (the cohort's last day, 2027-08-01) closes on 2027-08-15: after
    that no score it holds is published, so an unanswered issue is ended, as its pair's issue
    is, not overdue for good. One answered in full stays complete."""
    root = sponsorship
    lena, kenji = f"{H1}/lena.fischer/sponsee-scores", scores_key("kenji.watanabe", "sponsor")
    path = path_of(root, lena)
    edit(path, "- [ ]", "- [x]", 3)
    for label in ("start", "mid-program", "end"):
        edit(path, f"satisfaction ({label}): __/10", f"satisfaction ({label}): 8")
    apply("2027-08-14")
    assert _status(root, kenji) == ["status::not started"]
    for day in ("2027-08-15", "2027-12-01"):
        apply(day)
        assert _status(root, kenji) == ["status::ended"]
        assert _status(root, f"{H1}/kenji.watanabe") == ["status::ended"]  # the pair's issue
        assert _status(root, lena) == ["status::complete"]
    tracking = issues(root)["sales-sponsorship/tracking"].description
    assert "overdue" not in (block_content(tracking, "rollup") or "").lower()


def test_a_new_sponsor_gets_a_score_issue_of_their_own_and_the_old_ones_answer_stays_theirs(
    sponsorship: Path,
) -> None:
    """Lena's sponsor changes from Hannah to Dana after Hannah answered: Hannah's issue, with
    her score, stays hers (withdrawn, never assigned to Dana, nobody told of it); Dana gets a
    blank issue of her own, and the sponsors' figure counts Dana's answer, not Hannah's."""
    root = sponsorship
    record(root, "lena.fischer", "sponsor", "Sponsor satisfaction (start)", "3")
    program = root / "config" / "programs" / "sales-sponsorship.yml"
    edit(
        program,
        "{sponsor: hannah.berg, sponsee: lena.fischer}",
        "{sponsor: dana.whitfield, sponsee: lena.fischer}",
    )
    result = run("apply", BEFORE_CLOSE)
    assert result.code == 0, result.out + result.err
    found = issues(root)
    hannahs = found[scores_key("lena.fischer", "sponsor", "hannah.berg")]
    danas = found[scores_key("lena.fischer", "sponsor", "dana.whitfield")]
    assert hannahs.assignees == ("hannah.berg",)
    assert "status::withdrawn" in hannahs.labels and hannahs.state == "closed"
    assert "Sponsor satisfaction (start): 3" in hannahs.description
    assert "dana" not in hannahs.description.lower()  # no note, no mention of the new sponsor
    assert danas.assignees == ("dana.whitfield",) and danas.confidential
    assert "Sponsor satisfaction (start): __/10" in danas.description
    assert hannahs.iid != danas.iid
    assert "hannah" not in result.out.lower() + result.err.lower()  # a confidential program
    for sponsee in ("aiko.tanaka", "sam.delacroix", "kenji.watanabe"):
        record(root, sponsee, "sponsor", "Sponsor satisfaction (start)", "9")
    record(root, "lena.fischer", "sponsor", "Sponsor satisfaction (start)", "6", "dana.whitfield")
    apply(CLOSED)
    assert "| Sponsor satisfaction (start) | 8.3 | 4 |" in published(root)  # (9+9+9+6)/4 = 8.25
    assert "\nNo changes:" in run("plan", CLOSED).out
    # the rollups list pairs, never score issues, withdrawn or not (a tester saw Hannah's
    # withdrawn score issue as a row of the cohort's, "1 withdrawn" of no pair; a year's
    # review, Dana's in the program's, showing who had answered)
    for rollup in (COHORT, "sales-sponsorship/tracking"):
        listed = found[rollup].description
        assert f"#{hannahs.iid} " not in listed and f"#{danas.iid} " not in listed, listed
        assert "withdrawn" not in listed.split("automation:begin rollup")[1], listed


def test_a_score_issue_made_before_keys_named_the_sponsor_is_taken_over_not_made_again(
    sponsorship: Path,
) -> None:
    """An issue keyed `.../sponsor-scores` by an earlier version is the configured sponsor's:
    its key line is renamed; no second issue, no withdrawal."""
    root = sponsorship
    new = scores_key("lena.fischer", "sponsor")
    old = new.rsplit("/", 1)[0]
    path = path_of(root, new)
    for file in (root / ".automation" / "issues").glob("*.md"):  # its key line, and the index
        text = file.read_text(encoding="utf-8")
        if new in text:
            file.write_text(text.replace(new, old), encoding="utf-8")
    before = len(issues(root))
    result = run("apply", BEFORE_CLOSE)
    assert result.code == 0, result.out + result.err
    found = issues(root)
    assert len(found) == before
    assert path_of(root, new) == path and found[new].state == "opened"
    assert found[new].assignees == ("hannah.berg",)
    assert "status::withdrawn" not in found[new].labels
    assert "\nNo changes:" in run("plan", BEFORE_CLOSE).out


def test_a_sponsee_who_types_the_sponsors_former_key_takes_nothing_from_the_sponsor(
    sponsorship: Path,
) -> None:
    """Aiko changes her score issue's first line to `.../sponsor-scores`, the key sponsors'
    score issues had before they named the sponsor: the index says which issue is Jordan's,
    so his stays his and his answer counts; Aiko's issue gets its own line back."""
    root = sponsorship
    aiko = scores_key("aiko.tanaka", "sponsee")
    path = path_of(root, aiko)
    edit(path, f"automation:key={aiko} ", f"automation:key={H1}/aiko.tanaka/sponsor-scores ")
    for sponsee in SPONSEES:
        record(root, sponsee, "sponsor", "Sponsor satisfaction (start)", "9")
    result = run("apply", CLOSED)
    assert result.code == 0, result.out
    assert "first line named another item" in result.out  # Aiko's own line is put back
    assert "renamed_from" not in result.out
    assert "| Sponsor satisfaction (start) | 9.0 | 4 |" in published(root)
    assert f"automation:key={aiko} " in path.read_text(encoding="utf-8")


def test_the_cohorts_ended_note_lists_pairs_only(sponsorship: Path) -> None:
    """A reviewer's finding: the cohort's ended note, on its rollup issue, listed and counted
    a former sponsor's withdrawn score issue (its title only she may read)."""
    program = sponsorship / "config" / "programs" / "sales-sponsorship.yml"
    edit(
        program,
        "{sponsor: hannah.berg, sponsee: lena.fischer}",
        "{sponsor: dana.whitfield, sponsee: lena.fischer}",
    )
    assert run("apply", BEFORE_CLOSE).code == 0
    hannahs = issues(sponsorship)[scores_key("lena.fischer", "sponsor", "hannah.berg")]
    assert "status::withdrawn" in hannahs.labels
    ended = run("apply", "2027-08-15")  # the cohort ended on 2027-08-01
    assert ended.code == 0, ended.out + ended.err
    said = notes(sponsorship, issues(sponsorship)[COHORT])
    assert "automation:note ended fy28-h1" in said, said
    assert f"#{hannahs.iid} " not in said and "withdrawn" not in said, said


def test_a_finished_score_issue_of_a_pair_taken_out_follows_its_ticks(
    sponsorship: Path,
) -> None:
    """A tester's: Kenji's score issue, complete, then his pair taken out of the cohort, then
    a task unticked: the issue kept saying 100% and complete while the program's rollup said
    66% and in progress."""
    key = f"{H1}/kenji.watanabe/sponsee-scores"
    path = path_of(sponsorship, key)
    path.write_text(path.read_text("utf-8").replace("- [ ] Record", "- [x] Record"), "utf-8")
    apply(BEFORE_CLOSE)
    assert "status::complete" in issues(sponsorship)[key].labels
    program = sponsorship / "config/programs/sales-sponsorship.yml"
    text = program.read_text("utf-8")
    line = next(x for x in text.splitlines(keepends=True) if "sponsee: kenji.watanabe" in x)
    program.write_text(text.replace(line, ""), "utf-8")
    apply("2027-02-22")
    path.write_text(path.read_text("utf-8").replace("- [x] Record", "- [ ] Record", 1), "utf-8")
    apply("2027-03-01")
    issue = issues(sponsorship)[key]
    assert "status::in progress" in issue.labels and "progress::50-74%" in issue.labels
    tracking = issues(sponsorship)["sales-sponsorship/tracking"].description
    assert f"| #{issue.iid} " not in tracking  # in no rollup, withdrawn or not


def test_a_score_written_with_its_box_unticked_is_not_asked_for_again(shipped: Path) -> None:
    """A year's simulation: Aiko wrote her start score and left its task unticked; on the
    checkpoint's day she was asked to record it, though the published figure counted it.
    The shipped reminders say `unless_recorded`; Lena, who wrote none, is reminded."""
    keep_programs(shipped, "sales-sponsorship")
    apply("2026-12-04")
    record(shipped, "aiko.tanaka", "sponsee", "Sponsee satisfaction (start)", "8/10")
    apply("2027-02-15")
    found = issues(shipped)
    assert "automation:note reminder satisfaction-start" not in notes(
        shipped, found[scores_key("aiko.tanaka", "sponsee")]
    )
    lena = notes(shipped, found[scores_key("lena.fischer", "sponsee")])
    assert "**Reminder: please record your satisfaction (start)**" in lena


def test_unless_recorded_must_name_a_value_the_program_records(shipped: Path) -> None:
    keep_programs(shipped, "sales-sponsorship")
    program = shipped / "config/programs/sales-sponsorship.yml"
    edit(program, "unless_recorded: satisfaction (start)", "unless_recorded: happiness")
    result = run("validate")
    assert result.code == 2 and "Traceback" not in result.err
    assert "reminder 'satisfaction-start': no value this program records" in result.err


def test_a_score_task_ticked_with_no_score_written_is_still_reminded(shipped: Path) -> None:
    """A trial: Kenji ticked "Record your satisfaction (start)" and left `__/10`: his box
    said done, so the checkpoint's reminder skipped him, and his answer never counted. With
    `unless_recorded`, the value decides, not the box."""
    keep_programs(shipped, "sales-sponsorship")
    apply("2026-12-04")
    key = scores_key("kenji.watanabe", "sponsee")
    edit(
        path_of(shipped, key),
        "- [ ] Record your satisfaction (start)",
        "- [x] Record your satisfaction (start)",
    )
    apply("2027-02-15")
    said = notes(shipped, issues(shipped)[key])
    assert "**Reminder: please record your satisfaction (start)**" in said
