"""Stateful fake of the GitLab REST API v4, served to python-gitlab through `responses`."""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from typing import Any, ClassVar, Literal, NamedTuple, TypeVar
from unittest.mock import patch
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlencode, urlsplit

import gitlab
import requests
import responses
from markdown_it import MarkdownIt
from requests.sessions import merge_setting

from automation.quickactions import QUICK_ACTION_NAMES as KNOWN_QUICK_ACTIONS
from tests.fakes.sanitize import issuable_title, label_title, label_value

JSON = dict[str, Any]
T = TypeVar("T")
Tier = Literal["free", "premium"]

ROLE_LEVELS: dict[str, int] = {
    "guest": 10,
    "planner": 15,
    "reporter": 20,
    "developer": 30,
    "maintainer": 40,
    "owner": 50,
}
DEFAULT_LABEL_COLOR = "#6699cc"
MAX_TITLE = 255
MAX_DESCRIPTION = 1_048_576
MAX_LABEL_DESCRIPTION = 512 * 1024
# A list of more than this many records is answered without X-Total, X-Total-Pages and the
# Link header's rel="last" (GitLab's docs, "Pagination": they cost a count query)
COUNTED_RECORDS = 10_000
# app/models/concerns/throttled_touch.rb: `touch` (labels, assignees, notes, links, epics) moves
# an issue's updated_at only when its last update is older than this; a save that changes its
# fields, or who updated it last (`updated_by`, NULL on a new issue), always does
# (IssuableBaseService#update)
TOUCH_INTERVAL = timedelta(minutes=1)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOTE_AFTER_SAVE = timedelta(milliseconds=7)  # a system note, after the save it tells of
FORBIDDEN: JSON = {"message": "403 Forbidden"}
# app/models/concerns/issuable_link.rb: IssuableLink::MAX_LINKS_COUNT, checked for both ends.
MAX_LINKS_COUNT = 100
# lib/gitlab/rack_attack.rb: throttles count per user in fixed windows aligned on the epoch
# (GitLab.com's are a minute; a self-managed admin sets any period).
RATE_LIMIT_PERIOD = 60
# lib/gitlab/throttle.rb: the default `rate_limiting_response_text` plus a newline.
RATE_LIMIT_TEXT = "Retry later\n"
# app/services/concerns/rate_limited_service.rb and lib/api/helpers/rate_limiter.rb.
APPLICATION_LIMIT_TEXT = "This endpoint has been requested too many times. Try again later."
# GitLab.com's list endpoints with their own limits, whose answers carry no RateLimit-* headers.
UNMETERED_LISTS = frozenset({"/projects", "/groups", "/users"})


# --------------------------------------------------------------------------- errors, clock


PUBLIC_IN_CONFIDENTIAL = (
    "issue: this issue cannot be assigned to a confidential epic since it is public"
)
# ee/app/models/ee/issue.rb confidentiality_error, when `confidential` is among the changes
MADE_PUBLIC_IN_CONFIDENTIAL = (
    "this issue cannot be made public since it belongs to a confidential epic"
)
# ee/app/models/epic_issue.rb validate_confidential_epic (POST /groups/:id/epics/:iid/issues/:id)
PUBLIC_INTO_EPIC = (
    "Cannot assign a confidential epic to a non-confidential issue. "
    "Make the issue confidential and try again"
)
# IssuableLinks::CreateService, when no issue given can be linked (an incident in an epic)
NO_MATCHING_ISSUE = "No matching issue found. Make sure that you are adding a valid issue URL."
# ee/app/models/ee/epic.rb validate_confidential_issues_and_subepics
EPIC_WITH_PUBLIC_ISSUES = "Cannot make the epic confidential if it contains non-confidential issues"


class ApiError(Exception):
    """An HTTP error answer raised by a handler and rendered by the router."""

    def __init__(self, status: int, body: JSON) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def not_found(what: str = "Not found") -> ApiError:
    """Build GitLab's 404 answer, e.g. `404 Project Not Found`."""
    return ApiError(404, {"message": f"404 {what}"})


def bad_request(message: str) -> ApiError:
    """Build GitLab's 400 answer for a parameter error."""
    return ApiError(400, {"error": message})


class Clock:
    """Injectable clock; the fake moves it forward by `step` on every request."""

    def __init__(self, start: datetime | None = None, step: timedelta | None = None) -> None:
        self.current = start or datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
        self.step = step if step is not None else timedelta(seconds=1)
        # called before time moves on: what changed so far is dated now (lag_replicas)
        self.before_move: Callable[[], None] | None = None

    def now(self) -> datetime:
        """Return the current fake time."""
        return self.current

    def tick(self) -> None:
        """Advance by one step."""
        self.advance(self.step)

    def advance(self, delta: timedelta) -> None:
        """Advance by an arbitrary amount."""
        if self.before_move is not None:
            self.before_move()
        self.current += delta


def iso(moment: datetime | None) -> str | None:
    """Format a datetime the way GitLab does (millisecond precision, Z suffix)."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 datetime query parameter."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad_request("datetime is invalid") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- markdown rules

FENCE_RE = re.compile(r"^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})")
# Taskable renders the description (comrak, relaxed task matching) and counts the checkboxes:
# a box holding one Unicode space is an open task (its spec: U+00A0, U+2007, U+202F,
# U+2009), list markers and digits are ASCII
BOX_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TASK_RE = re.compile(
    rf"^[ \t]*(?:>[ \t]*)*(?:(?:[-+*]|[0-9]+[.)])[ \t]+)+\[([xX]|[{BOX_SPACE}])\][ \t]+(\S.*?)\s*$"
)
# a table cell holding a box alone is a task too (comrak's tasklist_in_table, GitLab's
# "task table items"), in the header row as in the body
TABLE_BOX_RE = re.compile(rf"\[([xX]|[{BOX_SPACE}])\]")
# GFM: a table's rows run to a blank line or the start of another block (a line without a
# pipe is a one-cell row): a quote, heading, list item, fence or HTML block
BLOCK_START_RE = re.compile(r"^ {0,3}(?:[>#<]|[-+*](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|```|~~~)")
TABLE_DELIMITER_RE = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
INLINE_CODE_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
# GitLab's User.reference_pattern: `@` and a namespace path (Gitlab::PathRegex: each part
# starts with a letter, digit, `_` or `.` and ends with a letter, digit, `_` or `-`)
_PATH_PART = r"(?:[A-Za-z0-9_.][A-Za-z0-9_.\-]*[A-Za-z0-9_\-]|[A-Za-z0-9_])"
MENTION_RE = re.compile(rf"(?<![A-Za-z0-9_])@({_PATH_PART}(?:/{_PATH_PART})*)")
# the words GitLab knows: one fact table with the tool's (automation/quickactions.py)
QUICK_ACTION_NAMES = KNOWN_QUICK_ACTIONS
COMMAND_RE = re.compile(r"^/([A-Za-z_]+)(?: (.*))?\s*$")


def _fence_closes(line: str, fence: str) -> bool:
    match = FENCE_RE.match(line)
    return bool(match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence))


HTML_COMMENT_BLOCK_RE = re.compile(r"^[ \t]{0,3}<!--")
INLINE_COMMENT_RE = re.compile(r"<!--.*?-->")


def _cut_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """CommonMark comments: a line starting with `<!--` opens an HTML block that ends with the
    line holding `-->` (the whole line is hidden); elsewhere only a comment closed on the same
    line is inline HTML, and an unclosed `<!--` is plain text."""
    if in_comment:
        return "", "-->" not in line
    if HTML_COMMENT_BLOCK_RE.match(line):
        return "", "-->" not in line.split("<!--", 1)[1]
    return INLINE_COMMENT_RE.sub("", line), False


def prose_lines(text: str) -> Iterator[str]:
    """Yield the rendered-prose lines: outside fenced code blocks, HTML comments cut out."""
    fence: str | None = None
    in_comment = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        if fence is not None:
            if _fence_closes(raw, fence):
                fence = None
            continue
        line, in_comment = _cut_comments(raw, in_comment)
        match = FENCE_RE.match(line)
        if match:
            fence = match.group(1)
            continue
        yield line


def _drawn(text: str) -> tuple[list[str], list[str]]:
    """The task lines GitLab draws a checkbox on, and the prose lines its tables are read
    from. GitLab renders the text (Taskable.get_tasks: the Markdown pipeline, then the task
    list filter's checkboxes), so a box in code (fenced or indented), in an HTML block such
    as `<details>` with no blank line after it, in a comment, or in a paragraph's text
    (`Notes:` then a line indented four spaces; `2.` under a paragraph) is no task."""
    flat = text.replace("\r\n", "\n")
    hidden: set[int] = set()
    items: set[int] = set()
    for token in _BLOCKS.parse(flat.replace("\r", " ")):
        if token.map is not None and token.type in ("code_block", "fence", "html_block"):
            hidden.update(range(*token.map))
        elif token.map is not None and token.type == "list_item_open":
            items.add(token.map[0])
    prose = [
        (i, INLINE_COMMENT_RE.sub("", line))
        for i, line in enumerate(flat.split("\n"))
        if i not in hidden
    ]
    return [line for i, line in prose if i in items], [line for _, line in prose]


def task_completion_status(text: str | None) -> JSON:
    """Count task list items (`count`) and checked ones (`completed_count`) in markdown."""
    count, completed = _task_counts(text or "")
    return {"count": count, "completed_count": completed}


@functools.lru_cache(maxsize=65536)
def _task_counts(text: str) -> tuple[int, int]:
    """Tasks and checked tasks of a description (every listed issue is counted again)."""
    tasks, prose = _drawn(text)
    boxes = [match.group(1) for line in tasks if (match := TASK_RE.match(line))]
    boxes += table_boxes(prose)
    return len(boxes), sum(box in "xX" for box in boxes)


def _cells(row: str) -> list[str]:
    """A table row's cells, split at pipes not escaped, the outer pipes dropped."""
    row = row.strip()
    row = row.removeprefix("|")
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


QUOTE_PREFIX_RE = re.compile(r"^(?: {0,3}>[ \t]?)*")


def _unquoted(line: str) -> tuple[int, str]:
    """A line's quote depth (its `>` markers) and what is left of it inside the quotes."""
    prefix = QUOTE_PREFIX_RE.match(line)
    end = prefix.end() if prefix else 0
    return line[:end].count(">"), line[end:]


def table_boxes(lines: list[str]) -> list[str]:
    """The boxes of GFM tables' cells that hold a box alone: a table is a header row, then a
    delimiter row of as many cells, then rows up to a blank line or another block's start.
    A table inside a quote is one too; its rows are the lines of the same quote."""
    quoted = [_unquoted(line) for line in lines]
    boxes: list[str] = []
    index = 1
    while index < len(quoted):
        (depth, header), (under, delimiter) = quoted[index - 1], quoted[index]
        if not (
            depth == under
            and "|" in header
            and TABLE_DELIMITER_RE.match(delimiter)
            and len(_cells(header)) == len(_cells(delimiter))
        ):
            index += 1
            continue
        rows = [header]
        index += 1
        while index < len(quoted) and _row_of(quoted[index], depth):
            rows.append(quoted[index][1])
            index += 1
        width = len(_cells(header))
        for row in rows:
            boxes += [m.group(1) for c in _cells(row)[:width] if (m := TABLE_BOX_RE.fullmatch(c))]
        index += 1
    return boxes


def _row_of(line: tuple[int, str], depth: int) -> bool:
    """Whether a line goes on a table at quote DEPTH: in the same quote, not blank, and not
    another block's start."""
    return line[0] == depth and bool(line[1].strip()) and not BLOCK_START_RE.match(line[1])


class TaskItem(NamedTuple):
    """A task list item: whether it is checked and its text."""

    checked: bool
    text: str


def task_items(text: str | None) -> list[TaskItem]:
    """List the task list items of markdown in order (code blocks and comments excluded)."""
    items = []
    for line in _drawn(text or "")[0]:
        match = TASK_RE.match(line)
        if match:
            items.append(TaskItem(match.group(1) in "xX", match.group(2)))
    return items


def noted_item(text: str) -> str:
    """A checklist item's text as GitLab's system note of its box gives it: its Markdown
    punctuation escaped (as seen on gitlab.com: `Close \\#4 as obsolete: src/x\\.go says a
    \\= \\"1\\"`). GitLab keeps a hidden comment's text there, without its delimiters; the
    fake's items are read from the text as shown, which has none."""
    return re.sub(r'([\\`*_{}\[\]()#+\-.!"=|<>~])', r"\\\1", text.strip())


def toggled_tasks(old: str | None, new: str | None) -> list[TaskItem]:
    """Items whose box changed, matched by position and same text (Taskable.get_updated_tasks)."""
    before = task_items(old)
    return [
        item
        for index, item in enumerate(task_items(new))
        if index < len(before)
        and before[index].text == item.text
        and before[index].checked != item.checked
    ]


def issuable_limits(params: Params) -> None:
    """Issuable's validations, for issues and epics alike: a title of at most 255 characters
    (once stripped: sanitize.py), not blank, and a description of at most 1,048,576 bytes."""
    title = params.text("title")
    if title is not None and not issuable_title(title):
        raise ApiError(400, {"message": {"title": ["can't be blank"]}})
    if len(issuable_title(title or "")) > MAX_TITLE:
        raise ApiError(400, {"message": {"title": ["is too long (maximum is 255 characters)"]}})
    if len((params.text("description") or "").encode("utf-8", "surrogatepass")) > MAX_DESCRIPTION:
        raise ApiError(
            400, {"message": {"description": ["is too long (maximum is 1048576 characters)"]}}
        )


def find_mentions(text: str | None) -> list[str]:
    """Return `@name` references GitLab would render as mentions (code and comments excluded):
    those a line-by-line reading finds, and those a CommonMark reading finds that it does
    not (`<b title="`">@all</b>`: a tag binds before a code span; `&#64;all`), so that the
    tool is checked against the stricter of the two."""
    found: list[str] = []
    for line in prose_lines(text or ""):
        for match in MENTION_RE.finditer(INLINE_CODE_RE.sub("", line)):
            found.append(match.group(1))
    seen = {name.lower() for name in found}
    found += [name for name in _commonmark_mentions(text or "") if name.lower() not in seen]
    return found


_HTML_TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.S)


def _commonmark_mentions(text: str) -> list[str]:
    """The mentions in the text CommonMark renders: text nodes outside code and links, and
    the text of raw HTML blocks (GitLab looks for references in the rendered page)."""
    names: list[str] = []
    for token in _COMMONMARK.parse(text):
        if token.type == "html_block":
            names += _mentions_in(_HTML_TAG_RE.sub(" ", token.content))
        if token.type != "inline":
            continue
        depth = 0
        for child in token.children or ():
            depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "text" and depth == 0:
                names += _mentions_in(child.content)
    return names


def _mentions_in(text: str) -> list[str]:
    return [match.group(1) for match in MENTION_RE.finditer(text)]


ISSUE_REFERENCE_RE = re.compile(r"(?<![\w/&#])#(\d+)\b")


def find_issue_references(text: str | None) -> set[int]:
    """The iids of this project's issues that markdown refers to as `#12` (code and comments
    excluded, as GitLab renders it before it looks for references)."""
    found: set[int] = set()
    for line in prose_lines(text or ""):
        for match in ISSUE_REFERENCE_RE.finditer(INLINE_CODE_RE.sub("", line)):
            found.add(int(match.group(1)))
    return found


def _line_based_reader() -> re.Pattern[str]:
    """GitLab 16's Gitlab::QuickActions::Extractor, as one pattern scanned left to right
    (`gsub!`): at each place it first tries the spans it skips, in its order (a code fence
    from a line starting ``` to a line ```; inline code from a backtick to the next one, over
    any lines, with at least one character between; an HTML block from a line `<tag>` (the
    tag may run over lines) to a line `</tag>`; a `>>>` quote to a line `>>>`), and then a
    known command at the start of a line. Ruby's `m` flag is Python's DOTALL; its `^` and `$`
    always match at line ends, as MULTILINE; its whitespace class is ASCII."""
    names = "|".join(sorted(QUICK_ACTION_NAMES, key=len, reverse=True))
    return re.compile(
        r"(?P<code>^```.+?\n```$)"
        r"|(?P<inline>`\n*.+?\n*`)"
        r"|(?P<html>^<[^>]+?>\n.+?\n</[^>]+?>$)"
        r"|(?P<quote>^>>>.+?\n>>>$)"
        rf"|(?P<command>^/(?i:{names})(?:[ ][^\n]*)?(?:\s*\n|$))",
        re.MULTILINE | re.DOTALL | re.ASCII,
    )


_LINE_BASED_READER = _line_based_reader()


def _paragraph_reader() -> re.Pattern[str]:
    """What GitLab 17's extractor runs over each paragraph its Markdown pipeline found: inline
    code from a backtick to the next (over the paragraph's lines), an HTML block, then a
    known command at the start of a line."""
    names = "|".join(sorted(QUICK_ACTION_NAMES, key=len, reverse=True))
    return re.compile(
        r"(?P<inline>`.+?`)"
        r"|(?P<html>^<[^>]+?>\n.+?\n</[^>]+?>$)"
        rf"|(?P<command>^/(?i:{names})(?:[ ][^\n]*)?(?:\s*\n|$))",
        re.MULTILINE | re.DOTALL | re.ASCII,
    )


_PARAGRAPH_READER = _paragraph_reader()


def _commands_read(reader: re.Pattern[str], lines: list[str], first: int = 0) -> set[int]:
    """The lines (numbered from FIRST) where READER, scanning them left to right, finds a
    command: not in a span it skips, which an unpaired backtick or tag far above can shift."""
    text = "\n".join(lines)
    seen: set[int] = set()
    line, at = first, 0
    for match in reader.finditer(text):
        if match.group("command") is None:
            continue
        line += text.count("\n", at, match.start())
        at = match.start()
        seen.add(line)
    return seen


