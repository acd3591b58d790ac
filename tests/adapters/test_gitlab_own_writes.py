"""A run whose writes were its own alone keeps the record after them, so the next run reads no
issue; a person's change anywhere during the run (before the tool's write of that issue, after
it, or in an issue the run did not write) means no record, and the next run checks again."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from automation import run as run_module
from automation import unchanged
from automation.actions import Plan
from automation.desired import DesiredProgram
from automation.items import ObservedIssue
from automation.markers import find_key
from automation.planner import plan_program
from automation.syncrecord import RECORD_LABEL, read_record
from automation.trackers import gitlab as gitlab_tracker
from automation.trackers.gitlab import _whole
from tests.adapters.test_gitlab_integrity import FakeTime
from tests.adapters.test_gitlab_tracker import ok, setup_project, users
from tests.adapters.test_gitlab_unchanged import HOUR, QUIET, read_every_issue, settle, writes
from tests.backends import GROUP, PROJECT, TODAY, GitLabBackend, GitLabTime, cli, new_fake
from tests.fakes import gitlab_fake

APPLY = ["apply", "--backend", "gitlab"]

pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py

FIRST, SECOND = "- [ ] first task", "- [ ] second task"


@pytest.fixture
def settled(gitlab: GitLabBackend) -> GitLabBackend:
    """Three participants' issues (#1 to #3) and the tracking issue (#4), an hour after a
    run that found nothing to do."""
    return settle(gitlab.fake)


def labels(backend: GitLabBackend, iid: int) -> list[str]:
    return next(i["labels"] for i in backend.fake.issues(PROJECT) if i["iid"] == iid)


def ticks(backend: GitLabBackend, iid: int, task: str) -> Callable[[], None]:
    """A person ticking TASK in issue IID in GitLab's web page (when called)."""

    def tick() -> None:
        issue = next(i for i in backend.fake.issues(PROJECT) if i["iid"] == iid)
        text = issue["description"].replace(task, task.replace("[ ]", "[x]"))
        backend.fake.edit_issue(PROJECT, iid, description=text)

    return tick


def record_since(backend: GitLabBackend) -> object:
    record = read_record(backend.fake.labels(GROUP)[RECORD_LABEL]["description"])
    return record.since if record else None


def next_run(backend: GitLabBackend) -> str:
    """An hour later, the next scheduled run's output (requests recorded from its start)."""
    backend.fake.clock.advance(HOUR)
    backend.fake.requests.clear()
    return ok(backend.cli("apply")).out


def test_after_a_run_that_wrote_only_its_own_changes_the_next_reads_no_issue(
    settled: GitLabBackend,
) -> None:
    ticks(settled, 1, FIRST)()
    run = ok(settled.cli("apply"))
    assert "Summary: 0 created, 2 updated" in run.out  # #1's labels and progress, the rollup
    assert "progress::50-74%" in labels(settled, 1)
    out = next_run(settled)
    assert QUIET in out and "No changes: 4 issues are up to date" in out
    assert not read_every_issue(settled) and writes(settled) == 0


def test_a_tick_in_another_issue_during_the_run_is_seen_by_the_next_run(
    settled: GitLabBackend,
) -> None:
    """A manager ticks #2 while the run writes #1: the run listed #2 before the tick, so it
    must not keep a record that covers #2."""
    ticks(settled, 1, FIRST)()
    settled.fake.before_request("PUT", "issues/1", ticks(settled, 2, FIRST))
    ok(settled.cli("apply"))
    assert "progress::0%" in labels(settled, 2)  # the run had listed #2 unticked
    out = next_run(settled)
    assert QUIET not in out and read_every_issue(settled)
    assert "progress::50-74%" in labels(settled, 2)


def test_a_tick_in_the_same_issue_between_the_listing_and_the_tools_read_is_seen_next(
    settled: GitLabBackend,
) -> None:
    """The run planned #1's labels from one tick; a second tick lands between its listing and
    its write (the write keeps it, on the text read just before). The labels then lag the text
    until a run checks #1 again, so this run keeps no record."""
    ticks(settled, 1, FIRST)()
    settled.fake.before_request("GET", "issues/1", ticks(settled, 1, SECOND))
    ok(settled.cli("apply"))
    issue = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 1)
    assert "[x] second task" in issue["description"]  # the person's tick is kept
    assert "progress::50-74%" in issue["labels"]  # planned from the first tick alone
    out = next_run(settled)
    assert QUIET not in out
    assert "status::complete" in labels(settled, 1)


def description(backend: GitLabBackend, iid: int) -> str:
    return str(next(i for i in backend.fake.issues(PROJECT) if i["iid"] == iid)["description"])


