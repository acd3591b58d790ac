"""Preparing a run reads and compiles each template once: the templates checked before
people.yml is read are the ones the issues are rendered with."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import jinja2
import pytest

from automation.run import prepare
from tests.e2e.test_integrity import TODAY_DATE


def test_each_template_is_compiled_once_and_still_mentions_the_roster(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: collections.Counter[str] = collections.Counter()
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: Any = None, *rest: Any) -> Any:
        if name is not None:
            compiled[name] += 1
        return original(self, source, name, *rest)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    assert "csm-aspiring-leaders/participant.md.j2" in compiled
    assert [name for name, times in compiled.items() if times > 1] == []
    # the roster came after the templates were checked: a manager is still mentioned live
    csm = next(p for p in prepared.programs if p.program.id == "csm-aspiring-leaders")
    assert any("| Manager | @priya.natarajan |" in issue.description for issue in csm.issues)
