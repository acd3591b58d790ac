"""The one Jinja environment: sandboxed, strict, and unable to emit quick actions or mentions."""

from __future__ import annotations

import decimal
import difflib
import html
import math
import re
import time
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import jinja2
import jinja2.meta
from jinja2 import nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup
from pydantic import BaseModel

from automation.checklist import read_lines
from automation.config.models import RESERVED_USERNAMES, Frozen, Person
from automation.config.source import in_other_case, not_utf8
from automation.errors import ConfigError, Problem
from automation.items import DESCRIPTION_LIMIT
from automation.keptlines import marks_line
from automation.markers import BLOCK_NAME, KEPT_PREFIX, begin_marker, empty_block, end_marker
from automation.mentions import (
    ZERO_WIDTH_SPACE,
    people_only,
    without_at_references,
    without_code,
)
from automation.textsize import (
    joined_size,
    lines_size,
    method_size,
    replaced_size,
    text_size,
    wrapped_size,
)

_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Bidirectional overrides and isolates (they reorder what a reader sees) and zero-width
# characters (they hide text, or split `@all` so a check misses it): never part of a value.
# The joiners U+200C and U+200D stay: Persian and Indic names and emoji are written with them,
# and an `@` gets the tool's zero-width space after it whatever follows.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060\ufeff]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Inline Markdown that changes what a value shows or swallows the text after it: code spans
# and fences, emphasis and strikethrough, links, images and task boxes, table cells, math.
_INLINE = re.compile(r"[\\`*_~\[\]|$]")
_HTML = re.compile(r"&(?=[#\w])|[<>]")  # an & that could start an entity or an epic (&12)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation
# What starts a block at the beginning of a line: an ATX heading, a list item, a thematic
# break or setext underline (`-`, `+`, `=`), and an ordered list item (`1.` / `1)`); `>`, `*`,
# `_`, backticks, `~`, `[` and `<` are escaped wherever they are.
_BLOCK_START = re.compile(r"^[ \t]*(?:#{1,6}(?=[ \t]|$)|[-+=](?=[\s\-+=]|$))")
_ORDERED_START = re.compile(r"^([ \t]*\d{1,9})(?=[.)](?:[ \t]|$))")
MAX_TITLE = 255
# Text that neither Markdown, HTML, a quick action nor a mention would act on, wherever it
# stands on a line: a letter first, then letters, digits, spaces and harmless punctuation.
# Or a number or a date. (One character class after the letter: a pattern with nested
# repetition took time exponential in a run of spaces before a character it refuses.)
_PLAIN = re.compile(r"[A-Za-z][0-9A-Za-z ,.:;'()?=+/-]*|-?\d+(?:[-:.]\d+)*")
# What starts a GitLab reference, in a title: an issue (`#12`, `group/project#12`), a merge
# request (`!3`), an epic (`&5`) and a snippet (`$7`) by number, a milestone (`%v1`, `%"Q3"`)
# and a label (`~x`) by name too. A zero-width space after it leaves the text as typed and
# refers to nothing, as after an `@`. In a description `~` and `$` are escaped as Markdown.
_TITLE_REFERENCE = re.compile(r"[#!&$](?=\d)|[%~](?=[\w\"])")
_REFERENCE = re.compile(r"[#!&](?=\d)|%(?=[\w\"])")
_OWN_REFERENCE = re.compile(r"#\d+")
_ADDRESS = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)


class Trusted(Markup):
    """Text the tool itself vouches for (a validated mention, a block marker); only this
    passes the environment unchanged, not Jinja's `safe` or `escape` results. What a
    template joins to it (`+`, `~`, `join`, `format`, `replace`...) is made inert as any
    value is: it is not vouched for by being joined."""

    @classmethod
    def escape(cls, s: Any) -> Trusted:
        return s if isinstance(s, Trusted) else cls(inert(s))


def visible(text: str) -> str:
    """TEXT without the characters that reorder what a reader sees or hide themselves (bidi
    controls, zero-width characters)."""
    return _INVISIBLE.sub("", text)


def _one_line(value: Any) -> str:
    if value is None:
        return ""
    return visible(_CONTROL.sub("", _LINE_BREAKS.sub(" ", str(value))))


def escape_markdown(text: str) -> str:
    """Text that GitLab Flavored Markdown shows as typed, wherever on a line it stands:
    `<`, `>` and `&` as entities, inline Markdown behind a backslash, and no block start."""
    text = _INLINE.sub(lambda m: "\\" + m.group(), text)
    text = _HTML.sub(lambda m: _ENTITIES[m.group()], text)
    if opened := _BLOCK_START.match(text):
        marker = opened.group().lstrip(" \t")
        text = text[: opened.end() - len(marker)] + "\\" + text[opened.end() - len(marker) :]
    elif numbered := _ORDERED_START.match(text):
        text = text[: numbered.end()] + "\\" + text[numbered.end() :]
    body = text.lstrip()
    if body.startswith("/"):  # a line starting with `/` would run a GitLab quick action
        text = text[: len(text) - len(body)] + "\\" + body
    return text


def as_shown(text: str) -> str:
    """What GitLab shows for one line of Markdown source text: backslash escapes and HTML
    entities resolved, and no invisible characters (undoes `neutralise` for text the tool
    reads back, such as the label of a recorded value)."""
    shown = html.unescape(_ESCAPED.sub(r"\1", text))
    return _INVISIBLE.sub("", shown.replace("@" + ZERO_WIDTH_SPACE, "@"))


def neutralise(value: Any) -> str:
    """Make a value from configuration data inert: one line, shown as typed (no Markdown or
    HTML takes effect), no quick action, no mention, no reference to an issue or the like."""
    if isinstance(value, Trusted):
        return str(value)
    text = str(value) if isinstance(value, str | int) else _one_line(value)
    if _PLAIN.fullmatch(text):
        return text  # most values: nothing in them that `inert` would change
    return inert(value)


def inert(value: Any) -> str:
    """What `neutralise` makes of any value that is not Trusted, every step taken."""
    return _no_mention(escape_markdown(_no_reference(_one_line(value))))


def _no_mention(text: str) -> str:
    return text.replace("@", "@" + ZERO_WIDTH_SPACE)  # `@name` would notify name


def own_reference(reference: str) -> Trusted:
    """A reference the tool writes to an issue it holds (`#12`): live, unlike a value's."""
    if not _OWN_REFERENCE.fullmatch(reference):
        raise ValueError(f"not a reference to an issue: {reference!r}")
    return Trusted(reference)


def _no_reference(text: str, starts: re.Pattern[str] = _REFERENCE) -> str:
    """`#12` would link issue 12, and note on it that this issue mentioned it. A web address
    is left whole (GitLab reads no reference in it, and `%20` or `#part` in it must stay)."""
    parts, at = [], 0
    for address in _ADDRESS.finditer(text):
        parts += [starts.sub(_spaced, text[at : address.start()]), address.group()]
        at = address.end()
    return "".join([*parts, starts.sub(_spaced, text[at:])])


def _spaced(found: re.Match[str]) -> str:
    return found.group() + ZERO_WIDTH_SPACE


_NOT_A_WORD = re.compile(r"[^\w\s,.:'()-]+")


