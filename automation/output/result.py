"""What a plan would do or a run did, as every output reads it: the figures and the messages
(pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, assert_never, get_args

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
from automation.run import Applied

ActionType = Literal[
    "create_label",
    "create_issue",
    "update_description",
    "update_labels",
    "update_assignees",
    "update_due_date",
    "add_note",
    "close_issue",
    "reopen_issue",
    "create_epic",
    "add_to_epic",
    "link_issues",
    "update_epic",
    "remind",
]
ACTION_TYPES: tuple[ActionType, ...] = get_args(ActionType)


def action_type(action: Action) -> ActionType:  # noqa: C901, PLR0912 - one case per action
    """How outputs name an action's type."""
    name: ActionType
    match action:
        case CreateLabel():
            name = "create_label"
        case CreateIssue():
            name = "create_issue"
        case UpdateDescription():
            name = "update_description"
        case UpdateLabels():
            name = "update_labels"
        case UpdateAssignees():
            name = "update_assignees"
        case UpdateDueDate():
            name = "update_due_date"
        case AddNote():
            name = "add_note"
        case CloseIssue():
            name = "close_issue"
        case ReopenIssue():
            name = "reopen_issue"
        case CreateEpic():
            name = "create_epic"
        case AddToEpic():
            name = "add_to_epic"
        case LinkIssues():
            name = "link_issues"
        case UpdateEpic():
            name = "update_epic"
        case Remind():
            name = "remind"
        case _:
            assert_never(action)
    return name


def _changes_an_existing_item(action: Action) -> bool:
    match action:
        case CreateLabel() | CreateIssue() | CreateEpic():
            return False
        case (
            UpdateDescription()
            | UpdateLabels()
            | UpdateAssignees()
            | UpdateDueDate()
            | AddNote()
            | CloseIssue()
            | ReopenIssue()
            | AddToEpic()
            | LinkIssues()
            | UpdateEpic()
            | Remind()
        ):
            return True
        case _:
            assert_never(action)


_APART = (AddToEpic, LinkIssues, Remind)  # actions planned apart from their issue's plan


@dataclass(frozen=True)
class Summary:
    """What a plan would do or a run did, counted: the summary line and both JSON documents
    read these figures."""

    by_type: tuple[tuple[ActionType, int], ...]  # every action type, in ACTION_TYPES order
    updated: int  # items changed, not counting the ones this plan or run creates
    unchanged: int
    failed: int
    warnings: int

    @classmethod
    def of(cls, actions: Sequence[Action], unchanged: int, failed: int, warnings: int) -> Summary:
        """The figures of these actions (done or planned) and counts. UNCHANGED counts the
        issues their plans left as they were: one put in its epic, linked to the tracking
        issue or reminded (planned apart from its issue's plan) is updated, not unchanged too
        (a tester: a day of reminders summed to more issues than there are)."""
        n = Counter(action_type(a) for a in actions)
        new = {(a.program, a.key) for a in actions if isinstance(a, CreateIssue | CreateEpic)}
        changed = {(a.program, a.key) for a in actions if _changes_an_existing_item(a)}
        placed = {(a.program, a.key) for a in actions if isinstance(a, _APART)}
        others = {(a.program, a.key) for a in actions if not isinstance(a, _APART)}
        unchanged = max(0, unchanged - len(placed - others))
        by_type = tuple((name, n[name]) for name in ACTION_TYPES)
        return cls(by_type, len(changed - new), unchanged, failed, warnings)

    @classmethod
    def of_plan(cls, plan: Plan) -> Summary:
        """The figures of a plan."""
        return cls.of(plan.actions, plan.unchanged, len(plan.failures), len(plan.warnings))

    def count(self, name: ActionType) -> int:
        """How many actions of one type."""
        return dict(self.by_type)[name]

    @property
    def created(self) -> int:
        """Issues created."""
        return self.count("create_issue")


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 issue', '2 issues'."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


@dataclass(frozen=True)
class Result:
    """A plan's or a run's actions, failures, warnings (each once, sorted), notices (each once)
    and figures: what the run report and the end of a run show."""

    actions: tuple[Action, ...]
    failures: tuple[Failure, ...]
    warnings: tuple[str, ...]
    notices: tuple[str, ...]
    summary: Summary

    @classmethod
    def of_plan(cls, plan: Plan) -> Result:
        """What a plan would do."""
        warnings, notices = _merged([plan])
        return cls(plan.actions, plan.failures, warnings, notices, Summary.of_plan(plan))

    @classmethod
    def of_run(cls, applied: Applied) -> Result:
        """What a run did, over all its rounds (and the warnings of writing)."""
        done, failures = tuple(applied.outcome.done), tuple(applied.outcome.failures)
        warnings, notices = _merged(applied.plans, applied.outcome.warnings)
        unchanged = applied.plans[0].unchanged
        summary = Summary.of(done, unchanged, len(failures), len(warnings))
        return cls(done, failures, warnings, notices, summary)


def _merged(
    plans: Sequence[Plan], written: Iterable[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    warnings = sorted({w for plan in plans for w in plan.warnings} | {*written})
    notices = dict.fromkeys(n for plan in plans for n in plan.notices)
    return tuple(warnings), tuple(notices)
