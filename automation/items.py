"""Issues and epics as plain data: what the tool creates and what a tracker holds (pure).

The core owns these types; every tracker adapter imports them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from automation.errors import ItemError
from automation.markers import find_key

DESCRIPTION_LIMIT = 1_048_576  # GitLab's maximum description size, in bytes (UTF-8)


def check_size(description: str, what: str, fix: str) -> None:
    """ItemError, saying WHAT would be how long and what to do (FIX), for a description over
    GitLab's limit, which GitLab refuses."""
    size = size_of(description)
    if size > DESCRIPTION_LIMIT:
        raise ItemError(
            f"{what} {size:,} bytes, over GitLab's limit of {DESCRIPTION_LIMIT:,}: {fix}"
        )


def size_of(text: str) -> int:
    """A text's size as GitLab limits a description: its bytes in UTF-8 (an accented name, or
    the zero-width space that disarms a mention, counts two or three)."""
    return len(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class NewIssue:
    """An issue to create, fully rendered."""

    key: str
    title: str
    description: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...] = ()
    due_date: dt.date | None = None
    confidential: bool = False
    # (role, username): who its people are to it, for outputs that hide their names
    roles: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ObservedIssue:
    """An issue as the tracker holds it now."""

    iid: int
    title: str
    description: str
    labels: tuple[str, ...]
    state: str = "opened"
    assignees: tuple[str, ...] = ()
    due_date: dt.date | None = None
    confidential: bool = False
    web_url: str = ""
    id: int | None = None  # global id, which epics link by
    epic: int | None = None  # iid of the epic the issue belongs to (0: another group's)
    by_tool: bool = True  # created by the tool's own user: only then does its key count
    author: str | None = None  # username of whoever created it
    moved_to: int | None = None  # the global id of the issue it became in another project
    # False: the tracker's answer does not say which epic the issue is in (GitLab leaves
    # `epic` out where the project's group has no epics; an emulation of it may): EPIC is
    # then no answer, not "in no epic"
    epic_known: bool = True
    issue_type: str = "issue"  # GitLab's type: an incident, a test case or a task has no epic
    # (the group's id, the epic's iid) when its epic is another group's (EPIC is 0)
    epic_elsewhere: tuple[int, int] | None = None
    # the tracker's time of its last change (GitLab's clock); not part of what is compared:
    # two reads with the same content are the same issue to plan
    updated_at: dt.datetime | None = field(default=None, compare=False)
    created_at: dt.datetime | None = field(default=None, compare=False)  # the same clock's
    key: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", find_key(self.description) if self.by_tool else None)

    @property
    def reference(self) -> str:
        """How Markdown refers to this issue within its project."""
        return f"#{self.iid}"

    @property
    def first_line_key(self) -> str | None:
        """The key on the first line whoever made the issue: never trusted from another user,
        only used to say that another user's issue claims an item."""
        return self.key if self.by_tool else find_key(self.description)


@dataclass(frozen=True)
class ObservedNote:
    """A note the tool's user wrote on an issue, as the tracker holds it now."""

    id: int
    body: str
    own: bool = True  # the token's user's, not a replaced token's user's: the tool may edit it
    # older notes with the same marker by a replaced token's user (the week's digest, the new
    # user's then posted beside it): what they list is listed
    earlier: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewEpic:
    """An epic to create (GitLab Premium), fully rendered."""

    key: str
    title: str
    description: str
    labels: tuple[str, ...]
    confidential: bool = False  # a confidential program's: only the program team reads it


@dataclass(frozen=True)
class EpicChange:
    """One write to an epic: its description (unless None), labels added and removed, and
    made confidential (when True)."""

    description: str | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    confidential: bool | None = None


@dataclass(frozen=True)
class IssueLinks:
    """An issue's related issues as the tracker lists them: the project's, by iid, and how
    many of other projects' (GitLab's cap of related links counts every one)."""

    iids: frozenset[int] = frozenset()
    elsewhere: int = 0

    @property
    def count(self) -> int:
        """How many links the issue has in all."""
        return len(self.iids) + self.elsewhere


@dataclass(frozen=True)
class ObservedEpic:
    """An epic as the tracker holds it now."""

    iid: int
    id: int
    title: str
    description: str
    labels: tuple[str, ...]
    by_tool: bool = True  # created by the tool's own user: only then does its key count
    author: str | None = None  # username of whoever created it
    confidential: bool = False
    state: str = "opened"
    key: str | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", find_key(self.description) if self.by_tool else None)

    @property
    def first_line_key(self) -> str | None:
        """The key on the first line whoever made the epic (see ObservedIssue)."""
        return self.key if self.by_tool else find_key(self.description)
