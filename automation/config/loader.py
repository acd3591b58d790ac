"""Load config/ into validated models; every problem is reported at once with its file:line."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from automation.config import wording
from automation.config.checks import Entries, check_references
from automation.config.models import Config, JobGrades, Person, Program, Roster, Settings
from automation.config.source import Loc, Source, in_other_case, read_yaml, shorten
from automation.errors import ConfigError, Problem, UsageError
from automation.kinds.registry import (
    confidential_data,
    confidential_kinds,
    kind_named,
    kinds,
    program_schema,
    secret_words,
)
from automation.privacy import HIDDEN, names_of, strings_in, unnamed

SETTINGS_FILE = "settings.yml"
PEOPLE_FILE = "people.yml"
GRADES_FILE = "job-grades.yml"
PROGRAMS_DIR = "programs"


@dataclass(frozen=True)
class Loaded:
    """A validated configuration with the parsed files it came from (for locating problems)."""

    config: Config
    roster: Source
    programs: tuple[Source, ...]  # in the order of config.programs
    read: tuple[Program, ...] = ()  # every program read, chosen or not
    aside: tuple[Problem, ...] = ()  # problems of programs not chosen (they do not block)
    # the confidential program files not chosen, as written: outputs hide what they name
    withheld: tuple[Mapping[str, Any], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of every program read, chosen or not."""
        return tuple(p.id for p in self.read)


ProgramCheck = Callable[[Program, Source], list[Problem]]


def load_config(
    config_dir: Path,
    check_program: ProgramCheck | None = None,
    only: Collection[str] = (),
    templates_dir: Path | None = None,
    found: Sequence[Problem] = (),
    *,
    today: dt.date | None = None,
) -> Loaded:
    """Read, validate and cross-check config_dir. Every check runs on whatever loaded, so all
    problems are raised together, at once. With ONLY (program ids), the problems of the other
    programs' own files (their program file, and templates no chosen program names) are set
    aside instead, and only the chosen programs are kept. FOUND are problems found elsewhere
    (in templates), reported with these. TODAY, when given, is the day rules that hold only
    until something starts are checked on (a sponsorship match, once its cohort began)."""
    for folder, what, option in (
        (config_dir, "configuration", "--config"),
        (templates_dir, "templates", "--templates"),
    ):
        if folder is not None and not folder.is_dir():  # one problem, not one per file in it
            raise UsageError(  # a folder has no line to name (a tester read `config:1:`)
                f"{what} folder {folder} not found; pass {option} DIR or run from the project's "
                "top folder"
            )
    problems: list[Problem] = list(found)
    sources: dict[str, Source] = {}
    settings = _load(config_dir / SETTINGS_FILE, Settings, sources, problems)
    roster = _load(config_dir / PEOPLE_FILE, Roster, sources, problems)
    grades = _load_grades(config_dir, sources, problems)
    programs = _load_programs(config_dir, sources, problems)
    for program, source in programs:
        problems.extend(check_program(program, source) if check_program else [])
    people = sources.get(str(config_dir / PEOPLE_FILE))
    entries = _entries(roster, people) if people is not None else None
    if entries is not None and people is not None and grades is not None:
        problems.extend(check_references(entries, people, programs, grades, today))
    read = tuple(p for p, _ in programs)
    theirs = _confidential_templates(config_dir, templates_dir, sources)
    unsure = _unsure(config_dir, sources)
    problems = _unnamed_where_confidential(problems, sources, people, theirs, unsure)
    aside: list[Problem] = []
    withheld: Sequence[Mapping[str, Any]] = ()
    if only:
        others = _files_of_others(config_dir, templates_dir, sources, only)
        withheld = _confidential_among(sources, others)
        aside = [p for p in problems if p.file in others or p.file.startswith(others)]
        problems = [p for p in problems if p not in aside]
        programs = [(p, s) for p, s in programs if p.id in only]
    if problems or settings is None or roster is None or grades is None:
        raise ConfigError(problems)
    config = Config(
        settings=settings,
        people=roster.people,
        programs=tuple(p for p, _ in programs),
        grades=grades,
    )
    people_file = sources[str(config_dir / PEOPLE_FILE)]
    chosen = tuple(s for _, s in programs)
    return Loaded(config, people_file, chosen, read, tuple(sorted(set(aside))), tuple(withheld))


