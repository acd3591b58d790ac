"""A template's `kept_block`s: text from configuration (a start date, a manager) that the tool
keeps as configuration says it while the issue is live, and leaves alone otherwise."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from automation.markers import block_content
from automation.mentions import ZERO_WIDTH_SPACE
from tests.backends import PROJECT, GitLabBackend, new_fake
from tests.conftest import keep_programs
from tests.local_cli import edit, issues, path_of, run

TEMPLATE = Path("templates/sales-onboarding/new-hire.md.j2")
TOM = "sales-onboarding/tom.reyes"
FACTS = "kept-facts"


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def tom_moves(root: Path, start: str = "2026-11-30", manager: str = "lukas.brandt") -> None:
    """Tom's start date and manager change in people.yml."""
    people = root / "config" / "people.yml"
    text = people.read_text("utf-8")
    begin = text.index("  - username: tom.reyes")
    entry = text[begin : text.index("\n  - username:", begin + 1)]
    moved = entry.replace("start_date: 2026-11-16", f"start_date: {start}")
    people.write_text(text.replace(entry, moved.replace("dana.whitfield", manager)), "utf-8")


def facts(root: Path) -> str:
    return block_content(issues(root)[TOM].description, FACTS) or ""


def test_an_issue_made_before_its_template_kept_a_block_does_not_get_one(
    onboarding: Path,
) -> None:
    """The block is written only where the issue has it: an issue made from a template
    without it keeps its own text (a second, appended table would contradict the first)."""
    template = onboarding / TEMPLATE
    text = template.read_text("utf-8")
    template.write_text(
        text.replace('{% call kept_block("facts") %}\n', "").replace(
            "{% endif %}\n{% endcall %}\n\n{% if attends %}", "{% endif %}\n\n{% if attends %}"
        ),
        "utf-8",
    )
    assert run("apply").code == 0
    assert FACTS not in issues(onboarding)[TOM].description
    template.write_text(text, "utf-8")
    tom_moves(onboarding)
    result = run("apply")
    assert result.code == 0, result.out + result.err
    after = issues(onboarding)[TOM].description
    assert FACTS not in after and after.count("| Start date |") == 1
    assert "| Start date | 2026-11-16 |" in after  # the issue's own text: a person's to mend
    assert "No changes" in run("apply").out


def test_a_kept_block_a_person_deleted_stays_deleted_and_one_they_typed_in_is_rewritten(
    onboarding: Path,
) -> None:
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    text = path.read_text("utf-8")
    ready = text[text.index("<!-- automation:begin kept-ready -->") :]
    ready = ready[: ready.index("<!-- automation:end kept-ready -->\n") + 35]
    typed = text.replace(ready, "").replace("| Track | Sales |", "| Track | Sales (my note) |")
    path.write_text(typed, "utf-8")
    result = run("apply")
    assert result.code == 0, result.out + result.err
    after = issues(onboarding)[TOM].description
    assert "kept-ready" not in after and 'customer conversation ready" by' not in after
    # the block follows configuration; the line as the person changed it is kept below it
    block = after[: after.index("<!-- automation:end kept-facts -->")]
    assert "| Track | Sales |" in block and "(my note)" not in block
    below = after[after.index("<!-- automation:end kept-facts -->") :]
    assert below.index("*Typed in the block above") < below.index("| Track | Sales (my note) |")
    assert f"updated #{issues(onboarding)[TOM].iid} [{TOM}]: kept-facts block" in result.out


