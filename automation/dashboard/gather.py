"""Read each program's issues (never writing) and build its dashboard pages from the rows its
rollups are rendered from."""

from __future__ import annotations

import datetime as dt

from automation.blocks import Blocks, RollupRow
from automation.config.models import Program
from automation.dashboard.model import Page, Rollups, program_page
from automation.planner import plan_program
from automation.run import Prepared, observe_all
from automation.trackers.base import Tracker


class _KeptRollups(Blocks):
    """Blocks that also keep the rows each rollup is rendered from."""

    def __init__(self, blocks: Blocks) -> None:
        super().__init__(blocks.renderer)
        self.rows: dict[str | None, list[RollupRow]] = {}
        self.ended: set[str] = set()

    def rollup(self, program: Program, rows: list[RollupRow], group: str | None = None) -> str:
        self.rows[group] = list(rows)
        return super().rollup(program, rows, group)

    def frozen(self, group: str | None) -> None:
        if group is not None:
            self.ended.add(group)


def gather(
    prepared: Prepared, tracker: Tracker, today: dt.date, *, include_confidential: bool
) -> list[Page]:
    """One page per program (with its cohorts' pages), confidential programs left out unless
    asked for. Planning each program is how its rollups' rows are found; the plan itself is
    dropped, nothing is written."""
    labels = tracker.label_names()
    epics = tracker.epics_available()
    pages: list[Page] = []
    for desired, observed in observe_all(prepared, tracker, labels, epics):
        program = desired.program
        if program.outputs_hidden and not include_confidential:
            continue
        kept = _KeptRollups(prepared.blocks)
        plan_program(desired, observed, kept, today)
        rollups = Rollups(kept.rows, frozenset(kept.ended))
        pages.append(program_page(desired, rollups, observed.issues, today, program.id))
    return pages
