"""Cross-checks of a participants program: cohorts are unique and their people exist."""

from __future__ import annotations

from collections.abc import Iterator

from automation.config.source import Source, duplicates
from automation.errors import Problem
from automation.kinds.kind import (
    CHANGED_PARTICIPANT,
    NAMED,
    NOT_FOLLOWED,
    People,
    member_words,
    own_words,
)
from automation.kinds.participants.model import ParticipantsProgram


def check_participants(
    program: ParticipantsProgram, source: Source, people: People
) -> Iterator[Problem]:
    """Cohort ids and participants are unique, dates in order, participants and the program
    lead in the roster."""
    if program.lead is not None and not people.knows(program.lead):
        yield people.missing(
            source, ("lead",), f"program lead '{program.lead}'", typed=program.lead
        )
    ids = [("cohorts", i, "id") for i in range(len(program.cohorts))]
    yield from duplicates(source, ids, [c.id for c in program.cohorts], "cohort id")
    titled = [("cohorts", i, "name") for i in range(len(program.cohorts))]
    yield from duplicates(source, titled, [c.name for c in program.cohorts], "cohort name", NAMED)
    for c, cohort in enumerate(program.cohorts):
        if cohort.start_date and cohort.end_date and cohort.end_date < cohort.start_date:
            yield source.problem(
                ("cohorts", c, "end_date"),
                f"cohort '{cohort.id}' ends ({cohort.end_date}) before it starts "
                f"({cohort.start_date}); fix one of the dates",
            )
        locs = [("cohorts", c, "participants", p) for p in range(len(cohort.participants))]
        names = [u.lower() for u in cohort.usernames]
        yield from duplicates(source, locs, names, "participant")
        words = member_words(cohort.id)
        yield from own_words(source, locs, cohort.usernames, "participant", words)
        former = [
            (p, x.renamed_from) for p, x in enumerate(cohort.participants) if not isinstance(x, str)
        ]
        where = [("cohorts", c, "participants", p, "renamed_from") for p, _ in former]
        formers = [old for _, old in former]
        yield from own_words(source, where, formers, "renamed_from", words, NOT_FOLLOWED)
        for loc, username in zip(locs, cohort.usernames, strict=True):
            if not people.knows(username):
                yield people.missing(
                    source, loc, f"participant '{username}'", CHANGED_PARTICIPANT, username
                )
