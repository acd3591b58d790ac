"""GitLab answers the tool's reads from a database replica that may lag behind people's changes
(the fake's `lag_replicas`: a read is caught up with the tool's own last write, not with what a
person did since). Over days of hourly runs, with people ticking boxes before a run (so that
the run writes those issues) and at a random request during it (often the moment between the
tool's previous write and its read of the issue it is about to write), no box a person ticked
is ever found cleared after a run, and no line of theirs is written twice."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from functools import partial
from pathlib import Path

import pytest

from tests.backends import PROJECT, GitLabBackend, GitLabTime, cli, new_fake, roster_of
from tests.e2e.test_incremental import _project
from tests.e2e.test_quiet_runs import _at_request
from tests.fakes.gitlab_fake import FakeGitLab

HOUR = dt.timedelta(hours=1)
STEPS = 10
SEEDS = range(1, 1 + int(os.environ.get("LAG_SEEDS", "2")))
APPLY = ["apply", "--backend", "gitlab", "--today", "2026-11-24", "--rehearsal"]
OPEN_TASK = re.compile(r"^[ \t]*- \[ \] .+$", re.MULTILINE)

pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py


def _tick(
    fake: FakeGitLab, rng: random.Random, iids: list[int], ticked: set[tuple[int, str]]
) -> None:
    """A person ticks an open task of one of the issues IIDS (in the text GitLab holds now)."""
    issues = {i["iid"]: i for i in fake.issues(PROJECT)}
    choices = [
        (iid, m) for iid in iids for m in OPEN_TASK.finditer(issues[iid]["description"] or "")
    ]
    if not choices:
        return
    iid, found = rng.choice(choices)
    text = issues[iid]["description"]
    line = found.group(0).replace("- [ ]", "- [x]", 1)
    fake.edit_issue(PROJECT, iid, description=text[: found.start()] + line + text[found.end() :])
    ticked.add((iid, line))


def _lost(fake: FakeGitLab, ticked: set[tuple[int, str]]) -> list[str]:
    issues = {i["iid"]: i["description"] or "" for i in fake.issues(PROJECT)}
    return [
        f"#{iid}: {line!r} ({issues[iid].count(line)} times)"
        for iid, line in sorted(ticked)
        if issues[iid].split("\n").count(line) != 1
    ]


def _story(root: Path, seed: int) -> tuple[list[str], int]:
    """The seeded story: what was lost, and how many ticks were made."""
    rng = random.Random(seed)
    fake = new_fake(users=(*roster_of(root), "alice"))
    env = GitLabBackend(fake).env()
    ticked: set[tuple[int, str]] = set()
    os.chdir(root)
    with fake.activate():
        for _ in range(2):  # the first run makes the issues; the second finds nothing to do
            fake.clock.advance(HOUR)
            assert cli(APPLY, env, GitLabTime(fake)).code == 0
        fake.lag_replicas(dt.timedelta(seconds=rng.choice((3, 5, 10))))
        participants = [
            i["iid"] for i in fake.issues(PROJECT) if OPEN_TASK.search(i["description"] or "")
        ]
        for _ in range(STEPS):
            chosen = rng.sample(participants, 3)
            for _ in range(rng.choice((1, 2, 3))):
                _tick(fake, rng, chosen, ticked)
            meddler = _at_request(rng.randrange(1, 40), partial(_tick, fake, rng, chosen, ticked))
            fake.before_request(None, None, meddler, times=None)
            fake.clock.advance(HOUR)
            run = cli(APPLY, env, GitLabTime(fake))
            assert run.code in (0, 1) and "Traceback" not in run.err, run.out + run.err
            fake.hooks.clear()
    return _lost(fake, ticked), len(ticked)


@pytest.mark.heavy
@pytest.mark.parametrize("seed", SEEDS)
def test_no_tick_is_lost_to_a_lagging_replica(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.chdir(tmp_path)
    lost, made = _story(_project(tmp_path / "project"), seed)
    assert made >= STEPS
    assert not lost, "\n".join(lost)
