"""A tracker on plain files: one Markdown file per issue or epic, so a rehearsal needs no GitLab."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from automation.comments import spaced
from automation.config import wording
from automation.config.models import RESERVED_USERNAMES
from automation.config.source import not_utf8, parse_yaml
from automation.errors import (
    EXIT_INVALID_CONFIG,
    AutomationError,
    ConfigError,
    ItemError,
    TrackerUnavailable,
)
from automation.items import (
    EpicChange,
    IssueLinks,
    NewEpic,
    NewIssue,
    ObservedEpic,
    ObservedIssue,
    ObservedNote,
    check_size,
)
from automation.progress import LabelSpec
from automation.trackers.base import Tracker
from automation.trackers.local_index import INDEX_FILE, Counted, index_text

FRONT = "---\n"
TOOL_USER = "automation"  # the author of the files the tool creates
LOCK_FILE = "run.lock"
# each note of notes/<iid>.md starts with a header naming its author (a person may add one)
_NOTE_HEADER = re.compile(r"^---\nnote by (?P<author>\S+) at \S+\n---\n", re.MULTILINE)
_LONE_CR = re.compile(r"\r(?!\n)")  # an old Mac's line end
_FRONT_MATTER = re.compile(r"---\r?\n(?P<front>.*?\r?\n)?---\r?\n(?P<body>.*)\Z", re.DOTALL)


class WorkspaceError(AutomationError):
    """A workspace file cannot be read; nothing is written until it is fixed (exit 2, as for
    a configuration file: a file a person edited says something the tool cannot read)."""

    exit_code = EXIT_INVALID_CONFIG


class WorkspaceUnwritable(TrackerUnavailable):
    """The workspace cannot be written (read-only, full, or not a folder): like GitLab out
    of reach, the run stops."""

    def __init__(self, path: Path, error: OSError) -> None:
        file = next((p for p in reversed(path.parents) if p.is_file()), None)
        if file is not None:
            why = f"{file} is a file, not a folder"
            fix = "move the file away"
        else:
            why = error.strerror or str(error)
            fix = "make the folder writable"
        super().__init__(
            f"cannot write {path} in the local workspace ({why}); {fix}, or pass "
            "--workspace DIR for another folder"
        )


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn a failed write into one message naming the file."""
    try:
        yield
    except OSError as error:
        raise WorkspaceUnwritable(path, error) from None


class ItemFile(BaseModel):
    """Front matter both issues and epics have."""

    model_config = ConfigDict(extra="forbid")

    title: str
    state: Literal["opened", "closed"] = "opened"
    labels: list[str] = []

    @field_validator("labels", "assignees", "links", mode="before", check_fields=False)
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        """A list a person emptied by deleting its last `- item` line (YAML reads `labels:`
        then as nothing): an empty list, as it would be on GitLab (a tester: every run
        stopped)."""
        return [] if value is None else value


class IssueFile(ItemFile):
    """The front matter of issues/<iid>.md, in the order it is written."""

    confidential: bool = False
    due_date: dt.date | None = None
    assignees: list[str] = []
    epic: int | None = None
    links: list[int] = []
    created_at: dt.datetime
    updated_at: dt.datetime
    author: str = TOOL_USER


class EpicFile(ItemFile):
    """The front matter of epics/<iid>.md."""

    created_at: dt.datetime
    updated_at: dt.datetime
    confidential: bool = False


