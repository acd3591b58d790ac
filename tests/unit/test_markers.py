"""The tool rewrites only its own blocks, and refuses to guess when markers are damaged."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation import keptlines
from automation.edits import Edits, apply_edits
from automation.errors import ItemError
from automation.keptlines import marks_line, recording
from automation.markers import (
    begin_marker,
    block_content,
    damaged_blocks,
    drop_damaged_block,
    end_marker,
    find_key,
    hidden_lines,
    identity_marker,
    normalise,
    outside_blocks,
    replace_block,
    restore_identity,
    same_text,
)

BEGIN, END = begin_marker("progress"), end_marker("progress")


def test_identity_marker_is_found_on_the_first_line() -> None:
    text = identity_marker("sponsorship/fy27-q1/alice") + "\n# Title\n"
    assert text.startswith("<!-- automation:key=sponsorship/fy27-q1/alice -->\n")
    assert find_key(text) == "sponsorship/fy27-q1/alice"


def test_text_without_marker_has_no_key() -> None:
    assert find_key("# A person's own issue\n<!-- automation:key=Bad Key -->") is None


def test_invalid_key_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid item key"):
        identity_marker("Has Spaces")


def test_block_content_is_replaced_between_markers() -> None:
    text = f"intro\n{BEGIN}\nold\n{END}\noutro\n"
    assert replace_block(text, "progress", "new") == f"intro\n{BEGIN}\nnew\n{END}\noutro\n"


def test_missing_block_is_appended_after_one_blank_line() -> None:
    assert replace_block("intro\n", "progress", "new") == f"intro\n\n{BEGIN}\nnew\n{END}\n"
    assert replace_block("intro", "progress", "new") == f"intro\n\n{BEGIN}\nnew\n{END}\n"


def test_rewriting_an_appended_block_is_stable() -> None:
    once = replace_block("intro\n", "progress", "same")
    assert replace_block(once, "progress", "same") == once


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"a\n{BEGIN}\nb\n", "end marker is missing"),
        (f"a\nb\n{END}\n", "begin marker is missing"),
        (f"{BEGIN}\n{END}\n{BEGIN}\n{END}\n", "more than once"),
        (f"{END}\nx\n{BEGIN}\n", "end marker comes before the begin marker"),
    ],
)
def test_damaged_block_is_reported_and_not_rewritten(text: str, problem: str) -> None:
    with pytest.raises(ItemError, match=problem) as caught:
        replace_block(text, "progress", "new")
    assert "left untouched" in str(caught.value)


def test_other_blocks_do_not_count_as_damage() -> None:
    text = f"{begin_marker('rollup')}\nr\n{end_marker('rollup')}\n{BEGIN}\np\n{END}\n"
    assert block_content(replace_block(text, "progress", "q"), "rollup") == "r\n"


def test_normalise_ignores_line_endings_and_trailing_blanks() -> None:
    assert normalise("a \r\nb\t\r\n\r\n") == normalise("a\nb")
    assert normalise("a\nb") != normalise("a\n\nb")


@given(
    st.text(alphabet=" \t\r\nab\u00a0\u2028", max_size=12), st.text(alphabet=" \r\nab", max_size=12)
)
def test_same_text_is_equality_after_normalising(one: str, other: str) -> None:
    assert same_text(one, other) == (normalise(one) == normalise(other))
    assert same_text(one, one)
    assert same_text("a \r\nb\t\r\n", "a\nb") and not same_text("a\nb", "a\n\nb")


# text around a block that leaves it a block: no marker of its own, and no code fence it could
# leave open (markers inside a fence are code, not a block: hypothesis found `~~~` around one)
_FENCE = re.compile(r"(?:^|[\n\r\u2028\u2029\x85\x0b\x0c\x1c-\x1e])[ ]{0,3}(?:`{3}|~{3})")
SAFE_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200).filter(
    lambda t: "automation:" not in t and not _FENCE.search(t)
)


@given(before=SAFE_TEXT, inside=SAFE_TEXT, after=SAFE_TEXT, new=SAFE_TEXT)
def test_rewriting_a_block_never_changes_a_byte_outside_it(
    before: str, inside: str, after: str, new: str
) -> None:
    head = before if before.endswith("\n") or not before else before + "\n"
    text = f"{head}{BEGIN}\n{inside}\n{END}\n{after}"
    result = replace_block(text, "progress", new)
    assert result.startswith(f"{head}{BEGIN}\n")
    assert result.endswith(f"{END}\n{after}")
    assert block_content(result, "progress") in (new, new + "\n")


@given(before=SAFE_TEXT, new=SAFE_TEXT)
def test_appending_a_block_keeps_the_existing_text_as_a_prefix(before: str, new: str) -> None:
    assert replace_block(before, "progress", new).startswith(before)


def test_a_restored_identity_line_goes_on_top_and_keeps_everything_else() -> None:
    marker = identity_marker("p/c1/ana")
    typed_above = f"Note from the manager\n{marker}\n## One\n- [x] done\n"
    assert restore_identity(typed_above, "p/c1/ana") == (
        f"{marker}\nNote from the manager\n## One\n- [x] done\n"
    )
    assert restore_identity("", "p/c1/ana") == f"{marker}\n"
    assert find_key(restore_identity("## One\n", "p/c1/ana")) == "p/c1/ana"


def test_outside_blocks_leaves_out_block_content_but_not_after_a_lost_end_marker() -> None:
    """A person's text after a begin marker whose end marker they deleted is still theirs
    (tasks there count, recorded values there are read)."""
    whole = f"a\n{BEGIN}\n| tool | 1/1 |\n{END}\nb"  # the tool writes no task in a block
    assert outside_blocks(whole) == f"a\n{BEGIN}\n{END}\nb"
    damaged = f"a\n{BEGIN}\n- [x] mine\nb"
    assert outside_blocks(damaged) == damaged


QUOTED = (
    "Mine:\n\n```\n<!-- automation:begin progress -->\nmy snippet\n"
    "<!-- automation:end progress -->\n```\n"
)


def test_markers_a_person_quoted_in_fenced_code_are_their_text_not_a_block() -> None:
    """GitLab shows them as code; the tool neither reads nor writes there."""
    assert block_content(QUOTED, "progress") is None
    appended = replace_block(QUOTED, "progress", "figures")
    assert appended.startswith(QUOTED) and appended.endswith(
        "<!-- automation:begin progress -->\nfigures\n<!-- automation:end progress -->\n"
    )
    assert block_content(appended, "progress") == "figures\n"
    assert "my snippet" in replace_block(appended, "progress", "new figures")
    assert "my snippet" in outside_blocks(appended)  # a person's text, not the block's
    tilde = QUOTED.replace("```", "~~~~")
    assert block_content(tilde, "progress") is None


def test_an_unclosed_fence_hides_no_marker_or_each_run_would_append_a_block() -> None:
    text = "Mine:\n\n```\nnever closed\n<!-- automation:begin progress -->\nx\n"
    text += "<!-- automation:end progress -->\n"
    assert block_content(text, "progress") == "x\n"
    assert replace_block(text, "progress", "y").count("automation:begin progress") == 1


def test_a_fence_inside_an_html_comment_is_no_fence() -> None:
    text = (
        "<!--\n```\n-->\n<!-- automation:begin progress -->\nx\n<!-- automation:end progress -->\n"
    )
    text += "```\nlater code\n```\n"
    assert block_content(text, "progress") == "x\n"


CHARTS = (
    "<!-- automation:begin charts -->\n```mermaid\nxychart-beta\n```\n"
    "<!-- automation:end charts -->\n"
)


def test_a_persons_fence_left_open_above_a_block_with_fences_quotes_nothing() -> None:
    """A person's ``` never closed, above the charts block: the chart's own fence closes it
    as GitLab reads it, but that fence holds a lone marker, no whole block: nothing quoted."""
    text = "## Tracking\n\nTeam note: run this\n```\ncurl example\n\n" + CHARTS
    text += "\n<!-- automation:begin rollup -->\nold\n<!-- automation:end rollup -->\n"
    assert block_content(text, "charts") == "```mermaid\nxychart-beta\n```\n"
    assert block_content(text, "rollup") == "old\n"
    assert replace_block(text, "rollup", "new").count("automation:begin rollup") == 1


def test_inline_code_of_three_backticks_opens_no_fence() -> None:
    """```` ```x``` ```` at a line's start is inline code (CommonMark: no backtick after a
    backtick fence's opening), so the block after it is no quote."""
    text = f"```x``` here\n{BEGIN}\nfigures\n{END}\n\nLater:\n```\ncode\n```\n"
    assert block_content(text, "progress") == "figures\n"


