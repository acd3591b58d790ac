"""A whole number in configuration: a grade, a count of days or months, a limit."""

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
