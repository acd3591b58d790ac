"""A checklist item converted to a child item (GitLab's "Convert to child item") leaves the
issue's description as a deleted one does, and GitLab counts the child nowhere in the issue.
(Sales onboarding, which closes an issue once every task is done, on the fake.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.markers import find_key
from tests.backends import PROJECT, GitLabBackend, new_fake, roster_of
from tests.conftest import keep_programs
from tests.fakes.gitlab_fake import FakeGitLab, Issue

pytestmark = pytest.mark.usefixtures("no_waiting")
TOM = "sales-onboarding/tom.reyes"


@pytest.fixture
def gitlab(shipped: Path) -> Iterator[GitLabBackend]:
    keep_programs(shipped, "sales-onboarding")
    people = shipped / "config/people.yml"  # no general onboarding issues in another project
    people.write_text(re.sub(r"\n    onboarding_issue: .*", "", people.read_text("utf-8")), "utf-8")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        yield backend


def tom(fake: FakeGitLab) -> Issue:
    (iid,) = [i["iid"] for i in fake.issues(PROJECT) if find_key(i["description"]) == TOM]
    return fake.state.project(PROJECT).issues[iid]


def tick_all(fake: FakeGitLab) -> None:
    text = (tom(fake).description or "").replace("[ ]", "[x]")
    fake.edit_issue(PROJECT, tom(fake).iid, description=text, as_user="tom.reyes")


def first_open_task(fake: FakeGitLab) -> str:
    found = re.search(r"- \[ \] (.+)", tom(fake).description or "")
    assert found is not None
    return found.group(1)


def congratulated(fake: FakeGitLab) -> bool:
    return any("Congratulations" in note.body for note in tom(fake).notes)


def test_a_task_converted_to_a_child_item_counts_nowhere_as_gitlab_counts_it(
    gitlab: GitLabBackend,
) -> None:
    """GitLab's count in the issue's header drops the converted line, and the REST API does
    not say whose child a task is: the tool counts as GitLab does (README says so, and what
    to do instead when the child task must hold the issue open)."""
    fake = gitlab.fake
    child = fake.convert_to_child_item(
        PROJECT, tom(fake).iid, first_open_task(fake), as_user="tom.reyes"
    )
    tick_all(fake)
    status = fake.client().projects.get(PROJECT).issues.get(tom(fake).iid).task_completion_status
    assert status["count"] == status["completed_count"]
    result = gitlab.cli("apply")
    assert result.code == 0 and tom(fake).state == "closed" and congratulated(fake), result.out
    assert fake.state.project(PROJECT).issues[child].state == "opened"
