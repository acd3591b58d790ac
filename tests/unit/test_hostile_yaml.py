"""Hostile YAML is refused, not obeyed: alias bombs, deep nesting and huge files end in one
problem naming file:line, quickly, never a hang or a traceback; anchors and merge keys work."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from automation.config.loader import load_config
from automation.config.source import MAX_BYTES, MAX_DEPTH, parse_yaml, read_yaml
from automation.errors import EXIT_INVALID_CONFIG, EXIT_OK, ConfigError, Problem
from tests.backends import cli

FAST = 30.0  # seconds: generous for a loaded CI machine; a bomb obeyed takes hours


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic: each anchor names the previous one `width` times (9**9 values)."""
    lines = ["lol0: &lol0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def refused(text: str, file: str = "config/people.yml") -> Problem:
    """The single problem parse_yaml reports for text, checking it came fast."""
    start = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, file)
    assert time.monotonic() - start < FAST
    (problem,) = caught.value.problems
    assert problem.file == file
    assert "\n" not in str(problem)
    return problem


# --- aliases ------------------------------------------------------------------------------------


def test_alias_bomb_is_refused_quickly_at_the_line_that_expands() -> None:
    problem = refused(billion_laughs())
    assert "expand to more than 100,000 values" in problem.message
    assert 2 <= problem.line <= 9  # an alias line of the bomb, not line 1 by default


def test_alias_bomb_in_block_style_is_refused_too() -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for name, before in zip("bcdefgh", "abcdefg", strict=True):
        items = "".join(f"  - *{before}\n" for _ in range(10))
        text += f"{name}: &{name}\n{items}"
    assert "expand to more than" in refused(text).message


def test_merge_key_bomb_is_refused_quickly() -> None:
    wide = "a: &a {" + ", ".join(f"k{i}: {i}" for i in range(2000)) + "}\n"
    text = wide + "b: {<<: [" + ", ".join(["*a"] * 200) + "]}\n"
    problem = refused(text)
    assert problem.line == 2
    assert "merge keys (<<)" in problem.message


@pytest.mark.heavy
def test_a_chain_of_merges_is_bounded() -> None:
    text = "m0: &m0 {k0: 0}\n" + "".join(
        f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: {i}}}\n" for i in range(1, 3000)
    )
    assert "expand to more than" in refused(text).message


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    assert "refers to the value that contains it" in refused("a: &a [1, *a]\n").message
    assert "refers to the value that contains it" in refused("x: 1\na: &a {b: *a}\n").message
    assert refused("a: &a {x: 1, <<: *a}\n").line == 1  # a merge into itself


def test_aliases_cannot_stack_nesting_past_the_bound() -> None:
    """Each anchor is shallow, but an alias puts a deep value deeper still."""
    text = "d0: &x0 1\n" + "".join(
        f"d{i}: &x{i} " + "[" * 10 + f"*x{i - 1}" + "]" * 10 + "\n" for i in range(1, 200)
    )
    assert "nested more than 64 levels" in refused(text).message


# --- nesting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_flow_nesting_is_refused_before_python_recursion(depth: int) -> None:
    problem = refused("[" * depth + "]" * depth)
    assert (problem.line, "nested more than 64 levels" in problem.message) == (1, True)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_flow_mappings_are_refused(depth: int) -> None:
    assert "nested more than" in refused("{a: " * depth + "1" + "}" * depth).message


def test_deep_block_nesting_is_refused_at_the_line_past_the_bound() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(1_000))
    problem = refused(text)
    assert problem.line == MAX_DEPTH + 1
    text = "".join("  " * i + "-\n" for i in range(1_000))
    assert refused(text).line == MAX_DEPTH + 2


