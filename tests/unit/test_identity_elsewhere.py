"""An issue another program's record of keys holds is not this program's (identity.py,
`_refuse_others`), nor when this program's record holds it too; nor is a confidential issue
a public program's record does not hold."""

from __future__ import annotations

from dataclasses import replace

from automation.elsewhere import read_records, recorded, unread
from automation.identity import Others, resolve
from automation.index import INDEX_BLOCK, KEYS_BLOCK, index_content, moved_content
from automation.items import ObservedIssue
from automation.markers import identity_marker, replace_block
from tests.unit.test_planner import PROGRAM

LABEL = "program::demo"
WANTED = ["demo/tracking", "demo/c1/ana", "demo/c2/ben"]


def issue(iid: int, key: str, text: str = "## One\n- [ ] a task\n") -> ObservedIssue:
    return ObservedIssue(iid, key, f"{identity_marker(key)}\n{text}", (LABEL,))


def tracking(entries: dict[str, int]) -> ObservedIssue:
    block = replace_block("", INDEX_BLOCK, index_content(entries, "demo/"))
    return issue(1, "demo/tracking", block)


def test_an_issue_another_programs_record_holds_fails_its_item_here() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), issue(7, "demo/c2/ben")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others({7: "open"}))
    assert {k: i.iid for k, i in resolved.found.items()} == {"demo/tracking": 1, "demo/c1/ana": 2}
    (failed,) = resolved.failed
    assert (failed.key, failed.iid) == ("demo/c2/ben", 7)
    assert "program open" in failed.message and "program::open" in failed.message
    assert "demo/c2/ben" not in resolved.entries("demo/tracking")  # not recorded either


def test_an_issue_both_records_hold_is_neither_programs_until_a_person_says() -> None:
    # a person added the other program's issue to this program's index
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others({2: "open"}))
    assert "demo/c1/ana" not in resolved.found
    (failed,) = resolved.failed
    assert failed.iid == 2 and "both this program and program open" in failed.message


def test_a_public_program_takes_no_confidential_issue_its_record_does_not_hold() -> None:
    secret = ObservedIssue(7, "demo/c2/ben", f"{identity_marker('demo/c2/ben')}\n", (LABEL,))
    secret = replace(secret, confidential=True)  # another program's, its record unread
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), secret]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others(public=True))
    assert "demo/c2/ben" not in resolved.found
    assert [(f.key, f.iid) for f in resolved.failed] == [("demo/c2/ben", 7)]
    assert "confidential" in resolved.failed[0].message
    confidential = resolve(issues, WANTED, "demo/tracking", {}, LABEL)  # its own kind
    assert confidential.found["demo/c2/ben"].iid == 7


def test_a_public_programs_issue_a_person_made_confidential_stays_its_own() -> None:
    mine = replace(issue(2, "demo/c1/ana"), confidential=True)
    resolved = resolve([tracking({"demo/c1/ana": 2}), mine], WANTED, "demo/tracking", {}, LABEL)
    assert resolved.found["demo/c1/ana"].iid == 2 and not resolved.failed
    public = resolve(
        [tracking({"demo/c1/ana": 2}), mine],
        WANTED,
        "demo/tracking",
        {},
        LABEL,
        others=Others(public=True),
    )
    assert public.found["demo/c1/ana"].iid == 2 and not public.failed


def test_a_tracking_issue_another_program_records_is_not_taken() -> None:
    issues = [issue(5, "demo/tracking")]  # no record of this program's yet
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others({5: "open"}))
    assert not resolved.found and [f.key for f in resolved.failed] == ["demo/tracking"]


def test_a_former_items_key_on_another_programs_issue_is_left_alone_with_a_warning() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), issue(7, "demo/c0/cleo")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others({7: "open"}))
    assert "demo/c0/cleo" not in resolved.unwanted  # not withdrawn: not this program's
    assert any("#7" in w and "program open" in w for w in resolved.warnings)


