"""Progress of an issue from its ticked tasks, and the scoped labels that show it (pure)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from automation.checklist import TaskCount, count_all, hidden_headings, rename_headings
from automation.config.models import Program, Section
from automation.items import ObservedIssue
from automation.markers import outside_blocks
from automation.rendering import neutralise

PROGRAM_SCOPE = "program"
PHASE_SCOPE = "phase"
PROGRESS_SCOPE = "progress"
STATUS_SCOPE = "status"


class Status(StrEnum):
    """Where an issue stands, as its status label shows it."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    OVERDUE = "overdue"
    COMPLETE = "complete"
    ENDED = "ended"  # its cohort ended before it was complete (lifecycle.py; never measured)
    WITHDRAWN = "withdrawn"  # its person left the program (lifecycle.py; never measured)


@dataclass(frozen=True)
class SectionProgress:
    """Completion of one section (phase or module) of an issue."""

    section: Section
    tasks: TaskCount
    found: bool
    applicable: bool = True  # False when this issue's template leaves the section out


@dataclass(frozen=True)
class Progress:
    """Completion of one issue: per section, overall, current phase and status."""

    sections: tuple[SectionProgress, ...]
    overall: TaskCount
    current_phase: Section | None
    status: Status
    # what the issue records that cannot be read (`11/10` for a score out of 10), each said
    # in its progress block; a task done is taken back for each (see `unread`)
    unread: tuple[str, ...] = ()
    # the phase whose last day is past, not complete, and that day (see `behind`)
    late: tuple[str, dt.date] | None = None
    # declared headings the issue has only where GitLab hides them, in code or a comment
    # (see `measure`): their tasks are not counted, and the issue does not complete
    hidden: tuple[str, ...] = ()

    @property
    def hidden_said(self) -> str:
        """What the progress block says of the HIDDEN headings (empty when there are none)."""
        if not self.hidden:
            return ""
        named = ", ".join(f"'{h}'" for h in self.hidden[:-1])
        named = f"{named} and '{self.hidden[-1]}'" if named else f"'{self.hidden[-1]}'"
        one = len(self.hidden) == 1
        return (
            f"the heading{'' if one else 's'} {named} {'is' if one else 'are'} inside a code "
            "block or an HTML comment (one opened above and never closed, perhaps), so the "
            f"tasks under {'it' if one else 'them'} are not counted, in GitLab either"
        )

    @property
    def has_phases(self) -> bool:
        """Whether any of the issue's sections is a phase (a group's monthly issue has only
        ongoing ones: it never has a current phase, nor completes its phases)."""
        return any(s.applicable and s.section.is_phase for s in self.sections)

    @property
    def phase_shown(self) -> str:
        """What the issue's "current phase" says: the phase, `all phases complete` (`…, other
        tasks open` while tasks under no phase are: a phase the template dropped, say, whose
        tasks still count; `…, ongoing tasks open` while an ongoing section's are), `no
        required tasks left` (a trial: an issue whose every box was gone read "all phases
        complete" beside 0%), or `no phases` (the shipped progress block says nothing of
        phases then; a team's own copy of it from before may still print this)."""
        if self.current_phase is not None:
            return self.current_phase.heading
        if not self.has_phases:
            return "no phases"
        if not self.overall.count:  # every task deleted, or unboxed: none is complete
            return "no required tasks left"
        still = self._open_beyond_phases
        return "all phases complete" + (f", {still} open" if still else "")

    @property
    def phase_cell(self) -> str:
        """The current phase as a table of issues shows it (a rollup, the dashboard): the
        phase, `complete` (`other tasks` or `ongoing tasks` while those are open; `no required
        tasks left` when none counts), or `–` for an issue with no phases."""
        if self.current_phase is not None:
            return self.current_phase.heading
        if not self.has_phases:
            return "–"
        if not self.overall.count:
            return "no required tasks left"
        return self._open_beyond_phases or "complete"

    @property
    def _open_beyond_phases(self) -> str | None:
        """What keeps an issue whose phases are all done from completing: `other tasks` (the
        overall figure counts them under no required section) or `ongoing tasks` (an
        independent oracle: an ESP monthly issue at 63%, overdue, read "complete" in its
        rollup row while its ongoing section had tasks open); None when nothing does."""
        if self.other.completed_count < self.other.count:
            return "other tasks"
        ongoing = (s for s in self.sections if s.applicable and s.section.ongoing)
        open_ = any(s.section.required and not s.tasks.complete for s in ongoing)
        return "ongoing tasks" if open_ else None

    @property
    def other(self) -> TaskCount:
        """The tasks the overall figure counts that no row of a section shows: under a heading
        people added, or one the template no longer has (so the rows add up to the whole)."""
        shown = sum(
            (s.tasks for s in self.sections if s.applicable and s.section.required), TaskCount()
        )
        return TaskCount(
            self.overall.count - shown.count, self.overall.completed_count - shown.completed_count
        )


