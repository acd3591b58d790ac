"""A reviewer's bypasses of the template bounds: one step that would make far more text than
an issue holds (and than all steps together may make, 128 x max_chars) is refused before the
text is made. Scaled to the real bound (about a million), each was hundreds of gigabytes."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from automation.errors import ConfigError
from automation.rendering import Renderer

MAX = 10_000  # all steps together may make 1,280,000 characters


def _rendered(tmp_path: Path, source: str, context: dict[str, object], **bounds: int) -> str:
    (tmp_path / "t.md.j2").write_text(source, "utf-8")
    return Renderer(tmp_path, [], **bounds).render("t.md.j2", context)


@pytest.mark.parametrize(
    "source",
    [
        # control: refused before the text is made
        pytest.param("{% set s = 'y' * 10000 %}{{ ((s ~ ' ') * 1000) | length }}", id="control"),
        # one value printed many times by one format string: the value is counted once, the
        # number of times the format prints it is not (HEAD~1 counts format's values only)
        pytest.param("{{ ('%(a)s' * 2000) | format(a='y' * 10000) | length }}", id="format-kw"),
        pytest.param("{{ ('{0}' * 3333).format('y' * 10000) | length }}", id="str.format"),
        pytest.param(
            "{{ ('{a}' * 3333).format_map({'a': 'y' * 9990}) | length }}", id="format_map"
        ),
        pytest.param("{{ (('%(a)s' * 2000) % {'a': 'y' * 9990}) | length }}", id="percent"),
        # join's separator times the items: not told for a range or with attribute=
        pytest.param("{{ range(10000) | join('y' * 10000) | length }}", id="join-range"),
        pytest.param("{{ ('x' * 9000) | join('y' * 10000) | length }}", id="join-characters"),
        pytest.param(
            "{{ (range(10000) | list) | join('y' * 10000, attribute='real') | length }}",
            id="join-attribute",
        ),
        # tojson's indent is a width nobody bounds
        pytest.param("{{ (range(10000) | list) | tojson(10000) | length }}", id="tojson-indent"),
        # urlize's target (and rel) go into every link
        pytest.param(
            "{{ ('www.a.com ' * 1000) | urlize(target='y' * 10000) | length }}", id="urlize-target"
        ),
    ],
)
def test_one_step_makes_far_more_than_the_bounds(tmp_path: Path, source: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="too large"):
            _rendered(tmp_path, source, {}, max_chars=MAX)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 128 * MAX, f"{peak:,} bytes before the refusal"
