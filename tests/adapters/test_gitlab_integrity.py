"""GitLab's own limits and behaviours, met as they come: link caps, rate limits, spam checks,
duplicated epics, people editing during a run, and exit codes."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from automation.clock import Clock
from automation.markers import find_key
from automation.rowledger import shard_count
from automation.trackers.gitlab import MAX_RETRY_AFTER
from tests.adapters.test_gitlab_tracker import free_gitlab, setup_project, users
from tests.backends import (
    GROUP,
    PROJECT,
    TODAY,
    GitLabBackend,
    Result,
    cli,
    new_fake,
    record_writes,
    roster_of,
)
from tests.conftest import keep_programs
from tests.fakes.gitlab_fake import MAX_LINKS_COUNT, FakeGitLab
from tests.projects import program_with

MAX_DESCRIPTION = 1_048_576


@pytest.fixture(autouse=True)
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """python-gitlab's own back-off sleeps (after a 429 or a 5xx), recorded, never waited."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


class FakeTime(Clock):
    """The run's clock is the fake GitLab's: sleeping moves GitLab's time forward."""

    def __init__(self, fake: FakeGitLab) -> None:
        self.fake = fake
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.fake.clock.now()

    def monotonic(self) -> float:
        return self.fake.clock.now().timestamp()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.fake.clock.advance(dt.timedelta(seconds=max(seconds, 0)))


def apply(backend: GitLabBackend, clock: Clock | None = None) -> Result:
    return cli(
        ["apply", "--backend", "gitlab", "--today", "2026-11-24", "--rehearsal"],
        backend.env(),
        clock,
    )


def writes(fake: FakeGitLab) -> int:
    """Writes, but the run record's (bookkeeping: see tests/backends.py)."""
    methods = ("POST", "PUT", "PATCH", "DELETE")
    return sum(fake.count(method) for method in methods) - record_writes(fake)


def tracking_issue(fake: FakeGitLab) -> dict[str, Any]:
    """The demo program's tracking issue, as the fake holds it."""
    return next(i for i in fake.issues(PROJECT) if find_key(i["description"]) == "demo/tracking")


def test_a_line_typed_in_the_tracking_issue_during_the_run_survives(
    gitlab: GitLabBackend,
) -> None:
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    issues = fake.issues(PROJECT)
    tracking = tracking_issue(fake)
    person = issues[0]
    fake.edit_issue(
        PROJECT,
        person["iid"],
        description=person["description"].replace("- [ ] first task", "- [x] first task"),
        as_user="user000",
    )
    note = "Program team: the kick-off moves to Friday."

    def type_a_line() -> None:  # after the run listed the issues, before it re-reads this one
        text = fake.issues(PROJECT)[tracking["iid"] - 1]["description"]
        fake.edit_issue(PROJECT, tracking["iid"], description=f"{text}\n{note}\n")

    hook = fake.before_request("GET", f"/issues/{tracking['iid']}", type_a_line)
    assert apply(gitlab).code == 0
    assert hook.fired == 1
    assert note in fake.issues(PROJECT)[tracking["iid"] - 1]["description"]
    assert "No changes" in apply(gitlab).out


def test_one_duplicated_epic_never_multiplies(gitlab: GitLabBackend) -> None:
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    epics = fake.epics(GROUP)
    original = next(e for e in epics if find_key(e["description"]) == "demo/c1/epic")
    group = fake.client().groups.get(GROUP, lazy=True)
    group.epics.create(
        {"title": "copy", "description": original["description"], "labels": "program::demo"}
    )
    for _ in range(3):
        result = apply(gitlab)
        assert result.code == 1
        assert "carry the same key" in result.out
    assert len(fake.epics(GROUP)) == len(epics) + 1


@pytest.mark.parametrize("mode", ["spam", "captcha"])
def test_a_create_refused_as_spam_stops_creating_for_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 5)
    fake = new_fake(users=tuple(users(5)))
    fake.refuse_creates_as_spam(mode)  # type: ignore[arg-type]
    with fake.activate():
        result = apply(GitLabBackend(fake))
    assert result.code == 1
    assert "GitLab refused to create the issue as possible spam" in result.out
    assert "not created: GitLab refused" in result.out
    assert fake.count("POST", "/issues") == 1  # asked once, never again in a loop
    assert not fake.issues(PROJECT)


def test_a_slow_down_before_the_request_budget_runs_out(
    gitlab: GitLabBackend, backoffs: list[float]
) -> None:
    """Where GitLab says how much of the budget is left on every answer (its flag
    `rate_limiting_headers_for_unthrottled_requests`), the tool waits before running out."""
    fake = gitlab.fake
    fake.set_rate_limit(40, headers_always=True)
    clock = FakeTime(fake)
    result = apply(gitlab, clock)
    assert result.code == 0, result.out + result.err
    assert fake.count("GET") + writes(fake) > 40  # more than one window's worth of requests
    assert clock.slept  # it waited for the window to reset ...
    assert not backoffs  # ... instead of meeting a 429 and backing off


