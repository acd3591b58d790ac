"""`apply --event FILE`: a webhook's issue event syncs only the programs of its issue, and the
tool's own writes, other kinds of events and issues of no program are ignored."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.adapters.test_gitlab_tracker import ok, setup_project, users
from tests.backends import PROJECT, TODAY, GitLabBackend, GitLabTime, Result, cli, new_fake
from tests.conftest import keep_programs
from tests.projects import program_with, roster

pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    """Programs demo and other, their issues made."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 3)
    other = program_with(users(3)).replace("id: demo", "id: other").replace("Demo", "Other")
    (tmp_path / "config/programs/other.yml").write_text(other, "utf-8")
    fake = new_fake(users=tuple(users(3)))
    with fake.activate():
        backend = GitLabBackend(fake)
        ok(backend.cli("apply"))
        fake.requests.clear()
        yield backend


def event(backend: GitLabBackend, payload: object, *more: str) -> Result:
    path = Path("payload.json")
    path.write_text(json.dumps(payload), encoding="utf-8")
    return backend.cli("apply", "--event", str(path), *more)


def issue_event(username: str, labels: list[str], **extra: object) -> dict[str, object]:
    return {
        "object_kind": "issue",
        "user": {"username": username},
        "labels": [{"title": name} for name in labels],
        **extra,
    }


def listed(backend: GitLabBackend) -> set[str]:
    """The program labels whose issues the run listed."""
    return {
        label
        for r in backend.fake.requests
        if r.path.endswith("/issues")
        for label in r.query.get("labels", [])
    }


def tick_first(backend: GitLabBackend, program: str) -> int:
    issue = next(i for i in backend.fake.issues(PROJECT) if f"program::{program}" in i["labels"])
    backend.edit(issue["iid"], lambda t: t.replace("- [ ] first task", "- [x] first task"))
    backend.fake.requests.clear()
    return int(issue["iid"])


def test_a_tick_syncs_its_program_only(two: GitLabBackend) -> None:
    iid = tick_first(two, "demo")
    run = ok(event(two, issue_event("user000", ["program::demo", "phase::One"])))
    assert listed(two) == {"program::demo"}
    assert (
        "progress::50-74%" in next(i for i in two.fake.issues(PROJECT) if i["iid"] == iid)["labels"]
    )
    assert "updated" in run.out


def test_an_issues_work_item_event_syncs_its_program(two: GitLabBackend) -> None:
    """Some GitLab 17 releases send an issue changed in its new view as a `work_item` event of
    type Issue (a tester's finding: read as "a work_item event changes no issue's tasks");
    a work item of another type (a task, an epic) is still no issue's."""
    iid = tick_first(two, "demo")
    attributes = {"object_attributes": {"type": "Issue", "iid": iid}}
    payload = {
        **issue_event("user000", ["program::demo"], **attributes),
        "object_kind": "work_item",
    }
    run = ok(event(two, payload))
    assert listed(two) == {"program::demo"} and "updated" in run.out
    two.fake.requests.clear()
    task = {**payload, "object_attributes": {"type": "Task"}}
    assert "a work_item event" in ok(event(two, task)).out and listed(two) == set()


@pytest.mark.parametrize(
    ("url", "synced"),
    [("https://gitlab.example.com/g/p/-/issues/3", True), ("https://x/g/-/epics/3", False)],
)
def test_a_work_item_event_without_a_type_is_an_issues_by_its_address(
    two: GitLabBackend, url: str, synced: bool
) -> None:
    """GitLab before 17.2 sent work item events without `type` (a tester: an issue's tick
    waited for the hourly run); the address tells an issue's from an epic's."""
    tick_first(two, "demo")
    attributes = {"object_attributes": {"iid": 3, "url": url}}
    payload = {
        **issue_event("user000", ["program::demo"], **attributes),
        "object_kind": "work_item",
    }
    run = ok(event(two, payload))
    assert (listed(two) == {"program::demo"}) is synced, run.out
    assert ("an work_item" not in run.out) and (("a work_item event" in run.out) is not synced)


