"""A program's per-issue rows as its ledger shards will hold them (pure): what an incremental
plan reads instead of listing and measuring every issue (docs/incremental-planning.md,
section 4; step 1 of its section 7: no run writes or reads a ledger yet).

A row is what the program's other outputs need of one issue: its state as the plan leaves
it, its progress and recorded values (the rollups), its `=> NN%` figure (plan-style issues)
and its footprint (locality.py: what tells a local change from one to plan in full). A big
program's rows are spread over shards by a hash of their key, so that a tick rewrites one
shard (25 to 100 KB), not a program-wide block.

A shard's text is one hidden comment: a header line, then one line per row, `<iid> <key
without the program's prefix> <JSON>`. The JSON is ASCII with `<`, `>`, `&` and `@` escaped,
so no end of comment, mention or quick action can form in it, whatever a person typed (a
record's unreadable value is kept as its problem). A row that cannot be read makes the whole
shard unreadable (None): the ledger is a shortcut, and without it a run plans in full."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from automation.actions import (
    Action,
    AddToEpic,
    CloseIssue,
    ReopenIssue,
    UpdateAssignees,
    UpdateDescription,
    UpdateDueDate,
    UpdateLabels,
)
from automation.blocks import COMPLETION_BLOCK, RollupRow
from automation.checklist import TaskCount
from automation.config.models import Section
from automation.desired import DesiredProgram
from automation.duedates import DUE_BLOCK
from automation.errors import ItemError
from automation.index import INDEX_BLOCK, KEYS_BLOCK
from automation.items import ObservedIssue
from automation.lifecycle import ENDED_BLOCK, WITHDRAWN_BLOCK
from automation.locality import Footprint, digest
from automation.markers import (
    KEY_PATTERN,
    begin_marker,
    block_content,
    end_marker,
    find_key,
    identity_marker,
)
from automation.progress import Progress, SectionProgress, Status
from automation.records import Recorded
from automation.syncrecord import watch

LEDGER_MIN = 300  # issues: smaller programs keep no ledger (the size the index moves out at)
# on average (a row is 0.5 to 2 KB: an ESP issue's, with 13 sections and 13 values, is 1.9 KB),
# so a shard is about 25 to 100 KB, under SHARD_LIMIT with room for a shard's share to vary
ROWS_PER_SHARD = 48
# consecutive issue numbers kept in one shard (shard_of): longer runs keep people added
# together in fewer shards, but fill the shards less evenly where a program's issues are made
# in bursts among others' (a review's simulation: with 16, the fullest ESP shard held up to
# 3.2 times its share, past SHARD_LIMIT; with 4, 2 times, as against 1.8 with a digest)
IID_RUN = 4
SHARD_LIMIT = 200_000  # characters: a bigger shard holds no rows, and says so
_VERSION = "v2"  # v1 placed rows by a digest of their key
HEADER = "<!-- Rows of the program's issues, kept by the program automation; do not edit."
_FIRST = re.compile(
    rf"^{_VERSION} sections=(?P<sections>[0-9a-f]{{32}}) "
    r"shard=(?P<number>\d{1,9})/(?P<shards>\d{1,9}) rows=(?P<rows>[0-9a-f]{32})"
    r"(?P<over> overflow)?$"
)
_ROW = re.compile(rf"^(\d{{1,9}}) ({KEY_PATTERN}) (\{{.*\}})$")
_ESCAPED = {ord(c): f"\\u{ord(c):04x}" for c in "<>&@"}


@dataclass(frozen=True)
class LedgerRow:
    """One issue as the program's other outputs need it, as a plan leaves it: its rollup
    row's figures, its footprint, and the stub of it that other issues' plans read instead
    of the issue (what they read of it, and nothing else: `stub_of`)."""

    iid: int
    key: str
    state: str  # the row's state (opened, closed) once the plan is carried out
    progress: Progress
    footprint: Footprint
    stub: ObservedIssue
    records: Mapping[str, Recorded] = field(default_factory=dict)
    watched: str = ""  # the `watch` digest of the whole issue (unchanged.py's record)


NOTHING_KEPT: Mapping[str, LedgerRow] = MappingProxyType({})


class StaleLedger(Exception):
    """A ledger's row that is not its issue's any more (its key now resolves to another
    issue, or to none): the program is planned in full instead."""


def cross_read_blocks(desired: DesiredProgram) -> tuple[str, ...]:
    """The tool's blocks that other issues' plans read (docs/incremental-planning.md,
    section 2): the time-away, due, end and completion records, an index, the group."""
    group = (desired.course.group_block,) if desired.course.group_block else ()
    blocks = (WITHDRAWN_BLOCK, DUE_BLOCK, ENDED_BLOCK, COMPLETION_BLOCK, INDEX_BLOCK, KEYS_BLOCK)
    return (*blocks, *group)


def stub_of(issue: ObservedIssue, blocks: Sequence[str]) -> ObservedIssue:
    """ISSUE as other issues' plans read it: its key line and its BLOCKS alone in its text
    (its whole text when one of them is damaged: what reads a damaged block reads it as the
    issue has it, whatever it does with the error)."""
    # labels in order of name: what trackers give back after a write may be in another
    labels = tuple(sorted(issue.labels))
    key = find_key(issue.description)
    parts = [identity_marker(key)] if key else []
    for name in blocks:
        try:
            content = block_content(issue.description, name)
        except ItemError:
            return replace(issue, labels=labels)
        if content is not None:
            parts.append(f"{begin_marker(name)}\n{content}{end_marker(name)}")
    return replace(issue, description="\n".join(parts) + "\n", labels=labels)


def ledger_row(
    key: str, issue: ObservedIssue, row: RollupRow, progress: Progress, blocks: Sequence[str]
) -> LedgerRow:
    """The row of the item of KEY, whose issue is ISSUE (as the plan leaves it: `as_left`),
    from its rollup ROW (measured: PROGRESS)."""
    stub, footprint = stub_of(issue, blocks), Footprint.of(issue)
    return LedgerRow(
        issue.iid, key, row.state, progress, footprint, stub, row.records, watch(issue)
    )


def as_left(issue: ObservedIssue, actions: Iterable[Action]) -> ObservedIssue:
    """ISSUE as a plan's ACTIONS on it leave it (its description, labels, state, people, due
    date and epic), so that a row written by a plan that wrote is the row the next, idle
    plan reads."""
    for action in actions:
        issue = _left(issue, action)
    return issue


def _left(issue: ObservedIssue, action: Action) -> ObservedIssue:  # noqa: PLR0911
    match action:
        case UpdateDescription(after=text):
            return replace(issue, description=text)
        case UpdateLabels(add=add, remove=remove):
            return replace(issue, labels=_changed(issue.labels, add, remove))
        case UpdateAssignees(add=add, remove=remove):
            return replace(issue, assignees=_changed(issue.assignees, add, remove))
        case UpdateDueDate(after=due):
            return replace(issue, due_date=due)
        case CloseIssue():
            return replace(issue, state="closed")
        case ReopenIssue():
            return replace(issue, state="opened")
        case AddToEpic(epic_iid=epic):
            return replace(issue, epic=epic, epic_known=True, epic_elsewhere=None)
    return issue


def _changed(names: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> tuple[str, ...]:
    kept = [name for name in names if name not in remove]
    return (*kept, *(name for name in add if name not in kept))


@dataclass(frozen=True)
class Shard:
    """One ledger shard as read: its place, and its rows by key (none when it overflowed).
    Rows are the plan's that wrote them, on its day and configuration: whether they are
    today's is the run record's to say (docs/incremental-planning.md, step 3), not the
    shard's (a day in its text would have every shard written again each day)."""

    number: int
    shards: int
    rows: Mapping[str, LedgerRow]
    overflow: bool = False


