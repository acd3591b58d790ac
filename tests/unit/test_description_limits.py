"""Every description the tool writes stays well under GitLab's 1,048,576 characters, even for
a program of 10,000 people; `validate` warns before a template gets near it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from automation.actions import CreateIssue, Observed, UpdateDescription
from automation.index import KEYS_BLOCK, index_content, read_index
from automation.items import DESCRIPTION_LIMIT, ObservedIssue, size_of
from automation.planner import plan_program
from automation.run import prepare, size_warnings
from tests.local_cli import run
from tests.projects import make_project, program_with, roster

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 24)
N = 10_000


@pytest.mark.heavy
def test_ten_thousand_tracked_issues_keep_every_description_under_a_third_of_the_limit(
    tmp_path: Path,
) -> None:
    people = [f"participant.number{i:05d}" for i in range(N)]
    make_project(
        tmp_path,
        {"config/people.yml": roster(people), "config/programs/demo.yml": program_with(people)},
    )
    shutil.copytree(REPO / "templates", tmp_path / "templates", dirs_exist_ok=True)
    prepared = prepare(tmp_path / "config", tmp_path / "templates", TODAY)
    desired = prepared.programs[0]
    assert not size_warnings(desired)
    observed = tuple(
        ObservedIssue(iid, item.title, item.description, item.labels)
        for iid, item in enumerate(desired.issues, start=1)
    )
    plan = plan_program(desired, Observed(observed), prepared.blocks, TODAY)
    written = [
        a.issue.description if isinstance(a, CreateIssue) else a.after
        for a in plan.actions
        if isinstance(a, CreateIssue | UpdateDescription)
    ]
    tracking = next(t for t in written if "automation:key=demo/tracking -->" in t)
    index = next(t for t in written if "automation:key=demo/tracking/index -->" in t)
    # the program's first run: the index goes to an issue of its own, and to the tracking
    # issue once more, in case that issue's create fails (keyindex.py)
    assert len(read_index(tracking, "demo/") or {}) == N  # every person is in the index
    assert len(read_index(index, "demo/", KEYS_BLOCK) or {}) == N
    assert max(len(text) for text in written) < DESCRIPTION_LIMIT // 3


def test_the_index_reads_back_what_it_wrote() -> None:
    entries = {f"demo/c1/user{i}": i + 10 for i in range(50)}
    text = f"<!-- automation:begin index -->\n{index_content(entries, 'demo/')}"
    text += "<!-- automation:end index -->\n"
    assert read_index(text, "demo/") == entries
    assert "demo/c1" not in text  # the program prefix is left out


@pytest.mark.parametrize(
    "filler",
    [
        "x" * (DESCRIPTION_LIMIT // 2),
        # GitLab validates a description's bytesize: 300,000 accented letters are 600,000
        # bytes, over half the limit, though under it in characters
        "é" * 300_000,
    ],
    ids=["ascii", "accented"],
)
def test_validate_warns_when_a_template_comes_near_the_limit(tmp_path: Path, filler: str) -> None:
    huge = "## One\n- [ ] task for {{ participant.name }}\n" + filler
    make_project(tmp_path, {"templates/demo.md.j2": huge})
    shutil.copytree(REPO / "templates", tmp_path / "templates", dirs_exist_ok=True)
    (tmp_path / "templates" / "demo.md.j2").write_text(huge, "utf-8")
    prepared = prepare(tmp_path / "config", tmp_path / "templates", TODAY)
    warnings = size_warnings(prepared.programs[0])
    assert warnings and "bytes long, over half of GitLab's limit of 1,048,576 bytes" in warnings[0]
    assert "'Demo: Ben'" in warnings[0]


def test_a_size_is_counted_in_utf8_bytes() -> None:
    assert size_of("é" * 10) == 20 and size_of("\u200b") == 3


def test_validate_refuses_a_template_whose_issues_would_pass_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's finding: `validate` said "Configuration is valid" (exit 0), warning only of
    "over half" the limit, for issues over all of it; every `apply` then failed them."""
    huge = "## One\n- [ ] task for {{ participant.name }}\n" + "é" * (DESCRIPTION_LIMIT // 2 + 10)
    make_project(tmp_path, {"templates/demo.md.j2": huge})
    shutil.copytree(REPO / "templates", tmp_path / "templates", dirs_exist_ok=True)
    (tmp_path / "templates" / "demo.md.j2").write_text(huge, "utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.code == 2 and "Configuration is valid" not in result.out
    line = next(
        n
        for n, text in enumerate(
            Path("config/programs/demo.yml").read_text(encoding="utf-8").splitlines(), 1
        )
        if text.startswith("template:")
    )
    assert (
        f"config/programs/demo.yml:{line}: 'Demo: Ben' would be about 1,048,"
    ) in result.err.replace(str(tmp_path) + "/", "")
    assert "over GitLab's limit of 1,048,576 bytes, so it could not be written; shorten its" in (
        result.err
    )
    assert "over half" not in result.out
