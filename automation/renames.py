"""Renamed cohorts, programs, accounts and pairs: the keys their issues and epics were made
under, so the tool renames those instead of creating new ones; and the warning when an id
seems to have been renamed without saying so (pure).

A key is the program id and the ids below it (`program/cohort/person`). When a program file
says `renamed_from: OLD` on a cohort (or on the program, an account, a pair), every key under
the new id also has a former key under OLD. An issue found under a former key is the item:
its identity line is rewritten to the new key, the program label follows, and nothing is
created for it. Once the rename is done, `renamed_from` finds nothing more to do."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from automation.actions import Failure, Plan, UpdateEpic, UpdateLabels
from automation.changes import description_update
from automation.checklist import rename_headings
from automation.config.models import Program
from automation.config.source import Loc, Source
from automation.desired import DesiredEpic, DesiredIssue, DesiredProgram
from automation.duedates import recorded
from automation.edits import Edits, apply_edits
from automation.errors import ItemError, Problem
from automation.identity import Resolved
from automation.items import ObservedEpic, ObservedIssue
from automation.markers import same_text
from automation.progress import (
    Status,
    program_label,
    program_label_descriptions,
    status_label,
)
from automation.trackers.base import open_ones_carry


@dataclass(frozen=True)
class Renamed:
    """One `renamed_from` in a program file, as its kind declares it."""

    what: str  # how messages name the renamed thing: "cohort 'fy27-b'", "pair 2 of cohort x"
    loc: Loc  # where `renamed_from` is in the program file
    new: str
    old: str
    current: frozenset[str]  # the ids of its kind there now: the old id must not be one
    paths: tuple[tuple[str, str], ...]  # (new, old) key paths below the program id
    scope: str = ""  # where ids must be unique (a pair's cohort); renames there are compared
    private: bool = False  # the ids are people's usernames: messages do not show them


def no_renames(program: Program) -> tuple[Renamed, ...]:
    """For a kind whose items cannot be renamed."""
    return ()


def rename_problems(renames: Sequence[Renamed], source: Source) -> Iterator[Problem]:
    """An old id that is still a current id, or that two items claim, is an error: the tool
    could not tell whose issues are whose."""
    claimed: dict[tuple[str, str], Loc] = {}
    for rename in renames:
        old = "its former id" if rename.private else f"'{rename.old}'"
        if rename.old == rename.new:
            yield source.problem(rename.loc, f"{rename.what} is renamed_from itself; remove it")
        elif rename.old in rename.current:
            yield source.problem(
                rename.loc,
                f"{rename.what} is renamed_from {old}, which is still an id here; remove "
                "renamed_from (the issues stay with the current one), or give the other its "
                "own new id",
            )
        elif (rename.scope, rename.old) in claimed:
            first = source.line_of(claimed[rename.scope, rename.old])
            yield source.problem(
                rename.loc,
                f"{rename.what} is renamed_from {old}, like the item at line {first}; one id "
                "can become only one other: remove one of the two",
            )
        claimed.setdefault((rename.scope, rename.old), rename.loc)


def program_rename_problems(programs: Sequence[tuple[Program, Source]]) -> Iterator[Problem]:
    """A program renamed_from an id that another program file still has, or that two
    programs claim."""
    files = {program.id: source.file for program, source in programs}
    claimed: dict[str, str] = {}
    for program, source in programs:
        old = program.renamed_from
        if old is None:
            continue
        if old == program.id:
            yield source.problem(("renamed_from",), "the program is renamed_from itself; remove it")
        elif old in files:
            yield source.problem(
                ("renamed_from",),
                f"program '{program.id}' is renamed_from '{old}', which is still the id in "
                f"{files[old]}; remove renamed_from, or give that program its own new id",
            )
        elif old in claimed:
            yield source.problem(
                ("renamed_from",),
                f"program '{program.id}' is renamed_from '{old}', like {claimed[old]}; one id "
                "can become only one other: remove one of the two",
            )
        claimed.setdefault(old, source.file)


def with_former_keys(desired: DesiredProgram, renames: Sequence[Renamed]) -> DesiredProgram:
    """The program's items, each with the keys it may have been made under: its groups' and
    the program's former ids, alone and together (a rename done by an earlier run, then
    another). The program's own items (tracking, epic, plan) follow only a program rename."""
    pid = desired.program.id
    whole = ((pid, desired.program.renamed_from),) if desired.program.renamed_from else ()
    paths = [(f"{pid}/{new}", f"{pid}/{old}") for r in renames for new, old in r.paths]
    groups = tuple(sorted(paths, key=lambda p: p[0].count("/"), reverse=True))
    if not whole and not groups:
        return desired
    own = {desired.tracking.key, f"{pid}/epic", *(plan.key for plan in desired.plans)}
    own |= {desired.index.key} if desired.index else set()
    own |= {item.key for item in desired.ledgers}

    def issue(item: DesiredIssue) -> DesiredIssue:
        paths = whole if item.key in own else (*groups, *whole)
        return replace(item, former_keys=former_keys(item.key, paths, item.former_keys))

    def epic(item: DesiredEpic) -> DesiredEpic:
        return replace(
            item, former_keys=former_keys(item.key, whole if item.key in own else (*groups, *whole))
        )

    return replace(
        desired,
        moves=groups,
        issues=tuple(issue(i) for i in desired.issues),
        tracking=issue(desired.tracking),
        rollups=tuple(issue(i) for i in desired.rollups),
        plans=tuple(issue(i) for i in desired.plans),
        epics=tuple(epic(e) for e in desired.epics),
        index=issue(desired.index) if desired.index else None,
        ledgers=tuple(issue(i) for i in desired.ledgers),
    )


