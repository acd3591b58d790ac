"""A withdrawn issue says its person or pair is "still in the program, in <group>" only when
that is true: a reviewer's cases where it was not (a cohort that ended, an ESP account, a pair
that got a new sponsor as it moved)."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.markers import block_content
from tests.conftest import keep_programs
from tests.e2e.test_lifecycle import ESP, SPONSORSHIP, notes
from tests.local_cli import edit, issues, run


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


@pytest.fixture
def esp(shipped: Path) -> Path:
    return keep_programs(shipped, "executive-sponsorship")


def _said(root: Path, key: str) -> str:
    issue = issues(root)[key]
    return (block_content(issue.description, "withdrawn") or "") + notes(root, issue)


def test_a_sponsorship_pair_is_no_move_to_a_cohort_that_ended(sponsorship: Path) -> None:
    """Lena was sponsored in FY27 (ended 2026-09-01: six months after its start); taken off
    FY28 H1 she left the program. Sponsorship pair issues have no `create=False` once their
    cohort ended (participants' have), so `item.create` does not mean "not ended" here."""
    program = sponsorship / SPONSORSHIP
    edit(
        program,
        "  cohorts:\n",
        "  cohorts:\n    - id: fy27\n      name: FY27 cohort\n      start: 2026-03-02\n"
        "      pairs:\n        - {sponsor: hannah.berg, sponsee: lena.fischer}\n",
    )
    first = run("apply")
    assert first.code == 0, first.out + first.err
    edit(program, "        - {sponsor: hannah.berg, sponsee: lena.fischer}\n", "", 2)
    edit(
        program,
        "      pairs:\n",
        "      pairs:\n        - {sponsor: hannah.berg, sponsee: lena.fischer}\n",
    )  # back in FY27 (ended) only; off FY28 H1
    second = run("apply")
    assert second.code == 0, second.out + second.err
    said = _said(sponsorship, "sales-sponsorship/fy28-h1/lena.fischer")
    assert "FY27 cohort" not in said, said
    assert "Left the program" in said, said


def test_an_esp_account_set_back_to_proposed_is_no_move(esp: Path) -> None:
    """An account whose id is `scorecard` (a valid slug): its quarterly issue's key,
    `account/scorecard/quarterly/Q`, differs from the program scorecard's,
    `program/scorecard/quarterly/Q`, in the first segment alone."""
    program = esp / ESP
    edit(program, "{id: stark, name: Stark Logistics", "{id: scorecard, name: Stark Logistics")
    first = run("apply")
    assert first.code == 0, first.out + first.err
    ours = [k for k in issues(esp) if "/account/scorecard/quarterly/" in k]
    assert ours, sorted(issues(esp))
    assert any(k.replace("/account/", "/program/") in issues(esp) for k in ours)
    edit(
        program,
        "sponsor: jordan.alvarez, status: approved,\n       account_team: [sam.delacroix",
        "sponsor: jordan.alvarez, status: proposed,\n       account_team: [sam.delacroix",
    )
    second = run("apply")
    assert second.code == 0, second.out + second.err
    for key in ours:
        if key.replace("/account/", "/program/") in issues(esp):
            said = _said(esp, key)
            assert "still in" not in said, (key, said)


@pytest.fixture
def project(shipped: Path) -> Path:
    return keep_programs(shipped, "csm-aspiring-leaders")


def test_a_pair_moved_with_a_new_sponsor_tells_the_old_sponsor_nothing_of_it(
    sponsorship: Path,
) -> None:
    """Lena moved to FY28 H2 with another sponsor (Dana). Her FY28 H1 pair issue, which the
    old sponsor Hannah reads, is told she is "still in the program, in FY28 H2 cohort": where
    a sponsee is sponsored now, which no issue Hannah can read says otherwise. (And the
    pair it names is not the pair this issue was for.)"""
    assert run("apply").code == 0
    program = sponsorship / SPONSORSHIP
    edit(program, "        - {sponsor: hannah.berg, sponsee: lena.fischer}\n", "")
    edit(
        program,
        "      pairs:\n        # Matches go",
        "      pairs:\n        - {sponsor: dana.whitfield, sponsee: lena.fischer}\n"
        "        # Matches go",
    )
    result = run("apply")
    assert result.code == 0, result.out + result.err
    found = issues(sponsorship)
    assert "sales-sponsorship/fy28-h2/lena.fischer" in found
    old = found["sales-sponsorship/fy28-h1/lena.fischer"]
    assert "hannah.berg" in old.assignees
    said = _said(sponsorship, old.key or "")
    assert "FY28 H2" not in said, said
