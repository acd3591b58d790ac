"""The ledger says a run's writes were its own alone only when each written issue was read,
just before its write, as the run listed it, and no other write went out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from automation.figures import references
from automation.items import ObservedIssue
from automation.trackers.ledger import Ledger, Write

T0 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def issue(
    iid: int, moment: dt.datetime | None, text: str = "text", labels: tuple[str, ...] = ()
) -> ObservedIssue:
    return ObservedIssue(iid, "title", text, labels, updated_at=moment)


def written(ledger: Ledger, moment: dt.datetime, sent: int = 1) -> None:
    """Issue 1, read as listed, written as planned (one request) and answered at MOMENT."""
    before = ledger.may_own(1)
    assert before is not None
    ledger.owned(before, issue(1, moment, "new"), Write("new"), sent)


def test_an_issue_read_again_as_listed_is_written_as_the_runs_own() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0))
    written(ledger, T0 + 5 * SECOND)
    writes = ledger.writes()
    assert writes is not None and writes.own == {1: T0 + 5 * SECOND}
    assert writes.explain(issue(1, T0 + 5 * SECOND, "new"))  # as the run wrote it
    assert not writes.explain(issue(1, T0 + 6 * SECOND, "new"))  # changed after the write
    # a label added within a minute by whoever changed it last: GitLab's time stays
    assert not writes.explain(issue(1, T0 + 5 * SECOND, "new", ("needs-attention",)))


def test_may_own_is_answered_once_per_read() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0))
    assert ledger.may_own(1) == issue(1, T0)
    assert ledger.may_own(1) is None  # a second write needs a second read


def test_an_issue_changed_since_the_listing_stays_changed() -> None:
    """Read once changed, then again (the same new time): the run planned from the listing,
    so the issue is never its own to write, whatever later reads find."""
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0 + SECOND))
    assert ledger.may_own(1) is None
    ledger.reread(issue(1, T0 + SECOND))
    assert ledger.may_own(1) is None


def test_an_issue_never_listed_or_without_a_time_is_not_the_runs_own() -> None:
    ledger = Ledger()
    ledger.reread(issue(2, T0))
    assert ledger.may_own(2) is None
    ledger.saw(issue(3, None))
    ledger.reread(issue(3, None))
    assert ledger.may_own(3) is None


def test_a_write_not_accounted_for_means_no_writes_of_the_runs_own() -> None:
    ledger = Ledger()
    with ledger.accounted():
        ledger.wrote()  # the lock, the record
    assert ledger.writes() is not None
    ledger.wrote()  # a create, a note, labels alone
    assert ledger.writes() is None


def test_a_write_answered_without_its_time_means_no_writes_of_the_runs_own() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0))
    before = ledger.may_own(1)
    assert before is not None
    ledger.owned(before, issue(1, None, "new"), Write("new"), 1)
    assert ledger.writes() is None


def test_a_write_sent_twice_is_not_the_runs_own() -> None:
    """A retried request (its first answer lost): a person's change between the two is in
    the second answer."""
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0))
    written(ledger, T0 + SECOND, sent=2)
    assert ledger.writes() is None


def test_a_write_is_counted_when_sent() -> None:
    ledger = Ledger()
    ledger.wrote()  # its answer never came
    assert ledger.sent == 1 and ledger.writes() is None


SCOPED = ("program::demo", "progress::0%", "status::not started", "team")


def test_an_answer_is_the_write_made_and_nothing_else() -> None:
    before = issue(1, T0, "old", SCOPED)
    write = Write("new", ("progress::50-74%", "status::in progress"), ("progress::0%",))
    # GitLab drops status::not started itself: one label per scope
    answer = issue(
        1, T0, "new", ("program::demo", "progress::50-74%", "status::in progress", "team")
    )
    assert write.made(before, answer)
    assert not write.made(before, replace(answer, description="new, and a person's line"))
    assert not write.made(before, replace(answer, state="closed"))
    assert not write.made(before, replace(answer, assignees=("alice",)))
    assert not write.made(before, replace(answer, labels=answer.labels[1:]))  # program:: gone
    assert not write.made(before, replace(answer, labels=(*answer.labels, "urgent")))
    assert not write.made(before, replace(answer, labels=(*answer.labels, "progress::0%")))
    assert not write.made(before, replace(answer, labels=answer.labels[:-1]))  # team gone


def test_issues_as_listed_and_not_written_are_explained() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.saw(issue(2, T0 + SECOND))
    writes = ledger.writes()
    assert writes is not None and writes.own == {}
    assert writes.explain(issue(2, T0 + SECOND))
    assert not writes.explain(issue(2, T0 + 2 * SECOND))
    assert not writes.explain(issue(9, T0))  # never listed: another program's, or new


def test_assignees_listed_in_another_order_are_the_same_people() -> None:
    before = replace(issue(1, T0, "old"), assignees=("ann", "bob"))
    answer = replace(issue(1, T0, "new"), assignees=("bob", "ann"))
    assert Write("new").made(before, answer)
    assert not Write("new").made(before, replace(answer, assignees=("bob",)))


def test_references_are_the_ones_gitlab_renders() -> None:
    text = "See #3 and (#4).\n`#5` a#6 &7 x/#8\n```\n#9\n```\n<!-- #10 -->\n| #11 | row |\n"
    assert references(text) == {3, 4, 11}


def test_an_issue_the_runs_write_newly_refers_to_may_move_in_time_and_nothing_else() -> None:
    ledger = Ledger()
    listed = issue(2, T0, "participant")
    ledger.saw(issue(1, T0, "| #1 |"))
    ledger.saw(listed)
    ledger.reread(issue(1, T0, "| #1 |"))
    before = ledger.may_own(1)
    assert before is not None
    ledger.owned(before, issue(1, T0 + SECOND, "| #1 |\n| #2 |"), Write("| #1 |\n| #2 |"), 1)
    writes = ledger.writes()
    assert writes is not None
    noted = replace(listed, updated_at=T0 + SECOND)  # "mentioned in #1": its time moved
    assert writes.explain(noted)
    assert not writes.explain(replace(noted, labels=("needs-attention",)))
    assert not writes.explain(issue(3, T0 + SECOND))  # not referred to: someone changed it


def test_an_issue_listed_with_its_labels_or_assignees_in_another_order_is_as_listed() -> None:
    ledger = Ledger()
    ledger.saw(replace(issue(1, T0, labels=("a", "b")), assignees=("ana", "ben")))
    assert ledger.as_listed(replace(issue(1, T0, labels=("b", "a")), assignees=("ben", "ana")))
    assert not ledger.as_listed(replace(issue(1, T0, labels=("a",)), assignees=("ana", "ben")))
