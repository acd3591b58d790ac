"""What a write would newly give GitLab to act on (pure): quick-action lines and mentions that
the text as read held only inside code, a quote or HTML, and that the tool's edit sets free.

A person may open a fence (or a `>>>` quote, an HTML block, or inline code with a lone
backtick) inside one of the tool's blocks and close it after lines of their own (`/close`,
`@all`): GitLab runs nothing when they save. Rewriting the block drops the opener, and GitLab
would run those lines on the tool's write, as the tool's user. So the write is compared with
the text it replaces: a line that would run as a command, or a mention of someone outside the
roster, that was not live before stops it (an attacker's trial)."""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from markdown_it.token import Token

from automation.actions import Failure, Plan, UpdateDescription, UpdateEpic
from automation.commonmark import blocks
from automation.mentions import mention_names, without_code
from automation.quickactions import QUICK_ACTION_NAMES

# a line GitLab's extractors may take for a command: a slash and a word at its start (any
# word, not just the commands this GitLab knows: a later version may know more)
_COMMAND = re.compile(r"[ \t]*/([A-Za-z_]+)")
# GitLab's line-based extractor (up to GitLab 16, still run by self-managed instances) reads
# the text from the start, skipping as it goes, in this order: a fence from a line starting
# ``` to a line ```; inline code from a backtick to the next but one character on, over any
# lines; an HTML block from a line `<tag>` (the tag may run over lines) to a line `</tag>`;
# a `>>>` quote to a line `>>>`; each with at least one character inside. Then a line that
# starts with a slash and a word is a command; for a word it knows (quickactions.py) its whole
# line is taken, and a backtick on it opens nothing. Where a closing line is missing, the
# opener hides nothing (a backtick: itself).
_FENCE_END = re.compile(r"\n```$", re.MULTILINE)
_QUOTE_END = re.compile(r"\n>>>$", re.MULTILINE)
_TAG_END = re.compile(r"\n</[^>]+>$", re.MULTILINE)
_LINE_COMMAND = re.compile(r"/([A-Za-z_]+)(?:[ ][^\n]*)?(?:[ \t\f\v\n]*\n|$)")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# a tag, to its first `>`; a `<` before it starts another (each scan ends there: hostile
# text of 200,000 `<` with no `>` took minutes, one scan to the end per `<`); GitLab reads
# no mention inside a tag, and a tag read shorter only leaves more text to read in both texts
_TAG = re.compile(r"<[^<>]*>")


def exposed(before: str, after: str, may_mention: Callable[[str], bool]) -> str | None:
    """What AFTER would newly have GitLab act on, said for a message (`/close`, a mention of
    @all); None when nothing. A new mention of someone MAY_MENTION allows (the roster's
    people: a template task the tool adds, or its own text a broken key line had hidden) is
    not one: the tool writes such mentions itself."""
    commands = _new_commands(before, after) if _may_command(after) else Counter()
    if commands:
        return f"run the quick action /{min(commands)}"
    new = _mentions(after) - _mentions(before) if "@" in after or "&" in after else Counter()
    refused = [name for name in new if "/" in name or not may_mention(name)]
    return f"mention @{min(refused)}" if refused else None


def refusal(where: str, found: str) -> str:
    """What a refused write says: the issue or epic (WHERE: `issue #12`, `epic &3`), what
    FOUND (`exposed`) it would have GitLab do, and what to do about it."""
    return (
        f"{where} is left as it is: the tool's edit would {found} from a person's text, "
        "which GitLab would run as the tool's user (a fence, `>>>` quote, HTML block, "
        "comment or backtick opened inside one of the tool's blocks or its first line, and "
        "closed after it, say); close it there, or move the text out of it"
    )


