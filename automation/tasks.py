"""Tasks by section, and a task added at the end of its section without touching any other
line: how a template's new task reaches an issue people have been editing (pure).

Sections and tasks follow the checklist's rules (GitLab's): a task in fenced code or an HTML
comment is not one, and a declared heading opens its section until the next heading of the
same or a higher level."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from automation.checklist import heading_key, heading_of, is_optional, read_lines, task_text

_TOOL_BLOCK = "<!-- automation:begin "
# a line that starts something else (a list item, a quote, a heading, HTML, a table, a fence)
# rather than continuing the paragraph above it
_STARTS_BLOCK = re.compile(r"[ \t]*(?:[-+*>#<|`~]|\d+[.)](?:[ \t]|$))")
_QUOTE = re.compile(r" {0,3}>[ \t]?")  # a quote's marker, as CommonMark reads it


@dataclass(frozen=True)
class Task:
    """One task line of a text, with the section it is in and the lines of its item."""

    section: str  # the declared heading it lies under
    text: str  # what it says, whitespace collapsed: how tasks are compared
    lines: Sequence[str] = field(compare=False, repr=False)  # the whole text's
    start: int  # the task line's index in LINES
    stop: int  # where its section ends

    @property
    def line(self) -> str:
        """The task line as written."""
        return self.lines[self.start]

    @property
    def item(self) -> str:
        """The task line and its continuation lines (nested bullets), as written: read only
        when asked for (a text of ever deeper tasks would make every item hold the rest)."""
        end = _item_end(self.lines, self.start, self.stop)
        return "\n".join(x.rstrip("\r") for x in self.lines[self.start : end])


@dataclass(frozen=True)
class NewTask:
    """A task to add at the end of its section, unless its section already has a task that
    says the same, or the text has as many such tasks as the template (COPIES: a person may
    have moved it to another section; then adding it is nothing)."""

    section: str  # the declared heading
    text: str  # what it says, whitespace collapsed
    item: str  # the lines to add, as the template renders them
    headings: tuple[str, ...]  # every declared heading: where sections end
    copies: int = 1  # the template's tasks that say the same (one per section, say)
    parent: str | None = None  # the task whose item holds it in the template (a sub-task)

    def place(self, text: str) -> str | None:
        """See `place_task`."""
        return place_task(text, self)

    def mended(self, fix: Callable[[str], str]) -> NewTask:
        """The task with FIX made to the lines it adds, and to what it says (as they are
        placed, the task is looked for by what it says: a reviewer's task whose mention was
        made inert was never added, and counted all the same)."""
        item = fix(self.item)
        # what the fixed line says, read as it will be read once placed (FIX may treat the
        # text alone otherwise than the whole item: code spans beside an HTML tag)
        return replace(self, item=item, text=task_text(item.split("\n", 1)[0]) or self.text)


class _Line(NamedTuple):
    section: str | None  # the declared section the line lies in (its heading line included)
    opens: bool  # the heading line that opens its section
    task: str | None  # the task's text, when the line is a task GitLab counts


def _walk(lines: Sequence[str], headings: Sequence[str]) -> list[_Line]:
    """Each line's section and task, as `checklist.count_all` assigns them."""
    wanted = {heading_key(h): h for h in headings}
    seen: set[str] = set()
    current: tuple[str, int] | None = None
    walked: list[_Line] = []
    for line, (countable, state) in zip(lines, read_lines(lines), strict=True):
        opens = False
        heading = heading_of(line) if countable and "#" in line else None
        if heading is not None:
            name = wanted.get(heading[1])
            if name is not None:  # a heading written twice: both copies are its section
                current, opens = (name, heading[0]), name not in seen
                seen.add(name)
            elif current is not None and heading[0] <= current[1]:
                current = None
        task = task_text(line) if state is not None else None
        walked.append(_Line(current[0] if current else None, opens, task))
    return walked


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _unquoted(line: str, depth: int) -> str | None:
    """LINE without its first DEPTH quote markers (`>` and the space after it); None when it
    has fewer. Read by position, the line cut once (cut at each marker, a line of a million
    `>` took minutes: a tester)."""
    at = 0
    for _ in range(depth):
        marker = _QUOTE.match(line, at)
        if marker is None:
            return None
        at = marker.end()
    return line[at:]


def _depth(line: str) -> int:
    """How many quotes (`>`) LINE is in."""
    depth = at = 0
    while marker := _QUOTE.match(line, at):
        at, depth = marker.end(), depth + 1
    return depth


