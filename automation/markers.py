"""Identity markers and tool-owned blocks in issue text: the only text the tool rewrites (pure)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from automation.errors import ItemError
from automation.fences import Kind, closed_fences, has_fence_mark, kinds
from automation.mentions import without_code
from automation.taskline import TASK_LINE

KEY_PATTERN = r"[a-z0-9_.\-]+(?:/[a-z0-9_.\-]+)*"
_KEY_LINE = re.compile(rf"^<!-- automation:key=(?P<key>{KEY_PATTERN}) -->$")
# The key line with its ` -->` cut off, or part of it (an edit): GitLab then hides the text
# below it up to the next `-->`
_CUT_KEY_LINE = re.compile(rf"^<!-- automation:key=(?P<key>{KEY_PATTERN})[ \t]*-{{0,2}}$")
BLOCK_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_AROUND = " \t\r\ufeff"  # around a marker: spaces, and a byte-order mark pasted with it


def _bare(line: str) -> str:
    """A line as markers are compared: without surrounding spaces or a byte-order mark (an
    invisible character text copied from a file may bring along)."""
    return line.strip(_AROUND)


def identity_marker(key: str) -> str:
    """The hidden first line that ties an issue to its key."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise ValueError(f"invalid item key {key!r}")
    return f"<!-- automation:key={key} -->"


def find_key(description: str) -> str | None:
    """The key on the first line that is not blank, where the tool puts it; a key quoted
    further down (a bug report, a pasted description) is not one."""
    start = 0
    while True:  # line by line, not the whole text split (it stops at the first line)
        end = description.find("\n", start)
        line = _bare(description[start:] if end < 0 else description[start:end])
        if line:
            match = _KEY_LINE.match(line)
            return match.group("key") if match else None
        if end < 0:
            return None
        start = end + 1


def keys_in(description: str) -> frozenset[str]:
    """Every key a line of the text names as an identity line does, wherever it stands (a
    person who typed above the first line pushed it down)."""
    lines = (_KEY_LINE.match(_bare(line)) for line in description.split("\n"))
    return frozenset(match.group("key") for match in lines if match)


def restore_identity(text: str, key: str) -> str:
    """The text with the identity line put back on top; a copy of it elsewhere (for example
    pushed down when a person typed above it), or one with its end cut off, is removed,
    everything else is kept."""
    marker = identity_marker(key)
    kept = [line for line in text.split("\n") if not _names_key(_bare(line), marker, key)]
    first = next((i for i, line in enumerate(kept) if line.strip()), None)
    if first is not None:  # the first line only: a key a person quotes further down is theirs
        kept[first] = _beside_key(kept[first], marker)
    body = "\n".join(kept).lstrip("\n")
    return f"{marker}\n{body}"


def _beside_key(line: str, marker: str) -> str:
    """A line that starts with the key line and goes on with a person's text: that text (a
    tester's note typed after the hidden first line ended up below a fresh key line, the key
    then twice in the issue)."""
    bare = _bare(line)
    return bare.removeprefix(marker).lstrip() if bare.startswith(marker) else line


def _names_key(line: str, marker: str, key: str) -> bool:
    cut = _CUT_KEY_LINE.match(line)
    return line == marker or (cut is not None and cut.group("key") == key)


def cut_key_line(line: str) -> bool:
    """Whether the line is a key line with its ` -->` cut off (see restore_identity)."""
    return _CUT_KEY_LINE.match(_bare(line)) is not None


def drop_identity(text: str, keys: tuple[str, ...]) -> str:
    """The text without the identity lines of KEYS (former keys of a renamed item); every
    other line is kept."""
    markers = {identity_marker(key) for key in keys}
    return "\n".join(line for line in text.split("\n") if _bare(line) not in markers)


def begin_marker(name: str) -> str:
    """The line that opens the managed block NAME."""
    return f"<!-- automation:begin {name} -->"


def end_marker(name: str) -> str:
    """The line that closes the managed block NAME."""
    return f"<!-- automation:end {name} -->"


