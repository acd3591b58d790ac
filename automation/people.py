"""People follow configuration: who an issue is assigned to when config changes (pure).

The tool records in each issue, in the hidden tool-owned block `assigned`, the people it
assigned for the configuration it last followed:

    <!-- automation:begin assigned -->
    <!-- automation:assigned jordan.alvarez,aiko.tanaka -->
    <!-- automation:end assigned -->

When configuration names other people, the tool assigns the new ones and unassigns the ones
it recorded that configuration no longer names; anyone a person assigned by hand stays, and
nobody is put back whom a person unassigned. A confidential issue gets one note saying who
was added (mentioned, so they are told) and who no longer is (named without a mention). The
record is written last, as the proof that the change was made: a run that stopped half-way
finishes on the next run, and the note's marker holds the change, so it is posted once.

An issue without the record (made before this version) gets it with the people configuration
names now: those of them who are assigned count as the tool's from then on. Nobody is
assigned or unassigned for it, so a change made in configuration before that first run is not
followed (unassign the person by hand)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence

from automation.actions import (
    Action,
    AddNote,
    CreateIssue,
    Failure,
    Plan,
    UpdateAssignees,
)
from automation.changes import description_update
from automation.config.models import Program
from automation.desired import DesiredIssue
from automation.edits import BlockTexts, Edits
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.markers import block_content

ASSIGNED_BLOCK = "assigned"
NOTE_MARKER = "<!-- automation:note people {change} -->"
_RECORD = re.compile(r"<!-- automation:assigned(?P<names>(?: [\w.\-]+(?:,[\w.\-]+)*)?) -->")


def _fold(name: str) -> str:
    """GitLab usernames are case-insensitive."""
    return name.casefold()


def unique(names: Iterable[str]) -> tuple[str, ...]:
    """The names once each (whatever their case), in order."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(_fold(name), name)
    return tuple(seen.values())


def record(names: Sequence[str]) -> str:
    """The content of the `assigned` block for these people."""
    listed = ",".join(unique(names))
    return (
        f"<!-- automation:assigned {listed} -->\n" if listed else "<!-- automation:assigned -->\n"
    )


def people_blocks(item: DesiredIssue) -> BlockTexts:
    """The record a new issue is created with (none for an issue assigned to nobody)."""
    return ((ASSIGNED_BLOCK, record(item.assignees)),) if item.assignees else ()


def recorded(description: str) -> tuple[str, ...] | None:
    """Whom the tool assigned, as the issue records it; None without a readable record;
    ItemError when the block's markers are damaged."""
    content = block_content(description, ASSIGNED_BLOCK)
    found = _RECORD.search(content or "")
    if found is None:
        return None
    return tuple(name for name in found.group("names").strip().split(",") if name)


def reassigned(
    current: Sequence[str], add: Sequence[str], remove: Sequence[str], order: Sequence[str]
) -> tuple[str, ...]:
    """The assignees once ADD are assigned and REMOVE unassigned, everyone else kept: the
    people configuration names first, in its order (GitLab Free keeps only the first
    assignee, so the first person configuration names is the one kept there)."""
    gone = {_fold(name) for name in remove}
    kept = [name for name in current if _fold(name) not in gone]
    merged = unique([*kept, *add])
    rank = {_fold(name): i for i, name in enumerate(order)}
    return tuple(sorted(merged, key=lambda name: rank.get(_fold(name), len(rank))))


def same_people(one: Iterable[str], other: Iterable[str]) -> bool:
    """Whether two lists name the same people (order and case aside)."""
    return {_fold(name) for name in one} == {_fold(name) for name in other}


def missing(names: Iterable[str], among: Iterable[str]) -> list[str]:
    """NAMES that are not among the others (case aside)."""
    there = {_fold(name) for name in among}
    return [name for name in names if _fold(name) not in there]


def dropped_warning(iid: int, dropped: Sequence[str], kept: Sequence[str]) -> str:
    """What to know when GitLab did not assign someone the tool asked it to (the people it
    kept are counted, not named: someone assigned by hand is not in configuration, so outputs
    could not hide them for a confidential program)."""
    now = f"{len(kept)} assignee{'' if len(kept) == 1 else 's'}" if kept else "no assignee"
    return (
        f"issue #{iid}: GitLab did not assign {', '.join(dropped)} (the issue has {now}); "
        "GitLab Free keeps one assignee, and GitLab leaves out a user who cannot read the "
        "project's issues: give them access (Guest is enough), then assign them by hand"
    )


def replaced_warning(iid: int, count: int) -> str:
    """What to know when GitLab Free, keeping one assignee, unassigned someone the tool did not
    ask it to (a Free trial: a person assigned by hand was replaced by the new sponsor, and
    nothing said so). Not named: whoever assigned by hand is not in configuration, so outputs
    could not hide them for a confidential program."""
    who = "the person" if count == 1 else f"the {count} people"
    return (
        f"issue #{iid}: GitLab Free keeps one assignee, so {who} assigned to it by hand "
        "lost that place to the first person the program names for it; assign them again by "
        "hand if they are to have it (that unassigns the program's)"
    )


