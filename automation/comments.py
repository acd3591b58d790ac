"""The tool's hidden comments as it writes them, from the form GitLab's rich text editor saves
them in (pure).

A description saved in the rich text editor has every HTML comment written back with the
spaces inside it trimmed, and a comment over several lines closed on its last line:
`<!-- automation:key=x -->` comes back as `<!--automation:key=x-->`, and a hidden record's
closing `-->` line is joined to the line above it (GitLab's content editor: the comment node
trims its text, and its serializer writes `<!--`, the text, `-->`). Every other line is left
as it is."""

from __future__ import annotations

import re

# what the tool's hidden records open with: a first line, lines, and `-->` on a line of its own
# (history.HEADER, index.HEADER, migration's record; a test keeps this list in step)
RECORDS = (
    "automation:history-data",
    "Which issue holds which key",
    "The template tasks this issue",
)
_OPENINGS = "|".join(re.escape(opening) for opening in ("automation:", *RECORDS))
_RECORD = re.compile("|".join(re.escape(opening) for opening in RECORDS))
# an opening or closing that is not as the tool writes it: no space, or more than one
_UNSPACED = re.compile(r"<!--(?! [^ \t\n])|(?<=[^ \t\n])-->|[^\n][ \t]{2,}-->")
_TEXT = r"(?:(?!-->).)*?"  # a comment's text, up to its first close
_ONE_LINE = re.compile(
    rf"^(?P<lead>[ \t]*)<!--[ \t]*(?P<text>(?:{_OPENINGS}){_TEXT})[ \t]*-->[ \t]*$"
)
# a record's first line (a key line cut short is not one: see markers.py)
_OPENS = re.compile(
    rf"^(?P<lead>[ \t]*)<!--[ \t]*(?P<text>(?!automation:key=)(?:{_OPENINGS}){_TEXT})[ \t]*$"
)
_CLOSES = re.compile(r"^(?P<text>(?:(?!<!--).)*?)[ \t]*-->[ \t]*$")


def spaced(text: str) -> str:
    """TEXT with the tool's comments as the tool writes them (see the module's docstring)."""
    if "<!--" not in text or not _UNSPACED.search(text):
        return text  # the usual case: written by the tool, or by a person in Markdown
    lines = text.split("\n")
    out: list[str] = []
    at = 0
    while at < len(lines):
        line = lines[at]
        one = _ONE_LINE.match(line)
        opens = None if one else _OPENS.match(line)
        if one and _RECORD.match(one["text"]):  # a record with no lines
            out += [f"{one['lead']}<!-- {one['text']}", "-->"]
        elif one:
            out.append(f"{one['lead']}<!-- {one['text']} -->")
        elif opens:
            at = _record(lines, at, opens, out)
        else:
            out.append(line)
        at += 1
    return "\n".join(out)


def _record(lines: list[str], at: int, opens: re.Match[str], out: list[str]) -> int:
    """A hidden record opened on line AT: its first line spaced, its lines as they are, and
    its closing `-->` on a line of its own. Returns the index of its last line."""
    out.append(f"{opens['lead']}<!-- {opens['text']}")
    for end in range(at + 1, len(lines)):
        closing = _CLOSES.match(lines[end])
        if closing is None:
            if "-->" in lines[end]:  # another comment before any close: not a record
                return end - 1
            out.append(lines[end])
            continue
        if closing["text"].strip(" \t"):
            out.append(closing["text"])
        out.append("-->")
        return end
    return len(lines) - 1
