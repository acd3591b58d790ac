"""What a write would newly give GitLab to act on (pure): quick-action lines and mentions that
the text as read held only inside code, a quote or HTML, and that the tool's edit sets free.

A person may open a fence (or a `>>>` quote, or an HTML block) inside one of the tool's blocks
and close it after lines of their own (`/close`, `@all`): GitLab runs nothing when they save.
Rewriting the block drops the opening line, and GitLab would run those lines on the tool's
write, as the tool's user. So the write is compared with the text it replaces: a line that
would run as a command, or a mention, that was not live before and is not the tool's own
new text, stops it (an attacker's trial)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from automation.mentions import mention_names

# a line GitLab's extractors may take for a command: a slash and a word at its start (any
# word, not just the commands this GitLab knows: a later version may know more)
_COMMAND = re.compile(r"[ \t]*/([A-Za-z_]+)")
# GitLab's line-based extractor (up to GitLab 16, still run by self-managed instances) skips
# a fenced block from a line starting ``` to a line ```, a `>>>` quote to a line `>>>`, and
# a block from a line `<tag>` to a line `</tag>`
_OPENERS = (
    (re.compile(r"```"), re.compile(r"```$")),
    (re.compile(r">>>"), re.compile(r">>>$")),
    (re.compile(r"<[^>/][^>]*>$"), re.compile(r"</[^>]+>$")),
)
_MARKDOWN = MarkdownIt("commonmark").enable("table")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def exposed(before: str, after: str, own: Iterable[str] = ()) -> str | None:
    """What AFTER would newly have GitLab act on, said for a message (`/close`, a mention of
    @all); None when nothing. OWN: the tool's new text in AFTER (tasks it adds), whose
    mentions were checked when it was made."""
    if _may_command(after):
        found = _commands(after) - _commands(before)
        if found:
            return f"run the quick action /{min(found)}"
    if "@" in after or "&" in after:
        allowed = Counter(name for text in own for name in _mentions(text))
        found = _mentions(after) - _mentions(before) - allowed
        if found:
            return f"mention @{min(found)}"
    return None


def _may_command(text: str) -> bool:
    return re.search(r"(?m)^[ \t]*/[A-Za-z_]", text) is not None


def _commands(text: str) -> Counter[str]:
    """The command words of the lines either of GitLab's extractors may run."""
    if not _may_command(text):
        return Counter()
    lines = text.replace("\r", "").split("\n")
    live = _line_based(lines) | _paragraphs(lines)
    words = (_COMMAND.match(lines[i]) for i in sorted(live))
    return Counter(match.group(1).lower() for match in words if match is not None)


def _line_based(lines: Sequence[str]) -> set[int]:
    """The lines the line-based extractor reads: all but its skipped blocks (closed ones)."""
    read: set[int] = set()
    at = 0
    while at < len(lines):
        closer = next((c for o, c in _OPENERS if o.match(lines[at])), None)
        end = _closing(lines, at, closer) if closer is not None else None
        if end is None:
            read.add(at)
            at += 1
        else:
            at = end + 1
    return read


def _closing(lines: Sequence[str], start: int, closer: re.Pattern[str]) -> int | None:
    return next((i for i in range(start + 1, len(lines)) if closer.match(lines[i])), None)


def _paragraphs(lines: Sequence[str]) -> set[int]:
    """The lines of top-level paragraphs, which the Markdown-based extractor reads (a `>>>`
    quote read as the quote it is)."""
    quoted: list[str] = []
    inside = False
    for line in lines:
        fence = re.fullmatch(r">>>\s*", line) is not None
        quoted.append(f"> {line}" if inside or fence else line)
        inside = inside != fence
    tokens = _MARKDOWN.parse("\n".join(quoted))
    return {
        line
        for token in tokens
        if token.type == "paragraph_open" and token.level == 0 and token.map
        for line in range(*token.map)
    }


def _mentions(text: str) -> Counter[str]:
    """The names mentioned where GitLab finds references: text outside code and comments
    (character references read as what they show)."""
    if "@" not in text and "&" not in text:
        return Counter()
    return Counter(
        name.lower() for part in _shown(_MARKDOWN.parse(text)) for name in mention_names(part)
    )


def _shown(tokens: Sequence[Token]) -> Iterable[str]:
    for token in tokens:
        if token.type == "inline":
            yield from (c.content for c in token.children or () if c.type == "text")
        elif token.type == "html_block":
            yield _TAG.sub(" ", _COMMENT.sub(" ", token.content))
