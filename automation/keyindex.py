"""Where a program's index of keys is written (pure; the format is index.py's).

A program's index grows about 30 characters per issue, and the tracking issue is rewritten on
every tick (its rollup counts tasks), so a big program's index lives apart: in an issue of its
own, closed and kept by the tool, rewritten only when a key comes or goes. Up to INDEX_LIMIT
characters it stays in the tracking issue, as it always did: a small program gets no extra
issue. The move is made in two runs, so the index is never only in an issue that failed to be
made: the run that creates the index issue also writes the whole index to the tracking issue;
a later run, finding the index issue readable, leaves the tracking issue a note of where the
index went. The index issue, once it exists, holds the index for good (a program that shrinks
keeps it), and a person who reopens it is left alone."""

from __future__ import annotations

from automation.actions import Plan
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
    """The program's index issue, as it is created (closed, and confidential with the
    program: the keys name its people)."""
    description = f"{identity_marker(key)}\n{_TEXT}\n\n{empty_block(KEYS_BLOCK)}\n"
    return DesiredIssue(
        key=key,
        title=neutralise_title(f"{program.name}: index of keys"),
        description=description,
        labels=(program_label(program),),
        subject=program.name,
        confidential=program.is_confidential,
        closed=True,
    )


INDEX_LINE = 12  # characters an index line needs besides the key


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
    own = index_content({k: v for k, v in entries.items() if k != item.key}, prefix)
    found = resolved.found.get(item.key)
    if found is None:
        if max(len(own), index_size(ctx.desired)) <= INDEX_LIMIT:
            return Plan(), whole
        return refused(item, ctx) or _create(item, own, ctx), whole
    public = exposed(item, found, ctx)
    if public is not None:
        return public, whole
    edits = Edits(((KEYS_BLOCK, own),), ctx.identity(item.key), rebuilt=((KEYS_BLOCK, HEADER),))
    plan = keep(found, item.key, edits, ctx)
    if not _holds(found):
        return plan, whole
    return plan, ((INDEX_BLOCK, moved_content(item.key, found.iid, prefix)),)


def _create(item: DesiredIssue, content: str, ctx: ProgramContext) -> Plan:
    edits = Edits(((KEYS_BLOCK, content),))
    return create(item, apply_edits(item.description, edits), item.labels, ctx)


def _holds(issue: ObservedIssue) -> bool:
    """Whether the index issue holds a readable index (a damaged one is written again, and
    until then the tracking issue keeps the whole index too)."""
    return read_index(issue.description, block=KEYS_BLOCK) is not None
