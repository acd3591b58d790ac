"""Compare what should exist with what does, and list the writes that close the gap (pure).

Each helper returns the part of the plan it decides (a `Plan`, with the rollup row of a
tracked issue); `plan_program` puts the parts together in order."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from automation.actions import (
    Action,
    AddNote,
    CloseIssue,
    CreateIssue,
    CreateLabel,
    Failure,
    Observed,
    Plan,
    UpdateDescription,
    combine,
)
from automation.blocks import (
    COMPLETION_BLOCK,
    PROGRESS_BLOCK,
    Blocks,
    RollupRow,
    record_specs,
)
from automation.changes import (
    description_update,
    joined,
    labels_update,
    open_again,
    present,
    proof_line,
    proves,
    updates,
)
from automation.desired import DesiredIssue, DesiredProgram, Measured, NoteElsewhere, kept_names
from automation.duedates import (
    dates_moved,
    due_after,
    due_blocks,
    moved_far,
    other_calendar,
    plan_due,
)
from automation.edits import BlockTexts, Edits, apply_edits, kept_differs
from automation.epics import plan_epics, plan_links
from automation.errors import ItemError
from automation.identity import Resolved, resolve
from automation.items import ObservedIssue
from automation.keptlines import marked, typed
from automation.ledgerissues import plan_ledger
from automation.lifecycle import (
    NO_TURN,
    Turn,
    departures,
    noteless,
    reopens,
    turn,
    was_withdrawn,
    with_endings,
    without_time_away,
)
from automation.markers import KEPT_PREFIX, block_content, keys_in, sound_block
from automation.migration import Migrations, migrate, never_given, never_had, record_block
from automation.migration import headings as declared_headings
from automation.missed import made_too_late, missed_periods
from automation.people import people_blocks, plan_people
from automation.planning import ProgramContext, create, exposed, refused, said_public
from automation.progress import (
    UNFINISHED,
    Progress,
    Status,
    behind,
    cleared_scopes,
    issue_labels,
    label_specs,
    measure,
    program_label,
    unread,
)
from automation.pruned import in_former_groups, into_begun_group, with_groups_in_use
from automation.reasons import listed_warnings, stray_warnings, unclaimed
from automation.records import Recorded, misplaced, read_asked, unreadable
from automation.renames import (
    Held,
    aliases,
    former_label,
    moved,
    moved_periods,
    period_moves_said,
    username_changes,
)
from automation.rollups import plan_figures, plan_rollups
from automation.rowledger import (
    NOTHING_KEPT,
    LedgerRow,
    StaleLedger,
    as_left,
    cross_read_blocks,
    ledger_row,
)

COMPLETION_MARKER = "<!-- automation:note completion -->"


@dataclass(frozen=True)
class _Stage:
    """A program's plan up to its program-level outputs: what resolving, the lifecycle and each
    tracked issue's own plan gave."""

    desired: DesiredProgram
    resolved: Resolved
    matched: Plan
    held: Held
    after: Mapping[str, ObservedIssue]
    ctx: ProgramContext
    tracked: list[tuple[Plan, RollupRow | None]]
    kept: Mapping[str, LedgerRow]  # the rows of the issues planned from their stubs


def plan_program(
    desired: DesiredProgram,
    observed: Observed,
    blocks: Blocks,
    today: dt.date,
    kept: Mapping[str, LedgerRow] = NOTHING_KEPT,
) -> Plan:
    """The writes that make one program's issues, labels, rollup and epics (or links) match
    the configuration. KEPT: rows of a program's ledger (rowledger.py), written by a plan of
    TODAY with the same configuration, for the issues OBSERVED holds only as the stubs made
    from them: they are not planned again (docs/incremental-planning.md; the full plan of the
    real issues must be the same). StaleLedger when a row is not its issue's any more."""
    return _planned(desired, observed, blocks, today, kept)[0]


def ledger_rows(
    desired: DesiredProgram, observed: Observed, blocks: Blocks, today: dt.date
) -> dict[str, LedgerRow]:
    """The ledger's row of each tracked issue OBSERVED holds, by key, as the program's plan
    leaves it (none when the program's calendar changed)."""
    plan, stage = _planned(desired, observed, blocks, today, NOTHING_KEPT)
    return {} if stage is None else _rows_left(stage, plan)


