"""Which lines a CommonMark parser reads as list items, and which as code or raw HTML (pure).

GitLab counts the checkboxes its Markdown renderer draws. checklist.py reads most descriptions
line by line (fences and HTML comments); the few shapes a line alone cannot settle (a task
indented four columns with no list above it: indented code, or a paragraph's continuation; an
HTML block such as `<details>` with no blank line after it; a list number other than 1 right
under a paragraph) send the whole text through markdown-it-py, a CommonMark parser, instead
of a hand-written one (a tester's tasks in indented code counted, so the issue never completed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt

from automation.taskline import TASK_LINE

_PARSER = MarkdownIt("commonmark").enable("table")  # GitLab's tables are GFM's
_HIDDEN = frozenset({"code_block", "fence", "html_block"})

_QUOTES = re.compile(r"^(?: {0,3}>[ \t]?)*")
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    "details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|"
    "h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    "optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|"
    "track|ul"
)
# the start of an HTML block of CommonMark's kinds 1, 3 to 7 (a comment, kind 2, is the line
# scanner's); kind 7 loosely (any line that is a tag alone): a trigger may fire for nothing
_HTML_START = re.compile(
    r" {0,3}(?:<(?:script|pre|style|textarea)(?:[ \t>]|$)|<\?|<![A-Za-z]|<!\[CDATA\[|"
    rf"</?(?:{_BLOCK_TAGS})(?:[ \t>]|/>|$)|</?[A-Za-z][A-Za-z0-9-]*[^>]*>[ \t]*$)",
    re.IGNORECASE,
)
_LIST_LINE = re.compile(r"( *)([-+*]|(\d{1,9})[.)])( {1,4}|$)")


def needs_parser(lines: Sequence[str]) -> bool:
    """Whether a line of LINES may read otherwise in CommonMark than line by line: an HTML
    block's start, or a task that may be code, a paragraph's text or no list item."""
    columns: list[int] = []  # the content columns of the list items open above, innermost last
    before = ""  # the line above ("": blank), quotes left out
    depth = 0  # the quotes the line above is in
    for raw in lines:
        quotes = _QUOTES.match(raw.expandtabs(4)) if raw[:1] in ">\t " else None
        line = raw.expandtabs(4)[quotes.end() :] if quotes else raw
        quoted = quotes.group().count(">") if quotes else 0
        if quoted != depth:  # another container: no list item of the line above holds it
            columns, before, depth = [], "", quoted
        if "<" in line[:4] and _HTML_START.match(line):
            return True
        if line.strip():
            _close(columns, _indent(line))
        if "]" in line and TASK_LINE.match(raw) and _doubtful(line, before, columns):
            return True
        _open(line, columns)
        before = line if line.strip() else ""
    return False


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _close(columns: list[int], indent: int) -> None:
    """Leave the list items a line indented INDENT is not inside (a lazy line of a paragraph
    may still be: leaving it makes the lines after it doubtful, never surer)."""
    while columns and indent < columns[-1]:
        columns.pop()


def _doubtful(line: str, before: str, columns: Sequence[int]) -> bool:
    """A task line that only a parser can tell: indented four columns or more and not where
    a list item in the item above would start (code, or a paragraph's text), or numbered
    other than 1 right under a line that is not of the same numbered list."""
    indent = _indent(line)
    if indent >= 4 and not (columns and indent <= columns[-1] + 3):
        return True
    listed = _LIST_LINE.match(line)
    if listed is None or listed.group(3) is None or int(listed.group(3)) == 1 or not before:
        return False
    above = _LIST_LINE.match(before)
    return above is None or above.group(3) is None or _indent(before) != indent


def _open(line: str, columns: list[int]) -> None:
    """The list item a line opens, where it may (within 3 columns of the item it is in)."""
    listed = _LIST_LINE.match(line) if line.strip() else None
    if listed is None:
        return
    indent = _indent(line)
    if indent <= (columns[-1] if columns else 0) + 3:
        columns.append(listed.end(2) + max(1, min(len(listed.group(4)), 4)))


@lru_cache(maxsize=4096)
def parsed(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """The lines of TEXT (split at `\\n`) in code or raw HTML blocks, and the first lines of
    its list items."""
    hidden: set[int] = set()
    items: set[int] = set()
    for token in _PARSER.parse(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in _HIDDEN:
            hidden.update(range(start, end))
        elif token.type == "list_item_open":
            items.add(start)
    return frozenset(hidden), frozenset(items)
