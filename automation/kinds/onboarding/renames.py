"""Hires whose GitLab username changed (`renamed_from` on a hire): their issue follows."""

from __future__ import annotations

from collections.abc import Iterator

from automation.kinds.onboarding.model import OnboardingProgram
from automation.renames import Renamed


def renames(program: OnboardingProgram) -> Iterator[Renamed]:
    """A hire's issue, key and notes follow them from their former username."""
    hires = program.onboarding.hires
    usernames = frozenset(h.username.lower() for h in hires)
    for i, hire in enumerate(hires):
        if hire.renamed_from is not None:
            new, old = hire.username.lower(), hire.renamed_from.lower()
            yield Renamed(
                what=f"hire '{hire.username}'",
                loc=("onboarding", "hires", i, "renamed_from"),
                new=new,
                old=old,
                current=usernames,
                paths=((new, old),),
                scope="hire",
            )