def _rows_left(stage: _Stage, plan: Plan) -> dict[str, LedgerRow]:
    """The ledger's rows of the STAGE's tracked issues, as PLAN leaves them (an issue planned
    from its stub keeps its row: the plan wrote nothing to it)."""
    found, names = stage.resolved.found, cross_read_blocks(stage.desired)
    actions: dict[int, list[Action]] = {}
    for action in plan.actions:
        actions.setdefault(getattr(action, "iid", None) or 0, []).append(action)
    return {
        item.key: stage.kept.get(item.key)
        or ledger_row(
            item.key, as_left(issue, actions.get(issue.iid, ())), row, row.progress, names
        )
        for item, (_, row) in zip(stage.desired.issues, stage.tracked, strict=True)
        if row is not None and row.progress is not None and (issue := found.get(item.key))
    }


def _planned(
    desired: DesiredProgram,
    observed: Observed,
    blocks: Blocks,
    today: dt.date,
    kept: Mapping[str, LedgerRow],
) -> tuple[Plan, _Stage | None]:
    """The program's plan, and its first part (None when the program's calendar changed)."""
    stage = _stage(desired, observed, blocks, today, kept)
    if isinstance(stage, Plan):
        return stage, None
    desired, resolved, held, ctx = stage.desired, stage.resolved, stage.held, stage.ctx
    program, found = desired.program, resolved.found
    rows = [(item, row) for item, (_, row) in zip(desired.issues, stage.tracked, strict=True)]
    planned = combine(
        [
            stage.matched,
            ctx.departed.plan,
            ctx.migrations.plan,
            *(plan for plan, _ in stage.tracked),
            plan_rollups(resolved, rows, ctx) if not held.keys else Plan(),  # kept meanwhile
            plan_figures(found, observed.issues, ctx),
        ]
    )
    planned = replace(planned, warnings=_said_together(planned.warnings))
    planned += Plan(warnings=dates_moved(program, planned.actions, found, desired.by_key))
    planned += Plan(warnings=moved_far(program, planned.actions))
    planned += Plan(warnings=_typed_moved(planned.actions))
    planned = said_public(program.id, planned)
    if observed.epics is None:
        created = frozenset(a.issue.key for a in planned.actions if isinstance(a, CreateIssue))
        planned += plan_links(desired, found, observed.tracking_links, created)
    else:
        planned = plan_epics(planned, desired, stage.after, observed, held.keys)
    if desired.ledgers and not held.keys:  # kept meanwhile, as the rollups are
        planned += plan_ledger(_rows_left(stage, planned), found, ctx, stage.kept.keys())
    return planned, stage


def _stage(
    desired: DesiredProgram,
    observed: Observed,
    blocks: Blocks,
    today: dt.date,
    kept: Mapping[str, LedgerRow],
) -> _Stage | Plan:
    """The plan's first part; the failures alone when the program's calendar changed."""
    desired = without_time_away(desired, observed.issues, today)
    desired = in_former_groups(desired, observed.issues, today)
    desired = with_groups_in_use(desired, observed.issues)
    program = desired.program
    labels = tuple(
        CreateLabel(spec, program.id)
        for spec in label_specs(program)
        if spec.name not in observed.labels
    )
    years = moved_periods(desired.issues, observed.issues)
    resolved, renamed = _resolve(desired, observed, years)
    refused = _calendar_changed(desired, observed.issues)
    if refused.failures:
        return refused
    held = Held.of(desired, observed.issues, resolved, renamed)
    known = resolved.known
    strays = unclaimed(desired, observed.issues)
    departed = departures(desired, observed.issues, resolved, blocks, today, strays)
    stray = [s for s in strays if s not in departed.waited]  # a wait says its own
    matched = Plan(
        labels,
        (
            *(Failure(program.id, f.key, f.message, f.iid) for f in resolved.failed),
            *(Failure(program.id, key, message) for key, message in desired.failures),
        ),
        (
            *desired.warnings,
            *resolved.warnings,
            *missed_periods(desired, resolved.found, today),
            *made_too_late(desired, {*resolved.found, *(resolved.index or {})}, today),
            *held.warnings,
            *username_changes(desired, observed.issues, known, renamed),
            *period_moves_said(years, observed.issues),
            *stray_warnings(program, stray),
            *listed_warnings(desired, resolved.found, was_withdrawn),
        ),
        notices=(*former_label(program, observed.labels), *desired.notices),
    )
    found = resolved.found
    after = _as_reopened(desired, found, today)  # a person back: an open issue from now
    stubs = {k: row for k, row in kept.items() if k in found and found[k] == row.stub}
    if len(stubs) != len(kept):  # its key resolved to another issue, or to none
        raise StaleLedger(sorted(kept.keys() - stubs.keys())[0])
    live = {k: issue for k, issue in after.items() if k not in stubs}
    migrations = migrate(desired, live, today, due_after)
    measured = with_endings(desired, _measure_all(desired, after, today, migrations, stubs), today)
    ctx = ProgramContext(
        desired,
        blocks,
        today,
        observed.keyed,
        frozenset(resolved.restore) | frozenset(resolved.renamed),  # renamed: a new key line
        frozenset(f.key for f in resolved.failed) | held.keys,
        measured,
        migrations,
        departed,
        several=observed.epics is not None,
    )
    tracked = [
        _kept(item, found[item.key], stubs[item.key])
        if item.key in stubs
        else _plan_tracked(item, found.get(item.key), ctx)
        for item in desired.issues
    ]
    return _Stage(desired, resolved, matched, held, after, ctx, tracked, stubs)