def test_a_slow_down_reads_the_budget_of_a_throttle_over_an_hour(gitlab: GitLabBackend) -> None:
    """A self-managed throttle of 200 requests an hour: RateLimit-Limit says 4 (a minute's
    share), Remaining counts down from 200. The tool slows down when 5% of the 200 is left,
    not only at the last request."""
    fake = gitlab.fake
    fake.set_rate_limit(200, headers_always=True, period=3600)
    used_at_first_wait: list[int] = []

    class Watched(FakeTime):
        def sleep(self, seconds: float) -> None:
            if seconds > 30 and not used_at_first_wait:  # a rate-limit wait, not pacing
                assert fake.budget is not None
                used_at_first_wait.append(max(fake.budget.counts.values()))
            super().sleep(seconds)

    for _ in range(185):  # another script of the same user spent most of the hour's budget
        fake.client().projects.get(PROJECT)
    result = apply(gitlab, Watched(fake))
    assert result.code == 0, result.out + result.err
    assert used_at_first_wait and 190 <= used_at_first_wait[0] <= 192, used_at_first_wait


def test_a_run_past_the_request_budget_waits_out_each_429(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab's default: no RateLimit-* headers until a request is refused. The run meets
    429s, waits as each one's Retry-After says (in GitLab time), and still does everything."""
    fake = gitlab.fake
    fake.set_rate_limit(40)
    waited: list[float] = []

    def backoff(seconds: float) -> None:  # python-gitlab's, after a 429: in GitLab time
        waited.append(seconds)
        fake.sleep(seconds)

    monkeypatch.setattr("time.sleep", backoff)
    result = apply(gitlab, FakeTime(fake))
    assert result.code == 0, result.out + result.err
    assert fake.count("GET") + writes(fake) > 40
    assert waited  # it met 429s
    assert "failed" not in result.out.split("Summary:")[-1].replace("0 failed", "")


@pytest.mark.heavy
def test_issue_creation_stays_under_gitlabs_200_per_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backoffs: list[float]
) -> None:
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 450)
    fake = new_fake(users=tuple(users(450)))
    fake.clock.step = dt.timedelta(milliseconds=20)  # a fast GitLab: 50 requests a second
    fake.set_application_limits(issue_creates_per_minute=200, notes_per_minute=60)
    with fake.activate():
        result = apply(GitLabBackend(fake), FakeTime(fake))
    assert result.code == 0, result.out[-2000:] + result.err
    made = [str(i["description"]).split(" -->", 1)[0] for i in fake.issues(PROJECT)]
    # the participants and the tracking issue, and the tool's index and ledger (ledgerissues.py)
    assert len([key for key in made if "/tracking/index" not in key]) == 451
    assert len(made) == 451 + 1 + shard_count(450)
    assert not backoffs  # no 429 met