def _confidential_among(sources: dict[str, Source], files: Sequence[str]) -> list[dict[str, Any]]:
    """The data of the confidential program files among FILES, as written."""
    found = (sources.get(file) for file in files)
    return [
        s.data
        for s in found
        if s is not None and isinstance(s.data, dict) and _confidential_file(s)
    ]


def _confidential_templates(
    config_dir: Path, templates_dir: Path | None, sources: dict[str, Source]
) -> tuple[str, ...]:
    """The template files (and folders, ending in '/') of confidential programs alone (and of
    program files that could not be read: `_unread` says what those are)."""
    if templates_dir is None:
        return ()
    public = [
        source.data["id"]
        for source in sources.values()
        if isinstance(source.data, dict)
        and isinstance(source.data.get("id"), str)
        and not _confidential_file(source)
    ]
    return tuple(
        file
        for file in _files_of_others(config_dir, templates_dir, sources, public)
        if file.startswith(str(templates_dir))
    )


def _unnamed_where_confidential(
    problems: Sequence[Problem],
    sources: dict[str, Source],
    people: Source | None,
    templates: tuple[str, ...] = (),
    unsure: bool = False,
) -> list[Problem]:
    """The problems, those of a confidential program's file with no name in them
    (privacy.unnamed): a sponsee's username in a `leaving.reasons` key, say, would tell who
    is in the program, and these messages reach CI logs. The names are the roster's, as
    people.yml says them even when it has mistakes of its own; the value a check refused
    (`got '…'`) and a reason's key go whatever they are (a username not in the roster).
    When people.yml cannot be read, a confidential file's messages quote no value at all;
    when a program file cannot be read or names no known kind (UNSURE: it may be a
    confidential one), people.yml's hide everyone no public program file names (an
    attacker's trial: a typo in each of the two files a new sponsee is added to named them)."""
    names = names_of(_roster_entries(people))
    readable = bool(names)  # a roster of nobody (`peopel:`, a review) hides nobody either
    secret = {
        file: names | secret_words(source.data if isinstance(source.data, dict) else {})
        for file, source in sources.items()
        if _confidential_file(source)
    }
    every = frozenset(names.union(*secret.values()))
    public = [
        s
        for f, s in sources.items()
        if f not in secret and Path(f).parent.name == PROGRAMS_DIR and _known_kind(s)
    ]
    theirs = _named_by(people, [sources[file] for file in secret], public, unsure)
    return [
        unnamed([problem], frozenset())[0]
        if problem.file in secret and not readable
        else unnamed([_without_values(problem)], secret[problem.file], values=False)[0]
        if problem.file in secret
        # people.yml's own mistakes (a timezone, a duplicate) hide the people confidential
        # files alone name: in a roster of nobody else, a username tells they are in one
        else unnamed([problem], theirs, values=False)[0]
        if people is not None and problem.file == people.file
        # a template's syntax error quotes what it failed on (an attacker's trial: `got
        # 'Lena'`, the word typed after a sponsee's name in a pair's template)
        else unnamed([problem], every)[0]
        if problem.file in templates or problem.file.startswith(_folders(templates))
        else problem
        for problem in problems
    ]


def _folders(files: Sequence[str]) -> tuple[str, ...]:
    return tuple(file for file in files if file.endswith("/"))


_GOT = re.compile(r"\(got '[^'\n]*'\)")  # the value a check refused
_KEYED = re.compile(r"(?<=reasons\.)[^'\n]+")  # a reason's key (a username), to the quote


# a choice mistyped (`status: Released`): a plain word is shown, since a person's username
# or a customer's name in it is hidden after, as everywhere (a newcomer's trial could not
# tell what was wrong with `(got '[confidential]')`)
_WORD = re.compile(r"\(got '[A-Za-z][A-Za-z-]{0,29}'\)")


# a number refused (`min_answers: 1`) names nobody: shown (a trial read "should be at least 2
# (got '[confidential]')" and could not tell what to fix)
_NUMBER = re.compile(r"\(got '-?\d{1,15}(?:\.\d{1,15})?'\)")


# a yes or a no where a number goes names nobody either (a review read "should be a number
# (got '[confidential]')" for `max_timezone_gap_hours: yes`)
_TRUTH = re.compile(r"\(got '(?:yes|no|true|false|on|off)'\)", re.IGNORECASE)


def _without_values(problem: Problem) -> Problem:
    message = problem.message
    chosen = "should be one of" in message and _WORD.search(message)
    if not chosen and not _NUMBER.search(message) and not _TRUTH.search(message):
        message = _GOT.sub(f"(got '{HIDDEN}')", message)
    return replace(problem, message=_KEYED.sub(HIDDEN, message))


