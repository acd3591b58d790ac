"""Reminders on the memory tracker: once per issue and occasion, only on open issues with open
tasks, only their roles' people mentioned, or a weekly digest edited in place."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from automation.actions import Remind
from automation.applier import execute
from automation.config.reminders import Reminder
from automation.desired import DesiredIssue
from automation.errors import ConfigError
from automation.items import ObservedIssue
from automation.mentions import ZERO_WIDTH_SPACE, code_spans, named, without_code
from automation.output.lines import describe
from automation.reminders import notes, observe
from automation.reminders.due import Due, open_tasks
from automation.reminders.notes import plain, quoted
from automation.run import Prepared, make_plan, prepare
from automation.tasks import tasks_of
from tests.crash import Crash, CrashingTracker
from tests.memory import MemoryTracker, memory_for, run_apply
from tests.projects import REMINDERS
from tests.projects import reminders_project as project

START = dt.date(2026, 12, 1)
DAY = dt.date(2026, 12, 4)  # 3 days after the cohort's start
INERT = "@" + ZERO_WIDTH_SPACE


def prepared(root: Path, today: dt.date) -> Prepared:
    return prepare(root / "config", root / "templates", today)


@pytest.fixture
def created(tmp_path: Path) -> tuple[Path, MemoryTracker]:
    """The demo issues, created before the reminder's day."""
    root = project(tmp_path)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    return root, tracker


def iid_of(tracker: MemoryTracker, username: str) -> int:
    return next(i.iid for i in tracker.all_issues() if i.key == f"demo/c1/{username}")


def reminders(tracker: MemoryTracker) -> dict[int, list[str]]:
    """The reminder notes of each issue."""
    return {
        iid: [n for n in notes if "automation:note reminder " in n]
        for iid, notes in tracker.notes.items()
        if any("automation:note reminder " in n for n in notes)
    }


def live_mentions(note: str) -> set[str]:
    """The @mentions GitLab would notify (an inert one has a zero-width space after `@`; one
    in a code span is shown as typed)."""
    words = without_code(note).split()
    return {w for w in words if w.startswith("@") and not w.startswith(INERT)}


def remind(root: Path, tracker: MemoryTracker, today: dt.date) -> list[Remind]:
    """One run on TODAY; the reminders it sent."""
    done = run_apply(prepared(root, today), tracker, today).outcome.done
    return [a for a in done if isinstance(a, Remind)]


def test_nothing_before_the_day_then_one_note_per_issue_on_it(
    created: tuple[Path, MemoryTracker],
) -> None:
    root, tracker = created
    assert remind(root, tracker, DAY - dt.timedelta(days=1)) == []
    sent = remind(root, tracker, DAY)
    assert sorted(a.iid for a in sent) == sorted(iid_of(tracker, u) for u in ("ben", "cy"))
    note = reminders(tracker)[iid_of(tracker, "ben")][0]
    assert note.splitlines()[0] == "<!-- automation:note reminder one-open 2026-12-04 -->"
    assert "**Reminder: section One is due**" in note


def test_a_reminder_fires_once_across_reruns_and_later_days(
    created: tuple[Path, MemoryTracker],
) -> None:
    root, tracker = created
    remind(root, tracker, DAY)
    writes = tracker.writes
    for today in (DAY, DAY, DAY + dt.timedelta(days=2)):
        assert remind(root, tracker, today) == []
    assert tracker.writes == writes
    assert all(len(notes) == 1 for notes in reminders(tracker).values())
    assert make_plan(prepared(root, DAY), tracker, DAY).empty


def test_a_crash_right_after_the_note_is_posted_sends_nothing_again(
    created: tuple[Path, MemoryTracker],
) -> None:
    root, tracker = created
    with pytest.raises(Crash):
        run_apply(prepared(root, DAY), CrashingTracker(tracker, after=1), DAY)
    assert sum(map(len, reminders(tracker).values())) == 1  # the first note was posted
    remind(root, tracker, DAY)
    assert {len(notes) for notes in reminders(tracker).values()} == {1}
    assert len(reminders(tracker)) == 2


