"""The `automation` command: parses options, wires the pieces, maps errors to exit codes."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gc
import io
import os
import re
import signal
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TextIO, cast

from automation import scaffold
from automation.actions import ALL_STEPS, Action, AddNote, Failure, Plan
from automation.clock import Clock
from automation.config.loader import load_settings
from automation.config.models import FIRST_DAY, GitLabSettings
from automation.config.source import bad_date
from automation.dashboard.gather import gather
from automation.dashboard.site import lists_others, remove_stale, write_site
from automation.errors import (
    EXIT_INVALID_CONFIG,
    EXIT_ITEMS_FAILED,
    EXIT_OK,
    EXIT_TRACKER_UNAVAILABLE,
    AutomationError,
    ConfigError,
    ItemError,
    Stopped,
    TrackerUnavailable,
    UsageError,
    carried,
    carried_warnings,
)
from automation.event import Event, read_event
from automation.gitignored import unignored_note
from automation.incremental import ledgers, places
from automation.lock import EVENT_WAIT, WAIT, LockBusy, RunLock, holder_name
from automation.missed import as_planned
from automation.output.console import Console, show_applied, show_plan, write_report
from automation.output.document import plan_document, to_json
from automation.output.lines import NOTE_MARKER, note_body, plan_lines, stopped_line, summary_line
from automation.output.result import Result, Summary, plural
from automation.people import one_assignee_warnings
from automation.privacy import Privacy, printable
from automation.progress import overall_counter
from automation.reasons import stray_warnings
from automation.run import (
    Applied,
    Prepared,
    Widen,
    apply,
    known_programs,
    make_plan,
    prepare,
    same_titles,
    size_errors,
    size_warnings,
    uncounted_warnings,
)
from automation.syncrecord import SyncRecord
from automation.trackers.base import ChangeLog, Tracker
from automation.trackers.gitlab import Connection, GitLabTracker, origin
from automation.trackers.local import LocalTracker
from automation.unchanged import (
    Keeping,
    LookBack,
    concerned,
    inputs,
    keep_record,
    keep_record_after_writes,
    look_back,
    settle,
    standing,
)

DEFAULT_WORKSPACE = ".automation"


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # Python's fromisoformat also reads 20261124, 2026-W48


def _folder(text: str) -> Path:
    """A folder's name; an empty one is refused (an attacker's trial: `init "$DIR"` with DIR
    unset wrote the skeleton into whatever folder the shell was in; a dashboard's `--out ""`
    wrote its pages, a confidential program's too, where git would commit them)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "an empty folder name (a variable not set?); write . for the current folder"
        )
    return Path(text)


def _file(text: str) -> Path:
    """A file's name; an empty one is refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty file name (a variable not set?)")
    return Path(text)


def _date(text: str) -> dt.date:
    written = _DAY.fullmatch(text) is not None
    try:
        if not written:
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        if written and int(text[:4]) >= FIRST_DAY.year:
            raise argparse.ArgumentTypeError(bad_date(text)) from None
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-02-01"
        ) from None
    if not RUN_DAYS[0] <= day <= RUN_DAYS[1]:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a day programs run on; write a date from 2000 to 2099"
        )
    return day


# the days a run may be dated: fiscal years and quarters are named with two digits (`fy27`),
# so a run of 2207 (a typo) took its quarters for those of 2107 (an attacker's trial)
RUN_DAYS = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose mistakes are one line: the option and what to write, then
    where the options are listed (an attacker's trial: a `--today` typo printed five lines of
    usage before the line that said what was wrong)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The command line, built once per process (it keeps nothing between parses)."""
    return build_parser()


