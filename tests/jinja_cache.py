"""Compile each template source once per test session, not once per run.

Every CLI run in a test builds a new Renderer, so a new Jinja environment, which parses and
compiles every template again: about half of the suite's time went there. Compiling is a pure
function of the template source and of what the environment uses at compile time, so the
suite keeps the code object and reuses it for an identical source in an equivalent
environment. What that key holds:

- the environment's class (the sandbox and its `_parse`, which guards every loop) and the
  options the lexer and the code generator read;
- `finalize`, and the filters and tests: constant expressions such as `{{ "x" | f }}` are
  folded at compile time through them. A filter that is a bound method (the renderer's
  `mention`) counts with the plain data of its owner (the roster), so a renderer with another
  roster compiles its own (an owner holding other objects keeps its own entries);
- the source and the template name (written into the code); the file name only goes into the
  code objects' `co_filename`, which is rewritten for a different file.

A source that fails to parse or compile is never cached: the error is raised afresh each time.
The token stream `Environment.lex` gives (read by the template source checks) is kept per
lexer and source in the same way, and so are the problems those checks find in a source (per
lexer, source and file name, which the problems name)."""

from __future__ import annotations

import types
from collections.abc import Callable, Hashable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from jinja2.environment import Environment, Template
from jinja2.lexer import Lexer

from automation import rendering
from automation.errors import Problem

_PLAIN = (str, int, float, bool, frozenset, tuple, type(None))

Token = tuple[int, str, str]
_code: dict[Hashable, types.CodeType] = {}
_tokens: dict[Hashable, tuple[Token, ...]] = {}
_checked: dict[Hashable, tuple[Problem, ...]] = {}


def _jinja_only(value: object) -> bool:
    """Environments, templates and caches of templates, and folders: what a renderer holds
    besides its data."""
    if isinstance(value, dict):
        return all(isinstance(item, Template) for item in value.values())
    return isinstance(value, Environment | Template | Path)


def _callable_key(func: Callable[..., Any] | None) -> Hashable:
    """A function as itself; a bound method as its function and its owner's plain data (its
    environments, templates and folders aside), or as itself when the owner holds anything
    else (test_jinja_cache.py says when that makes renderers stop sharing)."""
    owner = getattr(func, "__self__", None)
    if owner is None or isinstance(owner, types.ModuleType):
        return func
    state = []
    for name, value in sorted(getattr(owner, "__dict__", {"": object()}).items()):
        if isinstance(value, _PLAIN):
            state.append((name, value))
        elif not _jinja_only(value):
            return func  # something this key cannot compare: this owner's own entries
    return getattr(func, "__func__", func), type(owner), tuple(state)


def _callables_key(funcs: Mapping[str, Any]) -> Hashable:
    return tuple(sorted((name, _callable_key(func)) for name, func in funcs.items()))


def _environment_key(env: Environment) -> Hashable:
    return (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted((name, type(ext)) for name, ext in env.extensions.items())),
        env.optimized,
        env.is_async,
        _callable_key(env.autoescape) if callable(env.autoescape) else env.autoescape,
        _callable_key(env.finalize),
        getattr(env, "intercepted_binops", None),
        getattr(env, "intercepted_unops", None),
        _callables_key(env.filters),
        _callables_key(env.tests),
    )


def _refile(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(
        _refile(const, filename) if isinstance(const, types.CodeType) else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memoise `Environment.compile`, `Lexer.tokeniter` and the template source checks until
    MONKEYPATCH is undone."""
    compile_once: Callable[..., Any] = Environment.compile
    tokenise = Lexer.tokeniter
    check_once = rendering.source_problems

    def compile(  # noqa: PLR0917
        self: Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return compile_once(self, source, name, filename, raw, defer_init)
        key = (_environment_key(self), source, name, defer_init)
        code = _code.get(key)
        if code is None:
            code = _code[key] = compile_once(self, source, name, filename, False, defer_init)
        wanted = "<template>" if filename is None else filename
        return code if code.co_filename == wanted else _refile(code, wanted)

    def tokeniter(
        self: Lexer,
        source: str,
        name: str | None,
        filename: str | None = None,
        state: str | None = None,
    ) -> Iterator[Token]:
        key = (self, source, name, filename, state)
        known = _tokens.get(key)
        if known is not None:
            yield from known
            return
        seen: list[Token] = []
        for token in tokenise(self, source, name, filename, state):  # an error propagates
            seen.append(token)
            yield token
        _tokens[key] = tuple(seen)

    def source_problems(environment: Environment, source: str, file: str) -> list[Problem]:
        key = (environment.lexer, source, file)
        known = _checked.get(key)
        if known is None:
            known = _checked[key] = tuple(check_once(environment, source, file))
        return list(known)

    monkeypatch.setattr(Environment, "compile", compile)
    monkeypatch.setattr(Lexer, "tokeniter", tokeniter)
    monkeypatch.setattr(rendering, "source_problems", source_problems)


def entries() -> int:
    """How many compiled sources the cache holds."""
    return len(_code)
