"""New template sections, third review: records rewritten only when the declared sections a
rendering has change (read from its Markdown, headings in code or body text aside, case and
spacing as the tool reads them), records from before this version, the rule for tasks an
issue has already, renames. Each failed on 7bba597. Pure, as test_new_sections.py."""

from __future__ import annotations

import pytest

from automation.actions import CreateIssue, UpdateDescription
from automation.blocks import Blocks
from automation.config.models import Section
from automation.desired import DesiredProgram
from automation.items import ObservedIssue
from automation.markers import outside_blocks
from automation.rendering import Renderer
from automation.tasks import tasks_of
from tests.unit.test_migration import BODY, MID, REPO, edited
from tests.unit.test_new_sections import THREE, after_run, made, program
from tests.unit.test_new_sections_again import as_before_954e076, run, two_issues


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", ["ana", "ben"]))


def rewritten(desired: DesiredProgram, issues: list[ObservedIssue], blocks: Blocks) -> set[int]:
    return {a.iid for a in run(desired, issues, blocks).actions if isinstance(a, UpdateDescription)}


def made_all(desired: DesiredProgram, blocks: Blocks) -> list[ObservedIssue]:
    created = [a for a in run(desired, [], blocks).actions if isinstance(a, CreateIssue)]
    return [
        ObservedIssue(i, a.issue.title, a.issue.description, a.issue.labels)
        for i, a in enumerate(created, start=1)
    ]


def old(issue: ObservedIssue) -> ObservedIssue:
    """The issue with its record as cb92a92 wrote it (the tracking issue has none)."""
    return as_before_954e076(issue) if "template-tasks" in issue.description else issue


# --- (1) upgrade churn: records from before (no `sections` line) -----------------------------


def test_upgrade_does_not_rewrite_an_unchanged_issue_with_a_taskless_section(
    blocks: Blocks,
) -> None:
    """An issue whose rendering has a declared section without tasks (`{% if %}` around its
    tasks, as onboarding's SQS workshop could be): the record cb92a92 wrote has no line for
    it, so `Record.current` takes it for stale and the first run after the upgrade rewrites
    the issue. Nothing can come of it (`_new_sections` adds no task-less section to a record
    from before): a "changed the description" entry for nothing, on every such issue."""
    body = BODY.replace("## Two", "## Mid\n\nFor some people only.\n\n## Two")
    issue = as_before_954e076(made(program(body, THREE), blocks))
    text, result = after_run(program(body, THREE), issue, blocks)
    assert text == issue.description, result.actions


def test_upgrade_does_not_rewrite_an_issue_with_a_declared_heading_only_in_a_code_block(
    blocks: Blocks,
) -> None:
    """ESP-like: one `sections` list for two templates. Issue 2's template shows `## Two` in
    a Markdown example (a code block): a look at the text took it for the section, and the
    record cb92a92 wrote does not list Two: the upgrade rewrote issue 2 though nothing changed."""
    other = "## One\n\nWrite it like this:\n\n```markdown\n## Two\n```\n\n- [ ] x\n"
    issues = [old(i) for i in made_all(two_issues(BODY, other, THREE), blocks)]
    assert 2 not in rewritten(two_issues(BODY, other, THREE), issues, blocks)


def test_upgrade_does_not_rewrite_an_issue_whose_text_names_a_heading_after_a_hash(
    blocks: Blocks,
) -> None:
    """A longer heading that starts with a declared one (`### Two-way feedback` under One):
    a substring test took `# Two` for there, and the upgrade rewrote the issue."""
    other = "## One\n\n- [ ] x\n\n### Two-way feedback\n\nTalk.\n"
    issues = [old(i) for i in made_all(two_issues(BODY, other, THREE), blocks)]
    assert 2 not in rewritten(two_issues(BODY, other, THREE), issues, blocks)


# --- (1) the declared-later case, against what the tool reads ---------------------------------


def test_declaring_a_section_rewrites_no_issue_that_shows_its_heading_only_in_code(
    blocks: Blocks,
) -> None:
    """The case 7bba597 fixes (declaring one template's section rewrote every issue), come back
    through a look at the text: issue 2 has `## Mid` only inside a code block."""
    other = "## One\n\n```markdown\n## Mid\n- [ ] example\n```\n\n- [ ] x\n"
    body = BODY.replace("## Two", f"{MID}\n\n## Two")
    issues = made_all(two_issues(body, other, ("One", "Two")), blocks)
    assert 2 not in rewritten(two_issues(body, other, THREE), issues, blocks)


# --- (3) the "any task already there" rule ------------------------------------------------


