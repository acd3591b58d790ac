"""A run killed after any write, then run again, ends where an uninterrupted run ends: no
issue twice, no tick lost, no note twice. The whole matrix runs on the in-memory tracker
(tests/memory.py); test_contract.py keeps one crash on each real backend, and a first test
here checks that the memory tracker ends a run holding what the local tracker holds. As in
a killed job, the run that crashes holds no lock (a crash would not release it); the runs
after it take the lock as `automation apply` does."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from automation.items import ObservedIssue
from automation.run import Prepared, apply, prepare
from automation.trackers.local import LocalTracker
from tests.backends import TODAY
from tests.conftest import REPO, keep_programs
from tests.crash import Crash, CrashingTracker
from tests.e2e.test_contract import FIRST_RUN_WRITES, KEYS, tick
from tests.memory import MemoryTracker, memory_for, run_apply

TODAY_DATE = dt.date.fromisoformat(TODAY)
TOM = "sales-onboarding/tom.reyes"


def _prepared(root: Path, program: str) -> Prepared:
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "templates", root / "templates")
    keep_programs(root, program)
    return prepare(root / "config", root / "templates", TODAY_DATE)


@pytest.fixture(scope="module")
def leaders(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """The shipped CSM Aspiring Leaders program, prepared once for the module."""
    return _prepared(tmp_path_factory.mktemp("leaders"), "csm-aspiring-leaders")


@pytest.fixture(scope="module")
def onboarding(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """The shipped sales onboarding program, prepared once for the module."""
    return _prepared(tmp_path_factory.mktemp("onboarding"), "sales-onboarding")


def by_key(tracker: MemoryTracker) -> dict[str, ObservedIssue]:
    issues = tracker.all_issues()
    counts = Counter(issue.key for issue in issues if issue.key)
    assert all(n == 1 for n in counts.values()), f"duplicate keys: {counts}"
    return {issue.key: issue for issue in issues if issue.key}


def converges(prepared: Prepared, tracker: MemoryTracker) -> None:
    """A run succeeds, and the run after it writes nothing at all."""
    done = run_apply(prepared, tracker, TODAY_DATE)
    assert not done.outcome.failures, done.outcome.failures
    before, writes = tracker.fingerprint(), tracker.writes
    again = run_apply(prepared, tracker, TODAY_DATE)
    assert again.plans[0].empty and not again.outcome.done and not again.outcome.failures
    assert (tracker.fingerprint(), tracker.writes) == (before, writes)


# every field but where each tracker keeps the issue (web_url)
HELD = "iid key title description labels state assignees due_date confidential epic by_tool author"


def _held(issues: list[ObservedIssue]) -> list[tuple[object, ...]]:
    return [tuple(getattr(issue, name) for name in HELD.split()) for issue in issues]


def test_the_memory_tracker_ends_a_run_holding_what_the_local_tracker_holds(
    leaders: Prepared, tmp_path: Path
) -> None:
    settings = leaders.loaded.config.settings.gitlab
    groups = (settings.group, settings.project)
    local = LocalTracker(tmp_path / ".automation", epics=settings.epics, groups=groups)
    memory = memory_for(leaders)
    for tracker in (local, memory):
        assert not run_apply(leaders, tracker, TODAY_DATE).outcome.failures
    assert _held(memory.all_issues()) == _held(local.all_issues())
    assert memory.label_names() == local.label_names()
    label = "program::csm-aspiring-leaders"
    assert memory.program_epics(label) == local.program_epics(label)
    aiko = by_key(memory)["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"]
    for tracker in (local, memory):
        tracker.update_description(aiko.iid, tick(aiko.description, "Have coffee chats"))
        assert not run_apply(leaders, tracker, TODAY_DATE).outcome.failures
    assert _held(memory.all_issues()) == _held(local.all_issues())


def test_first_run_makes_the_writes_the_crash_test_covers(leaders: Prepared) -> None:
    counting = CrashingTracker(memory_for(leaders), after=10**6)
    assert not apply(leaders, counting, TODAY_DATE).outcome.failures
    assert 10**6 - counting.left == FIRST_RUN_WRITES


@pytest.mark.parametrize("k", range(1, FIRST_RUN_WRITES + 1))
def test_crash_after_any_write_then_rerun_converges(leaders: Prepared, k: int) -> None:
    memory = memory_for(leaders)
    with pytest.raises(Crash):
        apply(leaders, CrashingTracker(memory, after=k), TODAY_DATE)
    converges(leaders, memory)
    assert set(by_key(memory)) == KEYS


def test_crash_after_ticks_loses_no_tick(leaders: Prepared) -> None:
    memory = memory_for(leaders)
    run_apply(leaders, memory, TODAY_DATE)
    lena = by_key(memory)["csm-aspiring-leaders/fy27-pilot/lena.fischer"]
    memory.edit(lena.iid, lambda t: tick(t, "Have coffee chats", "Take the [Crucial"))
    with pytest.raises(Crash):
        apply(leaders, CrashingTracker(memory, after=1), TODAY_DATE)
    run_apply(leaders, memory, TODAY_DATE)
    text = by_key(memory)[lena.key or ""].description
    assert text.count("1. [x]") == 2
    assert "| **Overall** | **2/25** | **8%** |" in text


@pytest.mark.parametrize("after", [1, 2])
def test_a_run_killed_while_completing_posts_the_note_and_closes_on_the_next(
    onboarding: Prepared, after: int
) -> None:
    memory = memory_for(onboarding)
    run_apply(onboarding, memory, TODAY_DATE)
    tom = by_key(memory)[TOM]
    memory.edit(tom.iid, lambda t: re.sub(r"\[ \]", "[x]", t))
    with pytest.raises(Crash):  # dies after the labels and `after` writes
        apply(onboarding, CrashingTracker(memory, after=after + 1), TODAY_DATE)
    run_apply(onboarding, memory, TODAY_DATE)
    run_apply(onboarding, memory, TODAY_DATE)
    done = by_key(memory)[TOM]
    assert done.state == "closed"
    assert "\n".join(memory.notes[tom.iid]).count("Congratulations @tom.reyes") == 1
    assert "**Completed:**" in done.description
