"""Reminders through the CLI on the local backend, as a program lead rehearses them: `plan`
lists what a run would send, `apply` sends each once, and the notes are files to read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, issues, path_of, run

PROGRAM = Path("config/programs/sales-onboarding.yml")
TOM = "sales-onboarding/tom.reyes"  # workshop amer-2026-12 starts 2026-12-07


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    """The shipped onboarding program (its `sqs-pre-work` reminder: 3 days before the
    pre-work is due, itself 3 days before the workshop, to the hire and their manager),
    created on 2026-11-24."""
    keep_programs(shipped, "sales-onboarding")
    assert run("apply").code == 0
    return shipped


def notes(root: Path, key: str) -> str:
    path = root / ".automation" / "notes" / f"{issues(root)[key].iid}.md"
    return path.read_text("utf-8") if path.is_file() else ""


def test_plan_lists_the_reminders_apply_sends_once(onboarding: Path) -> None:
    tom = issues(onboarding)[TOM].iid
    assert "reminder" not in run("plan", "2026-11-30").out  # not yet
    planned = run("plan", "2026-12-01")
    assert f"add reminder to #{tom} [{TOM}]: **Reminder: the SQS pre-work is due" in planned.out
    assert notes(onboarding, TOM) == ""  # plan writes nothing
    applied = run("apply", "2026-12-01")
    assert applied.code == 0 and f"added reminder to #{tom} [{TOM}]" in applied.out
    note = notes(onboarding, TOM)
    assert "<!-- automation:note reminder sqs-pre-work 2026-12-01 -->" in note
    assert "@tom.reyes @dana.whitfield" in note and "learning path" in note
    for today in ("2026-12-01", "2026-12-03"):
        again = run("apply", today)
        assert "reminder" not in again.out and "No changes" in again.out
    assert notes(onboarding, TOM).count("automation:note reminder") == 1


def test_a_closed_issue_gets_no_reminder(onboarding: Path) -> None:
    edit(path_of(onboarding, TOM), "state: opened", "state: closed")
    assert "reminder" not in run("apply", "2026-12-01").out
    assert notes(onboarding, TOM) == ""


def test_ticked_tasks_are_left_out_of_the_note(onboarding: Path) -> None:
    path = path_of(onboarding, TOM)
    edit(path, "- [ ] **New hire:** Complete the Sales Quick Start", "- [x] **New hire:** Complete")
    assert run("apply", "2026-12-01").code == 0
    note = notes(onboarding, TOM)
    assert "mock discovery call" in note and "learning path" not in note
    other = run("apply", "2026-12-02")
    assert "reminder" not in other.out


def test_only_the_remind_step_sends_them(onboarding: Path) -> None:
    sync = run("apply", "2026-12-01", "--steps", "labels,progress")
    assert "reminder" not in sync.out and notes(onboarding, TOM) == ""
    remind = run("apply", "2026-12-01", "--steps", "remind")
    assert "added reminder" in remind.out and "reminder sqs-pre-work" in notes(onboarding, TOM)


def test_a_reminder_mistake_stops_the_run_at_its_line(onboarding: Path) -> None:
    PROGRAM.write_text(
        PROGRAM.read_text(encoding="utf-8").replace("before prework_due", "before prework_begin"),
        encoding="utf-8",
    )
    result = run("plan", "2026-12-01")
    assert result.code == 2 and "Traceback" not in result.err
    line = next(
        n for n, t in enumerate(PROGRAM.read_text(encoding="utf-8").splitlines(), 1) if "begin" in t
    )
    assert (
        f"{PROGRAM}:{line}: reminder 'sqs-pre-work': this program's issues have no date "
        "'prework_begin'"
    ) in result.err


def test_an_account_whose_commitment_ended_gets_no_reminder(shipped: Path) -> None:
    """Globex's commitment ends on 2027-01-31: its January session, still open and labelled
    `status::ended`, is not reminded of on 2027-02-07 (its people would be told of something
    over); an account that goes on still is."""
    keep_programs(shipped, "executive-sponsorship")
    assert run("apply", "2027-01-20").code == 0
    assert run("apply", "2027-02-01").code == 0
    globex = issues(shipped)["executive-sponsorship/account/globex/monthly/2027-01"]
    initech = issues(shipped)["executive-sponsorship/account/initech/monthly/2027-01"]
    assert "status::ended" in globex.labels
    result = run("apply", "2027-02-07")
    assert result.code == 0 and f"added reminder to #{initech.iid} " in result.out
    assert f"#{globex.iid} " not in result.out and not notes(shipped, globex.key or "")


def test_an_issue_of_a_cohort_that_ended_gets_no_reminder(shipped: Path) -> None:
    """The CSM pilot group ends on 2027-04-30: a reminder on its last day still goes, a run
    two days later (within `late_days`) sends it no more."""
    keep_programs(shipped, "csm-aspiring-leaders")
    program = shipped / "config/programs/csm-aspiring-leaders.yml"
    edit(program, "when: 14 days before end", "when: on end")
    sam = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    assert run("apply").code == 0
    assert "reminder" not in run("apply", "2027-05-02").out
    assert notes(shipped, sam) == ""
    assert f"[{sam}]" in run("plan", "2027-04-30").out  # the day itself: not over yet


@pytest.mark.parametrize(
    ("program", "key", "lead", "section", "when"),
    [
        (
            "csm-aspiring-leaders",
            "fy27-pilot/sam.delacroix",
            "chloe.winters",
            "Module 3: Practice",
            "2027-04-30",
        ),
        ("sales-sponsorship", "fy28-h1/aiko.tanaka", "riley.chen", "Advocate", "2027-08-01"),
    ],
)
def test_the_programs_lead_is_its_program_lead_without_a_reminders_setting(  # noqa: PLR0917
    shipped: Path, program: str, key: str, lead: str, section: str, when: str
) -> None:
    """A year's review: a program naming its lead (`lead`, `sponsorship.lead`) was refused a
    reminder `for: [program_lead]` ("this program's issues have no program_lead") unless
    `reminders.program_lead` named them again."""
    keep_programs(shipped, program, csm_group=True)  # the CSM pilot's lead with it
    path = shipped / "config/programs" / f"{program}.yml"
    text = path.read_text("utf-8")
    send = "reminders:\n  send:\n"
    assert send in text
    lead_reminder = (
        f"    - {{id: to-the-lead, when: on end, section: '{section}', for: [program_lead]}}\n"
    )
    path.write_text(text.replace(send, send + lead_reminder), "utf-8")
    assert run("apply").code == 0
    applied = run("apply", when)
    assert applied.code == 0, applied.out + applied.err
    note = notes(shipped, f"{program}/{key}")
    assert "automation:note reminder to-the-lead" in note and f"@{lead}" in note, note


def test_the_sponsorship_lead_is_the_program_lead_of_score_issues_too(shipped: Path) -> None:
    """A reviewer's: a reminder of the score issues `for: [program_lead]` was accepted (the
    program names its lead) and mentioned nobody: score issues had no such role."""
    keep_programs(shipped, "sales-sponsorship")
    path = shipped / "config/programs/sales-sponsorship.yml"
    send = "reminders:\n  send:\n"
    lead = (
        "    - {id: lead-start, when: on checkpoint_start, task: satisfaction (start),\n"
        "       for: [program_lead]}\n"
    )
    edit(path, send, send + lead)
    assert run("apply").code == 0
    assert run("apply", "2027-02-15").code == 0
    note = notes(shipped, "sales-sponsorship/fy28-h1/aiko.tanaka/sponsee-scores")
    assert "automation:note reminder lead-start" in note and "@riley.chen" in note, note


def test_a_person_who_joined_after_a_reminders_day_is_not_reminded_of_it_late(
    shipped: Path,
) -> None:
    """A tester's finding: a participant added four days after the pilot group's "14 days
    before end" day was told, by the run that made his issue, that his tasks were "still open
    on 2027-04-16 (this reminder comes late)". Those already in the group are still reminded
    late, as before."""
    keep_programs(shipped, "csm-aspiring-leaders")
    program = shipped / "config/programs/csm-aspiring-leaders.yml"
    assert run("apply", "2027-04-01").code == 0
    edit(program, "      - lena.fischer\n", "      - lena.fischer\n      - kenji.watanabe\n")
    result = run("apply", "2027-04-20")
    kenji, sam = (
        f"csm-aspiring-leaders/fy27-pilot/{name}" for name in ("kenji.watanabe", "sam.delacroix")
    )
    assert result.code == 0 and f"[{kenji}], assigned to kenji.watanabe" in result.out
    assert notes(shipped, kenji) == ""
    assert "comes late" in notes(shipped, sam)


def test_a_reminder_days_before_a_date_is_not_sent_late_once_that_date_came(
    onboarding: Path,
) -> None:
    """A tester's finding: with the pipeline down, "the SQS pre-work is due in 3 days, before
    your workshop" went out after the workshop had started. Late, it still goes while its
    date is ahead; not once that date has come."""
    assert "reminder" not in run("apply", "2026-12-04", "--steps", "remind").out  # due that day
    assert notes(onboarding, TOM) == ""
    early = run("apply", "2026-12-03", "--steps", "remind")  # late, but before the date
    assert "added reminder" in early.out and "comes late" in notes(onboarding, TOM)


def test_a_digest_lists_a_reminder_whose_day_came_after_its_weeks_last_run(
    onboarding: Path,
) -> None:
    """A tester's finding: with `digest: true`, a reminder due on a day after the week's last
    run (a weekday schedule; runs missed) was never listed anywhere, `late_days` or not."""
    edit(PROGRAM, "      when: 3 days before prework_due\n", "      when: on prework_due\n")
    edit(PROGRAM, "reminders:\n  send:\n", "reminders:\n  digest: true\n  send:\n")
    tracking = "sales-onboarding/tracking"
    for day in ("2026-11-30", "2026-12-03"):  # Monday, Thursday; Tom's day is Friday 12-04
        assert run("apply", day, "--steps", "remind").code == 0
    assert "2026-12-04" not in notes(onboarding, tracking)
    monday = run("apply", "2026-12-07", "--steps", "remind")
    assert monday.code == 0 and "reminder digest" in monday.out, monday.out
    said = notes(onboarding, tracking)
    assert "reminders-digest 2026-W50" in said
    tom = issues(onboarding)[TOM].iid
    assert any(f"#{tom} " in line and "(2026-12-04)" in line for line in said.splitlines())
    again = run("apply", "2026-12-08", "--steps", "remind")
    assert "digest" not in again.out and "No changes" in again.out


def _digest_program(late_days: int | None = None) -> None:
    """Onboarding with `digest: true` (and LATE_DAYS), Tom's pre-work reminder on its date."""
    edit(PROGRAM, "      when: 3 days before prework_due\n", "      when: on prework_due\n")
    more = f"  late_days: {late_days}\n" if late_days is not None else ""
    edit(PROGRAM, "reminders:\n  send:\n", f"reminders:\n  digest: true\n{more}  send:\n")


