"""The template files the tool renders for a program while planning (a workshop's rollup
block, a published figure's block) are checked by `validate`, as the ones a program file
names are: a repository without one passed `validate` and failed every run (a reviewer); and
only when the program needs it (another: a repository was refused for a block it never
rendered)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import run


@pytest.mark.parametrize(
    ("program", "template"),
    [
        ("sales-onboarding", "blocks/sqs-cohort.md.j2"),
        ("sales-sponsorship", "sales-sponsorship/published.md.j2"),
    ],
)
def test_a_missing_block_template_a_program_needs_is_said_by_validate(
    shipped: Path, program: str, template: str
) -> None:
    keep_programs(shipped, program)
    (shipped / "templates" / template).unlink()
    result = run("validate")
    assert result.code == 2, result.out + result.err
    assert f"templates/{template} is missing: the tool renders it for this program" in result.err
    assert f"config/programs/{program}.yml:" in result.err


def test_a_block_template_the_program_does_not_need_may_be_missing(shipped: Path) -> None:
    """Onboarding with no workshops renders no workshop rollup."""
    keep_programs(shipped, "sales-onboarding")
    path = shipped / "config" / "programs" / "sales-onboarding.yml"
    text = path.read_text("utf-8")
    start, end = text.index("  workshops:\n"), text.index("  # A hire's `cancelled`")
    text = text[:start] + "  workshops: []\n" + text[end:]
    liam = text.index("    - {username: liam.foster, role: ae,")  # his cancelled workshop
    path.write_text(text[:liam] + "    - {username: liam.foster, role: ae}\n", "utf-8")
    (shipped / "templates" / "blocks" / "sqs-cohort.md.j2").unlink()
    result = run("validate")
    assert result.code == 0, result.out + result.err