def lagging_run(settled: GitLabBackend, meanwhile: Callable[[], None]) -> str:
    """A run on replicas 5 s behind (`lag_replicas`) that writes #1 (ticked before it), with
    MEANWHILE done just before its read of #1; its output."""
    ticks(settled, 1, FIRST)()
    settled.fake.lag_replicas(dt.timedelta(seconds=5))
    settled.fake.clock.advance(dt.timedelta(seconds=10))  # the first tick is in every replica
    settled.fake.before_request("GET", "issues/1", meanwhile)
    return ok(settled.cli("apply")).out


def test_a_tick_a_lagging_replica_hid_from_the_tools_read_is_put_back(
    settled: GitLabBackend,
) -> None:
    """GitLab may answer the read just before a write from a replica that lacks a tick made
    since the tool's previous write (`lag_replicas`): the write, made on that read, undoes the
    tick. GitLab's note of it ("marked the checklist item ... as completed") is newer than
    anything the read showed, so the run puts the tick back, and keeps no record: its plan
    did not count the tick."""
    lagging_run(settled, ticks(settled, 1, SECOND))
    issue = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 1)
    assert "[x] second task" in issue["description"]
    assert "[x] first task" in issue["description"]
    out = next_run(settled)
    assert QUIET not in out
    assert "status::complete" in labels(settled, 1)


def test_a_line_a_lagging_replica_hid_from_the_tools_read_is_said(
    settled: GitLabBackend,
) -> None:
    """A line typed in that moment cannot be put back (GitLab's note says only "changed the
    description", and the API gives no earlier text): the run says which issue to check."""

    def types() -> None:
        issue = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 1)
        settled.fake.edit_issue(PROJECT, 1, description=issue["description"] + "\n\nmy note")

    out = lagging_run(settled, types)
    assert "issue #1: someone edited it a moment before the run wrote it" in out
    assert "set 1 box" not in out
    assert QUIET not in next_run(settled)


def test_a_box_cleared_right_after_the_tools_write_stays_cleared(settled: GitLabBackend) -> None:
    """The check after the write finds the tick the run's read showed, and the person's
    clearing of it after the write: neither is set back (a review: the put-back ticked it
    again)."""
    ticks(settled, 1, FIRST)()
    settled.fake.before_request(
        "GET",
        "issues/1/notes",
        lambda: settled.fake.edit_issue(
            PROJECT, 1, description=description(settled, 1).replace("[x] first", "[ ] first")
        ),
    )
    out = ok(settled.cli("apply")).out
    assert "- [ ] first task" in description(settled, 1)
    assert "someone edited it" not in out


def test_a_line_typed_during_the_put_back_is_said(settled: GitLabBackend) -> None:
    """The put-back's own read may lag too: its write is checked like any other (a review:
    a line typed then was lost without a word)."""

    def types() -> None:
        text = description(settled, 1) + "\n\nmy line"
        settled.fake.edit_issue(PROJECT, 1, description=text)

    settled.fake.before_request("GET", "issues/1/notes", types)  # after the first write
    out = lagging_run(settled, ticks(settled, 1, SECOND))
    assert "[x] second task" in description(settled, 1)
    assert "issue #1: someone edited it a moment before the run wrote it" in out
    assert "look at the issue's history" in out


def test_notes_gitlab_fails_to_give_after_a_write_are_said_and_the_run_goes_on(
    settled: GitLabBackend,
) -> None:
    """The write landed: a failed check after it is a warning, not a stopped run (a review:
    it exited 3, said nothing was written, and left the rollup unwritten)."""
    ticks(settled, 1, FIRST)()
    settled.fake.inject(503, every=1, method="GET", path_contains="issues/1/notes")
    out = ok(settled.cli("apply")).out
    assert "Summary: 0 created, 2 updated" in out
    assert "issue #1: after writing it, the run could not read its notes" in out
    assert QUIET not in next_run(settled)


def test_a_person_who_edits_an_issue_after_the_tools_write_is_seen_by_the_next_run(
    settled: GitLabBackend,
) -> None:
    """#1 is written by the run, then a person adds a line to it before the run ends."""
    ticks(settled, 1, FIRST)()
    before = record_since(settled)

    def add_line() -> None:
        text = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 1)["description"]
        settled.fake.edit_issue(PROJECT, 1, description=f"{text}\nMet on Tuesday.\n")

    settled.fake.before_request("PUT", "issues/4", add_line)  # the rollup: the last write
    ok(settled.cli("apply"))
    assert record_since(settled) == before  # not renewed
    out = next_run(settled)
    assert QUIET not in out and "No changes" in out  # checked, found nothing, kept it
    assert QUIET in next_run(settled)


def test_a_comment_during_the_run_is_seen_by_the_next_run(settled: GitLabBackend) -> None:
    ticks(settled, 1, FIRST)()
    author = settled.fake.owner.username

    def comment() -> None:
        settled.fake.add_note_as(PROJECT, 3, author, "Nice!")

    settled.fake.before_request("PUT", "issues/4", comment)
    ok(settled.cli("apply"))
    assert QUIET not in next_run(settled)


