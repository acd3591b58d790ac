"""A fifth program kind declared outside automation/: one review issue per reviewer, due a
number of days after the program starts. Registering `KIND` is all it takes to use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from automation.config.models import Program, Username
from automation.config.source import Source
from automation.desired import Context, Generated
from automation.errors import Problem
from automation.kinds.kind import Kind, People


class ReviewProgram(Program):
    """`kind: reviews`: the reviewers, when the reviews start, and how long they take."""

    kind: Literal["reviews"]
    reviewers: tuple[Username, ...] = Field(min_length=1)
    start: dt.date
    days: int = Field(default=14, ge=1)


def check(program: ReviewProgram, source: Source, people: People) -> Iterator[Problem]:
    """Every reviewer is in the roster."""
    for i, username in enumerate(program.reviewers):
        if not people.knows(username):
            yield people.missing(source, ("reviewers", i), f"reviewer '{username}'")


def generate(ctx: Context[ReviewProgram]) -> Generated:
    """An issue per reviewer, assigned to them."""
    program = ctx.program
    due = program.start + dt.timedelta(days=program.days)
    issues = tuple(
        ctx.program_issue(
            key=f"{program.id}/{username.lower()}",
            values={"program": program, "reviewer": ctx.config.person(username), "due": due},
            subject=ctx.config.person(username).name,
            assignees=(username,),
            due_date=due,
            epic_key=ctx.program_epic_key(),
        )
        for username in program.reviewers
    )
    return Generated(issues)


KIND = Kind(ReviewProgram, generate, check)
