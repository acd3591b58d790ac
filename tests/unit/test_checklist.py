"""Task counting must equal GitLab's task_completion_status for the same text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.checklist import (
    TaskCount,
    count_all,
    count_sections,
    count_tasks,
    heading_key,
    headings_found,
    hidden_headings,
    is_optional,
    task_text,
)
from tests.fakes.gitlab_fake import task_completion_status

# (markdown, count, completed_count), each a rule GitLab documents for task lists.
PARITY_CASES = [
    ("- [ ] open\n- [x] done", 2, 1),
    ("* [X] capital X is done\n+ [ ] plus prefix", 2, 1),
    ("1. [x] ordered dot\n2) [ ] ordered paren", 2, 1),
    ("- [ ] parent\n  - [x] nested\n    - [x] deeper", 3, 2),
    ("> - [x] quoted\n> > - [ ] doubly quoted", 2, 1),
    ("- [\t] a tab inside the box is open", 1, 0),
    ("- [ ]\n- [x] ", 0, 0),  # a task needs text after the box
    ("- [~] not applicable is not a task", 0, 0),
    ("```\n- [ ] inside fenced code\n```\n- [x] outside", 1, 1),
    ("~~~md\n- [x] tilde fence\n~~~", 0, 0),
    ("<!-- - [ ] commented out -->\n- [ ] kept", 1, 0),
    ("- [ ] Sam <!-- an unclosed inline comment\n- [x] still counted", 2, 1),
    ("- [x] done <!-- inline, closed --> and more", 1, 1),
    ("   <!-- indented up to three spaces\n- [ ] hidden\n-->", 0, 0),
    ("<!--\n- [x] in a\n- [ ] multi-line comment\n-->\n- [x] after", 1, 1),
    ("[ ] no list prefix\n-[ ] no space after prefix", 0, 0),
    ("- [  ] two spaces in the box", 0, 0),
    # GitLab renders the text and counts the boxes: one Unicode space in a box is open
    ("- [\u3000] a full-width space is a box", 1, 0),
    ("- [\xa0] and a no-break space (pasted text brings them)", 1, 0),
    ("- [\x1c] a file separator is no space", 0, 0),
    # a table's cell holding a box alone is a task (GitLab's "table task items")
    ("| | Action |\n|---|---|\n| [ ] | Do something |\n| [x] | Do nothing |", 2, 1),
    ("| a | b |\n|---|---|\n| [ ] and text | b |", 0, 0),
    # under a table, a line without a pipe is one more row, up to a blank line or a block
    ("| a |\n|---|\n[x]\n- [ ] listed\n\n[ ] no table", 2, 1),
    # a table inside a quote is one too, over the lines of that quote
    ("> | | Action |\n> |---|---|\n> | [ ] | Do |\n> [x]\n| [x] | out |", 2, 1),
    ("\uff11. [ ] nor is a full-width digit a list number", 0, 0),
    ("- [x]no space before the text", 0, 0),
    ("- - [x] double prefix", 1, 1),
    ("- [ ] one\r\n- [x] two\r\n", 2, 1),
    ("````\n```\n- [ ] still fenced\n```\n````\n- [ ] counted", 1, 0),
    # GitLab draws a box only where its Markdown renderer makes a list item (a tester's
    # "template, not tasks" in indented code kept the issue from ever completing)
    ("- [x] a\n\nTo send:\n\n    - [ ] indented code\n    - [ ] too", 1, 1),
    ("    - [x] indented code on the first line", 0, 0),
    ("Notes:\n    - [ ] a paragraph's text, indented", 0, 0),
    ("Notes:\n2. [ ] a number other than 1 does not interrupt a paragraph", 0, 0),
    ("Notes:\n1. [ ] one does", 1, 0),
    ("<details><summary>s</summary>\n- [x] an HTML block, to a blank line\n</details>", 0, 0),
    ("<div>\n- [x] in a div\n</div>\n\n- [ ] after it", 1, 0),
    ("<details>\n\n- [x] after a blank line, Markdown again\n\n</details>", 1, 1),
    ("1. [ ] item\n   - sub\n      - [ ] nested six spaces in", 2, 0),
    ("- a\n\n    - [ ] nested after a blank line", 1, 0),
    ("- a\n          - [ ] too far in: the item's text", 0, 0),
    # a reviewer's shapes the line scanner took for tasks, each read by the parser now
    ("-     [ ] five spaces: the item's content is code", 0, 0),
    ("-\t\t[ ] tabs too", 0, 0),
    ("-- [ ] no list marker", 0, 0),
    ("1234567890. [ ] ten digits are no list number", 0, 0),
    ("- <div>\n  - [ ] an HTML block inside an item", 0, 0),
    ("- ```\n  - [ ] a fence opened on an item's line", 0, 0),
    ("- [x] Set up\n    ```\n    - [ ] an example, in a fence inside the item\n    ```", 1, 1),
    ("> ```\n> - [ ] a fence in a quote\n> ```", 0, 0),
    ("Notes:\n2. a\n3. [ ] a paragraph's text", 0, 0),
    ("Steps:\n10. Ten\n    - [ ] the paragraph's text too", 0, 0),
    ("-\n\n     - [ ] after an empty item, code", 0, 0),
    ("- a\n  ```\n> - [ ] the item ends its fence", 1, 0),
    ("    ```\n- [ ] indented code is no fence", 1, 0),
    ("  > - [ ] a quote indented two spaces", 1, 0),
]


@pytest.mark.parametrize(("text", "count", "completed"), PARITY_CASES)
def test_count_matches_gitlab_rules(text: str, count: int, completed: int) -> None:
    assert count_tasks(text) == TaskCount(count, completed)


def test_percent_rounds_down_so_100_means_all_done() -> None:
    assert TaskCount(3, 2).percent == 66
    assert TaskCount(200, 199).percent == 99
    assert TaskCount(0, 0).percent == 0


def test_sections_count_tasks_under_their_heading_until_a_same_level_heading() -> None:
    text = (
        "- [x] before any section\n"
        "## Module 1\n- [x] a\n### Detail\n- [ ] b\n"
        "## Unrelated\n- [x] c\n"
        "## module 2 \n- [ ] d\n"
    )
    one, two, missing = count_sections(text, ["Module 1", "Module 2", "Module 3"])
    assert one.tasks == TaskCount(2, 1)
    assert two.tasks == TaskCount(1, 0)
    assert not missing.found and missing.tasks == TaskCount(0, 0)
    assert count_tasks(text) == TaskCount(5, 3)


def test_heading_inside_code_does_not_start_a_section() -> None:
    text = "## Phase\n```\n## Other\n```\n- [x] still in phase\n"
    (phase,) = count_sections(text, ["Phase"])
    assert phase.tasks == TaskCount(1, 1)


LINE = st.sampled_from(
    ["- [ ] t", "- [x] t", "* [X] t", "1. [ ] t", "text", "", "```", "<!--", "-->", "> - [x] q"]
)


@given(st.lists(LINE, max_size=30))
def test_completed_never_exceeds_count_and_fencing_hides_everything(lines: list[str]) -> None:
    text = "\n".join(lines)
    counted = count_tasks(text)
    assert 0 <= counted.completed_count <= counted.count <= len(lines)
    hidden = "\n".join(line for line in lines if line != "```")
    assert count_tasks("```\n" + hidden.replace("```", "") + "\n```") == TaskCount(0, 0)


MARKDOWN_LINE = st.sampled_from(
    [
        "- [ ] t",
        "- [x] t",
        "* [X] t",
        "1. [ ] t",
        "2) [x] t",
        "  - [ ] nested",
        "> - [x] q",
        "- [~] t",
        "- [ ]",
        "- [  ] t",
        "[x] t",
        "text",
        "",
        "```",
        "~~~",
        "````",
        "<!--",
        "-->",
        "<!-- c --> - [x] t",
        "- [\xa0] t",
        "| [ ] | t |",
        "| [x] |",
        "|---|---|",
        "| --- |",
        "a | b",
        "| [~] | t |",
        "> | [ ] | t |",
        "> |---|---|",
        ">> | [x] |",
        "> > | --- |",
        "> [x]",
        "[ ]",
        "- [ ] a <!-- b",
        "## Heading",
        "    - [x] deep",
        "      - [ ] deeper",
        "\t- [x] tab",
        "2. [ ] t",
        "<details>",
        "</details>",
        "<div>",
        "<b>x</b>",
        "<summary>s</summary>",
        "<pre>",
        "</pre>",
        "    code",
    ]
)


@given(st.lists(MARKDOWN_LINE, max_size=40))
def test_count_agrees_with_the_fake_gitlab_written_independently(lines: list[str]) -> None:
    """Two implementations of GitLab's rules, written apart, must agree on any mix of lines."""
    text = "\n".join(lines)
    oracle = task_completion_status(text)
    assert count_tasks(text) == TaskCount(oracle["count"], oracle["completed_count"])


