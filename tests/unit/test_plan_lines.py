"""The plan as a person reads it: the folded label line says one label, or many."""

from __future__ import annotations

from automation.actions import CreateLabel, Plan
from automation.output.lines import no_changes_line, plan_lines, stopped_line
from automation.output.result import Summary
from automation.progress import LabelSpec


def _labels(*names: str) -> Plan:
    return Plan(tuple(CreateLabel(LabelSpec(name, "#808080", "")) for name in names))


def test_one_label_to_create_is_one_label_not_one_labels() -> None:
    """A tester read `create 1 labels: program::csm-leaders`."""
    assert list(plan_lines(_labels("program::x"))) == ["create 1 label: program::x"]
    assert list(plan_lines(_labels("a", "b"))) == ["create 2 labels: a, b"]


def test_no_changes_says_one_issue_in_the_singular() -> None:
    """A tester read "No changes: 1 issues are up to date"."""
    one = Summary.of([], 1, 0, 0)
    assert (
        no_changes_line(one, done=True) == "No changes: 1 issue is up to date; nothing was written."
    )
    two = Summary.of([], 2, 0, 1)
    assert no_changes_line(two, done=False) == "No changes: 2 issues are up to date (1 warning)."


def test_no_issue_up_to_date_under_a_warning_does_not_read_as_all_is_well() -> None:
    """A newcomer's trial: a program made confidential after its issues existed said it
    writes nothing to them, then "No changes: 0 issues are up to date", read as fine."""
    none = Summary.of([], 0, 0, 1)
    assert no_changes_line(none, done=True) == (
        "No changes; nothing was written, and no issue was found up to date (1 warning: see above)."
    )
    assert no_changes_line(Summary.of([], 0, 0, 0), done=False) == (
        "No changes: 0 issues are up to date."
    )


def test_a_run_stopped_before_writing_says_so_and_one_after_says_what_it_wrote() -> None:
    assert stopped_line(Summary.of([], 5, 0, 0)) == (
        "Summary: the run stopped before its end, before it wrote anything."
    )
    label = CreateLabel(LabelSpec("phase::One", "#ffffff", "a phase"), "p")
    assert stopped_line(Summary.of([label], 0, 0, 0)) == (
        "Summary: the run stopped before its end: 0 created, 0 updated (1 label created); the "
        "next run finishes the rest."
    )
