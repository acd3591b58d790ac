"""Participants programs: one issue per participant of each cohort (CSM Aspiring Leaders)."""

from automation.kinds.kind import Kind
from automation.kinds.participants.checks import check_participants
from automation.kinds.participants.course import course
from automation.kinds.participants.generate import generate
from automation.kinds.participants.model import ParticipantsProgram
from automation.kinds.participants.renames import renames
from automation.reminders.checks import ReminderFacts

KIND = Kind(
    ParticipantsProgram,
    generate,
    check_participants,
    renames=renames,
    course=course,
    reminders=ReminderFacts(
        dates=("start", "end"),
        roles=("participant", "manager"),
        over_after="end",
        made_before="start",
    ),
)