def test_a_run_that_created_issues_keeps_no_record(settled: GitLabBackend) -> None:
    """Creating issues is never counted as the run's own alone (a create cannot be matched
    to a read before it): the next run checks again."""
    settled.fake.delete_issue(PROJECT, 2)
    ok(settled.cli("apply", "--full"))
    assert len(settled.fake.issues(PROJECT)) == 4  # made again
    out = next_run(settled)
    assert QUIET not in out and "No changes" in out


def test_a_run_that_takes_the_lock_plans_each_program_once(
    settled: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock is a group label: the labels a run observes under it leave out its own
    bookkeeping, so the program, observed as before the lock, is not planned again."""
    planned: list[str] = []

    def counted(desired: DesiredProgram, *args: object) -> Plan:
        planned.append(desired.program.id)
        return plan_program(desired, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "plan_program", counted)
    ticks(settled, 1, FIRST)()
    ok(settled.cli("apply"))
    assert settled.fake.count("DELETE") == 1  # the lock was taken and dropped
    assert planned == ["demo"]


def lists_of_the_program(backend: GitLabBackend) -> int:
    """Listings of the program label's issues (not counts of them: one issue a page)."""
    return sum(
        1
        for r in backend.fake.requests
        if r.method == "GET"
        and r.path.endswith("/issues")
        and "labels" in r.params
        and str(r.params.get("per_page")) != "1"
    )


def test_under_the_lock_the_program_is_not_listed_again_when_no_issue_changed(
    settled: GitLabBackend,
) -> None:
    ticks(settled, 1, FIRST)()
    settled.fake.requests.clear()
    ok(settled.cli("apply"))
    assert "progress::50-74%" in labels(settled, 1)
    assert lists_of_the_program(settled) == 1  # before the lock; under it, one look instead


@pytest.mark.parametrize("counted", [True, False], ids=["counted", "past GitLab's count"])
def test_a_tick_between_the_first_plan_and_the_lock_is_planned_under_the_lock(
    settled: GitLabBackend, monkeypatch: pytest.MonkeyPatch, counted: bool
) -> None:
    """A manager ticks #2 just as the run takes its lock: the run sees an issue changed since
    its lists, takes #2 as GitLab lists it now (no second listing) and plans it too; so too
    past 10,000 issues, where GitLab gives no count of them."""
    if not counted:
        monkeypatch.setattr(gitlab_fake, "COUNTED_RECORDS", 2)  # the program's 4: uncounted
    ticks(settled, 1, FIRST)()
    settled.fake.before_request("POST", "/labels", ticks(settled, 2, FIRST))  # the lock
    settled.fake.requests.clear()
    ok(settled.cli("apply"))
    assert lists_of_the_program(settled) == 1
    assert "progress::50-74%" in labels(settled, 1)
    assert "progress::50-74%" in labels(settled, 2)


def test_a_person_who_closes_the_issue_between_the_tools_read_and_its_write_is_seen(
    settled: GitLabBackend,
) -> None:
    """The gap between the read just before a write and the write itself (the tool may wait
    there to stay under GitLab's rate): GitLab's answer shows the issue closed, which the
    write did not do, so the run keeps no record."""
    ticks(settled, 1, FIRST)()

    def close() -> None:
        settled.fake.edit_issue(PROJECT, 1, state="closed")

    settled.fake.before_request("PUT", "issues/1", close)
    ok(settled.cli("apply"))
    out = next_run(settled)
    assert QUIET not in out
    rollup = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 4)["description"]
    assert "| #1 (closed) |" in rollup  # the next run checked, and the rollup says so


def test_a_write_sent_again_after_its_answer_was_lost_is_not_the_runs_own(
    settled: GitLabBackend,
) -> None:
    """The first PUT of #1 is made but its answer lost; a person comments on #1; the PUT is
    sent again, changes nothing, and is answered with the time of the person's comment (its
    text and labels are the write's: only the second request tells)."""
    ticks(settled, 1, FIRST)()
    puts = [0]
    author = settled.fake.owner.username

    def on_put() -> None:
        puts[0] += 1
        if puts[0] == 1:
            settled.fake.crash_after_writes(1)
        elif puts[0] == 2:
            settled.fake.add_note_as(PROJECT, 1, author, "Well done")

    settled.fake.before_request("PUT", "issues/1", on_put, times=None)
    ok(settled.cli("apply"))
    assert puts[0] == 2
    assert QUIET not in next_run(settled)


def test_a_create_whose_answer_was_lost_counts_as_a_create(settled: GitLabBackend) -> None:
    settled.fake.delete_issue(PROJECT, 2)

    def lose_the_answer() -> None:
        settled.fake.crash_after_writes(1)

    settled.fake.before_request("POST", "/issues", lose_the_answer)
    ok(settled.cli("apply", "--full"))
    assert len(settled.fake.issues(PROJECT)) == 4  # made once, found again after the loss
    assert QUIET not in next_run(settled)