def former_keys(
    key: str, paths: Sequence[tuple[str, str]], also: Sequence[str] = ()
) -> tuple[str, ...]:
    """Every key KEY had before the renames PATHS ((new, old) key paths, most specific
    first), each rename made or not; and so for ALSO, keys it had before a change of its
    kind's keys."""
    keys = [key, *also]
    for new, old in paths:
        keys += [old + k[len(new) :] for k in keys if k == new or k.startswith(new + "/")]
    return tuple(dict.fromkeys(k for k in keys if k != key))


def aliases(items: Iterable[DesiredIssue | DesiredEpic]) -> dict[str, str]:
    """Former key -> current key; a former key that is also a current key is not one."""
    listed = list(items)
    current = {item.key for item in listed}
    found: dict[str, str] = {}
    for item in listed:
        for old in item.former_keys:
            if old not in current:
                found.setdefault(old, item.key)
    return found


# how far apart the ends of two of an account's years may be for one to be the other, moved
# (a `start` corrected by days, or by months); the next year's ends a year away
_SAME_YEAR = dt.timedelta(days=183)


def moved_periods(items: Iterable[DesiredIssue], found: Iterable[ObservedIssue]) -> dict[str, str]:
    """Former key -> key for an item whose period moved to another key (`moves_within`): an
    open issue of a key configuration no longer gives, under the same prefix, whose recorded
    due date is within half a year of the item's, where no issue has the item's key. An ESP
    trial: an account's `start` corrected by four days across the fiscal year's first day
    left its year's review "no longer defined" and made another beside it; closed as told,
    the old one took the next year's key a year later, and that year got no review."""
    listed = list(items)
    wanted = {item.key for item in listed}
    issues = list(found)
    have = {issue.key for issue in issues}
    left = [(i.key, i) for i in issues if i.state == "opened" and i.key and i.key not in wanted]
    found_moves: dict[str, str] = {}
    for item in listed:
        if item.moves_within is None or item.key in have or item.due_date is None:
            continue
        for key, issue in left:
            if key.startswith(item.moves_within) and _near(issue, item.due_date):
                found_moves[key] = item.key
                left.remove((key, issue))
                break
    return found_moves


