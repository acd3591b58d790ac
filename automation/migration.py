"""Template changes reach open issues, safely (pure).

Each tracked issue keeps, in a hidden tool-owned block, a record of the template tasks it was
made or last updated with: per declared section, a short hash of each task's text as the
template renders it for that issue. When the issue's own rendering of the current template has
a task the record does not list, the task is added at the end of its section, unticked (an
`Edits` kind, made again on the text read just before writing). A task a person reworded or
deleted is in the record, so it is never put back. A task the template dropped or reworded is
reported with the issues that still have the old wording, and left alone (a section it dropped,
once for the section, quoting no task); a task for someone
new (a group's roster changed) is added, even in place of another's. Closed issues are
never migrated. An issue without a record (made before this version) gets one listing the
template's current tasks, and nothing added: migration starts from that run."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from automation.actions import Plan
from automation.checklist import heading_key, heading_of, is_optional, rename_headings
from automation.config.models import Program
from automation.desired import DesiredIssue, DesiredProgram, is_over
from automation.edits import BlockTexts, Edits, apply_edits
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.markers import block_content, find_key
from automation.mentions import ZERO_WIDTH_SPACE, named, unnamed
from automation.progress import Status, measure
from automation.tasks import (
    NewSection,
    NewTask,
    Task,
    parent_of,
    section_text,
    sections_in_order,
    task_texts,
    tasks_of,
)

RECORD_BLOCK = "template-tasks"
TASKS_ADDED = "template tasks added"  # how an UpdateDescription names its added tasks
HEADINGS_RENAMED = "section headings renamed"  # ... and the renamed sections' new headings
_INTRO = (
    "<!-- The template tasks this issue was made or last updated with, by section, as short "
    "hashes of their text. The tool adds a task only when the template gains one that is not "
    "listed here; a task deleted or reworded in this issue is not put back. Kept by the tool."
)
_HASH = re.compile(r"^[0-9a-f]{8}$")
_SHOWN = 80  # characters of a task's text a warning quotes
_WORD = re.compile(r"\w+")
FEW_WORDS = 4  # a task with fewer is too short to tell a rewording of it from another task
ALIKE = 0.5  # the share of words in order a rewording keeps (migration._alike): a new task has less
KEPT = 0.8  # ... or the share of the shorter task's words the longer keeps (a clause added)
_LEAD = 20  # characters before the first difference a quote of a reworded task starts with

_RENDERED = re.compile(r"^rendered (?P<hash>[0-9a-f]{16})$")
# a record that lists every declared section its rendering has, with tasks or not (one written
# before lists only those with tasks)
_LISTED = "sections all listed"


@dataclass(frozen=True)
class Record:
    """What an issue's record block says."""

    sections: dict[str, tuple[str, ...]]  # section (as written) -> task hashes, template order
    rendered: str | None = None  # the hash of the rendering it was written from
    new: bool = True  # lists every declared section it had, tasks or not (`_LISTED`)

    def current(self, rendered: str, declared: Sequence[str]) -> bool:
        """Whether it was written from the issue's rendering as it is now (RENDERED), with the
        same declared sections in it: a section declared after its template changed makes the
        records of the issues that have it stale, and no others. A quick look first (its lines that
        read as headings, in code or not); the rendering is read only when that cannot tell.
        A record from before this version listed only sections with tasks."""
        if self.rendered != rendering_hash(rendered):
            return False
        listed = set(self.sections)
        keys = {f[1] for line in rendered.split("\n") if "#" in line and (f := heading_of(line))}
        if listed == {_label(h) for h in declared if heading_key(h) in keys}:
            return True
        if self.new:
            had = sections_in_order(rendered, declared)
        else:
            had = tuple({task.section: None for task in tasks_of(rendered, declared)})
        return listed == {_label(section) for section in had}


# Left out of what is hashed: what earlier versions did not write, and a reader does not see
# (the zero-width space after a value's `#12` or `%v1`): a text that differs only by it is no
# new wording. (The space after a value's `@` was always written. A name's joiners, which
# earlier versions took out of values, are hashed: a template's own text always kept them,
# and its tasks must keep their hashes; a task printing such a name is said to be worded anew
# once after upgrading, and keeps its old spelling.)
_UNSEEN = re.compile(f"{ZERO_WIDTH_SPACE}(?<=[#!%&~$]{ZERO_WIDTH_SPACE})")  # the space first: fast


def _seen(text: str) -> str:
    return _UNSEEN.sub("", text)


def task_hash(text: str) -> str:
    """A task's short hash: eight hex digits of the SHA-256 of its text, spaces collapsed (as
    written: every issue's record holds such hashes, and a hash of another Unicode form
    would not find them; a reviewer saw a template task lost after an upgrade)."""
    return hashlib.sha256(" ".join(_seen(text).split()).encode()).hexdigest()[:8]


def rendering_hash(description: str) -> str:
    """Sixteen hex digits of the SHA-256 of an issue's rendering without its identity line (a
    key renamed is no template change): while it stays the same, the record is right and the
    issue's tasks need not be read."""
    body = description.partition("\n")[2] if find_key(description) else description
    return hashlib.sha256(_seen(body).encode()).hexdigest()[:16]