def _listing_tom(root: Path, week: str) -> bool:
    """Whether the digest of WEEK lists Tom's occasion of 2026-12-04."""
    tom = issues(root)[TOM].iid
    said = notes(root, "sales-onboarding/tracking")
    digest = next((part for part in said.split("<!-- automation:note ") if week in part), "")
    return any(f"#{tom} " in line and "(2026-12-04)" in line for line in digest.splitlines())


def test_a_late_digest_entry_is_listed_in_one_digest_however_long_late_days(
    onboarding: Path,
) -> None:
    """A reviewer's finding: with `late_days: 14`, an occasion its week's digest missed was
    listed again in each later week's digest, mentioning its people each time."""
    _digest_program(late_days=14)
    for day in ("2026-11-30", "2026-12-03", "2026-12-07", "2026-12-14"):
        assert run("apply", day, "--steps", "remind").code == 0
    assert _listing_tom(onboarding, "2026-W50") and not _listing_tom(onboarding, "2026-W51")


def test_a_digest_template_of_the_teams_own_does_not_make_entries_listed_again(
    onboarding: Path,
) -> None:
    """A reviewer's finding: whether a digest listed an occasion was read from the template's
    text (`- #12 ... (day)`): a team's template with `* ` bullets relisted last week's every
    open occasion each Monday. The tool marks what a digest lists in hidden lines of its own."""
    _digest_program()
    template = Path("templates/blocks/reminder-digest.md.j2")
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "\n- {{ entry.issue }}", "\n* {{ entry.issue }}"
        ),
        encoding="utf-8",
    )
    for day in ("2026-11-30", "2026-12-04", "2026-12-07"):
        assert run("apply", day, "--steps", "remind").code == 0
    tom = issues(onboarding)[TOM].iid
    said = notes(onboarding, "sales-onboarding/tracking")
    assert said.count(f"<!-- automation:listed {tom} sqs-pre-work 2026-12-04 -->") == 1, said