def test_a_damaged_hidden_block_is_dropped_but_a_persons_quote_of_it_is_kept() -> None:
    header = "<!-- history of the figures"
    quote = f"```\n<!-- automation:begin history -->\n{header}\n2026-11-02 1 4\n-->\n"
    quote += "<!-- automation:end history -->\n```\n"
    text = f"Mine:\n{quote}<!-- automation:begin history -->\n{header}\n2026-11-09 2 4\n"
    dropped = drop_damaged_block(text, "history", header)  # the real block lost its end
    assert quote.rstrip("\n") in dropped and "2026-11-09" not in dropped
    assert [line for inside, line in hidden_lines(quote, header) if inside] == []


def test_a_block_a_template_indents_in_a_list_item_is_the_tools() -> None:
    """A reviewer's: a template that puts its block in a list item (its begin marker indented
    by four spaces, its end marker not) works: markers count whatever their indentation (a
    person's quote of them is theirs only in a fenced block)."""
    text = (
        "- [ ] a task\n    <!-- automation:begin progress -->\nfigures\n"
        "<!-- automation:end progress -->\n"
    )
    assert block_content(text, "progress") == "figures\n"


SWALLOWING = (
    "<!-- automation:begin progress -->\n"
    "## Module 1\n"
    "- [x] a person's tick\n"
    "my notes\n"
    "| Overall | 1/1 |\n"
    "<!-- automation:end progress -->\n"
)


