"""People follow configuration: the record of whom the tool assigned, and the writes a change of
people needs (pure)."""

from __future__ import annotations

import pytest

from automation.actions import AddNote, Plan, UpdateAssignees, UpdateDescription
from automation.changes import joined
from automation.desired import DesiredIssue
from automation.edits import Edits, apply_edits
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.markers import begin_marker, identity_marker
from automation.people import (
    ASSIGNED_BLOCK,
    change_id,
    people_blocks,
    plan_people,
    reassigned,
    record,
    recorded,
)
from tests.projects import demo_program

KEY = "demo/c1/ana"
PROGRAM = demo_program(("One",))
BODY = f"{identity_marker(KEY)}\n## One\n- [ ] a\n"


def wanted(*people: str) -> DesiredIssue:
    return DesiredIssue(KEY, "Demo: Ana", BODY, ("program::demo",), "Ana", assignees=people)


def existing(
    *assigned: str,
    recorded_as: tuple[str, ...] | None,
    confidential: bool = True,
    state: str = "opened",
) -> ObservedIssue:
    """An issue assigned to ASSIGNED whose record names RECORDED_AS (None: no record)."""
    blocks = () if recorded_as is None else ((ASSIGNED_BLOCK, record(recorded_as)),)
    text = apply_edits(BODY, Edits(blocks))
    return ObservedIssue(
        7, "Demo: Ana", text, ("program::demo",), state, assigned, confidential=confidential
    )


def after(issue: ObservedIssue, plan: Plan) -> ObservedIssue:
    """The issue once the plan's writes are made (as a tracker would make them)."""
    assignees, text = issue.assignees, issue.description
    for action in plan.actions:
        if isinstance(action, UpdateAssignees):
            assignees = reassigned(assignees, action.add, action.remove, action.order)
        if isinstance(action, UpdateDescription):
            text = apply_edits(text, action.edits)
    return ObservedIssue(
        issue.iid, issue.title, text, issue.labels, issue.state, assignees, confidential=True
    )


def test_the_record_is_hidden_and_reads_back_in_order() -> None:
    text = apply_edits(BODY, Edits(people_blocks(wanted("bo", "ana"))))
    assert "<!-- automation:assigned bo,ana -->" in text
    assert recorded(text) == ("bo", "ana")
    assert recorded(BODY) is None
    assert recorded(apply_edits(BODY, Edits(((ASSIGNED_BLOCK, record(())),)))) == ()
    assert people_blocks(wanted()) == ()  # nobody to assign, nothing to record


def test_a_damaged_record_fails_the_issue_and_changes_nobody() -> None:
    issue = existing("old", "ana", recorded_as=("old", "ana"))
    broken = ObservedIssue(7, "t", issue.description + f"\n{begin_marker(ASSIGNED_BLOCK)}\n", ())
    with pytest.raises(ItemError):
        recorded(broken.description)
    plan = plan_people(PROGRAM, wanted("new", "ana"), broken)
    assert not plan.actions
    assert "damaged" in plan.failures[0].message


def test_a_swap_notes_it_assigns_the_new_person_unassigns_the_old_then_records_it() -> None:
    issue = existing("old", "ana", recorded_as=("old", "ana"))
    plan = plan_people(PROGRAM, wanted("new", "ana"), issue)
    note, reassign, write = plan.actions  # the note first: see the crash test in e2e
    assert reassign == UpdateAssignees("demo", KEY, 7, ("new",), ("old",), ("new", "ana"))
    assert isinstance(note, AddNote) and isinstance(write, UpdateDescription)
    assert (
        note.marker
        == f"<!-- automation:note people {change_id(('old', 'ana'), ('new', 'ana'))} -->"
    )
    assert "@new" in note.body and "old" in note.body and "@old" not in note.body
    assert write.block == ASSIGNED_BLOCK
    done = after(issue, plan)
    assert done.assignees == ("new", "ana")
    assert plan_people(PROGRAM, wanted("new", "ana"), done) == Plan()


def test_someone_assigned_by_hand_stays_and_configuration_people_come_first() -> None:
    issue = existing("helper", "old", "ana", recorded_as=("old", "ana"))
    done = after(issue, plan_people(PROGRAM, wanted("new", "ana"), issue))
    assert done.assignees == ("new", "ana", "helper")


def test_someone_unassigned_by_hand_is_not_put_back() -> None:
    issue = existing("ana", recorded_as=("old", "ana"))  # a person unassigned `old`
    assert plan_people(PROGRAM, wanted("old", "ana"), issue) == Plan()
    reassign = plan_people(PROGRAM, wanted("new", "ana"), issue).actions[1]
    assert reassign == UpdateAssignees("demo", KEY, 7, ("new",), (), ("new", "ana"))


def test_names_compare_without_case() -> None:
    issue = existing("Old", "Ana", recorded_as=("old", "ana"))
    assert plan_people(PROGRAM, wanted("OLD", "ANA"), issue) == Plan()
    reassign = plan_people(PROGRAM, wanted("new", "ANA"), issue).actions[1]
    assert reassign == UpdateAssignees("demo", KEY, 7, ("new",), ("old",), ("new", "ANA"))
    assert reassigned(("Old", "Ana"), ("new",), ("old",), ("new", "ANA")) == ("new", "Ana")


