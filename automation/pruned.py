"""Issues of a group taken out of the program file once over (a past workshop deleted to keep
the list short): they keep the group they had (pure).

A kind whose keys do not name the group (onboarding: a hire's workshop is chosen from the
file) names it in a hidden line of a tool block (`Course.group_block`). When that line names a
group the file no longer has, and the issue is closed or its time ended, the issue's history
stays as it is: its block is not rewritten with another group the file now offers (a tester:
pruning past workshops gave 33 graduated hires a workshop they never attended, and put them in
that workshop's final rollup), it moves to no other epic, and no group's rollup lists it. So
too an issue that ended while its block named no group (a hire who waited for a workshop) when
the file gives it one later."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from automation.course import GROUP_LINE
from automation.desired import DerivedRow, DesiredIssue, DesiredProgram, group_of, is_over
from automation.items import ObservedIssue
from automation.markers import sound_block
from automation.progress import Status, status_label

SHOWN = 5  # groups named in the note


def in_former_groups(
    desired: DesiredProgram, issues: Sequence[ObservedIssue], today: dt.date
) -> DesiredProgram:
    """DESIRED with each such issue's item kept in the group its block names, and one note
    (not a warning: the issues are as they should be, and it is said every run)."""
    block = desired.course.group_block
    if block is None:
        return desired
    found = {issue.key: issue for issue in issues if issue.key}
    held = {
        item.key: group
        for item in desired.issues
        if (group := _former_group(desired, item, found.get(item.key), block, today)) is not None
    }
    if not held:
        return desired
    items = tuple(_kept(item, held.get(item.key), block) for item in desired.issues)
    named = {key: group for key, group in held.items() if group}  # gone from the file
    said = (_said(desired, named),) if named else ()
    rollups = tuple(_without_rows(rollup, frozenset(held)) for rollup in desired.rollups)
    return replace(desired, issues=items, rollups=rollups, notices=(*desired.notices, *said))


def _without_rows(rollup: DesiredIssue, held: frozenset[str]) -> DesiredIssue:
    """A group's rollup without the rows of the issues HELD as they were (an onboarding
    trial: a hire ended with no workshop was listed, late, in one scheduled months after)."""
    derived = tuple(
        replace(block, rows=tuple(row for row in block.rows if not counts_one_of(row, held)))
        for block in rollup.derived
    )
    return replace(rollup, derived=derived) if derived != rollup.derived else rollup


def counts_one_of(row: DerivedRow, keys: frozenset[str]) -> bool:
    """Whether a derived row counts one of the issues of KEYS."""
    section = row.section[0] if row.section else None
    return bool(keys & {row.records, row.year_records, row.made, section, *row.counted})


def _former_group(
    desired: DesiredProgram,
    item: DesiredIssue,
    issue: ObservedIssue | None,
    block: str,
    today: dt.date,
) -> str | None:
    """For an issue that is over (closed, or labelled ended or complete: reopened, say): the
    group its block names when the program no longer has it, or "" when it names none, is
    labelled ended, and the file now gives the item a group that has not ended (a hire whose
    onboarding ended on its own while they waited for a workshop, given one scheduled later:
    a tester saw them reminded of its pre-work months on; a block written before blocks named
    their group, of a hire whose group ended, is written again as usual: a reviewer's).
    None otherwise (kept up to date as usual), or without a readable block."""
    over = {status_label(Status.ENDED), status_label(Status.COMPLETE)}
    if issue is None or (issue.state == "opened" and not over & set(issue.labels)):
        return None  # live: a workshop cancelled before it ran gives its hires another
    content = sound_block(issue.description, block)
    if content is None:
        return None
    line = GROUP_LINE.search(content)
    if line is None:
        ended = status_label(Status.ENDED) in issue.labels
        return "" if item.rollups and ended and not is_over(desired, item, today) else None
    return line[1] if line[1] not in desired.course.names else None


def _kept(item: DesiredIssue, group: str | None, block: str) -> DesiredIssue:
    """The item as its issue was (GROUP: the group it names, "" none)."""
    if group is None:
        return item
    blocks = tuple((name, text) for name, text in item.blocks if name != block)
    # over, as its group was when it was taken out (not overdue again, then given another)
    over = dt.date.min
    return replace(
        item,
        blocks=blocks,
        kept=(),  # its template's facts as they were (its workshop's dates, say)
        dates={},  # no reminder: its time is over (a trial: of goals months past)
        rollups=(),
        group=group or "(none)",
        epic_key=None,
        ends=over,
    )


def _said(desired: DesiredProgram, held: Mapping[str, str]) -> str:
    groups = sorted(set(held.values()))
    more = f" and {len(groups) - SHOWN} more" if len(groups) > SHOWN else ""
    named = ", ".join(groups[:SHOWN]) + more
    count = len(held)
    issues = f"{count} issue{'s' if count != 1 else ''}"
    return (
        f"{desired.program.id}: {issues} that ended name groups the program file no longer "
        f"lists ({named}); they are left in those groups as they are (their blocks, epics and "
        "rows). Keep past groups in the file: their issues and rollups name them"
    )


def with_groups_in_use(desired: DesiredProgram, issues: Sequence[ObservedIssue]) -> DesiredProgram:
    """DESIRED with every group that an open issue of the program belongs in made now (its
    epic and rollup), where the kind makes a group only from its creation window: a newcomer's
    trial moved a hire's start date back after their issue was made, and the issue sat in its
    old workshop's epic, in no workshop's rollup, until the new workshop's window came. So
    too an ended cohort's, while an issue of it is open (one a person deleted is made again:
    its open issues' rows and epic belong there)."""
    open_keys = {issue.key for issue in issues if issue.key and issue.state == "opened"}
    used = {item.epic_key for item in desired.issues if item.key in open_keys and item.epic_key}
    if not used & {e.key for e in desired.epics if not e.create}:
        return desired
    return replace(
        desired,
        epics=tuple(replace(e, create=e.create or e.key in used) for e in desired.epics),
        rollups=tuple(replace(r, create=r.create or r.epic_key in used) for r in desired.rollups),
    )


def into_begun_group(
    desired: DesiredProgram, item: DesiredIssue, issue: ObservedIssue, today: dt.date
) -> tuple[str, ...]:
    """A warning when an open issue moves from the group its block names to one that began
    before today (a tester corrected a hire's start date to an earlier day, three days before
    their workshop: the issue then named a workshop held weeks before, its pre-work overdue,
    unsaid), or none. Said by the run that moves it (and by `plan` before)."""
    block, course = desired.course.group_block, desired.course
    new = group_of(desired, item)
    if block is None or new is None or issue.state != "opened" or new not in course.begins:
        return ()
    content = sound_block(issue.description, block)
    line = GROUP_LINE.search(content or "")
    if line is None or line[1] == new or course.begins[new] >= today:
        return ()
    return (
        f"issue {issue.reference} moves from {course.name(line[1])} to {course.name(new)}, "
        f"which began on {course.begins[new]:%Y-%m-%d}, before today (a start date changed, "
        "say): the issue's dates now follow it. To keep its hire in another, name it for them "
        "with `workshop:` in the program file",
    )