def period_moves_said(moves: Mapping[str, str], found: Iterable[ObservedIssue]) -> list[str]:
    """A warning for each issue taken for its item's moved period (`moved_periods`), said by
    the run that rewrites its key: what the tool does not rewrite is a person's to mend."""
    return [
        f"issue {issue.reference} was made for the year of key '{old}', which is now "
        f"'{moves[old]}' (the account's `start` moved it): it is kept as that year's "
        "issue, its key and due date moved; its title and the dates in its text stay as "
        "they were: correct them by hand"
        for issue in found
        if (old := issue.key or "") in moves
    ]


def _near(issue: ObservedIssue, due: dt.date) -> bool:
    """Whether the due date the tool last set on ISSUE is within half a year of DUE."""
    try:
        made = recorded(issue.description)
    except ItemError:
        return False  # damaged markers: the issue's own plan says so
    return made is not None and made[0] is not None and abs(made[0] - due) <= _SAME_YEAR


def moved(
    program: Program,
    keys: Iterable[str | None],
    paths: Sequence[tuple[str, str]] = (),
    current: Collection[str] = (),
) -> dict[str, str]:
    """Former key -> key for each of KEYS made under a renamed program's former id, or under
    a renamed group's (PATHS: `DesiredProgram.moves`): every issue and epic of the program
    follows its rename, those configuration no longer asks for (a person who left, an account
    set back to proposed) too, or they would be left behind under the former key once
    `renamed_from` is removed (a newcomer's trial: Sky, withdrawn, put back after that, got a
    second issue). Each key under the program's new id too, as its index reads it (a review:
    a program and a cohort renamed together left the withdrawn issue behind); never a key
    configuration asks for now (CURRENT: a username renamed from `monthly` is no cohort's
    monthly issue)."""
    old = program.renamed_from
    found: dict[str, str] = {}
    for key in keys:
        if not key or key in current:
            continue
        forms = [key]
        if old is not None and key.startswith(old + "/"):
            forms.append(program.id + key[len(old) :])  # as the index reads it
        now = forms[-1]
        for new, was in reversed(paths):  # a cohort's rename before a pair's within it
            if now.startswith(was + "/"):
                now = new + now[len(was) :]
        found.update((form, now) for form in forms if form != now and form not in current)
    return found


def follow_rename(program: Program, key: str, issue: ObservedIssue) -> Plan:
    """An issue configuration no longer asks for, found under a former key (see `moved`):
    its identity line names KEY, and it carries the program's new label in place of the
    former one; its other labels (its status) stay. Renamed sections get their new headings
    in it, as in the issues configuration asks for (migration.py), so that its person, put
    back once `renamed_from` is gone, finds its ticks counted."""
    renames = program.renamed_headings
    headings = renames if rename_headings(issue.description, renames) != issue.description else ()
    if issue.key is None or (issue.key == key and not headings):
        return Plan()
    update = description_update(program, issue, key, Edits(identity=key, headings=headings))
    if isinstance(update, Failure):
        return Plan(failures=(update,))
    new = program_label(program)
    old = program_label(program.renamed_from) if program.renamed_from else None
    add = () if new in issue.labels else (new,)
    remove = (old,) if old is not None and old in issue.labels else ()
    relabel = (add or remove) and issue.key != key  # the headings alone: no label
    labels = (UpdateLabels(program.id, key, issue.iid, add, remove),) if relabel else ()
    return Plan((*([update] if update else []), *labels))


def rename_epic(
    program: Program, key: str, labels: Iterable[str], found: ObservedEpic | None
) -> UpdateEpic | None:
    """An epic of KEY found under a former key gets the new key on its identity line; the
    epics of a renamed program get its new label instead of the former one (LABELS: those it
    should carry; the program label only, for one configuration no longer asks for). None
    when the epic is as it should be."""
    if found is None:
        return None
    former = (found.key,) if found.key is not None and found.key != key else ()
    edits = Edits(identity=key, former=former) if former else Edits()
    return epic_update(program, key, labels, found, edits)


