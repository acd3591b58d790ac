"""The run's sense of time (wall clock, monotonic clock, sleeping), injected so tests and
rehearsals never wait for real."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass


@dataclass
class Clock:
    """Real time; tests pass a subclass whose sleep only moves the hands."""

    def now(self) -> dt.datetime:
        """The current UTC time, to the second."""
        return dt.datetime.now(dt.UTC).replace(microsecond=0)

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for pacing)."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Wait."""
        time.sleep(seconds)
