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
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from automation.taskline import TASK_LINE

# GitLab's tables are GFM's; only blocks are read (the inline rules are never needed here, and
# a reviewer's 100,000 `![` took 2.4 s through them)
_PARSER = MarkdownIt("commonmark").enable("table")
_PARSER.core.ruler.disable("inline")
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
# what a line may start with when the scan needs to look at it (any other: a paragraph's or a
# heading's line, which closes every list item above and opens none)
_LOOK = frozenset(" \t>-+*0123456789<`~")
# a list item's start: its indent, its marker (a number's digits apart), the spaces after it
_LIST_LINE = re.compile(r"(?P<indent> *)(?P<marker>[-+*]|(?P<number>\d{1,9})[.)])(?P<gap> *)")
# a task line the line scanner reads as CommonMark does: one marker, one to four spaces
_PLAIN_TASK = re.compile(r" *(?:[-+*]|(?P<number>\d{1,9})[.)]) {1,4}\[")
# what starts a line's content once its quotes, indent and list markers are left out
_CONTAINED = re.compile(r"(?:[ \t]*(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*")


@dataclass
class _Scan:
    """What the lines above say: the content columns of the list items open (innermost
    last), the line above ("": blank; "?": one of another container) and whether it
    started a list item, and its quote markers."""

    columns: list[int] = field(default_factory=list)
    before: str = ""
    item: bool = False
    quotes: str = ""  # the line above's quote markers, as written


def needs_parser(lines: Sequence[str]) -> bool:
    """Whether a line of LINES may read otherwise in CommonMark than line by line: an HTML
    block's start, code or raw HTML opened inside a list item or quote, or a task that may be
    code, a paragraph's text or no list item. When unsure it says yes (the parser is exact).
    Most lines need one look: a paragraph's or heading's line closes every list item above
    (the scan of the lists after it starts afresh there), and a task line of one marker, one
    to four spaces, less than four columns in, and no number but 1 is a task wherever it is;
    only the lines from the last paragraph line to the next, around any other task line,
    are scanned for the list items they open (a big program's every issue was scanned whole,
    three times the count)."""
    after = -1  # the last paragraph's or heading's line
    index = 0
    while index < len(lines):
        raw = lines[index]
        if raw and (raw[0] not in _LOOK or raw.startswith("<!--")):
            after = index  # (a comment's first line at the margin ends list items too)
        elif _opens_block(*_unquoted(raw)):
            return True
        elif "]" in raw and TASK_LINE.match(raw) and not _surely_task(raw):
            upto = next((i for i in range(index, len(lines)) if _plain(lines[i])), len(lines))
            if _scan(lines[after + 1 : upto], lines[after] if after >= 0 else ""):
                return True
            index = upto
            continue
        index += 1
    return False


def _plain(raw: str) -> bool:
    """A paragraph's or a heading's line, not in a quote: it ends every list item above."""
    return bool(raw) and (raw[0] not in _LOOK or raw.startswith("<!--"))


def _unquoted(raw: str) -> tuple[str, bool]:
    """The line with tabs expanded and its quote markers left out, and whether it had any."""
    line = raw.expandtabs(4) if "\t" in raw else raw
    quotes = _QUOTES.match(line) if ">" in line[:4] else None
    return (line[quotes.end() :], True) if quotes and quotes.group() else (line, False)


def _surely_task(raw: str) -> bool:
    """A task line that is a task wherever it stands: not quoted, one marker (a bullet, or
    1), one to four spaces, less than four columns in."""
    listed = _PLAIN_TASK.match(raw)
    return listed is not None and _indent(raw) < 4 and listed.group("number") in (None, "1")


