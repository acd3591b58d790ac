"""Count checklist tasks exactly as GitLab does, per section and overall (pure)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from automation.commonmark import needs_parser, parsed
from automation.fences import Kind, kinds
from automation.markers import cut_key_line
from automation.mentions import ZERO_WIDTH_SPACE
from automation.taskline import TASK_LINE as _TASK
from automation.tasktables import TableTask, table_tasks

# An ATX heading's opening: its text is the rest, less spaces and a closing run of `#`
# (`_heading`: a pattern that also matched the text took time cubic in a run of spaces)
_HEADING_START = re.compile(r" {0,3}(#{1,6})[ \t]")  # a tab first is indented code
_LINE_END = re.compile(r"(\r\n|\r|\n)")
# A task that says it is optional: "Optional: ...", "**Optional:** ...", "_(optional)_ ..."
_OPTIONAL = re.compile(r"^[*_(\s]*optional\b", re.IGNORECASE)


@dataclass(frozen=True)
class TaskCount:
    """How many tasks a text has and how many are done (GitLab's task_completion_status)."""

    count: int = 0
    completed_count: int = 0

    def __add__(self, other: TaskCount) -> TaskCount:
        return TaskCount(self.count + other.count, self.completed_count + other.completed_count)

    @property
    def percent(self) -> int:
        """Completion rounded down, so 100 means every task is done, but 1 at least once a
        task is (an independent check: 1 of 225 read 0%, `progress::0%`, beside `status::in
        progress`); no tasks counts as 0."""
        if not self.count:
            return 0
        return max(self.completed_count * 100 // self.count, 1 if self.completed_count else 0)

    @property
    def complete(self) -> bool:
        """Every task done (a section without tasks is vacuously complete)."""
        return self.completed_count == self.count


def _split(text: str) -> list[str]:
    if "\r" in text:  # (replacing the \r\n of a text with none took as long as the split)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _countable(lines: Sequence[str]) -> list[bool]:
    """For each line, whether GitLab scans it for tasks and headings (see _reads)."""
    return [read is not _Read.HIDDEN for read in _reads(lines)]


class _Read(Enum):
    """How GitLab reads a line: hidden (code, raw HTML, a comment), text with the task it may
    be, or text that is no task although it looks like one (a paragraph's text)."""

    HIDDEN = "hidden"
    TEXT = "text"
    PLAIN = "plain"


def _reads(lines: Sequence[str]) -> list[_Read]:
    """How GitLab reads each line. Line by line: hidden in a fenced code block or an HTML
    comment block (a line starting with `<!--` up to and including the line that holds
    `-->`, as CommonMark reads them); a text that a line alone cannot settle is read by a
    CommonMark parser instead (commonmark.py). The tool's key line on top is one line even
    with its ` -->` cut off: the run that reads it mends it (restore_identity)."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and cut_key_line(lines[first]):
        lines = [*lines[:first], "<!-- -->", *lines[first + 1 :]]
    if _needs_parser(lines):
        return _as_commonmark(lines)
    return [_Read.TEXT if kind is Kind.TEXT else _Read.HIDDEN for kind in kinds(lines)]


_NEEDS: dict[tuple[int, int], bool] = {}  # needs_parser's answers, by the text's hash
_NEEDS_KEPT = 200_000


def _needs_parser(lines: Sequence[str]) -> bool:
    """needs_parser, once per text: a run reads each description three or four times (its
    figures, its headings, its values, its tasks)."""
    text = "\n".join(lines)
    key = (hash(text), len(text))
    said = _NEEDS.get(key)
    if said is None:
        if len(_NEEDS) >= _NEEDS_KEPT:
            _NEEDS.clear()
        said = _NEEDS[key] = needs_parser(lines)
    return said


def _as_commonmark(lines: Sequence[str]) -> list[_Read]:
    """Hidden where CommonMark reads code or raw HTML; a task line it reads as no list item
    (a paragraph's text) is plain text: GitLab draws no checkbox there."""
    hidden, items = parsed("\n".join(lines))
    return [
        _Read.HIDDEN
        if i in hidden
        else _Read.TEXT
        if i in items or _task_state(line) is None
        else _Read.PLAIN
        for i, line in enumerate(lines)
    ]


def _no_box(line: str) -> str:
    """The line, a task's box broken by a zero-width space (`[\u200bx]`): the text GitLab
    shows, which no task rule reads as a task (a table still reads it as the line it is)."""
    match = _TASK.match(line) if "]" in line else None
    if match is None:
        return line
    return f"{line[: match.start('box')]}{ZERO_WIDTH_SPACE}{line[match.start('box') :]}"


def _visible(text: str) -> list[str]:
    """The lines GitLab renders as text, a plain one's box broken (for counting tasks)."""
    lines = _split(text)
    return [
        line if read is _Read.TEXT else _no_box(line)
        for line, read in zip(lines, _reads(lines), strict=True)
        if read is not _Read.HIDDEN
    ]


def visible_lines(text: str) -> Iterator[str]:
    """The lines GitLab renders as text, as they are written: not in code, raw HTML or HTML
    comments (a value recorded on a line that is no task is still read: a reviewer's)."""
    lines = _split(text)
    return (
        line for line, read in zip(lines, _reads(lines), strict=True) if read is not _Read.HIDDEN
    )


def _task_state(text: str) -> bool | None:
    """True for a done task, False for an open one, None for any other line (of those GitLab
    scans)."""
    if "]" not in text:
        return None
    match = _TASK.match(text)
    if match is None:
        return None
    return match.group("box") in ("x", "X")


def read_lines(lines: Iterable[str]) -> Iterator[tuple[bool, bool | None]]:
    """For each line of a text already split into lines: whether GitLab renders it as text
    (not in fenced code, not in an HTML comment), and its task state: True done, False open,
    None for any other line."""
    every = list(lines)
    for line, read in zip(every, _reads(every), strict=True):
        yield read is not _Read.HIDDEN, _task_state(line) if read is _Read.TEXT else None


def count_tasks(text: str) -> TaskCount:
    """Count tasks in Markdown text with the rules GitLab uses for task_completion_status."""
    visible = _visible(text)
    states = [_task_state(line) for line in visible if "]" in line]
    states += [task.done for row in table_tasks(visible).values() for task in row]
    return TaskCount(
        sum(state is not None for state in states), sum(state is True for state in states)
    )


@functools.lru_cache(maxsize=4096)  # a program's issues have the same headings
def _normalise_heading(text: str) -> str:
    # (a zero-width space is what the tool puts after a value's `#1`: `Week #1` printed from
    # configuration reads as the heading configured; and a heading reads as configured in
    # either Unicode form it was saved or typed in, with or without an emoji's variation
    # selector: a tester's decomposed Ü was "not found". Composed, not folded (NFKC): a
    # reviewer's half-width and full-width headings, told apart before, are two headings)
    text = unicodedata.normalize("NFC", text.replace(ZERO_WIDTH_SPACE, ""))
    return " ".join(text.translate(_VARIATIONS).split()).casefold()


_VARIATIONS = dict.fromkeys((0xFE0E, 0xFE0F))  # text and emoji presentation selectors


def heading_key(text: str) -> str:
    """A heading's text as headings are compared (case and spacing aside)."""
    return _normalise_heading(text)


def _heading(line: str) -> tuple[int, str] | None:
    """The level and text of a heading line as written (`# Text ##`: 1, 'Text'), or None."""
    opening = _HEADING_START.match(line) if "#" in line else None
    if opening is None:
        return None
    text = line[opening.end() :].strip(" \t")
    closed = text.rstrip("#")  # a closing run of # counts only after a space: "Learn C#"
    if not closed or closed[-1] in " \t":
        text = closed.rstrip(" \t")
    return len(opening.group(1)), text


def heading_of(line: str) -> tuple[int, str] | None:
    """The level and the text (as `heading_key` gives it) of a heading line, or None."""
    found = _heading(line)
    return (found[0], _normalise_heading(found[1])) if found else None


def task_text(line: str) -> str | None:
    """What a task line says after its checkbox, whitespace collapsed; None for other lines
    (whether the line is in code or a comment is for the caller to know)."""
    match = _TASK.match(line) if "]" in line else None
    return " ".join(line[match.end() - 1 :].split()) if match else None


@dataclass(frozen=True)
class SectionCount:
    """Task counts of one declared section (a phase or module) of a description."""

    heading: str
    tasks: TaskCount
    found: bool  # False when the heading is missing from the text


def headings_found(text: str, headings: Sequence[str]) -> tuple[str, ...]:
    """The declared headings the text has, as count_sections finds them (a heading GitLab
    renders, case and spacing aside), in their declared order; tasks are not read."""
    wanted = {_normalise_heading(h): h for h in headings}
    present = {
        wanted.get(_normalise_heading(heading[1]))
        for line in _visible(text)
        if "#" in line and (heading := _heading(line))
    }
    return tuple(h for h in headings if h in present)


def hidden_headings(text: str, headings: Sequence[str]) -> tuple[str, ...]:
    """Those of HEADINGS written on lines GitLab hides (in code, raw HTML or an HTML
    comment): a code fence or a comment opened above them and never closed, say (a trial: a
    manager's unclosed fence hid a hire's last three phases, and the hire graduated)."""
    wanted = {_normalise_heading(h): h for h in headings}
    lines = _split(text)
    hidden: list[str] = []
    for line, read in zip(lines, _reads(lines), strict=True):
        heading = _heading(line) if read is _Read.HIDDEN and "#" in line else None
        name = wanted.get(_normalise_heading(heading[1])) if heading else None
        if name is not None and name not in hidden:
            hidden.append(name)
    return tuple(hidden)


def rename_headings(text: str, renames: Sequence[tuple[str, str]]) -> str:
    """The text with each heading GitLab renders whose text is an old heading of RENAMES (case
    and spacing aside) given the new one, at its level and indent (a heading's copies are
    counted as one section, so one already under the new name changes nothing). Every other
    line, and every line end, is kept as it was."""
    if not renames:
        return text
    parts = _LINE_END.split(text)  # lines and, between them, their ends as written
    lines = parts[0::2]
    present = {_normalise_heading(h[1]) for line in _visible(text) if (h := _heading(line))}
    wanted = {
        _normalise_heading(old): new for old, new in renames if _normalise_heading(old) in present
    }
    for i, countable in enumerate(_countable(lines) if wanted else ()):
        line = lines[i]
        heading = _heading(line) if countable else None
        new = wanted.get(_normalise_heading(heading[1])) if heading else None
        opening = _HEADING_START.match(line)
        if new is not None and opening is not None:
            parts[2 * i] = f"{line[: opening.end()]}{new}"  # its indent and level as written
    return "".join(parts)


def count_sections(text: str, headings: Sequence[str]) -> tuple[SectionCount, ...]:
    """Count the tasks under each declared heading, up to the next heading of the same or
    higher level; tasks outside every declared section are not in any section."""
    return count_all(text, headings)[0]


def is_optional(task: str) -> bool:
    """Whether a task's text (after its checkbox) begins by saying it is optional."""
    return _OPTIONAL.match(task) is not None


def _line_tasks(line: str, cells: Iterable[TableTask], skip_optional: bool) -> list[bool]:
    """Whether each task of LINE is done: a list item's, or its table cells' (CELLS)."""
    task = _TASK.match(line) if "]" in line else None
    states = [(task.group("box") in "xX", line[task.end() - 1 :])] if task else []
    states += [(cell.done, cell.text) for cell in cells]
    return [done for done, said in states if not (skip_optional and is_optional(said))]


def count_all(
    text: str, headings: Sequence[str], skip_optional: bool = False
) -> tuple[tuple[SectionCount, ...], TaskCount]:
    """Sections and the whole text's tasks in one pass (what progress needs). With
    `skip_optional`, tasks that say they are optional are left out (GitLab counts them)."""
    wanted = {_normalise_heading(h): h for h in headings}
    counts: dict[str, list[int]] = {}  # heading: [tasks, done]
    overall = [0, 0]
    current: tuple[list[int], int] | None = None  # the section's counts and heading level
    visible = _visible(text)
    tables = table_tasks(visible)
    for index, line in enumerate(visible):
        if "#" in line and (heading := _heading(line)):
            level = heading[0]
            name = wanted.get(_normalise_heading(heading[1]))
            if name is not None:  # a heading written twice: its tasks count in one section
                current = (counts.setdefault(name, [0, 0]), level)
                continue
            if current is not None and level <= current[1]:
                current = None
        if "]" not in line and index not in tables:  # no task (most lines)
            continue
        for done in _line_tasks(line, tables.get(index, ()), skip_optional):
            for tally in (overall, current[0]) if current is not None else (overall,):
                tally[0] += 1
                tally[1] += done
    sections = tuple(
        SectionCount(h, TaskCount(*counts.get(h, (0, 0))), found=h in counts) for h in headings
    )
    return sections, TaskCount(*overall)
