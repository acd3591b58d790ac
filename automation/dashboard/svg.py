"""Where the dashboard's inline SVG charts draw their marks: plain numbers from the figures
(pure). The pages need no script: the charts are drawn by the browser from these numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from automation.charts import Bar
from automation.history import Week

WIDTH = 640
LABELS = 240  # room on the left of a bar chart for the bars' names
ROW = 26
PLOT = (48, 16, 620, 196)  # a line chart's plot area: left, top, right, bottom
SPARK = (4, 4, 156, 32)  # the overview's small burn-ups


@dataclass(frozen=True)
class BarMark:
    """One horizontal bar: its name, its length and where its row is."""

    label: str
    percent: int
    y: int
    length: int


@dataclass(frozen=True)
class BarChart:
    marks: tuple[BarMark, ...]
    height: int
    left: int = LABELS
    span: int = WIDTH - LABELS - 60


def bar_chart(bars: Sequence[Bar]) -> BarChart:
    """Bars of completion, 0 to 100%, one row each."""
    span = WIDTH - LABELS - 60
    marks = tuple(
        BarMark(bar.label, bar.percent, 8 + i * ROW, round(span * bar.percent / 100))
        for i, bar in enumerate(bars)
    )
    return BarChart(marks, 16 + ROW * len(bars))


@dataclass(frozen=True)
class LineChart:
    """A burn-up: the polyline points of all tasks and of tasks done, and the axis labels."""

    total: str
    done: str
    ends: tuple[tuple[str, str], tuple[str, str]]  # the last point of each line, marked
    top: int
    first: str
    last: str
    plot: tuple[int, int, int, int] = PLOT


def line_chart(weeks: Sequence[Week], plot: tuple[int, int, int, int] = PLOT) -> LineChart:
    """Two lines over the weeks, on a scale from 0 to the most tasks there were."""
    left, top, right, bottom = plot
    most = max((w.total for w in weeks), default=0) or 1
    step = (right - left) / max(len(weeks) - 1, 1)

    def point(i: int, value: int) -> tuple[str, str]:
        return f"{left + i * step:.1f}", f"{bottom - (bottom - top) * value / most:.1f}"

    def points(values: Sequence[int]) -> str:
        return " ".join(",".join(point(i, v)) for i, v in enumerate(values))

    last = len(weeks) - 1
    return LineChart(
        points([w.total for w in weeks]),
        points([w.done for w in weeks]),
        (point(last, weeks[-1].total), point(last, weeks[-1].done)) if weeks else (("0", "0"),) * 2,
        most,
        weeks[0].start.isoformat() if weeks else "",
        weeks[-1].start.isoformat() if weeks else "",
        plot,
    )
