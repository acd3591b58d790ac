"""The planner: pure comparison of desired and observed issues into actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from automation.actions import (
    AddNote,
    AddToEpic,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Observed,
    Plan,
    UpdateDescription,
    UpdateLabels,
)
from automation.blocks import Blocks
from automation.desired import DesiredEpic, DesiredIssue, DesiredProgram
from automation.epics import LINK_CAP, NO_EPICS, links_full_warning
from automation.items import IssueLinks, ObservedEpic, ObservedIssue
from automation.markers import begin_marker, end_marker, identity_marker
from automation.planner import plan_program
from automation.progress import label_changes, label_specs
from automation.rendering import Renderer
from tests.projects import demo_program

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
PROGRAM = demo_program(("One", "Two"))
BODY = "## One\n- [ ] a\n- [ ] b\n## Two\n- [ ] c\n"


def desired(body: str = BODY, due: dt.date | None = None) -> DesiredProgram:
    key = "demo/c1/ana"
    issue = DesiredIssue(
        key,
        "Demo: Ana",
        f"{identity_marker(key)}\n{body}",
        ("program::demo",),
        "Ana",
        "C1",
        ("ana",),
        due,
    )
    tracking = DesiredIssue(
        "demo/tracking",
        "Demo tracking",
        f"{identity_marker('demo/tracking')}\nintro\n",
        ("program::demo",),
        "Demo",
    )
    return DesiredProgram(PROGRAM, (issue,), tracking)


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", ["ana"]))


ALL_LABELS = frozenset(spec.name for spec in label_specs(PROGRAM))


def seen(issues: Sequence[ObservedIssue], labels: frozenset[str] = ALL_LABELS) -> Observed:
    """What a tracker with epics shows: these issues and labels, no epics yet."""
    return Observed(tuple(issues), labels, ())


def observe(plan: Plan) -> list[ObservedIssue]:
    """What a tracker would hold after carrying out the plan's creates."""
    creates = [a for a in plan.actions if isinstance(a, CreateIssue)]
    return [
        ObservedIssue(
            iid=i,
            title=a.issue.title,
            description=a.issue.description,
            labels=a.issue.labels,
            due_date=a.issue.due_date,
        )
        for i, a in enumerate(creates, start=1)
    ]


def test_first_plan_provisions_labels_before_creating_issues(blocks: Blocks) -> None:
    plan = plan_program(desired(), seen([], frozenset()), blocks, TODAY)
    kinds = [type(a) for a in plan.actions]
    assert kinds.index(CreateIssue) > max(i for i, k in enumerate(kinds) if k is CreateLabel)
    assert {a.spec.name for a in plan.actions if isinstance(a, CreateLabel)} == ALL_LABELS
    issue = next(a.issue for a in plan.actions if isinstance(a, CreateIssue))
    assert set(issue.labels) == {
        "program::demo",
        "phase::One",
        "progress::0%",
        "status::not started",
    }


def test_plan_after_create_is_empty(blocks: Blocks) -> None:
    first = plan_program(desired(), seen([], ALL_LABELS), blocks, TODAY)
    second = plan_program(desired(), seen(observe(first), ALL_LABELS), blocks, TODAY)
    rollup = [a for a in second.actions if isinstance(a, UpdateDescription)]
    assert [a.key for a in rollup] == ["demo/tracking"]  # references known now
    tracking = observe(first)[1]
    after = ObservedIssue(iid=2, title="t", description=rollup[0].after, labels=tracking.labels)
    third = plan_program(desired(), seen([observe(first)[0], after], ALL_LABELS), blocks, TODAY)
    assert third.empty and third.unchanged == 2


def test_ticked_tasks_update_block_and_labels_but_keep_the_ticks(blocks: Blocks) -> None:
    created = observe(plan_program(desired(), seen([], ALL_LABELS), blocks, TODAY))
    ticked = created[0].description.replace("- [ ] a\n- [ ] b", "- [x] a\n- [x] b")
    issue = ObservedIssue(1, "Renamed by a person", ticked, (*created[0].labels, "keep-me"))
    plan = plan_program(desired(), seen([issue, created[1]], ALL_LABELS), blocks, TODAY)
    update = next(a for a in plan.actions if isinstance(a, UpdateDescription) and a.iid == 1)
    assert "- [x] a\n- [x] b" in update.after
    assert (
        update.after.split(begin_marker("progress"))[0] == ticked.split(begin_marker("progress"))[0]
    )
    labels = next(a for a in plan.actions if isinstance(a, UpdateLabels))
    assert labels.add == ("phase::Two", "progress::50-74%", "status::in progress")
    assert labels.remove == ("phase::One", "progress::0%", "status::not started")