def test_another_programs_key_on_its_own_issue_is_said_as_before() -> None:
    issues = [tracking({}), issue(7, "open/c1/ben")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others({7: "open"}))
    assert resolved.unwanted["open/c1/ben"].iid == 7  # the stray warning names its program


def test_a_public_programs_tracking_issue_a_person_made_confidential_stays_its_own() -> None:
    mine = replace(tracking({"demo/c1/ana": 2}), confidential=True)
    issues = [mine, issue(2, "demo/c1/ana")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others(public=True))
    assert resolved.found["demo/tracking"].iid == 1 and not resolved.failed


def test_this_programs_tracking_issue_another_program_records_is_neithers() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others({1: "open"}))
    assert "demo/tracking" not in resolved.found
    assert [f.iid for f in resolved.failed] == [1]


def test_an_item_key_pasted_over_an_issue_holding_an_index_is_not_taken() -> None:
    # another program's tracking issue, its label gone (its record unread): it holds an index
    pasted = replace(tracking({"c1/ben": 4}), iid=9)
    pasted = replace(pasted, description=pasted.description.replace("demo/tracking", "demo/c2/ben"))
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), pasted]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL)
    assert "demo/c2/ben" not in resolved.found
    assert [(f.key, f.iid) for f in resolved.failed] == [("demo/c2/ben", 9)]
    assert "index of keys" in resolved.failed[0].message


def test_another_programs_record_is_read_under_its_former_label_too() -> None:
    renamed = PROGRAM.model_copy(update={"id": "open", "renamed_from": "old"})
    block = replace_block("", INDEX_BLOCK, index_content({"old/c1/ben": 4}, "old/"))
    old_tracking = ObservedIssue(3, "t", f"{identity_marker('old/tracking')}\n{block}", ())
    lists = {"program::open": (), "program::old": (old_tracking,)}
    assert read_records([renamed], lists.__getitem__, _unread) == {"open": frozenset({3, 4})}


def _unread(iid: int) -> ObservedIssue | None:
    raise AssertionError(f"issue {iid} read: every issue needed was listed")


def test_another_programs_index_issue_that_lost_its_label_is_read_by_iid() -> None:
    open_program = PROGRAM.model_copy(update={"id": "open"})
    moved = replace_block("", INDEX_BLOCK, moved_content("open/tracking/index", 8, "open/"))
    own = ObservedIssue(3, "t", f"{identity_marker('open/tracking')}\n{moved}", ("program::open",))
    keys = replace_block("", KEYS_BLOCK, index_content({"open/c1/ben": 4}, "open/"))
    index = ObservedIssue(8, "i", f"{identity_marker('open/tracking/index')}\n{keys}", ())
    read: list[int] = []

    def fetch(iid: int) -> ObservedIssue | None:
        read.append(iid)
        return index if iid == 8 else None

    records = read_records([open_program], {"program::open": (own,)}.__getitem__, fetch)
    assert records == {"open": frozenset({3, 4, 8})} and read == [8]


def test_while_another_programs_record_is_unread_no_issue_outside_this_ones_is_taken() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), issue(7, "demo/c2/ben")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, others=Others(unread=["open"]))
    assert resolved.found["demo/c1/ana"].iid == 2  # its record holds it
    (failed,) = resolved.failed
    assert (failed.key, failed.iid) == ("demo/c2/ben", 7) and "program::open" in failed.message


def test_a_record_is_unread_only_when_the_tool_made_issues_for_the_program() -> None:
    open_program = PROGRAM.model_copy(update={"id": "open"})
    ben = ObservedIssue(4, "b", f"{identity_marker('open/c1/ben')}\n", ("program::open",))
    assert recorded(open_program, [ben]) is None  # its tracking issue lost its label
    assert recorded(open_program, []) == frozenset()  # a program not begun
    theirs = replace(ben, by_tool=False)  # a person's issue, under the program's key
    assert recorded(open_program, [theirs]) == frozenset()
    assert unread({"open": None, "demo": frozenset(), "x": None}, "x") == ("open",)
