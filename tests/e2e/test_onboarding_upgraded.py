"""A reviewer's findings (r22): a finished hire whose workshop block names no group (made
before blocks named it) stays in their workshop, and the block is written again with it; only
a hire whose onboarding ended on its own while waiting is kept out of a workshop given later."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import issues, path_of, run

COHORT = "sales-onboarding/amer-2026-12/tracking"
TOM = "sales-onboarding/tom.reyes"


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def as_made_before_the_group_line(root: Path, key: str) -> None:
    path = path_of(root, key)
    text = path.read_text("utf-8")
    assert "<!-- automation:group amer-2026-12 -->" in text
    path.write_text(text.replace("\n<!-- automation:group amer-2026-12 -->", ""), "utf-8")


def test_a_graduated_hire_of_an_upgraded_deployment_stays_in_their_workshop(
    onboarding: Path,
) -> None:
    assert run("apply", "2026-12-01").code == 0
    path = path_of(onboarding, TOM)
    path.write_text(
        path.read_text("utf-8").replace("- [ ]", "- [x]"), "utf-8"
    )  # Tom does everything
    r = run("apply", "2026-12-20")
    assert r.code == 0, r.out
    assert issues(onboarding)[TOM].state == "closed"  # graduated
    assert "Tom Reyes" in issues(onboarding)[COHORT].description
    as_made_before_the_group_line(onboarding, TOM)
    r = run("apply", "2026-12-21")
    cohort = issues(onboarding)[COHORT].description
    tracking = issues(onboarding)["sales-onboarding/tracking"].description
    assert "Tom Reyes" in cohort, cohort
    assert not [row for row in tracking.splitlines() if "Tom" in row and "(none)" in row]


def test_the_block_of_a_closed_issue_made_before_group_lines_gets_its_group_line(
    onboarding: Path,
) -> None:
    """Such an issue heals: its block is written again, naming its workshop."""
    assert run("apply", "2026-12-01").code == 0
    path = path_of(onboarding, TOM)
    path.write_text(path.read_text("utf-8").replace("- [ ]", "- [x]"), "utf-8")
    assert run("apply", "2026-12-20").code == 0
    as_made_before_the_group_line(onboarding, TOM)
    assert run("apply", "2026-12-21").code == 0
    assert "<!-- automation:group amer-2026-12 -->" in path_of(onboarding, TOM).read_text("utf-8")
