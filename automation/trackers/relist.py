"""A run's lists of program issues brought up to date from the issues changed since they
were read, instead of reading every page again (pure)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

from automation.items import ObservedIssue

Lists = Mapping[str, tuple[ObservedIssue, ...]]  # by program label, its issues oldest first
Listed = dict[str, tuple[ObservedIssue, ...]]


def brought_up_to_date(lists: Lists, changed: Iterable[ObservedIssue]) -> Listed:
    """LISTS as GitLab would list them now, given every issue CHANGED (or created) since they
    were read, as it is now: a changed issue takes its listed one's place, or leaves the list
    when it lost the label; one that newly has the label (made since, or given the label)
    joins where it was made (GitLab numbers a project's issues as they are made). An issue
    not changed is as listed."""
    fresh = {issue.iid: issue for issue in changed}
    joining = sorted(fresh.values(), key=_made)
    result: Listed = {}
    for label, issues in lists.items():
        listed = {issue.iid for issue in issues}
        kept = [fresh.get(issue.iid, issue) for issue in issues]
        kept = [issue for issue in kept if issue.iid not in fresh or label in issue.labels]
        new = [issue for issue in joining if issue.iid not in listed and label in issue.labels]
        result[label] = tuple(heapq.merge(kept, new, key=_made))
    return result


def _made(issue: ObservedIssue) -> int:
    return issue.iid
