"""Executive Sponsorship Programs: account plans and the operating cadence, by fiscal period."""

from automation.kinds.esp.checks import account_words, check_esp
from automation.kinds.esp.course import course
from automation.kinds.esp.generate import (
    PROPOSALS,
    PROPOSALS_BLOCK,
    SCORECARD,
    SCORECARD_BLOCK,
    generate,
)
from automation.kinds.esp.model import EspProgram
from automation.kinds.esp.renames import renames
from automation.kinds.kind import Kind
from automation.reminders.checks import ReminderFacts

KIND = Kind(
    EspProgram,
    generate,
    check_esp,
    blocks=(PROPOSALS, SCORECARD),
    templates=lambda _program: (PROPOSALS_BLOCK, SCORECARD_BLOCK),
    renames=renames,
    course=course,
    secrets=account_words,
    reminders=ReminderFacts(
        dates=("start", "end"), roles=("sponsor", "account_team", "program_lead")
    ),
)
