"""Who a participants program's issues are for, and when its cohorts end."""

from __future__ import annotations

from automation.course import MEMBER_WORDS, Course, Member, Renaming
from automation.kinds.participants.model import Participant, ParticipantsProgram


def course(program: ParticipantsProgram) -> Course:
    """A key `cohort/username` is that participant's issue; a cohort ends on its `end_date`."""
    return Course(
        member=_member,
        ends={c.id: c.end_date for c in program.cohorts if c.end_date is not None},
        starts={c.id: c.start_date for c in program.cohorts if c.start_date is not None},
        names={c.id: c.name for c in program.cohorts},
        formerly={c.renamed_from: c.id for c in program.cohorts if c.renamed_from},
        named=frozenset(
            name.lower()
            for c in program.cohorts
            for entry in c.participants
            for name in (
                (entry.username, entry.renamed_from) if isinstance(entry, Participant) else (entry,)
            )
        ),
        renaming=Renaming(
            1,
            "write `{{username: {new}, renamed_from: {old}}}` in place of '{new}' in the "
            "participants of cohort '{group}'",
        ),
    )


def _member(rest: str) -> Member | None:
    parts = rest.split("/")
    if len(parts) != 2 or parts[1] in MEMBER_WORDS:
        return None
    return Member(parts[1], parts[0])
