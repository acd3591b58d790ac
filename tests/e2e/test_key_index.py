"""A big program's index of keys lives in a closed issue of its own, so that a tick (which
rewrites the tracking issue's rollup) does not rewrite the whole index (keyindex.py). The
limit is lowered here so the shipped pilot program counts as big; people then do what they do
to issues: tick, delete a first line, reopen, remove a label, break a block."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from automation import keyindex
from automation.actions import UpdateDescription
from automation.errors import EXIT_ITEMS_FAILED
from automation.index import KEYS_BLOCK, index_content, read_index
from automation.items import ObservedIssue
from automation.markers import begin_marker, end_marker
from automation.run import Prepared, apply, make_plan, prepare
from tests.backends import PROJECT, TODAY, Backend, GitLabBackend, new_fake
from tests.crash import Crash, CrashingTracker
from tests.e2e.conftest import PARTICIPANTS
from tests.e2e.test_contract import by_key
from tests.e2e.test_integrity import SAM, TRACKING, drop_first_line, tick_first
from tests.memory import MemoryTracker, memory_for, run_apply

INDEX = f"{TRACKING}/index"
AIKO = SAM.replace("sam.delacroix", "aiko.tanaka")
PREFIX = "csm-aspiring-leaders/"
LABEL = "program::csm-aspiring-leaders"
TODAY_DATE = dt.date.fromisoformat(TODAY)


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every program counts as big: its index moves out of the tracking issue."""
    monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)


def _apply(backend: Backend, *args: str) -> str:
    result = backend.cli("apply", *args)
    assert result.code == 0, result.out + result.err
    return result.out


def _keys(issue: ObservedIssue) -> dict[str, int] | None:
    return read_index(issue.description, PREFIX, KEYS_BLOCK)


def _tracking_entries(backend: Backend) -> dict[str, int] | None:
    return read_index(by_key(backend)[TRACKING].description, PREFIX)


@pytest.mark.usefixtures("big")
def test_a_big_programs_index_is_a_closed_issue_of_its_own(backend: Backend) -> None:
    out = _apply(backend)
    found = by_key(backend)
    index, tracking = found[INDEX], found[TRACKING]
    assert f'created issue "CSM Aspiring Leaders: index of keys" [{INDEX}]' in out
    assert f"closed #{index.iid} [{INDEX}]: the tool's own index of keys" in out
    assert (index.state, index.labels) == ("closed", (LABEL,))
    assert index.confidential == tracking.confidential
    tracked = {key: issue.iid for key, issue in found.items() if key not in (TRACKING, INDEX)}
    assert _keys(index) == tracked  # every issue of the program, by its key
    # ... and no longer in the tracking issue, which names the index issue alone
    assert _tracking_entries(backend) == {INDEX: index.iid}
    assert f"The index is kept in issue #{index.iid}." in tracking.description
    assert "No changes" in _apply(backend)


@pytest.mark.usefixtures("big")
def test_a_tick_rewrites_the_tracking_issue_but_not_the_index(backend: Backend) -> None:
    _apply(backend)
    found = by_key(backend)
    backend.edit(found[SAM].iid, tick_first)
    out = _apply(backend)
    assert f"updated #{found[TRACKING].iid} " in out
    assert f"#{found[INDEX].iid} " not in out
    assert by_key(backend)[INDEX].description == found[INDEX].description


@pytest.mark.usefixtures("big")
@pytest.mark.parametrize("key", [INDEX, TRACKING])
def test_the_index_or_tracking_issue_without_its_first_line_is_found_again(
    backend: Backend, key: str
) -> None:
    _apply(backend)
    before = by_key(backend)
    backend.edit(before[key].iid, drop_first_line)
    count = len(backend.issues())
    out = _apply(backend)
    assert "created issue" not in out
    assert f"updated #{before[key].iid} [{key}]: identity line" in out
    assert len(backend.issues()) == count
    assert by_key(backend)[key].iid == before[key].iid
    assert "No changes" in _apply(backend)


@pytest.mark.usefixtures("big")
def test_a_person_who_reopens_the_index_issue_is_left_alone(backend: Backend) -> None:
    _apply(backend)
    index = by_key(backend)[INDEX]
    backend.tracker().reopen_issue(index.iid)
    assert "No changes" in _apply(backend)
    assert by_key(backend)[INDEX].state == "opened"