def test_no_reminder_on_a_closed_issue(created: tuple[Path, MemoryTracker]) -> None:
    root, tracker = created
    tracker.set_state(iid_of(tracker, "ben"), "closed")
    sent = remind(root, tracker, DAY)
    assert [a.iid for a in sent] == [iid_of(tracker, "cy")]


def test_an_issue_closed_after_planning_gets_no_reminder(
    created: tuple[Path, MemoryTracker],
) -> None:
    root, tracker = created
    plan = make_plan(prepared(root, DAY), tracker, DAY, frozenset({"remind"}))
    tracker.set_state(iid_of(tracker, "ben"), "closed")  # a person closes it during the run
    done = execute(plan, tracker).done
    assert [a.iid for a in done if isinstance(a, Remind)] == [iid_of(tracker, "cy")]
    assert iid_of(tracker, "ben") not in reminders(tracker)


def test_ticked_tasks_are_not_listed_and_all_ticked_sends_nothing(
    created: tuple[Path, MemoryTracker],
) -> None:
    root, tracker = created
    ben, cy = iid_of(tracker, "ben"), iid_of(tracker, "cy")
    tracker.edit(ben, lambda text: text.replace("- [ ] read the guide", "- [x] read the guide"))
    tracker.edit(cy, lambda text: text.replace("- [ ] ", "- [x] ", 2))
    remind(root, tracker, DAY)
    assert list(reminders(tracker)) == [ben]
    note = reminders(tracker)[ben][0]
    assert "read the guide" not in note and "the loop" in note and "later task" not in note


def test_a_box_typed_inside_the_tools_block_is_the_persons_and_reminded_of(
    tmp_path: Path,
) -> None:
    """A reminder of any open task saying 'the loop': one typed into the progress block is
    the person's (the tool does not write the block over it, and it counts), so it is
    reminded of as any other."""
    root = project(tmp_path, REMINDERS.replace("      section: One\n", "      task: the loop\n"))
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    cy = iid_of(tracker, "cy")
    begin = "<!-- automation:begin progress -->\n"
    tracker.edit(cy, lambda text: text.replace("- [ ] /close the loop", "- [x] /close the loop"))
    tracker.edit(cy, lambda text: text.replace(begin, begin + "- [ ] the loop, again\n"))
    plan = make_plan(prepared(root, DAY), tracker, DAY)
    (failure,) = plan.failures  # its block is not written over the box
    assert "the managed block 'progress' is damaged: it holds a task" in failure.message
    (sent,) = [a for a in plan.actions if isinstance(a, Remind) and a.iid == cy]
    assert "the loop, again" in sent.body and "/close the loop" not in sent.body


def test_only_the_roles_people_are_mentioned_and_task_text_mentions_no_one(
    created: tuple[Path, MemoryTracker],
) -> None:
    root, tracker = created
    remind(root, tracker, DAY)
    note = reminders(tracker)[iid_of(tracker, "ben")][0]
    assert live_mentions(note) == {"@ben", "@ana"}  # the participant and their manager
    assert "or @cy)`" in note and "@cy" not in live_mentions(note)  # in a code span: inert
    assert "\n/close" not in note and not any(line.startswith("/") for line in note.splitlines())


def test_a_role_nobody_is_a_user_of_is_not_pinged(tmp_path: Path) -> None:
    root = project(tmp_path)
    tracker = MemoryTracker(groups=("ana",))  # `ana` is a group here, not a person
    run_apply(prepared(root, START), tracker, START)
    applied = run_apply(prepared(root, DAY), tracker, DAY)
    note = reminders(tracker)[iid_of(tracker, "ben")][0]
    assert "@ben" in note and "@ana" not in note and f"@{ZERO_WIDTH_SPACE}ana" in note
    assert any("'ana' is not a GitLab user" in w for w in applied.outcome.warnings)


