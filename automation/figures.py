"""Completion figures at the end of plan lines, written like the handbook's ``=> `45%` `` (pure).

In a plan-style issue the tool owns only these figures; every other character is a person's.
- A task line (a checklist item ending in a figure) shows the completion of the issue it
  references (`#12`, as that issue's progress counts it: the caller says), or 0% / 100% from
  its own box.
- A phase's `Complete => ` line shows the mean of the task figures since the phase began (a
  heading, or a line starting `**Phase`, like `**Phase 2:**`).
- An `Overall` line (`**Overall:** Complete => `) shows the mean of the phases' figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from automation.checklist import read_lines, visible_lines
from automation.mentions import without_code

_FIGURE = re.compile(r"(?P<head>=>\s*`)(?P<value>\d{1,3})(?P<tail>%`\s*)$")
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
    return sum(values) // len(values) if values else 0


def _task_figure(line: str, done: bool, completion: Mapping[int, int]) -> int:
    """A task's figure: the completion of the issue it references, else its own box."""
    reference = _REFERENCE.search(line)
    if reference and int(reference.group("iid")) in completion:
        return completion[int(reference.group("iid"))]
    return 100 if done else 0


def rewrite_figures(text: str, completion: Mapping[int, int]) -> str:
    """Return the text with every figure recomputed and nothing else changed. Tasks are what
    GitLab counts as tasks (see checklist.py): a figure in fenced code or an HTML comment is
    neither rewritten nor counted.

    `completion` maps issue iids to their completion percentage."""
    lines = text.split("\n")
    phases: list[_Phase] = [_Phase()]
    for i, (line, (shown, task)) in enumerate(zip(lines, read_lines(lines), strict=True)):
        if not shown:
            continue
        figure = _FIGURE.search(line)
        if figure is None:
            if _PHASE_START.match(line):
                phases.append(_Phase())
            continue
        value = _line_figure(line, figure, task, phases, completion)
        lines[i] = line[: figure.start("value")] + str(value) + line[figure.end("value") :]
    return "\n".join(lines)


def _line_figure(
    line: str,
    figure: re.Match[str],
    task: bool | None,
    phases: list[_Phase],
    completion: Mapping[int, int],
) -> int:
    if _OVERALL.match(line):
        return _mean([_mean(p.tasks) for p in phases if p.tasks])
    if _COMPLETE.match(line):
        return _mean(phases[-1].tasks)
    if task is None:
        return int(figure.group("value"))  # a note: kept as written
    value = _task_figure(line, task, completion)
    phases[-1].tasks.append(value)
    return value
