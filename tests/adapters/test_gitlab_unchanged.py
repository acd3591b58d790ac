"""A run that finds nothing changed since the last run that found nothing to do stops after a
few requests; anything that could change the plan makes it read everything again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from automation.errors import TrackerUnavailable
from automation.syncrecord import RECORD_LABEL, read_record
from automation.trackers.gitlab import GitLabTracker
from tests.adapters.test_gitlab_tracker import ok, setup_project, users
from tests.backends import GROUP, PROJECT, GitLabBackend, Result, cli, new_fake
from tests.fakes.gitlab_fake import FakeGitLab

HOUR = dt.timedelta(hours=1)
QUIET = "nothing changed in GitLab, config/ or templates/ since"


pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py


@pytest.fixture
def settled(gitlab: GitLabBackend) -> GitLabBackend:
    """Issues made an hour ago, then a run that found nothing to do (it kept the record)."""
    return settle(gitlab.fake)


def settle(fake: FakeGitLab) -> GitLabBackend:
    """The first run, an hour later a run that finds nothing to do and keeps the record, and
    an hour on (the fake's requests forgotten)."""
    backend = GitLabBackend(fake)
    ok(backend.cli("apply"))
    fake.clock.advance(HOUR)
    assert QUIET not in ok(backend.cli("apply")).out
    fake.clock.advance(HOUR)
    fake.requests.clear()
    return backend


def read_every_issue(backend: GitLabBackend) -> bool:
    """Whether the run listed a program's issues (what a full run does)."""
    return any("labels" in r.query and r.path.endswith("/issues") for r in backend.fake.requests)


def writes(backend: GitLabBackend) -> int:
    return sum(backend.fake.count(method) for method in ("POST", "PUT", "DELETE"))


def test_nothing_changed_means_a_few_requests_and_no_issue_read(settled: GitLabBackend) -> None:
    run = ok(settled.cli("apply"))
    assert QUIET in run.out
    assert "No changes: 4 issues are up to date; nothing was written." in run.out
    assert not read_every_issue(settled) and writes(settled) == 0
    # the token's user and scopes, project, group, the record, one page of changed issues
    assert len(settled.fake.requests) <= 6


def test_the_record_is_made_without_a_write_refused_first(gitlab: GitLabBackend) -> None:
    """A year's trial: the first run that found nothing to do sent a PUT to the record label
    its GET had found missing (404), then made it; the next one updates it."""
    fake = gitlab.fake
    ok(gitlab.cli("apply"))

    def record_writes() -> list[str]:
        return [
            r.method
            for r in fake.requests
            if (r.method == "PUT" and RECORD_LABEL in r.path)
            or (r.method == "POST" and r.params.get("name") == RECORD_LABEL)
        ]

    fake.clock.advance(HOUR)
    fake.requests.clear()
    ok(gitlab.cli("apply"))
    assert record_writes() == ["POST"]
    assert read_record(fake.labels(GROUP)[RECORD_LABEL]["description"]) is not None


def test_a_tick_since_the_record_is_read_and_counted(settled: GitLabBackend) -> None:
    _a_tick_is_read_and_counted(settled)


def _a_tick_is_read_and_counted(settled: GitLabBackend) -> None:
    ticked = settled.fake.issues(PROJECT)[0]
    settled.edit(ticked["iid"], lambda text: text.replace("- [ ] first task", "- [x] first task"))
    run = ok(settled.cli("apply"))
    assert QUIET not in run.out and read_every_issue(settled)
    labels = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == ticked["iid"])["labels"]
    assert "progress::50-74%" in labels


def test_warnings_are_said_to_stand_in_the_quiet_runs_after_them(settled: GitLabBackend) -> None:
    """A tester: a run warned, kept the record, and the day's later runs said "No changes"
    with no warning, in their logs and reports, as if nothing were wrong."""
    emptied = settled.fake.issues(PROJECT)[0]["iid"]
    settled.edit(emptied, lambda text: text.replace("- [ ] first task\n- [ ] second task", ""))
    warned = ok(settled.cli("apply"))
    assert "has no task left that counts" in warned.out and QUIET not in warned.out
    stand = "the warnings of program demo that a run said earlier today stand"
    assert stand not in warned.out
    settled.fake.clock.advance(HOUR)
    settled.fake.requests.clear()
    quiet = ok(settled.cli("apply", "--report", "report.json"))
    assert QUIET in quiet.out and not read_every_issue(settled)
    assert stand in quiet.out and "any run with --full" in quiet.out
    assert "nothing was written (1 warning)" in quiet.out
    report = json.loads(Path("report.json").read_text(encoding="utf-8"))
    assert len(report["warnings"]) == 1 and stand in report["warnings"][0]
    settled.edit(emptied, lambda text: text.replace("## One\n", "## One\n- [ ] first task\n"))
    settled.fake.clock.advance(HOUR)
    fixed = ok(settled.cli("apply"))  # reads its program: no warning left
    assert "has no task left" not in fixed.out and stand not in fixed.out
    settled.fake.clock.advance(HOUR)
    assert stand not in ok(settled.cli("apply")).out


