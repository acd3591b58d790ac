"""A quick action a person typed into the issue the tool maintains, without the right to run it
(a Guest participant: GitLab leaves the line in their text), is never run by the tool's own
write, with its user's rights, nor taken out of their text: the tool writes the line back with
a backslash before its `/`, which Markdown shows as typed (a tester's finding, read from
QuickActions::InterpretService: the fake now leaves such a line in the text, and takes it out
of a later edit without running it, as GitLab does; an older GitLab ran it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.test_gitlab_tracker import ok, setup_project, users
from tests.backends import PROJECT, GitLabBackend, new_fake

pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py

TYPED = "/label ~x"


@pytest.fixture
def guest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    """The demo program's issues made; user000, a Guest of the project, assigned the first."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 2)
    fake = new_fake(users=tuple(users(2)))
    fake.add_label("enablement", "x")
    fake.set_member_role("user000", "guest", PROJECT)
    with fake.activate():
        backend = GitLabBackend(fake)
        ok(backend.cli("apply"))
        yield backend


def _typed_and_ticked(backend: GitLabBackend) -> int:
    """user000 ticks the first task and types the command on a line of its own."""
    fake = backend.fake
    issue = next(i for i in fake.issues(PROJECT) if "user000" in str(i["assignees"]))
    bot = fake.owner.username
    fake.act_as("user000")
    backend.edit(
        issue["iid"], lambda t: t.replace("- [ ] first task", f"- [x] first task\n\n{TYPED}\n")
    )
    fake.act_as(bot)
    stored = next(i for i in fake.issues(PROJECT) if i["iid"] == issue["iid"])
    assert TYPED in stored["description"] and "x" not in stored["labels"]  # GitLab left it
    return int(issue["iid"])


@pytest.mark.parametrize("older_gitlab", [False, True])
def test_a_command_a_guest_typed_is_kept_as_text_and_never_run(
    guest: GitLabBackend, older_gitlab: bool
) -> None:
    guest.fake.state.original_text_rule = not older_gitlab
    iid = _typed_and_ticked(guest)
    ok(guest.cli("apply"))
    stored = next(i for i in guest.fake.issues(PROJECT) if i["iid"] == iid)
    assert "x" not in stored["labels"]
    assert f"\\{TYPED}" in stored["description"]  # shown as typed
    assert "progress::50-74%" in stored["labels"]  # the tick counted, as ever
    assert "No changes" in ok(guest.cli("apply")).out
