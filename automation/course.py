"""What a kind says about its program over time (pure data): whose issue a key is, so that an
issue whose person left can be withdrawn, and when each group (cohort, workshop) and account
ends. Each kind fills it in from its program file (`automation/kinds/<kind>/course.py`); the
planning lives in `automation/lifecycle.py`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# The words that stand where a person's name stands in the keys of the tool's own items: a
# cohort's rollup and epic (`<program>/<cohort>/tracking`, `.../epic`, beside a participant's
# or a pair's `<program>/<cohort>/<username>`); the index of keys in a cohort of id `tracking`
# (`<program>/tracking/index`); the program's tracking issue, plan and epic beside a hire's
# `<program>/<username>`
MEMBER_WORDS = ("epic", "tracking")
HIRE_WORDS = ("epic", "plan", "tracking")


@dataclass(frozen=True)
class Member:
    """The person (or account) an issue is for, as its key names them."""

    id: str  # a username or an account id: what `leaving.reasons` names
    group: str | None = None  # the id of the group (cohort, account) the key names, if any
    listed: bool = True  # whether the rollups list it (not a pair's score issue)
    # its place went to someone else, who is in the program (a pair's new sponsor): the
    # person may well be in the program still, and is not told they left it
    replaced: bool = False
    # still in the program's file, with a status that has no issues (an account set back to
    # proposed, a pair to approved): told so, not that it left
    held: str | None = None


@dataclass(frozen=True)
class Renaming:
    """Where a key names the person whose username change `renamed_from` can follow (its
    place among the parts after the program id: `cohort/username` is 1), and how the program
    file says so: HOW with `{old}`, `{new}` and `{group}` (the part before it) in it."""

    at: int
    how: str


@dataclass(frozen=True)
class Ending:
    """An issue that is closed, with a summary note, once a date has passed (an ESP account's
    plan when the account's commitment ends)."""

    key: str
    end: dt.date
    name: str  # what the summary calls the account
    counts: str  # the key prefix of the issues the summary counts
    why: str | None = None  # why it ended before its minimum (an ESP account's `ended_early`)


def nobody(rest: str) -> Member | None:
    """For a kind whose keys name no person or account."""
    return None


def nobody_owns(rest: str) -> str | None:
    """For a kind whose keys are no series of periods of a person or account."""
    return None


@dataclass(frozen=True)
class Course:
    """A program's members and endings. `member` gets a key without the program id and its
    slash (`fy27-pilot/sam`), and says whose issue it is; None for the program's own issues
    (tracking, rollups, plans, program-wide periods) and for keys whose person is still in the
    program under another key."""

    member: Callable[[str], Member | None] = nobody
    # whose series of periods a key is (an ESP account's), in the program or not
    owner: Callable[[str], str | None] = nobody_owns
    ends: Mapping[str, dt.date] = field(default_factory=dict)  # group id -> its last day
    starts: Mapping[str, dt.date] = field(default_factory=dict)  # group id -> its first day
    # group id -> the day its people meet first (a workshop's), for a kind whose issues may
    # move between groups (`group_block`)
    begins: Mapping[str, dt.date] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # group id -> its name
    formerly: Mapping[str, str] = field(default_factory=dict)  # former group id -> its id now
    endings: tuple[Ending, ...] = ()
    # every username and account id the program file gives issues to (whatever their status),
    # and their former ones (`renamed_from`), lowercase: whom a `leaving.reasons` entry may name
    named: frozenset[str] = frozenset()
    renaming: Renaming | None = None  # None: no username change can be said (renames.py)
    # for a kind whose keys do not name the group (onboarding: the workshop), the tool block
    # of its issues whose hidden `automation:group ID` line does: a person who left is listed
    # in that group's rollup
    group_block: str | None = None

    def name(self, group: str | None) -> str:
        """A group's name as people know it: its name, or its name now when renamed since
        (a tester read "No longer in fy27-pilot" of a cohort still named so); else its id."""
        group = group or ""
        return self.names.get(group) or self.names.get(self.formerly.get(group, "")) or group

    def ended(self, group: str | None, today: dt.date) -> bool:
        """Whether the group's end date has passed."""
        end = self.ends.get(group) if group is not None else None
        return end is not None and today > end


def group_line(group: str) -> str:
    """The hidden line of a tool block that names the group an issue is in (Course.group_block)."""
    return f"<!-- automation:group {group} -->"


GROUP_LINE = re.compile(r"^<!-- automation:group (\S+) -->$", re.M)


def no_course(program: object) -> Course:
    """For a kind with no members to withdraw and nothing that ends."""
    return Course()
