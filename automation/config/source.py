"""Safe YAML loading that remembers the line of every value, so errors can name it."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from automation.errors import ConfigError, Problem

Loc = tuple[str | int, ...]

# Bounds that a hostile or broken file cannot push the loader past (config/ is a few KB).
MAX_BYTES = 2 * 1024 * 1024  # a config file larger than this is refused before parsing
MAX_DEPTH = 64  # collections nested deeper than this are refused (the shipped config nests 6)
MAX_REPEATS = 100_000  # values that aliases (and merge keys) may add by repeating others


@dataclass(frozen=True)
class Source:
    """One parsed YAML file: its plain data and the 1-based line of each value by path."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)
    written: dict[Loc, str] = field(default_factory=dict)  # scalars YAML read as non-text: NO
    problems: tuple[Problem, ...] = ()  # values refused while parsing (a date of month 13)
    refused: frozenset[Loc] = frozenset()  # where they are: nothing more is said about them

    def reported(self, loc: Sequence[str | int]) -> bool:
        """Whether the value at loc (or one containing it) was refused while parsing, so a
        later check must not report it a second time."""
        path = tuple(loc)
        return any(path[: len(bad)] == bad for bad in self.refused)

    def line_of(self, loc: Sequence[str | int]) -> int:
        """The line of the value at loc, or of its nearest enclosing value."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        """A problem located at the value at loc."""
        return Problem(self.file, self.line_of(loc), message)


MERGE = "tag:yaml.org,2002:merge"
STR = "tag:yaml.org,2002:str"


class _Refused(Exception):
    """Parsing stopped at a bound; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _too_deep(file: str, line: int) -> Problem:
    return Problem(
        file,
        line,
        f"values are nested more than {MAX_DEPTH} levels deep here; "
        "flatten the structure (or is an alias looping back?)",
    )


def _first_of_each_key(
    pairs: Iterable[tuple[yaml.Node, yaml.Node]],
) -> list[tuple[yaml.Node, yaml.Node]]:
    """PAIRS without those whose scalar key came before (the first merged wins)."""
    seen: set[tuple[str, object]] = set()
    kept: list[tuple[yaml.Node, yaml.Node]] = []
    for pair in pairs:
        key = pair[0]
        name = (key.tag, key.value) if isinstance(key, yaml.ScalarNode) else None
        if name is not None and name in seen:
            continue
        if name is not None:
            seen.add(name)
        kept.append(pair)
    return kept