def _resolve(
    desired: DesiredProgram, observed: Observed, years: Mapping[str, str]
) -> tuple[Resolved, dict[str, str]]:
    """Which issue is each item's, and the keys items were known by (renames.py)."""
    program = desired.program
    wanted = [item.key for item in desired.every_issue()]
    renamed = {
        **moved(program, (i.key for i in observed.issues), desired.moves, frozenset(wanted)),
        **aliases(desired.every_issue()),
        **years,
    }
    resolved = resolve(
        observed.issues,
        wanted,
        desired.tracking.key,
        observed.fetched,
        program_label(program),
        aliases=renamed,
        titles=desired.titles(),
        others=observed.others(public=not program.is_confidential),
        hidden=program.outputs_hidden,
    )
    return resolved, renamed


def _kept(item: DesiredIssue, stub: ObservedIssue, row: LedgerRow) -> tuple[Plan, RollupRow]:
    """An issue that did not change since its ledger row was written: nothing to write (so it
    counts as unchanged, as every tracked issue of a quiet plan does), its rollup row as the
    ledger's row holds it."""
    kept = RollupRow(stub.reference, item.subject, item.group, row.progress, row.state, row.records)
    return Plan(unchanged=1), kept


def calendar_refused(desired: DesiredProgram, found: Iterable[ObservedIssue]) -> bool:
    """Whether the program writes nothing this run, its calendar changed (its reminders are
    not posted either: a quarter's would go to the old calendar's issue of its key)."""
    return bool(_calendar_changed(desired, found).failures)


def _calendar_changed(desired: DesiredProgram, found: Iterable[ObservedIssue]) -> Plan:
    """A failure for each of the program's issues made for a period of another calendar than
    its items' (the fiscal year's first month changed): none of its issues is written then (an
    ESP trial: year-old issues were taken over as new periods, and the new calendar's issues
    made beside them; a refusal leaves everything as it was until the setting is back)."""
    calendars = {item.calendar for item in desired.issues if item.calendar is not None}
    if len(calendars) != 1:
        return Plan()
    (calendar,) = calendars
    return Plan(
        failures=tuple(
            Failure(desired.program.id, issue.key or "", message, issue.iid)
            for issue in found
            if (issue.key or "").startswith(f"{desired.program.id}/")
            and (message := other_calendar(issue, calendar)) is not None
        )
    )


def _as_reopened(
    desired: DesiredProgram, found: Mapping[str, ObservedIssue], today: dt.date
) -> dict[str, ObservedIssue]:
    """The issues as this plan leaves their state: one it opens again (a person back) gets
    what any open issue gets, its template's new tasks too, in the same run."""
    items = desired.by_key
    return {
        key: replace(issue, state="opened")
        if key in items and reopens(desired, items[key], issue, today)
        else issue
        for key, issue in found.items()
    }


def _measure_all(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    today: dt.date,
    migrations: Migrations,
    stubs: Mapping[str, LedgerRow] = NOTHING_KEPT,
) -> dict[str, Measured]:
    """Progress and recorded values of every tracked issue that exists (FOUND: in the state
    the plan leaves it), by key (with the template tasks it gets added). A closed issue is
    never overdue: a person who closed it unfinished ended that work (the tool's own closings
    say why: withdrawn, ended, complete)."""
    measured: dict[str, Measured] = {}
    specs = record_specs(desired.program)
    for item in desired.issues:
        issue = found.get(item.key)
        row = stubs.get(item.key)
        if issue is not None and row is not None:  # as its ledger row holds it
            measured[item.key] = Measured(issue, row.progress, row.records)
        elif issue is not None:
            text = migrations.text(item.key, issue.description)
            # configuration may move the due date in this plan
            due = due_after(item, issue) if issue.state == "opened" else None
            progress = measure(text, desired.program, due, today, item.sections)
            if item.key not in migrations.issues and not _all_found(progress):
                progress = _without_new_sections(desired, item, text, (due, today), progress)
            records = read_asked(issue.description, item.description, specs)
            if issue.state == "opened":  # said to whoever typed it, and not counted as done
                progress = unread(progress, unreadable(records), due, today)
                progress = behind(progress, item.phases_due, today)
            measured[item.key] = Measured(issue, progress, records)
    return measured


