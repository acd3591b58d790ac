"""Recorded values and plan figures: the two ways people's text feeds the rollups."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.figures import rewrite_figures
from automation.markers import begin_marker, end_marker
from automation.records import RecordSpec, averages, read_records, unreadable
from automation.rendering import _amount
from tests.figures import figure_values

SPECS = [RecordSpec("Sponsee satisfaction (start)", 10), RecordSpec("Use cases adopted")]


@pytest.mark.parametrize(
    ("line", "value", "problem"),
    [
        ("Sponsee satisfaction (start): 8/10", 8.0, None),
        ("- Sponsee satisfaction (start): 7", 7.0, None),
        ("- [x] Sponsee satisfaction (start): 9/10", 9.0, None),  # a checklist line
        ("1. [ ] Sponsee satisfaction (start): 4", 4.0, None),
        ("> - Sponsee satisfaction (start): 5", 5.0, None),
        ("2) **Sponsee satisfaction (start):** 3", 3.0, None),
        ("**Sponsee satisfaction (start):** 9.5 / 10", 9.5, None),
        ("sponsee SATISFACTION (start): 6/10", 6.0, None),
        ("Sponsee satisfaction (start): __/10", None, None),
        # as GitLab's rich text editor saves a line it rewrote (a trial: "cannot be read")
        ("Sponsee satisfaction (start): \\_\\_/10", None, None),
        ("- Sponsee satisfaction (start): 7\\.5/10", 7.5, None),
        ("Sponsee satisfaction (start): 8&#47;10", 8.0, None),
        ("Sponsee satisfaction (start):", None, None),
        (
            "Sponsee satisfaction (start): eight",
            None,
            "it is not a number out of 10; write it like 8/10",
        ),
        ("Sponsee satisfaction (start): 12/10", None, "it is outside 0 to 10"),
        ("Sponsee satisfaction (start): 4/5", None, "it is on another scale"),
    ],
)
def test_a_recorded_value_is_read_or_reported(
    line: str, value: float | None, problem: str | None
) -> None:
    got = read_records(f"intro\n{line}\n", SPECS)["Sponsee satisfaction (start)"]
    assert got.value == value
    assert (got.problem or "").startswith(problem or "")
    assert bool(got.problem) == bool(problem)


def test_a_number_past_a_floats_range_is_not_a_number() -> None:
    """An attacker's trial: 4,000 nines read as `inf`, shown as meeting its target."""
    for digits in (4000, 308, 16):  # 308: two of them averaged overflowed (a reviewer)
        got = read_records(f"Use cases adopted: {'9' * digits}\n", SPECS)["Use cases adopted"]
        assert got.value is None and (got.problem or "").startswith("it is not a number")
    fifteen = read_records(f"Use cases adopted: {'9' * 15}\n", SPECS)["Use cases adopted"]
    assert fifteen.value == float("9" * 15)


def test_values_in_code_comments_and_tool_blocks_do_not_count() -> None:
    text = (
        "```\nUse cases adopted: 1\n```\n<!--\nUse cases adopted: 2\n-->\n"
        f"{begin_marker('rollup')}\nUse cases adopted: 3\n{end_marker('rollup')}\n"
        "Use cases adopted: 4\nUse cases adopted: 4\n"
    )
    assert read_records(text, SPECS)["Use cases adopted"].value == 4.0


