"""People edit the tool's issues in GitLab's rich text editor, which saves the whole description
back as Markdown: each HTML comment with the spaces inside it trimmed, a comment over several
lines closed on its last line, and a blank line around each (GitLab 17's content editor: the
comment node trims its text, `services/serializer/html_comment.js` writes `<!--`, the text,
`-->` and a block break; its own spec expects `<!-- some comment -->` back as
`<!--some comment-->`). A tester's finding: one such save lost every marker, so the tool made a
second tracking issue for a confidential program, appended a second set of its blocks, and
published a sealed satisfaction figure a second time."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from automation.comments import MARKERS, RECORDS, spaced
from automation.history import HEADER as HISTORY_HEADER
from automation.index import HEADER as INDEX_HEADER
from automation.migration import _INTRO
from automation.rowledger import HEADER as LEDGER_HEADER
from tests.backends import Backend
from tests.conftest import REPO, keep_programs
from tests.e2e.test_contract import by_key, tick
from tests.e2e.test_sponsorship_scores import (
    BEFORE_CLOSE,
    CLOSED,
    COHORT,
    apply,
    published,
    record,
)
from tests.local_cli import edit, issues, path_of, run

AIKO = "csm-aspiring-leaders/fy27-pilot/aiko.tanaka"
TRACKING = "csm-aspiring-leaders/tracking"
_COMMENT = re.compile(r"[ \t]*<!--(.*?)-->[ \t]*", re.S)


def rich_text_save(text: str) -> str:
    """TEXT as the rich text editor saves it: every comment's text trimmed, the comment set
    apart by blank lines; the rest as it was."""
    saved = _COMMENT.sub(lambda m: f"\n\n<!--{m.group(1).strip()}-->\n\n", text)
    return re.sub(r"\n{3,}", "\n\n", saved).strip("\n") + "\n"


def test_the_model_of_the_editor_trims_comments_as_gitlabs_spec_shows() -> None:
    assert rich_text_save("a\n<!-- some comment -->\nb") == "a\n\n<!--some comment-->\n\nb\n"
    assert rich_text_save("<!-- x\n1\n-->\n") == "<!--x\n1-->\n"


def test_the_records_the_tool_writes_are_the_ones_it_knows_again() -> None:
    """Each hidden record's first line opens with one of `RECORDS`."""
    for header in (HISTORY_HEADER, INDEX_HEADER, LEDGER_HEADER, _INTRO):
        assert header.startswith("<!-- ") and header[5:].startswith(RECORDS), header


def test_every_comment_the_tool_writes_is_one_it_knows_again() -> None:
    """A reviewer's finding: an ended account plan's `<!-- commitment end … -->` line was not
    among them, so a plan saved in rich text was not reopened when its account was extended.
    Every `<!-- ` the tool's code and templates hold opens with a known opening."""
    known = (*MARKERS, *RECORDS, "-->")
    sources = [*(REPO / "automation").rglob("*.py"), *(REPO / "templates").rglob("*.j2")]
    for source in (s for s in sources if s.name != "comments.py"):  # it writes what it read
        text = source.read_text(encoding="utf-8")
        for found in re.finditer(r"<!-- (.{0,30})", text):
            assert found[1].startswith(known), f"{source}: {found[0]}"


def test_spacing_the_comments_again_gives_the_text_the_tool_wrote() -> None:
    written = (
        "<!-- automation:key=csm/x -->\n## T\n<!-- automation:begin keys -->\n"
        f"{INDEX_HEADER}\n1 csm/x\n2 csm/y\n-->\n<!-- automation:end keys -->\n"
        f"<!-- automation:begin history -->\n{HISTORY_HEADER}\n-->\n"
        "<!-- automation:end history -->\n"
    )
    assert _lines(spaced(rich_text_save(written))) == _lines(written)
    assert spaced(written) is written  # nothing to do: the text itself, untouched
    person = "<!--my own note-->\n<!-- automation:key=csm/x\nstill hidden -->"
    assert spaced(person) == person  # a person's comment, and a key line cut short, kept


