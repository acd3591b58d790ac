"""Which lines of a block the tool wrote (pure): each kept block, and each issue's progress
block, records a short mark of each line it was written with, so that a line a person typed
in it is told from one the tool no longer writes, and moved below the block when the tool
rewrites it, not lost.

    <!-- automation:kept-lines 3f2a9c 91b0e4 000000 a07c11 5be2d0 -->

Each line has two marks: of its text as written, spaces around aside (what versions before this
one wrote, and read: going back a version keeps lines typed in the block), then, after
`000000`, of the line as GitLab shows it (`_normal`): GitLab's rich text editor saves lines it
rewrote padded, escaped or with `_` for `*` (a trial: the tool took its own table rows for typed
text, moved them below the block and said a person typed them, more of them at each save). A
record of the first marks alone (written before) is read as then. A block without the record
(made before it) tells nothing: it is rewritten as before."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from automation.mentions import ZERO_WIDTH_SPACE

# read at any line end: GitLab's web editor saves `\r\n` (a review: a CRLF text's record was
# not found, and a line typed in the block went unsaid)
_MARKS = re.compile(r"^<!-- automation:kept-lines(?P<marks>(?: [0-9a-f]{6})*) -->\r?$", re.M)
_MARKS_LINE = re.compile(r"^<!-- automation:kept-lines(?: [0-9a-f]{6})* -->\r?\n?", re.M)
_SHOWN = "000000"  # between a record's marks of lines as written and as shown
# a kept block's first line (rendering.KEPT_NOTICE), in any of its wordings: one that said
# typed text "is replaced" (before it was moved below) is not rewritten only to say otherwise
_NOTICE_LINE = re.compile(
    r"^<!-- Written by the program automation from its configuration, [^\n]*-->\r?\n?", re.M
)


def live(text: str) -> str:
    """TEXT with each mention the writer made inert (for someone GitLab does not know) read
    as the template wrote it, live."""
    return text.replace("@" + ZERO_WIDTH_SPACE, "@")


def _plain(line: str) -> str:
    """A line as the tool compares it: its spaces around aside, its mentions live."""
    return live(line.strip())


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash escape of ASCII punctuation
_CELL = re.compile(r"(?<!\\)\|")  # a table row's cell border (not an escaped one)
_DELIMITER = re.compile(r":?-+:?")  # a cell of a table's delimiter row: its alignment


def _normal(line: str) -> str:
    """A line as GitLab shows it, as far as its rich text editor may save it otherwise: a
    table row's cells without their padding, a delimiter row's cells as their alignments,
    backslash escapes resolved, `_` emphasis as `*`, runs of spaces as one."""
    text = _plain(line)
    if text.startswith("|"):
        cells = (cell.strip() for cell in _CELL.split(text))
        text = "|".join(re.sub("-+", "-", c) if _DELIMITER.fullmatch(c) else c for c in cells)
    return " ".join(_ESCAPE.sub(r"\1", text).replace("_", "*").split())


def _mark(line: str, normal: bool = True) -> str:
    """A line's mark: of its normal form, or of its text as written."""
    shown = _normal(line) if normal else _plain(line)
    return hashlib.sha1(shown.encode("utf-8")).hexdigest()[:6]


def _written(text: str) -> list[str]:
    """The lines of a block's text that count: not blank, not a hidden comment of the tool."""
    return [line for line in text.splitlines() if line.strip() and not _hidden(line)]


# the tool's own hidden lines in a block, each whole: its record, a kept block's notice, the
# group a hire's workshop block names, a rollup's final and moved lines; a comment a person
# types there is theirs (a review: a hidden note typed there went with the next run; an
# attacker's: so did one that began as the tool's do, and the text between two comments)
_TOOLS = (
    re.compile(
        r"<!-- automation:(?:kept-lines(?: [0-9a-f]{6})*|group \S+"
        r"|(?:final|moved) \S+ \d{4}-\d{2}-\d{2}) -->"
    ),
    re.compile(r"<!-- Written by the program automation from its configuration, (?:(?!-->).)*-->"),
)


def _hidden(line: str) -> bool:
    return any(tool.fullmatch(line.strip()) for tool in _TOOLS)


def marks_line(body: str) -> str:
    """The record of BODY's lines, for the kept block the template writes."""
    lines = _written(body)
    shown = dict.fromkeys([*map(_mark, lines), *map(_mark, _paragraphs(body))])
    marks = [*(_mark(line, False) for line in lines), _SHOWN, *shown]
    return f"<!-- automation:kept-lines {' '.join(marks)} -->"


