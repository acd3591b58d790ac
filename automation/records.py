"""Values people record in an issue, one `Label: value` line each, read back for rollups (pure).

A template writes the lines (`Sponsee satisfaction (start): __/10`); a person replaces the
blank with a value (`8/10`, `8`, `7.5`). The lines with a label that are no task count (task
lines when there are none): the one that is not blank, or the value they all give (two values
are unreadable); lines in code, HTML comments and the tool's own blocks are ignored. Values are
read from the issues whose template asks for them (`read_asked`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from automation.checklist import visible_lines
from automation.markers import outside_blocks
from automation.rendering import LARGEST, as_shown, neutralise

_BLANK = re.compile(r"^_*(?:/\s*\d+(?:\.\d+)?)?$")
_NUMBER = re.compile(r"^(?P<value>[-+]?\d+(?:\.\d+)?)\s*(?:/\s*(?P<out_of>\d+(?:\.\d+)?))?$")
# 2.500: two thousand five hundred, with a dot for thousands, or two and a half? Not read
# (as `1,5` is not), but on a scale (8.500/10 is no thousands)
_DOTTED = re.compile(r"[-+]?[1-9]\d{0,2}\.\d{3}")
# what may stand before a label: quote marks, a list item's marker (`-`, `1.`), a checkbox
# (GitLab's checklist button turns a line into `- [ ] Label: 8`: a tester saw such a score
# dropped from the published average), and bold
_PREFIX = re.compile(
    r"^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+)?(?:(?P<box>\[[ xX~]\])\s+)?(?:\*\*)?"
)


@dataclass(frozen=True)
class RecordSpec:
    """A value a program asks people to record, and its scale."""

    label: str
    out_of: float | None = None  # e.g. 10 for a satisfaction score; None for any number
    min_for_average: int = 1  # more for personal answers, so no one's can be worked out
    least: float | None = None  # the smallest value that makes sense (0 for a count); on a
    # scale, 0 unless given
    formerly: tuple[str, ...] = ()  # the label's former wordings, still read (`renamed_from`)

    def lowest(self) -> float | None:
        """The smallest value accepted: LEAST, or 0 on a scale; None: any number."""
        return self.least if self.least is not None else (0.0 if self.out_of else None)


@dataclass(frozen=True)
class Recorded:
    """What an issue holds for one label: a value, nothing yet, or something unreadable."""

    label: str
    value: float | None = None
    problem: str | None = None  # set when the text is there but is not a valid value
    present: bool = True  # False when the issue has no line for the label at all
    # a value the issue gives though its template does not ask for it (`read_asked`): not
    # counted (a trial: a sponsor's score typed in the pair's issue, which others read)
    elsewhere: bool = False


def read_records(text: str, specs: Sequence[RecordSpec]) -> dict[str, Recorded]:
    """Every spec's value as recorded in the text (missing ones have no value)."""
    if not specs:
        return {}
    raw = _raw_values(text, _shown(specs))
    return {spec.label: _one(spec, raw.get(spec.label, ())) for spec in specs}


def read_asked(text: str, template: str, specs: Sequence[RecordSpec]) -> dict[str, Recorded]:
    """Every spec's value as recorded in TEXT, for the labels whose line TEMPLATE (the issue's
    template, rendered) has; any other label reads as absent (`elsewhere` when it gives a
    value, said by the planner, never counted). A review: `Sentiment: very
    positive after the demo`, typed in an ESP monthly session that asks for no value, was
    read as an unreadable score and kept the session from completing."""
    found = read_records(text, specs)
    if not any(value.present for value in found.values()):
        return found  # (most issues: no line to place, the template is not read)
    asked = set(_raw_values(template, _shown(specs)))
    return {
        spec.label: found[spec.label]
        if spec.label in asked
        else Recorded(spec.label, present=False, elsewhere=found[spec.label].value is not None)
        for spec in specs
    }


def misplaced(records: Mapping[str, Recorded]) -> tuple[str, ...]:
    """The labels an issue gives a value for that its template does not ask for."""
    return tuple(r.label for r in records.values() if r.elsewhere)


