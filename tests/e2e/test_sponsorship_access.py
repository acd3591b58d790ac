"""Who can read which sponsorship issue on GitLab (the fake models confidential issues as GitLab
documents them), and matches that are not released yet: nothing made, nobody told."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import gitlab
import pytest

from tests.backends import PROJECT, GitLabBackend, new_fake, roster_of
from tests.conftest import keep_programs
from tests.fakes.gitlab_fake import FakeGitLab
from tests.local_cli import edit

PROGRAM = Path("config/programs/sales-sponsorship.yml")
H1 = ("aiko.tanaka", "lena.fischer", "sam.delacroix", "kenji.watanabe")


@pytest.fixture
def fake(shipped: Path) -> Iterator[FakeGitLab]:
    keep_programs(shipped, "sales-sponsorship")
    roster = roster_of(shipped)
    gitlab = new_fake(users=roster)
    with gitlab.activate():
        yield gitlab


def apply(fake: FakeGitLab) -> None:
    fake.act_as("automation-bot")
    result = GitLabBackend(fake).cli("apply")
    assert result.code == 0, result.out + result.err


def keys(fake: FakeGitLab) -> dict[str, int]:
    """Every issue's key (from its first line), as the bot sees them."""
    found = {}
    for issue in fake.issues(PROJECT):
        first = (issue["description"] or "").split("\n", 1)[0]
        if match := re.match(r"<!-- automation:key=(\S+) -->", first):
            found[match.group(1)] = issue["iid"]
    return found


def readable(fake: FakeGitLab, username: str, role: str = "guest") -> set[int]:
    """The issues USERNAME reads through the API, as a project member with ROLE."""
    fake.set_member_role(username, role, PROJECT)
    fake.act_as(username)
    project = fake.client().projects.get(PROJECT, lazy=True)
    listed = {issue.iid for issue in project.issues.list(all=True)}
    fetched = set()
    for iid in keys(fake).values():
        try:
            project.issues.get(iid)
            fetched.add(iid)
        except gitlab.GitlabGetError as refused:
            assert refused.response_code == 404  # what GitLab answers for an unseen issue
    fake.act_as("automation-bot")
    assert listed <= fetched
    return fetched


def test_a_manager_reads_the_pair_issues_of_their_reports_and_no_other(fake: FakeGitLab) -> None:
    apply(fake)
    found = keys(fake)
    pairs = {sponsee: found[f"sales-sponsorship/fy28-h1/{sponsee}"] for sponsee in H1}
    # lena.fischer's manager is marcus.oyelaran; priya.natarajan manages aiko and sam
    assert readable(fake, "marcus.oyelaran") & set(pairs.values()) == {pairs["lena.fischer"]}
    assert readable(fake, "priya.natarajan") & set(pairs.values()) == {
        pairs["aiko.tanaka"],
        pairs["sam.delacroix"],
    }
    # a mention is not access: lukas, mentioned in lena's pair issue, still cannot read it;
    # a Planner reads all
    fake.add_note_as(PROJECT, pairs["lena.fischer"], "automation-bot", "@lukas.brandt FYI")
    assert pairs["lena.fischer"] not in readable(fake, "lukas.brandt")
    assert set(pairs.values()) <= readable(fake, "riley.chen", "planner")


def test_a_proposed_or_approved_pair_has_no_issue_and_nobody_is_told(fake: FakeGitLab) -> None:
    apply(fake)
    found = keys(fake)
    assert [k for k in found if k.startswith("sales-sponsorship/fy28-h2/")] == [
        "sales-sponsorship/fy28-h2/tracking"  # the cohort's rollup only
    ]
    told = {mention.username for mention in fake.mentions}
    assert "amara.osei" not in told and "dana.whitfield" in told  # dana is released in H1
    assert "hannah.berg" in told  # amara's manager: told as a sponsor in H1 only
    cohort = issue(fake, found["sales-sponsorship/fy28-h2/tracking"])
    assert cohort["confidential"]
    assert cohort["assignees"] == ["riley.chen"]  # the program's lead, a Planner
    assert "| proposed | Amara Osei | Dana Whitfield |" in str(cohort["description"])
    assert "| approved | Tom Reyes | Jordan Alvarez |" in str(cohort["description"])
    assert "@" not in str(cohort["description"])


def issue(fake: FakeGitLab, iid: int) -> dict[str, object]:
    return next(i for i in fake.issues(PROJECT) if i["iid"] == iid)


def test_releasing_a_match_creates_its_issue_and_tells_the_people_in_it(
    fake: FakeGitLab, shipped: Path
) -> None:
    apply(fake)
    before = len(fake.mentions)
    edit(
        shipped / PROGRAM,
        "{sponsor: dana.whitfield, sponsee: amara.osei, status: proposed}",
        "{sponsor: dana.whitfield, sponsee: amara.osei, status: released}",
    )
    apply(fake)
    found = keys(fake)
    amara = issue(fake, found["sales-sponsorship/fy28-h2/amara.osei"])
    assert amara["confidential"]
    assert amara["assignees"] == ["dana.whitfield", "amara.osei", "hannah.berg"]
    told = {mention.username for mention in fake.mentions[before:]}
    assert {"dana.whitfield", "amara.osei", "hannah.berg"} <= told
    cohort = str(issue(fake, found["sales-sponsorship/fy28-h2/tracking"])["description"])
    assert "| proposed | Amara Osei |" not in cohort
    assert "| approved | Tom Reyes | Jordan Alvarez |" in cohort


def test_the_sponsor_cannot_read_the_sponsees_score_nor_the_manager_either(
    fake: FakeGitLab,
) -> None:
    apply(fake)
    found = keys(fake)
    lena = "sales-sponsorship/fy28-h1/lena.fischer"
    sponsee_scores, sponsor_scores = (
        found[f"{lena}/sponsee-scores"],
        found[f"{lena}/sponsor-scores/hannah.berg"],
    )
    hannah = readable(fake, "hannah.berg")  # the sponsor
    assert found[lena] in hannah and sponsor_scores in hannah
    assert sponsee_scores not in hannah
    marcus = readable(fake, "marcus.oyelaran")  # the sponsee's manager
    assert found[lena] in marcus
    assert not {sponsee_scores, sponsor_scores} & marcus
    mine = readable(fake, "lena.fischer")
    assert sponsee_scores in mine and sponsor_scores not in mine
    # the cohort's rollup, where figures are published, is the program team's (Planner+)
    assert found["sales-sponsorship/fy28-h1/tracking"] not in hannah | marcus | mine


def test_a_sponsee_with_no_gitlab_account_fails_by_cohort_without_their_name(
    shipped: Path,
) -> None:
    """A tester's finding: a banned sponsee (GitLab does not list the account) failed as
    "sales-sponsorship (confidential)", with nothing to find the pair by. The failure names
    the cohort and the kind of issue, never the person."""
    keep_programs(shipped, "sales-sponsorship")
    gitlab = new_fake(users=tuple(u for u in roster_of(shipped) if u != "kenji.watanabe"))
    with gitlab.activate():
        gitlab.act_as("automation-bot")
        result = GitLabBackend(gitlab).cli("apply", "--today", "2027-02-20", "--rehearsal")
    failed = [line for line in result.out.splitlines() if line.startswith("FAILED")]
    assert result.code == 1 and failed
    assert all("kenji" not in line.lower() and "watanabe" not in line.lower() for line in failed)
    assert "FAILED [sales-sponsorship: fy28-h1/[confidential] (confidential)]: no active " in (
        result.out
    )
