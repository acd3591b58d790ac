"""Renamed cohorts and participants of a participants program (`renamed_from` on a cohort,
or on a participant written `{username: NEW, renamed_from: OLD}` after a username change)."""

from __future__ import annotations

from collections.abc import Iterator

from automation.kinds.participants.model import Participant, ParticipantsProgram
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
        usernames = frozenset(u.lower() for u in cohort.usernames)
        for p, entry in enumerate(cohort.participants):
            if isinstance(entry, Participant):
                new, old = entry.username.lower(), entry.renamed_from.lower()
                yield Renamed(
                    what=f"participant '{entry.username}' of cohort '{cohort.id}'",
                    loc=("cohorts", i, "participants", p, "renamed_from"),
                    new=new,
                    old=old,
                    current=usernames,
                    paths=((f"{cohort.id}/{new}", f"{cohort.id}/{old}"),),
                    scope=f"participant:{cohort.id}",
                )
