"""Carry out a plan through a tracker: the only code that writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from automation.errors import ItemError
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
from automation.trackers.base import Tracker

Listener = Callable[[Action], None]


@dataclass
class Outcome:
    """What a run wrote and what failed."""

    done: list[Action] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def execute(plan: Plan, tracker: Tracker, on_done: Listener = lambda _: None) -> Outcome:
    """Perform every action in order; a failed item is recorded and the others go on."""
    outcome = Outcome(failures=list(plan.failures))
    failed: set[str] = set()
    for action in plan.actions:
        key = action.key
        if key in failed:
            continue
        missing = _labels_of(action) & {k.removeprefix("label:") for k in failed}
        try:
            if missing:
                raise ItemError(
                    f"skipped: label {', '.join(sorted(missing))} could not be "
                    "created, and GitLab would make a bare project label instead"
                )
            _perform(action, tracker)
        except ItemError as error:
            failed.add(key)
            outcome.failures.append(Failure(action.program, key, str(error), action.iid))
            continue
        outcome.done.append(action)
        on_done(action)
    return outcome


def _labels_of(action: Action) -> set[str]:
    """Labels an action puts on an issue."""
    if isinstance(action, CreateIssue):
        return set(action.issue.labels)
    if isinstance(action, UpdateLabels):
        return set(action.add)
    return set()


_WRITES: dict[type, Callable[[Any, Tracker], object]] = {
    CreateLabel: lambda a, t: t.create_label(a.spec),
    CreateIssue: lambda a, t: t.create_issue(a.issue),
    UpdateDescription: lambda a, t: t.update_description(a.iid, a.after),
    UpdateLabels: lambda a, t: t.update_labels(a.iid, a.add, a.remove),
    AddNote: lambda a, t: t.add_note(a.iid, a.body),
    CloseIssue: lambda a, t: t.close_issue(a.iid),
    CreateEpic: lambda a, t: t.create_epic(a.epic),
    AddToEpic: lambda a, t: t.add_to_epic(a.epic_iid, a.issue),
    LinkIssues: lambda a, t: t.link_issues(a.iid, a.target_iid),
}


def _perform(action: Action, tracker: Tracker) -> None:
    """The one place a plan's action becomes a tracker write."""
    _WRITES[type(action)](action, tracker)
