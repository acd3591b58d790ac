"""Shared fixtures: tests never see the machine's GitLab or CI variables."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import jinja_cache

REPO = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked heavy (seconds each) first: handed out last, one of them would keep
    one worker busy while the others have finished."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


@pytest.fixture(scope="session", autouse=True)
def _templates_compiled_once() -> Iterator[None]:
    """Each distinct template source is compiled once per session (see jinja_cache)."""
    with pytest.MonkeyPatch.context() as patch:
        jinja_cache.install(patch)
        yield


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strip GITLAB_* and CI variables so the test machine cannot leak into a test."""
    for name in list(os.environ):
        if name.startswith(("GITLAB_", "CI_")) or name == "CI":
            monkeypatch.delenv(name)


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries and pacing sleep for real in production; tests only record the wish (and a
    fake GitLab's clock moves on each request)."""
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped config/ and templates/ in a temporary folder, used as cwd."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def keep_programs(root: Path, *ids: str, csm_group: bool = False) -> Path:
    """Remove every shipped program file but these. CSM Aspiring Leaders is kept without its
    monthly group issues and program lead unless `csm_group`: the scenarios that use it count
    its participant issues (tests/e2e/test_csm_group.py tests the group)."""
    for path in (root / "config" / "programs").glob("*.yml"):
        if path.stem not in ids:
            path.unlink()
    if "csm-aspiring-leaders" in ids and not csm_group:
        path = root / "config" / "programs" / "csm-aspiring-leaders.yml"
        text = path.read_text("utf-8")
        for part in (_CSM_GROUP_SECTIONS, _CSM_OPTIONAL, _CSM_GROUP):
            assert part in text, part
        text = text.replace(_CSM_GROUP_SECTIONS, "").replace(_CSM_OPTIONAL, "")
        path.write_text(
            text[: text.index(_CSM_GROUP)], "utf-8"
        )  # lead and group issues end the file
    return root


@pytest.fixture
def project(shipped: Path) -> Path:
    """The shipped configuration with only the CSM Aspiring Leaders program (its participant
    issues: see keep_programs)."""
    return keep_programs(shipped, "csm-aspiring-leaders")


_CSM_GROUP_SECTIONS = (
    "  - heading: Group call\n    ongoing: true\n  - heading: Async discussion\n    ongoing: true\n"
)
_CSM_OPTIONAL = (  # the comment about optional tasks, so the file keeps its line numbers
    '# Tasks that say "Optional" in the participants\' issues (the page\'s "if available", "if\n'
    '# currently open", "potentially") are shown as optional and never count towards completion.\n'
    "#\n"
)
_CSM_GROUP = "# The pilot group:"