def _named_by(
    people: Source | None,
    confidential: Sequence[Source],
    public: Sequence[Source],
    unsure: bool = False,
) -> frozenset[str]:
    """The names (names_of) of the roster's people that CONFIDENTIAL files name anywhere,
    and no PUBLIC program file does; UNSURE (a program file that may be confidential could
    not be read): of everyone no PUBLIC file names."""

    def named(sources: Sequence[Source]) -> set[str]:
        return {word.lower() for source in sources for word in strings_in(source.data)}

    shown = named(public)
    alone = named(confidential) - shown
    return names_of(
        (u, n)
        for u, n in _roster_entries(people)
        if u.lower() in alone or (unsure and u.lower() not in shown)
    )


def _unsure(config_dir: Path, sources: Mapping[str, Source]) -> bool:
    """Whether a program file could not be read, or names no known kind: it may be a
    confidential program's, whose people people.yml's messages must not name."""
    for path in _program_files(config_dir):
        source = sources.get(str(path))
        if source is None or not _known_kind(source):
            return True
    return False


def _known_kind(source: Source) -> bool:
    """Whether a program file's `kind:` is a known kind's (a misspelt one may be a
    confidential kind's)."""
    data = source.data if isinstance(source.data, dict) else {}
    return kind_named(data.get("kind")) is not None


def _roster_entries(people: Source | None) -> Iterator[tuple[str, str]]:
    """(username, name) of each entry of people.yml that has them, valid or not."""
    data = people.data if people is not None and isinstance(people.data, dict) else {}
    entries = data.get("people")
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict):
            username, name = entry.get("username"), entry.get("name")
            yield (str(username or ""), str(name or ""))


def _unread(path: Path, problems: Sequence[Problem]) -> Sequence[Problem]:
    """The problems of a file YAML could not read: one that cannot say whether it is a
    confidential program's is taken for one when its text says `confidential: true` or a
    kind confidential by default, and every value its messages quote is hidden (an attacker's
    trial: `sponsee: *lena` printed "found undefined alias 'lena'" in CI logs). So is
    people.yml's, when a program file's text says so: the value may be a name only a
    confidential program names (the same trial: `name: *Amara`)."""
    if path.name == PEOPLE_FILE and path.parent.name != PROGRAMS_DIR:
        files = _program_files(path.parent)
    else:
        files = [path]
    if not any(map(_says_confidential, files)):
        return problems
    return unnamed(problems, frozenset())


def _says_confidential(path: Path) -> bool:
    """Whether a file's text says `confidential: true` or a kind confidential by default."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return False
    kinds = "|".join(re.escape(kind) for kind in confidential_kinds()) or "(?!)"
    said = rf"\bconfidential\s*:\s*['\"]?(?:true|yes|on)\b|\bkind\s*:\s*['\"]?(?:{kinds})\b"
    return re.search(said, text, re.IGNORECASE) is not None


def _confidential_file(source: Source) -> bool:
    """Whether a file is a confidential program's, as its text says (valid or not)."""
    return confidential_data(source.data if isinstance(source.data, dict) else {})


def _files_of_others(
    config_dir: Path, templates_dir: Path | None, sources: dict[str, Source], only: Collection[str]
) -> tuple[str, ...]:
    """The files (and template folders, ending in '/') that belong to programs not in ONLY
    alone: their program files, the templates they name that no chosen program names, and
    templates/<their id>/."""
    theirs: set[str] = set()
    ours: set[str] = set()
    for path in _program_files(config_dir):
        data = sources[str(path)].data if str(path) in sources else None
        data = data if isinstance(data, dict) else {}
        program = data.get("id") if isinstance(data.get("id"), str) else path.stem
        if program in only:
            ours.update(_templates_named(data, templates_dir))
            continue
        theirs.add(str(path))
        theirs.update(_templates_named(data, templates_dir))
        if templates_dir is not None:
            theirs.add(f"{templates_dir / str(program)}/")
    return tuple(sorted(theirs - ours))


def _templates_named(data: dict[str, Any], templates_dir: Path | None) -> set[str]:
    """The template files a program file names directly."""
    if templates_dir is None:
        return set()
    names = [data.get("template")]
    names += [
        part.get("template")
        for part in (data.get("tracking"), data.get("plan"))
        if isinstance(part, dict)
    ]
    return {str(templates_dir / name) for name in names if isinstance(name, str)}