def headings(program: Program) -> tuple[str, ...]:
    """The program's declared section headings."""
    return tuple(section.heading for section in program.sections)


def _label(section: str) -> str:
    """A section's heading as the record writes it and looks it up: nothing in it can end
    the comment, and it never starts a line with `/` (GitLab runs quick actions inside HTML
    comments too). Writing it again changes nothing, so a record read back is looked up in
    the same form."""
    label = " ".join(section.split())
    while "--" in label:  # `---` is `- --` after one pass: until no two dashes meet
        label = label.replace("--", "- -")
    return "\\" + label if label.startswith("/") else label


def record_content(description: str, declared: Sequence[str]) -> str:
    """The record block's content for an issue rendered as DESCRIPTION: one hidden comment,
    the rendering's hash, a line saying every declared section is listed, then a line per
    declared section the rendering has, with its tasks' hashes (none for one without)."""
    by_section: dict[str, list[str]] = {
        _label(section): [] for section in sections_in_order(description, declared)
    }
    for task in tasks_of(description, declared):
        by_section.setdefault(_label(task.section), []).append(task_hash(task.text))
    lines = [f"{section}: {' '.join(hashes)}".rstrip() for section, hashes in by_section.items()]
    return "\n".join([_INTRO, f"rendered {rendering_hash(description)}", _LISTED, *lines, "-->"])


def read_record(description: str) -> Record | None:
    """The record an issue holds; None without one; ItemError when its markers are damaged.
    A line that is neither `rendered HASH` nor `section: hash hash ...` is not read."""
    content = block_content(description, RECORD_BLOCK)
    if content is None:
        return None
    sections: dict[str, tuple[str, ...]] = {}
    rendered, new = None, False
    for line in content.split("\n"):
        if match := _RENDERED.match(line):
            rendered = match.group("hash")
            continue
        if line == _LISTED:
            new = True
            continue
        section, colon, rest = line.rpartition(":")
        hashes = tuple(rest.split())
        if colon and section.strip() and all(_HASH.match(h) for h in hashes):
            sections[_label(section)] = hashes
    return Record(sections, rendered, new)


def never_given(
    description: str, declared: Sequence[str], renames: Sequence[tuple[str, str]] = ()
) -> frozenset[str]:
    """The declared sections an issue's record shows it was never given, and that it does not
    have: its template gained them after its work was over (a finished or closed issue gets
    no new section), so they are not part of its track (a newcomer's trial: a section added to
    the template wrote "heading not found" into every finished issue's progress table). None
    without a record that lists every section it had (one from before), or with a damaged one.
    RENAMES: (old, new) headings of renamed sections, which its record may list as they were."""
    try:
        record = _renamed(read_record(description), renames)
    except ItemError:
        return frozenset()
    if record is None or not record.new:
        return frozenset()
    lacking = {h for h in declared if _label(h) not in record.sections}
    return (
        frozenset(lacking - set(sections_in_order(description, declared)))
        if lacking
        else frozenset()
    )


def never_had(
    made: str, issue: ObservedIssue, declared: Sequence[str], renames: Sequence[tuple[str, str]]
) -> dict[str, int]:
    """By declared section, how many required tasks of MADE (the issue's rendering) it never
    had, as its record tells: ones its record does not list, less the recorded ones MADE no
    longer has (a rewording). A task for someone who joined the group after its issue was
    over is not deleted from it (a year-long trial: last month's group issue, complete, was
    said to miss a task). Nothing without a readable record."""
    record, _ = _record(issue, renames)
    if record is None:
        return {}
    tasks: dict[str, list[Task]] = {}
    for task in tasks_of(made, declared):
        tasks.setdefault(task.section, []).append(task)
    had: dict[str, int] = {}
    for section, listed in tasks.items():
        recorded = record.sections.get(_label(section))
        if recorded is None:
            continue  # a record from before every section was listed: it cannot tell
        hashes = Counter(recorded)
        given = Counter(task_hash(task.text) for task in listed)
        required = Counter(task_hash(t.text) for t in listed if not is_optional(t.text))
        missing = (required - hashes).total() - (hashes - given).total()
        if missing > 0:
            had[section] = missing
    return had


def record_block(program: Program, item: DesiredIssue) -> BlockTexts:
    """The record a new issue is created with: the tasks of its own rendering."""
    declared = headings(program)
    if not declared:
        return ()
    return ((RECORD_BLOCK, record_content(item.description, declared)),)


@dataclass(frozen=True)
class Migration:
    """What one open issue gets: its record as it should be, and the tasks to add."""

    record: str
    tasks: tuple[NewTask | NewSection, ...] = ()


@dataclass(frozen=True)
class _Said:
    """Something a program's warnings say about template tasks, naming the issues."""

    kind: str  # _KEPT, _REWORDED, _NO_PLACE, _NO_PARENT, _SECTION, _MOVED or _COPIED
    section: str
    spot: int  # where the task is in its section (of the template, or of the record: _KEPT)
    text: str  # the task as the issue has it (_KEPT) or as the template has it now
    old: str | None = None  # _REWORDED: the wording the issue keeps, when it has it; _MOVED
    # and _COPIED: the section the issue has it in
    was: str = ""  # _MOVED and _COPIED: the section its record lists it in (the template's)

    @property
    def group(self) -> tuple[str, str, int, bool | str | None]:
        """What issues share to be named in one warning (their values may differ; not the
        section an issue keeps a moved task in, which the warning names)."""
        moved = self.kind in {_MOVED, _COPIED}
        return self.kind, self.section, self.spot, self.old if moved else self.old is None


