"""Safe YAML loading that remembers the line of every value, so errors can name it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from automation.errors import ConfigError, Problem

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Source:
    """One parsed YAML file: its plain data and the 1-based line of each value by path."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

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


class _Builder:
    """Turns a composed YAML node tree into plain data, recording lines and duplicate keys."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[Loc, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as error:  # e.g. a date-like scalar with a month of 13
            self.problems.append(
                self._at(
                    node, f"'{node.value}' is not a valid date ({error}); write dates as YYYY-MM-DD"
                )
            )
            return None

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        self.loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node)
            if not isinstance(key, str | int):
                self.problems.append(self._at(key_node, "a key must be a plain name"))
                continue
            if key in result:
                first = self.lines.get((*loc, key), 0)
                self.problems.append(
                    self._at(
                        key_node, f"duplicate key '{key}' (first at line {first}); keep one of them"
                    )
                )
                continue
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*loc, key))
            self.lines[(*loc, key)] = key_node.start_mark.line + 1
        return result

    def _at(self, node: yaml.Node, message: str) -> Problem:
        return Problem(self.file, node.start_mark.line + 1, message)


def parse_yaml(text: str, file: str) -> Source:
    """Parse YAML text safely; syntax errors and duplicate keys become ConfigError."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Source(file, None, {(): 1})
        builder = _Builder(loader, file)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as error:
        raise ConfigError([_syntax_problem(error, file)]) from error
    except yaml.YAMLError as error:
        raise ConfigError([Problem(file, 1, f"not valid YAML: {error}")]) from error
    finally:
        loader.dispose()
    if builder.problems:
        raise ConfigError(builder.problems)
    return Source(file, data, builder.lines)


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = error.context_mark or error.problem_mark  # where the broken construct starts
    line = mark.line + 1 if mark is not None else 1
    what = error.problem or error.context or "syntax error"
    return Problem(file, line, f"YAML syntax error: {what}; fix the indentation or quoting there")


def read_yaml(path: Path, file: str) -> Source:
    """Read and parse one YAML file; an unreadable file is a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([Problem(file, 1, f"cannot read the file: {error}")]) from error
    return parse_yaml(text, file)


def duplicates(
    source: Source, locs: Sequence[Loc], values: Sequence[str], what: str
) -> Iterator[Problem]:
    """Problems for values that appear more than once, each pointing at the repeat."""
    first: dict[str, int] = {}
    for loc, value in zip(locs, values, strict=True):
        if value in first:
            yield source.problem(
                loc, f"{what} '{value}' appears twice (first at line {first[value]}); keep one"
            )
        first.setdefault(value, source.line_of(loc))
