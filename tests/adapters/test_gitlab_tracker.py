"""The GitLab tracker against the fake: request budgets, faults, tiers, access and secrets."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import math
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

import automation.run as run_module
from automation.cli import run
from automation.config.models import GitLabSettings
from automation.errors import ItemError, Stopped, TrackerUnavailable, TransientError
from automation.items import NewIssue
from automation.lock import RunLock
from automation.markers import find_key
from automation.progress import LabelSpec
from automation.renames import label_renamed
from automation.run import _no_program
from automation.syncrecord import RECORD_LABEL
from automation.trackers.base import OVER_COUNTED, open_ones_carry
from automation.trackers.gitlab import (
    FIRST_TRIES,
    LOCK_LABEL,
    Connection,
    GitLabTracker,
    _lock_text,
    _observed,
    readable,
)
from tests.backends import (
    GROUP,
    PROJECT,
    TOKEN,
    URL,
    GitLabBackend,
    Result,
    StepClock,
    cli,
    new_fake,
)
from tests.fakes import gitlab_fake
from tests.fakes.gitlab_fake import FakeGitLab, Issue
from tests.projects import demo_program, make_project, program_with, roster

REPO = Path(__file__).resolve().parents[2]
SETTINGS = f"gitlab:\n  group: {GROUP}\n  project: {PROJECT}\n  issue_creates_per_minute: 200\n"
TEMPLATE = "## One\n- [ ] first task\n- [ ] second task\n\n{{ managed_block('progress') }}\n"


pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py


def users(n: int) -> list[str]:
    return [f"user{i:03d}" for i in range(n)]


def setup_project(root: Path, n: int) -> None:
    make_project(
        root,
        {
            "config/settings.yml": SETTINGS,
            "config/people.yml": roster(users(n)),
            "config/programs/demo.yml": program_with(users(n)),
            "templates/demo.md.j2": TEMPLATE,
        },
    )
    shutil.copytree(
        REPO / "templates" / "blocks", root / "templates" / "blocks", dirs_exist_ok=True
    )


@contextmanager
def free_gitlab(root: Path, n: int, people: int | None = None) -> Iterator[GitLabBackend]:
    """The demo project of N participants in ROOT (the working folder), on a Free GitLab
    whose users are PEOPLE of the roster (all N by default)."""
    setup_project(root, n)
    fake = new_fake(tier="free", users=tuple(users(people or n)))
    with fake.activate():
        yield GitLabBackend(fake)


def keys(fake: FakeGitLab) -> Counter[str]:
    return Counter(find_key(i["description"] or "") or "" for i in fake.issues(PROJECT))


def ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    return result


# --- budgets ----------------------------------------------------------------------------------


@pytest.mark.heavy
def test_rerun_of_250_issues_lists_in_pages_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 250)
    fake = new_fake(users=tuple(users(250)))
    with fake.activate():
        backend = GitLabBackend(fake)
        ok(backend.cli("apply"))
        assert len(fake.issues(PROJECT)) == 251
        fake.requests.clear()
        assert "No changes: 251 issues are up to date" in ok(backend.cli("apply")).out
        # nothing but the record that this run found nothing to do (a label's description)
        assert fake.count("POST") + fake.count("PUT") == backend.record_writes() == 1
        issue_lists = sum(1 for r in fake.requests if "labels" in r.query and "/issues" in r.path)
        assert issue_lists == math.ceil(251 / 100)
        # user, token scopes, project, group, record, changed since, labels, epics probe,
        # epics list; and the record's creation (its read found none)
        assert len(fake.requests) <= issue_lists + 10

        target = fake.issues(PROJECT)[42]["iid"]
        backend.edit(target, lambda t: t.replace("- [ ] first task", "- [x] first task"))
        fake.requests.clear()
        ok(backend.cli("apply"))
        written = [
            (r.method, r.path.rsplit("/", 1)[-1])
            for r in fake.requests
            if r.method in ("POST", "PUT") and "/labels" not in r.path
        ]
        tracking = fake.issues(PROJECT)[-1]["iid"]
        # the ticked issue's description and labels change in one PUT; then the rollup
        assert sorted(written) == sorted([("PUT", str(target)), ("PUT", str(tracking))])
        ticked = fake.issues(PROJECT)[42]
        assert "progress::50-74%" in ticked["labels"]
        assert "- [x] first task" in ticked["description"]
        # the run lock (taken and released), and one fresh read per rewritten description
        assert fake.count("POST", "/labels") == fake.count("DELETE", "/labels") == 1
        single_reads = [
            r
            for r in fake.requests
            if r.method == "GET" and r.path.endswith((f"/issues/{target}", f"/issues/{tracking}"))
        ]
        assert len(single_reads) == 2


def test_creates_are_paced_under_the_configured_rate(gitlab: GitLabBackend) -> None:
    clock = {"now": 0.0}
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock["now"] += seconds

    settings = GitLabSettings(group=GROUP, project=PROJECT, issue_creates_per_minute=3)
    tracker = GitLabTracker(
        Connection(URL, TOKEN), settings, sleep=sleep, monotonic=lambda: clock["now"]
    )
    created_at: list[float] = []
    for i in range(8):
        tracker.create_issue(
            NewIssue(f"p/k{i}", f"t{i}", f"<!-- automation:key=p/k{i} -->\n", ("program::p",))
        )
        created_at.append(clock["now"])
        clock["now"] += 1.0  # each create takes a second
    # a small batch goes out at once; never more than 3 creates in any 60 seconds
    assert created_at[:3] == [0.0, 1.0, 2.0]
    assert all(
        later - first >= 60 for first, later in zip(created_at, created_at[3:], strict=False)
    )
    assert waits and max(waits) <= 60


def test_the_record_and_the_lock_are_updated_through_the_documented_path(
    gitlab: GitLabBackend,
) -> None:
    """`PUT /groups/:id/labels/:label_id`: GitLab deprecated the form that names the label in
    the body (python-gitlab's `update`), and an API built from the documentation may not
    serve it: the record would never be renewed, and a long run's lock never extended."""
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    tracker = GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)
    until = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert tracker.lock_take("run-1", until)
    tracker.lock_extend("run-1", until + dt.timedelta(minutes=10))
    tracker.write_sync_record("first")  # not found (404), so created
    tracker.write_sync_record("second")  # updated
    labels = f"/api/v4/groups/{GROUP}/labels"
    puts = [r.path for r in gitlab.fake.requests if r.method == "PUT"]
    assert puts == [
        f"{labels}/automation-run-lock",
        f"{labels}/automation-last-full-run",  # 404: not there yet
        f"{labels}/automation-last-full-run",
    ]
    assert tracker.lock_read() == ("run-1", until + dt.timedelta(minutes=10))
    assert tracker.read_sync_record() == "second"


def test_two_runs_that_find_the_same_expired_lock_never_both_hold_it(
    gitlab: GitLabBackend,
) -> None:
    """A crashed run's lock has expired. Run B reads it, and before B deletes it, run A
    takes over (deletes it, makes its own). B's delete names the label it read (its id), so
    A's lock stays; B then finds A's lock live and waits (here: gives up at once)."""
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    one, two, three = (
        GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None) for _ in range(3)
    )
    clock = StepClock(dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC))
    assert one.lock_take("run-crashed", clock.now() - dt.timedelta(hours=2))
    run_a = RunLock(two, clock, holder="run-A")
    run_b = RunLock(three, clock, holder="run-B", wait=dt.timedelta(0))
    drop = three.lock_drop

    def a_takes_over_first() -> None:
        run_a.acquire()
        drop()

    three.lock_drop = a_takes_over_first  # type: ignore[method-assign]
    with pytest.raises(TrackerUnavailable, match="another run of the automation holds the lock"):
        run_b.acquire()
    held = one.lock_read()
    assert held is not None and held[0] == "run-A"


