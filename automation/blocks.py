"""The content of the tool-owned blocks, rendered from templates/blocks/ (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from automation.config.models import Program
from automation.progress import Progress, total
from automation.records import Recorded, RecordSpec, averages
from automation.rendering import Renderer

PROGRESS_BLOCK = "progress"
ROLLUP_BLOCK = "rollup"
COMPLETION_BLOCK = "completion"
BLOCK_NAMES = (
    PROGRESS_BLOCK,
    ROLLUP_BLOCK,
    COMPLETION_BLOCK,
    "workshop",
    "workshops",
    "proposals",
    "scorecard",
)
PROGRESS_TEMPLATE = "blocks/progress.md.j2"
EPIC_TEMPLATE = "epic.md.j2"
COMPLETION_TEMPLATE = "blocks/completion.md.j2"
ROLLUP_TEMPLATE = "blocks/rollup.md.j2"


@dataclass(frozen=True)
class RollupRow:
    """One tracked issue as a rollup lists it."""

    reference: str | None  # "#12"; None until the issue exists
    subject: str
    group: str
    progress: Progress | None  # None when it could not be measured
    state: str
    records: Mapping[str, Recorded] = field(default_factory=dict)


def record_specs(program: Program) -> list[RecordSpec]:
    """The values a program asks people to record."""
    return [RecordSpec(r.label, r.out_of, r.min_for_average) for r in program.records]


class Blocks:
    """Renders block contents; templates decide the wording, this decides the numbers."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._progress: dict[Progress, str] = {}  # many issues share the same figures

    def progress(self, progress: Progress) -> str:
        """The progress block of one tracked issue."""
        if progress not in self._progress:
            self._progress[progress] = self.renderer.render(
                PROGRESS_TEMPLATE, {"progress": progress}
            )
        return self._progress[progress]

    def completion(self, today: dt.date) -> str:
        """The block that records, once, that every task was done."""
        return self.renderer.render(COMPLETION_TEMPLATE, {"date": today})

    def rollup(self, program: Program, rows: list[RollupRow], group: str | None = None) -> str:
        """The rollup block of a tracking issue (or of a group's): its issues and totals."""
        measured = [row.progress for row in rows if row.progress is not None]
        values = {
            "program": program,
            "group": group,
            "rows": rows,
            "totals": total(measured, program),
            "averages": averages(
                (row.records for row in rows if row.records), record_specs(program)
            ),
        }
        return self.renderer.render(ROLLUP_TEMPLATE, values)