_FREE_ADVICE = (
    "and assigning them by hand would unassign the one it has. Only the Planner role in the "
    "project (Reporter before GitLab 17.7) would let them read it, and it shows them every "
    "confidential issue of the project. For all of an issue's people to read it, the program "
    "needs GitLab Premium"
)


def one_assignee_warning(
    which: str, dropped: Sequence[str], roles: Sequence[tuple[str, str]]
) -> str:
    """What to know when GitLab Free kept a confidential issue's first person only: the others
    cannot read it, and no assignment by hand can change that. Each is said with their role
    in the issue, which outputs show when they hide a confidential program's names."""
    who = " and ".join(_with_role(name, roles) for name in dropped)
    return (
        f"{which}: GitLab Free keeps one assignee, so {who} cannot read this confidential "
        f"issue, {_FREE_ADVICE}"
    )


def one_assignee_warnings(plan: Plan, hides: Callable[[str], bool]) -> tuple[tuple[str, str], ...]:
    """(program, warning): one a program, for the confidential issues a plan creates with
    more people than GitLab Free assigns, said when the plan is reviewed (a tester's plan
    said 0 warnings, and the run 4). Their keys are named unless HIDES them (a confidential
    program's: a reviewer read four identical lines)."""
    made: dict[str, list[CreateIssue]] = {}
    for a in plan.actions:
        if isinstance(a, CreateIssue) and a.issue.confidential and unique(a.issue.assignees)[1:]:
            made.setdefault(a.program, []).append(a)
    return tuple((p, _kept_one(p, creates, hides)) for p, creates in made.items())


def _kept_one(program: str, creates: Sequence[CreateIssue], hides: Callable[[str], bool]) -> str:
    """One program's new issues that GitLab Free will keep to their first person."""
    left = [role for a in creates for role, name in a.issue.roles if name in a.issue.assignees[1:]]
    who = " and ".join(f"the {role}" for role in dict.fromkeys(left)) or "all but one person"
    keys = [f"[{a.key}]" for a in creates if not hides(a.key)]
    named = f" ({', '.join(keys)})" if len(keys) == len(creates) else ""
    many = f"{len(creates)} new confidential issues" if creates[1:] else "a new confidential issue"
    where = "in each, " if creates[1:] else ""
    return (
        f"{many} of {program}{named}: GitLab Free keeps one assignee, so {where}{who} will not "
        f"be able to read it, {_FREE_ADVICE}"
    )


def _with_role(name: str, roles: Sequence[tuple[str, str]]) -> str:
    """NAME, after their roles in an issue (`the participant`) when it has any."""
    held = _held(name, roles)
    return f"the {' and '.join(held)} {name}" if held else name


def _as_role(name: str, roles: Sequence[tuple[str, str]]) -> str:
    """NAME's roles in an issue, said after it (` (manager)`), or nothing."""
    held = _held(name, roles)
    return f" ({' and '.join(held).replace('_', ' ')})" if held else ""


def _held(name: str, roles: Sequence[tuple[str, str]]) -> list[str]:
    return [role for role, username in roles if _fold(username) == _fold(name)]


def plan_people(
    program: Program,
    item: DesiredIssue,
    found: ObservedIssue,
    several: bool = True,
    today: dt.date | None = None,
) -> Plan:
    """An open issue's assignees when configuration names other people than the tool
    recorded: assign, unassign, the note (confidential issues), then the record. SEVERAL:
    GitLab keeps several assignees (Premium, as far as the tool can tell: epics available).
    Not once TODAY is past the issue's `people_until` (an ESP period that ended: a tester's
    finding, a newcomer to an account team was handed, and told of, every past month)."""
    past = item.people_until is not None and today is not None and today > item.people_until
    if found.state != "opened" or past:
        return Plan()  # a closed issue's people are its history, as a past period's are
    wanted = unique(item.assignees)
    try:
        before = recorded(found.description)
    except ItemError as error:
        message = f"issue {found.reference}: {error}"
        return Plan(failures=(Failure(program.id, item.key, message, found.iid),))
    if before is None:  # made before the record, or a person deleted it
        if not wanted:
            return Plan()  # nobody to record
        before = _assigned_already(found, wanted, several)
    elif same_people(before, wanted):
        return Plan()  # the people the tool followed last
    else:  # a username renamed (`renamed_from`) is the same person: only the record changes
        before = _as_gitlab_has_them(_under_new_names(before, item, found), wanted, found)
    update = description_update(
        program, found, item.key, Edits(((ASSIGNED_BLOCK, record(wanted)),))
    )
    if isinstance(update, Failure):
        return Plan(failures=(update,))
    writes = (
        _changes(program, item, found, before, wanted) if not same_people(before, wanted) else []
    )
    return Plan((*writes, *([update] if update is not None else [])))