def test_a_digest_keeps_an_entry_listed_on_time_when_its_date_comes(onboarding: Path) -> None:
    """A reviewer's finding: an entry listed on time (3 days before the pre-work's date) was
    dropped from the week's digest on that date, which then said every task was done."""
    edit(PROGRAM, "reminders:\n  send:\n", "reminders:\n  digest: true\n  send:\n")
    assert run("apply", "2026-12-01", "--steps", "remind").code == 0
    later = run("apply", "2026-12-04", "--steps", "remind")
    assert "digest" not in later.out, later.out
    assert "every task these reminders named is done" not in notes(
        onboarding, "sales-onboarding/tracking"
    )


def test_a_digest_does_not_list_for_the_first_time_a_reminder_whose_date_came(
    onboarding: Path,
) -> None:
    """A reviewer's finding: runs missed from Tuesday, the Friday digest listed "the pre-work
    is due in 3 days" on the pre-work's day, mentioning its people."""
    edit(PROGRAM, "reminders:\n  send:\n", "reminders:\n  digest: true\n  send:\n")
    for day in ("2026-11-30", "2026-12-04"):
        assert run("apply", day, "--steps", "remind").code == 0
    assert "sqs-pre-work" not in notes(onboarding, "sales-onboarding/tracking")


def test_a_late_digest_entry_stays_listed_when_its_date_comes(onboarding: Path) -> None:
    """A reviewer's finding: listed late on Monday, an entry was dropped on Friday, its date,
    and the digest said every task was done."""
    edit(
        PROGRAM,
        "      when: 3 days before prework_due\n",
        "      when: 5 days before prework_due\n",
    )
    edit(PROGRAM, "reminders:\n  send:\n", "reminders:\n  digest: true\n  send:\n")
    for day in ("2026-11-26", "2026-11-30"):  # Thursday; then Monday, the 29th's entry late
        assert run("apply", day, "--steps", "remind").code == 0
    assert _listing(onboarding, "2026-11-29")
    friday = run("apply", "2026-12-04", "--steps", "remind")
    assert "digest" not in friday.out and _listing(onboarding, "2026-11-29"), friday.out


