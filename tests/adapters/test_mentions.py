"""Mentions reach people only: a roster name that is a group, or no user at all, is written
without a live mention, on GitLab (asked of the fake) and on the local backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automation.mentions import named, people_only, unnamed
from tests.backends import GROUP, PROJECT, GitLabBackend, LocalBackend, new_fake
from tests.fakes.gitlab_fake import FakeGitLab
from tests.projects import make_project, program_with, roster

TEMPLATE = "## One\n- [ ] task for {{ participant | mention }} and {{ manager | mention }}\n"
PEOPLE = roster(["ben", "enablement"]).replace(
    "name: Person ben\n", "name: Ben\n    manager: enablement\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_project(
        tmp_path,
        {
            "config/settings.yml": f"gitlab:\n  group: {GROUP}\n  project: {PROJECT}\n",
            "config/people.yml": PEOPLE,
            "config/programs/demo.yml": program_with(["ben"]),
            "templates/demo.md.j2": TEMPLATE,
        },
    )


@pytest.fixture
def gitlab(project: Path) -> Iterator[GitLabBackend]:
    fake = new_fake(users=("ben",))  # `enablement` is the group, not a user
    with fake.activate():
        yield GitLabBackend(fake)


WARNING = (
    "'enablement' is not a GitLab user (a group, or no such user), so it was written without "
    "a live mention and nobody was notified; fix the username in people.yml, or the mention "
    "where a template writes it"
)


def test_a_group_in_the_roster_is_never_mentioned_on_gitlab(gitlab: GitLabBackend) -> None:
    result = gitlab.cli("apply")
    assert result.code == 0, result.out + result.err
    assert WARNING in result.out
    mentioned = {m.username for m in gitlab.fake.mentions}
    assert "ben" in mentioned
    assert "enablement" not in mentioned
    texts = [i["description"] for i in gitlab.fake.issues(PROJECT)]
    assert any("@\u200benablement" in text for text in texts)


def test_a_mention_made_inert_is_said_only_of_text_that_was_written(
    gitlab: GitLabBackend,
) -> None:
    """A tester: the warning said "it was written" of issues whose create failed."""
    gitlab.fake.inject(500, times=1000, method="POST", path_contains="/issues")
    failed = gitlab.cli("apply")
    assert failed.code == 1 and "FAILED [demo/" in failed.out
    assert WARNING not in failed.out
    gitlab.fake.clear_faults()
    written = gitlab.cli("apply")
    assert written.code == 0 and WARNING in written.out


def test_a_mention_made_inert_is_no_warning_that_stands_in_the_quiet_runs_after(
    gitlab: GitLabBackend, project: Path
) -> None:
    """Said with its write, once (a reviewer: the quiet runs after said it stood, and sent
    the reader to --full, which says none)."""
    hour = dt.timedelta(hours=1)
    assert gitlab.cli("apply").code == 0
    gitlab.fake.clock.advance(hour)
    assert gitlab.cli("apply").code == 0
    template = project / "templates" / "demo.md.j2"
    template.write_text(TEMPLATE + "- [ ] ask {{ manager | mention }} for a call\n", "utf-8")
    gitlab.fake.clock.advance(hour)
    updated = gitlab.cli("apply")
    assert updated.code == 0 and WARNING in updated.out and "updated" in updated.out
    # the template's new task is there, its mention inert (a reviewer: it was never added,
    # and counted all the same, so a full run found the figures wrong)
    (issue,) = [i for i in gitlab.fake.issues(PROJECT) if "for a call" in i["description"]]
    assert "- [ ] ask @\u200benablement for a call" in issue["description"]
    assert "No changes" in gitlab.cli("plan").out
    gitlab.fake.clock.advance(hour)
    quiet = gitlab.cli("apply")
    assert quiet.code == 0 and "nothing changed in GitLab" in quiet.out, quiet.out
    assert "stand, unless fixed since" not in quiet.out, quiet.out + updated.out


def test_the_configured_group_is_refused_on_the_local_backend(project: Path) -> None:
    local = LocalBackend(project)
    result = local.cli("apply")
    assert result.code == 0, result.out + result.err
    assert WARNING in result.out
    texts = [i.description for i in local.issues()]
    assert any("@ben" in text for text in texts)
    assert any("@\u200benablement" in text for text in texts)
    assert not any("@enablement" in text for text in texts)


@pytest.mark.parametrize(
    ("text", "expected", "refused"),
    [
        ("hi @ana and @grp.", "hi @ana and @\u200bgrp.", {"grp"}),
        ("mail ana@grp.com, `@grp`", "mail ana@grp.com, `@grp`", set()),
        ("merci é@grp", "merci é@\u200bgrp", {"grp"}),  # Ruby's \w is ASCII: é shields nothing
        ("ping `@grp for help", "ping `@\u200bgrp for help", {"grp"}),  # no code span
        # CommonMark: a span closes on a run of exactly as many backticks, not escaped
        ("``@grp`", "``@\u200bgrp`", {"grp"}),
        ("x ```@grp``", "x ```@\u200bgrp``", {"grp"}),
        ("\\`@grp\\`", "\\`@\u200bgrp\\`", {"grp"}),
        ("``a ` @grp``", "``a ` @grp``", set()),  # one span, a lone backtick inside
        ("@grp/sub please", "@\u200bgrp/sub please", {"grp/sub"}),
        ("@all", "@\u200ball", {"all"}),
        # a username may end in `-` (a tester: `@priya-` was checked as `priya`, made inert)
        ("ask @ana- now", "ask @ana- now", set()),
        ("ask @ana-x", "ask @\u200bana-x", {"ana-x"}),
        ("@.grp too", "@\u200b.grp too", {".grp"}),  # a path may start with `.`
        ("@\u200bgrp stays inert", "@\u200bgrp stays inert", set()),
        # `@` as a character reference: shown as typed, never a mention
        (
            "ping &#64;all &#x40;grp &commat;x",
            "ping &amp;#64;all &amp;#x40;grp &amp;commat;x",
            set(),
        ),
        ("`&#64;all` in code", "`&#64;all` in code", set()),
    ],
)
def test_only_users_keep_their_mention(text: str, expected: str, refused: set[str]) -> None:
    assert people_only(text, lambda name: name in {"ana", "ana-"}) == (
        expected,
        frozenset(refused),
    )


def test_a_user_lookup_that_fails_fails_the_item_instead_of_dropping_the_mention(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("time.sleep", gitlab.fake.sleep)  # python-gitlab's retry backoff
    gitlab.fake.inject(503, times=1000, method="GET", path_contains="/users")
    result = gitlab.cli("apply")
    assert result.code == 1
    assert "is not a GitLab user" not in result.out  # nobody is told to fix a correct name
    assert not any("@\u200bben" in i["description"] for i in gitlab.fake.issues(PROJECT))


def test_the_names_a_task_mentions_leave_out_code() -> None:
    assert named("ask @Ana and `@ben` about it") == frozenset({"ana"})
    assert unnamed("ask @Ana and `@ben` about it") == "ask and `@ben` about it"


def test_a_cohort_named_with_an_issue_number_refers_to_no_issue(project: Path) -> None:
    """A tester's: a cohort named "Cohort #1" (or a title with it) linked issue #1 from every
    issue that printed the name, and GitLab noted on #1 "mentioned in" each of them."""
    program = Path("config/programs/demo.yml")
    program.write_text(
        program.read_text(encoding="utf-8").replace("name: Cohort 1", "name: 'Cohort #1 !2'"),
        encoding="utf-8",
    )
    template = Path("templates/demo.md.j2")
    template.write_text(
        template.read_text(encoding="utf-8") + "Group: {{ cohort.name }}\n", encoding="utf-8"
    )
    _, issues = applied_with_title("Demo: {{ participant.name }} ({{ cohort.name }})")
    assert len(issues) == 3
    assert issues[0]["system_notes"] == []  # no "mentioned in #2", "#3"
    ben = next(i for i in issues if "Ben" in i["title"])
    assert "Cohort #\u200b1 !\u200b2" in ben["title"] and "Cohort #\u200b1" in ben["description"]


