"""The weekly figures behind a rollup's burn-up chart, kept in the rollup issue itself as a
hidden block, so that no state lives outside GitLab (pure)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from automation.checklist import TaskCount
from automation.config.models import FIRST_DAY, LAST_DAY
from automation.errors import ItemError
from automation.markers import block_content, drop_damaged_block, hidden_lines

HISTORY_BLOCK = "history"
HEADER = (
    "<!-- automation:history-data Each week's tasks done/all tasks, for the burn-up chart. "
    "Kept by the program automation; do not edit."
)
_ENTRY = re.compile(r"^(?P<week>\d{4}-\d{2}-\d{2}) (?P<done>\d{1,9})/(?P<total>\d{1,9})$")
# Five years of weekly figures; past that, older weeks are thinned (about 25 characters each).
MAX_WEEKS = 260
# A chart goes back this far at most (older weeks a person dated far back are not drawn)
MAX_CHARTED_WEEKS = 20 * 53


@dataclass(frozen=True, order=True)
class Week:
    """A rollup's figures as they stood in one week (the week's Monday)."""

    start: dt.date
    done: int
    total: int

    @property
    def figures(self) -> tuple[int, int]:
        return self.done, self.total

    @property
    def percent(self) -> int:
        """Share of tasks done, rounded as the rollups' percentages are (TaskCount)."""
        return TaskCount(self.total, self.done).percent


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts the ISO week of DAY."""
    return day - dt.timedelta(days=day.weekday())


def read_history(description: str) -> tuple[Week, ...]:
    """The weeks a rollup issue holds, oldest first. With its markers damaged or deleted, the
    weeks are read from the tool's own hidden lines wherever they are; lines a person garbled
    are left out (the next run writes the block again without them)."""
    try:
        content = block_content(description, HISTORY_BLOCK)
    except ItemError:
        content = None
    lines = hidden_lines(description if content is None else content, HEADER)
    return _parsed([line.strip(" \t\r\ufeff") for inside, line in lines if inside])


def _parsed(lines: Iterable[str]) -> tuple[Week, ...]:
    weeks: dict[dt.date, Week] = {}
    for line in lines:
        match = _ENTRY.match(line)
        if match is None:
            continue
        try:
            start = dt.date.fromisoformat(match.group("week"))
        except ValueError:
            continue
        if not FIRST_DAY <= start <= LAST_DAY:
            continue  # a date no program has (a person's edit): week by week it never ends
        done, total = int(match.group("done")), int(match.group("total"))
        if done <= total:
            weeks[week_of(start)] = Week(week_of(start), done, total)
    return tuple(sorted(weeks.values()))


def recorded(history: Sequence[Week], today: dt.date, done: int, total: int) -> tuple[Week, ...]:
    """The history with this week's figures: this week's entry is replaced; a new week gets an
    entry only when the figures changed (a chart carries them forward), so a run in which
    nothing changed writes nothing. Nothing is recorded before the rollup has a task."""
    weeks = list(history)
    now = Week(week_of(today), done, total)
    if weeks and weeks[-1].start > now.start:
        return tuple(weeks)  # a rehearsal in the past never rewrites later weeks
    if weeks and weeks[-1].start == now.start:
        weeks[-1] = now
    elif (weeks and (weeks[-1].done, weeks[-1].total) != (done, total)) or (not weeks and total):
        weeks.append(now)
    return thinned(weeks)


def thinned(weeks: Sequence[Week], limit: int = MAX_WEEKS) -> tuple[Week, ...]:
    """At most LIMIT weeks: the most recent half of them kept, every second one of the older
    dropped until they fit (a multi-year program keeps its shape in a bounded block)."""
    kept = list(weeks)
    while len(kept) > limit:
        recent = limit // 2
        older, newer = kept[: len(kept) - recent], kept[len(kept) - recent :]
        kept = older[::2] + newer
    return tuple(kept)


def history_content(weeks: Sequence[Week]) -> str:
    """The block's content: one hidden `YYYY-MM-DD done/total` line per week."""
    lines = [f"{w.start.isoformat()} {w.done}/{w.total}" for w in weeks]
    return "\n".join([HEADER, *lines, "-->"]) + "\n"


def rebuilt(description: str) -> str:
    """The description with a damaged history block taken out (its marker lines and the
    tool's hidden comments), everything else kept, so that a fresh block can be written."""
    return drop_damaged_block(description, HISTORY_BLOCK, HEADER)


def weekly(history: Sequence[Week], until: dt.date | None = None) -> list[Week]:
    """One point per week from the first entry to the last (or to UNTIL's week, entries after
    it left out), the figures of a week without an entry carried forward; twenty years at
    most."""
    if until is not None:
        history = [w for w in history if w.start <= week_of(until)]
    if not history:
        return []
    last = max(history[-1].start, week_of(until)) if until else history[-1].start
    by_week = {w.start: w for w in history}
    points: list[Week] = []
    first = max(history[0].start, last - dt.timedelta(weeks=MAX_CHARTED_WEEKS - 1))
    current = max((w for w in history if w.start <= first), default=history[0])
    day = first
    while day <= last:
        current = by_week.get(day, current)
        points.append(Week(day, current.done, current.total))
        day += dt.timedelta(weeks=1)
    return points


def changed(points: Sequence[Week]) -> list[Week]:
    """The first point, and each whose figures differ from the point before."""
    return [w for i, w in enumerate(points) if not i or w.figures != points[i - 1].figures]


def sampled(points: Sequence[Week], most: int) -> list[Week]:
    """At most MOST points spread evenly, the first and the last always among them."""
    if len(points) <= most:
        return list(points)
    step = (len(points) - 1) / (most - 1)
    return [points[round(i * step)] for i in range(most)]
