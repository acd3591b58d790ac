"""Where GitLab's Markdown has fenced code and HTML comment blocks (pure): task lines count only
outside both, and a tool block a person quoted whole in a closed fence is their text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum

_FENCE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})")
_COMMENT_OPEN = "<!--"
_COMMENT_START = re.compile(r"^[ \t]{0,3}<!--")
_COMMENT_CLOSE = "-->"


class Kind(Enum):
    """What a line is, as GitLab reads it."""

    TEXT = "text"
    CODE = "code"  # in a fenced code block, its fence lines included
    COMMENT = "comment"  # in an HTML comment block: from a line starting `<!--` to `-->`


def kinds(lines: Sequence[str]) -> list[Kind]:
    """Each line's kind. A fence not closed runs to the end, as GitLab renders it."""
    return _scan(lines)[0]


def closed_fences(lines: Sequence[str]) -> list[tuple[int, int]]:
    """The fenced code blocks that are closed, as (opening line, closing line) indexes. One
    never closed is left out: it runs to the end as GitLab renders it, but counting it would
    hide every block the tool appended after it, which would be appended again each run."""
    return _scan(lines)[1]


def _scan(lines: Sequence[str]) -> tuple[list[Kind], list[tuple[int, int]]]:
    """The kinds, and the closed fences."""
    found: list[Kind] = []
    closed: list[tuple[int, int]] = []
    fence: str | None = None
    opened_at = 0
    in_comment = False
    for i, raw in enumerate(lines):
        if fence is not None:
            if _closes(raw, fence):
                fence = None
                closed.append((opened_at, i))
            found.append(Kind.CODE)
        elif in_comment or (_COMMENT_OPEN in raw and _COMMENT_START.match(raw)):
            rest = raw if in_comment else raw.split(_COMMENT_OPEN, 1)[1]
            in_comment = _COMMENT_CLOSE not in rest
            found.append(Kind.COMMENT)
        elif (opened := _opening(raw)) is not None:
            fence, opened_at = opened, i
            found.append(Kind.CODE)
        else:
            found.append(Kind.TEXT)
    return found, closed


def _closes(raw: str, fence: str) -> bool:
    """Whether a line closes FENCE: at least as long a run of its character, indented at most
    three spaces (four is code inside the block), and nothing else."""
    line = raw.rstrip(" \t\r")  # a line end GitLab reads (\r\n) is no part of the fence
    bare = line.lstrip(" ")
    return len(line) - len(bare) <= 3 and bare.startswith(fence) and not bare.strip(fence[0])


def has_fence_mark(text: str) -> bool:
    """Whether TEXT holds three backticks or three tildes in a row. The character is looked
    for first: a search for the three takes 50 times longer on a description without it."""
    return ("`" in text and "```" in text) or ("~" in text and "~~~" in text)


def _opening(raw: str) -> str | None:
    """The fence a line opens, if it opens one: three or more backticks or tildes, indented
    at most three spaces; after backticks, no backtick (```` ```x``` ```` is inline code)."""
    if not has_fence_mark(raw):
        return None
    opened = _FENCE.match(raw)
    if opened is None:
        return None
    fence = opened.group("fence")
    if fence[0] == "`" and "`" in raw[opened.end() :]:
        return None
    return fence
