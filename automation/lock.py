"""One run at a time: a lock kept where the issues live, with an expiry for a crashed holder."""

from __future__ import annotations

import datetime as dt
import secrets
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from automation.clock import Clock
from automation.errors import GITLABS_OWN, AutomationError, TrackerUnavailable
from automation.trackers.base import UNREADABLE_LOCK, Tracker

LOCK_TTL = dt.timedelta(minutes=60)  # a holder that crashed frees the lock after this
REFRESH_EVERY = dt.timedelta(minutes=10)  # a live holder moves the expiry this often
WAIT = dt.timedelta(minutes=10)  # how long a second run waits before giving up
# an event run (a tick's webhook) leaves its tick to the runs after it sooner: each queued event
# job waited ten minutes and failed while a long run held the lock (a tester)
EVENT_WAIT = dt.timedelta(minutes=1)


class LockBusy(TrackerUnavailable):
    """Another run kept the lock (readable, not expired) for as long as this run waits;
    `event` is what an event run says of it, as it leaves the change to the next runs."""

    def __init__(self, message: str, event: str) -> None:
        super().__init__(message)
        self.event = event


POLL = 15.0  # seconds between two looks at a lock held by another run
MAX_TAKEOVERS = 3  # expired locks removed in one acquisition (two runs taking over at once)


@dataclass
class RunLock:
    """Takes, keeps and releases the tracker's run lock."""

    tracker: Tracker
    clock: Clock = field(default_factory=Clock)
    wait: dt.timedelta = WAIT
    holder: str = field(default_factory=lambda: holder_name({}))
    say: Callable[[str], None] = lambda _: None  # a line for the run's log
    # what it says when the lock stays behind (after the run's own lines: not folded inside a
    # program's section), kept in `unreleased` for the run's report too
    say_last: Callable[[str], None] | None = None
    unreleased: str | None = None
    _refreshed: dt.datetime | None = None

    def acquire(self) -> None:
        """Take the lock, waiting a bounded time for another run; TrackerUnavailable (exit 3)
        when it stays taken."""
        give_up, takeovers, waited = self.clock.now() + self.wait, 0, False
        while not self.tracker.lock_take(self.holder, self.clock.now() + LOCK_TTL):
            held = self.tracker.lock_read()
            if held is not None and held[0] == self.holder:
                break  # taken by this run after all (the answer to the create was lost)
            if (held is None or held[1] <= self.clock.now()) and takeovers < MAX_TAKEOVERS:
                takeovers += 1
                if held is not None:
                    self.say(_taking_over(self.tracker, held))
                self.tracker.lock_drop()  # its holder crashed (or it vanished): take over
                continue
            if self.clock.now() >= give_up:
                raise _busy(self.tracker, held, self.wait)
            if not waited:
                waited = True
                self.say(_waiting(self.tracker, held, self.wait))
            self.clock.sleep(POLL)
        self._refreshed = self.clock.now()

    def keep_alive(self) -> None:
        """Move the expiry now and then (after a write, every REFRESH_EVERY), so a long run
        keeps its lock. The lock is read first: gone (a person deleted it) or another run's,
        this run stops rather than go on writing beside another. A read or move GitLab fails
        is tried again after the next write, until the lock would soon expire: then the run
        stops too."""
        refreshed = self._refreshed
        if refreshed is None or self.clock.now() - refreshed < REFRESH_EVERY:
            return
        try:
            held = self.tracker.lock_read()
            if held is not None and held[0] == self.holder:
                self.tracker.lock_extend(self.holder, self.clock.now() + LOCK_TTL)
        except AutomationError as error:
            if self.clock.now() - refreshed < LOCK_TTL - REFRESH_EVERY:
                return  # the lock still holds for a while: try again after the next write
            raise TrackerUnavailable(f"cannot keep the run lock: {error}") from error
        if held is None or held[0] != self.holder:
            raise TrackerUnavailable(_lost_message(self.tracker))
        self._refreshed = self.clock.now()

    def release(self) -> None:
        """Drop the lock if this run still holds it (never another run's). Best effort: if
        GitLab cannot be reached now (or refuses the token: one that expired or lost its role
        during the run), the lock expires by itself, and the log says when, and how to run
        sooner (a tester's run after fixing the token waited ten minutes for "another run")."""
        try:
            held = self.tracker.lock_read()
            if held is not None and held[0] == self.holder:
                self.tracker.lock_drop()
        except AutomationError as error:
            if self._refreshed is not None:
                self.unreleased = _not_released(self.tracker, self._refreshed + LOCK_TTL, error)
                (self.say_last or self.say)(f"note: {self.unreleased}")
        self._refreshed = None


