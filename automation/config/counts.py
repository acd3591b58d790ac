"""A number in configuration: a grade, a count of days or months, a limit (`Count`); a scale,
a target or a weight (`Amount`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def _not_true_or_false(kind: str) -> BeforeValidator:
    """A number is not true or false: pydantic reads `grade: true` as 1 (a fuzzing trial: the
    sponsorship rules then said the sponsor's grade was below 10; a review: the same with
    `max_timezone_gap_hours: yes`, read as 1 hour). KIND: pydantic's error type, which says
    "whole number" or "number"."""

    def refuse(value: object) -> object:
        if isinstance(value, bool):
            raise PydanticCustomError(kind, "true or false is not a number")
        return value

    return BeforeValidator(refuse)


Count = Annotated[int, _not_true_or_false("int_type")]
Amount = Annotated[float, _not_true_or_false("float_type")]
