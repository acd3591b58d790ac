"""A tracker wrapper that dies after the k-th write, like a killed CI job."""

from __future__ import annotations

from collections.abc import Sequence

from automation.progress import LabelSpec
from automation.trackers.base import NewIssue, ObservedIssue, Tracker


class Crash(BaseException):
    """The process died (not an error the tool could catch and report)."""


class CrashingTracker(Tracker):
    """Delegates to a real tracker and raises Crash right after its k-th write."""

    def __init__(self, inner: Tracker, after: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.left = after

    def _wrote(self) -> None:
        self.left -= 1
        if self.left == 0:
            raise Crash

    def label_names(self) -> frozenset[str]:
        return self.inner.label_names()

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        return self.inner.program_issues(program_label)

    def find_issue(self, key: str) -> ObservedIssue | None:
        return self.inner.find_issue(key)

    def create_label(self, spec: LabelSpec) -> None:
        self.inner.create_label(spec)
        self._wrote()

    def create_issue(self, issue: NewIssue) -> ObservedIssue:
        created = self.inner.create_issue(issue)
        self._wrote()
        return created

    def update_description(self, iid: int, description: str) -> None:
        self.inner.update_description(iid, description)
        self._wrote()

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        self.inner.update_labels(iid, add, remove)
        self._wrote()
