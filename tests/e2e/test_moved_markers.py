"""A block's marker moved past a person's text (the progress table dragged to the top, an end
marker pushed below typed notes): the block then holds the person's checklist or notes, and
writing it would replace them. The issue fails, untouched, with what to do; its ticks still
count; put back, it is written as usual (an attacker's trial: the whole checklist went)."""

from __future__ import annotations

from pathlib import Path

from tests.backends import Backend
from tests.conftest import keep_programs
from tests.e2e.test_contract import by_key, tick
from tests.local_cli import issues, run

AIKO = "csm-aspiring-leaders/fy27-pilot/aiko.tanaka"
TRACKING = "csm-aspiring-leaders/tracking"
BEGIN, END = "<!-- automation:begin progress -->", "<!-- automation:end progress -->"
FIRST = "## Ongoing Activities"


def progress_to_the_top(text: str) -> str:
    """The begin marker and the table's first lines moved above the checklist, as someone
    who wants the figures first would drag them; the end marker stays at the bottom."""
    start = text.index(BEGIN)
    cut = text.index("\n", text.index("**Current phase:**", start)) + 1
    moved, text = text[start:cut], text[:start] + text[cut:]
    return text.replace(FIRST, moved + FIRST, 1)


def failed_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"FAILED [{AIKO}]"))


def test_a_begin_marker_moved_above_the_checklist_fails_the_issue_untouched(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: tick(progress_to_the_top(text), "Have coffee chats"))
    edited = by_key(backend)[AIKO].description
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err
    said = failed_line(result.out)
    assert "the managed block 'progress' is damaged: it holds a task" in said, said
    assert by_key(backend)[AIKO].description == edited  # the checklist and the tick kept
    assert "heading" not in result.out  # its sections are still found, and counted
    tracking = by_key(backend)[TRACKING].description
    row = next(line for line in tracking.splitlines() if f"| #{aiko.iid} " in line)
    assert "| 4% | in progress |" in row, row  # 1 of 25: the tick counts
    backend.edit(aiko.iid, lambda text: text.replace(BEGIN + "\n", "", 1).replace(END, "", 1))
    mended = backend.cli("apply")  # both markers deleted: a fresh block is appended
    assert mended.code == 0, mended.out + mended.err
    text = by_key(backend)[AIKO].description
    assert text.count(BEGIN) == 1 and "1. [x] Have coffee chats" in text
    assert "| **Overall** | **1/25** | **4%** |" in text.split(BEGIN)[1]


def test_an_end_marker_moved_below_typed_notes_keeps_them(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    notes = "My notes from the first call: ask about the Learn module.\n"

    def push_end_down(text: str) -> str:
        return text.replace(END + "\n", "", 1) + notes + END + "\n"

    backend.edit(aiko.iid, push_end_down)
    edited = by_key(backend)[AIKO].description
    backend.edit(aiko.iid, lambda text: tick(text, "Have coffee chats"))
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err
    assert "holds another block's marker" in failed_line(result.out)
    assert by_key(backend)[AIKO].description == tick(edited, "Have coffee chats")


def test_a_task_typed_inside_a_block_is_kept_and_the_advice_moves_it_out(
    backend: Backend,
) -> None:
    """A manager types a task of their own just above the progress table's end marker: the
    issue fails untouched, saying to move it below the end line; moved there, it is kept."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    task = "- [ ] Manager: book a lunch with Aiko\n"
    backend.edit(aiko.iid, lambda text: text.replace(END, task + END, 1))
    typed = by_key(backend)[AIKO].description
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err
    said = failed_line(result.out)
    assert "it holds a task, which is not the tool's (typed inside it" in said, said
    assert f"Move what was typed out of the block, below its `{END}` line or into the " in said
    assert "(a task counts in the section above it)" in said, said
    assert by_key(backend)[AIKO].description == typed
    backend.edit(aiko.iid, lambda text: text.replace(task + END, END, 1).rstrip("\n") + "\n" + task)
    moved = backend.cli("apply")
    assert moved.code == 0, moved.out + moved.err
    text = by_key(backend)[AIKO].description
    line = task.rstrip("\n")  # GitLab keeps no trailing newline
    assert text.count(line) == 1 and text.index(line) > text.index(END), text[-400:]


def test_a_block_template_that_writes_a_task_is_refused_before_any_write(shipped: Path) -> None:
    """A reviewer's: a team's workshop block template with a checklist line was written
    once, then every issue failed as damaged on every run after."""
    keep_programs(shipped, "sales-onboarding")
    template = shipped / "templates/blocks/workshop.md.j2"
    with template.open("a", encoding="utf-8") as file:
        file.write("- [ ] Book your travel for the workshop\n")
    result = run("apply")
    assert result.code == 1 and "Traceback" not in result.err
    assert "the tool's text for the block 'workshop' holds a task" in result.err
    assert "templates/blocks/workshop.md.j2" in result.err
    assert not issues(shipped)  # nothing was written
