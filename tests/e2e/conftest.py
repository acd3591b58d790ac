"""The two backends every contract scenario runs on: local files and the fake GitLab."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import Backend, GitLabBackend, LocalBackend, new_fake

PARTICIPANTS = ("sam.delacroix", "aiko.tanaka", "lena.fischer")


@pytest.fixture(params=["local", "gitlab"])
def backend(request: pytest.FixtureRequest, project: Path) -> Iterator[Backend]:
    if request.param == "local":
        yield LocalBackend(project)
        return
    fake = new_fake(users=PARTICIPANTS)
    with fake.activate():
        yield GitLabBackend(fake)
