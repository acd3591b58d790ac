"""The ledger says a run's writes were its own alone only when each written issue was read,
just before its write, as the run listed it, and no other write went out."""

from __future__ import annotations

import datetime as dt

from automation.items import ObservedIssue
from automation.trackers.ledger import Ledger

T0 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def issue(iid: int, moment: dt.datetime | None, text: str = "text") -> ObservedIssue:
    return ObservedIssue(iid, "title", text, (), updated_at=moment)


def test_an_issue_read_again_as_listed_is_written_as_the_runs_own() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0))
    assert ledger.may_own(1)
    ledger.owned(1, T0 + 5 * SECOND)
    writes = ledger.writes()
    assert writes is not None and writes.own == {1: T0 + 5 * SECOND}
    assert writes.explain(issue(1, T0 + 5 * SECOND))  # as the run wrote it
    assert not writes.explain(issue(1, T0 + 6 * SECOND))  # changed after the write


def test_may_own_is_answered_once_per_read() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0))
    assert ledger.may_own(1)
    assert not ledger.may_own(1)  # a second write needs a second read


def test_an_issue_changed_since_the_listing_stays_changed() -> None:
    """Read once changed, then again (the same new time): the run planned from the listing,
    so the issue is never its own to write, whatever later reads find."""
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.reread(issue(1, T0 + SECOND))
    assert not ledger.may_own(1)
    ledger.reread(issue(1, T0 + SECOND))
    assert not ledger.may_own(1)


def test_an_issue_never_listed_or_without_a_time_is_not_the_runs_own() -> None:
    ledger = Ledger()
    ledger.reread(issue(2, T0))
    assert not ledger.may_own(2)
    ledger.saw(issue(3, None))
    ledger.reread(issue(3, None))
    assert not ledger.may_own(3)


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
    assert ledger.may_own(1)
    ledger.owned(1, None)
    assert ledger.writes() is None


def test_issues_as_listed_and_not_written_are_explained() -> None:
    ledger = Ledger()
    ledger.saw(issue(1, T0))
    ledger.saw(issue(2, T0 + SECOND))
    writes = ledger.writes()
    assert writes is not None and writes.own == {}
    assert writes.explain(issue(2, T0 + SECOND))
    assert not writes.explain(issue(2, T0 + 2 * SECOND))
    assert not writes.explain(issue(9, T0))  # never listed: another program's, or new
