"""A person's lines that GitLab ran nothing of when they saved them must not become commands
or mentions on the tool's write (an attacker's trial): a fence, `>>>` quote or HTML block
(or a lone backtick) opened inside a tool block and closed after its end marker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends import GROUP, PROJECT, TODAY, GitLabTime, Result, cli, new_fake, roster_of
from tests.conftest import keep_programs
from tests.fakes.gitlab_fake import LINE_BASED, MARKDOWN, READERS, FakeGitLab

ENV = {"GITLAB_URL": "https://gitlab.example.com", "GITLAB_TOKEN": "glpat-s3cr3t-t0k3n-value"}
# the tracking issue's hidden weekly history: the tool keeps no line typed there (the rollup
# and the charts now record theirs and move one typed below)
END = "<!-- automation:end history -->"
TICK = ("1. [ ] ", "1. [x] ")


@pytest.fixture
def fake(shipped: Path) -> Iterator[FakeGitLab]:
    keep_programs(shipped, "csm-aspiring-leaders")
    made = new_fake(users=roster_of(shipped))
    with made.activate():
        assert apply(made).code == 0
        yield made


def apply(fake: FakeGitLab) -> Result:
    argv = ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"]
    return cli(argv, ENV, GitLabTime(fake))


def sams(fake: FakeGitLab) -> dict[str, Any]:
    return next(i for i in fake.issues(PROJECT) if "sam.delacroix" in i["assignees"])


@pytest.mark.parametrize(
    ("opened", "closed"),
    [
        ("```\n" + END, "```"),  # a fence's opening line on the marker's
        ("```\n\n" + END, "```"),
        (">>>\n" + END, ">>>"),  # GitLab's multi-line quote
        ("<div>\n" + END, "</div>"),
    ],
)
def test_a_fence_opened_in_a_tool_block_sets_no_command_free(
    fake: FakeGitLab, opened: str, closed: str
) -> None:
    person_hides_commands(fake, opened, closed)


@pytest.mark.parametrize("typed", ["note `", "/x `"])
def test_a_lone_backtick_in_a_tool_block_sets_no_command_free_on_gitlab_16(
    fake: FakeGitLab, typed: str
) -> None:
    """An attacker's trial: GitLab 16's extractor reads inline code from a backtick to the
    next, over lines; one typed in the block hid the commands below it from the person's
    save, and the block's rewrite would have run them as the tool's user. So too one on a
    line of a word GitLab does not know as a command (a reviewer's bypass: `/x ``)."""
    fake.state.readers = frozenset({LINE_BASED})
    person_hides_commands(fake, f"{typed}\n" + END, "`")


def tracking(fake: FakeGitLab) -> dict[str, Any]:
    key = "<!-- automation:key=csm-aspiring-leaders/tracking -->"
    return next(i for i in fake.issues(PROJECT) if key in i["description"])


def tick_sams(fake: FakeGitLab) -> None:
    """A tick in Sam's issue: the run rewrites the tracking issue's rollup."""
    issue = sams(fake)
    ticked = issue["description"].replace(*TICK, 1)
    fake.edit_issue(PROJECT, issue["iid"], description=ticked, as_user="sam.delacroix")


def person_hides_commands(fake: FakeGitLab, opened: str, closed: str) -> None:
    """Lena hides commands and an `@all` behind an opener typed in the tracking issue's
    history block, and Sam ticks a task: the run fails the tracking issue, untouched, and
    runs none of them."""
    issue = tracking(fake)
    lines = "Heads up @all\n/close\n/assign @lena.fischer\n/due 2020-01-01"
    text = issue["description"].replace(END, f"{opened}\n{lines}\n{closed}", 1)
    fake.edit_issue(PROJECT, issue["iid"], description=text, as_user="lena.fischer")
    tick_sams(fake)
    assert fake.quick_actions == [] and not [m for m in fake.mentions if m.username == "all"]
    result = apply(fake)
    assert result.code == 1, result.out + result.err  # the issue failed, the others went on
    assert "the tool's edit would run the quick action" in result.out + result.err
    assert fake.quick_actions == []
    assert not [m for m in fake.mentions if m.username == "all"]
    after = tracking(fake)
    assert after["state"] == "opened" and after["description"] == text
    assert after["assignees"] == issue["assignees"]


def fenced(issue: dict[str, Any]) -> str:
    """The tracking issue's text with a fence opened on its history block's end marker and
    closed after a person's commands."""
    lines = "Heads up @all\n/close\n/assign @lena.fischer"
    return str(issue["description"].replace(END, f"```\n{END}\n{lines}\n```", 1))


def test_a_fence_opened_in_a_progress_block_is_kept_below_it_and_frees_nothing(
    fake: FakeGitLab,
) -> None:
    """The progress block records its lines: the opener Sam typed in it is moved below it
    with the rest of his text, so his commands stay in the fence: the write goes, and runs
    none of them."""
    issue = sams(fake)
    end = "<!-- automation:end progress -->"
    lines = "Heads up @all\n/close\n/assign @lena.fischer"
    text = issue["description"].replace(end, f"```\n{end}\n{lines}\n```", 1)
    fake.edit_issue(
        PROJECT, issue["iid"], description=text.replace(*TICK, 1), as_user="sam.delacroix"
    )
    result = apply(fake)
    assert result.code == 0, result.out + result.err
    assert "text was typed in its block 'progress'" in result.out
    assert fake.quick_actions == []
    assert not [m for m in fake.mentions if m.username == "all"]
    after = sams(fake)["description"]
    assert after.split(end, 1)[1].count("```") == 2 and "\n/close\n" in after


def test_plan_shows_the_refusal_that_apply_would_make(fake: FakeGitLab) -> None:
    """`plan` said it would update the issue, and only `apply` refused: a person checking the
    plan before a run was told nothing of it."""
    issue = tracking(fake)
    text = fenced(issue)
    fake.edit_issue(PROJECT, issue["iid"], description=text, as_user="lena.fischer")
    tick_sams(fake)
    result = cli(["plan", "--backend", "gitlab", "--today", TODAY], ENV, GitLabTime(fake))
    said = result.out + result.err
    assert f"issue #{issue['iid']} is left as it is: the tool's edit would run the quick" in said
    assert f"#{issue['iid']} [" not in said.replace("FAILED [", "")  # no write of it planned
    assert "Plan: 0 to create, 1 to update, 2 unchanged, 1 failed" in said  # Sam's issue
    assert tracking(fake)["description"] == text


def test_a_fence_opened_while_the_run_goes_is_refused_at_the_write(fake: FakeGitLab) -> None:
    """The plan saw a tick only; the person opened the fence before the tool's read of the
    issue just before writing it: the check on that read refuses the write."""
    issue = tracking(fake)
    tick_sams(fake)
    text = fenced(issue)

    def open_the_fence() -> None:
        fake.edit_issue(PROJECT, issue["iid"], description=text, as_user="lena.fischer")

    hook = fake.before_request("GET", f"/issues/{issue['iid']}", open_the_fence)
    result = apply(fake)
    assert hook.fired == 1
    assert result.code == 1, result.out + result.err
    assert "the tool's edit would run the quick action" in result.out + result.err
    assert fake.quick_actions == []
    assert not [m for m in fake.mentions if m.username == "all"]
    assert tracking(fake)["description"] == text


def test_on_gitlab_com_a_key_line_left_open_sets_no_command_free(fake: FakeGitLab) -> None:
    """GitLab.com runs the Markdown-based extractor alone: lines under a first line whose
    `-->` a person deleted are one HTML comment to it, run nothing and stay in the text. The
    tool mends its key line, which would end the comment there and make them a paragraph:
    GitLab would run them as the tool's user."""
    fake.state.readers = frozenset({MARKDOWN})
    issue = sams(fake)
    first, rest = issue["description"].split("\n", 1)
    opened = first.removesuffix("-->").rstrip()
    text = f"{opened}\n/close\nHeads up @all\n\n{rest}".replace(*TICK, 1)
    fake.edit_issue(PROJECT, issue["iid"], description=text, as_user="sam.delacroix")
    assert sams(fake)["description"] == text and fake.quick_actions == []  # GitLab.com's way
    result = apply(fake)
    assert result.code == 1, result.out + result.err
    assert "the tool's edit would run the quick action /close" in result.out
    assert fake.quick_actions == []
    assert not [m for m in fake.mentions if m.username == "all"]
    assert sams(fake)["description"] == text and sams(fake)["state"] == "opened"


def pilot_epic(fake: FakeGitLab) -> dict[str, Any]:
    key = "<!-- automation:key=csm-aspiring-leaders/fy27-pilot/epic"
    return next(e for e in fake.epics(GROUP) if e["description"].startswith(key))


@pytest.mark.parametrize(
    ("readers", "hidden", "said"),
    [
        (frozenset({MARKDOWN}), '/close\n/label ~"not-a-label"\n@all please read', "/close"),
        (READERS, "@all please read", "mention @all"),
    ],
    ids=["gitlab.com", "both readers"],
)
def test_an_epics_key_line_left_open_sets_nothing_free(
    fake: FakeGitLab, readers: frozenset[str], hidden: str, said: str
) -> None:
    """An attacker's trial: lines under an epic's first line whose `-->` a person deleted ran
    nothing when they saved; the tool's `identity line restored` ended the comment there, and
    GitLab ran them (and mentioned everyone) as the tool's user. Issues were checked, epics
    not."""
    fake.state.readers = readers
    epic = pilot_epic(fake)
    first, rest = epic["description"].split("\n", 1)
    text = f"{first.removesuffix('-->').rstrip()}\nmy notes\n{hidden}\n-->\n{rest}"
    fake.client().groups.get(GROUP, lazy=True).epics.update(epic["iid"], {"description": text})
    assert fake.quick_actions == [] and not [m for m in fake.mentions if m.username == "all"]
    planned = cli(["plan", "--backend", "gitlab", "--today", TODAY], ENV, GitLabTime(fake))
    assert f"epic &{epic['iid']} is left as it is: the tool's edit would" in planned.out
    result = apply(fake)
    assert result.code == 1, result.out + result.err
    assert f"epic &{epic['iid']} is left as it is: the tool's edit would" in result.out
    assert said in result.out
    assert fake.quick_actions == []
    assert not [m for m in fake.mentions if m.username == "all"]
    assert pilot_epic(fake)["description"] == text


@pytest.mark.parametrize("at", ["&#x40;", "&commat;", "&#64;"])
def test_a_name_with_an_at_sign_written_as_a_reference_mentions_nobody(
    shipped: Path, at: str
) -> None:
    """An attacker's trial: a cohort named `Pilot &#x40;all` mentioned everyone in its epic's
    title (the issue titles were made inert, the epic's not)."""
    keep_programs(shipped, "csm-aspiring-leaders")
    program = shipped / "config/programs/csm-aspiring-leaders.yml"
    program.write_text(
        program.read_text("utf-8").replace("name: FY27 pilot group", f'name: "Pilot {at}all"'),
        "utf-8",
    )
    made = new_fake(users=roster_of(shipped))
    with made.activate():
        result = apply(made)
        assert result.code == 0, result.out + result.err
    assert not [m for m in made.mentions if m.username == "all"], made.mentions
    titles = [e["title"] for e in made.epics(GROUP)]
    shown = [t.replace("\u200b", "").replace("&amp;", "&") for t in titles]  # as typed
    assert any(t.endswith(f"Pilot {at}all") for t in shown), titles


def test_a_code_span_over_two_lines_hides_no_mention_of_everyone(shipped: Path) -> None:
    """An attacker's trial: `handbook` and `page` on two lines pair up across them, as
    CommonMark reads a paragraph, so the `@all` after them was live in every epic's text while
    the line-by-line reading took it for code."""
    keep_programs(shipped, "csm-aspiring-leaders")
    with (shipped / "templates/epic.md.j2").open("a", encoding="utf-8") as file:
        file.write("\nSee the `handbook\npage` @all and `notes`.\n")
    made = new_fake(users=roster_of(shipped))
    with made.activate():
        result = apply(made)
    assert result.code == 2, result.out + result.err  # refused, the line named
    assert result.err.startswith("templates/epic.md.j2:12: `@all` would notify everyone")
    assert not [m for m in made.mentions if m.username == "all"], made.mentions