def words_of(text: str) -> str:
    """A title a person wrote, as a rollup lists it (a departed person's issue, which
    configuration no longer names): its words and plain punctuation only. `#3`, `!5`, `%v1`,
    `group/project#1` and `https://…` would otherwise be references and links the tool's user
    wrote into the tracking issue."""
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


_BLANK_TITLE = (
    "renders as nothing for an item (the names it shows are empty, or made only of characters "
    "the tool removes, such as zero-width spaces); GitLab refuses an issue without a title: "
    "give the title words of its own, or fix the name"
)


def cut_title(title: str) -> str:
    """A title within GitLab's limit of MAX_TITLE characters: cut, and ending in `…`."""
    return title[: MAX_TITLE - 1] + "…" if len(title) > MAX_TITLE else title


def neutralise_title(value: Any) -> str:
    """Titles run no quick actions and render no Markdown: one line, nothing invisible, and
    no mention (`@`, or `&#64;` that shows one: an epic's title mentioned everyone, an
    attacker's trial) or reference."""
    if isinstance(value, Trusted):
        return str(value)
    return _no_mention(without_at_references(_no_reference(_one_line(value), _TITLE_REFERENCE)))


class MentionRefused(ValueError):
    """A template asked to mention something that is not a validated roster username."""


# per issue, in processor time (a busy machine's waits are not the template's): the data is
# small, so a longer render is a runaway loop
MAX_RENDER_SECONDS = 2.0
MAX_RENDER_CHARS = DESCRIPTION_LIMIT  # per issue
_LOOP_GUARD = "_bounded_loop"
_SIZE_GUARD = "_bounded_text"  # what is printed or made text: strings, and lists measured
_MADE_GUARD = "_made_text"  # a step's result: its text counted (a list is measured if printed)
# the filters that make text of what they are given: their input is counted first (a list of
# long strings is refused before it is made text); other filters' input is not scanned, so
# `rows | length` in a loop over rows stays linear
_MAKING_TEXT = frozenset(
    [
        "string",
        "tojson",
        "pprint",
        "join",
        "format",
        "e",
        "escape",
        "forceescape",
        "urlize",
        "xmlattr",
        "title",
        "upper",
        "lower",
        "capitalize",
        "trim",
        "striptags",
        "truncate",
        "wordcount",
        "replace",
        "indent",
        "wordwrap",
        "center",
        "urlencode",
        "safe",
        "mention",
        "decimals",
        "amount",
    ]
)
# the text one render's steps may make in all, as a multiple of what an issue holds: a loop
# that builds text step by step, each step under the bound, still stops long before the
# machine's memory runs out (the shipped rollups make a few times their own size)
MADE_TIMES = 128
MAX_INDENT = 16  # a JSON indent (`tojson(16)`): past it, text made per line would multiply
MAX_URL_EXTRAS = 200  # characters of `urlize`'s target and rel, put in every link
REFUSED = 2**62  # a size past any bound: the step is refused
_QUICK_ACTION_START = re.compile(r"^[ \t]*(/[A-Za-z_][\w-]*)")
_SLASH_ONLY = re.compile(r"^[ \t]*/$")
_HUGE_FORMAT = re.compile(r"%[-#0 +]*(?:\*|\d{7,}|\d*\.(?:\*|\d{7,}))")
_HUGE_BRACES = re.compile(r"\{[^{}]*[:!][^{}]*\d{7,}")  # a width or precision of millions
_SAFE_ATTRIBUTES: dict[tuple[type, Any, str], bool] = {}  # the sandbox's answers, by type and name
MAX_REMEMBERED = 10_000


class TemplateRefused(jinja2.TemplateError):
    """A template name that leads outside templates/ (`..`, or a link to a file elsewhere)."""


