"""Helpers for end-to-end tests that drive the CLI on the local backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from automation.items import ObservedIssue
from automation.markers import begin_marker, end_marker
from automation.trackers.local import LocalTracker
from tests.backends import Result, cli

TODAY = "2026-11-24"


def run(command: str, today: str = TODAY, *extra: str) -> Result:
    """One CLI command on the local backend (validate takes no backend), with EXTRA options."""
    backend = [] if command == "validate" else ["--backend", "local"]
    return cli([command, *backend, "--today", today, *extra], {})


def line_of(path: Path, text: str) -> int:
    """The number of the first line of PATH that holds TEXT."""
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line
    )


def lines_with(result: Result, text: str) -> list[str]:
    """The lines of a command's output that hold TEXT."""
    return [line for line in result.out.splitlines() if text in line]


def issues(root: Path) -> dict[str, ObservedIssue]:
    """Every issue in the project's workspace, by key."""
    return {i.key or "": i for i in LocalTracker(root / ".automation").all_issues()}


def path_of(root: Path, key: str) -> Path:
    """The file of the issue with this key."""
    return root / ".automation" / "issues" / f"{issues(root)[key].iid}.md"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file as a person would, failing if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def cut_block(path: Path, name: str, change: Callable[[str], str] = lambda text: text) -> None:
    """A person deletes one of the tool's blocks from an issue's file, markers and all (and
    makes CHANGE to what is left)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(begin_marker(name))
    end = text.index(end_marker(name)) + len(end_marker(name))
    path.write_text(change(text[:start] + text[end:].removeprefix("\n")), encoding="utf-8")
