"""Which files a newer commit changed make a CI job of an older commit outdated (cli): what
the run reads, wherever the configuration sits in the repository."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from automation.cli import _inputs_among

CHANGED = [
    "README.md",
    "config/people.yml",
    "docs/x.md",
    "requirements.txt",
    "cfg",
    "automation/a.py",
]


def inputs(root: Path, config: str, templates: str = "templates") -> list[str]:
    args = argparse.Namespace(config=root / config, templates=root / templates)
    return _inputs_among(CHANGED, args, {"CI_PROJECT_DIR": str(root)})


def test_the_configuration_templates_and_the_tools_pins_are_what_the_run_reads(
    tmp_path: Path,
) -> None:
    (tmp_path / "config").mkdir()
    assert inputs(tmp_path, "config") == [
        "config/people.yml",
        "requirements.txt",
        "automation/a.py",
    ]


def test_a_configuration_at_the_repositorys_root_reads_every_file(tmp_path: Path) -> None:
    """A reviewer: `--config .` made the folder `./`, which no path starts with."""
    assert inputs(tmp_path, ".") == CHANGED


@pytest.mark.skipif(not hasattr(Path, "symlink_to"), reason="no symbolic links")
def test_a_linked_configuration_folder_is_read_by_its_name_and_its_target(tmp_path: Path) -> None:
    """A reviewer: a link `cfg` retargeted is changed as the path `cfg` itself."""
    (tmp_path / "real").mkdir()
    (tmp_path / "cfg").symlink_to(tmp_path / "real")
    assert "cfg" in inputs(tmp_path, "cfg")


def test_a_checkout_reached_through_a_link_reads_its_folders_by_either_path(
    tmp_path: Path,
) -> None:
    """A reviewer: CI_PROJECT_DIR a link to the checkout and `--config` under the link: the
    folder was outside the resolved root, so every file counted (a README merge stopped
    queued jobs again)."""
    (tmp_path / "real" / "config").mkdir(parents=True)
    (tmp_path / "builds").symlink_to(tmp_path / "real")
    link = tmp_path / "builds"
    args = argparse.Namespace(config=link / "config", templates=link / "templates")
    found = _inputs_among(CHANGED, args, {"CI_PROJECT_DIR": str(link)})
    assert "README.md" not in found and "config/people.yml" in found