def _shown(specs: Sequence[RecordSpec]) -> dict[str, str]:
    """Each label by its line as GitLab shows it (a template writes a label escaped), and by
    its former wordings (a trial reworded a checkpoint's label mid-cohort: every answer
    recorded under the old one stopped counting, unsaid)."""
    return {
        as_shown(neutralise(name)).strip().casefold(): spec.label
        for spec in specs
        for name in (*reversed(spec.formerly), spec.label)
    }


def _raw_values(text: str, labels: Mapping[str, str]) -> dict[str, list[str]]:
    """Each label's values, as the lines that give it have them: lines that are no task, or
    else task lines (a reviewer: `- [ ] **Satisfaction:** send the survey` above
    `Satisfaction: 8` hid the 8)."""
    found: dict[str, list[str]] = {}
    tasks: dict[str, list[str]] = {}
    for line in visible_lines(outside_blocks(text)):
        if ":" not in line:
            continue  # not a `Label: value` line
        prefix = _PREFIX.match(line)
        body = line[prefix.end() :] if prefix else line
        name, colon, rest = body.partition(":")
        label = labels.get(as_shown(name.replace("**", "")).strip().casefold())
        if not colon or label is None:
            continue
        chosen = tasks if prefix and prefix.group("box") else found
        # as GitLab shows it: the rich text editor saves a line it rewrote with its blank
        # escaped (`\_\_/10`; a trial: read as unreadable, the issue never completed)
        chosen.setdefault(label, []).append(as_shown(rest).replace("**", "").strip())
    return {**tasks, **found}


GIVEN_TWICE = "it is given on two lines, with different values; keep one"
# never the value itself (`unreadable`): thousands or decimals, the person who wrote it knows
AMBIGUOUS = (
    "a dot before its last three digits could group thousands; write thousands without it "
    "(or with a comma: 1,200), or a fraction with fewer decimals (2.5)"
)


def _one(spec: RecordSpec, values: Sequence[str]) -> Recorded:
    """A label's value from the lines that give it: the one line that is not blank (a trial:
    an answer typed on a line of its own below the template's `__/10` was never read); the
    same value on several (`8/10` and `8`); unreadable when they give different values (a
    trial: a score corrected on a line added below kept the first, unsaid)."""
    given = [_parse(spec, v) for v in dict.fromkeys(values) if not _blank(v)]
    if not given:
        return _parse(spec, values[0] if values else None)
    if len({(r.value, r.problem) for r in given}) == 1:
        return given[0]
    return Recorded(spec.label, problem=GIVEN_TWICE)


def _blank(raw: str) -> bool:
    return _BLANK.match(raw.replace(" ", "")) is not None


_ABOUT = re.compile(r"^(?:~|≈|about\s+|approx\.?\s+)", re.IGNORECASE)


# 1,200 (a decimal comma is not read: `1,5` and `0,500` are no number)
_GROUPED = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_UNIT = re.compile(r"\((?P<unit>[^()%]+)\)\s*$")  # a label's unit: `Time to value (days)`


def _number_part(raw: str, label: str) -> str:
    """The value as people write it, less what they add around the number: `~` or `about`
    before it, thousands' commas (`1,200`), `%` after it on a label that says it is a
    percentage (`(%)`), and the unit the label names (`30 days` on `(days)`, `1 day` too). A
    remark after the number (`4 (out of 5)`, `3 (weeks)`) is not taken out: it can change
    what the number means."""
    text = _ABOUT.sub("", raw.strip()).strip()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()  # a sentence's full stop: `7/10.`, `15%.`, `30 days.`
    if "%" in label and text.endswith("%"):
        text = text[:-1].rstrip()
    unit = _UNIT.search(label)
    if unit is not None:
        text = _without_unit(text, unit.group("unit").strip().casefold())
    return text.replace(",", "") if _GROUPED.fullmatch(text) else text