def test_two_new_sections_sharing_a_task_both_come(blocks: Blocks) -> None:
    """The template gains two sections that each end with the same generic task: the first
    is added, and then its own copy of the shared task blocks the second (`place` looks at
    the text with the first section in it)."""
    four = ("One", "Mid", "Late", "Two")
    issue = made(program(BODY, ("One", "Two")), blocks)
    shared = "- [ ] Optional: share your notes with the group."
    gained = BODY.replace(
        "## Two",
        f"## Mid\n\n- [ ] m1\n{shared}\n\n## Late\n\n- [ ] l1\n{shared}\n\n## Two",
    )
    text, result = after_run(program(gained, four), issue, blocks)
    assert "## Mid" in outside_blocks(text), result.warnings
    assert "## Late" in outside_blocks(text), result.warnings


def test_a_new_module_with_a_generic_nested_optional_task_comes(blocks: Blocks) -> None:
    """As CSM's participant template: `- [ ] Optional: potentially sign up for it.` nested
    under a task of Module 2. A new module whose own task has the same nested optional line
    is not added (any one task of it in the issue blocks it), and its tasks are lost."""
    optional = "   - [ ] Optional: potentially sign up for it."
    body = BODY.replace("- [ ] b\n", f"- [ ] b\n{optional}\n")
    issue = made(program(body, ("One", "Two")), blocks)
    new = f"## Mid\n\nA new module.\n\n- [ ] Review the coaching program.\n{optional}\n- [ ] m2"
    gained = body.replace("## Two", f"{new}\n\n## Two")
    text, result = after_run(program(gained, THREE), issue, blocks)
    assert "## Mid" in outside_blocks(text), result.warnings


def test_a_new_section_comes_though_a_person_wrote_one_of_its_tasks_outside_any_section(
    blocks: Blocks,
) -> None:
    """A person's own to-do list above the sections (no declared heading): a task with the
    words of one of the new section's three tasks blocks the whole section."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(issue, "## One", "My list:\n\n- [ ] Book a 1:1\n\n## One")
    new = "## Mid\n\nMiddle text.\n\n- [ ] m1\n- [ ] Book a 1:1\n- [ ] m3"
    text, result = after_run(
        program(BODY.replace("## Two", f"{new}\n\n## Two"), THREE), issue, blocks
    )
    assert "## Mid" in outside_blocks(text), result.warnings


# --- (2) flip-flop -----------------------------------------------------------------------


def test_a_record_in_windows_text_is_written_once(blocks: Blocks) -> None:
    """GitLab may hand back a description with "\\r\\n" line ends: a second run with nothing
    changed writes nothing."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(issue, issue.description, issue.description.replace("\n", "\r\n"))
    body = BODY.replace("- [ ] b\n", "- [ ] b\n- [ ] z\n")
    text, _ = after_run(program(body, ("One", "Two")), issue, blocks)
    again, result = after_run(
        program(body, ("One", "Two")), edited(issue, issue.description, text), blocks
    )
    assert again == text, result.actions


# --- (4) renamed with `renamed_from`, a task added at the same time -------------------------


def renamed(body: str) -> DesiredProgram:
    desired = program(body, ("Uno", "Two"))
    sections = (Section(heading="Uno", renamed_from="One"), Section(heading="Two"))
    return DesiredProgram(
        desired.program.model_copy(update={"sections": sections}),
        desired.issues,
        desired.tracking,
    )


def test_a_section_renamed_with_renamed_from_and_given_a_task_gets_the_task_once(
    blocks: Blocks,
) -> None:
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(issue, "- [ ] a", "- [x] a")
    body = BODY.replace("## One", "## Uno").replace("- [ ] b\n", "- [ ] b\n- [ ] z\n")
    text, result = after_run(renamed(body), issue, blocks)
    mine = outside_blocks(text)
    assert "## Uno" in mine and "## One" not in mine, mine
    assert [(t.section, t.text) for t in tasks_of(text, ("Uno", "Two"))] == [
        ("Uno", "a"),
        ("Uno", "b"),
        ("Uno", "z"),
        ("Two", "c"),
    ], result.warnings
    assert "- [x] a" in mine
    again, later = after_run(renamed(body), edited(issue, issue.description, text), blocks)
    assert again == text, later.actions


def test_renamed_with_renamed_from_and_a_new_section_after_it(blocks: Blocks) -> None:
    issue = as_before_954e076(made(program(BODY, ("One", "Two")), blocks))
    body = BODY.replace("## One", "## Uno").replace("## Two", f"{MID}\n\n## Two")
    desired = renamed(body)
    sections = (
        Section(heading="Uno", renamed_from="One"),
        Section(heading="Mid"),
        Section(heading="Two"),
    )
    desired = DesiredProgram(
        desired.program.model_copy(update={"sections": sections}), desired.issues, desired.tracking
    )
    text, result = after_run(desired, issue, blocks)
    mine = outside_blocks(text)
    assert "## Uno" in mine and "## Mid" in mine and mine.count("m1") == 1, result.warnings
    again, later = after_run(desired, edited(issue, issue.description, text), blocks)
    assert again == text, later.actions
