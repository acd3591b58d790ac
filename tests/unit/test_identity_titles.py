"""An issue that lost its first line where no index names it (a person replaced the tracking
issue's text, index and all) is known by its title, when that title says which item alone."""

from __future__ import annotations

from automation.identity import resolve
from automation.items import ObservedIssue

LABEL = "program::demo"
TITLES = {"demo/c1/ana": "Demo: Ana", "demo/c1/ben": "Demo: Ben", "demo/tracking": "Demo"}


def keyless(iid: int, title: str, by_tool: bool = True) -> ObservedIssue:
    return ObservedIssue(iid, title, "## One\n- [x] a tick\n", (LABEL,), by_tool=by_tool)


def found(issues: list[ObservedIssue], titles: dict[str, str] = TITLES) -> dict[str, int]:
    resolved = resolve(issues, list(titles), "demo/tracking", {}, LABEL, titles=titles)
    assert set(resolved.restore) == set(resolved.found)  # each gets its first line back
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
