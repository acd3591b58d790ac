"""A program over time: people who leave and come back, cohorts and accounts that end (pure).

- **Leaving.** An issue of the tool's whose key the configuration no longer asks for, and
  whose kind says it is a person's (or an account's), is *withdrawn*: `status::withdrawn`,
  then closed (unless the program's `leaving.close` is false), then one note saying why
  (posted once, ever), then a `withdrawn` block in its description, the proof that all of it
  happened: an issue with that block gets nothing more. Rollups list it as withdrawn and
  leave it out of their figures. An issue that was complete is not withdrawn: it is listed
  as it is. When the person is back, the issue is reopened (if the tool closed it) and the
  block says so.
- **Cohort ends.** The day after a group's end date, its open unfinished issues are labelled
  `status::ended` (never closed), its rollup gets one note with the final figures, and a
  hidden `final` line in its rollup block; a group's own rollup issue is then never rewritten
  (its figures are frozen). A group without a rollup issue of its own (a participants
  cohort) gets the note on the program's tracking issue, which stays live. An end that
  configuration moves later before the new one passes (a wrong date, fixed) voids the
  `final` line: the rollup is live again, with one note saying so and a hidden `moved` line,
  and the group ends anew, with a note of its own, when the new end passes.
- **Account ends.** An ESP account's plan is closed, with one summary note, then an `ended`
  block, once its end date has passed."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from automation.actions import (
    Action,
    AddNote,
    CloseIssue,
    Failure,
    Plan,
    ReopenIssue,
    combine,
)
from automation.blocks import (
    COMPLETION_BLOCK,
    PROGRESS_BLOCK,
    Blocks,
    RollupRow,
    counted,
    listing,
    record_specs,
)
from automation.changes import (
    description_update,
    has_block,
    labels_update,
    open_again,
    present,
    proof_line,
    proves,
    updates,
)
from automation.checklist import headings_found, rename_headings
from automation.config.models import Program
from automation.course import GROUP_LINE, Course, Ending, Member
from automation.desired import DesiredIssue, DesiredProgram, Measured, group_of, is_over
from automation.duedates import due_after
from automation.edits import BlockTexts, Edits
from automation.errors import ItemError
from automation.identity import Resolved
from automation.items import ObservedIssue
from automation.markers import begin_marker, block_content
from automation.progress import (
    Progress,
    Status,
    cleared_scopes,
    issue_labels,
    measure,
    program_label,
    status_label,
    total,
)
from automation.reasons import Stray, held_warning, misspelt
from automation.records import read_records
from automation.renames import follow_rename, suspects
from automation.rendering import Renderer, words_of

WITHDRAWN_BLOCK = "withdrawn"  # in a withdrawn issue: the proof that withdrawing is done
ENDED_BLOCK = "ended"  # in an ended account's plan: the proof that closing it is done
ROLLUP_BLOCK = "rollup"
WITHDRAWN_NOTE = "<!-- automation:note withdrawn -->"
NOTELESS = "<!-- automation:completed without note -->"  # completion block of a departed issue
_LEFT = "<!-- automation:withdrawn -->"  # first line of the withdrawn block: left, still open
_LEFT_CLOSED = "<!-- automation:withdrawn closed -->"  # ... and the tool closed the issue
_BACK = "<!-- automation:withdrawn back -->"  # the person is back in the program
_FINAL = re.compile(r"^<!-- automation:final (?P<group>\S+) (?P<end>\d{4}-\d{2}-\d{2}) -->$")
_MOVED = re.compile(r"^<!-- automation:moved (?P<group>\S+) (?P<end>\d{4}-\d{2}-\d{2}) -->$")
TEMPLATES = {
    "withdrawn": "blocks/withdrawn.md.j2",
    "withdrawn_note": "blocks/withdrawn-note.md.j2",
    "ended_note": "blocks/ended-note.md.j2",
    "end_moved_note": "blocks/end-moved-note.md.j2",
    "account_ended": "blocks/account-ended.md.j2",
    "account_note": "blocks/account-ended-note.md.j2",
}


def ended_note_marker(group: str, end: dt.date | None = None) -> str:
    """The hidden first line of the note that says a group ended: one per group, and one per
    END after configuration moved an end it had ended on (the first end's has no date, as
    written before ends could move: an upgrade posts no note again)."""
    dated = f" {end.isoformat()}" if end is not None else ""
    return f"<!-- automation:note ended {group}{dated} -->"


def end_moved_note_marker(group: str, end: str) -> str:
    """The hidden first line of the note that says the final figures of the group's END are
    live again: its end moved later (one per end moved)."""
    return f"<!-- automation:note end-moved {group} {end} -->"


def final_line(group: str, end: str) -> str:
    """The hidden line in a rollup block that says the group's final figures were written
    (END: the group's last day, yyyy-mm-dd)."""
    return f"<!-- automation:final {group} {end} -->"


def moved_line(group: str, end: str) -> str:
    """The hidden line in a rollup block that says the group's final line for END was voided:
    its end moved later (the next end's note is then one of its own)."""
    return f"<!-- automation:moved {group} {end} -->"


# --- rendering ----------------------------------------------------------------------------


def _render(renderer: Renderer, name: str, values: Mapping[str, Any]) -> str:
    """A lifecycle template from the team's templates/, or the one shipped with the tool when
    the team's repository predates it."""
    template = TEMPLATES[name]
    chosen = renderer if renderer.exists(template) else _shipped()
    return chosen.render(template, values).strip()


@cache
def _shipped() -> Renderer:
    return Renderer(Path(str(resources.files("automation") / "skeleton" / "templates")), [])


# --- who is who -----------------------------------------------------------------------------


def _in_group(
    desired: DesiredProgram, member: Member | None, issue: ObservedIssue
) -> Member | None:
    """MEMBER with the group its issue's block names, where its key names none (a hire who
    left is listed in their workshop's rollup, as before they left): one of the program's
    groups only (a line typed in names no other), and none from a damaged block (reviewers'
    findings: its error stopped the run; any text went into the tracking issue)."""
    block = desired.course.group_block
    if member is None or member.group is not None or block is None:
        return member
    try:
        found = GROUP_LINE.search(block_content(issue.description, block) or "")
    except ItemError:
        return member
    group = found[1] if found else None
    return replace(member, group=group) if group in desired.course.names else member


def member_of(desired: DesiredProgram, key: str) -> Member | None:
    """The person or account whose issue KEY is, as the program's kind reads it."""
    prefix = f"{desired.program.id}/"
    return desired.course.member(key[len(prefix) :]) if key.startswith(prefix) else None


def _moved_to(
    desired: DesiredProgram, key: str, issue: ObservedIssue, today: dt.date
) -> str | None:
    """The name of another group (cohort) of the program, not ended, that holds the same
    people's issue: a key that differs from KEY in its group alone (both groups the kind's
    own), with the same assignees as ISSUE (a pair with a new sponsor is not the same pair).
    They moved there (in one edit or two) or were in both: either way still in it. KEY's own
    group may be gone from configuration (deleted once nobody was left in it)."""
    prefix, course = f"{desired.program.id}/", desired.course
    group, _, rest = key.removeprefix(prefix).partition("/")
    if not rest:
        return None  # a key with no group (a hire's); an account's finds no other group
    people = _lower(issue.assignees)
    for item in desired.issues:
        other, _, same = item.key.removeprefix(prefix).partition("/")
        if same != rest or other == group or other not in course.names:
            continue
        # made yet or not (a cohort that starts in months gets its issues later), not ended
        if not course.ended(other, today) and people == _lower(item.assignees):
            return item.group or course.names[other]
    return None


def _lower(names: Iterable[str]) -> set[str]:
    return {name.lower() for name in names}


_LEFT_ON = re.compile(r"^<!-- automation:left (\d{4}-\d{2}-\d{2}) -->$", re.M)
_AWAY = re.compile(r"^<!-- automation:away (\d{4}-\d{2}-\d{2}) (\d{4}-\d{2}-\d{2}) -->$", re.M)


def _away_lines(issue: ObservedIssue) -> list[str]:
    """The withdrawn block's record of earlier times away, to carry into its next content."""
    try:
        content = block_content(issue.description, WITHDRAWN_BLOCK) or ""
    except ItemError:
        return []
    return [match[0] for match in _AWAY.finditer(content)]


def away(issues: Iterable[ObservedIssue], today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """When the person or account of ISSUES was out of the program: from the day their issues
    were withdrawn to the day they were back (today, while they are still withdrawn), as
    their withdrawn blocks record it (not for issues withdrawn by an earlier version)."""
    ended: set[tuple[dt.date, dt.date]] = set()
    left: set[dt.date] = set()
    for issue in issues:
        try:
            content = block_content(issue.description, WITHDRAWN_BLOCK) or ""
        except ItemError:
            continue
        if not issue.by_tool or proof_line(issue.iid).strip() not in content:
            continue  # a block pasted or typed in proves nothing
        ended |= {
            (start, end)
            for m in _AWAY.finditer(content)
            if (start := _day(m[1])) <= (end := _day(m[2])) <= today
        }
        if _state(issue) in (_LEFT, _LEFT_CLOSED):
            left |= {day for m in _LEFT_ON.finditer(content) if (day := _day(m[1])) <= today}
    # still away: since the first withdrawal after the last return (an issue withdrawn in
    # an earlier time away, and left so, says nothing about this one)
    latest = max((end for _, end in ended), default=dt.date.min)
    current = [start for start in left if latest <= start < today]
    return sorted(ended | ({(min(current), today)} if current else set()))


def _unprefixed(desired: DesiredProgram, key: str) -> str | None:
    """KEY without its program's id (or former id, while renamed); None: another program's."""
    program = desired.program
    for prefix in (program.id, program.renamed_from):
        if prefix is not None and key.startswith(f"{prefix}/"):
            return key[len(prefix) + 1 :]
    return None


def _owner_of(desired: DesiredProgram, key: str) -> str | None:
    rest = _unprefixed(desired, key)
    return desired.course.owner(rest) if rest is not None else None


def _lines(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def without_time_away(
    desired: DesiredProgram, issues: Sequence[ObservedIssue], today: dt.date
) -> DesiredProgram:
    """The program without the past periods of an account (`Course.owner`) that ended while
    it was out of the program and have no issue: it had none, so they are neither made nor
    missed (an issue made before it left stays the program's, reopened like any other).
    Nothing changes for a kind whose keys have no owner."""
    by_owner: dict[str, list[ObservedIssue]] = defaultdict(list)
    for issue in issues:
        found = _owner_of(desired, issue.key or "")
        if found is not None:
            by_owner[found].append(issue)
    spans = {who: away(found, today) for who, found in by_owner.items()}
    made = {_unprefixed(desired, issue.key or "") for issue in issues}

    def out(item: DesiredIssue) -> bool:
        # its period's end, not its due date (a newcomer's trial: the month before an account
        # came back, due in the next month's first week, was made though spent away)
        last, who = item.ended_on, _owner_of(desired, item.key)
        return (
            last is not None
            and last < today
            and who is not None
            and _unprefixed(desired, item.key) not in made
            and any(start <= last < end for start, end in spans.get(who, ()))
        )

    if not any(spans.values()):
        return desired
    return replace(desired, issues=tuple(item for item in desired.issues if not out(item)))


def was_withdrawn(issue: ObservedIssue) -> bool:
    """Whether the issue holds its own withdrawn block: it was withdrawn once, and its note
    posted, which never is again (the person may be back)."""
    return _state(issue) is not None


def _state(issue: ObservedIssue) -> str | None:
    """The first line of the withdrawn block: whether the issue was withdrawn (and by whom it
    was closed), or the person is back; None without a readable block of its own (one pasted
    from another issue says nothing about this one)."""
    try:
        content = block_content(issue.description, WITHDRAWN_BLOCK)
    except ItemError:
        return None
    if not content or not proves(issue, WITHDRAWN_BLOCK):
        return None
    return content.split("\n", 1)[0].strip()


# --- leaving ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Departed:
    """The rollup row of an issue whose person left, and the group its key names."""

    group: str | None
    row: RollupRow
    listed: bool = True  # in the rollups, as its live issue was (Member.listed)


@dataclass(frozen=True)
class Departures:
    """What the issues of people who left need, and how rollups list them; the stray reasons
    (reasons.py) an issue waits for, said in its warning."""

    plan: Plan = field(default_factory=Plan)
    rows: tuple[Departed, ...] = ()
    waited: frozenset[Stray] = frozenset()

    def rows_in(self, group: str | None) -> list[RollupRow]:
        """The rows the program's figures count (None), or a group's: listed in the rollups
        (a pair's score issue is not, nor in its ended note)."""
        return [d.row for d in self.rows if d.listed and (group is None or d.group == group)]

    def rows_of(self, desired: DesiredProgram, rollup_key: str) -> list[RollupRow]:
        """The rows a group's rollup issue lists: those of the group its key names that it
        listed while they were live."""
        return self.rows_in(
            rollup_key.removeprefix(f"{desired.program.id}/").removesuffix("/tracking")
        )


def with_notes(plan: Plan, notes: Sequence[AddNote]) -> Plan:
    """NOTES posted before the plan's writes (which prove them), unless the item failed."""
    if not notes or plan.failures:
        return plan
    return replace(plan, actions=(*notes, *plan.actions), unchanged=0)


def departures(  # noqa: PLR0917
    desired: DesiredProgram,
    issues: Sequence[ObservedIssue],
    resolved: Resolved,
    blocks: Blocks,
    today: dt.date,
    strays: Sequence[Stray] = (),
) -> Departures:
    """Each issue whose key the configuration no longer asks for: withdrawn once if it is a
    person's (or account's), listed in the rollups; otherwise a warning while it is open.
    One whose person has no reason, while one of STRAYS (reasons that name no one) is much
    like their name, waits with a warning: its note is posted once, ever (reasons.py)."""
    if not resolved.unwanted:
        return Departures()
    renamed = resolved.aliases  # a renamed program's former keys too (renames.moved)
    known = resolved.known
    held = {s.old for s in suspects(desired, issues, known, renamed)}  # see renames.py
    plans: list[Plan] = []
    rows: list[Departed] = []
    waits = _Waits(strays)
    headings = [section.heading for section in desired.program.sections]
    for key, issue in sorted(resolved.unwanted.items()):
        if key in desired.kept:  # its person is still in the program (Generated.kept)
            rows.append(_kept(desired, key, issue, headings, today))
            continue
        if any(key.startswith(f"{held}/") for held in desired.waiting):
            continue  # left as it stands while its pair is held (Generated.waiting)
        plans.append(follow_rename(desired.program, key, issue))  # found under a former id
        member = _in_group(desired, member_of(desired, key), issue)
        waiting = bool(held & set(key.split("/")[1:-1]))  # a rename's warning says what to do
        if member is None or waiting:
            said, tidied = _no_member(desired, key, issue, today, waiting)
            plans.append(said)
            rows.extend(tidied)
            continue
        progress, finished = _as_it_left(desired, issue, headings, today)
        ended = _ended_before_leaving(desired, member, issue, today)
        live = progress  # as a tracked issue's: what a withdrawal that waits is counted as
        progress = _when_left(progress, finished, ended)
        if ended and not finished:  # removed on the first run after its group ended
            plans.append(_mark_ended(desired, key, issue, blocks, progress))
        finished = finished or ended
        name = desired.course.name(member.group)
        state = issue.state
        withdrawn = _state(issue) in (_LEFT, _LEFT_CLOSED)
        # quiet once withdrawn, whatever people do (a participant can delete the block, not
        # take the label off)
        labelled = status_label(Status.WITHDRAWN) in issue.labels
        # once complete, its labels and progress block follow its ticks, as its row does (a
        # tester: a task unticked after its person left read 66% in the rollup, 100% on it)
        done = progress.status is Status.COMPLETE or proves(issue, COMPLETION_BLOCK)
        if done and not (withdrawn or labelled):
            plan = _finish(desired, key, issue, blocks, today, progress)
            plans.append(plan)
            state = "closed" if any(isinstance(a, CloseIssue) for a in plan.actions) else state
        if not finished and not withdrawn:
            moved = _moved_to(desired, key, issue, today)
            waiting_plan = waits.of(desired, issue, member, moved)
            if waiting_plan is None:
                plan = _withdraw(desired, key, issue, member, blocks, today, progress, moved)
                plan += _sponsor_changed(desired.program, key, issue, member, resolved.found)
            else:  # not withdrawn yet: the rollups count it as they did
                plan, progress = waiting_plan, live
            plans.append(plan)
            state = "closed" if any(isinstance(a, CloseIssue) for a in plan.actions) else state
        rows.append(
            Departed(member.group, _row(desired, issue, name, progress, state), member.listed)
        )
    plans.append(waits.said(desired))
    return Departures(combine(plans), tuple(rows), frozenset(waits.strays_waited))


def _no_member(
    desired: DesiredProgram, key: str, issue: ObservedIssue, today: dt.date, waiting: bool
) -> tuple[Plan, tuple[Departed, ...]]:
    """What to say of an issue configuration no longer asks for that is no person's (or waits
    for a rename), and its rollup row, if it keeps one."""
    if waiting:  # a rename's one warning says it all
        return Plan(), ()
    tidied = _ended_with_group(desired, key, issue, today)
    if tidied is not None:
        return Plan(), (tidied,)
    if issue.state != "opened":
        return Plan(), ()
    return Plan(warnings=(_left_as_it_is(desired, issue, key),)), ()


def _ended_with_group(
    desired: DesiredProgram, key: str, issue: ObservedIssue, today: dt.date
) -> Departed | None:
    """The rollup row of an issue of the program's that is no person's (a cohort's monthly
    group issue), labelled ended or complete, whose key configuration no longer defines: its
    group was taken out of the file after it ended, and is listed as it ended, with no warning
    (a trial: tidying away an ended cohort dropped its group calls from the program's figures,
    and warned of each month's issue on every run; a CSM trial: so it did of a month done)."""
    parts = key.split("/")
    if parts[0] != desired.program.id or len(parts) < 3:
        return None
    if not {status_label(Status.ENDED), status_label(Status.COMPLETE)} & set(issue.labels):
        return None
    if begin_marker(ROLLUP_BLOCK) in issue.description:
        return None  # a group's rollup issue: listing it would count its members twice
    headings = [section.heading for section in desired.program.sections]
    progress, finished = _as_it_left(desired, issue, headings, today)
    progress = _when_left(progress, finished, ended=True)
    name = desired.course.name(parts[1])
    return Departed(parts[1], _row(desired, issue, name, progress, issue.state))


def _kept(
    desired: DesiredProgram, key: str, issue: ObservedIssue, headings: Sequence[str], today: dt.date
) -> Departed:
    """The rollup row of an issue left as it stands while its person is still in the program
    (Generated.kept), in the group its block names, as its ticks stand."""
    person = Member(key.rpartition("/")[2])
    group = (_in_group(desired, person, issue) or person).group
    progress, _ = _as_it_left(desired, issue, headings, today)
    if _state(issue) in (_LEFT, _LEFT_CLOSED):  # withdrawn before: listed, not counted
        progress = replace(progress, status=Status.WITHDRAWN)
    name = desired.course.name(group)
    return Departed(group, _row(desired, issue, name, progress, issue.state))


def _row(
    desired: DesiredProgram, issue: ObservedIssue, group: str, progress: Progress, state: str
) -> RollupRow:
    """The rollup row of an issue configuration no longer asks for, with the values recorded
    in it: averaged as a live issue's are, while it is not withdrawn (an account deleted by
    mistake took its values out of the averages it was in)."""
    records = read_records(issue.description, record_specs(desired.program))
    return RollupRow(issue.reference, _subject(desired, issue), group, progress, state, records)


@dataclass
class _Waits:
    """The departing issues not withdrawn yet, and why: a reason much like their person's
    name that names no one (`_reason_misspelt`), or their whole group gone from the file."""

    strays: Sequence[Stray]
    strays_waited: set[Stray] = field(default_factory=set)
    vanished: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def of(
        self, desired: DesiredProgram, issue: ObservedIssue, member: Member, moved: str | None
    ) -> Plan | None:
        """What a departing issue gets while it waits; None: it is withdrawn."""
        stray = _reason_misspelt(desired.program, member, moved, self.strays)
        if stray is not None:
            self.strays_waited.add(stray)
            warned = held_warning(desired.program, issue.reference, member.id, stray)
            return Plan(warnings=(warned,))
        gone = _group_gone(desired, member, moved)
        if gone is None:
            return None
        self.vanished[gone].append(issue.reference)
        return Plan()  # said once for its group (`said`)

    def said(self, desired: DesiredProgram) -> Plan:
        return Plan(warnings=tuple(_vanished(desired, g, r) for g, r in self.vanished.items()))


def _group_gone(desired: DesiredProgram, member: Member, moved: str | None) -> str | None:
    """The group of a departing MEMBER when the whole group is gone from the program file
    while its time runs (its issues are not labelled ended), and the person has no reason to
    leave: a cohort or account deleted by mistake (a bad merge, say) would have every one of
    its people told they were withdrawn (a tester's finding). None: withdrawn as usual."""
    group, course = member.group, desired.course
    if group is None or group in course.names or group in course.formerly or moved is not None:
        return None  # in the file, or renamed (`renamed_from`: a reviewer's finding)
    return group if desired.program.leaving.reason(member.id) is None else None


def _vanished(desired: DesiredProgram, group: str, references: Sequence[str]) -> str:
    references = sorted(references, key=lambda ref: int(ref.rpartition("#")[2] or 0))
    more = f" and {len(references) - 5} more" if len(references) > 5 else ""
    return (
        f"'{group}' is no longer in the file of program {desired.program.id}, and its open "
        f"issues ({', '.join(references[:5])}{more}) are not labelled ended: they are left as "
        "they are, not withdrawn (each would be closed, with a note to its people). If it "
        "was deleted by mistake, put it back. If it ended, put it back for one run (its "
        "issues are labelled ended), or close them. If it stopped early, give each of its "
        "people (the account, for ESP) a reason in `leaving.reasons`: the next run withdraws "
        "them with it"
    )


def _as_it_left(
    desired: DesiredProgram, issue: ObservedIssue, headings: Sequence[str], today: dt.date
) -> tuple[Progress, bool]:
    """A departed issue's progress (counted over its template's sections, as a live row's:
    a closed one is never overdue), and whether it was finished: complete, an account's plan
    closed as ended (which stays so: a tester saw its row read "not started" once the account
    left the file), or finished once (its completion block) and unticked since: then as a live
    issue, ended once closed past its due date."""
    text = rename_headings(issue.description, desired.program.renamed_headings)
    has = headings_found(text, headings)
    due = issue.due_date if issue.state == "opened" else None  # closed: never overdue
    progress = measure(issue.description, desired.program, due, today, has)
    if progress.status is Status.COMPLETE:
        return progress, True
    finished_once = proves(issue, COMPLETION_BLOCK)  # and unticked since
    # ended, as a live issue closed unfinished past its due date is (a reviewer)
    if proves(issue, ENDED_BLOCK) or (finished_once and _closed_late(issue, today)):
        return replace(progress, status=Status.ENDED), True
    return progress, finished_once


def _when_left(progress: Progress, finished: bool, ended: bool) -> Progress:
    """A departed issue's status: withdrawn, unfinished; ended, as its group's other issues,
    when its group ended first (one finished once and unticked since too: a reviewer saw it
    turn from ended to overdue when its person was taken out); else as it is."""
    if progress.status is Status.COMPLETE or (finished and not ended):
        return progress
    return replace(progress, status=Status.ENDED if ended else Status.WITHDRAWN)


def _subject(desired: DesiredProgram, issue: ObservedIssue) -> str:
    """A departed person's row names them by their issue's title, which configuration no
    longer gives: not a confidential issue's in a public program's rollup (its title is
    for those who may see the issue)."""
    if issue.confidential and not desired.program.is_confidential:
        return "(a confidential issue)"
    return words_of(issue.title)


def _reason_misspelt(
    program: Program, member: Member, moved: str | None, strays: Sequence[Stray]
) -> Stray | None:
    """A reason, among STRAYS, that looks like the departing MEMBER's misspelt, when they have
    none of their own: their note, which says why they left (not so a move to another
    cohort's), would go without it, for good."""
    if moved is not None or program.leaving.reason(member.id) is not None:
        return None
    return misspelt(strays, member.id)


def _finish(  # noqa: PLR0917
    desired: DesiredProgram,
    key: str,
    issue: ObservedIssue,
    blocks: Blocks,
    today: dt.date,
    progress: Progress,
) -> Plan:
    """A departed issue whose every task is done (or was: its completion block): its labels and
    progress block show PROGRESS (its person finished it, then left before a run saw it; or
    unticked a task since), and the first time, it is closed
    where the program closes finished issues, the completion block its proof. The
    completion note is not posted: it is written from the person's configuration, gone; the
    block says so (NOTELESS), and the note comes if the person is back in the program."""
    program = desired.program
    proof = f"{NOTELESS}\n{blocks.completion(today)}{proof_line(issue.iid)}"
    # the first time, its proof; after, the proof says whether required tasks are open again
    first = () if proves(issue, COMPLETION_BLOCK) else ((COMPLETION_BLOCK, proof),)
    edits = Edits(
        ((PROGRESS_BLOCK, blocks.progress(progress)), *first, *open_again(issue, progress))
    )
    update = description_update(program, issue, key, edits)
    wanted, cleared = issue_labels(program, progress), cleared_scopes(progress)
    if not first or isinstance(update, Failure):
        plan = updates(program, issue, key, update, wanted, cleared=cleared)
    else:
        labels = labels_update(program, issue, key, wanted, cleared=cleared)
        closing = program.completion.close and issue.state == "opened"
        close = (CloseIssue(program.id, key, issue.iid, None),) if closing else ()
        plan = Plan((*present(labels), *close, *present(update)))
    return _unless_public(program, issue, plan)


def _mark_ended(
    desired: DesiredProgram, key: str, issue: ObservedIssue, blocks: Blocks, progress: Progress
) -> Plan:
    """A departed issue whose group had ended before its person was removed, unfinished: its
    labels and progress block say `ended`, as its group's other issues do (open, as they are)."""
    program = desired.program
    edits = Edits(((PROGRESS_BLOCK, blocks.progress(progress)),))
    update = description_update(program, issue, key, edits)
    wanted, cleared = issue_labels(program, progress), cleared_scopes(progress)
    plan = updates(program, issue, key, update, wanted, cleared=cleared)
    return _unless_public(program, issue, plan)


def _unless_public(program: Program, issue: ObservedIssue, plan: Plan) -> Plan:
    """The plan, unless it would write a confidential program's figures into a public issue."""
    if program.is_confidential and not issue.confidential and (plan.actions or plan.failures):
        return Plan(public=(issue.reference,))  # held back: names and figures, public
    return plan


def noteless(issue: ObservedIssue) -> bool:
    """Whether the issue's completion block was written without the completion note (its
    person had left): the note is still to come if they are back."""
    try:
        return (block_content(issue.description, COMPLETION_BLOCK) or "").startswith(NOTELESS)
    except ItemError:
        return False


def _ended_before_leaving(
    desired: DesiredProgram, member: Member, issue: ObservedIssue, today: dt.date
) -> bool:
    """Whether a departed issue's group had ended when its person was removed (tidying up
    afterwards): not once it was withdrawn (a cohort that ends later does not count it in
    again); yes when its group's end has passed, or the tool labelled it ended (a removed
    hire's workshop group is no longer known)."""
    if _state(issue) in (_LEFT, _LEFT_CLOSED) or status_label(Status.WITHDRAWN) in issue.labels:
        return False  # withdrawn, by its block or (the block deleted) by its label
    return desired.course.ended(member.group, today) or status_label(Status.ENDED) in issue.labels


def _left_as_it_is(desired: DesiredProgram, issue: ObservedIssue, key: str) -> str:
    """The warning of an open issue the program's label lists whose key it does not define:
    another program's item given this one's label (GitLab drops a scoped label's other value,
    the issue's own program's, when a person adds it), or an item configuration dropped."""
    program = desired.program
    owner = key.split("/", 1)[0]
    if owner not in (program.id, program.renamed_from):
        return (  # not its key: that program's file may be unreadable, its names unknown
            f"issue {issue.reference} is an item of program {owner} (its key says so), but has "
            f"the label {program_label(program)}: it was left as it is; give it back its "
            f"program's label, program::{owner} (GitLab keeps one program:: label an issue)"
        )
    return (
        f"issue {issue.reference} has key '{key}', which the configuration no longer defines"
        f"{_group_dates(desired.course, key)}; it was left as it is; if it is no longer needed, "
        "close it (this warning stops once it is closed)"
    )


def _group_dates(course: Course, key: str) -> str:
    """A hint, for a key no longer defined that names a group still in the program file: the
    group's dates, which may be what moved (a CSM trial: an `end_date` typed a year early
    left its later months' issues "no longer defined", nothing saying why; a year's trial:
    a `start_date` moved later was hinted at by the end date, which had not moved)."""
    group = [*key.split("/"), ""][1]
    start, end = course.starts.get(group), course.ends.get(group)
    if end is None and start is None:
        return ""
    if start is None or end is None:
        dates = f"ends on {end}" if end is not None else f"starts on {start}"
    else:
        dates = f"runs from {start} to {end}"
    return (
        f" (its group '{course.name(group)}' {dates}: if a date is wrong, correct it in the "
        "program file)"
    )


def _withdraw(  # noqa: PLR0917
    desired: DesiredProgram,
    key: str,
    issue: ObservedIssue,
    member: Member,
    blocks: Blocks,
    today: dt.date,
    progress: Progress,
    moved: str | None = None,
) -> Plan:
    """Label, close (as configured, and only an open issue), note once, then the block (and
    its progress block, if it has one, showing PROGRESS: its status now withdrawn); MOVED:
    the group the person moved to, which the note and block name."""
    program = desired.program
    if program.is_confidential and not issue.confidential:
        return Plan(public=(issue.reference,))
    close = program.leaving.close and issue.state == "opened"
    # closed by a run that stopped before its note and block: it labels just before closing
    closed = close or (
        program.leaving.close
        and issue.state == "closed"
        and status_label(Status.WITHDRAWN) in issue.labels
    )
    renderer = blocks.renderer
    left = desired.course.name(member.group)
    said = {
        "program": program,
        "back": False,
        "date": today,
        "closed": closed,
        "moved": moved,
        "left": left,
        "replaced": member.replaced,
        "held": member.held,
    }
    text = _render(renderer, "withdrawn", said)
    dates = _lines(*_away_lines(issue), f"<!-- automation:left {today} -->")
    content = f"{_LEFT_CLOSED if closed else _LEFT}\n{dates}{text}\n{proof_line(issue.iid)}"
    shown = (
        ((PROGRESS_BLOCK, blocks.progress(progress)),) if has_block(issue, PROGRESS_BLOCK) else ()
    )
    edits = Edits(((WITHDRAWN_BLOCK, content), *shown))
    update = description_update(program, issue, key, edits)
    if isinstance(update, Failure) or update is None:
        return Plan(failures=(update,)) if update else Plan()
    values = {**said, "reason": program.leaving.reason(member.id)}
    note = f"{WITHDRAWN_NOTE}\n{_render(renderer, 'withdrawn_note', values)}"
    # its phase and progress labels as its progress block says them, frozen with it (a
    # year's simulation: they stayed as the last run before the ticks had them, for good)
    wanted, cleared = issue_labels(program, progress), cleared_scopes(progress)
    actions: list[Action] = [*present(labels_update(program, issue, key, wanted, cleared=cleared))]
    if close:
        actions.append(
            CloseIssue(
                program.id,
                key,
                issue.iid,
                why=_why_withdrawn(member),
            )
        )
    actions += [AddNote(program.id, key, issue.iid, note), update]
    return Plan(tuple(actions))


def _sponsor_changed(
    program: Program,
    key: str,
    issue: ObservedIssue,
    member: Member,
    found: Mapping[str, ObservedIssue],
) -> Plan:
    """Said once, when a former sponsor's score issue (KEY, `…/sponsee/sponsor-scores/
    sponsor`) is withdrawn: the pair's own issue keeps the title and people table it was
    made with (a trial: a sponsor swapped mid-cohort went unsaid, the pair's issue naming the
    former sponsor for good)."""
    if not member.replaced:
        return Plan()
    pair = found.get(key.rsplit("/", 2)[0])
    which = f"issue {pair.reference}" if pair else "its issue"
    return Plan(
        warnings=(
            f"{program.id}: issue {issue.reference}, a former sponsor's score issue, is "
            f"withdrawn: the pair has another sponsor now. The pair's own {which} keeps the "
            "title and people table it was made with: edit them by hand (README 'People "
            "change')",
        )
    )


def _why_withdrawn(member: Member) -> str:
    """The plan's word for closing a withdrawn issue."""
    if member.held:
        return f"withdrawn: {member.held} in the program's configuration now"
    if member.replaced:
        return "withdrawn: the pair has another sponsor in the program's configuration"
    return "withdrawn: no longer in the program's configuration"


# --- a tracked issue: back in the program, or its account ended ----------------------------


@dataclass(frozen=True)
class Turn:
    """What a tracked issue needs besides its usual blocks and labels: actions that come
    before its description is written (reopen, close, a note), the blocks that prove them,
    and its state afterwards (None: unchanged)."""

    actions: tuple[Action, ...] = ()
    blocks: BlockTexts = ()
    state: str | None = None


NO_TURN = Turn()


def turn(  # noqa: PLR0917
    desired: DesiredProgram,
    item: DesiredIssue,
    found: ObservedIssue,
    measured: Mapping[str, Measured],
    blocks: Blocks,
    today: dt.date,
) -> Turn:
    """A withdrawn issue whose person is back: reopened (only if the tool closed it), its
    block saying so. An ended account's plan: closed with a summary note, once."""
    program = desired.program
    state = _state(found)
    if state in (_LEFT, _LEFT_CLOSED):
        if _back_too_late(desired, item, today):
            return Turn()  # put back once over: left as it was
        text = _render(blocks.renderer, "withdrawn", {"back": True, "date": today})
        reopen = reopens(desired, item, found, today)
        actions = (ReopenIssue(program.id, item.key, found.iid),) if reopen else ()
        left = _LEFT_ON.search(block_content(found.description, WITHDRAWN_BLOCK) or "")
        since = [f"<!-- automation:away {left[1]} {today} -->"] if left else []
        dates = _lines(*_away_lines(found), *since)
        back = f"{_BACK}\n{dates}{text}\n{proof_line(found.iid)}"
        return Turn(actions, ((WITHDRAWN_BLOCK, back),), "opened" if reopen else None)
    ending = _ending(desired, item)
    if proves(found, ENDED_BLOCK) and not _resumed(found):
        extended = _resumes(ending, found, today)
        return _resume_account(program.id, item.key, found, today) if extended else Turn()
    if ending is None or today <= ending.end:
        return Turn()
    return _end_account(desired, ending, found, measured, blocks)


def reopens(
    desired: DesiredProgram, item: DesiredIssue, found: ObservedIssue, today: dt.date
) -> bool:
    """Whether this plan opens the closed issue again (`turn`): its person is back and the tool
    had closed it, or its account's commitment was extended after it ended."""
    if found.state != "closed":
        return False
    state = _state(found)
    if state in (_LEFT, _LEFT_CLOSED):
        return state == _LEFT_CLOSED and not _back_too_late(desired, item, today)
    ended = proves(found, ENDED_BLOCK) and not _resumed(found)
    return ended and _resumes(_ending(desired, item), found, today)


def _back_too_late(desired: DesiredProgram, item: DesiredIssue, today: dt.date) -> bool:
    """A person put back once their cohort (or workshop) ended: their withdrawn issue stays as
    it is, closed if it was, rather than reopened into something over (a tester's finding:
    GitLab told them, and the issue read `status::ended` at once); so too an ESP account
    approved again once its commitment ended (a reviewer's finding)."""
    ending = _ending(desired, item)
    over = ending is not None and today > ending.end
    return over or is_over(desired, item, today)


def _ending(desired: DesiredProgram, item: DesiredIssue) -> Ending | None:
    return next((e for e in desired.course.endings if e.key == item.key), None)


def _resumes(ending: Ending | None, found: ObservedIssue, today: dt.date) -> bool:
    """Whether an ended account's plan runs again: its commitment runs today, and
    configuration moved its end past the one recorded when it ended."""
    running = ending is None or today <= ending.end
    return running and _extended(found, ending.end if ending else None)


_ENDED_ON = re.compile(r"<!-- commitment end (\d{4}-\d{2}-\d{2}) -->")


def _extended(found: ObservedIssue, end: dt.date | None) -> bool:
    """Whether configuration moved the end its plan recorded when it ended to later (or took
    it away): not a rehearsal of a later day followed by a run on today."""
    try:
        recorded = _ENDED_ON.search(block_content(found.description, ENDED_BLOCK) or "")
    except ItemError:
        return False  # a marker a person typed or broke: the plan of the block says so
    if recorded is None:
        return False  # ended by an earlier version: left as it is
    return end is None or end > dt.date.fromisoformat(recorded.group(1))


_EXTENDED = "The commitment was extended on {}: this plan runs again."
_EXTENDED_RE = re.compile(re.escape(_EXTENDED).replace(r"\{\}", r"\d{4}-\d{2}-\d{2}"))


def _resumed(found: ObservedIssue) -> bool:
    """Whether the plan's `ended` block says its commitment was extended: it proves nothing
    (no proof line, yet a block without one counts as an earlier version's proof)."""
    try:
        content = block_content(found.description, ENDED_BLOCK) or ""
    except ItemError:
        return False
    return _EXTENDED_RE.fullmatch(content.strip()) is not None


def _resume_account(program: str, key: str, found: ObservedIssue, today: dt.date) -> Turn:
    """An ended account's plan whose commitment configuration extended: open again (its
    `ended` block says so and proves nothing any more, so a later end ends it anew)."""
    reopen = found.state == "closed"
    actions = (ReopenIssue(program, key, found.iid),) if reopen else ()
    text = _EXTENDED.format(today)
    return Turn(actions, ((ENDED_BLOCK, text),), "opened" if reopen else None)


def _end_account(
    desired: DesiredProgram,
    ending: Ending,
    found: ObservedIssue,
    measured: Mapping[str, Measured],
    blocks: Blocks,
) -> Turn:
    program = desired.program
    counted_issues = [
        m
        for key, m in sorted(measured.items())
        if key.startswith(ending.counts) and key != ending.key
    ]
    plan = measured.get(ending.key)
    # and those this plan makes, in the same run (an ESP trial: after a gap in runs, the
    # months missed came with the note, which counted four of six, for good)
    made = sum(
        1
        for item in desired.issues
        if item.create and item.key.startswith(ending.counts) and item.key not in measured
    )
    values = {
        "program": program,
        "account": ending.name,
        "end": ending.end,
        "why": ending.why,
        "plan": plan.progress if plan else None,
        "issues": len(counted_issues) + made,
        "complete": sum(1 for m in counted_issues if m.progress.status is Status.COMPLETE),
        "open": made
        + sum(  # unfinished ones: a complete issue a person keeps open is complete
            1
            for m in counted_issues
            if m.issue.state == "opened" and m.progress.status is not Status.COMPLETE
        ),
    }
    # one note per end: an account extended after it ended, then ending again, gets its own
    marker = f"<!-- automation:note account-ended {ending.end.isoformat()} -->"
    note = f"{marker}\n{_render(blocks.renderer, 'account_note', values)}"
    text = _render(blocks.renderer, "account_ended", values)
    actions: list[Action] = []
    if found.state == "opened":
        why = "the account's commitment ended"
        actions.append(CloseIssue(program.id, ending.key, found.iid, marker, why))
    actions.append(AddNote(program.id, ending.key, found.iid, note))
    ended = f"{text}\n<!-- commitment end {ending.end.isoformat()} -->\n{proof_line(found.iid)}"
    return Turn(tuple(actions), ((ENDED_BLOCK, ended),), "closed")


# --- cohorts that end ---------------------------------------------------------------------


def with_endings(
    desired: DesiredProgram, measured: Mapping[str, Measured], today: dt.date
) -> dict[str, Measured]:
    """The measured issues, those that ended (not complete) as `ended`: past their own end
    (closed then too: an ended account's plan, closed by the tool), in a group that ended, or
    closed by a person past their due date (a closed issue is never overdue; `not started`
    said of a month's session closed unfinished reads as work still to come)."""
    out = dict(measured)
    for item in desired.issues:
        m = measured.get(item.key)
        if m is None or m.progress.status is Status.COMPLETE:
            continue
        if is_over(desired, item, today, _due(item, m.issue)) or _closed_late(m.issue, today):
            # put back once over, still withdrawn (`turn`): as its group's figures counted it
            left = _state(m.issue) in (_LEFT, _LEFT_CLOSED) and _back_too_late(desired, item, today)
            status = Status.WITHDRAWN if left else Status.ENDED
            out[item.key] = replace(m, progress=replace(m.progress, status=status))
    return out


def _due(item: DesiredIssue, issue: ObservedIssue) -> dt.date | None:
    """An open issue's due date as the plan leaves it (a person's stays)."""
    return due_after(item, issue) if issue.state == "opened" else None


def _closed_late(issue: ObservedIssue, today: dt.date) -> bool:
    """Closed by a person, unfinished, past its due date: never overdue, and not `not started`
    either (said of a month's session closed unfinished, it reads as work still to come)."""
    return issue.state == "closed" and issue.due_date is not None and today > issue.due_date


def _counted(rows: Sequence[RollupRow], status: Status, state: str | None = None) -> int:
    """How many of a group's issues have STATUS (and are in STATE, when given)."""
    return sum(
        1 for r in rows if r.progress and r.progress.status is status and state in (None, r.state)
    )


def _hidden(description: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """The hidden lines PATTERN matches (final, moved) in an issue's rollup block."""
    try:
        content = block_content(description, ROLLUP_BLOCK) or ""
    except ItemError:
        return []
    return [m for line in content.split("\n") if (m := pattern.match(line.strip()))]


@dataclass(frozen=True)
class Endings:
    """The final rollups of the groups that ended: which rollup issue holds each, its rows."""

    desired: DesiredProgram
    rows: Mapping[str, list[RollupRow]]  # group id -> its rows, withdrawn ones included
    blocks: Blocks
    today: dt.date

    @classmethod
    def of(
        cls,
        desired: DesiredProgram,
        tracked: Iterable[tuple[DesiredIssue, RollupRow | None]],
        departed: Departures,
        blocks: Blocks,
        today: dt.date,
    ) -> Endings:
        """The rows of each group that can end, from the tracked issues and those that left."""
        rows: dict[str, list[RollupRow]] = {group: [] for group in desired.course.ends}
        for item, row in tracked:
            group = group_of(desired, item)
            if group is not None and row is not None:
                rows[group].append(row)
        for group in rows:
            rows[group] += departed.rows_in(group)
        return cls(desired, rows, blocks, today)

    def _groups_of(self, item: DesiredIssue) -> list[str]:
        """The groups whose final rollup this rollup issue holds: a group rollup its own
        group's; the tracking issue those of the groups that have no rollup issue."""
        pid, course = self.desired.program.id, self.desired.course
        own = [g for g in course.ends if item.key == f"{pid}/{g}/tracking"]
        if own or item.key != self.desired.tracking.key:
            return own
        with_rollups = {r.key for r in self.desired.rollups}
        return [g for g in course.ends if f"{pid}/{g}/tracking" not in with_rollups]

    def rollup(
        self, item: DesiredIssue, found: ObservedIssue, content: str
    ) -> tuple[str | None, tuple[AddNote, ...]]:
        """The rollup block's content (None: frozen, left as it is) and the notes to post
        before it is written."""
        groups = self._groups_of(item)
        if not groups:
            return content, ()
        course = self.desired.course
        finals = self._lines(found, _FINAL)
        void = [(g, end) for g, end in finals if self._moved_later(g, end, groups)]
        done = {g for g, end in finals if (g, end) not in void}
        if item.key != self.desired.tracking.key and done:
            return None, ()  # a group's own rollup, final: its figures are frozen
        moved = [*self._lines(found, _MOVED), *void]
        again = {g for g, _ in moved}  # ended before: a note of its own for this end
        ending = [  # a group that never had an issue (added after its end) has nothing to say
            g for g in groups if g not in done and course.ended(g, self.today) and self.rows.get(g)
        ]
        lines = [
            *(final_line(g, end) for g, end in finals if (g, end) not in void),
            *(final_line(g, course.ends[g].isoformat()) for g in ending),
            *dict.fromkeys(moved_line(g, end) for g, end in moved),
        ]
        notes = (
            *(self._moved_note(item, found, g, end) for g, end in void),
            *(self._ended_note(item, found, g, g in again) for g in ending),
        )
        return "\n".join([*lines, content]) if lines else content, notes

    def _lines(self, found: ObservedIssue, pattern: re.Pattern[str]) -> list[tuple[str, str]]:
        """The (group, end) of each hidden line PATTERN matches in the rollup block, a
        renamed group's by its id now (a tester: a cohort renamed after it ended had its
        ended note posted a second time)."""
        formerly = self.desired.course.formerly
        return [
            (formerly.get(m["group"], m["group"]), m["end"])
            for m in _hidden(found.description, pattern)
        ]

    def _ended_note(
        self, item: DesiredIssue, found: ObservedIssue, group: str, again: bool
    ) -> AddNote:
        """The note with the group's final figures; AGAIN: it ended before, on an end moved
        since, so this end's note is one of its own (its marker dated)."""
        end = self.desired.course.ends[group] if again else None
        body = f"{ended_note_marker(group, end)}\n{self._note(item, group)}"
        return AddNote(self.desired.program.id, item.key, found.iid, body)

    def _moved_later(self, group: str, end: str, groups: Sequence[str]) -> bool:
        """Whether a final line for END is void: configuration moved the group's end later,
        and the new one has not passed (an end moved earlier, or moved once both passed,
        leaves the final figures as they are)."""
        course = self.desired.course
        return (
            group in groups
            and end < course.ends[group].isoformat()
            and not course.ended(group, self.today)
        )

    def _moved_note(
        self, item: DesiredIssue, found: ObservedIssue, group: str, end: str
    ) -> AddNote:
        """The note that says the final figures written for END are live again."""
        values = {**self._about(item, group), "was": end}
        text = _render(self.blocks.renderer, "end_moved_note", values)
        marker = end_moved_note_marker(group, end)
        return AddNote(self.desired.program.id, item.key, found.iid, f"{marker}\n{text}")

    def _about(self, item: DesiredIssue, group: str) -> dict[str, Any]:
        """What both notes of a group's end say of it: the program, the group's name, its end,
        and whether ITEM is the group's own rollup (its figures frozen), not the tracking issue."""
        own = item.key != self.desired.tracking.key
        name = self.desired.course.names.get(group) or (item.subject if own else group)
        return {
            "program": self.desired.program,
            "group": name,
            "end": self.desired.course.ends[group],
            "frozen": own,
        }

    def _note(self, item: DesiredIssue, group: str) -> str:
        program = self.desired.program
        rows = self.rows.get(group, [])
        values = {
            **self._about(item, group),
            "listing": listing(program, rows),
            "rows": rows,
            "totals": total(counted(rows), program),
            # unfinished: the ones left open, and those a person closed (said apart)
            "ended": _counted(rows, Status.ENDED, "opened"),
            "closed": _counted(rows, Status.ENDED, "closed"),
            "withdrawn": _counted(rows, Status.WITHDRAWN),
        }
        return _render(self.blocks.renderer, "ended_note", values)


def sample_rows(desired: DesiredProgram, today: dt.date) -> list[RollupRow]:
    """The rollup rows of the program's issues as first made (numbered from 1, open)."""
    program, specs = desired.program, record_specs(desired.program)
    return [
        RollupRow(
            f"#{number}",
            item.subject,
            item.group,
            measure(item.description, program, item.due_date, today, item.sections),
            "opened",
            read_records(item.description, specs),
        )
        for number, item in enumerate(desired.issues, start=1)
    ]


def samples(
    desired: DesiredProgram, rows: list[RollupRow], blocks: Blocks, today: dt.date, reason: str
) -> dict[str, str]:
    """Every text this module writes for a program, in each of its cases, with its
    configuration's values and REASON, given as the run gives them (how `validate` renders
    the lifecycle templates: a team's template that works on the day must pass it)."""
    program, renderer = desired.program, blocks.renderer
    names = [*desired.course.names.values(), *(e.name for e in desired.course.endings)]
    name = names[0] if names else program.name
    texts = {"back": _render(renderer, "withdrawn", {"back": True, "date": today})}
    for case, said in _withdrawals(program, name, today).items():
        texts[f"withdrawn {case}"] = _render(renderer, "withdrawn", said)
        note = {**said, "reason": reason}
        texts[f"withdrawn note {case}"] = _render(renderer, "withdrawn_note", note)
    about = {"program": program, "group": name, "end": today, "frozen": True}  # (`_about`)
    final = {
        **about,
        "listing": listing(program, rows),
        "rows": rows,
        "totals": total(counted(rows), program),
        "ended": len(rows),
        "closed": 0,
        "withdrawn": 0,
    }
    texts["ended note"] = _render(renderer, "ended_note", final)
    moved = {**about, "was": today.isoformat()}  # (`_moved_note`: the end it had, as written)
    texts["end moved note"] = _render(renderer, "end_moved_note", moved)
    whys = dict.fromkeys((*(e.why for e in desired.course.endings if e.why), None, reason))
    for i, why in enumerate(whys):
        values = _account_sample(program, name, rows, today, why)
        texts[f"account ended {i}"] = _render(renderer, "account_ended", values)
        texts[f"account note {i}"] = _render(renderer, "account_note", values)
    return texts


def _withdrawals(program: Program, name: str, today: dt.date) -> dict[str, dict[str, Any]]:
    """The values of a withdrawal's block and note (`_withdraw`) in each case: left, moved to
    another group, the pair given another person, or held back (not released or approved)."""
    said = {
        "program": program,
        "back": False,
        "date": today,
        "closed": True,
        "moved": None,
        "left": name,
        "replaced": False,
        "held": None,
    }
    return {
        "left": said,
        "moved": {**said, "moved": name},
        "replaced": {**said, "replaced": True},
        "held": {**said, "held": "proposed"},
    }


def _account_sample(
    program: Program, name: str, rows: list[RollupRow], today: dt.date, why: str | None
) -> dict[str, Any]:
    """The values of an ended account's block and note (`_end_account`)."""
    return {
        "program": program,
        "account": name,
        "end": today,
        "why": why,
        "plan": rows[0].progress if rows else None,
        "issues": len(rows),
        "complete": 0,
        "open": len(rows),
    }
