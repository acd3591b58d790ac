"""Validation errors said the way a config author thinks: which value of whose entry, what is
wrong with it and what to write instead; no pydantic or Python wording (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

from automation.config.source import Loc, Source, shorten
from automation.mentions import USERNAME_PATTERN

# keys that name a list entry, in the order they are tried: `person 'ben'`, `cohort 'c1'`
_NAMING_KEYS = ("username", "id", "heading", "title", "name", "label")
_SINGULAR = {"people": "person", "families": "family", "titles": "title", "hires": "hire"}

_PATTERN_HINTS = {
    "^[a-z0-9][a-z0-9_.\\-]*$": (
        "use lowercase a-z (no accents), digits, '-', '_' or '.', starting with a letter or "
        "digit (an id)"
    ),
    USERNAME_PATTERN: (
        "use a GitLab username: letters, digits, '_', '-', '.', not starting with '-' nor "
        "ending with '.'"
    ),
    "^[^\\r\\n]*$": "must be a single line",
    "^[^:\\r\\n]+$": "must be a single line without ':'",
    "^https://[^\\s]+$": "must be an https:// address without spaces",
}
_FIXED = {
    "tuple_type": "should be a list (one '- item' per line)",
    "list_type": "should be a list (one '- item' per line)",
    "model_type": "should be a mapping ('key: value' lines)",
    "model_attributes_type": "should be a mapping ('key: value' lines)",
    "dict_type": "should be a mapping ('key: value' lines)",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "int_from_float": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "string_too_short": "must not be empty",
    "string_type": "should be text (one line)",
}
_WITH_LIMIT = {  # filled in from the error's context
    "greater_than_equal": "should be at least {ge}",
    "greater_than": "should be more than {gt}",
    "less_than_equal": "should be at most {le}",
    "less_than": "should be less than {lt}",
    "string_too_long": "is too long: at most {max_length} characters",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "has too many items: at most {max_length}",
    "literal_error": "should be one of {expected}",
    "enum": "should be one of {expected}",
}
_YAML_READS = {True: "true", False: "false", None: "empty"}  # what YAML made of `NO`, `~`


def subject(loc: Loc, data: Any) -> tuple[str, str]:
    """The innermost list entry on the way to loc, as a person names it (`person 'ben'`, or
    `people entry 2` when it has no name), and the rest of the path inside it."""
    named, start, node = "", 0, data
    for i, part in enumerate(loc):
        in_list = isinstance(node, list)
        node = _child(node, part)
        if not (isinstance(part, int) and in_list):
            continue
        key = str(loc[i - 1]) if i else "list"
        naming = _naming_value(node, loc[i + 1 :])
        one = _SINGULAR.get(key, key.removesuffix("s"))
        named = f"{one} '{shorten(naming)}'" if naming else f"{key} entry {part + 1}"
        start = i + 1
    return named, dotted(loc[start:])


def _child(node: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
        return node[part]
    if isinstance(node, dict):
        return node.get(part)
    return None


def _naming_value(entry: Any, inside: Sequence[str | int]) -> str | None:
    """The value that names an entry, unless the problem is with that very value."""
    if not isinstance(entry, dict):
        return None
    for key in _NAMING_KEYS:
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return None if tuple(inside[:1]) == (key,) else value
    return None


def dotted(loc: Sequence[str | int]) -> str:
    """A location as a person reads it: cohorts[0].participants."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def label(loc: Loc, data: Any) -> str:
    """`'start_date' of person 'ben'`, `person 'ben'`, `'gitlab.project'`, or `the file`."""
    named, rest = subject(loc, data)
    if named and rest:
        return f"'{rest}' of {named}"
    return named or (f"'{rest}'" if rest else "the file")


def missing(loc: Loc, data: Any) -> str:
    """A required key that is not there."""
    named, rest = subject(loc, data)
    if named:
        return f"{named} needs '{rest}'; add it"
    return f"'{rest}' is required; add it"


def describe(detail: ErrorDetails, loc: Loc, source: Source) -> str:
    """One validation error of the value at loc, in the file's own words."""
    where = label(loc, source.data)
    kind = detail["type"]
    value = detail.get("input")
    written = source.written.get(loc)
    if value is None and not (written or "").strip():
        return f"{where}: is empty; write its value after the colon"
    if kind == "invalid_key":
        named = subject(loc, source.data)[0] or "the file"
        return f"{named}: {_not_a_name(detail.get('input', loc[-1]))}"  # (loc holds True as 1)
    if kind.startswith(("date", "datetime")):
        shown = _quoted(written or value)
        return f"{where}: {shown} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31"
    if kind == "string_type":
        return f"{where}: {_not_text(value, written)}"
    if kind in ("value_error", "assertion_error"):
        message = detail["msg"].split(", ", 1)[-1]
        return f"{where}: {message}"
    return f"{where}: {_plain(detail)}{_got(value, written)}; fix the value"


def _not_a_name(key: Any) -> str:
    """A key that is no text: a number, or what YAML made of `yes:`, `no:` or `~:` (a fuzzing
    trial read "the key 1")."""
    if isinstance(key, bool) or key is None:
        return (
            f"YAML reads a key here as {_YAML_READS[key]}, not as a name (it reads yes, no, on, "
            "off and ~ so): put the key in quotes, or fix or remove the line"
        )
    return f"the key {key} is not a name, like start_date; fix or remove the line"


def _not_text(value: Any, written: str | None) -> str:
    """Text expected: YAML turned `NO`, `yes`, `~` or `2024` into something else."""
    if isinstance(value, list | dict):
        return "should be text (one line), not a list or a mapping"
    shown = shorten(written if written is not None else value)
    reads = _YAML_READS[value] if isinstance(value, bool) or value is None else "a number"
    return f"YAML reads {shown} as {reads}, not as text; put it in quotes: '{shown}'"


def plain(detail: ErrorDetails) -> str:
    """What is wrong with a value, without pydantic's wording."""
    return _plain(detail)


def _plain(detail: ErrorDetails) -> str:
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(str(ctx.get("pattern")), "has characters that are not allowed")
    if kind == "too_short" and ctx.get("min_length") == 1:
        return "must list at least one item"
    if kind in _WITH_LIMIT:
        return _WITH_LIMIT[kind].format_map(ctx)
    return _FIXED.get(kind) or detail["msg"].replace("Input should be", "should be")


def _got(value: Any, written: str | None) -> str:
    if written is not None:
        return f" (got {_quoted(written)})"
    if isinstance(value, str | int | float | bool):
        return f" (got {_quoted(value)})"
    return ""


def _quoted(value: Any) -> str:
    return f"'{shorten(value)}'"