def test_a_removed_program_label_still_names_its_program(two: GitLabBackend) -> None:
    tick_first(two, "other")
    changes = {"labels": {"previous": [{"title": "program::other"}], "current": []}}
    ok(event(two, issue_event("user001", [], changes=changes)))
    assert listed(two) == {"program::other"}


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ({"object_kind": "note", "user": {"username": "user000"}}, "a note event"),
        ({"object_kind": "emoji", "user": {"username": "user000"}}, "an emoji event"),
        (issue_event("user000", ["team::x"]), "belongs to no configured program"),
        (issue_event("user000", ["program::gone"]), "belongs to no configured program"),
        (
            issue_event("user000", ["program::demo"], project={"path_with_namespace": "x/other"}),
            "an issue of another project",
        ),
        # a forged kind is not printed: it could carry escapes, line breaks, a megabyte
        ({"object_kind": "x\n\x1b[31mSummary: 0 created\rFAKE"}, "a non-issue event"),
        ({"object_kind": ["issue"]}, "a non-issue event"),
    ],
)
def test_events_that_need_no_run_read_no_issue(
    two: GitLabBackend, payload: object, why: str
) -> None:
    run = ok(event(two, payload))
    assert why in run.out and listed(two) == set()
    # a run's last line is its summary, here too (a tester: the note was the whole log)
    assert run.out.splitlines()[-1] == "Summary: nothing was written (see the note above)."


def test_an_event_of_a_program_left_out_by_program_says_so(two: GitLabBackend) -> None:
    """A tester: with --program other, an event of demo said the issue "belongs to no
    configured program"; demo is configured, --program left it out."""
    tick_first(two, "demo")
    run = ok(event(two, issue_event("user000", ["program::demo", "team::x"]), "--program", "other"))
    assert "the event's issue is of demo, which --program leaves out" in run.out, run.out
    assert "team::x" not in run.out and listed(two) == set()
    synced = ok(event(two, issue_event("user000", ["program::demo"]), "--program", "demo"))
    assert listed(two) == {"program::demo"} and "leaves out" not in synced.out


def test_an_event_run_with_full_is_refused(two: GitLabBackend) -> None:
    """A tester: `--event --full` checked the event's program only, --full said nothing."""
    Path("payload.json").write_text(
        json.dumps(issue_event("user000", ["program::demo"])), encoding="utf-8"
    )
    run = two.cli("apply", "--event", "payload.json", "--full")
    assert run.code == 2 and "give one of them" in run.err and listed(two) == set()


@pytest.mark.parametrize("case", [str, str.upper])
def test_the_tools_own_write_is_ignored(two: GitLabBackend, case: Callable[[str], str]) -> None:
    """GitLab finds users in any case; so does the check (a tester)."""
    me = case(two.fake.owner.username)
    run = ok(event(two, issue_event(me, ["program::demo"]), "--report", "r.json"))
    assert "the tool's own write" in run.out and listed(two) == set()
    report = json.loads(
        Path("r.json").read_text(encoding="utf-8")
    )  # the report the job keeps, all the same
    assert any("the tool's own write" in notice for notice in report["notices"])


def test_an_event_of_the_project_by_its_path_or_id_is_synced(two: GitLabBackend) -> None:
    tick_first(two, "demo")
    project = {"path_with_namespace": PROJECT.upper(), "id": 1}
    ok(event(two, issue_event("user000", ["program::demo"], project=project)))
    assert listed(two) == {"program::demo"}


@pytest.mark.parametrize(
    "text", ["not json", "[1, 2]", "[" * 100_000 + "]" * 100_000, '{"a": ' + "9" * 5000 + "}"]
)
def test_a_file_that_is_no_payload_is_one_line_and_exit_2(two: GitLabBackend, text: str) -> None:
    Path("payload.json").write_text(text, encoding="utf-8")
    run = two.cli("apply", "--event", "payload.json")
    assert run.code == 2 and "--event payload.json: not a GitLab webhook payload" in run.err
    assert "Traceback" not in run.err and listed(two) == set()


