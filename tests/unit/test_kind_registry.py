"""A kind is a folder and a registry line: one declared in tests/ validates, checks and plans
like the shipped ones, and the config errors of the union of kinds read as for one model."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automation.cli import run
from automation.config.loader import load_config
from automation.kinds.registry import kind_of, kinds, register, unregister
from tests import kinds_example
from tests.projects import PROGRAM, make_project

REVIEWS = """\
id: reviews
name: Reviews
kind: reviews
template: review.md.j2
title: "Review: {{ reviewer.name }}"
sections:
  - heading: Review
tracking:
  title: Reviews tracking
start: 2026-11-02
days: 10
reviewers:
  - ana
  - ben
"""
REVIEW_TEMPLATE = "## Review\n- [ ] {{ reviewer.name }} reviews by {{ due }}\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def reviews() -> Iterator[None]:
    register(kinds_example.KIND)
    try:
        yield
    finally:
        unregister(kinds_example.KIND.name)


def cli(*argv: str) -> tuple[int, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    backend = [] if argv[0] == "validate" else ["--backend", "local"]
    code = run([*argv, *backend, "--today", "2026-11-24"], {}, out, err)
    return code, out.getvalue(), err.getvalue().splitlines()


def reviews_project(root: Path, program: str = REVIEWS) -> None:
    make_project(
        root,
        {"config/programs/reviews.yml": program, "templates/review.md.j2": REVIEW_TEMPLATE},
    )


def test_the_shipped_kinds_are_registered_in_order() -> None:
    assert [kind.name for kind in kinds()] == ["participants", "onboarding", "sponsorship", "esp"]


@pytest.mark.usefixtures("reviews")
def test_a_kind_declared_outside_automation_loads_and_plans(root: Path) -> None:
    reviews_project(root)
    loaded = load_config(Path("config"))
    program = next(p for p in loaded.config.programs if p.id == "reviews")
    assert isinstance(program, kinds_example.ReviewProgram)
    assert kind_of(program) is kinds_example.KIND

    code, out, err = cli("plan", "--json", "--program", "reviews")
    assert (code, err) == (0, [])
    created: list[dict[str, Any]] = [
        action for action in json.loads(out)["actions"] if action["type"] == "create_issue"
    ]
    assert [(a["key"], a["title"], a["assignees"], a["due_date"]) for a in created] == [
        ("reviews/ana", "Review: Ana", ["ana"], "2026-11-12"),
        ("reviews/ben", "Review: Ben", ["ben"], "2026-11-12"),
        ("reviews/tracking", "Reviews tracking", [], None),
    ]
    assert "- [ ] Ana reviews by 2026-11-12" in created[0]["description"]


@pytest.mark.usefixtures("reviews")
def test_a_registered_kind_runs_its_own_checks(root: Path) -> None:
    reviews_project(root, REVIEWS.replace("  - ben\n", "  - zed\n"))
    code, _, lines = cli("validate")
    assert code == 2
    assert (
        "config/programs/reviews.yml:14: reviewer 'zed' is not in the roster; add them to "
        "people.yml or fix the username; if their username changed, write the new one here too"
    ) in lines


@pytest.mark.usefixtures("reviews")
def test_an_unknown_kind_names_every_registered_one(root: Path) -> None:
    make_project(root, {"config/programs/demo.yml": PROGRAM.replace("participants", "pairs")})
    _, _, lines = cli("validate")
    assert lines[0] == (
        "config/programs/demo.yml:3: 'kind' should be 'participants', 'onboarding', "
        "'sponsorship', 'esp' or 'reviews' (got 'pairs'); fix the value"
    )


def test_a_misspelt_kind_says_which_one_is_meant(root: Path) -> None:
    """A newcomer wrote `kind: participant`: "fix the value" left them to spot the `s`."""
    make_project(root, {"config/programs/demo.yml": PROGRAM.replace("participants", "participant")})
    _, _, lines = cli("validate")
    assert lines[0].endswith("(got 'participant'); did you mean 'participants'?"), lines[0]


def test_an_unregistered_kind_is_unknown(root: Path) -> None:
    reviews_project(root)
    _, _, lines = cli("validate")
    assert lines[0].startswith(
        "config/programs/reviews.yml:3: 'kind' should be 'participants', 'onboarding', "
        "'sponsorship' or 'esp' (got 'reviews')"
    )


def test_another_kinds_key_says_which_kind_takes_it(root: Path) -> None:
    program = PROGRAM + "onboarding:\n  enablement_contact: ana\n"
    make_project(root, {"config/programs/demo.yml": program})
    _, _, lines = cli("validate")
    assert lines[0] == (
        "config/programs/demo.yml:15: 'onboarding' is a key of onboarding programs only; "
        "remove it, or set `kind: onboarding`"
    )


def test_a_missing_kind_still_reports_the_other_problems(root: Path) -> None:
    program = PROGRAM.replace("kind: participants\n", "").replace("title:", "titel:", 1)
    make_project(root, {"config/programs/demo.yml": program})
    _, _, lines = cli("validate")
    assert lines[:-1] == [
        "config/programs/demo.yml:1: 'kind' is required; add it",
        "config/programs/demo.yml:4: unknown key 'titel'; did you mean 'title'?",
    ]


def test_a_kinds_part_is_required(root: Path) -> None:
    program = PROGRAM.replace("kind: participants", "kind: esp")
    program = program[: program.index("cohorts:")]
    make_project(root, {"config/programs/demo.yml": program})
    _, _, lines = cli("validate")
    assert lines[0] == "config/programs/demo.yml:1: 'esp' is required; add it"