def test_a_value_below_its_blank_line_counts_and_two_values_are_unreadable() -> None:
    """A trial: an answer typed on a line of its own below the template's untouched `__/10`
    was never read, and a score corrected by adding a line kept the first, unsaid."""
    label = "Sponsee satisfaction (start)"
    below = read_records(f"- {label}: __/10\n\n{label}: 7/10\n", SPECS)[label]
    assert below.value == 7.0 and below.problem is None
    twice = read_records(f"- {label}: 5/10\n- {label}: 9/10\n", SPECS)[label]
    assert twice.value is None
    assert twice.problem == "it is given on two lines, with different values; keep one"
    blank = read_records(f"- {label}: __/10\n{label}: __\n", SPECS)[label]
    assert blank.present and blank.value is None and blank.problem is None
    same = read_records(f"- {label}: 8/10\n> {label}: ~8\n", SPECS)[label]  # a review
    assert same.value == 8.0 and same.problem is None


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (1200.0, 1, "1,200"),
        (1200000.5, 2, "1,200,000.5"),
        (2.0, 2, "2"),
        (7.25, 2, "7.25"),
        (-0.5, 2, "-0.5"),  # a review: a shrinking account showed as growing, `0.5`
        (-0.25, 1, "-0.3"),
        (-1200.0, 2, "-1,200"),
        (-0.001, 2, "0"),
    ],
)
def test_an_amount_is_written_as_people_write_it(value: float, places: int, shown: str) -> None:
    assert _amount(value, places) == shown


def test_a_dot_that_could_group_thousands_is_said_without_the_value() -> None:
    spec = RecordSpec("Product usage (active users)")
    (said,) = unreadable(read_records(f"{spec.label}: 2.500", [spec]))
    assert "could group thousands" in said and "2.500" not in said and "remark" not in said
    scored = read_records("Strength: 8.500/10", [RecordSpec("Strength", 10)])["Strength"]
    assert scored.value == 8.5  # on a scale a dot is no thousands


def test_averages_skip_missing_and_count_malformed() -> None:
    issues = [
        read_records(f"Sponsee satisfaction (start): {v}", SPECS)
        for v in ("8/10", "6/10", "__/10", "great")
    ]
    (satisfaction, adopted) = averages(issues, SPECS)
    assert (satisfaction.mean, satisfaction.recorded, satisfaction.of, satisfaction.malformed) == (
        7.0,
        2,
        4,
        1,
    )
    assert adopted.mean is None and adopted.recorded == 0


PLAN = """\
**Phase 1:**

- [x] Develop training materials => `0%`
- [ ] Develop program materials => `0%`
- [ ] Matchmaking of Sponsors & Sponsee, see #7 => `0%`

Complete => `0%`

**Phase 2:**

- [ ] Conduct Kick-Off call => `55%`

Complete => `0%`

**Overall:** Complete => `0%`
"""


def test_figures_follow_boxes_linked_issues_and_phases() -> None:
    result = rewrite_figures(PLAN, {7: 40})
    assert figure_values(result) == [100, 0, 40, 46, 0, 0, 23]


def test_a_figure_typed_with_spaces_counts_in_its_phase() -> None:
    """A trial: a figure typed `0 %` was left out of its phase's figure, unsaid."""
    plan = "**Phase 3:**\n- [x] End Program => ` 0 %`\n- [ ] Other => `0%`\nComplete => `0%`\n"
    result = rewrite_figures(plan, {})
    assert "- [x] End Program => ` 100 %`" in result and "Complete => `50%`" in result


def test_only_the_figures_change() -> None:
    result = rewrite_figures(PLAN, {7: 40})
    pattern = re.compile(r"`\d+%`")
    assert pattern.sub("`N%`", result) == pattern.sub("`N%`", PLAN)


PLAN_LINE = st.one_of(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n"), max_size=40
    ),
    st.sampled_from(
        [
            "- [ ] task => `0%`",
            "- [x] done #3 => `12%`",
            "**Phase 9:**",
            "Complete => `0%`",
            "**Overall:** Complete => `7%`",
            "## Heading",
            "text => `5%` more",
        ]
    ),
)


@given(st.lists(PLAN_LINE, max_size=25), st.dictionaries(st.integers(1, 9), st.integers(0, 100)))
def test_rewriting_figures_never_touches_another_character(
    lines: list[str], completion: dict[int, int]
) -> None:
    text = "\n".join(lines)
    result = rewrite_figures(text, completion)
    assert result.count("\n") == text.count("\n")
    strip = re.compile(r"(=>\s*`)\d{1,3}(%`\s*)$", re.MULTILINE)
    assert strip.sub(r"\1N\2", result) == strip.sub(r"\1N\2", text)
    assert rewrite_figures(result, completion) == result


