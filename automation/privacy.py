"""What every output may show: confidential items only by reference, and nothing a terminal
would obey. Every line, warning, failure and JSON string the tool prints or writes outside
GitLab issues passes through one `Privacy`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from automation.config.models import Person, by_username
from automation.desired import DesiredProgram
from automation.errors import Problem
from automation.kinds.registry import secret_words

HIDDEN = "[confidential]"
_TERMINAL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clearing
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks
    r"|\x1b[@-_]?"  # any other escape
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other control characters (tab and newline stay)
    # bidirectional overrides and isolates, line and paragraph separators: a value from
    # configuration could reorder or split a line of a CI log (an attacker's trial)
    r"|[\u2028-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """Text with every terminal escape sequence and control character removed."""
    return _TERMINAL.sub("", text)


@dataclass(frozen=True)
class Privacy:
    """The confidential programs, whose items are shown as their program and issue number
    wherever they appear (their keys name people), and the people in them (usernames and
    names, shown as [confidential] in anything said about a confidential program)."""

    programs: frozenset[str] = frozenset()  # ids of the confidential programs
    names: frozenset[str] = frozenset()
    _pattern: re.Pattern[str] | None = field(default=None, init=False, compare=False)
    _keys: re.Pattern[str] | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        keys = [rf"{re.escape(program)}/[\w.\-/]*[\w]" for program in sorted(self.programs)]
        words = [re.escape(name) for name in sorted(self.names, key=len, reverse=True) if name]
        object.__setattr__(self, "_keys", _words(keys))
        object.__setattr__(self, "_pattern", _words([*keys, *words]))

    def hides(self, key: str) -> bool:
        """Whether KEY is a confidential program's item."""
        return key.split("/", 1)[0] in self.programs

    def reference(self, key: str, iid: int | None) -> str:
        """How outputs name an item: its key, or for a confidential one its program and
        issue number."""
        if not self.hides(key):
            return key
        where = f" #{iid}" if iid else ""
        return f"{key.split('/', 1)[0]}{where} (confidential)"

    def located(self, key: str, iid: int | None) -> str:
        """How a failure names its item: as `reference` does, but a confidential item with
        no issue yet by its key with every part that names someone (or a customer) hidden,
        so the cohort and the kind of issue still tell where to look (a tester: two items
        failed as "sales-sponsorship (confidential)", with nothing to find them by)."""
        if iid or not self.hides(key):
            return self.reference(key, iid)
        hidden = {name.lower() for name in self.names}
        program, *rest = key.split("/")
        parts = [HIDDEN if part in hidden else part for part in rest]
        # `program: rest`, which no later pass over the line takes for a key to hide again (a
        # tester saw "(confidential) (confidential)" printed)
        return f"{program}: {'/'.join(parts)} (confidential)"

    def text(self, text: str) -> str:
        """Any text for an output: confidential keys replaced, no terminal escapes."""
        text = printable(text)
        return self._keys.sub(self._replace, text) if self._keys else text

    def about(self, program: str | None, text: str) -> str:
        """Text said about PROGRAM (None: not known): for a confidential program, or when
        unknown, its people are hidden too."""
        if program is not None and program not in self.programs:
            return self.text(text)
        text = printable(text)
        return self._pattern.sub(self._replace, text) if self._pattern else text

    def _replace(self, match: re.Match[str]) -> str:
        word = match.group(0)
        return self.reference(word, None) if self.hides(word) and "/" in word else HIDDEN

    def lines(self, lines: Iterable[str]) -> list[str]:
        """Each line through `text`."""
        return [self.text(line) for line in lines]


_QUOTED_VALUE = re.compile(r"(?<!\w)'[^'\n]*'(?!\w)|\"[^\"\n]*\"")
# values Jinja names unquoted: a key it did not find (`has no element 10`, a grade), a date
_BARE_VALUE = re.compile(r"(?<=has no element )[^;\n]+|datetime\.\w+\([^)\n]*\)")


