"""exposure.exposed: what a write would newly have GitLab act on."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.actions import Plan, UpdateDescription, UpdateLabels
from automation.exposure import _line_based, refused_writes
from automation.exposure import exposed as exposed_to
from automation.mentions import people_only
from tests.fakes.gitlab_fake import LINE_BASED, _regex_candidates, extract_quick_actions


def exposed(before: str, after: str, *roster: str) -> str | None:
    """What the write would set free, the roster's people (and only they) mentionable."""
    return exposed_to(before, after, lambda name: name in roster)


BEGIN, END = "<!-- automation:begin p -->", "<!-- automation:end p -->"


def block(content: str, after: str) -> str:
    return f"## Notes\n{BEGIN}\n{content}\n{END}\n{after}\n"


def test_a_command_fenced_by_the_blocks_content_is_set_free_by_its_rewrite() -> None:
    after = "/close\n```"
    assert exposed(block("```", after), block("figures", after)) == "run the quick action /close"


def test_a_mention_alone_fenced_by_the_blocks_content_is_one_too() -> None:
    after = "Heads up @all\n```"
    assert exposed(block("```", after), block("figures", after)) == "mention @all"


def test_what_was_live_already_or_stays_hidden_is_nothing_new() -> None:
    said = "Ask @sam.\n\n```\n/close\n```"
    assert exposed(block("old", said), block("new", said)) is None
    # a command word in a code span, a quote, a list item's text: as before, so nothing new
    same = "`/close` is in code\n> /close in a quote\n- [ ] ask @sam"
    assert exposed(block("1", same), block("2", same)) is None


def test_the_roster_s_people_may_be_mentioned_anew() -> None:
    """A template task the tool adds names them; so does its own text a broken key line hid."""
    task = "- [ ] **Manager:** meet @dana.whitfield and @sales/leads"
    before = block("x", "- [ ] first")
    assert exposed(before, before + task + "\n", "dana.whitfield") == "mention @sales/leads"
    assert exposed(before, before + task + "\n") == "mention @dana.whitfield"


def test_a_code_span_over_two_lines_is_read_as_gitlab_reads_it() -> None:
    """`a` and `b` on two lines pair up across them: what comes after is text."""
    assert exposed("x", "See the `handbook\npage` @all and `notes`.") == "mention @all"


def test_a_character_reference_is_the_at_sign_it_shows() -> None:
    assert exposed("x", "see &#64;all") == "mention @all"


def test_a_mention_after_a_code_span_over_two_lines_is_made_inert() -> None:
    """What a template renders is checked as GitLab reads a paragraph (an attacker's trial:
    a span over two lines, read line by line, hid the `@all` after it)."""
    said = "See the `handbook\npage` @all and `notes`."
    text, refused = people_only(said, lambda name: name != "all")
    assert refused == {"all"} and text == said.replace("@all", "@\u200ball")


def test_each_of_gitlabs_readers_is_compared_with_itself() -> None:
    """A first line whose ` -->` was taken off hides what follows from the Markdown reader
    (GitLab.com's), not from the line-based one: mending it would have GitLab.com run the
    `/close` below, which the two readers together took for live already."""
    key = "<!-- automation:key=demo/c1/ana -->"
    said = "## Ana\n/close\n"
    assert exposed(f"{key.removesuffix(' -->')}\n{said}", f"{key}\n{said}") == (
        "run the quick action /close"
    )


def test_a_plan_fails_the_issue_whose_write_would_set_text_free_and_keeps_the_others() -> None:
    """`plan` shows the refusal `apply` makes: none of that issue's writes, the rest as they
    were."""
    held = "Heads up @all\n```"
    fenced = UpdateDescription("p", "a", 1, "p", block("```", held), block("figures", held))
    labels = UpdateLabels("p", "a", 1, ("status::done",), ())
    other = UpdateDescription("p", "b", 2, "p", block("1", "x"), block("2", "x"))
    plan = refused_writes(Plan((fenced, labels, other)), lambda name: name == "sam")
    assert plan.actions == (other,)
    assert [(f.key, f.iid) for f in plan.failures] == [("a", 1)]
    assert plan.failures[0].message.startswith("issue #1 is left as it is: the tool's edit would")
    assert "mention @all" in plan.failures[0].message
    assert refused_writes(Plan((other,)), lambda name: False) == Plan((other,))