def test_a_persons_bold_note_and_plain_overall_bullet_are_not_summaries() -> None:
    text = PLAN.replace("**Phase 2:**\n", "**Phase 2:**\n\n**Note: matches were delayed**\n")
    text = text.replace(
        "- [ ] Conduct Kick-Off call => `55%`",
        "- [x] Conduct Kick-Off call => `55%`\n- Overall tone of notes => `3%`",
    )
    values = figure_values(rewrite_figures(text, {7: 40}))
    assert values == [100, 0, 40, 46, 100, 3, 100, 73]  # the note keeps its own figure


def test_averages_count_only_issues_that_ask_for_the_value() -> None:
    issues = [read_records("Use cases adopted: 3", SPECS), read_records("no such line", SPECS)]
    adopted = averages(issues, SPECS)[1]
    assert (adopted.mean, adopted.recorded, adopted.of) == (3.0, 1, 1)


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("Net ARR growth (%): 12%", 12.0),
        ("Net ARR growth (%): 12 %", 12.0),
        ("Time to value (days): ~60", 60.0),
        ("Time to value (days): about 45", 45.0),
        # a tester's `1,200` and `30 days` were "not a number"
        ("Product usage (active users): 1,200", 1200.0),
        ("Product usage (active users): 1,200,000.5", 1200000.5),
        ("Time to value (days): 30 days", 30.0),
        ("Time to value (days): 1 day", 1.0),
        ("Time to value (Days): ~30 DAYS", 30.0),
        # an ESP trial: `+15%` was "not a number", and `7/10.` (a full stop) unreadable
        ("Net ARR growth (%): +15%", 15.0),
        ("Net ARR growth (%): -5", -5.0),
        ("Strength: 7/10.", 7.0),
        ("Use cases adopted: 4.", 4.0),
        ("Time to value (days): 0.500", 0.5),  # a leading zero: no thousands
        ("Net ARR growth (%): 15%.", 15.0),  # a review: the full stop after `%` or a unit
        ("Time to value (days): 30 days.", 30.0),
    ],
)
def test_a_value_written_as_people_write_it_is_read(line: str, value: float) -> None:
    """A tester's finding: `12%` on a label that says (%), `~60`, and a remark in parentheses
    after the number were "cannot be read", warned about on every run."""
    label = line.split(":", maxsplit=1)[0]
    found = read_records(line, [RecordSpec(label)])[label]
    assert (found.value, found.problem) == (value, None)


@pytest.mark.parametrize(
    ("line", "spec"),
    [
        ("Satisfaction (start): 4 (out of 5)", RecordSpec("Satisfaction (start)", 10)),
        ("Product usage (active users): 40%", RecordSpec("Product usage (active users)")),
        ("Time to value (days): 3 (weeks)", RecordSpec("Time to value (days)")),
        ("Influence: seven", RecordSpec("Influence", 10)),
        ("Product usage (active users): 1,5", RecordSpec("Product usage (active users)")),
        ("Product usage (active users): 12,00", RecordSpec("Product usage (active users)")),
        ("Time to value (days): 0,500", RecordSpec("Time to value (days)")),
        ("Time to value (days): 30 weeks", RecordSpec("Time to value (days)")),
        # an ESP trial: `2.500` active users read as 2.5, unsaid (thousands, to half Europe)
        ("Product usage (active users): 2.500", RecordSpec("Product usage (active users)")),
        ("Product usage (active users): -12.500", RecordSpec("Product usage (active users)")),
    ],
)
def test_a_value_whose_words_change_its_meaning_is_not_read(line: str, spec: RecordSpec) -> None:
    """A reviewer's finding: a remark or a % taken off could make it another number."""
    found = read_records(line, [spec])[spec.label]
    assert found.value is None and found.problem


