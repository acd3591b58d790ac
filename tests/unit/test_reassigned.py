"""People's assignee changes read from GitLab's notes, and the assignees they give back."""

from __future__ import annotations

import pytest

from automation.reassigned import assignee_changes, restored


@pytest.mark.parametrize(
    ("body", "changes"),
    [
        ("assigned to @alice", [("alice", True)]),
        ("assigned to @a.b, @c_d, and @e-f", [("a.b", True), ("c_d", True), ("e-f", True)]),
        ("unassigned @bob", [("bob", False)]),
        (
            "assigned to @carol and unassigned @alice and @bob",
            [("carol", True), ("alice", False), ("bob", False)],
        ),
        ("removed assignee", []),
        ("changed the description", []),
        ("marked the checklist item **assigned to @x** as completed", []),
    ],
)
def test_a_note_says_who_was_assigned_and_who_unassigned(
    body: str, changes: list[tuple[str, bool]]
) -> None:
    assert assignee_changes(body) == changes


def test_a_person_the_write_dropped_is_assigned_again_and_one_it_put_back_removed() -> None:
    read = ("hannah", "lena", "marcus")  # a replica behind: without the person's change
    current = ("dana", "lena", "marcus")  # the tool's write, made on that read
    changes = [("chloe", True), ("marcus", False)]
    assert restored(read, current, changes, named=("dana", "hannah")) == ("dana", "lena", "chloe")


def test_a_change_the_read_showed_is_not_given_back() -> None:
    """GitLab notes a change milliseconds after saving it: a read that showed the change can
    be older than its note. The tool's write kept what it showed; a person's assignment of
    someone the tool then replaced (Free's one place) is not made again."""
    assert restored(("dana",), ("lukas",), [("dana", True)], named=("lukas",)) is None


def test_each_persons_last_change_stands() -> None:
    changes = [("chloe", True), ("chloe", False), ("marcus", False), ("Marcus", True)]
    assert restored(("dana",), ("dana", "marcus"), changes, named=()) is None


def test_the_people_the_tools_change_is_about_stay_as_it_made_them() -> None:
    """The tool unassigned hannah (configuration names dana now): a person's earlier
    assignment of hannah does not bring her back."""
    assert restored(("lena",), ("dana", "lena"), [("hannah", True)], ("dana", "hannah")) is None


def test_nothing_to_give_back_is_none() -> None:
    assert restored(("dana",), ("dana", "chloe"), [("chloe", True)], named=()) is None
    assert restored(("dana",), ("dana",), [], named=()) is None