class _Bounded(yaml.constructor.SafeConstructor):
    """The constructor side of both loaders: merge-key flattening stops at MAX_DEPTH instead of
    recursing until Python's stack runs out, and repeats (values reached again through an alias
    or merged in by `<<`) are counted against MAX_REPEATS."""

    def _bounds(self, file: str) -> None:
        self.file = file
        self.depth = 0
        self.repeats = 0
        self.flat: set[int] = set()  # ids of mappings whose merge keys are resolved
        # mapping id -> the ids of the pairs merged in, each with its rank in YAML's order:
        # the first mapping of `<<: [*a, *b]` first, each as flattened in turn
        self.merged: dict[int, dict[int, int]] = {}

    def _in_order(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """A flattened mapping's pairs as YAML ranks them: its own keys, then those it merged
        in, in their rank (a reviewer's `<<: *a` where `a` merged `base` and overrode its
        geo took base's)."""
        merged = self.merged.get(id(node), {})
        own = [pair for pair in node.value if id(pair) not in merged]
        return own + sorted((p for p in node.value if id(p) in merged), key=lambda p: merged[id(p)])

    def repeat(self, count: int, line: int) -> None:
        """Count values that repeat others; past MAX_REPEATS the file is refused."""
        self.repeats += count
        if self.repeats > MAX_REPEATS:
            raise _Refused(
                Problem(
                    self.file,
                    line,
                    f"aliases (*name) or merge keys (<<) here expand to more than "
                    f"{MAX_REPEATS:,} values; write the values out, or nest fewer aliases",
                )
            )

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """PyYAML's merge, once per mapping, after bounding its depth and its size (PyYAML
        walks every pair of every mapping merged in, however often it is named)."""
        if id(node) in self.flat:
            return
        line = node.start_mark.line + 1
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(_too_deep(self.file, line))
            sources = [
                source
                for key, value in node.value
                if key.tag == MERGE
                for source in (value.value if isinstance(value, yaml.SequenceNode) else [value])
                if isinstance(source, yaml.MappingNode)
            ]
            if sources:
                for source in sources:
                    self.flatten_mapping(source)
                self.repeat(sum(len(source.value) for source in sources), line)
                own = {id(pair) for pair in node.value}
                super().flatten_mapping(node)  # its checks (what `<<` may name), and its keys
                # the pairs merged in are the sources', in YAML's rank, not what PyYAML left:
                # 6.0 to 6.0.3 reverse the list of mappings, 6.0.4 does not and drops a pair
                # whose key is the very string object of one before (every one-letter key:
                # a reviewer's; a tester's person moved geo with PyYAML)
                merged = _first_of_each_key(
                    pair for source in sources for pair in self._in_order(source)
                )
                node.value = [*merged, *(pair for pair in node.value if id(pair) in own)]
                rank: dict[int, int] = {}
                for pair in merged:
                    rank.setdefault(id(pair), len(rank))
                self.merged[id(node)] = rank
            self.flat.add(id(node))
        finally:
            self.depth -= 1


class _Loader(_Bounded, yaml.SafeLoader):
    """The pure-Python loader: composing stops at MAX_DEPTH, at the line past the bound. It
    also reports every syntax error, so messages do not depend on whether libyaml is there."""

    def __init__(self, text: str, file: str) -> None:
        yaml.SafeLoader.__init__(self, text)
        self._bounds(file)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH + 1:  # the root is composed at depth 1
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _Refused(_too_deep(self.file, event.start_mark.line + 1))
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _libyaml_bounds_nesting() -> bool:
    """Whether this libyaml refuses nesting past 1,000 levels itself (newer builds do), which
    bounds the recursion of PyYAML's C composer; older ones need _shallow's check first."""
    try:
        for _ in yaml.parse("[" * 1001, Loader=yaml.CSafeLoader):
            pass
    except yaml.YAMLError as error:
        return "maximum nesting depth" in str(error)
    return False


if yaml.__with_libyaml__:

    class _CLoader(_Bounded, yaml.CSafeLoader):
        """libyaml's composer: several times faster, and its nodes keep their lines. Aliases
        and merge keys are bounded after composing, by _Builder and flatten_mapping, as for the
        pure loader; its recursion is bounded by libyaml itself or by _shallow."""

        def __init__(self, text: str, file: str) -> None:
            yaml.CSafeLoader.__init__(self, text)
            self._bounds(file)

    _FAST: type[_CLoader] | None = _CLoader
    _NESTING_BOUNDED = _libyaml_bounds_nesting()
else:  # PyYAML built without libyaml: the pure-Python loader does it all
    _FAST = None
    _NESTING_BOUNDED = False


def _shallow(text: str) -> bool:
    """Whether libyaml reads text as events nested at most MAX_DEPTH deep (flat C events,
    a quarter of the cost of composing; libyaml's own parser does not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except (yaml.YAMLError, UnicodeEncodeError):
        return False
    return True


class _Builder:
    """Turns a composed YAML node tree into plain data, recording lines and duplicate keys.

    Aliases make the tree a graph: a value reached again is a repeat, counted against the
    loader's bound so nested aliases cannot expand exponentially. Depth is bounded too (an
    alias can put a deep value deeper still), and an alias inside its own anchor is refused.
    """

    def __init__(self, loader: _Bounded, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[Loc, int] = {}
        self.written: dict[Loc, str] = {}
        self.problems: list[Problem] = []
        self.refused: set[Loc] = set()
        self.bad_values: list[tuple[Loc, int, yaml.Node]] = []  # said once it is all read
        self._seen: set[int] = set()  # ids of nodes built at least once
        self._path: set[int] = set()  # ids of the collections being built, root to here

    def build(self, node: yaml.Node, loc: Loc, here: int = 1) -> Any:
        """The value of node. `here` is the line of this file's own text that holds it, where
        a problem inside a repeat is reported (a repeat's own lines are the anchor's)."""
        repeat = id(node) in self._seen
        if repeat:
            self.loader.repeat(1, here)
        else:
            self._seen.add(id(node))
            here = node.start_mark.line + 1
        if len(loc) > MAX_DEPTH:
            raise _Refused(_too_deep(self.file, here))
        self.lines[loc] = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self._value(node, loc)
        if id(node) in self._path:
            raise _Refused(
                Problem(
                    self.file,
                    here,
                    "an alias (*name) here refers to the value that contains it; "
                    "a value cannot include itself",
                )
            )
        self._path.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc, here, repeat)
            return [self.build(item, (*loc, i), here) for i, item in enumerate(node.value)]
        finally:
            self._path.discard(id(node))

    def _value(self, node: yaml.Node, loc: Loc) -> Any:
        """A scalar value; what YAML read as other than text (`NO` as false) keeps its text,
        and a value YAML cannot construct (a date of month 13, a number of 5,000 digits) is
        reported once, here, and kept as its text."""
        try:
            value = self._scalar(node)
        except UNREADABLE:
            self.bad_values.append((loc, node.start_mark.line + 1, node))
            self.refused.add(loc)
            return node.value
        if node.tag != STR:
            self.written[loc] = str(node.value)
        return value

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == STR:  # most values: what SafeConstructor returns, without its bookkeeping
            return node.value
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, here: int, repeat: bool) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        merged = self.loader.merged.get(id(node), {})
        # the mapping's own keys first: they override keys merged in by `<<`, and of those
        # the first one merged wins, as YAML's merge key says
        pairs = sorted(node.value, key=lambda pair: (id(pair) in merged, merged.get(id(pair), 0)))
        result: dict[Any, Any] = {}
        for pair in pairs:
            key_node, value_node = pair
            # a collection as a key is never a plain name: refuse it without building it
            try:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            except UNREADABLE:
                key = None  # a date-like key: not a plain name either
            if not isinstance(key, str | int):
                self.problems.append(self._at(key_node, "a key must be a plain name"))
                continue
            if key in result:
                if id(pair) not in merged:
                    first = self.lines.get((*loc, key), 0)
                    self.problems.append(
                        self._at(
                            key_node,
                            f"duplicate key '{key}' (first at line {first}); keep one of them",
                        )
                    )
                continue
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
            own = not repeat and id(pair) not in merged
            result[key] = self.build(
                value_node, (*loc, key), key_node.start_mark.line + 1 if own else here
            )
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
        return result

    def _at(self, node: yaml.Node, message: str) -> Problem:
        return Problem(self.file, node.start_mark.line + 1, message)


MAX_SHOWN = 80  # characters of a value quoted in a message


def shorten(value: object, most: int = MAX_SHOWN) -> str:
    """A value as a message quotes it: at most MOST characters, on one line."""
    text = " ".join(str(value).split())
    return text if len(text) <= most else text[: most - 1] + "…"


def _bad_values(found: Iterable[tuple[Loc, int, yaml.Node]], data: Any, file: str) -> list[Problem]:
    """Each value YAML took for a date or a number but cannot be one, named as any value is
    (`'end_date' of cohort 'fy27-pilot'`): the whole file is read by then."""
    from automation.config.wording import label  # noqa: PLC0415 - wording imports this module

    return [
        Problem(file, line, f"{label(loc, data)}: {_bad_value(node)}") for loc, line, node in found
    ]


def _bad_value(node: yaml.Node) -> str:
    """What is wrong with a value YAML cannot construct: a date that is none, a number too
    long for Python to read (over 4,300 digits: a fuzzing trial read "is not a date"), or a
    value its explicit tag does not fit (`!!int 12a`, `!!bool maybe`)."""
    text = str(node.value)
    tag = str(node.tag).removeprefix(YAML_TAG)
    if tag == "timestamp":
        return bad_date(text)
    if tag in {"int", "float"} and len(text) > MAX_DIGITS:
        return f"'{shorten(text)}' has {len(text):,} characters, too many for a number; fix it"
    return f"'{shorten(text)}' cannot be read as `!!{shorten(tag, 30)}`; fix the value or the tag"


YAML_TAG = "tag:yaml.org,2002:"
MAX_DIGITS = 4300  # Python's limit on the digits of a number read from text
# what PyYAML's constructors raise on a value that does not fit its tag (`!!int ''` is an
# IndexError, `!!bool maybe` a KeyError: a trial's `validate` crashed on them)
UNREADABLE = (ValueError, KeyError, IndexError, AttributeError, TypeError)


def bad_date(text: str) -> str:
    """What is wrong with a value YAML took for a date but cannot be one (2026-02-30)."""
    found = re.match(r"(\d{4})-(\d{1,2})-\d{1,2}", text)
    year, month = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    if not 1 <= month <= 12:
        why = f"there is no month {month}" if found else "not a valid date or time"
    else:
        days = calendar.monthrange(year, month)[1]
        why = f"{calendar.month_name[month]} {year} has {days} days"
    return f"'{shorten(text)}' is not a date: {why}; write dates as YYYY-MM-DD, e.g. 2026-03-31"


def parse_yaml(text: str, file: str) -> Source:
    """Parse YAML text safely; syntax errors, duplicate keys, values YAML cannot construct and
    text past the bounds (size, nesting, alias expansion) become ConfigError, never a hang or a
    traceback."""
    source = parse_yaml_partly(text, file)
    if source.problems:
        raise ConfigError(source.problems)
    return source


# YAML 1.1 (PyYAML) ends a line at these, where editors show none: a tester's pasted line
# separator made a valid file "could not find expected ':'" at the wrong line, and put every
# later line number off by one. Read as the spaces they look like.
_EDITORS_SPACES = dict.fromkeys((0x85, 0x2028, 0x2029), " ")


def parse_yaml_partly(text: str, file: str) -> Source:
    """Parse YAML text safely, like parse_yaml; but problems of single values (a duplicate key,
    a bad date) come back in Source.problems, with everything else still read, so the checks
    that follow can find the file's other problems in the same run."""
    if len(text) > MAX_BYTES:
        raise ConfigError([_too_large(file)])
    text = text.translate(_EDITORS_SPACES)
    if _FAST is not None and (_NESTING_BOUNDED or _shallow(text)):
        try:
            return _parse(_FAST, text, file)
        except (ConfigError, UnicodeEncodeError):  # libyaml cannot encode a lone surrogate
            pass  # every problem is reported by the pure loader, as where libyaml is missing
    return _parse(_Loader, text, file)


