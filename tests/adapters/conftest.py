"""The adapters' shared project: three participants on a fake GitLab."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adapters.test_gitlab_tracker import setup_project, users
from tests.backends import GitLabBackend, new_fake


@pytest.fixture
def gitlab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    """The shipped templates and a program of three, in tmp_path (the working folder), on a
    Premium fake GitLab that knows the three."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 3)
    fake = new_fake(users=tuple(users(3)))
    with fake.activate():
        yield GitLabBackend(fake)
