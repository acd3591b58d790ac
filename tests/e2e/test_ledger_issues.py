"""A big program's ledger of rows in GitLab (ledgerissues.py; written by runs once they read it,
docs/incremental-planning.md): the shipped programs on the memory tracker with the ledger
switched on and made for small programs. Its shards are made closed and confidential, hold
each tracked issue's row as the run leaves it (what a plan of the state after the run reads),
are not written by a run with nothing to do, and a tick rewrites one shard; what people do
to a shard (edit it, reopen it, make it public, delete it) is mended or respected."""

from __future__ import annotations

import copy
import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from automation import ledgerissues, rowledger
from automation.index import key_prefix
from automation.items import ObservedIssue
from automation.ledgerissues import LEDGER_BLOCK
from automation.locality import dependents
from automation.markers import block_content
from automation.planner import ledger_rows
from automation.rowledger import read_shard, shard_count
from automation.run import Prepared, make_plan, observe, prepare
from tests.conftest import REPO
from tests.memory import MemoryTracker, memory_for, run_apply
from tests.unit.test_locality import _same_plan_from_stubs, tick

DAY = dt.date(2026, 12, 7)
ESP = "executive-sponsorship"
CSM = "csm-aspiring-leaders"


@pytest.fixture
def ledger_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ledger written, for programs of 10 issues or more, in shards of about 8 rows."""
    monkeypatch.setattr(ledgerissues, "WRITTEN", True)
    monkeypatch.setattr(rowledger, "LEDGER_MIN", 10)
    monkeypatch.setattr(rowledger, "ROWS_PER_SHARD", 8)


def _synced(root: Path) -> tuple[Prepared, MemoryTracker]:
    for part in ("config", "templates"):
        shutil.copytree(REPO / part, root / part)
    prepared = prepare(root / "config", root / "templates", DAY)
    tracker = memory_for(prepared)
    run_apply(prepared, tracker, DAY)
    return prepared, tracker


def _shards(tracker: MemoryTracker) -> dict[str, ObservedIssue]:
    return {str(i.key): i for i in tracker.all_issues() if "/ledger-" in str(i.key)}


def _esp(prepared: Prepared) -> object:
    return next(d for d in prepared.programs if d.program.id == ESP)


@pytest.mark.usefixtures("ledger_on")
def test_shards_are_made_closed_confidential_and_hold_the_rows_the_run_left(
    tmp_path: Path,
) -> None:
    prepared, tracker = _synced(tmp_path)
    desired = _esp(prepared)
    shards = {k: v for k, v in _shards(tracker).items() if k.startswith(ESP)}
    count = shard_count(len(desired.issues))  # type: ignore[attr-defined]
    assert count >= 4 and len(shards) == count
    assert all(s.confidential and s.state == "closed" for s in shards.values())
    observed = observe(tracker, desired, tracker.label_names(), tracker.epics_available())  # type: ignore[arg-type]
    rows = ledger_rows(desired, observed, prepared.blocks, DAY)  # type: ignore[arg-type]
    held: dict[str, object] = {}
    for shard in shards.values():
        content = block_content(shard.description, LEDGER_BLOCK) or ""
        read = read_shard(content, desired.program.sections, key_prefix(desired.tracking.key))  # type: ignore[attr-defined]
        assert read is not None and not read.overflow
        held |= read.rows
    made = [i for i in tracker.all_issues() if i.key in desired.by_key]  # type: ignore[attr-defined]
    assert held == rows and len(rows) == len(made)
    assert not make_plan(prepared, tracker, DAY).actions  # written once: the run after is idle


@pytest.mark.usefixtures("ledger_on")
def test_a_tick_rewrites_one_shard(tmp_path: Path) -> None:
    prepared, tracker = _synced(tmp_path)
    issue = next(
        i
        for i in tracker.all_issues()
        if str(i.key).startswith(f"{ESP}/account/") and "- [ ] " in i.description
    )
    before = {k: s.description for k, s in _shards(tracker).items()}
    line = next(x for x in issue.description.split("\n") if "- [ ] " in x and "Optional" not in x)
    tracker.edit(issue.iid, lambda t: t.replace(line, line.replace("- [ ]", "- [x]"), 1))
    run_apply(prepared, tracker, DAY)
    after = {k: s.description for k, s in _shards(tracker).items()}
    assert [k for k in after if after[k] != before[k]] == [
        k for k in after if k.startswith(ESP) and str(issue.key) in _keys_of(after[k], k)
    ]
    assert sum(after[k] != before[k] for k in after) == 1


def _keys_of(description: str, key: str) -> set[str]:
    prefix = key.split("/", 1)[0] + "/"
    content = block_content(description, LEDGER_BLOCK) or ""
    return {prefix + line.split(" ")[1] for line in content.split("\n") if line[:1].isdigit()}


@pytest.mark.usefixtures("ledger_on")
def test_what_people_do_to_a_shard_is_mended_or_respected(tmp_path: Path) -> None:
    prepared, tracker = _synced(tmp_path)
    key, shard = next(iter(sorted(_shards(tracker).items())))
    written = shard.description
    tracker.edit(shard.iid, lambda t: t.replace(" {", ' {"x":1,', 1))  # a row typed over
    tracker.set_state(shard.iid, "opened")  # and reopened
    run_apply(prepared, tracker, DAY)
    again = _shards(tracker)[key]
    assert again.description == written and again.state == "opened"  # left open
    tracker._change(shard.iid, confidential=False)  # made public: nothing written there
    tracker.edit(shard.iid, lambda t: t.replace(" {", ' {"x":1,', 1))
    plan = make_plan(prepared, tracker, DAY)
    assert not any(getattr(a, "key", None) == key for a in plan.actions)
    assert any(f"#{shard.iid}" in w for w in plan.warnings)
    del tracker.issues[shard.iid]  # deleted: made again
    run_apply(prepared, tracker, DAY)
    run_apply(prepared, tracker, DAY)
    made = _shards(tracker)[key]
    assert made.iid != shard.iid and made.confidential and made.state == "closed"
    assert block_content(made.description, LEDGER_BLOCK) == block_content(written, LEDGER_BLOCK)


def test_no_ledger_is_written_while_runs_do_not_read_it(tmp_path: Path) -> None:
    prepared, tracker = _synced(tmp_path)
    assert not _shards(tracker)
    assert all(not d.ledgers for d in prepared.programs)


@pytest.mark.usefixtures("ledger_on")
def test_a_tick_planned_from_stubs_writes_the_shards_a_full_plan_writes(tmp_path: Path) -> None:
    """The shards a plan from stubs writes are the full plan's: a stub's row is its ledger
    row (a row made again from a stub would have the stub's digest of blocks)."""
    prepared, tracker = _synced(tmp_path)
    desired = _esp(prepared)
    before = copy.deepcopy(tracker)
    for issue in [i for i in before.all_issues() if i.key in desired.by_key][:6]:  # type: ignore[attr-defined]
        after = copy.deepcopy(before)
        tick(after, issue, random.Random(issue.iid))
        focus = {issue.key, *dependents(desired, [str(issue.key)])}  # type: ignore[arg-type]
        _same_plan_from_stubs(prepared, (before, after), desired, focus, DAY)  # type: ignore[arg-type]


@pytest.mark.usefixtures("ledger_on")
def test_a_shard_is_written_only_when_one_of_its_rows_changed_the_next_day(
    tmp_path: Path,
) -> None:
    """A reviewer: with the day in its first line, every shard was written again each day."""
    _, tracker = _synced(tmp_path)
    before = {k: s.description for k, s in _shards(tracker).items()}
    later = DAY + dt.timedelta(days=1)
    run_apply(prepare(tmp_path / "config", tmp_path / "templates", later), tracker, later)
    after = {k: s.description for k, s in _shards(tracker).items()}
    for key, text in after.items():
        assert (_rows_in(before[key]) != _rows_in(text)) == (before[key] != text), key
    assert any(before[k] == after[k] for k in after)


def _rows_in(description: str) -> list[str]:
    content = block_content(description, LEDGER_BLOCK) or ""
    return [line for line in content.split("\n") if line[:1].isdigit()]


@pytest.mark.usefixtures("ledger_on")
def test_shards_do_not_make_a_public_program_confidential_nor_clash_with_a_key(
    tmp_path: Path,
) -> None:
    """A reviewer: outputs hid a public program's keys and names once it had a shard (a
    confidential issue); a cohort called `tracking` could hold a participant `ledger-0`."""
    prepared, _ = _synced(tmp_path)
    assert ESP not in prepared.privacy.programs
    assert "sales-sponsorship" in prepared.privacy.programs  # confidential in its file
    for desired in prepared.programs:
        for shard in desired.ledgers:
            parts = shard.key.split("/")
            assert parts[1:3] == ["tracking", "index"] and len(parts) == 4  # no group's
            assert shard.key in dependents(desired, [desired.issues[0].key])


@pytest.mark.usefixtures("ledger_on")
def test_a_program_that_shrank_leaves_its_higher_shards_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A participant leaves CSM Aspiring Leaders (a shard a row): half its shards are no
    longer configured. They stay as they were, closed, and no run warns of them (a reviewer:
    keyed `<program>/tracking/ledger-<n>`, they were read as the issues of a cohort
    `tracking` gone from the file)."""
    monkeypatch.setattr(rowledger, "LEDGER_MIN", 2)
    monkeypatch.setattr(rowledger, "ROWS_PER_SHARD", 1)
    prepared, tracker = _synced(tmp_path)
    before = {k: (s.description, s.state) for k, s in _shards(tracker).items() if CSM in k}
    path = tmp_path / "config" / "programs" / f"{CSM}.yml"
    path.write_text(path.read_text("utf-8").replace("      - lena.fischer\n", ""), "utf-8")
    prepared = prepare(tmp_path / "config", tmp_path / "templates", DAY)
    given = {s.key for d in prepared.programs for s in d.ledgers if d.program.id == CSM}
    assert 0 < len(given) < len(before)
    run_apply(prepared, tracker, DAY)
    plan = make_plan(prepared, tracker, DAY)
    assert not plan.actions
    assert not any("tracking" in w for w in plan.warnings), plan.warnings
    after = {k: (s.description, s.state) for k, s in _shards(tracker).items() if CSM in k}
    assert {k: v for k, v in after.items() if k not in given} == {
        k: v for k, v in before.items() if k not in given
    }
