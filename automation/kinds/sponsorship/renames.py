"""Renamed cohorts and pairs of a sponsorship program (`renamed_from` on a cohort, or on a
pair: the sponsee's former username, the pair's id in its key)."""

from __future__ import annotations

from collections.abc import Iterator

from automation.kinds.sponsorship.model import SponsorshipProgram
from automation.renames import Renamed


def renames(program: SponsorshipProgram) -> Iterator[Renamed]:
    """A cohort's pairs, rollup and epic follow it from its former id; a pair's issue follows
    its sponsee's new username. Messages name a pair by number, never by person."""
    cohorts = program.sponsorship.cohorts
    ids = frozenset(c.id for c in cohorts)
    for c, cohort in enumerate(cohorts):
        if cohort.renamed_from is not None:
            yield Renamed(
                what=f"cohort '{cohort.id}'",
                loc=("sponsorship", "cohorts", c, "renamed_from"),
                new=cohort.id,
                old=cohort.renamed_from,
                current=ids,
                paths=((cohort.id, cohort.renamed_from),),
                scope="cohort",
            )
        sponsees = frozenset(p.sponsee.lower() for p in cohort.pairs)
        for p, pair in enumerate(cohort.pairs):
            if pair.renamed_from is not None:
                new, old = pair.sponsee.lower(), pair.renamed_from.lower()
                yield Renamed(
                    what=f"pair {p + 1} of cohort {cohort.id}",
                    loc=("sponsorship", "cohorts", c, "pairs", p, "renamed_from"),
                    new=new,
                    old=old,
                    current=sponsees,
                    paths=((f"{cohort.id}/{new}", f"{cohort.id}/{old}"),),
                    scope=f"pair:{cohort.id}",
                    private=True,
                )
