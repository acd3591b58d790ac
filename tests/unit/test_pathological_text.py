"""Text a person writes cannot make a run take hours: the patterns that read issue text take
time about linear in it. Each test gives an input on which the pattern it replaced took hours
(its time doubled, or grew as the cube, with a run of spaces or backticks) and guards it with
an alarm far above what the linear code needs (milliseconds), so a regression fails instead of
hanging CI. Their results are checked against the old patterns' on short random text."""

from __future__ import annotations

import html
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from automation import figures, mentions, migration
from automation.changes import _also_damaged
from automation.checklist import count_all, heading_key, heading_of
from automation.edits import Edits
from automation.errors import ItemError
from automation.exposure import exposed
from automation.figures import references
from automation.items import ObservedIssue
from automation.markers import _ANY_MARKER, _bare, _locate, block_content, damaged_blocks
from automation.mentions import _LINE_BREAK, _spans, code_spans, without_code
from automation.output.lines import diff
from automation.rendering import _as_text as as_text
from automation.rendering import inert, mentions_everyone, neutralise
from automation.tasks import NewTask, add_task, tasks_of
from tests.fakes.gitlab_fake import task_completion_status

GUARD_SECONDS = 20  # the linear code takes milliseconds; the old patterns took hours


@contextmanager
def bounded() -> Iterator[None]:
    def stop(*_: Any) -> None:
        raise TimeoutError("took far longer than linear time allows")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(GUARD_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def quick(call: Callable[[], Any]) -> Any:
    with bounded():
        return call()


# --- headings -------------------------------------------------------------------------------

HEADING = re.compile(r"^ {0,3}(?P<level>#{1,6})[ \t]+(?P<text>.*?)[ \t]*$")
CLOSING = re.compile(r"(?:(?P<text>.*?)[ \t]+)?#+")  # a closing run of # after a space, or alone


@given(st.text(alphabet="# \tCa", max_size=14))
def test_a_heading_is_read_as_commonmark_reads_it(line: str) -> None:
    """Up to three spaces (a tab first makes code), the level, a space, the text; a closing
    run of # is dropped after a space only ("Learn C#" keeps its #)."""
    found = HEADING.match(line)
    expected = None
    if found:
        text = found.group("text")
        closing = CLOSING.fullmatch(text)
        text = (closing.group("text") or "") if closing else text
        expected = (len(found.group("level")), heading_key(text))
    assert heading_of(line) == expected


def test_a_heading_with_a_long_run_of_spaces_is_read_at_once() -> None:
    line = "# note" + " " * 50_000 + "x"
    assert quick(lambda: heading_of(line)) == (1, heading_key("note" + " " * 50_000 + "x"))
    text = f"## Phase 1\n- [x] one\n{line}\n- [ ] two\n"
    sections, overall = quick(lambda: count_all(text, ["Phase 1"]))
    assert (overall.completed_count, overall.count) == (1, 2)
    assert sections[0].tasks.count == 1  # the note's heading (a higher level) ends the phase


# --- values shown in rollups ------------------------------------------------------------------

# (`#`, `!` and `%` left the plain characters when a value's `#12` and `%v1` stopped being
# references: a value with one goes the whole way, as `inert`)
OLD_PLAIN = re.compile(r"[^\W\d_][^\W_]*(?:[ ,.:;'()?=+/-]+[^\W_]*)*|-?\d+(?:[-:.]\d+)*", re.ASCII)


@given(st.text(alphabet="aZ9 ,#/-_<é!", max_size=12))
def test_plain_text_is_told_from_other_text_as_before(text: str) -> None:
    expected = text if OLD_PLAIN.fullmatch(text) else inert(text)
    assert neutralise(text) == expected


def test_a_title_with_a_run_of_spaces_before_an_odd_character_is_shown_at_once() -> None:
    title = "Sam" + " " * 50_000 + "<"
    shown = quick(lambda: neutralise(title))
    assert shown.endswith("&lt;") and shown.startswith("Sam ")


# --- code spans -----------------------------------------------------------------------------


def test_code_spans_hide_references_as_gitlab_reads_them() -> None:
    assert references("see `#1` and #2") == {2}
    assert references("``#3`` and ``a ` #4`` then #5") == {5}
    assert references("` #6 `` #7") == {6, 7}  # no partner run: backticks are text
    assert without_code("a ``b`` c `d") == "a  c `d"


def test_a_line_of_backticks_is_read_at_once() -> None:
    line = "note #9 " + "`" * 100_000
    assert quick(lambda: references(line)) == {9}
    mixed = "".join("`" * n + " #1 " for n in range(1, 400))  # every run a new size
    assert quick(lambda: references(mixed)) == {1}


OLD_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`).+?(?<!`)\1(?!`)")


@given(st.text(alphabet="`\\a \n", max_size=16))
def test_code_spans_are_found_as_before_where_a_line_alone_says(text: str) -> None:
    """Read line by line, as the old pattern did; what `code_spans` gives is code in that
    reading too (and in the paragraph-wide one)."""
    by_line = _spans(text, _LINE_BREAK)
    assert by_line == [m.span() for m in OLD_CODE_SPAN.finditer(text)]
    for start, end in code_spans(text):
        assert any(a <= start and end <= b for a, b in by_line)


def test_a_line_of_unpaired_backtick_runs_is_read_at_once() -> None:
    line = "".join("`" * n + "a" for n in range(1, 2500))  # no run has a partner: 3 MB
    assert quick(lambda: code_spans(line)) == []


def test_a_line_holding_a_block_marker_many_times_is_read_at_once() -> None:
    """Not a marker line, so the block is found as written below it."""
    line = "<!-- automation:begin progress -->" * 300_000  # 10 MB on one line
    text = (
        f"{line}\n<!-- automation:begin progress -->\nfigures\n<!-- automation:end progress -->\n"
    )
    assert quick(lambda: block_content(text, "progress")) == "figures\n"


def test_ever_deeper_tasks_are_listed_at_once_and_their_items_read_when_asked() -> None:
    """Each task indented one space more than the last: each one's item holds every line
    after it, so building them all took time and memory growing with the square."""
    lines = [" " * n + f"- [ ] task {n}" for n in range(3000)]
    text = "## Practice\n" + "\n".join(lines) + "\n"
    tasks = quick(lambda: tasks_of(text, ["Practice"]))
    assert [t.text for t in tasks[:2]] == ["task 0", "task 1"]
    # CommonMark reads most of them as a paragraph's text, as GitLab (and its fake) do
    assert len(tasks) == task_completion_status(text)["count"] < 3000
    assert tasks[0].line == lines[0]


def test_a_task_in_a_million_quotes_gets_its_new_neighbour_at_once() -> None:
    """A tester's: a participant's task behind a million `>`; the template's next new task
    in that section took minutes (the line was cut again at each quote marker)."""
    quoted = ">" * 1_000_000 + " - [ ] mine"
    text = f"## Practice\n- [ ] first\n{quoted}\n## Next\n"
    new = NewTask("Practice", "second", "- [ ] second", ("Practice", "Next"))
    placed = quick(lambda: add_task(text, new))
    assert placed.count("- [ ] second") == 1 and quoted in placed


def _damaged_one_name_at_a_time(text: str) -> list[str]:
    """What `damaged_blocks` answered before, a name at a time (text times names)."""
    names = dict.fromkeys(
        found["name"]
        for line in text.split("\n")
        if "automation:" in line and (found := _ANY_MARKER.match(_bare(line)))
    )
    return [name for name in names if _located_badly(text, name)]


def _located_badly(text: str, name: str) -> bool:
    try:
        _locate(text, name)
    except ItemError:
        return True
    return False


MARKER_LINES = st.sampled_from(
    [
        "<!-- automation:begin a -->",
        "<!-- automation:end a -->",
        "<!-- automation:begin b -->",
        "  <!-- automation:end b -->  ",
        "<!-- automation:end b -->\r",
        "```",
        "text",
        "<!-- automation:begin a --> <!-- automation:end a -->",
    ]
)


@given(st.lists(MARKER_LINES, max_size=12))
def test_damaged_blocks_are_found_as_before(lines: list[str]) -> None:
    text = "\n".join(lines)
    # the same names; their order may differ where a name shows first in a person's quote
    assert sorted(damaged_blocks(text)) == sorted(_damaged_one_name_at_a_time(text))


def test_sixty_thousand_pasted_markers_are_read_at_once_and_a_few_named() -> None:
    """A tester's: a person pasted 33,000 begin markers of different names into an issue with
    a damaged block; each run took 25 s and failed with one line of 290,000 characters."""
    text = "\n".join(f"<!-- automation:begin b{n} -->" for n in range(60_000))
    damaged = quick(lambda: damaged_blocks(text))
    assert len(damaged) == 60_000 and damaged[:2] == ["b0", "b1"]
    issue = ObservedIssue(1, "T", text, (), "opened")
    said = _also_damaged(issue, Edits(), "")
    assert "'b0', 'b1', 'b2', 'b3', 'b4' and 59995 more are damaged too" in said, said[:200]


# --- the diffs plan and reports show ---------------------------------------------------------

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$")


def patched(before: list[str], shown: list[str]) -> list[str]:
    """BEFORE with a shown unified diff applied, hunk by hunk at the lines its headers name."""
    out: list[str] = []
    done = 0
    for line in shown:
        if hunk := HUNK.match(line):
            first, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            start = first if count == 0 else first - 1
            out += before[done:start]
            done = start
        elif line.startswith((" ", "-")):
            assert before[done] == line[1:]
            out += [line[1:]] if line.startswith(" ") else []
            done += 1
        else:
            out.append(line[1:])
    return out + before[done:]


@given(
    st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=14),
    st.lists(st.sampled_from(["a", "b", "c", ""]), max_size=14),
)
def test_a_shown_diff_turns_the_text_before_into_the_text_after(
    before: list[str], after: list[str]
) -> None:
    old, new = "\n".join(before), "\n".join(after)
    shown = diff(old, new)
    assert patched(old.splitlines(), shown) == new.splitlines()
    assert (shown == []) == (old.splitlines() == new.splitlines())