def applied_with_title(title: str) -> tuple[FakeGitLab, list[dict[str, Any]]]:
    """The demo program's issues titled TITLE, applied on a fake GitLab whose issue #1 is
    someone else's: the fake, and its issues."""
    program = Path("config/programs/demo.yml")
    text = program.read_text(encoding="utf-8")
    program.write_text(
        text.replace('title: "Demo: {{ participant.name }}"', f'title: "{title}"'),
        encoding="utf-8",
    )
    fake = new_fake(users=("ben",))
    with fake.activate():
        fake.client().projects.get(PROJECT, lazy=True).issues.create({"title": "Someone's"})
        result = GitLabBackend(fake).cli("apply")
    assert result.code == 0, result.out + result.err
    return fake, fake.issues(PROJECT)


def test_a_title_that_mentions_and_refers_in_its_own_text_does_neither(project: Path) -> None:
    """An attacker's trial: `cc @ben @{{ participant.username }} #1` in a program file's
    `title:` notified ben from every new issue, and GitLab noted on #1 that each mentioned it
    (the values a title prints were inert; its own text was not)."""
    title = "Demo: {{ participant.name }} cc @ben @{{ participant.username }} #1 ~x"
    fake, issues = applied_with_title(title)
    ben = next(i for i in issues if i["title"].startswith("Demo: Ben"))
    assert ben["title"].replace("\u200b", "") == "Demo: Ben cc @ben @ben #1 ~x"
    assert not [m for m in fake.mentions if m.where.endswith(":title")], fake.mentions
    assert issues[0]["system_notes"] == []  # no "mentioned in #2"


def test_a_new_task_whose_mention_reads_otherwise_beside_html_is_placed(
    gitlab: GitLabBackend, project: Path
) -> None:
    """A reviewer: with an HTML tag in the task's lines, a mention in a code span was made
    inert in the lines added and not in the text looked for: the task was recorded as added
    and never placed."""
    assert gitlab.cli("apply").code == 0
    template = project / "templates" / "demo.md.j2"
    task = "- [ ] run `{{ manager | mention }} ping` once\n  see <b>the docs</b>\n"
    template.write_text(TEMPLATE + task, "utf-8")
    gitlab.fake.clock.advance(dt.timedelta(hours=1))
    assert gitlab.cli("apply").code == 0
    (issue,) = [i for i in gitlab.fake.issues(PROJECT) if "ping" in i["description"]]
    assert "see <b>the docs</b>" in issue["description"]
    assert "No changes" in gitlab.cli("plan").out