_KEPT, _REWORDED, _NO_PLACE, _SECTION = "kept", "reworded", "no place", "section"
_NO_PARENT = "no parent"  # a sub-task whose own task the issue no longer has
_MOVED, _COPIED = "moved", "copied"  # a recorded task the template now has in another section


@dataclass(frozen=True)
class Migrations:
    """A program's migrations by key, and what to tell people about them."""

    issues: Mapping[str, Migration] = field(default_factory=dict)
    plan: Plan = field(default_factory=Plan)
    renames: tuple[tuple[str, str], ...] = ()  # (old, new) headings of renamed sections
    renamed: frozenset[str] = frozenset()  # keys of issues that get the new headings

    def blocks(self, key: str) -> BlockTexts:
        """The record block to write into the issue, if it is migrated."""
        migration = self.issues.get(key)
        return () if migration is None else ((RECORD_BLOCK, migration.record),)

    def tasks(self, key: str | None) -> tuple[NewTask | NewSection, ...]:
        """The tasks (and sections) to add to the issue."""
        migration = self.issues.get(key) if key else None
        return () if migration is None else migration.tasks

    def headings(self, key: str | None) -> tuple[tuple[str, str], ...]:
        """The renamed sections' headings the issue gets (a closed one too: a configuration
        trial removed `renamed_from` once `plan` said "No changes", as README says it may, and
        a closed issue's tasks under its old heading left their phase, unsaid)."""
        return self.renames if key in self.renamed else ()

    def text(self, key: str | None, description: str) -> str:
        """The description with the tasks added (under renamed sections' new headings, where
        they go): what progress is measured on (`measure` reads old headings as new ones)."""
        tasks = self.tasks(key)
        return (
            apply_edits(description, Edits(tasks=tasks, headings=self.renames))
            if tasks
            else description
        )


Due = Callable[[DesiredIssue, ObservedIssue], dt.date | None]  # a due date once planned


def migrate(
    desired: DesiredProgram, found: Mapping[str, ObservedIssue], today: dt.date, due: Due
) -> Migrations:
    """The migration of every open tracked issue of a program that is still under way (not
    past its due date, not every task done: a finished month's session does not get a new
    task, nor turn overdue for it), and the warnings (tasks the template dropped or reworded,
    tasks that cannot be placed) and notice (issues that had no record yet) that go with
    them; and the renamed sections' new headings of every issue, closed ones too. DUE: an
    issue's due date as the plan leaves it (configuration may move it)."""
    declared = headings(desired.program)
    if not declared:
        return Migrations()
    renames = desired.program.renamed_headings
    people = renamed_people(desired)
    issues: dict[str, Migration] = {}
    renamed: set[str] = set()
    said: dict[tuple[str, str, int, bool | str | None], list[tuple[_Said, str]]] = {}
    first: list[str] = []  # the open issues with no record yet
    for item in desired.issues:
        issue = found.get(item.key)
        if issue is None:
            continue
        text = rename_headings(issue.description, renames)
        if text != issue.description:
            renamed.add(item.key)
            issue = replace(issue, description=text)
        if issue.state != "opened":
            continue  # a closed issue gets the new headings only (then `renamed_from` may go)
        old, damaged = _record(issue, renames)
        if (old is not None and old.current(item.description, declared)) or _finished(
            desired, item, issue, due(item, issue) or item.due_date, today
        ):
            continue  # its template's tasks are recorded, or its work is over
        issues[item.key], notes = _migrate(item, issue, declared, old, people)
        if old is None and not damaged:  # no record yet (a damaged one is reported)
            first.append(issue.reference)
        for note in notes:
            said.setdefault(note.group, []).append((note, issue.reference))
    pid = desired.program.id
    # not a task's words where someone was renamed: its earlier wording holds a former name
    quote = not desired.program.is_confidential and not people
    warnings = _warnings(pid, list(said.values()), quote, people)
    notices = (_first_run(pid, first),) if first else ()
    plan = Plan(warnings=warnings, notices=notices)
    return Migrations(issues, plan, renames, frozenset(renamed))


def _record(issue: ObservedIssue, renames: Sequence[tuple[str, str]]) -> tuple[Record | None, bool]:
    """The issue's record, read under the sections' new headings (one written before a
    section was renamed lists its tasks under the old one); and whether it is damaged."""
    try:
        return _renamed(read_record(issue.description), renames), False
    except ItemError:
        return None, True


def _finished(
    desired: DesiredProgram,
    item: DesiredIssue,
    issue: ObservedIssue,
    due: dt.date | None,
    today: dt.date,
) -> bool:
    """Past its due date (as the plan leaves it: configuration may move it later in the same
    run), its time over (an ESP account ended early: a trial was told its month's weeks after
    the end were no longer asked for, "tick it"), or complete as its progress counts it: its
    work is over."""
    if (due is not None and due < today) or is_over(desired, item, today, due):
        return True
    return measure(issue.description, desired.program, due, today).status is Status.COMPLETE