def test_a_diff_around_a_megabyte_a_person_wrote_is_shown_at_once() -> None:
    """Lines cycling through 101 values (each just under difflib's 1% "popular" cut) between
    two changed blocks: comparing them all took minutes."""
    typed = [str(n % 101) for n in range(250_000)]
    before = "\n".join(["block A", *typed, "block B"])
    after = "\n".join(["block A changed", *typed, "block B changed"])
    shown = quick(lambda: diff(before, after))
    assert shown == [
        "@@ lines 1 to 250002 (of 250002) replaced by 250002 lines: too long to show @@"
    ]
    small = quick(lambda: diff(before, before.replace("block B", "block C")))
    assert small == ["@@ -250001,2 +250001,2 @@", f" {249_999 % 101}", "-block B", "+block C"]


# --- template lines checked for @all ----------------------------------------------------------

OLD_COMMENT, OLD_TAG = re.compile(r"<!--.*?-->"), re.compile(r"</?[A-Za-z][^>]*>")


@given(st.text(alphabet="<!->a/@ `", max_size=16))
def test_template_text_is_read_for_mentions_as_before(line: str) -> None:
    old = html.unescape(without_code(OLD_TAG.sub("", OLD_COMMENT.sub("", line))))
    assert as_text(line) == old


def test_a_template_line_of_unclosed_comments_and_tags_is_checked_at_once() -> None:
    for opener in ("<!--", "<a"):
        line = "x " + opener * 200_000 + " @all"
        assert quick(partial(mentions_everyone, line, "t.md.j2"))  # @all is found


