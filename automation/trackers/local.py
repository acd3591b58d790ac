"""A tracker on plain files: one Markdown file per issue, so a rehearsal needs no GitLab."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from automation.config.source import parse_yaml
from automation.errors import AutomationError, ConfigError
from automation.progress import LabelSpec
from automation.trackers.base import NewIssue, ObservedIssue, Tracker

FRONT = "---\n"


class WorkspaceError(AutomationError):
    """A workspace file cannot be read; nothing is written until it is fixed."""


class IssueFile(BaseModel):
    """The front matter of issues/<iid>.md, in the order it is written."""

    model_config = ConfigDict(extra="forbid")

    title: str
    state: str = "opened"
    labels: list[str] = []
    confidential: bool = False
    due_date: dt.date | None = None
    assignees: list[str] = []
    epic: int | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class LocalTracker(Tracker):
    """Issues in <workspace>/issues/<iid>.md, labels in <workspace>/labels.yml."""

    name = "local"

    def __init__(self, workspace: Path, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.workspace = workspace
        self.clock = clock
        self.issues_dir = workspace / "issues"
        self.labels_file = workspace / "labels.yml"

    # --- reads ------------------------------------------------------------------------------

    def label_names(self) -> frozenset[str]:
        """Labels provisioned in the workspace."""
        return frozenset(spec["name"] for spec in self._labels())

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        """Every issue file carrying the label, in iid order."""
        return tuple(issue for issue in self.all_issues() if program_label in issue.labels)

    def find_issue(self, key: str) -> ObservedIssue | None:
        """The issue with this key, read afresh from disk."""
        return next((i for i in self.all_issues() if i.key == key), None)

    # --- writes -----------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> None:
        """Add a label to labels.yml unless it is there already."""
        labels = self._labels()
        if any(existing["name"] == spec.name for existing in labels):
            return
        labels.append({"name": spec.name, "color": spec.color, "description": spec.description})
        labels.sort(key=lambda item: str(item["name"]))
        _write(self.labels_file, yaml.safe_dump(labels, sort_keys=False, allow_unicode=True))

    def create_issue(self, issue: NewIssue) -> ObservedIssue:
        """Write issues/<next iid>.md."""
        iid = max((i.iid for i in self.all_issues()), default=0) + 1
        now = self.clock()
        meta = IssueFile(
            title=issue.title,
            labels=list(issue.labels),
            confidential=issue.confidential,
            due_date=issue.due_date,
            assignees=list(issue.assignees),
            created_at=now,
            updated_at=now,
        )
        self._save(iid, meta, issue.description)
        return _observed(iid, meta, issue.description)

    def update_description(self, iid: int, description: str) -> None:
        """Replace the text after the front matter."""
        meta, _ = self._load(iid)
        self._save(iid, meta.model_copy(update={"updated_at": self.clock()}), description)

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """Add and remove labels, keeping the others in their order."""
        meta, text = self._load(iid)
        labels = [label for label in meta.labels if label not in remove]
        labels += [label for label in add if label not in labels]
        if labels != meta.labels:
            changed = meta.model_copy(update={"labels": labels, "updated_at": self.clock()})
            self._save(iid, changed, text)

    # --- files ------------------------------------------------------------------------------

    def _path(self, iid: int) -> Path:
        return self.issues_dir / f"{iid}.md"

    def all_issues(self) -> list[ObservedIssue]:
        """Every issue in the workspace, in iid order."""
        if not self.issues_dir.is_dir():
            return []
        iids = sorted(int(p.stem) for p in self.issues_dir.glob("*.md") if p.stem.isdigit())
        return [_observed(iid, *self._load(iid)) for iid in iids]

    def _load(self, iid: int) -> tuple[IssueFile, str]:
        path = self._path(iid)
        try:
            text = path.read_bytes().decode("utf-8")  # bytes as they are: no newline changes
        except (OSError, UnicodeDecodeError) as error:
            raise WorkspaceError(
                f"{path}:1: cannot read the file ({error}); fix or remove it "
                "(it must be UTF-8 text)"
            ) from error
        match = _FRONT_MATTER.match(text.removeprefix("\ufeff"))
        if match is None:
            raise WorkspaceError(
                f"{path}:1: the file must start with the '---' front matter "
                "block the tool wrote, closed by a '---' line; restore it"
            )
        return _parse_front(match.group("front"), str(path)), match.group("body")

    def _save(self, iid: int, meta: IssueFile, description: str) -> None:
        front = yaml.safe_dump(_front_matter(meta), sort_keys=False, allow_unicode=True)
        _write(self._path(iid), f"{FRONT}{front}{FRONT}{description}")

    def _labels(self) -> list[dict[str, Any]]:
        if not self.labels_file.is_file():
            return []
        try:
            data = yaml.safe_load(self.labels_file.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as error:
            raise WorkspaceError(
                f"{self.labels_file}:1: not valid YAML; fix or delete it "
                "(the tool recreates its labels)"
            ) from error
        if not isinstance(data, list):
            raise WorkspaceError(
                f"{self.labels_file}:1: expected a list of labels; fix or "
                "delete it (the tool recreates its labels)"
            )
        return [item for item in data if isinstance(item, dict) and "name" in item]


_FRONT_MATTER = re.compile(r"---\r?\n(?P<front>.*?\r?\n)?---\r?\n(?P<body>.*)\Z", re.DOTALL)


def _parse_front(front: str | None, file: str) -> IssueFile:
    """Validate front matter; a problem names the file, the line and the field."""
    try:
        source = parse_yaml(front or "", file)
    except ConfigError as error:
        problem = error.problems[0]
        raise WorkspaceError(f"{file}:{problem.line + 1}: {problem.message}") from error
    try:
        return IssueFile.model_validate(source.data or {})
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        loc = tuple(detail["loc"])
        raise WorkspaceError(
            f"{file}:{source.line_of(loc) + 1}: front matter field "
            f"'{'.'.join(str(p) for p in loc) or '(top)'}': {detail['msg']}; fix it so it "
            "matches what the tool wrote"
        ) from error


def _front_matter(meta: IssueFile) -> dict[str, Any]:
    data = meta.model_dump()
    for stamp in ("created_at", "updated_at"):
        data[stamp] = data[stamp].isoformat().replace("+00:00", "Z")
    return data


def _observed(iid: int, meta: IssueFile, description: str) -> ObservedIssue:
    return ObservedIssue(
        iid=iid,
        title=meta.title,
        description=description,
        labels=tuple(meta.labels),
        state=meta.state,
        assignees=tuple(meta.assignees),
        due_date=meta.due_date,
        confidential=meta.confidential,
        web_url=f"issues/{iid}.md",
        id=iid,
        epic=meta.epic,
    )


def _write(path: Path, text: str) -> None:
    """Write a file whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_bytes(text.encode("utf-8"))
    os.replace(partial, path)