def _migrate(
    item: DesiredIssue,
    issue: ObservedIssue,
    declared: Sequence[str],
    old: Record | None,
    people: Mapping[str, str],
) -> tuple[Migration, list[_Said]]:
    """One issue whose record OLD (None: none, or damaged) is not of its rendering now: its
    new record, the tasks (and sections) it gets, and what to say."""
    record = record_content(item.description, declared)
    if old is None:  # a damaged record block is reported by the update
        return Migration(record), []
    template = tasks_of(item.description, declared)
    old = _in_forms_of(old, template, tasks_of(issue.description, declared), declared)
    recorded = {h for hashes in old.sections.values() for h in hashes}
    gone = recorded - {task_hash(task.text) for task in template}
    new, replaced = _new_tasks(template, old, recorded)
    whole = _new_sections(item.description, issue.description, old, declared)
    elsewhere = _recorded_elsewhere(template, old)
    if not (new or replaced or gone or whole or elsewhere):
        return Migration(record), []
    has = {task_hash(t.text): t for t in tasks_of(issue.description, declared)}
    moves = _moves(template, elsewhere, has)
    surplus, replaced = _surplus(replaced, has)
    replaced = _not_had(replaced, has)
    newcomers, replaced = _newcomers(replaced, has, people)
    unlike, replaced = _unlike(replaced, has)
    known = _recorded_in(recorded)
    more = new + surplus + newcomers + unlike
    added, unplaced = _added(issue.description, whole, more, declared, template, known)
    dropped, covered = _dropped(item.description, issue.description, old, declared, gone)
    changed = _changed(template, old, has, replaced, gone - covered)
    return Migration(record, added), changed + unplaced + dropped + moves


def _recorded_elsewhere(template: Sequence[Task], old: Record) -> list[tuple[Task, str]]:
    """The template's tasks that the record lists under another section only (the template
    moved them there, or put a copy there), each with a section the record lists it in: a
    task recorded once is never added again, so an issue keeps it where it was."""
    listed: dict[str, str] = {}
    under: set[tuple[str, str]] = set()
    for section, hashes in old.sections.items():
        for hashed in hashes:
            listed.setdefault(hashed, section)
            under.add((section, hashed))
    found = []
    for task in template:
        hashed = task_hash(task.text)
        if hashed in listed and (_label(task.section), hashed) not in under:
            found.append((task, listed[hashed]))
    return found


def _moves(
    template: Sequence[Task], elsewhere: Sequence[tuple[Task, str]], has: Mapping[str, Task]
) -> list[_Said]:
    """What to say of the tasks recorded under another section (ELSEWHERE) that the issue
    has under a heading other than the template's now (HAS, by hash): moved, or copied when
    the template still has them where they were (a trial: silently left in place)."""
    spot = _spots(template)
    sections = {(_label(t.section), task_hash(t.text)) for t in template}
    said = []
    for task, was in elsewhere:
        hashed = task_hash(task.text)
        kept = has.get(hashed)
        if kept is None or _label(kept.section) == _label(task.section):
            continue  # deleted by a person, or moved there already
        kind = _COPIED if (was, hashed) in sections else _MOVED
        said.append(_Said(kind, task.section, spot[hashed], task.text, kept.section, was))
    return said


_FORMS: tuple[Literal["NFC", "NFD"], ...] = ("NFC", "NFD")


def _in_forms_of(
    old: Record, template: Sequence[Task], tasks: Sequence[Task], declared: Sequence[str]
) -> Record:
    """The record, each task and section it lists in another Unicode form than the
    template's now taken for the template's: wholly composed or decomposed, or as the issue
    has it (a template's words in one form, a value from the program file in the other:
    a reviewer). A tester's files saved again composed gave every open issue the tasks with
    an umlaut twice. Its hashes stay as written otherwise: every issue's record holds them
    (a reviewer saw hashes of another form lose a task after an upgrade)."""
    alias: dict[str, str] = {}
    composed = {_composed(task.text): task_hash(task.text) for task in template}
    for task in template:
        now = task_hash(task.text)
        for form in _FORMS:
            other = task_hash(unicodedata.normalize(form, task.text))
            if other != now:
                alias[other] = now
    for task in tasks:  # the issue's own, as its record may list them
        meant = composed.get(_composed(task.text))
        if meant is not None and task_hash(task.text) != meant:
            alias[task_hash(task.text)] = meant
    labels = {_composed(_label(heading)): _label(heading) for heading in declared}
    sections = {
        labels.get(_composed(section), section): tuple(alias.get(h, h) for h in hashes)
        for section, hashes in old.sections.items()
    }
    return replace(old, sections=sections)


