"""A GitLab issue event, as a webhook delivers it to a triggered pipeline (`TRIGGER_PAYLOAD`, a
file): which programs it concerns, and who caused it, so that a sync on events works on the
affected programs only and ignores the tool's own writes."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automation.config.source import shorten
from automation.errors import UsageError
from automation.progress import program_of

_KIND = re.compile(r"[a-z_]{1,40}")  # an event kind as GitLab names them (issue, note...)


@dataclass(frozen=True)
class Event:
    """What an event payload says: its kind, the username that caused it, and the programs
    whose label the issue carries or carried before this change."""

    kind: str
    username: str | None
    programs: tuple[str, ...]
    project: tuple[str, ...] = ()  # the issue's project as the payload names it: path, id

    def ignored(
        self, me: str | None, known: tuple[str, ...], project: tuple[str, ...] = ()
    ) -> str | None:
        """Why this event needs no run (None: run the programs it names); PROJECT: how the
        configured project may be named (its path, its id)."""
        if self.kind != "issue":
            shown = self.kind if _KIND.fullmatch(self.kind) else "non-issue"
            return f"{_article(shown)} {shown} event changes no issue's tasks; nothing to do"
        ours = {name.lower() for name in project}
        if ours and self.project and not ours & {name.lower() for name in self.project}:
            return "the event is about an issue of another project; nothing to do"
        if me and (self.username or "").casefold() == me.casefold():  # as GitLab finds users
            return "the event is the tool's own write; nothing to do"
        if not set(self.programs) & set(known):
            return "the issue belongs to no configured program; nothing to do"
        return None


def _article(word: str) -> str:
    return "an" if word.startswith(tuple("aeiou")) else "a"


def _shown(path: Path) -> str:
    """The --event value as a message quotes it: a payload given where its file's path
    belongs is not shown (a trial: 6 KB of a confidential issue's event went to the job log
    and the run report), a path at most 80 characters of."""
    text = str(path)
    if text.lstrip().startswith(("{", "[")):
        return "(a JSON text, not shown)"
    return shorten(text)


def read_event(path: Path) -> Event:
    """The event in a webhook payload file; a file that is not one is a usage error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(
            f"--event {_shown(path)}: cannot read it ({error.strerror}); give the path of the "
            "payload's file (GitLab's TRIGGER_PAYLOAD variable is one)"
        ) from error
    # (ValueError: bad JSON, or a number too long; RecursionError: nested too deep)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise UsageError(f"--event {_shown(path)}: not a GitLab webhook payload (JSON)") from error
    if not isinstance(data, dict):
        raise UsageError(f"--event {_shown(path)}: not a GitLab webhook payload (a JSON object)")
    user = data.get("user")
    username = user.get("username") if isinstance(user, dict) else None
    kind = _text(data.get("object_kind")) or ""
    return Event(_as_issue(kind, data), _text(username), _programs(data), _project(data))


def _as_issue(kind: str, data: Mapping[str, Any]) -> str:
    """An issue's event is `work_item` where the issue was changed in GitLab's new issue view
    (some GitLab 17 releases sent work item events for it): one of type Issue is an issue's,
    and, before GitLab 17.2 gave events a type (a tester), one whose address is an issue's."""
    attributes = data.get("object_attributes")
    if kind != "work_item" or not isinstance(attributes, dict):
        return kind
    named, url = attributes.get("type"), attributes.get("url")
    if isinstance(named, str):
        return "issue" if named.casefold() == "issue" else kind
    return "issue" if isinstance(url, str) and "/-/issues/" in url else kind


def _project(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The issue's project as the payload names it (path with namespace, id); () if it
    does not say."""
    project = data.get("project")
    if not isinstance(project, dict):
        return ()
    path, number = project.get("path_with_namespace"), project.get("id")
    names = (_text(path), str(number) if isinstance(number, int) else None)
    return tuple(name for name in names if name)


def _programs(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Program ids from the issue's labels now and before the change (a removed label too)."""
    changes = data.get("changes")
    before = changes.get("labels", {}) if isinstance(changes, dict) else {}
    lists = (data.get("labels"), before.get("previous") if isinstance(before, dict) else None)
    titles = {
        _text(label.get("title"))
        for found in lists
        if isinstance(found, list)
        for label in found
        if isinstance(label, dict)
    }
    return tuple(sorted({p for t in titles if t and (p := program_of(t)) is not None}))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
