"""The suite's template compile cache (tests/jinja_cache.py) shares what may be shared and
nothing else: renderers over the same sources compile once, a renderer with another roster
folds its own mentions, and errors name each renderer's own file."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.errors import ConfigError
from automation.rendering import Renderer
from tests import jinja_cache


def templates(root: Path, source: str) -> Path:
    root.mkdir()
    (root / "t.md.j2").write_text(source, "utf-8")
    return root


def test_renderers_over_the_same_sources_compile_once(tmp_path: Path) -> None:
    source = "Hello {{ who }} from the cache test\n"
    one, two = templates(tmp_path / "one", source), templates(tmp_path / "two", source)
    assert Renderer(one, ["ana"]).render("t.md.j2", {"who": "a"}) == "Hello a from the cache test\n"
    compiled = jinja_cache.entries()
    # another renderer, folder and run: no new entry (if this fails, the renderer holds
    # something _callable_key cannot compare; teach it what that is)
    assert Renderer(two, ["ana"]).render("t.md.j2", {"who": "b"}) == "Hello b from the cache test\n"
    assert jinja_cache.entries() == compiled


def test_a_constant_mention_is_folded_for_its_own_roster(tmp_path: Path) -> None:
    source = "{{ 'sam' | mention }} in the cache test\n"
    one, two = templates(tmp_path / "one", source), templates(tmp_path / "two", source)
    assert Renderer(one, ["sam"]).render("t.md.j2", {}) == "@sam in the cache test\n"
    with pytest.raises(ConfigError, match="cannot mention 'sam'"):
        Renderer(two, ["ana"]).render("t.md.j2", {})


def test_an_error_names_the_file_of_the_renderer_that_met_it(tmp_path: Path) -> None:
    source = "line one\n{{ missing.name }} in the cache test\n"
    one, two = templates(tmp_path / "one", source), templates(tmp_path / "two", source)
    for root in (one, two):
        with pytest.raises(ConfigError) as caught:
            Renderer(root, []).render("t.md.j2", {})
        assert str(caught.value).startswith(f"{root / 't.md.j2'}:2: ")


def test_a_source_with_a_quick_action_is_refused_in_each_file_that_has_it(tmp_path: Path) -> None:
    source = "Fine line\n/close the cache test\n"
    one, two = templates(tmp_path / "one", source), templates(tmp_path / "two", source)
    for root in (one, two):
        problems = Renderer(root, []).check("t.md.j2")
        assert [(p.file, p.line) for p in problems] == [(str(root / "t.md.j2"), 2)]
        assert "quick action" in problems[0].message
