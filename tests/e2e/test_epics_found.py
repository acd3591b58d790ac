"""Epics and the issues in them, as GitLab (or an emulation of it) answers: an emulation that
does not say which epic an issue is in gets no writes on every run. (GitLab Premium, on the
fake.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.markers import find_key
from tests.backends import GROUP, PROJECT, GitLabBackend, Result, new_fake, roster_of
from tests.fakes.gitlab_fake import FakeGitLab

TOP, COHORT = "csm-aspiring-leaders/epic", "csm-aspiring-leaders/fy27-pilot/epic"

pytestmark = pytest.mark.usefixtures("no_waiting")


@pytest.fixture
def gitlab(project: Path) -> Iterator[GitLabBackend]:
    """The CSM program applied once on a Premium fake: its epic (&1, with the tracking
    issue) and its cohort's (&2, with the three participants' issues)."""
    fake = new_fake(users=roster_of(project))
    with fake.activate():
        backend = GitLabBackend(fake)
        first = backend.cli("apply")
        assert first.code == 0, first.out + first.err
        assert [find_key(e["description"]) for e in fake.epics(GROUP)] == [TOP, COHORT]
        yield backend


def full(backend: GitLabBackend) -> Result:
    return backend.cli("apply", "--full")


def quiet(result: Result) -> None:
    assert result.code == 0, result.out + result.err
    assert "No changes" in result.out, result.out


def homes(fake: FakeGitLab) -> dict[str, int | None]:
    """Each issue's epic, by key."""
    return {find_key(i["description"] or "") or "": i["epic"] for i in fake.issues(PROJECT)}


def test_issue_answers_without_their_epic_are_not_added_again_on_every_run(
    gitlab: GitLabBackend,
) -> None:
    """An emulation of GitLab that leaves `epic` and `epic_iid` out of issue answers: the
    issues (made inside their epics) are not put in them again on each run."""
    fake = gitlab.fake
    before = homes(fake)
    fake.state.issue_epic_fields = False
    fake.requests.clear()
    for _ in range(2):
        quiet(full(gitlab))
    assert not [r for r in fake.requests if r.method == "POST" and "/epics/" in r.path]
    assert homes(fake) == before