def _entries(roster: Roster | None, source: Source) -> Roster | Entries | None:
    """The roster to cross-check programs against: all of it, or when some entries have
    problems of their own, the others by position and the usernames of those (so programs
    are still checked in the same run, and naming a person whose entry is wrong is not a
    second problem)."""
    if roster is not None:
        return roster
    found = source.data.get("people") if isinstance(source.data, dict) else None
    if not isinstance(found, list):
        return None  # no list of people to check against
    valid: list[tuple[int, Person]] = []
    withheld: set[str] = set()
    for i, entry in enumerate(found):
        try:
            valid.append((i, Person.model_validate(entry)))
        except ValidationError:
            name = entry.get("username") if isinstance(entry, dict) else None
            withheld.update([name.lower()] if isinstance(name, str) else [])
    return Entries(tuple(valid), frozenset(withheld))


def _load_grades(
    config_dir: Path, sources: dict[str, Source], problems: list[Problem]
) -> JobGrades | None:
    """Job grades are optional: without the file no title has a grade."""
    path = config_dir / GRADES_FILE
    if not path.is_file():
        # meant, but not found on Linux (other capitals), or not a file
        if path.exists() or in_other_case(path):
            problems.append(Problem(str(path), 1, _not_found(path)))
        return JobGrades(families=())
    return _load(config_dir / GRADES_FILE, JobGrades, sources, problems)


def _load_programs(
    config_dir: Path, sources: dict[str, Source], problems: list[Problem]
) -> list[tuple[Program, Source]]:
    paths = _program_files(config_dir)
    if not paths:
        problems.append(
            Problem(
                str(config_dir / PROGRAMS_DIR),
                1,
                "no program files (*.yml or *.yaml) found; add one (see README.md, Configuration)",
            )
        )
    problems.extend(_nested(config_dir / PROGRAMS_DIR))
    problems.extend(_misnamed_programs(config_dir))
    loaded = [(path, _load_program(path, sources, problems)) for path in paths]
    return [(program, sources[str(path)]) for path, program in loaded if program is not None]


def _nested(folder: Path) -> list[Problem]:
    """Program files in a subfolder, which are never read (a tester's program there was not
    run, and `validate` counted the others as all there was)."""
    if not folder.is_dir():
        return []
    nested = sorted(
        path
        for pattern in ("*/**/*.yml", "*/**/*.yaml")
        for path in folder.glob(pattern)
        if path.is_file()
    )
    return [
        Problem(
            str(path),
            1,
            f"a file in a subfolder of {folder.name}/ is not read: programs are the files "
            f"directly in {folder}; move it there (or out of {folder} to keep it unread)",
        )
        for path in nested
    ]


def _program_files(config_dir: Path) -> list[Path]:
    """The program files: YAML by their name's ending in any case (`ESP.YML`, which a tester
    saw ignored without a word), never a hidden file (macOS's `._esp.yml` copies, an editor's
    `.#esp.yml` lock: a tester's stopped every run)."""
    folder = config_dir / PROGRAMS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in YAML_SUFFIXES
        and not path.name.startswith(".")
        and not path.is_dir()
    )


YAML_SUFFIXES = (".yml", ".yaml")  # both spellings are YAML


def _misnamed_programs(config_dir: Path) -> list[Problem]:
    """A program file an editor saved with `.txt` after its name (Notepad's "Text
    Documents"): otherwise silently no program."""
    folder = config_dir / PROGRAMS_DIR
    odd = folder.glob("*.txt") if folder.is_dir() else ()
    return [
        Problem(
            str(path),
            1,
            f"a program file's name ends in .yml or .yaml; rename it to {path.stem}",
        )
        for path in sorted(odd)
        if Path(path.stem).suffix.lower() in YAML_SUFFIXES
        and not path.name.startswith(".")
        and not (folder / path.stem).exists()  # a copy beside the file itself: no program
    ]


M = TypeVar("M", bound=BaseModel)


def load_settings(config_dir: Path) -> Settings | None:
    """settings.yml alone, for a run that may find it has nothing to do before reading the
    rest; None when it has problems (the full load says them, with every other problem)."""
    problems: list[Problem] = []
    settings = _load(config_dir / SETTINGS_FILE, Settings, {}, problems)
    return None if problems else settings


def _load(
    path: Path, model: type[M], sources: dict[str, Source], problems: list[Problem]
) -> M | None:
    source = _read(path, sources, problems)
    if source is None:
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        problems.extend(_translate(error, model, source))
        return None


