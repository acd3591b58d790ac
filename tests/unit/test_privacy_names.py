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


def test_a_name_part_inside_a_settings_name_is_not_taken_out() -> None:
    """An attacker's trial: `grace_days` was said as `[confidential]_days` (Grace Liu is in
    the roster), so nobody could tell which setting was wrong; Grace alone still goes."""
    names = names_of([("grace.liu", "Grace Liu")])
    problem = Problem("p.yml", 78, "'sponsorship.scores.grace_days': too big; Grace wrote it")
    (said,) = unnamed([problem], names, values=False)
    assert said.message == f"'sponsorship.scores.grace_days': too big; {HIDDEN} wrote it"


def test_a_username_typed_one_key_off_is_taken_out_with_its_suggestion() -> None:
    """A privacy trial: `program manager 'mcanary.lea' is not in the roster; did you mean
    '[confidential]'?` told CI logs who manages a confidential program, one key off."""
    names = names_of([("mcanary.lee", "Mcanaryname Lee"), ("hcanary.berg", "Hcanary Berg")])
    message = "program manager 'mcanary.lea' is not in the roster; did you mean 'mcanary.lee'?"
    (said,) = unnamed([Problem("esp.yml", 85, message)], names, values=False)
    assert "mcanary" not in said.message
    assert said.message == (
        f"program manager '{HIDDEN}' is not in the roster; did you mean '{HIDDEN}'?"
    )
    other = "manager 'hcanary.bergg' of 'x' is not in the roster"
    (said,) = unnamed([Problem("people.yml", 73, other)], names, values=False)
    assert "hcanary" not in said.message and "'x'" in said.message  # a word like none: kept
