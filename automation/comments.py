"""The tool's hidden comments as it writes them, from the form GitLab's rich text editor saves
them in (pure).

A description saved in the rich text editor has every HTML comment written back with the
spaces inside it trimmed, and a comment over several lines closed on its last line:
`<!-- automation:key=x -->` comes back as `<!--automation:key=x-->`, and a hidden record's
closing `-->` line is joined to the line above it (GitLab's content editor: the comment node
trims its text, and its serializer writes `<!--`, the text, `-->`). Every other line is left
as it is. Lines are read with string methods, not patterns: a line of many spaces takes time
growing with its length only."""

from __future__ import annotations

from automation.fences import closed_fences

# what the tool's one-line comments open with (its markers, an ended account plan's
# `commitment end` line, and a kept block's first line: rendering.KEPT_NOTICE), and its hidden
# records' first lines: a first line, lines, and `-->` on a line of its own (history.HEADER,
# index.HEADER, migration's record, a ledger shard's: rowledger.py). A test keeps these in
# step with every comment the tool writes.
MARKERS = ("automation:", "commitment end ", "Written by the program ")
RECORDS = (
    "automation:history-data",
    "Which issue holds which key",
    "The template tasks this issue",
    "Rows of the program's issues",
)
_CUT_KEY = "automation:key="  # a key line cut short is no record (see markers.py)


def spaced(text: str) -> str:
    """TEXT with the tool's comments as the tool writes them (see the module's docstring). A
    line's `\r` (a Windows line end, which the local backend's files may have) is kept at its
    end, and read past (a reviewer's finding)."""
    if "<!--" not in text or not _unspaced(text):
        return text  # the usual case: written by the tool, or by a person in Markdown
    lines = [_ended(line) for line in text.split("\n")]
    written = _written([line for line, _ in lines])
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(lines):
        line, eol = lines[at]
        one = _one_line(line)
        opening = None if one is not None else _record_opening(line)
        if _stale(one, opening, written):  # see `_stale`
            out.append((line, eol))
        elif one is not None and one[1].startswith(RECORDS):  # a record with no lines
            out += [(f"{one[0]}<!-- {one[1]}", eol), ("-->", eol)]
        elif one is not None:
            out.append((f"{one[0]}<!-- {one[1]} -->", eol))
        elif opening is not None:
            at = _record(lines, at, opening, out)
        else:
            out.append((line, eol))
        at += 1
    return "\n".join(line + eol for line, eol in out)


def _written(lines: list[str]) -> set[str]:
    """The lines outside fenced code, bare: where a comment as the tool writes it is the
    tool's (one a person quoted in a fence is their text: a reviewer saw a quote make the
    real, trimmed comments stale)."""
    quoted = {at for first, last in closed_fences(lines) for at in range(first, last + 1)}
    return {line.strip(" \t") for at, line in enumerate(lines) if at not in quoted}


def _stale(one: tuple[str, str] | None, opening: tuple[str, str] | None, written: set[str]) -> bool:
    """Whether a comment saved trimmed is a stale copy, left as it is: the text also has it
    as the tool writes it. An earlier version did not know the trimmed form, so it put back
    the key line and appended its blocks anew beside the trimmed ones, which would now make
    two of each (a tester upgrading saw such issues fail every run)."""
    if one is not None:
        return f"<!-- {one[1]} -->" in written or f"<!-- {one[1]}" in written
    return opening is not None and f"<!-- {opening[1]}" in written


def _ended(line: str) -> tuple[str, str]:
    """A line without its `\r`, and the `\r` (or nothing)."""
    return (line[:-1], "\r") if line.endswith("\r") else (line, "")


def _unspaced(text: str) -> bool:
    """Whether some comment of TEXT does not open with `<!-- ` and a word, or does not close
    with one space (or a line of its own) before `-->`."""
    at = text.find("<!--")
    while at >= 0:
        after = text[at + 4 : at + 6]
        if len(after) < 2 or after[0] != " " or after[1] in " \t\n":
            return True
        at = text.find("<!--", at + 4)
    at = text.find("-->")
    while at >= 0:
        before = text[max(at - 2, 0) : at]
        last = before[-1:]
        if last not in ("", " ", "\n") or (last == " " and before[:1] in (" ", "\t")):
            return True
        at = text.find("-->", at + 3)
    return False


def _inside(line: str) -> tuple[str, str] | None:
    """(its indent, the text after `<!--`) of a line that opens a comment of the tool's."""
    body = line.lstrip(" \t")
    if not body.startswith("<!--"):
        return None
    rest = body[4:].lstrip(" \t")
    if not rest.startswith(MARKERS) and not rest.startswith(RECORDS):
        return None
    return line[: len(line) - len(body)], rest


def _one_line(line: str) -> tuple[str, str] | None:
    """(indent, text) of a whole comment of the tool's on one line."""
    found = _inside(line)
    if found is None:
        return None
    lead, rest = found
    rest = rest.rstrip(" \t")
    if not rest.endswith("-->") or "-->" in rest[:-3]:
        return None
    return lead, rest[:-3].rstrip(" \t")


def _record_opening(line: str) -> tuple[str, str] | None:
    """(indent, text) of the first line of a record, not closed on that line."""
    found = _inside(line)
    if found is None or "-->" in found[1] or found[1].startswith(_CUT_KEY):
        return None
    return found[0], found[1].rstrip(" \t")


def _record(
    lines: list[tuple[str, str]], at: int, opening: tuple[str, str], out: list[tuple[str, str]]
) -> int:
    """A hidden record opened on line AT: its first line spaced, its lines as they are, and
    its closing `-->` on a line of its own. Returns the index of its last line."""
    out.append((f"{opening[0]}<!-- {opening[1]}", lines[at][1]))
    for end in range(at + 1, len(lines)):
        line, eol = lines[end]
        close = line.find("-->")
        if close < 0:
            out.append((line, eol))
            continue
        head, tail = line[:close], line[close + 3 :]
        if "<!--" in head or tail.strip(" \t"):
            return end - 1  # another comment, or text after the close: not a record's end
        if head.strip(" \t"):
            out.append((head.rstrip(" \t"), eol))
        out.append(("-->", eol))
        return end
    return len(lines) - 1