def _regex_candidates(lines: list[str]) -> set[int]:
    """The lines where GitLab's line-based extractor (up to GitLab 16) finds a command."""
    return _commands_read(_LINE_BASED_READER, lines)


_COMMONMARK = MarkdownIt("commonmark").enable("table")  # GitLab's GFM tables included
_BLOCKS = MarkdownIt("commonmark").enable("table")  # blocks only: where the boxes are
_BLOCKS.core.ruler.disable("inline")


def _paragraph_candidates(lines: list[str]) -> set[int]:
    """The lines where GitLab's Markdown-based extractor (lib/gitlab/quick_actions/
    extractor.rb with Banzai::Filter::QuickActionFilter) finds a command: in top-level
    paragraphs, not list items, quotes (`>>>` ones too), HTML blocks, code or tables, and
    within a paragraph not in inline code (`_paragraph_reader`)."""
    quoted, fence = [], False
    for line in lines:  # a `>>>` quote, written as CommonMark's `>` lines
        opens = re.fullmatch(r">>>\s*", line) is not None
        quoted.append(f"> {line}" if fence or opens else line)
        fence = fence != opens
    seen: set[int] = set()
    for token in _COMMONMARK.parse("\n".join(quoted)):
        if token.type == "paragraph_open" and token.level == 0 and token.map:
            start, end = token.map
            seen |= _commands_read(_PARAGRAPH_READER, lines[start:end], start)
    return seen


LINE_BASED, MARKDOWN = "line-based", "markdown"
READERS = frozenset({LINE_BASED, MARKDOWN})  # the union, the default: see below


def extract_quick_actions(
    text: str, readers: frozenset[str] = READERS
) -> tuple[str, list[tuple[str, str]]]:
    """Split text into (text without quick-action lines, [(command, argument)]). A line runs
    as a command where one of READERS would run it: GitLab's line-based extractor of GitLab
    16 and before, and the Markdown-based one since. By default both (self-managed instances
    run either kind), so the tool is checked against the union; GitLab.com runs the Markdown
    one alone (`FakeGitLab.readers`). Every known command is taken out, whoever wrote it
    (InterpretService's extractor knows them all); whether it runs is checked when it does
    (run_commands)."""
    lines = text.replace("\r", "").split("\n")
    candidates = _regex_candidates(lines) if LINE_BASED in readers else set()
    if MARKDOWN in readers:
        candidates |= _paragraph_candidates(lines)
    kept: list[str] = []
    commands: list[tuple[str, str]] = []
    for index, line in enumerate(lines):
        match = COMMAND_RE.match(line) if index in candidates else None
        if match and match.group(1).lower() in QUICK_ACTION_NAMES:
            commands.append((match.group(1).lower(), (match.group(2) or "").strip()))
        else:
            kept.append(line)
    return "\n".join(kept).rstrip(), commands


def parse_label_args(arg: str) -> list[str]:
    """Parse `~a ~"b c"` (or bare words) from a label quick action."""
    names = []
    for match in re.finditer(r'~?"([^"]+)"|~?([^\s~"]+)', arg):
        names.append(match.group(1) or match.group(2))
    return names


def scope_of(label: str) -> str | None:
    """Return the scope of a scoped label (text before the last `::`), else None."""
    head, sep, tail = label.rpartition("::")
    return head if sep and head and tail else None


# --------------------------------------------------------------------------- state


DIFF_MAX_FILES = 1000  # GitLab's default diff limit of files, which cuts a compare


@dataclass(eq=False)
class User:
    """A GitLab user."""

    id: int
    username: str
    name: str
    state: str = "active"  # or blocked, banned, ldap_blocked, deactivated


def _access(level: int) -> JSON:
    return {"access_level": level, "notification_level": 3}


READ_ONLY = "You cannot perform write operations on a read-only instance"

# what GitLab answers (403) every API request of a token whose user an administrator blocked,
# banned or deactivated (API::APIGuard: forbidden! with Gitlab::Auth::UserAccessDeniedReason's
# rejection_message)
REFUSED_STATES = {
    "blocked": "Your account has been blocked.",
    "ldap_blocked": "Your account has been blocked.",
    "banned": "Your account has been blocked.",
    "deactivated": "Your account has been deactivated by your administrator. Please log back "
    "in from a web browser to reactivate your account at https://gitlab.example.com",
}

# the states a token that is no administrator's never finds in the users list
# (UsersFinder#base_scope: User.without_forbidden_states, FORBIDDEN_SEARCH_STATES)
HIDDEN_USER_STATES = frozenset({"blocked", "banned", "ldap_blocked"})


# Noteable::MAX_NOTES_LIMIT: an issue takes no note from anyone once it holds this many,
# system notes included (Note validates it on create, unless the new note is a system note)
MAX_NOTES = 5_000
# Gitlab::Database::MAX_TEXT_SIZE_LIMIT, the length Notes validates a note's text against
MAX_NOTE_LENGTH = 1_000_000
# UserPreference::NOTES_FILTERS, as `activity_filter` names them: which notes a list shows, by
# whether each is a system note
NOTE_FILTERS = {
    "all_notes": (False, True),
    "only_comments": (False,),
    "only_activity": (True,),
}


def refused_note(errors: str) -> ApiError:
    """A note the model refused to save: the notes API's `bad_request!("Note #{errors}")`
    (NotesHelpers#process_note_creation_result), the errors as Ruby prints a hash."""
    return ApiError(400, {"message": f"400 Bad request - Note {errors}"})


def _note_length(body: str) -> None:
    """A note's text longer than GitLab keeps is refused, on create and on edit."""
    if len(body) > MAX_NOTE_LENGTH:
        limit = f"is too long (maximum is {MAX_NOTE_LENGTH} characters)"
        raise refused_note(f'{{:note=>["{limit}"]}}')


@dataclass(eq=False)
class Label:
    """A project or group label."""

    id: int
    name: str
    color: str
    description: str | None
    is_project_label: bool


@dataclass(eq=False)
class Member:
    """A user's direct membership of a group; its ID orders member lists (GitLab's offset
    pagination orders a relation without an order by its primary key: `add_default_order`
    in lib/gitlab/pagination/offset_pagination.rb), so the newest members come last."""

    user: User
    access_level: int
    created_at: datetime
    id: int = 0


@dataclass(eq=False)
class Group:
    """A group (possibly nested) with its labels, epics and direct members."""

    id: int
    full_path: str
    parent: Group | None
    labels: dict[str, Label] = field(default_factory=dict)
    epics: dict[int, Epic] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)  # user id -> membership

    def ancestry(self) -> Iterator[Group]:
        """Yield this group then its ancestors."""
        group: Group | None = self
        while group is not None:
            yield group
            group = group.parent


@dataclass(eq=False)
class Project:
    """A project with its labels and issues."""

    id: int
    full_path: str
    group: Group
    labels: dict[str, Label] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    merge_requests: dict[int, list[Note]] = field(default_factory=dict)  # iid -> its notes
    branches: dict[str, str] = field(default_factory=dict)  # name -> its head commit's sha
    commits: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (sha, paths)
    last_iid: int = 0  # GitLab's InternalId: a deleted issue's iid is never given again

    def next_iid(self) -> int:
        """Allocate the next issue iid."""
        self.last_iid = max(self.last_iid, max(self.issues, default=0)) + 1
        return self.last_iid


@dataclass(eq=False)
class Note:
    """A comment (or system note) on an issue."""

    id: int
    body: str
    author: User
    created_at: datetime
    updated_at: datetime
    system: bool = False


@dataclass(eq=False)
class Epic:
    """A group-level epic (Premium)."""

    id: int
    iid: int
    group: Group
    title: str
    description: str | None  # NULL when created without one, as an issue's
    author: User
    created_at: datetime
    updated_at: datetime
    labels: list[str] = field(default_factory=list)
    state: str = "opened"
    closed_at: datetime | None = None
    confidential: bool = False


@dataclass(eq=False)
class Issue:
    """A project issue."""

    id: int
    iid: int
    project: Project
    title: str
    author: User
    created_at: datetime
    updated_at: datetime
    description: str | None = None  # NULL when created without one (doc/api/issues.md)
    state: str = "opened"
    labels: list[str] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)
    confidential: bool = False
    due_date: str | None = None
    closed_at: datetime | None = None
    closed_by: User | None = None
    notes: list[Note] = field(default_factory=list)
    epic: Epic | None = None
    epic_issue_id: int | None = None
    updated_by: User | None = None
    moved_to: Issue | None = None  # the issue it became, moved to another project
    issue_type: str = "issue"  # or incident, test_case, task: only an issue goes in an epic

    def snapshot(self) -> tuple[object, ...]:
        """Return the user-visible fields, to tell whether an update changed anything."""
        return (
            self.title,
            self.description,
            self.state,
            tuple(self.labels),
            tuple(u.id for u in self.assignees),
            self.confidential,
            self.due_date,
        )

    def fields(self) -> tuple[object, ...]:
        """What a save writes (labels and assignees hang off the issue: a touch)."""
        return (self.title, self.description, self.state, self.confidential, self.due_date)

    def touch(self, now: datetime) -> None:
        """ThrottledTouch: updated_at moves only if the last update is over a minute old."""
        if now - self.updated_at > TOUCH_INTERVAL:
            self.updated_at = now

    def updated(
        self, before: tuple[object, ...], fields: tuple[object, ...], by: User, now: datetime
    ) -> None:
        """After an update by BY from BEFORE (a snapshot) and FIELDS. IssuableBaseService#update
        sets `updated_by = current_user` (update_timestamp?: any change but a position, none
        at all included) and saves with touch: the row is written, and updated_at moves,
        when a field changed or when updated_by did (someone else updated it last, or nobody
        yet: it is NULL on a new issue), even if nothing a reader sees changed. Labels or
        assignees alone, by the last updater, only touch (ThrottledTouch)."""
        if self.fields() != fields or self.updated_by is not by:
            self.updated_at, self.updated_by = now, by
        elif self.snapshot() != before:
            self.touch(now)


@dataclass(eq=False)
class IssueLink:
    """A relation between two issues."""

    id: int
    source: Issue
    target: Issue
    link_type: str
    created_at: datetime


class Mention(NamedTuple):
    """An `@name` GitLab would have turned into a mention."""

    username: str
    where: str


class QuickAction(NamedTuple):
    """A quick action GitLab would have executed."""

    name: str
    argument: str
    where: str


class GitLabState:
    """All server-side data of the fake, plus look-ups and permission checks."""

    def __init__(self, tier: Tier, clock: Clock) -> None:
        self.tier: Tier = tier
        self.clock = clock
        # GitLab's execute_with_original_text: an edit does not run again the quick actions
        # its description had before (False: an older GitLab that ran them as the editor)
        self.original_text_rule = True
        self.readers = READERS  # the quick-action extractors this GitLab runs
        self.ids: dict[str, Iterator[int]] = {}
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self.projects: dict[int, Project] = {}
        self.links: list[IssueLink] = []
        self.roles: dict[str, str] = {}
        self.default_role = "owner"
        # users given memberships of their own (`set_member_role`): user id -> full path -> role;
        # everyone else has the token owner's `roles`, as before
        self.memberships: dict[int, dict[str, str]] = {}
        self.acting: User | None = None  # the token owner, whose requests these are
        self.mentions: list[Mention] = []
        self.quick_actions: list[QuickAction] = []
        self.system_notes = True
        # False: issue answers leave out `epic` and `epic_iid`, as GitLab does when the
        # project's group has no epics feature (ee/lib/ee/api/entities/issue.rb exposes them
        # only then) and as an emulation of GitLab may: which epic an issue is in is not said
        self.issue_epic_fields = True

    def next_id(self, kind: str) -> int:
        """Return the next global id for a kind of record."""
        counter = self.ids.setdefault(kind, itertools.count(1))
        return next(counter)

    def user_named(self, username: str) -> User | None:
        """Find a user by username (case-insensitive, as GitLab does)."""
        wanted = username.lower()
        return next((u for u in self.users.values() if u.username.lower() == wanted), None)

    def group(self, ref: str) -> Group:
        """Find a group by numeric id or full path, else 404."""
        found = _routable(self.groups.values(), ref)
        if found is None:
            raise not_found("Group Not Found")
        return found

    def project(self, ref: str) -> Project:
        """Find a project by numeric id or full path, else 404."""
        found = _routable(self.projects.values(), ref)
        if found is None:
            raise not_found("Project Not Found")
        return found

    def readable_project(self, ref: str) -> Project:
        """A project the token's user may read, else 404 Project Not Found, as for one that
        does not exist (lib/api/helpers.rb find_project!: `can?(current_user, :read_project)`).
        Projects here are private: their members read them (a role in the project or in one
        of its groups, `set_member_role`'s or `add_member`'s), nobody else."""
        project = self.project(ref)
        if self.acting is not None and self.member_level(self.acting, project) == 0:
            raise not_found("Project Not Found")
        return project

    def issue(self, project: Project, iid: str) -> Issue:
        """Find an issue by iid in a project, else 404."""
        found = project.issues.get(int(iid))
        if found is None:
            raise not_found()
        return found

    def issue_by_id(self, issue_id: int) -> Issue | None:
        """Find an issue by its global id."""
        for project in self.projects.values():
            for issue in project.issues.values():
                if issue.id == issue_id:
                    return issue
        return None

    def role_in(self, group: Group, project: Project | None = None) -> int:
        """Return the access level of the token owner in a project or group."""
        own = self.memberships.get(self.acting.id) if self.acting else None
        if own is not None:  # 0: not a member
            paths = [
                *([project.full_path] if project else []),
                *(g.full_path for g in group.ancestry()),
            ]
            return next((ROLE_LEVELS[own[path]] for path in paths if path in own), 0)
        if project is not None and project.full_path in self.roles:
            return ROLE_LEVELS[self.roles[project.full_path]]
        for ancestor in group.ancestry():
            if ancestor.full_path in self.roles:
                return ROLE_LEVELS[self.roles[ancestor.full_path]]
        return ROLE_LEVELS[self.default_role]

    def can(self, minimum: str, group: Group, project: Project | None = None) -> bool:
        """Tell whether the token owner has at least `minimum` role."""
        return self.role_in(group, project) >= ROLE_LEVELS[minimum]

    def require(self, minimum: str, group: Group, project: Project | None = None) -> None:
        """Raise 403 unless the token owner has at least `minimum` role."""
        if not self.can(minimum, group, project):
            raise ApiError(403, dict(FORBIDDEN))

    def can_read(self, issue: Issue) -> bool:
        """Whether the token owner sees the issue. doc/user/project/issues/confidential_issues.md:
        a confidential issue is visible to its author, its assignees and project members with
        at least the Planner role (Reporter before 17.7); mentions give no access. Projects
        here are private: a non-member reads none of their issues (404), wrote or assigned."""
        if not issue.confidential:
            return True
        if self.role_in(issue.project.group, issue.project) == 0:
            return False
        user = self.acting
        if user is not None and (
            issue.author.id == user.id or any(a.id == user.id for a in issue.assignees)
        ):
            return True
        return self.can("planner", issue.project.group, issue.project)

    def sees(self, issue: Issue) -> bool:
        """Whether the token owner may read the issue: a member of its (private) project, and
        allowed to read it if it is confidential."""
        return self.role_in(issue.project.group, issue.project) > 0 and self.can_read(issue)

    def may_be_assigned(self, user: User, project: Project) -> bool:
        """GitLab's `user_can_read?` (IssuableBaseService): can USER read issues of the
        project (its `resource_parent`, whether the issue is being created or updated, and
        confidential or not)? Projects here are private: a member of the project's group (or
        an ancestor), any role from Guest up, with `set_member_role`'s roles counted too."""
        return self.member_level(user, project) > 0

    def member_level(self, user: User, project: Project) -> int:
        """A user's highest access level in a project through group memberships (0: none)."""
        levels = [
            g.members[user.id].access_level
            for g in project.group.ancestry()
            if user.id in g.members
        ]
        if user is self.acting:  # the token owner: its roles as `set_role` or its own
            levels.append(self.role_in(project.group, project))
        else:
            own = self.memberships.get(user.id, {})
            paths = [project.full_path, *(g.full_path for g in project.group.ancestry())]
            levels += [ROLE_LEVELS[own[path]] for path in paths if path in own]
        return max(levels, default=0)

    def visible_labels(self, project: Project) -> dict[str, Label]:
        """Labels usable in a project: its own plus those of all ancestor groups."""
        labels: dict[str, Label] = {}
        for group in reversed(list(project.group.ancestry())):
            labels.update(group.labels)
        labels.update(project.labels)
        return labels

    def group_labels(self, group: Group) -> dict[str, Label]:
        """Labels usable in a group: its own plus those of its ancestors."""
        labels: dict[str, Label] = {}
        for ancestor in reversed(list(group.ancestry())):
            labels.update(ancestor.labels)
        return labels

    def new_label(self, name: str, color: str, description: str | None, project: bool) -> Label:
        """Create a label record."""
        return Label(self.next_id("label"), name, color, description, project)

    def record_mentions(self, text: str | None, where: str, before: str | None = None) -> None:
        """Remember every mention GitLab would have made from this text. An edit (BEFORE: the
        text it replaces) notifies only the people it newly mentions (Issues::UpdateService and
        Notes::UpdateService pass the added mentions on; the others were told already)."""
        told = {name.lower() for name in find_mentions(before)}
        for username in find_mentions(text):
            if username.lower() not in told:
                self.mentions.append(Mention(username, where))

    def link_count(self, issue: Issue) -> int:
        """Count the issues related to this one (links seen from both ends)."""
        return sum(1 for link in self.links if issue in (link.source, link.target))

    def delete_issue(self, issue: Issue) -> None:
        """Remove an issue with its links; its iid is not given again."""
        del issue.project.issues[issue.iid]
        self.links = [link for link in self.links if issue not in (link.source, link.target)]

    def labelled_in(self, group: Group) -> Iterator[Issue | Epic]:
        """Yield the issues and epics of a group and of its subgroups, which may use its labels."""
        for project in self.projects.values():
            if group in project.group.ancestry():
                yield from project.issues.values()
        for other in self.groups.values():
            if group in other.ancestry():
                yield from other.epics.values()

    def rename_group_label(self, group: Group, label: Label, new_name: str) -> None:
        """Rename a group label everywhere it is used (GitLab links labels by id)."""
        del group.labels[label.name]
        for item in self.labelled_in(group):
            item.labels = [new_name if name == label.name else name for name in item.labels]
        label.name = new_name
        group.labels[new_name] = label

    def delete_group_label(self, group: Group, label: Label) -> None:
        """Delete a group label and take it off every issue and epic that had it."""
        del group.labels[label.name]
        for item in self.labelled_in(group):
            item.labels = [name for name in item.labels if name != label.name]