def tick_unseen_by_the_recording_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before_the_run: dt.timedelta | None = None
) -> tuple[FakeGitLab, Result]:
    """The first run; an hour on, a run that reads the issues before a tick shows in GitLab
    (it shows just before the run keeps its record, dated then, or BEFORE_THE_RUN began), so
    that run finds nothing and keeps the record; an hour on, the next run, returned."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 3)
    fake = new_fake(users=tuple(users(3)))
    with fake.activate():
        backend = GitLabBackend(fake)
        ok(backend.cli("apply"))
        fake.clock.advance(HOUR)
        issue = fake.state.projects[1].issues[1]
        moment = fake.clock.now() - before_the_run if before_the_run else None

        def tick() -> None:
            issue.description = (issue.description or "").replace(
                "- [ ] first task", "- [x] first task"
            )
            issue.updated_at = moment if moment else fake.clock.now()

        made = fake.before_request("POST", "/labels", tick)  # the record's first write
        ok(backend.cli("apply"))  # found nothing (the tick came after its read), kept the record
        assert made.fired == 1
        assert RECORD_LABEL in fake.labels(GROUP)
        fake.clock.advance(HOUR)
        return fake, ok(backend.cli("apply"))


def test_a_tick_during_the_run_that_kept_the_record_is_not_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A manager ticks a box after the run read the issues and before it kept its record:
    the record's moment is the run's start, so the next run sees the tick."""
    fake, run = tick_unseen_by_the_recording_run(tmp_path, monkeypatch)
    assert QUIET not in run.out
    assert "progress::50-74%" in next(i for i in fake.issues(PROJECT) if i["iid"] == 1)["labels"]


def test_a_tick_a_lagging_replica_hid_from_the_run_is_not_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab may serve reads from a database replica up to a minute behind: a tick made 30 s
    before the run began can be missing from everything the run read. The record that run
    keeps starts a minute before its first request, so the next run still sees the tick."""
    thirty = dt.timedelta(seconds=30)
    fake, run = tick_unseen_by_the_recording_run(tmp_path, monkeypatch, thirty)
    assert QUIET not in run.out
    assert "progress::50-74%" in next(i for i in fake.issues(PROJECT) if i["iid"] == 1)["labels"]


def test_a_change_a_replica_hid_and_gitlab_gave_an_earlier_time_is_not_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's finding: a person's label change made within a minute of their earlier
    edit keeps the edit's time (ThrottledTouch), and a replica 35 s behind hid it from the run:
    its time was 90 s before the run began. A record dated one minute before the run covered
    it, and runs stopped early all day; it is dated two minutes before now."""
    ninety = dt.timedelta(seconds=90)
    fake, run = tick_unseen_by_the_recording_run(tmp_path, monkeypatch, ninety)
    assert QUIET not in run.out
    assert "progress::50-74%" in next(i for i in fake.issues(PROJECT) if i["iid"] == 1)["labels"]


def test_a_new_tokens_user_does_not_go_by_the_old_ones_record(settled: GitLabBackend) -> None:
    """A tester's finding: after the token was replaced by one of another user (and
    `former_users` forgotten), the day's scheduled runs stopped early on the old token's
    record, "No changes", exit 0, while a full run failed every item."""
    settled.fake.act_as("project_7_bot_new")
    run = settled.cli("apply")
    assert QUIET not in run.out and read_every_issue(settled)
    assert run.code == 1 and "add its former user to gitlab.former_users" in run.out


def test_an_issue_of_a_program_no_file_defines_is_said_at_the_next_run(
    settled: GitLabBackend,
) -> None:
    """A tester's finding: a person filed an issue with `program::old-program`; the next run
    checked "only their programs" (none), said "No changes: 0 issues", kept a record, and the
    day's runs never said the issue is kept up to date by nobody. A full run says it."""
    fake = settled.fake
    fake.add_label(GROUP, "program::old-program")
    fake.create_issue_as(
        PROJECT, "alice", "Left from the old program", "- [ ] x", labels=["program::old-program"]
    )
    run = ok(settled.cli("apply"))
    assert "carries the label program::old-program" in run.out, run.out
    assert "none is of a program this run checks" not in run.out
    assert "No changes: 4 issues are up to date" in run.out


