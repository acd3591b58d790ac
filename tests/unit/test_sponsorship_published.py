"""A figure published once (a sealed derived block): computed while its checkpoint is open,
written once when it closes, and never written again, whatever the answers do afterwards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from automation.blocks import SEALED, UNSEALED, Blocks
from automation.desired import Closing, Derived, DerivedRow, Measured
from automation.items import ObservedIssue
from automation.markers import begin_marker, end_marker
from automation.progress import Progress
from automation.records import Recorded, RecordSpec
from automation.rendering import Renderer

REPO = Path(__file__).resolve().parents[2]
LABEL = "Sponsee satisfaction (start)"
SPEC = RecordSpec(LABEL, 10, 3)
ON = dt.date(2027, 3, 1)


def block(passed: bool, n: int = 4, on: dt.date = ON, reopens: bool = False) -> Derived:
    rows = tuple(DerivedRow({}, records=f"k{i}") for i in range(n))
    values = {"what": "satisfaction (start)", "on": ON, "minimum": 3, "rate": False, "today": ON}
    return Derived(
        "scores-start",
        "sales-sponsorship/published.md.j2",
        values,
        rows,
        (SPEC,),
        Closing(on, passed, reopens=reopens),
    )


def measured(*scores: float | None) -> dict[str, Measured]:
    issue = ObservedIssue(1, "t", "", ())
    progress = Progress.__new__(Progress)
    return {
        f"k{i}": Measured(issue, progress, {LABEL: Recorded(LABEL, value)})
        for i, value in enumerate(scores)
    }


ROLLUP = ObservedIssue(2, "rollup", "x\n", ())


def written(content: str) -> ObservedIssue:
    name = "scores-start"
    return ObservedIssue(2, "rollup", f"x\n{begin_marker(name)}\n{content}{end_marker(name)}\n", ())


def render(derived: Derived, scores: dict[str, Measured], found: ObservedIssue = ROLLUP) -> str:
    """The block's content written to FOUND: by default the rollup made before this run,
    with no such block yet; None, an issue this run makes."""
    blocks = Blocks(Renderer(REPO / "templates", []))
    ((_, content),) = blocks.derived((derived,), scores, found)
    return content


def test_a_closed_block_of_an_issue_made_in_this_run_is_sealed_by_the_next() -> None:
    """The issues it counts may be made in the same run (a trial's late ESP scorecard said
    "no issue" of each quarterly review, for good)."""
    blocks = Blocks(Renderer(REPO / "templates", []))
    ((_, made),) = blocks.derived((block(passed=True),), measured(8, 6, 7, None), None)
    assert "| 7.0 | 3 |" in made and SEALED not in made and UNSEALED in made
    later = render(block(passed=True), measured(8, 6, 7, 1), written(made))
    assert "| 5.5 | 4 |" in later and later.endswith(f"{SEALED}\n") and UNSEALED not in later


def test_an_open_checkpoint_shows_nothing_about_the_answers() -> None:
    shown = render(block(passed=False), measured(8, 6, 7, None))
    assert "Not published yet" in shown and SEALED not in shown
    assert "7" not in shown.replace("2027", "")


def test_every_answer_in_closes_it_before_its_date() -> None:
    shown = render(block(passed=False), measured(8, 6, 7, 9))
    assert "| Sponsee satisfaction (start) | 7.5 | 4 |" in shown and SEALED in shown


def test_its_date_closes_it_without_a_figure_below_the_minimum() -> None:
    shown = render(block(passed=True), measured(8, 6, None, None))
    assert "not published: fewer than 3 answers" in shown and "7.0" not in shown
    assert SEALED in shown


def test_a_sealed_block_keeps_what_it_published_whatever_the_answers_become() -> None:
    first = render(block(passed=True), measured(8, 6, 7, None))
    assert "| 7.0 | 3 |" in first
    later = render(block(passed=True), measured(8, 6, 7, 1), written(first))
    assert later == first


def test_a_block_without_the_seal_is_computed_again() -> None:
    later = render(block(passed=True), measured(8, 6, 7, 1), written("Not published yet\n"))
    assert "| 5.5 | 4 |" in later


def test_a_block_sealed_with_nothing_published_opens_again_when_its_day_moves_later() -> None:
    """A trial: a cohort's start year mistyped for one run closed its end checkpoint at once,
    sealed as "not published"; with the year fixed, it stayed so for good."""
    first = render(block(passed=True, reopens=True), measured(8, None, None, None))
    assert "not published: fewer than 3 answers" in first
    assert first.endswith(f"<!-- automation:sealed-empty 2027-03-01 -->\n{SEALED}\n")
    later = dt.date(2028, 3, 1)
    again = render(block(False, on=later, reopens=True), measured(8, 6, 7, None), written(first))
    assert "Not published yet" in again and SEALED not in again
    same = render(block(passed=False, reopens=True), measured(8, 6, 7, None), written(first))
    assert same == first
    shown = render(block(passed=True, reopens=True), measured(8, 6, 7, None))  # a figure
    assert "sealed-empty" not in shown and shown.endswith(f"{SEALED}\n")
    moved = render(block(False, on=later, reopens=True), measured(1, 1, 1, 1), written(shown))
    assert moved == shown


def test_a_block_that_may_not_open_again_stays_sealed_with_nothing_published() -> None:
    """A review: an ESP scorecard shows rows besides its averages; sealed, it never opens."""
    first = render(block(passed=True), measured(8, None, None, None))
    assert "sealed-empty" not in first
    later = block(passed=False, on=dt.date(2028, 3, 1))
    assert render(later, measured(8, 6, 7, 9), written(first)) == first
