"""Whose pair issue a sponsorship key is, and when its cohorts end."""

from __future__ import annotations

from automation.calendar import add_months
from automation.course import Course, Member
from automation.kinds.sponsorship.model import SponsorshipProgram


def course(program: SponsorshipProgram) -> Course:
    """A key `cohort/sponsee[/...]` is one of that pair's issues (a reason is given by the sponsee's
    username); a cohort ends `program_months` after its start, the pairs' due date."""
    part = program.sponsorship
    return Course(
        member=_member,
        ends={c.id: add_months(c.start, part.program_months) for c in part.cohorts},
        names={c.id: c.name for c in part.cohorts},
    )


def _member(rest: str) -> Member | None:
    """`cohort/sponsee` (the pair's issue) and `cohort/sponsee/...` (its scores and career
    advancement issues) are the pair's."""
    parts = rest.split("/")
    if len(parts) not in (2, 3) or parts[1] in ("tracking", "epic"):
        return None
    return Member(parts[1], parts[0])