def holder_name(env: Mapping[str, str]) -> str:
    """A name for this run that no other run has, which a person reading the lock can follow:
    the CI job's address when the run is a GitLab CI job (a web address has no spaces, as the
    lock's text needs), with a random part in any case (two runs never share a name, whatever
    the environment says)."""
    own = f"run-{secrets.token_hex(6)}"
    job = env.get("CI_JOB_URL", "")
    if job.startswith(("https://", "http://")) and not any(c.isspace() for c in job):
        return f"{job}#{own}"
    return own


def _holder_said(holder: str) -> str:
    """The holder as the lock's messages name it: its CI job, when it was one."""
    job = holder.rsplit("#", 1)[0] if "#" in holder else ""
    return f" (CI job {job})" if job else ""


def _waiting(tracker: Tracker, held: tuple[str, dt.datetime] | None, wait: dt.timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    holder = _holder_said(held[0]) if held else ""
    return (
        f"note: another run of the automation{holder} holds the run lock "
        f"({tracker.lock_description()}); this run waits for it, up to {minutes} min"
    )


def _taking_over(tracker: Tracker, held: tuple[str, dt.datetime]) -> str:
    stamp = _stamp(held[1])
    return (
        f"note: the run lock ({tracker.lock_description()}) of a run that did not finish"
        f"{_holder_said(held[0])} expired at {stamp}; this run takes it over. What that run "
        "wrote is kept, and this run finishes its work"
    )


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _not_released(tracker: Tracker, until: dt.datetime, error: AutomationError) -> str:
    # GitLab's answer, not again the advice that follows it
    why = str(error).replace(GITLABS_OWN, "").split("): ", 1)[0]
    why = why + ")" if why.count("(") > why.count(")") else why
    return (
        f"the run lock ({tracker.lock_description()}) could not be released ({why}); it "
        f"expires by itself at about {_stamp(until)}, and until then the next runs wait for "
        "it: once the cause is mended (GitLab answering, the token and its user accepted), "
        "delete the lock to run sooner"
    )


def _lost_message(tracker: Tracker) -> str:
    return (
        f"the run lock ({tracker.lock_description()}) was deleted, or taken by another run, "
        "while this run held it; this run stops here, so as not to go on writing beside "
        "another run. What it wrote is kept; run again to finish"
    )


def _busy(
    tracker: Tracker, held: tuple[str, dt.datetime] | None, waited: dt.timedelta
) -> TrackerUnavailable:
    """The error of a run that waited for the lock in vain: an unreadable lock stops every
    run alike (a reviewer saw an event run call it another run's, and succeed)."""
    minutes = int(waited.total_seconds() // 60)
    until = held[1] if held else None
    if until == UNREADABLE_LOCK:
        return TrackerUnavailable(
            f"the run lock ({tracker.lock_description()}) cannot be read: its description was "
            f"changed, so whether a run holds it is unknown; waited {minutes} min. If no run "
            "is going, delete the lock and run again"
        )
    stamp = _stamp(until) if until else "an unknown time"
    holds = (
        f"another run of the automation{_holder_said(held[0] if held else '')} holds the lock "
        f"({tracker.lock_description()}, expiring at {stamp}); waited {minutes} min"
    )
    return LockBusy(
        f"{holds}. Run again when it has finished; if no run is going (a crashed run), delete "
        "the lock and run again",
        f"{holds}, so this event run wrote nothing: the next scheduled run syncs the change (if "
        "no run is going, a crashed one, the lock expires then)",
    )


@contextmanager
def locked(lock: RunLock) -> Iterator[RunLock]:
    """Hold the run lock for the duration of a block, releasing it whatever happens (also
    when the run is stopped while taking it: its release drops only its own lock)."""
    try:
        lock.acquire()
        yield lock
    finally:
        with _termination_held():
            lock.release()


@contextmanager
def _termination_held() -> Iterator[None]:
    """SIGTERM and SIGINT held back while the lock is released (a cancelled CI job's signal,
    or a second Ctrl-C, arriving then would leave the lock for an hour), and acted on once it
    is (reviewers' findings): handlers that only note them meanwhile. Python runs handlers in
    the main thread alone, which is where a run releases its lock; a signal whose handler
    was not set from Python is left as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[tuple[int, FrameType | None]] = []
    held = {
        number: before
        for number in (signal.SIGTERM, signal.SIGINT)
        if (before := signal.getsignal(number)) is not None
    }
    for number in held:
        signal.signal(number, lambda *received: got.append(received))
    try:
        yield
    finally:
        for number, before in held.items():
            signal.signal(number, before)
        if got:
            received, frame = got[0]
            _deliver(held.get(signal.Signals(received)), received, frame)


def _deliver(handler: object, number: int, frame: FrameType | None) -> None:
    """A signal noted while held, as its own handler would have taken it."""
    if callable(handler):
        handler(number, frame)
    elif handler == signal.SIG_DFL:
        signal.raise_signal(number)