# a line that stands alone, never joined to the next by the rich text editor: a table row, a
# heading or a comment; a list item or a quote starts a paragraph of its own
_ALONE = re.compile(r"\s*(?:[|#<])")
_OPENS = re.compile(r"\s*(?:>|[-*+]\s|\d{1,9}[.)]\s)")


def _paragraphs(body: str) -> list[str]:
    """BODY's paragraphs written over several lines, each joined on one, as GitLab's rich text
    editor saves them (a review: a goal's paragraph so saved, then changed by configuration,
    was moved below the block as typed text)."""
    runs: list[list[str]] = [[]]
    for line in body.split("\n"):
        if not line.strip() or _hidden(line) or _ALONE.match(line):
            runs.append([])
        elif _OPENS.match(line):
            runs.append([line])
        else:
            runs[-1].append(line)
    return [" ".join(run) for run in runs if len(run) > 1]


def recording(text: str) -> str:
    """TEXT, a block's content, opened with the record of its lines: a line a person types in
    the block is moved below it when the tool rewrites it, not lost."""
    return f"{marks_line(text)}\n{text}"


def marked(text: str) -> bool:
    """Whether TEXT (a block's content) records the lines it was written with."""
    return _MARKS.search(text) is not None


def without_marks(text: str) -> str:
    """TEXT less its record and its first line (comparing a block with its rendering: one made
    before the record, or with another wording of that line, is not rewritten only for it)."""
    return _NOTICE_LINE.sub("", _MARKS_LINE.sub("", text))


def untyped(current: str) -> str:
    """CURRENT (a block's content) less the lines the tool did not write (its record has no
    mark of them): the block as the tool left it, for telling whether the tool has anything
    to rewrite. A line a person typed in it stays where they typed it (a row added to a
    table, which renders there) until the tool's own lines change. CURRENT itself when it has
    no record."""
    found = _MARKS.search(current)
    if found is None:
        return current
    wrote = _wrote(found)
    # blank lines aside too: one typed above a note is no reason to rewrite the block
    return "\n".join(
        line for line in current.split("\n") if line.strip() and (_hidden(line) or wrote(line))
    )


def _wrote(found: re.Match[str]) -> Callable[[str], bool]:
    """Whether the record FOUND marks a line, as its version marks lines."""
    marks = found["marks"].split()
    if _SHOWN in marks:  # each line's mark as written; then as shown, and its paragraphs'
        at = marks.index(_SHOWN)
        written, shown = set(marks[:at]), set(marks[at + 1 :])
        return lambda line: _mark(line, False) in written or _mark(line) in shown
    known = set(marks)
    return lambda line: _mark(line, False) in known


def same_lines(current: str, content: str) -> bool:
    """Whether a block's content CURRENT holds what the tool would write, CONTENT: the lines a
    person typed in it (`untyped`), blank lines, line ends, its record and notice aside, and
    mentions written inert read live (the writer makes a mention of someone GitLab does not
    know inert; the template's rendering has it live)."""
    return _lines(untyped(current)) == _lines(content)


def _lines(text: str) -> list[str]:
    plain = (live(line.rstrip()) for line in without_marks(text).split("\n") if line.strip())
    return [_FORMER.get(line, line) for line in plain]


# lines the shipped templates wrote before, read as their present wording: a block is not
# rewritten only for a better wording of its footer (every issue, on the upgrade), but the
# next rewrite for its figures writes it
_FORMER = {
    "<sub>Kept up to date by the program automation from the ticked tasks above. Anything typed "
    "between the automation markers is replaced on the next run; write notes outside them.</sub>": (
        "<sub>Kept up to date by the program automation from the ticked tasks above. Text typed "
        "between the automation markers is moved below them when the figures change; write notes "
        "outside them.</sub>"
    ),
}


def typed(current: str, content: str) -> list[str]:
    """The lines of a kept block (CURRENT) that the tool did not write (its record has no mark
    of them) and its rewrite (CONTENT) does not have: typed by a person. None when CURRENT has
    no record."""
    found = _MARKS.search(current)
    if found is None:
        return []
    wrote, now = _wrote(found), _shown(content)
    return [line for line in _written(current) if not wrote(line) and _normal(line) not in now]


def _shown(content: str) -> set[str]:
    """The lines of CONTENT as GitLab shows them, and its paragraphs each joined on one, as
    the rich text editor may save them: a line the rewrite has in any of these forms is not
    said typed (under a record written before marks as shown too)."""
    return {_normal(line) for line in [*content.split("\n"), *_paragraphs(content)]}