def test_overdue_when_past_due_and_incomplete(blocks: Blocks) -> None:
    due = dt.date(2026, 11, 1)
    plan = plan_program(desired(due=due), seen([], ALL_LABELS), blocks, TODAY)
    issue = next(a.issue for a in plan.actions if isinstance(a, CreateIssue))
    assert "status::overdue" in issue.labels


def test_damaged_block_fails_the_item_and_leaves_it_alone(blocks: Blocks) -> None:
    key = "demo/c1/ana"
    text = f"{identity_marker(key)}\n{BODY}{begin_marker('progress')}\nno end\n"
    issue = ObservedIssue(1, "t", text, ("program::demo",))
    plan = plan_program(desired(), seen([issue], ALL_LABELS), blocks, TODAY)
    assert [f.key for f in plan.failures] == [key]
    assert "end marker is missing" in plan.failures[0].message
    assert not [a for a in plan.actions if getattr(a, "iid", None) == 1]


def test_two_issues_with_one_key_fail_instead_of_guessing(blocks: Blocks) -> None:
    key = "demo/c1/ana"
    twins = [ObservedIssue(i, "t", f"{identity_marker(key)}\n{BODY}", ()) for i in (3, 7)]
    plan = plan_program(desired(), seen(twins, ALL_LABELS), blocks, TODAY)
    assert "issues #3 and #7 carry the same key" in plan.failures[0].message
    assert not [a for a in plan.actions if isinstance(a, CreateIssue) and a.issue.key == key]


def test_issue_no_longer_in_config_is_left_alone_with_a_warning(blocks: Blocks) -> None:
    gone = ObservedIssue(9, "t", f"{identity_marker('demo/c1/zed')}\n{BODY}", ())
    plan = plan_program(desired(), seen([gone], ALL_LABELS), blocks, TODAY)
    assert plan.warnings == (
        "issue #9 has key 'demo/c1/zed', which the configuration no "
        "longer defines; it was left as it is; if it is no longer needed, close it (this "
        "warning stops once it is closed)",
    )
    assert not [a for a in plan.actions if getattr(a, "iid", None) == 9]


def test_people_labels_in_managed_scopes_go_beside_the_tools_unchanged_value(
    blocks: Blocks,
) -> None:
    """As on Premium, where a person's value takes the tool's off and the tool's, put back,
    takes the person's off (a Free trial: two `status::` labels on an issue for a month)."""
    created = observe(plan_program(desired(), seen([], ALL_LABELS), blocks, TODAY))
    mine = ObservedIssue(
        1, "t", created[0].description, (*created[0].labels, "status::blocked", "phase::custom")
    )
    plan = plan_program(desired(), seen([mine, created[1]], ALL_LABELS), blocks, TODAY)
    (labels,) = [a for a in plan.actions if isinstance(a, UpdateLabels) and a.iid == 1]
    assert (labels.add, labels.remove) == ((), ("phase::custom", "status::blocked"))


def test_a_value_the_tool_sets_replaces_its_scopes_other_values_and_nothing_else(
    blocks: Blocks,
) -> None:
    """GitLab Free keeps every value of a scope: a phase renamed in configuration (its old
    label no longer one the program names) goes when the tool sets the new phase, as
    Premium would drop it; labels of other scopes, and scopes the tool sets no value of
    this time, stay."""
    created = observe(plan_program(desired(), seen([], ALL_LABELS), blocks, TODAY))
    ticked = created[0].description.replace("- [ ] a\n- [ ] b", "- [x] a\n- [x] b")
    others = ("phase::Renamed away", "team::phase::x", "program::other", "status::blocked")
    issue = ObservedIssue(1, "t", ticked, (*created[0].labels, *others))
    plan = plan_program(desired(), seen([issue, created[1]], ALL_LABELS), blocks, TODAY)
    labels = next(a for a in plan.actions if isinstance(a, UpdateLabels))
    assert labels.add == ("phase::Two", "progress::50-74%", "status::in progress")
    assert labels.remove == (
        "phase::One",
        "phase::Renamed away",
        "progress::0%",
        "status::blocked",
        "status::not started",
    )