def _under_new_names(
    names: tuple[str, ...], item: DesiredIssue, found: ObservedIssue
) -> tuple[str, ...]:
    """NAMES with each username the issue's former keys hold (`renamed_from`) as its key now
    holds it, where the issue is not assigned to the old name: GitLab renamed the person, who
    is still assigned under the new name (or, on Free, was never assigned, as the first
    person alone is), so nobody changed (a tester saw a "People changed" note tell a renamed
    sponsee of themselves). Where the old name is still assigned (the local backend's files),
    the assignees change."""
    now = item.key.split("/")[1:]
    assigned = {_fold(name) for name in found.assignees}
    renamed: dict[str, str] = {}
    for former in item.former_keys:
        then = former.split("/")[1:]
        if len(then) != len(now):
            continue
        pairs = zip(then, now, strict=True)
        renamed |= {
            _fold(old): new for old, new in pairs if _fold(old) not in assigned and old != new
        }
    return tuple(renamed.get(_fold(name), name) for name in names)


def _as_gitlab_has_them(
    before: tuple[str, ...], wanted: tuple[str, ...], found: ObservedIssue
) -> tuple[str, ...]:
    """The people WANTED when the issue's assignees already show the change, one for one:
    each name configuration adds is assigned, each it drops is not. So GitLab renamed those
    users, keeping their assignments (a tester: a sponsor and a manager who changed their
    usernames got a "People changed" note naming them as new and gone, e-mailing everyone on
    the issue), or a person reassigned it by hand as configuration now says: nobody is left
    to tell, and only the record follows. Where GitLab keeps one assignee (Free), the first
    person's change shows so too, and the others' cannot (their new names are not assigned),
    so they get the note (a reviewer: tied to `several`, Free and Premium without epics
    got the note for a rename)."""
    had, want = {_fold(n) for n in before}, {_fold(n) for n in wanted}
    assigned = {_fold(n) for n in found.assignees}
    new = [n for n in want if n not in had]
    gone = [n for n in had if n not in want]
    shown = all(n in assigned for n in new) and not any(n in assigned for n in gone)
    return wanted if new and len(new) == len(gone) and shown else before


def _assigned_already(
    found: ObservedIssue, wanted: Sequence[str], several: bool
) -> tuple[str, ...]:
    """Without a record, the people configuration names whom the issue has: they count as the
    tool's; the others configuration names are to be assigned. Nobody else counts as the
    tool's, so nobody is unassigned. Where GitLab keeps one assignee (Free, unless SEVERAL),
    every issue lacks all but one: only the first person configuration names, the one Free
    keeps, can be missing."""
    assigned = {_fold(name) for name in found.assignees}
    if not several:
        return tuple(wanted[1:]) if wanted and _fold(wanted[0]) not in assigned else tuple(wanted)
    return tuple(name for name in wanted if _fold(name) in assigned)


def _changes(
    program: Program,
    item: DesiredIssue,
    found: ObservedIssue,
    before: tuple[str, ...],
    wanted: tuple[str, ...],
) -> list[Action]:
    had = {_fold(name) for name in before}
    want = {_fold(name) for name in wanted}
    assigned = {_fold(name) for name in found.assignees}
    new = [name for name in wanted if _fold(name) not in had]
    gone = [name for name in before if _fold(name) not in want]
    add = tuple(name for name in new if _fold(name) not in assigned)
    remove = tuple(name for name in gone if _fold(name) in assigned)
    writes: list[Action] = []
    # the note first: a run stopped after assigning leaves the issue as a GitLab rename does,
    # which gets no note (_as_gitlab_has_them), so the note must be out by then
    if found.confidential:
        said = note(before, wanted, new, gone, item.people_roles)
        writes.append(AddNote(program.id, item.key, found.iid, said))
    if add or remove:
        roles = item.people_roles
        writes.append(UpdateAssignees(program.id, item.key, found.iid, add, remove, wanted, roles))
    return writes


def change_id(before: Sequence[str], after: Sequence[str]) -> str:
    """A short, stable name for one change of people (the note's marker holds it)."""
    text = f"{','.join(sorted(map(_fold, before)))}>{','.join(sorted(map(_fold, after)))}"
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def note(
    before: Sequence[str],
    after: Sequence[str],
    new: Sequence[str],
    gone: Sequence[str],
    roles: Sequence[tuple[str, str]] = (),
) -> str:
    """The note on a confidential issue whose people changed: the new people mentioned (so
    they are told, and can find the issue), each with their role in it (a year's trial: a
    pair was told of a new person, not that they were the sponsee's new manager), the others
    by username without a mention."""
    lines = [
        NOTE_MARKER.format(change=change_id(before, after)),
        "**People changed** in the program's configuration.",
        "",
    ]
    if new:
        named = ", ".join(f"@{name}{_as_role(name, roles)}" for name in new)
        lines.append(f"- Now named for this issue: {named}")
    if gone:
        lines.append(f"- No longer named for it: {', '.join(gone)}")
    # said of what was asked, not of what GitLab did (a tester: on GitLab Free, which keeps one
    # assignee, the note said people were assigned who never were)
    lines += [
        "",
        "The program assigns the people it names, as far as GitLab allows: GitLab Free keeps "
        "one assignee (the first person the program names), and GitLab does not assign "
        "someone who cannot read the project's issues. People assigned by hand stay "
        "assigned, except where GitLab Free's one place goes to the first person the program "
        "names.",
    ]
    return "\n".join(lines)