def empty_block(name: str) -> str:
    """An empty managed block, for a template to place where the tool should write."""
    if not BLOCK_NAME.match(name):
        raise ValueError(f"invalid block name {name!r}")
    return f"{begin_marker(name)}\n{end_marker(name)}"


@dataclass(frozen=True)
class _Span:
    start: int  # offset just after the begin marker's line break
    end: int  # offset of the end marker


def _marker_offsets(text: str, marker: str) -> list[int]:
    """Offsets of every line that consists of the marker (surrounding spaces allowed). The
    next one is looked for after the line of the last: a line holding the marker twice is
    not a marker line (and reading it once per copy took time growing with its square)."""
    offsets: list[int] = []
    found = text.find(marker)
    while found >= 0:
        start = text.rfind("\n", 0, found) + 1
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        if _bare(text[start:end]) == marker:
            offsets.append(start)
        found = text.find(marker, end)
    return offsets


_MARKER_START = "<!-- automation:"  # how each of the tool's markers begins


def placed_blocks(text: str, names: Sequence[str]) -> list[str]:
    """Those of NAMES with a begin or end marker line in TEXT (as `_marker_offsets` finds
    them), in their order: the others `block_content` finds absent. The markers' lines are
    found once, by their common start (looking for each name's two markers in turn was a
    tenth of a run's CPU)."""
    lines: set[str] = set()
    found = text.find(_MARKER_START)
    while found >= 0:
        end = text.find("\n", found)
        end = len(text) if end < 0 else end
        lines.add(_bare(text[text.rfind("\n", 0, found) + 1 : end]))
        found = text.find(_MARKER_START, end)
    return [name for name in names if begin_marker(name) in lines or end_marker(name) in lines]


def _line_end(text: str, offset: int) -> int:
    newline = text.find("\n", offset)
    return len(text) if newline < 0 else newline + 1


_ANY_MARKER = re.compile(r"^<!-- automation:(?P<side>begin|end) (?P<name>[a-z][a-z0-9-]*) -->$")


def damaged_blocks(text: str) -> list[str]:
    """The names of the tool's blocks in TEXT whose markers are damaged, in order: as
    `_locate` finds them, in one pass over the text (a tester: a name at a time took time
    growing with the text times the names, 25 s for a description of 33,000 pasted markers)."""
    quoted = _quoted_starts(text)
    markers: dict[str, tuple[list[int], list[int]]] = {}
    offset = 0
    for line in text.split("\n"):
        found = _ANY_MARKER.match(_bare(line)) if "automation:" in line else None
        if found and offset not in quoted:
            begins, ends = markers.setdefault(found["name"], ([], []))
            (begins if found["side"] == "begin" else ends).append(offset)
        offset += len(line) + 1
    return [
        name
        for name, (begins, ends) in markers.items()
        if not (len(begins) == 1 and len(ends) == 1 and begins[0] < ends[0])
        or _swallowed(text, _Span(_line_end(text, begins[0]), ends[0]), quoted)
    ]


def _quoted(text: str) -> list[bool]:
    """For each line, whether it is in a closed fenced code block that holds a whole tool
    block (its begin and end markers): a person's quote, their text, shown as code. A fence
    that holds a lone marker quotes nothing (a person's fence left open, closed by a fence
    in the tool's own content, such as the charts). All False quickly without fences."""
    lines = text.split("\n")
    flags = [False] * len(lines)
    if not has_fence_mark(text):
        return flags
    for first, last in closed_fences(lines):
        if _holds_a_block(lines[first : last + 1]):
            flags[first : last + 1] = [True] * (last + 1 - first)
    return flags


def _holds_a_block(lines: Sequence[str]) -> bool:
    """Whether LINES have a begin marker and, after it, the end marker of the same block."""
    opened: set[str] = set()
    for line in lines:
        marker = _ANY_MARKER.match(_bare(line)) if "automation:" in line else None
        if marker is None:
            continue
        if marker.group("side") == "begin":
            opened.add(marker.group("name"))
        elif marker.group("name") in opened:
            return True
    return False


