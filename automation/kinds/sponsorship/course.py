"""Whose pair issue a sponsorship key is, and when its cohorts end."""

from __future__ import annotations

from automation.calendar import add_months
from automation.course import Course, Member
from automation.kinds.sponsorship.model import SponsorshipProgram


def course(program: SponsorshipProgram) -> Course:
    """A key `cohort/sponsee` is that pair's issue (a reason is given by the sponsee's
    username); a cohort ends `program_months` after its start, the pairs' due date."""
    part = program.sponsorship
    return Course(
        member=_member,
        ends={c.id: add_months(c.start, part.program_months) for c in part.cohorts},
        names={c.id: c.name for c in part.cohorts},
    )


def _member(rest: str) -> Member | None:
    parts = rest.split("/")
    if len(parts) != 2 or parts[1] in ("tracking", "epic"):
        return None
    return Member(parts[1], parts[0])
