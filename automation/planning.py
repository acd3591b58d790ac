"""What planning one program's items shares (pure): the program's read-only context, and the
writes every kind of item starts from: create it (unless its key is taken), keep an existing one
up to date, or leave a confidential one alone once it was made public."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from automation.actions import CreateIssue, Failure, Plan
from automation.blocks import Blocks
from automation.changes import description_update, updates
from automation.desired import DesiredIssue, DesiredProgram, Measured
from automation.edits import Edits
from automation.identity import without_label
from automation.items import NewIssue, ObservedIssue
from automation.lifecycle import Departures
from automation.migration import Migrations
from automation.progress import Progress, measure, program_label


@dataclass(frozen=True)
class ProgramContext:
    """What comparing one program's items needs to know (read only)."""

    desired: DesiredProgram
    blocks: Blocks
    today: dt.date
    keyed: Mapping[str, ObservedIssue]  # issues carrying a key, whatever their labels
    restore: frozenset[str]  # keys whose identity line is put back (or renamed)
    failed: frozenset[str]  # keys that could not be matched: nothing is created for them
    measured: Mapping[str, Measured]
    migrations: Migrations  # template tasks added to open issues, and their records
    departed: Departures = field(default_factory=Departures)  # people who left (lifecycle.py)
    several: bool = True  # GitLab keeps several assignees: epics are available (Premium)

    @property
    def id(self) -> str:
        return self.desired.program.id

    def identity(self, key: str) -> str | None:
        """The key, when its issue's lost identity line is put back."""
        return key if key in self.restore else None

    def measure(
        self, description: str, due_date: dt.date | None, sections: Sequence[str] | None
    ) -> Progress:
        return measure(description, self.desired.program, due_date, self.today, sections)


def exposed(item: DesiredIssue, found: ObservedIssue, ctx: ProgramContext) -> Plan | None:
    """A confidential item whose issue a person made public gets nothing more written: its
    names and figures would be published."""
    if item.confidential and not found.confidential:
        return Plan(public=(found.reference,))
    return None


SHOWN_PUBLIC = 10  # issues named in the warning; the rest are counted


def said_public(program: str, plan: Plan) -> Plan:
    """The plan with its confidential items' public issues said in one warning (a program
    made confidential in its file after its issues were made has them all public)."""
    refs, count = plan.public, len(plan.public)
    if not refs:
        return plan
    more = f" and {count - SHOWN_PUBLIC} more" if count > SHOWN_PUBLIC else ""
    named = ", ".join(refs[:SHOWN_PUBLIC]) + more
    if count == 1:
        warning = (
            f"issue {named} of {program} is public though the program is confidential: the "
            "tool writes nothing to it (names and figures would be published) until it is made "
            "confidential again (its ⋮ menu in GitLab: Turn on confidentiality; on the local "
            "backend, `confidential: true` in the issue's file)"
        )
    else:
        warning = (
            f"{count} issues of {program} are public though the program is confidential: "
            f"{named}. The tool writes nothing to them (names and figures would be published) "
            "until they are made confidential (each issue's ⋮ menu in GitLab: Turn on "
            "confidentiality; on the local backend, `confidential: true` in each issue's "
            "file); the program was made confidential in its file after they were created, or "
            "people made them public"
        )
    return replace(plan, warnings=(*plan.warnings, warning), public=())


def refused(item: DesiredIssue, ctx: ProgramContext) -> Plan | None:
    """Never a second issue for a key: not when two already exist, nor when one lost its
    program label. None when the issue may be created."""
    if item.key in ctx.failed:
        return Plan()
    stray = ctx.keyed.get(item.key)
    if stray is None:
        return None
    message = without_label(stray.reference, program_label(ctx.desired.program))
    return Plan(failures=(Failure(ctx.id, item.key, message, stray.iid),))


def create(
    item: DesiredIssue, description: str, labels: tuple[str, ...], ctx: ProgramContext
) -> Plan:
    new = NewIssue(
        key=item.key,
        title=item.title,
        description=description,
        labels=labels,
        assignees=item.assignees,
        due_date=item.due_date,
        confidential=item.confidential,
        roles=item.people_roles,
    )
    return Plan((CreateIssue(ctx.id, new),))


def keep(found: ObservedIssue, key: str, edits: Edits, ctx: ProgramContext) -> Plan:
    """An existing rollup or plan-style issue: its edits, and the program label only."""
    program = ctx.desired.program
    update = description_update(program, found, key, edits)
    return updates(program, found, key, update, frozenset({program_label(program)}))