def test_a_late_run_still_sends_within_late_days_and_never_after(tmp_path: Path) -> None:
    root = project(tmp_path, REMINDERS + "  late_days: 2\n")
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    assert remind(root, tracker, DAY + dt.timedelta(days=3)) == []  # too late: not sent
    other = memory_for(prepared(root, START))
    run_apply(prepared(root, START), other, START)
    assert len(remind(root, other, DAY + dt.timedelta(days=2))) == 2
    note = reminders(other)[iid_of(other, "ben")][0]  # it says it comes late, and why
    assert "still open on 2026-12-04 (this reminder comes late: it is sent on 2026-12-06):" in note
    # its message speaks of its own day (a year's simulation: "due in 3 days" the day before)
    assert "**Reminder of 2026-12-04: section One is due**" in note
    on_time = reminders(tracker_sent_on_the_day(root))[iid_of(other, "ben")][0]
    assert "comes late" not in on_time and "**Reminder: section One is due**" in on_time


def tracker_sent_on_the_day(root: Path) -> MemoryTracker:
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    remind(root, tracker, DAY)
    return tracker


def test_a_moved_date_is_a_new_occasion(created: tuple[Path, MemoryTracker]) -> None:
    root, tracker = created
    remind(root, tracker, DAY)
    text = (root / "config/programs/demo.yml").read_text("utf-8")
    (root / "config/programs/demo.yml").write_text(
        text.replace("2026-12-01", "2026-12-08"), "utf-8"
    )
    later = DAY + dt.timedelta(days=7)
    assert len(remind(root, tracker, later)) == 2
    assert {len(notes) for notes in reminders(tracker).values()} == {2}


def test_only_the_remind_step_sends_reminders(created: tuple[Path, MemoryTracker]) -> None:
    root, tracker = created
    sync = make_plan(prepared(root, DAY), tracker, DAY, frozenset({"labels", "progress"}))
    assert not any(isinstance(a, Remind) for a in sync.actions)
    only = make_plan(prepared(root, DAY), tracker, DAY, frozenset({"remind"}))
    assert {type(a) for a in only.actions} == {Remind}


# --- the digest -------------------------------------------------------------------------------

DIGEST = REMINDERS.replace("reminders:\n", "reminders:\n  digest: true\n") + (
    "    - id: two-open\n"
    "      when: 5 days after start\n"
    "      task: later\n"
    "      for: [participant]\n"
    "    - id: next-week\n"
    "      when: 10 days after start\n"
    "      task: later\n"
    "      for: [manager]\n"
)


def digests(tracker: MemoryTracker, iid: int) -> list[str]:
    return [n for n in tracker.notes.get(iid, []) if "reminders-digest" in n]


def test_the_digest_is_one_note_a_week_edited_in_place(tmp_path: Path) -> None:
    root = project(tmp_path, DIGEST)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    tracking = next(i.iid for i in tracker.all_issues() if i.key == "demo/tracking")
    ben = iid_of(tracker, "ben")
    remind(root, tracker, DAY)
    assert reminders(tracker) == {}  # no note on the issues themselves
    (first,) = digests(tracker, tracking)
    assert first.startswith("<!-- automation:note reminders-digest 2026-W49 -->")
    assert first.count("section One is due") == 2 and "two-open" not in first
    (posted,) = remind(root, tracker, DAY + dt.timedelta(days=2))  # a second reminder is due
    assert describe(posted).startswith("update reminder digest in")  # edited, not posted again
    tracker.edit(ben, lambda text: text.replace("- [ ] ", "- [x] ", 2))  # Ben's One is done
    remind(root, tracker, DAY + dt.timedelta(days=2))
    (edited,) = digests(tracker, tracking)
    shown = "\n".join(line for line in edited.splitlines() if "automation:listed" not in line)
    assert edited.count("section One is due") == 1 and shown.count("two-open") == 2
    assert f"<!-- automation:listed {ben} two-open" in edited  # what it lists, in hidden lines
    writes = tracker.writes
    remind(root, tracker, DAY + dt.timedelta(days=2))
    assert tracker.writes == writes  # nothing changed: not edited again
    assert "next-week" not in edited
    remind(root, tracker, DAY + dt.timedelta(days=7))  # next week: its own note
    assert [d.splitlines()[0] for d in digests(tracker, tracking)] == [
        "<!-- automation:note reminders-digest 2026-W49 -->",
        "<!-- automation:note reminders-digest 2026-W50 -->",
    ]
    assert "next-week" in digests(tracker, tracking)[1]


