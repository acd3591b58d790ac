"""A plan previewed with a person's own token (README: a merge request whose pipeline gets no
token), as the deployment's user would see it: `plan --as USER`. Without it every issue is
another user's, and the plan is nothing but failures (a tester's finding: README advised just
that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends import PROJECT, GitLabBackend, LocalBackend, new_fake, roster_of

pytestmark = pytest.mark.usefixtures("no_waiting")

BOT = "automation-bot"


def test_a_plan_with_a_persons_token_as_the_deployments_user(project: Path) -> None:
    fake = new_fake(users=roster_of(project))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        ticked = next(i for i in fake.issues(PROJECT) if "1. [ ]" in (i["description"] or ""))
        backend.edit(ticked["iid"], lambda text: text.replace("1. [ ]", "1. [x]", 1))
        fake.act_as("carol.person")
        before = len(fake.requests)
        alone = backend.cli("plan")
        assert alone.code == 1 and "not by the token's user" in alone.out, alone.out
        result = backend.cli("plan", "--as", BOT)
        assert result.code == 0, result.out + result.err
        assert f"update #{ticked['iid']} " in result.out, result.out
        assert "FAILED" not in result.out
        assert {r.method for r in fake.requests[before:]} == {"GET"}  # a plan writes nothing


def test_as_is_refused_on_the_local_backend(project: Path) -> None:
    result = LocalBackend(project).cli("plan", "--as", BOT)
    assert result.code == 2 and "--as names the GitLab user" in result.err, result.err


def test_a_plan_that_creates_issues_says_what_follows_their_creation(project: Path) -> None:
    """A tester: apply posted notes that mention people (a reminder due that day, a hire's
    learning-path note) on or for issues it had just made, which the plan never named."""
    local = LocalBackend(project)
    first = local.cli("plan")
    assert "note: apply makes the new issues first, then, in the same run," in first.out
    assert local.cli("apply").code == 0
    assert "apply makes the new issues first" not in local.cli("plan").out
