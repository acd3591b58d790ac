"""Printing a plan or a run for a person: plain in CI logs (with collapsible sections per
program), coloured on an interactive terminal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from automation import ci, report
from automation.planner import Action, Failure, Plan
from automation.privacy import Privacy
from automation.report import NOBODY
from automation.run import Applied

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

    def line(self, text: str) -> None:
        """Print one line, coloured by its first word where colour is on."""
        text = self.privacy.text(text)
        word = text.split(":", 1)[0].split(" ", 1)[0]
        if self.colour and word in _COLOURS:
            text = f"{_COLOURS[word]}{text}{_RESET}"
        print(text, file=self.out, flush=True)

    def program(self, name: str) -> None:
        """Group the lines that follow under a program (a collapsible section in CI)."""
        if name == self._section:
            return
        self.close()
        self._section = name
        self._opened[name] = self._opened.get(name, 0) + 1
        if self.in_ci:
            print(ci.section_start(self._section_id(), f"Program {name}"), file=self.out)

    def _section_id(self) -> str:
        """A section name unique in the log: a program's second round gets its own."""
        name = self._section or ""
        return f"program_{name.replace('-', '_')}_{self._opened.get(name, 1)}"

    def close(self) -> None:
        """End the current section."""
        if self._section is not None and self.in_ci:
            print(ci.section_end(self._section_id()), file=self.out)
        self._section = None

    def action(self, action: Action) -> None:
        """One action carried out."""
        self.program(action.program)
        self.line(report.describe(action, done=True, privacy=self.privacy))

    def tail(
        self, failures: Iterable[Failure], warnings: Iterable[str], notices: Iterable[str]
    ) -> None:
        """Failures, warnings and notices, after the actions."""
        self.close()
        for text in report.failure_lines(failures, self.privacy):
            self.line(text)
        for warning in warnings:
            self.line(f"warning: {warning}")
        for notice in notices:
            self.line(f"note: {notice}")


def show_plan(console: Console, plan: Plan) -> dict[str, int]:
    """Print a plan, program by program; return its figures."""
    for program in dict.fromkeys(a.program for a in plan.actions):
        console.program(program)
        only = Plan(tuple(a for a in plan.actions if a.program == program))
        for text in report.plan_lines(only, console.privacy):
            console.line(text)
    console.tail(plan.failures, plan.warnings, plan.notices)
    figures = ci.counts(plan.actions, plan.unchanged, len(plan.failures), len(plan.warnings))
    if plan.empty and not plan.failures:
        console.line(f"No changes: {plan.unchanged} issues are up to date{_noted(figures)}.")
    else:
        console.line(ci.summary_line(figures, done=False))
    return figures


def show_applied(console: Console, applied: Applied) -> dict[str, int]:
    """Print what a run did after its actions were printed; return its figures."""
    outcome, first = applied.outcome, applied.plans[0]
    warnings = sorted({w for plan in applied.plans for w in plan.warnings} | {*outcome.warnings})
    notices = list(dict.fromkeys(n for plan in applied.plans for n in plan.notices))
    console.tail(outcome.failures, warnings, notices)
    figures = ci.counts(outcome.done, first.unchanged, len(outcome.failures), len(warnings))
    if not outcome.done and not outcome.failures:
        console.line(
            f"No changes: {first.unchanged} issues are up to date; nothing was written"
            f"{_noted(figures)}."
        )
    else:
        console.line(ci.summary_line(figures, done=True))
    return figures


def _noted(figures: dict[str, int]) -> str:
    """The warning count, on a no-change line, so CI readers see it."""
    return f" ({report.plural(figures['warnings'], 'warning')})" if figures["warnings"] else ""


def write_report(
    path: Path,
    command: str,
    today: dt.date,
    *,
    privacy: Privacy,
    figures: dict[str, int],
    plans: Iterable[Plan],
    failures: Iterable[Failure],
    actions: Iterable[Action],
    written: Iterable[str] = (),
) -> None:
    """The JSON run report for CI artifacts (WRITTEN: warnings from writing)."""
    plans = list(plans)
    warnings = sorted({w for plan in plans for w in plan.warnings} | {*written})
    notices = list(dict.fromkeys(n for plan in plans for n in plan.notices))
    document = ci.run_report(
        command,
        today,
        figures=figures,
        actions=actions,
        failures=failures,
        warnings=warnings,
        notices=notices,
        privacy=privacy,
    )
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