def _scan(lines: Sequence[str], before: str) -> bool:
    """Whether a line of LINES (after the line BEFORE, a paragraph's or none) may read
    otherwise in CommonMark than line by line, as needs_parser says, its list items followed."""
    scan = _Scan(before=before)
    for raw in lines:
        line = raw.expandtabs(4) if "\t" in raw else raw
        quotes = _QUOTES.match(line) if ">" in line[:4] else None
        quoted = quotes.group() if quotes else ""
        line = line[len(quoted) :]
        if quoted != scan.quotes:  # maybe another container: the lines above tell nothing
            scan = _Scan(before="?" if scan.before else "", quotes=quoted)
        if _opens_block(line, ">" in quoted):
            return True
        if line.strip():
            _close(scan.columns, _indent(line))
        if "]" in raw and TASK_LINE.match(raw) and _doubtful(line, scan):
            return True
        scan.item = _open(line, scan)
        scan.before = line if line.strip() else ""
    return False


def _opens_block(line: str, quoted: bool) -> bool:
    """Whether the line may start an HTML block, or a fence or HTML comment that the line
    scanner cannot place (indented: inside a list item, which ends it when the item ends, or
    code; in a quote; on a list item's line)."""
    if "<" not in line and "`" not in line and "~" not in line:
        return False
    if "<" in line[:4] and _HTML_START.match(line):
        return True
    head = _CONTAINED.match(line)
    inner = line[head.end() :] if head else line
    if not inner.startswith(("<", "```", "~~~")):
        return False
    return quoted or _indent(line) > 0 or (head is not None and head.group().strip() != "")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _close(columns: list[int], indent: int) -> None:
    """Leave the list items a line indented INDENT is not inside (a lazy line of a paragraph
    may still be: leaving it makes the lines after it doubtful, never surer)."""
    while columns and indent < columns[-1]:
        columns.pop()


def _doubtful(line: str, scan: _Scan) -> bool:
    """A task line that only a parser can tell: not one marker and one to four spaces (a
    tab, a fifth space, stacked markers), indented four columns or more and not where a list
    item in the item above would start (code, or a paragraph's text), or numbered other than
    1 right under a line that is not an item of the same numbered list."""
    if not _PLAIN_TASK.match(line):
        return True
    indent = _indent(line)
    if indent >= 4 and not (scan.columns and indent <= scan.columns[-1] + 3):
        return True
    listed = _LIST_LINE.match(line)
    number = listed.group("number") if listed else None
    return (
        number is not None and int(number) != 1 and bool(scan.before) and not _sibling(scan, indent)
    )


def _sibling(scan: _Scan, indent: int) -> bool:
    """Whether the line above started a numbered item at INDENT (the next number follows)."""
    above = _LIST_LINE.match(scan.before)
    return (
        scan.item
        and above is not None
        and above.group("number") is not None
        and (_indent(scan.before) == indent)
    )


def _open(line: str, scan: _Scan) -> bool:
    """Whether the line starts a list item where it surely may (within 3 columns of the item
    it is in; not empty; not a number other than 1 under a paragraph's line), its content
    column then open."""
    listed = _LIST_LINE.match(line) if line.strip() else None
    if listed is None or (listed.group("gap") == "" and listed.end() < len(line)):
        return False  # `-x`: no list item
    indent, number = _indent(line), listed.group("number")
    if indent > (scan.columns[-1] if scan.columns else 0) + 3 or listed.end() == len(line):
        return False  # too deep to be sure, or an empty item (it cannot interrupt a paragraph)
    if number is not None and int(number) != 1 and scan.before and not _sibling(scan, indent):
        return False
    gap = len(listed.group("gap"))
    scan.columns.append(listed.end("marker") + (gap if gap <= 4 else 1))
    return True


def blocks(text: str) -> list[Token]:
    """TEXT's block tokens; an inline token holds its text unparsed (`content`)."""
    return _PARSER.parse(text)


@lru_cache(maxsize=4096)
def parsed(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """The lines of TEXT (split at `\\n`) in code or raw HTML blocks, and the first lines of
    its list items."""
    hidden: set[int] = set()
    items: set[int] = set()
    for token in blocks(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in _HIDDEN:
            hidden.update(range(start, end))
        elif token.type == "list_item_open":
            items.add(start)
    return frozenset(hidden), frozenset(items)
