"""The tool's changes to one description, as data: applied when planning, and applied again
to the text read just before writing, so what a person typed meanwhile is kept (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from automation.figures import rewrite_figures
from automation.markers import drop_identity, replace_block, restore_identity
from automation.tasks import NewTask, add_task

BlockTexts = tuple[tuple[str, str], ...]  # (block name, content) pairs


@dataclass(frozen=True)
class Edits:
    """What the tool changes in a description; everything else is a person's."""

    blocks: BlockTexts = ()
    identity: str | None = None  # the key whose lost identity line is put back on top
    figures: tuple[tuple[int, int], ...] | None = None  # (iid, percent) for plan-style issues
    former: tuple[str, ...] = ()  # former keys of a renamed item: their identity line goes
    tasks: tuple[NewTask, ...] = ()  # template tasks added at the end of their sections


def apply_edits(text: str, edits: Edits) -> str:
    """The text with the tool's edits made; ItemError when a block's markers are damaged."""
    if edits.identity is not None:
        text = restore_identity(drop_identity(text, edits.former), edits.identity)
    for task in edits.tasks:
        text = add_task(text, task)
    for name, content in edits.blocks:
        text = replace_block(text, name, content)
    if edits.figures is not None:
        text = rewrite_figures(text, dict(edits.figures))
    return text
