"""Which observed issue is which desired item: by the identity line the tool wrote, and, for an
issue whose line a person deleted, by the index of keys, kept in the tracking issue or in the
program's index issue (index.py, keyindex.py) (pure).

Never a guess: a key held by two issues, or an index entry that points at an issue the tool
cannot confirm, fails that item with what to do, and nothing is created for it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from automation.index import INDEX_BLOCK, KEYS_BLOCK, index_key, key_prefix, read_index
from automation.items import ObservedIssue
from automation.progress import program_label


@dataclass(frozen=True)
class Failed:
    """An item that cannot be matched safely."""

    key: str
    message: str
    iid: int | None = None


@dataclass
class Resolved:
    """Observed issues by key, and what resolving them found."""

    found: dict[str, ObservedIssue] = field(default_factory=dict)
    restore: set[str] = field(default_factory=set)  # keys whose identity line is put back
    # keys whose indexed issue was deleted (or detached): (its iid, whether deleted)
    gone: dict[str, tuple[int, bool]] = field(default_factory=dict)
    failed: list[Failed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    index: dict[str, int] | None = None  # as read from the tracking issue and index issue
    renamed: dict[str, str] = field(default_factory=dict)  # key -> the former key it carries
    aliases: Mapping[str, str] = field(default_factory=dict)  # former key -> key (renames.py)
    unwanted: dict[str, ObservedIssue] = field(default_factory=dict)  # keys config no longer has

    @property
    def known(self) -> set[str]:
        """The keys an issue was found for, or that failed (an issue holds them, unsure)."""
        return {*self.found, *(f.key for f in self.failed)}

    def entries(self, tracking_key: str) -> dict[str, int]:
        """The index to write: every key the tool knows an issue for, the old entries kept
        (an issue that lost its label stays known) except deleted issues and the former keys
        of renamed items that were found; an issue configuration no longer asks for, found
        under a former key (a withdrawn person's, in a renamed cohort), under its key now."""
        entries: dict[str, int] = {}
        for k, v in (self.index or {}).items():
            now = self.aliases.get(k, k)
            if k in self.gone or now in self.found:
                continue  # (found: written below, under its key now)
            left = self.unwanted.get(now)
            entries[now if left is not None and left.iid == v else k] = v
        entries.update((key, issue.iid) for key, issue in self.found.items())
        entries.pop(tracking_key, None)
        return entries


def resolve(
    issues: Sequence[ObservedIssue],
    wanted: Sequence[str],
    tracking_key: str,
    fetched: Mapping[int, ObservedIssue | None],
    label: str,
    *,
    aliases: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    others: Others | None = None,
    hidden: bool = False,
) -> Resolved:
    """Match the program's issues (those with its label) to the keys the configuration wants;
    FETCHED holds issues the index names that were not in the list (None: deleted). An issue
    carrying a former key of a renamed item (ALIASES: former key -> key) is that item's; one
    that lost its first line where no index names it (a person replaced the tracking issue's
    text, index and all) is known by its title (TITLES: key -> title). One that OTHERS say
    is not this program's is not taken (`_refuse_others`). HIDDEN: the program's outputs
    hide its items, and another user's issue with any key of it, an item's or not, holds
    every item not made yet (`_hold_for_strangers`): which keys it has must not show (a
    Guest could guess a pair's key, make an issue with it, and read the answer in the job's
    log or status)."""
    out = Resolved(aliases=aliases or {})
    by_key = _by_key(issues, out, label)
    wanted_set = set(wanted)
    for key, holders in sorted(by_key.items()):
        if len(holders) == 1 and key in wanted_set:
            out.found[key] = holders[0]
            if holders[0].key != key:
                out.renamed[key] = holders[0].key or key
        elif len(holders) == 1:
            out.unwanted[key] = holders[0]  # its person left, or it is no longer asked for
    named = titles or {}
    _recover_tracking(issues, tracking_key, out, named.get(tracking_key))
    seen = [*issues, *(issue for issue in fetched.values() if issue is not None)]
    out.index = _read(seen, out.found.get(tracking_key), tracking_key, out.aliases)
    by_iid = {issue.iid: issue for issue in issues}
    formers = _formers(out.aliases)
    for key in wanted:
        if key in by_key or out.index is None:
            continue  # listed under its key, or no index to look in
        entry = next((k for k in (key, *formers[key]) if k in out.index), None)
        if entry is not None:
            _recover(key, out.index[entry], by_iid, fetched, (label, named), out)
    _by_titles(issues, by_key, [k for k in wanted if k not in by_key], named, out)
    _settle_copies(by_key, wanted_set, out)
    _recover_departed(by_key, by_iid, out)
    if hidden:
        _hold_for_strangers(issues, wanted_set, tracking_key, out)
    else:
        _refuse_claims(issues, wanted_set, out)
        _hold_for_tracking(issues, tracking_key, wanted_set, out)
    _say_gone(out)
    _refuse_rekeyed(out)
    _refuse_others(out, others or Others(), tracking_key)
    _left_copies(issues, tracking_key, out)
    _warn_keyless(issues, out, label, hidden)
    return out


def _left_copies(issues: Sequence[ObservedIssue], tracking_key: str, out: Resolved) -> None:
    """An issue found as one item is no other (another program's key on it: its own line is
    put back); a copy of the tracking issue's first line that is no item's is left alone."""
    found = {issue.iid for issue in out.found.values()}
    out.unwanted = {k: i for k, i in out.unwanted.items() if i.iid not in found}
    tracking = out.found.get(tracking_key)
    if tracking is not None:
        copies = _keyed(issues, tracking_key, out.aliases)
        out.warnings.extend(_copied(c, tracking) for c in copies if c.iid not in found)


def _recover_departed(
    by_key: Mapping[str, list[ObservedIssue]], by_iid: Mapping[int, ObservedIssue], out: Resolved
) -> None:
    """An issue configuration no longer asks for (its person left) whose first line was
    deleted: the index still names it, so it is withdrawn and listed like any other."""
    for entry, iid in sorted((out.index or {}).items()):
        key = out.aliases.get(entry, entry)
        issue = by_iid.get(iid)
        if key in by_key or key in out.found or key in out.unwanted or issue is None:
            continue
        if issue.key is None and issue.by_tool and issue.iid not in _matched(out):
            out.unwanted[key] = issue


def _settle_copies(
    by_key: Mapping[str, list[ObservedIssue]], wanted: set[str], out: Resolved
) -> None:
    """A key on two of the tool's issues (under it or a former key of it), one of them the
    issue the index records for it: that one holds the item, and the copy (a first line
    pasted from it, or a former key typed in) is left alone with a warning. Without such a
    record, the item fails (`_by_key`): the tool cannot tell."""
    formers = _formers(out.aliases)
    index = out.index or {}
    recorded = _recorded_keys(out)
    for key, holders in by_key.items():
        entry = next((k for k in (key, *formers[key]) if k in index), None)
        if entry is None or len(holders) < 2:
            continue
        # the holders the index records under another item (a look at these few, not at the
        # whole index for every key: that grew with the square of the program's issues)
        elsewhere = {h.iid for h in holders if recorded.get(h.iid, set()) - {key}}
        owner = _recorded(holders, index[entry], elsewhere)
        if owner is None:
            continue
        out.failed = [f for f in out.failed if f.key != key]
        (out.found if key in wanted else out.unwanted)[key] = owner
        if owner.key != key and key in wanted:
            out.renamed[key] = owner.key or key
        found = {issue.iid for issue in out.found.values()}  # the tracking issue, say
        out.warnings.extend(
            _copied(h, owner) for h in holders if h is not owner and h.iid not in found
        )


def _recorded(
    holders: Sequence[ObservedIssue], iid: int, elsewhere: Collection[int]
) -> ObservedIssue | None:
    """The holder the index records, unless it is closed and another is open that the index
    records under no other key (an issue moved to another project and back: the tool cannot
    tell which one people work in; one recorded as another item's had the line pasted in)."""
    owner = next((h for h in holders if h.iid == iid and h.by_tool), None)
    moved = any(h.state == "opened" and h.iid not in elsewhere for h in holders)
    if owner is None or (owner.state == "closed" and moved):
        return None
    return owner


def _copied(copy: ObservedIssue, owner: ObservedIssue) -> str:
    return (
        f"issue {copy.reference}'s first line names the item the tool's record gives to "
        f"{owner.reference}, so the tool leaves {copy.reference} alone; put back its own "
        "first line from its description history, or delete that line"
    )


def _matched(out: Resolved) -> set[int]:
    return {issue.iid for issue in out.found.values()} | {f.iid for f in out.failed if f.iid}


def _recorded_keys(out: Resolved) -> dict[int, set[str]]:
    """The keys the index records each issue under (former keys as the keys they became)."""
    recorded: dict[int, set[str]] = defaultdict(set)
    for entry, iid in (out.index or {}).items():
        recorded[iid].add(out.aliases.get(entry, entry))
    return recorded


def _refuse_rekeyed(out: Resolved) -> None:
    """An issue the index records under another item, whose first line now names this one
    (a person changed it, say to the key of a cohort's rollup that will list pairs not yet
    released), is not this item's: `_recover` put its own line back, or (when the index
    records it under both) this item fails and nothing is written to it."""
    recorded = _recorded_keys(out)
    adopted = {issue.iid for key, issue in out.found.items() if key in out.restore}
    for key, issue in sorted([*out.found.items(), *out.unwanted.items()]):
        if issue.iid in recorded and key not in recorded[issue.iid] and key not in out.restore:
            taken = out.found.pop(key, None) is not None  # (unwanted: another program's key)
            if taken and issue.iid not in adopted:  # else its own line is put back
                out.failed.append(Failed(key, _rekeyed(issue), issue.iid))
            out.unwanted.pop(key, None)
            out.renamed.pop(key, None)


def _rekeyed(issue: ObservedIssue) -> str:
    return (
        f"issue {issue.reference}'s first line names this item, but the tool's record says it "
        "holds another; nothing was written to it or created. Put back its first line from "
        "the issue's description history (or, if that line never changed, the index of keys "
        "in the program's tracking or index issue from that issue's history)"
    )


@dataclass(frozen=True)
class Others:
    """What tells that an issue of a program's list is not that program's: other programs'
    records of keys (elsewhere.py) and, for a public program, confidentiality."""

    recorded: Mapping[int, str] = field(default_factory=dict)  # iid -> program whose record
    unread: Sequence[str] = ()  # programs whose record could not be read
    public: bool = False  # the program is public ...
    homes: Collection[int] = ()  # ... and these are its epics
    made: Collection[int] = ()  # the issues this run created (the next run's record holds them)

    def against(
        self, issue: ObservedIssue, own: frozenset[int], keeper: bool, ledger: bool = False
    ) -> str | None:
        """Why ISSUE is not this program's, whose record holds OWN (KEEPER: it carries the
        key of the program's tracking or index issue; LEDGER: of one of its ledger's issues,
        which are confidential in a public program too); None when nothing says so."""
        owner = self.recorded.get(issue.iid)
        if owner is not None:
            return _theirs(issue, owner, issue.iid in own)
        if issue.iid in own or issue.iid in self.made:
            return None
        if not keeper and _holds_index(issue.description):
            return _hidden(issue, "it holds a program's index of keys (a tracking or index issue)")
        ours = ledger and issue.by_tool  # (the tool's, whose key no person can give it)
        if self.public and issue.confidential and issue.epic not in self.homes and not ours:
            why = "the program is public and the issue confidential (its participant would read it)"
            return _hidden(issue, why)
        if self.unread:
            return _hidden(issue, _unread(self.unread[0]))
        return None


def _unread(program: str) -> str:
    return (
        f"the record of keys of program {program} cannot be read (no issue labelled "
        f"{program_label(program)} holds it: put that label back on its tracking issue), so "
        "the issue may be that program's"
    )


def _refuse_others(out: Resolved, others: Others, tracking_key: str) -> None:
    """An issue another program's record holds is that program's whatever its first line and
    label say (a person pasted this program's key over it and gave it this program's label: a
    confidential program would take a public issue), and one both records hold is neither's
    until a person says which. So is, outside this program's record, a program's tracking or
    index issue, a confidential issue when the program is public (outside its epics: GitLab
    makes an issue created in a confidential epic confidential), and any issue while another
    program's record cannot be read. Nothing is written to it, nor created for the item,
    until a person puts them back. One that carries another program's key is said as before."""
    prefix = key_prefix(tracking_key)
    tracking = out.found.get(tracking_key)
    own = frozenset({*(out.index or {}).values(), *([tracking.iid] if tracking else [])})
    keepers = {tracking_key, index_key(tracking_key)}  # their issues hold an index
    for key, issue in sorted([*out.found.items(), *out.unwanted.items()]):
        ledger = key.startswith(f"{index_key(tracking_key)}/ledger-")
        said = (
            others.against(issue, own, key in keepers, ledger) if key.startswith(prefix) else None
        )
        if said is None:
            continue
        if out.found.pop(key, None) is not None:
            out.failed.append(Failed(key, said, issue.iid))
        else:
            out.warnings.append(said)
        out.unwanted.pop(key, None)
        out.renamed.pop(key, None)
        out.restore.discard(key)


def _holds_index(description: str) -> bool:
    """Whether a description holds an index of keys: a tracking issue's or an index issue's."""
    return any(read_index(description, "", b) is not None for b in (INDEX_BLOCK, KEYS_BLOCK))


def _theirs(issue: ObservedIssue, owner: str, both: bool) -> str:
    """What to do about an issue of program OWNER (by its record, and by this program's too
    when BOTH) that carries this program's key."""
    if both:
        return (
            f"issue {issue.reference}'s first line names an item of this program, and the "
            f"records of both this program and program {owner} hold the issue; nothing is "
            "written to it or created for the item. Take its entry out of the index of keys of "
            "the program it is not part of (its tracking or index issue: the history shows "
            "which entry a person added)"
        )
    return (
        f"issue {issue.reference}'s first line names an item of this program, but the tool's "
        f"record of program {owner} says the issue is that program's; nothing is written to it "
        f"or created for the item. Put back its first line and its label "
        f"{program_label(owner)} from the issue's history (the item's own issue is then made)"
    )


def _hidden(issue: ObservedIssue, why: str) -> str:
    return (
        f"issue {issue.reference}'s first line names an item of this program, but {why}, and "
        "the program's record of keys does not hold it; nothing is written to it or created "
        "for the item. Put back its first line and its labels from the issue's history (the "
        "item's own issue is then made)"
    )


def _formers(aliases: Mapping[str, str]) -> dict[str, list[str]]:
    """Key -> its former keys."""
    formers: dict[str, list[str]] = defaultdict(list)
    for old, new in aliases.items():
        formers[new].append(old)
    return formers


def _by_key(
    issues: Sequence[ObservedIssue], out: Resolved, label: str
) -> dict[str, list[ObservedIssue]]:
    by_key: dict[str, list[ObservedIssue]] = defaultdict(list)
    for issue in issues:
        if issue.key is not None:
            by_key[out.aliases.get(issue.key, issue.key)].append(issue)
    for key, held in by_key.items():
        # moved to another project and back: GitLab closed the old one, which points at the
        # copy it became; a holder that was not moved is the item's
        staying = [h for h in held if h.moved_to is None]
        holders = by_key[key] = staying if staying else held
        if len(holders) < 2:
            continue
        refs = " and ".join(h.reference for h in sorted(holders, key=lambda i: i.iid))
        if len({h.key for h in holders}) > 1:
            why = f"issues {refs} are the same item, one under a former key (renamed_from in "
            out.failed.append(Failed(key, f"{why}the configuration); {_keep_one(holders, label)}"))
        else:
            why = f"issues {refs} carry the same key"
            out.failed.append(Failed(key, f"{why}; {_keep_one(holders, label)}"))
    return by_key


def _keep_one(holders: Sequence[ObservedIssue], label: str) -> str:
    """What to do with issues that hold one item: without its first line and its label, the
    one that goes is no item's and named in no warning."""
    moved = any(h.state == "closed" for h in holders) and any(h.state == "opened" for h in holders)
    which = (
        " (after a move to another project and back, the open one; after a first line was "
        "pasted into another issue, the one it came from)"
        if moved
        else ""
    )
    return (
        f"keep the one people work in{which} and, on the other, delete its first line (the "
        f"automation:key marker) and take off its {label} label, so only one remains"
    )


def _recover_tracking(
    issues: Sequence[ObservedIssue], key: str, out: Resolved, title: str | None
) -> None:
    """A tracking issue whose first line was deleted or replaced still holds the index block,
    and so does the tracking issue when a person pasted its first line into another issue
    (that copy is left alone, with a warning); one emptied of its text still has its title."""
    if key in out.found:
        return
    tracking = find_tracking(issues, key, out.aliases, title)
    if tracking is None:
        return
    out.failed = [f for f in out.failed if f.key != key]
    out.found[key] = tracking
    if tracking.by_tool and out.aliases.get(tracking.key or "", tracking.key) != key:
        out.restore.add(key)


def find_tracking(
    issues: Sequence[ObservedIssue],
    key: str,
    aliases: Mapping[str, str] | None = None,
    title: str | None = None,
) -> ObservedIssue | None:
    """The tracking issue: by its key (or a former key, ALIASES); when two issues carry it (a
    person pasted its first line into another), the one of them that holds the index block;
    when none does, the one issue of the tool's with the program's label that holds an index
    block, whatever its first line says (a person deleted or replaced it); when no issue
    holds one either (a person replaced the whole text with their own), the one issue of the
    tool's with the program's label, no key and the tracking issue's TITLE."""
    named = aliases or {}
    keyed = _keyed(issues, key, named)
    if len(keyed) == 1:
        return keyed[0]
    listed = {i.iid for i in issues}
    holders = [
        (i, index)
        for i in (keyed or issues)
        if i.by_tool
        and (index := read_index(i.description)) is not None
        and (keyed or _indexes_these(index, listed))
    ]
    recorded = {iid for _, index in holders for iid in index.values()}
    originals = [i for i, _ in holders if i.iid not in recorded]  # a copy's item is recorded
    if len(originals) != 1 and len(holders) > 1:  # a person wrote an index of their own
        originals = [i for i, _ in holders if not _tracked(i)]
    if not keyed and not holders and title is not None:
        originals = [i for i in issues if _keyless(i) and i.title == title]
    return originals[0] if len(originals) == 1 else None


def _tracked(issue: ObservedIssue) -> bool:
    """Whether an issue carries the labels the tool keeps on tracked issues (never on a
    tracking issue), which a participant cannot take off an issue of theirs: one that holds
    the tracking issue's first line and an index block with them is their copy."""
    return any(label.startswith(("status::", "progress::")) for label in issue.labels)


def _indexes_these(index: Mapping[str, int], listed: set[int]) -> bool:
    """Whether an index block is of these issues (none yet, or some of them): another
    program's tracking issue given this program's label holds the index of that program's."""
    return not index or any(iid in listed for iid in index.values())


def _keyed(
    issues: Sequence[ObservedIssue], key: str, aliases: Mapping[str, str]
) -> list[ObservedIssue]:
    return [i for i in issues if i.key is not None and aliases.get(i.key, i.key) == key]


def program_index(
    issues: Sequence[ObservedIssue], tracking_key: str, aliases: Mapping[str, str] | None = None
) -> dict[str, int] | None:
    """The program's index of keys as ISSUES hold it; None when no issue holds one."""
    named = aliases or {}
    return _read(issues, find_tracking(issues, tracking_key, named), tracking_key, named)


def _read(
    issues: Sequence[ObservedIssue],
    tracking: ObservedIssue | None,
    tracking_key: str,
    aliases: Mapping[str, str],
) -> dict[str, int] | None:
    """The entries of the index issue's block, and of the tracking issue's (which win: it
    holds the whole index only while the index issue may be behind, having lost its label,
    say); None when neither holds a readable index."""
    prefix = key_prefix(tracking_key)
    own = read_index(tracking.description, prefix) if tracking else None
    holder = _index_issue(issues, own or {}, index_key(tracking_key), aliases)
    moved = read_index(holder.description, prefix, KEYS_BLOCK) if holder else None
    held = [entries for entries in (moved, own) if entries is not None]
    return {k: v for entries in held for k, v in entries.items()} if held else None


def _index_issue(
    issues: Sequence[ObservedIssue],
    entries: Mapping[str, int],
    key: str,
    aliases: Mapping[str, str],
) -> ObservedIssue | None:
    """The index issue: by its key, or, when a person deleted or changed its first line, the
    tool's issue the tracking issue's index names for it, if it still holds a keys block (and
    no other: a keyless index issue moved to this program from another is not taken for this
    one)."""
    keyed = _keyed(issues, key, aliases)
    if len(keyed) == 1:
        return keyed[0]
    iid = entries.get(key)  # also when a person pasted its first line into another issue
    named = (i for i in issues if i.iid == iid and i.by_tool)
    return next((i for i in named if read_index(i.description, "", KEYS_BLOCK) is not None), None)


def to_fetch(
    issues: Sequence[ObservedIssue],
    wanted: Sequence[str],
    tracking_key: str,
    aliases: Mapping[str, str] | None = None,
    fetched: Sequence[ObservedIssue] = (),
) -> set[int]:
    """Issues the index names for wanted keys (or their former keys, ALIASES) that the
    program's list does not show (their label was removed, or they were deleted): the
    planner needs to know which. The index is read from FETCHED issues too: an index issue
    that lost its label still holds it."""
    named = aliases or {}
    index = program_index([*issues, *fetched], tracking_key, named)
    held = {named.get(i.key, i.key) for i in issues if i.key}
    listed = {i.iid for i in issues}
    wanted_set = set(wanted)
    return {
        iid
        for key, iid in (index or {}).items()
        if named.get(key, key) in wanted_set
        and named.get(key, key) not in held
        and iid not in listed
    }


def _keyless(issue: ObservedIssue) -> bool:
    """An open issue of the tool's without its first line: one a title may name."""
    return issue.by_tool and issue.key is None and issue.state == "opened"


def _by_titles(
    issues: Sequence[ObservedIssue],
    by_key: Mapping[str, list[ObservedIssue]],
    missing: Sequence[str],
    titles: Mapping[str, str],
    out: Resolved,
) -> None:
    """When the program has no index to read (a person replaced the tracking issue's text),
    titles tell what the index would: which of two issues carrying one key is its item's, and
    which item an issue without its own first line is. With an index, every issue the tool
    made is in it, so one it does not name is no item's."""
    if out.index is not None:
        return
    shared = Counter(titles.values())
    copies = _settle_by_title(by_key, titles, shared, out)
    _recover_by_title(issues, missing, titles, shared, out, frozenset(copies))
    found = _matched(out)
    for iid, owner in sorted(copies.items()):
        copy = next(issue for issue in issues if issue.iid == iid)
        out.warnings.append(_retitled(copy) if iid in found else _titled_copy(copy, owner))


def _settle_by_title(
    by_key: Mapping[str, list[ObservedIssue]],
    titles: Mapping[str, str],
    shared: Counter[str],
    out: Resolved,
) -> dict[int, ObservedIssue]:
    """A key on two or more of the program's open issues of the tool's, each titled as an
    item (never a confidential one: TITLES has none): the one with the key's item's title
    holds it, when each other holder has the title of another item that no issue holds by
    its key (a first line pasted over that item's issue). Anything less, a closed holder,
    a title no item has (a person retitled their issue, or configuration changed titles),
    and the item fails: a participant can give their own issue any title and first line.
    Returns the other holders, placed by their titles next, with the owner of the line."""
    named = {title: key for key, title in titles.items() if shared[title] == 1}
    copies: dict[int, ObservedIssue] = {}
    for key, holders in sorted(by_key.items()):
        title = titles.get(key)
        if len(holders) < 2 or title is None or named.get(title) != key:
            continue
        if len({h.key for h in holders}) > 1:
            continue  # one under a former key: the person decides which stays
        if not all(h.by_tool and h.state == "opened" for h in holders):
            continue
        owners = [h for h in holders if h.title == title]
        others = [named.get(h.title) for h in holders if h.title != title]
        if len(owners) != 1 or not all(k is not None and k not in by_key for k in others):
            continue
        out.failed = [f for f in out.failed if f.key != key]
        out.found[key] = owners[0]
        copies.update((h.iid, owners[0]) for h in holders if h is not owners[0])
    return copies


def _recover_by_title(  # noqa: PLR0917
    issues: Sequence[ObservedIssue],
    missing: Sequence[str],
    titles: Mapping[str, str],
    shared: Counter[str],
    out: Resolved,
    copies: frozenset[int],
) -> None:
    """An item not found by key is the one open issue of the tool's with the program's label,
    no key of its own (none, or a copy of another issue's: COPIES) and the item's title, if
    the title is that item's alone (its first line is put back)."""
    taken = _matched(out)
    keyless: dict[str, list[ObservedIssue]] = defaultdict(list)
    for issue in issues:
        placeable = _keyless(issue) or (
            issue.iid in copies and issue.by_tool and issue.state == "opened"
        )
        if placeable and issue.iid not in taken:
            keyless[issue.title].append(issue)
    failed = {f.key for f in out.failed}
    for key in missing:
        title = titles.get(key)
        if key in out.found or key in failed or title is None or shared[title] > 1:
            continue
        if len(keyless[title]) == 1:
            out.found[key] = keyless[title][0]
            out.restore.add(key)


def _titled_copy(copy: ObservedIssue, owner: ObservedIssue) -> str:
    return (
        f"issue {copy.reference}'s first line names the item whose title {owner.reference} "
        f"has, so the tool leaves {copy.reference} alone; put back its own first line from "
        "its description history, or delete that line"
    )


def _retitled(issue: ObservedIssue) -> str:
    return (
        f"issue {issue.reference}'s first line named another item than its title does (pasted "
        "from another issue, say); the tool puts its own line back"
    )


def _recover(  # noqa: PLR0917
    key: str,
    iid: int,
    by_iid: Mapping[int, ObservedIssue],
    fetched: Mapping[int, ObservedIssue | None],
    program: tuple[str, Mapping[str, str]],
    out: Resolved,
) -> None:
    """The index says issue IID holds KEY, but no issue shows the key: find out why. PROGRAM:
    its label, and its items' titles by key."""
    named, (label, titles) = out.aliases, program
    if iid in by_iid:
        issue = by_iid[iid]
        claim = issue.first_line_key
        if issue.key is None and _titled_as_another(issue, key, titles):
            out.failed.append(Failed(key, _swapped(issue), iid))
        elif issue.by_tool and (issue.key is None or not _recorded_as(issue, out)):
            out.found[key] = issue  # its identity line was deleted or replaced: put it back
            out.restore.add(key)
            if issue.key is not None:
                out.warnings.append(_line_put_back(issue))
        elif issue.by_tool or named.get(claim or "", claim) != key:  # a claim: see below
            out.failed.append(Failed(key, _mismatch(issue), iid))
        return
    if iid not in fetched:
        message = f"issue #{iid} holds this item but could not be checked; run again"
        out.failed.append(Failed(key, message, iid))
        return
    other = fetched[iid]
    if other is None or (other.key is None and not _labelled(other, label)):
        out.gone[key] = (iid, other is None)  # or detached (label, first line removed)
        return
    if named.get(other.key or "", other.key) != key:
        out.failed.append(Failed(key, _mismatch(other), iid))
        return
    out.failed.append(Failed(key, without_label(f"#{iid}", label), iid))


def _say_gone(out: Resolved) -> None:
    """The issues the index names that are gone, for the items made anew (not those another
    user's copy now claims: that is their failure)."""
    failed = {f.key for f in out.failed}
    for key, (iid, deleted) in out.gone.items():
        if key not in failed and key not in out.found:
            how = "was deleted" if deleted else "lost its program label and its first line"
            out.warnings.append(
                f"issue #{iid}, which held an item of the program, {how}: what people did in "
                f"#{iid} is not carried over (while the program still asks for the item, a new "
                "issue is made for it)"
            )


def without_label(reference: str, label: str) -> str:
    """What to do about an issue that carries an item's key but lost the program's label."""
    return (
        f"issue {reference} already carries this key but not the label {label}; add the label "
        "back (the issue keeps everything people did in it). Only if that issue should leave "
        "the program, delete its first line (the automation:key marker) instead: a new, empty "
        "issue is then made for this item"
    )


def _recorded_as(issue: ObservedIssue, out: Resolved) -> bool:
    """Whether the index records ISSUE under the key its first line names, too (an index from
    before these checks: which of the two it holds, a person decides)."""
    return issue.key in _recorded_keys(out).get(issue.iid, set())


def _line_put_back(issue: ObservedIssue) -> str:
    return (
        f"issue {issue.reference}'s first line named another item than the one the tool's "
        "record gives it (pasted from another issue, say); the tool puts its own line back"
    )


def _labelled(issue: ObservedIssue, label: str) -> bool:
    return label in issue.labels


def _titled_as_another(issue: ObservedIssue, key: str, titles: Mapping[str, str]) -> bool:
    """Whether ISSUE bears another item's title, not KEY's (an attacker swapped two lines of
    the tracking issue's index and deleted both issues' first lines: each person's issue was
    taken as the other's, assignees, ticks and all)."""
    return titles.get(key) != issue.title and issue.title in titles.values()


def _swapped(issue: ObservedIssue) -> str:
    return (
        f"the tool's record says issue {issue.reference} holds this item, but its first line "
        "is gone and its title is another item's (the record was changed, or two issues "
        "swapped); nothing was written to it. Put back its first line from the issue's "
        "description history"
    )


def _mismatch(issue: ObservedIssue) -> str:
    if not issue.by_tool:
        return (
            f"the tool's record says issue {issue.reference} holds this item, but that issue "
            "was not created by the tool's user; nothing was created. Check the issue, then "
            "close it if it is not the participant's"
        )
    return (
        f"the tool's record says issue {issue.reference} holds this item, but its first line "
        "now names another item; nothing was created. Put back the first line from the "
        "issue's description history"
    )


def _hold_for_strangers(
    issues: Sequence[ObservedIssue], wanted: set[str], tracking_key: str, out: Resolved
) -> None:
    """A program whose outputs are hidden: while issues another user made carry a key of it,
    whether an item's or not (a replaced token's, or a Guest's guesses), no item of it that
    has no issue yet is made; each fails, saying so alike, and the issues are never adopted."""
    prefixes = tuple(key_prefix(k) for k in (tracking_key, *_former_tracking(tracking_key, out)))
    strangers = [
        issue
        for issue in issues
        if not issue.by_tool and (issue.first_line_key or "").startswith(prefixes)
    ]
    if not strangers:
        return
    authors = sorted({issue.author or "another user" for issue in strangers})
    them = "it" if len(strangers) == 1 else "them"
    said = (
        f"{_listed(strangers)} a key of this program on the first line, but "
        f"{' and '.join(authors)} made {them}, not the token's user (a copy, a clone, a "
        "replaced token's issue): while such issues have "
        "the program's label, no issue of this program is created, whichever items they "
        "name. If the token was replaced, add its former user to gitlab.former_users in "
        f"config/settings.yml; otherwise remove the program label (or the first line) from {them}"
    )
    # the index issue is made only once the index outgrows the tracking issue: not an item
    _hold(wanted - {index_key(tracking_key)}, said, out)


def _hold(wanted: set[str], said: str, out: Resolved) -> None:
    """Every item of WANTED not found nor failed already fails, saying SAID: none is made."""
    decided = set(out.found) | {f.key for f in out.failed}
    out.failed.extend(Failed(key, said) for key in sorted(wanted - decided))


def _former_tracking(tracking_key: str, out: Resolved) -> list[str]:
    """The tracking keys a renamed program had (its aliases')."""
    return [former for former, key in out.aliases.items() if key == tracking_key]


def _refuse_claims(issues: Sequence[ObservedIssue], wanted: set[str], out: Resolved) -> None:
    """An issue another user made that carries a wanted key is never written to (it may be
    public, or squatted), and nothing is made in its place until a person decides."""
    decided = set(out.found) | {f.key for f in out.failed}
    told: set[str] = set()
    for issue in issues:
        key = out.aliases.get(issue.first_line_key or "", issue.first_line_key)
        if issue.by_tool or key is None or key not in wanted or key in decided:
            continue
        decided.add(key)
        said = claimed(f"issue {issue.reference}", issue.author, told)
        out.failed.append(Failed(key, said, issue.iid))


def _hold_for_tracking(
    issues: Sequence[ObservedIssue], tracking_key: str, wanted: set[str], out: Resolved
) -> None:
    """While another user's issue holds the program's tracking key and the tool has none
    (a token replaced before `former_users` names its user: a tester's run made the month's
    issues, notifying their assignees, then failed them), no item of it is made."""
    strangers = {issue.iid: issue for issue in issues if not issue.by_tool}
    held = next((f for f in out.failed if f.key == tracking_key and f.iid in strangers), None)
    if held is None or held.iid is None or tracking_key in out.found:
        return
    said = (
        f"not created: issue {strangers[held.iid].reference}, which holds this program's "
        "tracking key, was created by another user, not the token's (see the tracking item's "
        "line); while it does, no issue of this program is created"
    )
    _hold(wanted, said, out)


def claimed(reference: str, author: str | None, told: set[str] | None = None) -> str:
    """What to do about an issue or epic of another user that carries an item's key: said in
    full once per author of the AUTHORS TOLD so far (a tester's replaced token printed the
    same 560 characters on each of 75 items), then briefly."""
    who = f"by {author}" if author else "by another user"
    said = f"{reference} carries this item's key but was created {who}, not by the token's user"
    if told is not None and (author or "") in told:
        return f"{said}: what to do is said on the first such item of this program"
    if told is not None:
        told.add(author or "")
    return (
        f"{said}, so the tool neither writes to it nor creates the item elsewhere. If the "
        "token was replaced, add its former user to gitlab.former_users in config/settings.yml. If "
        "another programs repository (another token) keeps a program of this id in this "
        "project, it is theirs: give one of the programs another id (README: One project, one "
        "deployment). Otherwise remove the program label (or the first line) from it"
    )


def _warn_keyless(
    issues: Sequence[ObservedIssue], out: Resolved, label: str, hidden: bool = False
) -> None:
    """One warning per copy of one of the tool's issues; one for the tool's issues that lost
    their first line, and one for other people's issues that carry the label (a tester's
    finding: 230 issues people opened with the label made 230 lines, each telling them to put
    back a first line they never had). HIDDEN: a copy is said as any other person's issue."""
    kept = _matched(out) | {issue.iid for issue in out.unwanted.values()}
    untracked = [issue for issue in issues if issue.key is None and issue.iid not in kept]
    copies = [] if hidden else [(i, owner) for i in untracked if (owner := _copy_of(i, out))]
    out.warnings.extend(_copy(issue, owner, label) for issue, owner in copies)
    copied = {issue.iid for issue, _ in copies}
    rest = [issue for issue in untracked if issue.iid not in copied]
    ours = [issue for issue in rest if issue.by_tool or issue.author is None]
    if ours:
        them, one = ("them", "one") if len(ours) > 1 else ("it", "it")
        out.warnings.append(
            f"{_listed(ours)} the label {label} but no automation key on the first line, so "
            f"the tool does not track {them}: if {one} is the program's, put its first line "
            "back from the description history; otherwise remove the label"
        )
    # closed ones are a team's history (a tester adopting the tool was asked on every run
    # to take the label off years of them)
    others = [issue for issue in rest if issue not in ours and issue.state == "opened"]
    if others:
        them, who, their = (
            ("them", "other users", "their") if others[1:] else ("it", "another user", "its")
        )
        out.warnings.append(
            f"{_listed(others)} the label {label}, but {who} opened {them}, not the tool, "
            f"so the tool does not track {them} ({their} labels may be counted as the "
            f"program's): remove the label from {them}, or use another (if a token the tool "
            "used before made them, add its user to gitlab.former_users instead)"
        )


def _listed(issues: Sequence[ObservedIssue]) -> str:
    """`issue #4 has`, or `issues #4, #7 and #9 have`, or the first ten and how many more."""
    refs = [issue.reference for issue in sorted(issues, key=lambda i: i.iid)]
    if len(refs) == 1:
        return f"issue {refs[0]} has"
    shown = ", ".join(refs[:10]) if len(refs) > 10 else ", ".join(refs[:-1])
    last = f" and {len(refs) - 10} more" if len(refs) > 10 else f" and {refs[-1]}"
    return f"issues {shown}{last} have"


def _copy_of(issue: ObservedIssue, out: Resolved) -> ObservedIssue | None:
    """The tool's issue whose first line another user's issue carries (a copy, a `/clone`)."""
    key = out.aliases.get(issue.first_line_key or "", issue.first_line_key)
    return out.found.get(key or "")


def _copy(issue: ObservedIssue, owner: ObservedIssue, label: str) -> str:
    who = f"by {issue.author}" if issue.author else "by another user"
    return (
        f"issue {issue.reference} was created {who} with the first line of "
        f"{owner.reference} (a copy or a clone of it): the tool tracks "
        f"{owner.reference} and leaves {issue.reference} alone; remove the label {label} "
        f"from {issue.reference} (its labels would be counted as the program's)"
    )
