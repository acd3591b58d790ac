"""What a kind of program is: its part of the program file, its checks, its issues, its blocks."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from automation.config.models import JobGrades, Person, Program
from automation.config.source import Loc, Source
from automation.course import MEMBER_WORDS, Course, no_course
from automation.desired import Context, Generated
from automation.errors import Problem
from automation.reasons import near_name
from automation.reminders.checks import ReminderFacts, reminder_problems
from automation.renames import Renamed, no_renames, rename_problems

P = TypeVar("P", bound=Program)

# What a message about a username not in the roster says of a username change (one line, so a
# few words), by where the username stands. Most places name a person only: the new username
# goes there too. A participant's and a sponsee's issues follow it with `renamed_from`; without
# it they would be withdrawn and made anew, as a hire's and a sponsor's score issue are.
CHANGED = "if their username changed, write the new one here too"
CHANGED_PARTICIPANT = (
    "if their username changed, write `{username: NEW, renamed_from: OLD}` here so their "
    "issues follow (README 'Renaming')"
)
CHANGED_SPONSEE = (
    "if their username changed, write the new one and give the pair `renamed_from: OLD` so "
    "its issues follow (README 'Renaming'); if they left, remove the pair (its issues are "
    "withdrawn, nothing in them lost)"
)
CHANGED_SPONSOR = (
    "if their username changed, write the new one here too (their score issue is made anew: "
    "README 'People change'); if they left, name another sponsor or remove the pair"
)
CHANGED_HIRE = (
    "if their username changed, write `{username: NEW, role: ..., renamed_from: OLD}` here so "
    "their issue follows (README 'Renaming')"
)


# What to do about two groups of one program with the same name
NAMED = "give each its own name: rollups and the dashboard tell groups apart by their names"


def member_words(cohort: str) -> tuple[str, ...]:
    """The words a participant's or a sponsee's username in COHORT cannot be."""
    return (*MEMBER_WORDS, "index") if cohort == "tracking" else MEMBER_WORDS


# What to do about a username in a key of the tool's own (own_words)
LEAVE_OUT = "the program cannot hold an issue for them (a limit of the tool); leave them out of it"
NOT_FOLLOWED = "their former issue cannot be followed; remove `renamed_from:`"


def own_words(  # noqa: PLR0917
    source: Source,
    locs: Sequence[Loc],
    values: Sequence[str],
    what: str,
    words: Sequence[str],
    fix: str = LEAVE_OUT,
) -> Iterator[Problem]:
    """A problem for each username (WHAT: whose) that is one of WORDS: their issue's key
    would be one of the tool's own."""
    for loc, value in zip(locs, values, strict=True):
        if value.lower() in words:
            yield source.problem(
                loc,
                f"{what} '{value}': an issue of the tool's own has this word where this "
                f"person's username would stand in their issue's key, so {fix}",
            )


@dataclass(frozen=True)
class People:
    """The roster as cross-checks look people up: by username, whatever its case."""

    by_name: Mapping[str, Person]  # lowercase username -> person
    grades: JobGrades
    withheld: frozenset[str] = frozenset()  # usernames whose entries have problems of their own
    today: dt.date | None = None  # the run's day (None: rules are checked as on no day yet)

    def knows(self, username: str) -> bool:
        """Whether the username is in the roster (an entry with problems of its own counts:
        naming that person is not a second problem)."""
        return username.lower() in self.by_name or username.lower() in self.withheld

    def missing(
        self, source: Source, loc: Loc, who: str, changed: str = CHANGED, typed: str = ""
    ) -> Problem:
        """The problem of a person (`who`, as the message names them) not in the roster, and
        what to do if their username changed (CHANGED: one of the texts above). TYPED: the
        username as the file has it, when the message may name it: a roster username that
        looks like it is offered (a newcomer's trial: `lena.fisher` for `lena.fischer`)."""
        spelt = {name: person.username for name, person in self.by_name.items()}
        near = near_name(typed, spelt) if typed else None
        meant = f"did you mean '{near}'? Else " if near else ""
        return source.problem(
            loc,
            f"{who} is not in the roster; {meant}add them to people.yml or fix the username; "
            f"{changed}",
        )


