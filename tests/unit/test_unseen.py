"""A person's change a lagging read hid from the tool's write, told by GitLab's notes."""

from __future__ import annotations

import datetime as dt
import itertools

from automation.unseen import Found, Read, SystemNote, Unseen, put_back, unseen

AT = dt.datetime(2026, 12, 1, 10, 0, 0, tzinfo=dt.UTC)
WRITTEN = AT + dt.timedelta(seconds=30)
READ = Read("- [ ] early\n- [ ] between\n- [ ] late\n- [ ] a\n- [x] done", AT)
_ids = itertools.count(1)


def note(body: str, seconds: float) -> SystemNote:
    return SystemNote(next(_ids), body, AT + dt.timedelta(seconds=seconds))


def ticked(item: str, seconds: float, done: bool = True) -> SystemNote:
    status = "completed" if done else "incomplete"
    return note(f"marked the checklist item **{item}** as {status}", seconds)


def test_only_ticks_between_the_read_and_the_write_are_unseen() -> None:
    notes = [ticked("early", -1), ticked("between", 10), ticked("late", 31)]
    assert unseen(notes, READ, WRITTEN) == Unseen((("between", True),))


def test_a_tick_the_read_shows_was_seen_though_its_note_is_newer() -> None:
    """GitLab notes the tick a few milliseconds after the time the read gives the issue."""
    assert not unseen([ticked("done", 0.007)], READ, WRITTEN)
    assert unseen([ticked("done", 0.007, done=False)], READ, WRITTEN).ticks == (("done", False),)


def test_the_last_change_of_a_box_counts_even_within_one_millisecond() -> None:
    untick, tick = ticked("done", 10, done=False), ticked("done", 10)  # one time; ids in order
    assert not unseen([tick, untick], READ, WRITTEN)  # ticked last, as the read shows it
    tick, untick = ticked("done", 10), ticked("done", 10, done=False)
    assert unseen([untick, tick], READ, WRITTEN).ticks == (("done", False),)


def test_a_box_a_person_changed_again_after_the_write_is_left_to_them() -> None:
    assert not unseen([ticked("a", 10), ticked("a", 40, done=False)], READ, WRITTEN)


def test_a_change_of_the_text_counts_when_it_is_clearly_after_what_the_read_showed() -> None:
    assert not unseen([note("changed the description", 1)], READ, WRITTEN)
    assert unseen([note("changed the description", 5)], READ, WRITTEN).typed
    assert not unseen([note("changed the description", 40)], READ, WRITTEN)


def test_other_system_notes_are_no_change_of_the_text() -> None:
    notes = [note("added ~x label", 5), note("changed due date to December 2, 2026", 6)]
    assert not unseen(notes, READ, WRITTEN)


def test_a_tick_with_escaped_punctuation_and_a_link_finds_its_task() -> None:
    text = '## Week 1\n- [ ] Read [the page](https://x.y/a_b) **now**\n- [ ] Other = "1".'
    noted = r"Read \[the page\]\(https://x\.y/a\_b\) \*\*now\*\*"
    assert put_back(text, [(noted, True)]) == (text.replace("[ ] Read", "[x] Read"), 0)
    assert put_back(text, [(r"Other \= \"1\"\.", True)])[0].endswith('- [x] Other = "1".')


def test_a_tick_given_as_the_shown_text_of_a_link_finds_its_task() -> None:
    text = "- [ ] Read [the page](https://x.y/a_b)"
    assert put_back(text, [("Read the page", True)]) == (
        "- [x] Read [the page](https://x.y/a_b)",
        0,
    )


def test_a_box_already_as_noted_stays() -> None:
    text = "- [x] one\n- [ ] two"
    assert put_back(text, [("one", True), ("two", False)]) == (text, 0)
    assert put_back(text, [("one", False)]) == ("- [ ] one\n- [ ] two", 0)


def test_a_tick_that_names_no_task_or_several_is_counted_not_set() -> None:
    text = "- [ ] same\n- [ ] same\n```\n- [ ] fenced\n```"
    assert put_back(text, [("same", True), ("fenced", True), ("gone", True), ("", True)]) == (
        text,
        4,
    )


def test_a_tasks_hidden_comment_may_be_in_the_note_or_not() -> None:
    """GitLab's note keeps a hidden comment's text without its delimiters."""
    text = "- [ ] Close it <!-- k=4 -->"
    done = "- [x] Close it <!-- k=4 -->"
    assert put_back(text, [(r"Close it  k\=4", True)]) == (done, 0)
    assert put_back(text, [("Close it", True)]) == (done, 0)


def test_the_warning_names_the_issue_and_nobody_and_what_was_done() -> None:
    assert Found().warning(12) is None
    found = Found()
    found.add(Unseen((("Call @ana about secret", True),)), 1, 0)
    said = found.warning(12)
    assert said is not None and said.startswith("issue #12: someone edited it a moment before")
    assert "set 1 box again" in said and "history" in said and "ana" not in said
    found.add(Unseen((("x", True), ("y", True))), 0, 2)
    assert "could not find the task of 2 boxes" in (found.warning(12) or "")
    typed = Found()
    typed.add(Unseen(typed=True), 0, 0)
    assert "history" in (typed.warning(3) or "") and "set" not in (typed.warning(3) or "")
    blind = Found()
    blind.add(Unseen(checked=False), 0, 0)
    assert "could not read its notes" in (blind.warning(3) or "")