def test_free_tier_past_the_link_cap_links_up_to_it_and_reruns_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 250)  # over the 100-link cap (sizes at 10,000: test_description_limits)
    fake = new_fake(tier="free", users=tuple(users(250)))
    with fake.activate():
        backend = GitLabBackend(fake)
        first = apply(backend, FakeTime(fake))
        assert first.code == 0, first.out[-2000:] + first.err
        assert "GitLab allows 100 related links per issue" in first.out
        issues = fake.issues(PROJECT)
        assert len(issues) == 251
        tracking = tracking_issue(fake)
        assert len(tracking["links"]) == MAX_LINKS_COUNT
        assert all(len(i["description"]) < MAX_DESCRIPTION // 4 for i in issues)
        before = writes(fake)
        again = apply(backend, FakeTime(fake))
        assert again.code == 0 and "No changes" in again.out
        assert writes(fake) == before


def fill_with_links(fake: FakeGitLab, iid: int, count: int) -> None:
    """People relate the issue to COUNT issues of another project, #1 onwards there."""
    fake.add_project("finance/secret")
    other = fake.client().projects.get("finance/secret")
    ours = fake.client().projects.get(PROJECT).issues.get(iid)
    for number in range(count):
        issue = other.issues.create({"title": f"Private {number}"})
        ours.links.create({"target_project_id": other.id, "target_issue_iid": issue.iid})


def fill_with_hidden_links(fake: FakeGitLab, iid: int, count: int) -> None:
    """People relate the issue to COUNT issues of a project the tool's user is no member of."""
    fill_with_links(fake, iid, count)
    fake.set_member_role(fake.owner.username, "owner", GROUP)  # and nowhere else


@contextmanager
def three_join_a_full_tracking_issue(
    tmp_path: Path, fill: Callable[[FakeGitLab, int, int], object]
) -> Iterator[tuple[GitLabBackend, int, Result]]:
    """On Free, three people, a tracking issue given FILL's links up to three short of the cap,
    then three more people and a run: the backend, where that run's requests start, its
    result."""
    with free_gitlab(tmp_path, 3, people=6) as backend:
        fake = backend.fake
        assert apply(backend, FakeTime(fake)).code == 0
        fill(fake, tracking_issue(fake)["iid"], MAX_LINKS_COUNT - 3)
        setup_project(tmp_path, 6)  # three people join
        start = len(fake.requests)
        result = apply(backend, FakeTime(fake))
        assert result.code == 0, result.out[-2000:] + result.err
        yield backend, start, result


def test_free_links_to_another_projects_issues_count_so_none_is_tried_past_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab's cap counts every related issue: a tracking issue a person related to issues
    of another project (that the tool's user can see) has that much less room, so no link is
    tried past it, and the run says so as a note, not a warning."""
    monkeypatch.chdir(tmp_path)
    with three_join_a_full_tracking_issue(tmp_path, fill_with_links) as (backend, start, result):
        fake = backend.fake
        assert "3 issues of demo are not linked to tracking issue" in result.out
        assert "0 warnings" in result.out
        posts = [r.path for r in fake.requests[start:] if r.method == "POST"]
        assert not [path for path in posts if path.endswith("/links")]


def test_free_a_full_tracking_issue_is_said_once_a_run_with_what_the_run_leaves_unlinked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that creates issues plans twice (the second round links what the first made):
    the note about issues left unlinked is one line, with the count after the run."""
    monkeypatch.chdir(tmp_path)
    with free_gitlab(tmp_path, 3, people=9) as backend:
        fake = backend.fake
        assert apply(backend, FakeTime(fake)).code == 0
        tracking = tracking_issue(fake)
        fill_with_links(fake, tracking["iid"], MAX_LINKS_COUNT - 3)  # full
        setup_project(tmp_path, 6)  # three people join
        assert apply(backend, FakeTime(fake)).code == 0
        setup_project(tmp_path, 9)  # three more: three unlinked before the run, six after
        result = apply(backend, FakeTime(fake))
        assert result.code == 0, result.out[-2000:] + result.err
        said = [line for line in result.out.splitlines() if "are not linked to" in line]
        assert len(said) == 1 and said[0].startswith("note: 6 issues of demo"), said


def test_free_a_tracking_issue_full_of_links_the_tool_cannot_see_is_said_not_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    hidden = fill_with_hidden_links
    with three_join_a_full_tracking_issue(tmp_path, hidden) as (backend, start, result):
        fake = backend.fake
        assert "counts links to issues the tool's user cannot see" in result.out
        assert len(fake.issues(PROJECT)) == 7  # the three issues are made all the same
        posts = [r.path for r in fake.requests[start:] if r.method == "POST"]
        assert sum("/links" in path for path in posts) == 1  # refused once: no more tried
        again = apply(backend, FakeTime(fake))
        assert again.code == 0 and "failed" not in again.out.split("Summary:")[-1].replace(
            "0 failed", ""
        )


@pytest.mark.parametrize(
    ("status", "where", "said"),
    [
        (500, "/issues", "cannot reach GitLab"),
        (429, "/issues", "kept refusing requests for too many"),  # after python-gitlab's retries
        (429, "/labels", "kept refusing requests for too many"),
        (404, "/issues", "GitLab has no project enablement/programs here"),  # moved meanwhile
    ],
)
def test_a_list_that_keeps_failing_mid_run_is_exit_3(
    gitlab: GitLabBackend, status: int, where: str, said: str
) -> None:
    """A tester's finding: a 429 or 404 on a read exited 1, which says "fix each FAILED line",
    and there was none."""
    gitlab.fake.inject(status, retry_after=0, times=1000, method="GET", path_contains=where)
    result = apply(gitlab)
    assert result.code == 3, result.out + result.err
    assert said in result.err
    assert f"{status} {status}" not in result.err


def test_a_400_on_the_token_check_is_exit_3(gitlab: GitLabBackend) -> None:
    gitlab.fake.inject(400, method="GET", path_contains="/user")
    result = apply(gitlab)
    assert result.code == 3
    assert "cannot use GitLab" in result.err


def test_a_replaced_token_creates_nothing_until_its_former_user_is_named(
    gitlab: GitLabBackend,
) -> None:
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    count, epics = len(fake.issues(PROJECT)), len(fake.epics(GROUP))
    fake.act_as("project_7_bot_new")  # a new project access token is a new bot user
    result = apply(gitlab)
    assert result.code == 1
    assert "add its former user to gitlab.former_users" in result.out
    assert "created by automation-bot" in result.out
    # what to do, once per program and kind (issues, epics), not on every item (a tester)
    told = result.out.count("add its former user to gitlab.former_users")
    assert told <= 2 * len(list(Path("config/programs").glob("*.yml")))
    assert told < result.out.count("created by automation-bot") // 2
    assert len(fake.issues(PROJECT)) == count and len(fake.epics(GROUP)) == epics
    settings = Path("config/settings.yml")
    # in another case than GitLab shows it (a tester: every item still failed)
    settings.write_text(
        settings.read_text(encoding="utf-8") + "  former_users: [Automation-Bot]\n",
        encoding="utf-8",
    )
    result = apply(gitlab)
    assert result.code == 0, result.out + result.err
    assert "No changes" in result.out
    assert len(fake.issues(PROJECT)) == count and len(fake.epics(GROUP)) == epics


def test_a_replaced_token_makes_no_new_item_before_its_former_user_is_named(
    gitlab: GitLabBackend,
) -> None:
    """An ops trial: a participant due after the token was replaced got an issue (notifying
    them) that the same run then failed, outside the program's epic, with messages that
    pointed elsewhere. While another user's issue holds the tracking key, nothing is made."""
    fake, program = gitlab.fake, Path("config/programs/demo.yml")
    program.write_text(program_with(users(2)), encoding="utf-8")
    assert apply(gitlab).code == 0
    count = len(fake.issues(PROJECT))
    fake.act_as("project_7_bot_new")
    program.write_text(program_with(users(3)), encoding="utf-8")
    result = apply(gitlab)
    assert result.code == 1 and len(fake.issues(PROJECT)) == count, result.out
    assert "FAILED [demo/c1/user002]: not created: issue #" in result.out
    assert "which holds this program's tracking key, was created by another user" in result.out
    settings = Path("config/settings.yml")
    settings.write_text(
        settings.read_text(encoding="utf-8") + "  former_users: [automation-bot]\n",
        encoding="utf-8",
    )
    result = apply(gitlab)
    assert result.code == 0 and len(fake.issues(PROJECT)) == count + 1, result.out


def test_a_deleted_program_label_is_put_back_on_the_tools_issues(gitlab: GitLabBackend) -> None:
    """An operations trial: deleting the group label took it off every issue; each then failed
    on every run, one line apiece, while the run made the label again for the epics. A label a
    person takes off one issue (the label still in GitLab) still fails that issue."""
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    group = fake.state.group(GROUP)
    fake.state.delete_group_label(group, group.labels["program::demo"])
    result = apply(gitlab)
    assert result.code == 0, result.out
    assert all("program::demo" in issue["labels"] for issue in fake.issues(PROJECT))
    note = "note: demo: the label program::demo is not in GitLab (deleted?): made again, and put"
    assert note in result.out and "keys (4)" in result.out
    assert "No changes" in apply(gitlab).out
    gitlab.fake.edit_issue(PROJECT, 1, labels=["phase::One"], as_user="user000")
    taken = apply(gitlab)
    assert taken.code == 1 and "issue #1 already carries this key but not the label" in taken.out


def test_a_task_unticked_during_the_run_that_found_it_complete_stops_the_closing(
    gitlab: GitLabBackend,
) -> None:
    """A person ticks the last box, the run lists the issue complete, and before it closes
    the issue someone unticks a task: no closing, no "well done" note, no completion block;
    the run says so, and the next one shows the issue under way (a tester's finding)."""
    fake, program = gitlab.fake, Path("config/programs/demo.yml")
    Path("templates/done.md.j2").write_text("Well done!\n", encoding="utf-8")
    program.write_text(
        program.read_text(encoding="utf-8") + "completion:\n  note: done.md.j2\n  close: true\n",
        encoding="utf-8",
    )
    assert apply(gitlab).code == 0
    iid = next(
        i["iid"] for i in fake.issues(PROJECT) if find_key(i["description"]) != "demo/tracking"
    )
    gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]"))

    def untick() -> None:
        text = fake.issues(PROJECT)[iid - 1]["description"]
        fake.edit_issue(PROJECT, iid, description=text.replace("- [x]", "- [ ]", 1))

    fake.before_request("PUT", f"/issues/{iid}", untick)  # the run's first write to it
    result = apply(gitlab)
    issue = fake.issues(PROJECT)[iid - 1]
    assert result.code == 0, result.out + result.err
    assert f"issue #{iid} changed during the run, after it was found complete" in result.out
    assert issue["state"] == "opened"
    assert not any("Well done" in note for note in issue["notes"])
    assert "automation:begin completion" not in issue["description"]
    after = apply(gitlab)
    issue = fake.issues(PROJECT)[iid - 1]
    assert after.code == 0 and issue["state"] == "opened"
    assert "status::complete" not in issue["labels"]
    assert not any("Well done" in note for note in issue["notes"])


def test_no_wait_falls_between_finding_an_issue_still_complete_and_closing_it(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: the update budget was waited for after the read that finds the issue
    still complete and before the closing, so a task unticked in that wait (a minute, at a
    low budget) saw the issue closed unfinished. The wait comes before the read."""
    fake, program = gitlab.fake, Path("config/programs/demo.yml")
    settings = Path("config/settings.yml")
    settings.write_text(
        settings.read_text(encoding="utf-8") + "  issue_updates_per_minute: 1\n", encoding="utf-8"
    )
    program.write_text(
        program.read_text(encoding="utf-8") + "completion:\n  close: true\n", encoding="utf-8"
    )
    assert apply(gitlab).code == 0
    iid = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"])
    gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]"))
    events: list[str] = []

    class Logged(FakeTime):
        def sleep(self, seconds: float) -> None:
            events.append("wait")
            super().sleep(seconds)

    def log() -> None:
        request = fake.requests[-1]
        events.append(f"{request.method} {request.path} {request.params.get('state_event', '')}")

    fake.before_request(None, f"/issues/{iid}", log, times=None)
    assert apply(gitlab, Logged(fake)).code == 0
    assert fake.issues(PROJECT)[iid - 1]["state"] == "closed"
    close = next(i for i, e in enumerate(events) if e.endswith(" close"))
    read = max(i for i, e in enumerate(events[:close]) if e.startswith("GET "))
    assert "wait" in events[:read] and "wait" not in events[read:close], events


def test_a_5xx_on_the_closing_of_a_completed_issue_is_tried_again_from_a_new_read(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: the closing, sent once since it is made on the read that found the issue
    still complete, failed the item on a single 503; it is tried again as the other writes
    made on a read are."""
    fake, program = gitlab.fake, Path("config/programs/demo.yml")
    program.write_text(
        program.read_text(encoding="utf-8") + "completion:\n  close: true\n", encoding="utf-8"
    )
    assert apply(gitlab).code == 0
    iid = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"])
    gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]"))

    def fail_the_close() -> None:  # on the run's first write to it: the next one, the close
        fake.inject(503, method="PUT", path_contains=f"/issues/{iid}")

    fake.before_request("PUT", f"/issues/{iid}", fail_the_close)
    result = apply(gitlab, FakeTime(fake))
    assert result.code == 0, result.out + result.err
    assert fake.issues(PROJECT)[iid - 1]["state"] == "closed"
    closes = [r for r in fake.requests if r.params.get("state_event") == "close"]
    assert len(closes) == 2


def test_a_rollup_write_that_landed_though_its_answer_was_lost_is_reported(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: GitLab saved the tracking issue's rollup, then the connection dropped;
    the write made again from a new read found it done, and the run left it out of what it
    reported (and its summary). It is reported once, as written."""
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    tracking = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" in i["description"])
    iid = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"])
    gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]", 1))

    def saved_then_lost() -> None:
        fake.crash_after_writes(1)

    fake.before_request("PUT", f"/issues/{tracking}", saved_then_lost)
    result = apply(gitlab, FakeTime(fake))
    assert result.code == 0, result.out + result.err
    assert result.out.count(f"updated #{tracking} [demo/tracking]") == 1, result.out
    assert "Summary: 0 created, 2 updated" in result.out, result.out


@pytest.mark.parametrize("failure", ["503", "connection", "429"])
def test_a_write_gitlab_fails_is_made_again_on_a_new_read_not_sent_again_over_a_tick(
    gitlab: GitLabBackend, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer's: python-gitlab sent a description GitLab answered with a 5xx again after
    its wait, made from the read before it, over a tick the person saved in the wait. The
    write is not sent again as it was: the issue is read again and the edit made on that."""
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    iid = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"])
    gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]", 1))
    path = f"/issues/{iid}"
    if failure in ("503", "429"):  # python-gitlab retries a 429 even with its retries off
        fake.inject(int(failure), retry_after=30, method="PUT", path_contains=path)
    else:
        fake.inject(connection_error=True, method="PUT", path_contains=path)

    ticked: list[float] = []

    def wait(seconds: float) -> None:
        """The person ticks in the wait, whether python-gitlab or the tool waits."""
        if not ticked:
            gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]", 1))
        ticked.append(seconds)

    class Waiting(FakeTime):
        def sleep(self, seconds: float) -> None:
            wait(seconds)
            super().sleep(seconds)

    monkeypatch.setattr(time, "sleep", wait)
    clock = Waiting(fake)
    result = apply(gitlab, clock)
    assert result.code == 0, result.out + result.err
    issue = fake.issues(PROJECT)[iid - 1]
    assert issue["description"].count("- [x]") == 2
    assert "progress::50-74%" in issue["labels"], issue  # 2 of 3
    puts = [r for r in fake.requests if r.method == "PUT" and r.path.endswith(path)]
    tools = [r for r in puts if "add_labels" in r.params]  # the person's edits send none
    assert len(tools) == 2  # the one GitLab failed, and one made on what was read again
    assert (30.0 if failure == "429" else 15.0) in ticked  # a 429's Retry-After is waited