def _listing(root: Path, day: str) -> bool:
    tom = issues(root)[TOM].iid
    return f"<!-- automation:listed {tom} sqs-pre-work {day} -->" in notes(
        root, "sales-onboarding/tracking"
    )


def test_a_digest_written_before_its_hidden_lines_is_read_by_its_text(onboarding: Path) -> None:
    """A reviewer's finding: after upgrading, last week's digest (no hidden lines) was taken
    to list nothing, and every open occasion of it was listed again, its people told again."""
    _digest_program()
    for day in ("2026-11-30", "2026-12-04"):
        assert run("apply", day, "--steps", "remind").code == 0
    path = (
        onboarding
        / ".automation"
        / "notes"
        / f"{issues(onboarding)['sales-onboarding/tracking'].iid}.md"
    )
    text = path.read_text("utf-8")
    kept = [line for line in text.splitlines() if "automation:listed" not in line]
    path.write_text("\n".join(kept) + "\n", "utf-8")
    assert run("apply", "2026-12-07", "--steps", "remind").code == 0
    assert not _listing_tom(onboarding, "2026-W50")


def test_a_reminded_issue_is_counted_once_in_the_summary(onboarding: Path) -> None:
    """A tester's: a day of reminders summed to more issues than there are (each reminded
    issue was both updated and unchanged)."""
    applied = run("apply", "2026-12-01")
    found = re.search(r"Summary: (\d+) created, (\d+) updated, (\d+) unchanged", applied.out)
    assert found is not None and "added reminder" in applied.out, applied.out
    created, updated, unchanged = map(int, found.groups())
    assert created + updated + unchanged == len(issues(onboarding)), applied.out