def refused_writes(plan: Plan, may_mention: Callable[[str], bool]) -> Plan:
    """PLAN with each issue or epic whose description write would set a person's text free
    (as read for this plan) failed, none of its writes left: `plan` shows what `apply` would
    refuse (which checks again on the text it reads just before writing)."""
    failures: dict[str, Failure] = {}
    for action in plan.actions:
        if not isinstance(action, UpdateDescription | UpdateEpic):
            continue
        found = exposed(action.before, action.after, may_mention)
        if found is not None:
            epic = isinstance(action, UpdateEpic)
            where = f"epic &{action.iid}" if epic else f"issue #{action.iid}"
            iid = None if epic else action.iid  # a failure's number is an issue's
            failures[action.key] = Failure(action.program, action.key, refusal(where, found), iid)
    if not failures:
        return plan
    kept = tuple(a for a in plan.actions if getattr(a, "key", None) not in failures)
    return replace(plan, actions=kept, failures=(*plan.failures, *failures.values()))


def _may_command(text: str) -> bool:
    return re.search(r"(?m)^[ \t]*/[A-Za-z_]", text) is not None


def _new_commands(before: str, after: str) -> Counter[str]:
    """The command words of the lines one of GitLab's extractors would run in AFTER and not in
    BEFORE: each extractor compared with itself, as a GitLab runs one or the other (GitLab.com
    the Markdown one only, which a line under an unclosed comment escaped while the line-based
    one read it)."""
    found: Counter[str] = Counter()
    for reader in (_line_based, _paragraphs):
        found |= _commands(reader, after) - _commands(reader, before)
    return found


@lru_cache(maxsize=256)
def _commands(reader: Callable[[Sequence[str]], set[int]], text: str) -> Counter[str]:
    """The command words READER finds in TEXT, read once for all the checks of a run (a
    text is checked in the plan and again just before its write, each time beside others:
    an attacker's 300 KB description was parsed a dozen times in one run). Not to change."""
    lines = _lines(text)
    return _words(lines, reader(lines))


def _lines(text: str) -> list[str]:
    return text.replace("\r", "").split("\n")


def _words(lines: Sequence[str], read: set[int]) -> Counter[str]:
    """The command words of the READ lines that start like a command."""
    found = (_COMMAND.match(lines[i]) for i in read)
    return Counter(match.group(1).lower() for match in found if match is not None)


def _line_based(lines: Sequence[str]) -> set[int]:
    """The lines the line-based extractor runs as commands (`_LINE_COMMAND`, any word): a
    backtick or tag far above can hide them, or, taken away, set them free (an attacker's
    trial: a lone backtick typed in one of the tool's blocks hid the person's `/close` below
    it, until the tool rewrote the block). GitLab takes a command's whole line only for a word
    it knows: an unknown word's line is read on, and a backtick on it opens inline code (a
    reviewer: `/x `` above a person's `/close` hid it from GitLab)."""
    text = "\n".join(lines)
    reader = _Reader(text)
    found: set[int] = set()
    at, line, counted = 0, 0, 0  # line: the number of the line COUNTED starts
    while at < len(text):
        start = at == 0 or text[at - 1] == "\n"
        skipped = reader.skipped(at, start)
        if skipped is not None:
            at = skipped
        elif start and (command := _LINE_COMMAND.match(text, at)) is not None:
            line, counted = line + text.count("\n", counted, at), at
            found.add(line)
            known = command.group(1).lower() in QUICK_ACTION_NAMES
            at = max(command.end(), at + 1) if known else reader.onward(at)
        else:
            at = reader.onward(at)
    return found


