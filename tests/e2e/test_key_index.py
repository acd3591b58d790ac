"""A big program's index of keys lives in a closed issue of its own, so that a tick (which
rewrites the tracking issue's rollup) does not rewrite the whole index (keyindex.py). The
limit is lowered here so the shipped pilot program counts as big; people then do what they do
to issues: tick, delete a first line, reopen, remove a label, break a block."""

from __future__ import annotations

import pytest

from automation import keyindex
from automation.index import KEYS_BLOCK, read_index
from automation.items import ObservedIssue
from automation.markers import end_marker
from tests.backends import PROJECT, Backend, GitLabBackend, new_fake
from tests.e2e.conftest import PARTICIPANTS
from tests.e2e.test_contract import by_key
from tests.e2e.test_integrity import SAM, TRACKING, drop_first_line, tick_first

INDEX = f"{TRACKING}/index"
PREFIX = "csm-aspiring-leaders/"
LABEL = "program::csm-aspiring-leaders"


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
def test_an_issue_whose_first_line_was_deleted_is_found_by_the_index_issue(
    backend: Backend,
) -> None:
    _apply(backend)
    sam = by_key(backend)[SAM]
    backend.edit(sam.iid, lambda text: drop_first_line(tick_first(text)))
    count = len(backend.issues())
    out = _apply(backend)
    assert "created issue" not in out
    assert len(backend.issues()) == count
    assert by_key(backend)[SAM].iid == sam.iid
    assert by_key(backend)[SAM].description.startswith(f"<!-- automation:key={SAM} -->\n")


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
    assert "closed (the tool's own, nothing to do)" in out
    index = by_key(backend)[INDEX]
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


@pytest.mark.usefixtures("big", "project")
def test_a_deleted_index_issue_is_made_anew() -> None:
    fake = new_fake(users=PARTICIPANTS)
    with fake.activate():
        backend = GitLabBackend(fake)
        _apply(backend)
        index = by_key(backend)[INDEX]
        fake.delete_issue(PROJECT, index.iid)
        out = _apply(backend)
        assert f'created issue "CSM Aspiring Leaders: index of keys" [{INDEX}]' in out
        assert _keys(by_key(backend)[INDEX]) == _keys(index)
        assert "No changes" in _apply(backend)
