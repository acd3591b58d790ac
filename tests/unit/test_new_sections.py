"""A section the template gains reaches the open issues made before it: the cases a reviewer
found going wrong in the first version (a tool block in the section, a section without tasks
for some, a section declared a run later, Windows line ends, a section added by hand, a heading
written twice, tasks that say what another section's say). Pure, as test_migration.py."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from automation.actions import CreateIssue, Observed, Plan, UpdateDescription
from automation.blocks import Blocks
from automation.desired import DesiredIssue, DesiredProgram
from automation.items import ObservedIssue
from automation.markers import begin_marker, identity_marker, outside_blocks
from automation.planner import plan_program
from automation.progress import label_specs
from automation.rendering import Renderer
from automation.tasks import NewSection, add_task, tasks_of
from tests.projects import demo_program
from tests.unit.test_migration import BODY, MID, REPO, TODAY, edited

THREE = ("One", "Mid", "Two")


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", ["ana", "ben"]))


def program(body: str, sections: Sequence[str]) -> DesiredProgram:
    """The demo program with one participant issue rendered as BODY."""
    issue = DesiredIssue(
        "demo/c1/p1",
        "Demo 1",
        f"{identity_marker('demo/c1/p1')}\n{body}",
        ("program::demo",),
        "P1",
        "C1",
        sections=tuple(sections),
    )
    tracking = DesiredIssue(
        "demo/tracking", "T", f"{identity_marker('demo/tracking')}\nintro\n", ("program::demo",), ""
    )
    return DesiredProgram(demo_program(tuple(sections), ("ana", "ben")), (issue,), tracking)


def plan(desired: DesiredProgram, issues: Sequence[ObservedIssue], blocks: Blocks) -> Plan:
    labels = frozenset(spec.name for spec in label_specs(desired.program))
    return plan_program(desired, Observed(tuple(issues), labels, ()), blocks, TODAY)


def made(desired: DesiredProgram, blocks: Blocks) -> ObservedIssue:
    """The participant issue as the first run makes it."""
    create = next(a for a in plan(desired, [], blocks).actions if isinstance(a, CreateIssue))
    return ObservedIssue(1, create.issue.title, create.issue.description, create.issue.labels)


def after_run(desired: DesiredProgram, issue: ObservedIssue, blocks: Blocks) -> tuple[str, Plan]:
    """The issue's text once a run of DESIRED has written it, and the run's plan."""
    result = plan(desired, [issue], blocks)
    update = next(
        (a for a in result.actions if isinstance(a, UpdateDescription) and a.iid == 1), None
    )
    return (issue.description if update is None else update.after), result


def mid_warnings(result: Plan) -> list[str]:
    return [w for w in result.warnings if "'Mid'" in w]


def with_mid(mid: str) -> DesiredProgram:
    return program(BODY.replace("## Two", f"{mid}\n\n## Two"), THREE)


# --- 1. a tool block in the new section's rendering ----------------------------------------


def test_a_new_section_whose_rendering_holds_a_tool_block_keeps_its_tasks(blocks: Blocks) -> None:
    """A section like onboarding's intro (`{{ managed_block("workshop") }}` above its tasks)
    comes with its tasks after the block (the first version stopped at the block), and without
    the block (the issue may have it already)."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    block = f"{begin_marker('notes')}\n<!-- automation:end notes -->"
    gained = with_mid(f"## Mid\n\nRead this first.\n\n{block}\n\n- [ ] m1\n- [ ] m2")
    text, result = after_run(gained, issue, blocks)
    assert "- [ ] m1" in outside_blocks(text) and "- [ ] m2" in outside_blocks(text), (
        outside_blocks(text),
        result.warnings,
    )


# --- 2. a new section that renders without tasks for this person ---------------------------


def test_a_new_section_without_tasks_for_this_person_is_added_or_not_warned_for_ever(
    blocks: Blocks,
) -> None:
    """`{% if %}` around the new section's tasks: for the people it leaves out, the heading
    and text render, no task. The issue made before gets them as one made now would (it got
    nothing, said 'no heading' on every run, and its phase stuck at the new section)."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(edited(issue, "- [ ] a", "- [x] a"), "- [ ] b", "- [x] b")  # One is done
    gained = with_mid("## Mid\n\nFor some people only.")
    text, result = after_run(gained, issue, blocks)
    assert "## Mid\n\nFor some people only." in outside_blocks(text), result.warnings
    assert not mid_warnings(result) and "**Current phase:** Mid" not in text
    again, later = after_run(gained, edited(issue, issue.description, text), blocks)
    # once (this model observes the participant's issue alone: no tracking issue, said made)
    assert again == text and [w for w in later.warnings if "tracking issue" not in w] == []


# --- 3. template first, `sections` on a later run ----------------------------------------


@pytest.mark.parametrize("heading", ["## Mid", "## mid"], ids=["as-declared", "other-case"])
def test_a_section_declared_a_run_after_its_template_change_still_reaches_the_issues(
    blocks: Blocks, heading: str
) -> None:
    """Staff add the section to the template, run, then declare it in `sections`: the record
    lists the declared sections the rendering has, so the second run migrates (it found the
    rendering unchanged and did nothing), whatever the heading's case (the tool reads `## mid`
    as Mid; a look for `# Mid` as written missed it)."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    body = BODY.replace("## Two", f"{MID.replace('## Mid', heading)}\n\n## Two")
    text, _ = after_run(program(body, ("One", "Two")), issue, blocks)
    issue = edited(issue, issue.description, text)
    text, result = after_run(program(body, THREE), issue, blocks)
    assert "- [ ] m1" in outside_blocks(text), result.warnings