@pytest.mark.parametrize("eol", ["\n", "\r\n"])  # a reviewer: Windows line ends, kept locally
def test_an_issue_saved_in_the_rich_text_editor_stays_the_same_issue(
    backend: Backend, eol: str
) -> None:
    assert backend.cli("apply").code == 0
    before = by_key(backend)
    aiko, tracking = before[AIKO], before[TRACKING]

    def save(text: str) -> str:
        return rich_text_save(text).replace("\n", eol)

    backend.edit(aiko.iid, lambda text: save(tick(text, "Have coffee chats")))
    backend.edit(tracking.iid, lambda text: save(text + "\nNotes from the lead.\n"))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert "restored" not in result.out and "damaged" not in result.out
    assert "no record of their template tasks" not in result.out
    after = by_key(backend)
    assert len(after) == len(before)  # no second issue for any key
    assert (after[AIKO].iid, after[TRACKING].iid) == (aiko.iid, tracking.iid)
    text = after[AIKO].description
    assert text.count("automation:begin progress") == 1  # updated, not appended again
    assert "| **Overall** | **1/25** | **4%** |" in text
    assert "status::in progress" in after[AIKO].labels
    lead = after[TRACKING].description
    assert "Notes from the lead." in lead and lead.count("automation:begin rollup") == 1
    assert "No changes" in backend.cli("apply").out


def test_a_confidential_tracking_issue_saved_in_rich_text_is_not_made_again(
    shipped: Path,
) -> None:
    """A confidential program's issues are never found again by their title: only the key
    line says which issue is the tracking issue."""
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply", BEFORE_CLOSE).code == 0
    before = issues(shipped)
    path = path_of(shipped, "sales-sponsorship/tracking")
    path.write_text(rich_text_save(path.read_text("utf-8") + "\nA line from the lead.\n"), "utf-8")
    result = run("apply", BEFORE_CLOSE)
    assert result.code == 0, result.out + result.err
    assert set(issues(shipped)) == set(before)
    assert "A line from the lead." in path.read_text("utf-8")
    assert "no automation key" not in result.out


def test_a_sealed_figure_saved_in_rich_text_is_never_published_again(shipped: Path) -> None:
    keep_programs(shipped, "sales-sponsorship")
    apply(BEFORE_CLOSE)
    for sponsee, score in (("aiko.tanaka", "8"), ("lena.fischer", "6"), ("sam.delacroix", "7")):
        record(shipped, sponsee, "sponsee", "Sponsee satisfaction (start)", score)
    record(shipped, "kenji.watanabe", "sponsee", "Sponsee satisfaction (start)", "9")
    apply(CLOSED)
    final = published(shipped)
    assert "| Sponsee satisfaction (start) | 7.5 | 4 |" in final
    edit(
        path_of(shipped, "sales-sponsorship/fy28-h1/kenji.watanabe/sponsee-scores"),
        "Sponsee satisfaction (start): 9",
        "Sponsee satisfaction (start): 1",
    )
    path = path_of(shipped, COHORT)
    path.write_text(rich_text_save(path.read_text("utf-8")), "utf-8")
    apply("2027-03-05")
    text = issues(shipped)[COHORT].description
    assert text.count("automation:begin scores-start") == 1
    assert _lines(published(shipped)) == _lines(final)  # the editor's blank lines aside


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def test_an_ended_account_plan_saved_in_rich_text_is_reopened_when_extended(
    shipped: Path,
) -> None:
    """A reviewer's finding: the plan's `commitment end` line, saved trimmed, was not read, so
    the plan of an account extended after its end stayed closed."""
    keep_programs(shipped, "executive-sponsorship")
    plan = "executive-sponsorship/account/globex/account-plan"
    assert run("apply").code == 0
    assert run("apply", "2027-02-01").code == 0
    path = path_of(shipped, plan)
    path.write_text(rich_text_save(path.read_text("utf-8")), "utf-8")
    edit(
        shipped / "config/programs/executive-sponsorship.yml",
        "start: 2026-02-01, end: 2027-01-31}",
        "start: 2026-02-01, end: 2028-01-31}",
    )
    assert run("apply", "2027-02-08").code == 0
    found = issues(shipped)[plan]
    assert found.state == "opened" and "status::ended" not in found.labels


