"""desired.APPENDED_BLOCKS spells out block names other modules define (importing them there
would make a cycle): it must name each of them, or a template placing one fails validate."""

from __future__ import annotations

from automation.desired import APPENDED_BLOCKS
from automation.duedates import DUE_BLOCK
from automation.index import INDEX_BLOCK, KEYS_BLOCK
from automation.kinds.onboarding.generate import NOTE_BLOCK
from automation.lifecycle import ENDED_BLOCK, WITHDRAWN_BLOCK
from automation.migration import RECORD_BLOCK
from automation.people import ASSIGNED_BLOCK


def test_the_appended_block_names_are_those_the_tool_defines() -> None:
    defined = {
        DUE_BLOCK,
        ASSIGNED_BLOCK,
        RECORD_BLOCK,
        WITHDRAWN_BLOCK,
        ENDED_BLOCK,
        INDEX_BLOCK,
        KEYS_BLOCK,
        NOTE_BLOCK,
    }
    assert set(APPENDED_BLOCKS) == defined