def test_a_complete_issue_keeps_no_phase_value_and_an_issue_without_phases_keeps_peoples() -> None:
    """Complete: no phase value is the tool's, so an old one (a phase renamed as the issue
    completed) goes; an issue without phases keeps a `phase::` label a person put on it, as
    Premium would (a reviewer saw it taken off a group's monthly issue)."""
    removable = frozenset({"phase::One", "status::in progress", "progress::0%"})
    done = frozenset({"status::complete", "progress::100%"})
    _, remove = label_changes(("phase::Old name", "status::in progress"), done, removable)
    assert remove == ("phase::Old name", "status::in progress")
    going = frozenset({"status::in progress", "progress::1-24%"})
    _, remove = label_changes(("phase::Customer review", "progress::0%"), going, removable)
    assert remove == ("progress::0%",)


def test_block_end_marker_text_stays_intact_on_update(blocks: Blocks) -> None:
    plan = plan_program(desired(), seen([], ALL_LABELS), blocks, TODAY)
    issue = next(a.issue for a in plan.actions if isinstance(a, CreateIssue))
    assert issue.description.rstrip().endswith(end_marker("progress"))
    assert "[ ]" not in issue.description.split(begin_marker("progress"))[1]


def with_epics() -> DesiredProgram:
    base = desired()
    issue = replace(base.issues[0], epic_key="demo/c1/epic")
    tracking = replace(base.tracking, epic_key="demo/epic")
    epics = (
        DesiredEpic("demo/epic", "Demo", f"{identity_marker('demo/epic')}\n", ("program::demo",)),
        DesiredEpic(
            "demo/c1/epic", "Demo: C1", f"{identity_marker('demo/c1/epic')}\n", ("program::demo",)
        ),
    )
    return DesiredProgram(PROGRAM, (issue,), tracking, epics)


def epic(iid: int, key: str) -> ObservedEpic:
    return ObservedEpic(iid, 100 + iid, key, f"{identity_marker(key)}\n", ("program::demo",))


def test_missing_epics_are_created_then_filled(blocks: Blocks) -> None:
    created = observe(plan_program(with_epics(), seen([]), blocks, TODAY))
    first = plan_program(with_epics(), seen(created), blocks, TODAY)
    assert [a.epic.key for a in first.actions if isinstance(a, CreateEpic)] == [
        "demo/epic",
        "demo/c1/epic",
    ]
    epics = (epic(1, "demo/epic"), epic(2, "demo/c1/epic"))
    second = plan_program(with_epics(), Observed(tuple(created), ALL_LABELS, epics), blocks, TODAY)
    homes = {(a.key, a.epic_iid) for a in second.actions if isinstance(a, AddToEpic)}
    assert homes == {("demo/c1/ana", 2), ("demo/tracking", 1)}


def test_issue_already_in_an_epic_is_left_where_it_is(blocks: Blocks) -> None:
    created = [
        replace(i, epic=77) for i in observe(plan_program(with_epics(), seen([]), blocks, TODAY))
    ]
    epics = (epic(1, "demo/epic"), epic(2, "demo/c1/epic"))
    plan = plan_program(with_epics(), Observed(tuple(created), ALL_LABELS, epics), blocks, TODAY)
    assert not [a for a in plan.actions if isinstance(a, AddToEpic | CreateEpic)]


