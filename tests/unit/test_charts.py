"""The charts that open each rollup issue (issue 16): the Mermaid source GitLab renders, the
weekly history behind the burn-up kept in the issue itself, and configuration text that can
never leave the chart."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.blocks import Blocks
from automation.charts import (
    CHARTS_BLOCK,
    MAX_ROWS,
    Bar,
    Charts,
    charts_of,
    label_list,
    mermaid_text,
)
from automation.checklist import TaskCount
from automation.history import (
    HEADER,
    HISTORY_BLOCK,
    MAX_CHARTED_WEEKS,
    MAX_WEEKS,
    Week,
    history_content,
    read_history,
    recorded,
    thinned,
    weekly,
)
from automation.markers import begin_marker, block_content, end_marker
from automation.progress import Progress, SectionProgress, Status
from automation.rendering import Renderer
from automation.run import prepare
from tests.conftest import REPO
from tests.memory import MemoryTracker, memory_for, run_apply
from tests.projects import demo_program

MONDAY = dt.date(2026, 11, 30)
TRACKING = "csm-aspiring-leaders/tracking"


def totals(headings: tuple[str, ...], counts: list[tuple[int, int]]) -> Progress:
    program = demo_program(headings)
    sections = tuple(
        SectionProgress(section, TaskCount(total, done), True)
        for section, (done, total) in zip(program.sections, counts, strict=True)
    )
    overall = sum((s.tasks for s in sections), TaskCount())
    return Progress(sections, overall, None, Status.IN_PROGRESS)


def render(charts: Charts) -> str:
    return Blocks(Renderer(REPO / "templates", [])).charts(charts) or ""


def mermaid_blocks(text: str) -> list[list[str]]:
    """The lines of each ```mermaid fence, as GitLab's Markdown would close them."""
    found: list[list[str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```mermaid":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].lstrip().startswith("```"))
            found.append([line.strip() for line in lines[i + 1 : end]])
            i = end
        i += 1
    return found


# -- the chart source ----------------------------------------------------------------------


def test_chart_source_is_a_phase_bar_chart_and_a_weekly_burn_up() -> None:
    history = (Week(MONDAY, 3, 20), Week(MONDAY + dt.timedelta(weeks=2), 9, 24))
    text = render(charts_of(totals(("Explore", "Learn"), [(6, 10), (3, 14)]), history))
    phases, burn_up = mermaid_blocks(text)
    assert phases == [
        "xychart-beta",
        'title "Program completion by phase (% of tasks done)"',
        'x-axis ["Explore", "Learn"]',
        'y-axis "Tasks done (%)" 0 --> 100',
        "bar [60, 21]",
    ]
    assert burn_up == [
        "xychart-beta",
        'title "Burn-up: tasks done (lower line) of all tasks (upper line), by week"',
        'x-axis ["2026-11-30", "2026-12-07", "2026-12-14"]',
        'y-axis "Tasks" 0 --> 24',
        "line [20, 20, 24]",  # the week without an entry repeats the week before
        "line [3, 3, 9]",
    ]
    # the same figures in a table, for readers (and GitLab versions) without the chart
    assert "| 2026-12-14 | 9 | 24 | 37% |" in text


def test_tasks_under_no_section_get_their_bar_so_the_bars_add_up_to_the_whole() -> None:
    """An independent check: tasks people added under a heading of their own counted in the
    overall figure and in the table's `Other tasks` row, and in no bar: every bar at 0%
    beside an overall 2%."""
    base = totals(("Explore", "Learn"), [(0, 10), (0, 14)])
    other = replace(base, overall=TaskCount(27, 2))
    phases = mermaid_blocks(render(charts_of(other, ())))[0]
    assert 'x-axis ["Explore", "Learn", "Other tasks"]' in phases and "bar [0, 0, 66]" in phases
    phases = mermaid_blocks(render(charts_of(base, ())))[0]
    assert 'x-axis ["Explore", "Learn"]' in phases  # none: no bar


def test_a_long_history_is_sampled_to_a_readable_chart() -> None:
    history = tuple(Week(MONDAY + dt.timedelta(weeks=i), i, 200) for i in range(150))
    chart = charts_of(totals(("One",), [(1, 2)]), history)
    assert len(chart.weeks) == 26
    assert chart.weeks[0] == history[0] and chart.weeks[-1] == history[-1]


def _rows(text: str) -> list[str]:
    return [line for line in text.split("\n") if re.match(r"\| \d{4}-", line)]


def test_the_table_lists_every_week_the_figures_changed_in_however_long_the_history() -> None:
    """A year's tester: past 26 weeks the table showed the chart's sampled weeks, a change
    a week late and some changes not at all."""
    weeks = [MONDAY + dt.timedelta(weeks=i) for i in range(40)]
    history = (Week(weeks[0], 1, 10), Week(weeks[29], 4, 10), Week(weeks[30], 5, 12))
    text = render(charts_of(totals(("One",), [(5, 12)]), history))
    assert _rows(text) == [
        f"| {weeks[0]} | 1 | 10 | 10% |",
        f"| {weeks[29]} | 4 | 10 | 40% |",
        f"| {weeks[30]} | 5 | 12 | 41% |",
    ]
    assert "The chart shows 26 of the weeks" in text and "left out" not in text


def test_the_table_lists_the_latest_changes_and_says_how_many_earlier_ones_it_leaves_out() -> None:
    history = tuple(Week(MONDAY + dt.timedelta(weeks=i), i, 200) for i in range(150))
    text = render(charts_of(totals(("One",), [(1, 2)]), history))
    rows = _rows(text)
    assert len(rows) == MAX_ROWS and rows[-1].startswith(f"| {history[-1].start} | 149 |")
    assert f"(the {150 - MAX_ROWS} earlier ones are left out)" in text


HOSTILE = [
    'Close " ] ```\n/close @all',
    "%%{init: {'theme':'dark'}}%%",
    "```mermaid",
    "~~~",
    "</details><script>alert(1)</script>",
    "a; b # c & d` e\u202e f",
    "Phase [1], (core)",
]


