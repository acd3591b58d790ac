"""Which of a run's writes are the tool's alone (pure bookkeeping, used by the GitLab tracker).

A run that wrote can leave the record of "Runs that find nothing changed" only when GitLab
holds exactly what it planned: every issue it wrote was, just before the write, as the
listing it planned from showed it, and nothing but its own writes changed since. The ledger
keeps the first half: the `updated_at` each issue had in the planning listing, whether the
read made just before a write found the same, and the `updated_at` GitLab gave each write.
Any other write (a create, labels alone, a note, a link, a close) makes the run's writes not
its own alone: too many ways for them to meet a person's change unseen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from automation.items import ObservedIssue


@dataclass
class Ledger:
    """A run's reads and writes of issues, as far as they tell whose the changes are."""

    listed: dict[int, dt.datetime | None] = field(default_factory=dict)
    ready: set[int] = field(default_factory=set)  # read just now, and as listed
    changed: set[int] = field(default_factory=set)  # read since, and not as listed
    own: dict[int, dt.datetime] = field(default_factory=dict)  # written, and when
    others: int = 0  # writes that are not a description written on the text as listed
    _accounted: int = 0

    def saw(self, issue: ObservedIssue) -> None:
        """ISSUE as a listing the run plans from shows it."""
        self.listed[issue.iid] = issue.updated_at

    def reread(self, issue: ObservedIssue) -> None:
        """ISSUE read again (just before a write, say): ready to be written as the run's own
        only if it is still as listed, and was each time it was read."""
        iid = issue.iid
        same = issue.updated_at is not None and self.listed.get(iid) == issue.updated_at
        if same and iid not in self.changed:
            self.ready.add(iid)
            return
        self.ready.discard(iid)
        self.changed.add(iid)

    def may_own(self, iid: int) -> bool:
        """Whether a write of the issue now would be the run's own alone (it was read just
        before, as listed); asked once per write."""
        if iid in self.ready:
            self.ready.discard(iid)
            return True
        return False

    def owned(self, iid: int, moment: dt.datetime | None) -> None:
        """The run's own write of the issue, and GitLab's time of it."""
        if moment is None:
            self.others += 1  # an answer without its time cannot be matched later
            return
        self.own[iid] = moment
        self.listed[iid] = moment  # the run's next plan starts from its own write

    def wrote(self) -> None:
        """A write request went out (every one does, see `accounted` for the ones that
        do not count against the run)."""
        if not self._accounted:
            self.others += 1

    @contextmanager
    def accounted(self) -> Iterator[None]:
        """Writes in this block are accounted for: the run's own description write, or the
        run's bookkeeping (its lock, its record), which changes no issue."""
        self._accounted += 1
        try:
            yield
        finally:
            self._accounted -= 1

    def writes(self) -> Writes | None:
        """The run's writes and reads by issue: None when some write was not the run's own
        alone."""
        return None if self.others else Writes(dict(self.own), dict(self.listed))


@dataclass(frozen=True)
class Writes:
    """A run whose writes were its own alone: GitLab's time of each write, by issue; and the
    time each issue had as last listed or written (what an issue unchanged since shows)."""

    own: Mapping[int, dt.datetime]
    known: Mapping[int, dt.datetime | None]

    def explain(self, issue: ObservedIssue) -> bool:
        """Whether the issue is as the run listed or wrote it (its time tells)."""
        return issue.updated_at is not None and self.known.get(issue.iid) == issue.updated_at
