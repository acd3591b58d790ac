"""A person's change that the tool's read, made just before its write, did not show (pure).

GitLab may answer a read from a database replica that has caught up with the tool's user's
own last write but not with a person's change made since (up to a minute behind on a busy
instance). The tool writes an issue's whole description on the text it read, so a tick made
in that moment would be undone by the write. GitLab notes each box a person ticks or unticks
("marked the checklist item **…** as completed"; the item's text with its Markdown escaped)
and any other change of the text ("changed the description"); a read made after the tool's
write sees them. A note newer than everything the read showed, and older than the write, is
a change the write was made without: its box is set back as the person left it; a change of
the text is said, since GitLab keeps no copy of it that the API gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from automation.checklist import read_lines, task_text
from automation.taskline import TASK_LINE

# SystemNotes::IssuablesService#change_task_status (named "task" before GitLab 15.x renamed it)
_TASK_NOTE = re.compile(
    r"\Amarked the (?:checklist item|task) \*\*(?P<item>.*)\*\* "
    r"as (?P<status>completed|incomplete)\Z",
    re.DOTALL,
)
_DESCRIPTION_NOTE = "changed the description"
# GitLab writes a person's change of the text a moment after it saves the issue: a note that
# much newer than the read's `updated_at` may still be of a change the read showed
_SAME_CHANGE = dt.timedelta(seconds=2)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_COMMENT = re.compile(r"<!--.*?-->")


@dataclass(frozen=True)
class SystemNote:
    """A system note on an issue, by someone other than the tool."""

    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Unseen:
    """A person's changes the read missed: each box ticked (True) or unticked, by the item's
    text in GitLab's note, oldest first; and whether the text changed otherwise."""

    ticks: tuple[tuple[str, bool], ...] = ()
    typed: bool = False

    def __bool__(self) -> bool:
        return bool(self.ticks) or self.typed


def unseen(notes: Iterable[SystemNote], read: dt.datetime, written: dt.datetime) -> Unseen:
    """The changes NOTES tell of that the read (of an issue last changed at READ) did not
    show, made before the tool's write at WRITTEN."""
    ticks: list[tuple[dt.datetime, str, bool]] = []
    typed = False
    for note in notes:
        if not read < note.created_at <= written:
            continue
        found = _TASK_NOTE.match(note.body)
        if found:
            ticks.append((note.created_at, found["item"], found["status"] == "completed"))
        elif note.body == _DESCRIPTION_NOTE and note.created_at > read + _SAME_CHANGE:
            typed = True
    ordered = sorted(ticks, key=lambda tick: tick[0])
    return Unseen(tuple((item, done) for _, item, done in ordered), typed)


def put_back(text: str, ticks: Sequence[tuple[str, bool]]) -> tuple[str, int]:
    """TEXT with each box of TICKS set as the person left it, the later tick of an item
    winning; and how many ticks name no task of the text, or more than one (not set)."""
    lines = text.split("\n")
    tasks = [i for i, (_, state) in enumerate(read_lines(lines)) if state is not None]
    missing = 0
    for item, done in ticks:
        wanted = _letters(item)
        same = [i for i in tasks if wanted and wanted in _signatures(lines[i])]
        if len(same) != 1:
            missing += 1
            continue
        lines[same[0]] = _boxed(lines[same[0]], done)
    return "\n".join(lines), missing


def _signatures(line: str) -> set[str]:
    """The task's text as letters and digits alone: as written (a hidden comment's text
    kept, as GitLab's note keeps it), without hidden comments, and without links' targets
    (the note may give an item's text as shown)."""
    said = task_text(line) or ""
    shown = _COMMENT.sub("", said)
    return {
        _letters(said.replace("<!--", "").replace("-->", "")),
        _letters(shown),
        _letters(_LINK_TARGET.sub("]", shown)),
    }


def _letters(text: str) -> str:
    """Letters and digits alone, in one case: GitLab's note escapes the item's punctuation."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _boxed(line: str, done: bool) -> str:
    """The task line with its box ticked (DONE) or cleared."""
    found = TASK_LINE.match(line)
    if found is None:
        return line
    start, end = found.span("box")
    current = line[start:end]
    if (current in "xX") == done:
        return line
    return line[:start] + ("x" if done else " ") + line[end:]


def unseen_warning(iid: int, typed: bool, missing: int) -> str:
    """What to check in an issue written on a read that missed a person's change (no task's
    text and no name: the issue may be confidential)."""
    if typed:
        what = "changed its text"
        lost = (
            "that change may have been overwritten: look at the issue's history and type it again"
        )
    else:
        what = f"ticked or cleared {missing} box{'es' if missing > 1 else ''}"
        lost = "the run could not find which task to set again: check the issue's boxes"
    return (
        f"issue #{iid}: someone {what} a moment before the run wrote it, and GitLab answered the "
        f"run's read without it (a database replica behind); {lost}"
    )