def test_config_text_never_leaves_the_chart() -> None:
    chart = Charts(tuple(Bar(mermaid_text(h), 1, 2) for h in HOSTILE), ())
    text = render(chart)
    (phases,) = mermaid_blocks(text)
    assert len(phases) == 5  # the block ends where the template ends it, not before
    axis = re.fullmatch(r'x-axis \[("[^"\[\]`%;#<>&@]*"(?:, )?){7}\]', phases[2])
    assert axis is not None, phases[2]
    assert phases[4] == "bar [" + ", ".join(["50"] * 7) + "]"
    assert "%%" not in text and "<script" not in text and "@all" not in text
    assert not any(line.lstrip().startswith("/") for line in text.split("\n"))


@given(st.text())
def test_a_label_holds_only_harmless_characters(value: str) -> None:
    label = mermaid_text(value)
    # marks a letter is made with, and joiners inside a word, are part of its letters
    bare = "".join(c for c in label if unicodedata.category(c) not in ("Mn", "Mc", "Cf"))
    assert re.fullmatch(r"[\w .()+/'…-]+", bare)
    assert not {c for c in label if unicodedata.category(c) == "Cf"} - {"\u200c", "\u200d"}
    assert not any(0xFE00 <= ord(c) <= 0xFE0F for c in label)
    assert "_" not in label and "\n" not in label and len(label) <= 40


def test_shipped_phases_keep_their_names() -> None:
    assert mermaid_text("Module 1: Explore") == "Module 1 Explore"
    assert mermaid_text("Sales Quick Start (SQS) workshop") == "Sales Quick Start (SQS) workshop"


# -- the weekly history ---------------------------------------------------------------------


def test_this_weeks_entry_is_replaced_and_a_new_week_added_only_on_change() -> None:
    first = recorded((), MONDAY + dt.timedelta(days=2), 1, 10)
    assert first == (Week(MONDAY, 1, 10),)
    assert recorded(first, MONDAY + dt.timedelta(days=4), 2, 10) == (Week(MONDAY, 2, 10),)
    next_week = MONDAY + dt.timedelta(weeks=1)
    assert recorded(first, next_week, 1, 10) == first  # unchanged: nothing to write
    assert recorded(first, next_week, 3, 12) == (*first, Week(next_week, 3, 12))
    assert recorded((), MONDAY, 0, 0) == ()  # nothing before the program has a task
    assert recorded(first, MONDAY - dt.timedelta(weeks=3), 5, 10) == first  # a past rehearsal


