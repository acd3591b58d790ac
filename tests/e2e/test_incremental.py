"""A scheduled run that skips what did not change (everything, or the programs no changed
issue belongs to) ends exactly where a full run ends: the same random days of ticks, edits,
label changes, closed issues, deleted key lines, pasted first lines, moves to the other
program and configuration changes, carried out on two GitLabs, one synced by scheduled runs
and one by `--full` runs, leaves the two byte-identical after every run. (Deleted issues are
not among them: only the first run of the next day, or --full, sees that an issue is gone;
see the README.)"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from automation import keyindex, ledgerissues, rowledger
from automation.syncrecord import RECORD_LABEL
from automation.trackers.gitlab import LOCK_LABEL
from tests.backends import (
    GROUP,
    PROJECT,
    TOKEN,
    URL,
    GitLabTime,
    Result,
    cli,
    new_fake,
    roster_of,
)
from tests.conftest import REPO, keep_programs
from tests.fakes.gitlab_fake import FakeGitLab

HOUR = dt.timedelta(hours=1)
PROGRAMS = ("csm-aspiring-leaders", "executive-sponsorship")
STEPS = 14
# one story in the suite (seed 1: 4 scoped runs, 2 quiet, 8 full); more, as in the note of
# issue 18: INCREMENTAL_SEEDS=50 .venv/bin/pytest tests/e2e/test_incremental.py
SEEDS = range(1, 1 + int(os.environ.get("INCREMENTAL_SEEDS", "1")))
Person = Callable[[FakeGitLab, random.Random, Path], str]


pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py


def _ours(fake: FakeGitLab) -> list[dict[str, Any]]:
    """The tool's issues, by iid (a person's own issues too: they are never touched)."""
    return fake.issues(PROJECT)


def _tasks(fake: FakeGitLab, rng: random.Random, mark: str) -> tuple[int, str] | None:
    issues = [i for i in _ours(fake) if mark in (i["description"] or "")]
    if not issues:
        return None
    issue = rng.choice(issues)
    return issue["iid"], issue["description"]


def tick(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    found = _tasks(fake, rng, "[ ]")
    if found is None:
        return "nothing to tick"
    iid, text = found
    n = rng.randrange(text.count("[ ]"))
    fake.edit_issue(PROJECT, iid, description=_nth(text, "[ ]", "[x]", n))
    return f"ticked a task of #{iid}"


def untick(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    found = _tasks(fake, rng, "[x]")
    if found is None:
        return "nothing to untick"
    iid, text = found
    fake.edit_issue(PROJECT, iid, description=_nth(text, "[x]", "[ ]", 0))
    return f"unticked a task of #{iid}"


def _nth(text: str, old: str, new: str, n: int) -> str:
    at = -1
    for _ in range(n + 1):
        at = text.index(old, at + 1)
    return text[:at] + new + text[at + len(old) :]


def write(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    issue = rng.choice(_ours(fake))
    text = (issue["description"] or "") + f"\n\nA person's own words, {rng.randrange(1000)}.\n"
    fake.edit_issue(PROJECT, issue["iid"], description=text)
    return f"wrote in #{issue['iid']}"


def relabel(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    issue = rng.choice(_ours(fake))
    labels = [label for label in issue["labels"] if not label.startswith("program::")]
    dropped = rng.choice(labels) if labels and rng.random() < 0.7 else None
    kept = [label for label in issue["labels"] if label != dropped]
    fake.edit_issue(PROJECT, issue["iid"], labels=[*kept, "needs-attention"])
    return f"relabelled #{issue['iid']} (dropped {dropped})"


def close_or_reopen(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    issue = rng.choice(_ours(fake))
    state = "opened" if issue["state"] == "closed" else "closed"
    fake.edit_issue(PROJECT, issue["iid"], state=state)  # type: ignore[arg-type]
    return f"{state} #{issue['iid']}"


def detach(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    """A person deletes an issue's first line (its key) and maybe moves it to the other
    program's label."""
    issue = rng.choice(_ours(fake))
    text = (issue["description"] or "").split("\n", 1)[-1]
    labels = list(issue["labels"])
    if rng.random() < 0.5:
        labels = [
            f"program::{rng.choice(PROGRAMS)}" if x.startswith("program::") else x for x in labels
        ]
    fake.edit_issue(PROJECT, issue["iid"], description=text, labels=labels)
    return f"detached #{issue['iid']} ({labels})"


