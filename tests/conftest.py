"""Shared fixtures: tests never see the machine's GitLab or CI variables."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import jinja_cache

REPO = Path(__file__).resolve().parent.parent


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
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped config/ and templates/ in a temporary folder, used as cwd."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def keep_programs(root: Path, *ids: str) -> Path:
    """Remove every shipped program file but these."""
    for path in (root / "config" / "programs").glob("*.yml"):
        if path.stem not in ids:
            path.unlink()
    return root


@pytest.fixture
def project(shipped: Path) -> Path:
    """The shipped configuration with only the CSM Aspiring Leaders program."""
    return keep_programs(shipped, "csm-aspiring-leaders")