def epic_update(
    program: Program, key: str, labels: Iterable[str], found: ObservedEpic, edits: Edits
) -> UpdateEpic | None:
    """The write of EDITS to an epic's description (none when they change nothing), LABELS it
    lacks, and a renamed program's former label off; None when there is nothing to write."""
    after = apply_edits(found.description, edits)
    if same_text(after, found.description):
        edits, after = Edits(), found.description
    add = tuple(label for label in labels if label not in found.labels)
    old = program_label(program.renamed_from) if program.renamed_from else None
    remove = (old,) if old is not None and old in found.labels else ()
    if not add and not remove and edits == Edits():
        return None
    return UpdateEpic(program.id, key, found.iid, found.description, after, edits, add, remove)


@dataclass(frozen=True)
class Suspect:
    """An id that vanished from a program while another with the same people appeared."""

    program: str
    old: str
    new: str
    # a confidential program's: its old id's open issues, named instead of the ids (which
    # name people, and warnings reach CI logs)
    hidden: tuple[str, ...] = ()

    def holds(self, key: str) -> bool:
        """Whether the item KEY belongs to the new id (it is not created while suspected)."""
        return self.new in key.split("/")[1:]

    @property
    def warning(self) -> str:
        if self.hidden:
            refs = ", ".join(self.hidden)
            return (
                f"looks like a rename in program {self.program}: issues {refs} carry an id the "
                "configuration no longer has, and a new id names the same people; nothing is "
                "created for the new id, and the program's rollups (every group's figures in "
                "its tracking issue too) are left as they are until its entry "
                "names the old one in `renamed_from` (the ids are not said here: the program is "
                "confidential). If it is not a rename, close those issues"
            )
        return (
            f"looks like a rename: add `renamed_from: {self.old}` to '{self.new}' in the file "
            f"of program {self.program}. '{self.old}' is gone from the configuration while its "
            f"issues are open, and '{self.new}' names the same people; nothing is created for "
            f"'{self.new}', and the program's rollups (every group's figures in its tracking "
            "issue too) are left as they are until then. If it is not a "
            f"rename, close the open issues of '{self.old}'"
        )


def suspects(
    desired: DesiredProgram,
    issues: Sequence[ObservedIssue],
    known: Collection[str],
    renamed: Mapping[str, str],
) -> tuple[Suspect, ...]:
    """Ids that look renamed without `renamed_from`: an open issue of the tool's carries a
    key the configuration no longer has (nor has as a former key, RENAMED), a wanted item
    that does not exist yet (not in KNOWN) has the same key but for that id, the old id
    appears in no wanted key, and the two are one group of people (`_same_people`). An issue
    whose group ended (labelled so) is left out: a new cohort of returning people after an
    ended one was tidied away is no rename (a tester: it was held for ever, and `renamed_from`
    as the warning advised turned the finished issues into the new cohort's)."""
    items = desired.every_issue()
    wanted = {item.key for item in items}
    ended = status_label(Status.ENDED)
    orphans = [
        i
        for i in issues
        if i.key
        and i.state == "opened"
        and ended not in i.labels
        and i.key not in wanted
        and i.key not in renamed
    ]
    missing = [item for item in items if item.key not in known]
    if not orphans or not missing:
        return ()
    found = []
    renaming = desired.course.renaming
    person = renaming.at + 1 if renaming else None  # where a key names its person
    for at, prefix, old, new in sorted(_pairs(orphans, missing)):
        if at == person:
            continue  # a person's new username (a pair's sponsee's): `username_changes`
        if any(_under(key, at, prefix, old) for key in wanted):
            continue  # the old id is still there: people moved, nothing was renamed
        if any(_under(key, at, prefix, new) for key in known):
            continue  # the new id has issues already (a sponsor took another pair)
        olds = [i for i in orphans if _under(i.key or "", at, prefix, old)]
        news = [i for i in missing if _under(i.key, at, prefix, new)]
        before = {p.lower() for i in olds for p in i.assignees}
        after = {p.lower() for i in news for p in i.assignees}
        whose = (_next(olds, at), _next(news, at))
        if _same_people(before, after, whose):
            refs = tuple(i.reference for i in olds) if desired.program.is_confidential else ()
            found.append(Suspect(desired.program.id, old, new, refs))
    return tuple(dict.fromkeys(found))


