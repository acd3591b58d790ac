"""The `automation` command: parses options, wires the pieces, maps errors to exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from automation import report
from automation.config.models import GitLabSettings
from automation.errors import (
    EXIT_ITEMS_FAILED,
    EXIT_OK,
    AutomationError,
    ConfigError,
    TrackerUnavailable,
)
from automation.planner import Action
from automation.run import Prepared, apply, make_plan, prepare
from automation.trackers.base import Tracker
from automation.trackers.gitlab import Connection, GitLabTracker
from automation.trackers.local import LocalTracker

DEFAULT_WORKSPACE = ".automation"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-02-01") from None


def build_parser() -> argparse.ArgumentParser:
    """The command line: validate, plan and apply, sharing one set of options."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=Path("config"),
        metavar="DIR",
        help="configuration folder (default: config)",
    )
    common.add_argument(
        "--templates",
        type=Path,
        default=Path("templates"),
        metavar="DIR",
        help="templates folder (default: templates)",
    )
    common.add_argument("--program", metavar="ID", help="work on this program only")
    common.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date to plan for (default: today), for rehearsals",
    )
    tracked = argparse.ArgumentParser(add_help=False)
    tracked.add_argument(
        "--backend",
        choices=("gitlab", "local"),
        help="where issues live (default: gitlab when GITLAB_TOKEN is set, else local)",
    )
    tracked.add_argument(
        "--workspace",
        type=Path,
        default=Path(DEFAULT_WORKSPACE),
        metavar="DIR",
        help="local backend folder (default: .automation)",
    )
    parser = argparse.ArgumentParser(
        prog="automation",
        description="Create and track enablement program issues from config/ and templates/.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("validate", parents=[common], help="check configuration and templates")
    plan = commands.add_parser(
        "plan", parents=[common, tracked], help="show what apply would change (writes nothing)"
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    commands.add_parser("apply", parents=[common, tracked], help="make the changes")
    return parser


def choose_tracker(
    args: argparse.Namespace, env: Mapping[str, str], err: TextIO, settings: GitLabSettings
) -> Tracker:
    """The tracker the options and environment ask for."""
    backend = args.backend
    if backend is None and env.get("GITLAB_TOKEN"):
        backend = "gitlab"
    if backend is None:
        if env.get("CI", "").lower() == "true":
            raise TrackerUnavailable(
                "GITLAB_TOKEN is not set, and a CI job must not fall back to local files: add "
                "the token as a masked CI/CD variable, or pass --backend local for a rehearsal"
            )
        print(
            f"automation: GITLAB_TOKEN is not set; using the local backend in "
            f"{args.workspace}/ (set GITLAB_TOKEN to work on GitLab)",
            file=err,
        )
        backend = "local"
    if backend == "local":
        return LocalTracker(args.workspace, epics=settings.epics)
    tracker = GitLabTracker(Connection.from_env(env), settings)
    tracker.check_access()
    return tracker


def _validate(prepared: Prepared, out: TextIO) -> int:
    issues = sum(
        sum(1 for i in p.issues if i.create) + 1 + len(p.rollups) + len(p.plans)
        for p in prepared.programs
    )
    for warning in (w for p in prepared.programs for w in p.warnings):
        print(f"warning: {warning}", file=out)
    print(
        f"Configuration is valid: {report.plural(len(prepared.programs), 'program')}, "
        f"{report.plural(len(prepared.loaded.config.people), 'person', 'people')}, "
        f"{report.plural(issues, 'issue')} due now.",
        file=out,
    )
    return EXIT_OK


def _plan(prepared: Prepared, tracker: Tracker, today: dt.date, as_json: bool, out: TextIO) -> int:
    plan = make_plan(prepared, tracker, today)
    if as_json:
        print(report.plan_json(plan), file=out)
    else:
        for line in report.plan_lines(plan):
            print(line, file=out)
        for notice in plan.notices:
            print(f"note: {notice}", file=out)
        fails, warns = len(plan.failures), len(plan.warnings)
        if plan.empty and not fails:
            print(f"No changes: {plan.unchanged} issues are up to date.", file=out)
        else:
            print("Plan: " + report.summary(plan.actions, plan.unchanged, fails, warns), file=out)
    return EXIT_ITEMS_FAILED if plan.failures else EXIT_OK


def _apply(prepared: Prepared, tracker: Tracker, today: dt.date, out: TextIO) -> int:
    def done(action: Action) -> None:
        print(report.describe(action, done=True), file=out, flush=True)

    applied = apply(prepared, tracker, today, done)
    outcome, first = applied.outcome, applied.plans[0]
    for line in report.failure_lines(outcome.failures):
        print(line, file=out)
    warnings = sorted({w for plan in applied.plans for w in plan.warnings})
    for warning in warnings:
        print(f"warning: {warning}", file=out)
    for notice in dict.fromkeys(n for plan in applied.plans for n in plan.notices):
        print(f"note: {notice}", file=out)
    if not outcome.done and not outcome.failures:
        print(
            f"No changes: {first.unchanged} issues are up to date; nothing was written.", file=out
        )
    else:
        counts = report.summary(
            outcome.done,
            first.unchanged,
            len(outcome.failures),
            len(warnings),
            done=True,
        )
        print("Applied: " + counts, file=out)
    return EXIT_ITEMS_FAILED if outcome.failures else EXIT_OK


def run(argv: Sequence[str], env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    """Run one command; user mistakes become a message and an exit code, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        today = args.today or dt.date.today()
        prepared = prepare(args.config, args.templates, today, args.program)
        if args.command == "validate":
            return _validate(prepared, out)
        tracker = choose_tracker(args, env, err, prepared.loaded.config.settings.gitlab)
        if args.command == "plan":
            return _plan(prepared, tracker, today, args.json, out)
        return _apply(prepared, tracker, today, out)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=err)
        print(f"automation: {len(error.problems)} problem(s) found; nothing was written.", file=err)
        return error.exit_code
    except AutomationError as error:
        print(f"automation: {error}", file=err)
        return error.exit_code


def main() -> None:
    """Console entry point."""
    sys.exit(run(sys.argv[1:], os.environ, sys.stdout, sys.stderr))