# --- patterns that look back from their first character ------------------------------------
# A pattern that opens with a look-back tries it at every character of a description; with the
# literal first it is found by a fast scan (twenty to thousands of times faster per issue).
# Each is checked against the form it replaced.

OLD_MENTION = re.compile(rf"(?<![A-Za-z0-9_])@({mentions._PART}(?:/{mentions._PART})*)")
OLD_UNSEEN = re.compile(f"(?<=[#!%&~$]){mentions.ZERO_WIDTH_SPACE}")
OLD_REFERENCE = re.compile(r"(?<![\w&/])#(?P<iid>\d+)\b")


@given(st.text(alphabet="@a_é1./-#&!\u200b `", max_size=20))
def test_patterns_with_their_literal_first_find_what_they_did(text: str) -> None:
    for old, new in (
        (OLD_MENTION, mentions._MENTION),
        (OLD_UNSEEN, migration._UNSEEN),
        (OLD_REFERENCE, figures._REFERENCE),
    ):
        assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)]


def test_mentions_are_made_inert_in_a_long_description_as_in_a_short_one() -> None:
    line = "Ask @priya.k and @group/team, not é@x; mail a@b.c `@code` &#64;all\n"
    short, refused = mentions.people_only(line, lambda name: name == "priya.k")
    long, refused_long = quick(lambda: mentions.people_only(line * 5000, lambda n: n == "priya.k"))
    assert long == short * 5000 and refused_long == refused == {"group/team", "x"}


def test_a_write_is_checked_for_what_it_sets_free_at_once_whatever_the_text() -> None:
    """Comparing a write with the text it replaces reads Markdown blocks only: through
    markdown-it's inline rules, 100,000 `![` took ten seconds a check, and a write takes two."""
    text = "Notes\n" + "![" * 100_000 + " @sam\n" + "`" * 50_000 + "\n/close\n"
    assert quick(lambda: exposed(text, text + "more\n", lambda _: True)) is None
