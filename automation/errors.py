"""The one exception tree: each error carries a message written for the person who reads it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automation.actions import Failure

EXIT_OK = 0
EXIT_ITEMS_FAILED = 1
EXIT_INVALID_CONFIG = 2
EXIT_TRACKER_UNAVAILABLE = 3
# what a failure GitLab itself caused (a 5xx) adds to its message: nothing for a person to mend
GITLABS_OWN = " (GitLab's own error: the next run tries again)"


class AutomationError(Exception):
    """Root of every error the tool reports to a person instead of a traceback."""

    exit_code = EXIT_ITEMS_FAILED


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a configuration or template file, at a line."""

    file: str
    line: int
    message: str
    # what the message quotes that the file spells itself at that line (a template's
    # attribute name): outputs about a confidential program may show it (privacy.unnamed)
    literal: frozenset[str] = field(default=frozenset(), compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class UsageError(AutomationError):
    """The command line asks for something it must not do; nothing was written."""

    exit_code = EXIT_INVALID_CONFIG


class ConfigError(AutomationError):
    """Configuration or templates are invalid; nothing was written."""

    exit_code = EXIT_INVALID_CONFIG

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self.problems))


class TrackerUnavailable(AutomationError):
    """GitLab cannot be reached, or the token lacks the access the run needs."""

    exit_code = EXIT_TRACKER_UNAVAILABLE
    # the items that had failed when a run stopped on it (its report and log say them)
    failures: tuple[Failure, ...] = ()


class Stopped(BaseException):
    """The process was asked to stop (SIGTERM: a CI job cancelled, or past its timeout)."""


STOPS = (TrackerUnavailable, Stopped, KeyboardInterrupt)  # what ends a run before its end


def carry(stop: BaseException, failures: Iterable[Failure], warnings: Iterable[str] = ()) -> None:
    """Let a stop (one of STOPS) carry the items that had failed by then, after those it
    carries already, less those its round had written since (see settle): its log and report
    say them (a stopped run's list was GitLab's stop's alone; a cancelled job's or Ctrl-C's
    said none). And the WARNINGS of what it had planned: some are said only by the run whose
    write ends their cause (an operations trial: a run stopped after such a write printed
    none, and no later run said it)."""
    said = carried(stop)
    skip = {failure.key for failure in said} | vars(stop).get("settled", frozenset())
    vars(stop)["failures"] = (*said, *(f for f in failures if f.key not in skip))
    vars(stop)["warnings"] = tuple(dict.fromkeys((*vars(stop).get("warnings", ()), *warnings)))


def carried_warnings(stop: BaseException) -> tuple[str, ...]:
    """The warnings a stop carries (see carry), sorted as a run's are."""
    return tuple(sorted(vars(stop).get("warnings", ())))


def settle(stop: BaseException, keys: Iterable[str]) -> None:
    """The items the round a stop came in had written by then: an earlier round's failure of
    one of them is not carried (a reviewer: an item written in round 2 was listed as failed,
    as round 1 had it)."""
    vars(stop)["settled"] = frozenset(keys)


def carried(stop: BaseException) -> tuple[Failure, ...]:
    """The items a stop says had failed when it came (see carry), with those of the stop it
    interrupted, if any: a second Ctrl-C or SIGTERM, delivered as the run lock was released
    after the first, replaced it and its list (a reviewer)."""
    said: dict[str, Failure] = {}
    seen: set[int] = set()
    link: BaseException | None = stop
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        for failure in vars(link).get("failures", ()):
            said.setdefault(failure.key, failure)
        link = link.__cause__ or link.__context__
    return tuple(said.values())


class OutputUnwritable(AutomationError):
    """What the run writes besides GitLab and the workspace (its report) cannot be written
    after all, the run's work done: an environment's failure, as an unwritable workspace."""

    exit_code = EXIT_TRACKER_UNAVAILABLE


class ItemError(AutomationError):
    """One item cannot be planned or written; the run goes on with the others."""


class TransientError(ItemError):
    """The tracker failed in a way that may pass (a 5xx, a 429, a lost connection, a
    time-out); WAIT: the seconds it asked to be left alone (a 429's Retry-After), or 0;
    REFUSED: it did nothing (a 429), where a 5xx or a lost answer may follow a saved write."""

    def __init__(self, message: str, wait: float = 0.0, refused: bool = False) -> None:
        super().__init__(message)
        self.wait = wait
        self.refused = refused


class LinksFull(ItemError):
    """GitLab refused a related link: one of the two issues has the most links GitLab allows,
    counting links to issues the tool cannot see."""


class KeptPublic(ItemError):
    """GitLab would not make an epic confidential: it holds a public issue or epic (one a
    person put there); said as a warning, on every run until that changes."""


class WriteRefused(ItemError):
    """GitLab refused a write as spam or asked for a CAPTCHA: no more writes that carry text
    this run (each refused one is logged as a spam attempt of the token's user)."""


class CreationRefused(ItemError):
    """GitLab refused to create an issue as spam or asked for a CAPTCHA: no more creates this
    run (retrying would only deepen the refusal)."""