@pytest.mark.parametrize("form", ["date", "unreadable", "superscript", "years ahead"])
def test_a_retry_after_given_as_a_date_is_waited_out_not_a_traceback(
    gitlab: GitLabBackend, backoffs: list[float], form: str
) -> None:
    """RFC 9110 lets Retry-After be an HTTP date, as a proxy or CDN in front of GitLab may
    send it: python-gitlab's int() of it stopped the run with a traceback. A date is waited
    out in seconds from the answer's clock; a value that is neither (`²` passed str.isdigit,
    a reviewer's) is dropped, and python-gitlab backs off as when there is none; a date years
    ahead is cut to MAX_RETRY_AFTER, not a job hung until CI kills it."""
    fake = gitlab.fake
    until = fake.clock.now() + dt.timedelta(seconds=30)
    value = {
        "date": email.utils.format_datetime(until, usegmt=True),
        "unreadable": "soon",
        "superscript": "\u00b2",
        "years ahead": "Thu, 01 Jan 2099 00:00:00 GMT",
    }[form]
    fake.inject(429, retry_after=value, method="GET", path_contains="/issues")
    result = apply(gitlab)
    assert result.code == 0, result.out + result.err
    assert "Traceback" not in result.err
    assert len(backoffs) == 1, backoffs
    # the seconds from the 429 answer (a few requests after UNTIL was set) until UNTIL
    expected = {"date": 1 < backoffs[0] <= 30, "years ahead": backoffs[0] == MAX_RETRY_AFTER}
    assert expected.get(form, backoffs[0] < 1), backoffs