def _without_unit(text: str, unit: str) -> str:
    """TEXT less a last word that is UNIT, or UNIT less its plural `s` (`1 day`)."""
    number, _, word = text.rpartition(" ")
    named = word.casefold() in {unit, unit.removesuffix("s")}
    return number.rstrip() if number and named else text


def _within(out_of: float) -> int:
    """A value to show in an example, on the scale (a tester was told "8/5" for 0 to 5)."""
    return 8 if out_of > 8 else max(math.ceil(out_of) - 1, 1)


def _parse(spec: RecordSpec, raw: str | None) -> Recorded:
    if raw is None:
        return Recorded(spec.label, present=False)
    if _blank(raw):
        return Recorded(spec.label)
    number = _number_part(raw, spec.label)
    if _DOTTED.fullmatch(number) and not spec.out_of:
        return Recorded(spec.label, problem=AMBIGUOUS)
    match = _NUMBER.match(number)
    scale = f" out of {spec.out_of:g}" if spec.out_of else ""
    example = (  # a yes-or-no record (career advancement) is 1 or 0 (a reviewer read "8/1")
        "as 1 or 0"
        if spec.out_of == 1
        else f"like {_within(spec.out_of)}/{spec.out_of:g}"
        if spec.out_of
        else f"as a number, like {max(12, spec.least or 0):g}"
    )
    value = float(match.group("value")) if match else math.nan
    # digits past a float's range (an attacker's trial), or so many that an average of two
    # overflows (a reviewer's): no value people record is that large
    if match is None or not abs(value) < LARGEST:
        return Recorded(spec.label, problem=f"it is not a number{scale}; write it {example}")
    given = match.group("out_of")
    if spec.out_of and given and float(given) != spec.out_of:
        return Recorded(spec.label, problem=f"it is on another scale; write it {example}")
    return _in_range(spec, value, example)


def _in_range(spec: RecordSpec, value: float, example: str) -> Recorded:
    """The value, or what is wrong with it: under the spec's least value (a count of -2), or
    over its scale."""
    low = spec.lowest()
    if spec.out_of and low is not None and not low <= value <= spec.out_of:
        return Recorded(
            spec.label, problem=f"it is outside {low:g} to {spec.out_of:g}; write it {example}"
        )
    if low is not None and value < low:
        return Recorded(spec.label, problem=f"it is less than {low:g}; write it {example}")
    return Recorded(spec.label, value)


@dataclass(frozen=True)
class Average:
    """One label's average over the issues that recorded a valid value."""

    label: str
    mean: float | None
    recorded: int
    of: int
    malformed: int
    out_of: float | None = None  # the value's scale (a score); None: a count or an amount


def averages(
    records: Iterable[Mapping[str, Recorded]], specs: Sequence[RecordSpec]
) -> list[Average]:
    """Per label: the mean of valid values, how many recorded one, and how many were unreadable."""
    rows = list(records)
    result = []
    for spec in specs:
        values = [r[spec.label].value for r in rows if r[spec.label].value is not None]
        bad = sum(1 for r in rows if r[spec.label].problem)
        enough = len(values) >= max(spec.min_for_average, 1)
        mean = sum(v for v in values if v is not None) / len(values) if enough else None
        asked = sum(1 for r in rows if r[spec.label].present)
        result.append(Average(spec.label, mean, len(values), asked, bad, spec.out_of))
    return result


REMARK = "(the number alone; a remark goes on a line of its own)"


def unreadable(records: Mapping[str, Recorded]) -> tuple[str, ...]:
    """What is wrong with each value that cannot be read, by its label (never the value:
    values can be private, satisfaction scores)."""
    return tuple(
        f"'{r.label}' cannot be read: {r.problem}{'' if _plain(r.problem) else ' ' + REMARK}"
        for r in records.values()
        if r.problem
    )


def _plain(problem: str) -> bool:
    """Whether a problem needs no word about remarks: it is not about what was written
    around the number."""
    return problem in (GIVEN_TWICE, AMBIGUOUS)