@functools.lru_cache(maxsize=4)  # a description's blocks are located one after another
def _quoted_starts(text: str) -> frozenset[int]:
    """The offsets of the lines `_quoted` finds."""
    if not has_fence_mark(text):
        return frozenset()
    starts: set[int] = set()
    offset = 0
    for line, quoted in zip(text.split("\n"), _quoted(text), strict=True):
        if quoted:
            starts.add(offset)
        offset += len(line) + 1
    return frozenset(starts)


def _locate(text: str, name: str) -> _Span | None:
    """Where block NAME's content lies; None when neither marker exists; ItemError if damaged.
    Marker lines a person quoted in fenced code are not markers."""
    quoted = _quoted_starts(text)
    begins = [at for at in _marker_offsets(text, begin_marker(name)) if at not in quoted]
    ends = [at for at in _marker_offsets(text, end_marker(name)) if at not in quoted]
    if not begins and not ends:
        typed = _typed_beside(text, name, quoted)
        if typed:
            raise ItemError(_beside_message(name, typed))
        return None
    if not (len(begins) == 1 and len(ends) == 1 and begins[0] < ends[0]):
        raise ItemError(_damage_message(name, len(begins), len(ends)))
    span = _Span(_line_end(text, begins[0]), ends[0])
    held = _swallowed(text, span, quoted)
    if held:
        raise ItemError(_swallowing_message(name, held))
    return span


def _typed_beside(text: str, name: str, quoted: frozenset[int]) -> str:
    """A marker of block NAME on a line with a person's text beside it ("": none), where
    GitLab shows that line as text (not in code, fenced or indented, nor a comment): neither
    is a marker line, so the block read as missing, and a second one came, for good beside
    the first, which went stale (an attacker's trial)."""
    read: list[Kind] | None = None  # each line's kind, once one is needed
    for marker in (begin_marker(name), end_marker(name)):
        found = text.find(marker)
        while found >= 0:
            start = text.rfind("\n", 0, found) + 1
            end = text.find("\n", found)
            end = len(text) if end < 0 else end
            line = text[start:end]
            if start not in quoted and marker in without_code(line) and _indent(line) < 4:
                read = read if read is not None else kinds(text.split("\n"))
                if read[text.count("\n", 0, start)] is Kind.TEXT:
                    return marker
            found = text.find(marker, end)
    return ""


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


KEPT_PREFIX = "kept-"  # a template's `kept_block`s are named so; none of the tool's is


def _or_fresh(name: str, delete: str) -> str:
    """How a damaged block's message ends: DELETE (what to delete) so the tool appends the
    block afresh; but a template's kept block is never added again (a reviewer: following
    that advice lost a hire's table for good)."""
    if name.startswith(KEPT_PREFIX):
        return (
            "; do not delete the block: the tool does not add a kept block to an issue again, "
            "and its text would be gone (the description's history has its lines)"
        )
    return f", or delete {delete} so the tool appends a fresh block"


def _beside_message(name: str, marker: str) -> str:
    return (
        f"the managed block '{name}' is damaged: its marker `{marker}` has other text on its "
        "line; the issue was left untouched. Put each of its two markers on a line of its own "
        f"(the text on a line above or below){_or_fresh(name, 'both marker lines')}"
    )


def _swallowed(text: str, span: _Span, quoted: frozenset[int]) -> str:
    """What of a person's a block's content holds, which the tool never writes there (its
    begin marker moved up, or its end marker down, past it: a tester moved the progress table
    to the top, and the next write replaced the whole checklist); "" for none."""
    content = text[span.start : span.end]
    if "automation:" not in content and "]" not in content:
        return ""
    offset = span.start
    for line in content.split("\n"):
        held = "" if offset in quoted else _persons(line)
        if held:
            return held
        offset += len(line) + 1
    return ""


