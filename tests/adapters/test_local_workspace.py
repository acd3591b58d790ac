"""The local workspace as a person uses it: index.md to start from, a workspace that cannot
be written (one message, exit 3), and confidential items named on the person's own screen only."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest

from automation.cli import run
from automation.items import ObservedIssue
from automation.trackers.local_index import index_text
from tests.backends import StepClock
from tests.projects import PROGRAM, make_project

TODAY = "2026-11-24"


class Terminal(io.StringIO):
    """What a person's terminal is to the tool: an interactive output."""

    def isatty(self) -> bool:
        return True


def cli(
    *args: str, env: dict[str, str] | None = None, out: io.StringIO | None = None
) -> tuple[int, str, str]:
    out = out if out is not None else io.StringIO()
    err = io.StringIO()
    argv = [*args, "--backend", "local", "--today", TODAY]
    code = run(argv, env or {}, out, err, StepClock())
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def test_the_index_lists_each_issue_file_and_follows_a_ticked_box(root: Path) -> None:
    assert cli("apply")[0] == 0
    index = (root / ".automation" / "index.md").read_text("utf-8")
    assert "| [#1](issues/1.md) | Demo: Ben | ben | demo | One | 0/1 (0%) | not started |" in index
    assert "| [#2](issues/2.md) | Demo tracking |" in index
    # the hint shows both list styles the shipped issues use (a newcomer: it showed `- [x]`
    # only, and the CSM issues number their tasks)
    assert "tick a box (`[ ]` to `[x]`, in `1. [ ]` or `- [ ]`)" in index
    issue = root / ".automation" / "issues" / "1.md"
    issue.write_text(
        issue.read_text("utf-8").replace("- [ ] task for Ben", "- [x] task for Ben"), "utf-8"
    )
    assert cli("apply")[0] == 0
    index = (root / ".automation" / "index.md").read_text("utf-8")
    assert "| [#1](issues/1.md) | Demo: Ben | ben | demo | — | 1/1 (100%) | complete |" in index


def test_a_run_with_nothing_to_do_leaves_the_index_alone(root: Path) -> None:
    assert cli("apply")[0] == 0
    index = root / ".automation" / "index.md"
    before = index.stat().st_mtime_ns
    assert "No changes" in cli("apply")[1]
    assert index.stat().st_mtime_ns == before


def test_a_read_only_workspace_stops_the_run_with_one_line(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("apply")[0] == 0
    issue = root / ".automation" / "issues" / "1.md"
    issue.write_text(
        issue.read_text("utf-8").replace("- [ ] task for Ben", "- [x] task for Ben"), "utf-8"
    )
    before = issue.read_bytes()

    def read_only(*_: object, **__: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("automation.trackers.local.os.open", read_only)  # the run lock
    monkeypatch.setattr("automation.trackers.local.os.replace", read_only)  # every file
    code, _, err = cli("apply")
    assert code == 3
    assert err == (
        "automation: cannot write .automation/run.lock in the local workspace (Read-only file "
        "system); make the folder writable, or pass --workspace DIR for another folder\n"
    )
    assert issue.read_bytes() == before


def test_a_workspace_that_is_a_file_is_named(root: Path) -> None:
    (root / "notes.txt").write_text("mine\n", "utf-8")
    code, _, err = cli("apply", "--workspace", "notes.txt/ws")
    assert code == 3
    assert err.startswith("automation: cannot write notes.txt/ws/run.lock in the local workspace")
    assert (root / "notes.txt").read_text("utf-8") == "mine\n"


CONFIDENTIAL = PROGRAM.replace("kind: participants\n", "kind: participants\nconfidential: true\n")


def test_confidential_items_are_named_on_the_persons_own_terminal_only(root: Path) -> None:
    make_project(root, {"config/programs/demo.yml": CONFIDENTIAL})
    _, shown, _ = cli("plan", out=Terminal())
    assert 'create issue "Demo: Ben" [demo/c1/ben], assigned to ben, confidential' in shown
    for env, args, out in (
        ({}, [], io.StringIO()),
        ({"CI": "true"}, [], Terminal()),
        ({}, ["--report", "report.json"], Terminal()),
    ):
        _, hidden, _ = cli("plan", *args, env=env, out=out)
        assert "create a new issue of demo (confidential)" in hidden
        assert "Ben" not in hidden and "ben" not in hidden
    assert "ben" not in (root / "report.json").read_text("utf-8").lower()
    _, as_json, _ = cli("plan", "--json", out=Terminal())
    assert "ben" not in as_json.lower()


def test_an_index_row_stays_one_row_whatever_a_title_holds() -> None:
    issue = ObservedIssue(
        iid=7,
        title="Demo: A | B *bold* [x]",
        description="## One\n- [x] a\n- [ ] b\n",
        labels=("program::demo", "phase::One", "status::in progress"),
        state="opened",
        assignees=("ana",),
    )
    row = index_text([issue]).splitlines()[-1]
    assert row == (
        r"| [#7](issues/7.md) | Demo: A \| B \*bold\* \[x\] | ana | demo | One | 1/2 (50%) "
        "| in progress |"
    )


def test_a_list_emptied_by_deleting_its_last_line_reads_as_empty(root: Path) -> None:
    """A tester's: a person unassigned the only assignee (deleting the `- ben` line under
    `assignees:`, which YAML then reads as nothing): every run stopped with exit 2."""
    assert cli("apply")[0] == 0
    issue = root / ".automation" / "issues" / "1.md"
    text = issue.read_text("utf-8")
    assert "assignees:\n- ben\n" in text and "links: []\n" in text
    issue.write_text(text.replace("assignees:\n- ben\n", "assignees:\n").replace("[]", ""), "utf-8")
    code, out, err = cli("plan")
    assert code == 0, out + err
    assert "No changes" in out, out  # read as unassigned (a person's call, as on GitLab)