def test_more_changed_issues_than_the_limit_after_the_writes_means_no_record(
    settled: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unchanged, "MAX_CHANGED", 1)
    ticks(settled, 1, FIRST)()
    ok(settled.cli("apply"))  # wrote #1 and the rollup: two changed issues
    assert QUIET not in next_run(settled)


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    """110 participants (#1 to #110, the tracking issue #111), settled: more changed issues
    than a page holds once each gets a tick."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 110)
    fake = new_fake(users=tuple(users(110)))
    with fake.activate():
        yield settle(fake)


def tick_all(backend: GitLabBackend) -> None:
    for iid in range(1, 111):
        ticks(backend, iid, FIRST)()


def test_a_run_that_wrote_more_than_a_page_of_issues_keeps_the_record(big: GitLabBackend) -> None:
    tick_all(big)
    ok(big.cli("apply"))
    assert "progress::50-74%" in labels(big, 110)
    assert QUIET in next_run(big)


def test_a_tick_on_a_page_already_read_while_the_next_page_is_slow_is_seen(
    big: GitLabBackend,
) -> None:
    """The check after the writes reads two pages; between them a person ticks an issue of
    the first page, and the second page comes 30 s later (a rate-limit wait, say). The
    record's moment is the first page's, so the tick is after it."""
    tick_all(big)
    pages = [0]

    def second_page_slow() -> None:
        last = big.fake.requests[-1] if big.fake.requests else None  # the request now served
        wrote = any(r.method == "PUT" for r in big.fake.requests)  # the check after writes
        if wrote and last is not None and last.params.get("page") == "2" and not pages[0]:
            pages[0] = 1
            ticks(big, 110, SECOND)()
            big.fake.clock.advance(dt.timedelta(seconds=30))

    big.fake.before_request("GET", "/issues", second_page_slow, times=None)
    ok(big.cli("apply"))
    assert pages[0] == 1
    big.fake.hooks.clear()
    assert QUIET not in next_run(big)
    assert "status::complete" in labels(big, 110)


def test_a_list_that_does_not_add_up_is_not_taken() -> None:
    one, two = ObservedIssue(1, "t", "d", ()), ObservedIssue(2, "t", "d", ())
    many = [ObservedIssue(i, "t", "d", ()) for i in range(1, 151)]
    assert _whole([one, two], None, None)  # one page
    assert not _whole([one, one], 2, 2)  # an issue read twice: one shifted past a boundary
    assert _whole(many, 150, 150)
    assert not _whole(many, 151, 150)  # one deleted while the pages were read
    assert not _whole(many, None, None)  # more than a page, and no totals to check


@pytest.mark.parametrize("budget", range(8, 17))
def test_the_tool_never_waits_between_reading_an_issue_and_writing_it(
    settled: GitLabBackend, budget: int
) -> None:
    """Near GitLab's request budget the tool waits for the window to reset, and it paces its
    updates: both waits come before the read of an issue it is about to write, so a person's
    edit has only the two requests' time to fall between the read and the write. (Budgets of
    8 to 16 requests a minute put the wait at each point of the run's writes in turn.)"""
    fake = settled.fake
    for iid in (1, 2, 3):
        ticks(settled, iid, FIRST)()
    fake.set_rate_limit(budget, headers_always=True)  # see the README: a 429 on the write
    waits: list[int] = []  # how many requests GitLab had served when the tool waited

    class Logged(FakeTime):
        def sleep(self, seconds: float) -> None:
            waits.append(len(fake.requests))
            super().sleep(seconds)

    fake.requests.clear()
    run = cli([*APPLY, "--today", TODAY, "--rehearsal"], settled.env(), Logged(fake))
    assert run.code == 0, run.out + run.err
    puts = [n for n, r in enumerate(fake.requests) if r.method == "PUT" and "/issues/" in r.path]
    assert len(puts) == 4 and waits  # three ticked issues and the rollup; it did wait
    for n in puts:
        read = fake.requests[n - 1]
        assert read.method == "GET" and read.path == fake.requests[n].path  # read just before
        assert n not in waits  # no wait between that read and the write


def test_gitlab_failing_after_the_writes_leaves_the_run_a_success(settled: GitLabBackend) -> None:
    """Every write went through; then GitLab answers 503 while the run checks its writes:
    the run says it kept no record and still succeeds, and the next run checks again."""
    ticks(settled, 1, FIRST)()

    def fail_from_now() -> None:
        settled.fake.inject(503, times=20, method="GET", path_contains="/issues")

    settled.fake.before_request("DELETE", "/labels/", fail_from_now)  # the lock, by its id
    run = settled.cli("apply")
    assert run.code == 0, run.out + run.err
    assert "note: the record that nothing is left to do was not kept" in run.out
    settled.fake.clear_faults()
    assert QUIET not in next_run(settled)


