"""A scheduled run after people changed a few issues, on a day a run already found nothing to
do, checks only the programs those issues belong to, and ends where a full run ends."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from automation import unchanged
from tests.adapters.test_gitlab_tracker import ok
from tests.adapters.test_gitlab_unchanged import HOUR, QUIET, settle
from tests.backends import PROJECT, GitLabBackend, new_fake, roster_of
from tests.conftest import keep_programs

CSM, ESP = "csm-aspiring-leaders", "executive-sponsorship"
SCOPED = "only their programs are checked"


pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py


@pytest.fixture
def settled(shipped: Path) -> Iterator[GitLabBackend]:
    """Two programs made an hour ago, then a run that found nothing to do (the record)."""
    keep_programs(shipped, CSM, ESP)
    roster = roster_of(shipped)
    fake = new_fake(users=roster)
    with fake.activate():
        backend = settle(fake)
        assert QUIET in ok(backend.cli("apply")).out
        fake.requests.clear()
        yield backend


def listed(backend: GitLabBackend) -> set[str]:
    """The program labels the run listed issues by (what checking a program starts with)."""
    return {
        r.params["labels"]
        for r in backend.fake.requests
        if r.method == "GET" and r.path.endswith("/issues") and "labels" in r.params
    }


def issue_of(backend: GitLabBackend, program: str) -> int:
    """A participant's or an account's issue of PROGRAM (not a tracking issue)."""
    return next(
        i.iid
        for i in backend.issues()
        if i.key and i.key.startswith(f"{program}/") and not i.key.endswith("tracking")
    )


def tick(backend: GitLabBackend, iid: int) -> None:
    backend.edit(iid, lambda text: re.sub(r"\[ \]", "[x]", text, count=1))


def test_a_tick_checks_only_its_program_and_is_counted(settled: GitLabBackend) -> None:
    iid = issue_of(settled, CSM)
    before = next(i for i in settled.issues() if i.iid == iid).labels
    tick(settled, iid)
    run = ok(settled.cli("apply", "--report", "report.json"))
    assert f"{SCOPED}: {CSM} (" in run.out
    notices = json.loads(Path("report.json").read_text(encoding="utf-8"))["notices"]
    assert any(f"{SCOPED}: {CSM} (" in notice for notice in notices)
    assert listed(settled) == {f"program::{CSM}"}
    after = next(i for i in settled.issues() if i.iid == iid).labels
    assert after != before  # its progress label moved
    settled.fake.clock.advance(HOUR)
    # the run's writes were its own alone (nobody changed anything meanwhile), so it kept
    # the record after them: the next run reads no issue
    settled.fake.requests.clear()
    again = ok(settled.cli("apply"))
    assert QUIET in again.out and "No changes: 28 issues are up to date" in again.out
    assert listed(settled) == set()


def test_an_issue_that_lost_its_program_label_is_placed_by_its_key(
    settled: GitLabBackend,
) -> None:
    iid = issue_of(settled, ESP)
    issues = settled.fake.client().projects.get(PROJECT, lazy=True).issues
    issues.update(iid, {"remove_labels": f"program::{ESP}"})
    run = settled.cli("apply")
    # the tool's issue without its program's label: some other program may hold it (below),
    # so a full run, which says what it finds: the key on an issue without the label
    assert SCOPED not in run.out
    assert listed(settled) == {f"program::{CSM}", f"program::{ESP}"}
    assert run.code == 1 and f"issue #{iid} already carries this key but not the label" in run.out


def _pasted(backend: GitLabBackend, over: int, source: int, program: str | None) -> None:
    """A person types issue SOURCE's first line over issue OVER's, and gives it PROGRAM's
    label in place of its own (None: takes its label off)."""
    issues = {i["iid"]: i for i in backend.fake.issues(PROJECT)}
    line = issues[source]["description"].split("\n", 1)[0]
    body = issues[over]["description"].split("\n", 1)[1]
    kept = [x for x in issues[over]["labels"] if not x.startswith("program::")]
    labels = [*kept, *([f"program::{program}"] if program else [])]
    backend.fake.edit_issue(PROJECT, over, description=f"{line}\n{body}", labels=labels)


def _ends_where_a_full_run_ends(backend: GitLabBackend, failed: str) -> None:
    backend.fake.clock.advance(HOUR)
    full = backend.cli("apply", "--full")
    assert full.code == 1 and failed in full.out, full.out
    assert "Summary: 0 created, 0 updated" in full.out, full.out


@pytest.mark.parametrize("whose", ["a participant's", "the tracking issue's"])
def test_another_programs_first_line_and_label_typed_over_an_issue_checks_its_program(
    settled: GitLabBackend, whose: str
) -> None:
    """A person copies an ESP issue's first line and label over a CSM issue (a tester's
    finding): the changed issue names ESP alone, but CSM's record of keys holds it. The run
    checks CSM too, as a full run would: CSM's failure said (exit 1), its figures redone."""
    csm = next(i for i in settled.issues() if i.key and i.key.startswith(f"{CSM}/"))
    tracking = next(i for i in settled.issues() if i.key == f"{CSM}/tracking")
    over = tracking if whose == "the tracking issue's" else csm
    esp = f"{ESP}/tracking" if over is tracking else None
    source = next(
        i.iid
        for i in settled.issues()
        if i.key == esp or (esp is None and i.iid == issue_of(settled, ESP))
    )
    _pasted(settled, over.iid, source, ESP)
    run = settled.cli("apply", "--report", "report.json")
    notices = json.loads(Path("report.json").read_text(encoding="utf-8"))["notices"]
    assert (
        [n for n in notices if SCOPED in n or "checked too" in n]
        == [  # a reviewer
            line.removeprefix("note: ") for line in run.out.splitlines()[:2]
        ]
    )
    assert f"{SCOPED}: {ESP} (" in run.out
    widened = f"note: {CSM}: it is checked too: its record of keys names an issue that changed"
    assert widened in run.out
    assert listed(settled) == {f"program::{CSM}", f"program::{ESP}"}
    assert run.code == 1 and "FAILED" in run.out, run.out
    failed = next(line for line in run.out.splitlines() if line.startswith("FAILED"))
    _ends_where_a_full_run_ends(settled, failed)


