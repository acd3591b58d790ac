"""Completion figures at the end of plan lines, written like the handbook's ``=> `45%` `` (pure).

In a plan-style issue the tool owns only these figures; every other character is a person's.
- A task line (a checklist item with a figure at its end, or before a remark) shows the
  completion of the issue it references (`#12`, as that issue's progress counts it: the
  caller says), or 0% / 100% from its own box.
- A phase's `Complete => ` line shows the mean of the task figures since the phase began (a
  heading, or a line starting `**Phase`, like `**Phase 2:**`).
- An `Overall` line (`**Overall:** Complete => `) shows the mean of the phases' figures.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from automation.checklist import TaskCount, read_lines, visible_lines
from automation.mentions import without_code

# a figure, with or without a remark after it (a trial: "=> `0%` (ask Sam)" dropped its task
# from its phase's figure, unsaid), spaced as people type it (`0 %`), its arrow as GitLab's
# rich text editor saves a line it rewrote (`=\>`; a trial: the ticked line's figure, its
# phase's and the overall one stayed 0%, unsaid) or as HTML (`=&gt;`)
_FIGURE = re.compile(r"(?P<head>=(?:\\?>|&gt;)\s*` ?)(?P<value>\d{1,3})(?P<tail> ?%`)")
_REFERENCE = re.compile(r"#(?<![\w&/]#)(?P<iid>\d+)\b")  # `#` first: fast
_PHASE_START = re.compile(r"^\s*(?:#{1,6}\s+\S|\*\*Phase\b[^*]*\*\*)", re.IGNORECASE)
_COMPLETE = re.compile(r"^\s*Complete\b")
_OVERALL = re.compile(r"^\s*\*\*Overall\b", re.IGNORECASE)


@dataclass
class _Phase:
    tasks: list[int] = field(default_factory=list)


def references(text: str) -> frozenset[int]:
    """The iids a text refers to as `#12` where GitLab renders it (not in code or comments):
    each is an issue GitLab notes "mentioned in" when the reference is new."""
    return frozenset(
        int(found.group("iid"))
        for line in visible_lines(text)
        for found in _REFERENCE.finditer(without_code(line))
    )


def _mean(values: list[int]) -> int:
    """The mean of percentages, rounded as every figure is (TaskCount: down, but 1 at least
    once anything is done)."""
    return TaskCount(100 * len(values), sum(values)).percent


def _task_figure(line: str, done: bool, completion: Mapping[int, int], project: str) -> int:
    """A task's figure: the completion of the issue it references first, else its own box."""
    found = [_REFERENCE.search(line), _own_link(project).search(line) if project else None]
    first = min((match for match in found if match), key=lambda m: m.start(), default=None)
    if first is not None and int(first.group("iid")) in completion:
        return completion[int(first.group("iid"))]
    return 100 if done else 0


@functools.cache
def _own_link(project: str) -> re.Pattern[str]:
    """A link to an issue of PROJECT (its path, whatever its case): its URL, as "Copy link"
    gives it (`https://host/group/project/-/issues/12`), or `group/project#12`; GitLab shows
    both as `#12` (an attacker's trial: they read 0% where `#12` read 50%)."""
    path = re.escape(project)
    return re.compile(
        rf"(?:https?://[^\s/]+/{path}/-/(?:issues|work_items)/|(?<![\w./@-]){path}#)"
        r"(?P<iid>\d+)(?!\w)",
        re.IGNORECASE,
    )


def rewrite_figures(text: str, completion: Mapping[int, int], project: str = "") -> str:
    """Return the text with every figure recomputed and nothing else changed. Tasks are what
    GitLab counts as tasks (see checklist.py): a figure in fenced code or an HTML comment is
    neither rewritten nor counted.

    `completion` maps issue iids to their completion percentage; PROJECT is the path of the
    project whose issue links (besides `#12`) a task follows."""
    lines = text.split("\n")
    phases: list[_Phase] = [_Phase()]
    follow = functools.partial(_task_figure, completion=completion, project=project)
    for i, (line, (shown, task)) in enumerate(zip(lines, read_lines(lines), strict=True)):
        if not shown:
            continue
        figure = _figure_of(line)
        if figure is None:
            if _PHASE_START.match(line):
                phases.append(_Phase())
            continue
        value = _line_figure(line, figure, task, phases, follow)
        lines[i] = line[: figure.start("value")] + str(value) + line[figure.end("value") :]
    return "\n".join(lines)


def _figure_of(line: str) -> re.Match[str] | None:
    """The line's figure: its last one outside parentheses, where a person's remark after it
    may quote another (an attacker's trial: "=> `0%` (we said => `80%`)" had the remark's
    figure rewritten, and the task's left stale); the last one when all are inside. Only a
    `(` its `)` closes counts (a review: a `:(` in the task's text took every figure after it
    for a remark's)."""
    found = list(_FIGURE.finditer(line)) if "`" in line else []
    if len(found) < 2:  # (the commonest: one figure, or none)
        return found[0] if found else None
    spans = _parenthesised(line)
    outside = [f for f in found if not any(a < f.start() < b for a, b in spans)]
    return (outside or found)[-1]


def _parenthesised(line: str) -> list[tuple[int, int]]:
    """Where LINE's matched parentheses open and close."""
    opened: list[int] = []
    spans: list[tuple[int, int]] = []
    for at, char in enumerate(line):
        if char == "(":
            opened.append(at)
        elif char == ")" and opened:
            spans.append((opened.pop(), at))
    return spans


def _line_figure(
    line: str,
    figure: re.Match[str],
    task: bool | None,
    phases: list[_Phase],
    follow: Callable[[str, bool], int],
) -> int:
    if _OVERALL.match(line):
        return _mean([_mean(p.tasks) for p in phases if p.tasks])
    if _COMPLETE.match(line):
        return _mean(phases[-1].tasks)
    if task is None:
        return int(figure.group("value"))  # a note: kept as written
    value = follow(line, task)
    phases[-1].tasks.append(value)
    return value