def test_a_tick_made_while_gitlab_prepares_the_checks_answer_is_seen(
    settled: GitLabBackend,
) -> None:
    """GitLab reads the changed issues, a person ticks #2, and the answer leaves 30 s later
    (its Date header is stamped then): the record's moment comes from GitLab's clock before
    the check, so the tick is after it."""
    fake = settled.fake
    ticks(settled, 1, FIRST)()
    serve, seen = fake._serve, {"unlocked": False, "done": False}

    def slow(request: Any) -> Any:
        reply = serve(request)  # the query: what the answer will hold
        if request.method == "DELETE" and "/labels/" in request.path:  # the lock, by its id
            seen["unlocked"] = True
        elif seen["unlocked"] and not seen["done"] and "updated_after" in dict(request.query):
            seen["done"] = True
            ticks(settled, 2, FIRST)()
            fake.clock.advance(dt.timedelta(seconds=30))
        return reply

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(fake, "_serve", slow)
    try:
        ok(settled.cli("apply"))
    finally:
        monkeypatch.undo()
    assert seen["done"]
    assert QUIET not in next_run(settled)
    assert "progress::50-74%" in labels(settled, 2)


@pytest.mark.parametrize("lost", ["an issue", "the epic"])
def test_another_run_between_the_first_plan_and_the_lock_leaves_nothing_twice(
    settled: GitLabBackend, lost: str
) -> None:
    """Someone deleted an issue (or the program's epic); two runs plan to make it again, and
    the other one takes the lock first. Under the lock this run sees issues changed since its
    lists (the other run's), lists again and makes nothing."""
    fake = settled.fake
    epics = [epic["title"] for epic in fake.epics(GROUP)]
    if lost == "an issue":
        fake.delete_issue(PROJECT, 2)
    else:
        group = fake.state.group(GROUP)
        group.epics.clear()
        for issue in fake.state.project(PROJECT).issues.values():
            issue.epic = None
    other: list[str] = []
    fake.before_request(
        "POST", "/labels", lambda: other.append(ok(settled.cli("apply", "--full")).out)
    )
    run = ok(settled.cli("apply", "--full"))
    assert "created" in other[0] and "created" not in run.out.replace("0 created", "")
    found = Counter(find_key(i["description"] or "") for i in fake.issues(PROJECT))
    assert len(found) == 4 and set(found.values()) == {1}
    titles = [epic["title"] for epic in fake.epics(GROUP)]
    assert sorted(titles) == sorted(epics)  # each once, as before


def test_a_change_a_lagging_replica_hid_from_the_first_lists_is_listed_under_the_lock(
    settled: GitLabBackend,
) -> None:
    """GitLab may answer a read from a database replica up to a minute behind. A tick made
    30 s before the run's first lists, which they did not show, is looked for under the lock
    that far back: the run plans it, as GitLab lists it now."""
    fake = settled.fake
    ticks(settled, 1, FIRST)()

    def hidden_tick() -> None:  # as if the first lists had come from a lagging replica
        ticks(settled, 2, FIRST)()
        fake.state.project(PROJECT).issues[2].updated_at -= dt.timedelta(seconds=30)

    fake.before_request("POST", "/labels", hidden_tick)  # the lock
    fake.requests.clear()
    ok(settled.cli("apply"))
    assert lists_of_the_program(settled) == 1
    assert "progress::50-74%" in labels(settled, 2)


@pytest.fixture
def crowded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    """160 participants: the rollup lists the 150 that most need attention (#1 to #150)."""
    monkeypatch.chdir(tmp_path)
    setup_project(tmp_path, 160)
    fake = new_fake(users=tuple(users(160)))
    with fake.activate():
        yield settle(fake)


def mentioned(backend: GitLabBackend) -> list[int]:
    return [
        i["iid"]
        for i in backend.fake.issues(PROJECT)
        if any(note.startswith("mentioned in") for note in i["system_notes"])
    ]


@pytest.mark.heavy
def test_issues_the_rollup_newly_lists_are_noted_by_gitlab_and_checked_by_the_next_run(
    crowded: GitLabBackend,
) -> None:
    """Ten ticks move #1 to #10 out of the rollup's 150 rows and #151 to #160 in: GitLab
    notes "mentioned in" on each newly listed issue, which moves its time to the run's write,
    and a label change by whoever saved it last within the minute after moves it no more. So
    the run's record watches them: each run it covers reads those ten again, in one request,
    and reads no program's issues while they are as the run left them."""
    before = set(mentioned(crowded))
    for iid in range(1, 11):
        ticks(crowded, iid, FIRST)()
    ok(crowded.cli("apply"))
    assert set(mentioned(crowded)) - before == set(range(151, 161))
    record = read_record(crowded.fake.labels(GROUP)[RECORD_LABEL]["description"])
    assert record is not None and [iid for iid, _ in record.watched] == list(range(151, 161))
    for _ in range(2):
        out = next_run(crowded)
        assert QUIET in out and "no program was read, only the 10 issues its record watches" in out
        assert not read_every_issue(crowded) and writes(crowded) == 0
        watched = [r for r in crowded.fake.requests if "iids[]" in r.query]
        assert len(watched) == 1 and sorted(map(int, watched[0].query["iids[]"])) == list(
            range(151, 161)
        )