@pytest.mark.parametrize(
    "reset", ["30.5", "Thu, 01 Jan 2099 00:00:00 GMT", "nan", "30", "1796519292533", "1e300"]
)
def test_a_rate_limit_reset_a_proxy_rewrote_is_no_traceback(
    gitlab: GitLabBackend, backoffs: list[float], reset: str
) -> None:
    """An adapter review: a 429 without Retry-After whose RateLimit-Reset is no whole epoch
    second (a proxy's `30.5`, a date) stopped the run with python-gitlab's int() traceback;
    the draft standard's seconds from now (`30`) read as a time in 1970 retried at once."""
    fake = gitlab.fake
    headers = {"Retry-After": None, "RateLimit-Reset": reset}
    fake.inject(429, method="GET", path_contains="/issues", headers=headers)
    result = apply(gitlab)
    assert result.code == 0, result.out + result.err
    assert len(backoffs) == 1, backoffs
    assert reset != "30" or 20 < backoffs[0] <= 31, backoffs  # waited out, from the answer
    assert backoffs[0] <= MAX_RETRY_AFTER  # milliseconds, or any far time: cut, as Retry-After


def test_an_update_gitlab_refuses_as_spam_stops_the_runs_text_writes(
    gitlab: GitLabBackend,
) -> None:
    """An adapter review: GitLab's spam check refuses updates and notes too (lib/api/issues.rb:
    `render_spam_error!`), and each refused one was an item failure like any, with no advice,
    the next update sent as if nothing happened. The first refusal says what to do, and no
    more text is sent in the run."""
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    people = [i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"]]
    for iid in people[:2]:
        gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]", 1))
    fake.refuse_updates_as_spam(times=1)
    first = len(fake.requests)
    result = apply(gitlab)
    said = result.out + result.err
    assert result.code == 1, said
    assert "GitLab's spam check): no more text is written this run" in said, said
    assert said.count("allow the token's user") == 1, said
    assert "not written: GitLab's spam check refused an earlier write" in said, said
    texts = [r for r in fake.requests[first:] if r.method == "PUT" and "description" in r.params]
    assert len(texts) == 1, texts  # the refused one only
    assert "Summary" in apply(gitlab).out  # the next run writes them


