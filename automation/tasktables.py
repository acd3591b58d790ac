"""Task table items (pure): GitLab counts a table cell that holds a checkbox alone (`| [ ] |`)
as a task, in a table's header row as in its body (its renderer's `tasklist_in_table`; its
spec's "table task items": `| [ ] | Do something | Soon |`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

# What a box may hold: `x`, `X`, or one Unicode space (GitLab's spec counts a no-break, figure,
# narrow no-break or thin space as an open box, as pasted text brings them)
BOX_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CELL_BOX = re.compile(rf"\[(?P<box>[xX]|[{BOX_SPACE}])\]")
# A delimiter row: cells of hyphens, a colon at either end for alignment, pipes between
_DELIMITER = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*")
_QUOTES = re.compile(r" {0,3}>[ \t]?(?: {0,3}>[ \t]?)*")  # a line's quote markers
_PIPE = re.compile(r"(?<!\\)\|")  # `\|` is a pipe in a cell's text
# What ends a table's rows, besides a blank line: another block's start (a quote, heading,
# list item, fence or HTML block); any other line is one more row, a pipe or not
_BLOCK = re.compile(r" {0,3}(?:[>#<]|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|```|~~~)", re.ASCII)


class TableTask(NamedTuple):
    """A cell's box: whether it is ticked, and what the rest of its row says."""

    done: bool
    text: str


def _cells(row: str) -> list[str]:
    """A row's cells, split at its pipes (not at an escaped one), its outer pipes dropped."""
    inner = row.strip()
    inner = inner.removeprefix("|")
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.strip() for cell in _PIPE.split(inner)]


def _width(header: str, delimiter: str) -> int | None:
    """The number of columns of a table whose first two lines these are, or None: a header
    row with a pipe, and a delimiter row of as many cells."""
    if "|" not in header or "-" not in delimiter or not _DELIMITER.fullmatch(delimiter):
        return None
    width = len(_cells(header))
    return width if width == len(_cells(delimiter)) else None


def _row_tasks(row: str, width: int) -> list[TableTask]:
    cells = _cells(row)[:width]  # cells past the header's are not the table's
    boxes = [_CELL_BOX.fullmatch(cell) for cell in cells]
    text = " | ".join(cell for cell, box in zip(cells, boxes, strict=True) if box is None)
    return [TableTask(box.group("box") in "xX", text) for box in boxes if box is not None]


def _quoted(line: str) -> tuple[int, str]:
    """A line's quote depth (its `>` markers) and its text inside the quotes."""
    prefix = _QUOTES.match(line)
    end = prefix.end() if prefix else 0
    return line[:end].count(">"), line[end:]


def _goes_on(line: tuple[int, str], depth: int) -> bool:
    """Whether a line is one more row of a table at quote DEPTH: in the same quote, neither
    blank nor another block's start."""
    return line[0] == depth and bool(line[1].strip()) and not _BLOCK.match(line[1])


def table_tasks(lines: Sequence[str]) -> dict[int, list[TableTask]]:
    """The task table items of LINES (those GitLab renders), by the index of their line. A
    table runs from its header row to a blank line or another block's start; one inside a
    quote, over the lines of that quote. Only a line with a hyphen under one with a pipe can
    be a delimiter row: those are the lines looked at (a loop over every line was a fifth of
    counting a description's tasks)."""
    quoted = [_quoted(line) if ">" in line else (0, line) for line in lines]
    found: dict[int, list[TableTask]] = {}
    after = 1  # the first line that may be a table's delimiter row
    for index in _delimiter_rows(lines):
        (depth, header), (under, delimiter) = quoted[index - 1], quoted[index]
        fits = index >= after and "|" in header and depth == under
        width = _width(header, delimiter) if fits else None
        if width is None:
            continue
        rows, end = [index - 1], index + 1
        while end < len(quoted) and _goes_on(quoted[end], depth):
            rows.append(end)
            end += 1
        for row in rows:
            if tasks := _row_tasks(quoted[row][1], width):
                found[row] = tasks
        after = end + 1  # the line that ended the table is no delimiter row
    return found


def _delimiter_rows(lines: Sequence[str]) -> list[int]:
    """The indexes of the lines that may be a delimiter row: a hyphen, under a pipe."""
    return [i for i in range(1, len(lines)) if "-" in lines[i] and "|" in lines[i - 1]]
