"""Template changes reach open issues: a task the template gains is added at the end of its
section, and nothing else an issue holds changes (pure: tasks.py, migration.py, planner)."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.actions import CreateIssue, Observed, Plan, UpdateDescription
from automation.blocks import Blocks
from automation.desired import DesiredIssue, DesiredProgram
from automation.edits import Edits, apply_edits
from automation.items import ObservedIssue
from automation.markers import (
    begin_marker,
    block_content,
    end_marker,
    identity_marker,
    outside_blocks,
)
from automation.migration import (
    RECORD_BLOCK,
    TASKS_ADDED,
    never_had,
    read_record,
    record_content,
    rendering_hash,
    task_hash,
)
from automation.planner import plan_program
from automation.progress import label_specs
from automation.rendering import Renderer
from automation.tasks import NewSection, NewTask, add_task, tasks_of
from tests.projects import demo_program

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
HEADINGS = ("One", "Two")
PROGRAM = demo_program(HEADINGS, ("ana", "ben"))
LABELS = frozenset(spec.name for spec in label_specs(PROGRAM))
BODY = (
    "## One\n\nDo these.\n\n- [ ] a\n  - how: ask\n- [ ] b\n\nA closing line.\n\n## Two\n- [ ] c\n"
)


def new(section: str, text: str, item: str | None = None) -> NewTask:
    return NewTask(section, text, item or f"- [ ] {text}", HEADINGS)


# --- adding one task to a text ------------------------------------------------------------


def test_a_task_goes_after_the_last_task_of_its_section_and_its_nested_lines() -> None:
    after = add_task(BODY, new("One", "z"))
    assert after == BODY.replace("- [ ] b\n", "- [ ] b\n- [ ] z\n")
    nested = add_task(BODY.replace("- [ ] b\n", "- [ ] b\n  - see the wiki\n"), new("One", "z"))
    assert "- [ ] b\n  - see the wiki\n- [ ] z\n\nA closing line." in nested


def test_a_task_in_a_quote_goes_after_the_quoted_lines_nested_in_the_last_one() -> None:
    """A quoted item's nested lines are quoted too (`>   - how`): they were read as ending
    the item, so a new task went between a task and its hint."""
    body = "## One\n> - [ ] a\n>   - how: ask\n\n## Two\n- [ ] c\n"
    after = add_task(body, new("One", "z", "> - [ ] z"))
    assert after == body.replace(">   - how: ask\n", ">   - how: ask\n> - [ ] z\n")


def test_a_task_already_there_or_a_missing_heading_changes_nothing() -> None:
    assert add_task(BODY, new("One", "b")) == BODY
    assert add_task(BODY, new("Two", "a", "-  [ ]   a ")) == BODY  # any section, spaces aside
    assert add_task(BODY.replace("## Two", "## Deux"), new("Two", "z")) == BODY.replace(
        "## Two", "## Deux"
    )


def test_a_sub_task_goes_after_its_own_tasks_lines_or_nowhere_when_that_task_is_gone() -> None:
    sub = replace(new("One", "y", "  - [ ] y"), parent="a")
    assert add_task(BODY, sub) == BODY.replace("  - how: ask\n", "  - how: ask\n  - [ ] y\n")
    assert sub.place(BODY.replace("- [ ] a\n", "- [ ] A, reworded\n")) is None  # said, unplaced


def test_a_new_tasks_sub_task_the_section_has_already_is_not_added_again() -> None:
    body = "## One\n- [ ] a\n  - [ ] Optional: o\n- [ ] b\n## Two\n- [ ] c\n"
    task = new("One", "z", "- [ ] z\n  - [ ] Optional: o\n    - its hint\n  - [ ] w")
    assert add_task(body, task) == body.replace("- [ ] b\n", "- [ ] b\n- [ ] z\n  - [ ] w\n")


def test_tasks_in_code_or_comments_do_not_count_as_the_last_task() -> None:
    body = "## One\n- [ ] a\n\n```\n- [ ] in code\n```\n<!--\n- [ ] hidden\n-->\n## Two\n"
    after = add_task(body, new("One", "in code"))
    assert after == body.replace("- [ ] a\n", "- [ ] a\n- [ ] in code\n")


def test_a_section_without_tasks_gets_the_task_after_its_text_before_a_tool_block() -> None:
    body = f"## One\nIntro.\n\n{begin_marker('progress')}\nx\n<!-- automation:end progress -->\n"
    after = add_task(body, new("One", "z"))
    assert after.startswith("## One\nIntro.\n\n- [ ] z\n\n<!-- automation:begin progress -->")
    assert add_task("## One\n## Two\n", new("One", "z")) == "## One\n- [ ] z\n\n## Two\n"


def test_windows_line_ends_stay_windows_line_ends() -> None:
    body = BODY.replace("\n", "\r\n")
    after = add_task(body, new("One", "z"))
    assert after == body.replace("- [ ] b\r\n", "- [ ] b\r\n- [ ] z\r\n")


LINES = st.sampled_from(
    [
        *("## One", "## Two", "### Sub", "- [ ] a", "- [x] b", "  - nested", "1. [ ] c"),
        *("", "text", "```", "<!--", "-->", "> - [ ] q", "- plain", "\r"),
    ]
)


@given(st.lists(LINES, max_size=25), st.sampled_from(HEADINGS))
def test_adding_a_task_only_ever_inserts_lines(lines: list[str], section: str) -> None:
    text = "\n".join(lines)
    after = add_task(text, new(section, "brand new", "- [ ] brand new\n  - detail"))
    old, added = text.split("\n"), after.split("\n")
    k = len(added) - len(old)  # one run of lines inserted somewhere, nothing else changed
    assert any(added[:i] == old[:i] and added[i + k :] == old[i:] for i in range(len(old) + 1))
    if after != text:
        assert "brand new" in [t.text for t in tasks_of(after, HEADINGS)]


MID = "## Mid\n\nMiddle text.\n\n- [ ] m1\n  - how\n- [ ] m2"


def section(name: str, text: str, before: tuple[str, ...], after: tuple[str, ...]) -> NewSection:
    return NewSection(name, text, before, after, ("One", "Mid", "Two"))


def test_a_new_section_goes_where_the_text_of_the_section_before_it_ends() -> None:
    after = add_task(BODY, section("Mid", MID, ("One",), ("Two",)))
    assert after == BODY.replace("A closing line.\n\n", f"A closing line.\n\n{MID}\n\n")
    assert [t.section for t in tasks_of(after, ("One", "Mid", "Two"))] == [
        *("One", "One", "Mid", "Mid", "Two")
    ]
    assert add_task(after, section("Mid", MID, ("One",), ("Two",))) == after  # once


def test_a_new_first_section_goes_before_the_section_after_it() -> None:
    body = BODY.replace("## One", "## Two", 1).split("## Two\n- [ ] c")[0]
    first = section("One", "## One\n- [ ] z", (), ("Two",))
    assert add_task(body, first) == "## One\n- [ ] z\n\n" + body


def test_a_new_last_section_goes_before_the_tools_blocks() -> None:
    body = f"## One\n- [ ] a\n\n{begin_marker('progress')}\nx\n<!-- automation:end progress -->\n"
    after = add_task(body, section("Two", "## Two\n- [ ] z", ("Mid", "One"), ()))
    assert after.startswith("## One\n- [ ] a\n\n## Two\n- [ ] z\n\n<!-- automation:begin progress")


def test_a_new_section_that_would_take_in_anothers_tasks_or_has_no_neighbour_is_not_added() -> None:
    late = (
        "## One\n- [ ] a\n\n<!-- automation:begin p -->\nx\n<!-- automation:end p -->\n- [ ] mine\n"
    )
    assert add_task(late, section("Two", "## Two\n- [ ] z", ("One",), ())) == late
    lone = "# Notes\n- [ ] mine\n"
    assert add_task(lone, section("Two", "## Two\n- [ ] z", ("One",), ())) == lone
    fenced = "## One\n- [ ] a\n```\n"  # an unclosed fence: the section would be code
    assert add_task(fenced, section("Two", "## Two\n- [ ] z", ("One",), ())) == fenced


@given(st.lists(LINES, max_size=25), st.sampled_from(("One", "Mid", "Two")))
def test_adding_a_section_only_ever_inserts_lines_and_moves_no_task(
    lines: list[str], name: str
) -> None:
    text = "\n".join(lines)
    order = ("One", "Mid", "Two")
    spot = order.index(name)
    new_section = section(
        name, f"## {name}\nIts text.\n- [ ] brand new", order[:spot][::-1], order[spot + 1 :]
    )
    after = add_task(text, new_section)
    old, added = text.split("\n"), after.split("\n")
    k = len(added) - len(old)
    assert any(added[:i] == old[:i] and added[i + k :] == old[i:] for i in range(len(old) + 1))
    if after != text:
        were = [(t.section, t.text) for t in tasks_of(text, order)]
        now = [(t.section, t.text) for t in tasks_of(after, order)]
        assert [x for x in now if x != (name, "brand new")] == were


# --- the planner ----------------------------------------------------------------------------


def program(*bodies: str) -> DesiredProgram:
    issues = tuple(
        DesiredIssue(
            f"demo/c1/p{i}",
            f"Demo {i}",
            f"{identity_marker(f'demo/c1/p{i}')}\n{body}",
            ("program::demo",),
            f"P{i}",
            "C1",
            sections=HEADINGS,
        )
        for i, body in enumerate(bodies, start=1)
    )
    tracking = DesiredIssue(
        "demo/tracking", "T", f"{identity_marker('demo/tracking')}\nintro\n", ("program::demo",), ""
    )
    return DesiredProgram(PROGRAM, issues, tracking)


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", ["ana", "ben"]))


def plan(desired: DesiredProgram, issues: Sequence[ObservedIssue], blocks: Blocks) -> Plan:
    return plan_program(desired, Observed(tuple(issues), LABELS, ()), blocks, TODAY)


def created(desired: DesiredProgram, blocks: Blocks) -> list[ObservedIssue]:
    """The issues as the first run makes them (the tracking issue last)."""
    creates = [a for a in plan(desired, [], blocks).actions if isinstance(a, CreateIssue)]
    return [
        ObservedIssue(iid, a.issue.title, a.issue.description, a.issue.labels)
        for iid, a in enumerate(creates, start=1)
    ]


def edited(issue: ObservedIssue, old: str, new: str, state: str = "opened") -> ObservedIssue:
    assert old in issue.description
    text = issue.description.replace(old, new, 1)
    return ObservedIssue(issue.iid, issue.title, text, issue.labels, state=state)


def updates(plan: Plan) -> dict[int, UpdateDescription]:
    return {a.iid: a for a in plan.actions if isinstance(a, UpdateDescription)}


def test_a_new_issue_records_the_tasks_of_its_own_rendering(blocks: Blocks) -> None:
    first = created(program(BODY, BODY.replace("- [ ] c\n", "")), blocks)
    records = [read_record(issue.description) for issue in first[:2]]
    assert records[0] is not None and records[1] is not None
    assert records[0].sections == {
        "One": (task_hash("a"), task_hash("b")),
        "Two": (task_hash("c"),),
    }
    # a section the rendering has without tasks is listed too: a section the template gains
    # later is told from one a person deleted by it
    assert records[1].sections == {"One": (task_hash("a"), task_hash("b")), "Two": ()}
    assert "[ ]" not in outside_blocks(first[0].description).split(begin_marker(RECORD_BLOCK))[1]


def test_a_task_the_template_gains_is_added_unticked_and_nothing_else_changes(
    blocks: Blocks,
) -> None:
    issues = created(program(BODY), blocks)
    ana = edited(issues[0], "- [ ] a", "- [x] a\nMy own line.\n- [ ] my own task")
    gained = program(BODY.replace("- [ ] b\n", "- [ ] b\n- [ ] new one\n  - detail\n"))
    update = updates(plan(gained, [ana, issues[1]], blocks))[1]
    assert TASKS_ADDED in update.block
    mine = "- [x] a\nMy own line.\n- [ ] my own task\n  - how: ask\n- [ ] b\n"
    assert mine + "- [ ] new one\n  - detail\n\nA closing line." in update.after
    ops = difflib.SequenceMatcher(
        None, outside_blocks(ana.description).split("\n"), outside_blocks(update.after).split("\n")
    ).get_opcodes()
    assert [op[0] for op in ops if op[0] != "equal"] == ["insert"]
    assert "| One | 1/4 |" in update.after  # progress counts the task added
    again = plan(gained, [edited(ana, ana.description, update.after), issues[1]], blocks)
    assert 1 not in updates(again)


@pytest.mark.parametrize("optional", ["", "- [ ] Optional: read more\n"], ids=["all", "optional"])
def test_an_issue_whose_every_task_is_done_gets_no_new_one(blocks: Blocks, optional: str) -> None:
    """Its work is over (a finished month's session, a participant who just finished; an
    optional task left open does not count): a task the template gains would turn it back
    to in progress, or overdue."""
    body = BODY.replace("- [ ] c\n", f"- [ ] c\n{optional}")
    issues = created(program(body), blocks)
    done = every_task_ticked(issues[0])
    gained = program(body.replace("- [ ] c\n", "- [ ] c\n- [ ] d\n"))
    result = plan(gained, [done, issues[1]], blocks)
    assert all("- [ ] d" not in u.after for u in updates(result).values())


def test_an_issue_past_its_due_date_gets_no_new_task(blocks: Blocks) -> None:
    issues = created(program(BODY), blocks)
    late = replace(issues[0], due_date=TODAY - dt.timedelta(days=1))
    result = plan(program(BODY + "- [ ] d\n"), [late, issues[1]], blocks)
    assert all("- [ ] d" not in u.after for u in updates(result).values() if u.iid == late.iid)


def test_a_task_a_person_reworded_or_deleted_is_not_put_back(blocks: Blocks) -> None:
    issues = created(program(BODY), blocks)
    ana = edited(edited(issues[0], "- [ ] a\n", "- [ ] a, my way\n"), "- [ ] c\n", "")
    result = plan(program(BODY), [ana, issues[1]], blocks)
    assert updates(result)[1].block == "progress"  # one task fewer to count, nothing added
    assert "- [ ] a\n" not in updates(result)[1].after
    assert "- [ ] c\n" not in updates(result)[1].after
    assert not result.warnings


def test_a_closed_issue_is_never_migrated(blocks: Blocks) -> None:
    issues = created(program(BODY), blocks)
    closed = edited(issues[0], "- [ ] a", "- [x] a", state="closed")
    result = plan(program(BODY + "- [ ] d\n"), [closed, issues[1]], blocks)
    update = updates(result)[1]  # its progress, as before
    assert update.block == "progress" and "- [ ] d" not in update.after


def test_a_task_for_someone_new_in_place_of_another_is_added_not_taken_for_a_rewording(
    blocks: Blocks,
) -> None:
    """A roster change in a group's issue (the task that named @ana now names @ben) adds the
    newcomer's task and keeps ana's. A rewording naming the same person (by the same or a new
    username), one naming nobody, one adding a mention where there was none, and one in place
    of a task the person deleted (its text unknown) stay rewordings."""
    body = BODY.replace("- [ ] b\n", "- [ ] b for Ana (@ana)\n")
    issues = created(program(body), blocks)
    swapped = program(body.replace("b for Ana (@ana)", "b for Ben (@ben)"))
    update = updates(plan(swapped, issues, blocks))[1]
    assert "- [ ] b for Ana (@ana)\n- [ ] b for Ben (@ben)\n" in update.after
    assert TASKS_ADDED in update.block
    # the same person by a new username (the same words)
    for reworded in ("b, better, for Ana (@ANA)", "b, better", "b for Ana (@ana.new)"):
        result = plan(program(body.replace("b for Ana (@ana)", reworded)), issues, blocks)
        assert all(reworded not in u.after for u in updates(result).values())
        assert any("in place of" in w or "differently" in w for w in result.warnings)
    deleted = edited(issues[0], "- [ ] b for Ana (@ana)\n", "")
    assert "@ben" not in updates(plan(swapped, [deleted, *issues[1:]], blocks))[1].after
    # a task that is only a mention: a username change cannot be told from a newcomer
    only = created(program(BODY.replace("- [ ] b\n", "- [ ] b for @ana\n")), blocks)
    result = plan(program(BODY.replace("- [ ] b\n", "- [ ] b for @ben\n")), only, blocks)
    assert all("@ben" not in u.after for u in updates(result).values())
    plain = created(program(BODY), blocks)  # "b" mentions nobody: "b with @ben" rewords it
    result = plan(program(BODY.replace("- [ ] b\n", "- [ ] b with @ben\n")), plain, blocks)
    assert all("@ben" not in u.after for u in updates(result).values())


def test_a_task_reworded_in_the_template_is_reported_and_not_added(blocks: Blocks) -> None:
    both = created(program(BODY, BODY), blocks)
    ben = edited(both[1], "- [ ] b\n", "- [ ] b as Ben says\n")
    reworded = BODY.replace("- [ ] b\n", "- [ ] b, better\n")
    result = plan(program(reworded, reworded), [both[0], ben, both[2]], blocks)
    for update in updates(result).values():
        assert "b, better" not in update.after
        assert TASKS_ADDED not in update.block
    assert result.warnings == (
        "demo's template now words task 'b, better' in 'One' differently (the template "
        "changed, or a name or value it shows did): issue #1 keeps 'b', which still counts, "
        "and gets no new one; change it by hand where the new wording applies",
        "demo asks for task 'b, better' in 'One' in place of an earlier one, so it is not "
        "added to issue #2; add it by hand where it applies",
    )
    recorded = [edited(i, i.description, updates(result)[i.iid].after) for i in (both[0], ben)]
    assert not plan(program(reworded, reworded), [*recorded, both[2]], blocks).warnings


def test_a_task_like_none_in_whose_place_it_stands_is_added_not_taken_for_a_rewording(
    blocks: Blocks,
) -> None:
    """A trial changed a hire's role: the new role's task in place of the old role's, sharing
    only its first words, was taken for a rewording and never added. One like it (a clause
    changed), or in place of a task the issue no longer has word for word, stays a rewording."""
    old, other = (
        "Deliver the GitLab Value Pitch to your manager",
        "Deliver a mock demo for the team",
    )
    body = BODY.replace("- [ ] b\n", f"- [ ] {old}\n")
    issues = created(program(body, body), blocks)
    changed = edited(issues[1], f"- [ ] {old}\n", "- [ ] Deliver the pitch, as Ben says\n")
    result = plan(program(*[body.replace(old, other)] * 2), [issues[0], changed], blocks)
    assert f"- [ ] {old}\n- [ ] {other}\n" in updates(result)[1].after
    assert 2 not in updates(result) or other not in updates(result)[2].after
    assert any(f"no longer asks for task '{old}'" in w for w in result.warnings)
    like = "Deliver the GitLab Value Pitch to your manager and the team"
    result = plan(program(body.replace(old, like)), issues[:1], blocks)
    assert all(like not in u.after for u in updates(result).values())
    assert any("differently" in w and f"keeps '{old}'" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "Complete the SQS pre-work",
            "Complete the SQS pre-work in the learning path before your workshop, and tell "
            "your manager",
        ),
        (
            "Read the [sponsorship page](https://handbook.gitlab.com/handbook/sales/sponsorship/)",
            "Read the [sponsorship page](https://about.gitlab.com/handbook/people-group/"
            "learning-and-development/sales-sponsorship-pilot/)",
        ),
        (
            "**Sponsee:** Share your career goals",
            "**Sponsee:** Share your career goals, strengths and the development areas you "
            "want to work on this cohort",
        ),
    ],
)
def test_a_task_given_a_clause_or_a_new_link_stays_a_rewording(
    blocks: Blocks, old: str, new: str
) -> None:
    """A review: a ticked task the template gave a long clause (its words all kept) was added
    again as a new task, unticked, and the done one called no longer asked for."""
    body = BODY.replace("- [ ] b\n", f"- [ ] {old}\n")
    issues = created(program(body), blocks)
    ticked = edited(issues[0], f"- [ ] {old}\n", f"- [x] {old}\n")
    result = plan(program(body.replace(old, new)), [ticked, *issues[1:]], blocks)
    assert all(new not in u.after for u in updates(result).values())
    assert any("differently" in w for w in result.warnings), result.warnings


def test_a_long_task_reworded_at_its_end_is_quoted_where_the_wordings_differ(
    blocks: Blocks,
) -> None:
    long = "- [ ] **Ana:** post your progress in the thread, with what went well, " + "x" * 60
    body = BODY.replace("- [ ] b\n", f"{long} (@ana)\n")
    both = created(program(body, body), blocks)
    ben = edited(both[1], f"{long} (@ana)\n", f"{long} (@ana) done\n")
    reworded = body.replace(f"{long} (@ana)\n", f"{long} (@ana, by Friday)\n")
    result = plan(program(reworded, reworded), [both[0], ben, both[2]], blocks)
    (said,) = [w for w in result.warnings if "differently" in w]
    new, old = re.findall(r"'(…[^']*)'", said)
    assert new != old and "by Friday" in new and "by Friday" not in old, said
    assert new.startswith("…") and len(new) <= 81


def test_a_long_task_reworded_at_its_end_is_quoted_from_a_words_start_with_its_room(
    blocks: Blocks,
) -> None:
    """An upgrade trial read `'…unt planning session.'`: the quote started mid-word, twenty
    characters before the difference, though it had room for sixty more."""
    long = "- [ ] **Account team and Executive Sponsor:** hold the monthly account planning"
    body = BODY.replace("- [ ] b\n", f"{long} session (@ana).\n")
    both = created(program(body, body), blocks)
    ben = edited(both[1], "session (@ana).\n", "session (@ana), done.\n")
    reworded = body.replace("session (@ana).\n", "session.\n")
    result = plan(program(reworded, reworded), [both[0], ben, both[2]], blocks)
    (said,) = [w for w in result.warnings if "differently" in w]
    new, old = re.findall(r"'…([^']*)'", said)
    assert new.endswith("account planning session.") and len(new) >= 60, said
    assert f" {new}" in f"{long} session." and f" {old}" in f"{long} session (@ana).", said


@pytest.mark.parametrize("heading", ["One---x", "/One", "One ---> y"])
def test_a_headings_record_reads_back_as_written_whatever_it_says(
    blocks: Blocks, heading: str
) -> None:
    """Dashes (`---` takes two passes to break up), a leading `/` (escaped so GitLab runs no
    quick action) and `-->` (which would end the comment): the record still matches the
    section, so a task the template rewords there is reported, not added."""
    sections = (heading, "Two")
    dashed = demo_program(sections, ("ana", "ben"))
    body = BODY.replace("## One\n", f"## {heading}\n")

    def desired(text: str) -> DesiredProgram:
        made = program(text)
        issue = replace(made.issues[0], sections=sections)
        return replace(made, program=dashed, issues=(issue,))

    def planned(text: str, issues: Sequence[ObservedIssue]) -> Plan:
        return plan_program(desired(text), Observed(tuple(issues), LABELS, ()), blocks, TODAY)

    made = [a for a in planned(body, []).actions if isinstance(a, CreateIssue)]
    issues = [
        ObservedIssue(i, a.issue.title, a.issue.description, a.issue.labels)
        for i, a in enumerate(made, 1)
    ]
    record = block_content(issues[0].description, RECORD_BLOCK) or ""
    assert "-->" not in record.removesuffix("-->\n") and "\n/" not in record
    result = planned(body.replace("- [ ] b\n", "- [ ] b, better\n"), issues)
    assert all("b, better" not in u.after for u in updates(result).values())
    assert any("' differently (the template" in warning for warning in result.warnings), (
        result.warnings
    )


def test_a_task_removed_from_the_template_is_reported_with_the_issues_that_have_it(
    blocks: Blocks,
) -> None:
    both = created(program(BODY, BODY), blocks)
    without = BODY.replace("- [ ] c\n", "")
    result = plan(program(without, without), both, blocks)
    assert result.warnings == (
        "demo no longer asks for task 'c' in 'Two' (its template, or whom or what it "
        "lists, changed): issues #1, #2 still have it and keep it as it is (it still counts: tick "
        "it, or delete it where it no longer applies)",
    )
    assert all("- [ ] c" in u.after for u in updates(result).values() if u.iid < 3)


def test_an_optional_task_removed_from_the_template_is_not_said_to_count(
    blocks: Blocks,
) -> None:
    """A newcomer's trial: a hire's `geo:` removed, the template no longer gave them the
    optional swag task, and the warning said it "still counts: tick it"; optional tasks count
    nowhere."""
    body = BODY.replace("- [ ] c\n", "- [ ] Optional: order the kit\n")
    both = created(program(body, body), blocks)
    without = body.replace("- [ ] Optional: order the kit\n", "")
    (said,) = plan(program(without, without), both, blocks).warnings
    assert "no longer asks for task 'Optional: order the kit'" in said
    assert "still counts" not in said and "tick it" not in said
    assert said.endswith(
        "(it is optional and counts nowhere: delete it where it no longer applies, or keep it)"
    )


def test_a_section_the_template_drops_is_one_warning_unless_its_tasks_moved(
    blocks: Blocks,
) -> None:
    """A section gone from the rendering (here still declared) whose tasks the issue has: one
    warning for the section, not one per task; when the template moved its tasks into
    another section, no word of the section, and one of each task moved (it stays, and counts,
    where the issue has it)."""
    both = created(program(BODY, BODY), blocks)
    two = BODY.index("## Two")
    result = plan(program(BODY, BODY[:two] + "## Two, later\n- [ ] d\n"), both, blocks)
    assert result.warnings == (
        "demo no longer asks for section 'Two' (its template, its `sections:`, or a value the "
        "template reads, such as a role, dropped it): issue #2 still has "
        "tasks of it and keeps them as they are (they still count, so an issue is complete only "
        "once they are done or deleted; delete them where they no longer apply, or keep them; "
        "the tool does not delete them)",
    )
    assert "- [ ] c" in updates(result)[2].after
    moved = BODY[:two].replace("- [ ] b\n", "- [ ] b\n- [ ] c\n")
    assert plan(program(moved, moved), both, blocks).warnings == (
        "demo now asks for task 'c' in 'One', no longer in 'Two': issues #1, #2 keep it in "
        "'Two', where it counts (the tool moves no task); move it by hand where it matters",
    )


def test_the_task_set_is_each_issues_own_rendering(blocks: Blocks) -> None:
    first = created(program(BODY, BODY), blocks)
    gained = program(BODY + "- [ ] for Ana only\n", BODY)  # a conditional, as rendered
    result = plan(gained, first, blocks)
    assert "- [ ] for Ana only" in updates(result)[1].after
    assert 2 not in updates(result)


def test_an_issue_made_before_this_version_gets_a_record_and_no_task(blocks: Blocks) -> None:
    first = created(program(BODY), blocks)
    start = first[0].description.index(begin_marker(RECORD_BLOCK))
    old = edited(first[0], first[0].description[start:], "")  # no record: an older issue
    old = edited(old, "- [ ] c\n", "")  # and a person deleted a task
    gained = program(BODY + "- [ ] d\n")
    result = plan(gained, [old, first[1]], blocks)
    update = updates(result)[1]
    assert TASKS_ADDED not in update.block and RECORD_BLOCK in update.block
    assert "- [ ] d" not in outside_blocks(update.after)
    assert result.notices and "1 open issue of demo (#1) had no record" in result.notices[0]
    recorded = edited(old, old.description, update.after)
    later = program(BODY + "- [ ] d\n- [ ] e\n")
    after = updates(plan(later, [recorded, first[1]], blocks))[1].after
    assert "- [ ] e" in after and "- [ ] c" not in after and "- [ ] d" not in after


def test_a_new_task_in_a_section_the_issue_lacks_is_reported(blocks: Blocks) -> None:
    first = created(program(BODY), blocks)
    ana = edited(first[0], "## Two\n", "## Later\n")
    result = plan(program(BODY + "- [ ] d\n"), [ana, first[1]], blocks)
    assert (
        "demo asks for a new task 'd' in 'Two', but issue #1 has no heading 'Two' "
        "where GitLab reads tasks, so it is not added there"
    ) in result.warnings
    assert TASKS_ADDED not in updates(result)[1].block


THREE = ("One", "Mid", "Two")


def with_mid(desired: DesiredProgram) -> DesiredProgram:
    """The program with a section "Mid" between One and Two, in its template and `sections`."""
    issues = tuple(
        replace(i, description=i.description.replace("## Two", f"{MID}\n\n## Two"), sections=THREE)
        for i in desired.issues
    )
    return DesiredProgram(demo_program(THREE, ("ana", "ben")), issues, desired.tracking)


def test_a_section_the_template_gains_reaches_open_issues_whole_and_once(blocks: Blocks) -> None:
    first = created(program(BODY), blocks)
    ana = edited(first[0], "- [ ] a", "- [x] a")
    result = plan(with_mid(program(BODY)), [ana, first[1]], blocks)
    assert not [w for w in result.warnings if "Mid" in w]
    update = updates(result)[1]
    assert TASKS_ADDED in update.block
    assert inserted_lines(ana.description, update.after) == ["", *MID.split("\n")]
    assert "| Mid | 0/2 | 0% |" in update.after and "- [x] a" in update.after
    again = plan(with_mid(program(BODY)), [edited(ana, ana.description, update.after)], blocks)
    assert 1 not in updates(again)


def test_a_section_a_person_deleted_is_not_put_back(blocks: Blocks) -> None:
    gained = with_mid(program(BODY))
    first = created(gained, blocks)
    ana = edited(first[0], f"{MID}\n\n", "")
    result = plan(gained, [ana, first[1]], blocks)
    assert 1 not in updates(result) or TASKS_ADDED not in updates(result)[1].block
    assert any("issue #1 has no heading 'Mid'" in w and "by hand" in w for w in result.warnings)


def inserted_lines(before: str, after: str) -> list[str]:
    old, new = outside_blocks(before).split("\n"), outside_blocks(after).split("\n")
    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert {op[0] for op in ops} <= {"equal", "insert"}  # outside the tool's blocks
    return [line for op in ops if op[0] == "insert" for line in new[op[3] : op[4]]]


def test_the_edit_is_made_again_on_the_text_read_before_writing(blocks: Blocks) -> None:
    first = created(program(BODY), blocks)
    update = updates(plan(program(BODY + "- [ ] d\n"), first, blocks))[1]
    ticked_meanwhile = first[0].description.replace("- [ ] a", "- [x] a")
    after = apply_edits(ticked_meanwhile, update.edits)
    assert "- [x] a" in after and "- [ ] c\n- [ ] d\n" in after
    assert apply_edits(after, update.edits) == after
    assert apply_edits(after, Edits(tasks=update.edits.tasks)) == after


def test_an_issue_whose_rendering_is_unchanged_is_not_read_again(
    blocks: Blocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = created(program(BODY), blocks)

    def unread(*_: object) -> None:
        raise AssertionError("the tasks of an unchanged rendering were read")

    monkeypatch.setattr("automation.migration.tasks_of", unread)
    assert 1 not in updates(plan(program(BODY), first, blocks))


def every_task_ticked(issue: ObservedIssue) -> ObservedIssue:
    """Tasks a, b and c ticked (an optional one left as it is)."""
    done = edited(issue, "- [ ] a", "- [x] a")
    return edited(edited(done, "- [ ] b", "- [x] b"), "- [ ] c", "- [x] c")


def test_what_earlier_versions_did_not_write_and_nobody_sees_is_no_new_wording() -> None:
    """A tester's upgrade: a value's `#12` (now with a zero-width space after its `#`) made the
    first run after upgrading say each such task was worded anew, to be changed by hand, and
    rewrite every issue's record. The space after a value's `@`, always written, still
    counts; so do joiners (a reviewer's: a template's own emoji kept them, and dropping them
    from the hash told every issue its task was new)."""
    assert task_hash("Pair up \U0001f469\u200d\U0001f4bb") != task_hash(
        "Pair up \U0001f469\U0001f4bb"
    )
    assert task_hash("Join cohort #\u200b2 %\u200bv1") == task_hash("Join cohort #2 %v1")
    assert task_hash("Ask @\u200ball") != task_hash("Ask @all")
    assert rendering_hash("x\n- [ ] cohort #\u200b2") == rendering_hash("x\n- [ ] cohort #2")


def test_a_tasks_hash_is_of_its_text_as_written() -> None:
    """Every issue's record holds such hashes: a hash of another Unicode form lost a
    template task after an upgrade (a reviewer). Another form is matched apart."""
    expected = hashlib.sha256(b"Read the leadership page").hexdigest()[:8]
    assert task_hash("Read the  leadership page") == expected
    bengali = "\u09df"  # NFC would take it apart: it is excluded from composition
    assert task_hash(bengali) == hashlib.sha256(bengali.encode()).hexdigest()[:8]


def _made(*tasks: str) -> str:
    return "## Async discussion\n\n" + "".join(f"- [ ] {task}\n" for task in tasks)


@pytest.mark.parametrize(
    ("recorded", "today", "never"),
    [
        (("Ann posts", "Ben posts"), ("Ann posts", "Ben posts", "Kim posts"), 1),  # Kim joined
        (("Ann posts", "Ben posts"), ("Ann posts", "Ben writes"), 0),  # a rewording
        (("Ann posts", "Ben posts"), ("Ann posts", "Ben posts", "Optional: read"), 0),
        (("Ann posts",), ("Ann posts", "Kim posts", "Lee posts"), 2),
    ],
)
def test_the_tasks_an_issue_never_had_are_the_ones_its_record_does_not_list(
    recorded: tuple[str, ...], today: tuple[str, ...], never: int
) -> None:
    """An issue's record lists the template tasks it was made with: today's rendering's
    required ones it does not list, less the recorded ones no longer rendered (reworded),
    were never in the issue (someone who joined its group after it was over)."""
    declared = ("Async discussion",)
    record = record_content(_made(*recorded), declared)
    text = f"{_made(*recorded)}{begin_marker(RECORD_BLOCK)}\n{record}\n{end_marker(RECORD_BLOCK)}\n"
    issue = ObservedIssue(1, "December", text, ())
    assert never_had(_made(*today), issue, declared, ()) == (
        {"Async discussion": never} if never else {}
    )
    assert (
        never_had(_made(*today), replace(issue, description=_made(*recorded)), declared, ()) == {}
    )