F = TypeVar("F", bound=ItemFile)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where it is installed
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _load(text: str) -> Any:
    """YAML the tool wrote in its workspace (labels, the run lock), read safely."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python


def _dump(data: Any) -> str:
    """YAML for the workspace files, in the order given."""
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class LocalTracker(Tracker):
    """Issues in <workspace>/issues/<iid>.md, their notes in notes/<iid>.md, epics in
    epics/<iid>.md, labels in labels.yml."""

    name = "local"

    def __init__(
        self,
        workspace: Path,
        clock: Callable[[], dt.datetime] = _utc_now,
        epics: bool = True,
        groups: Collection[str] = (),
    ) -> None:
        self.workspace = workspace
        self.groups = frozenset(name.lower() for path in groups for name in path.split("/"))
        self.clock = clock
        self.epics = epics
        self.issues_dir = workspace / "issues"
        self.epics_dir = workspace / "epics"
        self.labels_file = workspace / "labels.yml"
        self._seen: dict[int, tuple[bytes, ObservedIssue]] = {}  # each issue file's last read

    # --- reads ------------------------------------------------------------------------------

    def is_user(self, username: str) -> bool:
        """Without a GitLab to ask: anyone but the reserved mentions and the configured
        group and project paths."""
        name = username.lower()
        return name not in RESERVED_USERNAMES and name not in self.groups

    def label_names(self) -> frozenset[str]:
        """Labels provisioned in the workspace."""
        return frozenset(spec["name"] for spec in self._labels())

    def label_description(self, name: str) -> str | None:
        """The label's description in labels.yml."""
        spec = next((spec for spec in self._labels() if spec["name"] == name), {})
        return str(spec.get("description") or "") or None

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        """Every issue file carrying the label, in iid order."""
        return tuple(issue for issue in self.all_issues() if program_label in issue.labels)

    def find_issue(self, key: str, program_label: str) -> ObservedIssue | None:
        """The program's issue with this key, read afresh from disk."""
        return next((i for i in self.program_issues(program_label) if i.key == key), None)

    def get_issue(self, iid: int) -> ObservedIssue | None:
        """One issue file read afresh; None when it was deleted."""
        if not (self.issues_dir / f"{iid}.md").is_file():
            return None
        return self._issue(iid)

    def has_note(self, iid: int, marker: str) -> bool:
        """Whether notes/<iid>.md holds the tool's note with the marker (a person's note that
        quotes it is not that note, as on GitLab)."""
        return self.find_note(iid, marker) is not None

    def has_note_in(self, project: str, iid: int, marker: str) -> bool:
        """Whether elsewhere/<host>/<project path>/<iid>.md holds a note with the marker."""
        path = self._elsewhere(project, iid)
        return path.is_file() and marker in path.read_bytes().decode("utf-8", "replace")

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        """Append the note to elsewhere/<host>/<project path>/<iid>.md: what the local backend
        keeps of another project's issue (a hire's general onboarding issue)."""
        path = self._elsewhere(project, iid)
        with _writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as file:
                file.write(f"{body.rstrip()}\n\n")

    def _elsewhere(self, project: str, iid: int) -> Path:
        parts = urlsplit(project)
        names = [parts.hostname or "host", *(p for p in parts.path.split("/") if p)]
        if any(name in {".", ".."} for name in names):
            raise ItemError(f"{project} is not a project's address")
        return self.workspace.joinpath("elsewhere", *names, f"{iid}.md")

    def find_note(self, iid: int, marker: str) -> ObservedNote | None:
        """The tool's note in notes/<iid>.md whose first line is the marker (its number is its
        place in the file, from 1)."""
        for number, author, body in self._notes(iid):
            if author == TOOL_USER and spaced(body.split("\n", 1)[0]).strip() == marker:
                return ObservedNote(number, body)
        return None

    def notes_marked(self, iid: int, prefix: str) -> tuple[ObservedNote, ...]:
        """The tool's notes in notes/<iid>.md whose first line starts with PREFIX."""
        return tuple(
            ObservedNote(number, body)
            for number, author, body in self._notes(iid)
            if author == TOOL_USER and spaced(body.split("\n", 1)[0]).strip().startswith(prefix)
        )

    def _notes(self, iid: int) -> list[tuple[int, str, str]]:
        """(number, author, body) of each note of an issue, in the order written."""
        text, spans = self._note_spans(iid)
        return [
            (number, head.group("author"), text[head.end() : end].removesuffix("\n"))
            for number, (head, end) in enumerate(spans, start=1)
        ]

    def _note_spans(self, iid: int) -> tuple[str, list[tuple[re.Match[str], int]]]:
        """notes/<iid>.md's text, and each note's header with where its body ends. The text
        as GitLab keeps a note: without a byte order mark or `\r` (its quick-action reader
        deletes them), so a file a person saved with Windows line ends still shows the tool's
        notes (a tester's: each run posted its reminder again)."""
        raw = _read_text(self.workspace / "notes" / f"{iid}.md").removeprefix("\ufeff")
        text = _LONE_CR.sub("\n", raw.replace("\r\n", "\n"))
        heads = list(_NOTE_HEADER.finditer(text))
        ends = [h.start() for h in heads[1:]] + [len(text)] * bool(heads)
        return text, list(zip(heads, ends, strict=True))

    def keyed_issues(self) -> dict[str, ObservedIssue]:
        """Every issue file that carries a key."""
        return {issue.key: issue for issue in self.all_issues() if issue.key}

    def all_issues(self) -> list[ObservedIssue]:
        """Every issue in the workspace, in iid order."""
        return [self._issue(iid) for iid in _iids(self.issues_dir)]

    def last_written(self) -> dt.date | None:
        """The day the workspace's issues were last written (a run's `--today`), None when it
        has none."""
        stamps = (issue.updated_at or issue.created_at for issue in self.all_issues())
        return max((stamp.date() for stamp in stamps if stamp is not None), default=None)

    def epics_available(self) -> bool:
        """Epics are files here; settings can still turn them off."""
        return self.epics

    def one_assignee(self) -> bool:
        """The files keep every assignee, with epics or without (a reviewer saw `plan` warn
        of GitLab Free's one assignee here, and `apply` rightly not)."""
        return False

    def program_epics(self, program_label: str) -> tuple[ObservedEpic, ...]:
        """Every epic file carrying the label."""
        epics = (
            _observed_epic(iid, *self._load(self.epics_dir, iid, EpicFile))
            for iid in _iids(self.epics_dir)
        )
        return tuple(epic for epic in epics if program_label in epic.labels)

    def issue_links(self, iid: int) -> IssueLinks:
        """Issues related to this one (all in the workspace)."""
        meta, _ = self._load(self.issues_dir, iid, IssueFile)
        return IssueLinks(frozenset(meta.links))

    # --- writes -----------------------------------------------------------------------------

    def create_label(self, spec: LabelSpec) -> None:
        """Add a label to labels.yml unless it is there already."""
        labels = self._labels()
        if any(existing["name"] == spec.name for existing in labels):
            return
        labels.append({"name": spec.name, "color": spec.color, "description": spec.description})
        labels.sort(key=lambda item: str(item["name"]))
        _write(self.labels_file, _dump(labels))

    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        """Write issues/<next iid>.md (its front matter names its epic)."""
        now = self.clock()
        meta = IssueFile(
            title=issue.title,
            labels=list(issue.labels),
            confidential=issue.confidential,
            due_date=issue.due_date,
            assignees=list(issue.assignees),
            created_at=now,
            updated_at=now,
            epic=epic.iid if epic else None,
        )
        _check_length(issue.description)  # before an iid is taken, as GitLab refuses it first
        iid = _next_iid(self.issues_dir)
        self._save(self.issues_dir, iid, meta, issue.description)
        return _observed_issue(iid, meta, issue.description)

    def update_description(
        self, iid: int, description: str, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> None:
        """Replace the text after the front matter (and change labels in the same write)."""
        self._change(iid, self._relabelled(iid, add, remove) if add or remove else {}, description)

    def update_labels(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> None:
        """Add and remove labels, keeping the others in their order."""
        self._change(iid, self._relabelled(iid, add, remove))

    def _relabelled(self, iid: int, add: Sequence[str], remove: Sequence[str]) -> dict[str, Any]:
        meta, _ = self._load(self.issues_dir, iid, IssueFile)
        return {"labels": _merged(meta.labels, add, remove)}

    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        """Set the front matter's assignees."""
        self._change(iid, {"assignees": list(usernames)})
        return tuple(usernames)

    def set_due_date(self, iid: int, due: dt.date | None) -> None:
        """Set the front matter's due date."""
        self._change(iid, {"due_date": due})

    def add_note(self, iid: int, body: str) -> None:
        """Append the note to notes/<iid>.md, the issue's discussion."""
        path = self.workspace / "notes" / f"{iid}.md"
        before = _read_text(path)
        if before and not before.endswith(("\n", "\r")):  # a person's last line, unended
            before += "\n"
        stamp = self.clock().isoformat().replace("+00:00", "Z")
        _write(path, f"{before}{FRONT}note by automation at {stamp}\n{FRONT}{body}\n")

    def update_note(self, iid: int, note_id: int, body: str) -> None:
        """Rewrite the body of note NOTE_ID of notes/<iid>.md, the others as they are."""
        path = self.workspace / "notes" / f"{iid}.md"
        text, spans = self._note_spans(iid)
        if not 0 < note_id <= len(spans):
            raise ItemError(f"note {note_id} of #{iid} is not in {path}; run again")
        head, end = spans[note_id - 1]
        _write(path, f"{text[: head.end()]}{body}\n{text[end:]}")

    def close_issue(self, iid: int) -> None:
        """Set the state to closed."""
        self._change(iid, {"state": "closed"})

    def reopen_issue(self, iid: int) -> None:
        """Set the state to opened."""
        self._change(iid, {"state": "opened"})

    def create_epic(self, epic: NewEpic) -> ObservedEpic:
        """Write epics/<next iid>.md."""
        now = self.clock()
        meta = EpicFile(
            title=epic.title,
            labels=list(epic.labels),
            created_at=now,
            updated_at=now,
            confidential=epic.confidential,
        )
        iid = _next_iid(self.epics_dir)
        self._save(self.epics_dir, iid, meta, epic.description)
        return _observed_epic(iid, meta, epic.description)

    def get_epic(self, iid: int) -> ObservedEpic | None:
        """One epic file read afresh; None when it was deleted."""
        if not (self.epics_dir / f"{iid}.md").is_file():
            return None
        return _observed_epic(iid, *self._load(self.epics_dir, iid, EpicFile))

    def update_epic(self, iid: int, change: EpicChange) -> None:
        """Rewrite the epic file: its description (unless None) and labels."""
        meta, text = self._load(self.epics_dir, iid, EpicFile)
        labels = _merged(meta.labels, change.add, change.remove)
        update: dict[str, object] = {"labels": labels, "updated_at": self.clock()}
        if change.confidential is not None:
            update["confidential"] = change.confidential
        changed = meta.model_copy(update=update)
        written = text if change.description is None else change.description
        self._save(self.epics_dir, iid, changed, written)

    def add_to_epic(self, epic_iid: int, issue: ObservedIssue) -> bool:
        """Record the issue's epic; False when the file names it already."""
        meta, _ = self._load(self.issues_dir, issue.iid, IssueFile)
        if meta.epic == epic_iid:
            return False
        self._change(issue.iid, {"epic": epic_iid})
        return True

    def link_issues(self, iid: int, target_iid: int) -> None:
        """Relate two issues, on both sides as GitLab shows it."""
        for one, other in ((iid, target_iid), (target_iid, iid)):
            meta, _ = self._load(self.issues_dir, one, IssueFile)
            if other not in meta.links:
                self._change(one, {"links": [*meta.links, other]})

    def write_index(self, counted: Counted = lambda _: None) -> None:
        """Rewrite index.md: each issue file with its person, program, phase and progress
        (COUNTED as its program counts it), only when that changed: a run with nothing to do
        changes no file."""
        if not self.issues_dir.is_dir():
            return
        path, text = self.workspace / INDEX_FILE, index_text(self.all_issues(), counted)
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            _write(path, text)

    # --- the run lock ---------------------------------------------------------------------

    def lock_description(self) -> str:
        """The lock is a file in the workspace."""
        return f"the file {self.workspace / LOCK_FILE}"

    def lock_take(self, holder: str, until: dt.datetime) -> bool:
        """Create run.lock unless it exists (atomic)."""
        path = self.workspace / LOCK_FILE
        with _writing(path):
            self.workspace.mkdir(parents=True, exist_ok=True)
            try:
                handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return False
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(_lock_text(holder, until))
        return True

    def lock_read(self) -> tuple[str, dt.datetime] | None:
        """The holder and expiry written in run.lock."""
        try:
            data = _load((self.workspace / LOCK_FILE).read_text(encoding="utf-8"))
            return str(data["holder"]), _aware(dt.datetime.fromisoformat(str(data["until"])))
        except (OSError, yaml.YAMLError, TypeError, KeyError, ValueError):
            return None

    def lock_drop(self) -> None:
        """Delete run.lock."""
        with _writing(self.workspace / LOCK_FILE):
            (self.workspace / LOCK_FILE).unlink(missing_ok=True)

    def lock_extend(self, holder: str, until: dt.datetime) -> None:
        """Rewrite run.lock with a later expiry."""
        _write(self.workspace / LOCK_FILE, _lock_text(holder, until))

    # --- files ------------------------------------------------------------------------------

    def _change(self, iid: int, fields: dict[str, Any], description: str | None = None) -> None:
        """Rewrite an issue file when something differs; only then does updated_at move."""
        meta, text = self._load(self.issues_dir, iid, IssueFile)
        changed = meta.model_copy(update=fields)
        body = text if description is None else description
        if changed != meta or body != text:
            stamped = changed.model_copy(update={"updated_at": self.clock()})
            self._save(self.issues_dir, iid, stamped, body)

    def _load(self, folder: Path, iid: int, model: type[F]) -> tuple[F, str]:
        path = folder / f"{iid}.md"
        return _parse_file(path, _read_bytes(path), model)

    def _issue(self, iid: int) -> ObservedIssue:
        """An issue as its file says now; a file read before with the same bytes is not
        parsed again (a run lists each program's issues, and lists them again in each
        round)."""
        path = self.issues_dir / f"{iid}.md"
        raw = _read_bytes(path)
        seen = self._seen.get(iid)
        if seen is not None and seen[0] == raw:
            return seen[1]
        issue = _observed_issue(iid, *_parse_file(path, raw, IssueFile))
        if issue.epic is not None and not (self.epics_dir / f"{issue.epic}.md").exists():
            # the epic's file deleted: in no epic, as GitLab leaves the issues of an epic
            # deleted (a tester: they stayed in it, and the epic made again stayed empty)
            issue = replace(issue, epic=None)
        self._seen[iid] = (raw, issue)
        return issue

    def _save(self, folder: Path, iid: int, meta: ItemFile, description: str) -> None:
        """Write an issue or epic file; a description GitLab would refuse is refused here too,
        so that a rehearsal shows what would fail."""
        _check_length(description)
        front = _dump(_front_matter(meta))
        _write(folder / f"{iid}.md", f"{FRONT}{front}{FRONT}{description}")

    def _labels(self) -> list[dict[str, Any]]:
        if not self.labels_file.is_file():
            return []
        try:
            data = _load(self.labels_file.read_text(encoding="utf-8")) or []
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


def _lock_text(holder: str, until: dt.datetime) -> str:
    return f"holder: {holder}\nuntil: '{until.isoformat()}'\n"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _iids(folder: Path) -> list[int]:
    """The issues (or epics) of a folder, by their files' names (`12.md`); a name with a
    leading zero (`01.md`) is refused by name (an attacker's trial renamed `1.md` so, and read
    "1.md: cannot read the file" on every run)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.md") if p.stem.isascii() and p.stem.isdigit()]
    for path in found:
        if str(int(path.stem)) != path.stem:
            raise WorkspaceError(
                f"{path}:1: not a name the local backend gives an issue; rename it "
                f"{int(path.stem)}.md (or move it out of {folder}, if that one is there)"
            )
    return sorted(int(p.stem) for p in found)


LAST_IID = ".last-iid"  # the highest iid ever given in a folder: like GitLab, never reused
MAX_IID = 2**31 - 1  # GitLab's iids are 32-bit integers


def _check_length(description: str) -> None:
    """GitLab refuses a description over its limit; so does the local backend."""
    check_size(description, "the description would be", "shorten the template or split the group")


def _merged(labels: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> list[str]:
    """Labels with some removed and others added, keeping the order of the rest."""
    kept = [label for label in labels if label not in remove]
    return kept + [label for label in add if label not in kept]


def _read_text(path: Path) -> str:
    """A workspace file's text ('' when it is not there); another encoding than UTF-8 is
    said in one line at its place, and nothing is written over it."""
    if not path.is_file():
        return ""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WorkspaceError(str(not_utf8(str(path), raw, error))) from error


def _next_iid(folder: Path) -> int:
    """The next iid: above every file there, and above every iid given before (a deleted
    issue's number is not given again)."""
    marker = folder / LAST_IID
    given = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    # text that is no iid GitLab could give is not one (a fuzzing trial's 400 digits made a
    # file name too long to write, after the record was rewritten): read as no record
    last = int(given) if given.isascii() and given.isdigit() and len(given) <= 10 else 0
    iid = max(max(_iids(folder), default=0), last if last <= MAX_IID else 0) + 1
    _write(marker, f"{iid}\n")
    return iid


@functools.lru_cache(maxsize=8192)
def _parse_front(front: str | None, file: str, model: type[F]) -> F:
    """Validate front matter; a problem names the file, the line and the field. Remembered
    by its text: a run reads each file several times (the models are never changed in place:
    a change is a `model_copy`)."""
    try:
        source = parse_yaml(front or "", file)
    except ConfigError as error:
        problem = error.problems[0]
        raise WorkspaceError(f"{file}:{problem.line + 1}: {problem.message}") from error
    try:
        return model.model_validate(source.data or {})
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        loc = tuple(detail["loc"])
        name = ".".join(str(p) for p in loc)
        if detail["type"] == "extra_forbidden":
            what = f"unknown field '{name}' (the tool writes {', '.join(model.model_fields)})"
        else:
            what = f"field '{name or '(top)'}' {wording.plain(detail)}"
        raise WorkspaceError(
            f"{file}:{source.line_of(loc) + 1}: front matter {what}; fix it so it matches what "
            "the tool wrote"
        ) from error


def _front_matter(meta: ItemFile) -> dict[str, Any]:
    data = meta.model_dump()
    for stamp in ("created_at", "updated_at"):
        data[stamp] = data[stamp].isoformat().replace("+00:00", "Z")
    return data


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise WorkspaceError(f"{path}:1: cannot read the file ({error.strerror})") from error


def _parse_file(path: Path, raw: bytes, model: type[F]) -> tuple[F, str]:
    """An issue or epic file's front matter and description."""
    try:
        text = raw.decode("utf-8")  # bytes as they are: no newline changes
    except UnicodeDecodeError as error:
        raise WorkspaceError(str(not_utf8(str(path), raw, error))) from error
    # lone `\r` line ends (an old Mac's) as the line ends they are: the tool's markers and
    # blocks are found line by line (a tester's file had every block twice)
    match = _FRONT_MATTER.match(_LONE_CR.sub("\n", text.removeprefix("\ufeff")))
    if match is None:
        raise WorkspaceError(
            f"{path}:1: the file must start with the '---' front matter "
            "block the tool wrote, closed by a '---' line; restore it"
        )
    return _parse_front(match.group("front"), str(path), model), match.group("body")


def _observed_issue(iid: int, meta: IssueFile, description: str) -> ObservedIssue:
    return ObservedIssue(
        iid=iid,
        title=meta.title,
        description=spaced(description),
        labels=tuple(meta.labels),
        state=meta.state,
        assignees=tuple(meta.assignees),
        due_date=meta.due_date,
        confidential=meta.confidential,
        web_url=f"issues/{iid}.md",
        id=iid,
        epic=meta.epic,
        by_tool=meta.author == TOOL_USER,
        author=meta.author,
        created_at=meta.created_at,
    )


def _observed_epic(iid: int, meta: EpicFile, description: str) -> ObservedEpic:
    labels = tuple(meta.labels)
    text = spaced(description)
    return ObservedEpic(
        iid, iid, meta.title, text, labels, confidential=meta.confidential, state=meta.state
    )


def _write(path: Path, text: str) -> None:
    """Write a file whole or not at all."""
    with _writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(path.suffix + ".partial")
        partial.write_bytes(text.encode("utf-8"))
        os.replace(partial, path)
