"""What a run looks like in CI: collapsible log sections, the summary line, the JSON run report
and the merge request note with the plan (pure formatting)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from typing import Any

from automation.planner import Action, CreateEpic, CreateIssue, CreateLabel, Failure
from automation.privacy import Privacy
from automation.report import JSON_SCHEMA_VERSION, action_json, failure_json, plural

NOTE_MARKER = "<!-- automation:plan-note -->"
NOTE_MAX_LINES = 300
_ESC = "\x1b[0K"


def section_start(name: str, header: str) -> str:
    """A collapsible section's opening line in a GitLab CI log."""
    return f"{_ESC}section_start:{int(time.time())}:{name}[collapsed=true]\r{_ESC}{header}"


def section_end(name: str) -> str:
    """A collapsible section's closing line."""
    return f"{_ESC}section_end:{int(time.time())}:{name}\r{_ESC}"


def counts(actions: Sequence[Action], unchanged: int, failed: int, warnings: int) -> dict[str, int]:
    """The run's figures: issues created, items updated (not counting ones this run created),
    unchanged, failed, warnings."""
    created = sum(1 for a in actions if isinstance(a, CreateIssue))
    new = {(a.program, a.key) for a in actions if isinstance(a, CreateIssue | CreateEpic)}
    updated = {
        (a.program, a.key)
        for a in actions
        if not isinstance(a, CreateIssue | CreateEpic | CreateLabel)
    } - new
    return {
        "created": created,
        "updated": len(updated),
        "unchanged": unchanged,
        "failed": failed,
        "warnings": warnings,
        "labels_created": sum(1 for a in actions if isinstance(a, CreateLabel)),
        "epics_created": sum(1 for a in actions if isinstance(a, CreateEpic)),
    }


def summary_line(figures: dict[str, int], *, done: bool) -> str:
    """The one line a person reads first: every count of the run."""
    verb = "created" if done else "to create"
    extra = [plural(figures["labels_created"], "label"), plural(figures["epics_created"], "epic")]
    extras = ", ".join(e for e in extra if not e.startswith("0 "))
    return (
        f"{'Summary' if done else 'Plan'}: {figures['created']} {verb}, "
        f"{figures['updated']} {'updated' if done else 'to update'}, "
        f"{figures['unchanged']} unchanged, {figures['failed']} failed, "
        f"{plural(figures['warnings'], 'warning')}" + (f" ({extras} {verb})" if extras else "")
    )


def run_report(
    command: str,
    today: dt.date,
    *,
    figures: dict[str, int],
    actions: Iterable[Action],
    failures: Iterable[Failure],
    warnings: Iterable[str],
    notices: Iterable[str],
    privacy: Privacy,
) -> dict[str, Any]:
    """The JSON run report (schema in README.md)."""
    return {
        "schema": JSON_SCHEMA_VERSION,
        "command": command,
        "today": today.isoformat(),
        "summary": figures,
        "actions": [action_json(a, privacy) for a in actions],
        "failures": failure_json(failures, privacy),
        "warnings": privacy.lines(warnings),
        "notices": privacy.lines(notices),
    }


def note_body(summary: str, lines: Sequence[str], pipeline_url: str | None) -> str:
    """The merge request note: the summary, then the plan in a code block.

    Plan text can hold names from configuration: each line is indented inside a fence no line
    can close, and `@` cannot form a mention, so nothing in it can run a quick action or
    notify anyone."""
    shown = [_inert(line) for line in lines[:NOTE_MAX_LINES]]
    if len(lines) > NOTE_MAX_LINES:
        shown.append(f"  … {len(lines) - NOTE_MAX_LINES} more lines in the plan artifact")
    source = f" ([pipeline]({pipeline_url}))" if pipeline_url else ""
    return "\n".join(
        [
            NOTE_MARKER,
            f"**Program automation plan**{source}: {_inert(summary).strip()}",
            "",
            "<details><summary>What `apply` would change</summary>",
            "",
            "````text",
            *shown,
            "````",
            "",
            "</details>",
            "",
            "_This note is updated in place on every pipeline of this merge request._",
        ]
    )


def _inert(line: str) -> str:
    return "  " + line.replace("`", "'").replace("@", "@\u200b")
