"""Where a program's index of keys is written (pure; the format is index.py's).

A program's index grows about 30 characters per issue, and the tracking issue is rewritten on
every tick (its rollup counts tasks), so a big program's index lives apart: in an issue of its
own, kept by the tool and closed, rewritten only when a key comes or goes. Up to INDEX_LIMIT
characters it stays in the tracking issue, as it always did: a small program gets no extra
issue. No entry is ever only in a write yet to be made: the round that creates the index issue
writes the whole index to the tracking issue as well, and the tracking issue keeps only the
pointer (the index issue's own entry) once the index issue shows every entry the tracking
issue holds. The round after its creation closes it, then says so in its block (`closed_once`);
a person who reopens it later is left alone. Once made, it holds the index for good (a program
that shrinks keeps it)."""

from __future__ import annotations

from dataclasses import replace

from automation.actions import CloseIssue, Plan
from automation.config.models import Program
from automation.desired import DesiredIssue, DesiredProgram
from automation.edits import BlockTexts, Edits, apply_edits
from automation.identity import Resolved
from automation.index import (
    HEADER,
    INDEX_BLOCK,
    INDEX_LIMIT,
    KEYS_BLOCK,
    index_content,
    key_prefix,
    moved_content,
    read_index,
)
from automation.items import ObservedIssue
from automation.markers import empty_block, identity_marker
from automation.planning import ProgramContext, create, exposed, keep, refused
from automation.progress import program_label
from automation.rendering import neutralise_title

_TEXT = (
    "This issue is kept by the program automation. It records which issue holds each of the "
    "program's items, so that an issue whose first line (its hidden key) was deleted is found "
    "again instead of being created twice. There is nothing to do here: please do not edit it, "
    "and keep its label."
)


def index_issue(program: Program, key: str) -> DesiredIssue:
    """The program's index issue, as it is created (confidential with the program: the keys
    name its people); the next round closes it (`closed_once`)."""
    title = f"{program.name}: index of keys"
    return tool_issue(program, (key, title), _TEXT, KEYS_BLOCK, program.is_confidential)


def tool_issue(
    program: Program, named: tuple[str, str], text: str, block: str, confidential: bool
) -> DesiredIssue:
    """One of the program's issues the tool keeps for itself (its index, a ledger shard), as
    it is created: its NAMED key and title, TEXT for whoever opens it, and an empty BLOCK."""
    key, title = named
    description = f"{identity_marker(key)}\n{text}\n\n{empty_block(block)}\n"
    return DesiredIssue(
        key=key,
        title=neutralise_title(title),
        description=description,
        labels=(program_label(program),),
        subject=program.name,
        confidential=confidential,
    )


INDEX_LINE = 12  # characters an index line needs besides the key
CLOSED = "The tool closed this issue once; a person may reopen it."  # in the keys block


def index_size(desired: DesiredProgram) -> int:
    """About how long the program's index of keys is, from its configuration alone (so the
    index issue of a new program is made in its first round, with the rest)."""
    prefix = len(desired.program.id) + 1
    return sum(len(i.key) - prefix + INDEX_LINE for i in desired.every_issue())


def plan_index(resolved: Resolved, ctx: ProgramContext) -> tuple[Plan, BlockTexts]:
    """The index issue's writes, and the tracking issue's index block."""
    tracking_key = ctx.desired.tracking.key
    prefix = key_prefix(tracking_key)
    entries = resolved.entries(tracking_key)
    whole = ((INDEX_BLOCK, index_content(entries, prefix)),)
    item = ctx.desired.index
    if item is None:
        return Plan(), whole
    own = {k: v for k, v in entries.items() if k != item.key}
    found = resolved.found.get(item.key)
    if found is None:
        content = index_content(own, prefix)
        if max(len(content), index_size(ctx.desired)) <= INDEX_LIMIT:
            return Plan(), whole
        return refused(item, ctx) or _create(item, content, ctx), whole
    public = exposed(item, found, ctx)
    if public is not None:
        return public, whole
    content = index_content(own, prefix, CLOSED)
    edits = Edits(((KEYS_BLOCK, content),), ctx.identity(item.key), rebuilt=((KEYS_BLOCK, HEADER),))
    why = "the tool's own index of keys, with nothing to do in it"
    plan = closed_once(item, found, ctx, why) + keep(found, item.key, edits, ctx)
    tracking = resolved.found.get(tracking_key)
    if not _holds(found, tracking, prefix, item.key):  # once either is written, the next
        return replace(plan, again=frozenset({item.key, tracking_key})), whole  # round moves
    return plan, ((INDEX_BLOCK, moved_content(item.key, found.iid, prefix)),)


def _create(item: DesiredIssue, content: str, ctx: ProgramContext) -> Plan:
    edits = Edits(((KEYS_BLOCK, content),))
    return create(item, apply_edits(item.description, edits), item.labels, ctx)


def closed_once(item: DesiredIssue, found: ObservedIssue, ctx: ProgramContext, why: str) -> Plan:
    """Close a tool's own issue (an index, a ledger shard) the round after it was made, then
    say so in its block (CLOSED, the proof, written after the close): an issue a person
    reopens afterwards stays open."""
    if found.state != "opened" or CLOSED in found.description:
        return Plan()
    return Plan((CloseIssue(ctx.id, item.key, found.iid, why=why),))


def _holds(found: ObservedIssue, tracking: ObservedIssue | None, prefix: str, key: str) -> bool:
    """Whether the index issue holds every entry the tracking issue holds (but its own), so
    that the tracking issue may keep the pointer alone: no entry is ever only in a write
    that has yet to succeed."""
    moved = read_index(found.description, prefix, KEYS_BLOCK)
    there = read_index(tracking.description, prefix) if tracking else {}
    if moved is None or there is None:
        return moved is not None  # a tracking issue without a readable index: nothing to keep
    return all(moved.get(k) == v for k, v in there.items() if k != key)