# --- 4. Windows line ends and a code block -------------------------------------------------


def test_a_new_section_reaches_an_issue_with_windows_line_ends_and_a_code_block(
    blocks: Blocks,
) -> None:
    """GitLab reads "```\\r\\n" as a closing fence; the "\\r" kept by a walk of lines split
    on "\\n" made everything after the block code, and the section was refused."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    crlf = issue.description.replace("A closing line.", "A closing line.\n```\ncode\n```")
    issue = edited(issue, issue.description, crlf.replace("\n", "\r\n"))
    text, result = after_run(with_mid(MID), issue, blocks)
    assert "## Mid" in text, result.warnings


def test_a_section_goes_after_a_closed_code_block_in_windows_text() -> None:
    body = "## One\r\n- [ ] a\r\n```\r\ncode\r\n```\r\n\r\n## Two\r\n- [ ] c\r\n"
    mid = NewSection("Mid", "## Mid\n- [ ] m1", ("One",), ("Two",), THREE)
    assert "## Mid" in add_task(body, mid)


# --- 5. the section's tasks already in the issue -------------------------------------------


def test_a_new_section_a_person_already_added_under_their_own_heading_is_not_added_twice(
    blocks: Blocks,
) -> None:
    """The old warning said to add the heading and tasks by hand; a person did, under a heading
    of their own, and ticked them: as a new task is not added where a task says the same, the
    section is not added again (it was, unticked, and progress fell)."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    mine = "### Mid, my copy\n\nMiddle text.\n\n- [x] m1\n  - how\n- [x] m2\n\n## Two"
    issue = edited(issue, "## Two", mine)
    text, _ = after_run(with_mid(MID), issue, blocks)
    assert outside_blocks(text).count("m1") == 1, outside_blocks(text)


# --- 6. a heading written twice in the template --------------------------------------------


def test_a_new_section_written_twice_in_the_template_brings_the_tasks_of_both_copies(
    blocks: Blocks,
) -> None:
    """Tasks under the heading's second copy count in the section, so both copies come (the
    second copy's tasks were recorded as had and never added)."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    body = BODY.replace(
        "## Two\n- [ ] c\n", "## Mid\n- [ ] m1\n\n## Two\n- [ ] c\n\n## Mid\n- [ ] m2\n"
    )
    text, result = after_run(program(body, THREE), issue, blocks)
    assert "## Mid\n- [ ] m1\n\n## Mid\n- [ ] m2\n" in outside_blocks(text), result.warnings
    assert [t.section for t in tasks_of(text, THREE)].count("Mid") == 2


# --- 7. a new section whose tasks read as tasks recorded elsewhere ------------------------


def test_a_new_section_whose_tasks_say_what_another_sections_say_is_said(
    blocks: Blocks,
) -> None:
    """Its tasks' hashes are in the record under another section, and the issue has them: the
    section is not added twice over a task, and the run says what to do."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    text, result = after_run(with_mid("## Mid\n\nAgain, for this part.\n\n- [ ] a"), issue, blocks)
    # its task says what One's first does: a section renamed without saying so looks alike,
    # so it is not added (a copy would hold a task twice); the run says so
    assert "## Mid" not in outside_blocks(text)
    assert [t.text for t in tasks_of(text, THREE)] == ["a", "b", "c"]
    assert any("has no heading 'Mid'" in w and "by hand" in w for w in mid_warnings(result))


# --- a task the template moved into a new section, which the issue no longer counts ---------


@pytest.mark.parametrize("kept_as", ["- [~] b", ""])  # not applicable; converted or deleted
def test_a_moved_task_the_issue_marked_not_applicable_or_removed_is_not_put_back(
    blocks: Blocks, kept_as: str
) -> None:
    """A tester's finding: Sam marked a task `[~]` (or GitLab's "Convert to child item" took
    its line); the template then moved it into a new section, which brought it back unticked."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(issue, "- [ ] b\n", f"{kept_as}\n" if kept_as else "")
    moved = BODY.replace("- [ ] b\n", "").replace("## Two", "## Mid\n\n- [ ] b\n- [ ] m1\n\n## Two")
    text, _ = after_run(program(moved, THREE), issue, blocks)
    assert "- [ ] m1" in text and "- [ ] b" not in text
    assert text.count("[~] b") == (1 if kept_as else 0)


def test_a_section_with_no_tasks_reads_no_tasks_not_zero_percent(blocks: Blocks) -> None:
    """A tester: a phase whose template has no tasks counts as done (the issue reached 100%),
    and its row read `0/0 | 0%` in the issue's table and `0%` in the rollup."""
    desired = with_mid("## Mid\n\nRead the handbook.\n")
    text = made(desired, blocks).description
    assert "| Mid | 0/0 | no tasks |" in text
    assert "| Mid | 0/0 | 0% |" not in text


def test_a_task_left_out_stays_out_once_the_sections_mentions_are_made_inert() -> None:
    """A reviewer: with an HTML tag in the section, a mention in a code span is made inert
    there and not in the task alone; the task the issue's record knows came back unticked."""
    from automation.mentions import people_only  # noqa: PLC0415 - the applier's fix, alone

    section = NewSection(
        "Two",
        "## Two\n\n- [ ] run `@ghost ping` once\n- [ ] read <b>the docs</b>\n",
        ("One",),
        (),
        ("One", "Two"),
    ).without(lambda task: task.startswith("run "))
    fixed = section.mended(lambda text: people_only(text, lambda _: False)[0])
    placed = fixed.place("## One\n- [ ] a\n")
    assert placed is not None and "ping" not in placed and "read <b>the docs</b>" in placed
