"""The local workspace's index.md: every issue file with its person, program, phase and
progress, so a person opens one and ticks a box from there (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from automation.checklist import TaskCount, count_tasks
from automation.items import ObservedIssue
from automation.rendering import escape_markdown

INDEX_FILE = "index.md"
_HEAD = (
    "# Issues in this workspace\n\n"
    "Written by the program automation after each `apply`; edits here are overwritten. Open an "
    "issue file, tick a box (`[ ]` to `[x]`, in `1. [ ]` or `- [ ]`), and run `apply` again "
    "to see its progress follow.\n\n"
    "| issue | title | person | program | phase | progress | status |\n"
    "|---|---|---|---|---|---|---|\n"
)


Counted = Callable[[ObservedIssue], TaskCount | None]  # an issue's figure as its program counts


def index_text(issues: Sequence[ObservedIssue], counted: Counted = lambda _: None) -> str:
    """The index: one row per issue file, in iid order, open ones first. Progress is COUNTED
    as the issue's program counts it (optional tasks left out), else as GitLab does."""
    ordered = sorted(issues, key=lambda issue: (issue.state != "opened", issue.iid))
    return _HEAD + "".join(_row(issue, counted) for issue in ordered) + _tail(issues)


def _row(issue: ObservedIssue, counted: Counted) -> str:
    tasks = counted(issue) or count_tasks(issue.description)
    progress = f"{tasks.completed_count}/{tasks.count} ({tasks.percent}%)" if tasks.count else "—"
    status = _scoped(issue, "status") or ("closed" if issue.state == "closed" else "")
    texts = (
        issue.title,
        ", ".join(issue.assignees),
        _scoped(issue, "program"),
        _scoped(issue, "phase"),
        progress,
        status,
    )
    link = f"[#{issue.iid}](issues/{issue.iid}.md)"
    return f"| {link} | " + " | ".join(_cell(text) for text in texts) + " |\n"


def _tail(issues: Sequence[ObservedIssue]) -> str:
    return "" if issues else "\nNo issues yet: run `automation apply --backend local`.\n"


def _scoped(issue: ObservedIssue, scope: str) -> str:
    """The value of the issue's scoped label `scope::value`, or ''."""
    prefix = f"{scope}::"
    return next((label[len(prefix) :] for label in issue.labels if label.startswith(prefix)), "")


def _cell(text: str) -> str:
    """Text shown as typed inside one table cell (`|` and Markdown escaped)."""
    return escape_markdown(" ".join(text.split())) or "—"