# --------------------------------------------------------------------------- JSON presenter


class Presenter:
    """Renders state objects as GitLab API JSON."""

    def __init__(self, state: GitLabState, base_url: str) -> None:
        self.state = state
        self.base_url = base_url

    def user(self, user: User) -> JSON:
        """Render a user (basic entity)."""
        return {
            "id": user.id,
            "username": user.username,
            "name": user.name,
            "state": user.state,
            "locked": False,
            "avatar_url": None,
            "web_url": f"{self.base_url}/{user.username}",
        }

    def label(self, label: Label) -> JSON:
        """Render a label."""
        return {
            "id": label.id,
            "name": label.name,
            "color": label.color,
            "text_color": "#FFFFFF",
            "description": label.description,
            "description_html": label.description or "",
            "subscribed": False,
            "priority": None,
            "is_project_label": label.is_project_label,
        }

    def member(self, member: Member) -> JSON:
        """Render a membership (the user plus its role)."""
        return {
            **self.user(member.user),
            "access_level": member.access_level,
            "created_at": iso(member.created_at),
            "created_by": None,
            "expires_at": None,
            "membership_state": "active",
        }

    def group(self, group: Group) -> JSON:
        """Render a group."""
        name = group.full_path.rsplit("/", 1)[-1]
        return {
            "id": group.id,
            "name": name,
            "path": name,
            "full_path": group.full_path,
            "full_name": group.full_path.replace("/", " / "),
            "parent_id": group.parent.id if group.parent else None,
            "visibility": "private",
            "web_url": f"{self.base_url}/groups/{group.full_path}",
        }

    def project(self, project: Project) -> JSON:
        """Render a project."""
        name = project.full_path.rsplit("/", 1)[-1]
        return {
            "id": project.id,
            "name": name,
            "path": name,
            "path_with_namespace": project.full_path,
            "name_with_namespace": project.full_path.replace("/", " / "),
            "namespace": {
                "id": project.group.id,
                "full_path": project.group.full_path,
                "kind": "group",
            },
            "visibility": "private",
            "issues_enabled": True,
            "default_branch": "main",
            "permissions": self._permissions(project),
            "web_url": f"{self.base_url}/{project.full_path}",
        }

    def _permissions(self, project: Project) -> JSON:
        """The token owner's access, as GET /projects/:id gives it (API::Entities::
        ProjectWithAccess): `project_access` its membership of the project itself,
        `group_access` its highest in the project's group and the group's ancestors; each
        null when there is none (a project access token's bot has no group access)."""
        state = self.state
        own = state.memberships.get(state.acting.id) if state.acting else None
        roles = own if own is not None else state.roles
        direct = roles.get(project.full_path)
        inherited = state.role_in(project.group)
        return {
            "project_access": _access(ROLE_LEVELS[direct]) if direct else None,
            "group_access": _access(inherited) if inherited else None,
        }

    def issue(self, issue: Issue) -> JSON:
        """Render an issue."""
        path = issue.project.full_path
        tasks = task_completion_status(issue.description)
        data: JSON = {
            "id": issue.id,
            "iid": issue.iid,
            "project_id": issue.project.id,
            "title": issue.title,
            "description": issue.description,
            "state": issue.state,
            "created_at": iso(issue.created_at),
            "updated_at": iso(issue.updated_at),
            "closed_at": iso(issue.closed_at),
            "closed_by": self.user(issue.closed_by) if issue.closed_by else None,
            "moved_to_id": issue.moved_to.id if issue.moved_to else None,
            "labels": sorted(issue.labels),
            "milestone": None,
            "assignees": [self.user(u) for u in issue.assignees],
            "assignee": self.user(issue.assignees[0]) if issue.assignees else None,
            "author": self.user(issue.author),
            "type": issue.issue_type.upper(),
            "issue_type": issue.issue_type,
            "user_notes_count": sum(1 for n in issue.notes if not n.system),
            "merge_requests_count": 0,
            "upvotes": 0,
            "downvotes": 0,
            "due_date": issue.due_date,
            "confidential": issue.confidential,
            "discussion_locked": None,
            "web_url": f"{self.base_url}/{path}/-/issues/{issue.iid}",
            "references": {
                "short": f"#{issue.iid}",
                "relative": f"#{issue.iid}",
                "full": f"{path}#{issue.iid}",
            },
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "has_tasks": tasks["count"] > 0,
            "task_status": f"{tasks['completed_count']} of {tasks['count']} tasks completed",
            "task_completion_status": tasks,
            "_links": self._issue_links(issue),
        }
        if self.state.tier == "premium":
            data.update(self._premium_issue_fields(issue))
            if not self.state.issue_epic_fields:
                del data["epic"], data["epic_iid"]
        return data

    def _issue_links(self, issue: Issue) -> JSON:
        api = f"{self.base_url}/api/v4/projects/{issue.project.id}"
        return {
            "self": f"{api}/issues/{issue.iid}",
            "notes": f"{api}/issues/{issue.iid}/notes",
            "award_emoji": f"{api}/issues/{issue.iid}/award_emoji",
            "project": api,
        }

    def _premium_issue_fields(self, issue: Issue) -> JSON:
        epic = issue.epic
        return {
            "weight": None,
            "health_status": None,
            "epic_iid": epic.iid if epic else None,
            "epic": None
            if epic is None
            else {
                "id": epic.id,
                "iid": epic.iid,
                "title": epic.title,
                "url": f"/groups/{epic.group.full_path}/-/epics/{epic.iid}",
                "group_id": epic.group.id,
            },
        }

    def note(self, note: Note, issue: Issue) -> JSON:
        """Render a note on an issue."""
        return {
            "id": note.id,
            "type": None,
            "body": note.body,
            "author": self.user(note.author),
            "created_at": iso(note.created_at),
            "updated_at": iso(note.updated_at),
            "system": note.system,
            "noteable_id": issue.id,
            "noteable_type": "Issue",
            "noteable_iid": issue.iid,
            "project_id": issue.project.id,
            "resolvable": False,
            "confidential": False,
            "internal": False,
        }

    def epic(self, epic: Epic) -> JSON:
        """Render an epic."""
        path = epic.group.full_path
        return {
            "id": epic.id,
            "iid": epic.iid,
            "group_id": epic.group.id,
            "parent_id": None,
            "title": epic.title,
            "description": epic.description,
            "state": epic.state,
            "confidential": epic.confidential,
            "web_url": f"{self.base_url}/groups/{path}/-/epics/{epic.iid}",
            "references": {
                "short": f"&{epic.iid}",
                "relative": f"&{epic.iid}",
                "full": f"{path}&{epic.iid}",
            },
            "author": self.user(epic.author),
            "labels": sorted(epic.labels),
            "start_date": None,
            "due_date": None,
            "created_at": iso(epic.created_at),
            "updated_at": iso(epic.updated_at),
            "closed_at": iso(epic.closed_at),
        }

    def link(self, link: IssueLink, other: Issue) -> JSON:
        """Render a linked issue as seen from the other end of the link."""
        data = self.issue(other)
        data.update(
            {
                "issue_link_id": link.id,
                "link_type": link.link_type,
                "link_created_at": iso(link.created_at),
                "link_updated_at": iso(link.created_at),
            }
        )
        return data


# --------------------------------------------------------------------------- request plumbing


class Params:
    """Request parameters (query string merged with JSON or form body)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, key: str) -> bool:
        """Tell whether a parameter was given."""
        return self.values.get(key) is not None

    def text(self, key: str) -> str | None:
        """Return a parameter as text."""
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        return str(value)

    def integer(self, key: str) -> int | None:
        """Return a parameter as an integer, 400 if it is not one."""
        value = self.values.get(key)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"{key} is invalid") from exc

    def boolean(self, key: str) -> bool | None:
        """Return a parameter as a boolean, 400 if it is not one."""
        value = self.values.get(key)
        if value is None or isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "yes"):
            return True
        if str(value).lower() in ("false", "0", "no"):
            return False
        raise bad_request(f"{key} is invalid")

    def names(self, key: str) -> list[str] | None:
        """Return a comma-separated (or array) parameter as a list of names."""
        value = self.values.get(key)
        if value is None:
            return None
        items = value if isinstance(value, list) else str(value).split(",")
        return [str(item).strip() for item in items if str(item).strip()]

    def integers(self, key: str) -> list[int] | None:
        """Return an array parameter as integers."""
        names = self.names(key)
        if names is None:
            return None
        try:
            return [int(n) for n in names]
        except ValueError as exc:
            raise bad_request(f"{key} is invalid") from exc


@dataclass
class Request:
    """A parsed API request, as handlers see it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    params: Params
    args: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    """An API answer."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class RecordedRequest(NamedTuple):
    """One request as seen by the fake: method, decoded path, query values, and every
    parameter (query and body) as the handlers read them."""

    method: str
    path: str
    query: dict[str, list[str]]
    params: Mapping[str, Any] = {}


Handler = Callable[[Request], Reply]


def _values_from_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in pairs:
        if key.endswith("[]"):
            values.setdefault(key[:-2], []).append(value)
        else:
            values[key] = value
    return values


def _body_values(request: requests.PreparedRequest) -> dict[str, Any]:
    body = request.body
    if not body:
        return {}
    text = body.decode() if isinstance(body, bytes) else str(body)
    try:
        loaded = json.loads(text)
    except ValueError:
        return _values_from_pairs(parse_qsl(text, keep_blank_values=True))
    return loaded if isinstance(loaded, dict) else {}


class Router:
    """Maps (method, path pattern) to handlers; `{name}` captures one path segment."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Register a handler; `{x}` in the pattern matches one URL-encoded segment."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self.routes.append((method, re.compile(f"^{regex}/?$"), handler))

    def dispatch(self, request: Request) -> Reply:
        """Run the matching handler, or answer 404 like GitLab does for unknown routes."""
        for method, regex, handler in self.routes:
            match = regex.match(request.path)
            if match and method == request.method:
                request.args = {k: unquote(v) for k, v in match.groupdict().items()}
                return handler(request)
        return Reply(404, {"error": "404 Not Found"})


