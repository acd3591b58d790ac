"""The console entry point, light: a run stopped while Python still loads the tool (Ctrl-C, or
the SIGTERM of a CI job cancelled in its first second) says so on one line and exits 130 or 143,
as a run stopped later does, never with a traceback (a tester)."""

from __future__ import annotations

import importlib
import signal
import sys
from typing import NoReturn

STOPPED_LOADING = "automation: stopped ({how}) before the end; no issue was changed"


class _Stopped(BaseException):
    """SIGTERM while the tool is loading."""


def _stop(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def main() -> None:
    """Load the tool's modules (most of a run's first second), then run its command."""
    before = signal.signal(signal.SIGTERM, _stop)
    try:
        cli = importlib.import_module("automation.cli")
    except KeyboardInterrupt:
        _stopped("interrupted", 128 + signal.SIGINT)
    except _Stopped:
        _stopped("SIGTERM", 128 + signal.SIGTERM)
    # as it was: the command installs its own, and puts this one back when it ends (a
    # reviewer: this one, left in place, raised on a SIGTERM after the command's end)
    signal.signal(signal.SIGTERM, before)
    cli.main()


def _stopped(how: str, code: int) -> NoReturn:
    print(STOPPED_LOADING.format(how=how), file=sys.stderr)
    sys.exit(code)
