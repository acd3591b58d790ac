"""An ESP account's year whose key moved with its `start` (renames.moved_periods)."""

from __future__ import annotations

import datetime as dt

from automation.desired import DesiredIssue
from automation.items import ObservedIssue
from automation.renames import moved_periods, period_moves_said

FAMILY = "executive-sponsorship/account/umbrella/annual/"


def year(key: str, due: dt.date) -> DesiredIssue:
    return DesiredIssue(
        FAMILY + key, "review", "", (), "Umbrella", due_date=due, moves_within=FAMILY
    )


def issue(iid: int, key: str, due: str, state: str = "opened") -> ObservedIssue:
    text = (
        f"<!-- automation:key={FAMILY}{key} -->\nText\n"
        f"<!-- automation:begin due -->\n<!-- automation:due {due} -->\n"
        "<!-- automation:end due -->\n"
    )
    return ObservedIssue(iid, "review", text, (), state=state)


def test_an_open_issue_of_a_key_no_longer_given_is_the_year_moved_by_days() -> None:
    moves = moved_periods([year("fy27", dt.date(2028, 1, 27))], [issue(8, "fy28", "2028-01-31")])
    assert moves == {FAMILY + "fy28": FAMILY + "fy27"}
    said = period_moves_said(moves, [issue(8, "fy28", "2028-01-31")])
    assert len(said) == 1 and said[0].startswith("issue #8 was made for the year of key")


def test_another_year_closed_or_with_the_key_taken_is_not_the_year_moved() -> None:
    item = year("fy27", dt.date(2028, 1, 27))
    assert moved_periods([item], [issue(8, "fy28", "2029-01-31")]) == {}  # a year off
    assert moved_periods([item], [issue(8, "fy28", "2028-01-31", "closed")]) == {}
    both = [issue(8, "fy28", "2028-01-31"), issue(9, "fy27", "2028-01-27")]
    assert moved_periods([item], both) == {}  # the item has its own issue
    other = ObservedIssue(
        8, "x", issue(8, "fy28", "2028-01-31").description.replace("umbrella", "stark"), ()
    )
    assert moved_periods([item], [other]) == {}  # another account's year
    plain = DesiredIssue(FAMILY + "fy27", "r", "", (), "U", due_date=dt.date(2028, 1, 27))
    assert moved_periods([plain], [issue(8, "fy28", "2028-01-31")]) == {}  # not a moving kind