def test_another_programs_first_line_over_an_issue_whose_label_is_taken_off_means_a_full_run(
    settled: GitLabBackend,
) -> None:
    csm = next(i.iid for i in settled.issues() if i.key and i.key.startswith(f"{CSM}/"))
    _pasted(settled, csm, issue_of(settled, ESP), None)
    run = settled.cli("apply")
    assert SCOPED not in run.out and "checked too" not in run.out
    assert listed(settled) == {f"program::{CSM}", f"program::{ESP}"}
    assert run.code == 1, run.out
    failed = next(line for line in run.out.splitlines() if line.startswith("FAILED"))
    _ends_where_a_full_run_ends(settled, failed)


def test_an_issue_of_no_program_means_a_full_run(settled: GitLabBackend) -> None:
    settled.fake.client().projects.get(PROJECT, lazy=True).issues.create({"title": "Lunch?"})
    run = ok(settled.cli("apply"))
    assert SCOPED not in run.out and QUIET not in run.out
    assert listed(settled) == {f"program::{CSM}", f"program::{ESP}"}


def test_more_changed_issues_than_the_limit_mean_a_full_run(
    settled: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(unchanged, "MAX_CHANGED", 2)
    for iid in [i.iid for i in settled.issues() if i.key and i.key.startswith(f"{CSM}/")][:3]:
        tick(settled, iid)
    run = ok(settled.cli("apply"))
    assert SCOPED not in run.out
    assert listed(settled) == {f"program::{CSM}", f"program::{ESP}"}
    pages = [r for r in settled.fake.requests if "updated_after" in r.params]
    since = pages[0].params["updated_after"]  # the record's (a later one: the run's own check)
    assert [r.params["updated_after"] for r in pages].count(since) == 1  # showed more than 2


def test_an_issue_detached_and_moved_to_another_program_means_a_full_run(
    settled: GitLabBackend,
) -> None:
    """A person deletes an account plan's key line and gives it the CSM label: ESP's index
    still names it, so only a full run sees that ESP needs its plan made again."""
    iid = issue_of(settled, ESP)
    key = next(i.key for i in settled.issues() if i.iid == iid)
    issue = next(i for i in settled.fake.issues(PROJECT) if i["iid"] == iid)
    labels = [f"program::{CSM}" if x == f"program::{ESP}" else x for x in issue["labels"]]
    text = issue["description"].split("\n", 1)[1]
    settled.fake.edit_issue(PROJECT, iid, description=text, labels=labels)
    run = ok(settled.cli("apply"))
    assert SCOPED not in run.out
    assert listed(settled) == {f"program::{CSM}", f"program::{ESP}"}
    assert re.search(rf"^created issue .* \[{re.escape(key or '?')}\]", run.out, re.M), run.out


def test_changes_outside_the_chosen_program_leave_it_unread(
    settled: GitLabBackend,
) -> None:
    chosen = ("--program", ESP)
    ok(settled.cli("apply", *chosen))  # its own record: --program is part of the fingerprint
    settled.fake.clock.advance(HOUR)
    assert QUIET in ok(settled.cli("apply", *chosen)).out
    tick(settled, issue_of(settled, CSM))
    settled.fake.requests.clear()
    run = ok(settled.cli("apply", *chosen))
    assert (
        "1 issue changed since" in run.out and "; none is of a program this run checks (" in run.out
    )
    assert listed(settled) == set()


def test_a_tick_in_another_program_during_a_scoped_run_is_not_missed(
    settled: GitLabBackend,
) -> None:
    """While a run checks CSM only and finds nothing to do, a manager ticks a box in an ESP
    issue after the run listed what changed: the record's moment is the run's start, so the
    next run checks ESP."""
    commenter = settled.fake.owner.username
    settled.fake.add_note_as(PROJECT, issue_of(settled, CSM), commenter, "Great start!")
    settled.fake.clock.advance(HOUR)
    other = issue_of(settled, ESP)
    before = next(i for i in settled.issues() if i.iid == other)
    settled.fake.before_request("PUT", "/labels", lambda: tick(settled, other))
    run = ok(settled.cli("apply"))
    assert f"{SCOPED}: {CSM} (" in run.out and "No changes" in run.out  # kept the record
    ticked = next(i for i in settled.issues() if i.iid == other)
    assert ticked.description != before.description and ticked.labels == before.labels
    settled.fake.clock.advance(HOUR)
    after = ok(settled.cli("apply"))
    assert f"{SCOPED}: {ESP} (" in after.out
    assert next(i for i in settled.issues() if i.iid == other).labels != before.labels


def test_a_link_a_person_removed_is_made_again_by_the_next_run(shipped: Path) -> None:
    """On Free the tracking issue lists its issues by links. Removing one writes a note on
    both issues (which moves their updated_at), so the next run of the day sees the change,
    checks that program and links the issue again."""
    keep_programs(shipped, CSM, ESP)
    fake = new_fake(tier="free", users=roster_of(shipped))
    with fake.activate():
        backend = settle(fake)
        assert QUIET in ok(backend.cli("apply")).out
        tracking = next(i.iid for i in backend.issues() if i.key == f"{CSM}/tracking")
        issues = fake.client().projects.get(PROJECT, lazy=True).issues
        linked = issues.get(tracking, lazy=True).links.list(get_all=True)
        bot = fake.owner.username
        fake.act_as("riley.chen")
        issues.get(tracking, lazy=True).links.delete(linked[0].issue_link_id)
        fake.act_as(bot)
        fake.clock.advance(HOUR)
        fake.requests.clear()
        run = ok(backend.cli("apply"))
        assert SCOPED in run.out and listed(backend) == {f"program::{CSM}"}
        after = issues.get(tracking, lazy=True).links.list(get_all=True)
        assert sorted(i.iid for i in after) == sorted(i.iid for i in linked)


def test_the_warnings_of_a_program_a_run_does_not_check_are_said_to_stand(
    settled: GitLabBackend,
) -> None:
    """A tester: warnings went unsaid for the rest of the day once a run kept the record; a
    run that checks one program says the others' stand."""
    esp = issue_of(settled, ESP)
    settled.edit(esp, lambda text: re.sub(r"(?m)^.*\[ \].*\n", "", text))
    warned = ok(settled.cli("apply"))
    assert "has no task left that counts" in warned.out
    settled.fake.clock.advance(HOUR)
    tick(settled, issue_of(settled, CSM))
    settled.fake.requests.clear()
    scoped = ok(settled.cli("apply"))
    assert f"{SCOPED}: {CSM} (" in scoped.out and listed(settled) == {f"program::{CSM}"}
    assert "has no task left" not in scoped.out
    stand = f"the warnings of program {ESP} that a run said earlier today stand"
    assert stand in scoped.out and "nothing was written" not in scoped.out
    assert f"program {CSM} that" not in scoped.out  # checked, and no warning
    settled.fake.clock.advance(HOUR)
    quiet = ok(settled.cli("apply"))
    assert QUIET in quiet.out and stand in quiet.out
    # the warned program mended and checked (a reviewer: the line stayed all day, copied
    # from record to record, while the program that never warned was the one unchecked)
    settled.edit(esp, lambda text: text.replace("## ", "- [ ] a task again\n\n## ", 1))
    settled.fake.clock.advance(HOUR)
    mended = ok(settled.cli("apply"))
    assert f"{SCOPED}: {ESP} (" in mended.out and "has no task left" not in mended.out
    assert "stand, unless fixed since" not in mended.out
    settled.fake.clock.advance(HOUR)
    assert "stand, unless fixed since" not in ok(settled.cli("apply")).out


def test_on_free_group_rollups_and_the_plan_are_linked_to_the_tracking_issue(
    shipped: Path,
) -> None:
    """A Free trial: without epics, a sponsorship cohort's rollup issues and its pilot plan
    were linked from nowhere, found by their label alone; they are linked first."""
    keep_programs(shipped, "sales-sponsorship")
    fake = new_fake(tier="free", users=roster_of(shipped))
    with fake.activate():
        backend = GitLabBackend(fake)
        first = backend.cli("apply")
        assert first.code == 0, first.out
        ok(backend.cli("apply"))  # the issues the first round made are linked by the next
        by_key = {i.key: i.iid for i in backend.issues()}
        tracking = by_key["sales-sponsorship/tracking"]
        issues = fake.client().projects.get(PROJECT, lazy=True).issues
        linked = {i.iid for i in issues.get(tracking, lazy=True).links.list(get_all=True)}
        rollups = {iid for key, iid in by_key.items() if key and key.endswith("/tracking")}
        plans = {iid for key, iid in by_key.items() if key and "/plan" in key}
        assert rollups - {tracking} and plans, by_key
        assert (rollups - {tracking}) | plans <= linked