HEADING_LINES = st.sampled_from(
    ["## Phase 1", "#  phase   1 ", "### Phase 2", "# Other", "```", "<!--", "-->", "- [x] t", "x"]
)


@given(st.lists(HEADING_LINES, max_size=20))
def test_headings_found_are_the_sections_counting_finds(lines: list[str]) -> None:
    """The quick look for headings (desired issues' sections) agrees with counting them,
    also when two declared headings differ only in case and spacing."""
    text = "\n".join(lines)
    for headings in (["Phase 1", "Phase 2", "Missing"], ["phase 1", "Phase  1", "Other"]):
        counted = tuple(c.heading for c in count_sections(text, headings) if c.found)
        assert headings_found(text, headings) == counted


OPTIONAL_LINES = st.sampled_from(
    [
        "- [ ] Optional: a",
        "- [x] **Optional:** b",
        "- [ ] _(optional)_ c",
        "- [x]   optional\td",
        "- [ ] \u00a0Optional e",
        "- [x] optionally not",
        "- [ ] not optional",
        "- [x] plain",
        "## Heading",
        "text",
    ]
)


@given(st.lists(OPTIONAL_LINES, max_size=12))
def test_skipping_optional_tasks_leaves_out_exactly_the_tasks_that_say_so(
    lines: list[str],
) -> None:
    text = "\n".join(lines)
    kept = [line for line in lines if task_text(line) and not is_optional(task_text(line) or "")]
    done = sum("[x]" in line for line in kept)
    assert count_all(text, [], skip_optional=True)[1] == TaskCount(len(kept), done)


