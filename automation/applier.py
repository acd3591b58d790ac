"""Carry out a plan through a tracker: the only code that writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from automation.errors import ItemError
from automation.planner import (
    Action,
    AddToEpic,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Plan,
    SetEpicParent,
    UpdateDescription,
    UpdateLabels,
)
from automation.progress import program_label
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


def _create(action: CreateIssue, tracker: Tracker) -> None:
    """Create an issue unless one already carries its key outside the program's list (its
    program label was removed): a second issue for one key is never made."""
    existing = tracker.find_issue(action.issue.key)
    if existing is not None:
        raise ItemError(
            f"issue {existing.reference} already carries this key but not the label "
            f"{program_label(action.program)}; add the label back, or delete the issue's first "
            "line (the automation:key marker) to detach it from the program"
        )
    tracker.create_issue(action.issue)


def _labels_of(action: Action) -> set[str]:
    """Labels an action puts on an issue."""
    if isinstance(action, CreateIssue):
        return set(action.issue.labels)
    if isinstance(action, UpdateLabels):
        return set(action.add)
    return set()


def _perform(action: Action, tracker: Tracker) -> None:
    match action:
        case CreateLabel():
            tracker.create_label(action.spec)
        case CreateIssue():
            _create(action, tracker)
        case UpdateDescription():
            tracker.update_description(action.iid, action.after)
        case UpdateLabels():
            tracker.update_labels(action.iid, action.add, action.remove)
        case CreateEpic():
            tracker.create_epic(action.epic)
        case SetEpicParent():
            tracker.set_epic_parent(action.iid, action.parent)
        case AddToEpic():
            tracker.add_to_epic(action.epic_iid, action.issue)
        case LinkIssues():
            tracker.link_issues(action.iid, action.target_iid)
