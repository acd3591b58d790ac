"""The run lock of a long run: its expiry moves every ten minutes, and a failed move is tried
again on the next write instead of ending the run (the lock lasts an hour)."""

from __future__ import annotations

import datetime as dt

import pytest

from automation.errors import TrackerUnavailable
from automation.lock import LOCK_TTL, REFRESH_EVERY, RunLock
from tests.backends import StepClock
from tests.memory import MemoryTracker


class Flaky(MemoryTracker):
    """A tracker whose lock extensions fail while `down` is set."""

    down = False

    def lock_extend(self, holder: str, until: dt.datetime) -> None:
        if self.down:
            raise TrackerUnavailable("cannot reach GitLab: 502")
        super().lock_extend(holder, until)


def expiry(tracker: MemoryTracker) -> dt.datetime:
    held = tracker.lock_read()
    assert held is not None
    return held[1]


@pytest.fixture
def held() -> tuple[Flaky, StepClock, RunLock]:
    tracker, clock = Flaky(), StepClock()
    lock = RunLock(tracker, clock)
    lock.acquire()
    return tracker, clock, lock


def test_a_long_run_moves_the_expiry_every_ten_minutes(
    held: tuple[Flaky, StepClock, RunLock],
) -> None:
    tracker, clock, lock = held
    taken = expiry(tracker)
    clock.sleep(REFRESH_EVERY.total_seconds() - 1)
    lock.keep_alive()
    assert expiry(tracker) == taken  # not yet
    clock.sleep(1)
    lock.keep_alive()
    assert expiry(tracker) == clock.now() + LOCK_TTL


def test_a_failed_move_is_tried_again_and_the_run_goes_on(
    held: tuple[Flaky, StepClock, RunLock],
) -> None:
    tracker, clock, lock = held
    taken = expiry(tracker)
    clock.sleep(REFRESH_EVERY.total_seconds())
    tracker.down = True
    lock.keep_alive()  # GitLab blinks: no exception, the lock still lasts most of an hour
    assert expiry(tracker) == taken
    tracker.down = False
    clock.sleep(5)
    lock.keep_alive()  # the next write moves it
    assert expiry(tracker) == clock.now() + LOCK_TTL


def test_a_lock_deleted_or_taken_meanwhile_stops_the_run_and_is_not_overwritten(
    held: tuple[Flaky, StepClock, RunLock],
) -> None:
    tracker, clock, lock = held
    clock.sleep(REFRESH_EVERY.total_seconds())
    tracker.lock_drop()  # a person deleted it, as the busy message says to when runs crashed
    with pytest.raises(TrackerUnavailable, match="was deleted, or taken by another run"):
        lock.keep_alive()
    other = ("run-other", clock.now() + LOCK_TTL)
    tracker.lock = other  # another run took it meanwhile
    clock.sleep(REFRESH_EVERY.total_seconds())
    with pytest.raises(TrackerUnavailable, match="not to go on writing beside another run"):
        lock.keep_alive()
    assert tracker.lock_read() == other


def test_gitlab_failing_until_the_lock_would_expire_stops_the_run(
    held: tuple[Flaky, StepClock, RunLock],
) -> None:
    tracker, clock, lock = held
    tracker.down = True
    for _ in range(4):  # 10, 20, 30 and 40 minutes on: still tried again later
        clock.sleep(REFRESH_EVERY.total_seconds())
        lock.keep_alive()
    clock.sleep(REFRESH_EVERY.total_seconds())  # 50 minutes: the lock would soon expire
    with pytest.raises(TrackerUnavailable, match="cannot keep the run lock"):
        lock.keep_alive()


class Refusing(MemoryTracker):
    """A tracker that refuses every lock request once `refused` is set (a token expired or
    its user demoted during the run)."""

    refused = False

    def lock_read(self) -> tuple[str, dt.datetime] | None:
        if self.refused:
            raise TrackerUnavailable("GitLab rejected the token while reading the run lock (401)")
        return super().lock_read()


def test_a_lock_that_cannot_be_released_is_said_with_its_expiry() -> None:
    tracker, clock, said = Refusing(), StepClock(), list[str]()
    lock = RunLock(tracker, clock, say=said.append)
    lock.acquire()
    taken = expiry(tracker)
    tracker.refused = True
    lock.release()  # the run stops on its error: the release must not raise another
    assert len(said) == 1
    assert "could not be released" in said[0] and "(401)" in said[0]
    assert taken.isoformat().replace("+00:00", "Z") in said[0]
    assert "delete the lock" in said[0]
    tracker.refused = False
    assert tracker.lock_read() is not None  # still there: it expires by itself


def test_a_release_that_works_says_nothing() -> None:
    tracker, said = Refusing(), list[str]()
    lock = RunLock(tracker, StepClock(), say=said.append)
    lock.acquire()
    lock.release()
    assert tracker.lock_read() is None and said == []