def test_a_payload_given_where_its_files_path_belongs_is_not_shown(two: GitLabBackend) -> None:
    """A trial: the payload itself (6 KB of a confidential issue's event) given to --event went
    whole into the job log and the run report."""
    payload = json.dumps(issue_event("user000", ["program::demo"]) | {"secret": "SECRET " * 900})
    run = two.cli("apply", "--event", payload, "--report", "report.json")
    assert run.code == 2, run.out + run.err
    said = run.err.strip()
    assert said.startswith("automation: --event (a JSON text, not shown): cannot read it ("), said
    assert said.endswith(
        "give the path of the payload's file (GitLab's TRIGGER_PAYLOAD variable is one)"
    )
    assert len(said.splitlines()) == 1
    assert "SECRET" not in run.out + run.err + Path("report.json").read_text("utf-8")
    long = "a/" * 100 + "payload.json"
    said = two.cli("apply", "--event", long).err
    assert "--event a/a/" in said and "…: cannot read it" in said and long not in said


def test_events_are_for_gitlab_only(two: GitLabBackend) -> None:
    Path("payload.json").write_text(
        json.dumps(issue_event("user000", ["program::demo"])), encoding="utf-8"
    )
    run = cli(["apply", "--backend", "local", "--event", "payload.json"], {})
    assert run.code == 2 and "use it with --backend gitlab" in run.err


def test_an_event_run_creates_nothing_the_daily_schedule_does(two: GitLabBackend) -> None:
    """A person added to configuration gets their issue from the daily create schedule, not
    from whichever event comes first (a tester's finding)."""
    Path("config/people.yml").write_text(roster(users(4)), encoding="utf-8")
    Path("config/programs/demo.yml").write_text(program_with(users(4)), encoding="utf-8")
    two.fake.add_user(users(4)[-1])
    tick_first(two, "demo")
    before = len(two.fake.issues(PROJECT))
    ok(event(two, issue_event("user000", ["program::demo"])))
    assert len(two.fake.issues(PROJECT)) == before
    ok(event(two, issue_event("user000", ["program::demo"]), "--steps", "create,labels,progress"))
    assert len(two.fake.issues(PROJECT)) == before + 1


def test_a_tick_during_a_program_rename_syncs_the_renamed_program(two: GitLabBackend) -> None:
    """A tester: once `id: demo` became `id: renamed` with `renamed_from: demo`, and before a
    scheduled run moved the issues to the new label, a tick's event (still `program::demo`)
    was "of no configured program", and waited for the hourly run."""
    path = Path("config/programs/demo.yml")
    path.write_text(
        path.read_text(encoding="utf-8").replace("id: demo", "id: renamed\nrenamed_from: demo"),
        encoding="utf-8",
    )
    tick_first(two, "demo")
    run = ok(event(two, issue_event("user000", ["program::demo"])))
    assert "no configured program" not in run.out
    assert "program::demo" in listed(two) and "updated" in run.out, run.out


def test_an_event_run_leaves_a_tick_to_the_run_holding_the_lock(two: GitLabBackend) -> None:
    """A tester: with the lock held by a long run (a first run from a laptop), each queued
    event job waited ten minutes and failed (exit 3), and "run again" retried a stale commit.
    An event run waits a minute, then leaves the tick to the runs after it, as a success."""
    tracker = two.tracker()
    now = two.fake.clock.now()
    assert tracker.lock_take("run-elsewhere", now + dt.timedelta(minutes=50))
    tick_first(two, "demo")
    run = event(two, issue_event("user000", ["program::demo"]), "--report", "event.json")
    assert run.code == 0, run.out + run.err
    assert "holds the lock" in run.out and "this event run wrote nothing" in run.out
    assert "the next scheduled run syncs the change" in run.out
    assert json.loads(Path("event.json").read_text(encoding="utf-8"))["notices"]
    assert not [
        r for r in two.fake.requests if r.method in ("PUT", "POST") and "/issues/" in r.path
    ]


