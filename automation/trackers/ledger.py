"""Which of a run's writes are the tool's alone (pure bookkeeping, used by the GitLab tracker).

A run that wrote can leave the record of "Runs that find nothing changed" only when GitLab
holds exactly what it planned: every issue it wrote was, just before the write, as the
listing it planned from showed it, and nothing but its own writes changed since. The ledger
keeps the first half: each issue as the planning listing showed it, whether the
read made just before a write found the same, and the `updated_at` GitLab gave each write.
Any other write (a create, labels alone, a note, a link, a close) makes the run's writes not
its own alone: too many ways for them to meet a person's change unseen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from automation.figures import references
from automation.items import ObservedIssue
from automation.progress import label_scope
from automation.syncrecord import watch


@dataclass(frozen=True)
class Write:
    """A description, with label changes, sent in one request."""

    description: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def mentions(self, before: ObservedIssue) -> frozenset[int]:
        """The issues this write newly refers to: GitLab notes "mentioned in" on each (once
        ever), which changes it without changing anything a plan reads."""
        return references(self.description) - references(before.description)

    def made(self, before: ObservedIssue, answer: ObservedIssue) -> bool:
        """Whether GitLab's ANSWER is BEFORE with this write made and nothing else: a person
        who changed the issue between the run's read and its write shows here."""
        return (
            answer.description == self.description
            and _kept(before) == _kept(answer)
            and self._labelled(set(before.labels), set(answer.labels))
        )

    def _labelled(self, before: set[str], after: set[str]) -> bool:
        """The labels added are there, the removed ones gone, and any other that went was
        replaced by an added label of its scope (GitLab keeps one label per scope)."""
        add, remove = set(self.add), set(self.remove) - set(self.add)
        scopes = {label_scope(label) for label in add} - {None}
        dropped = before - after - remove
        return (
            add <= after <= before | add
            and not remove & after
            and all(label_scope(label) in scopes for label in dropped)
        )


def _kept(issue: ObservedIssue) -> tuple[object, ...]:
    """What a description write leaves as it was (assignees in whatever order GitLab lists
    them)."""
    people = tuple(sorted(issue.assignees))
    return (issue.title, issue.state, people, issue.due_date, issue.confidential, issue.epic)


@dataclass
class Ledger:
    """A run's reads and writes of issues, as far as they tell whose the changes are."""

    seen: dict[int, ObservedIssue] = field(default_factory=dict)  # as last listed or written
    mentioned: set[int] = field(default_factory=set)  # newly referred to by the run's writes
    ready: dict[int, ObservedIssue] = field(default_factory=dict)  # read now, as listed
    changed: set[int] = field(default_factory=set)  # read since, and not as listed
    own: dict[int, dt.datetime] = field(default_factory=dict)  # written, and when
    # planned from a stored copy (a ledger's row, incremental.py): what `watch` gave of it
    vouched: dict[int, str] = field(default_factory=dict)
    others: int = 0  # writes that are not a description written on the text as listed
    sent: int = 0  # write requests sent
    _accounted: int = 0

    def saw(self, issue: ObservedIssue) -> None:
        """ISSUE as a listing the run plans from shows it."""
        self.seen[issue.iid] = issue

    def as_listed(self, issue: ObservedIssue) -> bool:
        """Whether ISSUE is as the run's last listing (or write) of it showed it."""
        return _as_in(self.seen, issue)

    def reread(self, issue: ObservedIssue) -> None:
        """ISSUE read again (just before a write, say): ready to be written as the run's own
        only if it is still as listed, and was each time it was read."""
        iid = issue.iid
        if self.as_listed(issue) and iid not in self.changed:
            self.ready[iid] = issue
            return
        self.ready.pop(iid, None)
        self.changed.add(iid)

    def vouch(self, iid: int, digest: str) -> None:
        """Issue IID was planned from a stored copy of it (a ledger's row) whose `watch`
        digest is DIGEST: newly mentioned by the run's writes, it is explained as long as it
        still reads so (a person's change during the run does not)."""
        self.vouched[iid] = digest

    def may_own(self, iid: int) -> ObservedIssue | None:
        """The issue as read just before, as listed, when a write of it now may be the run's
        own alone; asked once per write."""
        return self.ready.pop(iid, None)

    def owned(self, before: ObservedIssue, answer: ObservedIssue, write: Write, sent: int) -> None:
        """The run's write of an issue read just BEFORE, as GitLab answered it, in SENT write
        requests: the run's own alone if one request made just that change."""
        if sent != 1 or answer.updated_at is None or not write.made(before, answer):
            self.others += 1  # a retry, or a person's change on the way: not the run's alone
            return
        self.own[answer.iid] = answer.updated_at
        self.seen[answer.iid] = answer  # the run's next plan starts from it
        self.mentioned |= write.mentions(before)

    def wrote(self) -> None:
        """A write request is sent (every one, before it goes: one whose answer is lost
        counts too); see `accounted` for the ones that do not count against the run."""
        self.sent += 1
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
        if self.others:
            return None
        mentioned = frozenset(self.mentioned)
        return Writes(dict(self.own), dict(self.seen), mentioned, dict(self.vouched))


@dataclass(frozen=True)
class Writes:
    """A run whose writes were its own alone: GitLab's time of each write, by issue; each
    issue as last listed or written (what an issue unchanged since shows); and the issues
    its writes newly referred to."""

    own: Mapping[int, dt.datetime]
    seen: Mapping[int, ObservedIssue]
    mentioned: frozenset[int] = frozenset()
    vouched: Mapping[int, str] = field(default_factory=dict)  # (Ledger.vouched)

    def explain(self, issue: ObservedIssue) -> bool:
        """Whether the issue is as the run listed or wrote it: its time tells, or, for an
        issue the run's writes newly referred to (GitLab's "mentioned in" note moved its
        time), everything a plan reads from it is as the run last saw it."""
        if _as_in(self.seen, issue):
            return True
        if issue.iid not in self.mentioned:
            return False
        if issue.iid in self.seen:
            return self.seen[issue.iid] == issue
        return self.vouched.get(issue.iid) == watch(issue)  # as its stored copy has it


def _as_in(seen: Mapping[int, ObservedIssue], issue: ObservedIssue) -> bool:
    """Whether ISSUE has the time and everything else it had when SEEN: a change that only
    touches an issue (a label added by whoever changed it last, within a minute) may leave
    its time as it was (GitLab's ThrottledTouch), so the time alone does not tell."""
    last = seen.get(issue.iid)
    return (
        issue.updated_at is not None
        and last is not None
        and last.updated_at == issue.updated_at
        and _unordered(last) == _unordered(issue)
    )


def _unordered(issue: ObservedIssue) -> ObservedIssue:
    """The issue with its labels and assignees sorted: a list and a write's answer may give
    them in other orders."""
    return replace(
        issue, labels=tuple(sorted(issue.labels)), assignees=tuple(sorted(issue.assignees))
    )