def paginate(
    request: Request,
    items: Sequence[Any],
    api_url: str,
    present: Callable[[Any], JSON] | None = None,
) -> Reply:
    """Slice a list with offset pagination and add GitLab's pagination headers; only the
    page's items are presented."""
    per_page = request.params.integer("per_page") or 20
    per_page = max(1, min(per_page, 100))
    page = max(1, request.params.integer("page") or 1)
    total = len(items)
    pages = max(1, -(-total // per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])
    if present is not None:
        chunk = [present(item) for item in chunk]
    counted = total <= COUNTED_RECORDS
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
        "Link": _link_header(request, api_url, page, pages, per_page, counted),
    }
    if counted:
        headers |= {"X-Total": str(total), "X-Total-Pages": str(pages)}
    return Reply(200, chunk, headers)


def _reference(issue: Issue, seen_from: Issue) -> str:
    """How a note on SEEN_FROM refers to ISSUE: `#iid` in its own project, else its path."""
    same = issue.project is seen_from.project
    return f"#{issue.iid}" if same else f"{issue.project.full_path}#{issue.iid}"


def _check_label_description(description: str | None) -> None:
    """app/models/label.rb: DESCRIPTION_LENGTH_MAX = 512.kilobytes, validated as a bytesize."""
    if description is not None and len(description.encode()) > MAX_LABEL_DESCRIPTION:
        too_long = f"is too long (maximum is {MAX_LABEL_DESCRIPTION} characters)"
        raise ApiError(400, {"message": {"description": [too_long]}})


R = TypeVar("R", "Group", "Project")


def _routable(items: Iterable[R], ref: str) -> R | None:
    """A group or project by id or full path: the path as written, else whatever its case
    (app/models/concerns/routable.rb: find_by_full_path, then an iwhere on the path)."""
    every = list(items)
    exact = next((i for i in every if ref in (str(i.id), i.full_path)), None)
    return exact or next((i for i in every if i.full_path.lower() == ref.lower()), None)


def _link_header(  # noqa: PLR0917
    request: Request, api_url: str, page: int, pages: int, per_page: int, counted: bool
) -> str:
    kept = [(k, v) for k, v in request.query if k not in ("page", "per_page")]

    def url(target: int) -> str:
        query = urlencode([*kept, ("page", str(target)), ("per_page", str(per_page))])
        return f"{api_url}{request.path}?{query}"

    rels = []
    if page > 1:
        rels.append(f'<{url(page - 1)}>; rel="prev"')
    if page < pages:
        rels.append(f'<{url(page + 1)}>; rel="next"')
    rels.append(f'<{url(1)}>; rel="first"')
    if counted:
        rels.append(f'<{url(pages)}>; rel="last"')
    return ", ".join(rels)


# --------------------------------------------------------------------------- domain services


class LabelService:
    """Label resolution, auto-creation and scoped-label exclusivity."""

    def __init__(self, state: GitLabState, may_create: bool = True) -> None:
        self.state = state
        self.may_create = may_create

    def resolve(self, project: Project, names: list[str]) -> list[str]:
        """Map names to existing labels; create missing ones as project labels if allowed."""
        known = self.state.visible_labels(project)
        resolved = []
        for asked in names:
            name = asked if asked in known else label_title(asked)
            if name not in known and self.may_create:
                known[name] = project.labels[name] = self.state.new_label(
                    name, DEFAULT_LABEL_COLOR, None, project=True
                )
            if name in known:
                resolved.append(name)
        return resolved

    def existing(self, project: Project, names: list[str]) -> list[str]:
        """Keep only names of labels that exist (quick actions never create labels)."""
        known = self.state.visible_labels(project)
        return [name for name in names if name in known]

    def add(self, current: list[str], added: list[str]) -> list[str]:
        """Add labels; on Premium a scoped label replaces others of the same scope."""
        result = list(current)
        for name in added:
            if name in result:
                continue
            scope = scope_of(name)
            if self.state.tier == "premium" and scope is not None:
                result = [old for old in result if scope_of(old) != scope]
            result.append(name)
        return result


class IssueService:
    """Issue mutations with GitLab's rules: labels, assignees, quick actions, system notes."""

    def __init__(self, state: GitLabState, labels: LabelService, actor: User) -> None:
        self.state = state
        self.labels = labels
        self.actor = actor

    def create(self, project: Project, params: Params) -> Issue:
        """Create an issue (guest and up), running quick actions in its description."""
        title = params.text("title")
        if not title:
            raise bad_request("title is missing")
        self._validate(params)
        epic = self._epic_param(project, params)  # looked up before anything is saved
        now = self.state.clock.now()
        issue = Issue(
            id=self.state.next_id("issue"),
            iid=project.next_iid(),
            project=project,
            title=issuable_title(title),
            author=self.actor,
            created_at=now,
            updated_at=now,
        )  # updated_by stays NULL: Issues::CreateService never sets it
        if epic is not None and epic.confidential:
            # ee/app/services/ee/issues/base_service.rb, filter_epic: a new issue put in a
            # confidential epic is made confidential, whatever `confidential` said
            params = Params({**params.values, "confidential": True})
        project.issues[issue.iid] = issue
        self._apply(issue, params, metadata=True, creating=True)
        if epic is not None:
            self.put_in_epic(issue, epic)
        self.state.record_mentions(issue.title, f"issue:{issue.id}:title")
        return issue

    def _epic_param(self, project: Project, params: Params) -> Epic | None:
        """`epic_id` (Premium): the GLOBAL id of an epic of the project's group or of an
        ancestor group. GitLab's epics finder finds nothing on Free or for another group's
        epic (404, and nothing is created); linking needs the Planner role (403); 0 is none."""
        epic_id = params.integer("epic_id")
        if not epic_id:
            return None
        groups = list(project.group.ancestry()) if self.state.tier == "premium" else []
        epic = next((e for g in groups for e in g.epics.values() if e.id == epic_id), None)
        if epic is None:
            raise not_found()
        self.state.require("planner", project.group, project)
        return epic

    def put_in_epic(self, issue: Issue, epic: Epic) -> None:
        """Make EPIC the issue's one epic (moving it from another), with its system note. A
        public issue cannot go in a confidential epic (ee/app/models/ee/issue.rb's validation
        "this issue cannot be assigned to a confidential epic since it is public")."""
        if epic.confidential and not issue.confidential:
            raise bad_request(PUBLIC_IN_CONFIDENTIAL)
        issue.epic, issue.epic_issue_id = epic, self.state.next_id("epic_issue")
        issue.touch(self.state.clock.now())
        self.add_system_note(issue, f"added to epic &{epic.iid}")

    def update(self, issue: Issue, params: Params) -> Issue:
        """Edit an issue; guests may only edit the title, description and state of an issue
        they opened or are assigned (IssuablePolicy: guest_access & assignee_or_author enable
        update_issue: a participant ticks the boxes of the issue the tool assigned them)."""
        if not any(params.has(key) for key in UPDATABLE):
            raise bad_request("at least one parameter must be provided")
        group, project = issue.project.group, issue.project
        metadata = self.state.can("planner", group, project)
        if not metadata and not self._own(issue):
            raise ApiError(403, dict(FORBIDDEN))
        return self.edit(issue, params, metadata)

    def edit(self, issue: Issue, params: Params, metadata: bool) -> Issue:
        """Apply an edit whose permissions were checked; bump updated_at if anything changed."""
        self._validate(params)
        epic = issue.epic
        if (
            params.boolean("confidential") is False
            and issue.confidential
            and epic is not None
            and epic.confidential
        ):
            # validated: nothing of the edit is saved; lib/api/issues.rb render_validation_error!
            raise ApiError(400, {"message": {"issue": [MADE_PUBLIC_IN_CONFIDENTIAL]}})
        before, fields = issue.snapshot(), issue.fields()
        state_event = params.text("state_event")
        if state_event:
            self.set_state(issue, "closed" if state_event == "close" else "opened")
        self._apply(issue, params, metadata=metadata, creating=False)
        issue.updated(before, fields, self.actor, self.state.clock.now())
        if params.has("title"):
            self.state.record_mentions(issue.title, f"issue:{issue.id}:title")
        return issue

    def _validate(self, params: Params) -> None:
        issuable_limits(params)
        due = params.text("due_date")
        if due:
            try:
                date.fromisoformat(due)
            except ValueError as exc:
                raise bad_request("due_date is invalid") from exc
        event = params.text("state_event")
        if event is not None and event not in ("close", "reopen"):
            raise bad_request("state_event does not have a valid value")
        if params.has("epic_id") and params.has("epic_iid"):
            raise bad_request("epic_id, epic_iid are mutually exclusive")

    def _apply(self, issue: Issue, params: Params, metadata: bool, creating: bool) -> None:
        before = issue.snapshot()
        title = None if creating else issue.title
        self._apply_text(issue, params)
        if issue.title != title:  # Issuable: attr_mentionable :title, as the description
            self._cross_reference(issue, issue.title, title)
        if metadata:
            self._apply_labels(issue, params)
            self._apply_assignees(issue, params)
        commands: list[tuple[str, str]] = []
        if params.has("description"):
            text, commands = extract_quick_actions(
                params.text("description") or "", self.state.readers
            )
            if not creating and self.state.original_text_rule:
                # execute_with_original_text: a command the stored description had already
                # is taken out, not run again
                _, before_commands = extract_quick_actions(
                    issue.description or "", self.state.readers
                )
                commands = [c for c in commands if c not in before_commands]
            if text != issue.description:
                where = f"issue:{issue.id}:description"
                self.state.record_mentions(text, where, before=issue.description)
                self._cross_reference(issue, text, issue.description)
            issue.description = text
        if not creating:
            self._system_notes(issue, before)
        self.run_commands(issue, commands, f"issue:{issue.id}:description", metadata, creating)

    def _own(self, issue: Issue) -> bool:
        """Whether the acting user opened the issue or is assigned it."""
        return issue.author is self.actor or self.actor in issue.assignees

    def _apply_text(self, issue: Issue, params: Params) -> None:
        issue.title = issuable_title(params.text("title") or "") or issue.title
        confidential = params.boolean("confidential")
        if confidential is not None:
            issue.confidential = confidential
        if params.has("due_date"):
            issue.due_date = params.text("due_date") or None

    def _apply_labels(self, issue: Issue, params: Params) -> None:
        project = issue.project
        replace = params.names("labels")
        if replace is not None:
            issue.labels = self.labels.add([], self.labels.resolve(project, replace))
        added = params.names("add_labels")
        if added:
            issue.labels = self.labels.add(issue.labels, self.labels.resolve(project, added))
        removed = params.names("remove_labels") or []
        issue.labels = [name for name in issue.labels if name not in removed]

    def _apply_assignees(self, issue: Issue, params: Params) -> None:
        """IssuableBaseService#filter_assignees_using_checks: Free keeps the first id asked
        for; then only users who can read the project's issues stay, silently; when none
        does, the parameter is dropped (the assignees stay as they were)."""
        ids = params.integers("assignee_ids")
        single = params.integer("assignee_id")
        if ids is None and single is None:
            return
        wanted = ids if ids is not None else [single] if single else []
        if self.state.tier != "premium":
            wanted = wanted[:1]
        users = [self.state.users[i] for i in wanted if i in self.state.users]
        readers = [u for u in users if self.state.may_be_assigned(u, issue.project)]
        if wanted and not readers:
            return
        issue.assignees = self._limit_assignees(readers)

    def _limit_assignees(self, users: list[User]) -> list[User]:
        """Free tier keeps a single assignee (multiple assignees are a paid feature)."""
        unique = list(dict.fromkeys(users))
        return unique if self.state.tier == "premium" else unique[:1]

    def set_state(self, issue: Issue, state: str) -> None:
        if issue.state == state:
            return
        issue.state = state
        closing = state == "closed"
        issue.closed_at = self.state.clock.now() if closing else None
        issue.closed_by = self.actor if closing else None

    def add_system_note(self, issue: Issue, body: str) -> None:
        """Add a system note (label and state changes are resource events, not notes). Saving
        a note touches its issue (Note `after_save :touch_noteable`; system notes do not skip
        it), so the issue's updated_at moves even when nothing else of it changed. GitLab
        writes the note after saving the change it tells of (Issues::UpdateService saves, then
        handle_changes notes): it is a few milliseconds newer than the issue's updated_at."""
        now = self.state.clock.now()
        issue.touch(now)
        if not self.state.system_notes:
            return
        noted = now + NOTE_AFTER_SAVE
        issue.notes.append(Note(self.state.next_id("note"), body, self.actor, noted, noted, True))

    def _system_notes(self, issue: Issue, before: tuple[object, ...]) -> None:
        title, description, _, _, assignees, confidential, due = before
        if issue.title != title:
            self.add_system_note(issue, f"changed title from **{title}** to **{issue.title}**")
        if issue.description != description:
            self._description_notes(issue, description if isinstance(description, str) else None)
        if tuple(u.id for u in issue.assignees) != assignees:
            assert isinstance(assignees, tuple)
            self.add_system_note(issue, self._assignees_changed(assignees, issue.assignees))
        if issue.confidential != confidential:
            self.add_system_note(
                issue,
                "made the issue confidential"
                if issue.confidential
                else "made the issue visible to everyone",
            )
        if issue.due_date != due:
            self.add_system_note(issue, f"changed due date to {issue.due_date}")

    def _assignees_changed(self, before: tuple[int, ...], after: Sequence[User]) -> str:
        """SystemNotes::IssuablesService#change_issuable_assignees: the users added and the
        users removed, each by Array#to_sentence, joined by ` and `."""
        now = {user.id for user in after}
        added = [user.username for user in after if user.id not in before]
        removed = [self.state.users[i].username for i in before if i not in now]
        parts = [f"assigned to {_sentence(added)}"] if added else []
        return " and ".join([*parts, *([f"unassigned {_sentence(removed)}"] if removed else [])])

    def _cross_reference(self, issue: Issue, text: str, old: str | None) -> None:
        """Each issue of the project that the text newly refers to gets a "mentioned in" note,
        once (Issuable#create_cross_references! on create, create_new_cross_references! on a
        description edit; SystemNoteService.cross_reference skips one that exists); the note
        touches the issue it is on."""
        body = f"mentioned in #{issue.iid}"
        for iid in sorted(find_issue_references(text) - find_issue_references(old)):
            other = issue.project.issues.get(iid)
            if other is None or other is issue:
                continue
            if not any(note.system and note.body == body for note in other.notes):
                self.add_system_note(other, body)

    def _description_notes(self, issue: Issue, old: str | None) -> None:
        """Ticked boxes get one note each, any other description change a generic note."""
        # Issuable::CommonSystemNotesService#handle_description_change_note and
        # SystemNotes::IssuablesService#change_task_status: the note said "task" before GitLab
        # renamed tasks to checklist items; Taskable::COMPLETED / INCOMPLETE give the status.
        toggled = toggled_tasks(old, issue.description)
        for item in toggled:
            status = "completed" if item.checked else "incomplete"
            noted = noted_item(item.text)
            self.add_system_note(issue, f"marked the checklist item **{noted}** as {status}")
        if not toggled:
            self.add_system_note(issue, "changed the description")

    def run_commands(
        self,
        issue: Issue,
        commands: list[tuple[str, str]],
        where: str,
        metadata: bool,
        creating: bool = False,
    ) -> list[str]:
        """Execute quick actions on an issue; return GitLab-like summary lines."""
        summary = []
        for name, argument in commands:
            self.state.quick_actions.append(QuickAction(name, argument, where))
            before = issue.snapshot()
            action = QUICK_ACTIONS.get(name)
            own = name in AUTHOR_ACTIONS and self._own(issue)
            if action is not None and (metadata or own):
                action(self, issue, argument)
                summary.append(f"Executed /{name} {argument}".rstrip())
            if not creating:
                self._system_notes(issue, before)
        return summary

    def assign(self, issue: Issue, argument: str, replace: bool) -> None:
        """Assign users named `@a @b` (or `me`): the command's ids go through the same
        check as `assignee_ids` (quick actions are merged into the params before it)."""
        named = []
        for token in argument.split():
            user = self.actor if token == "me" else self.state.user_named(token.lstrip("@"))
            if user is not None:
                named.append(user)
        if self.state.tier == "free":  # the first only, then whether they can read
            named = named[:1]
        users = [u for u in named if self.state.may_be_assigned(u, issue.project)]
        base = [] if replace or self.state.tier == "free" else issue.assignees
        issue.assignees = self._limit_assignees([*base, *users]) if users else issue.assignees

    def unassign(self, issue: Issue, argument: str) -> None:
        """Remove the named assignees, or all when none are named."""
        names = {t.lstrip("@").lower() for t in argument.split()}
        issue.assignees = [u for u in issue.assignees if names and u.username.lower() not in names]

    def label(self, issue: Issue, argument: str, replace: bool) -> None:
        """Add (or replace with) existing labels named in a quick action."""
        names = self.labels.existing(issue.project, parse_label_args(argument))
        if names:
            issue.labels = self.labels.add([] if replace else issue.labels, names)

    def unlabel(self, issue: Issue, argument: str) -> None:
        """Remove the named labels, or all when none are named."""
        names = set(parse_label_args(argument))
        issue.labels = [n for n in issue.labels if names and n not in names]


def _qa_due(service: IssueService, issue: Issue, argument: str) -> None:
    try:
        issue.due_date = date.fromisoformat(argument).isoformat()
    except ValueError:
        return


QUICK_ACTIONS: dict[str, Callable[[IssueService, Issue, str], None]] = {
    "close": lambda s, i, a: s.set_state(i, "closed"),
    "reopen": lambda s, i, a: s.set_state(i, "opened"),
    "title": lambda s, i, a: setattr(i, "title", issuable_title(a) or i.title),
    "label": lambda s, i, a: s.label(i, a, replace=False),
    "labels": lambda s, i, a: s.label(i, a, replace=False),
    "relabel": lambda s, i, a: s.label(i, a, replace=True),
    "unlabel": lambda s, i, a: s.unlabel(i, a),
    "assign": lambda s, i, a: s.assign(i, a, replace=False),
    "reassign": lambda s, i, a: s.assign(i, a, replace=True),
    "unassign": lambda s, i, a: s.unassign(i, a),
    "confidential": lambda s, i, a: setattr(i, "confidential", True),
    "due": _qa_due,
    "remove_due_date": lambda s, i, a: setattr(i, "due_date", None),
}
AUTHOR_ACTIONS = frozenset({"close", "reopen", "title"})
UPDATABLE = (
    "title",
    "description",
    "labels",
    "add_labels",
    "remove_labels",
    "state_event",
    "assignee_ids",
    "assignee_id",
    "due_date",
    "confidential",
    "discussion_locked",
    "milestone_id",
    "weight",
    "epic_id",
    "epic_iid",
    "issue_type",
)


# --------------------------------------------------------------------------- handlers


class Handlers:
    """Base class for groups of route handlers sharing the state and presenter."""

    def __init__(self, fake: FakeGitLab) -> None:
        self.fake = fake
        self.state = fake.state
        self.present = fake.presenter

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return (method, pattern, handler) triples."""
        raise NotImplementedError

    def page(
        self,
        request: Request,
        items: Sequence[T],
        present: Callable[[T], JSON] | None = None,
    ) -> Reply:
        """Answer a list with pagination headers, presenting only the items on the page."""
        return paginate(request, items, self.fake.api_url, present)

    def issues_service(self, project: Project) -> IssueService:
        """Build the issue service acting as the token owner (label creation needs Planner+)."""
        labels = LabelService(self.state, self.state.can("planner", project.group, project))
        return IssueService(self.state, labels, self.fake.owner)


class AccountHandlers(Handlers):
    """`/user`, `/users`, `/personal_access_tokens/self`, `/version`, projects and groups."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return the routes of this handler group."""
        return [
            ("GET", "/user", self.current_user),
            ("GET", "/users", self.list_users),
            ("GET", "/users/{user}", self.get_user),
            ("GET", "/personal_access_tokens/self", self.token),
            ("GET", "/version", self.version),
            ("GET", "/projects/{project}", self.get_project),
            ("GET", "/projects/{project}/repository/branches/{branch}", self.get_branch),
            ("GET", "/projects/{project}/repository/compare", self.compare),
            ("GET", "/groups/{group}", self.get_group),
        ]

    def current_user(self, request: Request) -> Reply:
        """Return the token owner."""
        return Reply(200, self.present.user(self.fake.owner))

    def list_users(self, request: Request) -> Reply:
        """List users, filtered by exact `username`; blocked and banned ones are not listed
        (the token is no administrator's)."""
        wanted = request.params.text("username")
        name = wanted.lower() if wanted is not None else None
        users = [
            u
            for u in self.state.users.values()
            if (name is None or u.username.lower() == name) and u.state not in HIDDEN_USER_STATES
        ]
        return self.page(request, users, self.present.user)

    def get_user(self, request: Request) -> Reply:
        """Return one user by id."""
        raw = request.args["user"]
        user = self.state.users.get(int(raw)) if raw.isdigit() else None
        if user is None:
            raise not_found("User Not Found")
        return Reply(200, self.present.user(user))

    def token(self, request: Request) -> Reply:
        """Describe the token used for the request."""
        return Reply(
            200,
            {
                "id": 1,
                "name": "automation",
                "revoked": False,
                "active": True,
                "scopes": list(self.fake.token_scopes),
                "user_id": self.fake.owner.id,
                "created_at": iso(self.fake.started),
                "expires_at": self.fake.token_expires.isoformat()
                if self.fake.token_expires
                else None,
            },
        )

    def version(self, request: Request) -> Reply:
        """Return the server version: one that counts checklist items as the fake does, from
        the rendered text (table cells too: comrak's `tasklist_in_table`, GitLab 18.x), not with
        the pattern over the raw text of GitLab 16 and 17 (a fake audit)."""
        suffix = "-ee" if self.state.tier == "premium" else ""
        return Reply(200, {"version": f"18.6.0{suffix}", "revision": "fake"})

    def get_project(self, request: Request) -> Reply:
        """Return one project by id or path."""
        return Reply(
            200, self.present.project(self.state.readable_project(request.args["project"]))
        )

    def get_branch(self, request: Request) -> Reply:
        """One branch of a project's repository, with its head commit (GET
        /projects/:id/repository/branches/:branch; `404 Branch Not Found` for none)."""
        project = self.state.readable_project(request.args["project"])
        name = request.args["branch"]
        sha = project.branches.get(name)
        if sha is None:
            raise not_found("Branch Not Found")
        commit = {"id": sha, "short_id": sha[:8], "title": "Merge branch", "parent_ids": []}
        return Reply(200, {"name": name, "commit": commit, "merged": False, "protected": True})

    def compare(self, request: Request) -> Reply:
        """GET /projects/:id/repository/compare?from=&to= (api/repositories.md): the commits
        after FROM up to TO (one line of history here) and the files they changed, in
        `diffs` (`old_path`, `new_path`); `404 Ref Not Found` for a commit it has not. By
        default GitLab compares from the merge base (`from...to`): TO before FROM is no
        change; with `straight=true`, the two as they are, whichever came first. Past the
        instance's `diff_max_files` (1,000 by default) the list is cut there and
        `compare_timeout` is true (lib/api/entities/compare.rb: `diffs.overflow?`)."""
        project = self.state.readable_project(request.args["project"])
        order = [sha for sha, _ in project.commits]
        start, end = request.params.text("from"), request.params.text("to")
        if start not in order or end not in order:
            raise not_found("Ref Not Found")
        first, last = order.index(start), order.index(end)
        if request.params.text("straight") == "true" and last < first:
            first, last = last, first
        after = project.commits[first + 1 : last + 1]
        paths = sorted({path for _, changed in after for path in changed})
        diffs = [
            {"old_path": p, "new_path": p, "diff": "", "new_file": False, "deleted_file": False}
            for p in paths[:DIFF_MAX_FILES]
        ]
        commits = [{"id": sha, "short_id": sha[:8]} for sha, _ in after]
        return Reply(
            200,
            {
                "commit": commits[-1] if commits else None,
                "commits": commits,
                "diffs": diffs,
                "compare_timeout": len(paths) > DIFF_MAX_FILES,
                "compare_same_ref": start == end,
            },
        )

    def get_group(self, request: Request) -> Reply:
        """Return one group by id or path."""
        return Reply(200, self.present.group(self.state.group(request.args["group"])))


class IssueHandlers(Handlers):
    """Project issues, their notes and their links."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return the routes of this handler group."""
        base = "/projects/{project}/issues"
        return [
            ("GET", base, self.list_issues),
            ("POST", base, self.create_issue),
            ("GET", base + "/{iid}", self.get_issue),
            ("PUT", base + "/{iid}", self.update_issue),
            ("DELETE", base + "/{iid}", self.delete_issue),
            ("GET", base + "/{iid}/notes", self.list_notes),
            ("POST", base + "/{iid}/notes", self.create_note),
            ("GET", base + "/{iid}/notes/{note}", self.get_note),
            ("PUT", base + "/{iid}/notes/{note}", self.update_note),
            ("GET", base + "/{iid}/links", self.list_links),
            ("POST", base + "/{iid}/links", self.create_link),
            ("DELETE", base + "/{iid}/links/{link}", self.delete_link),
        ]

    def _issue(self, request: Request) -> Issue:
        project = self.state.readable_project(request.args["project"])
        if not request.args["iid"].isdigit():
            raise not_found()
        issue = self.state.issue(project, request.args["iid"])
        if not self.state.can_read(issue):
            raise not_found()  # GitLab answers 404, not 403, for an issue one may not see
        return issue

    def list_issues(self, request: Request) -> Reply:
        """List a project's issues with GitLab's filters and ordering (only those the token's
        user may see)."""
        project = self.state.readable_project(request.args["project"])
        readable = [i for i in project.issues.values() if self.state.can_read(i)]
        shown = [s for i in readable if (s := self.fake.as_replicated(i)) is not None]
        issues = IssueFilter(request.params).apply(shown)
        return self.page(request, issues, self.present.issue)

    def create_issue(self, request: Request) -> Reply:
        """Create an issue; unknown labels become project labels if the user may create them."""
        project = self.state.readable_project(request.args["project"])
        self.state.require("guest", project.group, project)
        if not request.params.text("title"):
            raise bad_request("title is missing")
        self.fake.application_limits.check("issues_create", (project.id, self.fake.owner.id))
        self.fake.check_spam()
        issue = self.issues_service(project).create(project, request.params)
        return Reply(201, self.present.issue(issue))

    def delete_issue(self, request: Request) -> Reply:
        """Delete an issue (owners and admins only, `destroy_issue`); answer 204."""
        issue = self._issue(request)
        self.state.require("owner", issue.project.group, issue.project)
        self.state.delete_issue(issue)
        return Reply(204, None)

    def get_issue(self, request: Request) -> Reply:
        """Return one issue (as a lagging replica has it, see `lag_replicas`)."""
        return Reply(200, self.present.issue(self._shown(request)))

    def _shown(self, request: Request) -> Issue:
        shown = self.fake.as_replicated(self._issue(request))
        if shown is None:
            raise not_found()
        return shown

    def update_issue(self, request: Request) -> Reply:
        """Edit one issue."""
        issue = self._issue(request)
        if "title" in request.params.values or "description" in request.params.values:
            self.fake.check_spam(self.fake.update_spam_refusals)
        service = self.issues_service(issue.project)
        return Reply(200, self.present.issue(service.update(issue, request.params)))

    def list_notes(self, request: Request) -> Reply:
        """List notes (system ones included), newest first unless `sort=asc`; `activity_filter`
        (lib/api/notes.rb, UserPreference::NOTES_FILTERS): `only_comments` lists people's
        notes alone, `only_activity` system notes alone, `all_notes` (the default) both."""
        issue = self._shown(request)
        shown = NOTE_FILTERS.get(request.params.text("activity_filter") or "all_notes")
        if shown is None:
            raise bad_request("activity_filter does not have a valid value")
        notes = sorted(
            (note for note in issue.notes if note.system in shown),
            key=lambda n: (n.created_at, n.id),
            reverse=request.params.text("sort") != "asc",
        )
        return self.page(request, [self.present.note(n, issue) for n in notes])

    def get_note(self, request: Request) -> Reply:
        """Return one note."""
        issue = self._issue(request)
        return Reply(200, self.present.note(self._note(issue, request), issue))

    def _note(self, issue: Issue, request: Request) -> Note:
        for note in issue.notes:
            if str(note.id) == request.args["note"]:
                return note
        raise not_found("Note Not Found")

    def create_note(self, request: Request) -> Reply:
        """Comment on an issue, executing quick actions; commands-only bodies store no note."""
        self.fake.application_limits.check("notes_create", (self.fake.owner.id,))
        issue = self._issue(request)
        body = request.params.text("body")
        if not body:
            raise bad_request("body is missing")
        if len(issue.notes) >= MAX_NOTES:  # Note#does_not_exceed_notes_limit?: system ones count
            raise refused_note('{:base=>["Maximum number of comments exceeded"]}')
        _note_length(body)
        text, commands, summary = self._run_note_commands(issue, body, "note:new")
        if not text.strip():
            if not commands:
                raise ApiError(400, {"message": {"note": ["can't be blank"]}})
            return Reply(202, {"commands_changes": {}, "summary": summary})
        now = self.state.clock.now()
        note = Note(self.state.next_id("note"), text, self.fake.owner, now, now)
        issue.notes.append(note)
        issue.touch(now)  # Note after_save :touch_noteable
        self.state.record_mentions(text, f"note:{note.id}")
        return Reply(201, self.present.note(note, issue))

    def update_note(self, request: Request) -> Reply:
        """Edit a note's body, executing quick actions in it. NotePolicy: only its author (or
        a Maintainer, through the project's admin_note) may, and a system note is never
        editable (403)."""
        issue = self._issue(request)
        note = self._note(issue, request)
        maintainer = self.state.can("maintainer", issue.project.group, issue.project)
        if note.system or not (note.author is self.fake.owner or maintainer):
            raise ApiError(403, {"message": "403 Forbidden"})
        body = request.params.text("body")
        if not body:
            raise bad_request("body is missing")
        _note_length(body)
        text, commands, summary = self._run_note_commands(issue, body, f"note:{note.id}")
        if commands and not text.strip():  # Notes::UpdateService: only commands deletes it
            issue.notes.remove(note)
            issue.touch(self.state.clock.now())
            return Reply(202, {"commands_changes": {}, "summary": summary})
        if text != note.body:
            self.state.record_mentions(text, f"note:{note.id}", before=note.body)
            note.body, note.updated_at = text, self.state.clock.now()
            issue.touch(note.updated_at)  # after_save :touch_noteable
        return Reply(200, self.present.note(note, issue))

    def _run_note_commands(
        self, issue: Issue, body: str, where: str
    ) -> tuple[str, list[tuple[str, str]], list[str]]:
        project = issue.project
        self.state.require("guest", project.group, project)
        text, commands = extract_quick_actions(body, self.state.readers)
        service = self.issues_service(project)
        metadata = self.state.can("planner", project.group, project)
        before, fields = issue.snapshot(), issue.fields()
        summary = service.run_commands(issue, commands, where, metadata)
        if summary:  # Notes::QuickActionsService runs Issues::UpdateService only with updates
            issue.updated(before, fields, service.actor, self.state.clock.now())
        return text, commands, summary

    def list_links(self, request: Request) -> Reply:
        """List issues related to this one (links are visible from both ends), those the token
        owner may read only (lib/api/issue_links.rb: related_issues(current_user)); the cap
        counts them all (Issue#related_issues(authorize: false) in IssuableLink)."""
        issue = self._issue(request)
        items = []
        for link in self.state.links:
            if issue in (link.source, link.target):
                other = link.target if link.source is issue else link.source
                if self.state.sees(other):
                    items.append(self.present.link(link, other))
        return Reply(200, items)

    def create_link(self, request: Request) -> Reply:
        """Relate two issues; answer 409 when they are already related."""
        source = self._issue(request)
        self.state.require("planner", source.project.group, source.project)
        target_project = self.state.readable_project(request.params.text("target_project_id") or "")
        target = self.state.issue(target_project, request.params.text("target_issue_iid") or "0")
        for link in self.state.links:
            if {link.source.id, link.target.id} == {source.id, target.id}:
                raise ApiError(409, {"message": "Issue(s) already assigned"})
        self._check_link_cap(source, target)
        link_type = request.params.text("link_type") or "relates_to"
        link = IssueLink(
            self.state.next_id("link"), source, target, link_type, self.state.clock.now()
        )
        self.state.links.append(link)
        # IssueLinks::CreateService#create_notes: a relate_issuable note on each end
        for one, other in ((source, target), (target, source)):
            note = f"marked this issue as related to {_reference(other, one)}"
            self.issues_service(one.project).add_system_note(one, note)
        return Reply(
            201,
            {
                "source_issue": self.present.issue(source),
                "target_issue": self.present.issue(target),
                "link_type": link_type,
            },
        )

    def delete_link(self, request: Request) -> Reply:
        """Remove a link of this issue (lib/api/issue_links.rb); IssueLinks::DestroyService
        writes an unrelate_issuable note on each end, which touches both issues."""
        issue = self._issue(request)
        self.state.require("planner", issue.project.group, issue.project)
        link = next(
            (
                link
                for link in self.state.links
                if str(link.id) == request.args["link"] and issue in (link.source, link.target)
            ),
            None,
        )
        if link is None:
            raise not_found()
        self.state.links.remove(link)
        for one, other in ((link.source, link.target), (link.target, link.source)):
            note = f"removed the relation with {_reference(other, one)}"
            self.issues_service(one.project).add_system_note(one, note)
        body = {
            "source_issue": self.present.issue(link.source),
            "target_issue": self.present.issue(link.target),
            "link_type": link.link_type,
        }
        return Reply(200, body)

    def _check_link_cap(self, source: Issue, target: Issue) -> None:
        """Refuse a link that would give either issue more than the cap (422)."""
        # IssuableLink#validate_max_number_of_links adds one error per full end (to_sentence);
        # IssuableLinks::CreateService#link_issuables prefixes "<target ref> cannot be added: "
        # and answers 422; lib/api/issue_links.rb renders it as {"message": ...}.
        cap = self.fake.MAX_LINKS_COUNT
        full = [issue for issue in (source, target) if self.state.link_count(issue) >= cap]
        if not full:
            return
        error = f"This issue would exceed the maximum number of linked issues ({cap})."
        errors = " and ".join(error for _ in full)
        raise ApiError(422, {"message": f"#{target.iid} cannot be added: {errors}"})


class IssueFilter:
    """The documented filters and ordering of `GET /projects/:id/issues`."""

    ORDER_KEYS: ClassVar[dict[str, Callable[[Issue], Any]]] = {
        "created_at": lambda i: (i.created_at, i.id),
        "updated_at": lambda i: (i.updated_at, i.id),
        "title": lambda i: (i.title.lower(), i.id),
        "due_date": lambda i: (i.due_date or "9999-99-99", i.id),
    }

    def __init__(self, params: Params) -> None:
        self.params = params

    def apply(self, issues: list[Issue]) -> list[Issue]:
        """Filter then sort issues."""
        checks = [
            self._state(),
            self._labels(),
            self._iids(),
            self._search(),
            self._updated_after(),
            self._confidential(),
            self._issue_type(),
        ]
        kept = [i for i in issues if all(check(i) for check in checks)]
        order = self.params.text("order_by") or "created_at"
        if order not in self.ORDER_KEYS:
            raise bad_request("order_by does not have a valid value")
        return sorted(
            kept, key=self.ORDER_KEYS[order], reverse=(self.params.text("sort") or "desc") == "desc"
        )

    def _state(self) -> Callable[[Issue], bool]:
        state = self.params.text("state") or "all"
        if state not in ("opened", "closed", "all"):
            raise bad_request("state does not have a valid value")
        return lambda i: state in ("all", i.state)

    def _labels(self) -> Callable[[Issue], bool]:
        wanted = self.params.names("labels")
        if not wanted:
            return lambda i: True
        if len(wanted) == 1 and wanted[0].lower() in ("none", "any"):
            has = wanted[0].lower() == "any"
            return lambda i: bool(i.labels) == has
        return lambda i: all(name in i.labels for name in wanted)

    def _iids(self) -> Callable[[Issue], bool]:
        iids = self.params.integers("iids")
        return lambda i: iids is None or i.iid in iids

    def _search(self) -> Callable[[Issue], bool]:
        term = (self.params.text("search") or "").lower()
        fields = self.params.names("in") or ["title", "description"]

        def matches(issue: Issue) -> bool:
            texts = {"title": issue.title, "description": issue.description}
            return any(term in (texts.get(f) or "").lower() for f in fields)

        return lambda i: not term or matches(i)

    def _updated_after(self) -> Callable[[Issue], bool]:
        after = self.params.text("updated_after")
        moment = parse_time(after) if after else None
        return lambda i: moment is None or i.updated_at >= moment

    def _issue_type(self) -> Callable[[Issue], bool]:
        """`issue_type`: one of issue, incident, test_case, task (the API's values)."""
        wanted = self.params.text("issue_type")
        if wanted is not None and wanted not in ("issue", "incident", "test_case", "task"):
            raise bad_request("issue_type does not have a valid value")
        return lambda i: wanted is None or i.issue_type == wanted

    def _confidential(self) -> Callable[[Issue], bool]:
        flag = self.params.boolean("confidential")
        return lambda i: flag is None or i.confidential == flag


class LabelHandlers(Handlers):
    """Project and group labels."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return the routes of this handler group."""
        return [
            ("GET", "/projects/{project}/labels", self.list_project_labels),
            ("POST", "/projects/{project}/labels", self.create_project_label),
            ("GET", "/groups/{group}/labels", self.list_group_labels),
            ("POST", "/groups/{group}/labels", self.create_group_label),
            ("PUT", "/groups/{group}/labels", self.update_group_label),
            ("DELETE", "/groups/{group}/labels", self.delete_group_label),
            ("GET", "/groups/{group}/labels/{label}", self.get_group_label),
            ("PUT", "/groups/{group}/labels/{label}", self.update_group_label),
            ("DELETE", "/groups/{group}/labels/{label}", self.delete_group_label),
        ]

    def list_project_labels(self, request: Request) -> Reply:
        """List project labels plus ancestor group labels (default include_ancestor_groups).
        A project label and a group label of one title are both listed (LabelsFinder unions
        the levels and orders by title alone), here the project's after the group's."""
        project = self.state.readable_project(request.args["project"])
        if request.params.boolean("include_ancestor_groups") is False:
            return self._list(request, project.labels.values())
        groups = [lb for g in reversed(list(project.group.ancestry())) for lb in g.labels.values()]
        return self._list(request, [*groups, *project.labels.values()])

    def list_group_labels(self, request: Request) -> Reply:
        """List group labels plus ancestor group labels."""
        group = self.state.group(request.args["group"])
        if request.params.boolean("include_ancestor_groups") is False:
            return self._list(request, group.labels.values())
        return self._list(request, self.state.group_labels(group).values())

    def _list(self, request: Request, labels: Iterable[Label]) -> Reply:
        term = (request.params.text("search") or "").lower()
        chosen = sorted(
            (lb for lb in labels if term in lb.name.lower()),
            key=lambda lb: lb.name.lower(),
        )
        return self.page(request, chosen, self.present.label)

    def _new(self, request: Request, taken: dict[str, Label], project: bool) -> Label:
        """LabelHelpers#create_label: 409 for a title in use as it was sent; then the label
        model cleans and strips it (sanitize.py), and a title in use as it is kept fails the
        model's uniqueness validation (400), as does a create racing another one of the same
        title (their check and insert are not one step)."""
        asked = request.params.text("name") or ""
        color = request.params.text("color")
        if not asked:
            raise bad_request("name is missing")
        if not color:
            raise bad_request("color is missing")
        if not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}|[A-Za-z]+", color):
            raise ApiError(400, {"message": {"color": ["must be a valid color code"]}})
        if asked in taken:
            raise ApiError(409, {"message": "Label already exists"})
        name = label_title(asked)
        if not name:
            raise ApiError(400, {"message": {"title": ["can't be blank"]}})
        if name in taken:
            raise ApiError(400, {"message": {"title": ["has already been taken"]}})
        description = request.params.text("description")
        _check_label_description(description)
        return self.state.new_label(name, color, description and label_value(description), project)

    def create_project_label(self, request: Request) -> Reply:
        """Create a project label; a name used by an ancestor group label conflicts (409)."""
        project = self.state.readable_project(request.args["project"])
        self.state.require("planner", project.group, project)
        label = self._new(request, self.state.visible_labels(project), project=True)
        project.labels[label.name] = label
        return Reply(201, self.present.label(label))

    def create_group_label(self, request: Request) -> Reply:
        """Create a group label; 409 when the group or one of its ancestors has one of that
        name (LabelHelpers#create_label looks in available_labels_for, ancestors included),
        though an update or a delete finds only the group's own."""
        group = self.state.group(request.args["group"])
        self.state.require("planner", group)
        label = self._new(request, self.state.group_labels(group), project=False)
        group.labels[label.name] = label
        return Reply(201, self.present.label(label))

    # lib/api/group_labels.rb with lib/api/helpers/label_helpers.rb: `:name` is a label id or
    # a (URL-encoded) name; the older forms without it take `label_id` or `name` as parameters.

    def _label_ref(self, request: Request, allow_id: bool) -> str:
        """The label named in the path, else the older forms' `label_id` or `name` parameter."""
        if "label" in request.args:
            return request.args["label"]
        name = request.params.text("name")
        label_id = request.params.text("label_id") if allow_id else None
        if not allow_id and name is None:
            raise bad_request("name is missing")
        if allow_id and (label_id is None) == (name is None):
            exclusive = "mutually exclusive"
            missing = "missing, exactly one parameter must be provided"
            raise bad_request(f"label_id, name are {exclusive if name else missing}")
        return label_id if label_id is not None else str(name)

    def _find_label(self, labels: dict[str, Label], ref: str) -> Label:
        """Find by id first, then by title (LabelHelpers#find_label); 404 Label Not Found."""
        found = next((lb for lb in labels.values() if ref.isdigit() and lb.id == int(ref)), None)
        found = found or labels.get(ref)
        if found is None:
            raise not_found("Label Not Found")
        return found

    def get_group_label(self, request: Request) -> Reply:
        """Return one label of the group or of its ancestors (`include_ancestor_groups`,
        true unless sent false: then the group's own only)."""
        group = self.state.group(request.args["group"])
        own = request.params.boolean("include_ancestor_groups") is False
        labels = dict(group.labels) if own else self.state.group_labels(group)
        label = self._find_label(labels, request.args["label"])
        return Reply(200, self.present.label(label))

    def update_group_label(self, request: Request) -> Reply:
        """Rename, recolour or redescribe one of the group's own labels; answer 200."""
        group = self.state.group(request.args["group"])
        self.state.require("planner", group)
        ref = self._label_ref(request, allow_id=True)
        params = request.params
        if not any(params.has(key) for key in ("new_name", "color", "description", "archived")):
            raise bad_request(
                "new_name, color, description, archived are missing, "
                "at least one parameter must be provided"
            )
        label = self._find_label(group.labels, ref)
        self._check_label_edit(group, label, params)
        self._apply_label_edit(group, label, params)
        return Reply(200, self.present.label(label))

    def _check_label_edit(self, group: Group, label: Label, params: Params) -> None:
        new_name = params.text("new_name")
        new_name = label_title(new_name) if new_name else new_name
        if new_name is not None and new_name != label.name and new_name in group.labels:
            raise ApiError(400, {"message": {"title": ["has already been taken"]}})
        color = params.text("color")
        if color is not None and not re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}|[A-Za-z]+", color):
            raise ApiError(400, {"message": {"color": ["must be a valid color code"]}})
        _check_label_description(params.text("description"))

    def _apply_label_edit(self, group: Group, label: Label, params: Params) -> None:
        new_name = label_title(params.text("new_name") or "")
        if new_name and new_name != label.name:
            self.state.rename_group_label(group, label, new_name)
        label.color = params.text("color") or label.color
        if params.has("description"):
            label.description = label_value(params.text("description") or "") or None

    def delete_group_label(self, request: Request) -> Reply:
        """Delete one of the group's own labels (not an ancestor's); answer 204 No Content."""
        group = self.state.group(request.args["group"])
        label = self._find_label(group.labels, self._label_ref(request, allow_id=False))
        self.state.require("planner", group)
        self.state.delete_group_label(group, label)
        return Reply(204, None)