def test_nesting_up_to_the_bound_loads() -> None:
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    data = parse_yaml(text, "f.yml").data
    for _ in range(MAX_DEPTH):
        (data,) = data
    assert data == 1
    assert "nested" in refused("[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1)).message


# --- size ---------------------------------------------------------------------------------------


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "people.yml"
    path.write_text("people:\n" + "# padding\n" * (MAX_BYTES // 10 + 1), "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_yaml(path, "config/people.yml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("config/people.yml", 1)
    assert "larger than 2 MB" in problem.message


def test_a_file_just_under_the_bound_is_read(tmp_path: Path) -> None:
    path = tmp_path / "people.yml"
    body = "people: []\n"
    path.write_text(body + "#" * (MAX_BYTES - len(body) - 1) + "\n", "utf-8")
    assert read_yaml(path, "people.yml").data == {"people": []}


# --- what still works ---------------------------------------------------------------------------


def test_anchors_aliases_and_merge_keys_still_load_with_their_lines() -> None:
    text = (
        "base: &base\n"  # 1
        "  grade: 9\n"  # 2
        "  geo: EMEA\n"  # 3
        "extra: &extra {timezone: Europe/Berlin, geo: AMER}\n"  # 4
        "people:\n"  # 5
        "  - <<: *base\n"  # 6
        "    username: ana\n"  # 7
        "    geo: APAC\n"  # 8: overrides the merged value
        "  - <<: [*base, *extra]\n"  # 9: the first merged mapping wins on geo
        "    username: ben\n"  # 10
        "tags: &tags [a, b]\n"  # 11
        "more: *tags\n"  # 12
    )
    source = parse_yaml(text, "people.yml")
    assert source.data["people"] == [
        {"username": "ana", "geo": "APAC", "grade": 9},
        {"username": "ben", "grade": 9, "geo": "EMEA", "timezone": "Europe/Berlin"},
    ]
    assert source.data["more"] == ["a", "b"]
    assert source.line_of(("people", 0, "geo")) == 8
    assert source.line_of(("people", 0, "username")) == 7
    assert source.line_of(("people", 0, "grade")) == 2  # merged: where the value is written


def test_the_first_merged_mapping_wins_whatever_order_pyyaml_merges_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PyYAML 6.0 to 6.0.3 flatten `<<: [*a, *b]` in reverse, 6.0.4 in order: a tester's
    person changed geo and cohort with the PyYAML installed. Here merged pairs come back
    reversed, as the older versions leave them."""
    flatten = yaml.constructor.SafeConstructor.flatten_mapping

    def reversed_merge(self: yaml.constructor.SafeConstructor, node: yaml.MappingNode) -> None:
        own = {id(pair) for pair in node.value}
        flatten(self, node)
        merged = [pair for pair in node.value if id(pair) not in own]
        node.value = [*reversed(merged), *(pair for pair in node.value if id(pair) in own)]

    monkeypatch.setattr(yaml.constructor.SafeConstructor, "flatten_mapping", reversed_merge)
    text = "a: &a {geo: APAC}\nb: &b {geo: EMEA, tz: Europe/Berlin}\nc:\n  <<: [*a, *b]\n"
    assert parse_yaml(text, "people.yml").data["c"] == {"geo": "APAC", "tz": "Europe/Berlin"}


def test_a_key_repeated_next_to_a_merge_is_still_a_duplicate() -> None:
    text = "base: &b {x: 1}\nc:\n  <<: *b\n  y: 3\n  y: 4\n"
    problem = refused(text, "f.yml")
    assert (problem.line, problem.message) == (
        5,
        "duplicate key 'y' (first at line 4); keep one of them",
    )


def test_a_collection_as_a_key_is_refused_without_building_it() -> None:
    problem = refused("? [[[[1]]]]\n: value\n", "f.yml")
    assert (problem.line, problem.message) == (1, "a key must be a plain name")


def test_many_aliases_under_the_bound_load() -> None:
    text = "t: &t {a: 1, b: 2, c: 3, d: 4}\nall:\n" + "  - *t\n" * 20_000
    assert len(parse_yaml(text, "f.yml").data["all"]) == 20_000


def test_the_shipped_config_loads() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert load_config(repo / "config").config.people


# --- through the command ------------------------------------------------------------------------


def one_problem(err: str) -> str:
    """The err output is exactly one problem line and the summary; returns the problem."""
    lines = err.splitlines()
    assert "Traceback" not in err
    assert lines[1:] == ["automation: 1 problem found; nothing was written."], err
    return lines[0]


def test_validate_refuses_an_alias_bomb_in_people(shipped: Path) -> None:
    people = shipped / "config" / "people.yml"
    lines = people.read_text("utf-8").count("\n")
    people.write_text(people.read_text("utf-8") + billion_laughs(), "utf-8")
    start = time.monotonic()
    result = cli(["validate"], {})
    assert time.monotonic() - start < FAST
    assert result.code == EXIT_INVALID_CONFIG
    line = one_problem(result.err)
    match = re.match(r"config/people\.yml:(\d+): aliases \(\*name\) or merge keys", line)
    assert match, line
    assert lines < int(match.group(1)) <= lines + 9


def test_validate_refuses_deep_nesting_in_a_program_file(shipped: Path) -> None:
    program = shipped / "config" / "programs" / "sales-onboarding.yml"
    program.write_text(
        program.read_text("utf-8") + "deep: " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8"
    )
    result = cli(["validate"], {})
    assert result.code == EXIT_INVALID_CONFIG
    line = one_problem(result.err)
    assert re.match(r"config/programs/sales-onboarding\.yml:\d+: values are nested more", line)


def test_validate_refuses_an_oversized_program_file(shipped: Path) -> None:
    program = shipped / "config" / "programs" / "sales-onboarding.yml"
    program.write_text(program.read_text("utf-8") + "#" * MAX_BYTES + "\n", "utf-8")
    result = cli(["validate"], {})
    assert result.code == EXIT_INVALID_CONFIG
    assert one_problem(result.err).startswith("config/programs/sales-onboarding.yml:1: ")


def test_validate_accepts_people_written_with_an_anchor_and_a_merge_key(shipped: Path) -> None:
    people = shipped / "config" / "people.yml"
    text = people.read_text("utf-8")
    priya = "  - username: priya.natarajan\n    name: Priya Natarajan\n"
    marcus = (
        "  - username: marcus.oyelaran\n    name: Marcus Oyelaran\n"
        "    title: Manager, Customer Success\n    grade: 9\n    manager: jordan.alvarez\n"
    )
    assert priya in text and marcus in text
    text = text.replace(
        priya, "  - &manager\n    username: priya.natarajan\n    name: Priya Natarajan\n"
    )
    text = text.replace(
        marcus, "  - <<: *manager\n    username: marcus.oyelaran\n    name: Marcus Oyelaran\n"
    )
    people.write_text(text, "utf-8")
    result = cli(["validate"], {})
    assert result.code == EXIT_OK, result.err
    marcus_loaded = load_config(Path("config")).config.person("marcus.oyelaran")
    assert (marcus_loaded.name, marcus_loaded.grade, marcus_loaded.manager) == (
        "Marcus Oyelaran",
        9,
        "jordan.alvarez",
    )


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_a_pasted_line_separator_is_read_as_the_space_it_looks_like(separator: str) -> None:
    """A tester: YAML 1.1 ends a line there, editors do not; a valid file failed at the wrong
    line, and every later line number was off by one."""
    text = f"# labels{separator}and more\ngroup: x\ntitle: 'Director,{separator}CS'\nday: 1\n"
    source = parse_yaml(text, "settings.yml")
    assert source.data == {"group": "x", "title": "Director, CS", "day": 1}
    assert source.line_of(("day",)) == 4


def test_a_tab_after_text_is_not_called_indentation_by_the_pure_loader() -> None:
    """A tester: a trailing tab, which libyaml lets pass, was refused by the pure loader as
    indentation."""
    from automation.config import source  # noqa: PLC0415 - its pure loader, named

    def said(text: str) -> str:
        with pytest.raises(ConfigError) as error:
            source._parse(source._Loader, text, "f.yml")
        return str(error.value.problems[0])

    assert said("a: 1\nproject: x\t\n") == (
        "f.yml:2: a tab character after text on this line: some YAML readers (PyYAML without "
        "libyaml) refuse it there; use spaces"
    )
    indent = "a tab character: YAML indents with spaces only; use spaces"
    assert said("a:\n\tb: 1\n") == f"f.yml:2: {indent}"
    assert said("items:\n  -\tfoo\n") == f"f.yml:2: {indent}"  # after a list's dash


def test_a_mapping_merged_in_keeps_its_own_keys_over_those_it_merged() -> None:
    """A reviewer: `rae: {<<: *marcus}`, where marcus merged the base manager and gave his
    own, took the base's. YAML's rule holds at every level: own keys first, then the
    mappings merged in, the earlier over the later."""
    text = (
        "base: &base {geo: EMEA, tz: x}\n"
        "a: &a\n  <<: *base\n  geo: APAC\n"
        "c:\n  <<: *a\n"
        "d:\n  <<: [*a, *base]\n"
        "e:\n  <<: [*base, *a]\n"
    )
    data = parse_yaml(text, "people.yml").data
    assert (data["c"]["geo"], data["d"]["geo"], data["e"]["geo"]) == ("APAC", "APAC", "EMEA")
    assert data["c"]["tz"] == "x"
    # a one-letter key: PyYAML 6.0.4 dropped `a`'s own, the same string object as base's
    short = text.replace("geo", "g")
    data = parse_yaml(short, "people.yml").data
    assert (data["c"]["g"], data["d"]["g"], data["e"]["g"]) == ("APAC", "APAC", "EMEA")