def test_a_run_gitlab_stops_after_its_writes_still_leaves_its_report(
    gitlab: GitLabBackend, tmp_path: Path
) -> None:
    """An operator's: a run that stopped with exit 3 after writing left no report, the run
    whose writes one most needs to know. Its report lists what it did and why it stopped."""
    fake = gitlab.fake

    def down() -> None:  # GitLab goes down, every read failing, after the run's first create
        fake.inject(503, times=10_000, method="GET")

    fake.before_request("POST", "/issues", down)
    report = tmp_path / "run-report.json"
    argv = ["apply", "--backend", "gitlab", "--today", "2026-11-24", "--rehearsal"]
    result = cli([*argv, "--report", str(report)], gitlab.env())
    assert result.code == 3, result.out + result.err
    said = json.loads(report.read_text("utf-8"))
    assert any(a["type"] == "create_issue" for a in said["actions"]), said
    assert any("the run stopped before its end: cannot reach GitLab" in n for n in said["notices"])


def test_an_issue_deleted_is_made_anew_and_said_once(gitlab: GitLabBackend) -> None:
    """A tester's: an owner deleted a participant's issue after ticks; the next run made a new
    one with only "created issue" to show for it. It says what became of the old one."""
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    iid = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"])
    fake.delete_issue(PROJECT, iid)
    result = apply(gitlab)
    assert result.code == 0, result.out + result.err
    said = f"issue #{iid}, which held an item of the program, was deleted: what people did in"
    assert said in result.out, result.out
    assert "created issue" in result.out
    again = apply(gitlab)
    assert "was deleted" not in again.out, again.out


