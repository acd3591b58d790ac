"""Renames as pure data: former keys, matching an issue made under one, rewriting its identity
line, and the suspicion of a rename nobody declared."""

from __future__ import annotations

from dataclasses import replace

from automation.desired import DesiredIssue, DesiredProgram
from automation.edits import Edits, apply_edits
from automation.identity import resolve
from automation.index import INDEX_BLOCK, index_content
from automation.items import ObservedIssue
from automation.kinds.participants.model import Cohort
from automation.kinds.participants.renames import renames
from automation.markers import identity_marker, replace_block
from automation.progress import program_label_description
from automation.renames import (
    Suspect,
    aliases,
    former_keys,
    moved,
    renamed_label,
    suspects,
    with_former_keys,
)
from tests.unit.test_planner import PROGRAM


def issue(
    key: str, iid: int, assignees: tuple[str, ...] = (), state: str = "opened"
) -> ObservedIssue:
    text = f"{identity_marker(key)}\n## One\n- [x] a person's tick\n"
    return ObservedIssue(iid, key, text, ("program::demo",), state, assignees)


def wanted(key: str, assignees: tuple[str, ...] = ()) -> DesiredIssue:
    return DesiredIssue(
        key, key, f"{identity_marker(key)}\n", ("program::demo",), key, "", assignees
    )


def program(*issues: DesiredIssue, renamed_from: str | None = None) -> DesiredProgram:
    base = PROGRAM.model_copy(update={"renamed_from": renamed_from})
    return DesiredProgram(base, issues, wanted("demo/tracking"))


def test_former_keys_cover_each_rename_made_or_not() -> None:
    paths = [("demo/c2/ana", "demo/c2/anna"), ("demo/c2", "demo/c1"), ("demo", "old")]
    assert former_keys("demo/c2/ana", paths) == (
        "demo/c2/anna",
        "demo/c1/ana",
        "demo/c1/anna",
        "old/c2/ana",
        "old/c2/anna",
        "old/c1/ana",
        "old/c1/anna",
    )
    assert former_keys("demo/c3/ana", paths[:2]) == ()
    assert former_keys("demo/c20/ana", [("demo/c2", "demo/c1")]) == ()  # whole ids only


def test_a_renamed_programs_own_items_follow_only_the_program_rename() -> None:
    cohort = Cohort(id="c2", name="C2", participants=("ana",), renamed_from="tracking")
    base = PROGRAM.model_copy(update={"cohorts": (cohort,)})
    desired = DesiredProgram(base, (wanted("demo/c2/ana"),), wanted("demo/tracking"))
    out = with_former_keys(desired, list(renames(base)))
    assert out.issues[0].former_keys == ("demo/tracking/ana",)
    assert out.tracking.former_keys == ()  # a cohort's rename never reaches the program's items


def test_an_issue_under_a_former_key_is_the_items_and_gets_the_new_line() -> None:
    old = issue("demo/c1/ana", 7)
    tracking = replace_issue_text(
        issue("demo/tracking", 1), index_content({"demo/c1/ana": 7}, "demo/")
    )
    names = aliases([replace(wanted("demo/c2/ana"), former_keys=("demo/c1/ana",))])
    assert names == {"demo/c1/ana": "demo/c2/ana"}
    keys = ["demo/c2/ana", "demo/tracking"]
    resolved = resolve([old, tracking], keys, "demo/tracking", {}, "program::demo", aliases=names)
    assert resolved.found["demo/c2/ana"] is old
    assert resolved.renamed == {"demo/c2/ana": "demo/c1/ana"}
    assert resolved.warnings == [] and resolved.failed == []
    assert resolved.entries("demo/tracking") == {"demo/c2/ana": 7}  # the former entry goes
    text = apply_edits(old.description, Edits(identity="demo/c2/ana", former=("demo/c1/ana",)))
    assert text == old.description.replace("demo/c1/ana", "demo/c2/ana")


def replace_issue_text(found: ObservedIssue, index: str) -> ObservedIssue:
    return ObservedIssue(
        found.iid, found.title, replace_block(found.description, INDEX_BLOCK, index), found.labels
    )


def test_an_old_and_a_new_issue_of_one_item_fail_it_naming_both() -> None:
    names = {"demo/c1/ana": "demo/c2/ana"}
    both = [issue("demo/c1/ana", 3), issue("demo/c2/ana", 9)]
    resolved = resolve(both, ["demo/c2/ana"], "demo/tracking", {}, "program::demo", aliases=names)
    assert "demo/c2/ana" not in resolved.found
    (failed,) = resolved.failed
    assert failed.key == "demo/c2/ana"
    assert "issues #3 and #9 are the same item, one under a former key" in failed.message


def test_a_vanished_cohort_with_the_same_people_is_suspected() -> None:
    desired = program(wanted("demo/c2/ana", ("ana",)), wanted("demo/c2/ben", ("Ben",)))
    found = [issue("demo/c1/ana", 1, ("ana",)), issue("demo/c1/ben", 2, ("ben",))]
    (suspect,) = suspects(desired, found, set(), {})
    assert (suspect.old, suspect.new) == ("c1", "c2")
    assert suspect.holds("demo/c2/ana") and suspect.holds("demo/c2/epic")
    assert not suspect.holds("demo/c3/ana")
    assert suspect.warning.startswith(
        "looks like a rename: add `renamed_from: c1` to 'c2' in the file of program demo."
    )
    # a configuration trial: another cohort's figures waited too, unsaid
    assert "every group's figures in its tracking issue too" in suspect.warning


