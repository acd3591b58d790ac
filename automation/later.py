"""An issue's body rendered when something first reads it, not when the issue is described.

A run that reads a big program from its ledger plans most of its issues from their ledger rows
(incremental.py): their bodies are never read, so rendering them (half the CPU of such a run)
is skipped. The fields stay plain to every reader: reading `description`, `sections` or `kept`
renders the body once, and a copy (`dataclasses.replace`) or a comparison reads it as any
reader does. A body deferred so renders without error: only a program whose record's run
rendered the same configuration and templates on the same day without a problem is deferred
(run.prepare's DEFERRED), and a run reads each template once. Should one fail all the same (a
template first read when a body is, edited since the run began), its problems are said as the
program's others are (desired.Context.said: a confidential program's name nobody).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True)
class Rendered:
    """What rendering an issue's body gives: its text, the section headings it has (None:
    all), and its template's kept blocks as rendered."""

    description: str
    sections: tuple[str, ...] | None
    kept: tuple[tuple[str, str], ...]


class Later:
    """A body to render when first read; rendered once, whoever reads it."""

    __slots__ = ("_make", "_rendered")

    def __init__(self, make: Callable[[], Rendered]) -> None:
        self._make: Callable[[], Rendered] | None = make
        self._rendered: Rendered | None = None

    def rendered(self) -> Rendered:
        if self._rendered is None:
            assert self._make is not None
            self._rendered, self._make = self._make(), None
        return self._rendered

    def __reduce__(self) -> tuple[Callable[[Rendered], Later], tuple[Rendered]]:
        """A copy (copy.deepcopy, pickle) holds the body rendered: what would render it (the
        templates' environment) cannot be copied (a review)."""
        return _rendered_already, (self.rendered(),)


def _rendered_already(rendered: Rendered) -> Later:
    later = Later(lambda: rendered)
    later.rendered()
    return later


class FromBody(Generic[T]):
    """A dataclass field that holds its value, or a `Later` that gives it when first read (the
    field of the same name of `Rendered`)."""

    def __init__(self, *default: T) -> None:
        self._default = default  # () when the field has none

    def __set_name__(self, owner: type, name: str) -> None:
        self._name, self._slot = name, f"_{name}"

    def __get__(self, obj: object | None, owner: Any = None) -> T:
        if obj is None:  # the dataclass asks for the default
            if not self._default:
                raise AttributeError(self._name)
            return self._default[0]
        value = obj.__dict__[self._slot]
        if isinstance(value, Later):
            value = getattr(value.rendered(), self._name)
            obj.__dict__[self._slot] = value
        return cast(T, value)

    def __set__(self, obj: object, value: T | Later) -> None:
        obj.__dict__[self._slot] = value