def measure(
    description: str,
    program: Program,
    due_date: dt.date | None,
    today: dt.date,
    applicable: Sequence[str] | None = None,
) -> Progress:
    """Read an issue's progress from its description, as GitLab would count its tasks.

    `applicable` names the sections this issue's template has (all when None); the others are
    not part of its track and never its current phase. Tasks that say they are optional are
    not counted; nor, in the overall figure, the tasks of sections that are not `required`;
    nor a task a person typed inside one of the tool's blocks (the issue fails until it is
    moved out)."""
    headings = [s.heading for s in program.sections]
    text = rename_headings(outside_blocks(description), program.renamed_headings)
    counted, overall = count_all(text, headings, True)
    for section, c in zip(program.sections, counted, strict=True):
        if not section.required:
            overall = TaskCount(
                overall.count - c.tasks.count, overall.completed_count - c.tasks.completed_count
            )
    sections = tuple(
        SectionProgress(
            section, c.tasks, c.found, applicable is None or section.heading in applicable
        )
        for section, c in zip(program.sections, counted, strict=True)
    )
    status = _status(overall, due_date, today)
    current = None if status is Status.COMPLETE else _current(sections)  # no phase once done
    progress = Progress(sections, overall, current, status)
    lost = [s.section for s in sections if s.applicable and not s.found]
    hidden = hidden_headings(text, [s.heading for s in lost]) if lost else ()
    if not hidden:
        return progress
    progress = replace(progress, hidden=hidden)
    if not any(s.required and s.heading in hidden for s in lost):
        return progress  # a section not counted in the overall figure: said, not held back
    return held_back(progress, due_date, today)


def unread(
    progress: Progress, problems: Sequence[str], due_date: dt.date | None, today: dt.date
) -> Progress:
    """PROGRESS with PROBLEMS, the values the issue records but cannot be read, said in its
    progress block where the person who wrote them sees them; and not complete while there
    are any (a trial: `11/10` typed with every box ticked completed the score issue, the
    answer lost unsaid). Ticks count otherwise (a trial: one bad value kept an ESP account
    plan at 0% for months)."""
    if not problems:
        return progress
    return held_back(replace(progress, unread=(*progress.unread, *problems)), due_date, today)


def held_back(progress: Progress, due_date: dt.date | None, today: dt.date) -> Progress:
    """PROGRESS, not complete: one task done taken back from its last section with one, when
    it was (what it says in its block keeps it from completing)."""
    if progress.status is not Status.COMPLETE:
        return progress
    sections = list(progress.sections)
    counted = [i for i, s in enumerate(sections) if s.applicable and s.section.required]
    for i in reversed(counted):  # none: the task taken back is one under no section's heading
        if sections[i].tasks.completed_count:
            tasks = sections[i].tasks
            sections[i] = replace(sections[i], tasks=TaskCount(tasks.count, tasks.count - 1))
            break
    overall = TaskCount(progress.overall.count, progress.overall.completed_count - 1)
    status = _status(overall, due_date, today)
    return replace(
        progress,
        sections=tuple(sections),
        overall=overall,
        current_phase=_current(sections),
        status=status,
    )


def behind(progress: Progress, phases_due: Mapping[str, dt.date], today: dt.date) -> Progress:
    """PROGRESS overdue when a phase is not complete after its last day (PHASES_DUE, by
    heading: a sponsorship pair's calendar), though the issue's own due date is not past (a
    trial: pairs went from `in progress` to `ended`, never shown behind)."""
    if progress.status not in (Status.NOT_STARTED, Status.IN_PROGRESS):
        return progress
    for s in progress.sections:
        due = phases_due.get(s.section.heading)
        done = s.found and s.tasks.complete
        if due is not None and due < today and s.applicable and s.section.is_phase and not done:
            return replace(progress, status=Status.OVERDUE, late=(s.section.heading, due))
    return progress


