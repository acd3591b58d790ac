"""What groups a program's issues: its epics (GitLab Premium), or else related-issue links to
its tracking issue (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from automation.actions import (
    Action,
    AddToEpic,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Observed,
    Plan,
    UpdateEpic,
)
from automation.blocks import MAX_ROWS
from automation.config.models import Program
from automation.desired import DesiredProgram
from automation.edits import Edits
from automation.identity import claimed
from automation.items import IssueLinks, NewEpic, ObservedEpic, ObservedIssue
from automation.markers import identity_marker, keys_in
from automation.missed import quantity
from automation.progress import program_label, program_of
from automation.renames import aliases, epic_update, moved, rename_epic

NO_EPICS = (
    "epics are not available on this GitLab (GitLab Free, or one whose REST epics API answers "
    "404: README, Running against GitLab): each program's issues are linked to its tracking "
    "issue instead; set `epics: false` in settings.yml to say so and not be told again"
)
LINK_CAP = 100  # GitLab's maximum of related links per issue


def plan_links(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    linked: IssueLinks,
    created: frozenset[str] = frozenset(),
) -> Plan:
    """Without epics, relate every tracked issue to the tracking issue, as long as it has
    room: GitLab's cap counts its links to other projects' issues too. The group rollups and
    plan-style issues first: on Free nothing else leads to them (a Free trial found a
    workshop's rollup reachable by its label alone). An issue the plan CREATES (by key) is
    linked by the next round, but takes its room now: so each round's note counts what the
    run leaves unlinked, and the run says it once."""
    program = desired.program.id
    tracking = found.get(desired.tracking.key)
    if tracking is None:
        return Plan(notices=(NO_EPICS,))
    links: list[LinkIssues] = []
    room, left = LINK_CAP - linked.count, 0
    for item in (*desired.rollups, *desired.plans, *desired.issues):
        issue = found.get(item.key)
        waiting = issue is None and item.key in created  # linked by the next round
        if not waiting and (issue is None or issue.iid in linked.iids):
            continue
        if room <= 0:
            left += 1
            continue
        room -= 1
        if issue is not None:
            links.append(LinkIssues(program, item.key, tracking.iid, issue.iid))
    capped = (
        f"{left} issues of {program} are not linked to tracking issue "
        f"{tracking.reference}: GitLab allows {LINK_CAP} related links per issue. "
        f"{_listed(program)}"
    )
    return Plan(tuple(links), notices=(NO_EPICS, capped) if left else (NO_EPICS,))


def _listed(program: str) -> str:
    """Where to find a program's issues that are not linked (its table is capped too)."""
    return (
        f"The tracking issue's table lists up to {MAX_ROWS} of the program's issues, those that "
        f"most need attention first; the label {program_label(program)} finds every one"
    )


def links_full_warning(refused: LinkIssues) -> str:
    """What to know when GitLab refused a link as one too many, though the tracking issue
    seemed to have room: it counts links to issues the tool cannot see."""
    return (
        f"#{refused.target_iid} and the other issues of {refused.program} not linked yet are "
        f"not linked to tracking issue #{refused.iid}: GitLab allows {LINK_CAP} related links "
        "per issue and counts links to issues the tool's user cannot see (remove some, or "
        f"leave it). {_listed(refused.program)}"
    )


def plan_epics(
    planned: Plan,
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    observed: Observed,
    held: frozenset[str],
) -> Plan:
    """PLANNED with the program's epics: missing epics are created before the issues, and a
    new issue is created inside its epic (one write, not two); an issue that is in no epic
    is put into its own, and an open one in another of the program's epics (a hire whose
    workshop changed) is moved to its own. Nothing is created for an item that failed
    already or is HELD; an epic made under a former key is renamed instead, and one that
    lost its identity line or its label is taken back (`_found_again`)."""
    program = desired.program.id
    listed = observed.epics or ()
    former = moved(desired.program, (epic.first_line_key for epic in listed))
    renamed = {**former, **aliases(desired.epics)}
    epics, failures = _index_epics(program, listed, renamed, {e.key for e in desired.epics})
    failed = held | {f.key for f in (*planned.failures, *failures)}
    renames = _renamed(desired, epics, former.values())
    again = _found_again(desired, epics, failed, found, observed)
    failures += again.failures
    failed |= {f.key for f in again.failures}
    epics = {**epics, **again.epics}
    secret = desired.program.is_confidential
    creates = tuple(
        CreateEpic(program, NewEpic(epic.key, epic.title, epic.description, epic.labels, secret))
        for epic in desired.epics
        if epic.create and epic.key not in epics and epic.key not in failed
    )
    moves: list[AddToEpic] = []
    ours = {epic.iid for epic in epics.values()}
    for item in desired.every_issue():
        issue, home = found.get(item.key), epics.get(item.epic_key or "")
        if issue is not None and item.confidential and not issue.confidential:
            continue  # made public by a person: nothing is written to it (`exposed`)
        if issue is not None and issue.moved_to is not None:
            continue  # moved to another project: its epic went with the copy it became
        if issue is not None and home is not None and _moves(issue, home.iid, ours):
            moves.append(AddToEpic(program, item.key, home.iid, issue))
    homes = {item.key: item.epic_key for item in desired.every_issue() if item.epic_key}
    actions = _epics_first(creates, (_homed(a, homes, epics) for a in planned.actions))
    # not while some of its issues are public: GitLab keeps a public issue out of a
    # confidential epic (the plan warns of those issues: `planning.said_public`)
    public = any(not issue.confidential for issue in found.values())
    changed = {r.key for r in renames} | set(again.epics)
    hidden = [] if public else _hidden(desired, epics, changed)
    # an epic renamed or taken back is made confidential in that write, not by the next run
    secret = desired.program.is_confidential and not public
    was = {e.iid: e.confidential for e in (*epics.values(), *again.epics.values())}
    updates = tuple(
        replace(u, confidential=True) if secret and not was.get(u.iid, True) else u
        for u in (*renames, *again.updates)
    )
    written: tuple[Action, ...] = (*updates, *hidden, *moves)
    closed = _into_closed(actions, moves, epics)
    return replace(planned, actions=actions) + Plan(written, failures, warnings=closed)


def _into_closed(
    actions: Iterable[Action], moves: Iterable[AddToEpic], epics: Mapping[str, ObservedEpic]
) -> tuple[str, ...]:
    """A warning for each closed epic this plan puts issues in (an operations trial: a
    person closed a cohort's epic, and the month's issues went into it, unsaid, out of the
    epic lists and boards people look at). The tool does not reopen what a person closed."""
    by_iid = {epic.iid: epic for epic in epics.values()}
    homes = [a.epic for a in actions if isinstance(a, CreateIssue) and a.epic is not None]
    homes += [by_iid[m.epic_iid] for m in moves if m.epic_iid in by_iid]
    counts = Counter(epic.iid for epic in homes if epic.state == "closed")
    return tuple(
        f"epic &{iid} is closed, and {quantity(count, 'issue')} "
        f"{'goes' if count == 1 else 'go'} into it: people looking in the group's open epics "
        f"will not find {'it' if count == 1 else 'them'}; reopen the epic (the tool does not "
        "reopen what a person closed)"
        for iid, count in sorted(counts.items())
    )


@dataclass(frozen=True)
class FoundAgain:
    """Epics the label does not list under their keys, found by the issues meant for them:
    by key, with the updates that take them back; and the epics that cannot be told."""

    epics: Mapping[str, ObservedEpic] = field(default_factory=dict)
    updates: tuple[UpdateEpic, ...] = ()
    failures: tuple[Failure, ...] = ()


def epics_to_read(
    desired: DesiredProgram, issues: Sequence[ObservedIssue], listed: Sequence[ObservedEpic]
) -> frozenset[int]:
    """The epics to read one by one before planning, and only while an epic configuration
    asks for is not among those its label LISTED shows under its key: those that ISSUES
    meant for such an epic sit in (or issues of the tool's with no key, which its index may
    name), when the label does not list them. A GET each, none in a run that finds every
    epic; `_found_again` tells from them whether one is the epic that lost its identity
    line or its label."""
    program = desired.program
    named = _epic_names(desired, listed)
    shown = {named.get(key, key) for epic in listed if (key := epic.first_line_key)}
    missing = {epic.key for epic in desired.epics} - shown
    if not missing:
        return frozenset()
    keys = {**moved(program, (i.key for i in issues)), **aliases(desired.every_issue())}
    members = {item.key for item in desired.every_issue() if item.epic_key in missing}
    seen = {epic.iid for epic in listed}
    return frozenset(
        issue.epic
        for issue in issues
        if issue.epic and issue.epic not in seen and issue.by_tool
        if issue.key is None or keys.get(issue.key, issue.key) in members
    )


def elsewhere_to_read(
    desired: DesiredProgram, issues: Sequence[ObservedIssue], listed: Sequence[ObservedEpic]
) -> frozenset[tuple[int, int]]:
    """The epics of other groups that the program's issues sit in, to read (a GET each) only
    while none of the program's epics is listed in its group: if they are the tool's, made for
    this program, `gitlab.group` changed (`_group_changed`)."""
    if any(_of_program(epic.key, desired.program) for epic in listed):
        return frozenset()
    return frozenset(
        issue.epic_elsewhere
        for issue in issues
        if issue.epic_elsewhere and issue.by_tool and _of_program(issue.key, desired.program)
    )


def _ids(program: Program) -> tuple[str, ...]:
    """The program's id, and its former one (`renamed_from`): its keys and labels carry one."""
    return (program.id, *((program.renamed_from,) if program.renamed_from else ()))


def _of_program(key: str | None, program: Program) -> bool:
    """Whether KEY is an item's of the program (under its id or its former one)."""
    return key is not None and any(key.startswith(f"{i}/") for i in _ids(program))


def _epic_names(desired: DesiredProgram, epics: Iterable[ObservedEpic]) -> dict[str, str]:
    """Former key -> key of the program's epics: a renamed program's, and renamed items'."""
    moves = moved(desired.program, (e.first_line_key for e in epics))
    return {**moves, **aliases(desired.epics)}


def _found_again(
    desired: DesiredProgram,
    epics: Mapping[str, ObservedEpic],
    failed: Collection[str],
    found: Mapping[str, ObservedIssue],
    observed: Observed,
) -> FoundAgain:
    """The epics configuration asks for that are not among EPICS (the label's, by key), found
    again instead of made twice. An epic of the tool's that still carries the key but lost
    the label is that epic; one that lost its identity line (its description rewritten or
    emptied, perhaps its label too) is the epic the issues meant for the key sit in, when
    they sit in just that one of the tool's epics that carries no other key. It gets its
    line back on top (a person's text stays) and the label. When the issues sit in two such
    epics, or two keys' issues in one, the epic fails: the tool cannot tell, and a person
    puts the line back."""
    missing = [e for e in desired.epics if e.key not in epics and e.key not in failed]
    if not missing:
        return FoundAgain()
    program = desired.program
    known = {
        **{iid: epic for iid, epic in observed.read_epics.items() if epic is not None},
        **{epic.iid: epic for epic in observed.epics or ()},
    }
    ours = {epic.iid for epic in epics.values()}
    named = _epic_names(desired, known.values())
    wanted = {epic.key for epic in missing}
    keyed: dict[str, list[ObservedEpic]] = defaultdict(list)  # by key: lost their label
    for epic in sorted(known.values(), key=lambda e: e.iid):
        key = named.get(epic.key or "", epic.key)
        if epic.iid not in ours and key in wanted:
            keyed[key or ""].append(epic)
    taken = {key: twins[0] for key, twins in keyed.items() if len(twins) == 1}
    said = [Failure(program.id, key, _twins(twins)) for key, twins in keyed.items() if twins[1:]]
    holders = _holders(desired, found, observed, wanted - set(keyed))
    chosen: dict[int, list[str]] = defaultdict(list)
    skip = ours | {epic.iid for twins in keyed.values() for epic in twins}
    elsewhere = _group_changed(desired, observed)
    if elsewhere is not None:
        said += [Failure(program.id, epic.key, _in_another_group(elsewhere)) for epic in missing]
        holders = {}
    for key, iids in sorted(holders.items()):
        decided = _held_in(key, iids - skip, known, named, program)
        if isinstance(decided, Failure):
            said.append(decided)
        elif decided is not None:
            chosen[decided].append(key)
    for iid, keys in sorted(chosen.items()):
        if len(keys) == 1:
            taken[keys[0]] = known[iid]
        else:
            said += [Failure(program.id, key, _shared(iid, keys, key)) for key in keys]
    updates = [_take_back(desired, key, epic) for key, epic in sorted(taken.items())]
    return FoundAgain(taken, tuple(u for u in updates if u is not None), tuple(said))


def _group_changed(desired: DesiredProgram, observed: Observed) -> str | None:
    """Where the program's epics are when `gitlab.group` changed while they stayed in the
    first group (`&1, &2 of group 42`): its issues sit in epics of another group that the
    tool made for this program (by its key), and none of its epics is in the group. Not a
    person's choice of an epic elsewhere (an epic of theirs), however many issues sit in it.
    None: not so."""
    found = sorted(
        at
        for at, epic in observed.read_elsewhere.items()
        if epic is not None and _of_program(epic.key, desired.program)
    )
    groups = sorted({group for group, _ in found})
    if not groups:
        return None
    return "; ".join(
        ", ".join(f"&{iid}" for g, iid in found if g == group) + f" of group {group}"
        for group in groups
    )


def _held_in(
    key: str,
    iids: Collection[int],
    known: Mapping[int, ObservedEpic],
    named: Mapping[str, str],
    program: Program,
) -> int | Failure | None:
    """Of the epics the issues meant for KEY sit in (IIDS; 0: another group's), the one that
    is that epic (it lost its line or its label); a failure when the tool cannot tell, or
    would make a second epic beside a copy of it; None: none is, make it."""
    sorts = {iid: _claim(known.get(iid), key, named, program) for iid in sorted(iids)}
    held = [iid for iid, claim in sorts.items() if claim == "none"]
    other = next((iid for iid, claim in sorts.items() if claim == "other"), None)
    copy = next((iid for iid, claim in sorts.items() if claim == "copy"), None)
    if other is not None:
        return Failure(program.id, key, _other(other, known[other], key))
    if len(held) == 1:
        return held[0]
    if held:
        return Failure(program.id, key, _several(held, key, program))
    if copy is not None:
        return Failure(program.id, key, _copy(copy, known[copy]))
    return None


def _in_another_group(where: str) -> str:
    return (
        f"the program's epics are in another group than gitlab.group ({where}: the tool made "
        "them there, and its issues sit in them), so the tool makes none here: set "
        "gitlab.group back to that group (README 'Moving the project or the group'); to start "
        "the program's epics over in gitlab.group instead, delete the first line (the "
        "automation:key marker) of those epics"
    )


def _copy(iid: int, epic: ObservedEpic) -> str:
    who = epic.author or "another user"
    return (
        f"the issues meant for this epic are in epic &{iid}, which carries its key line but was "
        f"made by {who} (GitLab copies a moved project's epics into its new group, as the "
        "person who moved it), so the tool neither writes to it nor makes a second: delete "
        f"&{iid}, or take the issues out of it, and the next run makes the epic and puts them "
        "in it"
    )


def _holders(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    observed: Observed,
    wanted: Collection[str],
) -> dict[str, set[int]]:
    """Key -> the epics (by iid) the issues meant for that epic sit in: the program's issues
    found by their keys, or carrying one without the label. An issue whose epic the tracker
    does not say tells nothing."""
    if not wanted:
        return {}
    program = desired.program
    elsewhere = [
        issue
        for issue in (*observed.keyed.values(), *observed.fetched.values())
        if issue is not None and issue.key is not None and issue.by_tool
    ]
    every = (i.key for i in (*found.values(), *elsewhere))
    keys = {**moved(program, every), **aliases(desired.every_issue())}
    stray = {keys.get(i.key or "", i.key): i for i in elsewhere}
    holders: dict[str, set[int]] = defaultdict(set)
    for item in desired.every_issue():
        if item.epic_key not in wanted:
            continue
        issue = found.get(item.key) or stray.get(item.key)
        if issue is None or (issue.key is not None and keys.get(issue.key, issue.key) != item.key):
            continue  # (an issue whose first line names another item: the index says it)
        if issue.epic:  # (None too when the tracker does not say: epic_known)
            holders[item.epic_key or ""].add(issue.epic)
    return holders


def _claim(
    epic: ObservedEpic | None, key: str, named: Mapping[str, str], program: Program
) -> Literal["none", "other", "copy", "theirs"]:
    """What an epic the issues meant for KEY sit in says of itself: "none", an epic of the
    tool's with no key but KEY (or a former key of it) on any line; "other", one of the
    tool's that names another item of this program (a first line pasted from another epic,
    say: the tool cannot tell); "copy", another user's with KEY on its first line; "theirs",
    another user's epic, or one of another program, where a person put the issues (theirs
    to keep, as any epic outside the program)."""
    if epic is None:
        return "theirs"
    if not epic.by_tool:
        first = epic.first_line_key
        return "copy" if first is not None and named.get(first, first) == key else "theirs"
    ids = _ids(program)
    ours = {program_label(i) for i in ids}
    if any(program_of(label) is not None and label not in ours for label in epic.labels):
        return "theirs"  # another program's label on it (another deployment's, say)
    marks = {named.get(k, k) for k in keys_in(epic.description)} - {key}
    if not marks:
        return "none"
    return "other" if any(mark.startswith(f"{i}/") for mark in marks for i in ids) else "theirs"


def _take_back(desired: DesiredProgram, key: str, epic: ObservedEpic) -> UpdateEpic | None:
    """The write that makes EPIC the epic of KEY again: its identity line back on top (a
    copy further down, or a former key's, goes; the rest of the text stays), the labels it
    should carry, and a renamed program's former label off. None when it has them all."""
    wanted = next(e for e in desired.epics if e.key == key)
    former = tuple(k for k in keys_in(epic.description) if k != key)
    return epic_update(
        desired.program, key, wanted.labels, epic, Edits(identity=key, former=former)
    )


def _other(iid: int, epic: ObservedEpic, key: str) -> str:
    names = ", ".join(sorted(k for k in keys_in(epic.description) if k != key))
    return (
        f"the issues meant for this epic are in epic &{iid}, which names another item ({names}) "
        "in its description, so the tool cannot tell whether it is this epic and makes none: "
        f"put back the first line of &{iid} from its description history (this epic's is "
        f"{identity_marker(key)}), or take the issues out of it"
    )


def _twins(twins: Sequence[ObservedEpic]) -> str:
    refs = " and ".join(f"&{epic.iid}" for epic in twins)
    return (
        f"epics {refs} carry the same key, and not the program label; close the duplicate and "
        "delete its first line (the automation:key marker)"
    )


def _several(iids: Sequence[int], key: str, program: Program) -> str:
    refs = " and ".join(f"&{iid}" for iid in iids)
    return (
        f"the issues meant for this epic are in epics {refs}, none of which has its first "
        "line (the automation:key marker), so the tool cannot tell which is this epic and "
        f"makes none: put the line {identity_marker(key)} back on top of the description of "
        f"the one that is (its description history has it), with the label "
        f"{program_label(program)}"
    )


def _shared(iid: int, keys: Sequence[str], key: str) -> str:
    others = ", ".join(k for k in keys if k != key)
    return (
        f"epic &{iid} holds the issues meant for this epic and for {others}, and has no first "
        "line (the automation:key marker), so the tool cannot tell whose epic it is and makes "
        "neither: put its first line back from its description history"
    )


def _hidden(
    desired: DesiredProgram, epics: Mapping[str, ObservedEpic], renamed: set[str]
) -> list[UpdateEpic]:
    """A confidential program's epics that are not confidential (made before the tool made
    them so, or before the program was confidential): made confidential, as its issues are.
    (An epic renamed or taken back in this plan is made so in that write: `plan_epics`.)"""
    if not desired.program.is_confidential:
        return []
    program = desired.program.id
    return [
        UpdateEpic(program, key, epic.iid, epic.description, epic.description, confidential=True)
        for key, epic in epics.items()
        if not epic.confidential and key not in renamed
    ]


def _moves(issue: ObservedIssue, home: int, ours: set[int]) -> bool:
    """Whether the issue goes into epic HOME: it is in none, or, open, in another epic of
    the program's (one a person chose outside the program is theirs to keep). Never when
    the tracker does not say which epic it is in: it was created inside its epic, and
    adding it again would be a request per issue on every run, and never "No changes". Nor
    when a person made it an incident, a test case or a task: GitLab has no epic for those
    (404 on every run)."""
    if not issue.epic_known or issue.issue_type != "issue":
        return False
    if issue.epic is None:
        return True
    return issue.state == "opened" and issue.epic != home and issue.epic in ours


def _renamed(
    desired: DesiredProgram, epics: Mapping[str, ObservedEpic], moved_to: Iterable[str]
) -> list[UpdateEpic]:
    """The epics found under a former key, renamed: the program's own, and those of a
    renamed program that configuration no longer asks for (MOVED_TO: their new keys), which
    follow it carrying the program label."""
    wanted = {epic.key: epic.labels for epic in desired.epics}
    label = (program_label(desired.program),)
    left = {key: label for key in moved_to if key not in wanted}
    found = (
        rename_epic(desired.program, key, labels, epics.get(key))
        for key, labels in {**wanted, **left}.items()
    )
    return [rename for rename in found if rename is not None]


def _homed(action: Action, homes: Mapping[str, str], epics: Mapping[str, ObservedEpic]) -> Action:
    """A create that names the epic its issue goes in."""
    if not isinstance(action, CreateIssue) or action.key not in homes:
        return action
    home = homes[action.key]
    return replace(action, home=home, epic=epics.get(home))


def _epics_first(creates: Sequence[CreateEpic], actions: Iterable[Action]) -> tuple[Action, ...]:
    """Labels first (epics carry them), then the epics, then the rest in order."""
    rest = list(actions)
    labels = [a for a in rest if isinstance(a, CreateLabel)]
    return (*labels, *creates, *(a for a in rest if not isinstance(a, CreateLabel)))


def _index_epics(
    program: str,
    observed: Sequence[ObservedEpic],
    renamed: Mapping[str, str],
    wanted: Collection[str],
) -> tuple[dict[str, ObservedEpic], tuple[Failure, ...]]:
    """The tool's epics by key (or a former key, RENAMED); a key held by another user's epic,
    or by two, fails. Another user's epic counts only with the key of an epic WANTED: one
    with an issue's key is an issue a person promoted (GitLab copies its text), and the
    issue stays the item's."""
    by_key: dict[str, list[ObservedEpic]] = defaultdict(list)
    for epic in observed:
        key = renamed.get(epic.first_line_key or "", epic.first_line_key)
        if key is not None and (epic.by_tool or key in wanted):
            by_key[key].append(epic)
    failures: list[Failure] = []
    told: set[str] = set()
    for key, twins in by_key.items():
        foreign = next((e for e in twins if not e.by_tool), None)
        if foreign is not None:
            said = claimed(f"epic &{foreign.iid}", foreign.author, told)
            failures.append(Failure(program, key, said))
        elif len(twins) > 1:
            refs = " and ".join(f"&{e.iid}" for e in twins)
            message = (
                f"epics {refs} carry the same key; close the duplicate and delete its "
                "first line (the automation:key marker)"
            )
            failures.append(Failure(program, key, message))
    epics = {key: twins[0] for key, twins in by_key.items() if len(twins) == 1 and twins[0].by_tool}
    return epics, tuple(failures)