def _item_end(lines: Sequence[str], first: int, stop: int) -> int:
    """The index just after the item that starts at line FIRST: its more indented lines
    (across blank lines) and a paragraph's unindented continuation; never past STOP. In a
    quote (`> - [ ] a`), the lines of the same quote, indented within it (`>   - how`): a
    line outside the quote ends it."""
    depth = _depth(lines[first])
    base = _indent(_unquoted(lines[first], depth) or "")
    end = index = first + 1
    while index < stop:
        line = lines[index]
        inner = _unquoted(line, depth)
        if inner is None:  # out of the quote: only a paragraph's lazy continuation stays
            if index == end and line.strip() and not _STARTS_BLOCK.match(line):
                end = index = index + 1
                continue
            break
        if not inner.strip():
            index += 1
            continue
        lazy = index == end and not _STARTS_BLOCK.match(inner)
        if _indent(inner) > base or lazy:
            end = index = index + 1
            continue
        break
    return end


def tasks_of(text: str, headings: Sequence[str]) -> tuple[Task, ...]:
    """Every task GitLab counts in a declared section, in order; tasks outside the declared
    sections are not listed."""
    lines = text.split("\n")
    walked = _walk(lines, headings)
    found: list[Task] = []
    stop = 0  # where the section of the task at hand ends
    for index, line in enumerate(walked):
        if line.task is not None and line.section is not None:
            if stop <= index:
                stop = _section_end(walked, index, line.section)
            found.append(Task(line.section, line.task, lines, index, stop))
    return tuple(found)


def task_texts(text: str) -> tuple[str, ...]:
    """What every task GitLab counts in TEXT says, in any section or none, in order."""
    return tuple(x.task for x in _walk(text.split("\n"), ()) if x.task is not None)


def _section_end(walked: Sequence[_Line], start: int, section: str) -> int:
    end = start + 1
    while end < len(walked) and walked[end].section == section and not walked[end].opens:
        end += 1
    return end


def add_task(text: str, new: NewTask | NewSection) -> str:
    """The text with the task added after the last task of its section (and that task's
    nested lines), or where the section's text ends when it has no task. Every other line is
    kept as it is. Nothing changes when a task already says the same, or when the task
    cannot be placed (see `place_task`); likewise for a whole section (`NewSection`)."""
    placed = new.place(text)
    return text if placed is None else placed


def place_task(text: str, new: NewTask) -> str | None:
    """The text with the task added (see `add_task`); the text as it is when a task already
    says the same (in its section, or as many times as the template says it: a tester's task
    added to two sections at once reached only the first); None when it cannot be placed:
    the section's heading is not there, or the task would not be read as one of its tasks
    there (inside an unclosed code fence)."""
    lines = text.split("\n")
    walked = _walk(lines, new.headings)
    same = [line.section for line in walked if line.task == new.text]
    if new.section in same or len(same) >= new.copies:
        return text
    start = next((i for i, x in enumerate(walked) if x.opens and x.section == new.section), None)
    if start is None:
        return None
    end = _section_end(walked, start, new.section)
    tasks = [i for i in range(start + 1, end) if walked[i].task is not None]
    # its sub-tasks the section has already stay where they are, once (a tester's: a task
    # added above an existing sub-task in the template took it in, and it came twice)
    had = {walked[i].task for i in tasks}
    item = _without_had(new.item.split("\n"), had.__contains__, new.headings, optional=True)
    if new.parent is not None:  # a sub-task goes under its own task, or nowhere
        parent = next((i for i in tasks if walked[i].task == new.parent), None)
        if parent is None:
            return None
        at = _item_end(lines, parent, end)
    elif tasks:
        at = _after_tasks(lines, tasks, end)
    else:
        at, item = _after_content(lines, start, end, item)
    eol = "\r" if lines[at - 1].endswith("\r") else ""
    result = [*lines[:at], *(line + eol if line else line for line in item), *lines[at:]]
    if not any(
        x.task == new.text and x.section == new.section for x in _walk(result, new.headings)
    ):
        return None
    return "\n".join(result)


def parent_of(task: Task, template: Sequence[Task]) -> str | None:
    """What the task of TEMPLATE whose item holds TASK says (the innermost), if one does."""
    holding = [
        other.text
        for other in template
        if other.section == task.section
        and other.start < task.start < _item_end(other.lines, other.start, other.stop)
    ]
    return holding[-1] if holding else None


def _after_tasks(lines: Sequence[str], tasks: Sequence[int], end: int) -> int:
    """Just after the last of a section's TASKS (and its nested lines) that comes before a
    tool block in it: a newcomer's trial saw a task the template gained placed at the very
    end of the issue, below the progress table, in a person's note there (their own to-do
    under it counts in the section, as Markdown nests it; the template's belongs above)."""
    block = next(
        (i for i in range(tasks[0], end) if lines[i].lstrip().startswith(_TOOL_BLOCK)), end
    )
    before = [i for i in tasks if i < block]
    return _item_end(lines, before[-1], block) if before else _item_end(lines, tasks[-1], end)