def _current(sections: Sequence[SectionProgress]) -> Section | None:
    """The first phase not complete; a phase whose heading is missing is not complete."""
    for s in sections:
        if s.applicable and s.section.is_phase and (not s.found or not s.tasks.complete):
            return s.section
    return None


UNFINISHED = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)  # neither done nor over


def _status(overall: TaskCount, due_date: dt.date | None, today: dt.date) -> Status:
    if overall.count and overall.complete:
        return Status.COMPLETE
    if due_date is not None and today > due_date:
        return Status.OVERDUE
    return Status.IN_PROGRESS if overall.completed_count else Status.NOT_STARTED


def total(progresses: Iterable[Progress], program: Program) -> Progress:
    """Task-weighted completion across issues, per section and overall (a program rollup)."""
    items = list(progresses)
    sections = tuple(
        SectionProgress(
            section,
            sum((p.sections[i].tasks for p in items), TaskCount()),
            any(p.sections[i].found for p in items),
            any(p.sections[i].applicable for p in items) or not items,
        )
        for i, section in enumerate(program.sections)
    )
    overall = sum((p.overall for p in items), TaskCount())
    return Progress(sections, overall, _current(sections), _status(overall, None, dt.date.min))


# --- labels -------------------------------------------------------------------------------

BUCKETS: tuple[tuple[int, int], ...] = ((0, 0), (1, 24), (25, 49), (50, 74), (75, 99), (100, 100))


@dataclass(frozen=True, order=True)
class LabelSpec:
    """A label the tool provisions before any issue uses it."""

    name: str
    color: str
    description: str


def _bucket_name(low: int, high: int) -> str:
    return f"{PROGRESS_SCOPE}::{low}%" if low == high else f"{PROGRESS_SCOPE}::{low}-{high}%"


def progress_label(percent: int) -> str:
    """The progress bucket label for a completion percentage."""
    for low, high in BUCKETS:
        if low <= percent <= high:
            return _bucket_name(low, high)
    raise ValueError(f"percent out of range: {percent}")


def program_label(program: Program | str) -> str:
    """The label every issue of a program (or program id) carries; the tool finds its issues
    by it."""
    return f"{PROGRAM_SCOPE}::{program if isinstance(program, str) else program.id}"


def program_label_description(program: Program) -> str:
    """The description the tool gives a program's label when it creates it: a label renamed
    in GitLab keeps it (renames.py, `renamed_label`). GitLab renders it as Markdown: the name
    is shown as typed, as in issue text (an attacker's trial: `@all`, `<!--` went in raw)."""
    return f"Program: {neutralise(program.name)} (managed)"


def program_label_descriptions(program: Program) -> tuple[str, ...]:
    """The description a program's label may have: this version's, as GitLab keeps it
    (`kept_label_text`), or as it was sent (a GitLab or a copy that keeps it so), or the one
    an earlier version gave a label it created (the name as it is typed)."""
    sent = program_label_description(program)
    return (kept_label_text(sent), sent, f"Program: {program.name} (managed)")


def kept_label_text(sent: str) -> str:
    """A label's description as GitLab keeps what the tool sent (the model's
    `CGI.unescapeHTML(Sanitize.clean(value))`): the character references the tool wrote are
    decoded (`&amp;` is kept as `&`), and a non-breaking space is kept as `&nbsp;`, the one
    entity that unescapeHTML leaves. The tool sends no tag and no comment (`neutralise`)."""
    return html.unescape(sent).replace("\u00a0", "&nbsp;")


def program_of(label: str) -> str | None:
    """The program id a program label names; None for any other label."""
    prefix = program_label("")
    return label.removeprefix(prefix) if label.startswith(prefix) and label != prefix else None


def phase_label(section: Section) -> str:
    """The label of a current phase, as its file writes it (composed, it changed the labels
    of Korean and Hindi teams' files on upgrading: a reviewer)."""
    return f"{PHASE_SCOPE}::{section.label_value}"


def status_label(status: Status) -> str:
    """The label of a status."""
    return f"{STATUS_SCOPE}::{status.value}"


def issue_labels(program: Program, progress: Progress) -> frozenset[str]:
    """The managed labels a tracked issue should carry now."""
    labels = {
        program_label(program),
        progress_label(progress.overall.percent),
        status_label(progress.status),
    }
    if progress.current_phase is not None:
        labels.add(phase_label(progress.current_phase))
    return frozenset(labels)


