"""Which issues another program's record of keys holds (pure but for the lists it is given).

A program finds its issues by its label and the key on their first line, both of which a
project member can change: pasted over a public program's issue with a confidential program's
label, a confidential program's next key would make that program take the public issue (and
write its pair's names into it, once made confidential). The record each program keeps of its
issues (index.py) tells: an issue another program's record holds, and this one's does not,
is that program's (identity.py refuses it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from automation.config.models import Program
from automation.identity import find_tracking, program_index
from automation.index import index_key, key_prefix, read_index
from automation.items import ObservedIssue
from automation.renames import with_former_label

Lister = Callable[[str], tuple[ObservedIssue, ...]]  # a program label's issues
Fetcher = Callable[[int], ObservedIssue | None]  # an issue by iid (None: deleted)


def tracking_key(program_id: str) -> str:
    """The key of a program's tracking issue (DesiredProgram.tracking_key)."""
    return f"{program_id}/tracking"


def _aliases(program: Program) -> dict[str, str]:
    """A renamed program's tracking issue under its former key."""
    if program.renamed_from is None:
        return {}
    return {tracking_key(program.renamed_from): tracking_key(program.id)}


def recorded(program: Program, issues: Sequence[ObservedIssue]) -> frozenset[int] | None:
    """The iids PROGRAM's record of keys holds, as ISSUES (its listed ones, and any read by
    iid) show it, and its tracking issue's; None when ISSUES hold issues the tool made for it
    but neither (a person took the label off its tracking issue: whose those are is unknown)."""
    key, aliases = tracking_key(program.id), _aliases(program)
    tracking = find_tracking(issues, key, aliases)
    index = program_index(issues, key, aliases)
    if tracking is None and index is None:
        return None if _made_for(program, issues) else frozenset()
    return frozenset([*(index or {}).values(), *([tracking.iid] if tracking else [])])


def _made_for(program: Program, issues: Sequence[ObservedIssue]) -> bool:
    """Whether ISSUES hold one the tool made with a key of PROGRAM (or its former id)."""
    prefixes = tuple(key_prefix(k) for k in (tracking_key(program.id), *_aliases(program)))
    return any(i.by_tool and (i.key or "").startswith(prefixes) for i in issues)


def unrecorded(
    program: Program, issues: Sequence[ObservedIssue], own: frozenset[int]
) -> frozenset[int]:
    """The issues of the program's list that carry a key its record (OWN) does not hold,
    its tracking issue aside: ones another program's record might (rare: the tool records the
    issues it makes in the run that makes them, or the next)."""
    tracking = find_tracking(issues, tracking_key(program.id), _aliases(program))
    skip = own | ({tracking.iid} if tracking else set())
    return frozenset(issue.iid for issue in issues if issue.key and issue.iid not in skip)


def claiming(records: Records, strays: frozenset[int]) -> frozenset[str]:
    """The programs of RECORDS whose record holds one of STRAYS, or could not be read."""
    return frozenset(p for p, iids in records.items() if iids is None or iids & strays)


Records = Mapping[str, frozenset[int] | None]  # program id -> its record (None: unread)


def others(records: Records, program_id: str) -> dict[int, str]:
    """Iid -> the program whose record holds it, of every program but PROGRAM_ID."""
    return {
        iid: other
        for other, iids in sorted(records.items(), reverse=True)
        if other != program_id
        for iid in iids or ()
    }


def unread(records: Records, program_id: str) -> tuple[str, ...]:
    """The programs but PROGRAM_ID whose record could not be read (`recorded`)."""
    return tuple(p for p, iids in sorted(records.items()) if iids is None and p != program_id)


def read_records(
    programs: Iterable[Program], listed: Lister, fetch: Fetcher
) -> dict[str, frozenset[int] | None]:
    """The records of the programs a run leaves out, each from its label's list (and its
    former label's, while it is renamed), and its index issue, read by iid (FETCH) when the
    list does not show it (it lost its label), as a run of every program reads it."""
    records: dict[str, frozenset[int] | None] = {}
    for program in programs:
        issues = with_former_label(listed, program)
        iid = _index_unlisted(program, issues)
        index = fetch(iid) if iid is not None else None
        records[program.id] = recorded(program, (*issues, *([index] if index else [])))
    return records


def _index_unlisted(program: Program, issues: Sequence[ObservedIssue]) -> int | None:
    """The iid of the program's index issue, as its tracking issue names it, when ISSUES
    do not hold it."""
    key, aliases = tracking_key(program.id), _aliases(program)
    tracking = find_tracking(issues, key, aliases)
    entries = read_index(tracking.description, key_prefix(key)) if tracking else None
    iid = (entries or {}).get(index_key(key))
    return iid if iid is not None and all(i.iid != iid for i in issues) else None