def test_a_new_weeks_digest_leaves_last_weeks_people_unmentioned(onboarding: Path) -> None:
    """A tester: everyone a digest ever mentioned is one of the tracking issue's participants,
    whom GitLab e-mails each new note: Tom and his manager, named in one week's digest, were
    e-mailed every later week's, about others. Before a new week's digest is posted, the
    earlier ones keep their people's names but mention no one (an edit notifies no one)."""
    edit(PROGRAM, "reminders:\n  send:\n", "reminders:\n  digest: true\n  send:\n")
    tracking = "sales-onboarding/tracking"
    assert run("apply", "2026-12-01", "--steps", "remind").code == 0
    first = notes(onboarding, tracking)
    assert "@tom.reyes" in first and "@dana.whitfield" in first
    planned = run("plan", "2026-12-08", "--steps", "remind").out
    said = [line for line in planned.splitlines() if "reminder digest" in line]
    assert said[0].startswith("update reminder digest") and "2026-11-30" in said[0], said
    assert said[1].startswith("add reminder digest") and "2026-12-07" in said[1], said
    assert run("apply", "2026-12-08", "--steps", "remind").code == 0
    w49, w50 = notes(onboarding, tracking).split("reminders-digest 2026-W50")
    assert "@tom.reyes" not in w49 and "@\u200btom.reyes" in w49 and "Tom Reyes" in w49
    assert "@arjun.mehta" in w50 and "@lukas.brandt" in w50
    assert "No changes" in run("apply", "2026-12-09", "--steps", "remind").out


def test_an_onboarding_reminder_before_its_issue_is_made_is_refused(onboarding: Path) -> None:
    """A reviewer: `20 days before start` was refused in a participants program and accepted
    in onboarding, whose issues are made `onboarding.create_days_before_start` (14) days
    before the start: it was never sent."""
    edit(PROGRAM, "      when: on ready\n", "      when: 20 days before start\n")
    result = run("validate")
    assert result.code == 2, result.out + result.err
    assert "it would never be sent: issues are made 14 days before their start date" in result.err


def test_a_reminder_of_a_renamed_section_is_told_its_new_heading(project: Path) -> None:
    """A trial: "Module 3: Practice" renamed "Module 3: Apply" (with `renamed_from`), and the
    reminder left naming the old heading: the error named the old heading only."""
    program = project / "config" / "programs" / "csm-aspiring-leaders.yml"
    edit(
        program,
        '  - heading: "Module 3: Practice"\n',
        '  - heading: "Module 3: Apply"\n    renamed_from: "Module 3: Practice"\n',
    )
    result = run("validate")
    assert result.code == 2, result.out + result.err
    assert (
        "reminder 'practice-before-the-end': section 'Module 3: Practice' is renamed "
        "'Module 3: Apply' in `sections`; use 'Module 3: Apply' here"
    ) in result.err, result.err