def _all_found(progress: Progress) -> bool:
    """Whether each section the issue's track has is in its text."""
    return all(s.found for s in progress.sections if s.applicable)


def _without_new_sections(
    desired: DesiredProgram,
    item: DesiredIssue,
    text: str,
    when: tuple[dt.date | None, dt.date],
    progress: Progress,
) -> Progress:
    """PROGRESS without the sections the issue was never given (`never_given`): not rows of
    its progress table, nor headings it is said to lack. WHEN: its due date and today."""
    program = desired.program
    declared = declared_headings(program)
    lacking = never_given(text, declared, program.renamed_headings)
    if not lacking:
        return progress
    track = item.sections if item.sections is not None else declared
    return measure(text, program, *when, [h for h in track if h not in lacking])


def _plan_tracked(
    item: DesiredIssue, found: ObservedIssue | None, ctx: ProgramContext
) -> tuple[Plan, RollupRow | None]:
    if found is None:
        if not item.create or (item.requires is not None and item.requires not in ctx.measured):
            # a past period's issue that was never made, or one whose series never ran (an
            # account that ended before its first run): not made now
            return Plan(), None
        taken = refused(item, ctx)
        if taken is not None:
            return taken, RollupRow(None, item.subject, item.group, None, "")
        return _plan_new(item, ctx)
    progress, records = ctx.measured[item.key].progress, ctx.measured[item.key].records
    completing = progress.status is Status.COMPLETE and (
        not proves(found, COMPLETION_BLOCK) or noteless(found)  # finished, then left and back
    )
    # said while the issue's figures can change, not for ever after (an ESP account plan
    # stays open once complete, its values still read)
    live = found.state == "opened" and progress.status not in (Status.ENDED, Status.WITHDRAWN)
    # not past its due date (overdue: the tool adds it no template task or section any more)
    under_way = live and (
        progress.status in (Status.NOT_STARTED, Status.IN_PROGRESS) or progress.late is not None
    )
    said = _missing_headings(found, progress, completing) if under_way or completing else ()
    said = (*said, *(_emptied(item, found, progress, ctx) if completing else ()))
    # overdue too: it can still complete (a trial: emptied after its due date, unsaid)
    unfinished = live and progress.status in UNFINISHED
    gone = _no_task_left(item, found, progress, ctx) if unfinished else ()
    stale = (
        *_kept_gone(item, found, progress, ctx.today),
        *into_begun_group(ctx.desired, item, found, ctx.today),
    )
    headings = Plan(
        warnings=(*said, *gone, *stale, *_moved_away(found, progress), *_undone(found, progress))
    )
    unreadable = Plan(
        warnings=(
            *_unreadable(found, records),
            *_misplaced(found, records),
            *_pasted(item, found, ctx.id),
        )
        if live
        else ()
    )
    public = exposed(item, found, ctx)
    if public is not None:
        row = RollupRow(found.reference, item.subject, item.group, progress, found.state, records)
        return headings + public + unreadable, row
    derived = ctx.blocks.derived(item.derived, ctx.measured, found)
    blocks = (*item.blocks, *derived, (PROGRESS_BLOCK, ctx.blocks.progress(progress)))
    if completing:
        done = ctx.blocks.completion(ctx.today) + proof_line(found.iid)
        blocks = (*blocks, (COMPLETION_BLOCK, done))
    elif not noteless(found):  # one written while its person was away is rewritten above
        blocks = (*blocks, *open_again(found, progress))
    turned = turn(ctx.desired, item, found, ctx.measured, ctx.blocks, ctx.today)
    blocks = (*blocks, *turned.blocks)
    written, state = _write_tracked(item, found, blocks, progress, completing, ctx, turned)
    if state == "opened" and not written.failures:  # an issue that failed gets nothing
        now = replace(found, state=state)  # open once the plan is carried out (back, say)
        if progress.status is not Status.COMPLETE or item.living:  # done: keeps who did it
            people = plan_people(ctx.desired.program, item, now, ctx.several, ctx.today)
            written = joined(written, people)
        written = joined(written, plan_due(ctx.desired.program, item, now))
        written = _with_notes_elsewhere(written, item, now, ctx)
    row = RollupRow(found.reference, item.subject, item.group, progress, state, records)
    return headings + written + unreadable, row


