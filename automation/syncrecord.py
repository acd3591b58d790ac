"""The record of the last run that left nothing to do, kept in GitLab, so that a run can see
that nothing changed since and stop after a few requests, or check only the programs whose
issues changed (unchanged.py).

A run may stop early only when all of these hold: the record is there and readable; it was
made on the same day (due dates, overdue labels and periods move with the day, so the first
run of each day checks everything); the configuration, the templates, the tool's version and
the run's options hash to the same fingerprint; its steps cover this run's; and no issue of the
project was changed since the record's moment (GitLab's `updated_after`, less an overlap). A
missing, damaged or foreign record only means a full run."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from automation.items import ObservedIssue

RECORD_LABEL = "automation-last-full-run"
RECORD_COLOR = "#808080"
OVERLAP = dt.timedelta(seconds=5)  # GitLab's Date header has whole seconds; clocks drift
# GitLab may answer a read from a database replica, which it lets lag the primary by up to a
# minute (sticking a user's reads to fresh data only after that user's own writes): a change
# made that long before a read may not be in its answer
REPLICA_LAG = dt.timedelta(seconds=60)
# GitLab's ThrottledTouch: a change that only touches an issue (its labels or assignees, by the
# person who last updated it; a note, a link, an epic) moves its updated_at only if that is
# over a minute old, so such a change can leave the time of the person's previous change
TOUCH_INTERVAL = dt.timedelta(minutes=1)
_PREFIX = "Kept by the automation, never put it on issues. v1"
_PATTERN = re.compile(
    r"v1 since=(?P<since>\S+) day=(?P<day>\d{4}-\d{2}-\d{2}) issues=(?P<issues>\d+) "
    r"steps=(?P<steps>[a-z,]+) fingerprint=(?P<fingerprint>[0-9a-f]{32})"
    r"(?: warned=(?P<warned>[a-z0-9_.,-]+))?"  # program ids (SLUG_PATTERN), by commas
    r"(?: watched=(?P<watched>\d+:[0-9a-f]{16}(?:,\d+:[0-9a-f]{16})*))?"
    r"(?: ledgers=(?P<ledgers>[a-z0-9_.-]+:\d+(?:,[a-z0-9_.-]+:\d+)*))?$"
)


@dataclass(frozen=True)
class SyncRecord:
    """As of SINCE (GitLab's clock), a run with STEPS over the configuration FINGERPRINT left
    nothing to do; it counted ISSUES up-to-date issues. WARNED: the programs (ids) whose
    warnings it said (or a run whose record it kept, of programs it did not check), which
    stand while runs do not read their issues (a tester's "the tool writes nothing to these
    issues" went unsaid the rest of the day). WATCHED: issues whose time may not tell of a
    change (`watch`), each by iid with the digest of what a plan read of it then. LEDGERS:
    the programs whose ledger (ledgerissues.py) the run left as its plans wanted it, each
    with its tracking issue's iid, where a run that reads the program by its ledger starts
    (incremental.py)."""

    since: dt.datetime
    day: dt.date
    issues: int
    steps: frozenset[str]
    fingerprint: str
    warned: frozenset[str] = frozenset()
    watched: tuple[tuple[int, str], ...] = ()
    ledgers: tuple[tuple[str, int], ...] = ()

    def text(self) -> str:
        """The record as the label's description."""
        steps = ",".join(sorted(self.steps))
        moment = self.since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            f"{_PREFIX} since={moment} day={self.day.isoformat()} issues={self.issues} "
            f"steps={steps} fingerprint={self.fingerprint}{self._warned()}"
            f"{_shown('watched', self.watched)}{_shown('ledgers', self.ledgers)}"
        )

    def _warned(self) -> str:
        return f" warned={','.join(sorted(self.warned))}" if self.warned else ""

    def covers(self, fingerprint: str, today: dt.date, steps: frozenset[str]) -> bool:
        """Whether a run with these inputs would find what this record found."""
        return self.fingerprint == fingerprint and self.day == today and steps <= self.steps


def read_record(text: str | None) -> SyncRecord | None:
    """The record in a label description; None when there is none or it cannot be read."""
    found = _PATTERN.search((text or "").strip())
    if found is None:
        return None
    try:
        since = dt.datetime.fromisoformat(found["since"].replace("Z", "+00:00"))
        day = dt.date.fromisoformat(found["day"])
    except ValueError:
        return None
    if since.tzinfo is None:
        return None
    steps = frozenset(found["steps"].split(","))
    issues = int(found["issues"])
    warned = frozenset(filter(None, (found["warned"] or "").split(",")))
    watched = tuple((int(iid), digest) for iid, digest in _pairs(found["watched"]))
    ledgers = tuple((program, int(iid)) for program, iid in _pairs(found["ledgers"]))
    return SyncRecord(since, day, issues, steps, found["fingerprint"], warned, watched, ledgers)


def _shown(name: str, pairs: Sequence[tuple[object, object]]) -> str:
    """` NAME=a:b,c:d`, or nothing when there are no PAIRS (read back by `_pairs`)."""
    return f" {name}={','.join(f'{a}:{b}' for a, b in pairs)}" if pairs else ""


def _pairs(text: str | None) -> list[tuple[str, str]]:
    """`a:b,c:d` as pairs (the pattern has checked their form)."""
    return [(a, b) for a, _, b in (p.partition(":") for p in filter(None, (text or "").split(",")))]


def watch(issue: ObservedIssue) -> str:
    """A digest of what a plan reads of an issue (not its time): an issue whose time may not
    move with a change (GitLab noted the run's mention of it, which moved its time, and a
    label its last editor changes within the minute after moves it no more: ThrottledTouch)
    is read again by the next run, and checked when its digest differs."""
    read = replace(
        issue,
        labels=tuple(sorted(issue.labels)),  # (in whatever order GitLab lists them)
        assignees=tuple(sorted(issue.assignees)),
        updated_at=None,
        created_at=None,
    )
    return hashlib.sha256(repr(read).encode()).hexdigest()[:16]


def _cache(path: Path) -> bool:
    return "__pycache__" in path.parts or path.suffix == ".pyc"


def fingerprint(folders: Iterable[Path], options: Sequence[str]) -> str:
    """A hash of every file under FOLDERS (names and bytes; not a cache Python writes there,
    which changes with every install) and of the run's OPTIONS."""
    digest = hashlib.sha256()
    for option in options:
        digest.update(option.encode() + b"\0")
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _cache(p)):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]
