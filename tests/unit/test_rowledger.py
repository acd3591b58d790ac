"""The ledger's rows (rowledger.py): every issue of the shipped programs, measured as a plan
measures it, reads back from its shard exactly as it was; what people type in an issue
cannot end the shard's hidden comment, mention anyone or run a quick action; a shard a
person edited, or one written for another list of sections, is not read."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from automation import rowledger
from automation.changes import proof_line, proves
from automation.checklist import TaskCount
from automation.comments import spaced
from automation.config.models import Section
from automation.duedates import other_calendar, recorded
from automation.errors import ItemError
from automation.items import ObservedIssue
from automation.lifecycle import was_withdrawn
from automation.locality import Footprint
from automation.markers import sound_block
from automation.planner import ledger_rows
from automation.progress import Progress, SectionProgress, Status
from automation.records import Recorded
from automation.rowledger import (
    LedgerRow,
    cross_read_blocks,
    decode_row,
    encode_row,
    read_shard,
    shard_content,
    shard_count,
    shard_of,
    stub_of,
)
from automation.run import observe, prepare
from tests.conftest import REPO
from tests.e2e.test_rich_text import rich_text_save
from tests.memory import memory_for, run_apply
from tests.unit.test_hostile_values import HOSTILE

DAY = dt.date(2026, 12, 7)
SECTIONS = (Section(heading="One"), Section(heading="Two", ongoing=True))
PREFIX = "demo/"


def _row(iid: int = 7, **changed: object) -> LedgerRow:
    progress = Progress(
        (SectionProgress(SECTIONS[0], TaskCount(3, 1), True),),
        TaskCount(3, 1),
        SECTIONS[0],
        Status.IN_PROGRESS,
    )
    footprint = Footprint(
        f"demo/c1/p{iid}",
        f"demo/c1/p{iid}",
        True,
        ("program::demo",),
        None,
        False,
        "opened",
        "t",
        "b",
    )
    stub = ObservedIssue(iid, "P", f"<!-- automation:key=demo/c1/p{iid} -->\n", ("program::demo",))
    fields: dict[str, object] = {
        "iid": iid,
        "key": f"demo/c1/p{iid}",
        "state": "opened",
        "progress": progress,
        "footprint": footprint,
        "stub": stub,
    }
    return LedgerRow(**{**fields, **changed})  # type: ignore[arg-type]


def _again(row: LedgerRow) -> LedgerRow | None:
    return decode_row(encode_row(row, SECTIONS, PREFIX), SECTIONS, PREFIX)


def test_every_shipped_issue_reads_back_as_its_plan_read_it(tmp_path: Path) -> None:
    for part in ("config", "templates"):
        shutil.copytree(REPO / part, tmp_path / part)
    prepared = prepare(tmp_path / "config", tmp_path / "templates", DAY)
    tracker = memory_for(prepared)
    run_apply(prepared, tracker, DAY)
    labels, epics = tracker.label_names(), tracker.epics_available()
    rows = 0
    for desired in prepared.programs:
        observed = observe(tracker, desired, labels, epics)
        prefix, sections = f"{desired.program.id}/", desired.program.sections
        for row in ledger_rows(desired, observed, prepared.blocks, DAY).values():
            assert decode_row(encode_row(row, sections, prefix), sections, prefix) == row
            assert row.stub.key == row.key and row.stub.title == tracker.issues[row.iid].title
            rows += 1
    assert rows >= 40  # every shipped program's participants, accounts and pairs


@pytest.mark.parametrize("typed", [*HOSTILE, "-->", "--!>", "\n/close\n", "@everyone"])
def test_what_a_person_typed_reads_back_and_stays_inert(typed: str) -> None:
    label = f"Score {typed}"  # a record's label (a JSON key in the row)
    records = {label: Recorded(label, None, f"`{typed}` is not a number", True)}
    # a section the program no longer has (its heading as configuration allowed it)
    gone = Section(heading=f"Dropped {typed}".replace("\n", " ").strip(), label="Dropped")
    progress = Progress(
        (SectionProgress(gone, TaskCount(1, 0), True),),
        TaskCount(1, 0),
        gone,
        Status.OVERDUE,
        unread=(f"Score: {typed}",),
        late=(f"Dropped {typed}", DAY),
        hidden=(typed,),
    )
    stub = ObservedIssue(
        7,
        f"Title {typed}",
        f"<!-- automation:key=demo/c1/p7 -->\n{typed}\n",
        (f"label {typed}",),
        assignees=(f"user{typed}",),
        author=typed,
        web_url=f"https://gitlab.example.com/{typed}",
    )
    row = _row(records=records, progress=progress, stub=stub)
    assert _again(row) == row
    content = shard_content([row], SECTIONS, (0, 1), PREFIX)
    lines = content.split("\n")
    assert content.count("-->") == 1 and lines[-2] == "-->"
    assert "@" not in content and "<" not in "\n".join(lines[1:-2])
    assert not any(line.lstrip().startswith("/") for line in lines)
    assert content.isascii()


def test_a_shard_reads_back_its_rows_and_its_place() -> None:
    rows = [row for row in map(_row, range(60, 0, -1)) if shard_of(row.iid, 4) == 2][:3]
    content = shard_content(rows, SECTIONS, (2, 4), PREFIX)
    shard = read_shard(content, SECTIONS, PREFIX)
    assert shard is not None and (shard.number, shard.shards, shard.overflow) == (2, 4, False)
    assert shard.rows == {row.key: row for row in rows}
    iids = [int(line.split(" ")[0]) for line in content.split("\n")[2:5]]
    assert iids == sorted(row.iid for row in rows) and len(rows) == 3


def test_a_row_out_of_its_place_makes_the_shard_unreadable() -> None:
    """A row of another shard, one row twice, a stub of another issue: an edit, or a bug."""
    row = _row(7)
    number = shard_of(row.iid, 4)
    assert read_shard(shard_content([row], SECTIONS, (number, 4)), SECTIONS) is not None
    elsewhere = shard_content([row], SECTIONS, ((number + 1) % 4, 4))
    twice = shard_content(
        [row, replace(row, iid=8, stub=replace(row.stub, iid=8))], SECTIONS, (number, 4)
    )
    stub = replace(row.stub, description="<!-- automation:key=demo/c1/p9 -->\n")
    other = shard_content([replace(row, stub=stub)], SECTIONS, (number, 4))
    for content in (elsewhere, twice, other):
        assert read_shard(content, SECTIONS) is None


def test_a_shard_written_for_other_sections_is_not_read() -> None:
    """Rows name sections by their place: the same count, in another order, is not the same."""
    content = shard_content([_row()], SECTIONS, (0, 1), PREFIX)
    assert read_shard(content, SECTIONS[::-1], PREFIX) is None
    renamed = (SECTIONS[0], Section(heading="Three", ongoing=True))
    assert read_shard(content, renamed, PREFIX) is None


def test_a_shard_saved_in_the_rich_text_editor_reads_back() -> None:
    """GitLab's rich text editor trims comments and joins `-->` to the last line; the tool
    reads its records back as it wrote them (comments.py)."""
    content = shard_content([_row(iid) for iid in (3, 4)], SECTIONS, (0, 1), PREFIX)
    saved = rich_text_save(content)
    assert saved != content
    assert read_shard(spaced(saved), SECTIONS, PREFIX) == read_shard(content, SECTIONS, PREFIX)


def test_a_shard_past_its_limit_holds_no_rows_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rowledger, "SHARD_LIMIT", 500)
    shard = read_shard(shard_content([_row(i) for i in range(5)], SECTIONS, (0, 1)), SECTIONS)
    assert shard is not None and shard.overflow and not shard.rows


ROW_EDITS = [
    lambda t: t.replace('"st":"opened"', '"st":"opened",'),  # broken JSON
    lambda t: t.replace('"by_tool":true', '"by_tool":true,"x":1'),  # a field more
    lambda t: t.replace('"confidential":false', '"confidential":"false"'),  # another type
    lambda t: t.replace('"o":[3,1]', '"o":["3","1"]'),
    lambda t: t.replace('"s":[[0,', '"s":[[-1,'),  # the last section, counted backwards
    lambda t: t.replace('"r":{}', '"r":' + "[" * 5000 + "]" * 5000),  # deeper than Python
    lambda t: t.replace('"r":{}', '"r":[]'),
    lambda t: t.replace('"t":"in progress"', '"t":"finished"'),
    lambda t: t.replace("7 c1/p7", "7 C1 p7"),  # a key no key can be
    lambda t: t.replace("7 c1/p7", "7" * 5000 + " c1/p7"),  # an issue number no issue has
]
FRAME_EDITS = [
    lambda t: t.replace("Rows of", "Rows for"),  # its header typed over
    lambda t: t.replace("\n-->", ""),  # its end deleted
    lambda t: t.replace(" shard=0/1", " shard=1/1"),
    lambda t: t.replace(" shard=0/1", " shard=0/" + "1" * 5000),  # more digits than int() takes
]


@pytest.mark.parametrize("edit", ROW_EDITS + FRAME_EDITS)
def test_a_shard_a_person_changed_is_not_read(edit: Callable[[str], str]) -> None:
    content = shard_content([_row()], SECTIONS, (0, 1), PREFIX)
    changed = edit(content)
    assert changed != content
    assert read_shard(changed, SECTIONS, PREFIX) is None


@pytest.mark.parametrize("edit", ROW_EDITS)
def test_a_row_a_person_changed_is_not_read_even_with_its_digest_written_again(
    edit: Callable[[str], str],
) -> None:
    line = content_line = shard_content([_row()], SECTIONS, (0, 1), PREFIX).split("\n")[2]
    assert decode_row(content_line, SECTIONS, PREFIX) == _row()
    assert decode_row(edit(line), SECTIONS, PREFIX) is None


@pytest.mark.parametrize("issues", [0, 299, 300, 384, 385, 1000, 3000, 10_000])
def test_shards_are_a_power_of_two_of_about_96_rows(issues: int) -> None:
    shards = shard_count(issues)
    if issues < rowledger.LEDGER_MIN:
        assert shards == 0
        return
    assert shards & (shards - 1) == 0
    assert issues / shards <= rowledger.ROWS_PER_SHARD < issues / (shards / 2)


def test_issues_made_together_share_a_shard_and_every_shard_gets_its_share() -> None:
    added = {shard_of(iid, 64) for iid in range(3_081, 3_111)}  # 30 people added at once
    assert len(added) <= 8  # (with rows placed by their key's digest: 30 of 64 shards)
    placed = [shard_of(iid, 16) for iid in range(1, 2001)]
    counts = [placed.count(n) for n in range(16)]
    assert min(counts) > 2000 / 16 / 2  # none empty, none holding twice its share
    assert max(counts) < 2000 / 16 * 2
    doubled = [shard_of(iid, 32) for iid in range(1, 2001)]
    moved = sum(1 for a, b in zip(placed, doubled, strict=True) if a != b)
    assert moved == sum(1 for b in doubled if b >= 16) < 2000 * 0.6  # half move, to new ones


@pytest.mark.parametrize("seed", range(20))
def test_a_program_made_in_bursts_among_others_fills_its_shards_about_evenly(seed: int) -> None:
    """A review: an ESP-like program whose issues come a month's batch at a time, other
    programs' issues between the batches. The fullest shard stays near twice its share (its
    rows at 1.9 KB each stay under SHARD_LIMIT); runs of 16 numbers gave over three times."""
    rng, iid = random.Random(seed), 1
    iids: list[int] = []
    for _month in range(36):
        batch = rng.randint(100, 160)
        iids += range(iid, iid + batch)
        iid += batch + rng.randrange(1000)
    shards = shard_count(len(iids))
    counts = [0] * shards
    for number in iids:
        counts[shard_of(number, shards)] += 1
    assert max(counts) <= 2.2 * len(iids) / shards
    assert max(counts) * 1_900 < rowledger.SHARD_LIMIT


def _issue(*blocks: tuple[str, str]) -> ObservedIssue:
    text = "<!-- automation:key=demo/c1/p7 -->\n## One\n- [x] a task\nA person's notes.\n"
    for name, content in blocks:
        text += f"<!-- automation:begin {name} -->\n{content}<!-- automation:end {name} -->\n"
    return ObservedIssue(7, "P", text, ("status::ended", "program::demo"), state="closed")


BLOCKS = (
    ("withdrawn", f"Left on 2026-12-01.\n{proof_line(7)}"),
    (
        "due",
        "<!-- automation:due 2027-01-31 -->\n<!-- automation:period 2026-11-01 "
        "2027-01-31 calendar 2 -->\n",
    ),
    ("ended", "<!-- commitment end 2027-01-31 -->\n"),
    ("completion", f"**Completed:** on 2026-12-02.\n{proof_line(7)}"),
    ("cohort", "<!-- automation:group c1 2027-01-31 -->\n"),
)
# the blocks stubs keep, for a program whose group block is `cohort`
NAMES = cross_read_blocks(SimpleNamespace(course=SimpleNamespace(group_block="cohort")))  # type: ignore[arg-type]


def _readings(issue: ObservedIssue) -> tuple[object, ...]:
    """What other issues' plans read of an issue's blocks (lifecycle, due dates, endings,
    completion, the group block)."""
    readers: tuple[Callable[[], object], ...] = (
        lambda: issue.key,
        lambda: was_withdrawn(issue),
        lambda: other_calendar(issue, "1"),
        lambda: recorded(issue.description),
        lambda: proves(issue, "completion"),
        lambda: proves(issue, "ended"),
        lambda: sound_block(issue.description, "cohort"),
    )
    return tuple(_or_error(read) for read in readers)


def _or_error(read: Callable[[], object]) -> object:
    try:
        return read()
    except ItemError as error:  # the same error, for a damaged block
        return str(error)


@pytest.mark.parametrize("damaged", [None, *range(len(BLOCKS))])
def test_a_stub_reads_as_its_issue_to_what_reads_its_blocks(damaged: int | None) -> None:
    """Each block other issues' plans read, through the function that reads it; also with
    one block damaged (a reviewer: the blocks before it were then repeated in the stub, and
    read as damaged too)."""
    blocks = [
        (name, content + "\n<!-- automation:end " + name + " -->\n" if at == damaged else content)
        for at, (name, content) in enumerate(BLOCKS)
    ]
    issue = _issue(*blocks)
    stub = stub_of(issue, NAMES)
    assert _readings(stub) == _readings(issue)
    assert damaged is not None or "A person's notes" not in stub.description
    assert stub.labels == ("program::demo", "status::ended")  # in order of name


def test_every_field_of_an_issue_is_kept_by_its_stub_or_left_out_on_purpose() -> None:
    """A field added to ObservedIssue is stored by stubs, and needs its type here to be read
    back: without it no row would read (a reviewer: a field left out silently reads None)."""
    assert set(rowledger._STUB_TYPES) == set(rowledger._STUB)
    assert set(rowledger._STUB) | rowledger._NOT_STUB == {f.name for f in fields(ObservedIssue)}
