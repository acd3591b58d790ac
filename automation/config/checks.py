"""Cross-references between config files: people named by programs exist, keys are unique."""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass

from automation.checklist import heading_key
from automation.config.models import (
    JobGrades,
    Person,
    Program,
    Roster,
    by_username,
    title_grade_differs,
    title_unlisted,
)
from automation.config.source import Source, duplicates, shorten
from automation.errors import Problem
from automation.kinds.kind import People
from automation.kinds.registry import kind_of
from automation.renames import program_rename_problems


@dataclass(frozen=True)
class Entries:
    """The valid entries of a people.yml some of whose entries have problems: each with its
    position in the file, and the usernames of the others."""

    people: tuple[tuple[int, Person], ...]
    withheld: frozenset[str]


def check_references(
    roster: Roster | Entries,
    people_file: Source,
    programs: Sequence[tuple[Program, Source]],
    grades: JobGrades,
    today: dt.date | None = None,
) -> list[Problem]:
    """Every problem that needs more than one value to see (on TODAY, when given)."""
    if isinstance(roster, Roster):
        roster = Entries(tuple(enumerate(roster.people)), frozenset())
    people = roster.people
    by_name = by_username(person for _, person in people)
    known = People(by_name, grades, roster.withheld, today)
    problems = list(_check_people(people, people_file, known))
    problems.extend(_manager_cycles(people, people_file, by_name))
    graded = frozenset[str]().union(*(kind_of(p).graded_people(p, today) for p, _ in programs))
    problems.extend(_check_grades(people, people_file, grades, graded))
    problems.extend(_shared_ids(programs))
    for program, source in programs:
        problems.extend(_page_name_problems(program, source))
        problems.extend(_check_sections(program, source))
        problems.extend(_check_records(program, source))
        problems.extend(kind_of(program).problems(program, source, known))
    problems.extend(program_rename_problems(programs))
    return problems


def _shared_ids(programs: Sequence[tuple[Program, Source]]) -> Iterator[Problem]:
    """Each file of a program id that another file has too, naming the others: which one is
    the copy, only the person who made it knows (a newcomer's trial copied a file, and the
    problem named the original only)."""
    files: dict[str, list[str]] = {}
    for program, source in programs:
        files.setdefault(program.id, []).append(source.file)
    for program, source in programs:
        others = [file for file in files[program.id] if file != source.file]
        if others:
            yield source.problem(
                ("id",),
                f"program id '{program.id}' is also the id in {', '.join(others)}; give each "
                "program its own id (a copied file keeps the id of the file it was copied from)",
            )


def _page_name_problems(program: Program, source: Source) -> Iterator[Problem]:
    """The dashboard names a program's page after its id, and a cohort's `<id>--<name>-<hash>`:
    an id must take neither the overview's name nor a cohort page's."""
    if program.id == "index" or "--" in program.id:
        yield source.problem(
            ("id",),
            f"program id '{program.id}' would name a dashboard page the way the overview "
            "(`index`) or a cohort's page (`--` in it) is named; choose another id",
        )


def _check_grades(
    people: Sequence[tuple[int, Person]], roster: Source, grades: JobGrades, graded: Set[str]
) -> Iterator[Problem]:
    """A grade given agrees with the title's; the people whose grades a program reads
    (GRADED) have one, from their title or from the roster."""
    for i, person in people:
        if person.title is None:
            continue
        if title_unlisted(person, grades) and person.username.lower() in graded:
            yield roster.problem(
                ("people", i, "title"),
                f"title '{shorten(person.title)}' of '{person.username}' is not in job-grades.yml; "
                f"{_titles_hint(person.title, grades)} give `grade:` for this person",
            )
        elif (differs := title_grade_differs(person, grades)) is not None:
            yield roster.problem(
                ("people", i, "grade"),
                f"grade {person.grade} of '{person.username}' differs from grade {differs} "
                f"of the title '{shorten(person.title)}'; remove `grade:` or fix the title",
            )


TITLES_SHOWN = 5  # known titles a message lists at most