@pytest.mark.heavy
def test_a_watched_issue_that_is_gone_means_a_full_run(crowded: GitLabBackend) -> None:
    """The list of what changed since cannot show a deleted issue; the record's watch of it
    finds it gone, and the run reads everything (and makes it again)."""
    for iid in range(1, 11):
        ticks(crowded, iid, FIRST)()
    ok(crowded.cli("apply"))
    crowded.fake.delete_issue(PROJECT, 155)
    out = next_run(crowded)
    assert QUIET not in out and read_every_issue(crowded)
    assert "1 created" in out


@pytest.mark.heavy
def test_a_label_taken_off_a_newly_listed_issue_by_its_last_editor_is_seen_next_run(
    crowded: GitLabBackend,
) -> None:
    """A tester's finding: Alice saved #155 last (a line of her own). Ten ticks bring it into
    the rollup, whose write makes GitLab note the mention on it (its time moves); Alice takes
    its status and progress labels off right after the run: a touch within the minute, which
    leaves its time as the note set it. The next run puts them back."""
    text = next(i for i in crowded.fake.issues(PROJECT) if i["iid"] == 155)["description"]
    crowded.fake.edit_issue(PROJECT, 155, description=f"{text}\n\nAlice's note.\n")
    crowded.fake.clock.advance(HOUR)
    ok(crowded.cli("apply"))
    for iid in range(1, 11):
        ticks(crowded, iid, FIRST)()
    ours = ("status::", "progress::")

    def alice_relabels() -> None:
        labels = next(i for i in crowded.fake.issues(PROJECT) if i["iid"] == 155)["labels"]
        crowded.fake.edit_issue(PROJECT, 155, labels=[x for x in labels if not x.startswith(ours)])

    ok(crowded.cli("apply"))
    alice_relabels()  # right after the run: after its last list, within the minute
    assert 155 in mentioned(crowded)
    assert QUIET not in next_run(crowded)
    labels = next(i for i in crowded.fake.issues(PROJECT) if i["iid"] == 155)["labels"]
    assert any(x.startswith("status::") for x in labels), labels
    assert any(x.startswith("progress::") for x in labels), labels


@pytest.mark.heavy
def test_a_person_who_relabels_a_newly_listed_issue_during_the_run_is_seen(
    crowded: GitLabBackend,
) -> None:
    for iid in range(1, 11):
        ticks(crowded, iid, FIRST)()

    def relabel() -> None:
        issue = next(i for i in crowded.fake.issues(PROJECT) if i["iid"] == 155)
        crowded.fake.edit_issue(PROJECT, 155, labels=[*issue["labels"], "needs-attention"])

    crowded.fake.before_request("PUT", "issues/161", relabel)  # the rollup's write
    ok(crowded.cli("apply"))
    assert QUIET not in next_run(crowded)


def _relabel_two(backend: GitLabBackend) -> Callable[[], None]:
    """Alice adds a label of her own to #2 (when called)."""

    def relabel() -> None:
        issue = next(i for i in backend.fake.issues(PROJECT) if i["iid"] == 2)
        backend.fake.edit_issue(PROJECT, 2, labels=[*issue["labels"], "needs-attention"])

    return relabel


def _alice_writes_in_two(backend: GitLabBackend) -> None:
    text = next(i for i in backend.fake.issues(PROJECT) if i["iid"] == 2)["description"]
    backend.fake.edit_issue(PROJECT, 2, description=f"{text}\nMet on Tuesday.\n")


@pytest.mark.parametrize(
    ("before_run", "when"),
    [
        (dt.timedelta(seconds=30), ("PUT", "issues/4")),  # during the run, after its listing
        (dt.timedelta(0), None),  # right after the run
    ],
)
def test_a_label_a_person_adds_within_a_minute_of_their_last_change_is_seen_next_run(
    settled: GitLabBackend, before_run: dt.timedelta, when: tuple[str, str] | None
) -> None:
    """Alice writes a line in #2 (nothing for the tool to do there) shortly before a run that
    writes #1; then adds a label to #2, during the run or as it ends. GitLab leaves #2's time
    at her line (a touch within a minute: ThrottledTouch), so the record the run keeps must
    not pass that time, or the next run would not look at #2 (here it keeps none: its own
    writes come after that time)."""
    ticks(settled, 1, FIRST)()
    _alice_writes_in_two(settled)
    settled.fake.clock.advance(before_run)
    touched = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 2)["updated_at"]
    if when is not None:
        settled.fake.before_request(*when, _relabel_two(settled))
    ok(settled.cli("apply"))
    if when is None:
        _relabel_two(settled)()
    two = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 2)
    assert "needs-attention" in two["labels"] and two["updated_at"] == touched  # unmoved
    out = next_run(settled)
    assert QUIET not in out and read_every_issue(settled)


