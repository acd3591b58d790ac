"""How much CPU planning takes per thousand tracked issues (DESIGN.md: well under a second).

Builds a participants program with N participants in a temporary folder, renders it, then
plans twice against observed issues held in memory: once when nothing changed, once when
every issue has a newly ticked task. Prints CPU seconds per thousand issues.

    .venv/bin/python bench/plan_benchmark.py [N]
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from automation.planner import CreateIssue, Observed, plan_program
from automation.progress import label_specs
from automation.run import prepare
from automation.trackers.base import ObservedIssue

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 24)


def project(root: Path, n: int) -> None:
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "config" / "programs").mkdir(parents=True)
    shutil.copy(REPO / "config" / "settings.yml", root / "config" / "settings.yml")
    people = "".join(f"  - {{username: p{i:05d}, name: Person {i}}}\n" for i in range(n))
    (root / "config" / "people.yml").write_text(f"people:\n{people}")
    program = (REPO / "config" / "programs" / "csm-aspiring-leaders.yml").read_text()
    head = program.split("    participants:\n")[0]
    rows = "".join(f"      - p{i:05d}\n" for i in range(n))
    (root / "config" / "programs" / "big.yml").write_text(f"{head}    participants:\n{rows}")


def ticked(observed: tuple[ObservedIssue, ...]) -> tuple[ObservedIssue, ...]:
    """The same issues, each with one more task done by a person."""
    return tuple(
        replace(o, description=o.description.replace("1. [ ]", "1. [x]", 1)) for o in observed
    )


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        project(root, n)
        started = time.process_time()
        prepared = prepare(root / "config", root / "templates", TODAY)
        render = time.process_time() - started
        desired = prepared.programs[0]
        labels = frozenset(s.name for s in label_specs(desired.program))
        first = plan_program(desired, Observed((), labels, ()), prepared.blocks, TODAY)
        creates = [a.issue for a in first.actions if isinstance(a, CreateIssue)]
        observed = tuple(
            ObservedIssue(i, c.title, c.description, c.labels, due_date=c.due_date)
            for i, c in enumerate(creates, start=1)
        )
        for label, issues in (
            ("nothing changed", observed),
            ("every issue ticked", ticked(observed)),
        ):
            started = time.process_time()
            plan = plan_program(desired, Observed(issues, labels, ()), prepared.blocks, TODAY)
            spent = time.process_time() - started
            print(
                f"{n} issues, {label}: {spent:.3f} s CPU to plan "
                f"({spent / n * 1000:.3f} s per thousand), {len(plan.actions)} actions"
            )
        print(f"{n} issues: {render:.3f} s CPU to load and render the configuration")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