def test_a_block_that_holds_a_task_is_damaged_and_hides_nothing() -> None:
    """A marker moved past a person's checklist: the block is not the tool's to write, and
    the person's lines still count."""
    with pytest.raises(ItemError, match="the managed block 'progress' is damaged: it holds a task"):
        replace_block(SWALLOWING, "progress", "new figures")
    assert damaged_blocks(SWALLOWING) == ["progress"]
    assert outside_blocks(SWALLOWING) == SWALLOWING.rstrip("\n") + "\n"
    linked = SWALLOWING.replace("- [x] a person's tick", "See [the guide](https://x.example)")
    assert "new figures" in replace_block(linked, "progress", "new figures")  # a link is no task


BESIDE = "<!-- automation:begin progress -->"


@pytest.mark.parametrize(
    "text",
    [
        f"```\nPut {BESIDE} here\n```\n",  # in a fence that holds one marker only
        f"    code {BESIDE}\n",  # indented code
        f"<!-- old: {BESIDE} -->\n",  # a comment
        f"Write `{BESIDE}` on a line of its own\n",  # a code span
    ],
)
def test_a_marker_a_person_shows_as_code_or_hides_is_not_damage(text: str) -> None:
    """A reviewer's: a marker quoted in code or a comment, with text beside it, failed the
    issue on every run as a marker with text beside it."""
    assert block_content(text, "progress") is None


def test_a_marker_with_text_beside_it_where_gitlab_shows_text_is_damage() -> None:
    with pytest.raises(ItemError, match="has other text on its line"):
        block_content(f"note {BESIDE}\nold\n<!-- automation:end progress --> note\n", "progress")


def test_only_the_first_line_loses_a_key_typed_beside_it() -> None:
    """A key line a person quotes in a fence further down stays as they wrote it."""
    key = "<!-- automation:key=a/b -->"
    quoted = f"```\n{key} example\n```"
    assert restore_identity(f"{key} note\n{quoted}", "a/b") == f"{key}\nnote\n{quoted}"


def test_lines_typed_in_a_kept_block_go_below_its_own_end_marker() -> None:
    """Not below a copy of the block a person quoted in fenced code above it."""
    quoted = (
        "```\n<!-- automation:begin kept-people -->\n| q |\n"
        "<!-- automation:end kept-people -->\n```\n"
    )
    block = (
        f"<!-- automation:begin kept-people -->\n{marks_line('| a |')}\n| a |\n| typed |\n"
        "<!-- automation:end kept-people -->\n"
    )
    content = f"{marks_line('| b |')}\n| b |\n"
    after = apply_edits(f"{quoted}{block}after\n", Edits(kept=(("kept-people", content),)))
    assert after.startswith(quoted) and "| b |" in after and "| a |" not in after
    below = after[after.rindex("<!-- automation:end kept-people -->") :]
    assert "*Typed in the block above" in below and below.index("| typed |") < below.index("after")


def _record_v1(*lines: str) -> str:
    """A block's record as versions before 0.3 wrote it: marks of the lines as written."""
    marks = "".join(" " + hashlib.sha1(line.strip().encode()).hexdigest()[:6] for line in lines)
    return f"<!-- automation:kept-lines{marks} -->"