def test_no_digest_note_while_nothing_is_due(tmp_path: Path) -> None:
    root = project(tmp_path, DIGEST)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    remind(root, tracker, START + dt.timedelta(days=1))
    assert not any(digests(tracker, iid) for iid in tracker.notes)


# --- configuration mistakes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reminders", "message"),
    [
        (
            "reminders:\n  send:\n    - {id: a, when: soon, section: One, for: [participant]}\n",
            "config/programs/demo.yml:18: 'when' of send 'a': cannot read 'soon'; write it like "
            "`on goal`, `3 days before workshop_start` or `5 days after start`",
        ),
        (
            "reminders:\n  send:\n    - {id: a, when: on goal, section: One, for: [participant]}\n",
            "config/programs/demo.yml:18: reminder 'a': this program's issues have no date "
            "'goal' (they have: start, end); count from one of those",
        ),
        (
            "reminders:\n  send:\n    - {id: a, when: on end, section: Three, for: [manager]}\n",
            "config/programs/demo.yml:18: reminder 'a': 'Three' is not one of the program's "
            "`sections`; use a heading listed there",
        ),
        (
            "reminders:\n  send:\n    - {id: a, when: on end, section: One, for: [sponsor]}\n",
            "config/programs/demo.yml:18: reminder 'a': this program's issues have no sponsor; "
            "use participant, manager",
        ),
        (
            "reminders:\n  send:\n    - {id: a, when: on end, task: x, for: [program_lead]}\n",
            "config/programs/demo.yml:18: reminder 'a': this program's issues have no "
            "program_lead; use participant, manager (or set `reminders.program_lead`)",
        ),
        (
            "reminders:\n  program_lead: zed\n",
            "config/programs/demo.yml:17: program lead 'zed' is not in the roster; add them to "
            "people.yml or fix the username; if their username changed, write the new one here "
            "too",
        ),
        (
            "reminders:\n  send:\n    - {id: a, when: on end, for: [manager]}\n",
            "config/programs/demo.yml:18: send 'a': it names no tasks; give `section:` (a heading "
            "of the program's sections) or `task:` (text the tasks contain), or both",
        ),
        (
            "reminders:\n  send:\n"
            "    - {id: a, when: on end, task: x, for: [manager]}\n"
            "    - {id: a, when: on end, task: y, for: [manager]}\n",
            "config/programs/demo.yml:19: reminder id 'a' appears twice (first at line 18); "
            "keep one",
        ),
        (  # a tester: accepted, and never sent (the cohort is over after its end)
            "reminders:\n  send:\n    - {id: a, when: 3 days after end, task: x, for: [manager]}\n",
            "config/programs/demo.yml:18: reminder 'a': it would never be sent: once the "
            "cohort's end date has passed its issues are over (`status::ended`), and reminders "
            "go to issues not over; use `on end` or `N days before end`",
        ),
        (  # a tester: accepted, and never sent (issues are made 14 days before the start)
            "reminders:\n  send:\n"
            "    - {id: a, when: 20 days before start, task: x, for: [manager]}\n",
            "config/programs/demo.yml:18: reminder 'a': it would never be sent: issues are made "
            "14 days before their start date (the program's `create_days_before_start`), after "
            "the day it falls on; use at most `14 days before start`",
        ),
        (
            "confidential: true\nreminders:\n  digest: true\n  send:\n"
            "    - {id: a, when: on end, task: x, for: [manager]}\n",
            "config/programs/demo.yml:18: a confidential program's tracking issue is not "
            "assigned to the people a digest names, so they could not read it and GitLab would "
            "notify none of them; remove `digest: true` (each reminder then goes on the person's "
            "own issue)",
        ),
    ],
)
def test_reminder_mistakes_are_one_line_at_their_file_and_line(
    tmp_path: Path, reminders: str, message: str
) -> None:
    root = project(tmp_path, reminders)
    with pytest.raises(ConfigError) as error:
        prepared(root, START)
    assert [str(p).replace(str(root) + "/", "") for p in error.value.problems] == [message]


