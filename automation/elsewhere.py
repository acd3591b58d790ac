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
from automation.items import ObservedIssue
from automation.progress import program_label

Lister = Callable[[str], tuple[ObservedIssue, ...]]  # a program label's issues


def tracking_key(program_id: str) -> str:
    """The key of a program's tracking issue (DesiredProgram.tracking_key)."""
    return f"{program_id}/tracking"


def _aliases(program: Program | str) -> dict[str, str]:
    """A renamed program's tracking issue under its former key."""
    if isinstance(program, str) or program.renamed_from is None:
        return {}
    return {tracking_key(program.renamed_from): tracking_key(program.id)}


def _id(program: Program | str) -> str:
    return program if isinstance(program, str) else program.id


def recorded(program: Program | str, issues: Sequence[ObservedIssue]) -> frozenset[int]:
    """The iids PROGRAM's record of keys holds, as ISSUES (its listed ones, and any read by
    iid) show it; none without a record."""
    index = program_index(issues, tracking_key(_id(program)), _aliases(program))
    return frozenset((index or {}).values())


def unrecorded(program: Program, issues: Sequence[ObservedIssue], own: frozenset[int]) -> bool:
    """Whether an issue of the program's list carries a key its record (OWN) does not hold,
    its tracking issue aside: one another program's record might (rare: the tool records the
    issues it makes in the run that makes them, or the next)."""
    tracking = find_tracking(issues, tracking_key(program.id), _aliases(program))
    skip = own | ({tracking.iid} if tracking else set())
    return any(issue.key and issue.iid not in skip for issue in issues)


def others(records: Mapping[str, frozenset[int]], program_id: str) -> dict[int, str]:
    """Iid -> the program whose record holds it, of every program but PROGRAM_ID."""
    return {
        iid: other
        for other, iids in sorted(records.items(), reverse=True)
        if other != program_id
        for iid in iids
    }


def read_records(program_ids: Iterable[str], listed: Lister) -> dict[str, frozenset[int]]:
    """The records of the programs a run leaves out (by id: their files are not read, so a
    renamed one's issues under its former label are not looked at), each from its label's
    list."""
    return {p: recorded(p, listed(program_label(p))) for p in program_ids}
