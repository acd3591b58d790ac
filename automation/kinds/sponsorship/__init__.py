"""Sponsorship programs: one confidential issue per sponsor/sponsee pair (Sales Sponsorship)."""

from automation.kinds.kind import Kind
from automation.kinds.sponsorship.checks import check_sponsorship, graded
from automation.kinds.sponsorship.course import course
from automation.kinds.sponsorship.generate import (
    ADVANCEMENT,
    CHECKPOINT_BLOCKS,
    MATCHES,
    PUBLISHED_TEMPLATE,
    generate,
)
from automation.kinds.sponsorship.model import SponsorshipProgram
from automation.kinds.sponsorship.renames import renames
from automation.reminders.checks import ReminderFacts

KIND = Kind(
    SponsorshipProgram,
    generate,
    check_sponsorship,
    blocks=(MATCHES, *CHECKPOINT_BLOCKS, ADVANCEMENT),
    # a published figure's block, rendered while planning: for scores or the advancement rate
    templates=lambda program: (
        (PUBLISHED_TEMPLATE,)
        if program.sponsorship.scores or program.sponsorship.advancement
        else ()
    ),
    renames=renames,
    course=course,
    graded=graded,
    reminders=ReminderFacts(
        dates=("start", "end", "checkpoint_start", "checkpoint_mid", "checkpoint_end"),
        roles=("participant", "sponsor", "manager"),
        over_after="end",
    ),
)
