"""Names longer than GitLab's titles allow (255 characters): a cohort's rollup and epic get a
title cut to the limit, with a warning, on both backends (a tester's finding: epic titles were
not cut, and GitLab refused the epic on every run; rollup titles were cut without a word)."""

from __future__ import annotations

from pathlib import Path

from tests.backends import Backend
from tests.local_cli import edit

CSM = Path("config/programs/csm-aspiring-leaders.yml")
LONG = "FY27 pilot group " + "with a very long name " * 10


def test_a_cohort_name_too_long_for_a_title_is_cut_and_said(backend: Backend) -> None:
    edit(CSM, "    name: FY27 pilot group\n", f"    name: {LONG.strip()}\n")
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert "FAILED" not in result.out
    said = [line for line in result.out.splitlines() if "longer than GitLab's 255" in line]
    assert any("csm-aspiring-leaders/fy27-pilot/epic" in line for line in said), said
    epics = backend.tracker().program_epics("program::csm-aspiring-leaders")
    assert all(len(epic.title) <= 255 for epic in epics) and any(
        epic.title.endswith("…") for epic in epics
    )
