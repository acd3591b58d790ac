"""How plans and runs read: lines for a person, JSON for machines (pure formatting)."""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from automation.planner import (
    Action,
    CreateIssue,
    CreateLabel,
    Failure,
    Plan,
    UpdateDescription,
    UpdateLabels,
)

JSON_SCHEMA_VERSION = 1
DIFF_CONTEXT = 1


def describe(action: Action, *, done: bool = False) -> str:
    """One line saying what an action does, or with `done`, what it did."""
    create, update = ("created", "updated") if done else ("create", "update")
    if isinstance(action, CreateLabel):
        return f"{create} label {action.spec.name}"
    if isinstance(action, CreateIssue):
        issue = action.issue
        who = f", assigned to {', '.join(issue.assignees)}" if issue.assignees else ""
        due = f", due {issue.due_date}" if issue.due_date else ""
        secret = ", confidential" if issue.confidential else ""
        return f'{create} issue "{issue.title}" [{issue.key}]{who}{due}{secret}'
    if isinstance(action, UpdateDescription):
        return f"{update} #{action.iid} [{action.key}]: {action.block} block in the description"
    changes = [f"+{name}" for name in action.add] + [f"-{name}" for name in action.remove]
    return f"{update} #{action.iid} [{action.key}]: labels {' '.join(changes)}"


def diff(before: str, after: str) -> list[str]:
    """The changed lines of a description, as a unified diff without file headers."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=DIFF_CONTEXT
    )
    return [line for line in lines if not line.startswith(("---", "+++"))]


def plan_lines(plan: Plan) -> Iterator[str]:
    """The plan as a person reads it: labels folded, each issue change, failures, warnings."""
    labels = [a for a in plan.actions if isinstance(a, CreateLabel)]
    if labels:
        yield f"create {len(labels)} labels: {', '.join(a.spec.name for a in labels)}"
    for action in plan.actions:
        if isinstance(action, CreateLabel):
            continue
        yield describe(action)
        if isinstance(action, UpdateDescription):
            yield from (f"    {line}" for line in diff(action.before, action.after))
    yield from failure_lines(plan.failures)
    yield from (f"warning: {warning}" for warning in plan.warnings)


def failure_lines(failures: Iterable[Failure]) -> Iterator[str]:
    """Each failed item on one line."""
    for failure in failures:
        yield f"FAILED [{failure.key}]: {failure.message}"


def counts(actions: Iterable[Action]) -> Counter[str]:
    """How many actions of each kind."""
    return Counter(_kind(action) for action in actions)


def _kind(action: Action) -> str:
    return {
        CreateLabel: "create_label",
        CreateIssue: "create_issue",
        UpdateDescription: "update_description",
        UpdateLabels: "update_labels",
    }[type(action)]


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 issue', '2 issues'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def summary(
    actions: Iterable[Action], unchanged: int, failed: int, warnings: int, *, done: bool = False
) -> str:
    """The one closing line with every count; `done` says it in the past tense."""
    n = counts(actions)
    updated = n["update_description"] + n["update_labels"]
    create = "created" if done else "to create"
    return (
        f"{plural(n['create_issue'], 'issue')} {create}, {plural(updated, 'update')}, "
        f"{plural(n['create_label'], 'label')} {create}, {unchanged} unchanged, "
        f"{failed} failed, {plural(warnings, 'warning')}"
    )


def plan_json(plan: Plan) -> str:
    """The plan as JSON (schema documented in README.md)."""
    n = counts(plan.actions)
    document = {
        "schema": JSON_SCHEMA_VERSION,
        "summary": {
            "create_label": n["create_label"],
            "create_issue": n["create_issue"],
            "update_description": n["update_description"],
            "update_labels": n["update_labels"],
            "unchanged": plan.unchanged,
            "failed": len(plan.failures),
            "warnings": len(plan.warnings),
        },
        "actions": [action_json(action) for action in plan.actions],
        "failures": [
            {"program": f.program, "key": f.key, "iid": f.iid, "message": f.message}
            for f in plan.failures
        ],
        "warnings": list(plan.warnings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def action_json(action: Action) -> dict[str, Any]:
    """One action as a JSON object."""
    base: dict[str, Any] = {"type": _kind(action), "program": action.program}
    if isinstance(action, CreateLabel):
        spec = action.spec
        return base | {"name": spec.name, "color": spec.color, "description": spec.description}
    if isinstance(action, CreateIssue):
        issue = action.issue
        return base | {
            "key": issue.key,
            "title": issue.title,
            "labels": list(issue.labels),
            "assignees": list(issue.assignees),
            "due_date": issue.due_date.isoformat() if issue.due_date else None,
            "confidential": issue.confidential,
            "description": issue.description,
        }
    base |= {"key": action.key, "iid": action.iid}
    if isinstance(action, UpdateDescription):
        return base | {"block": action.block, "diff": "\n".join(diff(action.before, action.after))}
    return base | {"add": list(action.add), "remove": list(action.remove)}
