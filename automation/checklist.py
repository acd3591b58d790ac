"""Count checklist tasks exactly as GitLab does, per section and overall (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# GitLab's task rule: list prefixes (nested, optionally inside `>` quotes), a checkbox,
# then whitespace and some text.
_TASK = re.compile(
    r"^(?:>[ \t]{0,4})*"  # blockquote markers
    r"(?:[ \t]*(?:[-+*]|\d+[.)]))+"  # one or more list prefixes
    r"[ \t]+"
    r"\[(?P<box>[xX]|\s)\]"  # [x], [X] or [ ] with one whitespace character
    r"[ \t]+\S"  # whitespace, then text
)
_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")
_HEADING = re.compile(r"^[ \t]{0,3}(?P<level>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$")
_COMMENT_OPEN = "<!--"
_COMMENT_CLOSE = "-->"


@dataclass(frozen=True)
class TaskCount:
    """How many tasks a text has and how many are done (GitLab's task_completion_status)."""

    count: int = 0
    completed_count: int = 0

    def __add__(self, other: TaskCount) -> TaskCount:
        return TaskCount(self.count + other.count, self.completed_count + other.completed_count)

    @property
    def percent(self) -> int:
        """Completion rounded down, so 100 means every task is done; no tasks counts as 0."""
        return self.completed_count * 100 // self.count if self.count else 0

    @property
    def complete(self) -> bool:
        """Every task done (a section without tasks is vacuously complete)."""
        return self.completed_count == self.count


@dataclass(frozen=True)
class _Line:
    text: str
    countable: bool  # False inside fenced code and HTML comments


def _strip_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """Remove HTML comment text from one line; return the rest and whether a comment stays open."""
    kept: list[str] = []
    rest = line
    while rest:
        if in_comment:
            end = rest.find(_COMMENT_CLOSE)
            if end < 0:
                return "".join(kept), True
            rest = rest[end + len(_COMMENT_CLOSE) :]
            in_comment = False
        else:
            start = rest.find(_COMMENT_OPEN)
            if start < 0:
                kept.append(rest)
                break
            kept.append(rest[:start])
            rest = rest[start + len(_COMMENT_OPEN) :]
            in_comment = True
    return "".join(kept), in_comment


def _lines(text: str) -> Iterator[_Line]:
    """Yield each line, marking those that GitLab would not scan for tasks or headings."""
    fence: str | None = None
    in_comment = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if fence is not None:
            if raw.strip().startswith(fence) and raw.strip().strip(fence[0]) == "":
                fence = None
            yield _Line(raw, False)
            continue
        visible, still_open = _strip_comments(raw, in_comment)
        was_in_comment, in_comment = in_comment, still_open
        opened = _FENCE.match(visible) if not was_in_comment else None
        if opened:
            fence = opened.group("fence")
            yield _Line(raw, False)
            continue
        countable = not (was_in_comment and not visible.strip())
        yield _Line(visible, countable)


def _task_state(line: _Line) -> bool | None:
    """True for a done task, False for an open one, None for any other line."""
    if not line.countable:
        return None
    match = _TASK.match(line.text)
    if match is None:
        return None
    return match.group("box") in ("x", "X")


def count_tasks(text: str) -> TaskCount:
    """Count tasks in Markdown text with the rules GitLab uses for task_completion_status."""
    states = [_task_state(line) for line in _lines(text)]
    done = sum(1 for state in states if state is True)
    total = sum(1 for state in states if state is not None)
    return TaskCount(total, done)


def _normalise_heading(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class SectionCount:
    """Task counts of one declared section (a phase or module) of a description."""

    heading: str
    tasks: TaskCount
    found: bool  # False when the heading is missing from the text


def count_sections(text: str, headings: Sequence[str]) -> tuple[SectionCount, ...]:
    """Count the tasks under each declared heading, up to the next heading of the same or
    higher level; tasks outside every declared section are not in any section."""
    wanted = {_normalise_heading(h): h for h in headings}
    counts: dict[str, TaskCount] = {}
    current: tuple[str, int] | None = None
    for line in _lines(text):
        heading = _HEADING.match(line.text) if line.countable else None
        if heading:
            level = len(heading.group("level"))
            name = wanted.get(_normalise_heading(heading.group("text")))
            if name is not None and name not in counts:
                current = (name, level)
                counts[name] = TaskCount()
                continue
            if current is not None and level <= current[1]:
                current = None
        state = _task_state(line)
        if current is not None and state is not None:
            counts[current[0]] += TaskCount(1, int(state))
    return tuple(SectionCount(h, counts.get(h, TaskCount()), found=h in counts) for h in headings)