def test_a_lone_backtick_in_the_block_that_hid_commands_below_is_one_too() -> None:
    """An attacker's trial, on GitLab 16's extractor: a backtick typed in one of the tool's
    blocks pairs with one after the person's commands, over the lines between; the block's
    rewrite takes it away, and GitLab would have run `/close` and `/assign` as the tool."""
    after = "/close\n/assign @alex.morgan\n`"
    said = exposed(block("note `", after), block("figures", after), "alex.morgan")
    assert said == "run the quick action /assign", said


def test_backticks_the_tool_keeps_as_they_were_free_nothing() -> None:
    """A person's own inline code over lines, or tool text with paired code spans, both
    before and after the write: nothing new."""
    after = "a `b\n/close\nc` d"
    assert exposed(block("`x` and ``y``", after), block("`z` and ``w``", after)) is None


TOKENS = ["`", "``", "```", "/close\n", "/close `x\n", "<b>", "</b>", ">>>", "x", "<!-- c"]
TOKENS += ["-->", "\n", "\n\n", " ", "<a\nb>", "\t", "<", ">", "<>", "<a"]  # a tag never closed too


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=20))
def test_the_line_based_reading_is_the_fakes_port_of_gitlab_16s_extractor(
    parts: list[str],
) -> None:
    """Two readings written apart agree on which lines GitLab 16 runs as commands: the
    tool's, which walks the text, and the fake's, GitLab's pattern in Python's `re`."""
    lines = "".join(parts).split("\n")
    assert _line_based(lines) == _regex_candidates(lines), lines


@pytest.mark.parametrize(
    "text",
    [
        "<>\n/close\n</b>\n",  # no tag: one character at least inside
        "<a\n/close\n</b>\n",  # a tag to the first `>`, over lines, with no closing line
        "<b>\n/close\n</b>\n",
        "<b> x\n/close\n</b>\n",  # not alone on its line
        "<a\nb>\n/close\n</a>\n",
        "<\n<\n<b\n>\n/close\n</b>",
        "<\n" * 50 + "/close\n",  # an attacker's: 150,000 such lines took minutes
    ],
)
def test_a_tag_line_is_read_as_gitlabs_pattern_reads_it(text: str) -> None:
    """The line-based reading finds each `>` once (an attacker: every `<` line without a `>`
    after it scanned to the end of the text); it reads tags as GitLab's pattern does."""
    lines = text.split("\n")
    assert _line_based(lines) == _regex_candidates(lines), text


UNKNOWN = [*TOKENS, "/x `\n", "/x\n", "/closed `\n"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(UNKNOWN), min_size=1, max_size=16), st.data())
def test_a_write_that_would_free_a_command_for_gitlab_16_is_always_refused(
    parts: list[str], data: st.DataObject
) -> None:
    """Whatever a person's text holds (command words GitLab does not know included, whose line
    a backtick on it still opens inline code for: a reviewer's bypass), a write that takes a
    piece of it away, as a block's rewrite does, and so has GitLab 16 run a command it did not
    run before, is refused."""
    gone = data.draw(st.integers(0, len(parts) - 1))
    before, after = "".join(parts), "".join(parts[:gone] + parts[gone + 1 :])
    line_based = frozenset({LINE_BASED})
    ran = Counter(name for name, _ in extract_quick_actions(after, line_based)[1])
    ran -= Counter(name for name, _ in extract_quick_actions(before, line_based)[1])
    if ran:
        assert exposed(before, after) is not None, (before, after, ran)


def test_aliases_gitlab_knows_take_their_whole_line_for_gitlab_16() -> None:
    """Words GitLab's source defines besides its documentation's table (`/remove_label`, the
    alias of `/unlabel`; `/severity`; `/wip`): GitLab 16 takes such a line whole, so a backtick
    on it hides nothing below, and the person's `/close` there stays a command. A list that
    missed them read the backtick as opening inline code over `/close`."""
    for word in ("remove_label", "severity", "wip", "spend_time", "convert_to_ticket"):
        lines = [f"/{word} `x", "/close", "`"]
        assert _line_based(lines) == {0, 1}, word
        assert _regex_candidates(lines) == {0, 1}, word