def _write_tracked(  # noqa: PLR0917
    item: DesiredIssue,
    found: ObservedIssue,
    blocks: BlockTexts,
    progress: Progress,
    completing: bool,
    ctx: ProgramContext,
    turned: Turn = NO_TURN,
) -> tuple[Plan, str]:
    """A tracked issue's blocks and labels; once every task is done: close, then the note,
    then the blocks, each the next one's proof (so too a person back in the program, or an
    account that ended: TURNED). Returns the issue's state afterwards."""
    program = ctx.desired.program
    blocks = (*blocks, *ctx.migrations.blocks(item.key))
    migrations = ctx.migrations
    edits = Edits(
        blocks,
        ctx.identity(item.key),
        tasks=migrations.tasks(item.key),
        headings=migrations.headings(item.key),
        kept=_kept_now(item, turned.state or found.state, progress, ctx.today),
    )
    update = description_update(program, found, item.key, edits)
    wanted, cleared = issue_labels(program, progress), cleared_scopes(progress)
    if isinstance(update, Failure) or not (completing or turned.actions):
        planned = updates(program, found, item.key, update, wanted, cleared=cleared)
        return planned, found.state
    labels = labels_update(program, found, item.key, wanted, cleared=cleared)
    closing, state = _complete(item, found, ctx) if completing else ((), found.state)
    before = turned.actions
    if state != found.state:  # closed on completion: not closed twice
        before = tuple(a for a in before if not isinstance(a, CloseIssue))
    else:
        state = turned.state or state
    return Plan((*present(labels), *before, *closing, *present(update))), state


def _typed_moved(actions: Iterable[Action]) -> tuple[str, ...]:
    """What to say of the description writes that move lines a person typed below a block
    (each issue's, withdrawn and ended ones too: a review found those unsaid), once, as they
    move."""
    return tuple(
        said
        for action in actions
        if isinstance(action, UpdateDescription)
        for said in _typed_in_blocks(f"#{action.iid}", action.before, action.edits)
    )


def _typed_in_blocks(reference: str, text: str, edits: Edits) -> tuple[str, ...]:
    """What to say of the blocks this write rewrites in TEXT that held lines a person typed
    (`keptlines.typed`): the write moves them below the block. Its kept blocks, and those
    that record their lines (an issue's progress block)."""
    kept = [(name, content, "from configuration") for name, content in edits.kept]
    kept += [(name, content, "") for name, content in edits.blocks if marked(content)]
    said = []
    for name, content, source in kept:
        current = sound_block(text, name)
        rewritten = current is not None and kept_differs(current, content)
        if rewritten and current is not None and typed(current, content):
            said.append(
                f"issue {reference}: text was typed in its block '{name}', which the "
                f"tool rewrites{' ' if source else ''}{source}: it was moved below the block"
            )
    return tuple(said)


def _kept_now(item: DesiredIssue, state: str, progress: Progress, today: dt.date) -> BlockTexts:
    """The template's kept blocks, while the issue is live (`_kept_live`; STATE: once the plan
    is carried out, reopened say)."""
    return item.kept if _kept_live(item, state, progress, today) else ()


def _kept_live(item: DesiredIssue, state: str, progress: Progress, today: dt.date) -> bool:
    """Whether an issue's kept blocks follow configuration: it is open, not done (unless it
    is kept while open), not ended or withdrawn, and its people still follow configuration.
    Once over, its facts are its history, as its people are (a new manager is not named, and
    notified, in an onboarding finished months ago)."""
    over = (Status.ENDED, Status.WITHDRAWN) + (() if item.living else (Status.COMPLETE,))
    past = item.people_until is not None and today > item.people_until
    return state == "opened" and progress.status not in over and not past


def _kept_gone(
    item: DesiredIssue, found: ObservedIssue, progress: Progress, today: dt.date
) -> tuple[str, ...]:
    """A live issue's kept blocks its template no longer renders for it (a hire's role changed
    to one without the workshop, say): left as they are, and said on every run while the
    issue is live (a reviewer: the pre-work's due date stood, stale, unsaid)."""
    if KEPT_PREFIX not in found.description or not _kept_live(item, found.state, progress, today):
        return ()
    rendered = {name for name, _ in item.kept}
    stale = [n for n in kept_names(found.description) if n not in rendered]
    if not stale:
        return ()
    named = ", ".join(f"'{n.removeprefix(KEPT_PREFIX)}'" for n in stale)
    return (
        f"issue {found.reference} has kept blocks its template no longer writes for it "
        f"({named}); they stay as they are, no longer kept up to date: delete them by hand "
        "(their two marker lines and the text between) where they no longer apply",
    )