def _load_program(
    path: Path, sources: dict[str, Source], problems: list[Problem]
) -> Program | None:
    """A program file as the model of its kind (`kind:` chooses it among the registered)."""
    source = _read(path, sources, problems)
    if source is None:
        return None
    try:
        return program_schema().validate_python(source.data)
    except ValidationError as error:
        problems.extend(_program_problems(error, source))
        return None


def _not_found(path: Path) -> str:
    """What to say of a file the configuration needs that is not a file (an attacker's trial:
    a folder in its place was "there: names are told apart by case here")."""
    if path.exists():
        return "not a file (a folder, or a pipe or device); put the YAML file itself here"
    if path.is_symlink():
        return "a link to a file that is not there (or a loop of links); put the file itself here"
    return f"file not found{in_other_case(path)}; create it (see README.md)"


def _read(path: Path, sources: dict[str, Source], problems: list[Problem]) -> Source | None:
    """The file parsed, when it is a mapping of keys to values."""
    file = str(path)
    if not path.is_file():
        said = _not_found(path)
        problems.append(Problem(file, 1, said))
        return None
    root = path.parent.parent if path.parent.name == PROGRAMS_DIR else path.parent
    if not path.resolve().is_relative_to(root.resolve()):  # its text could reach outputs
        message = (
            f"a link to a file outside {root}; it was not read. Put the file itself in "
            f"{root}, not a link to it"
        )
        problems.append(Problem(file, 1, message))
        return None
    try:
        source = read_yaml(path, file)
    except ConfigError as error:
        problems.extend(_unread(path, error.problems))
        return None
    problems.extend(source.problems)
    sources[file] = source
    if not isinstance(source.data, dict):
        problems.append(
            source.problem(
                (),
                f"{_found(source.data, path.name)}expected a mapping of keys to values "
                "('key: value' lines); see README.md, Configuration",
            )
        )
        return None
    return source


# the key a file's list belongs under, where a newcomer may have left it out (a review)
_LIST_KEYS = {"people.yml": "people", "job-grades.yml": "families"}


def _found(data: object, name: str) -> str:
    """What a file that is no mapping holds instead, and the likely slip (a newcomer: a
    program file written as a list was told what was expected, not what was found)."""
    if data is None:
        return "the file is empty (or only comments); "
    if not isinstance(data, list):
        return "the file holds a single value, not keys; "
    if name in _LIST_KEYS:
        return (
            f"the file is a list (its lines start with '- '): put it under a first line "
            f"`{_LIST_KEYS[name]}:`, each line indented two spaces; "
        )
    return (
        "the file is a list (its lines start with '- '): write its keys at the start of their "
        "lines, with no dash before them (and no indent under a dash); "
    )


def _program_problems(error: ValidationError, source: Source) -> Iterator[Problem]:
    """Pydantic's errors said as for any other file: without the kind it adds to locations."""
    kind = kind_named(source.data.get("kind"))
    if kind is None:
        yield _unknown_kind(source)
        yield from _common_problems(source)
        return
    for loc, detail in _located(error, source, skip=1):
        yield source.problem(loc, _describe(detail, loc, kind.model, source))


def _unknown_kind(source: Source) -> Problem:
    if "kind" not in source.data:
        return source.problem(("kind",), "'kind' is required; add it")
    *others, last = [f"'{kind.name}'" for kind in kinds()]
    expected = f"{', '.join(others)} or {last}" if others else last
    value = source.data["kind"]
    shown = f" (got '{shorten(value)}')" if isinstance(value, str | int | float | bool) else ""
    meant = _close(value, [kind.name for kind in kinds()]) if isinstance(value, str) else None
    fix = f"did you mean '{meant}'?" if meant else "fix the value"  # a newcomer wrote `participant`
    return source.problem(("kind",), f"'kind' should be {expected}{shown}; {fix}")


def _common_problems(source: Source) -> Iterator[Problem]:
    """Without a known kind, what is wrong with the keys every program has (and unknown keys)."""
    parts = _program_keys() - set(Program.model_fields)
    data = {key: value for key, value in source.data.items() if key not in parts}
    try:
        Program.model_validate({**data, "kind": ""})
    except ValidationError as error:
        yield from _translate(error, Program, source)


def _translate(error: ValidationError, model: type[BaseModel], source: Source) -> Iterator[Problem]:
    for loc, detail in _located(error, source):
        yield source.problem(loc, _describe(detail, loc, model, source))


