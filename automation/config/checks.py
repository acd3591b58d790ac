"""Cross-references between config files: people named by programs exist, keys are unique."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from automation.config.esp import check_esp
from automation.config.models import JobGrades, Person, Program
from automation.config.onboarding import check_onboarding
from automation.config.source import Source, duplicates
from automation.config.sponsorship import check_sponsorship
from automation.errors import Problem


def check_references(
    people: tuple[Person, ...],
    roster: Source,
    programs: Sequence[tuple[Program, Source]],
    grades: JobGrades,
) -> list[Problem]:
    """Every problem that needs more than one value to see."""
    known = {person.username.lower() for person in people}
    problems = list(_check_people(people, roster, known))
    problems.extend(_check_grades(people, roster, grades))
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
        if program.onboarding is not None:
            problems.extend(check_onboarding(program.onboarding, source, known))
        if program.esp is not None:
            problems.extend(check_esp(program.esp, source, known))
        if program.sponsorship is not None:
            by_name = {person.username.lower(): person for person in people}
            problems.extend(check_sponsorship(program.sponsorship, source, by_name, grades))
    return problems


def _check_grades(
    people: tuple[Person, ...], roster: Source, grades: JobGrades
) -> Iterator[Problem]:
    """A grade comes from the roster or from a known title, and the two agree."""
    for i, person in enumerate(people):
        if person.title is None or not grades.families:
            continue
        from_title = grades.grade_of(person.title)
        if from_title is None and person.grade is None:
            yield roster.problem(
                ("people", i, "title"),
                f"title '{person.title}' of '{person.username}' is not in job-grades.yml; use "
                f"one of: {'; '.join(grades.titles())}; or give `grade:` for this person",
            )
        elif from_title is not None and person.grade not in (None, from_title):
            yield roster.problem(
                ("people", i, "grade"),
                f"grade {person.grade} of '{person.username}' differs from grade {from_title} "
                f"of the title '{person.title}'; remove `grade:` or fix the title",
            )


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
    yield from duplicates(
        source,
        [("sections", i, "heading") for i in range(len(program.sections))],
        [s.heading.casefold() for s in program.sections],
        "section heading",
    )
    yield from duplicates(
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
        yield from duplicates(source, locs, names, "participant")
        for loc, username in zip(locs, cohort.participants, strict=True):
            if username.lower() not in known:
                yield source.problem(
                    loc,
                    f"participant '{username}' is not in the roster; "
                    "add them to people.yml or fix the username",
                )