def test_a_block_recorded_before_v2_is_read_as_then() -> None:
    """Records written before marks as shown still tell the tool's lines from typed ones,
    and an upgrade rewrites no block only for its record's version."""
    rows = ["| Phase | Done |", "|---|---:|", "| One | 1/3 |"]
    current = "\n".join([_record_v1(*rows), *rows, "| typed | row |"])
    content = recording("\n".join(rows))
    assert " 000000 " in content.split("\n", 1)[0]  # then each line's mark as shown
    assert keptlines.typed(current, content) == ["| typed | row |"]
    assert keptlines.same_lines(current, content)  # the typed row stays; nothing to rewrite
    # the editor's save of the same lines: the rewrite has them, so none is said typed
    saved = "\n".join([_record_v1(*rows), "| Phase | Done |", "| ----- | ---: |", "| One | 1/3 |"])
    assert keptlines.typed(saved, content) == []
    # a row whose figure changed, saved padded, is not known under the old record: it moves
    assert keptlines.typed(saved.replace("| One | 1/3 |", "| One   | 1/3 |"), content) == []
    changed = recording("\n".join([*rows[:2], "| One | 2/3 |"]))
    assert keptlines.typed(saved.replace("| One | 1/3 |", "| One  | 1/3 |"), changed) == [
        "| One  | 1/3 |"
    ]


def test_a_v2_record_knows_its_lines_as_the_rich_text_editor_saves_them() -> None:
    rows = ["| | |", "|---|---:|", "| One | *(not in Overall)* 1/3 |"]
    current = recording("\n".join(rows))
    saved = current.replace("| | |", "|  |  |").replace("|---|---:|", "|--|--:|")
    saved = saved.replace("*(not in Overall)*", "_(not in Overall)_").replace("1/3", "1\\/3")
    changed = recording("\n".join([*rows[:2], "| One | 2/3 |"]))
    assert keptlines.typed(saved, changed) == []
    assert keptlines.typed(saved + "\n| a typed | row |", changed) == ["| a typed | row |"]


def test_a_paragraph_the_rich_text_editor_joined_is_not_said_typed() -> None:
    """The editor saves a paragraph written over several lines as one line (ProseMirror)."""
    lines = ["Your goal: be ready by 2026-12-24,", "competent and confident.", "", "| a |"]
    current = recording("\n".join(lines)).replace(",\ncompetent", ", competent")
    assert keptlines.typed(current, recording("\n".join(lines))) == []
    typed = current + "\nYour goal: be ready by 2026-12-24, competent and confident. Mine"
    assert keptlines.typed(typed, recording("\n".join(lines))) == [typed.split("\n")[-1]]


def test_a_version_before_reads_a_new_record_as_its_own() -> None:
    """A review: going back one release, a record it could not read lost a manager's typed
    row. The new record keeps each line's mark as written first, which it reads."""
    rows = ["| Phase | Done |", "|---|---:|", "| One | 1/3 |"]
    record = recording("\n".join(rows)).split("\n", 1)[0]
    found = re.fullmatch(r"<!-- automation:kept-lines(?P<marks>(?: [0-9a-f]{6})*) -->", record)
    assert found is not None  # the earlier version's pattern
    earlier = set(found["marks"].split())
    assert all(hashlib.sha1(row.strip().encode()).hexdigest()[:6] in earlier for row in rows)
    current = record + "\n" + "\n".join(rows) + "\n| typed | row |"
    assert keptlines.typed(current, recording("\n".join(rows))) == ["| typed | row |"]


def test_a_joined_paragraph_configuration_then_changed_is_not_said_typed() -> None:
    """A review: the editor joined a paragraph of the tool's; configuration then changed it (a
    date): the joined old paragraph, in no line of the rewrite, was moved below as typed."""
    old = "**No workshop:** none in APAC at least\n14 days after 2026-11-24 yet; one\nwill come."
    current = recording(old).split("\n", 1)[0] + "\n" + old.replace("\n", " ")
    changed = recording("**No workshop:** none was scheduled in APAC, which\nended on 2027-03-09.")
    assert keptlines.typed(current, changed) == []
    assert keptlines.typed(current + "\nA line of mine.", changed) == ["A line of mine."]


def test_a_list_item_written_over_two_lines_and_joined_is_not_said_typed() -> None:
    """A list item's paragraph joins as any other; a table row never joins the line after."""
    body = "- Your goal: be ready by 2026-12-24,\n  competent and confident.\n| a |\n| b |"
    current = recording(body).split("\n", 1)[0] + "\n" + body.replace(",\n  ", ", ")
    assert keptlines.typed(current, recording("- Another goal\n| a |")) == []
    assert keptlines.typed(current + "\n| a | b |", recording("- Another goal")) == ["| a | b |"]
