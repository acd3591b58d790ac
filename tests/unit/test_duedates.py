"""Due dates follow configuration when the tool set them: the record of the date it set, and
the writes a moved date needs (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from automation.actions import Plan, UpdateDescription, UpdateDueDate
from automation.desired import DesiredIssue
from automation.duedates import DUE_BLOCK, Step, due_after, due_blocks, plan_due, record, step
from automation.edits import Edits, apply_edits
from automation.items import ObservedIssue
from automation.markers import begin_marker, identity_marker
from tests.projects import demo_program

KEY = "demo/c1/ana"
PROGRAM = demo_program(("One",))
BODY = f"{identity_marker(KEY)}\n## One\n- [ ] a\n"
JAN, MAR, MAY = dt.date(2027, 1, 31), dt.date(2027, 3, 31), dt.date(2027, 5, 31)


def wanted(due: dt.date | None) -> DesiredIssue:
    return DesiredIssue(KEY, "Demo: Ana", BODY, ("program::demo",), "Ana", due_date=due)


def existing(
    due: dt.date | None, *recorded_as: dt.date | None, state: str = "opened"
) -> ObservedIssue:
    """An issue due on DUE whose record names the date RECORDED_AS (none given: no record)."""
    blocks = tuple((DUE_BLOCK, record(date)) for date in recorded_as)
    text = apply_edits(BODY, Edits(blocks))
    return ObservedIssue(7, "Demo: Ana", text, ("program::demo",), state, due_date=due)


def after(issue: ObservedIssue, plan: Plan) -> ObservedIssue:
    """The issue once the plan's writes are made."""
    due, text = issue.due_date, issue.description
    for action in plan.actions:
        if isinstance(action, UpdateDueDate):
            due = action.after
        if isinstance(action, UpdateDescription):
            text = apply_edits(text, action.edits)
    return ObservedIssue(issue.iid, issue.title, text, issue.labels, issue.state, due_date=due)


@pytest.mark.parametrize(
    ("config", "issue", "expected"),
    [
        (MAR, existing(JAN, JAN), Step.MOVE),  # configuration moved the tool's date
        (None, existing(JAN, JAN), Step.MOVE),  # ... or dropped it
        (MAR, existing(None, None), Step.MOVE),  # ... or gave one to an issue without
        (JAN, existing(JAN, JAN), Step.NONE),  # the date the tool followed last
        (MAR, existing(MAY, JAN), Step.NONE),  # a person's date stays
        (MAR, existing(JAN, JAN, state="closed"), Step.NONE),  # a closed issue's date is history
        (MAR, existing(JAN), Step.NONE),  # no record, another date: may be a person's
        (JAN, existing(JAN), Step.RECORD),  # no record, configuration's date: record it
        (None, existing(None), Step.RECORD),  # no date: recorded as none, to follow one later
        (None, existing(None, None), Step.NONE),
        (MAR, existing(MAR, JAN), Step.RECORD),  # moved, and the run stopped before the record
    ],
)
def test_what_a_due_date_needs(
    config: dt.date | None, issue: ObservedIssue, expected: Step
) -> None:
    assert step(wanted(config), issue) is expected


def test_a_moved_date_is_set_then_recorded_and_then_nothing_is_left() -> None:
    issue = existing(JAN, JAN)
    plan = plan_due(PROGRAM, wanted(MAR), issue)
    assert [type(a) for a in plan.actions] == [UpdateDueDate, UpdateDescription]
    assert plan.actions[0] == UpdateDueDate("demo", KEY, 7, JAN, MAR)
    done = after(issue, plan)
    assert done.due_date == MAR and step(wanted(MAR), done) is Step.NONE
    assert plan_due(PROGRAM, wanted(MAR), done) == Plan()
    assert due_after(wanted(MAR), issue) == MAR


def test_a_person_s_date_is_neither_moved_nor_counted_as_moved() -> None:
    issue = existing(MAY, JAN)
    assert plan_due(PROGRAM, wanted(MAR), issue) == Plan()
    assert due_after(wanted(MAR), issue) == MAY


def test_an_issue_made_before_the_record_gets_it_and_then_follows() -> None:
    issue = existing(JAN)
    plan = plan_due(PROGRAM, wanted(JAN), issue)
    assert [type(a) for a in plan.actions] == [UpdateDescription]
    recorded_now = after(issue, plan)
    assert step(wanted(MAR), recorded_now) is Step.MOVE


def test_a_damaged_record_is_a_failure_naming_the_issue_and_nothing_is_written() -> None:
    issue = existing(JAN, JAN)
    broken = ObservedIssue(
        7, "t", f"{issue.description}{begin_marker(DUE_BLOCK)}\n", issue.labels, due_date=JAN
    )
    plan = plan_due(PROGRAM, wanted(MAR), broken)
    assert not plan.actions and plan.failures[0].message.startswith("issue #7: ")
    assert due_after(wanted(MAR), broken) == JAN


def test_a_new_issue_records_its_due_date_or_that_it_has_none() -> None:
    assert due_blocks(wanted(MAR)) == ((DUE_BLOCK, "<!-- automation:due 2027-03-31 -->\n"),)
    assert due_blocks(wanted(None)) == ((DUE_BLOCK, "<!-- automation:due none -->\n"),)


def test_an_unreadable_record_counts_as_none() -> None:
    text = apply_edits(BODY, Edits(((DUE_BLOCK, "<!-- automation:due 2027-02-31 -->\n"),)))
    issue = ObservedIssue(7, "t", text, ("program::demo",), due_date=JAN)
    assert step(wanted(MAR), issue) is Step.NONE
    assert step(wanted(JAN), issue) is Step.RECORD
