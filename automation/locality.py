"""Whether a change to one issue stays local to it (pure): what an incremental plan needs to
know before it plans only the issues that changed (docs/incremental-planning.md, sections 2
and 3; no run uses it yet).

One issue's plan reads other issues only through a short list of things: keys and first lines
(identity), program and status labels, the state, the title, confidentiality, the tool's
blocks (the time-away `withdrawn` block, the due record and its calendar, the group block, an
index). An issue's `Footprint` holds those. A change that leaves the footprint as it was (a
box ticked or unticked, a note typed outside the tool's blocks, an assignee, a due date)
changes the plans of that issue and of its `dependents` alone: the rollups that list it, the
issues whose derived blocks count it, the tracking issue, the plan-style issues whose `=> NN%`
lines may link to it, an account plan whose end counts it. Anything else is a reason to plan
the whole program, which `local_change` names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields

from automation.desired import DesiredProgram
from automation.errors import ItemError
from automation.index import HEADER
from automation.items import ObservedIssue
from automation.markers import block_content
from automation.progress import STATUS_SCOPE, program_of
from automation.pruned import counts_one_of

# a block's marker, wherever it stands (one typed beside other text damages its block too)
_MARKER = re.compile(r"<!-- automation:(?:begin|end) ([^\s>]+) -->")

# what a footprint's field is, as the reason to plan in full names it
_SAID = {
    "key": "its key",
    "first_line_key": "its first line",
    "by_tool": "who made it",
    "labels": "its program or status labels",
    "moved_to": "where it was moved",
    "confidential": "whether it is confidential",
    "state": "whether it is open",
    "title": "its title",
    "blocks": "the tool's blocks in it",
}


@dataclass(frozen=True)
class Footprint:
    """What the plans of other issues may read of one issue (section 2's table)."""

    key: str | None
    first_line_key: str | None
    by_tool: bool
    labels: tuple[str, ...]  # its program and status labels, sorted
    moved_to: int | None
    confidential: bool
    state: str
    title: str  # a digest of it (the footprint is stored in a program's ledger)
    blocks: str  # a digest of the tool's blocks, and of an index's header outside them

    @classmethod
    def of(cls, issue: ObservedIssue) -> Footprint:
        """ISSUE's footprint."""
        return cls(
            issue.key,
            issue.first_line_key,
            issue.by_tool,
            tuple(sorted(label for label in issue.labels if _read_elsewhere(label))),
            issue.moved_to,
            issue.confidential,
            issue.state,
            digest(issue.title),
            blocks_digest(issue.description),
        )


def _read_elsewhere(label: str) -> bool:
    """Whether other issues' plans read LABEL: a program's label (which program an issue is
    of) or a status label (an ended or withdrawn issue is no orphan)."""
    return program_of(label) is not None or label.startswith(f"{STATUS_SCOPE}::")


def blocks_digest(description: str) -> str:
    """A digest of the contents of DESCRIPTION's tool blocks, by name, in the order of their
    markers (of the whole text when one is damaged: any change is then one to plan in full),
    and of whether an index's header stands in it."""
    try:
        names = dict.fromkeys(_MARKER.findall(description))
        parts = [f"{name}\0{block_content(description, name)}" for name in names]
    except ItemError:
        parts = ["damaged", description]
    parts.append(str(HEADER in description))
    return digest("\0\0".join(parts))


def digest(text: str) -> str:
    """A short digest of TEXT (128 bits of SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def local_change(before: Footprint, after: ObservedIssue, desired: DesiredProgram) -> str | None:
    """None when the issue that had footprint BEFORE and now reads AFTER changed only in what
    its own plan reads (and its dependents'); otherwise the reason to plan the whole program."""
    if after.key is None or after.key not in desired.by_key:
        return f"issue #{after.iid} is not one of the program's tracked issues"
    now = Footprint.of(after)
    for field in fields(Footprint):
        if getattr(before, field.name) != getattr(now, field.name):
            return f"{_SAID[field.name]} changed in issue #{after.iid}"
    return None


def dependents(desired: DesiredProgram, keys: Iterable[str]) -> frozenset[str]:
    """The keys of the issues whose plans read the issues of KEYS: the tracking issue, the
    index issue, the rollups that list them, the issues whose derived blocks count them, the
    plan-style issues (their lines may link to any issue), the issues whose end counts them,
    and the ledger's shards (one holds each issue's row)."""
    changed = frozenset(keys)
    listing = {
        rollup for key in changed if key in desired.by_key for rollup in desired.by_key[key].rollups
    }
    counting = {
        item.key
        for item in (*desired.issues, *desired.rollups)
        if any(counts_one_of(row, changed) for block in item.derived for row in block.rows)
    }
    ending = {
        end.key
        for end in desired.course.endings
        if any(key.startswith(end.counts) for key in changed)
    }
    own = {desired.tracking.key, *(i.key for i in desired.plans), *(i.key for i in desired.ledgers)}
    if desired.index is not None:
        own.add(desired.index.key)
    return frozenset(listing | counting | ending | own) - changed