def test_free_keeps_the_first_person_configuration_names() -> None:
    # GitLab Free keeps the first of the ids sent: configuration's first person goes first
    assert reassigned(("helper",), ("new",), ("old",), ("new", "ana"))[0] == "new"
    assert reassigned(("ana",), ("mgr2",), ("mgr1",), ("ana", "mgr2")) == ("ana", "mgr2")


def test_an_issue_without_the_record_assigns_who_is_missing_and_unassigns_nobody() -> None:
    # made before the record existed, or a person deleted the block: nobody it has counts
    # as the tool's but the people configuration names, so nobody is unassigned
    issue = existing("old", "helper", "ana", recorded_as=None)
    plan = plan_people(PROGRAM, wanted("new", "ana"), issue)
    note, reassign, write = plan.actions
    assert reassign == UpdateAssignees("demo", KEY, 7, ("new",), (), ("new", "ana"))
    assert isinstance(note, AddNote) and "@new" in note.body and "old" not in note.body
    assert isinstance(write, UpdateDescription) and recorded(write.after) == ("new", "ana")
    done = after(issue, plan)
    assert set(done.assignees) == {"old", "helper", "ana", "new"}
    assert plan_people(PROGRAM, wanted("new", "ana"), done) == Plan()


def test_an_issue_without_the_record_whose_people_are_all_there_only_gets_it() -> None:
    issue = existing("ana", "helper", recorded_as=None)
    (write,) = plan_people(PROGRAM, wanted("ana"), issue).actions
    assert isinstance(write, UpdateDescription) and recorded(write.after) == ("ana",)
    assert plan_people(PROGRAM, wanted(), existing("x", recorded_as=None)) == Plan()


def test_a_closed_issue_keeps_its_people() -> None:
    issue = existing("old", "ana", recorded_as=("old", "ana"), state="closed")
    assert plan_people(PROGRAM, wanted("new", "ana"), issue) == Plan()


def test_only_a_confidential_issue_gets_the_note() -> None:
    issue = existing("old", "ana", recorded_as=("old", "ana"), confidential=False)
    kinds = [type(a) for a in plan_people(PROGRAM, wanted("new", "ana"), issue).actions]
    assert kinds == [UpdateAssignees, UpdateDescription]


def test_a_change_gitlab_already_shows_writes_only_the_record() -> None:
    """GitLab renamed `old` to `new`, keeping the assignment (or a person reassigned the issue
    by hand as configuration now says): nobody changed for the issue, so no note (a tester:
    a renamed sponsor and manager were named new and gone, e-mailing everyone on it)."""
    issue = existing("new", "ana", recorded_as=("old", "ana"))
    kinds = [type(a) for a in plan_people(PROGRAM, wanted("new", "ana"), issue).actions]
    assert kinds == [UpdateDescription]
    # where GitLab keeps one assignee, the first person's rename shows too (a reviewer) ...
    first = plan_people(PROGRAM, wanted("new", "ana"), issue, several=False).actions
    assert [type(a) for a in first] == [UpdateDescription]
    # ... and the others' cannot (never assigned): nothing is taken for done
    alone = existing("ana", recorded_as=("ana", "old"))
    free = plan_people(PROGRAM, wanted("ana", "new"), alone, several=False).actions
    assert AddNote in [type(a) for a in free]
    # two added, one dropped: not a rename one for one
    two = plan_people(
        PROGRAM, wanted("new", "x", "ana"), existing("new", "x", "ana", recorded_as=("old", "ana"))
    )
    assert AddNote in [type(a) for a in two.actions]


def test_each_change_has_its_own_note_marker() -> None:
    assert change_id(("a", "b"), ("c", "b")) == change_id(("B", "A"), ("b", "c"))
    assert change_id(("a", "b"), ("c", "b")) != change_id(("c", "b"), ("a", "b"))


def test_an_issue_whose_people_change_is_not_counted_unchanged() -> None:
    people = plan_people(PROGRAM, wanted("new"), existing("old", recorded_as=("old",)))
    assert joined(Plan(unchanged=1), people).unchanged == 0
    assert joined(Plan(unchanged=1), Plan()).unchanged == 1


def test_a_record_written_alone_joins_the_issues_own_description_update() -> None:
    issue = existing("ana", recorded_as=None)
    progress = Edits((("progress", "figures\n"),))
    own = UpdateDescription(
        "demo",
        KEY,
        7,
        "progress",
        issue.description,
        apply_edits(issue.description, progress),
        progress,
    )
    people = plan_people(PROGRAM, wanted("ana"), issue)
    (merged,) = joined(Plan((own,)), people).actions
    assert isinstance(merged, UpdateDescription) and merged.block == "progress, assigned"
    assert recorded(merged.after) == ("ana",) and "figures" in merged.after
    assert apply_edits(issue.description, merged.edits) == merged.after
    # with nothing else to write, the record is its own update; a change of people never joins
    assert joined(Plan(), people) == people
    swap = plan_people(PROGRAM, wanted("new"), existing("ana", recorded_as=("ana",)))
    assert len(joined(Plan((own,)), swap).actions) == 1 + len(swap.actions)
