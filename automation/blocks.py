"""The content of the tool-owned blocks, rendered from templates/blocks/ (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from automation.charts import CHARTS_BLOCK, CHARTS_TEMPLATE, Charts
from automation.config.models import Program
from automation.desired import Closing, Derived, Measured, derived_values
from automation.edits import BlockTexts
from automation.errors import ItemError
from automation.history import HISTORY_BLOCK
from automation.items import ObservedIssue
from automation.keptlines import recording
from automation.markers import block_content
from automation.progress import Progress, Status, total
from automation.records import Recorded, RecordSpec, averages
from automation.rendering import Renderer, own_reference

PROGRESS_BLOCK = "progress"
ROLLUP_BLOCK = "rollup"
COMPLETION_BLOCK = "completion"
CORE_BLOCKS = (PROGRESS_BLOCK, ROLLUP_BLOCK, COMPLETION_BLOCK, CHARTS_BLOCK, HISTORY_BLOCK)
PROGRESS_TEMPLATE = "blocks/progress.md.j2"
EPIC_TEMPLATE = "epic.md.j2"
COMPLETION_TEMPLATE = "blocks/completion.md.j2"
ROLLUP_TEMPLATE = "blocks/rollup.md.j2"
# The last line of a derived block whose figures were published once: never written again,
# unless it published nothing, may open again (`Closing.reopens`), and configuration moved its
# closing day since, to one not past (a trial: a cohort's start year mistyped for one run
# sealed its end figure as "not published" for good): such a block has a line naming that
# day above it (the seal line itself is as every version wrote it, which they all keep).
SEALED = "<!-- automation:sealed: published once; the tool never changes this block again -->"
# what a block sealed late says of the figures it keeps (an ESP trial: a scorecard left with
# mid-quarter figures by a pipeline down at the quarter's end read as the quarter's own)
LATE = (
    "*Not the final figures: a run before the end wrote them, and no run came in the week "
    "after the end, when they are taken; they are kept as they were.*"
)
# a closed block written in the run that made its issue, not sealed: the issues it counts may
# be made in the same run (a trial's late scorecard said "no issue" of each quarterly review)
UNSEALED = "<!-- automation:unsealed: made with its issue; the next run seals it -->"
_EMPTY = re.compile(r"<!-- automation:sealed-empty (?P<on>\d{4}-\d{2}-\d{2}) -->")

# A rollup lists at most this many issues one per row, those that need attention first, and
# counts the rest: 10,000 rows would pass GitLab's 1,048,576-character description limit.
MAX_ROWS = 150
MAX_GROUPS = 100  # rows of a long rollup's per-group summary (ESP has a group per account)
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class RollupRow:
    """One tracked issue as a rollup lists it."""

    reference: str | None  # "#12"; None until the issue exists
    subject: str
    group: str
    progress: Progress | None  # None when it could not be measured
    state: str
    records: Mapping[str, Recorded] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the tool's own reference, live wherever a template prints it (a value from
        # configuration gets a zero-width space after its `#`)
        if self.reference is not None:
            object.__setattr__(self, "reference", own_reference(self.reference))


class RowKind(StrEnum):
    """What an issue a long rollup does not list is, as its summary line counts it."""

    COMPLETE = "complete"
    CLOSED = "closed unfinished"
    IN_PROGRESS = Status.IN_PROGRESS.value
    NOT_STARTED = Status.NOT_STARTED.value
    OVERDUE = Status.OVERDUE.value
    ENDED = Status.ENDED.value
    WITHDRAWN = Status.WITHDRAWN.value
    BEING_CREATED = "being created"
    NOT_MEASURED = "not measured"
    UNRESOLVED = "unresolved"  # no issue matched safely (two carry its key, say): see the failures


@dataclass(frozen=True)
class GroupLine:
    """One group of a long rollup's per-group summary."""

    name: str
    issues: int
    complete: int
    percent: int  # task-weighted, as the completion table counts


@dataclass(frozen=True)
class Listing:
    """The rows a rollup lists, and a summary of the ones it does not."""

    rows: list[RollupRow]
    unlisted: int = 0
    kinds: tuple[tuple[RowKind, int], ...] = ()  # what the unlisted rows are, most finished first
    groups: tuple[GroupLine, ...] = ()  # only for a long rollup of more than one group
    groups_unlisted: int = 0