@pytest.mark.usefixtures("big")
def test_an_index_issue_that_lost_its_label_is_not_made_twice(backend: Backend) -> None:
    _apply(backend)
    index = by_key(backend)[INDEX]
    backend.tracker().update_labels(index.iid, [], [LABEL])
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err  # a failure a person must act on
    assert f"issue #{index.iid} already carries this key but not the label {LABEL}" in result.out
    assert "add the label back (the issue keeps everything people did in it)" in result.out
    assert [i.iid for i in backend.issues() if i.key == INDEX] == [index.iid]
    # meanwhile the tracking issue holds the index again, the index issue's entry with it
    assert _tracking_entries(backend) == {**(_keys(index) or {}), INDEX: index.iid}
    backend.tracker().update_labels(index.iid, [LABEL], [])
    _apply(backend)
    assert _tracking_entries(backend) == {INDEX: index.iid}
    assert "No changes" in _apply(backend)


@pytest.mark.usefixtures("big")
def test_a_broken_index_block_is_written_again(backend: Backend) -> None:
    _apply(backend)
    index = by_key(backend)[INDEX]
    backend.edit(index.iid, lambda text: text.replace(end_marker(KEYS_BLOCK), "", 1))
    _apply(backend)
    # the run that found it broken wrote the whole index to the tracking issue as well
    assert _keys(by_key(backend)[INDEX]) == _keys(index)
    _apply(backend)
    assert _tracking_entries(backend) == {INDEX: index.iid}
    assert "No changes" in _apply(backend)


def test_a_running_program_that_grows_big_moves_its_index_in_one_run(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    _apply(backend)
    held = _tracking_entries(backend)
    assert held and INDEX not in by_key(backend)  # small: in the tracking issue, no issue
    monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)
    out = _apply(backend)
    index = by_key(backend)[INDEX]
    assert f"closed #{index.iid} [{INDEX}]: the tool's own index of keys" in out
    assert _keys(index) == held
    assert _tracking_entries(backend) == {INDEX: index.iid}
    assert "No changes" in _apply(backend)


@pytest.mark.usefixtures("big")
def test_an_index_issue_a_person_detached_is_made_anew_and_left_as_they_left_it(
    backend: Backend,
) -> None:
    _apply(backend)
    index = by_key(backend)[INDEX]
    backend.edit(index.iid, drop_first_line)
    backend.tracker().update_labels(index.iid, [], [LABEL])
    detached = next(i for i in backend.issues() if i.iid == index.iid)
    out = _apply(backend)
    assert f'created issue "CSM Aspiring Leaders: index of keys" [{INDEX}]' in out
    anew = by_key(backend)[INDEX]
    assert anew.iid != index.iid and _keys(anew) == _keys(index)
    assert next(i for i in backend.issues() if i.iid == index.iid) == detached
    assert "No changes" in _apply(backend)


@pytest.fixture
def on_gitlab(project: Path) -> Iterator[GitLabBackend]:
    """The fake GitLab alone (where an administrator can delete an issue)."""
    del project  # the shipped pilot program, as the working directory
    fake = new_fake(users=PARTICIPANTS)
    with fake.activate():
        yield GitLabBackend(fake)


@pytest.mark.usefixtures("big")
def test_a_deleted_index_issue_is_made_anew(on_gitlab: GitLabBackend) -> None:
    _apply(on_gitlab)
    index = by_key(on_gitlab)[INDEX]
    on_gitlab.fake.delete_issue(PROJECT, index.iid)
    out = _apply(on_gitlab)
    assert f'created issue "CSM Aspiring Leaders: index of keys" [{INDEX}]' in out
    assert _keys(by_key(on_gitlab)[INDEX]) == _keys(index)
    assert "No changes" in _apply(on_gitlab)


# --- two things at once, as happens between two runs -------------------------------------


def _lose_label(backend: Backend, iid: int) -> None:
    backend.tracker().update_labels(iid, [], [LABEL])


def _index_label_lost(backend: Backend) -> dict[str, ObservedIssue]:
    """A first run, then a person removes the program label from the index issue."""
    _apply(backend)
    before = by_key(backend)
    _lose_label(backend, before[INDEX].iid)
    return before


def _break_block(backend: Backend, iid: int) -> None:
    backend.edit(iid, lambda text: text.replace(end_marker(KEYS_BLOCK), "", 1))


