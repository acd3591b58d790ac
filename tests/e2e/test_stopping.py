"""A run asked to stop (a CI job cancelled or past its timeout: SIGTERM; Ctrl-C) releases the run
lock on its way out and says so on one line, so the next scheduled run is not held up for an
hour by a lock nobody holds (a tester's finding); and a run that waits for another's lock, or
takes over an expired one, says so when it happens."""

from __future__ import annotations

import datetime as dt
import errno
import gc
import importlib
import io
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automation import cli, entry
from automation.errors import Stopped
from automation.lock import RunLock, locked
from automation.trackers.local import LocalTracker
from tests.backends import TODAY, StepClock
from tests.local_cli import run

LOCK = Path(".automation/run.lock")


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    """main() installs its SIGTERM handler (and puts back the one it found: should it not,
    this does) and raises the garbage collector's threshold for the process: both as they
    were for the tests after these."""
    before, threshold = signal.getsignal(signal.SIGTERM), gc.get_threshold()
    yield
    signal.signal(signal.SIGTERM, before)
    gc.set_threshold(*threshold)


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["automation", "apply", "--today", TODAY, *more])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    return int(stopped.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize("how", ["SIGTERM", "interrupted"])
def test_a_run_stopped_while_writing_releases_the_lock_and_says_so(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    create = LocalTracker.create_issue
    calls: list[int] = []

    def stopping(self: LocalTracker, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            if how == "SIGTERM":
                os.kill(os.getpid(), signal.SIGTERM)  # as GitLab's runner on a cancelled job
            else:
                raise KeyboardInterrupt
        return create(self, *args, **kwargs)

    monkeypatch.setattr(LocalTracker, "create_issue", stopping)
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setattr("sys.argv", ["automation", "apply", "--today", TODAY, "--report", "r.json"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    code, (out, err) = int(stopped.value.code or 0), capsys.readouterr()
    assert code == (143 if how == "SIGTERM" else 130)
    # every CI section it opened is closed (a tester's error was folded inside the last
    # program's), and the last line of the log says what it wrote
    assert out.count("section_start:") == out.count("section_end:") > 0
    assert out.strip().splitlines()[-1] == (
        "Summary: the run stopped before its end: 1 created, 0 updated (16 labels, 2 epics "
        "created); the next run finishes the rest."
    )
    report = json.loads(Path("r.json").read_text("utf-8"))  # the job's artifact says what
    assert f"the run stopped before its end: stopped ({how})" in report["notices"]
    assert report["summary"]["created"] == 1  # the one create it made before it was stopped
    assert report["exit_code"] == code  # 143 or 130, as the job's
    assert err.strip().splitlines()[-1] == (
        f"automation: stopped ({how}) before the end; anything it wrote is kept, and the next run "
        "finishes the rest"
    )
    assert "Traceback" not in err
    assert not LOCK.exists()  # released: the next run goes ahead at once
    monkeypatch.setattr(LocalTracker, "create_issue", create)
    assert run("apply").code == 0 and "No changes" in run("apply").out


@pytest.mark.parametrize("how", ["SIGTERM", "interrupted"])
def test_a_run_stopped_before_its_first_write_leaves_its_report(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    """A tester's: a job cancelled while the configuration was read left no report, which
    the job keeps as an artifact: the report says the run stopped, having written nothing."""

    def stopping(*_: Any, **__: Any) -> Any:
        if how == "SIGTERM":
            os.kill(os.getpid(), signal.SIGTERM)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "prepare", stopping)
    code, err = _main(monkeypatch, capsys, "--report", "report.json")
    assert code == (143 if how == "SIGTERM" else 130) and "Traceback" not in err
    report = json.loads(Path("report.json").read_text("utf-8"))
    assert report["notices"] == [f"the run stopped before its end: stopped ({how})"]
    assert report["actions"] == [] and report["summary"]["created"] == 0


@pytest.mark.parametrize("how", ["SIGTERM", "interrupted"])
def test_a_run_stopped_while_the_tool_loads_says_so_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    """A tester's: Ctrl-C in the first second (Python still loading the tool's modules)
    printed a traceback, and SIGTERM then killed the process with no word."""

    def loading(name: str) -> Any:
        assert name == "automation.cli"
        if how == "SIGTERM":
            os.kill(os.getpid(), signal.SIGTERM)
        raise KeyboardInterrupt

    monkeypatch.setattr(importlib, "import_module", loading)
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == (143 if how == "SIGTERM" else 130)
    err = capsys.readouterr().err
    assert err == f"automation: stopped ({how}) before the end; no issue was changed\n"


@pytest.mark.parametrize("where", ["show_applied", "_keep_record"])
def test_a_run_stopped_after_its_writes_reports_every_write(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    """A reviewer's: Ctrl-C after every issue was written (while the run printed its lines or
    kept its record) left a report saying it wrote nothing."""
    real = getattr(cli, where)

    def stopping(*args: Any, **kwargs: Any) -> Any:
        if where == "_keep_record":
            real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, where, stopping)
    code, _ = _main(monkeypatch, capsys, "--report", "report.json")
    made = list(Path(".automation/issues").glob("*.md"))
    report = json.loads(Path("report.json").read_text("utf-8"))
    assert code == 130 and made and report["summary"]["created"] == len(made)
    assert report["notices"] == ["the run stopped before its end: stopped (interrupted)"]


def test_the_entry_point_puts_back_the_sigterm_handler_it_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reviewer's: its own handler, left in place, was what the command put back when it
    ended, and a SIGTERM then raised with a traceback."""
    seen: list[object] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(signal.getsignal(signal.SIGTERM)))
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    entry.main()
    assert seen == [signal.SIG_DFL] and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_a_run_stopped_while_taking_the_lock_releases_it(project: Path) -> None:
    """Ctrl-C after GitLab made the lock and before the take returned left the lock behind."""
    tracker = LocalTracker(Path(".automation"))
    tracker.workspace.mkdir(exist_ok=True)

    class Interrupted(RunLock):
        def acquire(self) -> None:
            super().acquire()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), locked(Interrupted(tracker, StepClock())):
        pass
    assert not LOCK.exists()


def test_a_waiting_run_and_a_run_taking_over_an_expired_lock_say_so(project: Path) -> None:
    tracker = LocalTracker(Path(".automation"))
    tracker.workspace.mkdir(exist_ok=True)
    clock = StepClock(dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC))
    job = "https://gitlab.example.com/g/p/-/jobs/9#run-abc"
    assert tracker.lock_take(job, clock.now() + dt.timedelta(minutes=5))
    said: list[str] = []
    RunLock(tracker, clock, say=said.append).acquire()  # waits 5 minutes, then takes over
    assert said[0] == (
        "note: another run of the automation (CI job https://gitlab.example.com/g/p/-/jobs/9) "
        "holds the run lock (the file .automation/run.lock); this run waits for it, up to 10 min"
    )
    assert said[1].startswith("note: the run lock (the file .automation/run.lock) of a run that")
    assert "(CI job https://gitlab.example.com/g/p/-/jobs/9) expired at 2026-11-24T06:05" in said[1]
    assert len(said) == 2


@pytest.mark.parametrize(
    ("number", "code", "how"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signal_while_the_lock_is_released_waits_until_it_is(  # noqa: PLR0917
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    number: int,
    code: int,
    how: str,
) -> None:
    """Reviewers' findings: SIGTERM (a cancelled job), or a second Ctrl-C, landing in the
    release's read left the lock for an hour."""
    read = LocalTracker.lock_read
    reads: list[int] = []

    def reading(self: LocalTracker) -> Any:
        reads.append(1)
        if len(reads) == 1:  # the release's read (the take needed none)
            os.kill(os.getpid(), number)
        return read(self)

    monkeypatch.setattr(LocalTracker, "lock_read", reading)
    got, err = _main(monkeypatch, capsys)
    assert reads and got == code and f"stopped ({how})" in err
    assert not LOCK.exists()


def test_main_leaves_the_sigterm_handler_as_it_found_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert _main(monkeypatch, capsys)[0] == 0
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_plan_stopped_says_no_issue_was_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reviewer's finding: every command said "what it wrote is kept", `plan` too."""

    def stop(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "make_plan", stop)
    monkeypatch.setattr("sys.argv", ["automation", "plan", "--today", TODAY])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "automation: stopped (interrupted) before the end; no issue was changed"
    )


def test_a_sigterm_once_the_run_is_over_is_no_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trial: a SIGTERM a few milliseconds after the summary (a job cancelled as it ended)
    raised in main()'s last lines: a traceback, and exit 1 where the report said 0. The
    handler main() installs stops a run going, and does nothing once the run has returned."""
    done, installed = cli.run, []

    def watched(*args: Any, **kwargs: Any) -> int:
        installed.append(signal.getsignal(signal.SIGTERM))
        return done(*args, **kwargs)

    monkeypatch.setattr(cli, "run", watched)
    code, err = _main(monkeypatch, capsys, "--report", "r.json")
    assert code == 0 and "automation:" not in err, err
    handler = installed[0]
    assert callable(handler)
    handler(signal.SIGTERM, None)  # as a signal after the run's end: no Stopped
    with pytest.raises(Stopped):
        cli._Stopper()(signal.SIGTERM, None)  # one while a run goes stops it


def test_an_output_that_cannot_be_written_is_one_line_and_the_run_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trial: `> file` on a full disk gave a traceback with three issues made and the rest
    not. The run makes them all, and says why its output is missing (exit 3)."""

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("sys.stdout", Full())
    code, err = _main(monkeypatch, capsys)
    assert code == 3, err
    assert err.strip().splitlines()[-1] == (
        "automation: the standard output could not be written (No space left on device); the "
        "run went on to its end without printing there (its --report, if given, has its lines)"
    )
    assert "No changes" in run("apply").out  # every issue was made


def test_a_run_stopped_after_a_write_says_the_warnings_of_its_plan(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An operations trial: a task the template no longer asks for is warned of by the run
    whose write records it in the issue; stopped after that write, the run printed no warning,
    and no later run said it."""
    assert run("apply").code == 0
    template = project / "templates" / "csm-aspiring-leaders" / "participant.md.j2"
    task = "1. [ ] Create and keep up-to-date a record of your achievements"
    lines = template.read_text("utf-8").split("\n")
    template.write_text("\n".join(line for line in lines if not line.startswith(task)), "utf-8")
    update = LocalTracker.update_description

    def stopping(self: LocalTracker, *args: Any, **kwargs: Any) -> Any:
        update(self, *args, **kwargs)
        raise KeyboardInterrupt  # after the first write, as a cancelled job's

    monkeypatch.setattr(LocalTracker, "update_description", stopping)
    monkeypatch.setattr("sys.argv", ["automation", "apply", "--today", TODAY, "--report", "r.json"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    out = capsys.readouterr().out
    said = "no longer asks for task 'Create and keep up-to-date a record of your achievements"
    assert stopped.value.code == 130 and f"warning: csm-aspiring-leaders {said}" in out, out
    assert out.strip().splitlines()[-1].startswith("Summary: the run stopped before its end")
    assert said in " ".join(json.loads(Path("r.json").read_text("utf-8"))["warnings"])