def _composed(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _dropped(
    rendered: str, description: str, old: Record, declared: Sequence[str], gone: set[str]
) -> tuple[list[_Said], set[str]]:
    """What to say of the sections the record lists and the issue's rendering no longer has
    (taken out of the template and its `sections`) whose tasks, gone from the template too
    (GONE), the issue still has, under any heading or none (with the heading no longer
    declared, they count as other tasks): one note per section; and those tasks, which are
    not reported one by one."""
    if not gone:
        return [], set()  # nothing left the template: its sections are not read
    now = {_label(section) for section in sections_in_order(rendered, declared)}
    said: list[_Said] = []
    covered: set[str] = set()
    anywhere: set[str] | None = None  # the hashes of every task the issue has, once needed
    for section, hashes in old.sections.items():
        left = set(hashes) & gone
        if section in now or not left:
            continue
        if anywhere is None:
            anywhere = {task_hash(text) for text in task_texts(description)}
        if left & anywhere:
            said.append(_Said(_SECTION, section, 0, ""))
            covered |= left & anywhere
    return said, covered


def _recorded_in(recorded: set[str]) -> Callable[[str], bool]:
    """Whether a task's text is one the record lists (the issue had it once)."""
    return lambda task: task_hash(task) in recorded


def _added(  # noqa: PLR0917
    text: str,
    whole: Mapping[str, NewSection],
    new: Sequence[Task],
    declared: Sequence[str],
    template: Sequence[Task],
    known: Callable[[str], bool],
) -> tuple[tuple[NewTask | NewSection, ...], list[_Said]]:
    """The sections the template gained (WHOLE), each added with its text and tasks, then the
    NEW tasks of the other sections; and what to say of those that find no place."""
    added: list[NewTask | NewSection] = []
    came: set[str] = set()  # sections added, or whose tasks the issue has already
    for section in (s.without(known) for s in whole.values()):
        placed = section.place(text)
        if placed is not None:
            came.add(section.section)
        if placed is not None and placed != text:
            added.append(section)
            text = placed
    spot, said = _spots(template), []
    copies = Counter(task.text for task in template)  # (a task in two sections: both added)
    for task in new:
        if task.section in came:
            continue
        adding = NewTask(
            task.section,
            task.text,
            task.item,
            tuple(declared),
            copies[task.text],
            parent_of(task, template),
        )
        placed = adding.place(text)
        if placed is None:
            kind = _NO_PLACE if adding.parent is None else _NO_PARENT
            said.append(_Said(kind, task.section, spot[task_hash(task.text)], task.text))
        elif placed != text:
            added.append(adding)
            text = placed
    return tuple(added), said


def _changed(
    template: Sequence[Task],
    old: Record,
    has: Mapping[str, Task],
    replaced: list[tuple[list[str], list[Task]]],
    gone: set[str],
) -> list[_Said]:
    """What to say of the tasks the template reworded (REPLACED) or no longer has (GONE) that
    the issue still has (HAS, by hash)."""
    spot = _spots(template)
    said: list[_Said] = []
    paired: set[str] = set()  # old wordings reported with the new one
    for olds, news in replaced:
        kept = {has[h].text: h for h in olds if h in gone and h in has}
        for task in news:
            was = max(kept, key=lambda text: _likeness(task.text, text), default=None)
            if was is not None:
                paired.add(kept.pop(was))
            said.append(_Said(_REWORDED, task.section, spot[task_hash(task.text)], task.text, was))
    spot_before = {h: i for hashes in old.sections.values() for i, h in enumerate(hashes)}
    said += [
        _Said(_KEPT, has[h].section, spot_before[h], has[h].text)
        for h in sorted(gone & has.keys() - paired)
    ]
    return said


def _new_sections(
    rendered: str, description: str, old: Record, declared: Sequence[str]
) -> dict[str, NewSection]:
    """The sections of the issue's rendering that are new to it: its record lists none of
    their tasks (a section the template gained since), and it has no such heading. A section
    the record lists and the issue lacks was taken out by a person: it is not put back."""
    order = sections_in_order(rendered, declared)
    has = set(sections_in_order(description, declared))
    found: dict[str, NewSection] = {}
    for spot, section in enumerate(order):
        text = section_text(rendered, section, declared)
        if section in has or _label(section) in old.sections or text is None:
            continue
        if not old.new and not tasks_of(text, declared):
            continue  # a record from before lists no section without tasks: new or deleted?
        before, after = tuple(reversed(order[:spot])), order[spot + 1 :]
        found[section] = NewSection(section, text, before, after, tuple(declared))
    return found


def _renamed(record: Record | None, renames: Sequence[tuple[str, str]]) -> Record | None:
    """The record with the sections of RENAMES under their new headings."""
    if record is None or not renames:
        return record
    new = {_label(old): _label(heading) for old, heading in renames}
    sections = {new.get(section, section): hashes for section, hashes in record.sections.items()}
    return replace(record, sections=sections)


def _spots(tasks: Sequence[Task]) -> dict[str, int]:
    """Each task's place among the tasks of its section, by hash."""
    seen: dict[str, int] = {}
    spots: dict[str, int] = {}
    for task in tasks:
        spots.setdefault(task_hash(task.text), seen.get(task.section, 0))
        seen[task.section] = seen.get(task.section, 0) + 1
    return spots


def _new_tasks(
    template: Sequence[Task], old: Record, recorded: set[str]
) -> tuple[list[Task], list[tuple[list[str], list[Task]]]]:
    """Tasks the record does not list, by where they sit in their section against the
    recorded order: added where the template only gained tasks; taken for a rewording (and
    not added) where they stand in place of recorded tasks, which are listed with them."""
    by_section: dict[str, list[Task]] = {}
    for task in template:
        by_section.setdefault(task.section, []).append(task)
    new: list[Task] = []
    replaced: list[tuple[list[str], list[Task]]] = []
    for section, tasks in by_section.items():
        hashes = [task_hash(task.text) for task in tasks]
        before = list(old.sections.get(_label(section), ()))
        matcher = difflib.SequenceMatcher(None, before, hashes, autojunk=False)
        for op, first, last, start, end in matcher.get_opcodes():
            fresh = [task for task in tasks[start:end] if task_hash(task.text) not in recorded]
            if op == "insert":
                new += fresh
            elif op == "replace" and fresh:
                replaced.append((before[first:last], fresh))
    return new, replaced


def _surplus(
    replaced: list[tuple[list[str], list[Task]]], has: Mapping[str, Task]
) -> tuple[list[Task], list[tuple[list[str], list[Task]]]]:
    """Of more new tasks than recorded ones in one place, those that reword none: the new
    wordings the issue has already stand for the recorded tasks whose words it has lost,
    then, for each recorded task whose words it still has (HAS, by hash), the new task most
    like it is its rewording; the rest are added (a tester fixed a task's typo and added a
    task below it in one change: neither was added, to any issue). Where more recorded tasks
    lost their words than the issue has new wordings, which new task rewords which cannot be
    told: all stay rewordings, said as such."""
    added: list[Task] = []
    still: list[tuple[list[str], list[Task]]] = []
    for olds, news in replaced:
        left = [task for task in news if task_hash(task.text) not in has]
        kept = [has[h].text for h in olds if h in has]
        if len(news) <= len(olds) or len(olds) - len(kept) > len(news) - len(left):
            still.append((olds, news))
            continue
        for text in kept[: len(left)]:  # (the issue may have every new wording already)
            left.remove(_likest(text, left))
        added += left
        still.append((olds, [task for task in news if task not in left]))
    return added, still


def _likest(text: str, tasks: Sequence[Task]) -> Task:
    """The task whose words are most like TEXT (the first, of equals)."""
    return max(tasks, key=lambda t: difflib.SequenceMatcher(None, text, t.text).ratio())


def _not_had(
    replaced: list[tuple[list[str], list[Task]]], has: Mapping[str, Task]
) -> list[tuple[list[str], list[Task]]]:
    """The rewordings, less the new wordings the issue has already, word for word: a value
    changed and then changed back (managers swapped, then swapped back) leaves the issue as
    the template words it now, with nothing to say or add (a tester was told to add by hand
    a task the issue had)."""
    kept = [(olds, [t for t in news if task_hash(t.text) not in has]) for olds, news in replaced]
    return [(olds, news) for olds, news in kept if news]


def _newcomers(
    replaced: list[tuple[list[str], list[Task]]],
    has: Mapping[str, Task],
    people: Mapping[str, str],
) -> tuple[list[Task], list[tuple[list[str], list[Task]]]]:
    """Of the tasks in place of recorded ones, those for someone new (a roster change in a
    group's issue, not a rewording): the tasks it stands in place of are all still in the
    issue (their text known) and @mention someone, and it mentions only others, in other
    words, and not the person it named under a username `renamed_from` changed (PEOPLE: former
    username -> username; a tester: a participant renamed after marriage, name and username,
    got a second task in the group's issue). The same task for a person whose username
    changed is a rewording. They are added as new tasks; the others stay rewordings."""
    added: list[Task] = []
    still: list[tuple[list[str], list[Task]]] = []
    for olds, news in replaced:
        fresh = _for_someone_new(news, [has[h] for h in olds if h in has], len(olds), people)
        added += fresh
        rest = [task for task in news if task not in fresh]
        if rest:
            still.append((olds, rest))
    return added, still


def _unlike(
    replaced: list[tuple[list[str], list[Task]]], has: Mapping[str, Task]
) -> tuple[list[Task], list[tuple[list[str], list[Task]]]]:
    """Of the tasks in place of recorded ones that the issue still has word for word, those
    like none of them: other tasks, added, and the recorded ones are tasks the template no
    longer has (a trial changed a hire's role: "Deliver the GitLab Value Pitch" was taken as
    reworded to "Deliver the role based capstone", which was never added). The others stay
    rewordings."""
    added: list[Task] = []
    still: list[tuple[list[str], list[Task]]] = []
    for olds, news in replaced:
        kept = [has[h].text for h in olds if h in has]
        whole = len(kept) == len(olds)
        unlike = [t for t in news if whole and not any(_alike(t.text, k) for k in kept)]
        added += unlike
        rest = [task for task in news if task not in unlike]
        if rest:
            still.append((olds, rest))
    return added, still


def _alike(one: str, other: str) -> bool:
    """Whether two tasks may be one reworded: they share at least half their words, in order
    (a typo fixed, a name or a date changed), or the shorter one's words nearly all stand in
    the other (a clause added or taken out: a review saw "Complete the SQS pre-work", given a
    long clause, added again as a new task), or one is too short to tell (`b`, `b, better`)."""
    words = _words(one), _words(other)
    matcher = difflib.SequenceMatcher(None, *words, autojunk=False)
    shortest = min(len(w) for w in words)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    return shortest < FEW_WORDS or matcher.ratio() >= ALIKE or kept >= KEPT * shortest


def _likeness(one: str, other: str) -> float:
    """How much of their words two tasks share, in order (0 to 1)."""
    return difflib.SequenceMatcher(None, _words(one), _words(other), autojunk=False).ratio()


def _words(text: str) -> list[str]:
    """A task's words (letters and digits, any case), in order."""
    return _WORD.findall(text.casefold())


def _for_someone_new(
    news: list[Task], olds: list[Task], recorded: int, people: Mapping[str, str]
) -> list[Task]:
    before = frozenset().union(*(named(task.text) for task in olds))
    before |= {people[name] for name in before if name in people}
    if len(olds) < recorded or not before:
        return []
    words = {unnamed(task.text) for task in olds}
    return [
        task
        for task in news
        if (names := named(task.text)) and not names & before and unnamed(task.text) not in words
    ]


def renamed_people(desired: DesiredProgram) -> dict[str, str]:
    """Former username -> username, lowercase, of the people `renamed_from` renamed: where an
    issue's key and a former key of it differ in the part that names its person (a cohort's,
    an account's or the program's rename renames nobody: a reviewer)."""
    renaming = desired.course.renaming
    if renaming is None:
        return {}
    at = renaming.at + 1  # the parts after the program id
    found: dict[str, str] = {}
    for item in desired.issues:
        parts = item.key.split("/")
        for former in item.former_keys:
            old = former.split("/")
            if len(old) == len(parts) > at and old[at] != parts[at]:
                found.setdefault(old[at], parts[at])
    return found


def _shown(text: str, other: str | None = None) -> str:
    """TEXT as a warning quotes it; beside OTHER (its earlier wording), from a little before
    where the two differ, so that the two quotes never read the same."""
    if len(text) <= _SHOWN:
        return text
    other = other or ""
    pairs = enumerate(zip(text, other, strict=False))
    same = next((i for i, (one, two) in pairs if one != two), min(len(text), len(other)))
    if same > _SHOWN - _LEAD:
        return "…" + _shown(text[_quoted_from(text, same) :])
    return text[: _SHOWN - 1].rstrip() + "…"


def _quoted_from(text: str, same: int) -> int:
    """Where a quote of TEXT that must show its difference at SAME starts: as far back as
    the quote's room allows, at a word's start (an upgrade trial read `'…unt planning
    session.'`, a task nobody could recognise)."""
    start = max(min(same - _LEAD, len(text) - _SHOWN + 1), 0)
    space = text.find(" ", start, same)
    return space + 1 if start and text[start - 1] != " " and space != -1 else start


def _issues(refs: Sequence[str]) -> str:
    return f"issue {refs[0]}" if len(refs) == 1 else f"issues {', '.join(refs)}"


Notes = Sequence[tuple[_Said, str]]  # what one warning is about, and the issues it names


def _warnings(
    program: str, groups: Sequence[Notes], quote: bool, people: Mapping[str, str]
) -> tuple[str, ...]:
    """The warnings of GROUPS, in order; those of tasks named by their place (not quoted) that
    the same issues keep the wording of, one per section (a year-long trial: a cohort's dates
    moved, and seven warnings said "task no. 1", "task no. 2"...)."""
    merged: dict[int | tuple[str, tuple[str, ...]], list[Notes]] = {}
    for index, notes in enumerate(groups):
        note, refs = notes[0][0], tuple(ref for _, ref in notes)
        alone = quote or note.kind != _REWORDED or note.old is None
        key = index if alone or _mentions_renamed(note, people) else (note.section, refs)
        merged.setdefault(key, []).append(notes)
    return tuple(
        _warning(program, same[0], quote, people) if len(same) == 1 else _reworded(program, same)
        for same in merged.values()
    )


def _reworded(program: str, groups: Sequence[Notes]) -> str:
    """One warning for the tasks of a section the same issues keep the wording of."""
    said, refs = groups[0][0][0], [ref for _, ref in groups[0]]
    spots = [str(notes[0][0].spot + 1) for notes in groups]
    return (
        f"{program}'s template now words tasks no. {', '.join(spots[:-1])} and {spots[-1]} in "
        f"'{said.section}' differently (the template changed, or a name or value it shows "
        f"did): {_issues(refs)} {_keep(refs)} their wording, which still counts, and "
        f"{_get(refs)} no new one; change them by hand where the new wording applies"
    )


def _warning(
    program: str,
    notes: Sequence[tuple[_Said, str]],
    quote: bool,
    people: Mapping[str, str],
) -> str:
    """What a program's warnings say about a task; the task's text is quoted only when QUOTE
    (not in a confidential program: an issue's text may hold a name the redaction no longer
    knows, such as a person's former name), else the task is named by its place."""
    said, refs = notes[0][0], [ref for _, ref in notes]
    where, issues = f"'{said.section}'", _issues(refs)
    if said.kind == _SECTION:  # no task is quoted: nothing to keep from a confidential log
        return (
            f"{program} no longer asks for section {where} (its template, its `sections:`, or "
            f"a value the template reads, such as a role, dropped it): {issues} still "
            f"{_have(refs)} tasks of it and {_keep(refs)} them as they are (they still count, "
            "so an issue is complete only once they are done or deleted; delete them where they "
            "no longer apply, or keep them; the tool does not delete them)"
        )
    task = f"task '{_shown(said.text, said.old)}'" if quote else f"task no. {said.spot + 1}"
    several = quote and len({(note.text, note.old) for note, _ in notes}) > 1  # each its own
    if several:
        task = f"{task} (as the template words it for {refs[0]})"
    if said.kind == _KEPT:
        counts = (
            "it is optional and counts nowhere: delete it where it no longer applies, or keep it"
            if is_optional(said.text)
            else "it still counts: tick it, or delete it where it no longer applies"
        )
        return (
            f"{program} no longer asks for {task} in {where} (its template, or whom or what it "
            f"lists, changed): {issues} still {_have(refs)} it and {_keep(refs)} it as it is "
            f"({counts})"
        )
    if said.kind == _REWORDED and said.old is not None:
        old = f"'{_shown(said.old, said.text)}'" if quote else "its wording"
        if several:  # the issues' earlier wordings differ: the first one's, said as such
            old = f"their earlier wording ({refs[0]}'s: {old})"
        if _mentions_renamed(said, people):
            return (
                f"{program}'s template now words {task} in {where} differently: it mentions "
                f"a person by the username `renamed_from` gave them: {issues} {_keep(refs)} "
                f"{old}, whose mention of their former username no longer reaches them (it "
                "still counts); change the mention by hand"
            )
        return (
            f"{program}'s template now words {task} in {where} differently (the template "
            f"changed, or a name or value it shows did): {issues} {_keep(refs)} {old}, which "
            f"still counts, and {_get(refs)} no "
            "new one; change it by hand where the new wording applies"
        )
    if said.kind == _REWORDED:
        return (
            f"{program} asks for {task} in {where} in place of an earlier one, so it is not "
            f"added to {issues}; add it by hand where it applies"
        )
    return _not_added(program, said, task, issues, refs)


def _mentions_renamed(said: _Said, people: Mapping[str, str]) -> bool:
    """Whether a reworded task mentions a renamed person by their new username where the
    issue's wording mentions the former one (a year's trial: a month's group issue kept
    `@aiko.tanaka`, a dead mention, and the warning said only "task no. 3 ... differently")."""
    was, now = named(said.old or ""), named(said.text)
    return any(former in was and new in now for former, new in people.items())  # lowercase


def _not_added(program: str, said: _Said, task: str, issues: str, refs: Sequence[str]) -> str:
    """What to say of a task the template asks for that is not added to the issues: a
    sub-task whose own task they lost, a task the template moved or copied to another
    section, or one whose section they lack."""
    where = f"'{said.section}'"
    if said.kind in {_MOVED, _COPIED}:
        return _moved(program, said, task, issues, refs)
    if said.kind == _NO_PARENT:
        return (
            f"{program} asks for a new {task} in {where}, nested in a task that {issues} "
            f"no longer {_have(refs)} (reworded or deleted), so it is "
            "not added there; add it by hand where it applies"
        )
    return (
        f"{program} asks for a new {task} in {where}, but {issues} "
        f"{_have(refs)} no heading {where} where GitLab reads tasks, so it is not added there"
    )


def _moved(program: str, said: _Said, task: str, issues: str, refs: Sequence[str]) -> str:
    """What to say of a task the template moved to another section, or copied there: from
    the section it had it in (WAS), and the one the issues have it in (OLD; a person may have
    moved it)."""
    was, kept, where = f"'{said.was}'", f"'{said.old}'", f"'{said.section}'"
    if said.kind == _COPIED:
        return (
            f"{program} now asks for {task} in {where} as well as in {was}: {issues} "
            f"{_have(refs)} it in {kept} already, so it is not added to {where} (a task an "
            "issue had once is not put back); add it by hand where it applies"
        )
    return (
        f"{program} now asks for {task} in {where}, no longer in {was}: {issues} "
        f"{_keep(refs)} it in {kept}, where it counts (the tool moves no task); move it by "
        "hand where it matters"
    )


def _get(refs: Sequence[str]) -> str:
    return "gets" if len(refs) == 1 else "get"


def _have(refs: Sequence[str]) -> str:
    return "has" if len(refs) == 1 else "have"


def _keep(refs: Sequence[str]) -> str:
    return "keeps" if len(refs) == 1 else "keep"


FIRST_SHOWN = 10  # the issues named in the note of those with no record; the rest counted


def _first_run(program: str, refs: Sequence[str]) -> str:
    """The note on open issues with no record of their template tasks: made before template
    changes were tracked, or a person deleted the record's block (a tester: the note blamed
    age, and named no issue to check by hand)."""
    issues = "1 open issue" if len(refs) == 1 else f"{len(refs)} open issues"
    named = ", ".join(refs[:FIRST_SHOWN])
    more = f" and {len(refs) - FIRST_SHOWN} more" if len(refs) > FIRST_SHOWN else ""
    return (
        f"{issues} of {program} ({named}{more}) had no record of their template tasks (made "
        "before template changes were tracked, or its template-tasks block was deleted): each "
        "now records the template's current tasks and gets none added (add by hand a task "
        "the template gained that one lacks); tasks the template gains from now on are added"
    )