def columns(program: Program, rows: Sequence[RollupRow]) -> list[bool]:
    """Whether each section of the program gets a column, and a line, in a rollup: those its
    listed issues have, withdrawn ones too (a cohort's pairs have no scores section: a year's
    review read "Satisfaction scores | 0/0 | no tasks"); every one while none is listed."""
    measured = [row.progress for row in rows if row.progress is not None]
    if not measured:
        return [True] * len(program.sections)
    return [any(p.sections[i].applicable for p in measured) for i in range(len(program.sections))]


def listing(program: Program, rows: Sequence[RollupRow], limit: int = MAX_ROWS) -> Listing:
    """Every row in its given order; past `limit` rows, the `limit` that most need attention
    (in that order) and counts of the rest. The same rows always give the same listing."""
    if len(rows) <= limit:
        return Listing(list(rows))
    ordered = sorted(rows, key=_attention)
    counts = Counter(_kind(row) for row in ordered[limit:])
    kinds = tuple((kind, counts[kind]) for kind in RowKind if counts[kind])
    groups, groups_unlisted = _groups(program, rows)
    return Listing(ordered[:limit], len(rows) - limit, kinds, groups, groups_unlisted)


def _tier(row: RollupRow) -> int:
    """Unmeasured or uncreated first, then overdue, open work, closed unfinished (or its
    cohort ended), complete, withdrawn."""
    if row.progress is None:
        return 0
    last = {Status.WITHDRAWN: 5, Status.COMPLETE: 4, Status.ENDED: 3}
    if row.progress.status in last:
        return last[row.progress.status]
    if row.state == "closed":
        return 3
    if row.reference is None:
        return 0
    return 1 if row.progress.status is Status.OVERDUE else 2


def _attention(row: RollupRow) -> tuple[int, int, tuple[tuple[str, int], ...], str, str]:
    percent = row.progress.overall.percent if row.progress is not None else 0
    return (_tier(row), percent, _natural(row.reference or ""), row.subject, row.group)


def _natural(text: str) -> tuple[tuple[str, int], ...]:
    """A sort key that puts #9 before #10."""
    parts = _DIGITS.split(text)  # text, number, text, ..., number, text
    return tuple((part, int(n)) for part, n in zip(parts[::2], [*parts[1::2], "-1"], strict=True))


def _kind(row: RollupRow) -> RowKind:
    if row.progress is None:
        return RowKind.UNRESOLVED if row.reference is None else RowKind.NOT_MEASURED
    if row.progress.status in (Status.COMPLETE, Status.WITHDRAWN, Status.ENDED):
        return RowKind(row.progress.status.value)
    if row.state == "closed":
        return RowKind.CLOSED
    if row.reference is None:
        return RowKind.BEING_CREATED
    return RowKind(row.progress.status.value)


def _groups(program: Program, rows: Sequence[RollupRow]) -> tuple[tuple[GroupLine, ...], int]:
    """Per group, in the order groups first appear; past MAX_GROUPS, the least complete."""
    members: dict[str, list[RollupRow]] = {}
    for row in rows:
        members.setdefault(row.group, []).append(row)
    if len(members) < 2:
        return (), 0
    lines = [
        GroupLine(
            name,
            len(group),
            sum(
                1 for r in group if r.progress is not None and r.progress.status is Status.COMPLETE
            ),
            total(counted(group), program).overall.percent,
        )
        for name, group in members.items()
    ]
    if len(lines) <= MAX_GROUPS:
        return tuple(lines), 0
    keep = set(sorted(range(len(lines)), key=lambda i: (lines[i].percent, i))[:MAX_GROUPS])
    return tuple(line for i, line in enumerate(lines) if i in keep), len(lines) - MAX_GROUPS


def withdrawn(row: RollupRow) -> bool:
    """Whether the row's person left the program: listed, never counted in the figures."""
    return row.progress is not None and row.progress.status is Status.WITHDRAWN


def counted(rows: Iterable[RollupRow]) -> list[Progress]:
    """The progress of the rows that count towards a rollup's figures: measured, and not
    withdrawn."""
    return [row.progress for row in rows if row.progress is not None and not withdrawn(row)]


