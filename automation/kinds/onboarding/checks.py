"""Cross-checks of an onboarding program: roles, workshops, hires and who they are."""

from __future__ import annotations

from collections.abc import Iterator

from automation.config.source import Source, duplicates
from automation.course import HIRE_WORDS
from automation.errors import Problem
from automation.kinds.kind import CHANGED_HIRE, NOT_FOLLOWED, People, own_words
from automation.kinds.onboarding.model import Hire, OnboardingProgram


def check_onboarding(
    program: OnboardingProgram, source: Source, people: People
) -> Iterator[Problem]:
    """Roles and workshops are unique, hires exist and are in a role this program takes."""
    part = program.onboarding
    where = ("onboarding",)
    yield from duplicates(
        source,
        [(*where, "roles", i, "id") for i in range(len(part.roles))],
        [r.id for r in part.roles],
        "role id",
    )
    workshops = [(*where, "workshops", i, "id") for i in range(len(part.workshops))]
    yield from duplicates(source, workshops, [w.id for w in part.workshops], "workshop id")
    named = [part.group_name(w) for w in part.workshops]
    fix = "give each its own dates, geo or location: rollups and the dashboard name it by them"
    yield from duplicates(source, workshops, named, "workshop", fix)
    hires = [(*where, "hires", i, "username") for i in range(len(part.hires))]
    yield from duplicates(source, hires, [h.username.lower() for h in part.hires], "hire")
    yield from own_words(source, hires, [h.username for h in part.hires], "hire", HIRE_WORDS)
    former = [(i, h.renamed_from) for i, h in enumerate(part.hires) if h.renamed_from]
    formers = [(*where, "hires", i, "renamed_from") for i, _ in former]
    names = [name for _, name in former]
    yield from own_words(source, formers, names, "renamed_from", HIRE_WORDS, NOT_FOLLOWED)
    if not people.knows(part.enablement_contact):
        yield people.missing(
            source,
            (*where, "enablement_contact"),
            f"enablement contact '{part.enablement_contact}'",
            typed=part.enablement_contact,
        )
    yield from _workshops(program, source, people)
    for i, hire in enumerate(part.hires):
        yield from _hire(program, i, hire, source, people)


def _workshops(program: OnboardingProgram, source: Source, people: People) -> Iterator[Problem]:
    """Dates in order; SDRs attending are in the roster."""
    where = ("onboarding", "workshops")
    hires = {h.username.lower(): h for h in program.onboarding.hires}
    for i, workshop in enumerate(program.onboarding.workshops):
        if workshop.end < workshop.start:
            yield source.problem(
                (*where, i, "end"), f"workshop '{workshop.id}' ends before it starts; fix a date"
            )
        for j, sdr in enumerate(workshop.sdrs):
            hire = hires.get(sdr.lower())
            if hire is not None:  # a trial: counted twice in the cohort, and called an SDR
                yield source.problem(
                    (*where, i, "sdrs", j),
                    f"'{sdr}' in the `sdrs` of '{workshop.id}' is a hire of this program (role "
                    f"{hire.role}), with an onboarding issue of their own here; remove them "
                    "from `sdrs` (name the workshop for them with `workshop:` in `hires`)",
                )
            elif not people.knows(sdr):
                yield people.missing(
                    source, (*where, i, "sdrs", j), f"SDR '{sdr}' of '{workshop.id}'", typed=sdr
                )


def _before_start(
    program: OnboardingProgram, i: int, hire: Hire, source: Source, people: People
) -> Iterator[Problem]:
    """A workshop named for a hire that is over before they start (a date or a name typed
    wrong): their issue would ask for pre-work before they join, and end before its due date."""
    person = people.by_name.get(hire.username.lower())
    start = person.start_date if person is not None else None
    workshop = next(w for w in program.onboarding.workshops if w.id == hire.workshop)
    if start is not None and workshop.end < start:
        yield source.problem(
            ("onboarding", "hires", i, "workshop"),
            f"workshop '{workshop.id}' of hire '{hire.username}' ends on {workshop.end}, "
            f"before their start date in people.yml; name a later one",
        )


def _hire(
    program: OnboardingProgram, i: int, hire: Hire, source: Source, people: People
) -> Iterator[Problem]:
    """A hire is in the roster, in a role of this program, with workshops that exist."""
    part = program.onboarding
    loc = ("onboarding", "hires", i)
    roles = {role.id: role for role in part.roles}
    excluded = {role.id: role for role in part.excluded_roles}
    workshops = {w.id for w in part.workshops}
    known = ", ".join(sorted(workshops)) or "none"
    if not people.knows(hire.username):
        yield people.missing(
            source, (*loc, "username"), f"hire '{hire.username}'", CHANGED_HIRE, hire.username
        )
    if hire.role in excluded:
        yield source.problem(
            (*loc, "role"),
            f"hire '{hire.username}' has role '{hire.role}': "
            f"{excluded[hire.role].reason}; remove them from this program",
        )
    elif hire.role not in roles:
        yield source.problem(
            (*loc, "role"),
            f"role '{hire.role}' of hire '{hire.username}' is not one of "
            f"this program's roles ({', '.join(roles)}); fix it",
        )
    if hire.workshop is not None and hire.workshop not in workshops:
        yield source.problem(
            (*loc, "workshop"),
            f"workshop '{hire.workshop}' of hire '{hire.username}' is not in `workshops` ({known})",
        )
    elif hire.workshop is not None:
        yield from _before_start(program, i, hire, source, people)
    yield from _cancelled(hire, loc, workshops, known, source, people)


def _cancelled(  # noqa: PLR0917
    hire: Hire,
    loc: tuple[str | int, ...],
    workshops: set[str],
    known: str,
    source: Source,
    people: People,
) -> Iterator[Problem]:
    """A hire's cancelled workshops exist, are not theirs still, and another approved them."""
    for j, cancelled in enumerate(hire.cancelled):
        at = (*loc, "cancelled", j)
        if cancelled.workshop not in workshops:
            yield source.problem(
                (*at, "workshop"),
                f"cancelled workshop '{cancelled.workshop}' of hire '{hire.username}' is not "
                f"in `workshops` ({known})",
            )
        elif cancelled.workshop == hire.workshop:
            yield source.problem(
                (*at, "workshop"),
                f"hire '{hire.username}' is assigned workshop '{hire.workshop}', which they "
                "cancelled; remove one of the two",
            )
        if not people.knows(cancelled.approved_by):
            yield people.missing(
                source,
                (*at, "approved_by"),
                f"approver '{cancelled.approved_by}'",
                typed=cancelled.approved_by,
            )
        elif cancelled.approved_by.lower() == hire.username.lower():
            yield source.problem(  # the page: the Regional Director's approval, in writing
                (*at, "approved_by"),
                f"hire '{hire.username}' approves their own cancelled workshop "
                f"'{cancelled.workshop}'; name the Regional Director who approved it in writing",
            )