def test_a_label_added_right_after_a_run_that_found_nothing_is_seen_next_run(
    settled: GitLabBackend,
) -> None:
    """The same with nothing to write: the record's moment is a minute before the run's start
    (unchanged.keep_record), so it never passes the time GitLab left on #2."""
    _alice_writes_in_two(settled)
    assert "No changes" in ok(settled.cli("apply")).out
    touched = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 2)["updated_at"]
    _relabel_two(settled)()
    assert next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 2)["updated_at"] == touched
    assert QUIET not in next_run(settled) and read_every_issue(settled)


def test_a_person_added_is_made_and_rolled_up_with_the_program_listed_once(
    settled: GitLabBackend,
) -> None:
    """The round after the creates plans from its lists brought up to date with the issues
    GitLab shows changed since (the new one among them), not from a second listing of the
    program: the new participant is in the rollup, and the next run finds nothing to do."""
    fourth = users(4)[-1]
    settled.fake.add_member(GROUP, fourth)
    setup_project(Path.cwd(), 4)
    run = ok(settled.cli("apply"))
    assert "1 created" in run.out
    assert lists_of_the_program(settled) == 1
    new = next(
        i
        for i in settled.fake.issues(PROJECT)
        if (find_key(i["description"]) or "").endswith(fourth)
    )
    rollup = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 4)["description"]
    assert f"#{new['iid']}" in rollup
    assert "No changes" in next_run(settled)


def test_an_issue_deleted_during_the_creating_round_is_made_again_in_the_next(
    settled: GitLabBackend,
) -> None:
    """#2 (a participant's) is deleted by an owner while round 1 creates the new person's
    issue. No list of changes shows a deletion: the label's count, read with them, differs
    from the lists brought up to date, so the next round lists the program again, finds #2
    gone and makes it again."""
    fourth = users(4)[-1]
    settled.fake.add_member(GROUP, fourth)
    setup_project(Path.cwd(), 4)
    settled.fake.before_request("POST", "/issues", lambda: settled.fake.delete_issue(PROJECT, 2))
    run = ok(settled.cli("apply"))
    rollup = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == 4)["description"]
    assert "| #2 " not in rollup and "2 created" in run.out


def test_a_label_removal_a_lagging_replica_hid_and_a_touch_left_old_is_seen(
    settled: GitLabBackend,
) -> None:
    """Alice edits #2 at T-85 s, then removes its program label at T-30 s (a touch within a
    minute of her edit: updated_at stays T-85 s); the run's first lists come from a replica
    30 s behind, so they still show the label. Under the lock, and in the round after the
    creates, the list of changes goes back a minute more than a replica's lag: #2 is in it."""
    fake = settled.fake
    fourth = users(4)[-1]
    fake.add_member(GROUP, fourth)
    setup_project(Path.cwd(), 4)

    def hidden() -> None:  # as if the first lists had come from a lagging replica
        issue = fake.state.project(PROJECT).issues[2]
        before = issue.updated_at
        kept = [label for label in issue.labels if not label.startswith("program::")]
        fake.edit_issue(PROJECT, 2, labels=kept)
        issue.updated_at = before - dt.timedelta(seconds=85)  # her edit, 85 s before the run

    fake.before_request("POST", "/labels", hidden)  # the lock
    run = settled.cli("apply")
    assert run.code == 1  # #2 fails until its label is back
    assert "issue #2 already carries this key but not the label" in run.out