def _located(
    error: ValidationError, source: Source, skip: int = 0
) -> list[tuple[Loc, ErrorDetails]]:
    """Pydantic's errors at their locations, without the ones that only follow from another:
    a value already refused while parsing, a list too short because an item of it failed, or
    a required key missing because it is there misspelt (the unknown key says so)."""
    found = [(_clean_loc(d["loc"][skip:]), d) for d in error.errors(include_url=False)]
    found = _without_other_branches(found)
    inner = {loc[:n] for loc, _ in found for n in range(len(loc))}  # holding another error
    extra = [loc for loc, d in found if d["type"] == "extra_forbidden" and loc]
    misspelt = {(*loc[:-1], _close(str(loc[-1]), [str(k[-1]) for k, _ in found])) for loc in extra}
    return [
        (loc, detail)
        for loc, detail in found
        if not source.reported(loc)
        and not (detail["type"] == "too_short" and loc in inner)
        and not (detail["type"] == "missing" and loc in misspelt)
    ]


_MAPPING_TYPES = frozenset({"model_type", "model_attributes_type", "dict_type"})


def _without_other_branches(
    found: list[tuple[Loc, ErrorDetails]],
) -> list[tuple[Loc, ErrorDetails]]:
    """A value that may be text or a mapping (a participant: `sam` or `{username: sam, ...}`)
    written as text that is wrong is one problem, the text's: not also "should be a mapping"
    from the other form, located under that form's class name."""
    located = {loc for loc, _ in found}
    return [
        (loc, detail)
        for loc, detail in found
        if not (
            detail["type"] in _MAPPING_TYPES
            and isinstance(detail.get("input"), str)
            and _union_branch(loc)
            and loc[:-1] in located
        )
    ]


def _union_branch(loc: Loc) -> bool:
    """Whether LOC ends in the name pydantic gives one form of a union (its class name, as
    `Participant`): configuration keys are lowercase."""
    return bool(loc) and isinstance(loc[-1], str) and loc[-1][:1].isupper()


def _close(key: str, names: Sequence[str]) -> str | None:
    """The name KEY is most likely a misspelling of, if any."""
    return next(iter(difflib.get_close_matches(key, [n for n in names if n != key], 1, 0.75)), None)


def _clean_loc(loc: tuple[int | str, ...]) -> Loc:
    """Drop pydantic's internal union/function-validator segments from an error location."""
    return tuple(part for part in loc if isinstance(part, int) or not _internal(part))


def _internal(part: str) -> bool:
    return part.startswith(("function-", "constrained-")) or "[" in part


def _describe(detail: ErrorDetails, loc: Loc, model: type[BaseModel], source: Source) -> str:
    kind = detail["type"]
    if kind == "missing":
        return wording.missing(loc, source.data)
    if kind == "extra_forbidden":
        if issubclass(model, Program) and len(loc) == 1:
            return _unknown_program_key(model, str(loc[0]))
        keys = _allowed_keys(model, loc[:-1])
        named, rest = wording.subject(loc, source.data)
        where = f"'{rest}' in {named}" if named else f"'{rest}'"
        meant = _close(str(loc[-1]), keys)
        if meant is not None:
            return f"unknown key {where}; did you mean '{meant}'?"
        return f"unknown key {where}; remove it or fix its spelling (allowed: {', '.join(keys)})"
    return wording.describe(detail, loc, source)


def _unknown_program_key(model: type[Program], key: str) -> str:
    """A key this kind does not take: another kind's part, or a typo (then every key a program
    file may have, of any kind, is listed)."""
    owner = next((kind.name for kind in kinds() if key in kind.model.model_fields), None)
    if owner is not None and key not in model.model_fields:
        return f"'{key}' is a key of {owner} programs only; remove it, or set `kind: {owner}`"
    meant = _close(key, sorted(model.model_fields))
    if meant is not None:
        return f"unknown key '{key}'; did you mean '{meant}'?"
    allowed = ", ".join(sorted(_program_keys()))
    return f"unknown key '{key}'; remove it or fix its spelling (allowed: {allowed})"


def _program_keys() -> set[str]:
    """Every key a program file may have, of any registered kind."""
    return {key for kind in kinds() for key in kind.model.model_fields}


def _allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a mapping at loc accepts, found by walking the model's field types."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return sorted(current.model_fields) if _is_model(current) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _inner_model(annotation: Any) -> Any:
    """The model class inside Optional[...] or tuple[Model, ...] annotations."""
    if _is_model(annotation):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (tuple, list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if _is_model(arg):
                return arg
    return annotation
