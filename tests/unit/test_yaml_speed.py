"""libyaml's C composer is a fast path only: wherever it is used, the data, the lines and every
problem reported are exactly those of the pure-Python loader, and the bounds still hold."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from automation.config import source
from automation.config.source import MAX_DEPTH, Source, parse_yaml
from automation.errors import ConfigError, Problem
from tests.conftest import REPO
from tests.unit.test_hostile_yaml import billion_laughs

needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")

PATHS = ("libyaml", "libyaml, nesting checked first", "pure")


@pytest.fixture(params=PATHS)
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test through each way of loading: libyaml as installed, libyaml as where it does
    not bound nesting itself (an older release), and the pure-Python loader alone."""
    if request.param != "pure" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    if request.param == "pure":
        monkeypatch.setattr(source, "_FAST", None)
    elif request.param == "libyaml, nesting checked first":
        monkeypatch.setattr(source, "_NESTING_BOUNDED", False)
    yield request.param


@functools.cache
def pure(text: str, file: str = "f.yml") -> Source | tuple[Problem, ...]:
    """What the pure-Python loader makes of text: the source, or its problems (worked out
    once per text: each is compared with every path)."""
    fast = source._FAST
    source._FAST = None
    try:
        return parse_yaml(text, file)
    except ConfigError as error:
        return error.problems
    finally:
        source._FAST = fast


def outcome(text: str, file: str = "f.yml") -> Source | tuple[Problem, ...]:
    try:
        return parse_yaml(text, file)
    except ConfigError as error:
        return error.problems


def people(n: int) -> str:
    """A people.yml like a big team's, with an anchor and merge keys in it."""
    rows = "".join(
        f"  - <<: *defaults\n    username: person.{i:05d}\n    name: Person {i}\n"
        f"    grade: {7 + i % 5}\n    manager: person.{max(i - 1, 0):05d}\n"
        f"    start: 2026-{1 + i % 12:02d}-01\n    tags: [a, 'b', {i}]\n"
        for i in range(n)
    )
    return f"defaults: &defaults\n  geo: EMEA\n  timezone: Europe/Berlin\npeople:\n{rows}"


SHIPPED = sorted((REPO / "config").rglob("*.yml"))


@pytest.mark.parametrize("file", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_the_shipped_config_loads_the_same_data_and_lines_every_way(file: Path, path: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert outcome(text) == pure(text)


def test_a_big_people_file_with_anchors_and_merges_loads_the_same(path: str) -> None:
    text = people(500)
    loaded = outcome(text)
    assert loaded == pure(text)
    assert isinstance(loaded, Source)
    assert loaded.data["people"][499]["geo"] == "EMEA"
    assert loaded.line_of(("people", 499, "grade")) == text.count("\n") - 3


HOSTILE = {
    "alias bomb": billion_laughs(),
    "merge bomb": "a: &a {"
    + ", ".join(f"k{i}: {i}" for i in range(2000))
    + "}\nb: {<<: ["
    + ", ".join(["*a"] * 200)
    + "]}\n",
    "deep flow": "[" * 100_000 + "]" * 100_000,
    "deep flow mappings": "{a: " * 5_000 + "1" + "}" * 5_000,
    "deep block": "".join("  " * i + f"k{i}:\n" for i in range(1_000)),
    "deep block sequences": "".join("  " * i + "-\n" for i in range(1_000)),
    "just past the bound": "[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1),
    "deep through aliases": "d0: &x0 1\n"
    + "".join(f"d{i}: &x{i} " + "[" * 10 + f"*x{i - 1}" + "]" * 10 + "\n" for i in range(1, 200)),
    "alias in its own anchor": "x: 1\na: &a {b: *a}\n",
    "merge into itself": "a: &a {x: 1, <<: *a}\n",
    "duplicate key": "base: &b {x: 1}\nc:\n  <<: *b\n  y: 3\n  y: 4\n",
    "bad date": "start: 2026-13-01\n",
    "syntax": "a: [1\nb: 2\n",
    "mapping value": "a: b: c\n",
    "undefined alias": "a: *nowhere\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "control character": 'a: 1\nb: "\x07"\n',
    "escape character": "a: 1\nb: \x1b[31m\n",
    "lone surrogate": "a: \ud800\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_every_refusal_is_the_pure_loaders_whatever_the_path(name: str, path: str) -> None:
    text = HOSTILE[name]
    problems = outcome(text)
    assert isinstance(problems, tuple), "refused"
    assert problems == pure(text)
    assert all("\n" not in str(problem) for problem in problems)


def test_a_control_character_is_one_problem_at_its_line(path: str) -> None:
    assert outcome("a: 1\nb: \x1b[31m\n") == (
        Problem("f.yml", 2, "character U+001B is not allowed in YAML; remove it"),
    )


@needs_libyaml
def test_a_file_that_loads_is_composed_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pure_loader(*_: object) -> None:
        raise AssertionError("the pure-Python loader was used")

    monkeypatch.setattr(source, "_Loader", no_pure_loader)
    for file in SHIPPED:
        parse_yaml(file.read_text("utf-8"), file.name)
    parse_yaml(people(50), "people.yml")


@needs_libyaml
def test_the_nesting_check_lets_the_bound_through_and_stops_past_it() -> None:
    assert source._shallow("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert not source._shallow("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not source._shallow("".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 1)))
    assert not source._shallow("a: [1\n")  # not valid: the pure loader says why
    assert source._shallow(people(20))