def _same_people(before: set[str], after: set[str], whose: tuple[set[str], set[str]]) -> bool:
    """Whether two groups of people are one group: one holds the other, or most of each are
    in both, and most of the issues are of the same people (WHOSE: the key's part after the
    id, old and new: a participant's username, a pair's sponsee). A rename made with the
    roster edited in the same change (a participant swapped, a username changed) is still a
    rename (a newcomer's finding: it withdrew the issues of people still in the cohort and
    made them fresh ones); a new cohort of other sponsees with the same sponsors and managers
    is not (a reviewer's)."""
    if not before or not after:
        return False
    return before <= after or after <= before or (_most(before, after) and _most(*whose))


def _most(one: set[str], other: set[str]) -> bool:
    """Whether most of each set is in both."""
    return 2 * len(one & other) > max(len(one), len(other))


def _next(items: Sequence[ObservedIssue] | Sequence[DesiredIssue], at: int) -> set[str]:
    """The part after position AT of each item's key: whose issue it is, under a group."""
    return {[*(item.key or "").split("/"), ""][at + 1] for item in items}


def _pairs(
    orphans: Sequence[ObservedIssue], missing: Sequence[DesiredIssue]
) -> set[tuple[int, tuple[str, ...], str, str]]:
    """(position, the key's parts before it, old id, new id): an orphan's key and a missing
    item's key that differ in that one id, never the last (a person or a period)."""
    others: dict[tuple[int, tuple[str, ...]], list[str]] = defaultdict(list)
    for item in missing:
        parts = item.key.split("/")
        for at in range(1, len(parts) - 1):
            others[at, _but(parts, at)].append(parts[at])
    pairs: set[tuple[int, tuple[str, ...], str, str]] = set()
    for orphan in orphans:
        parts = (orphan.key or "").split("/")
        for at in range(1, len(parts) - 1):
            for new in others.get((at, _but(parts, at)), ()):
                pairs.add((at, tuple(parts[:at]), parts[at], new))
    return pairs


def username_changes(
    desired: DesiredProgram,
    issues: Sequence[ObservedIssue],
    known: Collection[str],
    renamed: Mapping[str, str],
) -> tuple[str, ...]:
    """Open issues about to be withdrawn whose person seems to have a new username, not said
    with `renamed_from`: a wanted item that does not exist yet (not in KNOWN) has the same
    key but for the username, where the kind's `Course.renaming` says a key names it, and
    the same title (titles are rendered from the person's display name). One warning per
    old and new username; nothing is held back (a username change looks like this, but so
    could two people of one name, one leaving as the other joins). Said only where the
    person's own issue (its key ends with the username) matches: the issues of others about
    the person (a sponsor's score issue, under the sponsee's pair) have titles that name
    those others, the same whoever the person is (a tester's finding: a sponsee swapped was
    said to be a username change); those are named with it."""
    renaming = desired.course.renaming
    if renaming is None:
        return ()
    at = renaming.at + 1  # the program id comes first
    wanted = {item.key for item in desired.every_issue()}
    new_ids: dict[tuple[tuple[str, ...], str], set[str]] = defaultdict(set)
    for item in desired.issues:
        parts = item.key.split("/")
        if item.create and item.key not in known and len(parts) > at:
            new_ids[_but(parts, at), item.title].add(parts[at])
    withdrawn = status_label(Status.WITHDRAWN)  # quiet once withdrawn
    found: dict[tuple[str, str, str], list[ObservedIssue]] = defaultdict(list)
    own: set[tuple[str, str, str]] = set()  # where the person's own issue matches, any state
    for issue in issues:
        key = issue.key or ""
        parts = key.split("/")
        if key in wanted or key in renamed or len(parts) <= at:
            continue
        for new in sorted(new_ids.get((_but(parts, at), issue.title), ())):
            names = (parts[at - 1], parts[at], new)
            if len(parts) == at + 1:
                own.add(names)
            if issue.state == "opened" and withdrawn not in issue.labels:
                found[names].append(issue)
    return tuple(
        _changed(desired.program, renaming.how, names, olds)
        for names, olds in sorted(found.items())
        if names in own
    )


