"""Mentions reach people only: before text is written, every `@name` in it that the tracker
cannot confirm as a user (a group's path, a typo, `@all`) loses its power to notify (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

ZERO_WIDTH_SPACE = "\u200b"  # after `@`, keeps the text readable and mentions no one

# what GitLab renders as a user or group reference: `@` not preceded by an ASCII letter, digit
# or underscore (Ruby's `\w`: after `é` it is live), outside code spans, then a path whose
# parts start with a letter, digit, `_` or `.` and end with one, `_` or `-` (`@priya-`)
_PART = r"(?:[A-Za-z0-9_.][A-Za-z0-9_.\-]*[A-Za-z0-9_\-]|[A-Za-z0-9_])"
# (the `@` first, then the look back at what precedes it: a pattern that starts with the look
# back tries it at every character of the text, twenty times slower on a long description)
_MENTION = re.compile(rf"@(?<![A-Za-z0-9_]@)({_PART}(?:/{_PART})*)")
USERNAME_PATTERN = rf"^{_PART}$"  # a GitLab username: one part of such a path
_BACKTICKS = re.compile(r"`+")
# `@` written as a character reference: Markdown shows it as `@`, and GitLab finds references
# in the text it shows, so `&#64;all` mentions everyone
_AT_REFERENCE = re.compile(r"&(?=(?:#0*64|#[xX]0*40|commat);)")
# what may open inline HTML (a tag, a comment...), which CommonMark reads before a code span:
# in text with any, every mention is checked, code spans or not (a backtick in a tag's
# attribute, even one spread over lines, opens no code span for GitLab)
_TAG_START = re.compile(r"<[A-Za-z/!?]")


def without_at_references(text: str) -> str:
    """TEXT with each `@` written as a character reference shown as typed instead (`&` as
    `&amp;`): it mentions no one."""
    return _AT_REFERENCE.sub("&amp;", text)


def among(roster: Collection[str] | None, is_user: Callable[[str], bool]) -> Callable[[str], bool]:
    """Who text may mention: a GitLab user (IS_USER) among ROSTER's usernames (lowercased;
    None: any user)."""
    return lambda name: (roster is None or name.lower() in roster) and is_user(name)


def people_only(text: str, is_user: Callable[[str], bool]) -> tuple[str, frozenset[str]]:
    """TEXT with each mention of a non-user made inert, and the names that were."""
    refused: set[str] = set()

    def check(match: re.Match[str]) -> str:
        name = match.group(1)
        if "/" not in name and is_user(name):
            return match.group(0)
        refused.add(name)
        return "@" + ZERO_WIDTH_SPACE + name

    def inert(part: str) -> str:
        return _MENTION.sub(check, without_at_references(part))

    if _TAG_START.search(text):  # a tag binds before a code span: `<b title="`">` opens none
        return inert(text), frozenset(refused)
    return _outside_code(text, inert), frozenset(refused)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Where TEXT's code spans are, as (start, end) offsets: where two readings agree, one line
    by line and one as CommonMark pairs backticks over the lines of a paragraph (an
    attacker's trial: a span over two lines, read line by line, hid a live `@all` after it).
    What either reading shows as text is text, so its mentions are checked."""
    return _both(_spans(text, _LINE_BREAK), _spans(text, _BLANK_LINE))


_LINE_BREAK = re.compile(r"\n")
_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")  # a paragraph ends at a blank line


def _spans(text: str, breaks: re.Pattern[str]) -> list[tuple[int, int]]:
    """The code spans of each part of TEXT between BREAKS: a run of backticks not escaped by
    a backslash, up to the next run of exactly as many in its part; a run with no such
    partner is literal backticks and opens nothing. In one pass (a pattern looking ahead for
    the partner took time growing faster than the line)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*breaks.finditer(text), None]:
        end = cut.start() if cut else len(text)
        runs = list(_BACKTICKS.finditer(text, start, end))
        partner: list[int | None] = [None] * len(runs)
        last: dict[int, int] = {}
        for i in range(len(runs) - 1, -1, -1):
            size = len(runs[i].group())
            partner[i], last[size] = last.get(size), i
        i = 0
        while i < len(runs):
            j, opens = partner[i], runs[i].start()
            if j is None or (opens > start and text[opens - 1] == "\\"):
                i += 1
                continue
            spans.append((opens, runs[j].end()))
            i = j + 1
        start = cut.end() if cut else end
    return spans


def _both(one: list[tuple[int, int]], other: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches in a span of ONE and a span of OTHER (each sorted, none overlapping)."""
    found: list[tuple[int, int]] = []
    i = j = 0
    while i < len(one) and j < len(other):
        low, high = max(one[i][0], other[j][0]), min(one[i][1], other[j][1])
        if low < high:
            found.append((low, high))
        if one[i][1] < other[j][1]:
            i += 1
        else:
            j += 1
    return found


def without_code(text: str, instead: str = "") -> str:
    """TEXT with each code span replaced by INSTEAD."""
    return _outside_code(text, lambda part: part, instead)


def _outside_code(text: str, change: Callable[[str], str], code: str | None = None) -> str:
    """TEXT with CHANGE made to each part outside its code spans (and each span replaced by
    CODE, when given)."""
    pieces: list[str] = []
    done = 0
    for start, end in code_spans(text):
        pieces += [change(text[done:start]), text[start:end] if code is None else code]
        done = end
    pieces.append(change(text[done:]))
    return "".join(pieces)


def named(text: str) -> frozenset[str]:
    """The names TEXT mentions (outside code), lowercased (GitLab's usernames are
    case-insensitive)."""
    plain = without_code(text, " ")
    return frozenset(name.lower() for name in _MENTION.findall(plain))


def mention_names(text: str) -> list[str]:
    """The names TEXT mentions, code spans or not (text already without code)."""
    return _MENTION.findall(text)


def unnamed(text: str) -> str:
    """TEXT without its mentions, spaces collapsed: a task as it reads whoever it names."""
    return " ".join(_outside_code(text, lambda part: _MENTION.sub("", part)).split())


def refused_warning(name: str) -> str:
    """What to do about a mention that was not made."""
    return (
        f"'{name}' is not a GitLab user (a group, or no such user), so it was written without "
        "a live mention and nobody was notified; fix the username in people.yml, or the "
        "mention where a template writes it"
    )
