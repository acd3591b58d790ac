"""Whose onboarding issue a key is, and when a workshop's group ends."""

from __future__ import annotations

import datetime as dt
from functools import partial

from automation.course import HIRE_WORDS, Course, Member, Renaming
from automation.kinds.onboarding.model import Onboarding, OnboardingProgram, Workshop

WORKSHOP = "workshop"  # the block of a hire's issue that shows their workshop


def course(program: OnboardingProgram) -> Course:
    """A key `username` is that hire's issue, unless they are still a hire (with no start date
    yet, their issue is not asked for, yet they have not left). A workshop's group ends
    `milestone_days.goal` days after the workshop: every hire in it started before the
    workshop, so each one's goal (their due date) has passed by then."""
    part = program.onboarding
    hires = frozenset(h.username.lower() for h in part.hires)
    formers = frozenset(h.renamed_from.lower() for h in part.hires if h.renamed_from)
    return Course(
        member=partial(_member, hires),
        ends={w.id: group_end(part, w) for w in part.workshops},
        begins={w.id: w.start for w in part.workshops},
        names={w.id: part.group_name(w) for w in part.workshops},
        group_block=WORKSHOP,
        named=hires | formers,
        renaming=Renaming(0, "give hire '{new}' `renamed_from: {old}`"),
    )


def _member(hires: frozenset[str], rest: str) -> Member | None:
    if "/" in rest or rest in HIRE_WORDS or rest.lower() in hires:
        return None
    return Member(rest)


def group_end(part: Onboarding, workshop: Workshop) -> dt.date:
    """The last day of a workshop's group: every hire's goal day in it has passed by then."""
    return workshop.end + dt.timedelta(days=part.milestone_days.goal)