def test_a_template_change_reads_everything(settled: GitLabBackend) -> None:
    template = Path("templates/demo.md.j2")
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "- [ ] second task", "- [ ] second task\n- [ ] third task"
        ),
        encoding="utf-8",
    )
    run = ok(settled.cli("apply"))
    assert QUIET not in run.out and read_every_issue(settled)
    assert all("third task" in i["description"] for i in settled.fake.issues(PROJECT)[:3])


def test_the_first_run_of_a_new_day_reads_everything(settled: GitLabBackend) -> None:
    tomorrow = ["apply", "--backend", "gitlab", "--today", "2026-11-25", "--rehearsal"]
    run = cli(tomorrow, settled.env())
    assert run.code == 0 and QUIET not in run.out and read_every_issue(settled)


def test_full_reads_everything(settled: GitLabBackend) -> None:
    run = ok(settled.cli("apply", "--full"))
    assert QUIET not in run.out and read_every_issue(settled)


def test_plan_always_reads_everything(settled: GitLabBackend) -> None:
    ok(settled.cli("plan"))
    assert read_every_issue(settled)


def test_a_damaged_record_means_a_full_run_that_keeps_a_new_one(settled: GitLabBackend) -> None:
    labels = settled.fake.client().groups.get(GROUP).labels
    labels.update(RECORD_LABEL, {"description": "someone typed here"})
    run = ok(settled.cli("apply"))
    assert QUIET not in run.out and read_every_issue(settled)
    kept = read_record(settled.fake.labels(GROUP)[RECORD_LABEL]["description"])
    assert kept is not None and kept.issues == 4


def test_a_record_whose_moment_is_after_gitlabs_clock_means_a_full_run(
    settled: GitLabBackend,
) -> None:
    """GitLab's clock was half an hour fast when a run kept the record, and was put right
    (or someone moved the moment on): a tick since is after GitLab's clock now, before the
    record's moment. Going by the record would skip it all day (a tester)."""
    description = settled.fake.labels(GROUP)[RECORD_LABEL]["description"]
    record = read_record(description)
    assert record is not None
    ahead = settled.fake.clock.now() + dt.timedelta(minutes=30)
    moved = description.replace(
        record.since.strftime("%Y-%m-%dT%H:%M:%SZ"), ahead.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    settled.fake.client().groups.get(GROUP).labels.update(RECORD_LABEL, {"description": moved})
    _a_tick_is_read_and_counted(settled)


def test_fewer_steps_are_covered_more_steps_are_not(settled: GitLabBackend) -> None:
    assert QUIET in ok(settled.cli("apply", "--steps", "labels")).out
    settled.fake.client().groups.get(GROUP).labels.delete(RECORD_LABEL)
    assert QUIET not in ok(settled.cli("apply", "--steps", "labels")).out  # keeps labels only
    settled.fake.clock.advance(HOUR)
    settled.fake.requests.clear()
    run = ok(settled.cli("apply"))
    assert QUIET not in run.out and read_every_issue(settled)


def test_another_program_choice_is_not_covered(settled: GitLabBackend) -> None:
    run: Result = ok(settled.cli("apply", "--program", "demo"))
    assert QUIET not in run.out and read_every_issue(settled)


def test_a_deleted_issue_waits_for_a_full_run_which_makes_it_again(
    settled: GitLabBackend,
) -> None:
    """`updated_after` cannot show a deletion: the same day's run stops early (as the README
    says), and the next full run makes the issue again."""
    settled.fake.client().projects.get(PROJECT).issues.delete(1)
    assert QUIET in ok(settled.cli("apply")).out
    run = ok(settled.cli("apply", "--full"))
    assert 'created issue "Demo: Person user000" [demo/c1/user000]' in run.out
    assert len(settled.fake.issues(PROJECT)) == 4


def test_a_record_not_kept_is_said_before_the_summary_and_in_the_report(
    settled: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report tester: the note came after the summary, the log's last line by the README,
    and was in the log alone."""

    def refused(self: object, text: str) -> None:
        raise TrackerUnavailable("GitLab refused keeping the record of this run (403 Forbidden)")

    monkeypatch.setattr(GitLabTracker, "write_sync_record", refused)
    settled.fake.clock.advance(HOUR)
    run = ok(settled.cli("apply", "--full", "--report", "report.json"))
    lines = run.out.strip().split("\n")
    assert lines[-1].startswith("No changes: "), lines[-3:]
    assert any("the record that nothing is left to do was not kept" in x for x in lines)
    notices = json.loads(Path("report.json").read_text(encoding="utf-8"))["notices"]
    assert any("the record that nothing is left to do was not kept" in n for n in notices)