def paste_line(fake: FakeGitLab, rng: random.Random, _root: Path) -> str:
    """A person pastes one of the tool's issues' first line over another's (a participant's,
    a rollup's, the tracking issue's)."""
    source, target = rng.sample(_ours(fake), 2)
    line = (source["description"] or "").split("\n", 1)[0]
    text = (target["description"] or "").split("\n", 1)[-1]
    fake.edit_issue(PROJECT, target["iid"], description=f"{line}\n{text}")
    return f"pasted #{source['iid']}'s first line over #{target['iid']}'s"


def configure(_fake: FakeGitLab, rng: random.Random, root: Path) -> str:
    """A change to config/ or templates/: a comment (nothing to do), or a template's words."""
    if rng.random() < 0.5:
        path = root / "config" / "programs" / f"{rng.choice(PROGRAMS)}.yml"
        path.write_text(path.read_text("utf-8") + f"# reviewed {rng.randrange(1000)}\n", "utf-8")
        return f"commented {path.name}"
    path = root / "templates" / "csm-aspiring-leaders" / "participant.md.j2"
    path.write_text(path.read_text("utf-8").replace("Take the", "Complete the", 1), "utf-8")
    return "reworded a CSM task"


PEOPLE: tuple[Person, ...] = (
    *(tick, tick, tick, untick, write, relabel, close_or_reopen, configure),
    detach,
    paste_line,
)


def _project(root: Path) -> Path:
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "templates", root / "templates")
    return keep_programs(root, *PROGRAMS)


def _state(fake: FakeGitLab) -> object:
    """Everything GitLab holds for the programs but times and the run's own bookkeeping."""
    issues = [
        {k: v for k, v in issue.items() if k not in {"created_at", "updated_at"}}
        for issue in fake.issues(PROJECT)
    ]
    epics = [
        {k: e.get(k) for k in ("iid", "title", "description", "labels", "state")}
        for e in fake.epics(GROUP)
    ]
    labels = {
        name: label
        for where in (PROJECT, GROUP)
        for name, label in fake.labels(where).items()
        if name not in {RECORD_LABEL, LOCK_LABEL}
    }
    return issues, epics, labels


def _kind(run: Result) -> str:
    if "read from its ledger" in run.out:
        return "ledger"
    if "only their programs are checked" in run.out:
        return "scoped"
    return "quiet" if "nothing changed in GitLab" in run.out else "full"


def _history(root: Path, seed: int, full: bool) -> list[tuple[str, object]]:
    """The state after each run of a seeded day-by-day story, synced one way (each story
    says which kind of run it was)."""
    rng = random.Random(seed)
    roster = roster_of(root)
    fake = new_fake(users=(*roster, "alice"))
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
    day = dt.date(2026, 11, 24)
    seen: list[tuple[str, object]] = []
    os.chdir(root)
    with fake.activate():
        for step in range(STEPS):
            people = rng.randrange(3) if step else 0  # the first run makes the issues
            done = [rng.choice(PEOPLE)(fake, rng, root) for _ in range(people)]
            if step and rng.random() < 0.25:
                day += dt.timedelta(days=1)
            fake.clock.advance(HOUR)
            args = ["apply", "--backend", "gitlab", "--today", day.isoformat(), "--rehearsal"]
            run: Result = cli([*args, "--full"] if full else args, env, GitLabTime(fake))
            assert run.code in (0, 1) and "Traceback" not in run.err, run.out + run.err
            seen.append((f"step {step} on {day}: {done}; {_kind(run)} run", _state(fake)))
    return seen


@pytest.mark.heavy
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("index", "ledger"),
    [
        ("in tracking", False),
        ("in its own issue", False),
        ("in tracking", True),
        ("in its own issue", True),
    ],
)
def test_scheduled_runs_end_where_full_runs_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, index: str, ledger: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    if index == "in its own issue":  # as a big program's is: people act on it too
        monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)
    if ledger:  # as a big program's: ledger shards of a few rows each (incremental.py)
        monkeypatch.setattr(rowledger, "LEDGER_MIN", 10)
        monkeypatch.setattr(rowledger, "ROWS_PER_SHARD", 8)
    else:  # and with no ledger at all (as a small program, or before it was written)
        monkeypatch.setattr(ledgerissues, "WRITTEN", False)
    scheduled = _history(_project(tmp_path / "scheduled"), seed, full=False)
    full = _history(_project(tmp_path / "full"), seed, full=True)
    for (story, state), (_, expected) in zip(scheduled, full, strict=True):
        assert state == expected, story
    if seed == SEEDS[0]:  # the suite's story takes the shortcut (some other seeds never do)
        assert any(story.endswith(("scoped run", "ledger run")) for story, _ in scheduled)
    if ledger and seed == SEEDS[0]:  # and, with ledgers, reads a program from its ledger
        assert any(story.endswith("ledger run") for story, _ in scheduled)
