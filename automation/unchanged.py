"""A run that stops after a few requests when nothing changed since the last run that found
nothing to do (the record is described in syncrecord.py); the full run otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from automation.syncrecord import OVERLAP, SyncRecord, fingerprint, read_record
from automation.trackers.base import ChangeLog, Tracker


def inputs(version: str, config: Path, templates: Path, programs: Sequence[str]) -> str:
    """The fingerprint of what a run reads besides GitLab: the tool, its files, its options."""
    return fingerprint((config, templates), (version, *sorted(programs)))


def unchanged(
    tracker: Tracker, inputs: str, today: dt.date, steps: frozenset[str]
) -> SyncRecord | None:
    """The record showing that a run with these inputs would find nothing to do (three
    requests: the record, and one page of one issue changed since); None: run in full."""
    if not isinstance(tracker, ChangeLog):
        return None
    record = read_record(tracker.read_sync_record())
    if record is None or not record.covers(inputs, today, steps):
        return None
    return None if tracker.changed_since(record.since) else record


def keep_record(
    tracker: Tracker, inputs: str, today: dt.date, steps: frozenset[str], issues: int
) -> None:
    """After a full run that found nothing to do: as of its first request (less an overlap
    for clocks), these inputs leave nothing to do."""
    if not isinstance(tracker, ChangeLog):
        return
    start = tracker.first_answer_at()
    if start is not None:
        record = SyncRecord(start - OVERLAP, today, issues, steps, inputs)
        tracker.write_sync_record(record.text())
