"""The changes one existing issue needs: its description's tool-owned parts, then its managed
labels (pure)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

from automation.actions import Action, Failure, Plan, UpdateDescription, UpdateLabels
from automation.blocks import COMPLETION_BLOCK as COMPLETION
from automation.checklist import rename_headings
from automation.config.models import Program
from automation.edits import BlockTexts, Edits, apply_edits, kept_differs
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.keptlines import same_lines
from automation.markers import block_content, damaged_blocks, same_text, sound_block
from automation.migration import HEADINGS_RENAMED, TASKS_ADDED
from automation.progress import Progress, Status, label_changes, removable_labels

FIGURES = "figures"  # what an UpdateDescription of a plan-style issue changes
RENAMED = "identity line renamed"  # ... of a renamed item (renamed_from)
_A = TypeVar("_A", UpdateDescription, UpdateLabels)


def description_update(
    program: Program, found: ObservedIssue, key: str, edits: Edits
) -> UpdateDescription | Failure | None:
    """The update that makes these edits; None when the text is as it should be, a Failure
    when a block is damaged. When the identity line is put back on an issue found under a
    former key (renamed_from), the former key's line goes."""
    if edits.identity is not None and found.key not in (None, edits.identity):
        edits = replace(edits, former=(found.key or "",))
    try:
        after = apply_edits(found.description, edits)
    except ItemError as error:
        message = f"issue {found.reference}: {error}{_also_damaged(found, edits, str(error))}"
        return Failure(program.id, key, message, found.iid)
    if same_text(after, found.description):
        return None
    changed = [name for name, content in edits.blocks if _block_differs(found, name, content)]
    changed += [name for name, content in edits.kept if _kept_differs(found, name, content)]
    added = [TASKS_ADDED] if edits.tasks and _adds_tasks(found, edits) else []
    if edits.headings and rename_headings(found.description, edits.headings) != found.description:
        added.insert(0, HEADINGS_RENAMED)
    identity = [RENAMED if edits.former else "identity line"] if edits.identity else []
    names = ", ".join(identity + added + changed) or FIGURES
    return UpdateDescription(program.id, key, found.iid, names, found.description, after, edits)


SHOWN = 5  # other damaged blocks named in a failure; the rest are counted


def _also_damaged(found: ObservedIssue, edits: Edits, said: str) -> str:
    """The issue's other damaged blocks, named at once (a whole issue pasted into another
    damages each of them: named one a run, it took a run for each)."""
    rebuilt = {name for name, _ in edits.rebuilt}
    others = [
        f"'{name}'"
        for name in damaged_blocks(found.description)
        if name not in rebuilt and f"'{name}'" not in said
    ]
    if not others:
        return ""
    if len(others) == 1:
        return f". The block {others[0]} is damaged too: mend it the same way"
    # a few named, the rest counted (a tester pasted 33,000: one line of 290,000 characters)
    more = f" and {len(others) - SHOWN} more" if others[SHOWN:] else ""
    return f". The blocks {', '.join(others[:SHOWN])}{more} are damaged too: mend them the same way"


def _adds_tasks(found: ObservedIssue, edits: Edits) -> bool:
    return apply_edits(found.description, Edits(tasks=edits.tasks)) != found.description


def _kept_differs(found: ObservedIssue, name: str, content: str) -> bool:
    """Whether a kept block the issue has is rewritten (`kept_differs`)."""
    return kept_differs(sound_block(found.description, name), content)


def _block_differs(found: ObservedIssue, name: str, content: str) -> bool:
    try:
        before = block_content(found.description, name) or ""
    except ItemError:  # a damaged block the edits rebuilt
        return True
    return not same_lines(before, content)


_OF = re.compile(r"<!-- automation:of #(?P<iid>\d+) -->")


def proof_line(iid: int) -> str:
    """The hidden last line of a block that proves something was done to issue IID (closed
    on completion, withdrawn, ended)."""
    return f"<!-- automation:of #{iid} -->\n"