def _with_notes_elsewhere(
    written: Plan, item: DesiredIssue, found: ObservedIssue, ctx: ProgramContext
) -> Plan:
    """Each note on another project's issue that this issue does not record yet: the note,
    then its block (the proof; the note is looked for before it is posted again)."""
    program = ctx.desired.program
    actions: list[Action] = []
    for note in item.elsewhere:
        if _noted(found, note):
            continue
        # one from before the proof line keeps its day (the note is found, not posted again)
        before = sound_block(found.description, note.block) or ""
        kept = "\n".join(line for line in before.splitlines() if "automation:of #" not in line)
        said = kept.rstrip() if note.names in before else note.proof
        posted = f"{said}\n{proof_line(found.iid)}"
        proof = description_update(program, found, item.key, Edits(((note.block, posted),)))
        if isinstance(proof, Failure):
            return written + Plan(failures=(proof,))
        # where the issue is, which the note cannot know when it is made (a reader looked
        # for it from the general onboarding issue)
        body = f"{note.body}\n\n{found.web_url}"
        actions += [AddNote(program.id, item.key, note.iid, body, note.project)]
        actions += present(proof)
    if not actions:
        return written
    return replace(written, unchanged=0) + Plan(tuple(actions))


def _noted(found: ObservedIssue, note: NoteElsewhere) -> bool:
    """Whether the issue records NOTE as posted: its block, written for this issue (its proof
    line), names the issue the note goes on. One pasted from another hire's issue, naming
    theirs, proves nothing (an attacker's trial: the hire's note was never posted); nor one
    from before the proof line, whose note is looked for on that issue before it is posted."""
    try:
        content = block_content(found.description, note.block)
    except ItemError:
        return True  # a damaged block: the issue's update says so
    written_here = proof_line(found.iid).strip()
    return content is not None and note.names in content and written_here in content


def _moved_away(found: ObservedIssue, progress: Progress) -> tuple[str, ...]:
    """An issue a person moved to another project (GitLab closed it here, pointing at its
    copy there), while its time runs (not ended: past its due date or its group's end): the
    work done in the copy is counted nowhere."""
    if found.moved_to is None or progress.status in (Status.ENDED, Status.COMPLETE):
        return ()
    return (
        f"issue {found.reference} was moved to another project, and GitLab closed it here: "
        "the tool tracks only the issues of this project, so the work done there is not "
        "counted; if it was moved by mistake, move it back (the tool picks it up again once "
        "it is back)",
    )


def _no_task_left(
    item: DesiredIssue, found: ObservedIssue, progress: Progress, ctx: ProgramContext
) -> tuple[str, ...]:
    """An open issue with no task left that counts, where its template has some: it could
    never complete, and its figures read `not started` (a tester: a bot turned a checklist
    into a table, and the person's progress left the rollup without a word)."""
    if progress.overall.count:
        return ()
    if not ctx.measure(item.description, None, item.sections).overall.count:
        return ()
    return (
        f"issue {found.reference} has no task left that counts towards its completion, where its "
        "template has some (a person or another tool deleted them, or made them into a table "
        "or a list without boxes): it can never complete. Put its tasks back from the issue's "
        "history (its description's edits), or close it",
    )


def _undone(found: ObservedIssue, progress: Progress) -> tuple[str, ...]:
    """An issue closed complete that has required tasks open again: its labels say so, and
    nothing else would (a tester: sections made `required: false`, the issue closed and its
    person congratulated, then required again: closed, `in progress`, and no one told). Said
    by the run that marks its completion block open again: one a person closed after that
    was closed unfinished, knowingly (a Free trial: warned of on every run, for months)."""
    if found.state != "closed" or progress.status not in (*UNFINISHED, Status.ENDED):
        return ()
    if noteless(found) or found.moved_to is not None or not open_again(found, progress):
        return ()
    if progress.status is Status.ENDED:  # its time is over: said of all in one (a reviewer)
        return (f"issue {found.reference} {_ENDED_AGAIN}",)
    done = progress.overall
    return (
        f"issue {found.reference} was complete, and is closed with required tasks open again "
        f"({done.completed_count} of {done.count} done: a section made required again, or "
        "a task unticked); reopen it if its person is to finish them, and close it when they "
        "are done (the tool closes an issue once: it leaves one reopened open); this is said "
        "once",
    )


def _missing_headings(
    found: ObservedIssue, progress: Progress, completing: bool
) -> tuple[str, ...]:
    """What to say of the declared sections an issue under way (or completing now) lacks."""
    hidden = (
        (f"issue {found.reference}: {progress.hidden_said}; close the block or comment",)
        if progress.hidden
        else ()
    )
    return hidden + tuple(
        _no_heading(
            [found.reference], s.section.heading, _without_heading(s.section.is_phase, completing)
        )
        for s in progress.sections
        if s.applicable and not s.found and s.section.heading not in progress.hidden
    )


