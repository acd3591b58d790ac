"""The template files the tool renders for a program while planning (a workshop's rollup
block, a published figure's block) are checked by `validate`, as the ones a program file
names are: a repository without one passed `validate` and failed every run (a reviewer); and
only when the program needs it (another: a repository was refused for a block it never
rendered)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import keep_programs
from tests.local_cli import edit, lines_with, run


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


def test_validate_warns_of_a_name_no_issue_was_given_on_a_branch_none_took(
    shipped: Path,
) -> None:
    """A tester's finding: a misspelt name inside an `{% if %}` that no issue took yet passed
    `validate`; weeks later a roster edit took the branch and every program stopped."""
    keep_programs(shipped, "csm-aspiring-leaders")
    path = shipped / "templates" / "csm-aspiring-leaders" / "participant.md.j2"
    text = path.read_text("utf-8")
    after = text.index("\n", text.index("## Module 3")) + 1
    branch = (
        "{% if participant.username == 'nobody.here' %}\n"
        "1. [ ] Join the circle ({{ cohrt.name }}, {{ extra | default('') }}).\n"
        "{% elif extra2 is defined %}{{ extra2 }}{% endif %}\n"
        "{% set mine = 1 %}{{ mine }}\n"
    )
    path.write_text(text[:after] + branch + text[after:], "utf-8")
    line = text[:after].count("\n") + 2
    result = run("validate")
    assert result.code == 0, result.out + result.err
    warned = [w for w in result.out.splitlines() if "is given to none of the issues" in w]
    assert warned == [
        f"warning: {path.relative_to(shipped)}:{line}: 'cohrt' is given to none of the issues "
        "this template made today (did you mean 'cohort'?): if it is misspelt, the first run "
        "that renders this line for an issue stops with an error, and writes nothing; check the "
        "variable name (see README.md for what templates get)"
    ]
    assert run("apply").code == 0  # no issue takes the branch: the run is not stopped


def test_validate_of_the_shipped_templates_warns_of_no_name(shipped: Path) -> None:
    result = run("validate")
    assert result.code == 0 and "is given to none" not in result.out, result.out


PARTICIPANT = Path("templates/csm-aspiring-leaders/participant.md.j2")


def _with_line(root: Path, line: str) -> int:
    """The participant template with LINE added after Module 3's heading; its line number."""
    path = root / PARTICIPANT
    text = path.read_text("utf-8")
    after = text.index("\n", text.index("## Module 3")) + 1
    path.write_text(text[:after] + line + "\n" + text[after:], "utf-8")
    return text[:after].count("\n") + 1


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            "{% include 'csm-aspiring-leaders/extra.md.j2' %}",
            "template 'csm-aspiring-leaders/extra.md.j2' not found in templates",
        ),
        ("{{ managed_block('progress') }}", "{{ managed_block('progress') }} is placed more"),
        ("", "on a line of its own, with nothing else"),  # the template's own, moved beside text
    ],
)
def test_a_templates_mistake_is_said_at_its_own_line_for_what_it_is(
    shipped: Path, line: str, said: str
) -> None:
    """A tester was sent to line 1 for a missing include, and for a block placed twice, with
    advice about a damaged issue ("the issue was left untouched")."""
    keep_programs(shipped, "csm-aspiring-leaders")
    number = _with_line(shipped, line or "Progress: {{ managed_block('progress') }}")
    if not line:
        edit(shipped / PARTICIPANT, '{{ managed_block("progress") }}\n', "")
    result = run("validate")
    assert result.code == 2, result.out
    lines = [x for x in result.err.splitlines() if said in x]
    assert len(lines) == 1 and "left untouched" not in lines[0], result.err
    place = lines[0].split(": ", 1)[0]
    assert place == f"{PARTICIPANT}:{number}" or "is placed more" in said, place
    assert place.startswith(f"{PARTICIPANT}:") and place != f"{PARTICIPANT}:1"


def test_validate_warns_of_a_templates_mention_of_someone_not_in_people_yml(
    shipped: Path,
) -> None:
    """A tester: `@outsider` written in a template lost its @ power with no word."""
    keep_programs(shipped, "csm-aspiring-leaders")
    number = _with_line(shipped, "1. [ ] Ask @outsider, or {{ '@' }}someone, for a review.")
    result = run("validate")
    assert result.code == 0, result.err
    said = [x for x in result.out.splitlines() if "is not a username in people.yml" in x]
    assert len(said) == 1 and said[0].startswith(f"warning: {PARTICIPANT}:{number}: '@outsider'")
    assert run("apply").code == 0
    texts = [p.read_text("utf-8") for p in (shipped / ".automation" / "issues").glob("*.md")]
    assert any("outsider" in text for text in texts)
    assert not any("@outsider" in text for text in texts)  # inert, as before


def test_validate_warns_of_an_at_name_typed_in_a_programs_title(shipped: Path) -> None:
    """A newcomer: `title: "CSM Aspiring Leaders @all …"` passed `validate` without a word,
    and the plan then showed `@all` made inert by an invisible space, as if it would mention
    everyone. The tool writes no mention in a title: a warning at the title's line; the values it
    prints are not quoted (a confidential program's could name someone)."""
    keep_programs(shipped, "csm-aspiring-leaders")
    program = shipped / "config/programs/csm-aspiring-leaders.yml"
    edit(
        program,
        'title: "CSM Aspiring Leaders: ',
        "title: \"CSM Aspiring Leaders @all cc @{{ 'x' }}: ",
    )
    result = run("validate")
    assert result.code == 0, result.err
    assert lines_with(result, "in a title") == [
        "warning: config/programs/csm-aspiring-leaders.yml:10: title: '@all' is written without "
        "its @ power in a title (nobody is notified: the tool makes no mention in a title, which "
        "GitLab would notify): write the name without its @"
    ], result.out


def test_a_title_warning_is_said_as_its_programs_other_warnings_are(shipped: Path) -> None:
    """A review: the title warnings went through the privacy of lines of no known program, so
    a name typed in a public program's title was hidden only when that person was in the
    confidential program, which told the log reader so. Said as its program's warnings are: a
    public program's in clear, whoever it names."""
    esp = shipped / "config/programs/executive-sponsorship.yml"
    edit(
        esp,
        'account_monthly: "ESP {{ period.name }}:',
        'account_monthly: "ESP {{ period.name }} @kenji.watanabe:',
    )
    result = run("validate", "2026-12-07")
    assert result.code == 0, result.err
    said = [x for x in result.out.splitlines() if "in a title" in x]
    assert len(said) == 1 and "'@kenji.watanabe'" in said[0], result.out
