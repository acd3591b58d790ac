"""The locality test an incremental plan will rest on (docs/incremental-planning.md, section 3),
checked against the full plan: the shipped programs are synced until nothing is left to do,
then a person changes one issue in one of the ways people do, and the whole program is
planned again. When `local_change` calls the change local, the full plan may write only that
issue and its `dependents`, fail nothing and create nothing; a tick must be local. The same
holds on days through a year of ticks (groups starting and ending, checkpoints, accounts)."""

from __future__ import annotations

import copy
import datetime as dt
import random
import shutil
from collections.abc import Callable
from dataclasses import replace

import pytest

from automation.actions import CreateEpic, CreateIssue
from automation.desired import DesiredProgram
from automation.index import HEADER
from automation.items import ObservedIssue
from automation.locality import Footprint, blocks_digest, dependents, local_change
from automation.markers import block_content
from automation.planner import ledger_rows, plan_program
from automation.rowledger import StaleLedger, decode_row, encode_row
from automation.run import Prepared, make_plan, observe, prepare
from tests.conftest import REPO
from tests.memory import MemoryTracker, memory_for, run_apply

DAY = dt.date(2026, 12, 7)
YEAR = [dt.date(2027, 1, 18), dt.date(2027, 3, 15), dt.date(2027, 6, 14), dt.date(2027, 10, 4)]
LEAVES = {  # before the runs of these days: a participant leaves, an account goes back
    YEAR[1]: {"csm-aspiring-leaders.yml": ("      - lena.fischer\n", "")},
    YEAR[2]: {
        "executive-sponsorship.yml": (
            "{id: initech, name: Initech, sponsor: dana.whitfield, status: approved,",
            "{id: initech, name: Initech, sponsor: dana.whitfield, status: proposed,",
        )
    },
}
Edit = Callable[[MemoryTracker, ObservedIssue, random.Random], None]


def _text(change: Callable[[str], str]) -> Edit:
    return lambda tracker, issue, _rng: tracker.edit(issue.iid, change)


def _nth(text: str, old: str, new: str, rng: random.Random) -> str:
    spots = [i for i in range(len(text)) if text.startswith(old, i)]
    if not spots:
        return text
    at = rng.choice(spots)
    return text[:at] + new + text[at + len(old) :]


def tick(tracker: MemoryTracker, issue: ObservedIssue, rng: random.Random) -> None:
    tracker.edit(issue.iid, lambda t: _nth(t, "- [ ]", "- [x]", rng))


def untick(tracker: MemoryTracker, issue: ObservedIssue, rng: random.Random) -> None:
    tracker.edit(issue.iid, lambda t: _nth(t, "- [x]", "- [ ]", rng))


def paste_first_line(tracker: MemoryTracker, issue: ObservedIssue, rng: random.Random) -> None:
    other = rng.choice([i for i in tracker.all_issues() if i.key and i.iid != issue.iid])
    line = other.description.split("\n", 1)[0]
    tracker.edit(issue.iid, lambda t: line + "\n" + t.split("\n", 1)[1])


