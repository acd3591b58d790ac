"""Small, self-contained projects (config and templates) written into a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from automation.config.models import RecordField, Section, Tracking
from automation.kinds.participants.model import Cohort, ParticipantsProgram

SETTINGS = "gitlab:\n  group: g\n  project: g/p\n"
PEOPLE = """\
people:
  - username: ana
    name: Ana
  - username: ben
    name: Ben
    manager: ana
"""
PROGRAM = """\
id: demo
name: Demo
kind: participants
template: demo.md.j2
title: "Demo: {{ participant.name }}"
sections:
  - heading: One
tracking:
  title: Demo tracking
cohorts:
  - id: c1
    name: Cohort 1
    participants:
      - ben
"""
TEMPLATE = "## One\n- [ ] task for {{ participant.name }}\n"


def make_project(root: Path, overrides: dict[str, str] | None = None) -> Path:
    """A minimal valid project; overrides replace files by relative path."""
    files = {
        "config/settings.yml": SETTINGS,
        "config/people.yml": PEOPLE,
        "config/programs/demo.yml": PROGRAM,
        "templates/demo.md.j2": TEMPLATE,
        "templates/tracking.md.j2": "tracking\n{{ managed_block('rollup') }}\n",
        "templates/blocks/progress.md.j2": "{{ progress.overall.percent }}%\n",
        "templates/blocks/rollup.md.j2": "{{ rows | length }} rows\n",
        "templates/epic.md.j2": "Epic of {{ program.name }}\n",
        "templates/blocks/completion.md.j2": "Completed on {{ date }}.\n",
    }
    files.update(overrides or {})
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def roster(usernames: list[str]) -> str:
    """people.yml for these usernames."""
    rows = "".join(f"  - username: {u}\n    name: Person {u}\n" for u in usernames)
    return f"people:\n{rows}"


def program_with(usernames: list[str]) -> str:
    """The demo program with one cohort of these participants."""
    head = PROGRAM.split("    participants:\n", maxsplit=1)[0]
    return head + "    participants:\n" + "".join(f"      - {u}\n" for u in usernames)


def demo_program(
    headings: Sequence[str],
    participants: Sequence[str] = ("ana",),
    records: Sequence[RecordField] = (),
) -> ParticipantsProgram:
    """The demo participants program as a model, for tests that plan without files."""
    return ParticipantsProgram(
        id="demo",
        name="Demo",
        kind="participants",
        template="unused.md.j2",
        title="unused",
        sections=tuple(Section(heading=h) for h in headings),
        tracking=Tracking(title="Demo tracking"),
        cohorts=(Cohort(id="c1", name="C1", participants=tuple(participants)),),
        records=tuple(records),
    )


REPO = Path(__file__).resolve().parents[1]
REMINDER_PEOPLE = """\
people:
  - username: ana
    name: Ana
  - username: ben
    name: Ben
    manager: ana
  - username: cy
    name: Cy
"""
REMINDER_PROGRAM = """\
id: demo
name: Demo
kind: participants
template: demo.md.j2
title: "Demo: {{ participant.name }}"
sections:
  - heading: One
  - heading: Two
tracking:
  title: Demo tracking
cohorts:
  - id: c1
    name: Cohort 1
    start_date: 2026-12-01
    participants: [ben, cy]
"""
REMINDER_TEMPLATE = """\
## One
- [ ] read the guide (ask {{ participant | mention }} or @cy)
- [ ] /close the loop
## Two
- [ ] later task

{{ managed_block('progress') }}
"""
REMINDERS = """\
reminders:
  send:
    - id: one-open
      when: 3 days after start
      section: One
      for: [participant, manager]
      message: section One is due
"""


def reminders_project(root: Path, reminders: str = REMINDERS) -> Path:
    """A participants program (cohort starting 2026-12-01, Ben managed by Ana, and Cy) with
    REMINDERS appended to its file, and the shipped reminder templates."""
    make_project(
        root,
        {
            "config/people.yml": REMINDER_PEOPLE,
            "config/programs/demo.yml": REMINDER_PROGRAM + reminders,
            "templates/demo.md.j2": REMINDER_TEMPLATE,
        },
    )
    for name in ("reminder-note.md.j2", "reminder-digest.md.j2"):
        shutil.copy(REPO / "templates" / "blocks" / name, root / "templates" / "blocks" / name)
    return root