@pytest.mark.parametrize(
    "text", ["Scores:\n2. [x] Satisfaction: 8", "Scores:\n    - [x] Satisfaction: 8"]
)
def test_a_value_on_a_line_that_is_no_task_is_still_read(text: str) -> None:
    """A reviewer's: once such a line was counted as no task, its box was broken in the lines
    handed on, and the value recorded on it was lost."""
    found = read_records(text, [RecordSpec("Satisfaction", 10)])["Satisfaction"]
    assert found.value == 8.0


def test_a_task_naming_a_label_does_not_hide_the_line_with_its_value() -> None:
    """A reviewer's finding: once checklist lines could hold a value, a task above the
    value's line that starts with the label was read first, and the value was lost."""
    text = "- [ ] **Satisfaction:** send the NPS survey.\n\n- Satisfaction: 8/10\n"
    assert read_records(text, [RecordSpec("Satisfaction", 10)])["Satisfaction"].value == 8.0


def test_a_yes_or_no_record_asks_for_1_or_0() -> None:
    """A reviewer read "write it like 8/1" for a career advancement answer of 2."""
    label = "Advanced within twelve months"
    found = read_records(f"{label}: 2\n", [RecordSpec(label, 1)])[label]
    assert found.problem == "it is outside 0 to 1; write it as 1 or 0"


@pytest.mark.parametrize(
    ("out_of", "shown"), [(5, "4/5"), (2, "1/2"), (10, "8/10"), (100, "8/100")]
)
def test_the_example_of_a_value_is_on_its_scale(out_of: int, shown: str) -> None:
    """A tester wrote 6 on a scale of 5 and was told to write it like 8/5."""
    found = read_records(f"Confidence: {out_of + 1}\n", [RecordSpec("Confidence", out_of)])
    assert found["Confidence"].problem == f"it is outside 0 to {out_of}; write it like {shown}"


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("- [ ] see https://gitlab.example.com/enablement/programs/-/issues/3 => `0%`", 40),
        ("- [ ] see enablement/programs#3 => `0%`", 40),
        ("- [ ] see ENABLEMENT/Programs#3 => `0%`", 40),
        ("- [ ] see enablement/programs#3a => `0%`", 0),  # no reference: GitLab needs a break
        ("- [ ] see @enablement/programs#3 => `0%`", 0),
        ("- [ ] see xenablement/programs#3 => `0%`", 0),
        ("- [ ] see enablement/programs-old#3 => `0%`", 0),
        ("- [ ] see other/enablement/programs#3 => `0%`", 0),
    ],
)
def test_a_plan_line_follows_a_link_to_an_issue_of_its_project_only(line: str, value: int) -> None:
    """An attacker's trial, then a reviewer's: a link to the project's issue #3 is #3."""
    text = rewrite_figures(line, {3: 40}, "enablement/programs")
    assert text.endswith(f"=> `{value}%`"), text


@pytest.mark.parametrize(
    ("spec", "line", "value", "problem"),
    [
        (RecordSpec("Roadblocks removed", least=0), "-2", None, "it is less than 0; write it as a"),
        (RecordSpec("Roadblocks removed", least=0), "0", 0.0, None),
        (RecordSpec("Roadblocks removed"), "-2", -2.0, None),  # no `min`: any number
        (RecordSpec("Net ARR growth (%)"), "-4%", -4.0, None),
        (
            RecordSpec("Headcount", least=20),
            "15",
            None,
            "it is less than 20; write it as a number, like 20",
        ),
        (
            RecordSpec("Confidence", 10, least=1),
            "0/10",
            None,
            "it is outside 1 to 10; write it like 8/10",
        ),
        (RecordSpec("Confidence", 10, least=1), "1/10", 1.0, None),
    ],
)
def test_a_value_below_the_records_min_is_reported(
    spec: RecordSpec, line: str, value: float | None, problem: str | None
) -> None:
    """An ESP trial: `Roadblocks removed: -2` was averaged into the tracking issue."""
    got = read_records(f"{spec.label}: {line}\n", [spec])[spec.label]
    assert got.value == value
    assert (got.problem or "").startswith(problem or "") and bool(got.problem) == bool(problem)
