"""An issue that lost its first line where no index names it (a person replaced the tracking
issue's text, index and all) is known by its title, when that title says which item alone."""

from __future__ import annotations

from automation.identity import resolve
from automation.index import INDEX_BLOCK, index_content
from automation.items import ObservedIssue
from automation.markers import identity_marker, replace_block

LABEL = "program::demo"
TITLES = {"demo/c1/ana": "Demo: Ana", "demo/c1/ben": "Demo: Ben", "demo/tracking": "Demo"}


def keyless(iid: int, title: str, by_tool: bool = True, state: str = "opened") -> ObservedIssue:
    text = "## One\n- [x] a tick\n"
    return ObservedIssue(iid, title, text, (LABEL,), state=state, by_tool=by_tool)


def found(issues: list[ObservedIssue], titles: dict[str, str] = TITLES) -> dict[str, int]:
    resolved = resolve(issues, list(titles), "demo/tracking", {}, LABEL, titles=titles)
    keyless_found = {key for key, issue in resolved.found.items() if issue.key is None}
    assert set(resolved.restore) == keyless_found  # each gets its first line back
    return {key: issue.iid for key, issue in resolved.found.items()}


def test_the_tools_keyless_issues_are_known_by_their_titles() -> None:
    assert found([keyless(1, "Demo"), keyless(2, "Demo: Ana")]) == {
        "demo/tracking": 1,
        "demo/c1/ana": 2,
    }


def test_a_title_on_two_keyless_issues_or_on_a_persons_issue_says_nothing() -> None:
    assert found([keyless(2, "Demo: Ana"), keyless(3, "Demo: Ana")]) == {}
    assert found([keyless(2, "Demo: Ana", by_tool=False)]) == {}


def test_a_title_two_items_share_says_nothing() -> None:
    titles = {**TITLES, "demo/c1/ben": "Demo: Ana"}
    assert found([keyless(2, "Demo: Ana")], titles) == {}


def test_with_an_index_an_issue_it_names_for_another_item_is_not_taken() -> None:
    """Ana's c1 issue (the index names it) lost its line; Ana is in c2 now, whose title is
    the same: c2's issue is made anew, the c1 one stays the departed item's."""
    block = replace_block("", INDEX_BLOCK, index_content({"demo/c1/ana": 2}, "demo/"))
    tracking = ObservedIssue(1, "Demo", f"{identity_marker('demo/tracking')}\n{block}", (LABEL,))
    titles = {"demo/tracking": "Demo", "demo/c2/ana": "Demo: Ana"}
    assert found([tracking, keyless(2, "Demo: Ana")], titles) == {"demo/tracking": 1}


def test_a_closed_issue_is_not_taken_by_its_title() -> None:
    assert found([keyless(1, "Demo"), keyless(2, "Demo: Ana", state="closed")]) == {
        "demo/tracking": 1
    }


def keyed(iid: int, key: str, title: str, by_tool: bool = True) -> ObservedIssue:
    text = f"{identity_marker(key)}\n## One\n- [ ] a task\n"
    return ObservedIssue(iid, title, text, (LABEL,), by_tool=by_tool)


def settled(issues: list[ObservedIssue], titles: dict[str, str] = TITLES) -> dict[str, int]:
    resolved = resolve(issues, list(TITLES), "demo/tracking", {}, LABEL, titles=titles)
    assert not {f.key for f in resolved.failed} & set(resolved.found)
    return {key: issue.iid for key, issue in resolved.found.items()}


def test_without_an_index_a_key_on_two_issues_is_the_one_with_its_title() -> None:
    """Ana's line pasted over Ben's issue: Ana's is the one titled hers, Ben's gets his back."""
    issues = [keyless(1, "Demo"), keyed(2, "demo/c1/ana", "Demo: Ana")]
    issues.append(keyed(3, "demo/c1/ana", "Demo: Ben"))
    assert settled(issues) == {"demo/tracking": 1, "demo/c1/ana": 2, "demo/c1/ben": 3}


def test_without_an_index_titles_that_do_not_tell_leave_the_key_failed() -> None:
    both = [keyed(2, "demo/c1/ana", "Demo: Ana"), keyed(3, "demo/c1/ana", "Demo: Ana")]
    assert "demo/c1/ana" not in settled(both)
    foreign = [keyed(2, "demo/c1/ana", "Demo: Ana"), keyed(3, "demo/c1/ana", "Demo: Ben", False)]
    assert settled(foreign) == {"demo/c1/ana": 2}  # a person's own issue is no item's
    confidential = {k: v for k, v in TITLES.items() if k != "demo/c1/ana"}  # no title given
    pasted = [keyed(2, "demo/c1/ana", "Demo: Ana"), keyed(3, "demo/c1/ana", "Demo: Ben")]
    assert settled(pasted, confidential) == {}


def test_a_title_typed_over_another_issue_takes_no_item() -> None:
    """Ben pastes Ana's first line and her title into his issue: Ana's open issue, titled her
    own way (or closed), is not his to take; the item fails, nothing changes hands."""
    retitled = [keyed(2, "demo/c1/ana", "Ana's notes"), keyed(3, "demo/c1/ana", "Demo: Ana")]
    assert settled(retitled) == {}
    closed = keyed(2, "demo/c1/ana", "Demo: Ana")
    closed = ObservedIssue(2, closed.title, closed.description, (LABEL,), state="closed")
    assert settled([closed, keyed(3, "demo/c1/ana", "Demo: Ana")]) == {}
    assert settled([closed, keyed(3, "demo/c1/ana", "Demo: Ben")]) == {}
    held = [keyed(2, "demo/c1/ana", "Demo: Ana"), keyed(3, "demo/c1/ana", "Demo: Ben")]
    assert settled([*held, keyed(4, "demo/c1/ben", "Demo: Ben")]) == {"demo/c1/ben": 4}
