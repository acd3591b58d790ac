"""The program file of a participants program: its cohorts of participants."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from automation.config.models import Frozen, OneLine, Program, Slug, Username


class Cohort(Frozen):
    """A group of participants that start together."""

    id: Slug
    name: OneLine
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    participants: tuple[Username, ...] = Field(min_length=1)
    renamed_from: Slug | None = Field(default=None, description="the cohort's former id")


class ParticipantsProgram(Program):
    """One issue per participant of each cohort (CSM Aspiring Leaders)."""

    kind: Literal["participants"]
    cohorts: tuple[Cohort, ...] = ()