def _titles_hint(title: str, grades: JobGrades) -> str:
    """The known title a misspelt one most likely is, or the known titles (the first few of a
    long list): each quoted short, as every value a message quotes."""
    titles = grades.titles()
    close = difflib.get_close_matches(title, titles, 1, 0.8)
    if close:
        return f"did you mean '{shorten(close[0])}'? Or"
    shown = "; ".join(shorten(t) for t in titles[:TITLES_SHOWN])
    more = len(titles) - TITLES_SHOWN
    return f"use one of: {shown}{f' (and {more} more in job-grades.yml)' if more > 0 else ''}; or"


def _check_people(
    people: Sequence[tuple[int, Person]], roster: Source, known: People
) -> Iterator[Problem]:
    first: dict[str, int] = {}
    for i, person in people:
        name = person.username.lower()
        if name in first:
            line = roster.line_of(("people", first[name]))
            yield roster.problem(
                ("people", i, "username"),
                f"person '{person.username}' is listed twice (first at line "
                f"{line}); keep one entry",
            )
        first.setdefault(name, i)
        if person.manager is not None and not known.knows(person.manager):
            who = f"manager '{person.manager}' of '{person.username}'"
            yield known.missing(roster, ("people", i, "manager"), who, typed=person.manager)
        if person.manager is not None and person.manager.lower() == name:
            yield roster.problem(
                ("people", i, "manager"),
                f"'{person.username}' cannot be their own manager; name their manager, or "
                "remove `manager:`",
            )


def _manager_cycles(
    people: Sequence[tuple[int, Person]], roster: Source, by_name: dict[str, Person]
) -> Iterator[Problem]:
    """People who manage each other round a loop of two or more (one's own manager is
    reported apart): each loop once, at the first of its people in the file."""
    index = {person.username.lower(): i for i, person in reversed(people)}
    done: set[str] = set()  # people whose chain of managers was followed to its end
    loops: list[list[str]] = []
    for _, person in people:
        chain: list[str] = []
        on_chain: set[str] = set()
        name: str | None = person.username.lower()
        while name is not None and name in by_name and name not in done and name not in on_chain:
            chain.append(name)
            on_chain.add(name)
            manager = by_name[name].manager
            name = manager.lower() if manager else None
        if name in on_chain and len(chain) - chain.index(name) > 1:
            loops.append(chain[chain.index(name) :])
        done.update(chain)
    for loop in loops:
        first = min(loop, key=lambda member: index[member])
        names = [by_name[member].username for member in loop]
        yield roster.problem(
            ("people", index[first], "manager"),
            f"managers go round in a loop ({' → '.join([*names, names[0]])}); fix the manager "
            "of one of them",
        )


def _check_records(program: Program, source: Source) -> Iterator[Problem]:
    """A record's `renamed_from` that is another record's label now: lines of that record
    would be read as this one's too (a review: Sentiment `renamed_from: Influence`)."""
    labels = {record.label.casefold() for record in program.records}
    for i, record in enumerate(program.records):
        if record.renamed_from is not None and record.renamed_from.casefold() in labels:
            yield source.problem(
                ("records", i, "renamed_from"),
                f"'{record.renamed_from}' is the label of a record now; `renamed_from` names "
                "the label this record had before",
            )


def _check_sections(program: Program, source: Source) -> Iterator[Problem]:
    yield from duplicates(
        source,
        [("sections", i, "heading") for i in range(len(program.sections))],
        [heading_key(s.heading) for s in program.sections],
        "section heading",
        written=[s.heading for s in program.sections],
    )
    phases = [(i, s) for i, s in enumerate(program.sections) if s.is_phase]
    yield from duplicates(  # two phases under one label: boards merge them (a tester)
        source,
        [("sections", i, "label" if s.label else "heading") for i, s in phases],
        [unicodedata.normalize("NFC", s.label_value).casefold() for _, s in phases],
        "phase label",
        "give each phase its own `label:`",
        written=[s.label_value for _, s in phases],
    )
    headings = {heading_key(s.heading) for s in program.sections}
    for i, section in enumerate(program.sections):
        if section.renamed_from is not None and heading_key(section.renamed_from) in headings:
            yield source.problem(
                ("sections", i, "renamed_from"),
                f"'{section.renamed_from}' is a heading of the program's sections now; "
                "`renamed_from` names the heading this section had before",
            )
