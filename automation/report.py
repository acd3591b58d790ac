"""How plans and runs read: lines for a person, JSON for machines (pure formatting)."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from automation.planner import (
    Action,
    AddNote,
    AddToEpic,
    CloseIssue,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Plan,
    UpdateDescription,
    UpdateLabels,
)
from automation.privacy import Privacy

JSON_SCHEMA_VERSION = 1
DIFF_CONTEXT = 1


@dataclass(frozen=True)
class _Verbs:
    create: str
    update: str
    add: str


_PLANNED = _Verbs("create", "update", "add")
_DONE = _Verbs("created", "updated", "added")


def _what(block: str) -> str:
    """How a description update reads: its blocks, and a restored identity line."""
    names = block.split(", ")
    said = ["identity line restored"] if "identity line" in names else []
    blocks = [name for name in names if name != "identity line"]
    if blocks:
        said.append(f"{', '.join(blocks)} block" + ("s" if len(blocks) > 1 else ""))
    return ", ".join(said)


def _issue_line(a: CreateIssue, v: _Verbs) -> str:
    issue = a.issue
    who = f", assigned to {', '.join(issue.assignees)}" if issue.assignees else ""
    due = f", due {issue.due_date}" if issue.due_date else ""
    secret = ", confidential" if issue.confidential else ""
    return f'{v.create} issue "{issue.title}" [{issue.key}]{who}{due}{secret}'


def _labels_line(a: UpdateLabels, v: _Verbs) -> str:
    changes = [f"+{name}" for name in a.add] + [f"-{name}" for name in a.remove]
    return f"{v.update} #{a.iid} [{a.key}]: labels {' '.join(changes)}"


_LINES: dict[type, Callable[[Any, _Verbs], str]] = {
    CreateLabel: lambda a, v: f"{v.create} label {a.spec.name}",
    CreateIssue: _issue_line,
    UpdateDescription: lambda a, v: f"{v.update} #{a.iid} [{a.key}]: {_what(a.block)}",
    UpdateLabels: _labels_line,
    AddNote: lambda a, v: f"{v.add} note to #{a.iid} [{a.key}]: {a.body.splitlines()[0][:60]}",
    CloseIssue: lambda a, v: (
        f"{'closed' if v is _DONE else 'close'} #{a.iid} [{a.key}]: every task is done"
    ),
    CreateEpic: lambda a, v: f'{v.create} epic "{a.epic.title}" [{a.epic.key}]',
    AddToEpic: lambda a, v: f"{v.add} #{a.iid} [{a.key}] to epic &{a.epic_iid}",
    LinkIssues: lambda a, v: f"{v.add} link from tracking issue #{a.iid} to #{a.target_iid}",
}


NOBODY = Privacy()


def describe(action: Action, *, done: bool = False, privacy: Privacy = NOBODY) -> str:
    """One line saying what an action does, or with `done`, what it did."""
    if privacy.hides(action.key):
        where = f"#{action.iid}" if action.iid else "a new issue"
        what = f"{_kind(action).replace('_', ' ')}: {where} of {action.program} (confidential)"
        return f"done: {what}" if done else what
    return privacy.text(_LINES[type(action)](action, _DONE if done else _PLANNED))


def diff(before: str, after: str) -> list[str]:
    """The changed lines of a description, as a unified diff without file headers."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=DIFF_CONTEXT
    )
    return [line for line in lines if not line.startswith(("---", "+++"))]


def plan_lines(plan: Plan, privacy: Privacy = NOBODY) -> Iterator[str]:
    """The plan as a person reads it: labels folded, each issue change, failures, warnings."""
    labels = [a for a in plan.actions if isinstance(a, CreateLabel)]
    if labels:
        yield f"create {len(labels)} labels: {', '.join(a.spec.name for a in labels)}"
    for action in plan.actions:
        if isinstance(action, CreateLabel):
            continue
        yield describe(action, privacy=privacy)
        if isinstance(action, UpdateDescription) and not privacy.hides(action.key):
            yield from (privacy.text(f"    {line}") for line in diff(action.before, action.after))
    yield from failure_lines(plan.failures, privacy)
    yield from (privacy.text(f"warning: {warning}") for warning in plan.warnings)