def test_a_finished_issue_keeps_the_facts_it_finished_with(onboarding: Path) -> None:
    """Its people are its history once it is done, and so are its facts: a new manager is
    neither named in nor notified of an onboarding their hire finished."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    path.write_text(path.read_text("utf-8").replace("- [ ]", "- [x]"), "utf-8")
    assert run("apply").code == 0
    done = issues(onboarding)[TOM]
    assert done.state == "closed" and "status::complete" in done.labels
    tom_moves(onboarding)
    result = run("apply")
    assert result.code == 0, result.out + result.err
    assert facts(onboarding) == block_content(done.description, FACTS)
    assert "lukas.brandt" not in issues(onboarding)[TOM].description


def test_a_damaged_kept_block_fails_its_issue_and_changes_nothing(onboarding: Path) -> None:
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    edit(path, "<!-- automation:end kept-facts -->\n", "")
    before = path.read_text("utf-8")
    tom_moves(onboarding)
    result = run("apply")
    assert result.code == 1
    assert f"FAILED [{TOM}]" in result.out and "kept-facts" in result.out, result.out
    # a reviewer: it advised deleting both markers "so the tool appends a fresh block", which
    # it never does for a kept block: the hire's table was gone for good
    assert "do not delete the block: the tool does not add a kept block" in result.out
    assert "appends a fresh block" not in result.out
    assert path.read_text("utf-8") == before


@pytest.mark.parametrize(
    ("inside", "said"),
    [
        ("- [ ] **New hire:** Say hello.\n", "kept_block 'facts' holds a task"),
        ("{% endcall %}\n{% call kept_block('facts') %}\n", "'kept-facts' is there twice"),
        # a reviewer: the section was then found nowhere, and its tasks counted in another
        ("## First 30 days\n", "kept_block 'facts' holds the heading of section 'First 30 days'"),
    ],
)
def test_a_kept_block_holds_no_task_and_is_placed_once(
    onboarding: Path, inside: str, said: str
) -> None:
    edit(onboarding / TEMPLATE, "| Track |", f"{inside}| Track |")
    lines = (onboarding / TEMPLATE).read_text("utf-8").splitlines()
    call = next(n for n, line in enumerate(lines, 1) if "kept_block(" in line)
    assert call > 1
    result = run("validate")
    assert result.code == 2 and "Traceback" not in result.err, result.err
    # the line of the block's call (a trial was sent to line 1, the issue's heading)
    assert f"{TEMPLATE}:{call}: {said}: a kept block is written again on every run" in result.err


def test_a_kept_block_whose_markers_share_a_line_is_refused(onboarding: Path) -> None:
    edit(
        onboarding / TEMPLATE,
        '{% call kept_block("facts") %}\n',
        'Facts: {% call kept_block("facts") %}\n',
    )
    result = run("validate")
    assert result.code == 2 and "Traceback" not in result.err, result.err
    assert "a kept block's marker is not on a line of its own" in result.err


def test_a_kept_mention_of_someone_gitlab_does_not_know_is_inert_and_not_written_again(
    shipped: Path,
) -> None:
    """Sam's manager has no GitLab account: the CSM issue's kept table names them without a
    live mention (as a new issue's text would), and later runs find nothing to write; a new
    manager, no GitLab user either, is named so too, and said."""
    root = keep_programs(shipped, "csm-aspiring-leaders")
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    sam = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    with fake.activate():
        gitlab = GitLabBackend(fake)
        assert gitlab.cli("apply").code == 0

        def text() -> str:
            [issue] = [i for i in fake.issues(PROJECT) if f"key={sam} " in i["description"]]
            return str(issue["description"])

        assert f"| Manager | @{ZERO_WIDTH_SPACE}priya.natarajan |" in text()
        assert "No changes" in gitlab.cli("apply").out
        edit(
            root / "config/people.yml",
            "    grade: 7\n    manager: priya.natarajan\n",
            "    grade: 7\n    manager: marcus.oyelaran\n",
        )
        moved = gitlab.cli("apply")
        assert moved.code == 0, moved.out + moved.err
        assert "'marcus.oyelaran' is not a GitLab user" in moved.out
        assert f"| Manager | @{ZERO_WIDTH_SPACE}marcus.oyelaran |" in text()
        planned = gitlab.cli("plan")  # and no update planned that the writer would drop
        assert planned.code == 0 and "No changes" in planned.out, planned.out
        again = gitlab.cli("apply")
        assert again.code == 0 and "No changes" in again.out, again.out


def test_kept_block_is_for_an_issues_own_template_and_needs_a_name(onboarding: Path) -> None:
    """A reviewer: in a block's template its markers broke the tool's block at the write; in a
    note's they were posted once and never kept; `kept_block("")` said its marker was not on
    a line of its own."""
    workshop = onboarding / "templates/blocks/workshop.md.j2"
    text = workshop.read_text("utf-8")
    workshop.write_text(text + "{% call kept_block('x') %}\nx\n{% endcall %}\n", "utf-8")
    result = run("validate")
    assert result.code == 2 and "Traceback" not in result.err, result.err
    assert "templates/blocks/workshop.md.j2:1: kept_block works in an issue's own template" in (
        result.err
    )
    workshop.write_text(text, "utf-8")
    edit(onboarding / TEMPLATE, 'kept_block("facts")', 'kept_block("")')
    result = run("validate")
    assert result.code == 2 and "kept_block(''): name it with lowercase letters" in result.err


def test_a_kept_block_the_template_no_longer_writes_for_an_issue_is_said(
    onboarding: Path,
) -> None:
    """A reviewer: Tom's role changed to one without the workshop; his issue's pre-work due
    date stood in its kept block, no longer kept, and nothing said so."""
    assert run("apply").code == 0
    program = onboarding / "config/programs/sales-onboarding.yml"
    edit(program, "{username: tom.reyes, role: ae}", "{username: tom.reyes, role: pse}")
    result = run("apply")
    assert result.code == 0, result.out + result.err
    iid = issues(onboarding)[TOM].iid
    said = (
        f"issue #{iid} has kept blocks its template no longer writes for it ('prework-due'); "
        "they stay as they are"
    )
    assert said in result.out, result.out
    assert "kept-prework-due" in issues(onboarding)[TOM].description


def test_a_kept_block_says_that_what_is_typed_in_it_is_moved_below(onboarding: Path) -> None:
    """A reviewer: a manager's row added to the hire's table went without a word; the block's
    first line (hidden, seen when editing the text) says where it goes. A block whose first
    line still says typed text "is replaced" (before rows were moved) is not rewritten only
    for that line."""
    assert run("apply").code == 0
    content = facts(onboarding)
    assert content.startswith("<!-- Written by the program automation from its configuration")
    first = content.splitlines()[0]
    assert "a line typed between these markers is moved below them" in first
    path = path_of(onboarding, TOM)
    edit(
        path,
        "a line typed between these markers is moved below them",
        "what is typed between these markers is replaced",
    )
    old = path.read_text("utf-8")
    assert run("apply").code == 0
    assert path.read_text("utf-8") == old


def test_a_tick_made_while_a_kept_block_is_rewritten_is_kept(shipped: Path) -> None:
    """Sam ticks a box after the run planned the new manager's table, just before the tool's
    read of the issue for its write: the write is made on that read, so both land."""
    root = keep_programs(shipped, "csm-aspiring-leaders")
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    sam = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    task = "1. [ ] Have ongoing regular calls with your manager"
    with fake.activate():
        gitlab = GitLabBackend(fake)
        assert gitlab.cli("apply").code == 0
        [issue] = [i for i in fake.issues(PROJECT) if f"key={sam} " in i["description"]]
        iid = issue["iid"]

        def tick() -> None:
            text = fake.issues(PROJECT)[iid - 1]["description"]
            ticked = text.replace(task, task.replace("[ ]", "[x]"))
            fake.edit_issue(PROJECT, iid, description=ticked, as_user="sam.delacroix")

        hook = fake.before_request("GET", f"/issues/{iid}", tick)
        people = root / "config/people.yml"
        edit(
            people,
            "    grade: 7\n    manager: priya.natarajan\n",
            "    grade: 7\n    manager: marcus.oyelaran\n",
        )
        result = gitlab.cli("apply")
        assert hook.fired == 1
        assert result.code == 0, result.out + result.err
        text = fake.issues(PROJECT)[iid - 1]["description"]
        assert task.replace("[ ]", "[x]") in text
        assert f"| Manager | @{ZERO_WIDTH_SPACE}marcus.oyelaran |" in text


def test_a_note_typed_in_the_progress_table_is_moved_below_it(onboarding: Path) -> None:
    """A newcomer's trial: Tom typed a note above "Current phase", inside the progress block
    (the markers are hidden), and the next tick's rewrite took it, unsaid. The block records
    its lines: the note goes below it, and the run says so."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    note = "Tom: on leave in April, expect no progress then."
    edit(path, "**Current phase:**", f"{note}\n\n**Current phase:**")
    edit(path, "- [ ] ", "- [x] ")
    result = run("apply")
    assert result.code == 0, result.out
    assert "text was typed in its block 'progress', which the tool rewrites: it was" in result.out
    text = path.read_text("utf-8")
    below = text.split("<!-- automation:end progress -->", 1)[1]
    assert note in below and note not in (block_content(text, "progress") or "")
    assert run("apply").code == 0 and path.read_text("utf-8") == text  # said once, kept


def test_a_progress_block_written_before_its_record_is_not_rewritten_for_it(
    onboarding: Path,
) -> None:
    """An issue of a version whose progress block recorded no lines is not written only to
    add the record (every issue would be, on the upgrade's first run)."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    text = path.read_text("utf-8")
    record = next(
        line
        for line in text.splitlines()
        if "automation:kept-lines" in line
        and text.index(line) > text.index("<!-- automation:begin progress -->")
    )
    edit(path, record + "\n", "")
    old = path.read_text("utf-8")
    assert run("apply").code == 0
    assert path.read_text("utf-8") == old


def test_a_row_added_to_a_kept_table_stays_in_it_until_configuration_changes_the_block(
    onboarding: Path,
) -> None:
    """A newcomer's trial: a row Tom added to his facts table was moved out of it at once, below
    the block, where a lone `| … |` line renders as text, though configuration had changed
    nothing. It stays in the table while the tool's own lines are as configuration says;
    when configuration changes them, the block is rewritten and the row goes below it."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    row = "| Mentor | Jordan Alvarez (agreed 2026-11-20) |"
    edit(path, "| Track | Sales |", f"| Track | Sales |\n{row}")
    typed = path.read_text("utf-8")
    kept = run("apply")
    assert kept.code == 0 and "No changes" in kept.out and "kept-facts" not in kept.out, kept.out
    assert path.read_text("utf-8") == typed and row in facts(onboarding)
    tom_moves(onboarding)
    moved = run("apply")
    assert "text was typed in its block 'kept-facts'" in moved.out, moved.out
    after = path.read_text("utf-8")
    assert (
        row not in facts(onboarding) and row in after.split("<!-- automation:end kept-facts -->")[1]
    )


def as_saved_by_the_web_editor(path: Path) -> None:
    """The description with `\r\n` line ends, as GitLab's web editor saves it."""
    head, sep, body = path.read_text("utf-8").partition("---\n<!-- automation:key")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(head + sep + body.replace("\n", "\r\n"))


@pytest.mark.parametrize(
    "typed",
    [
        "My note: on leave in December.",
        "<!-- ask Priya about the Learn module in January -->",  # a person's hidden note
        # an attacker's: a comment that opens as the tool's do, and text between two comments
        "<!-- automation:note my manager agreed I skip module 2 -->",
        "<!-- automation: --> My visible note, keep it! <!-- -->",
    ],
)
@pytest.mark.parametrize("crlf", [False, True])
def test_a_line_typed_in_the_progress_block_is_kept_whatever_its_kind_and_line_ends(
    onboarding: Path, typed: str, crlf: bool
) -> None:
    """A review: in a description saved with `\r\n` (GitLab's web editor) the block's record
    was not read, and a hidden comment was taken for the tool's: either line went with the
    next rewrite, unsaid. A blank line typed before it is no reason to rewrite the block."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    edit(path, "**Current phase:**", f"\n{typed}\n\n**Current phase:**")
    if crlf:
        as_saved_by_the_web_editor(path)
    before = path.read_bytes()
    quiet = run("apply")
    assert quiet.code == 0 and "progress block" not in quiet.out, quiet.out
    assert path.read_bytes() == before
    path.write_bytes(path.read_bytes().replace(b"- [ ] ", b"- [x] ", 1))
    moved = run("apply")
    assert "text was typed in its block 'progress'" in moved.out, moved.out
    after = path.read_text("utf-8")
    assert typed in after.split("<!-- automation:end progress -->", 1)[1]


def test_a_note_typed_in_the_progress_block_of_a_hire_who_left_is_said_as_it_moves(
    onboarding: Path,
) -> None:
    """A review: withdrawing Tom rewrote his progress block and moved his note below it, with
    no word of it (only the run planning an issue under way said so)."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    note = "Tom: on leave in December."
    edit(path, "**Current phase:**", f"{note}\n\n**Current phase:**")
    edit(
        Path("config/programs/sales-onboarding.yml"), "    - {username: tom.reyes, role: ae}\n", ""
    )
    result = run("apply")
    assert "withdrawn" in result.out, result.out
    assert (
        f"issue #{issues(onboarding)[TOM].iid}: text was typed in its block 'progress'"
        in result.out
    )
    assert note in path.read_text("utf-8").split("<!-- automation:end progress -->", 1)[1]


def _tom_ticks(root: Path) -> None:
    path = path_of(root, TOM)
    path.write_text(path.read_text("utf-8").replace("- [ ] ", "- [x] ", 1), "utf-8")


def _workshop_reworded(root: Path) -> None:
    edit(Path("templates/blocks/workshop.md.j2"), "#### Sales Quick Start workshop", "#### SQS")


@pytest.mark.parametrize(
    ("key", "block", "rewrite"),
    [
        ("sales-onboarding/tracking", "rollup", _tom_ticks),
        (TOM, "workshop", _workshop_reworded),
    ],
)
def test_a_note_typed_in_a_block_the_tool_rewrites_is_moved_below_it(
    onboarding: Path, key: str, block: str, rewrite: Callable[[Path], None]
) -> None:
    """A CSM trial and an onboarding one: a note typed in the tracking issue's table, or in a
    hire's workshop block, went with the next tick (or template change), unsaid. These blocks
    record their lines too: the note stays until the block changes, then goes below it. (Not
    the charts block: a line typed in its fenced chart would be code no more below it.)"""
    assert run("apply").code == 0
    path = path_of(onboarding, key)
    end = f"<!-- automation:end {block} -->"
    note = "Dana: Tom's figures lag, he was on leave in December."
    edit(path, end, f"{note}\n{end}")
    typed = path.read_text("utf-8")
    assert "No changes" in run("apply").out
    assert path.read_text("utf-8") == typed
    rewrite(onboarding)
    result = run("apply")
    iid = issues(onboarding)[key].iid
    assert f"issue #{iid}: text was typed in its block '{block}'" in result.out, result.out
    assert note in path.read_text("utf-8").split(end, 1)[1]
    assert note not in (block_content(path.read_text("utf-8"), block) or "")


@pytest.mark.parametrize(
    ("key", "block"), [("sales-onboarding/tracking", "rollup"), (TOM, "workshop")]
)
def test_a_block_written_before_the_record_is_not_rewritten_for_it(
    onboarding: Path, key: str, block: str
) -> None:
    """A rollup, or a hire's workshop block, written before its lines were recorded reads as
    up to date: an upgrade does not rewrite every tracking issue and every hire's issue only
    to add the record (a review: only the rollup was checked)."""
    assert run("apply").code == 0
    path = path_of(onboarding, key)
    text = path.read_text("utf-8")
    begin = f"<!-- automation:begin {block} -->\n"
    start = text.index(begin) + len(begin)
    assert text[start:].startswith("<!-- automation:kept-lines ")
    path.write_text(text[:start] + text[start:].split("\n", 1)[1], "utf-8")
    before = path.read_text("utf-8")
    assert "No changes" in run("apply").out
    assert path.read_text("utf-8") == before


OLD_FOOTER = (
    "<sub>Kept up to date by the program automation from the ticked tasks above. Anything typed "
    "between the automation markers is replaced on the next run; write notes outside them.</sub>"
)


def test_the_progress_footer_says_what_happens_to_typed_text_without_rewriting_every_issue(
    onboarding: Path,
) -> None:
    """Two reviews: the progress block's footer said text typed in it "is replaced", where
    it is moved below the block when the figures change. New and rewritten blocks say so; a
    block with the former wording is not rewritten only for it (an upgrade would rewrite
    every issue)."""
    assert run("apply").code == 0
    path = path_of(onboarding, TOM)
    text = path.read_text("utf-8")
    footer = next(line for line in text.splitlines() if line.startswith("<sub>Kept up to date"))
    assert "is moved below" in footer and "replaced" not in footer, footer
    # as the former version wrote it: that wording, and its mark in the block's record
    marks = [hashlib.sha1(line.encode("utf-8")).hexdigest()[:6] for line in (footer, OLD_FOOTER)]
    assert f" {marks[0]}" in text
    path.write_text(
        text.replace(footer, OLD_FOOTER).replace(f" {marks[0]}", f" {marks[1]}"), "utf-8"
    )
    before = path.read_text("utf-8")
    assert "No changes" in run("apply").out
    assert path.read_text("utf-8") == before  # the former wording stands, unrewritten
    _tom_ticks(onboarding)
    assert run("apply").code == 0
    assert OLD_FOOTER not in path.read_text("utf-8") and footer in path.read_text("utf-8")