def _persons(line: str) -> str:
    """What a line of a block's content is when it is a person's: a task, the key line,
    another block's marker; "" for a line the tool may have written."""
    bare = _bare(line)
    if "]" in line and TASK_LINE.match(line):
        return "a task"
    if "automation:" not in line:
        return ""
    if _ANY_MARKER.match(bare):
        return "another block's marker"
    return "the key line" if _KEY_LINE.match(bare) else ""


def _refuse_persons(name: str, content: str) -> None:
    """The tool's own text for block NAME never holds what would make the block a person's
    (`_persons`): a team's block template that renders a task (a reviewer: every issue then
    failed as damaged on the next run) is said at the first write, which it stops."""
    held = next((what for line in content.split("\n") if (what := _persons(line))), "")
    if held:
        raise ItemError(
            f"the tool's text for the block '{name}' holds {held}, which its template writes: "
            "nothing was written to the issue. A tick there could not be kept, and the block "
            "would be taken for a person's text; take it out of the template that renders "
            f"the block (templates/blocks/{name}.md.j2, or the one the program file names for "
            "it): a task belongs in the issue's own template"
        )


def _swallowing_message(name: str, held: str) -> str:
    begin, end = begin_marker(name), end_marker(name)
    return (
        f"the managed block '{name}' is damaged: it holds {held}, which is not the tool's (typed "
        f"inside it, or its `{begin}` line moved up, or its `{end}` line down); the issue was left "
        "untouched, so as not to replace what a person wrote. Move what was typed out of the "
        f"block, below its `{end}` line or into the section it belongs to (a task counts in the "
        "section above it), or the two marker lines back around the block's own "
        f"text{_or_fresh(name, _WITH_TEXT)}"
    )


_WITH_TEXT = "both (and the tool's text between them)"


def _damage_message(name: str, begins: int, ends: int) -> str:
    begin, end = begin_marker(name), end_marker(name)
    if begins == 0:
        problem = f"its end marker `{end}` is there but the begin marker is missing"
    elif ends == 0:
        problem = f"its begin marker `{begin}` is there but the end marker is missing"
    elif begins > 1 or ends > 1:
        problem = f"the markers appear more than once ({begins} begin, {ends} end)"
    else:
        problem = "the end marker comes before the begin marker"
    return (
        f"the managed block '{name}' is damaged: {problem}; the issue was left untouched. "
        f"Restore exactly one `{begin}` line followed by one `{end}` line"
        f"{_or_fresh(name, 'both')}"
    )


def block_end(text: str, name: str) -> int:
    """Where block NAME ends: just after its end marker (ItemError when it has none, or it is
    damaged). A marker a person quoted in fenced code above it is not its end."""
    span = _locate(text, name)
    if span is None:
        raise ItemError(f"the block '{name}' is not in the text")
    return span.end + len(end_marker(name))


def block_content(text: str, name: str) -> str | None:
    """The current content of block NAME, or None when the text has no such block."""
    span = _locate(text, name)
    return None if span is None else text[span.start : span.end]


def sound_block(text: str, name: str) -> str | None:
    """Block NAME's content, or None when the text has no such block or it is damaged."""
    try:
        return block_content(text, name)
    except ItemError:
        return None


def replace_block(text: str, name: str, content: str) -> str:
    """Return text with block NAME's content replaced, or the block appended when absent.

    Every character outside the block is kept byte for byte; a damaged block raises ItemError.
    """
    body = content if content.endswith("\n") or not content else content + "\n"
    _refuse_persons(name, body)
    span = _locate(text, name)
    if span is None:
        return f"{text}{_separator(text)}{begin_marker(name)}\n{body}{end_marker(name)}\n"
    return text[: span.start] + body + text[span.end :]


def _separator(text: str) -> str:
    """What goes between existing text and an appended block: one blank line."""
    if not text or text.endswith("\n\n"):
        return ""
    return "\n" if text.endswith("\n") else "\n\n"