def test_a_list_of_changes_that_leaves_out_the_runs_own_writes_means_no_record(
    settled: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab's list of issues changed since the run began should show each issue the run
    wrote; one that does not (a replica behind, an emulation that keeps `updated_at` on an
    edit) cannot be trusted to show a person's tick either."""
    listed = gitlab_tracker.GitLabTracker.changed_since
    wrote: list[bool] = []
    behind_now = [True]

    def behind(self: gitlab_tracker.GitLabTracker, moment: dt.datetime, limit: int) -> Any:
        found = listed(self, moment, limit)
        if found is None or not wrote or not behind_now:
            return found
        return tuple(i for i in found if i.iid != 1)  # as before the run's write of #1

    ticks(settled, 1, FIRST)()
    before = record_since(settled)
    settled.fake.before_request("PUT", "issues/1", lambda: wrote.append(True))
    monkeypatch.setattr(gitlab_tracker.GitLabTracker, "changed_since", behind)
    ok(settled.cli("apply"))
    assert "progress::50-74%" in labels(settled, 1)  # written: the list left it out
    assert record_since(settled) == before  # (a reviewer: the test once checked only the next run)
    behind_now.clear()
    ticks(settled, 2, FIRST)()
    assert QUIET not in next_run(settled)
    assert "progress::50-74%" in labels(settled, 2)


class PersonDuringThePause(GitLabTime):
    """The run's time on the fake GitLab, with a person acting one second into the run's
    first pause of SETTLE (the wait that puts its writes before the record's moment)."""

    def __init__(self, fake: gitlab_fake.FakeGitLab, act: Callable[[], None]) -> None:
        super().__init__(fake)
        self.act: Callable[[], None] | None = act

    def sleep(self, seconds: float) -> None:
        if self.act is None or seconds != unchanged.SETTLE.total_seconds():
            super().sleep(seconds)
            return
        act, self.act = self.act, None
        super().sleep(1)
        act()
        super().sleep(seconds - 1)


def test_a_tick_during_the_wait_before_the_record_on_a_lagging_replica_is_seen_next_run(
    settled: GitLabBackend,
) -> None:
    """The run writes #1, then waits a few seconds before it lists the changes and keeps the
    record. A manager ticks #2 a second into that wait; GitLab answers the list from a replica
    caught up only with the run's last write (`lag_replicas`), which lacks the tick. The
    record's moment must come before that write, or the next runs would skip #2 all day (its
    tick had no labels until the next day's first run)."""
    ticks(settled, 1, FIRST)()
    settled.fake.lag_replicas(dt.timedelta(seconds=30))
    settled.fake.clock.advance(dt.timedelta(seconds=40))  # the first tick is in every replica
    clock = PersonDuringThePause(settled.fake, ticks(settled, 2, FIRST))
    ok(settled.cli("apply", clock=clock))
    assert clock.act is None  # the run waited, and the manager ticked then
    assert "progress::0%" in labels(settled, 2)
    settled.fake.clock.advance(dt.timedelta(seconds=40))  # the tick is in every replica now
    out = next_run(settled)
    assert QUIET not in out
    assert "progress::50-74%" in labels(settled, 2)


def test_the_tracker_knows_when_gitlab_last_answered_one_of_its_writes_as_done(
    settled: GitLabBackend,
) -> None:
    """The record's moment comes before the run's last write (`last_write_at`): the Date of
    GitLab's answer to it. A read, or a write GitLab refused, does not move it."""
    tracker = settled.tracker()
    assert isinstance(tracker, gitlab_tracker.GitLabTracker)
    tracker.check_access()
    assert tracker.last_answer_at() is not None and tracker.last_write_at() is None
    until = settled.fake.clock.now() + dt.timedelta(hours=1)
    assert tracker.lock_take("run-a", until)
    taken = tracker.last_write_at()
    assert taken is not None and taken == tracker.last_answer_at()
    settled.fake.clock.advance(dt.timedelta(seconds=5))
    assert not tracker.lock_take("run-b", until)  # 409: the lock is run-a's
    assert tracker.last_write_at() == taken
    refused = tracker.last_answer_at()
    assert refused is not None and refused > taken
    tracker.lock_read()
    tracker.lock_drop()
    assert tracker.last_write_at() == tracker.last_answer_at() != taken


def test_a_tick_after_the_lock_release_before_a_late_record_moment_is_seen_next_run(
    settled: GitLabBackend,
) -> None:
    """A review: the record's moment is GitLab's clock at the last list less 10 s, or its
    answer to the run's last write (the lock's release) less 5 s, whichever is earlier. The
    list comes from a replica caught up with that release at least: when the clock is read
    late (a slow answer, a rate-limit wait), a tick made after the release and more than 10 s
    before that reading may be missing from the list, and only the release's term keeps it
    after the record's moment."""
    ticks(settled, 1, FIRST)()
    fake = settled.fake
    fake.lag_replicas(dt.timedelta(seconds=30))
    fake.clock.advance(dt.timedelta(seconds=40))
    fired: list[bool] = []

    def late() -> None:  # the request for GitLab's clock, after the lock's release
        fake.clock.advance(dt.timedelta(seconds=8))
        ticks(settled, 2, FIRST)()
        fake.clock.advance(dt.timedelta(seconds=20))
        fired.append(True)

    def released() -> None:  # the lock's release: the next request reads GitLab's clock
        fake.before_request("GET", PROJECT, late)

    fake.before_request("DELETE", "/labels/", released)
    ok(settled.cli("apply"))
    assert fired and "progress::0%" in labels(settled, 2)
    fake.clock.advance(dt.timedelta(seconds=60))
    assert QUIET not in next_run(settled)
    assert "progress::50-74%" in labels(settled, 2)
