"""People's assignee changes a lagging read hid from the tool's assignee write (pure).

GitLab's API sets an issue's assignees as a whole list (`assignee_ids`), which the tool
makes from the issue read just before; GitLab may answer that read from a database replica
that lacks a person's change of a moment ago (see unseen.py), and the write then undoes it.
GitLab notes each change: `assigned to @a, @b, and @c and unassigned @d`
(SystemNotes::IssuablesService#change_issuable_assignees). Read after the tool's write, the
notes are caught up with it; each person's last change stands again where the write undid
it, except for the people the tool's own change is about."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_NOTE = re.compile(r"(?:assigned to (?P<added>.+?))?(?:(?:^| and )unassigned (?P<removed>.+))?")
_USER = re.compile(r"@([A-Za-z0-9_][A-Za-z0-9_.-]*)")


def assignee_changes(body: str) -> list[tuple[str, bool]]:
    """The (username, assigned) changes a system note tells of, in its order; none for a
    note of anything else (or `removed assignee`, which names nobody)."""
    found = _NOTE.fullmatch(body.strip())
    if found is None:
        return []
    added = [(name, True) for name in _USER.findall(found["added"] or "")]
    return added + [(name, False) for name in _USER.findall(found["removed"] or "")]


def restored(
    read: Sequence[str],
    current: Sequence[str],
    changes: Iterable[tuple[str, bool]],
    named: Iterable[str],
) -> tuple[str, ...] | None:
    """The assignees CURRENT (read after the tool's write) gets back from people's CHANGES
    (oldest first: each person's last one stands) that READ (the assignees the write was
    made on) did not show (GitLab notes a change a few milliseconds after saving it: a read
    may show it and still be older than its note), leaving the people the tool's change
    NAMED as it made them; None when nothing differs."""
    shown = {name.casefold() for name in read}
    last: dict[str, tuple[str, bool]] = {}
    for name, assigned in changes:
        last[name.casefold()] = (name, assigned)
    last = {key: change for key, change in last.items() if (key in shown) != change[1]}
    theirs = {name.casefold() for name in named}
    have = {name.casefold() for name in current}
    gone = {key for key, (_, assigned) in last.items() if not assigned and key in have}
    back = [name for key, (name, assigned) in last.items() if assigned and key not in have]
    gone -= theirs
    back = [name for name in back if name.casefold() not in theirs]
    if not gone and not back:
        return None
    return (*(name for name in current if name.casefold() not in gone), *back)
