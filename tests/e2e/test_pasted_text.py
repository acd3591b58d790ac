"""Text pasted into an issue with a byte-order mark (an invisible U+FEFF that text copied
from a file saved by some editors starts with): the tool still finds its marker lines, on
both backends, and neither duplicates the issue nor calls its blocks damaged."""

from __future__ import annotations

import re
from pathlib import Path

from tests.backends import Backend
from tests.e2e.test_contract import by_key, tick
from tests.local_cli import edit

BOM = "\ufeff"
AIKO = "csm-aspiring-leaders/fy27-pilot/aiko.tanaka"
SAM = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
LENA = "csm-aspiring-leaders/fy27-pilot/lena.fischer"
BEGIN = "<!-- automation:begin progress -->"


def test_a_description_pasted_with_a_byte_order_mark_keeps_its_issue(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: BOM + tick(text, "Have coffee chats"))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    issues = by_key(backend)  # no second issue for the key
    assert issues[AIKO].iid == aiko.iid
    text = issues[AIKO].description
    assert text.startswith(BOM + "<!-- automation:key=" + AIKO + " -->\n")
    assert text.count("automation:key=") == 1
    assert "| **Overall** | **1/25** | **4%** |" in text
    assert "status::in progress" in issues[AIKO].labels
    assert "No changes" in backend.cli("apply").out


def test_a_block_marker_pasted_with_a_byte_order_mark_is_still_the_block(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: tick(text.replace(BEGIN, BOM + BEGIN), "Have coffee chats"))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert "damaged" not in result.out
    text = by_key(backend)[AIKO].description
    assert text.count(BEGIN) == 1  # updated in place, not a second block appended
    assert BOM + BEGIN in text  # the person's text around the marker is kept as it was
    assert "| **Overall** | **1/25** | **4%** |" in text


def test_markers_a_person_quotes_in_a_code_block_are_kept_as_their_text(backend: Backend) -> None:
    """Sam deletes the progress block and, in a code block, quotes its markers around a
    snippet of his own: GitLab shows it as code, so it is his text. The tool writes a fresh
    block and leaves the snippet alone, then has nothing more to do."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    end = "<!-- automation:end progress -->"

    def quote(text: str) -> str:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(end, 1)[1]
        snippet = f"```\n{BEGIN}\nmy important snippet\n{end}\n```\n"
        return tick(head + snippet + tail, "Have coffee chats")

    backend.edit(aiko.iid, quote)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    text = by_key(backend)[AIKO].description
    assert f"```\n{BEGIN}\nmy important snippet\n{end}\n```\n" in text
    assert text.count(BEGIN) == 2 and "| **Overall** | **1/25** | **4%** |" in text
    assert "No changes" in backend.cli("apply").out


def test_a_fence_left_open_above_the_charts_leaves_the_tracking_issue_working(
    backend: Backend,
) -> None:
    """A lead types a command into the tracking issue's notes with an opening ``` and no
    closing one. The chart's own fence closes it (as GitLab reads it): the tool still finds
    every block, and the rollup follows a tick."""
    assert backend.cli("apply").code == 0
    tracking = by_key(backend)["csm-aspiring-leaders/tracking"]
    backend.edit(
        tracking.iid,
        lambda text: text.replace(
            " program tracking\n",
            " program tracking\n\nTeam note: run this\n```\ncurl example\n",
            1,
        ),
    )
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: tick(text, "Have coffee chats"))
    result = backend.cli("apply")
    assert result.code == 0 and "damaged" not in result.out, result.out + result.err
    text = by_key(backend)["csm-aspiring-leaders/tracking"].description
    assert text.index("```\ncurl example\n") < text.index("automation:begin charts")
    assert text.count("automation:begin charts") == 1
    assert "No changes" in backend.cli("apply").out


def _block(text: str, name: str) -> str:
    begin, end = f"<!-- automation:begin {name} -->", f"<!-- automation:end {name} -->"
    return text[text.index(begin) : text.index(end) + len(end)] + "\n"


def _all_ticked(text: str) -> str:
    return re.sub(r"^(\s*(?:\d+\.|[-*])) \[ \]", r"\1 [x]", text, flags=re.M)


def test_a_completion_block_pasted_from_another_issue_proves_nothing(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    issues = by_key(backend)
    sam, aiko = issues[SAM], issues[AIKO]
    backend.edit(sam.iid, _all_ticked)
    assert backend.cli("apply").code == 0
    done = _block(by_key(backend)[SAM].description, "completion")
    backend.edit(aiko.iid, lambda t: t + "\n" + done)  # a person copies Sam's text over
    backend.edit(aiko.iid, _all_ticked)
    assert backend.cli("apply").code == 0
    own = _block(by_key(backend)[AIKO].description, "completion")
    assert f"<!-- automation:of #{aiko.iid} -->" in own and f"#{sam.iid} -->" not in own
    assert "status::complete" in by_key(backend)[AIKO].labels


def test_a_withdrawn_block_pasted_from_another_issue_does_not_stop_a_withdrawal(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    lena = by_key(backend)[LENA]
    edit(Path("config/programs/csm-aspiring-leaders.yml"), "      - lena.fischer\n", "")
    assert backend.cli("apply").code == 0  # Lena is withdrawn
    left = _block(by_key(backend)[LENA].description, "withdrawn")
    sam = by_key(backend)[SAM]
    backend.edit(sam.iid, lambda t: t + "\n" + left)
    edit(Path("config/programs/csm-aspiring-leaders.yml"), "      - sam.delacroix\n", "")
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    gone = by_key(backend)[SAM]
    assert gone.state == "closed" and "status::withdrawn" in gone.labels
    assert f"<!-- automation:of #{gone.iid} -->" in _block(gone.description, "withdrawn")
    assert lena.iid != gone.iid


def test_every_damaged_block_is_named_in_one_run(backend: Backend) -> None:
    """Someone pastes Aiko's whole description into Sam's, below his own: each of the tool's
    blocks is there twice. One run names them all, not one a run."""
    assert backend.cli("apply").code == 0
    issues = by_key(backend)
    aiko = issues[AIKO].description.split("\n", 1)[1]  # without her first line
    backend.edit(issues[SAM].iid, lambda text: text + "\n" + aiko)
    result = backend.cli("apply")
    assert result.code == 1
    failed = next(line for line in result.out.splitlines() if line.startswith(f"FAILED [{SAM}]"))
    damaged = re.findall(r"'([a-z-]+)'", failed)
    assert {"progress", "template-tasks", "assigned", "due"} <= set(damaged), failed
    assert "are damaged too" in failed


def test_a_key_line_that_lost_its_closing_is_mended_not_doubled(backend: Backend) -> None:
    """A tester's: an edit took the ` -->` off the hidden first line, so GitLab hid the whole
    checklist in an HTML comment. The tool put a second key line above the broken one (the
    checklist stayed hidden), dropped Aiko to 0% and warned that her headings were gone. The
    broken line is the key line: it is mended, and her figures stay hers."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: tick(text, "Have coffee chats"))
    assert backend.cli("apply").code == 0
    line = f"<!-- automation:key={AIKO} -->"
    backend.edit(aiko.iid, lambda text: text.replace(line, line.removesuffix(" -->"), 1))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert "heading" not in result.out, result.out
    issue = by_key(backend)[AIKO]
    assert issue.iid == aiko.iid
    assert issue.description.startswith(line + "\n")
    assert issue.description.count("automation:key=") == 1
    assert "status::in progress" in issue.labels
    assert "No changes" in backend.cli("apply").out


