"""Reminders through the CLI on the local backend, as a program lead rehearses them: `plan`
lists what a run would send, `apply` sends each once, and the notes are files to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, issues, path_of, run

PROGRAM = Path("config/programs/sales-onboarding.yml")
PRE_WORK = """
reminders:
  send:
    - id: sqs-pre-work
      when: 3 days before workshop_start
      section: SQS pre-work
      for: [participant, manager]
      message: finish the SQS pre-work before your workshop
"""
MAYA = "sales-onboarding/maya.okonkwo"  # workshop amer-2026-12 starts 2026-12-07


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    """The shipped onboarding program, with a pre-work reminder, created on 2026-11-24."""
    keep_programs(shipped, "sales-onboarding")
    text = PROGRAM.read_text()
    PROGRAM.write_text(text.split("\nreminders:", 1)[0].rstrip("\n") + "\n" + PRE_WORK)
    assert run("apply").code == 0
    return shipped


def notes(root: Path, key: str) -> str:
    path = root / ".automation" / "notes" / f"{issues(root)[key].iid}.md"
    return path.read_text() if path.is_file() else ""


def test_plan_lists_the_reminders_apply_sends_once(onboarding: Path) -> None:
    maya = issues(onboarding)[MAYA].iid
    assert "reminder" not in run("plan", "2026-12-03").out  # not yet
    planned = run("plan", "2026-12-04")
    assert f"add reminder to #{maya} [{MAYA}]: **Reminder: finish the SQS pre-work" in planned.out
    assert notes(onboarding, MAYA) == ""  # plan writes nothing
    applied = run("apply", "2026-12-04")
    assert applied.code == 0 and f"added reminder to #{maya} [{MAYA}]" in applied.out
    note = notes(onboarding, MAYA)
    assert "<!-- automation:note reminder sqs-pre-work 2026-12-04 -->" in note
    assert "@maya.okonkwo @dana.whitfield" in note and "learning path" in note
    for today in ("2026-12-04", "2026-12-06"):
        again = run("apply", today)
        assert "reminder" not in again.out and "No changes" in again.out
    assert notes(onboarding, MAYA).count("automation:note reminder") == 1


def test_a_closed_or_finished_issue_gets_no_reminder(onboarding: Path) -> None:
    edit(path_of(onboarding, MAYA), "state: opened", "state: closed")
    tom = path_of(onboarding, "sales-onboarding/tom.reyes")
    edit(tom, "- [ ] **New hire:** Complete the Sales Quick Start", "- [x] **New hire:** Complete")
    run("apply", "2026-12-04")
    assert notes(onboarding, MAYA) == ""
    assert "reminder" not in notes(onboarding, "sales-onboarding/tom.reyes")


def test_only_the_remind_step_sends_them(onboarding: Path) -> None:
    sync = run("apply", "2026-12-04", "--steps", "labels,progress")
    assert "reminder" not in sync.out and notes(onboarding, MAYA) == ""
    remind = run("apply", "2026-12-04", "--steps", "remind")
    assert "added reminder" in remind.out and "reminder sqs-pre-work" in notes(onboarding, MAYA)


def test_a_reminder_mistake_stops_the_run_at_its_line(onboarding: Path) -> None:
    PROGRAM.write_text(PROGRAM.read_text().replace("workshop_start", "workshop_begin"))
    result = run("plan", "2026-12-04")
    assert result.code == 2 and "Traceback" not in result.err
    line = next(n for n, t in enumerate(PROGRAM.read_text().splitlines(), 1) if "begin" in t)
    assert (
        f"{PROGRAM}:{line}: reminder 'sqs-pre-work': this program's issues have no date "
        "'workshop_begin'"
    ) in result.err
