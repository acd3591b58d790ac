"""Every text file the tool or its tests read or write names its encoding. Python's default is
the locale's: under an ASCII or Latin-1 locale (a CI image without a UTF-8 one) a test that
read an issue file so failed on its first non-ASCII character (198 tests did, the tool itself
none), and a tool that did would misread issues and configuration."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# the positional place of `encoding` in each call, counted from the first argument
ENCODING_AT = {"read_text": 0, "write_text": 1}


def _text_calls(tree: ast.AST) -> Iterator[ast.Call]:
    """The calls that read or write text without naming its encoding."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _names_none(node):
            yield node


def _names_none(call: ast.Call) -> bool:
    if any(k.arg == "encoding" for k in call.keywords):
        return False
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name in ENCODING_AT:
        return len(call.args) <= ENCODING_AT[name]
    if name != "open" or any(k.arg is None for k in call.keywords):
        return False  # not open, or its options passed on as they came
    owner = func.value if isinstance(func, ast.Attribute) else None
    builtin = owner is None or _is(owner, "io")
    if owner is not None and not builtin and (_is(owner, "os") or not _path_open(call)):
        return False
    modes = call.args[1 if builtin else 0 : 2 if builtin else 1]
    modes += [k.value for k in call.keywords if k.arg == "mode"]
    if len(call.args) > (3 if builtin else 2):
        return False  # the encoding given in its place
    return not any(_binary(mode) for mode in modes)


def _binary(mode: ast.expr) -> bool:
    """A mode that is binary, or one not written out (a variable: not the check's to tell)."""
    return not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)) or (
        "b" in mode.value
    )


def _path_open(call: ast.Call) -> bool:
    """Whether a method `open` is a Path's: its first argument, when it has one, a mode."""
    first = call.args[0] if call.args else None
    return first is None or (isinstance(first, ast.Constant) and isinstance(first.value, str))


def _is(node: ast.expr, module: str) -> bool:
    return isinstance(node, ast.Name) and node.id == module


def _sources() -> list[Path]:
    return sorted(p for top in ("automation", "tests", "bench") for p in (REPO / top).rglob("*.py"))


def test_the_check_finds_a_call_that_names_no_encoding() -> None:
    tree = ast.parse(
        "p.read_text()\np.write_text(t)\nopen(f)\np.open('w')\nio.open(f, 'w')\n"
        "open(f, mode='a')\n"
        "p.read_text('utf-8')\np.write_text(t, encoding='utf-8')\nos.open(f, 1)\np.open('rb')\n"
        "browser.open(url)\nopen(f, *rest, **options)\nopen(f, mode='rb')\n"
        "p.open(mode='rb')\nopen(f, mode)\nopen(f, 'r', -1, 'utf-8')\np.open('r', -1, 'utf-8')\n"
    )
    assert [call.lineno for call in _text_calls(tree)] == [1, 2, 3, 4, 5, 6]


def test_every_text_file_is_read_and_written_as_utf8() -> None:
    unnamed = [
        f"{path.relative_to(REPO)}:{call.lineno}"
        for path in _sources()
        for call in _text_calls(ast.parse(path.read_text("utf-8")))
    ]
    assert len(_sources()) > 200  # the whole tree, not a folder that moved
    assert not unnamed, f'name the encoding ("utf-8") at {", ".join(unnamed)}'