Check = Callable[[P, Source, People], Iterable[Problem]]


def no_secrets(data: Mapping[str, object]) -> Iterable[str]:
    """A kind whose files name nothing confidential but people."""
    return ()


def no_templates(program: Program) -> tuple[str, ...]:
    """For a kind that renders no template of its own beyond what its file names."""
    return ()


def no_checks(program: Program, source: Source, people: People) -> Iterable[Problem]:
    """For a kind whose file needs nothing beyond its model."""
    return ()


def no_grades(program: Program, today: dt.date | None) -> Iterable[str]:
    """For a kind whose rules read nobody's grade."""
    return ()


@dataclass(frozen=True)
class Kind(Generic[P]):
    """One kind of program. `model` is a `Program` subclass with `kind: Literal["NAME"]` and the
    kind's own keys; `check` finds what needs more than one value (or the roster) to see;
    `generate` turns a program into its issues; `blocks` names the tool-owned blocks the kind's
    templates hold besides progress, rollup and completion; `renames` lists its items'
    `renamed_from` (renames.py); `course` says whose issue each key is and when its groups
    end (course.py, lifecycle.py); `reminders` names the dates and roles its issues carry
    for reminders (automation/reminders/); `secrets` what its files name that is confidential
    besides people."""

    model: type[P]
    generate: Callable[[Context[P]], Generated]
    check: Check[P] = no_checks
    blocks: tuple[str, ...] = ()
    # the template files the kind renders for a program (its blocks' layouts) that only a run
    # would find missing, which a team's templates/ must keep: checked up front, as the ones
    # a program file names are; only those this program needs (a reviewer saw a repository
    # refused for a sponsorship block it never rendered, another one pass and fail its run)
    templates: Callable[[P], tuple[str, ...]] = no_templates
    renames: Callable[[P], Iterable[Renamed]] = no_renames
    course: Callable[[P], Course] = no_course
    reminders: ReminderFacts = field(default_factory=ReminderFacts)
    # what a confidential program's file names besides people (an ESP's customers), read from
    # the file as written, valid or not: hidden from outputs as people's names are
    secrets: Callable[[Mapping[str, object]], Iterable[str]] = no_secrets
    # the usernames whose grades the kind's rules read on a day (None: as on no day yet): a
    # title not in job-grades.yml needs `grade:` for them, and only for them (a newcomer's
    # trial: a new hire of a title not listed stopped every run, and onboarding reads no grade)
    graded: Callable[[P, dt.date | None], Iterable[str]] = no_grades

    @property
    def name(self) -> str:
        """The value of `kind:` in a program file, from the model's literal."""
        (value,) = typing.get_args(self.model.model_fields["kind"].annotation)
        return str(value)

    def problems(self, program: Program, source: Source, people: People) -> list[Problem]:
        """The kind's cross-checks of one program."""
        own = self._own(program)
        return [
            *self.check(own, source, people),
            *rename_problems(self.renamed(own), source),
            *reminder_problems(own, self.reminders, source, people),
        ]

    def graded_people(self, program: Program, today: dt.date | None) -> frozenset[str]:
        """The usernames (lowercase) whose grades the program's rules read on TODAY."""
        return frozenset(name.lower() for name in self.graded(self._own(program), today))

    def renamed(self, program: Program) -> tuple[Renamed, ...]:
        """What the program file says was renamed (`renamed_from`) among the kind's ids."""
        return tuple(self.renames(self._own(program)))

    def course_of(self, program: Program) -> Course:
        """The program's members and endings, as the kind reads them from its file."""
        return self.course(self._own(program))

    def generated(self, ctx: Context[Program]) -> Generated:
        """The kind's issues, groups and blocks for one program."""
        program = self._own(ctx.program)
        return self.generate(
            Context(
                ctx.config,
                program,
                ctx.source,
                ctx.renderer,
                ctx.today,
                ctx.blocks,
                deferred=ctx.deferred,
                said=ctx.said,
            )
        )

    def _own(self, program: Program) -> P:
        if not isinstance(program, self.model):
            raise TypeError(f"program '{program.id}' is not a {self.name} program")
        return program