class TemplateRejected(jinja2.TemplateError):
    """Template source lines that would turn a value into a quick action or a mention."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class RenderLimit(RuntimeError):
    """A render that ran too long or produced too much text."""


class _Loader(jinja2.FileSystemLoader):
    """Loads only files that really are inside templates/, and checks their source lines."""

    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = template.replace("\\", "/").split("/")
        if not template.strip():
            raise TemplateRefused(
                f"the template's name is empty; name a template file in {self.root}"
            )
        if template.startswith(("/", "\\")) or ".." in parts:
            raise TemplateRefused(
                f"template '{template}' points outside {self.root}; it was not read. "
                f"Name a file inside {self.root}, relative to it"
            )
        try:
            resolved = self.root.joinpath(*parts).resolve()
        except (RuntimeError, OSError):  # (Python 3.13 says OSError)
            raise TemplateRefused(
                f"template '{template}' is a link that loops back to itself; it was not read. "
                f"Put the template file itself in {self.root}"
            ) from None
        if not resolved.is_relative_to(self.root.resolve()):
            raise TemplateRefused(
                f"template '{template}' resolves to {resolved}, outside {self.root}; it was "
                f"not read. Put the template file itself inside {self.root}, not a link to it"
            )
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as error:
            raw = resolved.read_bytes()
            raise TemplateRejected([not_utf8(str(self.root / template), raw, error)]) from None
        source = source.removeprefix("\ufeff")  # a byte-order mark some editors save first
        where = str(self.root / template)
        problems = source_problems(environment, source, where) + mentions_everyone(source, where)
        if problems:
            raise TemplateRejected(problems)
        return source, filename, uptodate


def _template_file(name: str) -> bool:
    """A template file of templates/ (`*.j2`), not a hidden one: macOS's `._x.md.j2` copies and
    an editor's `.#x.md.j2` lock are no templates (a tester's stopped every run)."""
    return name.endswith(".j2") and not any(part.startswith(".") for part in name.split("/"))


_AT_END = re.compile(r"(?:@|&#0*64;|&#[xX]0*40;|&commat;)$")  # `@`, or as a reference
# (a line's start is looked for as the line break before it, in the text after a "\n": a
# pattern that starts with `^` is tried at every character, 5x slower on a description)
_QUICK_ACTION_LINE = re.compile(r"\n([ \t]*)(?=/[A-Za-z_])")


def _inert(text: str) -> str:
    """Rendered text with nothing GitLab would act on that a filter made of a value, shown as
    typed instead: a line starting as a quick action gets a backslash before its `/` (no
    template line starts like that, see source_problems, and every value is escaped where it
    starts, so `wordwrap` put a value's `/close` there), and an `@` written as a character
    reference its `&` as `&amp;` (`striptags` turns a value's escaped `&#64;` back into
    one)."""
    escaped = _QUICK_ACTION_LINE.sub(r"\n\1\\", f"\n{text}")[1:]
    return without_at_references(escaped)


def source_problems(environment: jinja2.Environment, source: str, file: str) -> list[Problem]:
    """Template text that GitLab would act on once values are filled in: a line starting with
    a quick action, `@{{` (a value made a mention) and a line starting `/{{`."""
    problems: list[Problem] = []
    at_start = True  # whether output is at the start of a line here
    before: tuple[int, str, bool] | None = None  # the data just before: line, text, at start
    try:
        for lineno, kind, value in environment.lex(source):
            if kind == "data":
                for offset, segment in enumerate(value.split("\n")):
                    starts = at_start or offset > 0
                    action = _QUICK_ACTION_START.match(segment) if starts else None
                    if action:
                        problems.append(
                            Problem(
                                file,
                                lineno + offset,
                                f"the line starts with `{action.group(1)}`, which GitLab runs "
                                "as a quick action; reword the line so it does not start with "
                                "`/` (or put the text in backticks)",
                            )
                        )
                    before = (lineno + offset, segment, starts)
                    at_start = starts and not segment.strip(" \t")
                continue
            if kind == "variable_begin" and before is not None:
                line, text, starts = before
                if _AT_END.search(text):
                    problems.append(
                        Problem(
                            file,
                            line,
                            "`@` right before `{{ ... }}` would make a value a mention; use "
                            "`{{ person | mention }}` for a deliberate mention of someone in "
                            "people.yml, or put a space after the `@`",
                        )
                    )
                if starts and _SLASH_ONLY.match(text):
                    problems.append(
                        Problem(
                            file,
                            line,
                            "the line starts with `/{{ ... }}`, which would make a value a "
                            "GitLab quick action; start the line with other text",
                        )
                    )
            if kind == "variable_begin":
                at_start = False
            before = None
    except jinja2.TemplateSyntaxError:
        pass  # compiling the template reports it, with its line
    return problems


# GitLab's user reference: `@` after no ASCII letter, digit or underscore (Ruby's `\w`): so
# after `é`, or an unpaired backtick, it is live; code spans are taken out before the search
_ALL = re.compile(r"(?<![\w/\\])@all\b(?![.\-/]?\w)", re.IGNORECASE | re.ASCII)  # not `@all-hands`
_INLINE_COMMENT = re.compile(r"<!--.*?-->")


_TAG = re.compile(r"</?[A-Za-z][^>]*>")  # inline HTML, which binds before a code span


def _as_text(line: str) -> str:
    """Roughly the text GitLab looks for references in: no comments, tags or code spans, and
    character references shown as the characters they stand for (`&#64;` is `@`)."""
    uncommented = _before_last(line, "-->", lambda head: _INLINE_COMMENT.sub("", head))
    untagged = _before_last(uncommented, ">", lambda head: _TAG.sub("", head))
    return html.unescape(without_code(untagged))


def _before_last(line: str, closer: str, change: Callable[[str], str]) -> str:
    """LINE with CHANGE made up to its last CLOSER (what comes after it opens nothing that
    closes): a pattern that looks for the closer from every opener after the last would read
    the rest of the line once per opener."""
    cut = line.rfind(closer)
    return line if cut < 0 else change(line[: cut + len(closer)]) + line[cut + len(closer) :]


def mentions_everyone(source: str, file: str) -> list[Problem]:
    """Each line of template text where GitLab would read `@all` and notify every member of
    the project (not in code, a code span, an HTML comment, a link, or after a backslash)."""
    lines = source.split("\n")
    shown = [visible for visible, _ in read_lines(lines)]
    over = _over_lines(lines, shown)
    return [
        Problem(
            file,
            number,
            "`@all` would notify everyone in the project on every issue made from this "
            "template; name the people instead (`{{ person | mention }}`), or write `all` "
            "without the `@`",
        )
        for number, (line, visible) in enumerate(zip(lines, shown, strict=True), start=1)
        if visible and (_ALL.search(_as_text(line)) or number in over)
    ]


def _over_lines(lines: Sequence[str], shown: Sequence[bool]) -> frozenset[int]:
    """The numbers of the lines where `@all` is text as CommonMark reads their paragraph
    whole: a code span may run over its lines (`a` on one line, `b` on the next), and what
    comes after its end is text (an attacker's trial). A paragraph with inline HTML is left to
    the line-by-line check (a tag binds before a code span), as is what a render checks."""
    found: set[int] = set()
    for part in _paragraphs_of(lines, shown):
        text = "\n".join(lines[i] for i in part)
        if len(part) > 1 and "`" in text and "<" not in text:
            plain = without_code(text).split("\n")
            found.update(
                i + 1 for i, line in zip(part, plain, strict=True) if _ALL.search(_as_text(line))
            )
    return frozenset(found)


def _paragraphs_of(lines: Sequence[str], shown: Sequence[bool]) -> Iterator[list[int]]:
    """The runs of consecutive shown lines that are not blank, by index."""
    run: list[int] = []
    for i, line in enumerate(lines):
        if shown[i] and line.strip():
            run.append(i)
        elif run:
            yield run
            run = []
    if run:
        yield run


def _ours(obj: Any, attr: str) -> bool:
    """Whether a template may read ATTR of OBJ: of a configuration model, only its fields and
    what the tool's own classes define (`config.person(...)`, `program.phases`), never what
    pydantic adds (`parse_raw` unpickles, `parse_file` reads any file, `model_construct`...).
    Other values keep the sandbox's rule."""
    cls = obj if isinstance(obj, type) else type(obj)
    if not issubclass(cls, BaseModel):
        return True
    if attr in cls.model_fields:
        return True
    owner = next((klass for klass in cls.__mro__ if attr in vars(klass)), None)
    return owner is not None and owner.__module__.startswith("automation.")


# A filter block's text is printed as the filter makes it, past the escaping of values:
# `striptags` gives back the `<` of an escaped `<!--` (hiding the rest of an issue), and
# `replace("\\", "")` takes the escapes off a value's Markdown. The filter applied to the value
# itself (`{{ value | f }}`) is escaped after it.
FILTER_BLOCK = (
    "`{% filter %}` blocks are not supported (their text would skip the escaping of values); "
    "apply the filter to the value instead: {{ value | f }}"
)


class _BoundedEnvironment(SandboxedEnvironment):
    """The sandbox with a time bound: loops and calls check a deadline, and the operators
    that make big values in one step check their size."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    deadline = math.inf
    made = 0  # characters of text this render's steps made, in all
    seconds = MAX_RENDER_SECONDS
    max_chars = MAX_RENDER_CHARS

    def tick(self) -> None:
        """Stop a render that has run past its deadline."""
        if time.process_time() > self.deadline:
            raise self.too_slow()

    def too_slow(self) -> RenderLimit:
        """The error for a render past its deadline."""
        return RenderLimit(
            f"template too slow: rendering one issue took over {self.seconds:g} s of processor "
            "time; a loop "
            "runs far more often than the data needs (check nested loops and range())"
        )

    def too_large(self) -> RenderLimit:
        """The error for a render that would produce too much text."""
        return RenderLimit(
            f"template too large: it would produce over {self.max_chars:,} characters for one "
            "issue, more than GitLab holds in a description; check loops that repeat text"
        )

    def too_much_made(self) -> RenderLimit:
        """The error for a render whose steps made too much text in all."""
        return RenderLimit(
            f"template too large: its steps made over {MADE_TIMES * self.max_chars:,} "
            "characters of text for one issue; check loops that build text up step by step"
        )

    def account(self, value: Any) -> Any:
        """VALUE, one step's result or what a step is about to print, counted: refused when
        it is more text than an issue holds (a list of long strings too, before it is printed),
        or when the render's steps have made too much text in all."""
        if isinstance(value, str | bytes | bytearray):
            self.refuse_past(len(value))
            self.made += len(value)
            if self.made > MADE_TIMES * self.max_chars:
                raise self.too_much_made()
        elif not isinstance(value, int | float):  # a list, a mapping, a namespace
            self.refuse_past(text_size(value, self.max_chars))
        return value

    def made_text(self, value: Any) -> Any:
        """VALUE, one step's result: its text counted (a list or mapping it makes is only
        references to what exists; it is measured where it is printed or made text)."""
        return self.account(value) if isinstance(value, str | bytes | bytearray) else value

    def refuse_past(self, size: int) -> None:
        """Refuse a step that would make SIZE characters, more than an issue holds."""
        if size > self.max_chars:
            raise self.too_large()

    def too_big_a_number(self, number: int) -> RenderLimit:
        """The error for a call given a number past the bounds (`range(100000000)`)."""
        return RenderLimit(
            f"template calls something with {number:,}, over the {self.max_chars:,} a template "
            "may use: a loop that long would run too slowly, and text that long would not fit "
            "in an issue; use a smaller number"
        )

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The sandbox's rule, which depends only on the value's type (its real one, and the
        class it claims, as `isinstance` reads both) and the name, asked once per pair of
        types and name (templates read the same few attributes very many times)."""
        key = (type(obj), getattr(obj, "__class__", None), attr)
        safe = _SAFE_ATTRIBUTES.get(key)
        if safe is None:
            if len(_SAFE_ATTRIBUTES) > MAX_REMEMBERED:
                _SAFE_ATTRIBUTES.clear()
            safe = super().is_safe_attribute(obj, attr, value) and _ours(obj, attr)
            _SAFE_ATTRIBUTES[key] = safe
        return safe

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for block in tree.find_all(nodes.FilterBlock):  # its text is printed as it comes out
            raise jinja2.TemplateSyntaxError(FILTER_BLOCK, block.lineno, name, filename)
        for loop in tree.find_all(nodes.For):  # every loop ticks once per item
            loop.iter = nodes.Filter(loop.iter, _LOOP_GUARD, [], [], None, None)
            loop.iter.set_lineno(loop.lineno)
        return cast(nodes.Template, _Counted().visit(tree))

    def call(
        __self,
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        __self.tick()
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int):
                __self.bounded(arg)
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        formats = getattr(method, "__name__", "") in ("format", "format_map")
        spec = getattr(method, "__self__", None)
        if formats and isinstance(spec, str) and _HUGE_BRACES.search(spec):
            raise __self.too_large()  # "{:>1000000000}".format(x)
        if isinstance(spec, str):  # a string's own method: "y".join(big), "{}".format(list)
            __self.refuse_past(method_size(getattr(method, "__name__", ""), spec, args, kwargs))
        made = __self.made_text(super().call(__context, __obj, *args, **kwargs))
        # a macro's text is the template's own, its values made inert as they were printed
        # in it: shown as written (a task a macro writes is a task), not escaped again
        return Trusted(made) if isinstance(__obj, jinja2.runtime.Macro) else made

    def bounded(self, number: int) -> int:
        """NUMBER, if a template may use it (a width, a count): refused past the bounds."""
        if abs(number) > self.max_chars:
            raise self.too_big_a_number(number)
        return number

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "*":
            for items, times in ((left, right), (right, left)):
                sized = isinstance(items, str | bytes | list | tuple) and isinstance(times, int)
                if sized and max(len(items), text_size(items)) * times > self.max_chars:
                    raise self.too_large()
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if left.bit_length() * right > 8 * self.max_chars:
                raise self.too_large()
        elif operator == "%" and isinstance(left, str) and _HUGE_FORMAT.search(left):
            raise self.too_large()
        elif operator == "%" and isinstance(left, str):  # each % prints a value of RIGHT
            self.refuse_past(len(left) + left.count("%") * text_size(right, self.max_chars))
        return self.made_text(super().call_binop(context, operator, left, right))


class _Counted(NodeTransformer):
    """Puts through the size guard each filter's input and result, each `~`'s parts and
    result, each value printed and each `{% set %}` block (calls and operators are counted
    by the environment itself): a list of long strings is refused before it is made text."""

    def visit_Filter(self, node: nodes.Filter) -> nodes.Node:
        counted = self.generic_visit(node)
        makes_text = node.name in _MAKING_TEXT
        if isinstance(counted, nodes.Filter) and makes_text and counted.node is not None:
            counted.node = _counted(counted.node, counted.node.lineno)
        if isinstance(counted, nodes.Filter) and node.name == "format":  # its values: printed
            counted.args = [_counted(arg, arg.lineno) for arg in counted.args]
            for keyword in counted.kwargs:
                keyword.value = _counted(keyword.value, keyword.lineno)
            if counted.dyn_args is not None:
                counted.dyn_args = _counted(counted.dyn_args, node.lineno)
            if counted.dyn_kwargs is not None:
                counted.dyn_kwargs = _counted(counted.dyn_kwargs, node.lineno)
        return _counted(counted, node.lineno, _MADE_GUARD)

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        counted = self.generic_visit(node)
        if isinstance(counted, nodes.Concat):
            counted.nodes = [_counted(part, part.lineno) for part in counted.nodes]
        return _counted(counted, node.lineno, _MADE_GUARD)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        printed = self.generic_visit(node)
        if isinstance(printed, nodes.Output):
            printed.nodes = [
                part if isinstance(part, nodes.TemplateData) else _counted(part, part.lineno)
                for part in printed.nodes
            ]
        return printed

    def visit_AssignBlock(self, node: nodes.AssignBlock) -> nodes.Node:
        block = self.generic_visit(node)
        if isinstance(block, nodes.AssignBlock) and block.filter is None:  # its text, counted
            block.filter = _counted(None, node.lineno, _MADE_GUARD)
        return block


def _counted(node: nodes.Node | None, line: int, guard: str = _SIZE_GUARD) -> nodes.Filter:
    counted = nodes.Filter(node, guard, [], [], None, None)
    counted.set_lineno(line)
    return counted


@jinja2.pass_environment
def _bounded_text(environment: jinja2.Environment, value: Any) -> Any:
    return environment.account(value) if isinstance(environment, _BoundedEnvironment) else value


@jinja2.pass_environment
def _made_text(environment: jinja2.Environment, value: Any) -> Any:
    if isinstance(environment, _BoundedEnvironment):
        return environment.made_text(value)
    return value


def _bound_filters(env: _BoundedEnvironment) -> None:
    """The filters that make text as wide as a number or a format asks (`center(10**9)`,
    `"%1000000000s"|format(x)`) refuse one past the bounds: the text would be made before
    any check of the output's size (the memory of the run's machine, not the page, is what
    runs out). Plain functions, the same for every renderer (compiled templates are kept by
    what their filters are)."""
    env.filters.update(
        center=_center,
        slice=_slice,
        batch=_batch,
        indent=_indent,
        format=_format,
        decimals=_decimals,
        amount=_amount,
        replace=_replace,
        join=_join,
        wordwrap=_wordwrap,
        map=_map,
        tojson=_tojson,
        urlize=_urlize,
    )
    env.filters[_SIZE_GUARD] = _bounded_text
    env.filters[_MADE_GUARD] = _made_text


LARGEST = 1e15  # a figure's magnitude shown with decimals, and a recorded value's (records.py)


def _decimals(value: float, places: int = 1) -> str:
    """A figure with PLACES decimals, a half rounded up as people do (8.25 shows as 8.3;
    Python's format rounds it to the even 8.2), from its shortest spelling (`repr`); a
    figure too big for that (a value typed with thirty digits, or more than a float holds)
    as Python writes it."""
    number, shown = float(value), max(0, min(int(places), 6))
    if not math.isfinite(number) or abs(number) >= LARGEST:
        return f"{number:.{shown}f}" if math.isfinite(number) else str(number)
    step = decimal.Decimal(1).scaleb(-shown)
    return str(decimal.Decimal(repr(number)).quantize(step, decimal.ROUND_HALF_UP))


def _amount(value: float, places: int = 2) -> str:
    """A count or an amount as people write it: at most PLACES decimals (rounded as
    `decimals` rounds), none when they are zeros, and thousands' commas (a trial: an average
    of active users read `1200.0`, and Python's `%g` writes 1,200,000 as `1.2e+06`)."""
    shown = _decimals(value, places)
    if "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    whole, dot, fraction = shown.partition(".")
    if not whole.lstrip("-").isdigit():
        return shown  # too big to show with decimals: as Python writes it
    sign = "-" if whole.startswith("-") and shown.strip("-0.") else ""  # not `-0` (a review: -0.5)
    return f"{sign}{abs(int(whole)):,}{dot}{fraction}"


def _width(environment: jinja2.Environment, number: Any) -> Any:
    if isinstance(environment, _BoundedEnvironment) and isinstance(number, int):
        return environment.bounded(number)
    return number


@jinja2.pass_environment
def _center(environment: jinja2.Environment, value: Any, width: int = 80) -> str:
    return jinja2.filters.do_center(value, _width(environment, width))


@jinja2.pass_environment
def _slice(environment: jinja2.Environment, value: Any, slices: int, *args: Any) -> Any:
    """Jinja's `slice`, its count bounded: it makes a list for each (a fuzzing trial:
    `slice(10**9)` took 3.4 GB in 40 s, past the time limit, which it never checked)."""
    return jinja2.filters.do_slice(value, _width(environment, slices), *args)


@jinja2.pass_environment
def _batch(environment: jinja2.Environment, value: Any, linecount: int, *args: Any) -> Any:
    """Jinja's `batch`, its size bounded: with `fill_with`, the last batch is filled up to
    it at once."""
    return jinja2.filters.do_batch(value, _width(environment, linecount), *args)


@jinja2.pass_environment
def _indent(environment: jinja2.Environment, value: Any, width: Any = 4, *args: Any) -> str:
    added = len(width) if isinstance(width, str) else _width(environment, width)
    _refuse_past(environment, lines_size(str(value), added))
    return str(jinja2.filters.do_indent(value, _width(environment, width), *args))


@jinja2.pass_eval_context
def _replace(context: EvalContext, value: Any, old: Any, new: Any, count: Any = None) -> Any:
    size = replaced_size(str(value), str(old), str(new), count if isinstance(count, int) else None)
    _refuse_past(context.environment, size)
    return jinja2.filters.do_replace(context, value, old, new, count)


@jinja2.pass_eval_context
def _join(context: EvalContext, value: Any, separator: str = "", attribute: Any = None) -> Any:
    _refuse_past(context.environment, joined_size(str(separator), value))
    return jinja2.filters.do_join(context, value, separator, attribute)


@jinja2.pass_environment
def _wordwrap(environment: jinja2.Environment, value: Any, width: int = 79, *args: Any) -> str:
    wrap = args[1] if len(args) > 1 and isinstance(args[1], str) else environment.newline_sequence
    _refuse_past(environment, wrapped_size(str(value), int(width), wrap))
    return jinja2.filters.do_wordwrap(environment, value, width, *args)


@jinja2.pass_context
def _map(context: Context, value: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Jinja's `map`, each result counted (it may apply a filter that makes text)."""
    for item in jinja2.filters.do_map(context, value, *args, **kwargs):
        yield _made_text(context.environment, item)


def _refuse_past(environment: jinja2.Environment, size: int) -> None:
    if isinstance(environment, _BoundedEnvironment):
        environment.refuse_past(size)


@jinja2.pass_environment
def _format(environment: jinja2.Environment, value: Any, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    if isinstance(environment, _BoundedEnvironment) and _HUGE_FORMAT.search(text):
        raise environment.too_large()
    widest = max((text_size(x) for x in (*args, *kwargs.values())), default=0)
    _refuse_past(environment, len(text) + text.count("%") * widest)  # each % prints one
    return jinja2.filters.do_format(value, *args, **kwargs)


@jinja2.pass_eval_context
def _tojson(context: EvalContext, value: Any, indent: Any = None) -> Any:
    if isinstance(indent, int) and indent > MAX_INDENT:
        _refuse_past(context.environment, REFUSED)
    return jinja2.filters.do_tojson(context, value, indent)


@jinja2.pass_eval_context
def _urlize(context: EvalContext, value: Any, *args: Any, **kwargs: Any) -> Any:
    added = sum(len(str(x)) for x in (*args, *kwargs.values()) if isinstance(x, str))
    if added > MAX_URL_EXTRAS:  # a target or rel is put in every link
        _refuse_past(context.environment, REFUSED)
    return jinja2.filters.do_urlize(context, value, *args, **kwargs)


@jinja2.pass_environment
def _bounded_loop(environment: jinja2.Environment, items: Any) -> Iterator[Any]:
    tick = environment.tick if isinstance(environment, _BoundedEnvironment) else None
    for item in items:
        if tick is not None:
            tick()
        yield item


class Renderer:
    """Renders issue templates, titles and tool-owned blocks from plain data."""

    def __init__(
        self,
        templates_dir: Path,
        roster: Collection[str],
        *,
        seconds: float = MAX_RENDER_SECONDS,
        max_chars: int = MAX_RENDER_CHARS,
    ) -> None:
        self.templates_dir = templates_dir
        self._roster = frozenset(name.lower() for name in roster)
        self.env = _BoundedEnvironment(
            loader=_Loader(templates_dir),
            auto_reload=False,  # a run reads each template once, not once per issue
            undefined=jinja2.StrictUndefined,
            finalize=neutralise,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.seconds = seconds
        self.env.max_chars = max_chars
        self.env.filters["mention"] = self.mention
        self.env.filters[_LOOP_GUARD] = _bounded_loop
        _bound_filters(self.env)
        del self.env.globals["lipsum"]  # a test-page helper that makes text without bound
        self.env.globals["managed_block"] = _managed_block
        self.env.globals["kept_block"] = _kept_block
        self._titles = self.env.overlay(finalize=neutralise_title)
        self._title_templates: dict[str, jinja2.Template] = {}  # compiled once per source
        self._read: dict[str, set[str]] = {}  # the values each template reads
        self._given: dict[str, set[str]] = {}  # the values each issue template was given
        self._inert: dict[str, set[str]] = {}  # the @names each template wrote made inert
        # the @names a title's own text types, by its program and place
        self._titled: dict[tuple[str | None, Problem], set[str]] = {}

    def admit(self, roster: Collection[str]) -> None:
        """Let templates mention ROSTER from now on: the renderer that checked the templates
        before people.yml was read renders the issues with the templates it compiled then
        (compiling each twice was about a fifth of a small run's CPU)."""
        self._roster = frozenset(name.lower() for name in roster)

    def _may_mention(self, name: str) -> bool:
        return name.lower() in self._roster and name.lower() not in RESERVED_USERNAMES

    @property
    def roster(self) -> frozenset[str]:
        """The usernames templates may mention, lowercased."""
        return self._roster

    def mention(self, who: Person | str | None) -> Trusted:
        """`{{ person | mention }}`: a live @mention, only for a username in the roster."""
        if who is None:
            raise MentionRefused(
                "cannot mention nobody: the value is empty for this issue (a person with no "
                "manager, say); write {% if ... %} around the line, or give the value in "
                "configuration"
            )
        username = who.username if isinstance(who, Person) else str(who)
        if username.lower() in RESERVED_USERNAMES or username.lower() not in self._roster:
            raise MentionRefused(
                f"cannot mention '{username}': only usernames listed in people.yml can be "
                "mentioned (never all, here or a group)"
            )
        return Trusted("@" + username)

    def reads(self, template: str, name: str) -> bool:
        """Whether templates/<template> itself (not what it includes) reads the value NAME."""
        if template not in self._read:  # once per template, not per issue
            self._read[template] = jinja2.meta.find_undeclared_variables(self._tree(template))
        return name in self._read[template]

    def _tree(self, template: str) -> nodes.Template:
        source = self.env.loader.get_source(self.env, template)[0] if self.env.loader else ""
        return self.env.parse(source)

    def doubts(self) -> list[str]:
        """What `validate` warns of in the templates rendered so far, each at its file and
        line: names an issue template reads, on any line, that none of its issues was given
        (a tester's finding: a misspelt name inside an `{% if %}` no issue took yet passed,
        and stopped every program weeks later, when a roster edit took the branch; names
        under `is defined` or `default` are left out, and so is what a template includes);
        and each `@name` a template wrote that was made inert (another: `@outsider` lost its
        power unsaid)."""
        found = []
        for template, given in self._given.items():
            names = _unguarded_names(self._tree(template))
            for name, line in sorted(names.items(), key=lambda item: item[1]):
                if name not in given and name not in self.env.globals:
                    found.append(f"{self._place(template, line)}: {_unsupplied(name, given)}")
        for template, inert in self._inert.items():
            for name in sorted(inert):
                line = self.line_naming(template, f"@{name}", quoted=False)
                found.append(f"{self._place(template, line)}: {_inert_mention(name)}")
        return found

    def title_doubts(self) -> list[tuple[str | None, str]]:
        """What `validate` warns of in the titles rendered so far, each with its program (its
        privacy is that program's, as its other warnings): an `@name` typed in a title."""
        return [
            (program, f"{origin.file}:{origin.line}: title: {_titled(name)}")
            for (program, origin), typed in self._titled.items()
            for name in sorted(typed)
        ]

    def _place(self, template: str, line: int) -> str:
        return f"{self.templates_dir / template}:{line}"

    def render(self, template: str, context: Mapping[str, Any], kept: bool = False) -> str:
        """Render templates/<template>; template mistakes become ConfigError naming file:line.
        KEPT: an issue's own template, the one kind whose `kept_block`s the tool keeps (in a
        block's, a note's or an epic's text they would be written once and never kept)."""
        try:
            text = _bounded(self.env, self.env.get_template(template), context)
        except TemplateRejected as error:
            raise ConfigError(error.problems) from error
        except Exception as error:  # any failure inside a template is the template's problem
            raise ConfigError([self._problem(error, template)]) from error
        if kept:
            self._given.setdefault(template, set()).update(context)
        if not kept and f"<!-- automation:begin {KEPT_PREFIX}" in text:
            raise ConfigError(
                [
                    Problem(
                        str(self.templates_dir / template),
                        1,
                        "kept_block works in an issue's own template only (the program's, or "
                        "one its file names for issues), not in a block's or a note's: take it "
                        "out",
                    )
                ]
            )
        # no mention of anyone outside the roster, however the template made it (`@{% if
        # x %}all{% endif %}`, a filter): blocks and epics are written from this
        text, refused = people_only(_inert(text), self._may_mention)
        if refused:
            self._inert.setdefault(template, set()).update(refused)
        return text

    def render_title(
        self, source: str, context: Mapping[str, Any], origin: Problem, program: str | None = None
    ) -> str:
        """Render a one-line title from a Jinja string found in config at `origin`."""
        try:
            compiled = self._title_templates.get(source) or self._titles.from_string(source)
            self._title_templates[source] = compiled
            text = _bounded(self._titles, compiled, context)
        except Exception as error:
            raise ConfigError(
                [Problem(origin.file, origin.line, f"title: {_why(error)}")]
            ) from error
        # the title's own text too (a program file's `title:` is configuration): GitLab
        # notifies whom a title mentions and notes on what it refers to (an attacker's trial)
        title = cut_title(neutralise_title(" ".join(text.split())))
        typed = set(_TYPED_MENTION.findall(_JINJA_TAG.sub(" ", source)))
        if typed:  # said by `validate`; the values a title prints are not quoted
            self._titled.setdefault((program, origin), set()).update(typed)
        if not title:  # GitLab refuses an issue without a title (a tester's finding)
            raise ConfigError([Problem(origin.file, origin.line, f"title: {_BLANK_TITLE}")])
        return title

    def exists(self, template: str) -> bool:
        """Whether templates/<template> exists and stays inside templates/ (one whose lines
        have problems exists: `check` says what is wrong with it)."""
        try:
            self.env.loader.get_source(self.env, template)  # type: ignore[union-attr]
        except (jinja2.TemplateNotFound, TemplateRefused):
            return False
        except TemplateRejected:
            return True
        return True

    def not_found(self, template: str) -> str:
        """What to say about a template that `exists` does not find."""
        try:
            self.env.loader.get_source(self.env, template)  # type: ignore[union-attr]
        except TemplateRefused as error:
            return str(error)
        except (jinja2.TemplateNotFound, TemplateRejected):
            pass  # missing, or with problems that `check` reports
        path = self.templates_dir / template
        if path.is_dir():
            return f"template '{template}' is a folder, not a file; name a template file in it"
        if path.is_symlink():
            return (
                f"template '{template}' is a link to a file that is not there; put the template "
                f"file itself in {self.templates_dir}"
            )
        other = in_other_case(path)
        return (
            f"template '{template}' not found in {self.templates_dir}{other}; create it or fix "
            "the name"
        )

    def check(self, template: str) -> list[Problem]:
        """Problems of one template: where it is, lines GitLab would act on, and syntax."""
        try:
            self.env.get_template(template)
        except TemplateRejected as error:
            return list(error.problems)
        except Exception as error:
            return [self._problem(error, template)]
        return []

    def check_all(self) -> list[Problem]:
        """Problems of every template file in templates/, used by a program or not."""
        names = self.env.list_templates(filter_func=_template_file)
        return [problem for name in names for problem in self.check(name)]

    def sources(self, names: Iterable[str]) -> Iterator[str]:
        """The text of these template files as written (unrendered), each one that exists,
        stays inside templates/ and passes its checks."""
        for name in names:
            try:
                yield self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            except (jinja2.TemplateNotFound, TemplateRefused, TemplateRejected):
                continue

    def _problem(self, error: BaseException, template: str) -> Problem:
        if isinstance(error, jinja2.TemplateNotFound):
            name = str(error.name or template)
            at = self.line_naming(template, name) if name != template else 1
            return Problem(str(self.templates_dir / template), at, self.not_found(name))
        line = getattr(error, "lineno", None) or _template_line(error.__traceback__, template)
        unclosed = self._unclosed(template) if _ends_early(error) else None
        if unclosed is not None:
            tag, line = unclosed
            return Problem(
                str(self.templates_dir / template),
                line,
                f"template syntax error: the {{% {tag} %}} on this line is never closed; add "
                f"{{% end{tag} %}} where its part ends",
            )
        file = str(self.templates_dir / template)
        syntax = isinstance(error, jinja2.TemplateSyntaxError)
        unknown = self._unknown(error)
        if unknown is not None:
            return Problem(file, line or 1, unknown)
        opened = self._open_print(template, line) if syntax and line else None
        if opened is not None:  # Jinja names where the text it read as code broke (a trial)
            return Problem(
                file,
                opened,
                "template syntax error: the {{ on this line is never closed; add }} where its "
                "expression ends",
            )
        return Problem(file, line or 1, _why(error), self._spelt(error, template, line))

    def _unknown(self, error: BaseException) -> str | None:
        """What to say of a filter or test the templates do not have (a configuration trial:
        `| nosuchfilter` was "a character Jinja does not expect there, or one left
        unclosed"); None for another error."""
        found = _NO_SUCH.match(getattr(error, "message", None) or "")
        if found is None:
            return None
        kind, name = found["kind"], found["name"]
        known = sorted(self.env.filters if kind == "filter" else self.env.tests)
        shown = [k for k in known if k.isidentifier() and not k.startswith("_")]
        close = difflib.get_close_matches(name, shown, n=1)
        said = f"template error: there is no {kind} named '{name}'"
        if close:
            return f"{said}; did you mean '{close[0]}'?"
        return f"{said}; the {kind}s templates have: {', '.join(shown)}"

    def _spelt(self, error: BaseException, template: str, line: int | None) -> frozenset[str]:
        """The attribute an UndefinedError names, when the template's line spells it (`.name`
        or `['name']`): the template's own word, not a value from configuration (a sponsee's
        name looked up in a dict gets the same message); and a name no value has, which only
        the template spells (a fuzzing trial read `'[confidential]' is undefined` of
        `{{ nosuch }}` in epic.md.j2)."""
        message = getattr(error, "message", None) or ""
        if isinstance(error, jinja2.UndefinedError) and (named := _NO_NAME.match(message)):
            return frozenset({named["name"]})
        found = _NO_ATTRIBUTE.match(message)
        if not isinstance(error, jinja2.UndefinedError) or found is None or not line:
            return frozenset()
        name = re.escape(found["name"])
        try:
            source = self.env.loader.get_source(self.env, template)[0]  # type: ignore[union-attr]
        except (jinja2.TemplateError, OSError):
            return frozenset()
        lines = source.splitlines() or [""]
        text = lines[min(line, len(lines)) - 1]
        spelt = re.search(rf"\.\s*{name}(?!\w)|\[\s*(['\"]){name}\1\s*\]", text)
        return frozenset({found["name"]}) if spelt else frozenset()

    def line_naming(self, template: str, name: str, quoted: bool = True) -> int:
        """The first line of TEMPLATE that names NAME (QUOTED: in quotes, as the `{% include
        %}` or `{% import %}` of a missing file does: a tester was sent to line 1), else 1."""
        try:
            source = self.env.loader.get_source(self.env, template)[0]  # type: ignore[union-attr]
        except (jinja2.TemplateError, OSError):
            return 1
        forms = (f"'{name}'", f'"{name}"') if quoted else (name,)
        lines = source.splitlines()
        return next(
            (n for n, text in enumerate(lines, 1) if any(form in text for form in forms)), 1
        )

    def _open_print(self, template: str, line: int) -> int | None:
        """The line of a `{{` on an earlier line than LINE that is still open there."""
        opened: int | None = None
        try:
            source = self.env.loader.get_source(self.env, template)[0]  # type: ignore[union-attr]
            for at, kind, _ in self.env.lex(source):
                if at > line:
                    break
                if kind == "variable_begin":
                    opened = at
                elif kind == "variable_end":
                    opened = None
        except (jinja2.TemplateError, OSError):
            pass
        return opened if opened is not None and opened < line else None

    def _unclosed(self, template: str) -> tuple[str, int] | None:
        """The innermost block tag left open in the template, and its line (Jinja names the
        end of the file instead)."""
        try:
            source = self.env.loader.get_source(self.env, template)[0]  # type: ignore[union-attr]
            return innermost_open(self.env.lex(source))
        except (jinja2.TemplateError, OSError):
            return None


_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "block", "with", "set"})


def _ends_early(error: BaseException) -> bool:
    message = getattr(error, "message", None) or ""
    return (
        isinstance(error, jinja2.TemplateSyntaxError) and "block that needs to be closed" in message
    )


def innermost_open(tokens: Iterable[tuple[int, str, str]]) -> tuple[str, int] | None:
    """Of a template's tokens, the innermost block tag never closed, with its line (a `set`
    opens a block only without `=`)."""
    opened: list[tuple[str, int]] = []
    after_begin, pending = False, None
    for line, kind, value in tokens:
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            after_begin = True
            continue
        if after_begin and kind == "name":
            if value in _BLOCK_TAGS:
                pending = (value, line)
            elif value.startswith("end") and value[3:] in _BLOCK_TAGS:
                if not opened or opened[-1][0] != value[3:]:
                    break  # an end that crosses: Jinja stops here, at the innermost open
                opened.pop()
        elif kind == "operator" and value == "=" and pending and pending[0] == "set":
            pending = None  # `{% set x = ... %}`: no block
        elif kind == "block_end" and pending:
            opened.append(pending)
            pending = None
        after_begin = False
    return opened[-1] if opened else None


def _bounded(
    environment: jinja2.Environment, template: jinja2.Template, context: Mapping[str, Any]
) -> str:
    """Render piece by piece, stopping at the time and size bounds; the error is raised inside
    the template, so it names the template line the render had reached."""
    assert isinstance(environment, _BoundedEnvironment)
    environment.deadline = time.process_time() + environment.seconds
    environment.made = 0
    pieces: list[str] = []
    size = 0
    stream = cast(Generator[str, None, None], template.generate(context))
    try:
        for piece in stream:
            pieces.append(piece)
            size += len(piece)
            if size > environment.max_chars:
                stream.throw(environment.too_large())
            elif time.process_time() > environment.deadline:
                stream.throw(environment.too_slow())
    finally:
        environment.deadline = math.inf
        stream.close()
    return "".join(pieces)


def _managed_block(name: str) -> Trusted:
    """`{{ managed_block('progress') }}`: where the tool writes its block in a new issue."""
    return Trusted(empty_block(name))


def _kept_block(name: str, caller: Callable[[], str]) -> Trusted:
    """`{% call kept_block('facts') %}...{% endcall %}`: template text the tool keeps as
    configuration says it on every run (a start date, a manager), in a block of its own
    (`kept-facts`): a new issue gets it as rendered, and an issue that has the block gets it
    rewritten (desired.py reads the kept blocks out of each issue's rendering)."""
    if not isinstance(name, str) or not BLOCK_NAME.match(name):
        raise ValueError(
            f"kept_block({name!r}): name it with lowercase letters, digits and '-', starting "
            "with a letter (`kept_block('facts')`)"
        )
    block = f"{KEPT_PREFIX}{name}"
    body = str(caller()).strip("\n")
    head = f"{KEPT_NOTICE}\n{marks_line(body)}"
    return Trusted(f"{begin_marker(block)}\n{head}\n{body}\n{end_marker(block)}\n")


# the first line of a kept block, for whoever edits the description's text
KEPT_NOTICE = (
    "<!-- Written by the program automation from its configuration, again on each run while "
    "this issue is open: a line typed between these markers is moved below them. -->"
)


_OF_NONE = re.compile(r"^'None' has no attribute '(?P<name>.*)'$")
_NO_ATTRIBUTE = re.compile(r"^'(?:[\w.]+\.)?(?P<cls>\w+) object' has no attribute '(?P<name>.*)'$")
_NO_NAME = re.compile(r"^'(?P<name>\w+)' is undefined$")  # a name no value has


def _undefined(message: str) -> str:
    """Jinja's message about a missing attribute, without Python's class paths: what the value
    is, and which names it has when it comes from configuration."""
    none = _OF_NONE.match(message)
    if none is not None:  # a tester read "check the variable name" for a hire with no manager
        return (
            f"a value here is empty for one of the items, so it has no '{none['name']}' (a "
            "person with no manager, say): write `{% if ... %}` around the line that uses it"
        )
    found = _NO_ATTRIBUTE.match(message)
    if found is None:
        return message
    name, cls = found.group("name"), found.group("cls")
    model = _models().get(cls)
    if model is None:
        return f"'{name}' is not defined on this value"
    what = re.sub(r"(?<!^)(?=[A-Z])", " ", cls).lower()
    article = "an" if what[:1] in "aeiou" else "a"  # a trial: "a account has no 'nam'"
    return f"{article} {what} has no '{name}' (it has: {', '.join(sorted(model.model_fields))})"


def _models() -> dict[str, type[BaseModel]]:
    """Every configuration model by class name (templates get these values)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [Frozen]
    while pending:
        model = pending.pop()
        found[model.__name__] = model
        pending.extend(model.__subclasses__())
    return found


def depends_on_values(error: BaseException | None) -> bool:
    """Whether a template's failure comes from the values of the item it was rendering (a
    value empty for one person, a division by one's zero), not from the template itself (its
    syntax, a misspelt name, a refused mention or size, said the same for every item)."""
    if isinstance(error, jinja2.UndefinedError):
        return _OF_NONE.match(error.message or "") is not None
    refused = (jinja2.TemplateError, MentionRefused, RenderLimit, TemplateRefused, TemplateRejected)
    return error is not None and not isinstance(error, refused) and not _mixed_kinds(error)


def _mixed_kinds(error: BaseException) -> bool:
    """Text and a number (or date) combined with an operator: the template's own doing."""
    return isinstance(error, TypeError) and ("concatenate" in str(error) or "operand" in str(error))


def _why(error: BaseException) -> str:
    if isinstance(error, jinja2.UndefinedError):
        said = _undefined(error.message or "")
        advice = f"; check the variable name ({_WHAT_TEMPLATES_GET})"
        return said if _OF_NONE.match(error.message or "") else said + advice
    if isinstance(error, MentionRefused | RenderLimit | TemplateRefused):
        return str(error)
    if isinstance(error, jinja2.TemplateSyntaxError):
        said = error.message or ""
        return (
            said
            if said == FILTER_BLOCK
            else (
                f"template syntax error: {said.rstrip('.')}; check the "
                "{{ ... }} and {% ... %} on that line (a character Jinja does not expect there, "
                "or one left unclosed)"
            )
        )
    if isinstance(error, jinja2.exceptions.SecurityError):
        return (
            "template error: that attribute is not available to templates; use the values "
            "README.md lists"
        )
    if _mixed_kinds(error):
        return (
            "template error: values of different kinds (text, number, date) are combined with "
            "an operator here; join them as text with `~` (e.g. `{{ name ~ ' ' ~ year }}`)"
        )
    return f"template error: {error}"


_WHAT_TEMPLATES_GET = "see README.md for what templates get"
_NO_SUCH = re.compile(r"No (?P<kind>filter|test) named '(?P<name>[^']*)'")


def _unsupplied(name: str, given: Collection[str]) -> str:
    """What to say of a name a template reads that none of its issues was given."""
    close = difflib.get_close_matches(name, sorted(given), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return (
        f"'{name}' is given to none of the issues this template made today{hint}: if it is "
        "misspelt, the first run that renders this line for an issue stops with an error, and "
        f"writes nothing; check the variable name ({_WHAT_TEMPLATES_GET})"
    )


_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)  # a title's values
_TYPED_MENTION = re.compile(r"(?<![\w@`])@([A-Za-z0-9_][\w.-]*)")  # an @name a person typed


def _titled(name: str) -> str:
    """What to say of an `@name` typed in a program's title."""
    return (
        f"'@{name}' is written without its @ power in a title (nobody is notified: the tool "
        "makes no mention in a title, which GitLab would notify): write the name without its @"
    )


def _inert_mention(name: str) -> str:
    """What to say of an `@name` a template wrote that is not a roster username."""
    return (
        f"'@{name}' is not a username in people.yml, so it is written without its @ power "
        "(nobody is notified); mention someone in people.yml with `{{ person | mention }}`, "
        "or write the name without its @"
    )


def _unguarded_names(tree: nodes.Template) -> dict[str, int]:
    """The names a template reads from its values, on any branch, with the first line reading
    each: all but those it sets itself (anywhere: Jinja counts one set in an `{% if %}` as
    undeclared), and those under `is defined` or a `default` filter."""
    read = jinja2.meta.find_undeclared_variables(tree) - _names_set(tree)
    guarded = {
        test.node.name
        for test in tree.find_all(nodes.Test)
        if test.name in ("defined", "undefined") and isinstance(test.node, nodes.Name)
    } | {
        f.node.name
        for f in tree.find_all(nodes.Filter)
        if f.name in ("default", "d") and isinstance(f.node, nodes.Name)
    }
    lines: dict[str, int] = {}
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name in read and name.name not in guarded:
            lines[name.name] = min(lines.get(name.name, name.lineno), name.lineno)
    return lines


def _names_set(tree: nodes.Template) -> set[str]:
    """Every name a template gives a value: set, a loop's or a macro's, imported."""
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    names |= {macro.name for macro in tree.find_all(nodes.Macro)}
    names |= {i.target for i in tree.find_all(nodes.Import)}
    for found in tree.find_all(nodes.FromImport):
        names |= {n if isinstance(n, str) else n[1] for n in found.names}
    return names


def _template_line(tb: TracebackType | None, template: str) -> int | None:
    """The template line of the innermost frame Jinja attributed to the template."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(template):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