def _but(parts: Sequence[str], at: int) -> tuple[str, ...]:
    """A key's parts with the one at AT left blank."""
    return (*parts[:at], "", *parts[at + 1 :])


def _changed(
    program: Program, how: str, names: tuple[str, str, str], olds: Sequence[ObservedIssue]
) -> str:
    """The warning about OLDS: NAMES are the group (cohort) their key names, the old username
    and the new one. Said by `plan` (a merge request's) before the apply that makes the
    change, and by that apply: after it, `renamed_from` would name an issue withdrawn; so in
    words true of both."""
    group, old, new = names
    refs = ", ".join(issue.reference for issue in sorted(olds, key=lambda i: i.iid))
    one = len(olds) == 1
    follow, them, new_ones = (
        ("follows", "it", "issue replaces") if one else ("follow", "them", "issues replace")
    )
    refs = f"issue {refs}" if one else f"issues {refs}"
    if program.is_confidential:  # usernames, old and new, would tell who is in it
        change = (
            f"configuration withdraws {refs} and makes an issue of the same title for another "
            "username in the same cohort"
        )
        said = "add `renamed_from` to their entry"
        hidden = "; the names are not said here: the program is confidential"
    else:
        change = (
            f"configuration withdraws {refs} of '{old}' and gives '{new}' one of the same title"
        )
        said, hidden = how.format(old=old, new=new, group=group), ""
    # the same words in `plan` and in the apply that does it (a configuration trial: "to be
    # withdrawn … before the next apply", said by the apply that had withdrawn it)
    return (
        f"looks like a username change in program {program.id}: {change}. If it is one "
        f"person and no apply has done so yet, {said}, so {refs} {follow} the new username "
        f"(README 'Renaming'{hidden}); once an apply has, leave {them} withdrawn: the new "
        f"{new_ones} {them}. If they are two people, ignore this"
    )


@dataclass(frozen=True)
class Held:
    """What waits while ids look renamed: the suspected new ids' items are not created (a
    second issue per person is what a missed `renamed_from` would make), with one warning
    each."""

    keys: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        desired: DesiredProgram,
        issues: Sequence[ObservedIssue],
        resolved: Resolved,
        renamed: Mapping[str, str],
    ) -> Held:
        """The suspects among the program's issues, and the keys they hold back."""
        known = resolved.known
        found = suspects(desired, issues, known, renamed)
        if not found:
            return cls()
        keys = [item.key for item in desired.every_issue()] + [e.key for e in desired.epics]
        held = frozenset(
            key for key in keys if key not in known and any(s.holds(key) for s in found)
        )
        return cls(held, tuple(s.warning for s in found))


Item = TypeVar("Item", ObservedIssue, ObservedEpic)


def with_former_label(
    listed: Callable[[str], tuple[Item, ...]], program: Program
) -> tuple[Item, ...]:
    """The program's issues (or epics) as LISTED by its label, and, while the program is
    renamed_from another id, by the former label too; each once. (One more list request per
    run until `renamed_from` is removed.)"""
    items = listed(program_label(program))
    if program.renamed_from is None:
        return items
    seen = {item.iid for item in items}
    former = listed(program_label(program.renamed_from))
    return items + tuple(item for item in former if item.iid not in seen)


def former_label(program: Program, labels: Collection[str]) -> tuple[str, ...]:
    """A renamed program's former label is left where it is (GitLab keeps a label nobody
    uses): said once per run while it exists."""
    if program.renamed_from is None or program_label(program.renamed_from) not in labels:
        return ()
    old, new = program_label(program.renamed_from), program_label(program)
    return (
        f"program {program.id} was renamed from {program.renamed_from}: its issues and epics "
        f"now carry the label {new}, and the label {old} is left as it is; delete it once "
        "no issue or epic carries it",
    )