def test_a_run_whose_lock_expired_and_was_taken_over_does_not_extend_the_new_one(
    gitlab: GitLabBackend,
) -> None:
    """A lock tester's finding: run A's lock expired (one very slow request); A reads it, still
    its own, and before A extends it run B deletes it and takes the lock. A's extension names
    the label it read (its id), so B's lock keeps B's name, and A stops."""
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    one, two = (
        GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None) for _ in range(2)
    )
    now = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
    assert one.lock_take("run-A", now - dt.timedelta(minutes=5))
    assert one.lock_read() == ("run-A", now - dt.timedelta(minutes=5))  # keep_alive's read
    assert two.lock_read() is not None
    two.lock_drop()
    assert two.lock_take("run-B", now + dt.timedelta(hours=1))
    with pytest.raises(TrackerUnavailable, match="the run lock is gone"):
        one.lock_extend("run-A", now + dt.timedelta(hours=1))
    assert two.lock_read() == ("run-B", now + dt.timedelta(hours=1))


# GitLab's answer to the loser of two creates of one label title at once: LabelHelpers checks
# the title (409 if in use), then the model's uniqueness validation fails the insert
TAKEN = {"title": ["has already been taken"]}


def test_a_lock_taken_by_a_run_racing_this_one_is_waited_for_not_gitlab_gone(
    gitlab: GitLabBackend,
) -> None:
    """Two runs take the lock at once: the API's check for the title passes for both, and the
    loser's insert fails the label's uniqueness validation (400, not 409). That run finds the
    lock held by the other and waits (here: gives up at once), as after a 409; it used to say
    GitLab could not be reached (exit 3 with GitLab's message)."""
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    one, two = (
        GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None) for _ in range(2)
    )
    clock = StepClock(dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC))
    assert one.lock_take("run-A", clock.now() + dt.timedelta(hours=1))
    race = gitlab.fake.inject(400, method="POST", path_contains="/labels", message=TAKEN)
    with pytest.raises(TrackerUnavailable, match="another run of the automation holds the lock"):
        RunLock(two, clock, holder="run-B", wait=dt.timedelta(0)).acquire()
    assert race.fired == 1
    assert one.lock_read() == ("run-A", clock.now() + dt.timedelta(hours=1))


def test_a_label_another_run_creates_at_the_same_time_is_not_an_error(
    gitlab: GitLabBackend,
) -> None:
    """The label the run creates is created at the same moment by another run (or by a
    person): GitLab answers the loser 400 `title has already been taken`, which means the
    label is there, as 409 does. Any other 400 is still an error."""
    spec = LabelSpec("status::complete", "#5cb85c", "Issue status (managed)")
    race = gitlab.fake.inject(400, method="POST", path_contains="/labels", message=TAKEN)
    gitlab.tracker().create_label(spec)
    assert race.fired == 1
    gitlab.fake.inject(400, method="POST", path_contains="/labels", message={"color": ["bad"]})
    with pytest.raises(ItemError, match="color"):
        gitlab.tracker().create_label(spec)


@pytest.mark.parametrize("minutes_left", [30, -30])
def test_a_subgroup_deployment_waits_out_its_parent_groups_lock(
    gitlab: GitLabBackend, minutes_left: int
) -> None:
    """README, "One run at a time": a deployment whose group is a subgroup of another's
    cannot make its lock while the parent's exists (GitLab's create checks the ancestors'
    labels), nor delete the parent's lock when it has expired (update and delete see only the
    subgroup's own): it waits ten minutes and stops with exit 3, the parent's lock untouched."""
    fake, start = gitlab.fake, dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
    fake.add_group(f"{GROUP}/team")
    parents = fake.client().groups.get(GROUP).labels
    until = start + dt.timedelta(minutes=minutes_left)
    parents.create({"name": LOCK_LABEL, "color": "#808080", "description": _lock_text("p", until)})
    settings = GitLabSettings(group=f"{GROUP}/team", project=PROJECT)
    tracker = GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)
    with pytest.raises(TrackerUnavailable, match="another run of the automation holds the lock"):
        RunLock(tracker, StepClock(start)).acquire()
    assert LOCK_LABEL in fake.labels(GROUP) and LOCK_LABEL not in fake.labels(f"{GROUP}/team")


def test_a_subgroup_deployment_keeps_a_record_of_its_own(gitlab: GitLabBackend) -> None:
    """A deployment whose group is a subgroup of another's neither reads that one's record as
    its own (GitLab's label read looks in the ancestors too, unless told not to) nor goes
    without one (GitLab refuses the subgroup a label of the name its parent uses): it keeps
    its record under a name of its own, and reads it back."""
    fake = gitlab.fake
    fake.add_group(f"{GROUP}/team")
    parents = fake.client().groups.get(GROUP).labels
    parents.create({"name": RECORD_LABEL, "color": "#808080", "description": "the parent's"})
    fake.add_project(f"{GROUP}/team/programs")
    settings = GitLabSettings(group=f"{GROUP}/team", project=f"{GROUP}/team/programs")

    def subgroups() -> GitLabTracker:
        tracker = GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)
        tracker.check_access()
        return tracker

    assert subgroups().read_sync_record() is None
    first = subgroups()
    first.read_sync_record()
    first.write_sync_record("the team's")
    assert subgroups().read_sync_record() == "the team's"
    subgroups().write_sync_record("the team's, again")  # its own label, found: updated
    assert subgroups().read_sync_record() == "the team's, again"
    ours = {n: lb["description"] for n, lb in fake.labels(f"{GROUP}/team").items()}
    assert list(ours.values()) == ["the team's, again"]
    assert next(iter(ours)).startswith(RECORD_LABEL)
    assert fake.labels(GROUP)[RECORD_LABEL]["description"] == "the parent's"
    assert not any(name.startswith(RECORD_LABEL) for name in subgroups().label_names())


# --- faults -----------------------------------------------------------------------------------


def test_429_every_few_requests_still_converges(gitlab: GitLabBackend) -> None:
    fault = gitlab.fake.inject(429, retry_after=0, every=3)
    ok(gitlab.cli("apply"))
    assert fault.fired > 3
    assert set(keys(gitlab.fake).values()) == {1} and len(keys(gitlab.fake)) == 4
    assert "No changes" in ok(gitlab.cli("apply")).out


def test_502_during_creates_is_retried_without_duplicates(gitlab: GitLabBackend) -> None:
    fault = gitlab.fake.inject(502, times=4, method="POST", path_contains="/issues")
    ok(gitlab.cli("apply"))
    assert fault.fired == 4
    assert set(keys(gitlab.fake).values()) == {1} and len(keys(gitlab.fake)) == 4


MINI_RUN_WRITES = 23  # 12 labels, 4 issues, 2 epics; then the rollup, 4 issues into epics


@pytest.mark.parametrize("k", range(1, MINI_RUN_WRITES + 1))
def test_write_that_commits_then_times_out_never_duplicates(gitlab: GitLabBackend, k: int) -> None:
    crash = gitlab.fake.crash_after_writes(k)
    result = gitlab.cli("apply")
    assert crash.fired == 1
    assert result.code in (0, 1)
    ok(gitlab.cli("apply"))
    assert set(keys(gitlab.fake).values()) == {1} and len(keys(gitlab.fake)) == 4
    epic_keys = sorted(find_key(e["description"]) or "" for e in gitlab.fake.epics(GROUP))
    assert epic_keys == ["demo/c1/epic", "demo/epic"]
    assert "No changes" in ok(gitlab.cli("apply")).out


