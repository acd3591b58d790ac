"""Whose issues an ESP key names (an account's), and when each account's commitment ends."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial

from automation.course import Course, Ending, Member
from automation.kinds.esp.model import Account, EspProgram


def course(program: EspProgram) -> Course:
    """A key `account/ID/...` is one of that account's issues (a reason is given by the
    account id). An approved account whose `end` has passed gets its plan issue closed with
    a summary note; its other issues stay as they are."""
    approved = [a for a in program.esp.accounts if a.status == "approved"]
    base = f"{program.id}/account"
    return Course(
        member=partial(_member, _held(program.esp.accounts)),
        owner=_owner,
        names={a.id: a.name for a in program.esp.accounts},
        named=frozenset(_ids(program.esp.accounts)),
        endings=tuple(
            Ending(f"{base}/{a.id}/account-plan", a.end, a.name, f"{base}/{a.id}/", a.ended_early)
            for a in approved
            if a.end is not None
        ),
    )


def _ids(accounts: Iterable[Account]) -> Iterator[str]:
    """The accounts' ids, and their former ids while renamed (their issues' keys)."""
    for account in accounts:
        yield account.id
        if account.renamed_from:
            yield account.renamed_from


def _held(accounts: Iterable[Account]) -> dict[str, str]:
    """Each account's status by its id and former id."""
    return {name: a.status for a in accounts for name in _ids((a,))}


def _member(held: Mapping[str, str], rest: str) -> Member | None:
    """`account/ID/...` is the account's, unless the account is still approved: then an issue
    of it no longer asked for (a period before a corrected start, or one a rehearsal of a
    later day made) is not a departure."""
    parts = rest.split("/")
    status = held.get(parts[1]) if len(parts) >= 3 else None
    if len(parts) < 3 or parts[0] != "account" or status == "approved":
        return None
    return Member(parts[1], parts[1], held=status)


def _owner(rest: str) -> str | None:
    """`account/ID/...` is a series of the account's periods, approved or not."""
    parts = rest.split("/")
    return parts[1] if len(parts) >= 3 and parts[0] == "account" else None
