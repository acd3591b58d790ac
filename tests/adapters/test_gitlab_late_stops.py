"""A run stopped late (a reviewer's findings): a SIGTERM or Ctrl-C delivered as the run lock is
released (held during the release, then delivered), or a second one during the release after
the first, or a stop in a later round: its log and report still list the items that had failed,
once, and not one the later round wrote."""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
from pathlib import Path
from typing import Any

import pytest

import automation.cli as cli_module
import automation.run as run_module
from automation.cli import run
from automation.errors import Stopped
from tests.adapters.test_gitlab_tracker import made_and_ticked
from tests.backends import PROJECT, StepClock

FAILED = "FAILED [demo/c1/user000]"


def _run(gitlab: Any, tmp_path: Path, exc: type[BaseException]) -> tuple[str, dict[str, Any]]:
    """A full apply with main()'s SIGTERM handler, stopped by EXC: its log and report."""
    report, out, err = tmp_path / "r.json", io.StringIO(), io.StringIO()
    argv = ["apply", "--backend", "gitlab", "--full", "--report", str(report)]
    before = signal.signal(signal.SIGTERM, cli_module._Stopper())  # as main() installs it
    try:
        with pytest.raises(exc):
            run(argv, gitlab.env(), out, err, StepClock())
    finally:
        signal.signal(signal.SIGTERM, before)
    return out.getvalue(), json.loads(report.read_text("utf-8"))


def _failing_first(gitlab: Any) -> tuple[int, int]:
    """Issues made and ticked; every write to the first fails (502). Its first and last iid."""
    issues = made_and_ticked(gitlab)
    first, last = issues[0]["iid"], issues[-1]["iid"]
    gitlab.fake.inject(502, times=1000, method="PUT", path_contains=f"/issues/{first}")
    return first, last


def test_a_sigterm_as_the_lock_is_released_lists_the_failed_items(
    gitlab: Any, tmp_path: Path
) -> None:
    """The rounds were over: the stop came after them, and their list was lost (0 failed)."""
    _failing_first(gitlab)
    gitlab.fake.before_request("DELETE", "/labels/", lambda: signal.raise_signal(signal.SIGTERM))
    gitlab.fake.clock.advance(dt.timedelta(hours=1))
    said, reported = _run(gitlab, tmp_path, Stopped)
    assert said.count(FAILED) == 1, said
    assert reported["summary"]["failed"] == 1 and reported["exit_code"] == 143


def test_a_sigterm_as_the_lock_is_released_says_the_runs_warnings(
    gitlab: Any, tmp_path: Path
) -> None:
    """A review: the rounds were over, and their warnings were lost with the stop."""
    _failing_first(gitlab)
    gitlab.fake.create_issue_as(PROJECT, "user001", "Mine", "my notes", ["program::demo"])
    gitlab.fake.before_request("DELETE", "/labels/", lambda: signal.raise_signal(signal.SIGTERM))
    gitlab.fake.clock.advance(dt.timedelta(hours=1))
    said, reported = _run(gitlab, tmp_path, Stopped)
    warned = "the label program::demo, but another user opened it, not the tool"
    assert warned in said and any(warned in w for w in reported["warnings"]), said


def test_a_sigterm_after_gitlab_stopped_the_run_keeps_its_list(gitlab: Any, tmp_path: Path) -> None:
    """GitLab stopped the run (a 403) with one failed item; a SIGTERM as the lock was released
    replaced that stop with one that listed none."""
    _, last = _failing_first(gitlab)
    gitlab.fake.inject(403, times=1000, method="PUT", path_contains=f"/issues/{last}")
    gitlab.fake.before_request("DELETE", "/labels/", lambda: signal.raise_signal(signal.SIGTERM))
    gitlab.fake.clock.advance(dt.timedelta(hours=1))
    said, reported = _run(gitlab, tmp_path, Stopped)
    assert FAILED in said and reported["summary"]["failed"] >= 1, said


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_as_the_lock_is_released_keeps_the_first_ones_list(
    gitlab: Any, tmp_path: Path, signum: int
) -> None:
    """Ctrl-C pressed twice (or a second SIGTERM): the second, held while the lock was
    released and delivered after it, replaced the first stop and its list."""
    _, last = _failing_first(gitlab)

    def stopping() -> None:
        signal.raise_signal(signum)

    gitlab.fake.before_request("PUT", f"/issues/{last}", stopping)
    gitlab.fake.before_request("DELETE", "/labels/", stopping)
    gitlab.fake.clock.advance(dt.timedelta(hours=1))
    said, reported = _run(gitlab, tmp_path, KeyboardInterrupt if signum == 2 else Stopped)
    assert said.count(FAILED) == 1, said
    assert reported["summary"]["failed"] == 1
    assert reported["exit_code"] == (130 if signum == signal.SIGINT else 143)


def test_an_item_a_later_round_wrote_is_not_listed_as_failed(
    gitlab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 1 fails the first issue (502), round 2 writes it, then the job is cancelled: it
    was listed as written and as FAILED, "1 failed" in the summary."""
    issues = made_and_ticked(gitlab)
    first, fake = issues[0]["iid"], gitlab.fake
    fake.delete_issue(PROJECT, issues[-1]["iid"])  # made again: a second round follows
    fake.inject(502, times=1000, method="PUT", path_contains=f"/issues/{first}")
    fake.clock.advance(dt.timedelta(hours=1))
    real, calls = run_module.make_plan, []

    def stop() -> None:
        raise Stopped(signal.SIGTERM)

    def planning(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # the second round's plan: GitLab answers again
            fake.clear_faults()
            fake.before_request("PUT", "/issues/4", stop)  # after the first is written
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "make_plan", planning)
    said, reported = _run(gitlab, tmp_path, Stopped)
    assert f"updated #{first} [demo/c1/user000]" in said, said
    assert FAILED not in said and reported["summary"]["failed"] == 0, said