class MergeRequestNoteHandlers(Handlers):
    """Merge request notes: list, create, edit (quick actions run and are stripped), delete."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return the routes of this handler group."""
        base = "/projects/{project}/merge_requests/{mr}/notes"
        return [
            ("GET", base, self.list_notes),
            ("POST", base, self.create_note),
            ("PUT", base + "/{note}", self.update_note),
            ("DELETE", base + "/{note}", self.delete_note),
        ]

    def _notes(self, request: Request) -> list[Note]:
        project = self.state.readable_project(request.args["project"])
        self.state.require("guest", project.group, project)
        raw = request.args["mr"]
        if not raw.isdigit() or int(raw) not in project.merge_requests:
            raise not_found("Merge Request Not Found")
        return project.merge_requests[int(raw)]

    def _present(self, note: Note) -> JSON:
        return {
            "id": note.id,
            "body": note.body,
            "author": self.present.user(note.author),
            "created_at": iso(note.created_at),
            "updated_at": iso(note.updated_at),
            "system": note.system,
            "noteable_type": "MergeRequest",
        }

    def _text(self, body: str | None, where: str) -> str:
        if not body:
            raise bad_request("body is missing")
        text, commands = extract_quick_actions(body, self.state.readers)
        self.state.quick_actions.extend(QuickAction(n, a, where) for n, a in commands)
        self.state.record_mentions(text, where)
        return text

    def list_notes(self, request: Request) -> Reply:
        """List a merge request's notes, newest first unless `sort=asc`."""
        notes = sorted(
            self._notes(request), key=lambda n: n.id, reverse=request.params.text("sort") != "asc"
        )
        return self.page(request, [self._present(n) for n in notes])

    def create_note(self, request: Request) -> Reply:
        """Comment on a merge request."""
        self.fake.application_limits.check("notes_create", (self.fake.owner.id,))
        notes = self._notes(request)
        text = self._text(request.params.text("body"), "mr-note:new")
        now = self.state.clock.now()
        note = Note(self.state.next_id("note"), text, self.fake.owner, now, now)
        notes.append(note)
        return Reply(201, self._present(note))

    def update_note(self, request: Request) -> Reply:
        """Edit a note's body."""
        note = next((n for n in self._notes(request) if str(n.id) == request.args["note"]), None)
        if note is None:
            raise not_found("Note Not Found")
        note.body = self._text(request.params.text("body"), f"mr-note:{note.id}")
        note.updated_at = self.state.clock.now()
        return Reply(200, self._present(note))

    def delete_note(self, request: Request) -> Reply:
        """Delete a note: its author, or a Maintainer (NotePolicy admin_note); 204."""
        notes = self._notes(request)
        note = next((n for n in notes if str(n.id) == request.args["note"]), None)
        if note is None:
            raise not_found("Note Not Found")
        project = self.state.readable_project(request.args["project"])
        if note.author is not self.fake.owner and not self.state.can(
            "maintainer", project.group, project
        ):
            raise ApiError(403, {"message": "403 Forbidden"})
        notes.remove(note)
        return Reply(204, None)