def names_of(people: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The names that tell people (username, name): each, and each part of a name, over two
    letters long."""
    return frozenset(n for u, name in people for n in (u, name, *name.split()) if len(n) > 2)


def unnamed(
    problems: Sequence[Problem], names: frozenset[str], values: bool = True
) -> list[Problem]:
    """A confidential program's problems with none of NAMES (names_of) in them, and with VALUES no
    quoted value either: what a template or title failed on (a sponsee's name, a path made of
    a username) would tell who is in the program, and these messages reach CI logs. Every
    username, name and part of a name goes wherever it stands (in `reasons.lena.fischer`
    too); the file and line still find the place. A program file's own problems keep their
    values (the statuses a field allows, say): only names are taken out of them; so does a
    quoted word the file spells itself at that line (Problem.literal)."""
    words = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    # `_` is a letter of a setting's name: a name part inside one is not that name (an
    # attacker's trial read `sponsorship.scores.[confidential]_days`, Grace's first name)
    pattern = re.compile(rf"(?<![A-Za-z_])(?:{words})(?![A-Za-z_])", re.I) if words else None

    near = _near_names(names)

    def hidden(quoted: str, literal: frozenset[str]) -> str:
        value = quoted[1:-1]
        return f"'{HIDDEN}'" if value not in literal and near(value) else quoted

    def redacted(problem: Problem) -> str:
        message = _QUOTED_VALUE.sub(lambda m: hidden(m[0], problem.literal), problem.message)
        if values:
            message = _QUOTED_VALUE.sub(lambda m: _quoted(m[0], problem.literal), message)
            message = _BARE_VALUE.sub(HIDDEN, message)
        return pattern.sub(HIDDEN, message) if pattern else message

    return [replace(problem, message=redacted(problem)) for problem in problems]


def _near_names(names: frozenset[str]) -> Callable[[str], bool]:
    """Whether a quoted value is one of NAMES typed a key or two off (a privacy trial:
    `program manager 'mcanary.lea' is not in the roster` named a confidential program's
    manager in CI logs, beside `did you mean '[confidential]'`)."""
    known = [name.lower() for name in names]

    def near(value: str) -> bool:
        word = value.lower()
        return len(word) > 2 and bool(difflib.get_close_matches(word, known, n=1, cutoff=0.8))

    return near


def _quoted(value: str, literal: frozenset[str]) -> str:
    """A quoted VALUE as an output about a confidential program shows it: hidden, unless the
    file spells it itself there (LITERAL: a template's attribute name)."""
    return value if value[1:-1] in literal else f"'{HIDDEN}'"


def _words(alternatives: list[str]) -> re.Pattern[str] | None:
    """One pattern for whole words (keys, usernames, names) among ALTERNATIVES."""
    if not alternatives:
        return None
    either = "|".join(alternatives)
    return re.compile(rf"(?<![\w.\-/])(?:{either})(?![\w\-/]|\.\w)", re.I)


def privacy_of(
    programs: Iterable[DesiredProgram],
    people: Iterable[Person],
    others: Iterable[Mapping[str, object]] = (),
) -> Privacy:
    """The confidential items of these programs and the people they are about: assignees,
    roster people whose username is part of an item's key (a sponsee's pair), and everyone a
    confidential program's file names, with their managers (a pair set back to approved has
    no item, and GitLab's answer about its issue named its sponsee); and of the
    OTHER confidential programs, not rendered in this run (an event's, `--program`: each a
    program's `model_dump()` or its file's data, as written), with the people their files
    name and their managers: a line of such a run may still be about their items (a tester:
    an event run printed a pair's key)."""
    programs, others = tuple(programs), tuple(others)
    confidential: set[str] = set()
    usernames: set[str] = set()
    roster = by_username(people)
    secrets: set[str] = set()  # what confidential programs name besides people (customers)
    for desired in programs:
        hidden = desired.program.outputs_hidden
        if hidden:  # a pair not released, or one released no more
            confidential.add(desired.program.id)
            usernames |= _named_in(desired.program.model_dump(), roster)
        shards = {item.key for item in desired.ledgers}  # confidential in any program
        for item in desired.every_issue():
            if (not item.confidential or item.key in shards) and not hidden:
                continue
            confidential.add(desired.program.id)
            usernames.update(name.lower() for name in item.assignees)
            usernames.update(part.lower() for part in item.key.split("/") if part.lower() in roster)
    for data in others:
        if isinstance(data.get("id"), str):
            confidential.add(str(data["id"]))
            usernames |= _named_in(data, roster)
    for data in (*(d.program.model_dump() for d in programs), *others):
        if data.get("id") in confidential:
            secrets |= secret_words(data)
            former = data.get("renamed_from")
            confidential |= {former} if isinstance(former, str) else set()
    names = {name for username in usernames for name in _names(username, roster)}
    return Privacy(frozenset(confidential), frozenset(names | secrets))


def _named_in(data: Mapping[str, object], roster: Mapping[str, Person]) -> set[str]:
    """The roster's usernames a program's file names anywhere, and their managers'."""
    named = {word.lower() for word in strings_in(data) if word.lower() in roster}
    managers = (roster[name].manager for name in named)
    return named | {manager.lower() for manager in managers if manager}


def strings_in(data: object) -> Iterator[str]:
    """Every string in DATA (a program's `model_dump()`, or its file's data)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, (list, tuple, set, frozenset)):
        for value in data:
            yield from strings_in(value)


def _names(username: str, roster: Mapping[str, Person]) -> set[str]:
    person = roster.get(username)
    return {username, person.name} if person else {username}