def test_the_history_stays_bounded_for_a_multi_year_program() -> None:
    weeks: tuple[Week, ...] = ()
    for i in range(52 * 12):  # twelve years, a change every week
        weeks = recorded(weeks, MONDAY + dt.timedelta(weeks=i), i, 52 * 12)
    assert MAX_WEEKS // 2 < len(weeks) <= MAX_WEEKS
    assert weeks[0].start == MONDAY  # the start is kept, the recent weeks all there
    assert [w.done for w in weeks[-MAX_WEEKS // 2 :]] == list(
        range(52 * 12 - MAX_WEEKS // 2, 52 * 12)
    )
    assert len(history_content(weeks)) < 10_000
    assert thinned(weeks) == weeks


def test_history_is_read_back_from_the_issue_text() -> None:
    weeks = (Week(MONDAY, 1, 4), Week(MONDAY + dt.timedelta(weeks=1), 2, 4))
    block = f"{begin_marker(HISTORY_BLOCK)}\n{history_content(weeks)}{end_marker(HISTORY_BLOCK)}"
    text = f"intro\n{block}\n"
    assert read_history(text) == weeks
    garbled = text.replace("2/4", "two of four").replace("1/4", "1/4\n9/x\n2026-02-30 1/2")
    assert read_history(garbled) == weeks[:1]
    assert weekly(weeks, MONDAY + dt.timedelta(weeks=3))[-1] == Week(
        MONDAY + dt.timedelta(weeks=3), 2, 4
    )


def test_weeks_a_person_dated_out_of_any_program_are_left_out_and_charts_stay_bounded() -> None:
    """Someone edits the hidden history: weeks in year 1 or 9999 would be charted week by
    week for ever (and the week after 9999-12-27 does not exist: the run stopped)."""
    weeks = (Week(MONDAY, 1, 4),)
    far = "0001-01-01 0/1\n9999-12-27 0/1\n1900-01-01 0/1\n2999-12-30 3/4\n"
    content = history_content(weeks).replace(HEADER + "\n", HEADER + "\n" + far)
    text = f"{begin_marker(HISTORY_BLOCK)}\n{content}{end_marker(HISTORY_BLOCK)}\n"
    read = read_history(text)
    assert [w.start.year for w in read] == [1900, MONDAY.year, 2999]  # in the tool's range
    points = weekly(read, MONDAY)
    assert points[-1] == Week(MONDAY, 1, 4)  # a week after today is not drawn
    assert len(points) == MAX_CHARTED_WEEKS
    assert weekly(read)[-1].start.year == 2999 and len(weekly(read)) == MAX_CHARTED_WEEKS


# -- in the tracking issue, run after run ------------------------------------------------------


def tracking(memory: MemoryTracker) -> tuple[int, str]:
    for iid, issue in memory.issues.items():
        if issue.description.startswith(f"<!-- automation:key={TRACKING} -->"):
            return iid, issue.description
    raise AssertionError("no tracking issue")


def participant(memory: MemoryTracker) -> int:
    return next(i for i, s in memory.issues.items() if "fy27-pilot/sam.delacroix" in s.description)


def tick_one(text: str) -> str:
    return re.sub(r"(?m)^(\s*(?:[-*]|\d+\.) )\[ \]", r"\1[x]", text, count=1)


def test_burn_up_grows_week_by_week_and_a_quiet_week_writes_nothing(project: Path) -> None:
    prepared = prepare(project / "config", project / "templates", MONDAY)
    memory = memory_for(prepared)
    run_apply(prepared, memory, MONDAY)
    _, text = tracking(memory)
    lines = text.split("\n")
    assert lines[1].startswith("## ") and lines[3] == begin_marker(CHARTS_BLOCK)  # it opens
    (first,) = read_history(text)
    assert first.start == MONDAY and first.done == 0 and first.total > 0

    memory.edit(participant(memory), tick_one)
    week2 = MONDAY + dt.timedelta(weeks=1, days=3)
    run_apply(prepared, memory, week2)
    _, text = tracking(memory)
    assert read_history(text) == (first, Week(MONDAY + dt.timedelta(weeks=1), 1, first.total))
    assert 'x-axis ["2026-11-30", "2026-12-07"]' in (block_content(text, CHARTS_BLOCK) or "")

    writes = memory.writes
    assert run_apply(prepared, memory, week2 + dt.timedelta(weeks=2)).plans[0].empty
    assert memory.writes == writes


def test_a_damaged_history_is_rebuilt_and_the_rest_of_the_issue_kept(project: Path) -> None:
    prepared = prepare(project / "config", project / "templates", MONDAY)
    memory = memory_for(prepared)
    run_apply(prepared, memory, MONDAY)
    iid, _ = tracking(memory)
    note = "Team note: the pilot starts in December."
    memory.edit(iid, lambda t: t.replace(end_marker(HISTORY_BLOCK), "") + f"\n{note}\n")
    memory.edit(participant(memory), tick_one)
    later = MONDAY + dt.timedelta(weeks=1)
    applied = run_apply(prepared, memory, later)
    assert not applied.outcome.failures
    _, text = tracking(memory)
    assert note in text
    assert text.count(HEADER) == 1 and text.count(begin_marker(HISTORY_BLOCK)) == 1
    assert [w.start for w in read_history(text)] == [MONDAY, later]  # the first week kept


BEGIN = begin_marker(HISTORY_BLOCK)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t.replace(begin_marker(HISTORY_BLOCK) + "\n", "").replace(
            end_marker(HISTORY_BLOCK) + "\n", ""
        ),  # a person deleted both marker lines
        lambda t: t.replace(
            begin_marker(HISTORY_BLOCK), "\ufeff" + begin_marker(HISTORY_BLOCK)
        ).replace(
            end_marker(HISTORY_BLOCK), ""
        ),  # pasted back with a byte-order mark, its end marker lost
    ],
    ids=["markers deleted", "bom and no end marker"],
)
def test_history_whose_markers_a_person_broke_keeps_its_weeks_once(
    project: Path, damage: Callable[[str], str]
) -> None:
    prepared = prepare(project / "config", project / "templates", MONDAY)
    memory = memory_for(prepared)
    run_apply(prepared, memory, MONDAY)
    iid, _ = tracking(memory)
    memory.edit(iid, damage)
    later = MONDAY + dt.timedelta(weeks=1)
    memory.edit(participant(memory), tick_one)
    assert not run_apply(prepared, memory, later).outcome.failures
    _, text = tracking(memory)
    assert text.count(HEADER) == 1 and text.count(begin_marker(HISTORY_BLOCK)) == 1
    assert [w.start for w in read_history(text)] == [MONDAY, later]


