"""A person's change a lagging read hid from the tool's write, told by GitLab's notes."""

from __future__ import annotations

import datetime as dt

from automation.unseen import SystemNote, Unseen, put_back, unseen, unseen_warning

READ = dt.datetime(2026, 12, 1, 10, 0, 0, tzinfo=dt.UTC)
WRITTEN = READ + dt.timedelta(seconds=30)


def note(body: str, seconds: float) -> SystemNote:
    return SystemNote(body, READ + dt.timedelta(seconds=seconds))


def ticked(item: str, seconds: float, done: bool = True) -> SystemNote:
    status = "completed" if done else "incomplete"
    return note(f"marked the checklist item **{item}** as {status}", seconds)


def test_only_notes_between_the_read_and_the_write_are_unseen() -> None:
    notes = [ticked("early", 0), ticked("between", 10), ticked("late", 31)]
    assert unseen(notes, READ, WRITTEN) == Unseen((("between", True),))


def test_ticks_are_given_oldest_first_whatever_order_the_notes_come_in() -> None:
    notes = [ticked("a", 20, done=False), ticked("a", 10)]
    assert unseen(notes, READ, WRITTEN).ticks == (("a", True), ("a", False))


def test_a_change_of_the_text_counts_when_it_is_clearly_after_what_the_read_showed() -> None:
    """GitLab writes its note a moment after saving the change: within that moment of the
    read's time, the read may well have shown it."""
    assert not unseen([note("changed the description", 1)], READ, WRITTEN)
    assert unseen([note("changed the description", 5)], READ, WRITTEN).typed


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


def test_the_later_tick_of_an_item_wins_and_a_box_already_so_stays() -> None:
    text = "- [x] one\n- [ ] two"
    assert put_back(text, [("one", True), ("two", True), ("two", False)]) == (text, 0)
    assert put_back(text, [("one", False)]) == ("- [ ] one\n- [ ] two", 0)


def test_a_tick_that_names_no_task_or_several_is_counted_not_set() -> None:
    text = "- [ ] same\n- [ ] same\n```\n- [ ] fenced\n```"
    assert put_back(text, [("same", True), ("fenced", True), ("gone", True), ("", True)]) == (
        text,
        4,
    )


def test_the_warning_names_the_issue_and_nobody() -> None:
    typed = unseen_warning(12, typed=True, missing=0)
    assert typed.startswith("issue #12: someone changed its text")
    assert "history" in typed
    assert "ticked or cleared 2 boxes" in unseen_warning(12, typed=False, missing=2)


def test_a_tasks_hidden_comment_may_be_in_the_note_or_not() -> None:
    """GitLab's note keeps a hidden comment's text without its delimiters."""
    text = "- [ ] Close it <!-- k=4 -->"
    done = "- [x] Close it <!-- k=4 -->"
    assert put_back(text, [(r"Close it  k\=4", True)]) == (done, 0)
    assert put_back(text, [("Close it", True)]) == (done, 0)