def test_a_note_of_the_tools_saved_in_rich_text_is_still_found(backend: Backend) -> None:
    """A reviewer's doubt: a note's marker (its first line), saved trimmed by the rich text
    editor, was not found, so a note whose proof was not written yet would go out again."""
    assert backend.cli("apply").code == 0
    tracker = backend.tracker()
    iid = by_key(backend)[AIKO].iid
    tracker.add_note(iid, rich_text_save("<!-- automation:note test -->\nHello.").strip())
    found = backend.tracker().find_note(iid, "<!-- automation:note test -->")
    assert found is not None and "Hello." in found.body


def test_a_stale_trimmed_copy_left_by_an_earlier_version_stays_as_it_is(backend: Backend) -> None:
    """A tester upgrading: an issue saved in rich text under an earlier version, which did not
    know the trimmed form, got its key line put back and a fresh set of blocks appended,
    beside the trimmed ones. Read now, both would be the tool's (two of each: the issue
    failed every run). The trimmed copy the tool also has as it writes it stays a stale one."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    marker = f"<!-- automation:key={AIKO} -->"

    def as_earlier_versions_left_it(text: str) -> str:
        blocks = re.finditer(
            r"<!-- automation:begin (\S+) -->.*?<!-- automation:end \1 -->", text, re.S
        )
        fresh = "\n\n".join(block[0] for block in blocks)
        return f"{marker}\n{rich_text_save(text)}\n{fresh}\n"

    backend.edit(
        aiko.iid, lambda text: tick(as_earlier_versions_left_it(text), "Have coffee chats")
    )
    result = backend.cli("apply")
    assert result.code == 0 and "damaged" not in result.out, result.out + result.err
    text = by_key(backend)[AIKO].description
    assert text.count("<!-- automation:begin progress -->") == 1
    assert "| **Overall** | **1/25** | **4%** |" in text
    assert "No changes" in backend.cli("apply").out


def _padded_row(line: str) -> str:
    """A table row as the editor writes a table it rewrote: each cell padded to a width, a
    delimiter row's dashes to the same width."""
    cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
    wide = [
        (c[:1] if c[:1] == ":" else "") + "-" * 10 + (":" if c.endswith(":") else "")
        if re.fullmatch(r":?-+:?", c)
        else c.ljust(12)
        for c in cells
    ]
    return "| " + " | ".join(wide) + " |"


def rewritten_save(text: str) -> str:
    """TEXT as the rich text editor saves it where it keeps no line as written (GitLab 17.2, or
    a project without `preserve_markdown`): comments as `rich_text_save`, and every table row
    padded, `*emphasis*` as `_emphasis_`, a blank `__` escaped."""
    rows = (
        _padded_row(line) if line.startswith("|") else line
        for line in rich_text_save(text).split("\n")
    )
    italic = (re.sub(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])", r"_\1_", row) for row in rows)
    return _joined("\n".join(line.replace("__", r"\_\_") for line in italic))


_BLOCK_START = re.compile(r"\s*(?:[|#>]|[-*+]\s|\d+[.)]\s|<|$)")


def _joined(text: str) -> str:
    """TEXT with each paragraph written over several lines on one (ProseMirror's text)."""
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and not _BLOCK_START.match(line) and not _BLOCK_START.match(lines[-1]):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return "\n".join(lines)


def _ticked_and_saved(text: str, task: str) -> str:
    return rewritten_save(tick(text, task))


def test_the_model_of_a_rewriting_save_pads_tables_and_escapes() -> None:
    saved = rewritten_save("| a | b |\n|---|--:|\n*(x)* and **y**: __/10\n")
    assert saved.split("\n") == [
        "| a            | b            |",
        "| ---------- | ----------: |",
        "_(x)_ and **y**: \\_\\_/10",
        "",
    ]
    assert rewritten_save("A paragraph\nover two lines.\n- an item\n") == (
        "A paragraph over two lines.\n- an item\n"
    )