def _emptied(
    item: DesiredIssue, found: ObservedIssue, progress: Progress, ctx: ProgramContext
) -> tuple[str, ...]:
    """What to say, on the run an issue completes, of a required section it has fewer tasks
    in than its template has (a person deleted them: the section counted as done without
    them; testers' findings: it completed on nothing, or a hire graduated with a milestone
    deleted, unsaid). Once, not every run: a task deleted on purpose is the person's call.
    Tasks a person added make up for as many deleted ones. Against the text the issue was
    made with (`_made_with`): one made without what had closed (a score issue's checkpoint)
    had none of it to delete (a trial was told to put back a task it never had)."""
    made = _made_with(item, found, ctx.today)
    if made is None:
        return ()
    template = ctx.measure(made, item.due_date, item.sections)
    program = ctx.desired.program
    never = never_had(made, found, declared_headings(program), program.renamed_headings)
    had = {
        s.section.heading: s.tasks.count - never.get(s.section.heading, 0)
        for s in template.sections
    }
    closes = found.state != "opened" or program.completion.close
    return tuple(
        _fewer(found, s.section.heading, s.tasks.count, had[s.section.heading], closes)
        for s in progress.sections
        if s.applicable
        and s.found
        and s.section.required
        and s.tasks.count < had.get(s.section.heading, 0)
    )


def _made_with(item: DesiredIssue, found: ObservedIssue, today: dt.date) -> str | None:
    """The text the issue was made with, as far as it can be told: what closed by the day it
    was made (`DesiredIssue.closing`) left out, as by today (`made_with`) or nothing (its
    description); None when something closed between (a review: a score issue made before
    any checkpoint closed, two of its tasks deleted, was measured against today's text)."""
    if item.made_with is None:
        return item.description
    made = found.created_at.date() if found.created_at is not None else today
    then = {part for part, day in item.closing.items() if day <= made}
    now = {part for part, day in item.closing.items() if day <= today}
    return item.made_with if then == now else item.description if not then else None


def _fewer(found: ObservedIssue, heading: str, count: int, had: int, closes: bool) -> str:
    if not count:
        what = f"no task under '{heading}', where its template has {had}"
    else:
        what = f"{count} of the {had} tasks its template has under '{heading}'"
    reopen = " and reopen the issue" if closes else ""  # an ESP trial: told of an open one
    return (
        f"issue {found.reference} is complete with {what}; tasks moved to another section "
        "count there. If someone deleted them by mistake, put them back from the "
        f"description's history{reopen}"
    )


_NO_HEADING = re.compile(r"issue (\S+) has no heading '(.*)': (.*)", re.DOTALL)
# a closed issue complete once, over, with required tasks open again (`_undone`)
_ENDED_AGAIN = "was complete, and is closed with required tasks open again after its time was over"
_ENDED_AGAIN_OF = re.compile(rf"issue (\S+) {_ENDED_AGAIN}")


def _said_together(warnings: Iterable[str]) -> tuple[str, ...]:
    """The warnings, those of issues without one heading, for one reason, said in one (a
    configuration trial: a section renamed without `renamed_from` gave a cohort of 30 one
    identical warning each, on every run); and those of issues over, complete once, with
    required tasks open again, in one (a reviewer: a section made required gave each past
    graduate a warning of their own)."""
    kept: list[str] = []
    refs: dict[tuple[str, str], list[str]] = {}
    over: list[str] = []
    for warning in warnings:
        found = _NO_HEADING.fullmatch(warning)
        again = _ENDED_AGAIN_OF.fullmatch(warning)
        if found is not None:
            refs.setdefault((found[2], found[3]), []).append(found[1])
        elif again is not None:
            over.append(again[1])
        else:
            kept.append(warning)
    kept += [_no_heading(which, heading, why) for (heading, why), which in refs.items()]
    return (*kept, *_over_again(over))


def _over_again(refs: Sequence[str]) -> tuple[str, ...]:
    """The warning of the closed issues REFS, complete once, whose time is over, with required
    tasks open again; none without any."""
    if not refs:
        return ()
    one = len(refs) == 1
    said = f"issue {refs[0]} was" if one else f"issues {', '.join(refs)} were"
    return (
        f"{said} complete, and {'is' if one else 'are'} closed with required tasks open again "
        f"(a section made required again, or a task unticked) after {'its' if one else 'their'} "
        f"group or due date was over; the rollups count {'it' if one else 'them'} `ended` "
        "until those tasks are ticked again where they were done; this is said once",
    )