def test_an_issue_the_tools_block_would_take_past_gitlabs_limit_says_what_to_shorten(
    backend: Backend,
) -> None:
    """A tester's: an issue grown near GitLab's 1,048,576-byte limit by a person's paste could
    not take the tool's block: on GitLab the item failed on every run with "400 description is
    too long", locally with "shorten the template", neither of which helps. The failure says
    what to shorten, and nothing is written."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]

    def pasted(text: str) -> str:
        start, end = text.index(BEGIN), text.index("<!-- automation:end progress -->")
        text = text[:start] + text[end + len("<!-- automation:end progress -->") :]
        return text + "\n" + "x" * (1_048_576 - 200 - len(text.encode()))

    backend.edit(aiko.iid, pasted)
    before = by_key(backend)[AIKO].description
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err
    said = f"issue #{aiko.iid}: with the tool's changes its description would be"
    assert said in result.out and "shorten the text people wrote in it" in result.out, result.out
    assert by_key(backend)[AIKO].description == before


COFFEE = "Have coffee chats with multiple CSM Managers"
PASTED = "1. [\u00a0] Share what you learned with your manager."  # a no-break space in the box


def test_a_task_pasted_with_a_no_break_space_in_its_box_counts_as_gitlab_counts_it(
    backend: Backend,
) -> None:
    """Text pasted from a document brings a no-break space into a box: GitLab shows it as a
    checkbox and counts it (its own spec), so it holds the module back as an open task (the
    tool left it out: an issue with it open read complete)."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    line = next(x for x in aiko.description.splitlines() if COFFEE in x)
    backend.edit(
        aiko.iid,
        lambda text: tick(text, COFFEE).replace(
            line.replace("[ ]", "[x]"), line.replace("[ ]", "[x]") + "\n" + PASTED, 1
        ),
    )
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    text = by_key(backend)[AIKO].description
    assert PASTED in text  # the person's line is kept as written
    assert "| Module 1: Explore | 1/4 | 25% |" in text, text
    assert "| **Overall** | **1/26** | **3%** |" in text
    assert "No changes" in backend.cli("apply").out