def test_without_epics_tracked_issues_are_linked_to_the_tracking_issue(blocks: Blocks) -> None:
    created = observe(plan_program(with_epics(), seen([]), blocks, TODAY))
    plan = plan_program(with_epics(), Observed(tuple(created), ALL_LABELS, None), blocks, TODAY)
    links = [(a.iid, a.target_iid) for a in plan.actions if isinstance(a, LinkIssues)]
    assert links == [(2, 1)]
    assert plan.notices == (NO_EPICS,)
    linked = plan_program(
        with_epics(),
        Observed(tuple(created), ALL_LABELS, None, IssueLinks(frozenset({1}))),
        blocks,
        TODAY,
    )
    assert not [a for a in linked.actions if isinstance(a, LinkIssues)]


def test_links_to_other_projects_issues_count_towards_the_cap(blocks: Blocks) -> None:
    """GitLab's 100 links per issue count every related issue: a tracking issue related to
    100 issues of other projects (one of them #1 there) has no room for its own issue #1."""
    created = observe(plan_program(with_epics(), seen([]), blocks, TODAY))
    elsewhere = IssueLinks(frozenset(), elsewhere=LINK_CAP)
    observed = Observed(tuple(created), ALL_LABELS, None, elsewhere)
    plan = plan_program(with_epics(), observed, blocks, TODAY)
    assert not [a for a in plan.actions if isinstance(a, LinkIssues)]
    assert "1 issues of demo are not linked to tracking issue #2" in plan.notices[1]


def test_the_link_cap_note_and_warning_say_where_the_unlinked_issues_are_found(
    blocks: Blocks,
) -> None:
    """The tracking issue's table is capped too (150 rows): the words say so, and name the
    label that finds every issue, rather than claim the table lists every one."""
    created = observe(plan_program(with_epics(), seen([]), blocks, TODAY))
    full = Observed(tuple(created), ALL_LABELS, None, IssueLinks(elsewhere=LINK_CAP))
    note = plan_program(with_epics(), full, blocks, TODAY).notices[1]
    warning = links_full_warning(LinkIssues("demo", "demo/c1/ana", 2, 1))
    where = "The tracking issue's table lists up to 150 of the program's issues, those that"
    label = "the label program::demo finds every one"
    assert where in note and label in note and "lists every issue" not in note
    assert where in warning and label in warning and "lists every issue" not in warning


def test_another_round_follows_only_a_description_written_for_the_next_round() -> None:
    """An index issue refilled while the tracking issue holds the whole index: the next round
    moves the tracking issue to the pointer. Not after a note or a label on those keys, nor
    when the write failed (the next run tries again)."""
    plan = Plan(again=frozenset({"p/tracking/index", "p/tracking"}))
    written = UpdateDescription("p", "p/tracking/index", 7, "keys", "a", "b")
    assert plan.more_after([written])
    assert not plan.more_after([AddNote("p", "p/tracking", 8, "digest")])
    assert not plan.more_after([UpdateLabels("p", "p/tracking", 8, ("x",), ())])
    refused = Failure("p", "p/tracking/index", "422", 7)
    assert not plan.more_after([written], [refused])
    assert not Plan().more_after([written])


def test_a_moved_issue_is_said_until_its_due_date_passes(blocks: Blocks) -> None:
    """A reviewer's: the warning about an issue moved to another project never stopped for
    an item that has no end (a hire without a workshop); it stops once its due date passed."""
    due = TODAY + dt.timedelta(days=1)
    first = plan_program(desired(due=due), seen([]), blocks, TODAY)
    made = next(i for i in observe(first) if i.key == "demo/c1/ana")
    moved = replace(made, state="closed", moved_to=99, due_date=due)
    for day, expected in ((TODAY, True), (due, True), (due + dt.timedelta(days=1), False)):
        plan = plan_program(desired(due=due), seen([moved]), blocks, day)
        assert any("was moved to another project" in w for w in plan.warnings) is expected, day


def test_a_value_a_person_adds_beside_the_tools_in_its_scope_goes_as_on_premium() -> None:
    """A Free trial: a person's `status::blocked` stayed beside the tool's unchanged
    `status::in progress` for a month (GitLab Free keeps both; Premium, one); a label of
    another scope stays."""
    removable = frozenset({"status::in progress", "progress::0%"})
    wanted = frozenset({"status::in progress", "progress::1-24%"})
    have = ("status::in progress", "status::blocked", "progress::1-24%", "team::north")
    assert label_changes(have, wanted, removable) == ((), ("status::blocked",))
