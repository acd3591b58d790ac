"""The two trackers behind one test-side interface, so scenarios run against both."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from automation.cli import run
from automation.clock import Clock
from automation.config.models import GitLabSettings
from automation.items import ObservedIssue
from automation.syncrecord import RECORD_LABEL
from automation.trackers.base import Tracker
from automation.trackers.gitlab import Connection, GitLabTracker
from automation.trackers.local import LocalTracker
from tests.fakes.gitlab_fake import FakeGitLab

TODAY = "2026-11-24"
URL = "https://gitlab.example.com"
TOKEN = "glpat-s3cr3t-t0k3n-value"
PROJECT = "enablement/programs"
GROUP = "enablement"


@dataclass(frozen=True)
class Result:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


class Backend(Protocol):
    """What a contract scenario needs from a backend."""

    name: str

    def cli(self, command: str, *args: str) -> Result: ...

    def tracker(self) -> Tracker: ...

    def issues(self) -> list[ObservedIssue]: ...

    def edit(self, iid: int, change: Callable[[str], str]) -> None: ...

    def retitle(self, iid: int, title: str, state: str | None = None) -> None: ...

    def fingerprint(self) -> object: ...


class StepClock(Clock):
    """Time that moves only when the run sleeps: no test waits for real."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.moment = start or dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
        self.seconds = 0.0
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.moment + dt.timedelta(seconds=self.seconds)

    def monotonic(self) -> float:
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.seconds += max(seconds, 0.0)


class GitLabTime(StepClock):
    """The run's time on a fake GitLab: what the run sleeps, GitLab's clock moves on too (as
    the real one does while a run waits)."""

    def __init__(self, fake: FakeGitLab) -> None:
        super().__init__(fake.clock.now())  # the run starts when GitLab's clock says (a trial:
        # a run hours into a scenario said its lock expired at a time GitLab had passed)
        self.fake = fake

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.fake.clock.advance(dt.timedelta(seconds=max(seconds, 0.0)))


class Terminal(io.StringIO):
    """Output that says it is an interactive terminal."""

    def isatty(self) -> bool:
        return True


def cli(
    args: list[str], env: dict[str, str], clock: Clock | None = None, screen: bool = False
) -> Result:
    """The command's exit code and output; SCREEN: its output goes to a terminal (where the
    local backend's lines name confidential items)."""
    out, err = Terminal() if screen else io.StringIO(), io.StringIO()
    code = run(args, env, out, err, clock or StepClock())
    return Result(code, out.getvalue(), err.getvalue())