def _parse(kind: type[_Loader | _CLoader], text: str, file: str) -> Source:
    loader = None
    try:
        loader = kind(text, file)  # the pure loader checks the characters here
        node = loader.get_single_node()
        if node is None:
            return Source(file, None, {(): 1})
        builder = _Builder(loader, file)
        data = builder.build(node, ())
    except _Refused as refused:
        raise ConfigError([refused.problem]) from None
    except yaml.MarkedYAMLError as error:
        # only the pure loader's message is shown: parse_yaml_partly reads the text again with
        # it after libyaml fails, so libyaml's is not worth reading the text again for
        pure = text if kind is _Loader else None
        raise ConfigError([_syntax_problem(error, file, pure)]) from error
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        message = f"character U+{error.character:04X} is not allowed in YAML; remove it"
        raise ConfigError([Problem(file, line, message)]) from error
    except yaml.YAMLError as error:
        raise ConfigError([Problem(file, 1, f"not valid YAML: {error}")]) from error
    except RecursionError:  # a bound above should have stopped it first; never a traceback
        raise ConfigError([_too_deep(file, 1)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Source(
        file,
        data,
        builder.lines,
        builder.written,
        (*builder.problems, *_bad_values(builder.bad_values, data, file)),
        frozenset(builder.refused),
    )


def _too_large(file: str) -> Problem:
    return Problem(
        file,
        1,
        f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; a configuration file "
        "this big is a mistake: split it or remove what is not needed",
    )


_MISALIGNED = (
    "this line is indented differently from the lines it belongs with; line it up with them, "
    "using spaces (YAML reads nesting from indentation)"
)


def _syntax_problem(error: yaml.MarkedYAMLError, file: str, text: str | None) -> Problem:
    """A syntax error said at the line to fix; TEXT, when given, is scanned again to find a
    quote left open before it."""
    unclosed = _unclosed_quote(error, file, text) if text is not None else None
    if unclosed is not None:  # before all else: what follows such a quote only looks broken
        return unclosed
    early = _closed_early(error, file, text) if text is not None else None
    early = early or _anchor_twice(error, file)
    if early is not None:
        return early
    if (error.context or "").startswith("while parsing a block") and error.problem_mark:
        # a list or mapping broken by indentation: the line that broke it, not its start
        return Problem(file, error.problem_mark.line + 1, f"YAML syntax error: {_MISALIGNED}")
    mark = error.context_mark or error.problem_mark  # where the broken construct starts
    line = mark.line + 1 if mark is not None else 1
    what = error.problem or error.context or "syntax error"
    if "'\\t'" in what:  # PyYAML: found character '\t' that cannot start any token
        line = error.problem_mark.line + 1 if error.problem_mark else line
        return Problem(file, line, _tab_said(error.problem_mark, text))
    hinted = _hinted(error, file, text)
    if hinted is not None:
        return hinted
    return Problem(file, line, f"YAML syntax error: {what}; fix the indentation or quoting there")


_KEY_MISPLACED = (
    "this line's key is indented differently from the keys it belongs with: line it up with "
    "them, using spaces (YAML reads nesting from indentation); if it is a value with `: ` in "
    "it, put the whole value in quotes"
)


def _hinted(error: yaml.MarkedYAMLError, file: str, text: str | None) -> Problem | None:
    """The commonest mistakes, said in the file's own terms at the line YAML refused."""
    mark, what = error.problem_mark, error.problem or error.context or ""
    if mark is None:
        return None
    if _key_misplaced(error, text):
        return Problem(file, mark.line + 1, f"YAML syntax error: {_KEY_MISPLACED}")
    hint = next((hint for says, hint in _HINTS if says in what), None)
    return Problem(file, mark.line + 1, f"YAML syntax error: {hint}") if hint else None


def _key_misplaced(error: yaml.MarkedYAMLError, text: str | None) -> bool:
    """Whether YAML refused a line's first ': ' (a key where none may start: one indented
    further than the keys it belongs with), not one after a value's text (`name: FY27:
    pilot`, which quotes mend): a newcomer who indented `name:` too far was told to quote it."""
    mark = error.problem_mark
    if "mapping values are not allowed here" not in (error.problem or "") or mark is None:
        return False
    lines = (text or "").split("\n")
    before = lines[mark.line][: mark.column] if mark.line < len(lines) else ": "
    return ": " not in before and ":\t" not in before


_TWICE = re.compile(r"found duplicate anchor (?P<name>'[^'\n]*')")


def _anchor_twice(error: yaml.MarkedYAMLError, file: str) -> Problem | None:
    """An anchor (`&amer`) given twice, said at its second line with its name and the first
    (an attacker's trial read "line 110: second occurrence; fix the indentation")."""
    found = _TWICE.match(error.context or "")
    if found is None or error.problem_mark is None or error.context_mark is None:
        return None
    return Problem(
        file,
        error.problem_mark.line + 1,
        f"YAML syntax error: the anchor {found['name']} is also given on line "
        f"{error.context_mark.line + 1}; give one of them another name",
    )


_HINTS = (  # (what PyYAML says, what a person should read), a tester's commonest mistakes
    (
        "found character '@' that cannot start any token",
        "a value starts with '@' (write a username without it, or put the value in quotes)",
    ),
    (
        "found character '`' that cannot start any token",
        "a value starts with '`'; put the whole value in quotes",
    ),
    (
        "mapping values are not allowed here",
        "a `: ` inside a value (as in `name: FY27: pilot`): put the whole value in quotes; "
        "if the line holds a key of its own, line it up with the keys it belongs with",
    ),
)


_QUOTE_NAMES = {"'": "single quote (')", '"': 'double quote (")'}


def _tab_said(mark: yaml.Mark | None, text: str | None) -> str:
    """What to say of a tab the pure loader refuses: in the indent, or after text on its line
    (which libyaml lets pass: a tester's file was valid with it and refused without)."""
    lines = (text or "").split("\n")
    before = lines[mark.line][: mark.column] if mark and mark.line < len(lines) else ""
    if before.strip(" -?"):  # text, not only the indent and a list's `-` (a reviewer's `-\t`)
        return (
            "a tab character after text on this line: some YAML readers (PyYAML without "
            "libyaml) refuse it there; use spaces"
        )
    return "a tab character: YAML indents with spaces only; use spaces"


def _closed_early(error: yaml.MarkedYAMLError, file: str, text: str) -> Problem | None:
    """A quoted value with more text after its closing quote on the same line: most often an
    apostrophe inside single quotes (`name: 'Jordan O'Alvarez'`), which YAML takes for the
    closing quote. PyYAML calls the rest a value out of place, said as bad indentation."""
    found = error.problem_mark
    if found is None or "found '<scalar>'" not in (error.problem or ""):
        return None
    lines = text.split("\n")
    before = lines[found.line][: found.column].rstrip() if found.line < len(lines) else ""
    if not before.endswith(tuple(_QUOTE_NAMES)):
        return None
    return Problem(
        file,
        found.line + 1,
        "YAML syntax error: text follows the closing quote of a value on this line (an "
        "apostrophe inside single quotes ends them); write an apostrophe inside single quotes "
        "as two ('O''Brien'), or put the whole value in double quotes",
    )


def _unclosed_quote(error: yaml.MarkedYAMLError, file: str, text: str) -> Problem | None:
    """A quote left open, said at the line where it opens. YAML reads on to the next quote
    of the same kind, maybe lines further (an apostrophe in a comment), and what follows that
    one is where it fails: that line looks broken when it is not. Or there is no other quote
    and the value runs to the end of the file. A quoted value that legitimately spans lines
    loads, and is not suspected unless the file breaks right after it."""
    found = error.problem_mark
    if found is None or not isinstance(error, yaml.scanner.ScannerError | yaml.parser.ParserError):
        return None
    opened = error.context_mark
    if error.context == "while scanning a quoted scalar" and opened is not None:
        start = opened.line + 1
        quote = _QUOTE_NAMES.get(text[opened.index : opened.index + 1], "quote")
        if "document separator" in (error.problem or ""):
            runs = f"before line {found.line + 1}, a '---' or '...' line that ends the document"
        else:
            runs = "(the value runs to the end of the file)"
        return Problem(
            file,
            start,
            f"YAML syntax error: the {quote} opened on this line is never closed {runs}; "
            f"close it on line {start}",
        )
    tab = "'\\t'" in (error.problem or "")  # a tab is said at its own line, if not the quote's
    token = _quoted_before(text, found, tab)
    if token is None:
        return None
    start, end, broken = token.start_mark.line + 1, token.end_mark.line + 1, found.line + 1
    quote = _QUOTE_NAMES[str(token.style)]
    fails = "where" if broken == end else f"and on line {broken}"
    return Problem(
        file,
        start,
        f"YAML syntax error: the {quote} opened on this line is not closed on it, so the value "
        f"runs on to the next such quote, on line {end}, {fails} the file can no longer be read; "
        f"close the quote on line {start} (if the value is meant to run on, fix line {broken})",
    )


def _quoted_before(text: str, found: yaml.Mark, tab: bool) -> yaml.ScalarToken | None:
    """The quoted value spanning lines that the file breaks right after (on its last line, or
    at the next token but for ends of indentation, unless it breaks at a TAB), if any. The text
    is scanned again up to where the loader stopped: the loader does not keep its tokens."""
    where = (found.line, found.column)
    quoted: yaml.ScalarToken | None = None
    last: yaml.Token | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (token.start_mark.line, token.start_mark.column) >= where:
                break
            if isinstance(token, yaml.BlockEndToken):
                continue
            last = token
            spans = token.start_mark.line < token.end_mark.line
            if isinstance(token, yaml.ScalarToken) and token.style in _QUOTE_NAMES and spans:
                quoted = token
    except yaml.YAMLError:
        pass  # a scanner error: the loader stopped at the same place
    if quoted is None or not (quoted.end_mark.line == found.line or (last is quoted and not tab)):
        return None
    return quoted


def read_yaml(path: Path, file: str) -> Source:
    """Read and parse one YAML file as parse_yaml_partly does; an unreadable, oversized or
    unparsable file is a ConfigError (the size is checked before parsing, and no more than the
    bound is ever read)."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise ConfigError([_too_large(file)])
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError([not_utf8(file, raw, error)]) from error
    except OSError as error:
        raise ConfigError([Problem(file, 1, f"cannot read the file: {error}")]) from error
    return parse_yaml_partly(text, file)


def in_other_case(path: Path) -> str:
    """What to add where PATH is not found but its folder has it in other capitals (saved on
    a disk that ignores case, Windows's or macOS's: a tester's `People.yml` was "not found"
    on Linux CI alone), or ''."""
    missing = path
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent  # a folder in other capitals (templates/ESP/) too
    folder, wanted = missing.parent, missing.name.casefold()
    try:
        found = sorted(
            p.name
            for p in folder.iterdir()
            if p.name.casefold() == wanted and p.name != missing.name  # (a link gone nowhere)
        )
    except OSError:
        return ""
    if not found:
        return ""
    return f" ({folder / found[0]} is there: names are told apart by case here; rename it)"


def not_utf8(file: str, raw: bytes, error: UnicodeDecodeError) -> Problem:
    """A file saved in another encoding than UTF-8, at the line of its first odd byte."""
    line = raw.count(b"\n", 0, error.start) + 1
    return Problem(
        file,
        line,
        f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} here); save it as UTF-8 "
        "in your editor (Save with Encoding, or Save As and choose UTF-8)",
    )


def duplicates(  # noqa: PLR0917
    source: Source,
    locs: Sequence[Loc],
    values: Sequence[str],
    what: str,
    fix: str = "keep one",
    written: Sequence[str] | None = None,
) -> Iterator[Problem]:
    """Problems for values that appear more than once, each pointing at the repeat and
    quoting it as WRITTEN when the values compared are folded (a tester read 'modul 1:
    masse' of a heading written 'Modul 1: Maße')."""
    first: dict[str, int] = {}
    for n, (loc, value) in enumerate(zip(locs, values, strict=True)):
        if value in first:
            said = written[n] if written is not None else value
            yield source.problem(
                loc, f"{what} '{said}' appears twice (first at line {first[value]}); {fix}"
            )
        first.setdefault(value, source.line_of(loc))