def _lose_first_line(backend: Backend, iid: int) -> None:
    backend.edit(iid, drop_first_line)


def _nothing(_backend: Backend, _iid: int) -> None:
    pass


def _strip_block(backend: Backend, iid: int) -> None:
    """Both markers deleted, as the tool's message about a damaged block suggests."""
    markers = (begin_marker(KEYS_BLOCK), end_marker(KEYS_BLOCK))
    backend.edit(iid, lambda text: "\n".join(x for x in text.split("\n") if x not in markers))


def _another_key(backend: Backend, iid: int) -> None:
    """A person pastes another item's key over the first line."""
    backend.edit(iid, lambda text: f"<!-- automation:key={AIKO} -->\n{drop_first_line(text)}")


@pytest.mark.usefixtures("big")
@pytest.mark.parametrize(
    "damage",
    [_nothing, _lose_label, _break_block, _strip_block, _lose_first_line, _another_key],
    ids=["intact", "label", "block", "markers", "line", "other-key"],
)
def test_sams_lost_first_line_is_found_by_the_index_issue_whatever_happened_to_it(
    backend: Backend, damage: Callable[[Backend, int], None]
) -> None:
    _apply(backend)
    before = by_key(backend)
    damage(backend, before[INDEX].iid)
    backend.edit(before[SAM].iid, lambda text: drop_first_line(tick_first(text)))
    count = len(backend.issues())
    result = backend.cli("apply")
    assert "created issue" not in result.out, result.out
    assert len(backend.issues()) == count
    [sam] = [issue for issue in backend.issues() if issue.key == SAM]  # two for Aiko's key, in
    assert sam.iid == before[SAM].iid  # "other-key": that fails, naming both, for a person
    assert sam.description.startswith(f"<!-- automation:key={SAM} -->\n")


@pytest.mark.usefixtures("big")
def test_sam_without_his_label_is_still_known_while_the_index_issue_lost_its_own(
    backend: Backend,
) -> None:
    before = _index_label_lost(backend)
    _lose_label(backend, before[SAM].iid)
    result = backend.cli("apply")
    assert "created issue" not in result.out
    assert f"issue #{before[SAM].iid} already carries this key but not the label" in result.out


# --- a run killed after any write ----------------------------------------------------------


def _killed_after(prepared: Prepared, memory: MemoryTracker, k: int) -> bool:
    """Run until the k-th write; False when the run made fewer writes."""
    try:
        apply(prepared, CrashingTracker(memory, after=k), TODAY_DATE)
    except Crash:
        return True
    return False


def _whole_and_closed(memory: MemoryTracker) -> None:
    found = {issue.key: issue for issue in memory.all_issues() if issue.key}
    index = found[INDEX]
    tracked = {key: issue.iid for key, issue in found.items() if key not in (TRACKING, INDEX)}
    assert (index.state, _keys(index)) == ("closed", tracked)
    assert read_index(found[TRACKING].description, PREFIX) == {INDEX: index.iid}
    assert len(found) == len(memory.all_issues())  # no issue twice


# the first run's writes (test_contract.FIRST_RUN_WRITES), with the index issue: its create
# in round 1; in round 2 its close, then its block, besides the tracking issue's
BIG_FIRST_RUN_WRITES = 26


@pytest.mark.usefixtures("big")
def test_a_big_programs_first_run_makes_the_writes_the_crash_test_covers(project: Path) -> None:
    prepared = prepare(project / "config", project / "templates", TODAY_DATE)
    counting = CrashingTracker(memory_for(prepared), after=10**6)
    assert not apply(prepared, counting, TODAY_DATE).outcome.failures
    assert 10**6 - counting.left == BIG_FIRST_RUN_WRITES


@pytest.mark.usefixtures("big")
@pytest.mark.parametrize("k", range(1, BIG_FIRST_RUN_WRITES + 1))
def test_a_first_run_killed_after_any_write_ends_with_the_index_whole_and_closed(
    project: Path, k: int
) -> None:
    prepared = prepare(project / "config", project / "templates", TODAY_DATE)
    memory = memory_for(prepared)
    assert _killed_after(prepared, memory, k)
    run_apply(prepared, memory, TODAY_DATE)
    _whole_and_closed(memory)


