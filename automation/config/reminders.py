"""A program's reminders as its file declares them: when (relative to a date the tool knows),
about which open tasks, and for whom (by role, never a free-text mention)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from automation.config.counts import Count
from automation.config.source import shorten
from automation.mentions import USERNAME_PATTERN

ROLES = ("participant", "manager", "sponsor", "account_team", "program_lead")
Role = Literal["participant", "manager", "sponsor", "account_team", "program_lead"]
_WHEN = re.compile(r"^(?:on|(?P<days>\d{1,3}) days? (?P<side>before|after)) (?P<date>[a-z_]+)$")
WHEN_HELP = "write it like `on goal`, `3 days before workshop_start` or `5 days after start`"

_Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", max_length=64)]
_Line = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^\r\n]*$")]
_User = Annotated[str, StringConstraints(pattern=USERNAME_PATTERN, max_length=255)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Reminder(_Frozen):
    """One reminder: a note on each open issue whose chosen tasks are still open on the day."""

    id: _Slug
    when: _Line = Field(description="`on DATE`, `N days before DATE` or `N days after DATE`")
    section: _Line | None = Field(default=None, description="the tasks under this heading")
    task: _Line | None = Field(default=None, description="the tasks whose text contains this")
    to: tuple[Role, ...] = Field(alias="for", min_length=1)
    message: _Line | None = None
    unless_recorded: _Line | None = Field(
        default=None,
        description="not sent to an issue that records a value whose label contains this",
    )

    @field_validator("when")
    @classmethod
    def _readable(cls, value: str) -> str:
        if _WHEN.match(value) is None:
            raise ValueError(f"cannot read '{shorten(value)}'; {WHEN_HELP}")
        return value

    @model_validator(mode="after")
    def _names_tasks(self) -> Reminder:
        if self.section is None and self.task is None:
            raise ValueError(
                "it names no tasks; give `section:` (a heading of the "
                "program's sections) or `task:` (text the tasks contain), or both"
            )
        return self

    @property
    def date(self) -> str:
        """The name of the date it counts from (`workshop_start`, `goal`...)."""
        return _parts(self.when)[0]

    @property
    def offset(self) -> int:
        """Days after its named date it falls due (before it: negative)."""
        return _parts(self.when)[1]

    def day(self, date: dt.date) -> dt.date:
        """The day it falls due, for an issue whose named date is DATE."""
        return date + dt.timedelta(days=self.offset)


def _parts(when: str) -> tuple[str, int]:
    match = _WHEN.match(when)
    if match is None:  # validated on load
        raise ValueError(when)
    days = int(match.group("days") or 0)
    return match.group("date"), -days if match.group("side") == "before" else days


class Reminders(_Frozen):
    """The `reminders:` part of a program file."""

    digest: bool = Field(
        default=False,
        description="one note a week in the tracking issue instead of a note per issue",
    )
    late_days: Count = Field(
        default=7, ge=0, le=60, description="sent up to this many days after its day (missed runs)"
    )
    program_lead: _User | None = Field(default=None, description="the role program_lead")
    send: tuple[Reminder, ...] = ()