class _Reader:
    """Where the spans the line-based extractor skips end, for one text: each closing line
    looked for once, however many openers lack one (hostile text: 10,000 `<b>` lines)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ticks = [tick.start() for tick in re.finditer("`", text)]
        self.closers = [close.start() for close in re.finditer(">", text)]
        self.seen: dict[re.Pattern[str], tuple[int, re.Match[str] | None]] = {}

    def skipped(self, at: int, start: bool) -> int | None:
        """Where the span opened at AT ends (START: AT begins a line); None: none opens."""
        text = self.text
        if start and text.startswith("```", at) and (end := self._next(_FENCE_END, at + 4)):
            return end
        if text[at] == "`":
            return self._closing_tick(at)
        if start and (tag := self._tag_line(at)) is not None:
            return self._next(_TAG_END, tag + 1)
        if start and text.startswith(">>>", at):
            return self._next(_QUOTE_END, at + 4)
        return None

    def _tag_line(self, at: int) -> int | None:
        """Where the line `<tag>` that opens at AT ends (after its line break; the tag may run
        over lines, to its first `>`, with one character at least inside); None: it opens
        none. Each `>` is found once (hostile text of 150,000 `<` lines with no `>` took
        minutes, one scan to the end per line)."""
        text = self.text
        if not text.startswith("<", at) or text.startswith(">", at + 1):
            return None
        after = bisect.bisect_left(self.closers, at + 1)
        if after == len(self.closers):
            return None
        close = self.closers[after]
        return close + 2 if text.startswith("\n", close + 1) else None

    def _closing_tick(self, at: int) -> int | None:
        """Where inline code opened by the backtick at AT ends: the line breaks right after it
        are taken first, then at least one character, then the next backtick; with none
        after, one line break fewer, so a backtick right after the breaks closes it."""
        text = self.text
        inside = at + 1
        while text.startswith("\n", inside):
            inside += 1
        after = bisect.bisect_left(self.ticks, inside + 1)
        if after < len(self.ticks):
            return self.ticks[after] + 1
        if inside > at + 1 and text.startswith("`", inside):
            return inside + 1
        return None

    def onward(self, at: int) -> int:
        """The next place a span or a command may begin: a backtick, or a line's start."""
        line = self.text.find("\n", at) + 1 or len(self.text)
        tick = bisect.bisect_right(self.ticks, at)
        return min(line, self.ticks[tick]) if tick < len(self.ticks) else line

    def _next(self, closing: re.Pattern[str], at: int) -> int | None:
        """The end of the first CLOSING match from AT on (the last search's, if it holds)."""
        since, found = self.seen.get(closing, (len(self.text) + 1, None))
        if not (since <= at and (found is None or found.start() >= at)):
            found = closing.search(self.text, at)
            self.seen[closing] = (at, found)
        return found.end() if found is not None else None


def _paragraphs(lines: Sequence[str]) -> set[int]:
    """The lines of top-level paragraphs, which the Markdown-based extractor reads (a `>>>`
    quote read as the quote it is)."""
    quoted: list[str] = []
    inside = False
    for line in lines:
        fence = re.fullmatch(r">>>\s*", line) is not None
        quoted.append(f"> {line}" if inside or fence else line)
        inside = inside != fence
    tokens = blocks("\n".join(quoted))
    return {
        line
        for token in tokens
        if token.type == "paragraph_open" and token.level == 0 and token.map
        for line in range(*token.map)
    }


@lru_cache(maxsize=256)
def _mentions(text: str) -> Counter[str]:
    """The names mentioned where GitLab finds references: text outside code blocks, code
    spans and comments (character references read as what they show). Blocks only: inline
    parsing takes seconds on hostile text (`commonmark.py`), and the same reading of both
    texts is what the comparison needs. Read once a text, as `_commands`: not to change."""
    if "@" not in text and "&" not in text:
        return Counter()
    return Counter(
        name.lower() for part in _shown(blocks(text)) for name in mention_names(html.unescape(part))
    )


def _shown(tokens: Sequence[Token]) -> Iterable[str]:
    for token in tokens:
        if token.type == "inline":  # a tag binds before a code span
            yield without_code(_untagged(token.content), " ")
        elif token.type == "html_block":
            yield _untagged(token.content)


def _untagged(text: str) -> str:
    return _TAG.sub(" ", _COMMENT.sub(" ", text))
