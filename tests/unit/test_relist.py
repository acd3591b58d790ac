"""Lists brought up to date from the issues changed since they were read, as GitLab would
list them now."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from automation.items import ObservedIssue
from automation.trackers.relist import brought_up_to_date

A, B = "program::a", "program::b"


def issue(iid: int, *labels: str, text: str = "") -> ObservedIssue:
    return ObservedIssue(iid, f"#{iid}", text, labels)


def test_a_changed_issue_takes_its_place_and_a_new_one_joins_at_the_end() -> None:
    listed = {A: (issue(1, A), issue(2, A), issue(3, A))}
    changed = [issue(5, A, text="new"), issue(2, A, text="ticked"), issue(4, B)]
    now = brought_up_to_date(listed, changed)
    assert [(i.iid, i.description) for i in now[A]] == [(1, ""), (2, "ticked"), (3, ""), (5, "new")]


def test_an_issue_that_lost_the_label_leaves_and_one_given_it_joins() -> None:
    listed = {A: (issue(1, A), issue(2, A)), B: (issue(3, B),)}
    now = brought_up_to_date(listed, [issue(2, B), issue(3, A, B)])
    assert [i.iid for i in now[A]] == [1, 3]
    assert [i.iid for i in now[B]] == [2, 3]


def test_nothing_changed_leaves_the_lists_as_they_were() -> None:
    listed = {A: (issue(2, A), issue(1, A))}
    assert brought_up_to_date(listed, []) == listed


@given(
    st.lists(st.tuples(st.integers(1, 30), st.sampled_from([(), (A,), (B,), (A, B)])), max_size=30),
    st.lists(st.tuples(st.integers(1, 40), st.sampled_from([(), (A,), (B,), (A, B)])), max_size=30),
)
def test_each_list_holds_just_the_issues_that_now_have_its_label(
    before: list[tuple[int, tuple[str, ...]]], after: list[tuple[int, tuple[str, ...]]]
) -> None:
    """Whatever changed: the issues of each list are those GitLab holds with the label now,
    each as it is now, the ones listed before in their order, oldest first."""
    project = {iid: issue(iid, *labels) for iid, labels in before}
    listed = {
        label: tuple(i for i in sorted(project.values(), key=lambda i: i.iid) if label in i.labels)
        for label in (A, B)
    }
    changed = {iid: replace(issue(iid, *labels), description="now") for iid, labels in after}
    project.update(changed)
    now = brought_up_to_date(listed, changed.values())
    for label in (A, B):
        expected = sorted((i for i in project.values() if label in i.labels), key=lambda i: i.iid)
        assert now[label] == tuple(expected)
