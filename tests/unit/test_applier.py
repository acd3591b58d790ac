"""The applier on its own: each kind of action becomes its tracker write (on the in-memory
tracker), nothing is written when the text read just before writing is already right, and a
note is never posted twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import get_args

import pytest

from automation.actions import (
    Action,
    AddNote,
    AddToEpic,
    CloseIssue,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Plan,
    Remind,
    ReopenIssue,
    UpdateAssignees,
    UpdateDescription,
    UpdateDueDate,
    UpdateEpic,
    UpdateLabels,
)
from automation.applier import Writer, execute
from automation.edits import Edits
from automation.errors import ItemError
from automation.items import NewEpic, NewIssue, ObservedIssue
from automation.markers import begin_marker, end_marker, identity_marker
from automation.progress import LabelSpec
from tests.memory import MemoryTracker

KEY = "demo/c1/ana"
LABEL = "program::demo"
NOTE = "<!-- automation:note completed -->\nCongratulations @ana!"
JANUARY, FEBRUARY, MARCH = dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)


def block(name: str, content: str) -> str:
    return f"{begin_marker(name)}\n{content}{end_marker(name)}\n"


def description(progress: str = "") -> str:
    return f"{identity_marker(KEY)}\n## One\n- [ ] task\n{block('progress', progress)}"


def new_issue(key: str = KEY, text: str | None = None) -> NewIssue:
    text = text if text is not None else description()
    return NewIssue(key, "Ana", text, (LABEL,), ("ana",), dt.date(2027, 1, 31), True)


@pytest.fixture
def tracker() -> MemoryTracker:
    return MemoryTracker()


@pytest.fixture
def ana(tracker: MemoryTracker) -> ObservedIssue:
    return tracker.create_issue(new_issue())


def progress(iid: int, content: str) -> UpdateDescription:
    edits = Edits(blocks=(("progress", content),))
    return UpdateDescription("demo", KEY, iid, "progress", "", "", edits)


# -- every kind of action, one by one --------------------------------------------------------


def test_create_label(tracker: MemoryTracker) -> None:
    spec = LabelSpec(LABEL, "#6699cc", "Demo program")
    outcome = execute(Plan((CreateLabel(spec),)), tracker)
    assert tracker.labels == {LABEL: spec}
    assert outcome.done == [CreateLabel(spec)] and not outcome.failures


def test_create_issue(tracker: MemoryTracker) -> None:
    assert not execute(Plan((CreateIssue("demo", new_issue()),)), tracker).failures
    (created,) = tracker.all_issues()
    assert (created.key, created.title, created.labels) == (KEY, "Ana", (LABEL,))
    assert (created.assignees, created.due_date, created.confidential) == (
        ("ana",),
        dt.date(2027, 1, 31),
        True,
    )
    assert created.description == description()


def test_create_issue_makes_a_mention_of_no_user_inert(tracker: MemoryTracker) -> None:
    text = description() + "Ask @all or @ana.\n"
    writer = Writer(tracker)
    assert not execute(
        Plan((CreateIssue("demo", new_issue(text=text)),)), tracker, writer=writer
    ).failures
    (created,) = tracker.all_issues()
    assert "@ana." in created.description and "@all" not in created.description
    assert [program for program, _ in writer.warnings] == ["demo"]


def test_update_description(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    outcome = execute(Plan((progress(ana.iid, "50%\n"),)), tracker)
    assert tracker.issues[ana.iid].description == description("50%\n")
    assert len(outcome.done) == 1


def test_update_labels_keeps_the_labels_people_added(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.update_labels(ana.iid, ["needs-attention", "phase::One"], [])
    action = UpdateLabels("demo", KEY, ana.iid, ("phase::Two",), ("phase::One",))
    assert not execute(Plan((action,)), tracker).failures
    assert tracker.issues[ana.iid].labels == [LABEL, "needs-attention", "phase::Two"]


def test_update_assignees_keeps_someone_a_person_assigned(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.set_assignees(ana.iid, ["ana", "helper"])  # a person added a helper
    action = UpdateAssignees("demo", KEY, ana.iid, ("bo",), ("ana",), ("bo",))
    outcome = execute(Plan((action,)), tracker)
    assert tracker.issues[ana.iid].assignees == ["bo", "helper"]
    assert outcome.done == [action]


def test_update_assignees_already_made_writes_nothing(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    action = UpdateAssignees("demo", KEY, ana.iid, ("ana",), (), ("ana",))
    writes = tracker.writes
    outcome = execute(Plan((action,)), tracker)
    assert tracker.writes == writes and not outcome.done and not outcome.failures


def test_a_due_date_moves_when_it_is_still_the_one_the_tool_set(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.set_due_date(ana.iid, JANUARY)
    outcome = execute(Plan((UpdateDueDate("demo", KEY, ana.iid, JANUARY, MARCH),)), tracker)
    assert tracker.issues[ana.iid].due_date == MARCH
    assert len(outcome.done) == 1


def test_a_due_date_a_person_set_during_the_run_stays(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.set_due_date(ana.iid, FEBRUARY)  # after the run listed the issue due in January
    writes = tracker.writes
    outcome = execute(Plan((UpdateDueDate("demo", KEY, ana.iid, JANUARY, MARCH),)), tracker)
    assert tracker.issues[ana.iid].due_date == FEBRUARY
    assert tracker.writes == writes and not outcome.done and not outcome.failures


def test_add_note(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    assert not execute(Plan((AddNote("demo", KEY, ana.iid, NOTE),)), tracker).failures
    assert tracker.notes[ana.iid] == [NOTE]


def test_close_and_reopen_issue(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    assert not execute(Plan((CloseIssue("demo", KEY, ana.iid),)), tracker).failures
    assert tracker.issues[ana.iid].state == "closed"
    assert not execute(Plan((ReopenIssue("demo", KEY, ana.iid),)), tracker).failures
    assert tracker.issues[ana.iid].state == "opened"


def test_create_epic_and_add_an_issue_to_it(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    epic = NewEpic("demo/c1/epic", "C1", f"{identity_marker('demo/c1/epic')}\n", (LABEL,))
    assert not execute(Plan((CreateEpic("demo", epic),)), tracker).failures
    (created,) = tracker.program_epics(LABEL)
    assert (created.key, created.title) == ("demo/c1/epic", "C1")
    assert not execute(Plan((AddToEpic("demo", KEY, created.iid, ana),)), tracker).failures
    assert tracker.issues[ana.iid].epic == created.iid


def test_an_issue_in_that_epic_already_is_not_counted_as_added(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    """GitLab answers 409 "Issue(s) already assigned" and changes nothing: not an update."""
    epic = tracker.create_epic(NewEpic("demo/c1/epic", "C1", identity_marker("demo/c1/epic"), ()))
    add = Plan((AddToEpic("demo", KEY, epic.iid, ana),))
    assert execute(add, tracker).done == list(add.actions)
    again = execute(add, tracker)
    assert (again.done, again.failures) == ([], [])
    assert tracker.issues[ana.iid].epic == epic.iid


def test_link_issues_relates_both(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    tracking = tracker.create_issue(new_issue("demo/tracking", identity_marker("demo/tracking")))
    assert not execute(Plan((LinkIssues("demo", KEY, ana.iid, tracking.iid),)), tracker).failures
    assert tracker.issue_links(ana.iid).iids == {tracking.iid}
    assert tracker.issue_links(tracking.iid).iids == {ana.iid}


def test_update_epic_renames_its_identity_line_and_label(tracker: MemoryTracker) -> None:
    old, new = "demo/old/epic", "demo/c1/epic"
    created = tracker.create_epic(NewEpic(old, "C1", f"{identity_marker(old)}\nbody\n", (LABEL,)))
    edits = Edits(identity=new, former=(old,))
    action = UpdateEpic("demo", new, created.iid, "", "", edits, ("program::new",), (LABEL,))
    assert not execute(Plan((action,)), tracker).failures
    epic = tracker.get_epic(created.iid)
    assert epic is not None
    assert (epic.key, epic.description, epic.labels) == (
        new,
        f"{identity_marker(new)}\nbody\n",
        ("program::new",),
    )
    writes = tracker.writes
    assert not execute(Plan((action,)), tracker).done  # done already: nothing written
    assert tracker.writes == writes


def examples(tracker: MemoryTracker, ana: ObservedIssue) -> dict[type[Action], Action]:
    """One action of each kind, on ANA or on items made for it."""
    epic = NewEpic("demo/e", "E", identity_marker("demo/e"), (LABEL,))
    tracking = tracker.create_issue(new_issue("demo/t", identity_marker("demo/t")))
    tracker.close_issue(tracking.iid)  # for ReopenIssue
    actions: list[Action] = [
        CreateLabel(LabelSpec("x", "#000000", "x")),
        CreateIssue("demo", new_issue("demo/c1/bo")),
        progress(ana.iid, "1%\n"),
        UpdateLabels("demo", KEY, ana.iid, ("x",), ()),
        UpdateAssignees("demo", KEY, ana.iid, ("bo",), (), ("bo",)),
        UpdateDueDate("demo", KEY, ana.iid, JANUARY, MARCH),
        AddNote("demo", KEY, ana.iid, NOTE),
        CloseIssue("demo", KEY, ana.iid),
        ReopenIssue("demo", "demo/t", tracking.iid),
        CreateEpic("demo", epic),
        AddToEpic("demo", KEY, tracker.create_epic(epic).iid, ana),
        LinkIssues("demo", KEY, ana.iid, tracking.iid),
        UpdateEpic("demo", "demo/e", tracker.create_epic(epic).iid, "", "", Edits(), ("x",)),
        Remind("demo", KEY, ana.iid, "<!-- automation:note reminder r 2026-12-04 -->\nDo it"),
    ]
    return {type(action): action for action in actions}


def test_every_kind_of_action_has_an_example(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    assert set(examples(tracker, ana)) == set(get_args(Action))


@pytest.mark.parametrize("kind", get_args(Action), ids=lambda kind: kind.__name__)
def test_each_kind_of_action_makes_one_write_and_is_done(
    tracker: MemoryTracker, ana: ObservedIssue, kind: type[Action]
) -> None:
    action = examples(tracker, ana)[kind]
    before, writes = tracker.fingerprint(), tracker.writes
    outcome = execute(Plan((action,)), tracker)
    assert outcome.done == [action] and not outcome.failures
    assert tracker.writes == writes + 1
    assert tracker.fingerprint() != before


# -- reading again just before writing --------------------------------------------------------


def test_a_description_already_right_when_read_again_is_not_written(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.edit(ana.iid, lambda _: description("50%\n"))  # another run wrote it meanwhile
    writes = tracker.writes
    outcome = execute(Plan((progress(ana.iid, "50%\n"),)), tracker)
    assert not outcome.done and not outcome.failures
    assert tracker.writes == writes


def test_a_description_and_its_labels_are_one_write(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    writes = tracker.writes
    relabel = UpdateLabels("demo", KEY, ana.iid, ("progress::50",), (LABEL,))
    outcome = execute(Plan((progress(ana.iid, "50%\n"), relabel)), tracker)
    stored = tracker.issues[ana.iid]
    assert (stored.description, stored.labels) == (description("50%\n"), ["progress::50"])
    assert tracker.writes == writes + 1
    assert outcome.done == [progress(ana.iid, "50%\n"), relabel]


def test_labels_are_still_changed_when_the_description_is_already_right(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.edit(ana.iid, lambda _: description("50%\n"))  # another run wrote it meanwhile
    relabel = UpdateLabels("demo", KEY, ana.iid, ("progress::50",), ())
    outcome = execute(Plan((progress(ana.iid, "50%\n"), relabel)), tracker)
    assert tracker.issues[ana.iid].labels == [LABEL, "progress::50"]
    assert outcome.done == [relabel]


def test_label_changes_of_another_issue_are_not_joined_to_a_description(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    other = tracker.create_issue(new_issue("demo/c1/ben"))
    writes = tracker.writes
    relabel = UpdateLabels("demo", "demo/c1/ben", other.iid, ("progress::50",), ())
    assert not execute(Plan((progress(ana.iid, "50%\n"), relabel)), tracker).failures
    assert tracker.issues[other.iid].labels == [LABEL, "progress::50"]
    assert tracker.issues[ana.iid].labels == [LABEL]
    assert tracker.writes == writes + 2


def test_a_tick_made_after_planning_is_kept(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    action = progress(ana.iid, "50%\n")
    tracker.edit(ana.iid, lambda text: text.replace("- [ ] task", "- [x] task"))
    assert not execute(Plan((action,)), tracker).failures
    text = tracker.issues[ana.iid].description
    assert "- [x] task" in text and block("progress", "50%\n") in text


def test_an_issue_deleted_during_the_run_is_a_failure_and_the_rest_goes_on(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    del tracker.issues[ana.iid]
    label = CreateLabel(LabelSpec(LABEL, "#6699cc", "Demo"))
    outcome = execute(Plan((progress(ana.iid, "1%\n"), label)), tracker)
    assert outcome.failures == [
        Failure("demo", KEY, f"issue #{ana.iid} was deleted during the run", ana.iid)
    ]
    assert outcome.done == [label]


def test_a_damaged_block_is_a_failure_and_the_issue_is_left_alone(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    tracker.edit(ana.iid, lambda text: text.replace(end_marker("progress"), ""))
    before = tracker.issues[ana.iid].description
    outcome = execute(Plan((progress(ana.iid, "1%\n"),)), tracker)
    assert [failure.key for failure in outcome.failures] == [KEY]
    assert tracker.issues[ana.iid].description == before


def test_a_marker_moved_above_the_checklist_during_the_run_leaves_the_issue_alone(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    """After the plan, before its write, a person drags the progress block's begin marker
    above their ticked checklist: the write would replace it. It fails; the text is theirs."""
    begin = begin_marker("progress")

    def drag(text: str) -> str:
        text = text.replace("- [ ] task", "- [x] task").replace(f"{begin}\n", "")
        return text.replace("## One\n", f"{begin}\n## One\n")

    tracker.edit(ana.iid, drag)
    before = tracker.issues[ana.iid].description
    outcome = execute(Plan((progress(ana.iid, "100%\n"),)), tracker)
    (failure,) = outcome.failures
    assert "it holds a task" in failure.message
    assert tracker.issues[ana.iid].description == before


# -- notes ------------------------------------------------------------------------------------


def test_a_note_is_never_posted_twice(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    note = AddNote("demo", KEY, ana.iid, NOTE)
    writer = Writer(tracker)
    first = execute(Plan((note, note)), tracker, writer=writer)  # twice in one plan
    again = execute(Plan((note,)), tracker, writer=writer)  # a later round of the run
    later = execute(Plan((note,)), tracker)  # a later run, with a new writer
    assert tracker.notes[ana.iid] == [NOTE]
    assert first.done == [note] and not again.done and not later.done


def test_an_issue_closed_once_and_reopened_by_a_person_stays_open(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    marker = NOTE.split("\n", 1)[0]
    close = CloseIssue("demo", KEY, ana.iid, unless_note=marker)
    assert not execute(Plan((close, AddNote("demo", KEY, ana.iid, NOTE))), tracker).failures
    assert tracker.issues[ana.iid].state == "closed"
    tracker.set_state(ana.iid, "opened")  # a person reopened it
    assert not execute(Plan((close,)), tracker).done
    assert tracker.issues[ana.iid].state == "opened"


# -- failures ----------------------------------------------------------------------------------


def test_an_item_the_plan_failed_is_never_written(
    tracker: MemoryTracker, ana: ObservedIssue
) -> None:
    failure = Failure("demo", KEY, "damaged block", ana.iid)
    outcome = execute(Plan((progress(ana.iid, "1%\n"),), (failure,)), tracker)
    assert outcome.failures == [failure] and not outcome.done
    assert tracker.issues[ana.iid].description == description()


def test_a_label_that_could_not_be_created_is_named_by_no_issue() -> None:
    class NoLabels(MemoryTracker):
        def create_label(self, spec: LabelSpec) -> None:
            raise ItemError(f"cannot create {spec.name}")

    tracker = NoLabels()
    label = CreateLabel(LabelSpec(LABEL, "#6699cc", "Demo"))
    outcome = execute(Plan((label, CreateIssue("demo", new_issue()))), tracker)
    assert [f.key for f in outcome.failures] == [f"label:{LABEL}", KEY]
    assert "could not be created" in outcome.failures[1].message
    assert not tracker.issues


def test_listeners_hear_each_write_in_order(tracker: MemoryTracker, ana: ObservedIssue) -> None:
    heard: list[Action] = []
    listen: Callable[[Action], None] = heard.append
    actions = (UpdateLabels("demo", KEY, ana.iid, ("x",), ()), progress(ana.iid, "1%\n"))
    assert not execute(Plan(actions), tracker, listen).failures
    assert heard == list(actions)