OLD, NEW = "1" * 40, "2" * 40


def in_pipeline_of(backend: GitLabBackend, sha: str, payload: object) -> Result:
    """An event job of the pipeline of commit SHA on the default branch."""
    Path("payload.json").write_text(json.dumps(payload), encoding="utf-8")
    ci = {
        "CI_COMMIT_SHA": sha,
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PROJECT_ID": PROJECT,
    }
    argv = ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"]
    argv += ["--event", "payload.json", "--report", "run.json"]
    return cli(argv, {**backend.env(), **ci}, GitLabTime(backend.fake))


def test_a_job_of_a_commit_older_than_its_branchs_head_writes_nothing(
    two: GitLabBackend,
) -> None:
    """A tester: event jobs queued during a burst of ticks ran after a merge, with the
    configuration from before it: a participant the merge added was withdrawn (closed, a note
    to everyone), and the next run put them back. A job whose commit its branch has moved
    past writes nothing, and says why, as a success (a retry would run the old commit too)."""
    two.fake.push(PROJECT, "main", OLD, ["config/programs/demo.yml"])
    two.fake.push(PROJECT, "main", NEW, ["config/programs/demo.yml"])  # merged since
    iid = tick_first(two, "demo")
    stale = in_pipeline_of(two, OLD, issue_event("user000", ["program::demo"]))
    assert stale.code == 0, stale.out + stale.err
    assert "no longer the head of main (22222222)" in stale.out
    assert "differ in what the run reads (config/programs/demo.yml)" in stale.out
    assert stale.out.rstrip().endswith("Summary: nothing was written (see the note above).")
    assert "wrote nothing" in json.loads(Path("run.json").read_text(encoding="utf-8"))["notices"][0]
    assert not [r for r in two.fake.requests if r.method in ("PUT", "POST") and "/issues" in r.path]
    fresh = in_pipeline_of(two, NEW, issue_event("user000", ["program::demo"]))
    assert fresh.code == 0 and f"updated #{iid}" in fresh.out, fresh.out


def test_a_branch_gitlab_does_not_show_leaves_the_run_as_it_was(two: GitLabBackend) -> None:
    """No such branch, or a token that cannot read the programs repository: nothing tells the
    commit is old, and the run writes as it always did, saying once that it could not check
    (a tester: the protection was off without a word)."""
    iid = tick_first(two, "demo")
    run = in_pipeline_of(two, OLD, issue_event("user000", ["program::demo"]))
    assert run.code == 0 and f"updated #{iid}" in run.out, run.out
    assert run.out.count("note: could not read branch main of project") == 1


def test_an_event_run_on_an_unreadable_lock_stops_as_every_run_does(two: GitLabBackend) -> None:
    """A reviewer: with the lock's description edited by a person, the event run called it
    another run's that would sync the tick, and succeeded; the scheduled run says to delete
    the lock (exit 3). An event run says the same."""
    tracker = two.tracker()
    now = two.fake.clock.now()
    assert tracker.lock_take("run-elsewhere", now + dt.timedelta(minutes=50))
    labels = two.fake.client().groups.get("enablement", lazy=True).labels
    labels.update("automation-run-lock", {"description": "a person's words"})
    tick_first(two, "demo")
    run = event(two, issue_event("user000", ["program::demo"]))
    assert run.code == 3 and "cannot be read" in run.err, run.out + run.err


