"""When an account (or person) was out of the program, as its issues' withdrawn blocks record
it: `lifecycle.away`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

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


def test_the_time_away_now_starts_after_the_last_return() -> None:
    """A mutation tester: nothing told the last return from the first. Paused in January and
    in April, back each time, paused again in May: issues left withdrawn in the earlier
    pauses say nothing about this one, which starts on 20 May (not 20 April, which would
    drop May's periods from 5 to 20 without a word)."""
    spans = (("2027-01-10", "2027-03-01"), ("2027-04-20", "2027-05-05"))
    found = [back(1, *spans), withdrawn(2, "2027-01-10"), withdrawn(4, "2027-04-20")]
    found.append(withdrawn(3, "2027-05-20"))
    assert away(found, TODAY) == [*((D(a), D(b)) for a, b in spans), (D("2027-05-20"), TODAY)]


def test_a_pause_starts_with_its_first_withdrawal() -> None:
    """Two of an account's issues withdrawn on different runs of one pause: it began with the
    first (a mutation tester: the later one passed every test)."""
    found = [withdrawn(1, "2027-04-25"), withdrawn(2, "2027-04-20")]
    assert away(found, TODAY) == [(D("2027-04-20"), TODAY)]


def test_a_persons_issue_holding_a_withdrawn_block_says_nothing() -> None:
    """Only the tool's issues tell when an account was away: a person's issue with a block
    copied in, its proof line and all, is no record (a mutation tester found this guard
    untested)."""
    copied = withdrawn(5, "2027-04-20")
    assert away([copied], TODAY) and not away([replace(copied, by_tool=False)], TODAY)
