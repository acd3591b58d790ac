"""Cross-references between config files: people named by programs exist, keys are unique."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from automation.config.models import Person, Program
from automation.config.source import Loc, Source
from automation.errors import Problem


def check_references(
    people: tuple[Person, ...], roster: Source, programs: Sequence[tuple[Program, Source]]
) -> list[Problem]:
    """Every problem that needs more than one value to see."""
    known = {person.username.lower() for person in people}
    problems = list(_check_people(people, roster, known))
    seen_ids: dict[str, str] = {}
    for program, source in programs:
        if program.id in seen_ids:
            problems.append(
                source.problem(
                    ("id",),
                    f"program id '{program.id}' is already used by {seen_ids[program.id]}; "
                    "give each program its own id",
                )
            )
        seen_ids.setdefault(program.id, source.file)
        problems.extend(_check_program(program, source, known))
    return problems


def _check_people(people: tuple[Person, ...], roster: Source, known: set[str]) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, person in enumerate(people):
        name = person.username.lower()
        if name in first:
            line = roster.line_of(("people", first[name]))
            yield roster.problem(
                ("people", i, "username"),
                f"person '{person.username}' is listed twice (first at line "
                f"{line}); keep one entry",
            )
        first.setdefault(name, i)
        if person.manager is not None and person.manager.lower() not in known:
            yield roster.problem(
                ("people", i, "manager"),
                f"manager '{person.manager}' of '{person.username}' is not in "
                "the roster; add them to people.yml or fix the username",
            )
        if person.manager == person.username:
            yield roster.problem(
                ("people", i, "manager"), f"'{person.username}' cannot be their own manager"
            )


def _check_program(program: Program, source: Source, known: set[str]) -> Iterator[Problem]:
    yield from _duplicates(
        source,
        [("sections", i, "heading") for i in range(len(program.sections))],
        [s.heading.casefold() for s in program.sections],
        "section heading",
    )
    yield from _duplicates(
        source,
        [("cohorts", i, "id") for i in range(len(program.cohorts))],
        [c.id for c in program.cohorts],
        "cohort id",
    )
    for c, cohort in enumerate(program.cohorts):
        if cohort.start_date and cohort.end_date and cohort.end_date < cohort.start_date:
            yield source.problem(
                ("cohorts", c, "end_date"),
                f"cohort '{cohort.id}' ends ({cohort.end_date}) before it starts "
                f"({cohort.start_date}); fix one of the dates",
            )
        locs = [("cohorts", c, "participants", p) for p in range(len(cohort.participants))]
        names = [u.lower() for u in cohort.participants]
        yield from _duplicates(source, locs, names, "participant")
        for loc, username in zip(locs, cohort.participants, strict=True):
            if username.lower() not in known:
                yield source.problem(
                    loc,
                    f"participant '{username}' is not in the roster; "
                    "add them to people.yml or fix the username",
                )


def _duplicates(
    source: Source, locs: Sequence[Loc], values: Sequence[str], what: str
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for loc, value in zip(locs, values, strict=True):
        if value in first:
            yield source.problem(
                loc, f"{what} '{value}' appears twice (first at line {first[value]}); keep one"
            )
        first.setdefault(value, source.line_of(loc))