def _after_content(
    lines: Sequence[str], start: int, end: int, item: list[str]
) -> tuple[int, list[str]]:
    """Where a section without tasks ends (before a tool block in it), and the item with the
    blank lines that keep it a list of its own."""
    at = _content_end(lines, start, end)
    before = [] if at == start + 1 else [""]
    after = [""] if at < len(lines) and lines[at].strip() else []
    return at, [*before, *item, *after]


def _content_end(lines: Sequence[str], start: int, end: int) -> int:
    """Just after the last line with text of the section whose heading is line START and
    that ends at END, before a tool block in it (the progress block closing an issue)."""
    limit = next(
        (i for i in range(start + 1, end) if lines[i].lstrip().startswith(_TOOL_BLOCK)), end
    )
    at = start + 1
    for index in range(start + 1, limit):
        if lines[index].strip():
            at = index + 1
    return at


@dataclass(frozen=True)
class NewSection:
    """A section the template gained, to add whole to an issue made before: its heading, text
    and tasks as the template renders them for the issue, after the nearest section before it
    in the template that the issue has (or else before the nearest one after it). Not when the
    issue has more than half of its tasks already (the same words anywhere; optional tasks,
    often the same in every section, aside): a section renamed without saying so, or added by
    hand, is not a new one. Otherwise it comes without the tasks the issue has already (as a
    new task is not added where a task says the same): a task the template moved into it
    stays where the issue has it, once (see `_without_had`)."""

    section: str  # the declared heading
    text: str  # its lines, heading first, as rendered
    before: tuple[str, ...]  # the declared sections before it in the template, nearest first
    after: tuple[str, ...]  # ... and after it, nearest first
    headings: tuple[str, ...]  # every declared heading: where sections end
    leave: frozenset[str] = frozenset()  # tasks left out, wherever the issue has them (`without`)

    def place(self, text: str) -> str | None:
        """The text with the section added; the text as it is when it has the section; None
        when it has most of its tasks, or none of the sections beside it, or the section would
        not be read as one there, or would take in tasks of another section."""
        lines = text.split("\n")
        walked = _walk(lines, self.headings)
        opened = {x.section: i for i, x in enumerate(walked) if x.opens and x.section}
        if self.section in opened:
            return text
        own = self.text.split("\n")
        tasks = [x.task for x in _walk(own, self.headings) if x.task and not is_optional(x.task)]
        had = {x.task for x in walked if x.task}
        if 2 * sum(task in had for task in tasks) > len(tasks):
            return None  # renamed without `renamed_from`, added by hand: the warnings say
        own = _without_had(own, lambda task: task in had or task in self.leave, self.headings)
        spot = _spot(lines, walked, opened, self.before, self.after)
        if spot is None:
            return None
        at, (before, after) = spot
        chunk = [*before, *own, *after]
        eol = "\r" if at and lines[at - 1].endswith("\r") else ""
        result = [*lines[:at], *(line + eol if line else line for line in chunk), *lines[at:]]
        again = _walk(result, self.headings)
        inserted = again[at : at + len(chunk)]
        read = [x.task for x in inserted if x.task is not None and x.section == self.section]
        meant = [x.task for x in _walk(chunk, self.headings) if x.task is not None]
        kept = again[:at] + again[at + len(chunk) :]
        if _counted(kept) != _counted(walked) or read != meant:
            return None  # it would take in another section's tasks, or not be read as one
        return "\n".join(result)

    def without(self, known: Callable[[str], bool]) -> NewSection:
        """The section, leaving out the tasks KNOWN to the issue (its record lists them: the
        template moved them here, and the issue's copy was marked not applicable, `[~]`,
        converted to a child item or deleted: a tester saw them come back unticked)."""
        return replace(self, leave=frozenset(t for t in self._tasks(self.text) if known(t)))

    def mended(self, fix: Callable[[str], str]) -> NewSection:
        """The section with FIX made to the lines it adds, and the tasks it leaves out as they
        read there (FIX may treat a task alone otherwise than the whole section: code spans
        beside an HTML tag, a reviewer's)."""
        text = fix(self.text)
        pairs = zip(self._tasks(self.text), self._tasks(text), strict=False)
        return replace(self, text=text, leave=frozenset(b for a, b in pairs if a in self.leave))

    def _tasks(self, text: str) -> list[str]:
        return [x.task for x in _walk(text.split("\n"), self.headings) if x.task]


