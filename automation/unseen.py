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

    id: int
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Read:
    """The issue as the read before a write showed it: its text, and its time then."""

    text: str
    at: dt.datetime


@dataclass(frozen=True)
class Unseen:
    """A person's changes the read missed: each box they ticked (True) or cleared, by the
    item's text in GitLab's note, the last of each item; whether they changed the text
    otherwise; CHECKED False: the notes could not be read (nothing is known)."""

    ticks: tuple[tuple[str, bool], ...] = ()
    typed: bool = False
    checked: bool = True

    def __bool__(self) -> bool:
        return bool(self.ticks) or self.typed or not self.checked


def unseen(notes: Iterable[SystemNote], read: Read, written: dt.datetime) -> Unseen:
    """The changes NOTES (people's, newer than the read) tell of that the read did not show,
    made before the tool's write at WRITTEN. A box the read shows as the note left it was
    seen (GitLab writes the note a moment after the change's time, which the read gives); a
    box a person changed again after the write is theirs to keep."""
    last: dict[str, tuple[str, bool]] = {}
    later: set[str] = set()
    typed = False
    for note in sorted(notes, key=lambda n: (n.created_at, n.id)):
        found = _TASK_NOTE.match(note.body)
        if found and note.created_at > written:
            later.add(_letters(found["item"]))
        elif found and note.created_at > read.at:
            last[_letters(found["item"])] = (found["item"], found["status"] == "completed")
        elif note.body == _DESCRIPTION_NOTE and read.at + _SAME_CHANGE < note.created_at <= written:
            typed = True
    missed = tuple(
        tick
        for key, tick in last.items()
        if key not in later and not _shown(read.text, key, tick[1])
    )
    return Unseen(missed, typed)


def _shown(text: str, key: str, done: bool) -> bool:
    """Whether TEXT has a task of that KEY (its letters) in that state."""
    return any(state is done for _, state in _tasks_of(text.split("\n"), key))


def put_back(text: str, ticks: Sequence[tuple[str, bool]]) -> tuple[str, int]:
    """TEXT with each box of TICKS set as the person left it; and how many ticks name no
    task of the text, or more than one (not set)."""
    lines = text.split("\n")
    missing = 0
    for item, done in ticks:
        same = _tasks_of(lines, _letters(item))
        if len(same) != 1:
            missing += 1
            continue
        ((at, _),) = same
        lines[at] = _boxed(lines[at], done)
    return "\n".join(lines), missing


def _tasks_of(lines: Sequence[str], key: str) -> list[tuple[int, bool]]:
    """The task lines GitLab counts whose text is KEY (letters and digits), with their state."""
    return [
        (at, state)
        for at, (line, (_, state)) in enumerate(zip(lines, read_lines(lines), strict=True))
        if state is not None and key and key in _signatures(line)
    ]


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


@dataclass
class Found:
    """What the checks after one issue's write found, to say once."""

    set_again: int = 0  # boxes set again as a person left them
    missing: int = 0  # boxes whose task could not be told
    typed: bool = False
    unchecked: bool = False

    def add(self, changes: Unseen, set_again: int, missing: int) -> None:
        self.set_again += set_again
        self.missing += missing
        self.typed = self.typed or changes.typed
        self.unchecked = self.unchecked or not changes.checked

    def warning(self, iid: int) -> str | None:
        """What to check in the issue (no task's text, no name: it may be confidential)."""
        if self.unchecked:
            return (
                f"issue #{iid}: after writing it, the run could not read its notes to check for "
                "a person's change GitLab's read may have missed (a database replica behind); "
                "if someone edited it just then, look at the issue's history"
            )
        if not (self.set_again or self.missing or self.typed):
            return None
        done = []
        if self.set_again:
            done.append(f"the run set {_boxes(self.set_again)} again as they left it")
        if self.missing:
            done.append(f"it could not find the task of {_boxes(self.missing)}: check the boxes")
        done.append("anything else changed in that edit may be lost: look at the issue's history")
        return (
            f"issue #{iid}: someone edited it a moment before the run wrote it, and GitLab "
            "answered the run's read without that edit (a database replica behind); "
            + "; ".join(done)
        )


def _boxes(count: int) -> str:
    return "1 box" if count == 1 else f"{count} boxes"