def test_an_existing_tracking_issue_gets_its_charts_at_the_top(project: Path) -> None:
    prepared = prepare(project / "config", project / "templates", MONDAY)
    memory = memory_for(prepared)
    run_apply(prepared, memory, MONDAY)
    iid, before = tracking(memory)

    def as_made_before_charts(text: str) -> str:
        start = text.index(begin_marker(CHARTS_BLOCK))
        end = text.index(end_marker(CHARTS_BLOCK)) + len(end_marker(CHARTS_BLOCK)) + 2
        return text[:start] + text[end:]

    memory.edit(iid, as_made_before_charts)
    run_apply(prepared, memory, MONDAY)
    _, after = tracking(memory)
    assert after == before


def test_labels_that_read_alike_once_made_safe_stay_apart_on_the_axis() -> None:
    """A tester's finding: two emoji-only phase labels both became `-`, and Mermaid's axis
    keeps each category once, so one bar hid the other."""
    assert str(label_list(["★", "☆", "One", "-"])) == '["-", "- (2)", "One", "- (3)"]'
    # a number never gives a label another's name, nor makes it longer than labels may be
    # (a reviewer's finding)
    assert str(label_list(["Review", "Review", "Review (2)"])) == (
        '["Review", "Review (3)", "Review (2)"]'
    )
    assert all(len(label) <= 40 for label in json.loads(str(label_list(["x" * 60] * 3))))


@pytest.mark.parametrize(
    "heading",
    ["मॉड्यूल 1: प्रशिक्षण", "ขั้นที่ 2: ฝึกอบรม", "المرحلة: مُقدّمة", "U\u0308ben", "نیم\u200cفاصله"],
)
def test_a_label_keeps_the_marks_and_joiners_its_letters_are_made_with(heading: str) -> None:
    """A tester: a Hindi phase read "म ड य ल 1 प रश क षण" on the chart's axis, a decomposed
    Ü "U ben": combining marks were taken for unsafe signs."""
    assert mermaid_text(heading) == heading.replace(":", " ").replace("  ", " ")


def test_emoji_phases_read_as_before_on_the_chart() -> None:
    """A reviewer: with marks kept, an emoji's variation selector and the joiner between two
    emoji stayed, as blank or look-alike labels no longer numbered apart."""
    assert str(label_list(["✔️ Done", "✅ Done"])) == '["Done", "Done (2)"]'
    assert str(label_list(["⚙️", "🚀", "👩‍💻"])) == '["-", "- (2)", "- (3)"]'
