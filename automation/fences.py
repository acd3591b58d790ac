"""Where GitLab's Markdown has fenced code and HTML comment blocks (pure): task lines count only
outside both, and the tool's markers only outside closed fences."""

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


def closed_code(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it is in a fenced code block that is closed: what a person
    quotes there (a marker, say) is their text. An unclosed fence counts for nothing here,
    or every block the tool appended after it would be quoted too, and appended again."""
    found, unclosed = _scan(lines)
    return [
        kind is Kind.CODE and (unclosed is None or i < unclosed) for i, kind in enumerate(found)
    ]


def _scan(lines: Sequence[str]) -> tuple[list[Kind], int | None]:
    """The kinds, and where a fence that is never closed opens (None: none)."""
    found: list[Kind] = []
    fence: str | None = None
    opened_at: int | None = None
    in_comment = False
    for i, raw in enumerate(lines):
        if fence is not None:
            if raw.strip().startswith(fence) and raw.strip().strip(fence[0]) == "":
                fence = None
            found.append(Kind.CODE)
        elif in_comment or (_COMMENT_OPEN in raw and _COMMENT_START.match(raw)):
            rest = raw if in_comment else raw.split(_COMMENT_OPEN, 1)[1]
            in_comment = _COMMENT_CLOSE not in rest
            found.append(Kind.COMMENT)
        elif ("```" in raw or "~~~" in raw) and (opened := _FENCE.match(raw)):
            fence, opened_at = opened.group("fence"), i
            found.append(Kind.CODE)
        else:
            found.append(Kind.TEXT)
    return found, opened_at if fence is not None else None