def outside_blocks(text: str) -> str:
    """The text with the content of every tool-owned block left out (markers kept). A begin
    marker with no end marker after it (a person deleted it) hides nothing: the block is
    damaged, and the lines after it are still the person's; nor does a block that holds a
    person's lines (`_swallowed`: the tool does not write it, and they still count)."""
    kept: list[str] = []
    held: list[str] = []  # the content of the block opened last, until its end marker
    persons = False  # whether it holds a person's line
    closing: str | None = None  # the end marker of the block opened last, until it
    for line, quoted in zip(text.split("\n"), _quoted(text), strict=True):
        if closing is None:
            kept.append(line)
            marker = None if quoted or "automation:" not in line else _ANY_MARKER.match(_bare(line))
            begins = marker is not None and marker.group("side") == "begin"
            closing = end_marker(marker.group("name")) if marker and begins else None
        elif not quoted and closing in line and _bare(line) == closing:
            kept.extend((*held, line) if persons else (line,))
            closing, held, persons = None, [], False
        else:
            held.append(line)
            persons = persons or (not quoted and bool(_persons(line)))
    return "\n".join(kept + held)


def normalise(text: str) -> str:
    """The form two descriptions are compared in: LF line ends, no trailing blanks."""
    return "\n".join(line.rstrip() for line in _lines(text)).rstrip("\n")


def _lines(text: str) -> list[str]:
    """TEXT's lines, at any line end (looked for only in text with a \r: replacing the
    \r\n of a text with none took as long as splitting it)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def same_text(one: str, other: str) -> bool:
    """Whether two descriptions or notes say the same, line ends and trailing blanks aside
    (equal texts are, without normalising either: the usual case, and a long one)."""
    return one == other or normalise(one) == normalise(other)


_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")


def open_with_block(text: str, name: str) -> str:
    """The text with an empty block NAME at its opening, after the identity line and the
    heading that follows it, when the text has no such block; otherwise unchanged (a
    damaged block raises ItemError, as replace_block would)."""
    if _locate(text, name) is not None:
        return text
    lines = text.split("\n")
    at = 0
    for wanted in (_KEY_LINE, _HEADING):
        ahead = next((i for i in range(at, len(lines)) if lines[i].strip(" \t\r")), None)
        if ahead is not None and wanted.match(lines[ahead].strip(" \t\r")):
            at = ahead + 1
    block = (
        ["", begin_marker(name), end_marker(name)] if at else [begin_marker(name), end_marker(name)]
    )
    if at < len(lines) and lines[at].strip(" \t\r"):
        block.append("")
    return "\n".join(lines[:at] + block + lines[at:])


def drop_damaged_block(text: str, name: str, header: str) -> str:
    """When block NAME is damaged or its markers are gone, the text without its marker lines
    and without the tool's hidden comments that open with HEADER: a hidden block the tool can
    write again from scratch. Every other line is kept (a person's quote of the block too);
    an intact block is left alone."""
    try:
        if _locate(text, name) is not None:
            return text
    except ItemError:
        pass
    markers = {begin_marker(name), end_marker(name)}
    return "\n".join(
        line
        for where, line in _hidden(text, header)
        if where == _QUOTED or (where == _OUTSIDE and _bare(line) not in markers)
    )


def hidden_lines(text: str, header: str) -> Iterator[tuple[bool, str]]:
    """Each line of TEXT, and whether it is inside one of the tool's hidden comments that
    open with a HEADER line and close with a `-->` line (those two lines are left out). A
    person's quote of a block in fenced code is never inside."""
    return ((where == _INSIDE, line) for where, line in _hidden(text, header))


_INSIDE, _OUTSIDE, _QUOTED = "inside", "outside", "quoted"


def _hidden(text: str, header: str) -> Iterator[tuple[str, str]]:
    """Each line but the hidden comments' first and last, and where it is."""
    inside = False
    for line, quoted in zip(text.split("\n"), _quoted(text), strict=True):
        bare = _bare(line)
        if quoted:
            yield _QUOTED, line
        elif bare == header:
            inside = True
        elif inside and bare == "-->":
            inside = False
        else:
            yield (_INSIDE if inside else _OUTSIDE), line