class MemberHandlers(Handlers):
    """Group members: direct ones, and all of them (inherited from ancestors too)."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return the routes of this handler group."""
        return [
            ("GET", "/groups/{group}/members", self.list_members),
            ("GET", "/groups/{group}/members/all", self.list_all_members),
        ]

    def list_members(self, request: Request) -> Reply:
        """List the group's direct members."""
        group = self.state.group(request.args["group"])
        return self._list(request, list(group.members.values()))

    def list_all_members(self, request: Request) -> Reply:
        """List direct and inherited members; a user in several groups shows the highest role."""
        # doc/api/members.md, "List all members of a group or project including inherited and
        # invited members" (invited groups are not modelled).
        best: dict[int, Member] = {}
        for ancestor in self.state.group(request.args["group"]).ancestry():
            for user_id, member in ancestor.members.items():
                if user_id not in best or member.access_level > best[user_id].access_level:
                    best[user_id] = member
        return self._list(request, list(best.values()))

    def _list(self, request: Request, members: list[Member]) -> Reply:
        term = (request.params.text("query") or "").lower()
        ids = request.params.integers("user_ids")
        chosen = [
            m
            for m in sorted(members, key=lambda m: m.id)
            if (term in m.user.username.lower() or term in m.user.name.lower())
            and (ids is None or m.user.id in ids)
        ]
        return self.page(request, chosen, self.present.member)


class EpicHandlers(Handlers):
    """Group epics and epic-issue associations (Premium; 403 on Free)."""

    def routes(self) -> list[tuple[str, str, Handler]]:
        """Return the routes of this handler group."""
        base = "/groups/{group}/epics"
        return [
            ("GET", base, self.list_epics),
            ("POST", base, self.create_epic),
            ("GET", base + "/{epic}", self.get_epic),
            ("PUT", base + "/{epic}", self.update_epic),
            ("GET", base + "/{epic}/issues", self.list_epic_issues),
            ("POST", base + "/{epic}/issues/{issue}", self.assign_issue),
            ("DELETE", base + "/{epic}/issues/{link}", self.unassign_issue),
        ]

    def _group(self, request: Request) -> Group:
        group = self.state.group(request.args["group"])
        if self.state.tier != "premium":
            raise ApiError(403, dict(FORBIDDEN))
        return group

    def _epic(self, request: Request) -> Epic:
        group = self._group(request)
        raw = request.args["epic"]
        epic = group.epics.get(int(raw)) if raw.isdigit() else None
        if epic is None:
            raise not_found()
        return epic

    def list_epics(self, request: Request) -> Reply:
        """List a group's epics, and its subgroups' unless include_descendant_groups is false
        (ee/lib/api/epics.rb: it defaults to true), newest first, filtered by state and
        labels."""
        group = self._group(request)
        state = request.params.text("state") or "all"
        wanted = request.params.names("labels") or []
        groups = [group]
        if request.params.boolean("include_descendant_groups") is not False:
            below = group.full_path + "/"
            groups += [g for g in self.state.groups.values() if g.full_path.startswith(below)]
        epics = [
            e
            for g in groups
            for e in g.epics.values()
            if state in ("all", e.state) and all(name in e.labels for name in wanted)
        ]
        epics.sort(key=lambda e: e.id, reverse=True)
        return self.page(request, epics, self.present.epic)

    def create_epic(self, request: Request) -> Reply:
        """Create an epic with a per-group iid."""
        group = self._group(request)
        self.state.require("planner", group)
        title = request.params.text("title")
        if not title:
            raise bad_request("title is missing")
        issuable_limits(request.params)  # Epic is an Issuable too
        now = self.state.clock.now()
        epic = Epic(
            self.state.next_id("epic"),
            max(group.epics, default=0) + 1,
            group,
            issuable_title(title),
            None,
            self.fake.owner,
            now,
            now,
        )
        self._edit(epic, request.params)
        group.epics[epic.iid] = epic
        self.state.record_mentions(title, f"epic:{epic.id}:title")
        return Reply(201, self.present.epic(epic))

    def get_epic(self, request: Request) -> Reply:
        """Return one epic."""
        return Reply(200, self.present.epic(self._epic(request)))

    def update_epic(self, request: Request) -> Reply:
        """Edit an epic; a refused edit saves nothing of it (the record is validated whole)."""
        epic = self._epic(request)
        self.state.require("planner", epic.group)
        self._check_confidential(epic, request.params)
        issuable_limits(request.params)
        before = (epic.title, epic.description, tuple(epic.labels), epic.state)
        epic.title = issuable_title(request.params.text("title") or "") or epic.title
        self._edit(epic, request.params)
        if (epic.title, epic.description, tuple(epic.labels), epic.state) != before:
            epic.updated_at = self.state.clock.now()
        return Reply(200, self.present.epic(epic))

    def _check_confidential(self, epic: Epic, params: Params) -> None:
        """ee/app/models/ee/epic.rb validates a confidential epic's children; ee/lib/api/
        epics.rb renders the error with render_validation_error! (400)."""
        if (
            params.boolean("confidential")
            and not epic.confidential
            and any(not i.confidential for i in self._in(epic))
        ):
            raise ApiError(400, {"message": {"confidential": [EPIC_WITH_PUBLIC_ISSUES]}})

    def _edit(self, epic: Epic, params: Params) -> None:
        labels = LabelService(self.state)
        confidential = params.boolean("confidential")
        if confidential is not None:
            epic.confidential = confidential
        if params.has("description"):
            # quick actions run on epics too (ee/lib/api/epics.rb): recorded like an issue's
            where = f"epic:{epic.id}:description"
            epic.description, commands = extract_quick_actions(
                params.text("description") or "", self.state.readers
            )
            self.state.quick_actions.extend(QuickAction(n, a, where) for n, a in commands)
            self.state.record_mentions(epic.description, where)
        if params.has("labels"):
            epic.labels = labels.add([], params.names("labels") or [])
        epic.labels = labels.add(epic.labels, params.names("add_labels") or [])
        removed = params.names("remove_labels") or []
        epic.labels = [name for name in epic.labels if name not in removed]
        event = params.text("state_event")
        if event in ("close", "reopen"):
            epic.state = "closed" if event == "close" else "opened"
            epic.closed_at = self.state.clock.now() if event == "close" else None

    def _in(self, epic: Epic) -> list[Issue]:
        """The issues in EPIC, of every project."""
        return [
            issue
            for project in self.state.projects.values()
            for issue in project.issues.values()
            if issue.epic is epic
        ]

    def list_epic_issues(self, request: Request) -> Reply:
        """List the issues of an epic, each with its `epic_issue_id`, the one added last first
        (GitLab orders them by relative position, and EpicIssues::CreateService moves each
        link it makes to the start)."""
        epic = self._epic(request)
        items = [
            {**self.present.issue(issue), "epic_issue_id": issue.epic_issue_id}
            for issue in sorted(self._in(epic), key=lambda i: -(i.epic_issue_id or 0))
        ]
        return self.page(request, items)

    def unassign_issue(self, request: Request) -> Reply:
        """Take an issue out of the epic, by its `epic_issue_id` (doc/api/epic_issues.md)."""
        epic = self._epic(request)
        self.state.require("planner", epic.group)
        raw = request.args["link"]
        issue = next((i for i in self._in(epic) if str(i.epic_issue_id) == raw), None)
        if issue is None:
            raise not_found()
        issue.epic, issue.epic_issue_id = None, None
        issue.touch(self.state.clock.now())
        self.issues_service(issue.project).add_system_note(issue, f"removed from epic &{epic.iid}")
        return Reply(
            200,
            {"id": int(raw), "epic": self.present.epic(epic), "issue": self.present.issue(issue)},
        )

    def assign_issue(self, request: Request) -> Reply:
        """Attach an issue, given by its GLOBAL id, to the epic (moving it from another epic)."""
        epic = self._epic(request)
        self.state.require("planner", epic.group)
        raw = request.args["issue"]
        issue = self.state.issue_by_id(int(raw)) if raw.isdigit() else None
        if issue is None:
            raise not_found()
        if issue.epic is epic:
            raise ApiError(409, {"message": "Issue(s) already assigned"})
        if issue.issue_type != "issue":  # ee Issue#supports_epic?: the type has no epics
            raise ApiError(404, {"message": NO_MATCHING_ISSUE})
        if epic.confidential and not issue.confidential:
            # ee/app/models/epic_issue.rb validate_confidential_epic; IssuableLinks::
            # CreateService#link_issuables prefixes the reference and answers 422, which
            # ee/lib/api/epic_issues.rb renders as {"message": ...}
            raise ApiError(422, {"message": f"#{issue.iid} cannot be added: {PUBLIC_INTO_EPIC}"})
        self.issues_service(issue.project).put_in_epic(issue, epic)
        return Reply(
            201,
            {
                "id": issue.epic_issue_id,
                "relative_position": 0,
                "epic": self.present.epic(epic),
                "issue": self.present.issue(issue),
            },
        )


# --------------------------------------------------------------------------- faults


def targets(method: str | None, path_contains: str | None, actual: str, path: str) -> bool:
    """Tell whether a request (method, decoded path) is picked by a method and path filter."""
    return (method is None or method.upper() == actual) and (
        path_contains is None or path_contains in path
    )


@dataclass
class Fault:
    """An injected failure: an HTTP status (with optional Retry-After: seconds, or an HTTP date
    as RFC 9110 allows and a proxy or CDN in front of GitLab may send) or a connection error."""

    status: int | None
    retry_after: int | str | None
    connection_error: bool
    every: int | None
    times: int | None
    method: str | None
    path_contains: str | None
    # the error text, e.g. to check it never reaches output; or GitLab's validation errors
    # (`{"title": ["has already been taken"]}`), as its API renders an invalid record
    message: str | dict[str, list[str]] | None = None
    # a 429's headers as a proxy or gateway in front of GitLab rewrites them (None: left out)
    headers: Mapping[str, str | None] | None = None
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Tell whether a request is targeted by this fault."""
        return targets(self.method, self.path_contains, method, path)

    def should_fire(self) -> bool:
        """Count a matching request and tell whether it fails."""
        self.seen += 1
        if self.times is not None and self.fired >= self.times:
            return False
        if self.every is not None and self.seen % self.every != 0:
            return False
        self.fired += 1
        return True

    def reply(self) -> Reply:
        """Build the failing answer (connection errors are raised by the caller)."""
        if self.status == 429:
            headers = {
                "Retry-After": str(self.retry_after or 0),
                "RateLimit-Limit": "600",
                "RateLimit-Remaining": "0",
            }
            for name, value in (self.headers or {}).items():
                headers.pop(name, None)
                if value is not None:
                    headers[name] = value
            return Reply(429, {"message": "Retry later"}, headers)
        reason = {  # GitLab's own status words (Rack::Utils::HTTP_STATUS_CODES)
            400: "Bad request",
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not Found",
            409: "Conflict",
            422: "Unprocessable Entity",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }.get(self.status or 500, "Error")
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        text = self.message or f"{self.status} {reason}"
        return Reply(self.status or 500, {"message": text}, headers)


@dataclass
class CrashPlan:
    """Make the k-th successful write commit and then fail with a connection error."""

    remaining: int
    fired: int = 0


EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class Replica:
    """GitLab's database load balancing as the token's user meets it: a read goes to a replica
    that has caught up with that user's own last write (Gitlab::Database::LoadBalancing::
    Sticking, namespace `:user`), and that may lag the primary by up to `lag`
    (`max_replication_lag_time`, 60 s by default) in everything else, so a person's change
    made since that write may be missing from it (MR gitlab-org/gitlab!122424 accepts this for
    other users). Modelled at its worst: a read of issues and their notes shows them as they
    were at the later of the user's last write and `lag` ago."""

    lag: timedelta
    caught_up: datetime = EARLIEST  # the token's user's last write
    versions: dict[int, list[tuple[datetime, Issue]]] = field(default_factory=dict)

    def position(self, now: datetime) -> datetime:
        """How far the replica that answers now has caught up."""
        return max(self.caught_up, now - self.lag)

    def capture(self, issues: Iterable[Issue], now: datetime) -> None:
        """Keep a copy of each issue that changed since its last copy, as of NOW."""
        for issue in issues:
            kept = self.versions.setdefault(issue.id, [])
            if not kept or _version(kept[-1][1]) != _version(issue):
                kept.append((now, _copied(issue)))

    def shown(self, issue: Issue, now: datetime) -> Issue | None:
        """The issue as the replica answering now has it; None: not there yet."""
        at = self.position(now)
        return next(
            (copy for t, copy in reversed(self.versions.get(issue.id, [])) if t <= at), None
        )