def test_a_vanished_cohort_with_one_person_swapped_is_suspected() -> None:
    """A newcomer's finding: the id renamed in the same edit as one participant swapped (or a
    username changed) was no rename, and the run withdrew the issues of people still there."""
    names = ("ana", "ben", "cy")
    found = [issue(f"demo/c1/{u}", n, (u,)) for n, u in enumerate(names, 1)]
    swapped = program(*(wanted(f"demo/c2/{u}", (u,)) for u in ("ana", "ben", "dee")))
    assert [(s.old, s.new) for s in suspects(swapped, found, set(), {})] == [("c1", "c2")]
    half = program(*(wanted(f"demo/c2/{u}", (u,)) for u in ("ana", "dee", "eve")))
    assert suspects(half, found, set(), {}) == ()  # one of three stays: a new cohort
    # a reviewer's: the same sponsors and managers, two of three sponsees new: no rename
    pairs = [issue(f"demo/c1/s{n}", n, (f"e{n}", f"s{n}", f"m{n}")) for n in (1, 2, 3)]
    others = program(
        wanted("demo/c2/s1", ("e1", "s1", "m1")),
        wanted("demo/c2/s4", ("e2", "s4", "m2")),
        wanted("demo/c2/s5", ("e3", "s5", "m3")),
    )
    assert suspects(others, pairs, set(), {}) == ()


def test_no_suspicion_without_the_same_people_an_open_issue_or_a_vanished_id() -> None:
    desired = program(wanted("demo/c2/ana", ("ana",)))
    assert suspects(desired, [issue("demo/c1/ben", 1, ("ben",))], set(), {}) == ()
    assert suspects(desired, [issue("demo/c1/ana", 1, ("ana",), "closed")], set(), {}) == ()
    still = program(wanted("demo/c2/ana", ("ana",)), wanted("demo/c1/ben", ("ben",)))
    moved = [issue("demo/c1/ana", 1, ("ana",))]  # ana moved to c2; c1 goes on
    assert suspects(still, moved, {"demo/c1/ben"}, {}) == ()
    periods = program(wanted("demo/account/a/monthly/m2", ("ana",)))
    ended = [issue("demo/account/a/monthly/m1", 1, ("ana",))]  # the last id: a period
    assert suspects(periods, ended, set(), {}) == ()


def test_a_removed_former_identity_line_keeps_every_other_line() -> None:
    text = f"{identity_marker('demo/c1/ana')}\nmine\n{identity_marker('demo/c1/ana')} quoted\n"
    after = apply_edits(text, Edits(identity="demo/c2/ana", former=("demo/c1/ana",)))
    assert (
        after
        == f"{identity_marker('demo/c2/ana')}\nmine\n{identity_marker('demo/c1/ana')} quoted\n"
    )


def test_the_unrenamed_program_keeps_its_keys() -> None:
    desired = program(wanted("demo/c1/ana"))
    assert with_former_keys(desired, []) is desired
    assert with_former_keys(program(wanted("demo/c1/ana"), renamed_from="old"), []).issues[
        0
    ].former_keys == ("old/c1/ana",)


def test_a_confidential_programs_suspect_names_its_issues_not_its_ids() -> None:
    """The ids of a confidential program name people (a sponsee's username): the warning,
    which reaches CI logs, names the old id's open issues instead."""
    warning = Suspect("pairs", "lena.fischer", "lena.schmidt", ("#4", "#5")).warning
    assert "issues #4, #5 carry an id the configuration no longer has" in warning
    assert "lena" not in warning


def test_a_program_label_says_its_name_as_typed_and_an_earlier_ones_is_still_known() -> None:
    """An attacker's trial: the label's description, which GitLab renders as Markdown, had
    the program's name raw (`@all`, `<!--`); a label an earlier version made keeps that."""
    named = PROGRAM.model_copy(update={"name": "/close X @all <!-- #1"})
    said = program_label_description(named)
    assert "@all" not in said and "<!--" not in said and "#1" not in said, said
    found = issue("demo/c1/ana", 1)
    assert renamed_label(said, found, [named]) is named
    assert renamed_label(f"Program: {named.name} (managed)", found, [named]) is named
    assert renamed_label("Our own words", found, [named]) is None


def test_moved_follows_the_program_and_its_groups_and_leaves_current_keys() -> None:
    """A left person's key follows a program and a cohort renamed together, also as the index
    reads it (under the new id); a key configuration asks for now is never taken for a former
    one (a review: a username renamed from `monthly` moved the cohort's monthly issue)."""
    base = PROGRAM.model_copy(update={"renamed_from": "old"})
    paths = [("demo/c2", "demo/c1")]
    assert moved(base, ["old/c1/lena", None], paths) == {
        "old/c1/lena": "demo/c2/lena",
        "demo/c1/lena": "demo/c2/lena",
    }
    plain = PROGRAM.model_copy(update={"renamed_from": None})
    user = [("demo/c1/newname", "demo/c1/monthly")]
    current = {"demo/c1/monthly/2026-11"}
    assert moved(plain, ["demo/c1/monthly/2026-11"], user, current) == {}
    assert moved(plain, ["demo/c1/monthly/2026-11"], user) == {
        "demo/c1/monthly/2026-11": "demo/c1/newname/2026-11"
    }