def proves(found: ObservedIssue, name: str) -> bool:
    """Whether the issue holds block NAME written for it: one a person pasted from another
    issue (it names that one) proves nothing, and is written over; one made before blocks
    named their issue counts; a damaged one counts too (its update reports it)."""
    try:
        content = block_content(found.description, name)
    except ItemError:
        return True
    if content is None:
        return False
    of = _OF.search(content)
    return of is None or int(of.group("iid")) == found.iid


# said in a completion block while required tasks are open again (a person reopened the work):
# the block stays, as the record that the issue was finished once and its note posted
AGAIN = "**Open again:** some required tasks are not done any more; the progress shows which."


def open_again(found: ObservedIssue, progress: Progress) -> BlockTexts:
    """The completion block of an issue finished once (its proof), as it is to read now: with
    the line AGAIN while required tasks are open, without it once they are done; unchanged
    when it is right as it is, missing, damaged or another issue's, or its person left (a
    newcomer's trial: a graduate's issue reopened read "Completed" above "in progress"). Its
    group's end changes nothing: a graduate's box unticked after it read "Completed" above
    `ended` (a year-long trial)."""
    if progress.status is Status.WITHDRAWN or not proves(found, COMPLETION):
        return ()
    again = _again_text(found, progress.status is not Status.COMPLETE)
    return ((COMPLETION, again),) if again is not None else ()


def _again_text(found: ObservedIssue, open_now: bool) -> str | None:
    try:
        content = block_content(found.description, COMPLETION)
    except ItemError:
        return None
    lines = (content or "").splitlines()
    if content is None or (AGAIN in lines) == open_now:
        return None
    kept = [line for line in lines if line != AGAIN]
    if open_now:
        at = next((i for i, line in enumerate(kept) if _OF.search(line)), len(kept))
        kept.insert(at, AGAIN)
    return "\n".join(kept) + "\n"


def has_block(found: ObservedIssue, name: str) -> bool:
    """Whether the issue holds the block (a damaged one counts: its update reports it)."""
    try:
        return block_content(found.description, name) is not None
    except ItemError:
        return True


def labels_update(
    program: Program,
    found: ObservedIssue,
    key: str,
    wanted: frozenset[str],
    *,
    cleared: frozenset[str] = frozenset(),
) -> UpdateLabels | None:
    """The managed labels to add and remove (and no value left in the scopes CLEARED); None
    when they are right."""
    add, remove = label_changes(found.labels, wanted, removable_labels(program), cleared)
    return UpdateLabels(program.id, key, found.iid, add, remove) if add or remove else None


def updates(
    program: Program,
    found: ObservedIssue,
    key: str,
    update: UpdateDescription | Failure | None,
    wanted: frozenset[str],
    *,
    cleared: frozenset[str] = frozenset(),
) -> Plan:
    """The description update, then the label changes; the issue is unchanged without either
    (and gets nothing when its description cannot be edited)."""
    if isinstance(update, Failure):
        return Plan(failures=(update,))
    labels = labels_update(program, found, key, wanted, cleared=cleared)
    actions: tuple[Action, ...] = (*present(update), *present(labels))
    return Plan(actions, unchanged=int(not actions))


def present(action: _A | None) -> tuple[_A, ...]:
    """The action, if there is one, as a tuple of actions."""
    return () if action is None else (action,)


def joined(written: Plan, more: Plan) -> Plan:
    """An issue's other writes, then those that follow configuration (its people's, its due
    date's): an issue they change is not counted as unchanged. A record written alone (an
    issue made before the record, the first time) joins the issue's own description update,
    if it has one: one write, not two."""
    if more.actions and written.unchanged:
        written = replace(written, unchanged=0)
    mine = more.actions[0] if len(more.actions) == 1 else None
    if not isinstance(mine, UpdateDescription):
        return written + more
    actions = list(written.actions)
    for i, action in enumerate(actions):
        if isinstance(action, UpdateDescription) and action.key == mine.key:
            edits = replace(action.edits, blocks=(*action.edits.blocks, *mine.edits.blocks))
            after = apply_edits(action.after, mine.edits)
            actions[i] = replace(
                action, block=f"{action.block}, {mine.block}", after=after, edits=edits
            )
            return replace(written, actions=tuple(actions)) + replace(more, actions=())
    return written + more
