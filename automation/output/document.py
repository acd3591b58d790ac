"""The JSON documents: the plan (`plan --json`) and the run report (`--report FILE`), built
by one function from typed parts; README.md documents these types (pure)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Literal, assert_never

from typing_extensions import TypedDict

from automation.actions import (
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
    Remind,
    ReopenIssue,
    UpdateAssignees,
    UpdateDescription,
    UpdateDueDate,
    UpdateEpic,
    UpdateLabels,
)
from automation.output.lines import NOBODY, diff
from automation.output.result import ActionType, Result, Summary, action_type
from automation.privacy import Privacy

SCHEMA_VERSION = 1  # changes only when a field is removed or changes meaning


class BaseActionJson(TypedDict):
    """What every action has."""

    type: ActionType
    program: str
    key: str
    iid: int | None


class CreateLabelJson(BaseActionJson):
    name: str
    color: str
    description: str


class CreateIssueJson(BaseActionJson):
    title: str
    labels: list[str]
    assignees: list[str]
    due_date: str | None
    confidential: bool
    description: str


class UpdateDescriptionJson(BaseActionJson):
    block: str
    diff: str


class UpdateLabelsJson(BaseActionJson):
    add: list[str]
    remove: list[str]


class UpdateAssigneesJson(BaseActionJson):
    add: list[str]
    remove: list[str]


class UpdateDueDateJson(BaseActionJson):
    before: str | None  # ISO dates; None: no due date
    after: str | None


class AddNoteJson(BaseActionJson):
    body: str
    project: str | None  # another project's web address; `iid` is its issue's


class RemindJson(BaseActionJson):
    body: str
    digest: bool


class CreateEpicJson(BaseActionJson):
    title: str
    labels: list[str]
    description: str


class AddToEpicJson(BaseActionJson):
    epic_iid: int


class LinkIssuesJson(BaseActionJson):
    target_iid: int


class UpdateEpicJson(BaseActionJson):
    diff: str
    add: list[str]
    remove: list[str]


class ConfidentialActionJson(TypedDict):
    """An action on a confidential item: no key, nothing of its text."""

    type: ActionType
    program: str
    iid: int | None
    confidential: Literal[True]


ActionJson = (
    CreateLabelJson
    | CreateIssueJson
    | UpdateDescriptionJson
    | UpdateLabelsJson
    | UpdateAssigneesJson
    | UpdateDueDateJson
    | AddNoteJson
    | BaseActionJson  # close_issue and reopen_issue have only these
    | CreateEpicJson
    | AddToEpicJson
    | LinkIssuesJson
    | UpdateEpicJson
    | RemindJson
    | ConfidentialActionJson
)


class FailureJson(TypedDict):
    program: str
    key: str  # a confidential item's by reference: its program and issue number
    iid: int | None
    message: str


class Body(TypedDict):
    """What both documents hold after their summary."""

    actions: list[ActionJson]
    failures: list[FailureJson]
    warnings: list[str]
    notices: list[str]


class PlanDocument(Body):
    """`automation plan --json`: summary counts every action type."""

    schema: int
    summary: dict[str, int]


class RunSummaryJson(TypedDict):
    created: int
    updated: int
    unchanged: int
    failed: int
    warnings: int
    labels_created: int
    epics_created: int


class RunReport(Body):
    """`--report FILE`: what a plan or apply command did, for CI artifacts."""

    schema: int
    command: str
    today: str
    exit_code: int  # the command's: 0 done, 1 items failed, 2 configuration, 3 GitLab, 130, 143
    summary: RunSummaryJson


def plan_document(plan: Plan, summary: Summary, privacy: Privacy = NOBODY) -> PlanDocument:
    """The plan as JSON."""
    counts: dict[str, int] = dict(summary.by_type)
    totals = {
        "unchanged": summary.unchanged,
        "failed": summary.failed,
        "warnings": summary.warnings,
    }
    return {
        "schema": SCHEMA_VERSION,
        "summary": counts | totals,
        **body(plan.actions, plan.failures, plan.warnings, plan.notices, privacy),
    }


def run_report(
    command: str, today: dt.date, result: Result, privacy: Privacy, exit_code: int = 0
) -> RunReport:
    """The run report of a plan or apply command, with the command's EXIT_CODE (a monitoring
    tester: a run that failed on GitLab or its configuration read like a quiet no-op)."""
    summary = result.summary
    return {
        "schema": SCHEMA_VERSION,
        "command": command,
        "today": today.isoformat(),
        "exit_code": exit_code,
        "summary": {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "failed": summary.failed,
            "warnings": summary.warnings,
            "labels_created": summary.count("create_label"),
            "epics_created": summary.count("create_epic"),
        },
        **body(result.actions, result.failures, result.warnings, result.notices, privacy),
    }


def body(
    actions: Iterable[Action],
    failures: Iterable[Failure],
    warnings: Iterable[str],
    notices: Iterable[str],
    privacy: Privacy,
) -> Body:
    """The actions, failures, warnings and notices of either document, every string that
    could name a confidential item or person through PRIVACY."""
    return {
        "actions": [action_json(action, privacy) for action in actions],
        "failures": [
            {
                "program": f.program,
                "key": privacy.located(f.key, f.iid),  # as the printed line names it
                "iid": f.iid,
                "message": privacy.about(f.program, f.message),
            }
            for f in failures
        ],
        "warnings": privacy.lines(warnings),
        "notices": privacy.lines(notices),
    }


def to_json(document: PlanDocument | RunReport, ascii_only: bool = False) -> str:
    """A document as the tool writes it; ASCII_ONLY, with JSON's own escapes for every other
    character (for a stream that cannot hold them: a reviewer's `plan --json` under an ASCII
    locale was no JSON). A lone surrogate (`"\\ud800"` in YAML, quoted in a problem's message)
    is written as JSON's escape for it: UTF-8 cannot hold it (a fuzzing trial's report was left
    empty, after a traceback)."""
    text = json.dumps(document, indent=2, ensure_ascii=ascii_only)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def action_json(action: Action, privacy: Privacy = NOBODY) -> ActionJson:
    """One action: what every action has, then its own fields; a confidential item's action
    by program and issue number only."""
    kind = action_type(action)
    if privacy.hides(action.key):
        return {"type": kind, "program": action.program, "iid": action.iid, "confidential": True}
    return _fields(
        action, {"type": kind, "program": action.program, "key": action.key, "iid": action.iid}
    )


def _fields(action: Action, base: BaseActionJson) -> ActionJson:  # noqa: C901, PLR0912 - one case each
    fields: ActionJson
    match action:
        case CreateLabel(spec=spec):
            fields = {
                **base,
                "name": spec.name,
                "color": spec.color,
                "description": spec.description,
            }
        case CreateIssue(issue=issue):
            fields = {
                **base,
                "title": issue.title,
                "labels": list(issue.labels),
                "assignees": list(issue.assignees),
                "due_date": _iso(issue.due_date),
                "confidential": issue.confidential,
                "description": issue.description,
            }
        case UpdateDescription():
            changed = "\n".join(diff(action.before, action.after))
            fields = {**base, "block": action.block, "diff": changed}
        case UpdateLabels() | UpdateAssignees():
            fields = {**base, "add": list(action.add), "remove": list(action.remove)}
        case UpdateDueDate():
            fields = {**base, "before": _iso(action.before), "after": _iso(action.after)}
        case AddNote():
            fields = {**base, "body": action.body, "project": action.project}
        case CloseIssue() | ReopenIssue():
            fields = base
        case CreateEpic(epic=epic):
            fields = {
                **base,
                "title": epic.title,
                "labels": list(epic.labels),
                "description": epic.description,
            }
        case AddToEpic():
            fields = {**base, "epic_iid": action.epic_iid}
        case LinkIssues():
            fields = {**base, "target_iid": action.target_iid}
        case UpdateEpic():
            changed = "\n".join(diff(action.before, action.after))
            fields = {
                **base,
                "diff": changed,
                "add": list(action.add),
                "remove": list(action.remove),
            }
        case Remind():
            fields = {**base, "body": action.body, "digest": action.digest}
        case _:
            assert_never(action)
    return fields


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None