@contextmanager
def _csm_applied(shipped: Path, key: str) -> Iterator[tuple[FakeGitLab, GitLabBackend, int]]:
    """The shipped CSM program applied once on a Premium fake: the fake, the backend and the
    iid of the issue of KEY."""
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        iid = next(i["iid"] for i in fake.issues(PROJECT) if find_key(i["description"]) == key)
        yield fake, backend, iid


@contextmanager
def _lead_changed(shipped: Path) -> Iterator[tuple[FakeGitLab, GitLabBackend, int]]:
    """The shipped CSM program applied once on a Premium fake, then its lead changed from
    chloe.winters to priya.natarajan (the tracking issue's assignees change): the fake, the
    backend and the tracking issue's iid."""
    with _csm_applied(shipped, "csm-aspiring-leaders/tracking") as (fake, backend, tracking):
        program = Path("config/programs/csm-aspiring-leaders.yml")
        program.write_text(
            program.read_text(encoding="utf-8").replace(
                "lead: chloe.winters", "lead: priya.natarajan"
            ),
            encoding="utf-8",
        )
        yield fake, backend, tracking


def test_an_assignee_write_saved_though_its_answer_was_lost_is_reported_once(
    shipped: Path,
) -> None:
    """A reviewer's: the assignee, due-date and epic redo branches were untested. The program
    lead changes; GitLab saves the tracking issue's assignees, then the connection drops; the
    redo from a new read finds them right: reported once, as the tool's write."""
    with _lead_changed(shipped) as (fake, backend, tracking):
        crashed: list[bool] = []

        def saved_then_lost() -> None:
            if not crashed and "assignee_ids" in fake.requests[-1].params:
                crashed.append(True)
                fake.crash_after_writes(1)

        fake.before_request("PUT", f"/issues/{tracking}", saved_then_lost, times=None)
        result = cli(
            ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"],
            backend.env(),
            FakeTime(fake),
        )
        assert result.code == 0, result.out + result.err
        assert crashed
        said = f"updated #{tracking} [csm-aspiring-leaders/tracking]: assignees +priya.natarajan"
        assert result.out.count(said) == 1, result.out


@pytest.mark.parametrize("status", [429, 503])
def test_a_change_a_person_made_in_the_wait_after_a_refusal_is_not_the_tools(
    shipped: Path, status: int
) -> None:
    """Reviewers': the tool's assignees write is answered 429 (GitLab did nothing) or 503 (it
    may have saved), and a person assigns the new lead in the wait: after a 429 the change
    found by the new read is the person's, not reported as the tool's write; after a 503 it
    may be the tool's own, and is reported as written."""
    with _lead_changed(shipped) as (fake, backend, tracking):
        fake.inject(status, retry_after=5, method="PUT", path_contains=f"/issues/{tracking}")
        priya = fake._user("priya.natarajan")

        class PersonInTheWait(FakeTime):
            def sleep(self, seconds: float) -> None:
                if not self.slept:
                    fake.state.project(PROJECT).issues[tracking].assignees = [priya]
                super().sleep(seconds)

        argv = ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"]
        result = cli(argv, backend.env(), PersonInTheWait(fake))
        assert result.code == 0, result.out + result.err
        said = f"updated #{tracking} [csm-aspiring-leaders/tracking]: assignees +priya.natarajan"
        assert (said in result.out) is (status == 503), result.out