def _sentence(usernames: Sequence[str]) -> str:
    """References as Rails' Array#to_sentence joins them in English: `@a and @b`, `@a, @b,
    and @c` (spec/services/system_notes/issuables_service_spec.rb)."""
    refs = [f"@{name}" for name in usernames]
    if len(refs) < 3:
        return " and ".join(refs)
    return f"{', '.join(refs[:-1])}, and {refs[-1]}"


def _version(issue: Issue) -> tuple[object, ...]:
    """What tells one state of an issue from another, for the replica's copies."""
    notes = tuple((n.id, n.body, n.updated_at) for n in issue.notes)
    return (issue.snapshot(), issue.updated_at, notes, issue.epic, issue.closed_at, issue.moved_to)


def _copied(issue: Issue) -> Issue:
    """A copy of the issue that its later changes leave as it is."""
    notes = [replace(note) for note in issue.notes]
    return replace(issue, labels=[*issue.labels], assignees=[*issue.assignees], notes=notes)


@dataclass
class RequestHook:
    """An action run just before matching requests are served: a person acting meanwhile."""

    method: str | None
    path_contains: str | None
    action: Callable[[], None]
    times: int | None
    fired: int = 0

    def take(self, method: str, path: str) -> bool:
        """Tell whether this request runs the action, counting it if so."""
        if not targets(self.method, self.path_contains, method, path):
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True


# --------------------------------------------------------------------------- limits, spam


class RateLimitUsage(NamedTuple):
    """One request's standing in the per-user API budget, as Rack::Attack counts it."""

    limit: int  # requests per period
    observed: int
    now: int  # epoch seconds
    period: int = RATE_LIMIT_PERIOD

    @property
    def throttled(self) -> bool:
        """Rack::Attack refuses a request once the count exceeds the limit."""
        return self.observed > self.limit

    def retry_after(self) -> int:
        """Seconds until the window resets (`period - now % period`)."""
        return self.period - self.now % self.period

    def headers(self) -> dict[str, str]:
        """The RateLimit-* headers of Gitlab::RackAttack.throttled_response_headers: the limit
        rescaled to a minute and rounded up, the count and what is left over the real period."""
        reset = self.now + self.retry_after()
        return {
            "RateLimit-Limit": str(math.ceil(self.limit * 60 / self.period)),
            "RateLimit-Observed": str(self.observed),
            "RateLimit-Remaining": str(max(self.limit - self.observed, 0)),
            "RateLimit-Reset": str(reset),
            "RateLimit-ResetTime": format_datetime(datetime.fromtimestamp(reset, UTC), True),
        }

    def throttled_reply(self) -> Reply:
        """GitLab's throttled answer: 429, plain text `Retry later`, Retry-After and headers."""
        headers = {
            "Content-Type": "text/plain",
            "RateLimit-Name": "throttle_authenticated_api",
            **self.headers(),
            "Retry-After": str(self.retry_after()),
        }
        return Reply(429, RATE_LIMIT_TEXT, headers)