def build_parser() -> argparse.ArgumentParser:
    """The command line: validate, plan and apply, sharing one set of options."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=_folder,
        default=Path("config"),
        metavar="DIR",
        help="configuration folder (default: config)",
    )
    common.add_argument(
        "--templates",
        type=_folder,
        default=Path("templates"),
        metavar="DIR",
        help="templates folder (default: templates)",
    )
    common.add_argument(
        "--program",
        metavar="ID",
        action="append",
        help="work on this program only (repeat it for several)",
    )
    common.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date to plan for (default: today in UTC), for rehearsals",
    )
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--backend",
        choices=("gitlab", "local"),
        help="where issues live (default: gitlab when GITLAB_TOKEN is set, else local)",
    )
    where.add_argument(
        "--workspace",
        type=_folder,
        default=Path(DEFAULT_WORKSPACE),
        metavar="DIR",
        help="local backend folder (default: .automation)",
    )
    tracked = argparse.ArgumentParser(add_help=False, parents=[where])
    tracked.add_argument(
        "--steps",
        type=_steps,
        metavar="STEPS",
        help="only these steps, comma-separated: create (issues, epics, links), labels, "
        "progress (blocks, notes, closing), remind (reminders that fall due); default: all "
        "(with --event: labels,progress)",
    )
    tracked.add_argument(
        "--report", type=_file, metavar="FILE", help="also write a JSON run report to FILE"
    )
    tracked.add_argument(
        "--rehearsal",
        action="store_true",
        help="with --today on GitLab: allow `apply` to write for another day (a rehearsal "
        "on a test project); the local backend needs none",
    )
    parser: argparse.ArgumentParser = _Parser(
        prog="automation",
        description="Create and track enablement program issues from config/ and templates/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"automation {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("validate", parents=[common], help="check configuration and templates")
    plan = commands.add_parser(
        "plan", parents=[common, tracked], help="show what apply would change (writes nothing)"
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="plan as the runs of this user would (the deployment's token's user, whose "
        "issues are the tool's): a preview with a token of your own",
    )
    plan.add_argument(
        "--mr-note",
        action="store_true",
        help="in a merge request pipeline, post the plan as one note, edited in place",
    )
    apply_command = commands.add_parser("apply", parents=[common, tracked], help="make the changes")
    apply_command.add_argument(
        "--event",
        type=_file,
        metavar="FILE",
        help="GitLab only: a GitLab issue event (a webhook's TRIGGER_PAYLOAD): sync only the "
        "programs of its issue; events caused by the tool's own user are ignored",
    )
    apply_command.add_argument(
        "--full",
        action="store_true",
        help="GitLab only: check every program and read every issue, even when nothing (or "
        "only some programs' issues) changed since the last run that left nothing to do (the "
        "first run of each day always does)",
    )
    dashboard = commands.add_parser(
        "dashboard",
        parents=[common, where],
        help="write a static site of every program's progress (reads, never writes issues)",
    )
    dashboard.add_argument(
        "--out", type=_folder, required=True, metavar="DIR", help="the folder to write the site in"
    )
    dashboard.add_argument(
        "--include-confidential",
        action="store_true",
        help="also show confidential programs (and the people in them)",
    )
    init = commands.add_parser(
        "init", help="write a new programs repository: sample config, templates, pipeline"
    )
    init.add_argument("dir", type=_folder, metavar="DIR", help="where to write it")
    init.add_argument(
        "--tool-project",
        default=scaffold.DEFAULT_TOOL_PROJECT,
        metavar="ID",
        help="the GitLab project whose package registry publishes this tool: its numeric id "
        "(Settings > General), or its path; the team's pipeline refuses the placeholder "
        f"{scaffold.DEFAULT_TOOL_PROJECT} until it is changed",
    )
    return parser


EPILOG = """\
environment:
  GITLAB_URL      GitLab's address, e.g. https://gitlab.com (in CI: CI_SERVER_URL)
  GITLAB_TOKEN    a group access token (or a group member's token) with the api scope;
                  without it the local backend is used (outside CI)
  CI, GITLAB_CI   `true` (GitLab CI sets both): confidential items are named by reference
                  only; under CI a missing GITLAB_TOKEN is an error (exit 3), never a
                  local run; under GITLAB_CI each program's lines are a collapsible section
  NO_COLOR        no colours on a terminal

exit codes:
  0  done (or nothing to do, or left to the next run as a `note:` says)
  1  some items failed; the others were done
  2  configuration, templates, the command line or a local workspace file are wrong;
     nothing was written
  3  GitLab unreachable or the token refused (or the local workspace cannot be
     written); nothing more was written
  130, 143  stopped by Ctrl-C or SIGTERM (a CI job cancelled); what was written is kept
"""


def _version() -> str:
    return scaffold.version() or "unknown"


def _check_usage(args: argparse.Namespace, backend: str) -> None:
    """Refuse what must not happen by mistake, before any work."""
    if args.command == "apply" and backend == "gitlab" and args.today and not args.rehearsal:
        raise UsageError(
            "--today on GitLab creates and changes issues for another day; add --rehearsal "
            "if this is a rehearsal on a test project"
        )
    report = getattr(args, "report", None)
    if report is not None and not report.parent.is_dir():
        folder = report.parent
        what = f"{folder} is a file" if folder.exists() else f"the folder {folder} does not exist"
        raise UsageError(f"--report {report}: {what}")
    if report is not None and report.is_dir():
        raise UsageError(
            f"--report {report}: is a folder; give a file, such as {report / 'run-report.json'}"
        )
    if report is not None:
        _report_apart(args, report, backend)
        _writable(report)
    if args.command == "dashboard":
        _dashboard_usage(args, backend)
    if backend == "local":
        _workspace_apart(args)
    if getattr(args, "as_user", None) and backend != "gitlab":
        raise UsageError("--as names the GitLab user a plan is made as; it needs --backend gitlab")
    if getattr(args, "event", None) and getattr(args, "full", False):
        raise UsageError(
            "--event syncs the programs of one event's issue and --full checks every program: "
            "give one of them"
        )


def _workspace_apart(args: argparse.Namespace) -> None:
    """The local workspace is neither config/ nor inside its programs/ or templates/: its
    issue files (a confidential program's too) would be committed with them, and its own
    files read as configuration (an attacker's trial: `--workspace config/programs` broke
    every run)."""
    _apart(args, "--workspace", args.workspace, ".automation (the default)")


def _report_apart(args: argparse.Namespace, report: Path, backend: str) -> None:
    """The report is not written where configuration is (`_apart`), nor in the local
    workspace, not even to say so."""
    try:
        _apart(args, "--report", report, "run-report.json")
        _outside_workspace(args, backend, "--report", report, "run-report.json")
    except UsageError:
        args.report = None
        raise


def _outside_workspace(
    args: argparse.Namespace, backend: str, option: str, given: Path, instead: str
) -> None:
    """What the run writes at GIVEN (OPTION's) is not inside the local backend's workspace (a
    fuzzing trial: `--report .automation/issues/1.md` wrote the report over an issue, its
    ticks lost, and every later run stopped at that file)."""
    workspace = getattr(args, "workspace", None)
    if backend != "local" or workspace is None:
        return
    if given.resolve().is_relative_to(workspace.resolve()):
        raise UsageError(
            f"{option} {given}: it is in {workspace}/ (--workspace), where the local backend "
            f"keeps its issues, which it would overwrite; give one of its own, such as {instead}"
        )


def _apart(args: argparse.Namespace, option: str, given: Path, instead: str) -> None:
    """What the run writes at GIVEN (OPTION's) is not config/ itself, nor a program file,
    nor inside its programs/ or templates/ (an attacker's trial: `--report config/people.yml`
    wrote JSON over the roster, `dashboard --out templates` pages among the templates).
    `--config .` with the default workspace or a report beside it is a flat layout, not a
    mistake (a reviewer's)."""
    path, config = given.resolve(), args.config.resolve()
    read = path.parent == config and path.suffix.lower() in {".yml", ".yaml"}
    # a config/ of its own is committed whole (a newcomer's `--workspace config/ws`); the
    # working folder as configuration (`--config .`) is a flat layout
    committed = path.is_relative_to(config) and config != Path.cwd().resolve()
    taken = (
        ("--config", args.config, path == config or read or committed),
        ("--config", args.config / "programs", path.is_relative_to(config / "programs")),
        ("--templates", args.templates, path.is_relative_to(args.templates.resolve())),
    )
    for owner, folder, inside in taken:
        if inside:
            raise UsageError(
                f"{option} {given}: it is in {folder}/ ({owner}), where what the run writes "
                "would be read as configuration or committed with it; give one of its own, "
                f"such as {instead}"
            )


def _writable(report: Path) -> None:
    """The report can be written (tried, not guessed from permissions: a file system may be
    read-only, or the user root), before any work; a file made to try is removed."""
    try:
        if report.exists():
            report.open("a", encoding="utf-8").close()
        else:
            report.open("x", encoding="utf-8").close()
            report.unlink()
    except OSError as error:
        raise UsageError(
            f"--report {report}: cannot write it ({error.strerror}); give a file in a folder "
            "the job can write to"
        ) from error


def _dashboard_usage(args: argparse.Namespace, backend: str) -> None:
    """A dashboard's folders: the site's apart from the rest, and made now; the local
    workspace there (a trial: a typo gave pages of zeros, as if nothing were done)."""
    _apart(args, "--out", args.out, "public")
    _outside_workspace(args, backend, "--out", args.out, "public")
    _site_folder(args.out)
    if backend == "local" and not args.workspace.is_dir():
        raise UsageError(
            f"--workspace {args.workspace}: no such folder, so no issue to show; give the "
            "folder `automation apply` wrote (default .automation), or run apply first"
        )


def _site_folder(out: Path) -> None:
    """The dashboard's folder, made now: a path that cannot be one is refused before work."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file; give a folder for the site")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(
            f"--out {out}: cannot make that folder ({reason}); give a folder you can write to"
        ) from error


def _asked_backend(args: argparse.Namespace, env: Mapping[str, str]) -> str | None:
    """--backend, or GitLab when a token is set; None: neither says."""
    return str(args.backend) if args.backend else "gitlab" if env.get("GITLAB_TOKEN") else None


def choose_tracker(
    args: argparse.Namespace, env: Mapping[str, str], err: TextIO, settings: GitLabSettings
) -> Tracker:
    """The tracker the options and environment ask for."""
    asked = _asked_backend(args, env)
    if asked is None and env.get("CI", "").lower() == "true":
        raise TrackerUnavailable(
            "GITLAB_TOKEN is not set, and a CI job must not fall back to local files: add "
            "the token as a masked CI/CD variable, or pass --backend local for a rehearsal"
        )
    backend = asked or "local"
    _check_usage(args, backend)  # a wrong workspace is said before where it is
    if asked is None:
        print(
            f"note: GITLAB_TOKEN is not set; using the local backend in "
            f"{args.workspace}/ (set GITLAB_TOKEN to work on GitLab)",
            file=err,
        )
    if backend == "local":
        local = LocalTracker(
            args.workspace,
            functools.partial(_run_moment, args),
            epics=settings.epics,
            groups=(settings.group, settings.project),
        )
        _went_back(args, local, err)
        said = unignored_note(Path(args.workspace)) if args.command == "apply" else None
        if said is not None:
            print(f"note: {said}", file=err)
        return local
    clock = args.clock
    tracker = GitLabTracker(
        Connection.from_env(env),
        settings,
        clock.sleep,
        clock.monotonic,
        lambda: clock.now().timestamp(),
    )
    writes = args.command == "apply" or bool(getattr(args, "mr_note", False))
    args.access_notes = tracker.check_access(writes=writes)  # (a token expiring): reports too
    for note in args.access_notes:
        print(f"note: {note}", file=err)
    if getattr(args, "as_user", None):
        tracker.plan_as(args.as_user)
    return tracker


def _went_back(args: argparse.Namespace, local: LocalTracker, err: TextIO) -> None:
    """A note when the run's day comes before the day the workspace was last written (a
    newcomer stepped back from a rehearsal of March to December in the same workspace:
    warnings of issues no longer defined, statuses gone back, unsaid why)."""
    today = args.today or args.clock.now().date()
    last = local.last_written()
    if last is not None and today < last:
        print(
            f"note: the day went back: this run's, {today}, is before {last}, when the "
            f"workspace {args.workspace}/ was last written, so issues made for later days read "
            "as issues configuration no longer defines, and statuses go back; rehearse an "
            "earlier day in a workspace of its own (--workspace DIR)",
            file=err,
        )


def _run_moment(args: argparse.Namespace) -> dt.datetime:
    """Now, on the run's day: a rehearsal's notes and changes are dated on the day it
    rehearses (`--today`), at this time of day."""
    now = args.clock.now().astimezone(dt.UTC)
    return dt.datetime.combine(args.today, now.timetz()) if args.today else now


def _own_screen(
    args: argparse.Namespace, tracker: Tracker, env: Mapping[str, str], out: TextIO
) -> bool:
    """Whether outputs may name confidential items: the local backend's files are on the
    person's own disk, and its text goes to their own terminal only (not a CI log, a file or
    pipe, JSON or a report, which may be shared); GitLab's output is always redacted."""
    in_ci = any(env.get(name, "").lower() == "true" for name in ("CI", "GITLAB_CI"))
    shared = getattr(args, "json", False) or getattr(args, "report", None) is not None
    return isinstance(tracker, LocalTracker) and not in_ci and not shared and out.isatty()


def _set_aside(prepared: Prepared, err: TextIO) -> None:
    """Problems of programs not chosen with --program: said, but they do not stop this run."""
    aside = prepared.loaded.aside
    for problem in aside:
        print(printable(f"warning: {problem}"), file=err)
    if aside:
        was, it = ("was", "it") if len(aside) == 1 else ("were", "them")
        print(
            f"note: {plural(len(aside), 'problem')} of programs not chosen with --program "
            f"{was} set aside; fix {it} before running those programs",
            file=err,
        )


def _validate(prepared: Prepared, today: dt.date, out: TextIO, err: TextIO) -> int:
    prepared.first_runs(today)
    issues = sum(
        sum(1 for i in (*p.issues, *p.rollups) if i.create) + 1 + len(p.plans)
        for p in prepared.programs
    )
    shown = prepared.privacy
    loaded = prepared.loaded
    sources = {p.id: s for p, s in zip(loaded.config.programs, loaded.programs, strict=True)}
    too_long = [
        (p.program.id, str(sources[p.program.id].problem(("template",), text)))
        for p in prepared.programs
        for text in size_errors(p)
    ]
    for p in prepared.programs:
        strays = stray_warnings(p.program, p.strays, issues=False)  # much like a known name
        uncounted = uncounted_warnings(p, today)
        held = (message for _, message in p.failures)  # apply fails these items, no others
        said = (*size_warnings(p), *uncounted, *same_titles(p), *strays)
        for warning in (*p.warnings, *held, *said):
            print(shown.about(p.program.id, f"warning: {warning}"), file=out)
    for warning in prepared.blocks.renderer.doubts():  # of no one program: hides them all
        print(shown.about(None, f"warning: {warning}"), file=out)
    for program, warning in prepared.blocks.renderer.title_doubts():
        print(shown.about(program, f"warning: {warning}"), file=out)
    if too_long:  # through the outputs' privacy: a confidential issue's title names people
        for program, text in too_long:
            print(shown.about(program, text), file=err)
        print(f"automation: {plural(len(too_long), 'problem')} found.", file=err)
        return EXIT_INVALID_CONFIG
    print(
        f"Configuration is valid: {plural(len(prepared.programs), 'program')}, "
        f"{plural(len(prepared.loaded.config.people), 'person', 'people')}, "
        f"{plural(issues, 'issue')} called for today (not counting issues made earlier that "
        "it no longer calls for: periods over, people gone).",
        file=out,
    )
    return EXIT_OK


# an event run shows a tick in labels and figures: creating issues and sending reminders are
# the schedules' (a reminder at the hour of a tick, at night say, and not at the hour set)
EVENT_STEPS = frozenset({"labels", "progress"})


def _steps(text: str) -> frozenset[str]:
    steps = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = steps - ALL_STEPS
    if unknown or not steps:
        raise argparse.ArgumentTypeError(
            f"steps are {', '.join(sorted(ALL_STEPS))} (comma-separated), not {text!r}"
        )
    return steps


def _console(env: Mapping[str, str], out: TextIO, privacy: Privacy) -> Console:
    in_ci = env.get("GITLAB_CI", "").lower() == "true"
    colour = not in_ci and "NO_COLOR" not in env and out.isatty()
    return Console(out, in_ci, colour, privacy)


AFTER_CREATES = (
    "apply makes the new issues first, then, in the same run, what needs their numbers, which "
    "this plan cannot show: references to them in tracking issues and epics, and notes on them "
    "or for them (a reminder due today, a hire's learning-path note), which notify the people "
    "they mention"
)


def _plan(
    args: argparse.Namespace,
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    *,
    env: Mapping[str, str],
    out: TextIO,
) -> int:
    plan = make_plan(prepared, tracker, today, args.steps)
    plan = replace(plan, notices=tuple(map(as_planned, plan.notices)))
    private = prepared.privacy
    if plan.creates_issues and tracker.one_assignee():  # the run says it once each is made
        said = one_assignee_warnings(plan, private.hides)
        plan += Plan(warnings=tuple(private.about(program, text) for program, text in said))
    if plan.creates_issues:  # a tester saw apply notify people the plan never named
        plan += Plan(notices=(AFTER_CREATES,))
    result = Result.of_plan(plan)
    if args.json:
        document = plan_document(plan, result.summary, private)
        print(to_json(document, ascii_only=not _utf8(out)), file=out)
    else:
        show_plan(_console(env, out, prepared.privacy), plan, result.summary)
    if args.report:
        _report(args, "plan", today, result, private, EXIT_ITEMS_FAILED if plan.failures else 0)
    if args.mr_note:  # what it says goes apart from a JSON document
        _mr_note(tracker, plan, result, env, args.err if args.json else out, private)
    return EXIT_ITEMS_FAILED if plan.failures else EXIT_OK


_MR_IID = re.compile(r"[1-9][0-9]*")  # a merge request's number, as GitLab gives it


def _mr_note(  # noqa: PLR0917
    tracker: Tracker,
    plan: Plan,
    result: Result,
    env: Mapping[str, str],
    out: TextIO,
    private: Privacy,
) -> None:
    """One note on the merge request with the plan, edited in place on later pipelines."""
    project, mr = env.get("CI_PROJECT_ID"), env.get("CI_MERGE_REQUEST_IID", "")
    if not isinstance(tracker, GitLabTracker) or not project or not _MR_IID.fullmatch(mr):
        print(
            "note: --mr-note needs the GitLab backend in a merge request pipeline "
            "(CI_PROJECT_ID, and CI_MERGE_REQUEST_IID a number); no note was written",
            file=out,
        )
        return
    if not _same_server(env):
        print(
            "note: the merge request is on CI_SERVER_URL's GitLab, and GITLAB_URL names "
            "another; no note was written (its project number means another project there)",
            file=out,
        )
        return
    notes = [private.text(f"note: {notice}") for notice in plan.notices]
    lines = [*plan_lines(plan, private), *notes] or ["No changes."]
    summary = summary_line(result.summary, done=False)
    body = note_body(summary, lines, env.get("CI_PIPELINE_URL"))
    try:
        posted = tracker.upsert_merge_request_note(project, int(mr), body, NOTE_MARKER)
    except (ItemError, TrackerUnavailable) as error:  # a 404, or a 403 (a locked discussion)
        print(
            f"note: no merge request note was written ({error}), so a note of an earlier "
            "pipeline, if any, still shows its older plan; where GitLab refused access, the "
            "token's user must be able to see the merge request's project (a group access "
            "token reaches only its group's projects)",
            file=out,
        )
        return
    print(f"note: merge request note {posted}", file=out)


def _same_server(env: Mapping[str, str]) -> bool:
    """Whether GITLAB_URL, when given, is the GitLab the pipeline runs on (CI_SERVER_URL):
    a merge request's project number means nothing on another server."""
    ours, ci = (env.get("GITLAB_URL") or "").strip(), (env.get("CI_SERVER_URL") or "").strip()
    return not ours or not ci or origin(ours) == origin(ci)


def _apply(
    args: argparse.Namespace,
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    *,
    env: Mapping[str, str],
    out: TextIO,
    look: LookBack | None = None,
) -> int:
    console = _console(env, out, prepared.privacy)
    console.noted.extend(getattr(args, "noted_before", ()))  # a widened run's report says all
    for scoped in _scope_notes(args, look, prepared):
        console.line(f"note: {scoped}")

    finished: list[Action] = []
    args.finished, args.privacy = finished, console.privacy  # a stop's report, wherever

    def done(action: Action) -> None:
        finished.append(action)
        console.action(action)
        lock.keep_alive()

    wait = EVENT_WAIT if args.event else WAIT
    lock = RunLock(
        tracker, args.clock, wait, holder_name(env), say=console.line, say_last=console.aside
    )
    args.lock, args.console_notes = lock, console.noted  # a stop's report says its notes
    check = functools.partial(_before_writing, args, tracker, today, env, _once(console.line))
    said = functools.partial(_ledger_note, console)
    ledgered = ledgers(tracker, look, prepared.programs, said)
    try:
        applied = apply(
            prepared,
            tracker,
            today,
            done,
            args.steps,
            lock,
            check,
            settling(args, tracker),
            ledgered,
        )
    except Widen as widen:  # before any write: the same run, over more programs
        args.noted_before = tuple(console.noted)  # the earlier ones among them
        wider = _widened(args, prepared, widen, today)
        return _apply(args, wider, tracker, today, env=env, out=out, look=look)
    except Outdated as outdated:
        return _not_written(args, today, console, str(outdated))
    except TrackerUnavailable as error:  # a stop (SIGTERM, Ctrl-C) is reported by `run`
        if isinstance(error, LockBusy) and args.event:
            return _not_written(args, today, console, error.event)
        failed, noted = error.failures, tuple(console.noted)  # (a lock left is among them)
        warned = carried_warnings(error)
        _report_stopped(
            args,
            today,
            finished,
            str(error),
            console.privacy,
            notes=noted,
            failed=failed,
            warnings=warned,
        )
        _stopped_tail(console, finished, failed, carried_warnings(error))
        raise
    except (Stopped, KeyboardInterrupt) as stop:
        _stopped_tail(console, finished, carried(stop), carried_warnings(stop))
        raise
    except ConfigError as error:  # after writes (a body rendered when read, later.py): said
        if finished:  # as a stop is, and then as any configuration problem (_command)
            _stopped_tail(console, finished, carried(error), carried_warnings(error))
        raise
    return _applied(args, prepared, tracker, today, applied, look, console)


def _applied(  # noqa: PLR0917
    args: argparse.Namespace,
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    applied: Applied,
    look: LookBack | None,
    console: Console,
) -> int:
    """The end of a run that came to it: its record, summary and report; its exit code."""
    warned = look.record.warned if look else getattr(args, "standing", frozenset())
    prior = _prior(warned, prepared)
    result = _of_run(applied, prior)
    if isinstance(tracker, LocalTracker):
        _local_after(args, prepared, tracker, today, result, console)
    # before the summary, the last line (a tester); not after a run stopped at its last round
    # with work left: the record would say that nothing is left to do (a review)
    if not result.failures and not args.event and applied.finished:
        observed = {program: inputs[0] for program, (inputs, _) in prepared.plans.items()}
        kept = places(prepared.programs, observed, look)
        _keep_record(args, tracker, today, result, look, console, _warned(applied, prior), kept)
    show_applied(console, result)
    if args.report:  # after the record: a report that cannot be written loses no run's work
        _report_applied(args, today, result, console)
    return EXIT_ITEMS_FAILED if result.failures else EXIT_OK


def _report_applied(
    args: argparse.Namespace, today: dt.date, result: Result, console: Console
) -> None:
    """The report of a run that came to its end, with every note its log said, in order
    (what it checked, a lock it took over or left behind, a record not kept)."""
    said = tuple(dict.fromkeys((*console.noted, *result.notices)))
    code = EXIT_ITEMS_FAILED if result.failures else EXIT_OK
    _report(args, "apply", today, replace(result, notices=said), console.privacy, code)
    args.reported = True


def _stopped_tail(
    console: Console,
    finished: Sequence[Action],
    failed: Sequence[Failure] = (),
    warnings: Sequence[str] = (),
) -> None:
    """The end of the log of a run that stops: its CI section closed (a tester's error line
    was folded away inside the last program's), the items that had failed by then (a tester
    saw them said nowhere), the warnings of what it had planned (some only the run whose write
    ends their cause says), and its summary line, the last line of every run, saying what it
    wrote by then."""
    console.tail(failed, warnings, ())
    console.line(stopped_line(Summary.of(finished, 0, len(failed), len(warnings))))


def _local_after(  # noqa: PLR0917
    args: argparse.Namespace,
    prepared: Prepared,
    tracker: LocalTracker,
    today: dt.date,
    result: Result,
    console: Console,
) -> None:
    """Where a person starts on the local backend: an index to open an issue file from, and
    where the notes for other projects' issues went."""
    tracker.write_index(overall_counter(prepared.loaded.config.programs, today))
    if any(isinstance(a, AddNote) and a.project for a in result.actions):
        console.line(
            f"note: the local backend sends nothing: notes for issues of other projects are "
            f"written to {args.workspace}/elsewhere/"
        )


def _not_written(args: argparse.Namespace, today: dt.date, console: Console, why: str) -> int:
    """A run that leaves its writes to other runs (an event run that found the lock held for a
    minute, a pipeline of a commit older than its branch's head): a success that wrote
    nothing, not a failed job to retry."""
    console.line(f"note: {why}")
    console.line("Summary: nothing was written (see the note above).")
    _report_note(args, today, console.noted, console.privacy)
    return EXIT_OK


def _report_note(
    args: argparse.Namespace, today: dt.date, notes: Sequence[str], privacy: Privacy
) -> None:
    """The report (`--report`) of a run that wrote nothing: its NOTES, why last."""
    if args.report:
        result = Result((), (), (), tuple(notes), Summary.of((), 0, 0, 0))
        _report(args, "apply", today, result, privacy)
        args.reported = True


class Outdated(Exception):
    """The run's pipeline is of a commit its branch has moved past: it must not write."""


def _once(say: Callable[[str], None]) -> Callable[[str], None]:
    """SAY, saying each line once (the checks before writing are made twice a run)."""
    said: set[str] = set()

    def say_once(line: str) -> None:
        if line not in said:
            said.add(line)
            say(line)

    return say_once


def _before_writing(
    args: argparse.Namespace,
    tracker: Tracker,
    today: dt.date,
    env: Mapping[str, str],
    say: Callable[[str], None],
) -> None:
    """What must hold before a run writes: this machine's day is GitLab's; and in a pipeline
    of the default branch, its commit is still that branch's head. A job waits in the
    `program-automation` queue, and one of an older pipeline (a retried job, a tick's event
    queued during a burst) ran the configuration before a merge: it withdrew a participant
    the merge had added, with a note to everyone, and the next run put them back (a tester)."""
    _same_day(args, tracker, today)
    _outdated(args, tracker, env, say)


def _outdated(
    args: argparse.Namespace, tracker: Tracker, env: Mapping[str, str], say: Callable[[str], None]
) -> None:
    """Outdated when this pipeline's commit is not its branch's head and differs from it in
    what the run reads (a README merge stops nothing)."""
    sha, branch = env.get("CI_COMMIT_SHA", ""), env.get("CI_COMMIT_BRANCH", "")
    project = env.get("CI_PROJECT_ID", "")
    if not (sha and project and branch) or branch != env.get("CI_DEFAULT_BRANCH"):
        return
    if not isinstance(tracker, GitLabTracker):
        return
    if not _same_server(env):  # the project's number means another project there (a reviewer)
        say(  # a tester: said nowhere, an outdated job wrote (an internal name for GitLab)
            "note: GITLAB_URL is not the address this pipeline's GitLab gives itself "
            "(CI_SERVER_URL), so whether a newer commit changed the configuration is not "
            "checked; where both name one GitLab, set GITLAB_URL to CI_SERVER_URL's address"
        )
        return
    head = tracker.branch_head(project, branch)
    if head is None:
        say(
            f"note: could not read branch {branch} of project {project} (the programs "
            "repository), so whether a newer commit changed the configuration is not checked: "
            "the token's user needs to read its code there: the Reporter role, or Planner where "
            "GitLab lets that role read a private project's code (or GitLab failed just then)"
        )
        return
    if head == sha:
        return
    changed = tracker.changed_paths(project, sha, head)
    ours = None if changed is None else _inputs_among(changed, args, env)
    if ours is None or ours:  # only a change of what the run reads (a README edit is none)
        what = (
            f"the two differ in what the run reads ({', '.join(ours[:3])}"
            f"{' …' if ours[3:] else ''})"
            if ours
            else "GitLab did not say how the two differ"
        )
        raise Outdated(
            f"this pipeline's commit ({sha[:8]}) is no longer the head of {branch} "
            f"({head[:8]}), and {what}, so it wrote nothing: the next scheduled run uses the "
            f"configuration of {branch}'s head"
        )


def _inputs_among(
    paths: Sequence[str], args: argparse.Namespace, env: Mapping[str, str]
) -> list[str]:
    """Of files a commit changed (paths in the repository), those a run reads: under the
    configuration and templates folders, and the tool's own pins. Every one when the folders
    are outside the repository (CI_PROJECT_DIR), which cannot be told apart."""
    top = Path(env.get("CI_PROJECT_DIR") or Path.cwd())
    roots = {Path(os.path.abspath(top)), top.resolve()}  # a link to the checkout, its target
    places: list[str] = list(_PINS)
    for folder in (args.config, args.templates):
        for where in {Path(os.path.abspath(folder)), folder.resolve()}:  # a link, its target
            rel = next(filter(None, (_inside(where, root) for root in roots)), None)
            if rel is None or rel == ".":
                return list(paths)  # outside the repository, or its root: any file may be read
            places.append(rel)
    return [p for p in paths if any(p == place or p.startswith(f"{place}/") for place in places)]


def _inside(path: Path, root: Path) -> str | None:
    """PATH relative to ROOT, as a repository path; None when it is not under it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


# the tool's version: a team repository's pin (automation init), and this repository's own
# build (its jobs install the checkout)
_PINS = ("requirements.txt", "requirements.lock", "pyproject.toml", "automation")


def _report_stopped(
    args: argparse.Namespace,
    today: dt.date,
    finished: Sequence[Action],
    reason: str,
    privacy: Privacy,
    *,
    notes: Sequence[str] = (),
    failed: Sequence[Failure] = (),
    code: int = EXIT_TRACKER_UNAVAILABLE,
    warnings: Sequence[str] = (),
) -> None:
    """The report of a run that stopped (GitLab gone, exit 3; a cancelled job or Ctrl-C):
    what it had done by then, and why it stopped (the job keeps it as an artifact: the run
    whose writes one most needs to know), NOTES (the run lock it left behind) and the
    WARNINGS of what it had planned."""
    if not args.report:
        return
    args.reported = True  # once, with what was done (not again, emptier, on the way out)
    # as the console says it: GitLab's answer may echo an issue, and a lookup names a person
    why = f"the run stopped before its end: {privacy.about(None, reason)}"
    summary = Summary.of(finished, 0, len(failed), len(warnings))
    stopped = Result(tuple(finished), tuple(failed), tuple(warnings), (why, *notes), summary)
    with suppress(AutomationError):  # the run's own error is the one to tell
        _report(args, "apply", today, stopped, privacy, code)


def _same_day(args: argparse.Namespace, tracker: Tracker, today: dt.date) -> None:
    """Refuse to write when this machine's day is not GitLab's (unless `--today` chose it): a
    runner whose clock is wrong would post notes, seal figures and record history for another
    day, for good."""
    if args.today:
        return
    seen = tracker.last_answer_at() if isinstance(tracker, ChangeLog) else None
    if seen is not None and abs((seen.astimezone(dt.UTC).date() - today).days) > 1:
        raise UsageError(
            f"this machine's clock says it is {today}, GitLab's says {seen.date()}; nothing "
            "was written. Set the runner's clock right (for a rehearsal of another day, pass "
            "--today with --rehearsal)"
        )


def settling(args: argparse.Namespace, tracker: Tracker) -> Callable[[Applied], None]:
    """What a run does just before it releases the run lock: a run that may keep the record
    after its writes (no failures; not an event's run, which keeps none) waits for them to
    settle (unchanged.settle)."""

    def before_release(applied: Applied) -> None:
        if applied.outcome.done and not applied.outcome.failures and not args.event:
            settle(tracker)

    return before_release


def _keep_record(  # noqa: PLR0917
    args: argparse.Namespace,
    tracker: Tracker,
    today: dt.date,
    result: Result,
    look: LookBack | None,
    console: Console,
    warned: frozenset[str] = frozenset(),
    ledgered: tuple[tuple[str, int], ...] = (),
) -> None:
    """Keep the record of a run that left nothing to do (see unchanged.py). Every program was
    checked, or those of every changed issue (the others are as the record found them: its
    count of issues stands); WARNED: the programs whose warnings stand; LEDGERED: where
    the programs' ledgers start (incremental.py). The record only
    spares later runs work: GitLab failing here is said, and the run is still the success it
    was."""
    summary = result.summary
    issues = look.record.issues if look else summary.unchanged + summary.updated
    keep = keep_record_after_writes if result.actions else keep_record
    try:
        _same_day(args, tracker, today)  # a record of another day would be a wrong one
        keep(tracker, Keeping(args.inputs, today, args.steps, issues, warned, ledgered))
    except AutomationError as error:
        console.aside(  # the run's, not the last program's (a reviewer)
            f"note: the record that nothing is left to do was not kept ({error}); the "
            "next run checks again"
        )


def _ledger_note(console: Console, text: str) -> None:
    console.line(f"note: {text}")


def _on_event(
    args: argparse.Namespace,
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    *,
    env: Mapping[str, str],
    out: TextIO,
) -> int:
    """`apply --event FILE`: the programs of the event's issue only, unless it needs none."""
    if not isinstance(tracker, GitLabTracker):
        raise UsageError("--event reads a GitLab webhook's event: use it with --backend gitlab")
    event = read_event(args.event)
    # a program renamed (`renamed_from`) is its former id too, until its issues carry the new
    # label (a tester: a tick during a rename was "of no configured program")
    known = tuple(i for p in prepared.programs for i in (p.program.id, p.program.renamed_from) if i)
    every = (*prepared.loaded.ids, *known)  # every program read, chosen or not
    why = event.ignored(tracker.me, every, tracker.project_names) or _left_out(event, known, every)
    if why is not None:
        print(f"note: {why}", file=out)
        print("Summary: nothing was written (see the note above).", file=out)  # the last line
        # a report says so too, as for every run (CI keeps it as an artifact)
        _report_note(args, today, (why,), Privacy())
        return EXIT_OK
    chosen = tuple(
        p
        for p in prepared.programs
        if concerned(event.programs, p.program.id, p.program.renamed_from)
    )
    # the others' warnings that stand, as the day's record names them (a tester: an event
    # run checks only some programs, and said nothing of the others')
    args.standing = standing(tracker, args.inputs, today, args.steps)
    return _apply(args, replace(prepared, programs=chosen), tracker, today, env=env, out=out)


def _left_out(event: Event, chosen: tuple[str, ...], every: tuple[str, ...]) -> str | None:
    """Why an event of configured programs (EVERY) needs no run all the same: --program left
    each of them out (a tester: it said the issue was of no configured program). Only
    configured ids are named: the payload's labels are not echoed."""
    if set(event.programs) & set(chosen):
        return None
    named = ", ".join(sorted(set(event.programs) & set(every)))
    return f"the event's issue is of {named}, which --program leaves out; nothing to do"


def _early_tracker(args: argparse.Namespace, env: Mapping[str, str], err: TextIO) -> Tracker | None:
    """For `apply` on GitLab, the tracker, made from settings.yml alone before the rest is
    read: a run with nothing to do stops after a few requests (--full: never)."""
    if args.command != "apply" or args.full or args.event:
        return None
    if _asked_backend(args, env) != "gitlab":
        return None
    settings = load_settings(args.config)
    return choose_tracker(args, env, err, settings.gitlab) if settings else None


def _looked_back(
    args: argparse.Namespace, env: Mapping[str, str], err: TextIO, today: dt.date
) -> tuple[LookBack | None, Tracker | None]:
    """The early tracker (`_early_tracker`) and what it finds changed since the record. GitLab
    out of reach, the files are read all the same, so that a mistake in them is what the run
    says (exit 2), as `plan` does (a newcomer: it was hidden behind exit 3)."""
    try:
        early = _early_tracker(args, env, err)
        return (look_back(early, args.inputs, today, args.steps) if early else None), early
    except TrackerUnavailable:
        prepare(args.config, args.templates, today, args.program or ())
        raise


def _inputs(args: argparse.Namespace) -> str:
    return inputs(_version(), args.config, args.templates, args.program or ())


def _scope_notes(
    args: argparse.Namespace, look: LookBack | None, prepared: Prepared
) -> tuple[str, ...]:
    """What a run that checks only some programs says first: which, and why."""
    widened = getattr(args, "widened", None)
    if widened:
        return (widened,)
    return (_scoped(look, prepared),) if look is not None else ()


def _widened(
    args: argparse.Namespace,
    prepared: Prepared,
    widen: Widen,
    today: dt.date,
) -> Prepared:
    """The run's configuration with the programs WIDEN names rendered too, and what the run
    says of them after its first note (ids pass its outputs' privacy, as that note's do)."""
    ids = frozenset(p.program.id for p in prepared.programs) | widen.programs
    wider = prepare(args.config, args.templates, today, args.program or (), ids)
    these, its = ("it is", "its") if len(widen.programs) == 1 else ("they are", "their")
    args.widened = (
        f"{', '.join(sorted(widen.programs))}: {these} checked too: {its} record of keys names "
        "an issue that changed (another program's first line or label typed over it?), or "
        "could not be read"
    )
    return wider


def _scoped(look: LookBack, prepared: Prepared) -> str:
    """What a run that checks only the programs whose issues changed says first."""
    moment = look.record.since.strftime("%Y-%m-%d %H:%M UTC")
    ids = ", ".join(p.program.id for p in prepared.programs)
    checked = (
        f"only their programs are checked: {ids}" if ids else "none is of a program this run checks"
    )
    return (
        f"{plural(len(look.changed), 'issue')} changed since {moment}, when a run left "
        f"nothing to do; {checked} (the first run of each day, or --full, checks every "
        "program)"
    )


def _nothing_changed(
    args: argparse.Namespace,
    record: SyncRecord,
    today: dt.date,
    env: Mapping[str, str],
    out: TextIO,
) -> int:
    """What a run that stopped early says, and reports."""
    moment = record.since.strftime("%Y-%m-%d %H:%M UTC")
    read = "no issue was read"
    if record.watched:  # (syncrecord.watch)
        read = f"no program was read, only the {len(record.watched)} issues its record watches"
    notice = (
        f"nothing changed in GitLab, config/ or templates/ since {moment}, when a run "
        f"left nothing to do, so {read}; the first run of each day, or --full, reads every "
        "issue"
    )
    summary = Summary.of((), record.issues, 0, 0)
    result = Result((), (), (), (notice,), summary)
    result = _standing(result, record.warned)
    console = _console(env, out, Privacy())  # the notice names nobody
    show_applied(console, result)
    if args.report:
        _report(args, "apply", today, result, console.privacy)
    return EXIT_OK


def _of_run(applied: Applied, prior: frozenset[str]) -> Result:
    """What the run did, and, when programs it did not check had warnings (PRIOR), that
    those stand."""
    return _standing(Result.of_run(applied), prior)


def _warned(applied: Applied, prior: frozenset[str]) -> frozenset[str]:
    """The programs whose warnings stand after this run: those its plans warned of, and those
    of PRIOR (the record's, of programs it did not check). Warnings of writing (a mention
    made inert, an assignee GitLab dropped) are said once, with the write: not these."""
    return prior.union(*(plan.warned for plan in applied.plans))


def _prior(warned: frozenset[str], prepared: Prepared) -> frozenset[str]:
    """The programs the record says warned (WARNED) that this run does not check."""
    return warned - {p.program.id for p in prepared.programs}


def _standing(result: Result, programs: Collection[str]) -> Result:
    """RESULT with a warning for each of these PROGRAMS (ids) that the warnings a run said of
    it earlier today still stand, unsaid (this run reads none of its issues to say them
    again): every quiet run's log and report says which, and where to read them (a tester:
    one line for all, counted once, sent to a run's log that had not said them all)."""
    said = tuple(
        f"the warnings of program {program} that a run said earlier today stand, unless "
        "fixed since: this run did not read its issues to say them again; any run with "
        "--full lists them"
        for program in sorted(programs)
    )
    summary = replace(result.summary, warnings=result.summary.warnings + len(said))
    return replace(result, warnings=tuple(sorted((*result.warnings, *said))), summary=summary)


def _with_tracker(
    args: argparse.Namespace,
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    *,
    env: Mapping[str, str],
    out: TextIO,
    look: LookBack | None = None,
) -> int:
    """The commands that read (plan, dashboard) or write (apply) issues."""
    if args.command == "plan":
        return _plan(args, prepared, tracker, today, env=env, out=out)
    if args.command == "dashboard":
        return _dashboard(args, prepared, tracker, today, out)
    if args.event:
        return _on_event(args, prepared, tracker, today, env=env, out=out)
    return _apply(args, prepared, tracker, today, env=env, out=out, look=look)


def _dashboard(
    args: argparse.Namespace, prepared: Prepared, tracker: Tracker, today: dt.date, out: TextIO
) -> int:
    include = bool(args.include_confidential)
    known = prepared.loaded.ids  # every program's, chosen or not (a reviewer: --program)
    if args.program and lists_others(args.out, args.program, known):
        raise UsageError(
            f"--out {args.out}: holds other programs' pages too, and a dashboard of "
            f"{', '.join(args.program)} alone would replace its overview of them; give it a "
            "folder of its own, or leave out --program"
        )
    pages = gather(prepared, tracker, today, include_confidential=include)
    hidden = sum(1 for p in prepared.programs if p.program.outputs_hidden and not include)
    written = write_site(pages, hidden, args.out, args.templates, today)
    removed = remove_stale(args.out, written, known, args.program or None)
    left_out = f"; {plural(hidden, 'confidential program')} left out" if hidden else ""
    gone = f"; {plural(len(removed), 'older page')} removed" if removed else ""
    print(
        f"Dashboard: {plural(len(written), 'page')} written to {args.out}/ "
        f"({plural(len(pages), 'program')}{left_out}{gone}). Open {args.out / 'index.html'}.",
        file=out,
    )
    return EXIT_OK


def run(
    argv: Sequence[str],
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    clock: Clock | None = None,
) -> int:
    """Run one command; user mistakes become a message and an exit code, never a traceback."""
    args = _parser().parse_args(argv)
    args.clock = clock or Clock()
    args.err = err
    try:
        return _command(args, env, out, err)
    except (Stopped, KeyboardInterrupt) as stop:  # a cancelled job's report: what it wrote
        if args.command == "apply" and not getattr(args, "reported", False):
            day = args.today or args.clock.now().date()
            done = getattr(args, "finished", ())  # a stop after the writes: all of them
            privacy = getattr(args, "privacy", Privacy())  # theirs, once there are any
            left = tuple(getattr(args, "console_notes", ()))  # (a lock left is among them)
            how, code = _how(stop), _stop_code(stop)
            failed = carried(stop)  # the items that had failed by then
            _report_stopped(
                args,
                day,
                done,
                f"stopped ({how})",
                privacy,
                notes=left,
                failed=failed,
                code=code,
                warnings=carried_warnings(stop),
            )
        raise


def _command(args: argparse.Namespace, env: Mapping[str, str], out: TextIO, err: TextIO) -> int:
    if "steps" in args and args.steps is None:
        args.steps = EVENT_STEPS if getattr(args, "event", None) else ALL_STEPS
    prepared: Prepared | None = None  # once made, what an error says passes its privacy
    try:
        if args.command == "init":
            return scaffold.init(args.dir, out, args.tool_project)
        # the day in UTC, as GitLab's clock says it: runners in other time zones agree
        today = args.today or args.clock.now().date()
        # what the run reads besides GitLab, as it was before anything was read: a file
        # changed during the run is a change the next run sees
        args.inputs = _inputs(args) if args.command == "apply" else ""
        look, early = _looked_back(args, env, err, today)
        if look is not None and not look.changed:
            return _nothing_changed(args, look.record, today, env, out)
        scope = look.programs() if look else None
        later = look.deferred() if look and scope is not None else ()  # (later.py)
        prepared = prepare(
            args.config, args.templates, today, args.program or (), scope, deferred=later
        )
        if scope is not None and not scope <= known_programs(prepared):
            # a program label no file defines: only a run over every program says so
            scope, prepared = None, prepare(args.config, args.templates, today, args.program or ())
        look = look if scope is not None else None  # an issue of no program: a full run
        _set_aside(prepared, err)
        if args.command == "validate":
            return _validate(prepared, today, out, err)
        tracker = early or choose_tracker(args, env, err, prepared.loaded.config.settings.gitlab)
        if _own_screen(args, tracker, env, out):
            prepared = replace(prepared, reveal=True)
        return _with_tracker(args, prepared, tracker, today, env=env, out=out, look=look)
    except ConfigError as error:
        lines = [printable(str(problem)) for problem in error.problems]
        found = plural(len(error.problems), "problem")
        written = getattr(args, "finished", None)  # (a run that wrote before it met one)
        what = "nothing was written"
        if written:
            what = "the run stopped there: what it wrote is kept; the next run finishes the rest"
        lines.append(f"automation: {found} found; {what}.")
        print(*lines, sep="\n", file=err)
        _report_error(args, lines, Privacy(), error.exit_code)
        return error.exit_code
    except AutomationError as error:
        said = prepared.privacy.about(None, str(error)) if prepared else printable(str(error))
        print(f"automation: {said}", file=err)
        _report_error(args, [said], prepared.privacy if prepared else Privacy(), error.exit_code)
        return error.exit_code


def _report(  # noqa: PLR0917
    args: argparse.Namespace,
    command: str,
    today: dt.date,
    result: Result,
    privacy: Privacy,
    code: int = EXIT_OK,
) -> None:
    """The JSON report (`--report`), with what the access check noted (a token about to
    expire) among its notices: a job's artifact is where some look for it."""
    noted = tuple(getattr(args, "access_notes", ()))
    if noted:
        result = replace(result, notices=(*noted, *result.notices))
    write_report(args.report, command, today, result, privacy, code)


def _report_error(
    args: argparse.Namespace, lines: Sequence[str], privacy: Privacy, code: int
) -> None:
    """The report (`--report`) of a run or plan that ended on its error before one was written
    (configuration, or GitLab refusing or gone): the job keeps it as its artifact, and a
    tester's failed jobs had none, where it is most needed. What a run had done by then (a
    stop between writes) is in it too."""
    if not getattr(args, "report", None) or getattr(args, "reported", False):
        return
    args.reported = True
    done: Sequence[Action] = getattr(args, "finished", ())
    said = tuple(lines) if args.command == "plan" or not done else (_STOPPED, *lines)
    result = Result(tuple(done), (), (), said, Summary.of(done, 0, 0, 0))
    with suppress(AutomationError):  # the error said is the one to tell
        day = args.today or args.clock.now().date()
        _report(args, args.command, day, result, privacy, code)


_STOPPED = "the run stopped before its end; what it wrote is kept:"


# Python's cyclic garbage collector, at its default thresholds, walks every live object again
# and again while a run builds tens of thousands of them (issues, blocks, plans) that live
# until it ends: a third of a big run's CPU. A run makes little cyclic garbage, so collecting
# after every 100,000 new objects instead of 700 costs little memory.
ALLOCATIONS_PER_COLLECTION = 100_000


def collect_less() -> None:
    """Run the garbage collector less often, as a run of the command wants (see above)."""
    _, *older = gc.get_threshold()
    gc.set_threshold(ALLOCATIONS_PER_COLLECTION, *older)


def _tolerant(stream: TextIO) -> TextIO:
    """STREAM writing what its encoding cannot hold as escapes (`\\u2026`), not stopping the
    run with a traceback: a runner's locale may be ISO-8859-1 or ASCII (a tester: every run
    stopped at its first line with a `…` or a name in another script, one write further)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and not _utf8(stream):
        reconfigure(errors="backslashreplace")
    return stream


def _utf8(stream: object) -> bool:
    """Whether a stream writes UTF-8 (one that does not say: a test's, in memory)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")


class _ToReader(io.TextIOBase):
    """The standard output (or error), for a reader that may stop reading (`| head`): from
    then on nothing more is printed there, and the run goes on to its end, not stopped by a
    traceback halfway through its writes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False
        self.failed = ""  # why it could not be written (a full disk), not a reader gone

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self.stream.write(text)
            except OSError as error:
                self._gone(error)
        return len(text)

    def flush(self) -> None:
        if not self.gone and not self.stream.closed:  # (flushed once more when collected,
            try:  # after its stream may be closed: a tester's warning on Python 3.13)
                self.stream.flush()
            except OSError as error:
                self._gone(error)

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.stream, "encoding", None) or "utf-8")

    def _gone(self, error: OSError) -> None:
        """No more is written here (a trial: a full disk under `> file` gave a traceback, with
        three issues made and the rest not); a reason other than a reader gone is kept."""
        self.gone = True  # and Python's own flush at exit must not fail either
        if not isinstance(error, BrokenPipeError):
            self.failed = error.strerror or type(error).__name__
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())


class _Stopper:
    """The SIGTERM handler: it stops a run still going, and ignores a signal that comes once
    the run is over (a trial: one a few milliseconds after the summary gave a traceback)."""

    def __init__(self) -> None:
        self.running = True

    def __call__(self, signum: int, _frame: object) -> None:
        if self.running:
            raise Stopped(signum)


def _stop_code(stop: BaseException) -> int:
    """The exit code of a run stopped so (130 or 143, as shells count them)."""
    return 128 + (signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM)


def _how(stop: BaseException) -> str:
    return "interrupted" if isinstance(stop, KeyboardInterrupt) else "SIGTERM"


STOPPED = "automation: stopped ({how}) before the end; {what}"
WHAT_WAS_DONE = {  # by command: what a stopped run leaves
    "apply": "anything it wrote is kept, and the next run finishes the rest",
    "dashboard": "the folder may hold some of this site's pages: write it again",
    "init": "what it had written of the skeleton is taken back, unless it said `Wrote …`",
}
NOTHING_WRITTEN = "no issue was changed"


def main() -> None:
    """Console entry point. A run asked to stop (Ctrl-C; SIGTERM, which GitLab's runner sends
    a cancelled job) stops as an error would, releasing the run lock on its way out, and says
    so on one line (exit 130 or 143, as shells count them)."""
    collect_less()
    stopper = _Stopper()
    before = signal.signal(signal.SIGTERM, stopper)
    out, err = _ToReader(_tolerant(sys.stdout)), _ToReader(_tolerant(sys.stderr))
    what = WHAT_WAS_DONE.get(next(iter(sys.argv[1:2]), ""), NOTHING_WRITTEN)
    try:
        code = run(sys.argv[1:], os.environ, cast(TextIO, out), cast(TextIO, err))
        stopper.running = False
    except KeyboardInterrupt:
        print(STOPPED.format(how="interrupted", what=what), file=err)
        code = 128 + signal.SIGINT
    except Stopped:
        print(STOPPED.format(how="SIGTERM", what=what), file=err)
        code = 128 + signal.SIGTERM
    finally:
        stopper.running = False
        if before is not None:  # as it was (a test calls main in its process)
            signal.signal(signal.SIGTERM, before)
    out.flush()
    err.flush()
    sys.exit(_unprinted(out, code, err))


def _unprinted(out: _ToReader, code: int, err: _ToReader) -> int:
    """The exit code of a run whose output could not be written: said on the standard error,
    and an environment's failure (3) where the run itself went well."""
    if not out.failed:
        return code
    print(
        f"automation: the standard output could not be written ({out.failed}); the run went "
        "on to its end without printing there (its --report, if given, has its lines)",
        file=err,
    )
    err.flush()
    return code or EXIT_TRACKER_UNAVAILABLE