@dataclass
class LocalBackend:
    """The local tracker in <project>/.automation."""

    root: Path
    name: str = "local"

    def cli(self, command: str, *args: str) -> Result:
        """COMMAND on TODAY unless ARGS give another --today."""
        return cli([command, "--backend", "local", "--today", TODAY, *args], {})

    def tracker(self) -> Tracker:
        return LocalTracker(self.root / ".automation")

    def issues(self) -> list[ObservedIssue]:
        return LocalTracker(self.root / ".automation").all_issues()

    def edit(self, iid: int, change: Callable[[str], str]) -> None:
        """A person edits the description (the text after the front matter) in the file."""
        path = self.root / ".automation" / "issues" / f"{iid}.md"
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        path.write_text(f"---\n{front}---\n{change(body)}", "utf-8")

    def retitle(self, iid: int, title: str, state: str | None = None) -> None:
        """A person changes the title (and closes or reopens the issue) in the file."""
        path = self.root / ".automation" / "issues" / f"{iid}.md"
        _, front, body = path.read_text("utf-8").split("---\n", 2)
        line = json.dumps(title)  # a JSON string is a YAML string
        front = re.sub(r"^title: .*$", lambda _: f"title: {line}", front, count=1, flags=re.M)
        if state is not None:
            front = re.sub(r"^state: .*$", f"state: {state}", front, count=1, flags=re.M)
        path.write_text(f"---\n{front}---\n{body}", "utf-8")

    def fingerprint(self) -> object:
        """Every workspace file with its bytes and modification time."""
        folder = self.root / ".automation"
        return sorted(
            (str(p), p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
        )


@dataclass
class GitLabBackend:
    """The GitLab tracker against the stateful fake (which must be active)."""

    fake: FakeGitLab
    settings: GitLabSettings = field(
        default_factory=lambda: GitLabSettings(group=GROUP, project=PROJECT)
    )
    name: str = "gitlab"

    def env(self) -> dict[str, str]:
        return {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}

    def cli(self, command: str, *args: str, clock: Clock | None = None) -> Result:
        """COMMAND on TODAY unless ARGS give another --today; CLOCK: the run's time (GitLab's
        by default)."""
        argv = [command, "--backend", "gitlab", "--today", TODAY, "--rehearsal", *args]
        return cli(argv, self.env(), clock or GitLabTime(self.fake))

    def tracker(self) -> Tracker:
        return GitLabTracker(Connection(URL, TOKEN), self.settings, sleep=lambda _: None)

    def issues(self) -> list[ObservedIssue]:
        return [
            ObservedIssue(
                iid=i["iid"],
                title=i["title"],
                description=i["description"] or "",
                labels=tuple(i["labels"]),
                state=i["state"],
                due_date=dt.date.fromisoformat(i["due_date"]) if i["due_date"] else None,
                assignees=tuple(i["assignees"]),
                confidential=bool(i["confidential"]),
                by_tool=self._authors[i["iid"]] == self.fake.owner.username,
            )
            for i in self.fake.issues(PROJECT)
        ]

    @property
    def _authors(self) -> dict[int, str]:
        issues = self.fake.project(PROJECT).issues.values()
        return {issue.iid: issue.author.username for issue in issues}

    def edit(self, iid: int, change: Callable[[str], str]) -> None:
        """A person edits the description in GitLab (through the API, as the UI does)."""
        issues = self.fake.client().projects.get(PROJECT, lazy=True).issues
        current = issues.get(iid).attributes["description"]
        issues.update(iid, {"description": change(current)})

    def retitle(self, iid: int, title: str, state: str | None = None) -> None:
        """A person changes the title (and closes or reopens the issue) in GitLab."""
        wanted = state if state in ("opened", "closed") else None
        self.fake.edit_issue(PROJECT, iid, title=title, state=wanted)  # type: ignore[arg-type]

    def fingerprint(self) -> object:
        """How many writes GitLab received so far, and the issues as they are. The record of
        the last run that found nothing to do (a label's description, written by such runs;
        see syncrecord.py) is bookkeeping, not a change: its writes are not counted."""
        writes = sum(self.fake.count(method) for method in ("POST", "PUT", "PATCH", "DELETE"))
        return writes - self.record_writes(), self.fake.issues(PROJECT)

    def record_writes(self) -> int:
        """Writes of the run record."""
        return record_writes(self.fake)


def record_writes(fake: FakeGitLab) -> int:
    """Writes of the record of the last run that found nothing to do (the label's creation
    names it in its body, an update in its path): bookkeeping, which tests of "nothing was
    written" leave out."""
    return sum(
        1
        for r in fake.requests
        if (r.method == "POST" and r.params.get("name") == RECORD_LABEL)
        or (r.method == "PUT" and r.path.endswith(f"/labels/{RECORD_LABEL}"))
    )


def roster_of(root: Path) -> tuple[str, ...]:
    """The usernames ROOT's config/people.yml lists (a fake GitLab's users)."""
    return tuple(re.findall(r"username: (\S+)", (root / "config/people.yml").read_text("utf-8")))


def new_fake(tier: str = "premium", users: tuple[str, ...] = ()) -> FakeGitLab:
    """A fake GitLab with the project, group and users the shipped config names: each a
    Reporter of the group, as people who work in the programs' issues are (GitLab assigns
    only users who can read the project's issues)."""
    fake = FakeGitLab(url=URL, tier=tier, token=TOKEN)  # type: ignore[arg-type]
    fake.clock.current = StepClock().now()  # GitLab's day is the run's (cli._same_day)
    fake.add_project(PROJECT)
    for username in users:
        fake.add_member(GROUP, username, "reporter")
    return fake