def renamed_label(
    description: str | None, issue: ObservedIssue | None, programs: Sequence[Program]
) -> Program | None:
    """The program a label no program names belongs to, renamed in GitLab (the same label
    under a new title, which GitLab shows on everything that carried it): it keeps the
    DESCRIPTION the tool gave that program's label, and ISSUE, an open issue of the tool's
    carrying it, carries a key of that program. (A program whose id changed in its file without
    `renamed_from` keeps its name, so its former label has the description too, but its
    issues carry keys of the former id.) None when no program, or more than one, is so."""
    text = (description or "").strip()
    key = issue.key if issue is not None else None
    if key is None:
        return None
    owners = [
        program
        for program in programs
        if text in program_label_descriptions(program) and key.startswith(f"{program.id}/")
    ]
    return owners[0] if len(owners) == 1 else None


def label_renamed(label: str, program: Program, count: int) -> str:
    """What to do about a program's label renamed in GitLab (`renamed_label`)."""
    own = program_label(program)
    carry = f"{open_ones_carry(count)} it"
    return (
        f"the label {label} is the label {own} renamed in GitLab (it has the description the "
        f"tool gave {own}), and {carry}: the tool finds the issues and epics of program "
        f"{program.id} by {own}, so they are not kept up to date. Rename it back in the "
        f"group's labels: delete {own} if the tool made it again (GitLab refuses a title in "
        f"use), then give {label} the title {own}"
    )


def _under(key: str, at: int, prefix: tuple[str, ...], value: str) -> bool:
    parts = key.split("/")
    return len(parts) > at and tuple(parts[:at]) == prefix and parts[at] == value


def _whose(desired: DesiredProgram, rest: str) -> str | None:
    """The person (username) or account (id) a key names, lowercase, in the part where its
    kind puts them (`Course.renaming`, or an ESP account's `Course.owner`): not a word of a
    cohort's id or a period's (a reviewer: a cohort named after a participant counted)."""
    course, parts = desired.course, rest.split("/")
    if course.renaming is not None:
        at = course.renaming.at
        return parts[at].lower() if len(parts) > at else None
    owner = course.owner(rest)
    return owner.lower() if owner else None


def renamed_unsaid(
    desired: DesiredProgram, keyed: Mapping[str, ObservedIssue], known: Collection[str]
) -> str | None:
    """A program with no issue of its own yet, while open issues are keyed as a program that
    configuration no longer defines, for the same items (the key but its program's id): its
    `id` was changed (or mistyped) without `renamed_from`. Creating would give every person
    a second issue; the warning says what to do. None: nothing looks so."""
    # its people's (or accounts') issues only: every program has a key "tracking" (and an
    # index), and every program of its kind the same program-wide and group-wide keys (an
    # ESP's `program/monthly/…`, a cohort's monthly issue), which say nothing of who is in it
    # (a tester: another deployment's ESP in the same project blocked a new one)
    own = {
        rest
        for item in desired.issues
        if _whose(desired, rest := item.key.partition("/")[2]) in desired.course.named
    }
    held: dict[str, list[ObservedIssue]] = defaultdict(list)
    for key, issue in keyed.items():
        program, _, rest = key.partition("/")
        if program not in known and issue.state == "opened" and rest in own:
            held[program].append(issue)
    if not held:
        return None
    former = max(sorted(held), key=lambda p: len(held[p]))
    issues = sorted(held[former], key=lambda i: i.iid)
    shown = ", ".join(i.reference for i in issues[:5]) + (", …" if len(issues) > 5 else "")
    return (
        f"program {desired.program.id}: nothing is created: {len(issues)} open issue"
        f"{'s are' if len(issues) != 1 else ' is'} keyed as program {former}, which no file "
        f"in config/programs/ defines now, for the same cohorts and people ({shown}). If "
        f"{desired.program.id} is {former} renamed, add `renamed_from: {former}` to it; if it "
        f"is a new program, close those issues first. If another programs repository keeps "
        f"{former} in this project, they are its issues: do neither, and give each deployment "
        "a project of its own (README: One project, one deployment)"
    )
