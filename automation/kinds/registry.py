"""The one list of program kinds. A new kind is a folder next to this file and a line below."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from automation.config.models import Program
from automation.kinds import esp, onboarding, participants, sponsorship
from automation.kinds.kind import Kind

_KINDS: dict[str, Kind[Any]] = {}


def register(kind: Kind[Any]) -> None:
    """Make a kind available to program files (`kind: NAME`)."""
    if kind.name in _KINDS:
        raise ValueError(f"a program kind named '{kind.name}' is already registered")
    _KINDS[kind.name] = kind


def unregister(name: str) -> None:
    """Forget a kind (a test's own kind, once the test is done)."""
    del _KINDS[name]


register(participants.KIND)
register(onboarding.KIND)
register(sponsorship.KIND)
register(esp.KIND)


def kinds() -> tuple[Kind[Any], ...]:
    """Every registered kind, in the order registered."""
    return tuple(_KINDS.values())


def kind_of(program: Program) -> Kind[Any]:
    """The kind of a validated program."""
    return _KINDS[program.kind]


def confidential_kinds() -> tuple[str, ...]:
    """The names of the kinds whose programs are confidential by default."""
    return tuple(name for name, kind in _KINDS.items() if kind.model.confidential_by_default)


def kind_named(name: object) -> Kind[Any] | None:
    """The kind a program file's `kind:` value names, if any."""
    return _KINDS.get(name) if isinstance(name, str) else None


def secret_words(data: Mapping[str, object]) -> frozenset[str]:
    """What a program file (as written, valid or not, or a program's `model_dump()`) names
    that is confidential besides people, as its kind reads it (an ESP's accounts): words of
    two letters and more, which outputs hide as they hide people's names."""
    kind = kind_named(data.get("kind"))
    return frozenset(w for w in (kind.secrets(data) if kind else ()) if len(w) > 1)


def confidential_data(data: Mapping[str, object]) -> bool:
    """Whether a program file (as written, valid or not) is a confidential program's: a kind
    confidential by default counts as such even if the file says otherwise."""
    kind = kind_named(data.get("kind"))
    default = kind is not None and kind.model.confidential_by_default
    return default or data.get("confidential") is True


def program_schema() -> TypeAdapter[Program]:
    """What a program file may hold: one of the registered kinds, chosen by its `kind:`."""
    return _schema(tuple(kind.model for kind in _KINDS.values()))


@cache
def _schema(models: tuple[type[Program], ...]) -> TypeAdapter[Program]:
    union: Any = Union[models]  # noqa: UP007 (built from the registry, so not written out)
    return TypeAdapter(Annotated[union, Field(discriminator="kind")])
