"""When an account (or person) was out of the program, as its issues' withdrawn blocks record
it: `lifecycle.away`."""

from __future__ import annotations

import datetime as dt

from automation.items import ObservedIssue
from automation.lifecycle import away
from automation.markers import replace_block

D = dt.date.fromisoformat
TODAY = D("2027-06-01")


def issue(iid: int, *lines: str) -> ObservedIssue:
    content = "\n".join([*lines, f"<!-- automation:of #{iid} -->"])
    return ObservedIssue(iid, "t", replace_block("text\n", "withdrawn", content), ("p",))


def withdrawn(iid: int, left: str, *earlier: str) -> ObservedIssue:
    return issue(
        iid, "<!-- automation:withdrawn closed -->", *earlier, f"<!-- automation:left {left} -->"
    )


def back(iid: int, *spans: tuple[str, str]) -> ObservedIssue:
    return issue(
        iid,
        "<!-- automation:withdrawn back -->",
        *(f"<!-- automation:away {a} {b} -->" for a, b in spans),
    )


def test_still_away_counts_to_today_and_back_counts_to_the_return() -> None:
    assert away([withdrawn(1, "2027-01-10")], TODAY) == [(D("2027-01-10"), TODAY)]
    assert away([back(1, ("2027-01-10", "2027-03-01"))], TODAY) == [
        (D("2027-01-10"), D("2027-03-01"))
    ]


def test_an_issue_left_withdrawn_from_an_earlier_time_away_says_nothing_now() -> None:
    """December's session stayed withdrawn when the account came back in March: the account is
    not away since January for it."""
    found = [back(1, ("2027-01-10", "2027-03-01")), withdrawn(2, "2027-01-10")]
    assert away(found, TODAY) == [(D("2027-01-10"), D("2027-03-01"))]
    found.append(withdrawn(3, "2027-04-20", "<!-- automation:away 2027-01-10 2027-03-01 -->"))
    assert away(found, TODAY) == [(D("2027-01-10"), D("2027-03-01")), (D("2027-04-20"), TODAY)]


def test_a_block_of_an_earlier_version_or_none_says_nothing() -> None:
    plain = ObservedIssue(1, "t", "no block\n", ("p",))
    assert away([plain, issue(2, "<!-- automation:withdrawn closed -->")], TODAY) == []
