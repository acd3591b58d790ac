"""Onboarding programs: one issue per new hire, on the track of their role (Sales Onboarding)."""

from automation.kinds.kind import Kind
from automation.kinds.onboarding.checks import check_onboarding
from automation.kinds.onboarding.course import WORKSHOP, course
from automation.kinds.onboarding.generate import COHORT, COHORT_BLOCK, WORKSHOPS, generate
from automation.kinds.onboarding.model import OnboardingProgram
from automation.kinds.onboarding.renames import renames
from automation.reminders.checks import ReminderFacts

KIND = Kind(
    OnboardingProgram,
    generate,
    check_onboarding,
    blocks=(WORKSHOP, WORKSHOPS, COHORT),
    # each workshop's rollup: rendered while planning, so only a run would find it missing
    templates=lambda program: (COHORT_BLOCK,) if program.onboarding.workshops else (),
    renames=renames,
    course=course,
    reminders=ReminderFacts(
        dates=(
            "start",
            "ready",
            "goal",
            "workshop_start",
            "workshop_end",
            "live_lead",
            "prework_due",
        ),
        roles=("participant", "manager", "program_lead"),
        made_before="start",
    ),
)