def test_a_module_made_into_a_table_of_boxes_counts_its_ticked_cells(backend: Backend) -> None:
    """A manager rewrites Module 1's checklist as a table with a box in its first column
    (current GitLab counts such cells as tasks and lets people tick them): the module's
    figure follows the ticked cells, and the issue is not warned about as having no task."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]

    def tabled(text: str) -> str:
        start = text.index("## Module 1: Explore")
        end = text.index("## Module 2: Learn")
        table = "| Done | Task |\n|:-:|---|\n| [x] | Career talk |\n| [ ] | Coffee chats |\n"
        return text[:start] + "## Module 1: Explore\n\n" + table + "\n" + text[end:]

    backend.edit(aiko.iid, tabled)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert "has no task" not in result.out
    text = by_key(backend)[AIKO].description
    assert "| Done | Task |\n|:-:|---|\n| [x] | Career talk |" in text  # kept as written
    assert "| Module 1: Explore | 1/2 | 50% |" in text, text
    assert "No changes" in backend.cli("apply").out


def test_boxes_gitlab_draws_no_checkbox_for_are_not_tasks(backend: Backend) -> None:
    """A tester kept, under the checklist, a template of what to send before each call,
    indented as code, and a folded `<details>` list with no blank line after its summary:
    GitLab shows those boxes as text, yet they counted as open tasks, and an issue whose every
    box was ticked could never complete."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    pasted = (
        "\n\nWhat I send before each call (a template, not tasks):\n\n"
        "    - [ ] Share your goals for the quarter\n    - [ ] Book the next call\n\n"
        "<details><summary>Old notes</summary>\n- [ ] an old list, folded\n</details>\n"
    )
    backend.edit(aiko.iid, lambda text: tick(text, "Have coffee chats") + pasted)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    text = by_key(backend)[AIKO].description
    assert "| **Overall** | **1/25** | **4%** |" in text, text
    assert pasted.rstrip() in text  # the person's text stays as they wrote it


def test_text_typed_beside_both_markers_fails_the_issue_instead_of_a_second_block(
    backend: Backend,
) -> None:
    """An attacker typed a note on the begin marker's line and another on the end's: neither
    was a marker line, so the block read as missing, a fresh one was appended, and the old
    table stayed beside it at 0%, for good, with no word of it."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    end = "<!-- automation:end progress -->"

    def beside(text: str) -> str:
        text = text.replace(BEGIN, "NOTE-BEFORE " + BEGIN).replace(end, end + " NOTE-AFTER")
        return tick(text, "Have coffee chats")

    backend.edit(aiko.iid, beside)
    before = by_key(backend)[AIKO].description
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err
    assert "has other text on its line" in result.out, result.out
    text = by_key(backend)[AIKO].description
    assert text == before and text.count(BEGIN) == 1  # left untouched, no second block


def test_a_note_typed_after_the_key_line_goes_below_it_and_the_key_stays_once(
    backend: Backend,
) -> None:
    """A tester typed a note at the end of the hidden first line: the run put a fresh key
    line on top and kept the typed line whole below it, the key now twice in the issue."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    key = f"<!-- automation:key={AIKO} -->"
    backend.edit(aiko.iid, lambda text: text.replace(key, key + " Aiko note here", 1))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    text = by_key(backend)[AIKO].description
    assert text.startswith(f"{key}\nAiko note here\n"), text[:200]
    assert text.count("automation:key=") == 1
    assert "No changes" in backend.cli("apply").out


def test_a_fence_left_open_above_phases_does_not_complete_the_issue(backend: Backend) -> None:
    """A trial: a manager's note with an unclosed code fence above a hire's later phases hid
    them (as GitLab hides them), every task left in sight was done, and the tool closed the
    issue and congratulated the hire on graduating."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]

    def fence_and_tick(text: str) -> str:
        before, after = text.split("## Module 2: Learn", 1)
        return (
            before.replace("1. [ ]", "1. [x]")
            + "Notes:\n```\nbring laptop\n\n## Module 2: Learn"
            + after
        )

    backend.edit(aiko.iid, fence_and_tick)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    said = (
        f"warning: issue #{aiko.iid}: the headings 'Module 2: Learn' and 'Module 3: Practice' "
        "are inside a code block or an HTML comment"
    )
    assert said in result.out, result.out
    assert "has no heading" not in result.out
    issue = by_key(backend)[AIKO]
    assert issue.state == "opened" and "status::complete" not in issue.labels
    assert "**Cannot count:** the headings 'Module 2: Learn' and 'Module 3: Practice'" in (
        issue.description
    )
    assert "| **Overall** | **7/8** | **87%** |" in issue.description  # one held back
    backend.edit(aiko.iid, lambda text: text.replace("bring laptop\n", "bring laptop\n```\n"))
    closed = backend.cli("apply")  # the fence closed: every phase counts again
    assert closed.code == 0 and "inside a code block" not in closed.out, closed.out
    issue = by_key(backend)[AIKO]
    assert "| **Overall** | **8/25** | **32%** |" in issue.description
    assert "Cannot count" not in issue.description and issue.state == "opened"
