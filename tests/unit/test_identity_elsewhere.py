"""An issue another program's record of keys holds is not this program's (identity.py,
`_refuse_others`), unless this program's record holds it too."""

from __future__ import annotations

from automation.identity import resolve
from automation.index import INDEX_BLOCK, index_content
from automation.items import ObservedIssue
from automation.markers import identity_marker, replace_block

LABEL = "program::demo"
WANTED = ["demo/tracking", "demo/c1/ana", "demo/c2/ben"]


def issue(iid: int, key: str, text: str = "## One\n- [ ] a task\n") -> ObservedIssue:
    return ObservedIssue(iid, key, f"{identity_marker(key)}\n{text}", (LABEL,))


def tracking(entries: dict[str, int]) -> ObservedIssue:
    block = replace_block("", INDEX_BLOCK, index_content(entries, "demo/"))
    return issue(1, "demo/tracking", block)


def test_an_issue_another_programs_record_holds_fails_its_item_here() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), issue(7, "demo/c2/ben")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, elsewhere={7: "open"})
    assert {k: i.iid for k, i in resolved.found.items()} == {"demo/tracking": 1, "demo/c1/ana": 2}
    (failed,) = resolved.failed
    assert (failed.key, failed.iid) == ("demo/c2/ben", 7)
    assert "program open" in failed.message and "program::open" in failed.message
    assert "demo/c2/ben" not in resolved.entries("demo/tracking")  # not recorded either


def test_an_issue_both_records_hold_stays_this_programs() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, elsewhere={2: "open"})
    assert resolved.found["demo/c1/ana"].iid == 2 and not resolved.failed


def test_a_tracking_issue_another_program_records_is_not_taken() -> None:
    issues = [issue(5, "demo/tracking")]  # no record of this program's yet
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, elsewhere={5: "open"})
    assert not resolved.found and [f.key for f in resolved.failed] == ["demo/tracking"]


def test_a_former_items_key_on_another_programs_issue_is_left_alone_with_a_warning() -> None:
    issues = [tracking({"demo/c1/ana": 2}), issue(2, "demo/c1/ana"), issue(7, "demo/c0/cleo")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, elsewhere={7: "open"})
    assert "demo/c0/cleo" not in resolved.unwanted  # not withdrawn: not this program's
    assert any("#7" in w and "program open" in w for w in resolved.warnings)


def test_another_programs_key_on_its_own_issue_is_said_as_before() -> None:
    issues = [tracking({}), issue(7, "open/c1/ben")]
    resolved = resolve(issues, WANTED, "demo/tracking", {}, LABEL, elsewhere={7: "open"})
    assert resolved.unwanted["open/c1/ben"].iid == 7  # the stray warning names its program
