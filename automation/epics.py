"""What groups a program's issues: its epics (GitLab Premium), or else related-issue links to
its tracking issue (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from automation.actions import (
    Action,
    AddToEpic,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Plan,
    UpdateEpic,
)
from automation.blocks import MAX_ROWS
from automation.desired import DesiredProgram
from automation.identity import claimed
from automation.items import IssueLinks, NewEpic, ObservedEpic, ObservedIssue
from automation.progress import program_label
from automation.renames import aliases, moved, rename_epic

NO_EPICS = (
    "epics are not available on this GitLab (GitLab Free): each program's issues are linked "
    "to its tracking issue instead; set `epics: false` in settings.yml to say so and not be "
    "told again"
)
LINK_CAP = 100  # GitLab's maximum of related links per issue


def plan_links(
    desired: DesiredProgram,
    found: Mapping[str, ObservedIssue],
    linked: IssueLinks,
    created: frozenset[str] = frozenset(),
) -> Plan:
    """Without epics, relate every tracked issue to the tracking issue, as long as it has
    room: GitLab's cap counts its links to other projects' issues too. An issue the plan
    CREATES (by key) is linked by the next round, but takes its room now: so each round's
    note counts what the run leaves unlinked, and the run says it once."""
    program = desired.program.id
    tracking = found.get(desired.tracking.key)
    if tracking is None:
        return Plan(notices=(NO_EPICS,))
    links: list[LinkIssues] = []
    room, left = LINK_CAP - linked.count, 0
    for item in desired.issues:
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
    observed: Sequence[ObservedEpic],
    held: frozenset[str],
) -> Plan:
    """PLANNED with the program's epics: missing epics are created before the issues, and a
    new issue is created inside its epic (one write, not two); an issue that is in no epic
    is put into its own, and an open one in another of the program's epics (a hire whose
    workshop changed) is moved to its own. Nothing is created for an item that failed
    already or is HELD; an epic made under a former key is renamed instead."""
    program = desired.program.id
    former = moved(desired.program, (epic.first_line_key for epic in observed))
    epics, failures = _index_epics(program, observed, {**former, **aliases(desired.epics)})
    failed = held | {f.key for f in (*planned.failures, *failures)}
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
    renames = _renamed(desired, epics, former.values())
    # not while some of its issues are public: GitLab keeps a public issue out of a
    # confidential epic (the plan warns of those issues: `planning.said_public`)
    public = any(not issue.confidential for issue in found.values())
    hidden = [] if public else _hidden(desired, epics, {r.key for r in renames})
    return replace(planned, actions=actions) + Plan((*renames, *hidden, *moves), failures)


def _hidden(
    desired: DesiredProgram, epics: Mapping[str, ObservedEpic], renamed: set[str]
) -> list[UpdateEpic]:
    """A confidential program's epics that are not confidential (made before the tool made
    them so, or before the program was confidential): made confidential, as its issues are.
    (An epic renamed in this plan is made so by the next one, from its new key.)"""
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
    adding it again would be a request per issue on every run, and never "No changes"."""
    if not issue.epic_known:
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
    program: str, observed: Sequence[ObservedEpic], renamed: Mapping[str, str]
) -> tuple[dict[str, ObservedEpic], tuple[Failure, ...]]:
    """The tool's epics by key (or a former key, RENAMED); a key held by another user's epic,
    or by two, fails."""
    by_key: dict[str, list[ObservedEpic]] = defaultdict(list)
    for epic in observed:
        if epic.first_line_key is not None:
            by_key[renamed.get(epic.first_line_key, epic.first_line_key)].append(epic)
    failures: list[Failure] = []
    for key, twins in by_key.items():
        foreign = next((e for e in twins if not e.by_tool), None)
        if foreign is not None:
            failures.append(Failure(program, key, claimed(f"epic &{foreign.iid}", foreign.author)))
        elif len(twins) > 1:
            refs = " and ".join(f"&{e.iid}" for e in twins)
            message = (
                f"epics {refs} carry the same key; close the duplicate and delete its "
                "first line (the automation:key marker)"
            )
            failures.append(Failure(program, key, message))
    epics = {key: twins[0] for key, twins in by_key.items() if len(twins) == 1 and twins[0].by_tool}
    return epics, tuple(failures)
