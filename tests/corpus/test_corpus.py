"""Realistic mistakes, one small change each, run through the real command line: each case file
here holds the change, the command, the exit code and the exact first line a person reads.
No case may print a traceback. See README.md in this folder for the case format."""

from __future__ import annotations

import contextlib
import io
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.cli import run
from tests.backends import TOKEN, URL, StepClock
from tests.fakes.gitlab_fake import FakeGitLab
from tests.projects import make_project

CASES = sorted(Path(__file__).parent.glob("*.yml"))
TODAY = "2026-11-24"
DATED = ("validate", "plan", "apply")


@dataclass(frozen=True)
class Output:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        """What a person reads: the error stream first, then the output (argparse's usage
        lines left out: its `error:` line is the message)."""
        err = [line for line in self.err.splitlines() if not line.startswith(("usage:", " "))]
        return err + self.out.splitlines()


class Terminal(io.StringIO):
    """A person's interactive terminal."""

    def isatty(self) -> bool:
        return True


def load(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict) and {"why", "run", "exit", "first"} <= set(case), path.name
    return case


def change(root: Path, edit: dict[str, Any]) -> None:
    """One edit a person makes to a file of the project (or of its workspace)."""
    path = root / edit["file"]
    encoding = edit.get("encoding", "utf-8")
    if "rename" in edit:
        path.rename(root / edit["rename"])
    elif edit.get("delete"):
        path.unlink()
    elif "link_to" in edit:
        path.symlink_to(edit["link_to"])
    elif "write" in edit:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(edit["write"].encode(encoding))
    else:
        text = path.read_text(encoding="utf-8")
        old = edit["replace"]
        assert text.count(old) == 1, f"{edit['file']}: {old!r} is not there exactly once"
        path.write_bytes(text.replace(old, edit["with"]).encode(encoding))


def argv(command: str, backend: str) -> list[str]:
    args = shlex.split(command)
    if args and args[0] in DATED and "--today" not in args:
        args += ["--today", TODAY]
    if args and args[0] in ("plan", "apply") and "--backend" not in args:
        args += ["--backend", backend]
    if backend == "gitlab" and args[0] in ("plan", "apply") and "--today" not in command:
        args.append("--rehearsal")
    return args


@contextlib.contextmanager
def gitlab(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeGitLab, dict[str, str]]]:
    """The fake GitLab holding the fixture's project (g/p) and its people."""
    fake = FakeGitLab(url=URL, tier="premium", token=TOKEN)
    fake.add_project("g/p")
    for username in ("ana", "ben"):
        fake.add_user(username)
    monkeypatch.setattr("time.sleep", fake.sleep)  # python-gitlab's retries back off for real
    with fake.activate():
        yield fake, {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}


def command_output(
    command: str, backend: str, env: dict[str, str], terminal: bool = False
) -> Output:
    out: io.StringIO = Terminal() if terminal else io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run(argv(command, backend), env, out, err, StepClock())
        except SystemExit as stop:  # argparse: usage errors, --help, --version
            code = int(stop.code or 0)
    return Output(code, out.getvalue(), err.getvalue())


def perform(case: dict[str, Any], root: Path, monkeypatch: pytest.MonkeyPatch) -> Output:
    """Commands run first, the person's change, GitLab failing if the case says so, then
    the command whose output is checked."""
    backend = case.get("backend", "local")
    with contextlib.ExitStack() as stack:
        fake, env = stack.enter_context(gitlab(monkeypatch)) if backend == "gitlab" else (None, {})
        for command in case.get("before", []):
            assert command_output(command, backend, env).code == 0, command
        for edit in case.get("change", []):
            change(root, edit)
        if fake is not None and "fault" in case:
            fault = case["fault"]
            fake.inject(
                fault["status"], times=1000, method=fault["method"], path_contains=fault["path"]
            )
        return command_output(case["run"], backend, env, case.get("terminal", False))


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_a_mistake_gets_its_message(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = load(path)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, case.get("files"))
    result = perform(case, tmp_path, monkeypatch)
    shown = result.out + result.err
    assert "Traceback" not in shown and 'File "' not in shown, shown
    assert (result.code, result.lines[:1]) == (case["exit"], [case["first"]]), shown
    for line in case.get("also", []):
        assert line in result.lines, f"{line!r} not in:\n{shown}"
    for expected in case.get("expect", []):
        target = tmp_path / expected["file"]
        assert target.exists() == expected.get("exists", True), expected["file"]
        if "contains" in expected:
            assert expected["contains"] in target.read_text(encoding="utf-8"), expected


def test_the_corpus_covers_at_least_forty_mistakes() -> None:
    assert len(CASES) >= 40
    assert all(load(path)["why"].strip() for path in CASES)
