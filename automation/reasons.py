"""`leaving.reasons` entries that name no one (pure). A reason goes into the withdrawn note of
the person (or account) whose username (or id) it is given under, and that note is posted
once, ever: a misspelt name would leave the note without its reason for good.

A reason's name is someone's when the roster has it, when the program file gives them issues
(`Course.named`), or when an issue of the program is theirs (a leaver removed from both the
roster and the file, which is common). `validate` knows the first two only: of a name
neither has, it speaks only when the name is much like one of theirs (a misspelling, most
likely). `plan` and `apply` know the issues too, and speak of every name no one has. And a
person about to be withdrawn without a reason, while such a name is much like theirs, is
not withdrawn yet (`misspelt`): fixing the spelling, or removing the reason, lets the next
run withdraw them, with the reason in the note or without it."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from automation.config.models import Program
from automation.config.source import Source
from automation.items import ObservedIssue

if TYPE_CHECKING:
    from automation.desired import DesiredProgram

ALIKE = 0.8  # difflib's ratio from which two names are taken for one misspelt (fischr: 0.96)


@dataclass(frozen=True)
class Stray:
    """A reason whose name neither the roster nor the program file has: where it is, and the
    name of theirs it is most like (None: none is)."""

    name: str
    file: str
    line: int
    near: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def strays(program: Program, source: Source, names: Iterable[str]) -> tuple[Stray, ...]:
    """The reasons whose name is none of NAMES (the roster's usernames and those the program
    file gives issues to), whatever its case."""
    known = _by_lower(names)
    return tuple(
        Stray(
            name, source.file, source.line_of(("leaving", "reasons", name)), near_name(name, known)
        )
        for name in program.leaving.reasons
        if name.lower() not in known
    )


def unclaimed(desired: DesiredProgram, issues: Sequence[ObservedIssue]) -> tuple[Stray, ...]:
    """The program's strays that no issue of ISSUES is for either (whose key names them as
    its person or account), each with the name it is most like among those too."""
    members = _by_lower(_members(desired, issues))
    return tuple(
        replace(
            stray, near=near_name(stray.name, {**members, **_by_lower(filter(None, [stray.near]))})
        )
        for stray in desired.strays
        if stray.name.lower() not in members
    )


def misspelt(strays: Sequence[Stray], who: str) -> Stray | None:
    """The stray most like WHO (a username or account id with no reason of its own): its
    reason, most likely, under a misspelt name."""
    by_name = {stray.name.lower(): stray for stray in strays}
    close = difflib.get_close_matches(who.lower(), sorted(by_name), 1, ALIKE)
    return by_name[close[0]] if close else None


def stray_warnings(program: Program, strays: Iterable[Stray], issues: bool = True) -> list[str]:
    """What `plan` and `apply` say of each stray (ISSUES: the program's issues were read), or
    `validate` of those much like a name it knows. A confidential program's names are not
    said: they would tell who is in it (and a misspelt one is in no list that hides names)."""
    where = (
        "people.yml, this program's file or its issues"
        if issues
        else ("people.yml or this program's file")
    )
    said = []
    for stray in strays:
        if not issues and stray.near is None:
            continue  # maybe someone who left, removed from both: only their issues tell
        if program.is_confidential:
            what = "a name"
            near = ", much like one there" if stray.near else ""
            check = " (the names are not said here: the program is confidential); check"
        else:
            what, near = f"'{stray.name}'", ""
            check = f"; did you mean '{stray.near}'? Check" if stray.near else "; check"
        said.append(
            f"{stray.where}: `leaving.reasons` gives a reason for {what}, which is not in "
            f"{where}{near}{check} the spelling: a reason counts only under the exact "
            "username or account id, and the note that someone left is posted once, ever"
        )
    return said


@dataclass(frozen=True)
class Listed:
    """A reason whose person (or account) the program file lists, in a group that has not
    ended, under the item KEY: it would be posted as theirs if they leave it."""

    name: str
    where: str
    group: str
    key: str


def listed_reasons(desired: DesiredProgram, source: Source, today: dt.date) -> tuple[Listed, ...]:
    """The reasons whose person the program file lists in a group that has not ended, with
    the items it lists them under."""
    reasons = {name.lower(): name for name in desired.program.leaving.reasons}
    if not reasons:
        return ()
    course, prefix = desired.course, f"{desired.program.id}/"
    listed = []
    for item in desired.issues:
        member = course.member(item.key.removeprefix(prefix))
        if member is None or member.id.lower() not in reasons:
            continue
        end = course.ends.get(member.group or "")
        if end is None or end >= today:
            name = reasons[member.id.lower()]
            where = f"{source.file}:{source.line_of(('leaving', 'reasons', name))}"
            listed.append(Listed(name, where, course.name(member.group), item.key))
    return tuple(listed)


def listed_warnings(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    withdrawn: Callable[[ObservedIssue], bool],
) -> list[str]:
    """A warning for each reason whose person is listed under an item whose issue was never
    WITHDRAWN (a newcomer's trial: a reason from a year before was posted again, publicly,
    when the same person left a later cohort). One back in the group they left has that
    note already, which is never posted twice. A confidential program's names are not said."""
    said: dict[str, str] = {}
    for listed in desired.listed:
        issue = found.get(listed.key)
        if issue is None or not withdrawn(issue):
            said.setdefault(listed.name, _listed(desired.program, listed))
    return list(said.values())


def _listed(program: Program, listed: Listed) -> str:
    who = "someone" if program.is_confidential else f"'{listed.name}'"
    within = f" in '{listed.group}'" if listed.group else ""
    return (
        f"{listed.where}: `leaving.reasons` gives a reason for {who}, whom the program file "
        f"still lists{within}: it would be posted in their note, as the reason they left, if "
        "they leave it; take it out if it was for an earlier leaving"
    )


def held_warning(program: Program, reference: str, who: str, stray: Stray) -> str:
    """Why the issue REFERENCE of WHO is not withdrawn yet: a reason much like WHO names no
    one (`misspelt`)."""
    if program.is_confidential:
        return (
            f"issue {reference} is not withdrawn yet: `leaving.reasons` has no reason under the "
            f"name it is for, but {stray.where} gives one for a name much like it that no one "
            "has (the names are not said here: the program is confidential); fix its "
            "spelling, or remove it, and the next run withdraws the issue (its note is "
            "posted once, ever)"
        )
    return (
        f"issue {reference} is not withdrawn yet: `leaving.reasons` has no reason for "
        f"'{who}', but {stray.where} gives one for '{stray.name}', which no one has; if it "
        f"is '{who}' misspelt, fix it, otherwise remove it, and the next run withdraws the "
        "issue (its note is posted once, ever)"
    )


def _members(desired: DesiredProgram, issues: Iterable[ObservedIssue]) -> Iterable[str]:
    """Whom the keys of ISSUES name as their person or account (under the program's id, or
    its former id while renamed)."""
    program = desired.program
    for issue in issues:
        for prefix in filter(None, (program.id, program.renamed_from)):
            if issue.key is not None and issue.key.startswith(f"{prefix}/"):
                member = desired.course.member(issue.key[len(prefix) + 1 :])
                if member is not None:
                    yield member.id
                break


def _by_lower(names: Iterable[str]) -> dict[str, str]:
    """Each name by its lowercase form (the first spelling given)."""
    found: dict[str, str] = {}
    for name in names:
        found.setdefault(name.lower(), name)
    return found


def near_name(name: str, known: Mapping[str, str]) -> str | None:
    """The KNOWN name (lowercase form -> its spelling) most like NAME, if one is alike."""
    close = difflib.get_close_matches(name.lower(), sorted(known), 1, ALIKE)
    return known[close[0]] if close else None
