"""What a kind's issues offer reminders (named dates, roles), and the checks of a program's
`reminders:` against it: every mistake is a problem at its file and line."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from automation.checklist import heading_key
from automation.config.models import Program
from automation.config.reminders import Reminder
from automation.config.source import Source, duplicates
from automation.errors import Problem

if TYPE_CHECKING:
    from automation.kinds.kind import People

LEAD = "program_lead"


@dataclass(frozen=True)
class ReminderFacts:
    """The dates a kind's issues carry (by name) and the roles they name people for; a kind
    whose issues carry neither can have no reminders."""

    dates: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    # the date once past which an issue's group has ended: nothing is reminded after it
    over_after: str | None = None
    # the date issues are made `create_days_before_start` days before: not reminded earlier
    made_before: str | None = None


def reminder_problems(
    program: Program, facts: ReminderFacts, source: Source, people: People
) -> Iterator[Problem]:
    """Unknown dates, sections and roles, repeated ids, and a program lead not in the roster."""
    part = program.reminders
    sent = part.send
    base = ("reminders", "send")
    yield from duplicates(
        source, [(*base, i, "id") for i in range(len(sent))], [r.id for r in sent], "reminder id"
    )
    if part.digest and program.is_confidential:
        yield source.problem(
            ("reminders", "digest"),
            "a confidential program's tracking issue is not assigned to the people a digest "
            "names, so they could not read it and GitLab would notify none of them; remove "
            "`digest: true` (each reminder then goes on the person's own issue)",
        )
    lead = part.program_lead
    if lead is not None and not people.knows(lead):
        yield people.missing(source, ("reminders", "program_lead"), f"program lead '{lead}'")
    # the kind's own lead (`lead`, `sponsorship.lead`) is `program_lead` on its issues
    led = lead or program.lead_username()
    roles = (*facts.roles, *((LEAD,) if led and LEAD not in facts.roles else ()))
    headings = {heading_key(s.heading) for s in program.sections}
    for i, reminder in enumerate(sent):
        where = f"reminder '{reminder.id}'"
        if reminder.date not in facts.dates:
            known = ", ".join(facts.dates) or "none"
            yield source.problem(
                (*base, i, "when"),
                f"{where}: this program's issues have no date '{reminder.date}' (they have: "
                f"{known}); count from one of those",
            )
        if reminder.section is not None and heading_key(reminder.section) not in headings:
            yield source.problem(
                (*base, i, "section"), _no_section(where, reminder.section, program)
            )
        for role in reminder.to:
            if role not in roles:
                yield source.problem((*base, i, "for"), _no_role(where, role, roles))
        if reminder.unless_recorded and not _records(program, reminder.unless_recorded):
            yield source.problem(
                (*base, i, "unless_recorded"),
                f"{where}: no value this program records has a label containing "
                f"'{reminder.unless_recorded}'; use words of one (a line `Label: value` its "
                "`records` or its kind asks for), or remove `unless_recorded`",
            )
        never = _never_sent(program, facts, reminder)
        if never is not None:
            yield source.problem((*base, i, "when"), f"{where}: {never}")


def _records(program: Program, text: str) -> bool:
    """Whether a value the program records has a label containing TEXT (`folded`)."""
    return any(folded(text) in folded(field.label) for field in program.recorded_values())


def folded(text: str) -> str:
    """Text as a reminder's `task:` is matched: case aside, in either Unicode form (a
    reviewer: a program file composed and an issue decomposed sent no reminder)."""
    return unicodedata.normalize("NFC", text).casefold()


def _never_sent(program: Program, facts: ReminderFacts, reminder: Reminder) -> str | None:
    """Why a reminder would never be sent, or None (a tester's `3 days after end` and
    `20 days before start` were accepted, and nothing was ever sent)."""
    if reminder.date == facts.over_after and reminder.offset > 0:
        return (
            f"it would never be sent: once the cohort's {reminder.date} date has passed its "
            "issues are over (`status::ended`), and reminders go to issues not over; use "
            f"`on {reminder.date}` or `N days before {reminder.date}`"
        )
    ahead = program.made_days_before_start()
    if reminder.date == facts.made_before and ahead is not None and -reminder.offset > ahead:
        return (
            f"it would never be sent: issues are made {ahead} days before their {reminder.date} "
            "date (the program's `create_days_before_start`), after the day it falls on; use "
            f"at most `{ahead} days before {reminder.date}`"
        )
    return None


def _no_role(where: str, role: str, roles: tuple[str, ...]) -> str:
    hint = " (or set `reminders.program_lead`)" if role == LEAD else ""
    return (
        f"{where}: this program's issues have no {role}; use {', '.join(roles) or 'no role'}{hint}"
    )


def _no_section(where: str, section: str, program: Program) -> str:
    """What to say of a reminder's section that is none of the program's: one renamed since
    (`renamed_from`) is named by its new heading (a trial: the error named the old one only)."""
    renamed = {heading_key(old): new for old, new in program.renamed_headings}
    new = renamed.get(heading_key(section))
    if new is not None:
        return f"{where}: section '{section}' is renamed '{new}' in `sections`; use '{new}' here"
    return (
        f"{where}: '{section}' is not one of the program's `sections`; use a heading listed there"
    )
