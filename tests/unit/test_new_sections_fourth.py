"""New template sections, fourth review (2d59b78, f09a03f): a section added without the tasks
an issue has (`_without_had`), and the more-than-half rule. Each test fails at ae88f79. Pure, as
test_new_sections.py."""

from __future__ import annotations

import pytest

from automation.blocks import Blocks
from automation.markers import outside_blocks
from automation.rendering import Renderer
from automation.tasks import NewSection, tasks_of
from tests.unit.test_migration import BODY, REPO, edited
from tests.unit.test_new_sections import THREE, after_run, made, program, with_mid


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", ["ana", "ben"]))


def mid(text: str) -> NewSection:
    return NewSection("Mid", text, ("One",), ("Two",), THREE)


def mid_tasks(text: str) -> list[str]:
    return [t.text for t in tasks_of(text, THREE) if t.section == "Mid"]


# --- (a) `_without` drops a task the issue does not have -----------------------------------


@pytest.mark.parametrize(
    "module",
    [
        # CSM-like: a generic parent task the issue has (One's `b`), with a module-specific
        # sub-task nested under it
        "## Mid\n\nModule text.\n\n1. [ ] b\n   - [ ] Share your Mid reflection doc.\n"
        "1. [ ] m2\n1. [ ] m3",
        # a sibling item indented 1-3 spaces: less than `b`'s content column, so not nested
        # in Markdown, but `_item_end` takes any deeper indent for a nested line
        "## Mid\n\nModule text.\n\n- [ ] b\n - [ ] Share your Mid reflection doc.\n- [ ] m3",
    ],
)
def test_a_task_nested_under_one_the_issue_has_comes_with_the_section(
    blocks: Blocks, module: str
) -> None:
    """`_without` drops the item of a task the issue has with every nested line, tasks too:
    the sub-task is a template task the issue does not have, yet it never comes. The record
    lists it, so no later run adds it or says so; `place`'s check compares the result with
    the chunk after `_without`, so it cannot see the loss."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    text, result = after_run(with_mid(module), issue, blocks)
    assert "## Mid" in outside_blocks(text), result.warnings
    assert "Share your Mid reflection doc." in mid_tasks(text), outside_blocks(text)


@pytest.mark.parametrize(
    ("section", "placed"),
    [
        (
            "## Mid\n\n> - [ ] m1\n> - [ ] b\n>   - how: ask b's owner\n> - [ ] m2",
            "## Mid\n\n> - [ ] m1\n> - [ ] m2\n",
        ),
        (
            "## Mid\n\nSteps:\n1. [ ] b\n2. [ ] m1\n3. [ ] m2",
            "## Mid\n\nSteps:\n1. [ ] m1\n3. [ ] m2\n",
        ),
        (
            # (a blank line under `Steps:`: a list numbered from 9 does not interrupt a
            # paragraph, so without it CommonMark reads no checkbox there at all)
            "## Mid\n\nSteps:\n\n9. [ ] b\n10. [ ] m1\n    - how\n11. [ ] m2",
            "## Mid\n\nSteps:\n\n9.  [ ] m1\n    - how\n11. [ ] m2\n",
        ),
    ],
    ids=["quoted", "numbered", "numbered-wider"],
)
def test_a_new_section_leaves_out_a_task_the_issue_has_and_keeps_its_lists(
    section: str, placed: str
) -> None:
    """Leaving out a task the issue has (`b`, moved by the template from One) once left its
    hint behind under another task in a quote, and made a numbered list start at 2 after a
    paragraph, which CommonMark reads as text (no checkboxes), so 09317ee brought the section
    whole, `b` twice. Now `b` goes with the lines of its quote, and the next item takes its
    number (padded, so the nested line stays nested)."""
    text = mid(section).place(BODY)
    assert text is not None
    assert placed in text and sorted(mid_tasks(text)) == ["m1", "m2"]
    assert [t.text for t in tasks_of(text, THREE)].count("b") == 1


# --- (c) the more-than-half rule and generic Optional tasks -------------------------------


def test_a_new_section_whose_only_tasks_are_generic_optional_ones_comes(blocks: Blocks) -> None:
    """A new module whose one task is the generic `Optional: share your notes with the
    group.` that an earlier module has too: one of one is more than half, so the module
    (heading and text) never comes, and every run warns that the issue has no heading 'Mid'.
    The rule (2d59b78) was to stop generic tasks blocking sections; an Optional task says
    little about a section renamed or added by hand."""
    shared = "- [ ] Optional: share your notes with the group."
    body = BODY.replace("- [ ] b\n", f"- [ ] b\n{shared}\n")
    issue = made(program(body, ("One", "Two")), blocks)
    gained = body.replace("## Two", f"## Mid\n\nReflect on the module.\n\n{shared}\n\n## Two")
    text, result = after_run(program(gained, THREE), issue, blocks)
    assert "## Mid" in outside_blocks(text), result.warnings
    _, later = after_run(program(gained, THREE), edited(issue, issue.description, text), blocks)
    assert not [w for w in later.warnings if "no heading 'Mid'" in w]