def test_a_pipeline_on_another_gitlab_than_the_issues_is_not_compared(two: GitLabBackend) -> None:
    """A reviewer: the programs repository on another server than GITLAB_URL's, its project
    number another project there whose branch moves: every run wrote nothing, for good."""
    two.fake.push(PROJECT, "main", NEW)
    iid = tick_first(two, "demo")
    Path("payload.json").write_text(
        json.dumps(issue_event("user000", ["program::demo"])), encoding="utf-8"
    )
    ci = {
        "CI_COMMIT_SHA": OLD,
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PROJECT_ID": PROJECT,
        "CI_SERVER_URL": "https://code.example.org",
    }
    argv = ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"]
    run = cli([*argv, "--event", "payload.json"], {**two.env(), **ci}, GitLabTime(two.fake))
    assert run.code == 0 and f"updated #{iid}" in run.out, run.out
    assert run.out.count("note: GITLAB_URL is not the address this pipeline's GitLab") == 1


def test_a_newer_commit_that_changes_nothing_the_run_reads_lets_it_write(
    two: GitLabBackend,
) -> None:
    """A reviewer: any merge (a README edit) stopped every queued job, and a reminder due that
    day was never sent. Only a change of the configuration, the templates or the tool's pins
    makes a job outdated."""
    two.fake.push(PROJECT, "main", OLD, ["config/programs/demo.yml"])
    two.fake.push(PROJECT, "main", NEW, ["README.md", "docs/howto.md"])
    iid = tick_first(two, "demo")
    run = in_pipeline_of(two, OLD, issue_event("user000", ["program::demo"]))
    assert run.code == 0 and f"updated #{iid}" in run.out, run.out


def test_a_merge_of_more_files_than_gitlab_compares_stops_an_older_job(
    two: GitLabBackend,
) -> None:
    """A fidelity review: GitLab cuts a compare at 1,000 files and says `compare_timeout`;
    the files after the cut (here a template, sorted last) are not listed, so a job of
    the older commit cannot tell what it reads is the same: it writes nothing, and says why."""
    docs = [f"docs/page-{n:04}.md" for n in range(1500)]
    two.fake.push(PROJECT, "main", OLD, ["config/programs/demo.yml"])
    two.fake.push(PROJECT, "main", NEW, [*docs, "templates/demo.md.j2"])
    compare = two.fake.client().projects.get(PROJECT, lazy=True).repository_compare
    answer = compare(OLD, NEW, straight="true")
    assert isinstance(answer, dict)
    assert len(answer["diffs"]) == 1000 and answer["compare_timeout"] is True
    tick_first(two, "demo")
    run = in_pipeline_of(two, OLD, issue_event("user000", ["program::demo"]))
    assert run.code == 0, run.out + run.err
    assert "no longer the head of main" in run.out
    assert run.out.rstrip().endswith("Summary: nothing was written (see the note above).")
    assert not [r for r in two.fake.requests if r.method == "PUT" and "/issues/" in r.path]


def test_a_merge_while_the_run_waits_for_the_lock_stops_it_before_it_writes(
    two: GitLabBackend,
) -> None:
    """A reviewer found the check made under the run lock untested: the merge lands while the
    run waits for the lock (here, as it takes it)."""
    two.fake.push(PROJECT, "main", OLD, ["config/programs/demo.yml"])
    merge = lambda: two.fake.push(PROJECT, "main", NEW, ["templates/demo.md.j2"])  # noqa: E731
    two.fake.before_request("POST", "/labels", merge)
    tick_first(two, "demo")
    run = in_pipeline_of(two, OLD, issue_event("user000", ["program::demo"]))
    assert run.code == 0 and "differ in what the run reads (templates/demo.md.j2)" in run.out
    assert not [r for r in two.fake.requests if r.method == "PUT" and "/issues/" in r.path]


