"""The tool's changes to one description, as data: applied when planning, and applied again
to the text read just before writing, so what a person typed meanwhile is kept (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from automation.checklist import rename_headings
from automation.figures import rewrite_figures
from automation.keptlines import marked, same_lines, typed
from automation.markers import (
    block_content,
    block_end,
    drop_damaged_block,
    drop_identity,
    open_with_block,
    replace_block,
    restore_identity,
)
from automation.tasks import NewSection, NewTask, add_task

BlockTexts = tuple[tuple[str, str], ...]  # (block name, content) pairs


@dataclass(frozen=True)
class Edits:
    """What the tool changes in a description; everything else is a person's."""

    blocks: BlockTexts = ()
    identity: str | None = None  # the key whose lost identity line is put back on top
    figures: tuple[tuple[int, int], ...] | None = None  # (iid, percent) for plan-style issues
    project: str = ""  # the project whose issue links the figures follow besides `#12`
    former: tuple[str, ...] = ()  # former keys of a renamed item: their identity line goes
    # template tasks added at the end of their sections, and sections the template gained
    tasks: tuple[NewTask | NewSection, ...] = ()
    headings: tuple[tuple[str, str], ...] = ()  # (old, new): renamed sections' headings
    opening: tuple[str, ...] = ()  # blocks that, when new, open the issue instead of closing it
    rebuilt: tuple[tuple[str, str], ...] = ()  # (block, header): hidden blocks written afresh
    # when their markers are damaged, instead of failing the item (their content is the tool's)
    kept: BlockTexts = ()  # a template's kept blocks: rewritten where the text has them only


def kept_differs(current: str | None, content: str) -> bool:
    """Whether a kept block the text has (CURRENT: None, it has none, and gets none: the
    issue's text is a person's) is to be written with CONTENT: not when they differ only in
    mentions written inert (the writer makes a mention of someone GitLab does not know inert,
    as in a new issue's text; the template's rendering has it live)."""
    if current is None:
        return False
    return not same_lines(current, content)


TYPED_BELOW = "*Typed in the block above, which the program automation rewrites:*"


def _below(text: str, name: str, lines: list[str]) -> str:
    """TEXT with LINES put just below block NAME, under a line that says where they were."""
    if not lines:
        return text
    at = block_end(text, name)
    moved = "\n".join(lines)
    return f"{text[:at]}\n\n{TYPED_BELOW}\n\n{moved}\n{text[at:]}"


def _write_block(text: str, name: str, content: str) -> str:
    """TEXT with block NAME written with CONTENT. A block whose content records its lines (a
    progress block) is not rewritten when only its record differs (one written before the
    record), and a line a person typed in it is moved below it (a newcomer's trial: a note
    typed above the progress table's "Current phase" went with the next tick, unsaid)."""
    if not marked(content):
        return replace_block(text, name, content)
    current = block_content(text, name)
    if current is not None and same_lines(current, content):
        return text
    written = replace_block(text, name, content)
    return _below(written, name, typed(current, content)) if current is not None else written


def apply_edits(text: str, edits: Edits) -> str:
    """The text with the tool's edits made; ItemError when a block's markers are damaged."""
    if edits.identity is not None:
        text = restore_identity(drop_identity(text, edits.former), edits.identity)
    text = rename_headings(text, edits.headings)
    for task in edits.tasks:
        text = add_task(text, task)
    for name, header in edits.rebuilt:
        text = drop_damaged_block(text, name, header)
    for name in edits.opening:
        text = open_with_block(text, name)
    for name, content in edits.blocks:
        text = _write_block(text, name, content)
    for name, content in edits.kept:
        current = block_content(text, name)
        if current is not None and kept_differs(current, content):
            text = _below(replace_block(text, name, content), name, typed(current, content))
    if edits.figures is not None:
        text = rewrite_figures(text, dict(edits.figures), edits.project)
    return text