@pytest.mark.parametrize("k", range(1, 5))
def test_a_run_killed_while_the_index_moves_ends_with_it_whole_and_closed(
    project: Path, monkeypatch: pytest.MonkeyPatch, k: int
) -> None:
    prepared = prepare(project / "config", project / "templates", TODAY_DATE)
    memory = memory_for(prepared)
    run_apply(prepared, memory, TODAY_DATE)
    monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)
    assert _killed_after(prepared, memory, k)
    run_apply(prepared, memory, TODAY_DATE)
    _whole_and_closed(memory)


@pytest.mark.usefixtures("big")
def test_the_tracking_issue_keeps_the_whole_index_until_the_index_issue_holds_it(
    project: Path,
) -> None:
    prepared = prepare(project / "config", project / "templates", TODAY_DATE)
    memory = memory_for(prepared)
    run_apply(prepared, memory, TODAY_DATE)
    found = {issue.key: issue for issue in memory.all_issues() if issue.key}
    entries = _keys(found[INDEX])
    # as if the index issue's write had failed: it holds fewer entries than the tracking issue
    memory.edit(found[INDEX].iid, lambda text: text.replace(f"\n{found[SAM].iid} ", "\nx ", 1))
    memory.edit(
        found[TRACKING].iid,
        lambda _: found[TRACKING].description.replace(
            f"{found[INDEX].iid} tracking/index",
            "\n".join(f"{iid} {key.removeprefix(PREFIX)}" for key, iid in (entries or {}).items())
            + f"\n{found[INDEX].iid} tracking/index",
        ),
    )
    plan = make_plan(prepared, memory, TODAY_DATE)
    tracking = next(
        a for a in plan.actions if isinstance(a, UpdateDescription) and a.key == TRACKING
    )
    index = next(a for a in plan.actions if isinstance(a, UpdateDescription) and a.key == INDEX)
    assert SAM.removeprefix(PREFIX) in tracking.after  # kept while the index issue lacks it
    assert SAM.removeprefix(PREFIX) in index.after


@pytest.mark.usefixtures("big")
def test_an_index_issue_left_behind_without_its_label_does_not_outvote_the_tracking_issue(
    backend: Backend,
) -> None:
    before = _index_label_lost(backend)
    backend.edit(before[SAM].iid, drop_first_line)  # Sam's issue detached: made anew
    _lose_label(backend, before[SAM].iid)
    assert (
        f'created issue "CSM Aspiring Leaders: Sam Delacroix (FY27 pilot group)" [{SAM}]'
        in backend.cli("apply").out
    )
    anew = by_key(backend)[SAM]
    backend.edit(anew.iid, drop_first_line)  # the index issue still says Sam is the old one
    result = backend.cli("apply")
    assert "created issue" not in result.out, result.out
    assert by_key(backend)[SAM].iid == anew.iid


@pytest.mark.usefixtures("big")
def test_the_run_that_refills_the_index_issue_moves_the_tracking_issue_to_the_pointer(
    on_gitlab: GitLabBackend,
) -> None:
    before = _index_label_lost(on_gitlab)
    on_gitlab.fake.delete_issue(PROJECT, before[SAM].iid)
    # fails for the index issue (exit 1); Sam is made anew
    assert on_gitlab.cli("apply").code == EXIT_ITEMS_FAILED
    on_gitlab.tracker().update_labels(before[INDEX].iid, [LABEL], [])
    _apply(on_gitlab)
    assert _tracking_entries(on_gitlab) == {INDEX: before[INDEX].iid}
    assert "No changes" in _apply(on_gitlab)


@pytest.mark.usefixtures("big")
def test_an_index_issue_created_by_a_create_only_run_is_closed_by_the_next(
    backend: Backend,
) -> None:
    _apply(backend, "--steps", "create")
    index = by_key(backend)[INDEX]
    assert index.state == "opened"
    _break_block(backend, index.iid)
    _apply(backend)
    assert by_key(backend)[INDEX].state == "closed"
    assert "No changes" in _apply(backend)


def test_a_pasted_copy_of_a_broken_index_is_not_read() -> None:
    first = index_content({"p/a/sam": 1, "p/a/aiko": 2}, "p/")
    pasted = index_content({"p/a/sam": 99}, "p/")
    text = f"{begin_marker(KEYS_BLOCK)}\n{first}\nquoted:\n{pasted}"  # no end marker
    assert read_index(text, "p/", KEYS_BLOCK) == {"p/a/sam": 1, "p/a/aiko": 2}