def test_program_lead_may_be_named_for_any_program(tmp_path: Path) -> None:
    lead = "reminders:\n  program_lead: cy\n  send:\n" + (
        "    - {id: lead, when: 3 days after start, task: guide, for: [program_lead]}\n"
    )
    root = project(tmp_path, lead)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    remind(root, tracker, DAY)
    note = reminders(tracker)[iid_of(tracker, "ben")][0]
    assert live_mentions(note) == {"@cy"}


def test_a_digest_naming_a_non_user_is_not_planned_again_once_written(tmp_path: Path) -> None:
    root = project(tmp_path, DIGEST)
    tracker = MemoryTracker(groups=("ana",))  # Ben's manager is no user: written inert
    run_apply(prepared(root, START), tracker, START)
    remind(root, tracker, DAY)
    tracking = next(i.iid for i in tracker.all_issues() if i.key == "demo/tracking")
    (digest,) = digests(tracker, tracking)
    assert f"{INERT}ana" in digest and "@ben" in digest
    assert make_plan(prepared(root, DAY), tracker, DAY, frozenset({"remind"})).empty


def test_a_quoted_task_mentions_no_one_however_its_at_is_written() -> None:
    task = "Join the call &#64;all &#x40;grp &commat;here @ana"
    said = str(quoted(task))
    assert said == f"`{task}`" and not named(said)  # GitLab reads nothing in a code span
    hostile = "`x` [a](https://evil.example) ![p](https://evil.example/p.png) <!-- #4 !5"
    assert code_spans(str(quoted(hostile))) == [(0, len(str(quoted(hostile))))]
    assert str(quoted(hostile)).startswith("`\u02cbx\u02cb [a](")


@pytest.mark.parametrize("digest", [False, True])
def test_a_note_quotes_a_bounded_part_of_what_people_wrote(tmp_path: Path, digest: bool) -> None:
    """Ben and Cy each pad section One with 600 open tasks of 1,000 characters: a note quotes
    twenty tasks of each, each cut to 200 characters, and says how many more there are; the
    run goes on (the digest of all of it would be over GitLab's limit for a note)."""
    root = project(tmp_path, DIGEST if digest else REMINDERS)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    padding = "".join(f"- [ ] task {n} {'x' * 1000}\n" for n in range(600))
    for name in ("ben", "cy"):
        tracker.edit(iid_of(tracker, name), lambda text: text.replace("## Two", padding + "## Two"))
    sent = remind(root, tracker, DAY)
    assert len(sent) == 1 if digest else 2
    for note in (action.body for action in sent):
        assert len(note) < 20_000
        assert note.count("x…`") == 18 * (2 if digest else 1)  # after the two tasks it had
        assert "… and 582 more" in note


def test_a_reminder_naming_a_renamed_section_finds_it_in_issues_made_before(
    created: tuple[Path, MemoryTracker],
) -> None:
    """Section One becomes First (`renamed_from: One`) the day its reminder falls due: the
    issues, still under `## One` when the run plans, are reminded of its tasks, and get the
    new heading in the same run."""
    root, tracker = created
    program = root / "config" / "programs" / "demo.yml"
    text = program.read_text("utf-8").replace(
        "  - heading: One\n", "  - heading: First\n    renamed_from: One\n"
    )
    program.write_text(text.replace("section: One", "section: First"), "utf-8")
    template = root / "templates" / "demo.md.j2"
    template.write_text(template.read_text("utf-8").replace("## One\n", "## First\n"), "utf-8")
    sent = remind(root, tracker, DAY)
    assert {action.iid for action in sent} == {iid_of(tracker, "ben"), iid_of(tracker, "cy")}
    assert all("read the guide" in action.body for action in sent)
    made = [i for i in tracker.all_issues() if i.key in ("demo/c1/ben", "demo/c1/cy")]
    assert len(made) == 2 and all("## First\n" in i.description for i in made)


