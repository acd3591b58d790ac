"""The same scenarios against both trackers: the product behaves alike on files and GitLab."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from automation.actions import CreateEpic, CreateIssue, CreateLabel
from automation.items import ObservedIssue
from automation.run import apply, make_plan, prepare
from tests.backends import TODAY, Backend
from tests.crash import Crash, CrashingTracker

PARTICIPANTS = ("sam.delacroix", "aiko.tanaka", "lena.fischer")
TODAY_DATE = dt.date.fromisoformat(TODAY)
KEYS = {f"csm-aspiring-leaders/fy27-pilot/{u}" for u in PARTICIPANTS} | {
    "csm-aspiring-leaders/tracking"
}


def by_key(backend: Backend) -> dict[str, ObservedIssue]:
    issues = backend.issues()
    counts = Counter(issue.key for issue in issues if issue.key)
    assert all(n == 1 for n in counts.values()), f"duplicate keys: {counts}"
    return {issue.key: issue for issue in issues if issue.key}


def tick(text: str, *tasks: str) -> str:
    for task in tasks:
        assert f"1. [ ] {task}" in text
        text = text.replace(f"1. [ ] {task}", f"1. [x] {task}")
    return text


def test_create_then_rerun_is_a_no_op(backend: Backend) -> None:
    first = backend.cli("apply")
    assert first.code == 0, first.out + first.err
    assert set(by_key(backend)) == KEYS
    before = backend.fingerprint()
    again = backend.cli("apply")
    assert again.code == 0
    assert "No changes: 4 issues are up to date; nothing was written." in again.out
    assert backend.fingerprint() == before


def test_ticks_move_progress_labels_and_rollup_and_survive(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    issues = by_key(backend)
    aiko = issues["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"]
    backend.edit(aiko.iid, lambda t: tick(t, "Have ongoing regular calls", "Have coffee chats"))
    assert backend.cli("apply").code == 0
    issues = by_key(backend)
    aiko = issues["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"]
    assert aiko.description.count("1. [x]") == 2
    assert "| **Overall** | **2/25** | **8%** |" in aiko.description
    assert {"progress::1-24%", "status::in progress", "phase::Explore"} <= set(aiko.labels)
    assert not {"progress::0%", "status::not started"} & set(aiko.labels)
    tracking = issues["csm-aspiring-leaders/tracking"].description
    assert re.search(rf"\| #{aiko.iid} \| Aiko Tanaka \| .* \| 8% \| in progress \|", tracking)
    before = backend.fingerprint()
    assert "No changes" in backend.cli("apply").out
    assert backend.fingerprint() == before


def test_a_task_typed_inside_the_progress_block_is_kept_and_does_not_flap(
    backend: Backend,
) -> None:
    """A task a person types inside the progress block is theirs, not the tool's text: the
    block is not written over it (the issue fails, untouched, saying how to mend it; it was
    deleted before an attacker's trial showed a moved marker taking a whole checklist with
    it), and each run after does the same, writing nothing."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"]
    begin = "<!-- automation:begin progress -->\n"
    backend.edit(aiko.iid, lambda t: t.replace(begin, begin + "- [x] my own task\n", 1))
    typed = by_key(backend)["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"].description
    result = backend.cli("apply")
    assert result.code == 1, result.out
    assert "the managed block 'progress' is damaged: it holds a task" in result.out
    aiko = by_key(backend)["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"]
    assert aiko.description == typed
    before = backend.fingerprint()
    again = backend.cli("apply")
    assert again.code == 1 and "it holds a task" in again.out
    assert backend.fingerprint() == before


def test_labels_people_add_are_kept(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    sam = by_key(backend)["csm-aspiring-leaders/fy27-pilot/sam.delacroix"]
    tracker = backend.tracker()
    tracker.update_labels(sam.iid, ["needs-attention"], [])
    backend.edit(sam.iid, lambda t: tick(t, "Have ongoing regular calls"))
    assert backend.cli("apply").code == 0
    assert "needs-attention" in by_key(backend)[sam.key or ""].labels


# Round 1: 16 labels, 2 epics, then 4 issues, each created inside its epic. Round 2, once
# those exist: the rollup with the issues' references. (An issue in no epic would be one more
# write: putting it in its epic.)
FIRST_RUN_WRITES = 23


def test_first_run_makes_the_writes_the_crash_test_covers(backend: Backend) -> None:
    counting = CrashingTracker(backend.tracker(), after=10**6)
    assert not apply(
        prepare(Path("config"), Path("templates"), TODAY_DATE), counting, TODAY_DATE
    ).outcome.failures
    assert 10**6 - counting.left == FIRST_RUN_WRITES


def test_crash_between_two_creates_then_rerun_converges(backend: Backend) -> None:
    """The crash matrix (every write, and a crash after ticks) runs on the memory tracker in
    test_crash.py; here one crash on each real store: after the labels, the epics and two
    issues."""
    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    today = TODAY_DATE
    planned = make_plan(prepared, backend.tracker(), today).actions
    k = sum(isinstance(a, CreateLabel | CreateEpic) for a in planned) + 2
    assert isinstance(planned[k - 1], CreateIssue) and isinstance(planned[k], CreateIssue)
    with pytest.raises(Crash):
        apply(prepared, CrashingTracker(backend.tracker(), after=k), today)
    done = backend.cli("apply")
    assert done.code == 0, done.out + done.err
    assert set(by_key(backend)) == KEYS
    before = backend.fingerprint()
    assert "No changes" in backend.cli("apply").out
    assert backend.fingerprint() == before


def test_plan_shows_the_creates_that_apply_makes(backend: Backend) -> None:
    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    today = TODAY_DATE
    plan = make_plan(prepared, backend.tracker(), today)
    planned = {a.issue.key for a in plan.actions if isinstance(a, CreateIssue)}
    assert planned == KEYS
    assert backend.issues() == []


def test_issue_whose_program_label_was_removed_is_not_created_again(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    sam = by_key(backend)["csm-aspiring-leaders/fy27-pilot/sam.delacroix"]
    backend.tracker().update_labels(sam.iid, [], ["program::csm-aspiring-leaders"])
    result = backend.cli("apply")
    assert result.code == 1
    assert (
        f"FAILED [csm-aspiring-leaders/fy27-pilot/sam.delacroix]: issue #{sam.iid} already "
        "carries this key but not the label program::csm-aspiring-leaders"
    ) in result.out
    assert len(backend.issues()) == 4


def test_missing_heading_in_an_issue_is_a_warning(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    lena = by_key(backend)["csm-aspiring-leaders/fy27-pilot/lena.fischer"]
    backend.edit(lena.iid, lambda t: t.replace("## Module 1: Explore", "## Explore (renamed)"))
    result = backend.cli("apply")
    assert result.code == 0
    assert (
        f"warning: issue #{lena.iid} has no heading 'Module 1: Explore': that phase cannot "
        "complete, and tasks left from it count in the section above them (under a heading of "
        "no section, only towards the overall figure)"
    ) in result.out
    assert "phase::Explore" in by_key(backend)[lena.key or ""].labels
    ended = backend.cli("apply", "--today", "2027-05-01")  # the cohort ended: figures final
    assert ended.code == 0 and "has no heading" not in ended.out, ended.out
