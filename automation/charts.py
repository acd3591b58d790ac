"""The figures a rollup's charts show (per-phase completion, the weekly burn-up), with every
text from configuration made safe to stand inside a Mermaid chart (pure).

GitLab renders ```` ```mermaid ```` blocks in issues. The charts are `xychart-beta`, which
Mermaid draws from 10.6 on; GitLab bundled Mermaid 10.7, then 11, so it renders them. The same
figures stand in tables next to the charts, for an older GitLab and for screen readers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from automation.checklist import TaskCount
from automation.config.models import Section
from automation.history import Week, changed, read_history, recorded, sampled, weekly
from automation.progress import Progress
from automation.rendering import Trusted

CHARTS_BLOCK = "charts"
CHARTS_TEMPLATE = "blocks/charts.md.j2"
MAX_POINTS = 26  # weeks a burn-up chart shows; a longer history is sampled evenly
MAX_ROWS = 104  # weeks of change its table lists, the latest
MAX_LABEL = 40
_SAFE = re.compile(r"[\w .()+/'-]")  # letters, digits and a few harmless signs only
# marks that letters of many scripts are made with (Hindi, Thai, vowelled Arabic, a
# decomposed Ü: a tester's chart read "म ड य ल"), and the joiners Persian and emoji need
_JOINING = frozenset({"Mn", "Mc"})
_JOINERS = frozenset({"\u200c", "\u200d"})
_SPACES = re.compile(r"\s+")


def mermaid_text(value: object, limit: int = MAX_LABEL) -> str:
    """A text from configuration as a Mermaid label may hold it: letters, digits, spaces and
    `.()+/'-`, nothing that could end the string, the line or the code block (quotes,
    brackets, backticks, `%%`, `#`, `;`, HTML), cut to LIMIT characters."""
    text = _SPACES.sub(" ", _kept(str(value))).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or "-"


def _kept(text: str) -> str:
    """TEXT with a space for each character a Mermaid label may not hold (`_` is no letter:
    Markdown's): a mark only after a letter it is part of, a joiner only between two
    letters, no variation selector (a reviewer's emoji phases read as blank labels)."""
    out: list[str] = []
    for n, ch in enumerate(text):
        after = text[n + 1] if n + 1 < len(text) else ""
        before = out[-1] if out else " "
        letter = _LETTER.match(before) is not None or unicodedata.category(before) in _JOINING
        out.append(ch if _may_stay(ch, letter, after) else " ")
    return "".join(out)


def _may_stay(ch: str, letter_before: bool, after: str) -> bool:
    if ch != "_" and _SAFE.match(ch):
        return True
    if not letter_before:
        return False
    if ch in _JOINERS:
        return _LETTER.match(after) is not None
    return unicodedata.category(ch) in _JOINING and not _invisible(ch)


_LETTER = re.compile(r"[^\W_]")


def _invisible(ch: str) -> bool:
    """Variation selectors and the grapheme joiner: marks that show nothing."""
    point = ord(ch)
    return 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF or point == 0x34F


def label_list(labels: Iterable[object]) -> Trusted:
    """A Mermaid list of quoted labels, each once: `["One", "Two"]`. Two that read alike once
    made safe (emoji alone become `-`, long ones are cut) are told apart by a number: a
    chart's axis keeps each category once, so their bars would share one place (a tester's
    finding)."""
    texts = [mermaid_text(label) for label in labels]
    taken = set(texts)  # a label's own text is never given to another (a reviewer)
    shown: list[str] = []
    for text in texts:
        candidate, n = text, 1
        while candidate in shown or (n > 1 and candidate in taken):
            n += 1
            candidate = _numbered(text, n)
        shown.append(candidate)
    return Trusted("[" + ", ".join(f'"{text}"' for text in shown) + "]")


def _numbered(text: str, n: int) -> str:
    """TEXT with ` (N)` after it, cut to stay within MAX_LABEL characters."""
    suffix = f" ({n})"
    return mermaid_text(text, MAX_LABEL - len(suffix)) + suffix


def number_list(numbers: Iterable[int]) -> Trusted:
    """A Mermaid list of numbers: `[1, 2]`."""
    return Trusted("[" + ", ".join(str(int(n)) for n in numbers) + "]")


OTHER_TASKS = "Other tasks"  # as the progress and rollup tables name their row


@dataclass(frozen=True)
class Bar:
    """One figure: tasks done of all tasks (a section across a rollup's issues, a program)."""

    label: str
    done: int
    total: int
    counted: bool = True  # False: a section the overall figure leaves out (not `required`)

    @property
    def percent(self) -> int:
        """Rounded down, as the rollups' percentages are."""
        return TaskCount(self.total, self.done).percent


@dataclass(frozen=True)
class Charts:
    """What a rollup's charts and their tables show."""

    phases: tuple[Bar, ...]
    weeks: tuple[Week, ...]  # the burn-up's points, oldest first
    # the weeks the figures changed in (the table's rows), and whether the chart samples
    changes: tuple[Week, ...] = ()
    sampled: bool = False
    left_out: int = 0  # weeks of change before the table's first row

    @property
    def phase_axis(self) -> Trusted:
        return label_list(bar.label for bar in self.phases)

    @property
    def phase_values(self) -> Trusted:
        return number_list(bar.percent for bar in self.phases)

    @property
    def week_axis(self) -> Trusted:
        return label_list(week.start.isoformat() for week in self.weeks)

    @property
    def done_values(self) -> Trusted:
        return number_list(week.done for week in self.weeks)

    @property
    def total_values(self) -> Trusted:
        return number_list(week.total for week in self.weeks)

    @property
    def top(self) -> int:
        """The burn-up's y-axis maximum."""
        return max((week.total for week in self.weeks), default=0) or 1


def phase_bars(
    totals: Progress, label: Callable[[Section], str] = lambda s: mermaid_text(s.label_value)
) -> tuple[Bar, ...]:
    """Per section of a rollup's totals, the ones its issues have (LABEL: how one is named),
    then `Other tasks` when the overall figure counts tasks under no section, as the rollup's
    table does, so the bars add up to the whole (an independent check: every section at 0%
    beside an overall 2%)."""
    bars = [
        Bar(label(s.section), s.tasks.completed_count, s.tasks.count, s.section.required)
        for s in totals.sections
        if s.applicable
    ]
    other = totals.other
    if other.count:
        bars.append(Bar(OTHER_TASKS, other.completed_count, other.count))
    return tuple(bars)


def charts_of(
    totals: Progress, history: Sequence[Week], until: dt.date | None = None, most: int = MAX_POINTS
) -> Charts:
    """The charts of a rollup: its totals by phase, and its history week by week (up to
    UNTIL's week when given), sampled to at most MOST points; the table lists the weeks the
    figures changed in (the latest MAX_ROWS)."""
    points = weekly(history, until)
    changes = changed(points)
    shown = tuple(changes[-MAX_ROWS:])
    chart = tuple(sampled(points, most))
    bars = phase_bars(totals) if totals.overall.count else ()  # no task yet: no bars at 0%
    return Charts(bars, chart, shown, len(chart) < len(points), len(changes) - len(shown))


def rollup_history(description: str | None, totals: Progress, today: dt.date) -> tuple[Week, ...]:
    """A rollup issue's weekly history (none before it exists) with this week's figures."""
    before = read_history(description) if description is not None else ()
    overall = totals.overall
    return recorded(before, today, overall.completed_count, overall.count)