def test_a_reminder_shows_a_task_as_it_reads_not_its_markdown(tmp_path: Path) -> None:
    """A reader saw "`**New hire:** Complete ... ([learning path](https://...))`": the note
    quotes the link's text and the bold words without their marks, still in a code span."""
    task = "**New hire:** Complete the path ([learning path](https://example.com/p)), **now**"
    assert plain(task) == "New hire: Complete the path (learning path), now"
    assert plain("keep __init__ and 2 ** 3 ** 4") == "keep __init__ and 2 ** 3 ** 4"
    root = project(tmp_path, REMINDERS)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    iid = iid_of(tracker, "ben")
    tracker.edit(iid, lambda text: text.replace("## Two", f"- [ ] {task}\n\n## Two", 1))
    (note,) = [n for n in remind(root, tracker, DAY) if n.iid == iid]
    assert "`New hire: Complete the path (learning path), now`" in note.body, note.body


def test_a_reminder_reads_only_the_start_of_a_pasted_task_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's: reading a task for a reminder took time growing with the square of its
    line (a 1 MB paste of `**a ` would take the hourly job for tens of minutes). The note
    quotes 200 characters of it: only the start of the line is read."""
    read: list[int] = []

    def reading(task: str) -> str:
        read.append(len(task))
        return plain(task)

    monkeypatch.setattr(notes, "plain", reading)
    root = project(tmp_path, REMINDERS)
    tracker = memory_for(prepared(root, START))
    run_apply(prepared(root, START), tracker, START)
    iid = iid_of(tracker, "ben")
    tracker.edit(
        iid, lambda text: text.replace("## Two", "- [ ] " + "**a " * 100_000 + "\n\n## Two", 1)
    )
    (note,) = [n for n in remind(root, tracker, DAY) if n.iid == iid]
    assert "a **a **a" in note.body and "…`" in note.body
    assert read and max(read) <= notes.READ_CHARS


def test_a_section_reminder_leaves_out_optional_tasks_and_a_task_reminder_may_name_one(
    tmp_path: Path,
) -> None:
    """A tester's finished issue was reminded of its one open task, an optional one that no
    figure counts: a section's reminder leaves optional tasks out; a reminder naming a task
    by its words still sends it."""
    optional = "- [ ] Optional: present your plan at a team call\n"
    for reminders_yml, sent in ((REMINDERS, False), (REMINDERS + "      task: present\n", True)):
        root = project(tmp_path / str(sent), reminders_yml)
        tracker = memory_for(prepared(root, START))
        run_apply(prepared(root, START), tracker, START)
        cy = iid_of(tracker, "cy")
        tracker.edit(cy, lambda text: text.replace("## Two", f"{optional}\n## Two", 1))
        tracker.edit(cy, lambda text: text.replace("- [ ] ", "- [x] ", 2))
        notes = [n for n in remind(root, tracker, DAY) if n.iid == cy]
        assert bool(notes) is sent, notes
        if sent:
            assert "present your plan" in notes[0].body
        else:
            assert iid_of(tracker, "ben") in reminders(tracker)  # the reminder itself works


def _due(reminder: str, message: str | None, iid: int = 12) -> Due:
    when = Reminder.model_validate(
        {
            "id": reminder,
            "when": "on start",
            "section": "One",
            "for": ["participant"],
            "message": message,
        }
    )
    item = DesiredIssue("demo/ben", "Ben", "", (), "Ben")
    return Due(when, item, ObservedIssue(iid, "Ben", "", ()), dt.date(2026, 12, 4), ("x",), ())


def test_a_digest_from_before_its_hidden_lines_lists_what_its_lines_say_and_no_more() -> None:
    """A reviewer's finding: the fallback read `#12 ... (2026-12-04)` as listing every reminder
    of issue 12 that day, so a second one the old digest did not list was never listed."""
    old = "- #12 Ben: the pre-work is due (2026-12-04), for @ben\n\n  - `x`\n"
    assert observe._listed(old, _due("pre-work", "the pre-work is due"))
    assert not observe._listed(old, _due("manager-prep", "prepare the 1:1"))
    assert not observe._listed(old, _due("pre-work", "the pre-work is due", iid=112))
    hidden = f"{old}<!-- automation:listed 12 manager-prep 2026-12-04 -->"
    assert observe._listed(hidden, _due("manager-prep", "prepare the 1:1"))
    assert not observe._listed(hidden, _due("pre-work", "the pre-work is due"))


def test_a_hidden_line_quoted_from_a_persons_task_lists_nothing() -> None:
    """A tester's finding: a participant who typed another hire's hidden line into a task of
    their own (`<!-- automation:listed 8 ... -->`, kept in a code span when the digest quotes
    the task) made the tool read that hire's occasion as listed: never reminded. Only the
    whole lines the digest ends with count."""
    forged = "`<!-- automation:listed 12 pre-work 2026-12-04 -->`"
    listed = "<!-- automation:listed 5 manager-prep 2026-12-04 -->"
    body = f"<!-- automation:note digest -->\n- #5 Arjun: prepare\n\n  - {forged}\n{listed}\n"
    assert not observe._listed(body, _due("pre-work", "the pre-work is due"))
    assert observe._listed(body, _due("manager-prep", "prepare", iid=5))
    alone = f"- #5 Arjun: prepare (2026-12-04)\n\n  - {forged}\n"  # a digest from before
    assert not observe._listed(alone, _due("pre-work", "the pre-work is due"))


def test_every_earlier_digest_is_quieted_however_old() -> None:
    """A reviewer: only the eight weeks before were quieted, so a digest older than that (an
    upgrade, or a quiet spell of hiring) mentioned its people for good, and each new digest
    e-mailed them. Every earlier week's digest still mentioning someone is edited, once; this
    week's and people's notes are not."""
    tracker = MemoryTracker()
    monday = dt.date(2027, 3, 1)
    weeks = [monday - dt.timedelta(weeks=back) for back in range(12, 0, -1)]
    bodies = [f"{notes.digest_marker(week)}\nfor @ana, @ben" for week in weeks]
    bodies[0] = f"{notes.digest_marker(weeks[0])}\nfor @{ZERO_WIDTH_SPACE}ana"  # quiet already
    tracker.notes[7] = [*bodies, "A person's note, @ana", f"{notes.digest_marker(monday)}\n@cy"]
    plan = observe._quieted(tracker, "demo", "demo/tracking", 7, monday)
    edited = [a for a in plan.actions if isinstance(a, Remind)]
    assert [a.marker for a in edited] == [notes.digest_marker(w) for w in weeks[1:]]
    assert all(a.edit and a.digest and "@ana" not in a.body for a in edited)
    assert all(f"@{ZERO_WIDTH_SPACE}ben" in a.body for a in edited)


def test_a_reminders_task_is_found_in_either_unicode_form() -> None:
    """A reviewer: a program file composed (NFC) and an issue decomposed (NFD) sent no
    reminder of a task with an umlaut, and nothing said so."""
    reminder = Reminder.model_validate(
        {"id": "r", "when": "on start", "task": "Übe ein Gespräch", "for": ["participant"]}
    )
    text = unicodedata.normalize("NFD", "## Eins\n\n- [ ] Übe ein Gespräch über Führung\n")
    assert open_tasks(tasks_of(text, ["Eins"]), reminder) == (
        unicodedata.normalize("NFD", "Übe ein Gespräch über Führung"),
    )