@pytest.mark.parametrize(
    "typed",
    ["Phase 2 — U\u0308ben", "PHASE\u00a02 — ÜBEN", "phase 2 —  üben"],
)
def test_a_heading_reads_as_configured_in_any_unicode_form_case_or_spacing(typed: str) -> None:
    """A tester: a heading retyped decomposed, or with an emoji's variation selector, was
    "not found", and its tasks counted as "Other tasks"."""
    assert heading_key(typed) == heading_key("Phase 2 — Üben")
    assert heading_key("🚀\ufe0f Start") == heading_key("🚀 Start")


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("## A\n- [ ] a\n```\nnote\n## B\n- [ ] b\n", ("B",)),  # a fence never closed
        ("## A\n<!-- draft: ask Dana\n## B\n- [ ] b\n", ("B",)),  # a comment never closed
        (
            "## A\n```\n## B\n```\n## B\n",
            ("B",),
        ),  # found hidden (measure asks only of those not shown)
        ("## A\n```\nnote\n```\n## B\n", ()),  # closed: nothing hidden
        ("## A\n```\n## C\n", ()),  # a heading of no section
    ],
)
def test_headings_hidden_in_code_or_comments_are_found(text: str, hidden: tuple[str, ...]) -> None:
    assert hidden_headings(text, ["A", "B"]) == hidden
