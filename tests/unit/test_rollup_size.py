"""A rollup of thousands of issues stays well under GitLab's 1,048,576-character limit."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from automation.blocks import MAX_GROUPS, MAX_ROWS, Blocks, RollupRow, listing
from automation.config.models import RecordField
from automation.progress import Progress, Status, measure
from automation.records import Recorded, RecordSpec, read_records
from automation.rendering import Renderer, _decimals
from tests.projects import demo_program

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
PAST = dt.date(2026, 11, 1)
PROGRAM = demo_program(
    ("Orientation", "Foundations", "Capstone project", "Reflection"),
    records=(RecordField(label="Satisfaction", out_of=10),),
)
SPECS = [RecordSpec("Satisfaction", 10)]


def body(done: int) -> str:
    """An issue with eight tasks, two per section, the first `done` of them ticked."""
    lines = []
    for i, section in enumerate(PROGRAM.sections):
        lines.append(f"## {section.heading}")
        lines += [f"- [{'x' if 2 * i + j < done else ' '}] task {j}" for j in range(2)]
    return "\n".join(lines) + "\n"


def row(
    n: int,
    done: int,
    group: str = "Cohort A",
    *,
    due: dt.date | None = None,
    state: str = "opened",
    created: bool = True,
    measured: bool = True,
    score: int | None = None,
) -> RollupRow:
    progress = _measured(done, due) if measured else None
    records = _records(score) if score is not None else {}
    reference = f"#{n}" if created else None
    return RollupRow(reference, f"Participant {n:05d}", group, progress, state, records)


@functools.cache
def _measured(done: int, due: dt.date | None) -> Progress:
    """The progress of `body(done)` (measured once: thousands of rows share a few bodies)."""
    return measure(body(done), PROGRAM, due, TODAY)


@functools.cache
def _records(score: float) -> Mapping[str, Recorded]:
    return read_records(f"Satisfaction: {score}/10", SPECS)


def many(count: int, groups: int) -> list[RollupRow]:
    """A program's worth of issues: most complete, some open, overdue or closed."""
    return list(_many(count, groups))


@functools.cache
def _many(count: int, groups: int) -> tuple[RollupRow, ...]:
    rows = []
    for n in range(1, count + 1):
        done = 8 if n % 5 else n % 8  # four in five complete
        due = PAST if n % 17 == 0 else None
        state = "closed" if n % 23 == 0 else "opened"
        group = f"Cohort {n % groups:04d} of the program"
        rows.append(row(n, done, group, due=due, state=state, score=n % 11 if n % 3 else None))
    return tuple(rows)


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", []))


def table_rows(text: str) -> list[str]:
    """The issue cells of the tracked-issues table, in order."""
    table = text.split("#### Tracked issues")[1].split("\n\n")[1]
    return [line.split(" | ")[0].removeprefix("| ") for line in table.splitlines()[2:]]


@pytest.mark.parametrize("groups", [40, 10_000])
def test_ten_thousand_issues_render_a_small_block(blocks: Blocks, groups: int) -> None:
    text = blocks.rollup(PROGRAM, many(10_000, groups))
    assert len(text) < 100_000
    assert len(table_rows(text)) == MAX_ROWS
    assert f"{10_000 - MAX_ROWS} more issues are not listed: " in text
    group_lines = re.findall(r"^\| Cohort \d{4} of the program \| \d+ \|", text, re.MULTILINE)
    assert len(group_lines) == min(groups, MAX_GROUPS)
    assert ("more groups are not listed" in text) == (groups > MAX_GROUPS)


def test_the_ten_thousand_row_block_size(blocks: Blocks) -> None:
    size = len(blocks.rollup(PROGRAM, many(10_000, 40)))
    print(f"10,000 rows in 40 groups: {size} characters")  # shown with pytest -s
    assert size < 1_048_576 // 10


def test_issues_that_need_attention_come_first(blocks: Blocks) -> None:
    special = [
        row(1, 8),  # complete
        row(2, 3, state="closed"),  # closed unfinished
        row(3, 6),  # in progress, 75%
        row(4, 1),  # in progress, 12%
        row(5, 0),  # not started
        row(6, 4, due=PAST),  # overdue
        row(7, 0, measured=False),  # not measured
        row(8, 0, created=False),  # being created
    ]
    filler = [row(9 + n, 8) for n in range(MAX_ROWS)]  # complete: #9 to #158
    text = blocks.rollup(PROGRAM, [*special, *filler])
    listed = table_rows(text)
    assert listed[:8] == ["(being created)", "#7", "#6", "#5", "#4", "#3", "#2 (closed)", "#1"]
    assert listed[8:] == [f"#{9 + n}" for n in range(MAX_ROWS - 8)]  # as numbers: #9, #10
    assert "8 more issues are not listed: 8 complete." in text


def test_unlisted_issues_are_counted_by_what_they_are() -> None:
    rows = [row(1, 8), row(2, 8), row(3, 2), row(4, 2, state="closed"), row(5, 2, due=PAST)]
    got = listing(PROGRAM, rows, limit=1)
    assert [r.reference for r in got.rows] == ["#5"]  # overdue
    assert got.unlisted == 4
    assert [(kind.value, n) for kind, n in got.kinds] == [
        ("complete", 2),
        ("closed unfinished", 1),
        ("in progress", 1),
    ]
    assert all(r.progress is not None for r in got.rows)
    assert got.rows[0].progress is not None
    assert got.rows[0].progress.status is Status.OVERDUE