@dataclass
class RequestBudget:
    """The authenticated API throttle: `limit` requests per user per epoch-aligned period."""

    limit: int
    period: int = RATE_LIMIT_PERIOD
    counts: dict[tuple[int, int], int] = field(default_factory=dict)

    def count(self, user: User, now: datetime) -> RateLimitUsage:
        """Count one request of a user (refused ones count too) and return its standing."""
        epoch = int(now.timestamp())
        key = (user.id, epoch // self.period)
        self.counts[key] = self.counts.get(key, 0) + 1
        return RateLimitUsage(self.limit, self.counts[key], epoch, self.period)


class ApplicationLimits:
    """GitLab's ApplicationRateLimiter for issue and note creation (not in RateLimit-* headers)."""

    # lib/gitlab/application_rate_limiter.rb: a counter per key and scope that expires one
    # interval (a minute) after its first hit; a request is refused once the counter exceeds
    # the threshold. `issues_create` is scoped to project and user (Issues::CreateService,
    # doc "Rate limits on issue and epic creation"), `notes_create` to the user
    # (lib/api/notes.rb). The 429 carries no Retry-After: the API renders
    # RateLimitedService::RateLimitedError with its #headers, `{}` (gitlab-org/gitlab#342370).

    INTERVAL = timedelta(minutes=1)

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.thresholds: dict[str, int] = {}
        self.windows: dict[tuple[str, tuple[int, ...]], tuple[datetime, int]] = {}

    def check(self, key: str, scope: tuple[int, ...]) -> None:
        """Count one action; answer 429 when it goes over the threshold."""
        threshold = self.thresholds.get(key, 0)
        if threshold <= 0:
            return
        now = self.clock.now()
        start, hits = self.windows.get((key, scope), (now, 0))
        if now >= start + self.INTERVAL:
            start, hits = now, 0
        self.windows[(key, scope)] = (start, hits + 1)
        if hits + 1 > threshold:
            raise ApiError(429, {"message": {"error": APPLICATION_LIMIT_TEXT}})


SpamMode = Literal["spam", "captcha"]
SPAM_MESSAGES: dict[str, str] = {
    "spam": "Your issue has been recognized as spam. Please, change the content to proceed.",
    "captcha": "Your issue has been recognized as spam. "
    "Please, change the content or solve the reCAPTCHA to proceed.",
}


@dataclass
class SpamRefusal:
    """Make issue creates fail as GitLab's spam check does, `times` times (None: always)."""

    mode: SpamMode
    times: int | None
    fired: int = 0

    def take(self) -> bool:
        """Tell whether this create is refused, counting it if so."""
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True

    def error(self, spam_log_id: int) -> ApiError:
        """The answer of POST /projects/:id/issues for a spam verdict."""
        # Spammable#invalidate_if_spam adds the error to `base`; lib/api/issues.rb renders it
        # through SpammableActions::CaptchaCheck::RestApiActionsSupport#with_captcha_check_rest_api:
        # a CAPTCHA verdict answers 409 with Spam::Concerns::HasSpamActionResponseFields (minus
        # `spam`) and {"message": {"error": ...}}; any other verdict is a validation error, 400.
        text = SPAM_MESSAGES[self.mode]
        if self.mode == "spam":
            return ApiError(400, {"message": {"base": [text]}})
        body: JSON = {
            "needs_captcha_response": True,
            "spam_log_id": spam_log_id,
            "captcha_site_key": "fake-recaptcha-site-key",
            "message": {"error": text},
        }
        return ApiError(409, body)


# --------------------------------------------------------------------------- the fake


def _settings_only(  # noqa: PLR0917 - the signature of the method it stands in for
    session: requests.Session,
    url: str | None,
    proxies: Any,
    stream: Any,
    verify: Any,
    cert: Any,
) -> dict[str, Any]:
    """`Session.merge_environment_settings` without the environment part (trust_env): the
    request's settings merged with the session's, as requests does after that part."""
    merge: Callable[[Any, Any], Any] = merge_setting
    return {
        "proxies": merge(proxies, session.proxies),
        "stream": merge(stream, session.stream),
        "verify": merge(verify, session.verify),
        "cert": merge(cert, session.cert),
    }


class FakeGitLab:
    """A stateful GitLab REST v4 fake; use `with fake.activate():` around python-gitlab calls."""

    MAX_LINKS_COUNT: ClassVar[int] = MAX_LINKS_COUNT  # related issues per issue

    def __init__(
        self,
        url: str = "https://gitlab.example.com",
        tier: Tier = "premium",
        token: str = "glpat-secret",
        owner: str = "automation-bot",
        clock: Clock | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.api_url = f"{self.url}/api/v4"
        self.token = token
        self.token_scopes: list[str] = ["api"]
        # maintenance mode, or a Geo secondary site: every write refused (read_only_refusal)
        self.read_only = False
        # headers a reverse proxy in front of GitLab, or another GitLab emulation, leaves out
        # of every answer (GitLab itself always sends Link and X-Next-Page on a list's pages)
        self.dropped_headers: frozenset[str] = frozenset()
        self.token_expires: date | None = None  # the token's `expires_at` (a date)
        self.clock = clock or Clock()
        self.started = self.clock.now()
        self.state = GitLabState(tier, self.clock)
        self.presenter = Presenter(self.state, self.url)
        self.owner = self.state.users[self.add_user(owner)]
        self.state.acting = self.owner
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.crashes: list[CrashPlan] = []
        self.hooks: list[RequestHook] = []
        self.replica: Replica | None = None  # see lag_replicas
        self.spam_refusals: list[SpamRefusal] = []
        self.update_spam_refusals: list[SpamRefusal] = []  # of edits to title or description
        self.budget: RequestBudget | None = None
        self.rate_headers_always = False  # see set_rate_limit
        self.application_limits = ApplicationLimits(self.clock)
        self._serial = threading.RLock()  # one request at a time (see `_callback`)
        self.router = Router()
        for group in (
            AccountHandlers,
            IssueHandlers,
            LabelHandlers,
            EpicHandlers,
            MergeRequestNoteHandlers,
            MemberHandlers,
        ):
            for method, pattern, handler in group(self).routes():
                self.router.add(method, pattern, handler)

    # ---- setup ---------------------------------------------------------------------------

    @property
    def tier(self) -> Tier:
        """The licence tier: `premium` (epics, scoped labels, multiple assignees) or `free`."""
        return self.state.tier

    @property
    def mentions(self) -> list[Mention]:
        """Every `@name` GitLab would have treated as a mention, in order."""
        return self.state.mentions

    @property
    def quick_actions(self) -> list[QuickAction]:
        """Every quick action GitLab would have executed, in order."""
        return self.state.quick_actions

    def add_user(self, username: str, name: str | None = None) -> int:
        """Create a user and return its id."""
        user = User(self.state.next_id("user"), username, name or username.title())
        self.state.users[user.id] = user
        return user.id

    def reset(self, project: str, branch: str, sha: str) -> None:
        """A branch moved to an earlier commit (a force push)."""
        self.state.project(project).branches[branch] = sha

    def push(self, project: str, branch: str, sha: str, paths: Sequence[str] = ()) -> None:
        """A commit changing PATHS lands on a branch of a project's repository (a merge)."""
        target = self.state.project(project)
        target.commits.append((sha, tuple(paths)))
        target.branches[branch] = sha

    def rename_user(self, old: str, new: str) -> None:
        """A user changes their username (Edit profile > Account): GitLab keeps the user (its
        id), so every issue they are assigned shows the new username, and nothing else
        changes on those issues."""
        user = self._user(old)
        user.username = new

    def add_group(self, full_path: str) -> Group:
        """Create a group (and missing parent groups); return it."""
        for group in self.state.groups.values():
            if group.full_path == full_path:
                return group
        parent_path, _, _ = full_path.rpartition("/")
        parent = self.add_group(parent_path) if parent_path else None
        group = Group(self.state.next_id("namespace"), full_path, parent)
        self.state.groups[group.id] = group
        return group

    def add_project(self, full_path: str) -> Project:
        """Create a project (and its missing groups); return it."""
        group_path, sep, _ = full_path.rpartition("/")
        if not sep:
            raise ValueError("projects live in a group: use 'group/project'")
        project = Project(self.state.next_id("project"), full_path, self.add_group(group_path))
        self.state.projects[project.id] = project
        return project

    def add_merge_request(self, project: str) -> int:
        """Open a merge request in a project (only its notes are modelled); return its iid."""
        found = self.state.project(project)
        iid = max(found.merge_requests, default=0) + 1
        found.merge_requests[iid] = []
        return iid

    def merge_request_notes(self, project: str, iid: int) -> list[str]:
        """The bodies of a merge request's notes, oldest first."""
        return [note.body for note in self.state.project(project).merge_requests[iid]]

    def add_label(self, where: str, name: str, color: str = DEFAULT_LABEL_COLOR) -> None:
        """Create a label directly in a project or group (by full path)."""
        target = self._holder(where)
        is_project = isinstance(target, Project)
        target.labels[name] = self.state.new_label(name, color, None, is_project)

    def act_as(self, username: str) -> None:
        """Make the token belong to another (existing or new) user from now on."""
        self.owner = self._user(username)
        self.state.acting = self.owner

    def set_role(self, role: str, project: str | None = None, group: str | None = None) -> None:
        """Set the token owner's role globally, or for one project or group (by full path)."""
        if role not in ROLE_LEVELS:
            raise ValueError(f"unknown role {role!r}")
        if project is None and group is None:
            self.state.default_role = role
        for path in (project, group):
            if path is not None:
                self.state.roles[path] = role

    def set_member_role(self, username: str, role: str, path: str) -> None:
        """Give a user (created if new) their own role in a project or group (by full path).
        From then on, acting as them (`act_as`), they have only the roles given this way: no
        role anywhere else (not a member), and none of `set_role`'s."""
        if role not in ROLE_LEVELS:
            raise ValueError(f"unknown role {role!r}")
        self.state.memberships.setdefault(self._user(username).id, {})[path] = role

    def add_member(self, group_path: str, username: str, role: str = "developer") -> int:
        """Make a user (created if new) a direct member of a group; return the user's id."""
        # Membership lists only: the token owner's own rights stay those of `set_role`.
        if role not in ROLE_LEVELS:
            raise ValueError(f"unknown role {role!r}")
        group = self.state.group(group_path)
        user = self._user(username)
        known = group.members.get(user.id)  # a new role keeps the membership (and its id)
        member_id = known.id if known else self.state.next_id("member")
        group.members[user.id] = Member(user, ROLE_LEVELS[role], self.clock.now(), member_id)
        return user.id

    def set_user_state(self, username: str, state: str) -> None:
        """An administrator blocks, bans or deactivates a user (or makes them active again)."""
        self._user(username).state = state

    def _user(self, username: str) -> User:
        return self.state.user_named(username) or self.state.users[self.add_user(username)]

    # ---- fault injection -----------------------------------------------------------------

    def inject(
        self,
        status: int | None = None,
        *,
        retry_after: int | str | None = None,
        connection_error: bool = False,
        every: int | None = None,
        times: int | None = None,
        method: str | None = None,
        path_contains: str | None = None,
        message: str | dict[str, list[str]] | None = None,
        headers: Mapping[str, str | None] | None = None,
    ) -> Fault:
        """Fail matching requests: `times` first ones (default 1), or every `every`-th one."""
        if status is None and not connection_error:
            raise ValueError("give a status or connection_error=True")
        if every is None and times is None:
            times = 1
        fault = Fault(
            status,
            retry_after,
            connection_error,
            every,
            times,
            method,
            path_contains,
            message,
            headers,
        )
        self.faults.append(fault)
        return fault

    def crash_after_writes(self, k: int = 1) -> CrashPlan:
        """Let the k-th next successful write commit, then raise ConnectionError to the client."""
        plan = CrashPlan(remaining=k)
        self.crashes.append(plan)
        return plan

    def clear_faults(self) -> None:
        """Remove all injected faults, crash plans and spam refusals."""
        self.faults.clear()
        self.crashes.clear()
        self.spam_refusals.clear()
        self.update_spam_refusals.clear()

    def refuse_creates_as_spam(
        self, mode: SpamMode = "spam", times: int | None = None
    ) -> SpamRefusal:
        """Refuse issue creates as spam (400) or pending a CAPTCHA (409); nothing is created."""
        if mode not in SPAM_MESSAGES:
            raise ValueError(f"unknown spam mode {mode!r}")
        refusal = SpamRefusal(mode, times)
        self.spam_refusals.append(refusal)
        return refusal

    def refuse_updates_as_spam(
        self, mode: SpamMode = "spam", times: int | None = None
    ) -> SpamRefusal:
        """Refuse issue edits of the title or description as spam (400) or pending a CAPTCHA
        (409), as GitLab checks updates too (lib/api/issues.rb PUT: `with_captcha_check_rest_api`
        around Issues::UpdateService, which runs the spam check on spammable attributes);
        nothing is changed."""
        if mode not in SPAM_MESSAGES:
            raise ValueError(f"unknown spam mode {mode!r}")
        refusal = SpamRefusal(mode, times)
        self.update_spam_refusals.append(refusal)
        return refusal

    def check_spam(self, refusals: list[SpamRefusal] | None = None) -> None:
        """Raise the spam answer if a refusal applies to this issue create (REFUSALS: to
        this update)."""
        for refusal in self.spam_refusals if refusals is None else refusals:
            if refusal.take():
                raise refusal.error(self.state.next_id("spam_log"))

    def before_request(
        self,
        method: str | None,
        path_contains: str | None,
        action: Callable[[], None],
        times: int | None = 1,
    ) -> RequestHook:
        """Run `action` just before matching requests are served (after auth); None: always."""
        hook = RequestHook(method, path_contains, action, times)
        self.hooks.append(hook)
        return hook

    def lag_replicas(self, lag: timedelta) -> None:
        """From now on, answer the token's user's reads of issues and their notes from a
        database replica that lags by LAG, except for that user's own writes (`Replica`). A
        change is dated when it was made, before the clock moves on: one a person made an
        hour before a run is in every replica (an operations trial: a copy taken only at the
        next request took an hour-old tick for one made then, and hid it)."""
        self.replica = Replica(lag)
        self.replica.capture(self._every_issue(), EARLIEST)  # there before: seen by every read
        self.clock.before_move = self._replicated

    def _replicated(self) -> None:
        """The replica's copies of what changed since the last request."""
        if self.replica:
            self.replica.capture(self._every_issue(), self.clock.now())

    def _every_issue(self) -> Iterator[Issue]:
        for project in self.state.projects.values():
            yield from project.issues.values()

    def as_replicated(self, issue: Issue) -> Issue | None:
        """The issue as a read of the token's user finds it (None: not there yet)."""
        return self.replica.shown(issue, self.clock.now()) if self.replica else issue

    # ---- limits --------------------------------------------------------------------------

    def set_rate_limit(
        self, per_minute: int | None, headers_always: bool = False, period: int = RATE_LIMIT_PERIOD
    ) -> None:
        """Give every user `per_minute` API requests per minute of fake time (None: unlimited);
        that many per PERIOD seconds instead, when given (a self-managed throttle's setting).
        A request over budget gets 429 with Retry-After and RateLimit-* headers, as Rack::Attack
        answers (lib/gitlab/rack_attack.rb); other answers carry no RateLimit-* headers, unless
        HEADERS_ALWAYS: GitLab's `rate_limiting_headers_for_unthrottled_requests` flag (MR
        209485, 2025) adds them to every metered answer (not the projects, groups and users
        lists)."""
        self.budget = RequestBudget(per_minute, period) if per_minute is not None else None
        self.rate_headers_always = headers_always

    def set_application_limits(
        self, issue_creates_per_minute: int | None = 200, notes_per_minute: int | None = 60
    ) -> None:
        """Turn on GitLab.com's issue and note creation limits (None or 0: off)."""
        thresholds = self.application_limits.thresholds
        thresholds["issues_create"] = issue_creates_per_minute or 0
        thresholds["notes_create"] = notes_per_minute or 0

    def sleep(self, seconds: float) -> None:
        """Advance the fake clock instead of sleeping: monkeypatch `time.sleep` with this."""
        self.clock.advance(timedelta(seconds=seconds))

    # ---- running -------------------------------------------------------------------------

    @contextmanager
    def activate(self) -> Iterator[FakeGitLab]:
        """Serve the fake through `responses` for the duration of the block. Requests skip
        reading proxy and certificate settings from the environment, which `requests` does
        on every request (a quarter of the time of a long run) and which the fake, answering
        in process, never uses."""
        with (
            responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
            patch.object(requests.Session, "merge_environment_settings", _settings_only),
        ):
            pattern = re.compile(re.escape(self.api_url) + r"(/|\?|$)")
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"):
                mock.add_callback(
                    method, pattern, callback=self._callback, content_type="application/json"
                )
            yield self

    def client(self, **kwargs: Any) -> gitlab.Gitlab:
        """Build a python-gitlab client pointing at the fake with the right token."""
        kwargs.setdefault("private_token", self.token)
        return gitlab.Gitlab(self.url, **kwargs)

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """Count recorded requests, optionally by method and path substring."""
        return sum(
            1
            for r in self.requests
            if (method is None or r.method == method.upper())
            and (path_contains is None or path_contains in r.path)
        )

    def _callback(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        """One request, whole: requests from two threads never overlap inside the fake (its
        handlers check, then change; GitLab makes each such change atomic, a label's name
        by a unique index)."""
        with self._serial:
            return self._answer(prepared)

    def _answer(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        request = self._parse(prepared)
        parts = urlsplit(prepared.url or "")
        query = parse_qs(parts.query, keep_blank_values=True)
        recorded = RecordedRequest(
            request.method, unquote(parts.path), query, request.params.values
        )
        self.requests.append(recorded)
        self.clock.tick()
        reply = (
            self._fault_reply(request)
            or self._authenticate(prepared)
            or self._scoped(request)
            or self._read_only(request)
            or self._metered(request)
        )
        self._maybe_crash(request, reply)
        stamped = {"Date": format_datetime(self.clock.now(), usegmt=True), **reply.headers}
        kept = {name: value for name, value in stamped.items() if name not in self.dropped_headers}
        return reply.status, kept, self._render(reply)

    def _metered(self, request: Request) -> Reply:
        """Count the request in the user's budget, run hooks, serve it and add RateLimit-*."""
        usage = self.budget.count(self.owner, self.clock.now()) if self.budget else None
        if usage is not None and usage.throttled:
            return usage.throttled_reply()
        path = unquote(request.path)
        for hook in list(self.hooks):
            if hook.take(request.method, path):
                hook.action()
                # the person's change, and GitLab's note of it, come before the request
                self.clock.advance(2 * NOTE_AFTER_SAVE)
        self._replicated()
        reply = self._serve(request)
        if request.method in WRITE_METHODS and reply.status < 300 and self.replica:
            self.replica.caught_up = self.clock.now()
            self._replicated()
        listing = request.method == "GET" and request.path.rstrip("/") in UNMETERED_LISTS
        if usage is not None and not listing and self.rate_headers_always:
            reply.headers.update(usage.headers())
        return reply

    @staticmethod
    def _render(reply: Reply) -> str:
        """Encode a body: none for 204, plain text as is, anything else as JSON."""
        if reply.status == 204:
            return ""
        text = reply.headers.get("Content-Type", "").startswith("text/")
        if text and isinstance(reply.body, str):
            return reply.body
        return json.dumps(reply.body)

    def _parse(self, prepared: requests.PreparedRequest) -> Request:
        parts = urlsplit(prepared.url or "")
        path = parts.path[len(urlsplit(self.api_url).path) :] or "/"
        query = parse_qsl(parts.query, keep_blank_values=True)
        values = _values_from_pairs(query)
        values.update(_body_values(prepared))
        return Request((prepared.method or "GET").upper(), path, query, Params(values))

    def _fault_reply(self, request: Request) -> Reply | None:
        for fault in self.faults:
            if fault.matches(request.method, unquote(request.path)) and fault.should_fire():
                if fault.connection_error:
                    raise requests.ConnectionError(
                        fault.message or "fake GitLab: injected connection error"
                    )
                return fault.reply()
        return None

    def _authenticate(self, prepared: requests.PreparedRequest) -> Reply | None:
        headers = prepared.headers
        given = headers.get("PRIVATE-TOKEN")
        bearer = headers.get("Authorization", "")
        if bearer.startswith("Bearer "):
            given = bearer[len("Bearer ") :]
        if given is None:
            given = dict(parse_qsl(urlsplit(prepared.url or "").query)).get("private_token")
        if given != self.token:
            return Reply(401, {"message": "401 Unauthorized"})
        if self.token_expires is not None and self.clock.now().date() >= self.token_expires:
            # a token ends at 00:00 UTC of its expiry date (Gitlab::Auth::AuthFinders)
            return Reply(401, {"error": "invalid_token", "error_description": "Token has expired."})
        refused = REFUSED_STATES.get(self.owner.state)
        if refused is not None:  # the token is valid, its user may not use the API
            return Reply(403, {"message": f"403 Forbidden - {refused}"})
        return None

    def _scoped(self, request: Request) -> Reply | None:
        """A token without the `api` scope reads (`read_api`) and never writes: GitLab answers
        403 insufficient_scope (lib/api/api_guard.rb, Gitlab::Auth::InsufficientScopeError)."""
        if request.method in WRITE_METHODS and "api" not in self.token_scopes:
            return Reply(
                403,
                {
                    "error": "insufficient_scope",
                    "error_description": "The request requires higher privileges than "
                    "provided by the access token.",
                    "scope": "api",
                },
            )
        return None

    def _read_only(self, request: Request) -> Reply | None:
        """A read-only GitLab (maintenance mode, a Geo secondary site) answers every write 403
        with its own message (lib/gitlab/middleware/read_only/controller.rb; the maintenance
        mode docs: "POST, PUT, PATCH, and DELETE are blocked")."""
        if self.read_only and request.method in WRITE_METHODS:
            return Reply(403, {"message": READ_ONLY})
        return None

    def _serve(self, request: Request) -> Reply:
        try:
            return self.router.dispatch(request)
        except ApiError as error:
            return Reply(error.status, error.body)

    def _maybe_crash(self, request: Request, reply: Reply) -> None:
        if request.method not in WRITE_METHODS or not 200 <= reply.status < 300:
            return
        for plan in self.crashes:
            if plan.fired:
                continue
            plan.remaining -= 1
            if plan.remaining == 0:
                plan.fired += 1
                raise requests.ConnectionError("fake GitLab: connection lost after the write")

    # ---- direct state access for assertions ------------------------------------------------

    def _holder(self, path: str) -> Project | Group:
        for project in self.state.projects.values():
            if project.full_path == path:
                return project
        return self.state.group(path)

    def project(self, path: str) -> Project:
        """Return a project record by full path."""
        return self.state.project(path)

    # ---- a person acting directly, without HTTP and without becoming the token owner -----

    @contextmanager
    def _unaudited(self) -> Iterator[None]:
        """Keep a person's own mentions and quick actions out of the tool's audit lists."""
        mentions, actions = len(self.state.mentions), len(self.state.quick_actions)
        try:
            yield
        finally:
            del self.state.mentions[mentions:]
            del self.state.quick_actions[actions:]

    def _service_as(self, username: str) -> IssueService:
        return IssueService(self.state, LabelService(self.state), self._user(username))

    def fill_notes(self, path: str, iid: int, room: int = 0) -> None:
        """The issue's history as a year or two of hourly description rewrites leaves it: its
        tool's user's "changed the description" system notes, up to GitLab's limit of notes
        on an issue (MAX_NOTES), less ROOM."""
        issue = self.state.project(path).issues[iid]
        now = self.state.clock.now()
        body = "changed the description"
        issue.notes.extend(
            Note(self.state.next_id("note"), body, self.owner, now, now, True)
            for _ in range(MAX_NOTES - len(issue.notes) - room)
        )

    def edit_issue(
        self,
        project: str,
        iid: int,
        *,
        description: str | None = None,
        title: str | None = None,
        labels: Sequence[str] | None = None,
        state: Literal["opened", "closed"] | None = None,
        confidential: bool | None = None,
        assignees: Sequence[str] | None = None,
        due_date: str | None = None,  # "": none
        as_user: str = "alice",
    ) -> None:
        """Edit an issue as a person would in the UI: system notes, updated_at bumped on change."""
        issue = self.state.project(project).issues[iid]
        values: dict[str, Any] = {"title": title, "description": description}
        if due_date is not None:
            values["due_date"] = due_date
        values["labels"] = list(labels) if labels is not None else None
        values["confidential"] = confidential
        if assignees is not None:  # the UI's assignee picker sends every assignee's id
            values["assignee_ids"] = [self._user(name).id for name in assignees]
        if state is not None:
            values["state_event"] = {"opened": "reopen", "closed": "close"}[state]
        self.clock.tick()
        with self._unaudited():
            self._service_as(as_user).edit(issue, Params(values), metadata=True)

    def create_issue_as(  # noqa: PLR0917 - the signature the tests were promised
        self,
        project: str,
        username: str,
        title: str,
        description: str,
        labels: Sequence[str] = (),
        confidential: bool = False,
    ) -> int:
        """Create an issue authored by a person (no limits, no spam check); return its iid."""
        found = self.state.project(project)
        values: dict[str, Any] = {"title": title, "description": description}
        values.update(labels=list(labels), confidential=confidential)
        self.clock.tick()
        with self._unaudited():
            return self._service_as(username).create(found, Params(values)).iid

    def move_issue(self, project: str, iid: int, to: str, as_user: str = "alice") -> int:
        """A person moves an issue to another project (Issues::MoveService): a new issue there
        with the same author, title, description, assignees, due date, confidentiality, notes,
        and the labels that exist there (by title); its epic, on Premium, goes with it
        (ee: rewrite_epic_issue); the old one is closed with `moved_to_id` set. The copy keeps
        the original's `created_at` (MoveService passes the original's attributes, and
        CreateService lets a move set it), so a list by creation puts it among the older ones;
        its `updated_at` is the move's (the "moved from" system note touches it). The
        references GitLab rewrites in the description (`#5` to `group/project#5`) are not
        modelled. Returns the new issue's iid."""
        old, target = self.state.project(project).issues[iid], self.state.project(to)
        self.clock.tick()
        known = {label.name for g in target.group.ancestry() for label in g.labels.values()}
        values: dict[str, Any] = {
            "title": old.title,
            "description": old.description,
            "labels": [name for name in old.labels if name in known | set(target.labels)],
            "confidential": old.confidential,
            "assignee_ids": [user.id for user in old.assignees],
            "due_date": old.due_date or "",
        }
        with self._unaudited():
            new = self._service_as(as_user).create(target, Params(values))
        new.author, new.notes, new.created_at = old.author, [*old.notes], old.created_at
        if old.epic is not None:
            new.epic, new.epic_issue_id = old.epic, old.epic_issue_id
            old.epic, old.epic_issue_id = None, None
        self.edit_issue(project, iid, state="closed", as_user=as_user)
        old.moved_to = new
        return new.iid

    def clone_issue(self, project: str, iid: int, as_user: str = "alice") -> int:
        """A person clones an issue into its project (`/clone`, Issues::CloneService): a new
        issue of theirs with its title, description, labels, assignees, due date,
        confidentiality and (Premium) its epic; the original stays as it was. Returns the
        new issue's iid."""
        old = self.state.project(project).issues[iid]
        self.clock.tick()
        values: dict[str, Any] = {
            "title": old.title,
            "description": old.description,
            "labels": list(old.labels),
            "confidential": old.confidential,
            "assignee_ids": [user.id for user in old.assignees],
            "due_date": old.due_date or "",
        }
        with self._unaudited():
            new = self._service_as(as_user).create(old.project, Params(values))
        if old.epic is not None:
            self._service_as(as_user).put_in_epic(new, old.epic)
        return new.iid

    def set_issue_type(self, project: str, iid: int, issue_type: str) -> None:
        """A person changes an issue's type (to an incident, say). GitLab keeps every type
        but an issue out of epics, and refuses the change while the issue is in one: the
        person takes it out first, as this asserts."""
        issue = self.state.project(project).issues[iid]
        assert issue.epic is None or issue_type == "issue", "take it out of its epic first"
        self.clock.tick()
        issue.issue_type = issue_type
        issue.touch(self.clock.now())

    def convert_to_child_item(
        self, project: str, iid: int, task: str, as_user: str = "alice"
    ) -> int:
        """A person converts a checklist item to a child item (the item's menu, "Convert to
        child item"; GitLab's doc/user/tasks.md): the item's line leaves the description,
        and a task (issue_type `task`, no labels, the parent's confidentiality) is made in the
        project with the line's text as its title. Which issue is its parent is in GraphQL's
        hierarchy widget only, which REST does not show. The first line holding TASK is the
        item (nested items under it are not modelled). Returns the task's iid."""
        issue = self.state.project(project).issues[iid]
        lines = (issue.description or "").split("\n")
        at = next(i for i, line in enumerate(lines) if task in line and "[" in line)
        text = lines[at].split("]", 1)[1].strip()
        # the frontend's extractTaskTitleAndDescription: 255 characters of title, the rest
        # of the line the task's description
        title, rest = text[:MAX_TITLE], text[MAX_TITLE:]
        del lines[at]
        self.edit_issue(project, iid, description="\n".join(lines), as_user=as_user)
        child = self.create_issue_as(project, as_user, title, rest, confidential=issue.confidential)
        self.state.project(project).issues[child].issue_type = "task"
        return child

    def promote_issue(self, project: str, iid: int, as_user: str = "alice") -> int:
        """A person promotes an issue to an epic (`/promote`, Epics::IssuePromoteService): an
        epic in the project's group, authored by them, with the issue's title, description,
        confidentiality and the labels the group has; the issue is closed (its epic, on tiers
        without sub-epics, stays as it was). Returns the epic's iid."""
        issue = self.state.project(project).issues[iid]
        group = issue.project.group
        self.clock.tick()
        now = self.clock.now()
        known = {label.name for g in group.ancestry() for label in g.labels.values()}
        epic = Epic(
            self.state.next_id("epic"),
            max(group.epics, default=0) + 1,
            group,
            issue.title,
            issue.description,
            self._user(as_user),
            now,
            now,
            labels=[name for name in issue.labels if name in known],
            confidential=issue.confidential,
        )
        group.epics[epic.iid] = epic
        self.edit_issue(project, iid, state="closed", as_user=as_user)
        return epic.iid

    def add_note_as(self, project: str, iid: int, username: str, body: str) -> int:
        """A person comments on an issue (no limits; their mentions are their own); returns
        the note's id."""
        issue = self.state.project(project).issues[iid]
        self.clock.tick()
        now = self.clock.now()
        note = Note(self.state.next_id("note"), body, self._user(username), now, now)
        issue.notes.append(note)
        issue.touch(now)
        return note.id

    def delete_issue(self, project: str, iid: int) -> None:
        """Delete an issue as an owner would; later reads of it answer 404."""
        self.state.delete_issue(self.state.project(project).issues[iid])

    def issues(self, project: str) -> list[JSON]:
        """Return a project's issues as plain dicts, by iid."""
        found = self.state.project(project)
        return [self._issue_dict(i) for i in sorted(found.issues.values(), key=lambda i: i.iid)]

    def _issue_dict(self, issue: Issue) -> JSON:
        return {
            "iid": issue.iid,
            "id": issue.id,
            "title": issue.title,
            "description": issue.description,
            "labels": sorted(issue.labels),
            "state": issue.state,
            "assignees": [u.username for u in issue.assignees],
            "confidential": issue.confidential,
            "due_date": issue.due_date,
            "created_at": issue.created_at,
            "updated_at": issue.updated_at,
            "notes": [n.body for n in issue.notes if not n.system],
            "system_notes": [n.body for n in issue.notes if n.system],
            "links": [
                self._link_ref(link, issue)
                for link in self.state.links
                if issue in (link.source, link.target)
            ],
            "epic": issue.epic.iid if issue.epic else None,
        }

    def _link_ref(self, link: IssueLink, issue: Issue) -> tuple[str, int]:
        other = link.target if link.source is issue else link.source
        return other.project.full_path, other.iid

    def labels(self, where: str) -> dict[str, JSON]:
        """Return the labels defined directly on a project or group, by name."""
        holder = self._holder(where)
        return {name: self.presenter.label(label) for name, label in holder.labels.items()}

    def epics(self, group: str) -> list[JSON]:
        """Return a group's epics as API dicts, by iid."""
        found = self.state.group(group)
        return [self.presenter.epic(e) for e in sorted(found.epics.values(), key=lambda e: e.iid)]


def encode_path(path: str) -> str:
    """URL-encode a full path for use as `:id` (e.g. `group%2Fproject`)."""
    return quote(path, safe="")
