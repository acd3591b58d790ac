"""A checklist item converted to a child item (GitLab's "Convert to child item") leaves the
issue's description as a deleted one does, and GitLab counts the child nowhere in the issue: a
tester saw a hire's issue closed, with the congratulations note, while the child task was
still open. (Sales onboarding, which closes an issue once every task is done, on the fake.)"""

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
    people.write_text(re.sub(r"\n    onboarding_issue: .*", "", people.read_text()))
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


def test_an_issue_is_not_closed_while_a_task_converted_to_a_child_item_is_open(
    gitlab: GitLabBackend,
) -> None:
    fake = gitlab.fake
    child = fake.convert_to_child_item(
        PROJECT, tom(fake).iid, first_open_task(fake), as_user="tom.reyes"
    )
    tick_all(fake)
    for _ in range(2):  # said each run while the child is open
        result = gitlab.cli("apply")
        assert result.code == 0 and tom(fake).state == "opened", result.out
        said = f"issue #{tom(fake).iid} has every task done, but 1 of its template's tasks"
        assert said in result.out and "until that task is closed" in result.out, result.out
        assert not congratulated(fake)
    # the child task is done: the next run completes the issue, note and all
    fake.edit_issue(PROJECT, child, state="closed", as_user="tom.reyes")
    done = gitlab.cli("apply")
    assert done.code == 0 and tom(fake).state == "closed" and congratulated(fake), done.out
    assert "has every task done" not in gitlab.cli("apply").out


def test_a_deleted_task_is_the_persons_call_and_the_issue_completes(
    gitlab: GitLabBackend,
) -> None:
    """No open task says what the deleted line said: the issue completes on its ticks (an
    open task of another wording, in the same project, holds nothing)."""
    fake = gitlab.fake
    task = first_open_task(fake)
    fake.create_issue_as(PROJECT, "tom.reyes", "Something else to do", "")
    other = fake.create_issue_as(PROJECT, "tom.reyes", "Another", "")
    fake.state.project(PROJECT).issues[other].issue_type = "task"
    text = (tom(fake).description or "").replace(f"- [ ] {task}\n", "")
    fake.edit_issue(PROJECT, tom(fake).iid, description=text, as_user="tom.reyes")
    tick_all(fake)
    result = gitlab.cli("apply")
    assert result.code == 0 and tom(fake).state == "closed" and congratulated(fake), result.out
    assert "has every task done" not in result.out