def test_the_same_issues_render_the_same_text(blocks: Blocks) -> None:
    rows = many(1_000, 7)
    first = blocks.rollup(PROGRAM, rows)
    again = Blocks(Renderer(REPO / "templates", [])).rollup(PROGRAM, list(rows))
    assert first == again
    assert table_rows(first) == table_rows(blocks.rollup(PROGRAM, rows[::-1]))


def test_totals_and_averages_count_every_issue(blocks: Blocks) -> None:
    rows = many(1_000, 7)
    text = blocks.rollup(PROGRAM, rows)
    measured = [r.progress for r in rows if r.progress is not None]
    done = sum(p.overall.completed_count for p in measured)
    tasks = sum(p.overall.count for p in measured)
    assert f"| **Overall** | **{done}/{tasks}** |" in text
    complete = sum(p.status is Status.COMPLETE for p in measured)
    assert f"1000 tracked issues; {complete} complete." in text
    scores = [r.records["Satisfaction"].value or 0.0 for r in rows if r.records]
    mean = sum(scores) / len(scores)
    shown = Decimal(repr(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert f"| Satisfaction | {shown} | {len(scores)} of {len(scores)} |" in text
    by_group = re.findall(r"^\| Cohort \d{4} of the program \| (\d+) \| (\d+) \|", text, re.M)
    assert sum(int(issues) for issues, _ in by_group) == 1000
    assert sum(int(done) for _, done in by_group) == complete


@pytest.mark.parametrize(("scores", "shown"), [((8, 8.5), "8.3"), ((7, 7.1), "7.1"), ((3,), "3.0")])
def test_an_average_rounds_a_half_up_as_people_do(
    blocks: Blocks, scores: tuple[float, ...], shown: str
) -> None:
    """(8 + 8.5) / 2 is 8.25 exactly: Python's format rounds it to the even 8.2."""
    rows = [
        RollupRow(f"#{n}", f"P{n}", "A", _measured(8, None), "opened", _records(score))
        for n, score in enumerate(scores)
    ]
    assert f"| Satisfaction | {shown} | {len(scores)} of {len(scores)} |" in blocks.rollup(
        PROGRAM, rows
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (8.25, "8.3"),
        (1e27, f"{1e27:.1f}"),
        (4e27, f"{4e27:.1f}"),
        (math.inf, "inf"),
        (-0.05, "-0.1"),
    ],
)
def test_decimals_shows_any_figure_people_can_type(value: float, shown: str) -> None:
    """A reviewer's finding: a value typed with thirty digits made the filter raise, and the
    run stopped with exit 2 for every program."""
    assert _decimals(value, 1) == shown


def test_a_rollup_of_max_rows_lists_every_issue_in_order(blocks: Blocks) -> None:
    rows = many(MAX_ROWS, 3)
    text = blocks.rollup(PROGRAM, rows)
    assert table_rows(text) == [
        f"{r.reference}{' (closed)' if r.state == 'closed' else ''}" for r in rows
    ]
    assert "not listed" not in text
    assert "#### By group" not in text
    longer = blocks.rollup(PROGRAM, [*rows, row(MAX_ROWS + 1, 8)])
    assert len(table_rows(longer)) == MAX_ROWS
    assert "1 more issue is not listed: 1 complete." in longer


def test_one_group_has_no_group_summary(blocks: Blocks) -> None:
    text = blocks.rollup(PROGRAM, many(MAX_ROWS * 2, 1), "Cohort 0000 of the program")
    assert "not listed" in text
    assert "#### By group" not in text
    assert "each group's rollup" not in text


def test_tasks_under_no_section_of_the_program_have_a_row_so_the_rows_add_up(
    blocks: Blocks,
) -> None:
    """A tester's finding: a person's own section (or one the template no longer has) counted
    in Overall with no row, so the rows did not add up to it."""
    text = body(3) + "## My follow-ups\n- [x] mine\n- [ ] and mine\n"
    progress = measure(text, PROGRAM, None, TODAY)
    shown = blocks.progress(progress)
    assert "| Other tasks | 1/2 | 50% |" in shown
    assert "| **Overall** | **4/10** | **40%** |" in shown
    assert "Other tasks" not in blocks.progress(measure(body(3), PROGRAM, None, TODAY))
    rollup = blocks.rollup(PROGRAM, [RollupRow("#1", "P", "A", progress, "opened")])
    assert "| Other tasks | 1/2 | 50% |" in rollup


def test_a_cohort_that_ended_with_nothing_unfinished_says_so() -> None:
    """A tester's finding: the note read "0 unfinished issues are labelled status::ended and
    left open"."""
    renderer = Renderer(REPO / "templates", [])
    values = {
        "program": PROGRAM,
        "group": "FY28 H1",
        "end": PAST,
        "frozen": True,
        "ended": 0,
        "closed": 0,
        "withdrawn": 3,
        "listing": listing(PROGRAM, []),
        "totals": _measured(8, None),
    }
    said = renderer.render("blocks/ended-note.md.j2", values)
    assert "No issue was left unfinished; 3 withdrawn are listed but not counted." in said
    assert "0 unfinished" not in said