def _no_heading(refs: Sequence[str], heading: str, why: str) -> str:
    """The warning of the issues REFS without the declared HEADING (`_NO_HEADING` reads it)."""
    said = f"issues {', '.join(refs)} have" if len(refs) > 1 else f"issue {refs[0]} has"
    return f"{said} no heading '{heading}': {why}"


def _without_heading(phase: bool, completing: bool) -> str:
    if completing:
        return (
            "complete without that section's tasks; if someone deleted them by mistake, put the "
            "section back (and reopen a closed one)"
        )
    what = "that phase cannot complete" if phase else "that section's figure cannot be counted"
    return (
        f"{what}, and tasks left from it count in the section above them (under a heading "
        "of no section, only towards the overall figure); if someone "
        "deleted or changed the heading, restore it; if the section was renamed, give it "
        "`renamed_from:` with its old heading in `sections`; if the section is new in the "
        "template and the tool did not add it, add the heading and its tasks by hand"
    )


def _unreadable(found: ObservedIssue, records: Mapping[str, Recorded]) -> tuple[str, ...]:
    """An unreadable recorded value is a warning naming the issue, the label and what is wrong
    with it (records.unreadable); the issue's progress block says it to its people."""
    return tuple(f"issue {found.reference}: the value of {said}" for said in unreadable(records))


def _pasted(item: DesiredIssue, found: ObservedIssue, program: str) -> tuple[str, ...]:
    """A warning for an issue that holds the identity line of another of the program's issues
    further down: text pasted from it, whose headings and tasks count here (a trial: a pair's
    whole issue pasted into another's doubled its tasks, unsaid). The key is not said: it
    can name people."""
    if found.description.count("automation:key=") < 2:  # (most issues: no line split)
        return ()
    own = {item.key, found.key, *item.former_keys}
    if not any(key.startswith(f"{program}/") for key in keys_in(found.description) - own):
        return ()
    return (
        f"issue {found.reference} holds the hidden first line of another issue of the program, "
        "with text pasted from it, perhaps: the headings and tasks pasted count in this issue; "
        "delete what does not belong here, or at least that line "
        "(`<!-- automation:key=… -->`)",
    )


def _misplaced(found: ObservedIssue, records: Mapping[str, Recorded]) -> tuple[str, ...]:
    """A value given in an issue whose template does not ask for it is a warning naming the
    issue and the label (never the value: a score can be private)."""
    return tuple(
        f"issue {found.reference} gives a value for '{label}', which its template does not ask "
        "for, so it is not counted: record it in the issue that asks for it, and delete it "
        "here if others can read this issue"
        for label in misplaced(records)
    )


def _plan_new(item: DesiredIssue, ctx: ProgramContext) -> tuple[Plan, RollupRow]:
    """Create an issue with its blocks filled in from the start."""
    derived = ctx.blocks.derived(item.derived, ctx.measured)
    record = record_block(ctx.desired.program, item)
    text = apply_edits(
        item.made_with or item.description,
        Edits((*item.blocks, *derived, *people_blocks(item), *due_blocks(item), *record)),
    )
    progress = ctx.measure(text, item.due_date, item.sections)  # blocks hold no tasks
    progress = behind(progress, item.phases_due, ctx.today)  # a pair released late, say
    text = apply_edits(text, Edits(((PROGRESS_BLOCK, ctx.blocks.progress(progress)),)))
    labels = tuple(sorted(set(item.labels) | issue_labels(ctx.desired.program, progress)))
    row = RollupRow(None, item.subject, item.group, progress, "opened")
    return create(item, text, labels, ctx), row


def _complete(
    item: DesiredIssue, found: ObservedIssue, ctx: ProgramContext
) -> tuple[tuple[CloseIssue | AddNote, ...], str]:
    """Every task is done and the completion block is not there yet: close (unless the note
    shows this happened before and a person reopened the issue), then the note, once.
    Returns the issue's state once the plan is carried out."""
    note = f"{COMPLETION_MARKER}\n{item.completion_note}" if item.completion_note else None
    closing: list[CloseIssue | AddNote] = []
    state, listed = found.state, found.description
    if ctx.desired.program.completion.close and found.state == "opened":
        marker = COMPLETION_MARKER if note else None
        closing.append(CloseIssue(ctx.id, item.key, found.iid, marker, as_listed=listed))
        state = "closed"
    if note:
        closing.append(AddNote(ctx.id, item.key, found.iid, note, as_listed=listed))
    return tuple(closing), state