def record_specs(program: Program, rollup: bool = False) -> list[RecordSpec]:
    """The values a program asks people to record (only those averaged in its rollups on every
    run, with ROLLUP)."""
    return [
        RecordSpec(r.label, r.out_of, r.min_for_average, r.least, _former(r.renamed_from))
        for r in program.recorded_values()
        if r.rollup or not rollup
    ]


def _reopened(written: str, closes: Closing) -> bool:
    """Whether a sealed block that published nothing closes on another day now, not past."""
    empty = _EMPTY.search(written)
    return empty is not None and empty["on"] != closes.on.isoformat() and not closes.passed


def _former(label: str | None) -> tuple[str, ...]:
    return (label,) if label else ()


class Blocks:
    """Renders block contents; templates decide the wording, this decides the numbers."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._progress: dict[Progress, str] = {}  # many issues share the same figures
        self._draws_charts: bool | None = None  # whether the charts template exists (once)

    def progress(self, progress: Progress) -> str:
        """The progress block of one tracked issue."""
        if progress not in self._progress:
            text = self.renderer.render(PROGRESS_TEMPLATE, {"progress": progress})
            # which lines are the tool's: one a person types in it is moved below it
            self._progress[progress] = recording(text)
        return self._progress[progress]

    def completion(self, today: dt.date) -> str:
        """The block that records, once, that every task was done."""
        return self.renderer.render(COMPLETION_TEMPLATE, {"date": today})

    def rollup(self, program: Program, rows: list[RollupRow], group: str | None = None) -> str:
        """The rollup block of a tracking issue (or of a group's): its issues and totals.

        Totals and averages count every row but withdrawn ones; a long rollup lists only
        MAX_ROWS of them."""
        measured = counted(rows)
        values = {
            "program": program,
            "group": group,
            "rows": rows,
            "listing": listing(program, rows),
            "totals": total(measured, program),
            "columns": columns(program, rows),
            "averages": averages(
                (row.records for row in rows if row.records and not withdrawn(row)),
                record_specs(program, rollup=True),
            ),
        }
        text = self.renderer.render(ROLLUP_TEMPLATE, values)
        # which lines are the tool's: a note a person types in the table is moved below it
        # (a CSM trial: one typed under the tracking issue's table went with the next tick)
        return recording(text)

    def frozen(self, group: str | None) -> None:
        """GROUP's rollup keeps the figures of its end (lifecycle.py): nothing is rendered for
        it. (The dashboard's blocks note it, to say so.)"""

    def charts(self, charts: Charts, group: str | None = None) -> str | None:
        """The charts block of a rollup; None when the templates have no charts template (a
        project without it gets no charts, and keeps no history for them)."""
        if self._draws_charts is None:
            self._draws_charts = self.renderer.exists(CHARTS_TEMPLATE)
        if not self._draws_charts:
            return None
        # no record of its lines: most are a fenced chart, and a line typed inside the fence,
        # moved below, would be code no more (a review: `/close` refused, a mention live)
        return self.renderer.render(CHARTS_TEMPLATE, {"chart": charts, "group": group})

    def derived(
        self,
        blocks: Iterable[Derived],
        measured: Mapping[str, Measured],
        found: ObservedIssue | None = None,
    ) -> BlockTexts:
        """The blocks an issue derives from other issues, from their measured progress; a
        block that closed and was written (sealed) keeps its content in FOUND for ever."""
        return tuple((block.name, self._derived(block, measured, found)) for block in blocks)

    def _derived(
        self, block: Derived, measured: Mapping[str, Measured], found: ObservedIssue | None
    ) -> str:
        if block.closes is not None and found is not None:
            try:
                written = block_content(found.description, block.name)
            except ItemError:
                written = None  # a damaged block: the write reports it
            if written is not None and SEALED in written and not _reopened(written, block.closes):
                return written
            if written and written.strip() and block.closes.late and UNSEALED not in written:
                return f"{written.rstrip()}\n\n{LATE}\n{SEALED}\n"
        values = derived_values(block, measured)
        content = self.renderer.render(block.template, values)
        if block.closes is None or not values["closed"]:
            return content
        if found is None:  # made by this run, as may be the issues it counts: the next seals
            return f"{content.rstrip()}\n{UNSEALED}\n"
        empty = block.closes.reopens and all(a.mean is None for a in values["averages"])
        day = f"<!-- automation:sealed-empty {block.closes.on.isoformat()} -->\n" if empty else ""
        return f"{content.rstrip()}\n{day}{SEALED}\n"