def shard_count(issues: int) -> int:
    """How many shards a program of ISSUES issues has: none below LEDGER_MIN, then a power
    of two (so that a program that grows moves half its rows, not all, when it doubles)."""
    if issues < LEDGER_MIN:
        return 0
    return 1 << max(0, math.ceil(issues / ROWS_PER_SHARD) - 1).bit_length()


def shard_of(iid: int, shards: int) -> int:
    """The shard that holds the row of issue IID: runs of IID_RUN consecutive numbers, dealt
    to the shards in turn. Issues made together (people added, a cohort) land in a shard or
    few, so the run that adds them rewrites those, not every shard (with rows placed by a
    digest of their key, adding 30 people to 3,000 rewrote 30 of 64 shards; now 8)."""
    return (iid // IID_RUN) % shards


def shard_content(
    rows: Iterable[LedgerRow],
    sections: Sequence[Section],
    place: tuple[int, int],
    prefix: str = "",
    note: str = "",
) -> str:
    """The text of shard PLACE (number, count): a NOTE line (a sentence), then ROWS in iid
    order, each key without the program's PREFIX; no rows, and `overflow`, when they would
    pass SHARD_LIMIT."""
    number, shards = place
    first = f"{_VERSION} sections={_sections_digest(sections)} shard={number}/{shards}"
    lines = [encode_row(row, sections, prefix) for row in sorted(rows, key=lambda r: r.iid)]
    over = sum(len(line) + 1 for line in lines) > SHARD_LIMIT
    lines = [] if over else lines
    first += f" rows={digest(chr(10).join(lines))}{' overflow' if over else ''}"
    return "\n".join([HEADER, first, *([note] if note else []), *lines, "-->"]) + "\n"


def overflowed(content: str) -> bool:
    """Whether shard CONTENT (shard_content's) holds no rows because they would pass
    SHARD_LIMIT."""
    lines = content.split("\n", 2)
    first = _FIRST.match(lines[1]) if len(lines) > 1 else None
    return first is not None and first["over"] is not None


def read_shard(content: str, sections: Sequence[Section], prefix: str = "") -> Shard | None:
    """The shard CONTENT holds (as `shard_content` wrote it, for a program of SECTIONS); None
    when any of it cannot be read, its rows are not the ones its first line has the digest
    of (a person edited one), it was written for other sections, or a row is not where it
    belongs (another shard's, twice, a stub of another issue)."""
    lines = content.strip().split("\n")
    if len(lines) < 3 or lines[0] != HEADER or lines[-1] != "-->":
        return None
    first = _FIRST.match(lines[1])
    if first is None or first["sections"] != _sections_digest(sections):
        return None
    body = lines[2:-1]
    body = body[1:] if body and not body[0][:1].isdigit() else body  # its note
    if first["rows"] != digest("\n".join(body)):  # a person's edit of a row
        return None
    number, shards = int(first["number"]), int(first["shards"])
    rows = [decode_row(line, sections, prefix) for line in body]
    kept = {row.key: row for row in rows if row is not None and _placed(row, number, shards)}
    if len(kept) != len(rows) or len({row.iid for row in kept.values()}) != len(rows):
        return None
    return Shard(number, shards, kept, first["over"] is not None)


def _placed(row: LedgerRow, number: int, shards: int) -> bool:
    """Whether ROW belongs in shard NUMBER of SHARDS, and its stub is its own issue's."""
    own = row.stub.iid == row.iid and row.stub.key in (row.key, None)
    return number < shards and shard_of(row.iid, shards) == number and own


def _sections_digest(sections: Sequence[Section]) -> str:
    """A digest of the program's sections, which rows name by their place: a ledger written
    for other sections (reordered, renamed) is not read."""
    return digest(json.dumps([s.model_dump(mode="json") for s in sections], sort_keys=True))


def encode_row(row: LedgerRow, sections: Sequence[Section], prefix: str = "") -> str:
    """ROW as one line of a shard (its key without the program's PREFIX, which it has)."""
    if not row.key.startswith(prefix):
        raise ValueError(f"{row.key} is not a key of the program of {prefix}")
    data = {
        "st": row.state,
        "p": _progress(row.progress, sections),
        "i": _stub(row.stub),
        "r": {k: [r.value, r.problem, r.present, r.elsewhere] for k, r in row.records.items()},
        "fp": _footprint(row.footprint),
        "w": row.watched,
    }
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return f"{row.iid} {row.key.removeprefix(prefix)} {text.translate(_ESCAPED)}"


def decode_row(line: str, sections: Sequence[Section], prefix: str = "") -> LedgerRow | None:
    """The row LINE holds; None when it cannot be read (a person's edit, another version):
    only a line written as `encode_row` writes that row is one (a value of another type, or
    a field more, is an edit)."""
    match = _ROW.match(line)
    if match is None:
        return None
    try:
        data = json.loads(match[3])
        iid, records = int(match[1]), {str(k): _recorded(k, v) for k, v in data["r"].items()}
        row = LedgerRow(
            iid,
            prefix + match[2],
            str(data["st"]),
            _read_progress(data["p"], sections),
            _read_footprint(data["fp"]),
            _read_stub(iid, data["i"]),
            records,
            _typed(data["w"], str),
        )
        return row if encode_row(row, sections, prefix) == line else None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None  # pydantic's ValidationError is a ValueError


# what a stub keeps of its issue: every field but these (its number is the row's; its due
# date is written as a day; its key is read from its text; the times are GitLab's clock's,
# read for the issue's own plan alone)
_NOT_STUB = frozenset({"iid", "due_date", "key", "created_at", "updated_at"})
_STUB = tuple(f.name for f in fields(ObservedIssue) if f.name not in _NOT_STUB)
_STUB_TYPES: dict[str, tuple[type | None, ...]] = {
    **dict.fromkeys(("title", "description", "state", "web_url", "issue_type"), (str,)),
    **dict.fromkeys(("labels", "assignees"), (list,)),
    **dict.fromkeys(("confidential", "by_tool", "epic_known"), (bool,)),
    **dict.fromkeys(("id", "epic", "moved_to"), (int, None)),
    "author": (str, None),
    "epic_elsewhere": (list, None),
}


def _stub(stub: ObservedIssue) -> dict[str, Any]:
    data = {name: getattr(stub, name) for name in _STUB}
    return {**data, "due_date": None if stub.due_date is None else stub.due_date.isoformat()}


def _read_stub(iid: int, data: dict[str, Any]) -> ObservedIssue:
    values = {name: _typed(data[name], *_STUB_TYPES[name]) for name in _STUB}
    for name in ("labels", "assignees"):
        values[name] = tuple(_typed(v, str) for v in values[name])
    if values["epic_elsewhere"] is not None:
        values["epic_elsewhere"] = tuple(_typed(v, int) for v in values["epic_elsewhere"])
    due = None if data["due_date"] is None else dt.date.fromisoformat(data["due_date"])
    return ObservedIssue(iid=iid, due_date=due, **values)


def _typed(value: Any, *types: type | None) -> Any:
    """VALUE, when it is of one of TYPES exactly (None for null; a JSON `true` is no number
    here); TypeError otherwise: a person typed over a row, keeping it valid JSON."""
    if (None in types and value is None) or type(value) in types:
        return value
    raise TypeError(f"{value!r} is not of {types}")


def _recorded(label: str, data: list[Any]) -> Recorded:
    value, problem, present, elsewhere = data
    number = _typed(value, int, float, None)
    return Recorded(
        label, number, _typed(problem, str, None), _typed(present, bool), _typed(elsewhere, bool)
    )


def _footprint(footprint: Footprint) -> list[Any]:
    f = footprint
    return [
        f.key,
        f.first_line_key,
        f.by_tool,
        list(f.labels),
        f.moved_to,
        f.confidential,
        f.state,
        f.title,
        f.blocks,
    ]


def _read_footprint(data: list[Any]) -> Footprint:
    key, first, by_tool, labels, moved_to, confidential, state, title, blocks = data
    return Footprint(
        key, first, by_tool, tuple(labels), moved_to, confidential, state, title, blocks
    )


def _section(section: Section, sections: Sequence[Section]) -> int | dict[str, Any]:
    """A section by its place in the program's SECTIONS, or whole (one no longer there)."""
    same = next((i for i, s in enumerate(sections) if s is section), None)  # (most: cheap)
    if same is not None:
        return same
    return sections.index(section) if section in sections else section.model_dump()


def _read_section(data: int | dict[str, Any], sections: Sequence[Section]) -> Section:
    if isinstance(data, int):
        return sections[data]
    return Section.model_validate(data)


def _progress(progress: Progress, sections: Sequence[Section]) -> dict[str, Any]:
    phase = progress.current_phase
    return {
        "s": [
            [
                _section(s.section, sections),
                s.tasks.count,
                s.tasks.completed_count,
                s.found,
                s.applicable,
            ]
            for s in progress.sections
        ],
        "o": [progress.overall.count, progress.overall.completed_count],
        "c": None if phase is None else _section(phase, sections),
        "t": progress.status.value,
        "un": list(progress.unread),
        "l": None if progress.late is None else [progress.late[0], progress.late[1].isoformat()],
        "hd": list(progress.hidden),
    }


def _read_progress(data: dict[str, Any], sections: Sequence[Section]) -> Progress:
    parts = tuple(
        SectionProgress(
            _read_section(s, sections),
            TaskCount(_typed(count, int), _typed(done, int)),
            _typed(found, bool),
            _typed(applies, bool),
        )
        for s, count, done, found, applies in data["s"]
    )
    late = None if data["l"] is None else (str(data["l"][0]), dt.date.fromisoformat(data["l"][1]))
    return Progress(
        parts,
        TaskCount(*(_typed(n, int) for n in data["o"])),
        None if data["c"] is None else _read_section(data["c"], sections),
        Status(data["t"]),
        tuple(data["un"]),
        late,
        tuple(data["hd"]),
    )