def test_create_that_keeps_failing_is_reported_and_others_continue(gitlab: GitLabBackend) -> None:
    gitlab.fake.inject(500, times=1000, method="POST", path_contains="/projects/")
    result = gitlab.cli("apply")
    assert result.code == 1
    assert result.out.count("FAILED [demo/") >= 1
    assert "500" in result.out
    # nothing for the operator to fix, and said so (a tester)
    assert "500 Internal Server Error (GitLab's own error: the next run tries again)" in result.out


def test_a_429_storm_is_said_as_a_rate_limit_not_as_gitlab_gone(gitlab: GitLabBackend) -> None:
    gitlab.fake.inject(429, retry_after=0, times=10_000, method="GET", path_contains="/issues")
    result = gitlab.cli("apply")
    assert result.code == 3
    assert "kept refusing requests for too many (429, its rate limit of the token's user)" in (
        result.err
    )
    assert "cannot reach" not in result.err


def test_unknown_assignee_fails_only_that_issue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 3)
    fake = new_fake(users=("user000", "user002"))
    with fake.activate():
        result = GitLabBackend(fake).cli("apply")
    assert result.code == 1
    assert (
        "FAILED [demo/c1/user001]: no active GitLab user has the username 'user001' (GitLab "
        "does not list blocked, banned or deleted accounts); fix it in people.yml, or take "
        "the person out of the program" in result.out
    )
    assert set(keys(fake)) == {"demo/c1/user000", "demo/c1/user002", "demo/tracking"}


# --- tiers ------------------------------------------------------------------------------------