def failure_lines(failures: Iterable[Failure], privacy: Privacy = NOBODY) -> Iterator[str]:
    """Each failed item on one line."""
    for failure in failures:
        yield privacy.text(
            f"FAILED [{privacy.reference(failure.key, failure.iid)}]: {failure.message}"
        )


def failure_json(failures: Iterable[Failure], privacy: Privacy) -> list[dict[str, Any]]:
    """Failed items for the JSON outputs; a confidential one by reference."""
    return [
        {
            "program": f.program,
            "key": privacy.reference(f.key, f.iid),
            "iid": f.iid,
            "message": privacy.text(f.message),
        }
        for f in failures
    ]


def counts(actions: Iterable[Action]) -> Counter[str]:
    """How many actions of each kind."""
    return Counter(_kind(action) for action in actions)


_KINDS: dict[type, str] = {
    CreateLabel: "create_label",
    CreateIssue: "create_issue",
    UpdateDescription: "update_description",
    UpdateLabels: "update_labels",
    AddNote: "add_note",
    CloseIssue: "close_issue",
    CreateEpic: "create_epic",
    AddToEpic: "add_to_epic",
    LinkIssues: "link_issues",
}


def _kind(action: Action) -> str:
    return _KINDS[type(action)]


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 issue', '2 issues'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def plan_json(plan: Plan, privacy: Privacy = NOBODY) -> str:
    """The plan as JSON (schema documented in README.md)."""
    n = counts(plan.actions)
    document = {
        "schema": JSON_SCHEMA_VERSION,
        "summary": {
            **{kind: n[kind] for kind in _KINDS.values()},
            "unchanged": plan.unchanged,
            "failed": len(plan.failures),
            "warnings": len(plan.warnings),
        },
        "actions": [action_json(action, privacy) for action in plan.actions],
        "failures": failure_json(plan.failures, privacy),
        "warnings": privacy.lines(plan.warnings),
        "notices": privacy.lines(plan.notices),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _issue_fields(a: CreateIssue) -> dict[str, Any]:
    issue = a.issue
    return {
        "title": issue.title,
        "labels": list(issue.labels),
        "assignees": list(issue.assignees),
        "due_date": issue.due_date.isoformat() if issue.due_date else None,
        "confidential": issue.confidential,
        "description": issue.description,
    }


_FIELDS: dict[type, Callable[[Any], dict[str, Any]]] = {
    CreateLabel: lambda a: {
        "name": a.spec.name,
        "color": a.spec.color,
        "description": a.spec.description,
    },
    CreateIssue: _issue_fields,
    UpdateDescription: lambda a: {"block": a.block, "diff": "\n".join(diff(a.before, a.after))},
    UpdateLabels: lambda a: {"add": list(a.add), "remove": list(a.remove)},
    AddNote: lambda a: {"body": a.body},
    CloseIssue: lambda a: {},
    CreateEpic: lambda a: {
        "title": a.epic.title,
        "labels": list(a.epic.labels),
        "description": a.epic.description,
    },
    AddToEpic: lambda a: {"epic_iid": a.epic_iid},
    LinkIssues: lambda a: {"target_iid": a.target_iid},
}


def action_json(action: Action, privacy: Privacy = NOBODY) -> dict[str, Any]:
    """One action as a JSON object: what every action has, then its own fields."""
    base = {"type": _kind(action), "program": action.program, "key": action.key, "iid": action.iid}
    if privacy.hides(action.key):
        return {
            "type": _kind(action),
            "program": action.program,
            "iid": action.iid,
            "confidential": True,
        }
    return base | _FIELDS[type(action)](action)