def test_an_issue_rewritten_by_the_rich_text_editor_keeps_the_tools_lines_in_their_blocks(
    backend: Backend,
) -> None:
    """A trial: where the editor rewrites every line it saves, the tool took its own padded table
    rows for typed text: moved below its blocks, said typed, more of them at each save."""
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    for task in ("Have coffee chats", "Identify any gaps in your skills"):
        backend.edit(aiko.iid, functools.partial(_ticked_and_saved, task=task))
        result = backend.cli("apply")
        assert result.code == 0, result.out + result.err
        assert "typed in its block" not in result.out, result.out
    text = by_key(backend)[AIKO].description
    assert "Typed in the block above" not in text and "| ---------- |" not in text
    assert "| **Overall** | **2/25** | **8%** |" in text  # rewritten as the tool writes it
    assert "No changes" in backend.cli("apply").out


def test_a_hires_issue_rewritten_by_the_rich_text_editor_keeps_its_joined_paragraphs(
    shipped: Path,
) -> None:
    """The editor saves a paragraph of the tool's over two lines as one (the hire's 30-day goal
    in its kept block): not typed text either."""
    keep_programs(shipped, "sales-onboarding")
    assert run("apply").code == 0
    path = path_of(shipped, "sales-onboarding/maya.okonkwo")
    for task in ("**New hire:** Complete your GitLab", "**New hire:** Submit 1"):
        front, rule, body = path.read_text("utf-8").partition("\n---\n")  # after its fields
        body = rewritten_save(body.replace(f"- [ ] {task}", f"- [x] {task}", 1))
        path.write_text(front + rule + body, "utf-8")
        result = run("apply")
        assert result.code == 0, result.out + result.err
        assert "typed in its block" not in result.out, result.out
    text = path.read_text("utf-8")
    assert "Typed in the block above" not in text and "| ---------- |" not in text
    assert "| **Overall** | **2/10** | **20%** |" in text
    assert "No changes" in run("apply").out


YEAR = [
    "2026-12-01",
    "2027-01-04",
    "2027-02-01",
    "2027-03-01",
    "2027-04-01",
    "2027-05-03",
    "2027-06-01",
    "2027-07-01",
    "2027-08-02",
    "2027-09-01",
    "2027-10-01",
    "2027-11-01",
    "2027-12-01",
]


def _a_third_saved_in_rich_text(shipped: Path, month: int) -> None:
    """A third of the issues, a different third each month, each with a box ticked, saved by
    an editor that rewrites every line."""
    for n, path in enumerate(sorted((shipped / ".automation" / "issues").glob("*.md"))):
        if n % 3 == month % 3:
            front, rule, body = path.read_text("utf-8").partition("\n---\n")
            body = re.sub(r"^(\s*(?:[-*]|\d+\.) )\[ \]", r"\1[x]", body, count=1, flags=re.M)
            path.write_text(front + rule + rewritten_save(body), "utf-8")


def test_a_year_of_rich_text_saves_leaves_no_line_moved_and_nothing_to_do(shipped: Path) -> None:
    """A year of the shipped programs, month by month, people saving issues in a rich text
    editor that rewrites what it saves: no line of the tool's is taken for typed text, nothing
    fails, and the last run finds nothing to do."""
    for month, day in enumerate(YEAR):
        if month:
            _a_third_saved_in_rich_text(shipped, month)
        result = run("apply", day)
        assert result.code == 0, result.out + result.err
        assert "typed in its block" not in result.out and "cannot be read" not in result.out
    assert "No changes" in run("apply", YEAR[-1]).out
    texts = [p.read_text("utf-8") for p in (shipped / ".automation" / "issues").glob("*.md")]
    assert len(texts) > 150 and not any("Typed in the block above" in text for text in texts)
