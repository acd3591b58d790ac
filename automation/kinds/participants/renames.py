"""Renamed cohorts of a participants program (`renamed_from` on a cohort)."""

from __future__ import annotations

from collections.abc import Iterator

from automation.kinds.participants.model import ParticipantsProgram
from automation.renames import Renamed


def renames(program: ParticipantsProgram) -> Iterator[Renamed]:
    """A cohort's issues, epic and keys follow it from its former id."""
    ids = frozenset(c.id for c in program.cohorts)
    for i, cohort in enumerate(program.cohorts):
        if cohort.renamed_from is not None:
            yield Renamed(
                what=f"cohort '{cohort.id}'",
                loc=("cohorts", i, "renamed_from"),
                new=cohort.id,
                old=cohort.renamed_from,
                current=ids,
                paths=((cohort.id, cohort.renamed_from),),
                scope="cohort",
            )
