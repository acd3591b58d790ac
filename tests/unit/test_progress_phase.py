"""An issue's current phase: the first phase not complete, and none once every task counted
is done, even when a phase's heading is missing (README: `phase::` none once complete)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from automation.checklist import headings_found, rename_headings
from automation.config.models import Program
from automation.progress import Status, issue_labels, measure, unread
from tests.unit.test_planner import PROGRAM

TODAY = dt.date(2026, 12, 1)


def test_a_missing_phase_is_current_until_every_task_is_done_then_none_is() -> None:
    started = measure("## One\n- [x] a\n- [ ] b\n", PROGRAM, None, TODAY)
    assert started.current_phase is not None and started.current_phase.heading == "One"
    missing = measure("## Two\n- [ ] b\n", PROGRAM, None, TODAY)  # no heading One
    assert missing.current_phase is not None and missing.current_phase.heading == "One"
    done = measure("## One\n- [x] a\n- [x] b\n", PROGRAM, None, TODAY)  # no heading Two
    assert done.status is Status.COMPLETE and done.current_phase is None
    assert not any(label.startswith("phase::") for label in issue_labels(PROGRAM, done))


def test_a_renamed_heading_is_rewritten_where_gitlab_renders_it_and_nowhere_else() -> None:
    text = "## Old one\r\n- [ ] a\r\n```\n## Old one\n```\n### old  ONE ##\n"
    renamed = rename_headings(text, [("Old one", "New one")])
    assert renamed == "## New one\r\n- [ ] a\r\n```\n## Old one\n```\n### New one\n"
    lone = "## Old one\r- [ ] a\n"  # a lone carriage return ends a line too
    assert rename_headings(lone, [("Old one", "New one")]) == "## New one\r- [ ] a\n"
    assert rename_headings("## Old one\n## New one\n", [("Old one", "New one")]) == (
        "## New one\n## New one\n"  # copies of a heading are counted as one section
    )


def test_an_issue_under_a_renamed_sections_old_heading_is_counted_under_the_new_one() -> None:
    renamed = PROGRAM.model_copy(
        update={
            "sections": (
                PROGRAM.sections[0].model_copy(update={"heading": "First", "renamed_from": "One"}),
                PROGRAM.sections[1],
            )
        }
    )
    progress = measure("## One\n- [x] a\n- [ ] b\n## Two\n- [ ] c\n", renamed, None, TODAY)
    first = progress.sections[0]
    assert first.section.heading == "First" and first.found
    assert (first.tasks.count, first.tasks.completed_count) == (2, 1)


RENAME = [("Old one", "New one")]


def test_only_what_gitlab_renders_as_a_heading_is_renamed_and_it_keeps_its_indent() -> None:
    text = (
        "```\n## Old one\n    ```\n## Old one\n```\n"  # a fence closes at three spaces at most
        "\t## Old one\n"  # a tab first: indented code
        "- a note\n  ## Old one\n"  # in a list item
    )
    assert rename_headings(text, RENAME) == text.replace("  ## Old one", "  ## New one")


def test_the_old_heading_is_renamed_and_counted_even_where_a_note_has_the_new_one() -> None:
    text = "## Old one\n- [x] a\n- [ ] b\n\n### New one\nSam's note about it.\n"
    assert rename_headings(text, RENAME).startswith("## New one\n")


def test_a_heading_that_ends_in_a_hash_keeps_it() -> None:
    assert headings_found("## Learn C#\n- [ ] a\n## Two ##\n", ["Learn C#", "Two"]) == (
        "Learn C#",
        "Two",
    )


def test_an_issue_without_phases_still_says_so_to_a_progress_block_kept_from_before() -> None:
    """An upgrade tester's finding: a team's own copy of the progress block from before prints
    `phase_shown` on every issue; for one without phases it read "all phases complete" on an
    issue at 1/3. The shipped block says nothing of phases then."""
    ongoing = PROGRAM.model_copy(
        update={"sections": tuple(s.model_copy(update={"ongoing": True}) for s in PROGRAM.sections)}
    )
    progress = measure("## One\n- [x] a\n- [ ] b\n", ongoing, None, TODAY)
    assert not progress.has_phases and progress.phase_shown == "no phases"
    phased = measure("## One\n- [x] a\n## Two\n- [x] c\n", PROGRAM, None, TODAY)
    assert phased.phase_shown == "all phases complete"


def _dropped() -> tuple[Program, str]:
    """A phase the template dropped, its tasks left in an issue: other tasks."""
    first = PROGRAM.sections[0].heading
    dropped = PROGRAM.model_copy(update={"sections": PROGRAM.sections[:1]})
    return dropped, f"## {first}\n- [x] a\n## Dropped\n- [x] b\n- [ ] c\n"


def _ongoing() -> tuple[Program, str]:
    """The second section ongoing, one of its tasks open."""
    first, second = (s.heading for s in PROGRAM.sections[:2])
    sections = (PROGRAM.sections[0], PROGRAM.sections[1].model_copy(update={"ongoing": True}))
    ongoing = PROGRAM.model_copy(update={"sections": sections})
    return ongoing, f"## {first}\n- [x] a\n## {second}\n- [x] b\n- [ ] c\n"


@pytest.mark.parametrize(
    ("case", "still"), [(_dropped, "other tasks"), (_ongoing, "ongoing tasks")]
)
def test_phases_done_with_other_tasks_open_do_not_read_as_all_complete(
    case: Callable[[], tuple[Program, str]], still: str
) -> None:
    """A newcomer's trial: a phase the template dropped left its tasks in an issue, counted
    as other tasks; one open, the issue read "all phases complete · Status: in progress", and
    its rollup row "complete" beside "in progress". So too (an independent oracle) an ESP
    monthly issue at 63%, overdue, whose ongoing section had tasks open."""
    program, text = case()
    progress = measure(text, program, None, TODAY)
    assert progress.current_phase is None and progress.status is Status.IN_PROGRESS
    assert progress.phase_shown == f"all phases complete, {still} open"
    assert progress.phase_cell == still
    done = measure(text.replace("[ ] c", "[x] c"), program, None, TODAY)
    assert (done.phase_shown, done.phase_cell) == ("all phases complete", "complete")


def test_tasks_under_a_section_this_issue_has_not_are_other_tasks() -> None:
    """A person typed the heading and tasks of a section this issue's track leaves out: the
    overall figure counts them, so the table's "Other tasks" row does, and its rows add up to
    the whole (a mutation tester: counting that section's row, which is not shown, passed)."""
    first, second = (s.heading for s in PROGRAM.sections[:2])
    text = f"## {first}\n- [x] a\n- [ ] b\n## {second}\n- [x] typed in\n"
    progress = measure(text, PROGRAM, None, TODAY, applicable=(first,))
    assert (progress.other.count, progress.other.completed_count) == (1, 1)
    assert progress.overall.count == 3


def test_an_issue_is_overdue_after_its_due_date_not_on_it() -> None:
    """README: overdue once past its due date (a tester's mutation to `>=` passed every test)."""
    due = TODAY
    assert measure("## One\n- [ ] a\n", PROGRAM, due, TODAY).status is Status.NOT_STARTED
    late = measure("## One\n- [ ] a\n", PROGRAM, due, TODAY + dt.timedelta(days=1))
    assert late.status is Status.OVERDUE


def test_an_unreadable_value_keeps_an_issue_from_completing_and_nothing_else() -> None:
    """A trial: a score typed `11/10` with every box ticked completed the issue; another: one
    bad KPI value took a tick back from an ESP account plan for months."""
    done = measure("## One\n- [x] a\n## Two\n- [x] b\n", PROGRAM, None, TODAY)
    held = unread(done, ("'Score' cannot be read",), None, TODAY)
    assert held.status is Status.IN_PROGRESS and held.unread == ("'Score' cannot be read",)
    assert (held.overall.completed_count, held.overall.count) == (1, 2)
    assert [s.tasks.completed_count for s in held.sections] == [1, 0]  # the last one's
    assert held.current_phase is not None and held.current_phase.heading == "Two"
    started = measure("## One\n- [x] a\n## Two\n- [ ] b\n", PROGRAM, None, TODAY)
    kept = unread(started, ("'Score' cannot be read",), None, TODAY)
    assert kept.overall == started.overall and kept.status is Status.IN_PROGRESS
    assert kept.unread == ("'Score' cannot be read",)
    assert unread(done, (), None, TODAY) is done


def test_a_started_issue_never_reads_0_percent_nor_an_unfinished_one_100() -> None:
    """An independent check: 1 task of 225 done read 0%, labelled `progress::0%` beside
    `status::in progress`."""
    text = "## One\n" + "- [x] a\n" + "- [ ] b\n" * 224 + "## Two\n- [ ] c\n"
    progress = measure(text, PROGRAM, None, TODAY)
    assert progress.overall.percent == 1 and progress.status is Status.IN_PROGRESS
    assert "progress::1-24%" in issue_labels(PROGRAM, progress)
    almost = measure(text.replace("[ ]", "[x]", 224), PROGRAM, None, TODAY)
    assert (almost.overall.count - almost.overall.completed_count, almost.overall.percent) == (
        1,
        99,
    )