def label_specs(program: Program) -> tuple[LabelSpec, ...]:
    """Every label the program's issues can carry, with colour and description."""
    specs = [
        LabelSpec(program_label(program), "#6699cc", program_label_description(program)),
        *(
            LabelSpec(phase_label(s), "#8fbc8f", "Current phase of a program issue (managed)")
            for s in program.phases
        ),
        *(
            LabelSpec(_bucket_name(low, high), "#d9d9d9", "Share of tasks done (managed)")
            for low, high in BUCKETS
        ),
        *(
            LabelSpec(status_label(status), _STATUS_COLOURS[status], "Issue status (managed)")
            for status in Status
        ),
    ]
    return tuple(specs)


_STATUS_COLOURS = {
    Status.NOT_STARTED: "#cccccc",
    Status.IN_PROGRESS: "#428bca",
    Status.OVERDUE: "#d9534f",
    Status.COMPLETE: "#5cb85c",
    Status.ENDED: "#6f42c1",
    Status.WITHDRAWN: "#8c8c8c",
}


def removable_labels(program: Program) -> frozenset[str]:
    """Labels the tool may take off an issue: its own phase, progress and status values.

    Other labels people add stay (see `label_changes` for the tool's scopes). A renamed
    program's former label is the tool's too: it goes once the issue carries the new one.
    """
    own = frozenset(s.name for s in label_specs(program)) - {program_label(program)}
    # a section's phase label once it is no phase (made `ongoing` or not required, its
    # `label:` kept): the tool's value still, gone from label_specs (a reviewer: a program
    # left with no phase kept its issues' last phase label for good); not a section's that
    # never had a label of its own (a person's `phase::Group call` on a group issue stays)
    former = frozenset(phase_label(s) for s in program.sections if s.label and not s.is_phase)
    return own | former | ({program_label(program.renamed_from)} if program.renamed_from else set())


def label_scope(label: str) -> str | None:
    """A scoped label's scope as GitLab reads it (all before the last `::`); None if unscoped."""
    return label.rsplit("::", 1)[0] if "::" in label else None


TOOL_SCOPES = frozenset({PHASE_SCOPE, PROGRESS_SCOPE, STATUS_SCOPE})  # the tool sets their values


def cleared_scopes(progress: Progress) -> frozenset[str]:
    """The tool's scopes an issue should carry no value of: the phase, once every phase of
    an issue with phases is done (a tester: a phase made `required: false`, `ongoing` or
    taken out of `sections` left its label on issues still in progress, for good)."""
    phased = progress.has_phases and progress.current_phase is None
    return frozenset({PHASE_SCOPE}) if phased else frozenset()


def label_changes(
    current: Sequence[str],
    wanted: frozenset[str],
    removable: frozenset[str],
    cleared: frozenset[str] = frozenset(),
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Labels to add and to remove so an issue shows `wanted`, touching nothing else. A scope
    of the tool's where it sets a value holds that value alone, as on GitLab Premium, where
    a person's value takes the tool's off and the tool's, put back, takes the person's off:
    on Free too, then, a value no longer in the configuration (a phase renamed) goes, and so
    does a `status::blocked` a person added beside the tool's value (a Free trial: an issue
    sat in two status columns of a board for a month); once an issue is complete, no phase
    value stays (a label a person put on an issue without phases does), nor any value of a
    scope CLEARED."""
    have = set(current)
    add = tuple(sorted(wanted - have))
    replaced = ({label_scope(label) for label in wanted} & TOOL_SCOPES) | cleared
    if status_label(Status.COMPLETE) in wanted:
        replaced.add(PHASE_SCOPE)  # complete: the tool's phase value is none
    stale = {label for label in have if label_scope(label) in replaced}
    remove = tuple(sorted(((have & removable) | stale) - wanted))
    return add, remove


def overall_counter(
    programs: Iterable[Program], today: dt.date
) -> Callable[[ObservedIssue], TaskCount | None]:
    """An issue's overall figure as its program counts it (optional tasks and sections that
    are not required left out); None for an issue of no program given."""
    by_label = {program_label(p): p for p in programs}

    def overall(issue: ObservedIssue) -> TaskCount | None:
        program = next((by_label[label] for label in issue.labels if label in by_label), None)
        if program is None:
            return None
        return measure(issue.description, program, issue.due_date, today).overall

    return overall
