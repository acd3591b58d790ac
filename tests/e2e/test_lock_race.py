"""Two runs and the run lock, every order of their lock requests.

Each run is the real `RunLock` on its own `GitLabTracker`, against one fake GitLab. The two
runs live in two threads, but only one of them ever runs: each stops before every lock
request (take, read, drop, extend) and before and after its writing, and the test picks who
goes next. A depth-first search over those choices replays every interleaving from a fresh
fake, so the result is deterministic: no two requests ever overlap, as on real GitLab, where
each label request is atomic.

Checked for every order: the two runs are never both between "lock taken" and "lock
released" (both writing), and no lock is left behind.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from automation.config.models import GitLabSettings
from automation.errors import TrackerUnavailable
from automation.lock import RunLock, locked
from automation.trackers.gitlab import LOCK_LABEL, Connection, GitLabTracker
from tests.backends import GROUP, PROJECT, TOKEN, URL, StepClock, new_fake

START = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
STEPS = ("lock_take", "lock_read", "lock_drop", "lock_extend")
MAX_SCHEDULES = 200_000
WAIT = dt.timedelta(seconds=15)  # a waiting run looks twice, then gives up (exit 3)


class Stop(BaseException):
    """Ends a thread of an abandoned schedule."""


@dataclass
class Scheduler:
    """Lets one run go at a time, to its next stop, in the order SCRIPT says (then the
    first run that can go); records at each choice how many runs could go."""

    script: list[int]
    choices: list[tuple[int, int]] = field(default_factory=list)  # (picked, of how many)
    cv: threading.Condition = field(default_factory=threading.Condition)
    waiting: dict[str, str] = field(default_factory=dict)  # run -> the step it stops before
    done: set[str] = field(default_factory=set)
    turn: str | None = None
    trace: list[str] = field(default_factory=list)
    stopping: bool = False

    def stop_before(self, name: str, step: str) -> None:
        with self.cv:
            self.waiting[name] = step
            self.cv.notify_all()
            self.cv.wait_for(lambda: self.turn == name or self.stopping)
            if self.stopping:
                raise Stop
            self.turn = None
            del self.waiting[name]
            self.trace.append(f"{name}:{step}")

    def finish(self, name: str) -> None:
        with self.cv:
            self.done.add(name)
            self.cv.notify_all()

    def drive(self, names: tuple[str, ...]) -> None:
        while True:
            with self.cv:
                self.cv.wait_for(
                    lambda: (
                        self.turn is None
                        and all(n in self.waiting or n in self.done for n in names)
                    )
                )
                ready = sorted(self.waiting)
                if not ready:
                    return
                i = len(self.choices)
                pick = self.script[i] if i < len(self.script) else 0
                self.choices.append((pick, len(ready)))
                self.turn = ready[pick]
                self.cv.notify_all()


@pytest.fixture(autouse=True)
def _no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """python-gitlab waits before it tries a failed request again: not for real here."""
    monkeypatch.setattr(time, "sleep", lambda _s: None)


def _tracker() -> GitLabTracker:
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    return GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)


def _lose_answer_after_write(fake: Any, holder: str, error: type[Exception]) -> None:
    """The first create of HOLDER's lock is made, and its answer lost."""
    inner, fired = fake._callback, list[bool]()

    def callback(prepared: requests.PreparedRequest) -> Any:
        answer = inner(prepared)
        body = prepared.body or b""
        text = body.decode() if isinstance(body, bytes) else str(body)
        if (
            not fired
            and prepared.method == "POST"
            and (prepared.url or "").endswith("/labels")
            and holder in text
        ):
            fired.append(answer[0])
            raise error("answer lost after the write")
        return answer

    fake._callback = callback  # before activate(): responses keeps the bound callback


@dataclass
class Outcome:
    wrote: list[str]
    overlap: bool
    busy: list[str]
    left: dict[str, Any] | None  # the lock label left behind, if any
    trace: list[str]
    choices: list[tuple[int, int]]


def play(start: str, script: list[int], extend: bool) -> Outcome:  # noqa: C901, PLR0915
    fake = new_fake()
    if start == "lost-a":
        _lose_answer_after_write(fake, "run-a", requests.ConnectionError)
    if start == "timeout-a":
        _lose_answer_after_write(fake, "run-a", requests.ReadTimeout)
    sched = Scheduler(script)
    inside: set[str] = set()
    wrote: list[str] = []
    busy: list[str] = []
    overlap = [False]
    errors: list[BaseException] = []

    with fake.activate():
        if start == "expired":
            assert _tracker().lock_take("run-crashed", START - dt.timedelta(hours=2))

        def run(name: str) -> None:
            tracker = _tracker()
            for step in STEPS:
                real = getattr(tracker, step)

                def stopped(*args: Any, _real: Callable[..., Any] = real, _s: str = step) -> Any:
                    sched.stop_before(name, _s)
                    return _real(*args)

                setattr(tracker, step, stopped)
            clock = StepClock(START)
            lock = RunLock(tracker, clock, wait=WAIT, holder=f"run-{name}")
            try:
                with locked(lock):
                    sched.stop_before(name, "write")
                    if inside:
                        overlap[0] = True
                    inside.add(name)
                    wrote.append(name)
                    if extend:  # a long run: keep_alive reads and moves the lock
                        clock.sleep(11 * 60)
                        lock.keep_alive()
                    sched.stop_before(name, "written")
                    inside.discard(name)
            except TrackerUnavailable:
                busy.append(name)
            except Stop:
                pass
            except BaseException as error:
                errors.append(error)
            finally:
                sched.finish(name)

        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in ("a", "b")]
        for t in threads:
            t.start()
        try:
            sched.drive(("a", "b"))
        finally:
            with sched.cv:
                sched.stopping = True
                sched.cv.notify_all()
            for t in threads:
                t.join(10)
        left = dict(fake.labels(GROUP)).get(LOCK_LABEL)
    assert not errors, errors
    return Outcome(wrote, overlap[0], busy, left, sched.trace, sched.choices)


def schedules(start: str, extend: bool = False) -> Iterator[Outcome]:
    """Every interleaving, depth first: replay a prefix, then try the next choice."""
    script: list[int] = []
    for _ in range(MAX_SCHEDULES):
        outcome = play(start, script, extend)
        yield outcome
        choices = outcome.choices
        while choices and choices[-1][0] + 1 >= choices[-1][1]:
            choices = choices[:-1]
        if not choices:
            return
        script = [picked for picked, _ in choices[:-1]] + [choices[-1][0] + 1]
    raise AssertionError("too many schedules")


CASES = [  # (start, extend); an expired lock with keep-alive: 17k orders, some minutes
    ("free", False),
    ("free", True),
    ("lost-a", False),
    ("lost-a", True),
    ("timeout-a", False),
    ("timeout-a", True),
    ("expired", False),
]


@pytest.mark.parametrize(("start", "extend"), CASES)
def test_two_runs_never_write_at_once_in_any_order_of_their_lock_requests(
    start: str, extend: bool
) -> None:
    """START: no lock; a crashed run's expired lock; run a's create made but its answer lost
    (connection reset, read time-out). In every order: never both writing; each run either
    wrote or stopped because the other held the lock; at least one wrote; no lock left."""
    count = 0
    for outcome in schedules(start, extend):
        count += 1
        where = " ".join(outcome.trace)
        assert not outcome.overlap, f"both runs wrote at once: {where}"
        assert sorted(outcome.wrote + outcome.busy) == ["a", "b"], where
        assert outcome.wrote, where
        assert outcome.left is None, f"lock left behind: {where}"
    assert count > 10
