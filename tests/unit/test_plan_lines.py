"""The plan as a person reads it: the folded label line says one label, or many."""

from __future__ import annotations

from automation.actions import CreateLabel, Plan
from automation.output.lines import plan_lines
from automation.progress import LabelSpec


def _labels(*names: str) -> Plan:
    return Plan(tuple(CreateLabel(LabelSpec(name, "#808080", "")) for name in names))


def test_one_label_to_create_is_one_label_not_one_labels() -> None:
    """A tester read `create 1 labels: program::csm-leaders`."""
    assert list(plan_lines(_labels("program::x"))) == ["create 1 label: program::x"]
    assert list(plan_lines(_labels("a", "b"))) == ["create 2 labels: a, b"]