def _typed_while_running(
    fake: FakeGitLab, backend: GitLabBackend, iid: int, old: str, new: str
) -> str:
    """Apply, while a person replaces OLD with NEW in issue IID after the run listed the
    issues and before it reads the issue again to write it: the issue's text after the run."""

    def type_it() -> None:
        now = fake.issues(PROJECT)[iid - 1]["description"]
        fake.edit_issue(PROJECT, iid, description=now.replace(old, new, 1))

    hook = fake.before_request("GET", f"/issues/{iid}", type_it)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert hook.fired == 1
    return str(fake.issues(PROJECT)[iid - 1]["description"])


def test_a_note_typed_in_the_progress_block_during_the_run_is_kept(shipped: Path) -> None:
    """Sam ticks a task; while the run works, after it listed the issues, he types a note in
    his progress table (its markers are hidden): the write of his new figures, made on the
    text read just before it, moves the note below the block, and keeps his tick."""
    key = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    with _csm_applied(shipped, key) as (fake, backend, sam):
        ticked = fake.issues(PROJECT)[sam - 1]["description"].replace("1. [ ] ", "1. [x] ", 1)
        fake.edit_issue(PROJECT, sam, description=ticked)
        note = "Sam: on leave in April."
        phase = "**Current phase:**"
        after = _typed_while_running(fake, backend, sam, phase, f"{note}\n\n{phase}")
        block, below = after.split("<!-- automation:end progress -->", 1)
        assert note not in block and note in below and "1. [x] " in after
        assert "| **Overall** | **1/" in block, block


def test_a_row_typed_in_a_kept_block_during_the_run_is_kept_below_it(shipped: Path) -> None:
    """Sam's manager changes in people.yml; while the run works, after it listed the issues,
    Sam types a row into the table the tool rewrites (the facts block): the write, made on
    the text read just before it, moves the row below the block instead of dropping it."""
    key = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    with _csm_applied(shipped, key) as (fake, backend, sam):
        people = Path("config/people.yml")
        text = people.read_text(encoding="utf-8")
        at = text.index("manager: priya.natarajan", text.index("username: sam.delacroix"))
        moved = text[:at] + "manager: chloe.winters" + text[at + len("manager: priya.natarajan") :]
        people.write_text(moved, encoding="utf-8")
        row = "| Mentor | Chloe, from March |"
        end = "<!-- automation:end kept-facts -->"
        after = _typed_while_running(fake, backend, sam, end, f"{row}\n{end}")
        block, below = after.split(end, 1)
        assert "@chloe.winters" in block and row not in block
        assert below.index("*Typed in the block above") < below.index(row)


def test_a_resource_lock_on_a_write_is_done_again_from_a_new_read(gitlab: GitLabBackend) -> None:
    """An adapter review: a person's save landing while GitLab saved the tool's write answers
    `409 Conflict: Resource lock` (Rails' optimistic locking; lib/api/api.rb). It was a
    failed item (exit 1); nothing was saved, so it is done again from a new read, which keeps
    what the person saved."""
    fake = gitlab.fake
    assert apply(gitlab).code == 0
    iid = next(i["iid"] for i in fake.issues(PROJECT) if "demo/tracking" not in i["description"])
    gitlab.edit(iid, lambda text: text.replace("- [ ]", "- [x]", 1))

    # the tool's write is refused, the person's save (committed as GitLab saved the tool's)
    # is there when it reads the issue again
    locked = fake.inject(
        409, method="PUT", path_contains=f"/issues/{iid}", message="409 Conflict: Resource lock"
    )

    def saved_meanwhile() -> None:
        text = fake.issues(PROJECT)[iid - 1]["description"]
        if locked.fired and "A note saved" not in text:
            note = f"{text}\nA note saved as the run wrote.\n"
            fake.edit_issue(PROJECT, iid, description=note, as_user="user000")

    fake.before_request("GET", f"/issues/{iid}", saved_meanwhile, times=None)
    result = apply(gitlab, FakeTime(fake))
    assert result.code == 0, result.out + result.err
    issue = fake.issues(PROJECT)[iid - 1]
    assert "A note saved as the run wrote." in issue["description"]
    assert "progress::0%" not in issue["labels"], issue["labels"]  # the tick's figures written
    resent = [r for r in fake.requests if r.method == "PUT" and r.path.endswith(f"/issues/{iid}")]
    assert len(resent) >= 2 and "Resource lock" not in result.out