def test_free_tier_keeps_one_value_per_managed_scope(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with free_gitlab(tmp_path, 2) as backend:
        fake = backend.fake
        ok(backend.cli("apply"))
        first = fake.issues(PROJECT)[0]["iid"]
        backend.edit(first, lambda t: t.replace("- [ ] first task", "- [x] first task"))
        ok(backend.cli("apply"))
        backend.edit(first, lambda t: t.replace("- [ ] second task", "- [x] second task"))
        ok(backend.cli("apply"))
        labels = fake.issues(PROJECT)[0]["labels"]
    scopes = Counter(label.rsplit("::", 1)[0] for label in labels if "::" in label)
    assert set(scopes.values()) == {1}
    assert "status::complete" in labels and "progress::100%" in labels


def test_existing_group_labels_are_not_an_error(gitlab: GitLabBackend) -> None:
    gitlab.fake.add_label(GROUP, "status::complete")
    gitlab.fake.add_label(GROUP, "program::demo")
    ok(gitlab.cli("apply"))
    # the two that exist are not posted (the 13th is the run lock)
    assert gitlab.fake.count("POST", "/labels") == 12 + 1
    spec = LabelSpec("status::complete", "#5cb85c", "Issue status (managed)")
    gitlab.tracker().create_label(spec)  # created meanwhile by someone else: 409 is success
    assert gitlab.fake.count("POST", "/labels") == 14


def test_of_a_project_and_a_group_label_of_one_name_the_groups_description_is_read(
    gitlab: GitLabBackend,
) -> None:
    """A fidelity review (LabelsFinder): GitLab keeps a project label and a group label of one
    title (one made before the other) and lists both, ordered by title alone; the tool read
    whichever came last (the fake lists the project's last). It reads the group's, which is
    the one it makes."""
    fake = gitlab.fake
    fake.add_label(PROJECT, "program::demo")
    fake.add_label(GROUP, "program::demo")
    fake.state.group(GROUP).labels["program::demo"].description = "the tool's description"
    tracker = gitlab.tracker()
    assert "program::demo" in tracker.label_names()
    assert tracker.label_description("program::demo") == "the tool's description"


def test_labels_are_provisioned_at_group_level_before_issues(gitlab: GitLabBackend) -> None:
    ok(gitlab.cli("apply"))
    posts = [r.path for r in gitlab.fake.requests if r.method == "POST"]
    first_issue = next(i for i, p in enumerate(posts) if p.endswith("/issues"))
    assert all("/groups/" in p for p in posts[:first_issue])
    assert not gitlab.fake.labels(PROJECT)  # nothing auto-created as a bare project label


# --- access and secrets ---------------------------------------------------------------------


def run_with(fake: FakeGitLab, env: dict[str, str], caplog: pytest.LogCaptureFixture) -> Result:
    caplog.set_level(logging.DEBUG)
    with fake.activate():
        return cli(["apply", "--backend", "gitlab"], env)


def assert_secret(result: Result, caplog: pytest.LogCaptureFixture) -> None:
    assert TOKEN not in result.out + result.err
    assert TOKEN not in caplog.text


def test_bad_token_exits_3_without_printing_it(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    result = run_with(gitlab.fake, {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN + "x"}, caplog)
    assert result.code == 3
    assert "GitLab rejected the token while checking the token (401)" in result.err
    assert (TOKEN + "x") not in result.err + result.out + caplog.text


def test_missing_project_exits_3(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    (tmp_path / "config" / "settings.yml").write_text(
        SETTINGS.replace(PROJECT, "enablement/nope"), "utf-8"
    )
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert "GitLab has no project enablement/nope here, or the token cannot see it" in result.err
    assert_secret(result, caplog)


def test_role_too_low_exits_3_before_any_write(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.set_role("guest")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert "the token's user has access level 10 (Guest) in enablement/programs" in result.err
    assert "needs at least the Planner (or Reporter) role" in result.err
    assert gitlab.fake.count("POST") == gitlab.fake.count("PUT") == 0
    assert_secret(result, caplog)


def test_a_refused_write_still_ends_the_run_with_exit_3(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.inject(403, method="POST", path_contains="/labels")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert "GitLab refused taking the run lock (403 Forbidden): " in result.err
    assert "a project access token is not enough" in result.err  # an operator had one
    assert "role in group enablement and project enablement/programs" in result.err  # named
    assert not gitlab.fake.issues(PROJECT)


def test_a_blocked_token_user_is_told_so_not_told_to_fix_a_role(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.set_user_state(gitlab.fake.owner.username, "blocked")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert "(403 Forbidden: Your account has been blocked.)" in result.err
    assert "an administrator must make the user active again" in result.err
    assert "Planner" not in result.err
    assert gitlab.fake.count("POST") == gitlab.fake.count("PUT") == 0
    assert_secret(result, caplog)


def test_a_lock_left_by_a_user_blocked_mid_run_is_said_outside_the_sections_and_reported(
    gitlab: GitLabBackend, tmp_path: Path
) -> None:
    """A reviewer: the note that tells the on-call person to delete the lock was folded away
    inside the last program's CI section, and missing from the report."""
    fake = gitlab.fake
    fake.before_request(
        "POST", "/issues", lambda: fake.set_user_state(fake.owner.username, "blocked")
    )
    env = {**gitlab.env(), "GITLAB_CI": "true"}
    report = tmp_path / "r.json"
    result = cli(["apply", "--backend", "gitlab", "--report", str(report)], env)
    assert result.code == 3
    out = result.out
    assert out.count("section_start:") == out.count("section_end:") > 0
    # after the program's section closed
    assert out.rfind("section_end:") < out.find("could not be released")
    lines = out.strip().split("\n")
    note = next(line for line in lines if "could not be released" in line)
    assert lines[-1].startswith("Summary: the run stopped before its end: 1 created")
    assert "(403 Forbidden: Your account has been blocked.)" in note
    assert "the token's user needs" not in note  # the advice is the error's, once
    notices = json.loads(report.read_text("utf-8"))["notices"]
    assert any("could not be released" in notice for notice in notices)


def made_and_ticked(gitlab: GitLabBackend) -> list[dict[str, Any]]:
    """The first run, then a tick in each participant's issue: those issues, by iid."""
    assert cli(["apply", "--backend", "gitlab"], gitlab.env()).code == 0
    issues = sorted(
        (i for i in gitlab.fake.issues(PROJECT) if "- [ ] first task" in (i["description"] or "")),
        key=lambda i: i["iid"],
    )
    for issue in issues:
        gitlab.edit(issue["iid"], lambda t: t.replace("- [ ] first task", "- [x] first task"))
    return issues


def test_a_run_that_stops_says_the_items_that_had_failed_by_then(
    gitlab: GitLabBackend, tmp_path: Path
) -> None:
    """A tester: a run stopped by a 403 dropped, from its log and its report, the item that
    had failed before it."""
    fake = gitlab.fake
    issues = made_and_ticked(gitlab)
    first, last = issues[0]["iid"], issues[-1]["iid"]
    fake.inject(502, times=1000, method="PUT", path_contains=f"/issues/{first}")
    fake.inject(403, times=1000, method="PUT", path_contains=f"/issues/{last}")
    fake.clock.advance(dt.timedelta(hours=1))
    report = tmp_path / "r.json"
    result = cli(["apply", "--backend", "gitlab", "--full", "--report", str(report)], gitlab.env())
    assert result.code == 3, result.out + result.err
    assert f"FAILED [demo/c1/user000]: GitLab failed while updating issue #{first}" in result.out
    assert ", 1 failed" in result.out.strip().split("\n")[-1]
    said = json.loads(report.read_text("utf-8"))
    assert said["summary"]["failed"] == 1 and len(said["failures"]) == 1
    assert said["exit_code"] == 3


@pytest.mark.parametrize("stop", [Stopped(15), KeyboardInterrupt()], ids=["SIGTERM", "Ctrl-C"])
def test_a_cancelled_run_says_the_items_that_had_failed_by_then(
    gitlab: GitLabBackend, tmp_path: Path, stop: BaseException
) -> None:
    """A CI job cancelled (SIGTERM) or a run stopped with Ctrl-C after an item had failed:
    its log and its report said nothing of that item (GitLab's own stops did)."""
    fake = gitlab.fake
    issues = made_and_ticked(gitlab)
    first, last = issues[0]["iid"], issues[-1]["iid"]
    fake.inject(502, times=1000, method="PUT", path_contains=f"/issues/{first}")

    def stopping() -> None:
        raise stop

    fake.before_request("PUT", f"/issues/{last}", stopping)
    fake.clock.advance(dt.timedelta(hours=1))
    report, out, err = tmp_path / "r.json", io.StringIO(), io.StringIO()
    argv = ["apply", "--backend", "gitlab", "--full", "--report", str(report)]
    with pytest.raises(type(stop)):
        run(argv, gitlab.env(), out, err, StepClock())
    said = out.getvalue()
    assert f"FAILED [demo/c1/user000]: GitLab failed while updating issue #{first}" in said
    assert said.strip().split("\n")[-1].startswith("Summary: the run stopped before its end")
    assert ", 1 failed" in said.strip().split("\n")[-1]
    reported = json.loads(report.read_text("utf-8"))
    assert reported["summary"]["failed"] == 1 and len(reported["failures"]) == 1
    assert reported["failures"][0]["key"] == "demo/c1/user000"


def test_a_run_stopped_in_its_second_round_says_the_first_rounds_failures(
    gitlab: GitLabBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: an issue made again forces a second round, whose plan finds GitLab gone;
    the first round's failure was said nowhere."""
    fake = gitlab.fake
    issues = made_and_ticked(gitlab)
    fake.delete_issue(PROJECT, issues[-1]["iid"])  # made again: a second round follows
    fake.inject(502, times=1000, method="PUT", path_contains=f"/issues/{issues[0]['iid']}")
    fake.clock.advance(dt.timedelta(hours=1))
    real, calls = run_module.make_plan, []

    def planning(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # the second round's plan (the first is made twice, at the lock)
            raise TrackerUnavailable("cannot reach GitLab (connection refused)")
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "make_plan", planning)
    report = tmp_path / "r.json"
    result = cli(["apply", "--backend", "gitlab", "--full", "--report", str(report)], gitlab.env())
    assert result.code == 3 and len(calls) == 3
    assert "FAILED [demo/c1/user000]" in result.out
    assert json.loads(report.read_text("utf-8"))["summary"]["failed"] == 1


def test_a_run_that_finished_and_could_not_release_its_lock_reports_it(
    gitlab: GitLabBackend, tmp_path: Path
) -> None:
    """A reviewer: only a stopped run's report said so; the next runs wait up to an hour."""
    gitlab.fake.inject(503, times=1000, method="DELETE", path_contains="/labels/")
    report = tmp_path / "r.json"
    result = cli(["apply", "--backend", "gitlab", "--report", str(report)], gitlab.env())
    assert result.code == 0, result.out + result.err
    note = next(line for line in result.out.split("\n") if "could not be released" in line)
    assert "(GitLab failed while releasing the run lock: 503 Service Unavailable)" in note
    assert "the next run tries again" not in note and "once the cause is mended" in note
    notices = json.loads(report.read_text("utf-8"))["notices"]
    assert any("could not be released" in notice for notice in notices)


@pytest.mark.parametrize(
    "reason",
    [
        "Your account is pending approval from your administrator and hence blocked.",
        "Your password expired. Please access GitLab from a web browser to update your password.",
        "Your primary email address is not confirmed. Please check your inbox for the "
        "confirmation instructions.",
    ],
)
def test_gitlabs_other_account_refusals_get_the_account_advice(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture, reason: str
) -> None:
    gitlab.fake.inject(403, times=1000, message=f"403 Forbidden - {reason}")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert reason in result.err and "an administrator must make the user active" in result.err
    assert "Planner" not in result.err


def test_a_project_access_tokens_plan_says_apply_needs_the_group(
    gitlab: GitLabBackend,
) -> None:
    """A tester's dry run with a project access token gave a clean plan, and apply was
    refused at the run lock: the plan says so first."""
    fake = gitlab.fake
    bot = fake.owner.username
    fake.act_as("project_7_bot_abc")
    fake.set_member_role("project_7_bot_abc", "maintainer", PROJECT)
    planned = gitlab.cli("plan")
    assert planned.code == 0, planned.out + planned.err
    said = "the token's user is a member of project enablement/programs but, as GitLab reports"
    assert said in planned.err and "apply needs a role in group enablement" in planned.err
    fake.act_as(bot)
    assert said not in gitlab.cli("plan").err  # a member of the group: nothing to say


def test_a_token_that_expires_within_two_weeks_is_noted(gitlab: GitLabBackend) -> None:
    """A tester: nothing said a token was about to expire, though GitLab tells."""
    fake = gitlab.fake
    today = fake.clock.now().date()
    fake.token_expires = today + dt.timedelta(days=15)
    assert "expires on" not in gitlab.cli("plan").err
    fake.token_expires = today + dt.timedelta(days=14)
    result = gitlab.cli("apply", "--report", "r.json")
    assert result.code == 0, result.out + result.err
    when = fake.token_expires.isoformat()
    said = f"the token (GITLAB_TOKEN) expires on {when} at 00:00 UTC (its last day"
    assert f"note: {said}" in result.err
    notices = json.loads(Path("r.json").read_text(encoding="utf-8"))["notices"]
    assert any(said in notice for notice in notices)  # in the job's artifact too
    assert TOKEN not in result.out + result.err
    fake.clock.advance(dt.timedelta(days=14))  # that day: GitLab refuses it
    expired = gitlab.cli("apply")
    assert expired.code == 3 and "GitLab rejected the token" in expired.err


def test_token_without_api_scope_exits_3_naming_the_scope(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.token_scopes = ["read_api"]
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert "the token has the scopes read_api, but it needs the `api` scope" in result.err


def test_a_read_only_gitlab_is_said_as_such_not_as_a_missing_role(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """A fidelity review: GitLab in maintenance mode (or a Geo secondary) refuses every write
    with 403 and its own message; the run told the operator to change the token's role."""
    gitlab.fake.read_only = True
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3, result.out + result.err
    assert "this GitLab takes no writes now (maintenance mode, or a Geo secondary" in result.err
    assert "role" not in result.err, result.err


def test_project_outside_the_group_exits_3(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    gitlab.fake.add_group("elsewhere")
    settings = tmp_path / "config" / "settings.yml"
    settings.write_text(SETTINGS.replace(f"group: {GROUP}", "group: elsewhere"), "utf-8")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert "project enablement/programs is in enablement, not inside group elsewhere" in result.err


def test_group_given_by_its_id_holds_the_project(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A group's id keeps working after the group is renamed (GitLab does not find a group
    under its old path); the project is checked against the group the id names."""
    group_id = gitlab.fake.state.group(GROUP).id
    settings = tmp_path / "config" / "settings.yml"
    settings.write_text(SETTINGS.replace(f"group: {GROUP}", f"group: '{group_id}'"), "utf-8")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 0, result.out + result.err
    assert gitlab.fake.issues(PROJECT)


def test_group_and_project_written_in_another_case_are_found_as_gitlab_finds_them(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    settings = tmp_path / "config" / "settings.yml"
    text = SETTINGS.replace(f"group: {GROUP}", f"group: {GROUP.title()}")
    settings.write_text(text.replace(f"project: {PROJECT}", f"project: {PROJECT.upper()}"), "utf-8")
    assert f"group: {GROUP.title()}" in settings.read_text("utf-8")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 0, result.out + result.err
    assert gitlab.fake.issues(PROJECT)


def test_unreachable_gitlab_exits_3(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.inject(connection_error=True, times=1000)
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3
    assert f"cannot reach GitLab at {URL}" in result.err


def test_a_mistake_in_the_files_is_said_before_gitlab_being_out_of_reach(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A newcomer: `apply` reads settings.yml and asks GitLab first (a run with nothing to do
    stops there), so with GitLab out of reach a mistake in people.yml was hidden behind
    exit 3, where `plan` said it (exit 2). Out of reach, `apply` reads the files too, and a
    mistake in them is what it says."""
    people = tmp_path / "config" / "people.yml"
    people.write_text(people.read_text("utf-8") + "  - oops\n", "utf-8")
    gitlab.fake.inject(connection_error=True, times=1000)
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 2, result.out + result.err
    assert "config/people.yml" in result.err and "nothing was written" in result.err


def test_a_gitlab_that_answered_and_then_drops_connections_is_tried_as_long_as_before(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """Only a GitLab that never answered in the run is given up on after three failed
    connections (a wrong address): one that answered, then drops a few (a restart, a load
    balancer), gets python-gitlab's retries, and the run goes on."""
    dropped = gitlab.fake.inject(
        connection_error=True, times=5, method="GET", path_contains="/labels"
    )
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 0, result.out + result.err
    assert dropped.fired == 5


def test_a_blip_at_the_start_of_a_run_is_ridden_out(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """A review: three failed connections before GitLab's first answer, a third of a second,
    ended a run; a blip at the start (a load balancer, a runner's network not up yet) is
    ridden out."""
    blip = gitlab.fake.inject(connection_error=True, times=FIRST_TRIES - 1)
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 0, result.out + result.err
    assert blip.fired == FIRST_TRIES - 1


def test_gitlab_without_epics_api_falls_back_to_links(gitlab: GitLabBackend) -> None:
    gitlab.fake.inject(404, times=1000, path_contains="/epics")
    result = ok(gitlab.cli("apply"))
    assert "note: epics are not available" in result.out


def test_token_in_gitlab_error_text_is_never_printed(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.inject(
        500, times=1000, method="POST", path_contains="/issues", message=f"boom {TOKEN}"
    )
    gitlab.fake.inject(
        connection_error=True,
        times=1000,
        method="POST",
        path_contains="/labels",
        message=f"lost {TOKEN}",
    )
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3  # the run lock is a group label: GitLab could not be reached
    assert "[token]" in result.err
    assert_secret(result, caplog)
    gitlab.fake.clear_faults()
    gitlab.fake.inject(
        500, times=1000, method="POST", path_contains="/issues", message=f"boom {TOKEN}"
    )
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 1
    assert "[token]" in result.out
    assert_secret(result, caplog)


def test_connection_repr_hides_the_token() -> None:
    assert TOKEN not in repr(Connection(URL, TOKEN))


def test_network_failures_do_not_leak_the_token(
    gitlab: GitLabBackend, caplog: pytest.LogCaptureFixture
) -> None:
    gitlab.fake.inject(connection_error=True, times=1000, method="POST")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 3  # not even the run lock could be taken
    assert "cannot reach GitLab" in result.err
    assert_secret(result, caplog)
    gitlab.fake.clear_faults()
    gitlab.fake.inject(connection_error=True, times=1000, method="POST", path_contains="/issues")
    result = run_with(gitlab.fake, gitlab.env(), caplog)
    assert result.code == 1  # the lock, labels and epics were written; the issues failed
    assert_secret(result, caplog)


def test_missing_url_is_explained(gitlab: GitLabBackend) -> None:
    result = cli(["plan", "--backend", "gitlab"], {"GITLAB_TOKEN": TOKEN})
    assert result.code == 3
    assert "GITLAB_URL is not set (nor CI_SERVER_URL)" in result.err
    assert TOKEN not in result.err


def test_quick_actions_and_mentions_from_config_do_nothing_in_gitlab(
    gitlab: GitLabBackend, tmp_path: Path
) -> None:
    people = (tmp_path / "config" / "people.yml").read_text("utf-8")
    (tmp_path / "config" / "people.yml").write_text(
        people.replace("name: Person user000", 'name: "/close @all /label ~x"'), "utf-8"
    )
    (tmp_path / "templates" / "demo.md.j2").write_text(
        "{{ participant.name }}\n## One\n- [ ] first task\n", "utf-8"
    )
    ok(gitlab.cli("apply"))
    assert gitlab.fake.quick_actions == []
    assert [m.username for m in gitlab.fake.mentions] == []
    assert all(i["state"] == "opened" for i in gitlab.fake.issues(PROJECT))


def test_a_template_that_makes_a_mention_out_of_a_value_notifies_nobody(
    gitlab: GitLabBackend, tmp_path: Path
) -> None:
    """Staff-written template tricks (a reviewer's): a participant's mention turned into
    `@all` and hidden from the check by backticks inside HTML attributes (a tag binds before
    a code span), a value joined to a mention, and the invisible space taken out of a value:
    none mentions anyone but the participant, though `ceo` is a GitLab user."""
    gitlab.fake.add_member(GROUP, "ceo")
    people = tmp_path / "config" / "people.yml"
    people.write_text(
        people.read_text("utf-8").replace("name: Person user000", 'name: "Cleo @ceo"'), "utf-8"
    )
    (tmp_path / "templates" / "demo.md.j2").write_text(
        "Heads-up <b title=\"`\">{{ (participant|mention).replace(participant.username, 'all')"
        ' }}</b><b title="`">\n'
        'cc {{ participant | mention + " (" + participant.name + ")" }}\n'
        '{{ participant.name | replace("\\u200b", "") }}\n'
        "## One\n- [ ] first task\n",
        "utf-8",
    )
    result = ok(gitlab.cli("apply"))
    mentioned = {m.username.lower() for m in gitlab.fake.mentions}
    assert mentioned <= {"user000", "user001", "user002"}, (mentioned, result.out)
    texts = "".join(str(i["description"]) for i in gitlab.fake.issues(PROJECT))
    assert "@\u200ball" in texts  # shown, inert
    assert gitlab.fake.quick_actions == []


@pytest.mark.parametrize("template", ["blocks/rollup.md.j2", "epic.md.j2"])
def test_a_block_or_epic_template_that_spells_a_mention_notifies_nobody(
    gitlab: GitLabBackend, tmp_path: Path, template: str
) -> None:
    """Text the tool writes into blocks and epics (not checked with the tracker as a new
    issue is): `@all`, a group and someone outside people.yml spelled out by Jinja (a
    reviewer's tricks) stay inert; the roster's people may still be mentioned."""
    gitlab.fake.add_member(GROUP, "ceo")
    path = tmp_path / "templates" / template
    if not path.exists():
        path.write_text((REPO / "templates" / template).read_text("utf-8"), "utf-8")
    trick = (
        'cc @{% if true %}all{% endif %} {{ "Xenablement Xceo" | replace("X", "@") }}'
        " \\@here @user000\n"
    )
    path.write_text(trick + path.read_text("utf-8"), "utf-8")
    ok(gitlab.cli("apply"))
    mentioned = {m.username.lower() for m in gitlab.fake.mentions}
    assert mentioned <= {"user000", "user001", "user002"}, mentioned
    assert "user000" in mentioned


# --- epics and their fallback -----------------------------------------------------------------


def test_a_resource_lock_on_adding_to_an_epic_is_no_answer_that_it_is_there(
    gitlab: GitLabBackend,
) -> None:
    """An adapter review: every 409 was read as "already in the epic", so a `409 Conflict:
    Resource lock` (nothing saved: lib/api/api.rb) left the issue out of its epic, unsaid.
    It is an error that may pass; "Issue(s) already assigned" is still the issue there."""
    ok(gitlab.cli("apply"))
    epic = next(e for e in gitlab.fake.epics(GROUP) if "demo/epic" in e["description"])
    tracker = gitlab.tracker()
    issue = next(i for i in tracker.program_issues("program::demo") if i.key == "demo/tracking")
    gitlab.fake.inject(
        409, method="POST", path_contains="/epics/", message="409 Conflict: Resource lock"
    )
    with pytest.raises(TransientError, match="Resource lock"):
        tracker.add_to_epic(epic["iid"], issue)
    assert tracker.add_to_epic(epic["iid"], issue) is False  # it is in it: GitLab's own 409


def test_premium_groups_issues_in_epics(gitlab: GitLabBackend) -> None:
    ok(gitlab.cli("apply"))
    epics = {find_key(e["description"]): e for e in gitlab.fake.epics(GROUP)}
    assert set(epics) == {"demo/epic", "demo/c1/epic"}
    program, cohort = epics["demo/epic"], epics["demo/c1/epic"]
    homes = {find_key(i["description"]): i["epic"] for i in gitlab.fake.issues(PROJECT)}
    assert homes == {
        "demo/c1/user000": cohort["iid"],
        "demo/c1/user001": cohort["iid"],
        "demo/c1/user002": cohort["iid"],
        "demo/tracking": program["iid"],
    }
    assert "No changes" in ok(gitlab.cli("apply")).out


def test_each_issue_is_created_inside_its_epic_in_one_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Epics are created first, then each issue inside its epic (epic_id on the create):
    nothing is put into an epic afterwards, on the first run or when a person joins."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 4)
    (tmp_path / "config/programs/demo.yml").write_text(program_with(users(3)), "utf-8")
    fake = new_fake(users=tuple(users(4)))
    with fake.activate():
        backend = GitLabBackend(fake)
        ok(backend.cli("apply"))
        assert fake.count("POST", "/issues") == 4  # three people and the tracking issue
        assert fake.count("POST", "/epics/") == 0  # no epic-issue links after the fact
        assert all(issue["epic"] for issue in fake.issues(PROJECT))
        fake.requests.clear()
        (tmp_path / "config/programs/demo.yml").write_text(program_with(users(4)), "utf-8")
        ok(backend.cli("apply"))
        writes = [(r.method, r.path) for r in fake.requests if r.method != "GET"]
    creates = [w for w in writes if w[0] == "POST" and w[1].endswith("/issues")]
    assert len(creates) == 1 and not any("/epics/" in path for _, path in writes)
    homes = {find_key(i["description"]): i["epic"] for i in fake.issues(PROJECT)}
    assert homes["demo/c1/user003"] == homes["demo/c1/user000"] != homes["demo/tracking"]


def test_people_are_found_in_the_group_member_list_not_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """105 members take two pages of the member list; the one person who is a member of the
    project only, not of the group, is looked up by name."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 106)
    fake = new_fake(users=tuple(users(105)))
    fake.set_member_role(users(106)[-1], "developer", PROJECT)
    with fake.activate():
        ok(GitLabBackend(fake).cli("apply"))
    assert fake.count("GET", "/members/all") == 2
    assert fake.count("GET", "/users") == 1
    assigned = {find_key(i["description"]): i["assignees"] for i in fake.issues(PROJECT)}
    assert assigned["demo/c1/user104"] == ["user104"]
    assert assigned["demo/c1/user105"] == ["user105"]


@pytest.mark.parametrize(
    ("counted", "joined", "pages", "lookups"),
    [(10_000, 2, ["1", "4"], 1), (100, 5, ["1", "2", "4"], 2)],
    ids=["counted", "past-the-count"],
)
def test_a_huge_group_is_not_listed_for_a_few_people(  # noqa: PLR0917
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    counted: int,
    joined: int,
    pages: list[str],
    lookups: int,
) -> None:
    """Never more pages of the member list than people asked for, not the whole list of
    350: its first page, then the last (GitLab lists the newest memberships last), which
    holds the people who JOINED last; those asked for before it was read are looked up by
    name. Past 10,000 records (here: past COUNTED) GitLab sends no page count, and the last
    page is found by doubling: pages 1, 2, 4, the fourth short, so the last."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(gitlab_fake, "COUNTED_RECORDS", counted)
    setup_project(tmp_path, joined)
    fake = new_fake()
    for i in range(350):
        fake.add_member(GROUP, f"someone{i:03d}", "reporter")
    for username in users(joined):
        fake.add_member(GROUP, username, "reporter")
    with fake.activate():
        ok(GitLabBackend(fake).cli("apply"))
    read = [r.query.get("page") for r in fake.requests if r.path.endswith("/members/all")]
    assert read == [[page] for page in pages]
    assert fake.count("GET", "/users") == lookups
    assigned = {find_key(i["description"]): i["assignees"] for i in fake.issues(PROJECT)}
    last = users(joined)[-1]
    assert assigned[f"demo/c1/{last}"] == [last]


def test_an_issue_a_person_moved_to_another_epic_stays_there(gitlab: GitLabBackend) -> None:
    ok(gitlab.cli("apply"))
    gl = gitlab.fake.client()
    other = gl.groups.get(GROUP).epics.create({"title": "Someone else's epic"})
    issue = gitlab.fake.issues(PROJECT)[0]
    other.issues.create({"issue_id": issue["id"]})
    assert "No changes" in ok(gitlab.cli("apply")).out
    assert gitlab.fake.issues(PROJECT)[0]["epic"] == other.iid


def test_a_subgroup_s_copy_of_a_program_epic_is_not_taken_for_it(gitlab: GitLabBackend) -> None:
    ok(gitlab.cli("apply"))
    program = next(e for e in gitlab.fake.epics(GROUP) if find_key(e["description"]) == "demo/epic")
    gitlab.fake.add_group(f"{GROUP}/emea")  # a team copies the epic into its subgroup
    gl = gitlab.fake.client()
    copy = {"title": "Copy", "description": program["description"], "labels": "program::demo"}
    gl.groups.get(f"{GROUP}/emea").epics.create(copy)
    assert len(gl.groups.get(GROUP).epics.list(get_all=True)) == 3  # GitLab lists it with ours
    again = ok(gitlab.cli("apply"))
    assert "No changes" in again.out and "FAILED" not in again.out


def test_free_tier_links_issues_to_the_tracking_issue_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with free_gitlab(tmp_path, 3) as backend:
        fake = backend.fake
        first = ok(backend.cli("apply"))
        second = ok(backend.cli("apply"))
    assert first.out.count("epics are not available") == 1
    tracking = next(i for i in fake.issues(PROJECT) if "demo/tracking" in i["description"])
    linked = {iid for _project, iid in tracking["links"]}
    assert linked == {i["iid"] for i in fake.issues(PROJECT)} - {tracking["iid"]}
    assert "No changes" in second.out and fake.epics(GROUP) == []


def test_a_closed_issue_is_reopened_with_state_event_reopen(gitlab: GitLabBackend) -> None:
    ok(gitlab.cli("apply"))
    tracker = gitlab.tracker()
    tracker.close_issue(1)
    assert gitlab.fake.project(PROJECT).issues[1].state == "closed"
    tracker.reopen_issue(1)
    issue = gitlab.fake.project(PROJECT).issues[1]
    assert (issue.state, issue.closed_at) == ("opened", None)


def test_an_issue_answer_reads_the_same_with_label_objects_or_only_an_epic_iid() -> None:
    """Another GitLab (or an emulation) may send label objects (`with_labels_details`) or
    only `epic_iid`: read as names and the epic's iid, or every run would rewrite labels and
    move issues into their epic again."""
    plain = {"iid": 3, "id": 30, "labels": ["program::p", "status::complete"], "epic": {"iid": 7}}
    detailed = {
        "iid": 3,
        "id": 30,
        "labels": [{"id": 1, "name": "program::p"}, {"name": "status::complete", "color": "#fff"}],
        "epic": None,
        "epic_iid": 7,
    }
    assert _observed(plain, frozenset()) == _observed(detailed, frozenset())
    assert _observed(detailed, frozenset()).labels == ("program::p", "status::complete")
    assert _observed(detailed, frozenset()).epic == 7
    assert _observed({"iid": 4, "labels": None}, frozenset()).epic is None


def test_issue_lists_are_read_whole_from_an_answer_without_link_headers(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """python-gitlab follows only `Link`; an answer that names its next page only in
    `X-Next-Page` is still read to its end (150 issues: two pages of 100)."""
    project = gitlab.fake.client().projects.get(PROJECT)
    for n in range(150):
        key = f"<!-- automation:key=p/c/u{n} -->\n" if n % 2 else ""
        project.issues.create({"title": f"t{n}", "description": key, "labels": "program::p"})
    monkeypatch.setattr(gitlab_fake, "_link_header", lambda *_: "")
    tracker = gitlab.tracker()
    listed = tracker.program_issues("program::p")
    assert [i.iid for i in listed] == list(range(1, 151))
    assert len(tracker.keyed_issues()) == 75


def test_a_server_that_always_names_a_next_page_does_not_make_the_list_endless(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An emulation that answers every page with `X-Next-Page` and no `Link`: the page past
    the end brings nothing new, and the list ends there, each issue once."""
    project = gitlab.fake.client().projects.get(PROJECT)
    for n in range(3):
        project.issues.create({"title": f"t{n}", "labels": "program::p"})
    monkeypatch.setattr(gitlab_fake, "_link_header", lambda *_: "")
    real = gitlab_fake.paginate

    def always_next(*args: Any, **kwargs: Any) -> Any:
        reply = real(*args, **kwargs)
        reply.headers["X-Next-Page"] = str(int(reply.headers["X-Page"]) + 1)
        return reply

    monkeypatch.setattr(gitlab_fake, "paginate", always_next)
    assert [i.iid for i in gitlab.tracker().program_issues("program::p")] == [1, 2, 3]


@pytest.mark.parametrize(
    "fault", [{"connection_error": True}, {"status": 500}], ids=["unreachable", "failing"]
)
def test_gitlab_failing_on_the_epics_check_is_exit_3_in_one_line(
    gitlab: GitLabBackend, fault: dict[str, Any]
) -> None:
    gitlab.fake.inject(**fault, times=1000, path_contains="/epics")
    result = gitlab.cli("apply")
    assert result.code == 3, result.out + result.err
    assert "checking for epics" in result.err and "Traceback" not in result.err


def test_an_issue_a_person_put_in_another_groups_epic_stays_there(gitlab: GitLabBackend) -> None:
    """A parent group's epic can hold the project's issues; one whose number is that of one
    of the program's epics is still not the program's: the issue is not moved back."""
    fake = gitlab.fake
    ok(gitlab.cli("apply"))
    fake.add_group("elsewhere")
    owner = fake.client()
    theirs = owner.groups.get("elsewhere").epics.create({"title": "Our team's own epic"})
    ours = {epic["iid"] for epic in fake.epics(GROUP)}
    assert theirs.iid in ours  # the same number as one of the program's
    issue = next(i for i in fake.issues(PROJECT) if i["epic"] is not None)
    owner.groups.get("elsewhere").epics.get(theirs.iid, lazy=True).issues.create(
        {"issue_id": issue["id"]}
    )
    again = ok(gitlab.cli("apply"))
    moved = next(i for i in fake.issues(PROJECT) if i["iid"] == issue["iid"])
    epic = fake.state.project(PROJECT).issues[issue["iid"]].epic
    assert epic is not None and epic.group.full_path == "elsewhere", again.out
    assert moved["epic"] == theirs.iid


@pytest.mark.parametrize(
    ("edit", "holder"),
    [
        (lambda text: text + " (checking - Sam)", "run-1"),  # words added: still run-1's
        (lambda text: text.removesuffix("Z"), "run-1"),  # no zone: UTC, as written
        (lambda text: "Sam was here", ""),  # nothing to read: held until deleted
    ],
)
def test_a_lock_whose_text_a_person_edited_is_never_taken_over_while_live(
    gitlab: GitLabBackend, edit: Any, holder: str
) -> None:
    """A tester's finding: words added to the lock's description made it read as gone, so a
    second run deleted a live run's lock; a time without its zone crashed the run."""
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    one, two = (
        GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None) for _ in range(2)
    )
    clock = StepClock(dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC))
    assert one.lock_take("run-1", clock.now() + dt.timedelta(minutes=30))
    label = gitlab.fake.state.group(GROUP).labels[LOCK_LABEL]
    label.description = edit(label.description)
    with pytest.raises(TrackerUnavailable) as refused:
        RunLock(two, clock, holder="run-2", wait=dt.timedelta(0)).acquire()
    held = one.lock_read()
    assert held is not None and held[0] == holder
    if not holder:
        assert "cannot be read" in str(refused.value) and "delete the lock" in str(refused.value)


def test_gitlabs_validation_errors_and_error_pages_read_as_words(gitlab: GitLabBackend) -> None:
    """A tester saw `400 {'description': ['is too long ...']}` and a proxy's whole HTML page
    in FAILED lines: GitLab's validation errors read as words, an error page by its title."""
    errors = {"title": ["has already been taken"], "base": ["is invalid"]}
    gitlab.fake.inject(400, message=errors, times=1000, method="POST", path_contains="/issues")
    result = gitlab.cli("apply")
    assert result.code == 1
    assert "400 title has already been taken; is invalid" in result.out, result.out
    assert "{'" not in result.out
    assert readable("<!DOCTYPE html><html><head><title>502 Bad\n Gateway</title>") == (
        "502 Bad Gateway"
    )


def test_an_answer_with_only_the_single_assignee_field_is_read(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API (older, or an emulation) that sends only the deprecated `assignee`, not the
    `assignees` list: the issues' assignees are read from it, not warned about as missing."""
    inner = gitlab.fake._answer

    def single(item: object) -> object:
        if not isinstance(item, dict) or "assignees" not in item:
            return item
        people = item.pop("assignees")
        return {**item, "assignee": people[0] if people else None}

    def answer(prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        status, headers, body = inner(prepared)
        try:
            data = json.loads(body)
        except ValueError:
            return status, headers, body
        data = [single(x) for x in data] if isinstance(data, list) else single(data)
        return status, headers, json.dumps(data)

    monkeypatch.setattr(gitlab.fake, "_answer", answer)
    first = gitlab.cli("apply")
    assert first.code == 0, first.out + first.err
    assert "did not assign" not in first.out, first.out
    again = gitlab.cli("apply")
    assert "No changes" in again.out, again.out


@pytest.mark.parametrize("command", [["plan"], ["dashboard", "--out", "site"]])
def test_a_read_api_token_is_enough_for_what_only_reads(
    gitlab: GitLabBackend, command: list[str]
) -> None:
    """An operator's: a read-only token (for the dashboard, say) was refused by plan and
    dashboard for lacking `api`, which only writes need; apply and --mr-note still say so."""
    shutil.copytree(REPO / "templates" / "dashboard", Path("templates") / "dashboard")
    gitlab.fake.token_scopes = ["read_api"]
    result = cli([*command, "--backend", "gitlab"], gitlab.env())
    assert result.code == 0, result.out + result.err
    env = gitlab.env() | {"CI_PROJECT_ID": "1", "CI_MERGE_REQUEST_IID": "1"}
    for writing in (["apply"], ["plan", "--mr-note"]):
        refused = cli([*writing, "--backend", "gitlab"], env)
        assert refused.code == 3, refused.out + refused.err
        assert "the token has the scopes read_api, but it needs the `api` scope" in refused.err


def test_an_issue_linked_again_is_counted_updated_not_unchanged_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's: after a person removed one tracking link on Free, the run said `1 updated,
    59 unchanged` of 59 issues: the linked issue was counted twice."""
    monkeypatch.chdir(tmp_path)
    with free_gitlab(tmp_path, 3) as gitlab:
        assert gitlab.cli("apply").code == 0
        gitlab.fake.state.links.remove(gitlab.fake.state.links[0])
        result = gitlab.cli("apply", "--full")
    assert result.code == 0, result.out
    assert "Summary: 0 created, 1 updated, 3 unchanged" in result.out, result.out  # 4 issues


def test_past_10000_open_issues_on_a_label_are_counted_as_more_not_as_one(
    gitlab: GitLabBackend,
) -> None:
    """A tester's finding: GitLab gives no total past 10,000 records, and 10,001 open issues
    on a program label no file defines were said to be "1 open issue"."""
    fake = gitlab.fake
    fake.add_label(GROUP, "program::old-program")
    project, now = fake.state.project(PROJECT), fake.clock.now()
    author = fake.owner
    for _ in range(10_001):  # straight into the fake's state: the API would take minutes
        iid = project.next_iid()
        project.issues[iid] = Issue(
            fake.state.next_id("issue"),
            iid,
            project,
            f"Old {iid}",
            author,
            now,
            now,
            labels=["program::old-program"],
        )
    settings = GitLabSettings(group=GROUP, project=PROJECT)
    tracker = GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)
    assert tracker.any_open("program::old-program") == OVER_COUNTED
    assert "over 10,000 open issues carry the label" in _no_program(
        "program::old-program", "old-program", OVER_COUNTED
    )
    assert open_ones_carry(1) == "1 open issue carries"
    # a reviewer: the warning of a program label renamed in GitLab says so too
    renamed = label_renamed("program::old-name", demo_program(("One",), ("ana",)), OVER_COUNTED)
    assert "and over 10,000 open issues carry it" in renamed


def test_a_blocked_user_fails_only_their_issue_saying_why_they_are_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab does not list a blocked or banned account to the tool's token (the fake now
    models it): a participant offboarded that way is no "typo" (a tester's finding)."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 3)
    fake = new_fake(users=("user000", "user002"))
    fake.add_user("user001")
    fake.set_user_state("user001", "banned")
    with fake.activate():
        result = GitLabBackend(fake).cli("apply")
    assert result.code == 1
    assert "FAILED [demo/c1/user001]: no active GitLab user has the username 'user001'" in (
        result.out
    )
    assert "blocked, banned or deleted" in result.out
    assert set(keys(fake)) == {"demo/c1/user000", "demo/c1/user002", "demo/tracking"}


PAGINATION = frozenset(
    {"Link", "X-Next-Page", "X-Prev-Page", "X-Page", "X-Per-Page", "X-Total", "X-Total-Pages"}
)


@pytest.mark.parametrize(
    "dropped",
    [frozenset({"Link", "X-Next-Page"}), PAGINATION],
    ids=["only X-Total left", "no pagination header"],
)
@pytest.mark.parametrize("count", [150, 200])
def test_issue_lists_are_read_whole_when_no_answer_names_a_next_page(
    gitlab: GitLabBackend, dropped: frozenset[str], count: int
) -> None:
    """An adapter review: behind a proxy (or another emulation) that drops `Link` and
    `X-Next-Page`, 150 issues were read as the first 100, the others taken as missing and
    made again. A full page, or GitLab's `X-Total`, says that more are there."""
    project = gitlab.fake.client().projects.get(PROJECT)
    for n in range(count):
        key = f"<!-- automation:key=p/c/u{n} -->\n" if n % 2 else ""
        project.issues.create({"title": f"t{n}", "description": key, "labels": "program::p"})
    gitlab.fake.dropped_headers = dropped
    tracker = gitlab.tracker()
    assert [i.iid for i in tracker.program_issues("program::p")] == list(range(1, count + 1))
    assert len(tracker.keyed_issues()) == count // 2


@pytest.mark.parametrize(
    ("sent", "day"),
    [
        ("2026-11-30T23:30:00.000-08:00", "2026-12-01"),  # a self-managed GitLab's own zone
        ("2026-12-01T07:30:00.000Z", "2026-12-01"),
        ("2026-12-01T07:30:00", "2026-12-01"),  # no zone: UTC
    ],
)
def test_gitlab_times_are_read_in_utc_whatever_zone_gitlab_writes_them_in(
    sent: str, day: str
) -> None:
    """An adapter review: a self-managed GitLab writes its times in its own zone, and the day
    an issue was made was taken in that zone (a day early for one made after 16:00 at UTC-8),
    where `--today` is UTC's."""
    issue = _observed({"iid": 1, "created_at": sent, "updated_at": sent}, frozenset())
    assert issue.created_at is not None and issue.created_at.utcoffset() == dt.timedelta(0)
    assert issue.created_at.date().isoformat() == day
    assert issue.updated_at == issue.created_at