def test_an_outdated_scheduled_job_does_not_wait_for_another_runs_lock(
    two: GitLabBackend,
) -> None:
    """A reviewer: with the check made under the lock alone, an outdated scheduled job held
    up by another run's lock waited ten minutes, then failed (exit 3) asking to run it again:
    it ends at once, as a success that wrote nothing, and leaves the lock alone."""
    two.fake.push(PROJECT, "main", OLD, ["config/programs/demo.yml"])
    two.fake.push(PROJECT, "main", NEW, ["config/programs/demo.yml"])
    tracker = two.tracker()
    assert tracker.lock_take("run-elsewhere", two.fake.clock.now() + dt.timedelta(minutes=50))
    tick_first(two, "demo")
    ci = {
        "CI_COMMIT_SHA": OLD,
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PROJECT_ID": PROJECT,
    }
    argv = ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal", "--full"]
    run = cli(argv, {**two.env(), **ci}, GitLabTime(two.fake))
    assert run.code == 0, run.out + run.err
    assert "no longer the head of main" in run.out and "waited" not in run.out + run.err
    assert not [r for r in two.fake.requests if r.method in ("PUT", "POST", "DELETE")]


def test_a_teams_pin_of_the_tool_makes_a_job_outdated(two: GitLabBackend) -> None:
    """A reviewer: a team repository (automation init) pins the tool in `requirements.txt`;
    an upgrade merged while a job waited did not stop it, and the old release wrote after
    the new one."""
    two.fake.push(PROJECT, "main", OLD, ["config/programs/demo.yml"])
    two.fake.push(PROJECT, "main", NEW, ["requirements.txt"])
    tick_first(two, "demo")
    run = in_pipeline_of(two, OLD, issue_event("user000", ["program::demo"]))
    assert run.code == 0 and "differ in what the run reads (requirements.txt)" in run.out


def test_a_branch_moved_back_past_the_jobs_commit_makes_it_outdated(two: GitLabBackend) -> None:
    """A reviewer: GitLab's compare from the merge base (`from...to`) saw no change when the
    branch was put back (a bad merge undone by a force push) behind the job's commit, and
    the job wrote the configuration that was taken back."""
    two.fake.push(PROJECT, "main", OLD, [])
    two.fake.push(PROJECT, "main", NEW, ["config/programs/demo.yml"])
    two.fake.reset(PROJECT, "main", OLD)
    tick_first(two, "demo")
    run = in_pipeline_of(two, NEW, issue_event("user000", ["program::demo"]))
    assert run.code == 0 and "differ in what the run reads (config/programs/demo.yml)" in run.out


def test_the_local_backend_is_not_told_the_outdated_check_is_off(shipped: Path) -> None:
    """A reviewer: `apply --backend local` in a pipeline whose GITLAB_URL differs from
    CI_SERVER_URL was told GITLAB_URL turned off a check the local backend never makes."""
    keep_programs(shipped, "csm-aspiring-leaders")
    ci = {
        "CI_COMMIT_SHA": "a" * 40,
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PROJECT_ID": "7",
        "CI_SERVER_URL": "https://gitlab.example.com",
        "GITLAB_URL": "https://gitlab.internal",
    }
    run = cli(["apply", "--backend", "local", "--today", TODAY], ci)
    assert run.code == 0, run.out + run.err
    assert "GITLAB_URL is not the address" not in run.out + run.err


def test_an_event_run_says_the_other_programs_warnings_stand(two: GitLabBackend) -> None:
    """A tester: an event run checks only some programs, and said nothing of the warnings of
    the others, which the day's record names."""
    other = next(i for i in two.fake.issues(PROJECT) if "program::other" in i["labels"])
    two.edit(other["iid"], lambda t: t.replace("- [ ] first task\n- [ ] second task", ""))
    two.fake.clock.advance(dt.timedelta(hours=1))
    warned = ok(two.cli("apply"))  # a full run: it warns of other, and keeps the record
    assert "has no task left that counts" in warned.out
    two.fake.clock.advance(dt.timedelta(hours=1))
    tick_first(two, "demo")
    run = ok(event(two, issue_event("user000", ["program::demo"]), "--report", "r.json"))
    assert listed(two) == {"program::demo"}
    stand = "the warnings of program other that a run said earlier today stand"
    assert stand in run.out and "program demo that" not in run.out
    assert any(
        stand in w for w in json.loads(Path("r.json").read_text(encoding="utf-8"))["warnings"]
    )
