"""The names a confidential program's problems are said without: every part of a person's
name of three letters or more (a tester's mutation to four letters, which let "Ana" and "Lee"
through to CI logs, passed every test)."""

from __future__ import annotations

from automation.errors import Problem
from automation.privacy import HIDDEN, names_of, unnamed


def test_three_letter_names_and_name_parts_are_taken_out() -> None:
    names = names_of([("ana.lee", "Ana Lee"), ("bo", "Bo Kim")])
    assert {"ana.lee", "Ana Lee", "Ana", "Lee", "Bo Kim", "Kim"} <= names
    assert "Bo" not in names and "bo" not in names  # two letters: in too many words
    problem = Problem("config/programs/esp.yml", 4, "Ana wrote to Kim about lee's plan")
    (said,) = unnamed([problem], names, values=False)
    assert said.message == f"{HIDDEN} wrote to {HIDDEN} about {HIDDEN}'s plan"
