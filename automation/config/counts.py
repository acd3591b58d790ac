"""A number in configuration: a grade, a count of days or months, a limit (`Count`); a scale,
a target or a weight (`Amount`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _no_truth(value: object) -> object:
    """A count is not true or false: pydantic reads `grade: true` as 1 (a fuzzing trial: the
    sponsorship rules then said the sponsor's grade was below 10)."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "true or false is not a number")
    return value


Count = Annotated[int, BeforeValidator(_no_truth)]


def _no_truth_amount(value: object) -> object:
    """An amount is not true or false either (a review: `max_timezone_gap_hours: yes` was
    read as 1 hour)."""
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "true or false is not a number")
    return value


Amount = Annotated[float, BeforeValidator(_no_truth_amount)]