def relabel(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker.update_labels(issue.iid, [], [label for label in issue.labels if "program" in label])


def end(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker.update_labels(issue.iid, ["status::ended"], [])


def close(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker.set_state(issue.iid, "closed" if issue.state == "opened" else "opened")


def flip_confidential(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker._change(issue.iid, confidential=not issue.confidential)


def retitle(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker._change(issue.iid, title=issue.title + " (renamed)")


def assign(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker.set_assignees(issue.iid, [*issue.assignees, "alice"])


def move_due(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracker.set_due_date(issue.iid, DAY + dt.timedelta(days=40))


def edit_a_block(tracker: MemoryTracker, issue: ObservedIssue, rng: random.Random) -> None:
    tracker.edit(issue.iid, lambda t: _nth(t, " -->\n", " -->\nA person's line.\n", rng))


def paste_index(tracker: MemoryTracker, issue: ObservedIssue, _rng: random.Random) -> None:
    tracking = next(i for i in tracker.all_issues() if "automation:begin index" in i.description)
    index = block_content(tracking.description, "index") or ""
    tracker.edit(issue.iid, lambda t: t + "\n" + index)


EDITS: dict[str, Edit] = {
    "tick": tick,
    "untick": untick,
    "tick every box": _text(lambda t: t.replace("- [ ]", "- [x]")),
    "write a line": _text(lambda t: t + "\nMet on Tuesday; next steps agreed.\n"),
    "record a score": _text(lambda t: t.replace(": __/10", ": 7/10", 1)),
    "record a score out of range": _text(lambda t: t.replace(": __/10", ": 11/10", 1)),
    "type over a task": _text(lambda t: t.replace("- [ ]", "- [ ] (done by phone)", 1)),
    "delete the key line": _text(lambda t: t.split("\n", 1)[1]),
    "paste another first line": paste_first_line,
    "remove the program label": relabel,
    "label it ended": end,
    "close or reopen": close,
    "flip confidential": flip_confidential,
    "retitle": retitle,
    "assign someone": assign,
    "move the due date": move_due,
    "write inside a block": edit_a_block,
    "type a block's end beside text": _text(
        lambda t: t + "\nsee <!-- automation:end ended --> here\n"
    ),
    "paste the index": paste_index,
}
LOCAL = {
    *("tick", "untick", "tick every box", "write a line", "type over a task", "assign someone"),
    *("record a score", "record a score out of range"),
}
# tried on every tracked issue on the first day (the others on three)
EVERY = {"tick", "tick every box", "record a score", "record a score out of range"}


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Prepared, MemoryTracker]:
    """The shipped programs, synced on DAY until nothing is left to do."""
    root = tmp_path_factory.mktemp("shipped")
    for part in ("config", "templates"):
        shutil.copytree(REPO / part, root / part)
    prepared = prepare(root / "config", root / "templates", DAY)
    tracker = memory_for(prepared)
    run_apply(prepared, tracker, DAY)
    run_apply(prepared, tracker, DAY)
    return prepared, tracker


def _quiet(prepared: Prepared, tracker: MemoryTracker, day: dt.date = DAY) -> list[DesiredProgram]:
    """The programs whose plan is empty and says nothing (section 1, invariant B)."""
    plan = make_plan(prepared, tracker, day)
    assert not plan.actions and not plan.failures, plan
    return [d for d in prepared.programs if d.program.id not in plan.warned]


def _tracked(desired: DesiredProgram, tracker: MemoryTracker) -> list[ObservedIssue]:
    return [i for i in tracker.all_issues() if i.key in desired.by_key]


def _written(plan_actions: tuple[object, ...]) -> set[str]:
    return {str(getattr(a, "key", "")) for a in plan_actions if getattr(a, "iid", None)}


def _only_local_writes(prepared: Prepared, before: MemoryTracker, day: dt.date, name: str) -> int:
    """Each quiet program's issues changed one at a time by the edit NAME (every issue, or
    three): where `local_change` calls it local, the full plan writes that issue and its
    dependents alone, and a plan of them and the others' stubs is the same. How many of those
    plans wrote something."""
    rng = random.Random(f"{name} {day}")
    writes = 0
    for desired in _quiet(prepared, before, day):
        tracked = _tracked(desired, before)
        every = name in EVERY and day == DAY  # through the year: three of each program's
        for issue in tracked if every else rng.sample(tracked, min(3, len(tracked))):
            tracker = copy.deepcopy(before)
            EDITS[name](tracker, issue, rng)
            after = tracker.get_issue(issue.iid)
            assert after is not None
            reason = local_change(Footprint.of(issue), after, desired)
            if name in LOCAL and after != issue:
                assert reason is None, (name, issue.key)
            if reason is not None:
                continue
            plan = make_plan(prepared, tracker, day)
            allowed = {issue.key, *dependents(desired, [str(issue.key)])}
            assert _written(plan.actions) <= allowed, (name, day, issue.key)
            _same_plan_from_stubs(prepared, (before, tracker), desired, allowed, day)
            assert not plan.failures, (name, day, issue.key)
            assert not any(isinstance(a, CreateIssue | CreateEpic) for a in plan.actions)
            writes += bool(plan.actions)
    return writes


def _same_plan_from_stubs(
    prepared: Prepared,
    trackers: tuple[MemoryTracker, MemoryTracker],
    desired: DesiredProgram,
    focus: set[str | None],
    day: dt.date,
) -> None:
    """The program planned from the issues of FOCUS and the stubs of the others' ledger rows
    (written before the change) is the full plan of the real issues after it."""
    before, after = (observe(t, desired, t.label_names(), t.epics_available()) for t in trackers)
    rows = ledger_rows(desired, before, prepared.blocks, day)
    sections, prefix = desired.program.sections, f"{desired.program.id}/"
    written = {key: encode_row(row, sections, prefix) for key, row in rows.items()}
    read = {key: decode_row(line, sections, prefix) for key, line in written.items()}
    kept = {key: row for key, row in read.items() if key not in focus and row is not None}
    assert len(kept) == len(rows.keys() - focus)  # every row read back
    issues = tuple(kept[i.key].stub if i.key in kept else i for i in after.issues)
    stubbed = replace(after, issues=issues)
    full = plan_program(desired, after, prepared.blocks, day)
    stubs = plan_program(desired, stubbed, prepared.blocks, day, kept)
    # the same, but for the count of issues with nothing to write: the shards that hold only
    # kept rows are not planned at all (read as they are)
    assert replace(stubs, unchanged=full.unchanged) == full
    assert stubs.unchanged <= full.unchanged


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_change_called_local_moves_only_its_issue_and_dependents(
    synced: tuple[Prepared, MemoryTracker], name: str
) -> None:
    prepared, before = synced
    assert len(_quiet(prepared, before)) >= 2  # the shipped programs without standing warnings
    writes = _only_local_writes(prepared, before, DAY, name)
    if name in EVERY:  # not a test of nothing: ticks are planned (optional ones are not)
        assert writes


def _days() -> list[dt.date]:
    """The days of YEAR, and the first of each month from the first to the last (as a
    monthly schedule at least runs: no period is missed)."""
    firsts = {dt.date(YEAR[0].year + (m - 1) // 12, (m - 1) % 12 + 1, 1) for m in range(2, 11)}
    return sorted({*YEAR, *firsts})


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Prepared, MemoryTracker, dt.date]]:
    """The shipped programs through a year: a month or two of ticks (a third of the open
    boxes), people and accounts leaving (`LEAVES`), runs on the first of each month, and on each
    of these days runs until nothing is left to do."""
    root = tmp_path_factory.mktemp("year")
    for part in ("config", "templates"):
        shutil.copytree(REPO / part, root / part)
    rng = random.Random(7)
    prepared = prepare(root / "config", root / "templates", YEAR[0])
    tracker = memory_for(prepared)
    states = []
    for day in _days():
        for name, (old, new) in LEAVES.get(day, {}).items():
            path = root / "config" / "programs" / name
            text = path.read_text("utf-8")
            assert old in text, old
            path.write_text(text.replace(old, new), "utf-8")
        prepared = prepare(root / "config", root / "templates", day)
        for issue in tracker.all_issues():
            for _ in range(issue.description.count("- [ ]") // 3):
                tick(tracker, issue, rng)
        run_apply(prepared, tracker, day)
        if day in YEAR:
            run_apply(prepared, tracker, day)
            states.append((prepared, copy.deepcopy(tracker), day))
    return states


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(LOCAL))
@pytest.mark.parametrize("when", range(len(YEAR)))
def test_local_changes_stay_local_through_a_year(
    year: list[tuple[Prepared, MemoryTracker, dt.date]], name: str, when: int
) -> None:
    prepared, tracker, day = year[when]
    _only_local_writes(prepared, tracker, day, name)


def test_a_tick_is_local_and_writes_its_issue_and_rollups(
    synced: tuple[Prepared, MemoryTracker],
) -> None:
    prepared, before = synced
    desired = _quiet(prepared, before)[0]
    issue, task = next(
        (i, line)
        for i in _tracked(desired, before)
        for line in i.description.split("\n")
        if "- [ ]" in line and "Optional" not in line
    )
    tracker = copy.deepcopy(before)
    tracker.edit(issue.iid, lambda t: t.replace(task, task.replace("- [ ]", "- [x]"), 1))
    after = tracker.get_issue(issue.iid)
    assert after is not None and local_change(Footprint.of(issue), after, desired) is None
    written = _written(make_plan(prepared, tracker, DAY).actions)
    assert issue.key in written and desired.tracking.key in written


def test_a_row_whose_issue_is_not_its_stub_is_a_stale_ledger(
    synced: tuple[Prepared, MemoryTracker],
) -> None:
    """A row whose key now resolves to another issue, or whose issue is read whole: planning
    stops, so that the program is planned in full (a stub planned as an issue would read as
    one with no tasks)."""
    prepared, tracker = synced
    desired = _quiet(prepared, tracker)[0]
    observed = observe(tracker, desired, tracker.label_names(), tracker.epics_available())
    rows = ledger_rows(desired, observed, prepared.blocks, DAY)
    with pytest.raises(StaleLedger):
        plan_program(desired, observed, prepared.blocks, DAY, rows)


def test_a_block_marker_typed_beside_text_is_no_local_change_and_no_crash(
    synced: tuple[Prepared, MemoryTracker],
) -> None:
    """A reviewer: an end marker typed on a line with other text, in an issue without that
    block, left the digest of its blocks as it was (only begin markers were looked for), and
    the full plan of an ESP account plan then stopped at it (its `ended` block is read to see
    whether its commitment was extended)."""
    prepared, before = synced
    plans = [i for i in before.all_issues() if str(i.key).endswith("/account-plan")]
    desired = next(d for d in prepared.programs if plans[0].key in d.by_key)
    for issue in plans:
        tracker = copy.deepcopy(before)
        EDITS["type a block's end beside text"](tracker, issue, random.Random(3))
        after = tracker.get_issue(issue.iid)
        assert after is not None
        reason = local_change(Footprint.of(issue), after, desired)
        assert reason == f"the tool's blocks in it changed in issue #{issue.iid}"
        plan = make_plan(prepared, tracker, DAY)  # goes on
        assert not plan.failures


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("delete the key line", "its key changed"),
        ("remove the program label", "its program or status labels changed"),
        ("flip confidential", "whether it is confidential changed"),
        ("write inside a block", "the tool's blocks in it changed"),
    ],
)
def test_the_reason_to_plan_in_full_is_named(
    synced: tuple[Prepared, MemoryTracker], name: str, said: str
) -> None:
    prepared, before = synced
    desired = _quiet(prepared, before)[0]
    issue = _tracked(desired, before)[0]
    tracker = copy.deepcopy(before)
    EDITS[name](tracker, issue, random.Random(2))
    after = tracker.get_issue(issue.iid)
    assert after is not None
    reason = local_change(Footprint.of(issue), after, desired)
    if name == "delete the key line":
        assert reason == f"issue #{issue.iid} is not one of the program's tracked issues"
    else:
        assert reason == f"{said} in issue #{issue.iid}"


def test_the_tracking_issue_is_never_local(synced: tuple[Prepared, MemoryTracker]) -> None:
    prepared, before = synced
    desired = _quiet(prepared, before)[0]
    tracking = next(i for i in before.all_issues() if i.key == desired.tracking.key)
    assert local_change(Footprint.of(tracking), tracking, desired) is not None


def test_the_blocks_digest_sees_a_damaged_marker_and_an_index_header() -> None:
    text = "a\n<!-- automation:begin due -->\nx\n<!-- automation:end due -->\n"
    assert blocks_digest(text) == blocks_digest(text + "- [x] a task\n")
    assert blocks_digest(text) != blocks_digest(text.replace("\nx\n", "\ny\n"))
    damaged = text.replace("<!-- automation:end due -->", "")
    assert blocks_digest(damaged) != blocks_digest(damaged + "- [x] a task\n")
    assert blocks_digest(text) != blocks_digest(text + HEADER)


def test_dependents_are_the_rollups_counters_and_program_issues(
    synced: tuple[Prepared, MemoryTracker],
) -> None:
    prepared, _ = synced
    for desired in prepared.programs:
        for item in desired.issues:
            found = dependents(desired, [item.key])
            assert desired.tracking.key in found and item.key not in found
            assert set(item.rollups) <= found
            assert {p.key for p in desired.plans} <= found


@pytest.mark.heavy
@pytest.mark.parametrize("name", ["tick", "tick every box", "untick", "close or reopen"])
@pytest.mark.parametrize("when", range(len(YEAR)))
def test_the_rows_a_writing_plan_leaves_are_the_rows_the_next_plan_reads(
    year: list[tuple[Prepared, MemoryTracker, dt.date]], name: str, when: int
) -> None:
    """A plan that writes (a tick: progress block, labels, a close, a note) gives the ledger
    the rows of its issues as its writes leave them: the next plan, after the run, reads the
    same, so the ledger is not written again in the round after."""
    prepared, before, day = year[when]
    rng = random.Random(f"{name} {day}")
    for desired in _quiet(prepared, before, day):
        for issue in rng.sample(_tracked(desired, before), min(4, len(_tracked(desired, before)))):
            tracker = copy.deepcopy(before)
            EDITS[name](tracker, issue, rng)
            seen = observe(tracker, desired, tracker.label_names(), tracker.epics_available())
            left = ledger_rows(desired, seen, prepared.blocks, day)
            run_apply(prepared, tracker, day)
            now = observe(tracker, desired, tracker.label_names(), tracker.epics_available())
            assert ledger_rows(desired, now, prepared.blocks, day) == left, (name, issue.key)
