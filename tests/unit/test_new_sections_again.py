"""New template sections, second review: records written by the previous version (no
`sections` line), a section declared for one template rewriting no issue of another, a
person's own task with a new section's words, a task moved into a new section, and the
section coming as the template renders it. Each failed on the first fix (954e076). Pure,
as test_new_sections.py."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from automation.actions import CreateIssue, Observed, Plan, UpdateDescription
from automation.blocks import Blocks
from automation.desired import DesiredIssue, DesiredProgram
from automation.items import ObservedIssue
from automation.markers import block_content, identity_marker, outside_blocks
from automation.migration import RECORD_BLOCK
from automation.planner import plan_program
from automation.progress import label_specs
from automation.rendering import Renderer
from automation.tasks import sections_in_order, tasks_of
from tests.projects import demo_program
from tests.unit.test_migration import BODY, MID, REPO, TODAY, edited
from tests.unit.test_new_sections import THREE, after_run, made, mid_warnings, program, with_mid


@pytest.fixture
def blocks() -> Blocks:
    return Blocks(Renderer(REPO / "templates", ["ana", "ben"]))


def as_before_954e076(issue: ObservedIssue) -> ObservedIssue:
    """The issue with its record as the previous version (6291d11) wrote it: no `sections`
    line, and no line for a section without tasks (checked against 6291d11's own output)."""
    content = block_content(issue.description, RECORD_BLOCK)
    assert content is not None
    old = "\n".join(
        line
        for line in content.split("\n")
        if not line.startswith("sections ") and not line.rstrip().endswith(":")
    )
    return edited(issue, content, old)


# --- (g) records written by the previous version -------------------------------------------


def test_old_record_section_declared_a_run_after_its_template_change_reaches_the_issue(
    blocks: Blocks,
) -> None:
    """The case 954e076 targets, for an issue whose record the previous version wrote: staff
    add `## Mid` to the template and run (old version: its record gets the new `rendered`
    hash, no `sections` line), upgrade, then declare Mid. `Record.current` takes a record
    without `sections` as current, the rendering is unchanged, so nothing migrates: Mid never
    comes, and 'has no heading Mid' is warned on every run. Same on the shipped config (onboarding,
    a `## Check-in` section: 0 of 9 open issues get it; with 954e076 for the first run, 9)."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    body = BODY.replace("## Two", f"{MID}\n\n## Two")
    text, _ = after_run(program(body, ("One", "Two")), issue, blocks)  # template change run
    issue = as_before_954e076(edited(issue, issue.description, text))
    text, result = after_run(program(body, THREE), issue, blocks)  # declared, after upgrade
    assert "- [ ] m1" in outside_blocks(text), mid_warnings(result)


def test_old_record_taskless_section_a_person_deleted_is_not_put_back(blocks: Blocks) -> None:
    """A section that renders without tasks for this person (`{% if %}` around its tasks):
    the person deleted its empty heading and text. The previous version's record has no line
    for it (it listed sections with tasks only), so at the next template change (a task
    added to One) 954e076 takes it for new and puts it back; before 954e076 a taskless
    section was never added. A person's deletion is undone."""
    mid = "## Mid\n\nFor some people only."
    issue = as_before_954e076(made(with_mid(mid), blocks))
    issue = edited(issue, f"{mid}\n\n", "")  # the person's deletion
    later = BODY.replace("- [ ] b\n", "- [ ] b\n- [ ] z\n").replace("## Two", f"{mid}\n\n## Two")
    text, _ = after_run(program(later, THREE), issue, blocks)
    assert "- [ ] z" in text  # the run did migrate
    assert "## Mid" not in outside_blocks(text)


# --- (b)/(f) the program-wide `sections` hash ----------------------------------------------


def two_issues(first: str, second: str, sections: Sequence[str]) -> DesiredProgram:
    """The demo program with two participant issues rendered as FIRST and SECOND (as ESP's
    issues of different templates share one `sections` list)."""
    items = tuple(
        DesiredIssue(
            f"demo/c1/{key}",
            f"Demo {key}",
            f"{identity_marker(f'demo/c1/{key}')}\n{body}",
            ("program::demo",),
            key,
            "C1",
            sections=sections_in_order(body, sections),  # the ones it has, as ESP's
        )
        for key, body in (("p1", first), ("p2", second))
    )
    tracking = DesiredIssue(
        "demo/tracking", "T", f"{identity_marker('demo/tracking')}\nintro\n", ("program::demo",), ""
    )
    return DesiredProgram(demo_program(tuple(sections), ("ana", "ben")), items, tracking)


def run(desired: DesiredProgram, issues: Sequence[ObservedIssue], blocks: Blocks) -> Plan:
    labels = frozenset(spec.name for spec in label_specs(desired.program))
    return plan_program(desired, Observed(tuple(issues), labels, ()), blocks, TODAY)


OTHER = "## One\n\nA monthly check.\n\n- [ ] x\n"


def test_a_section_declared_for_one_template_rewrites_no_issue_of_another(
    blocks: Blocks,
) -> None:
    """ESP declares one `sections` list for all its templates. A section added to one of them
    (and declared) made every open issue of the program stale (a first cut hashed the whole
    `sections` list), each getting its record rewritten, its rendering unchanged. On the
    shipped config: a `## Renewal` section in esp/account-plan rewrote 18 monthly, quarterly,
    annual and program issues besides the 6 account plans (6291d11: none); renaming `Program
    update` (`renamed_from`, in esp/program-monthly only) rewrote all 20 account issues too."""
    before = two_issues(BODY, OTHER, ("One", "Two"))
    created = [a for a in run(before, [], blocks).actions if isinstance(a, CreateIssue)]
    issues = [
        ObservedIssue(i, a.issue.title, a.issue.description, a.issue.labels)
        for i, a in enumerate(created, start=1)
    ]
    after = two_issues(BODY.replace("## Two", f"{MID}\n\n## Two"), OTHER, THREE)
    result = run(after, issues, blocks)
    rewritten = {a.iid for a in result.actions if isinstance(a, UpdateDescription)}
    assert 1 in rewritten  # the issue whose template gained Mid
    assert 2 not in rewritten  # its rendering did not change


# --- (c) the `others` rule -----------------------------------------------------------------


def said_by_hand(result: Plan) -> bool:
    """The run says the issue lacks Mid and to add it by hand (or rename it)."""
    return any("has no heading 'Mid'" in w and "by hand" in w for w in mid_warnings(result))


def test_a_new_section_whose_task_the_issue_has_already_is_said_not_added(
    blocks: Blocks,
) -> None:
    """The person added a task of their own that says what the new section's only task says:
    the section may be one renamed without `renamed_from`, or added by hand, so it is not
    added (the first fix added nothing and said nothing; a later one added a second copy of
    a renamed section); the run says the heading is missing and what to do."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(issue, "- [ ] b\n", "- [ ] b\n- [x] Meet your buddy\n")
    gained = with_mid("## Mid\n\nMeet the people you work with.\n\n- [ ] Meet your buddy")
    text, result = after_run(gained, issue, blocks)
    assert "## Mid" not in outside_blocks(text) and text.count("Meet your buddy") == 1
    assert said_by_hand(result)


def test_a_new_section_repeating_a_task_of_a_deleted_heading_is_said_not_added(
    blocks: Blocks,
) -> None:
    """The person deleted the heading `## Two` (its task `c` now lies in One); the template
    gains Mid, which repeats `c`: not added twice, and said."""
    issue = made(program(BODY, ("One", "Two")), blocks)
    issue = edited(issue, "## Two\n", "")
    body = BODY.replace("## Two", "## Mid\n\nCheck again.\n\n- [ ] c\n\n## Two")
    text, result = after_run(program(body, THREE), issue, blocks)
    assert "## Mid" not in outside_blocks(text) and outside_blocks(text).count("- [ ] c") == 1
    assert said_by_hand(result)


# --- doubts --------------------------------------------------------------------------------


def test_a_task_moved_into_a_new_section_is_kept_where_the_issue_has_it(
    blocks: Blocks,
) -> None:
    """The template moves task `b` out of One into a new section: the issue keeps its ticked
    `b` where it is; with only `b` in it, Mid is not added (it looks like a section renamed
    without saying so); with another task it comes without `b` (it came with a second,
    unticked `b`, counted twice: a tester's finding)."""
    issue = edited(made(program(BODY, ("One", "Two")), blocks), "- [ ] b", "- [x] b")
    alone = BODY.replace("- [ ] b\n", "").replace("## Two", "## Mid\n\n- [ ] b\n\n## Two")
    text, _ = after_run(program(alone, THREE), issue, blocks)
    both = alone.replace("- [ ] b\n", "- [ ] b\n- [ ] m1\n")
    text2, _ = after_run(program(both, THREE), issue, blocks)
    assert "## Mid" not in outside_blocks(text)
    assert [t.text for t in tasks_of(text, THREE)].count("b") == 1
    assert "## Mid\n\n- [ ] m1\n" in outside_blocks(text2)
    assert [t.text for t in tasks_of(text2, THREE)].count("b") == 1
    assert "- [x] b" in text2  # the issue's own, ticked, where it was


def test_doubt_a_new_section_comes_as_the_template_renders_it(blocks: Blocks) -> None:
    """`_single_blank` makes every run of blank lines one, in code blocks too: the issue made
    before gets the section otherwise than an issue made now (a code sample changed)."""
    mid = "## Mid\n\n```yaml\na: 1\n\n\nb: 2\n```\n\n- [ ] m1"
    fresh = made(with_mid(mid), blocks)
    issue = made(program(BODY, ("One", "Two")), blocks)
    text, _ = after_run(with_mid(mid), issue, blocks)
    assert outside_blocks(text) == outside_blocks(fresh.description)
