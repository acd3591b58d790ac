"""Printing a plan or a run for a person: plain in CI logs (with collapsible sections per
program), coloured on an interactive terminal; and writing the run report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from automation.actions import Action, Failure, Plan
from automation.errors import OutputUnwritable
from automation.output.document import run_report, to_json
from automation.output.lines import (
    NOBODY,
    describe,
    failure_lines,
    no_changes_line,
    plan_lines,
    section_end,
    section_start,
    summary_line,
)
from automation.output.result import Result, Summary
from automation.privacy import Privacy

_COLOURS = {"FAILED": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m"}
_RESET = "\x1b[0m"


@dataclass
class Console:
    """Where output goes and how it looks."""

    out: TextIO
    in_ci: bool = False  # GitLab CI: collapsible sections, no colour
    colour: bool = False
    privacy: Privacy = NOBODY  # confidential items: shown by reference only
    _section: str | None = field(default=None, init=False)
    _opened: dict[str, int] = field(default_factory=dict, init=False)
    # the notes said (without `note: `), in order: a run's report says them too (a tester: a
    # lock taken over, a record not kept, a check left off were in the log alone)
    noted: list[str] = field(default_factory=list, init=False)
    # the last action's line, and how many more the same followed it (a confidential
    # program's first run printed "linked issues: #62 of … (confidential)" twelve times)
    _last: str | None = field(default=None, init=False)
    _again: int = field(default=0, init=False)

    def line(self, text: str) -> None:
        """Print one line, coloured by its first word where colour is on (after the count of
        lines the same as the last action's, if any)."""
        self._said_again()
        self._print(text)

    def _print(self, text: str) -> None:
        text = self.privacy.text(text)
        if text.startswith("note: "):
            self.noted.append(text.removeprefix("note: "))
        word = text.split(":", 1)[0].split(" ", 1)[0]
        if self.colour and word in _COLOURS:
            text = f"{_COLOURS[word]}{text}{_RESET}"
        print(text, file=self.out, flush=True)

    def aside(self, text: str) -> None:
        """A line of the run as a whole, outside any program's section (in CI, not folded
        away inside the last one)."""
        self.close()
        self.line(text)

    def program(self, name: str) -> None:
        """Group the lines that follow under a program (a collapsible section in CI)."""
        if name == self._section:
            return
        self.close()
        self._section = name
        self._opened[name] = self._opened.get(name, 0) + 1
        if self.in_ci:
            print(section_start(self._section_id(), f"Program {name}"), file=self.out)

    def _section_id(self) -> str:
        """A section name unique in the log: a program's second round gets its own."""
        name = self._section or ""
        return f"program_{name.replace('-', '_')}_{self._opened.get(name, 1)}"

    def close(self) -> None:
        """End the current section."""
        self._said_again()
        if self._section is not None and self.in_ci:
            print(section_end(self._section_id()), file=self.out)
        self._section = None

    def action(self, action: Action) -> None:
        """One action carried out."""
        self.program(action.program)
        text = describe(action, done=True, privacy=self.privacy)
        if text == self._last:
            self._again += 1  # said once, with a count when another line comes
            return
        self._said_again()
        self._last = text
        self._print(text)

    def _said_again(self) -> None:
        """How many lines the same as the last followed it, once it is done."""
        again, self._last, self._again = self._again, None, 0
        if again:
            self._print(f"(and {again} more the same)")

    def tail(
        self, failures: Iterable[Failure], warnings: Iterable[str], notices: Iterable[str]
    ) -> None:
        """Failures, warnings and notices, after the actions."""
        self.close()
        for text in failure_lines(failures, self.privacy):
            self.line(text)
        for warning in warnings:
            self.line(f"warning: {warning}")
        for notice in notices:
            self.line(f"note: {notice}")


def show_plan(console: Console, plan: Plan, summary: Summary) -> None:
    """Print a plan, program by program, then its summary."""
    for program in dict.fromkeys(a.program for a in plan.actions):
        console.program(program)
        only = Plan(tuple(a for a in plan.actions if a.program == program))
        for text in plan_lines(only, console.privacy):
            console.line(text)
    console.tail(plan.failures, plan.warnings, plan.notices)
    if plan.empty and not plan.failures:
        console.line(no_changes_line(summary, done=False))
    else:
        console.line(summary_line(summary, done=False))


def show_applied(console: Console, result: Result) -> None:
    """Print what a run did after its actions were printed, then its summary."""
    console.tail(result.failures, result.warnings, result.notices)
    if not result.actions and not result.failures:
        console.line(no_changes_line(result.summary, done=True))
    else:
        console.line(summary_line(result.summary, done=True))


def write_report(  # noqa: PLR0917
    path: Path, command: str, today: dt.date, result: Result, privacy: Privacy, exit_code: int = 0
) -> None:
    """The JSON run report, for CI artifacts. One that cannot be written after all (the disk
    filled up: the folder was tried before the run) fails the job, the run's work done."""
    try:
        report = run_report(command, today, result, privacy, exit_code)
        path.write_text(to_json(report) + "\n", "utf-8")
    except OSError as error:
        raise OutputUnwritable(
            f"--report {path}: cannot write it ({error.strerror}); the run itself was done"
        ) from error
