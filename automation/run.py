"""One run from configuration to writes: load, render, observe, plan, and apply in rounds."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from automation.actions import ALL_STEPS, CreateLabel, Observed, Plan
from automation.applier import Listener, Outcome, Writer, execute
from automation.blocks import (
    COMPLETION_TEMPLATE,
    EPIC_TEMPLATE,
    PROGRESS_TEMPLATE,
    ROLLUP_TEMPLATE,
    Blocks,
)
from automation.config.loader import Loaded, load_config
from automation.config.models import SLUG_PATTERN, Program
from automation.config.source import Source
from automation.desired import DesiredIssue, DesiredProgram
from automation.elsewhere import (
    Lister,
    Records,
    claiming,
    others,
    read_records,
    recorded,
    unread,
    unrecorded,
)
from automation.epics import NO_EPICS, elsewhere_to_read, epics_to_read
from automation.errors import (
    STOPS,
    ConfigError,
    Problem,
    TrackerUnavailable,
    UsageError,
    carry,
)
from automation.exposure import refused_writes
from automation.identity import find_tracking, program_index, to_fetch
from automation.incremental import Incremental, acceptable
from automation.index import INDEX_LIMIT
from automation.items import DESCRIPTION_LIMIT, IssueLinks, ObservedEpic, ObservedIssue, size_of
from automation.keyindex import index_size
from automation.kinds import desired_programs
from automation.kinds.registry import kind_of
from automation.lifecycle import sample_rows, samples
from automation.lock import RunLock, locked
from automation.missed import (
    asked_late,
    begun_long_ago,
    cautions,
    made_past,
    made_too_late,
    missed_periods,
    skipped_at_start,
)
from automation.planner import calendar_refused, plan_program
from automation.privacy import Privacy, names_of, privacy_of, unnamed
from automation.progress import measure, program_label, program_of
from automation.pruned import in_former_groups
from automation.reminders.notes import DIGEST_TEMPLATE, NOTE_TEMPLATE
from automation.reminders.observe import plan_reminders
from automation.reminders.samples import sample_notes
from automation.renames import (
    aliases,
    label_renamed,
    renamed_label,
    renamed_unsaid,
    with_former_label,
)
from automation.rendering import Renderer
from automation.rowledger import NOTHING_KEPT, LedgerRow, StaleLedger
from automation.trackers.base import ChangeLog, Tracker, open_ones_carry
from automation.unchanged import concerned

MAX_ROUNDS = 3  # creating issues makes their references known; a later round fills them in


class Widen(Exception):
    """A run that checks only the programs whose issues changed found, before writing, that
    PROGRAMS it left out hold some of its issues (observe_all): it must check them too."""

    def __init__(self, programs: frozenset[str]) -> None:
        super().__init__(", ".join(sorted(programs)))
        self.programs = programs


FIRST_RUN_SAMPLE = 20  # the issues of a program `validate` plans a first run of


@dataclass(frozen=True)
class Prepared:
    """A validated configuration, rendered into the issues it asks for."""

    loaded: Loaded
    blocks: Blocks
    programs: tuple[DesiredProgram, ...]
    reveal: bool = False  # outputs may name confidential items (local files, own screen)
    # the programs left out only because none of their issues changed (unchanged.py)
    widenable: frozenset[str] = frozenset()
    # each program's last plan and what it was planned from (see `planned`)
    plans: dict[str, tuple[tuple[Observed, dt.date, Mapping[str, LedgerRow]], Plan]] = field(
        default_factory=dict
    )

    @functools.cached_property
    def privacy(self) -> Privacy:
        """What outputs hide: the confidential items and the people in them (worked out once);
        nothing but terminal escapes when outputs may reveal them."""
        if self.reveal:
            return Privacy()
        rendered = {desired.program.id for desired in self.programs}
        others = [
            p.model_dump()
            for p in self.loaded.config.programs
            if p.id not in rendered and p.outputs_hidden
        ]
        people = self.loaded.config.people
        return privacy_of(self.programs, people, [*others, *self.loaded.withheld])

    def first_runs(self, today: dt.date) -> None:
        """Plan each program's first run, on a tracker that holds nothing, and drop the plans:
        the block templates (progress, rollup, charts, derived blocks) render as `plan`
        renders them, so `validate` refuses what `plan` would (a fuzzing trial: `{{ nosuch }}`
        in templates/blocks/progress.md.j2 passed validate, and every run after the merge
        stopped at it). A few of each program's issues do (a review: planning 10,000 took
        validate from 20 s to 43 s). The notes and blocks of later events, a withdrawal, a
        group's or account's end, a reminder, are rendered too, with these issues' values
        (a misspelt name in withdrawn-note.md.j2 passed validate, and the day a participant
        left, every program's run stopped at it)."""
        problems: list[Problem] = []
        people = names_of((p.username, p.name) for p in self.loaded.config.people)
        for desired in self.programs:
            try:
                self._rehearse(desired, today)
            except ConfigError as error:  # a confidential program's name nobody (a review)
                hidden = desired.program.outputs_hidden
                problems += unnamed(error.problems, people) if hidden else error.problems
        once: dict[tuple[str, int], Problem] = {}  # a shared template's mistake once
        for problem in problems:
            once.setdefault((problem.file, problem.line), problem)
        if once:
            raise ConfigError(list(once.values()))
        self.blocks.completion(today)  # (no issue is complete on a first run)

    def _rehearse(self, desired: DesiredProgram, today: dt.date) -> None:
        """A program's first run, and its later events' texts, with a few of its issues."""
        sample = replace(desired, issues=desired.issues[:FIRST_RUN_SAMPLE])
        plan_program(sample, Observed(), self.blocks, today)
        rows = sample_rows(sample, today)
        samples(sample, rows, self.blocks, today, reason=desired.program.name)
        sample_notes(sample, self.blocks.renderer, today)

    @functools.cached_property
    def usernames(self) -> frozenset[str]:
        """The roster's usernames, lowercased: whom the tool's writes may mention."""
        return frozenset(p.username.lower() for p in self.loaded.config.people)

    def roster(self, name: str) -> bool:
        return name.lower() in self.usernames

    def planned(
        self,
        desired: DesiredProgram,
        observed: Observed,
        today: dt.date,
        kept: Mapping[str, LedgerRow] = NOTHING_KEPT,
    ) -> Plan:
        """A program's plan (KEPT: the rows of the issues OBSERVED holds as their ledger's
        stubs, incremental.py). Planning is a function of these inputs alone, so a program
        observed just as in the run's last plan of it (before taking the run lock, say) gets
        that plan again without planning anew."""
        inputs = (observed, today, kept)
        last = self.plans.get(desired.program.id)
        if last is not None and last[0] == inputs:
            return last[1]
        planned = plan_program(desired, observed, self.blocks, today, kept)
        plan = refused_writes(planned, self.roster)
        self.plans[desired.program.id] = (inputs, plan)
        return plan


def prepare(
    config_dir: Path,
    templates_dir: Path,
    today: dt.date,
    only: Sequence[str] = (),
    among: Collection[str] | None = None,
    *,
    deferred: Collection[str] = (),
) -> Prepared:
    """Load and check configuration and templates; ConfigError lists every problem found.
    Every program is checked; only those in ONLY, and AMONG (by id, or former id while
    renamed) when given, are rendered. DEFERRED: programs whose issues' bodies are rendered
    when first read (later.py), which a record's run rendered without a problem today."""
    checker = Renderer(templates_dir, [])
    loaded = load_config(
        config_dir,
        lambda program, source: _template_problems(checker, program, source),
        only,
        templates_dir,
        _shared_template_problems(checker),
        today=today,
    )
    known = loaded.ids
    unknown = [name for name in only if name not in known]
    if unknown:  # the command line's mistake, not a file's line (a tester)
        named = ", ".join(f"--program {name}" for name in unknown)
        raise UsageError(
            f"{named}: no program with {'that id' if len(unknown) == 1 else 'those ids'} in "
            f"{config_dir / 'programs'}; known: {', '.join(known)}"
        )
    renderer = checker  # each template compiled once a run
    renderer.admit([p.username for p in loaded.config.people])

    def chosen(program: Program) -> bool:
        return (not only or program.id in only) and (
            among is None or concerned(among, program.id, program.renamed_from)
        )

    programs = desired_programs(loaded, renderer, today, chosen, deferred=deferred)
    rendered = {desired.program.id for desired in programs}
    left = (p.id for p in loaded.read if not only or p.id in only)
    return Prepared(loaded, Blocks(renderer), programs, widenable=frozenset(left) - rendered)


def _template_problems(renderer: Renderer, program: Program, source: Source) -> list[Problem]:
    """A program's templates exist and parse."""
    problems: list[Problem] = []
    for loc, name in program.template_files():
        if renderer.exists(name):
            problems.extend(renderer.check(name))
        else:
            problems.append(source.problem(loc, renderer.not_found(name)))
    for loc, name in _own_templates(program):
        if not renderer.exists(name):
            problems.append(
                source.problem(
                    loc,
                    f"templates/{name} is missing: the tool renders it for this program; copy it "
                    "from the release's templates/ folder",
                )
            )
    return problems


def _own_templates(program: Program) -> list[tuple[tuple[str, ...], str]]:
    """The template files the tool renders for a program that its file does not name: its
    kind's blocks, its reminders' note or digest (a reviewer: a repository made before
    reminders existed validated, and failed on the day a reminder fell due)."""
    own: list[tuple[tuple[str, ...], str]] = [
        (("kind",), n) for n in kind_of(program).templates(program)
    ]
    if program.reminders.send:
        digest = program.reminders.digest
        own.append((("reminders",), DIGEST_TEMPLATE if digest else NOTE_TEMPLATE))
    return own


def _shared_template_problems(renderer: Renderer) -> list[Problem]:
    """The block layouts parse, and no template file has lines GitLab would act on or leads
    outside templates/: checked whatever the program files say, so a program file with
    problems of its own does not hide them."""
    problems: list[Problem] = []
    for name in (PROGRESS_TEMPLATE, ROLLUP_TEMPLATE, EPIC_TEMPLATE, COMPLETION_TEMPLATE):
        problems.extend(renderer.check(name))
    problems.extend(renderer.check_all())
    return problems


ROLLUP_ALLOWANCE = 120_000  # a rollup block lists at most 150 rows and 100 groups


def size_warnings(desired: DesiredProgram) -> list[str]:
    """Descriptions that would come near GitLab's limit (over half of it, not over it)."""
    return [
        f"'{title}' would be about {size:,} bytes long, over half of GitLab's limit of "
        f"{DESCRIPTION_LIMIT:,} bytes; {fix}"
        for title, size, fix in _sizes(desired)
        if DESCRIPTION_LIMIT // 2 < size <= DESCRIPTION_LIMIT
    ]


def size_errors(desired: DesiredProgram) -> list[str]:
    """Descriptions over GitLab's limit: every run would fail to write them (a tester's
    finding: `validate` said the configuration was valid, and each `apply` failed them)."""
    return [
        f"'{title}' would be about {size:,} bytes long, over GitLab's limit of "
        f"{DESCRIPTION_LIMIT:,} bytes, so it could not be written; {fix}"
        for title, size, fix in _sizes(desired)
        if size > DESCRIPTION_LIMIT
    ]


def _sizes(desired: DesiredProgram) -> list[tuple[str, int, str]]:
    """Each description's size, with what would shorten it: a rendered issue, or the tracking
    issue once its rollup (and index of keys, up to where it moves) is filled in, or the index
    issue once it holds the index."""
    index = index_size(desired)
    tracking = size_of(desired.tracking.description) + ROLLUP_ALLOWANCE + min(index, INDEX_LIMIT)
    shorten = "shorten its template"
    sizes = [(i.title, size_of(i.description), shorten) for i in desired.every_issue()]
    split = f"{shorten}, or split the program into cohorts"
    sizes.append((desired.tracking.title, tracking, split))
    if desired.index is not None:
        size = size_of(desired.index.description) + index
        sizes.append((desired.index.title, size, "split the program into cohorts"))
    return sizes


def same_titles(desired: DesiredProgram) -> list[str]:
    """Group rollup issues that would have one title (whatever its case): nobody tells them
    apart in GitLab's lists (a trial: two workshops in one geo on the same dates, one virtual,
    one in Amsterdam). One warning a title."""
    by_title: dict[str, list[DesiredIssue]] = {}
    for rollup in desired.rollups:
        by_title.setdefault(rollup.title.casefold(), []).append(rollup)
    return [_same_title(desired, same) for same in by_title.values() if len(same) > 1]


def _same_title(desired: DesiredProgram, same: list[DesiredIssue]) -> str:
    names = [repr(item.key.split("/")[1]) for item in same]
    groups = f"{', '.join(names[:-1])} and {names[-1]}"
    return (
        f"{desired.program.id}: the rollup issues of groups {groups} would have the same title, "
        f"'{same[0].title}': nobody could tell them apart in GitLab's lists; make the "
        "program's `group_title` tell them apart"
    )


def uncounted_warnings(desired: DesiredProgram, today: dt.date) -> list[str]:
    """Tracked issues with no task that counts towards their completion (each optional, or in
    a section that is `required: false`): they could never complete. One warning a program."""
    never = [
        item.title
        for item in desired.issues
        if item.create
        and not measure(
            item.description, desired.program, item.due_date, today, item.sections
        ).overall.count
    ]
    if not never:
        return []
    more = f" (and {len(never) - 1} more)" if len(never) > 1 else ""
    return [
        f"{desired.program.id}: '{never[0]}'{more} would have no task that counts towards its "
        "completion (its template has none, or each is optional or in a section that is "
        "`required: false`), so it could never complete"
    ]


class _FellBack(Exception):
    """A program read from its ledger is to be listed and planned in full after all."""

    def __init__(self, desired: DesiredProgram) -> None:
        super().__init__(desired.program.id)
        self.desired = desired


def make_plan(
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    steps: frozenset[str] = ALL_STEPS,
    *,
    widen: bool = False,
    created: Mapping[int, str] | None = None,
    lists: Lists | None = None,
) -> Plan:
    """Observe the tracker and plan every chosen program, limited to some steps (no writes);
    LISTS: the run's lists of program issues, which may read a program from its ledger (the
    tracker's lists, read now, by default); WIDEN, and CREATED (`made`): see observe_all."""
    while True:
        try:
            return _make_plan(prepared, tracker, today, steps, widen, created, lists)
        except _FellBack as stop:  # (only with LISTS): it lists the program in full this time
            if lists is None:  # (none: no row is kept without LISTS)
                raise
            lists.fall_back(stop.desired)


def _make_plan(  # noqa: PLR0917
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    steps: frozenset[str],
    widen: bool,
    created: Mapping[int, str] | None,
    lists: Lists | None,
) -> Plan:
    labels = tracker.label_names()
    epics = tracker.epics_available()
    shown = prepared.privacy
    plan = Plan()
    listing = lists.listed if lists is not None else None
    everyone = observe_all(prepared, tracker, labels, epics, listing, widen=widen, made=created)
    for desired, seen in everyone:
        kept = _kept(lists, desired, seen, steps)
        observed, planned = _planned(prepared, tracker, desired, seen, today, kept)
        if kept and lists is not None:
            lists.used(desired)
        if "remind" in steps and not calendar_refused(desired, observed.issues):
            # its reads only when reminders are to be sent; an issue over as it was (a hire
            # ended with no workshop, given one later) is reminded of nothing
            held = in_former_groups(desired, observed.issues, today)
            real = _unstubbed(observed, kept)
            planned += plan_reminders(held, real, tracker, prepared.blocks.renderer, today)
        if "create" in steps:  # said by the run that makes them, not by an hourly sync
            made = (*made_past(desired, planned.actions, today),)
            made += asked_late(desired, planned.actions, today)
            made += begun_long_ago(desired, planned.actions, today)
            had = {issue.key for issue in observed.issues if issue.key}
            made += skipped_at_start(desired, planned.actions, had, today)
            planned += Plan(warnings=cautions(desired, planned.actions), notices=made)
        if planned.warnings or planned.public:  # what stands until fixed (unchanged.py)
            planned = replace(planned, warned=frozenset({desired.program.id}))
        plan += _said_about(desired.program.id, planned, shown)
    plan += Plan(notices=_unknown_programs(prepared, labels, tracker))
    if not prepared.loaded.config.settings.gitlab.epics:  # chosen: nothing to tell
        plan = replace(plan, notices=tuple(n for n in plan.notices if n != NO_EPICS))
    return plan.only(steps)


def _kept(
    lists: Lists | None, desired: DesiredProgram, seen: Observed, steps: frozenset[str]
) -> Mapping[str, LedgerRow]:
    """The rows of the issues SEEN holds as their ledger's stubs (incremental.py); a program
    whose reminders gather in a week's digest is listed in full (the digest lists them all)."""
    kept = lists.kept(desired, seen.issues) if lists is not None else NOTHING_KEPT
    reminders = desired.program.reminders
    if kept is None or (kept and "remind" in steps and reminders.send and reminders.digest):
        raise _FellBack(desired)
    return kept


def _unstubbed(observed: Observed, kept: Mapping[str, LedgerRow]) -> Observed:
    """OBSERVED without the stubs of KEPT rows: their reminders were sent (or said) by the
    run that left nothing to do today (the record), and a stub holds no tasks to remind of."""
    if not kept:
        return observed
    stubs = {row.iid for row in kept.values()}
    return replace(observed, issues=tuple(i for i in observed.issues if i.iid not in stubs))


def _planned(  # noqa: PLR0917
    prepared: Prepared,
    tracker: Tracker,
    desired: DesiredProgram,
    seen: Observed,
    today: dt.date,
    kept: Mapping[str, LedgerRow] = NOTHING_KEPT,
) -> tuple[Observed, Plan]:
    """A program's plan, and what it was planned from (KEPT: see Prepared.planned)."""
    try:
        planned = prepared.planned(desired, seen, today, kept)
    except StaleLedger:  # (only with KEPT rows)
        raise _FellBack(desired) from None
    if kept and not acceptable(planned):
        raise _FellBack(desired)
    if not planned.creates_issues or _has_index(seen, desired):
        return seen, planned
    # no record of keys yet (a new program, or the first run of this version): a key may sit
    # on an issue that lost its program label, so look through the project
    observed = _relabelled(desired, replace(seen, keyed=tracker.keyed_issues()))
    observed = _epics_they_sit_in(tracker, desired, observed)
    planned = _unless_renamed(
        prepared, desired, observed, prepared.planned(desired, observed, today), today
    )
    return observed, planned + Plan(notices=_relabelled_said(desired, seen, observed))


def _relabelled(desired: DesiredProgram, observed: Observed) -> Observed:
    """OBSERVED with the tool's issues that carry a key of the program and no program label,
    listed as if they had its label, when that label is gone from GitLab: deleted, it left
    every issue (an operations trial: each failed, one line apiece, on every run, while the
    run made the label again and put it back on the epics). One label a person took off an
    issue leaves the label in GitLab, and that issue fails, for a person to decide."""
    label = program_label(desired.program)
    if label in observed.labels:
        return observed
    ours = [
        issue
        for issue in observed.keyed.values()
        if issue.by_tool
        and (issue.key or "").split("/", 1)[0] == desired.program.id
        and not any(program_of(name) for name in issue.labels)
    ]
    return replace(observed, issues=(*observed.issues, *ours)) if ours else observed


def _relabelled_said(
    desired: DesiredProgram, seen: Observed, observed: Observed
) -> tuple[str, ...]:
    """What a run that puts a deleted program label back says, once."""
    count = len(observed.issues) - len(seen.issues)
    if count == 0:
        return ()
    return (
        f"{desired.program.id}: the label {program_label(desired.program)} is not in GitLab "
        f"(deleted?): made again, and put back on the tool's issues that carry this program's "
        f"keys ({count})",
    )


def _unless_renamed(
    prepared: Prepared, desired: DesiredProgram, observed: Observed, planned: Plan, today: dt.date
) -> Plan:
    """A new program that looks like another renamed without `renamed_from` creates nothing
    but its labels, and says so (renames.py); not that its people's issues were never made
    (a configuration trial read, beside it, that nine hires' time was over with no issue, and
    to take them out of `hires`)."""
    if observed.issues:
        return planned
    said = renamed_unsaid(desired, observed.keyed, known_programs(prepared))
    if said is None:
        return planned
    labels = tuple(a for a in planned.actions if isinstance(a, CreateLabel))
    unfound = {*missed_periods(desired, {}, today), *made_too_late(desired, (), today)}
    warnings = tuple(w for w in planned.warnings if w not in unfound)
    return replace(planned, actions=labels, warnings=(*warnings, said))


def known_programs(prepared: Prepared) -> frozenset[str]:
    """Every program id configuration defines, and the former ids of renamed ones."""
    renamed = (p.renamed_from for p in prepared.loaded.config.programs if p.renamed_from)
    return frozenset((*prepared.loaded.ids, *renamed))


def _unknown_programs(
    prepared: Prepared, labels: Collection[str], tracker: Tracker
) -> tuple[str, ...]:
    """Open issues of this project that carry a program label no file defines (a program
    removed, or its id changed without `renamed_from`): no longer kept up to date, which
    nothing else would say. A request per such label, in a run over every program (a label
    of another deployment in the same group has no issue here, and says nothing)."""
    if len(prepared.programs) < len(prepared.loaded.ids):  # --program, an event: not all
        return ()
    known = known_programs(prepared)
    said = []
    for label in sorted(labels):
        name = program_of(label)
        if name is None or name in known:
            continue
        left = tracker.any_open(label)
        owner = _owner(prepared, tracker, label) if left else None
        if owner is not None:  # the same label, renamed in GitLab: not a program's rename
            said.append(label_renamed(label, owner, left))
        elif left:
            said.append(_no_program(label, name, left))
    return tuple(said)


def _owner(prepared: Prepared, tracker: Tracker, label: str) -> Program | None:
    """The program whose label LABEL is, renamed in GitLab (renames.py); no request more
    (the label list and the open issue counted are read already)."""
    programs = prepared.loaded.config.programs
    description, issue = tracker.label_description(label), tracker.first_open(label)
    return renamed_label(description, issue, programs)


def _no_program(label: str, name: str, left: int) -> str:
    """What to do about open issues that carry a program label naming no program: a program
    renamed without `renamed_from`, or ended; a label a person renamed in GitLab, when its
    name cannot be a program's id."""
    carry = f"{open_ones_carry(left)} the label {label}"
    if re.fullmatch(SLUG_PATTERN, name) is None:
        return (
            f"{carry}, which names no program in config/programs/ and cannot be a program's "
            "id: no longer kept up to date. If it is a program's label renamed in GitLab, "
            "rename it back to program::<the program's id> in the group's labels; if the "
            f"program has ended, close them {_KEEP_LABEL}"
        )
    return (
        f"{carry}, which names no program in config/programs/: no longer kept up to date by "
        f"this configuration. If the program was renamed, give the new one `renamed_from: "
        f"{name}`; if it has ended, close them {_KEEP_LABEL}. If another programs repository "
        "keeps it in this project, leave them (README: One project, one deployment)"
    )


# a tester: deleting a label takes it off every issue, closed ones too, for good
_KEEP_LABEL = (
    "(and keep the label: deleted, it would leave every issue of the program, closed ones too)"
)


def _said_about(program: str, plan: Plan, shown: Privacy) -> Plan:
    """A program's plan with its warnings and notices as outputs may show them (a
    confidential program's people hidden), since the plan's text no longer says whose."""
    warnings = tuple(shown.about(program, w) for w in plan.warnings)
    notices = tuple(shown.about(program, n) for n in plan.notices)
    return replace(plan, warnings=warnings, notices=notices)


def observe_all(
    prepared: Prepared,
    tracker: Tracker,
    labels: frozenset[str],
    epics: bool,
    listed: Lister | None = None,
    *,
    widen: bool = False,
    made: Mapping[int, str] | None = None,
) -> list[tuple[DesiredProgram, Observed]]:
    """Every chosen program observed, each with the issues other programs' records of keys
    hold (elsewhere.py): those of the programs observed, and, when one of these shows an issue
    its own record does not hold, those of the programs the run leaves out, each read from its
    label's list. WIDEN (a plan before any write): raise Widen when such a program, left out
    only because none of its issues changed, holds one of those issues (a person pasted
    another program's first line and label over it) or its record cannot be read: its own
    issue is changed, and its figures with it. MADE: the issues this run created (iid ->
    program): the program's own that its list shows, whatever other records say, and the
    next run's record holds (a privacy trial: ESP's tracking issue not made, its record
    unreadable, held back every issue the other programs had just made)."""
    seen = [(d, observe(tracker, d, labels, epics, listed)) for d in prepared.programs]
    records = {d.program.id: recorded(d.program, _with_fetched(o)) for d, o in seen}
    ours = {d.program.id: _made_for(made or {}, d.program.id) for d, _ in seen}
    strays = frozenset().union(
        *(unrecorded(d.program, o.issues, _own(records, ours, d.program.id)) for d, o in seen)
    )
    if strays:
        left = [p for p in prepared.loaded.read if p.id not in records]
        found = read_records(left, listed or tracker.program_issues, tracker.get_issue)
        records |= found
        claimed = claiming(found, strays) & prepared.widenable
        if widen and claimed:
            raise Widen(claimed)
    return [(d, _told(o, records, d.program.id, ours[d.program.id])) for d, o in seen]


def _made_for(made: Mapping[int, str], program_id: str) -> frozenset[int]:
    return frozenset(iid for iid, program in made.items() if program == program_id)


def _own(records: Records, ours: Mapping[str, frozenset[int]], program_id: str) -> frozenset[int]:
    """The issues a program's record holds, and those this run made for it."""
    return (records[program_id] or frozenset()) | ours[program_id]


def _told(observed: Observed, records: Records, program_id: str, made: frozenset[int]) -> Observed:
    """OBSERVED with what the other programs' RECORDS say (elsewhere.py), and the issues
    this run MADE for the program."""
    theirs, unknown = others(records, program_id), unread(records, program_id)
    return replace(observed, recorded_elsewhere=theirs, unread_elsewhere=unknown, made=made)


def _with_fetched(observed: Observed) -> list[ObservedIssue]:
    return [*observed.issues, *(i for i in observed.fetched.values() if i is not None)]


def observe(
    tracker: Tracker,
    desired: DesiredProgram,
    labels: frozenset[str],
    epics: bool,
    listed: Lister | None = None,
) -> Observed:
    """One program's state: one issue list, plus its epics or its tracking issue's links."""
    program = desired.program
    issues = with_former_label(listed or tracker.program_issues, program)  # two if renamed
    wanted = [item.key for item in desired.every_issue()]
    renamed = aliases(desired.every_issue())
    fetched: dict[int, ObservedIssue | None] = {}
    for _ in range(2):  # the second time, what an index issue that lost its label names
        some = [issue for issue in fetched.values() if issue is not None]
        fetch = to_fetch(issues, wanted, _tracking(desired), renamed, some) - set(fetched)
        fetched |= {iid: tracker.get_issue(iid) for iid in fetch}
    if epics:
        found = with_former_label(tracker.program_epics, program)
        _not_elsewhere(tracker, desired, issues, found)
        observed = Observed(issues, labels, found, fetched=fetched)
        return _epics_they_sit_in(tracker, desired, observed)
    tracking = find_tracking(issues, _tracking(desired), renamed, desired.tracking.title)
    links = tracker.issue_links(tracking.iid) if tracking else IssueLinks()
    return Observed(issues, labels, None, links, fetched=fetched)


def _not_elsewhere(
    tracker: Tracker,
    desired: DesiredProgram,
    issues: Sequence[ObservedIssue],
    epics: Sequence[ObservedEpic],
) -> None:
    """Stop the run, before it writes, when the project holds none of a program's issues
    while the program's epic holds them in another project: GitLab gives the old path of a
    project renamed or moved to a new project made at it, and every issue would be made
    again there (one read, only while the project holds none of them)."""
    if any(issue.key for issue in issues):
        return
    top = next((e for e in epics if e.key and e.key == desired.tracking.epic_key), None)
    where = tracker.held_elsewhere(top.iid) if top is not None else None
    if top is not None and where is not None:
        ours = ", ".join(f"&{e.iid}" for e in sorted(epics, key=lambda e: e.iid) if e.key)
        raise TrackerUnavailable(
            f"program {desired.program.id}: its epic &{top.iid} holds its issues in "
            f"another project ({where}), and this one has none: a project renamed or moved "
            "leaves its old path to a new project made at it. Set gitlab.project in "
            "config/settings.yml to the project that holds them (its path, or its id in "
            "quotes); to start the program over in this project instead, take its label off "
            f"its epics ({ours}): new ones are made"
        )


def _epics_they_sit_in(tracker: Tracker, desired: DesiredProgram, observed: Observed) -> Observed:
    """OBSERVED with the epics its issues sit in that its label does not list, each read
    once, and only while an epic configuration asks for is not among those listed (one that
    lost its identity line or its label is found again by them: epics.py)."""
    if observed.epics is None:
        return observed
    fetched = (issue for issue in observed.fetched.values() if issue is not None)
    issues = (*observed.issues, *fetched, *observed.keyed.values())
    wanted = epics_to_read(desired, issues, observed.epics) - set(observed.read_epics)
    others = elsewhere_to_read(desired, issues, observed.epics) - set(observed.read_elsewhere)
    if not wanted and not others:
        return observed
    read = {iid: tracker.get_epic(iid) for iid in sorted(wanted)}
    elsewhere = {at: tracker.get_epic_in(*at) for at in sorted(others)}
    return replace(
        observed,
        read_epics={**observed.read_epics, **read},
        read_elsewhere={**observed.read_elsewhere, **elsewhere},
    )


def _tracking(desired: DesiredProgram) -> str:
    return desired.tracking.key


def _has_index(observed: Observed, desired: DesiredProgram) -> bool:
    renamed = aliases(desired.every_issue())
    return program_index(observed.issues, _tracking(desired), renamed) is not None


@dataclass
class Lists:
    """The issue lists a run's plans read: the first plan reads them; a later one (under the
    run lock, or the next round) gets them brought up to date from the issues GitLab shows
    changed since (a request per 100 such issues, instead of a page per 100 listed). Labels,
    epics and links are read again in any case."""

    tracker: Tracker
    lists: dict[str, tuple[ObservedIssue, ...]] = field(default_factory=dict)
    since: dt.datetime | None = None  # the tracker's time before the lists were read
    ledgers: Incremental | None = None  # programs read from their ledgers (incremental.py)

    def listed(self, label: str) -> tuple[ObservedIssue, ...]:
        """The label's issues: the remembered list, or read now (from the program's ledger,
        where it may be) and remembered."""
        if label not in self.lists:
            if not self.lists and isinstance(self.tracker, ChangeLog):
                self.since = self.tracker.last_answer_at()
            read = self.ledgers.listed(label) if self.ledgers is not None else None
            self.lists[label] = read if read is not None else self.tracker.program_issues(label)
        return self.lists[label]

    def kept(
        self, desired: DesiredProgram, issues: Sequence[ObservedIssue]
    ) -> Mapping[str, LedgerRow] | None:
        """The ledger's rows of the issues ISSUES holds as their stubs (None: plan the
        program in full, Incremental.kept)."""
        return self.ledgers.kept(desired, issues) if self.ledgers is not None else NOTHING_KEPT

    def fall_back(self, desired: DesiredProgram) -> None:
        """List the program in full from now on (its list read from the ledger is dropped)."""
        if self.ledgers is not None:
            self.ledgers.fall_back(desired)
        self.lists.pop(program_label(desired.program), None)

    def used(self, desired: DesiredProgram) -> None:
        """The program was planned from its ledger (said once)."""
        if self.ledgers is not None:
            self.ledgers.used(desired)

    def again(self) -> Lists:
        """For the next plan: the lists as GitLab would list them now, or, when it cannot
        tell (or is not GitLab), read afresh (by `listed`)."""
        tracker, since = self.tracker, self.since
        fresh = None
        if isinstance(tracker, ChangeLog) and since is not None:
            moment = tracker.last_answer_at()
            fresh = tracker.up_to_date(self.lists, since)
            self.since = moment
        self.lists = fresh or {}
        return self


@dataclass(frozen=True)
class Applied:
    """The plans a run carried out, round by round, and their combined outcome."""

    plans: Sequence[Plan]
    outcome: Outcome
    finished: bool = True  # the last round left nothing to do (not stopped at MAX_ROUNDS)


def apply(  # noqa: PLR0917
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    on_done: Listener = lambda _: None,
    steps: frozenset[str] = ALL_STEPS,
    lock: RunLock | None = None,
    before_writing: Callable[[], None] = lambda: None,
    before_release: Callable[[Applied], None] = lambda _: None,
    ledgers: Incremental | None = None,
) -> Applied:
    """Plan and execute until nothing is left to do (issues created in one round get their
    references into the rollups in the next). A run that has something to write checks
    BEFORE_WRITING (it may raise: a run that must not write does not wait for the lock
    first; a reviewer saw an outdated job wait ten minutes and fail), takes the run lock,
    checks it again (a newer commit may be merged while the run waits) and plans again
    under it, so two runs never write at once, and calls BEFORE_RELEASE with what it did
    just before it releases the lock; a run with nothing to write writes nothing, not even
    the lock. LEDGERS: the programs that may be read from their ledgers (incremental.py)."""
    lists = Lists(tracker, ledgers=ledgers)
    first = make_plan(prepared, tracker, today, steps, widen=True, lists=lists)
    if not first.empty:
        before_writing()
    if first.empty or lock is None:
        return _rounds(prepared, tracker, today, on_done, steps, lists, first)
    done: list[Applied] = []
    try:
        with locked(lock):
            before_writing()
            done.append(_rounds(prepared, tracker, today, on_done, steps, lists))
            before_release(done[0])
    except (*STOPS, ConfigError) as stop:  # as the lock was released (a reviewer: its list
        # was lost); a ConfigError too: a body rendered when first read that fails (later.py)
        for applied in done:
            said = _warnings_of(applied.plans, applied.outcome.warnings)
            carry(stop, applied.outcome.failures, said)
        raise
    return done[0]


def _rounds(  # noqa: PLR0917
    prepared: Prepared,
    tracker: Tracker,
    today: dt.date,
    on_done: Listener,
    steps: frozenset[str],
    lists: Lists,
    first: Plan | None = None,
) -> Applied:
    """The rounds, starting with FIRST when it is made already; each plan after the first
    plan of the run starts from the LISTS that plan read, brought up to date."""
    plans: list[Plan] = []
    outcome = Outcome(failures=list(first.failures) if first else [])
    writer = Writer(tracker, roster=prepared.usernames)
    finished = True
    try:
        for _ in range(MAX_ROUNDS):
            plan = (
                first
                if first is not None
                else make_plan(
                    prepared, tracker, today, steps, created=writer.made, lists=lists.again()
                )
            )
            first = None
            plans.append(plan)
            result = execute(plan, tracker, on_done, writer)
            outcome.done.extend(result.done)
            outcome.failures = result.failures  # the latest round knows what still fails
            if not plan.more_after(result.done, result.failures):
                break
        else:
            finished = False
    except (*STOPS, ConfigError) as stop:  # and the earlier rounds' failures, and warnings
        carry(stop, outcome.failures, _warnings_of(plans, _written(writer, prepared)))
        raise
    return Applied(plans, replace(outcome, warnings=_written(writer, prepared)), finished)


def _written(writer: Writer, prepared: Prepared) -> list[str]:
    """The warnings of writing (a mention made inert, an assignee GitLab dropped), as shown."""
    shown = prepared.privacy
    return [shown.about(program, text) for program, text in writer.warnings]


def _warnings_of(plans: Sequence[Plan], written: Sequence[str]) -> list[str]:
    """What the plans carried out so far warned of, and their writes (WRITTEN)."""
    return [*(w for plan in plans for w in plan.warnings), *written]
