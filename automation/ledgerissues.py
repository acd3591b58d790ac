"""Where a big program's ledger of rows is written (docs/incremental-planning.md, step 2; the
rows and their format: rowledger.py; who reads it: incremental.py).

A program of LEDGER_MIN issues or more gets `shard_count` shards: closed, confidential issues
of its own (rows hold recorded values, which may be scores, even in a public program), kept
by the tool like the index issue (keyindex.py). Each full plan writes every shard from its
rows as the plan leaves its issues, so a shard changes only when one of its rows does: a tick
rewrites one shard (25 to 100 KB), besides its issue and the rollups. The round after a
shard's creation closes it, then says so in its block; a person who reopens it is left alone.
The ledger is never read by a full plan: a shard a person edits is written again."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from automation import rowledger
from automation.actions import Plan, combine
from automation.config.models import Program
from automation.desired import DesiredIssue
from automation.edits import Edits, apply_edits
from automation.index import index_key, key_prefix
from automation.items import ObservedIssue
from automation.keyindex import CLOSED, closed_once, tool_issue
from automation.planning import ProgramContext, create, keep, refused
from automation.rowledger import (
    HEADER,
    LedgerRow,
    overflowed,
    shard_content,
    shard_count,
    shard_of,
)

WRITTEN = True  # (tests/e2e/test_incremental.py switches it off too: runs with none)
LEDGER_BLOCK = "rows"
_TEXT = (
    "This issue is kept by the program automation. It holds figures of the program's issues, "
    "so that a run reads the issues that changed, not every issue. There is nothing to do "
    "here: please do not edit it, and keep its label."
)


def ledger_issues(program: Program, tracking_key: str, issues: int) -> tuple[DesiredIssue, ...]:
    """The ledger's shards of a program of ISSUES tracked issues (none unless WRITTEN)."""
    shards = shard_count(issues) if WRITTEN else 0
    return tuple(_shard(program, ledger_key(tracking_key, n), n) for n in range(shards))


def ledger_key(tracking_key: str, number: int) -> str:
    """The key of shard NUMBER: under the index issue's (`<program>/tracking/index/ledger-0`),
    which no group's participant, pair or account can have (a cohort may be called
    `tracking`; a participant `index` in it is refused)."""
    return f"{index_key(tracking_key)}/ledger-{number}"


def _shard(program: Program, key: str, number: int) -> DesiredIssue:
    title = f"{program.name}: ledger {number + 1}"  # (not "of S": the count may change)
    return tool_issue(program, (key, title), _TEXT, LEDGER_BLOCK, confidential=True)


def plan_ledger(
    rows: Mapping[str, LedgerRow],
    found: Mapping[str, ObservedIssue],
    ctx: ProgramContext,
    kept: Collection[str] = (),
) -> Plan:
    """Each shard's writes: made (closed the round after), or its block written from ROWS
    (a shard's text changes only when one of its rows does, so a day's first plan rewrites
    only the shards whose rows the day changed: overdue, say). KEPT: the keys planned from
    their rows (incremental.py); a shard that holds only such rows was read as it is, with
    nothing to write (not encoded again: most of a big program's shards)."""
    desired = ctx.desired
    shards, sections = len(desired.ledgers), desired.program.sections
    prefix = key_prefix(desired.tracking.key)
    placed: list[list[LedgerRow]] = [[] for _ in range(shards)]
    for row in rows.values():
        placed[shard_of(row.iid, shards)].append(row)
    fresh = {shard_of(row.iid, shards) for row in rows.values() if row.key not in kept}
    plans, full = [], []
    for number, item in enumerate(desired.ledgers):
        issue = found.get(item.key)
        if kept and number not in fresh and issue is not None:
            continue
        note = CLOSED if issue is not None else ""  # said from the round that closes it
        content = shard_content(placed[number], sections, (number, shards), prefix, note)
        plans.append(_plan_shard(item, issue, content, ctx))
        full += [number + 1] if overflowed(content) else []
    said = (_full(desired.program, full),) if full else ()
    return combine([*plans, Plan(notices=said)])


def _full(program: Program, numbers: list[int]) -> str:
    """What a plan says of the ledger issues too full to hold their lines (a review: every
    run listed the program in full, without a word)."""
    one = len(numbers) == 1
    which = f"issue {numbers[0]}" if one else f"issues {', '.join(map(str, numbers))}"
    return (
        f"{program.id}: its ledger {which} would {'' if one else 'each '}hold over "
        f"{rowledger.SHARD_LIMIT:,} characters of figures, so {'it holds' if one else 'they hold'}"
        " none, and runs list the program in full as before the ledger: nothing is wrong, "
        "runs cost more (see README.md on a big program's ledger)"
    )


def _plan_shard(
    item: DesiredIssue, found: ObservedIssue | None, content: str, ctx: ProgramContext
) -> Plan:
    if found is None:
        edits = Edits(((LEDGER_BLOCK, content),))
        return refused(item, ctx) or create(
            item, apply_edits(item.description, edits), item.labels, ctx
        )
    if not found.confidential:  # made public: the figures it holds would be published
        return Plan(warnings=(_public(found, ctx.id),))
    blocks = ((LEDGER_BLOCK, content),)
    edits = Edits(blocks, ctx.identity(item.key), rebuilt=((LEDGER_BLOCK, HEADER),))
    why = "the tool's own ledger of the program's figures, with nothing to do in it"
    return closed_once(item, found, ctx, why) + keep(found, item.key, edits, ctx)


def _public(found: ObservedIssue, program: str) -> str:
    return (
        f"issue {found.reference}, a ledger of {program}'s figures kept by the tool, is "
        "public: the tool writes nothing to it (the values recorded in the program's issues "
        "would be published) until it is made confidential again (its ⋮ menu in GitLab: Turn "
        "on confidentiality; on the local backend, `confidential: true` in its file)"
    )