def _without_had(
    own: list[str], had: Callable[[str], bool], headings: Sequence[str], optional: bool = False
) -> list[str]:
    """A new section's lines (OWN) less each task the issue has already (HAD: the same words
    anywhere, as `place_task` compares), with the lines nested in it (in a quote, the quote's):
    the task the template moved here from another section, which the issue keeps where it
    is. An optional task stays, unless OPTIONAL (generic ones are written in every section,
    and none is counted), and so does a task with a task nested in it that the issue lacks
    (that one would be lost with it). The numbered item after one left out takes its number,
    so a list still starts where the template starts it (`2.` cannot start a list after a
    paragraph)."""
    own = list(own)
    walked = _walk(own, headings)
    kept: list[str] = []
    index = 0
    while index < len(own):
        task = walked[index].task
        leave = task is not None and had(task) and (optional or not is_optional(task))
        end = _item_end(own, index, len(own)) if leave else index + 1
        nested = (x.task for x in walked[index:end] if x.task is not None)
        if not leave or not all(had(t) for t in nested) or not _renumbered(own, index, end):
            kept.append(own[index])
            index += 1
            continue
        if kept and not kept[-1].strip() and end < len(own) and not own[end].strip():
            end += 1  # the blank lines on both sides of it become one
        index = end
    while kept and not kept[-1].strip():
        kept.pop()
    return kept


# a numbered list item's marker: its indent, number and delimiter, and the spaces after it
_NUMBERED = re.compile(r"(?P<indent>[ \t]*)(?P<number>\d{1,9})(?P<delim>[.)])(?P<space>[ \t]+)")


def _renumbered(lines: list[str], first: int, end: int) -> bool:
    """Before the item of lines FIRST to END is left out: when it is numbered, the next item
    of its list (the next line with text, in the same quote) gets its number, padded to keep
    where the item's text starts (`10.` after `9.`: `9.  `). False, and LINES as they are,
    when that cannot be done (a number as wide as the next item's marker, or far narrower)."""
    depth = _depth(lines[first])
    item = _NUMBERED.match(_unquoted(lines[first], depth) or "")
    if item is None:
        return True
    for index in range(end, len(lines)):
        inner = _unquoted(lines[index], depth)
        if inner is None:
            return True
        if not inner.strip():
            continue
        after = _NUMBERED.match(inner)
        if after is None or (after["indent"], after["delim"]) != (item["indent"], item["delim"]):
            return True  # the list ends with the item
        width = len(after["number"]) + len(after["space"])
        if not 0 < width - len(item["number"]) <= 4:  # one space at least; five make code
            return False
        marker = f"{after['indent']}{item['number']}{after['delim']}"
        marker += " " * (width - len(item["number"]))
        lines[index] = (
            lines[index][: len(lines[index]) - len(inner)] + marker + inner[after.end() :]
        )
        return True
    return True


def _counted(walked: Sequence[_Line]) -> list[_Line]:
    """The lines that open a section or are a task: what progress reads of a text."""
    return [x for x in walked if x.opens or x.task is not None]


def _spot(
    lines: Sequence[str],
    walked: Sequence[_Line],
    opened: dict[str, int],
    before: Sequence[str],
    after: Sequence[str],
) -> tuple[int, tuple[list[str], list[str]]] | None:
    """Where a new section goes (after the nearest section BEFORE it, or before the nearest
    AFTER it), and the blank lines to put before and after it there."""
    for name in before:
        if name in opened:
            start = opened[name]
            at = _content_end(lines, start, _section_end(walked, start, name))
            return at, ([""], [""] if at < len(lines) and lines[at].strip() else [])
    for name in after:
        if name in opened:
            at = opened[name]
            return at, ([""] if at and lines[at - 1].strip() else [], [""])
    return None


def section_text(text: str, section: str, headings: Sequence[str]) -> str | None:
    """A declared section of TEXT as written, from its heading to where its own text ends
    (before the next section), without the tool's blocks in it (and the blank line that
    would then be doubled); a heading written twice brings both copies. None when TEXT does
    not have it."""
    lines = text.split("\n")
    walked = _walk(lines, headings)
    kept: list[str] = []
    block: str | None = None  # the end marker of the tool block being left out
    left_out = False  # a block was just left out: a blank line after it is one too many
    for line, x in zip(lines, walked, strict=True):
        bare = line.strip()
        if block is None and bare.startswith(_TOOL_BLOCK) and x.section == section:
            block = bare.replace(_TOOL_BLOCK, "<!-- automation:end ", 1)
        elif block is not None:
            block, left_out = (None, True) if bare == block else (block, False)
        elif x.section == section:
            if not (left_out and not bare and (not kept or not kept[-1].strip())):
                kept.append(line.rstrip("\r"))
            left_out = False
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) if kept else None


def sections_in_order(text: str, headings: Sequence[str]) -> tuple[str, ...]:
    """The declared sections TEXT has, in the order they open."""
    return tuple(x.section for x in _walk(text.split("\n"), headings) if x.opens and x.section)
