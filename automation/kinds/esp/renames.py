"""Renamed accounts of an Executive Sponsorship Program (`renamed_from` on an account)."""

from __future__ import annotations

from collections.abc import Iterator

from automation.kinds.esp.model import EspProgram
from automation.renames import Renamed


def renames(program: EspProgram) -> Iterator[Renamed]:
    """An account's plan, cadence issues and epic follow it from its former id."""
    accounts = program.esp.accounts
    ids = frozenset(a.id for a in accounts)
    for i, account in enumerate(accounts):
        old = account.renamed_from
        if old is not None:
            yield Renamed(
                what=f"account '{account.id}'",
                loc=("esp", "accounts", i, "renamed_from"),
                new=account.id,
                old=old,
                current=ids,
                paths=(
                    (f"account/{account.id}", f"account/{old}"),
                    (f"{account.id}/epic", f"{old}/epic"),
                ),
                scope="account",
            )
