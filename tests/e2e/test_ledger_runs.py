"""Runs that read a big program from its ledger (automation/incremental.py) on the fake
GitLab: what they cost (the same requests for a program of 40 or of 120 participants), and
what people do around them: a tick in another issue while the run writes, a person's edit of
a shard, a deleted issue, a first line deleted with a tick. Each ends where a full run ends
(a `--full` run after it has nothing to write)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automation import keyindex, planner, rowledger
from automation import run as run_module
from automation.desired import Context
from automation.errors import ConfigError, Problem
from automation.figures import references
from automation.later import Rendered
from automation.trackers.gitlab import GitLabTracker
from bench.sync_benchmark import manager, participant, program_lead, write_project
from tests.backends import PROJECT, TOKEN, URL, GitLabTime, Result, cli, new_fake, roster_of
from tests.conftest import REPO, keep_programs
from tests.fakes.gitlab_fake import FakeGitLab

pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py
HOUR = dt.timedelta(hours=1)
LEDGER = "read from its ledger"
BIG = "program::csm-aspiring-leaders"


@pytest.fixture(autouse=True)
def small_ledgers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ledgers for programs of 20 issues or more, in shards of about 8 rows."""
    monkeypatch.setattr(rowledger, "LEDGER_MIN", 20)
    monkeypatch.setattr(rowledger, "ROWS_PER_SHARD", 8)


class Project:
    """A project of N participants in one program (and 10 in another) on a fake GitLab."""

    def __init__(self, root: Path, n: int, tier: str = "premium") -> None:
        self.root, self.fake = root, new_fake(tier)
        for i in range(n):
            self.fake.add_member("enablement", participant(i))
            self.fake.add_member("enablement", manager(i))
        for lead in filter(None, [program_lead()]):
            self.fake.add_member("enablement", lead)
        write_project(root, n)

    def apply(self, *args: str) -> Result:
        """A scheduled run (an hour after the last), or a full one."""
        self.fake.clock.advance(HOUR)
        argv = ["apply", "--backend", "gitlab", "--today", "2026-11-24", "--rehearsal", *args]
        argv += ["--config", str(self.root / "config"), "--templates", str(self.root / "templates")]
        run = cli(argv, {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}, GitLabTime(self.fake))
        assert run.code == 0 and "Traceback" not in run.err, run.out + run.err
        return run

    def settled(self) -> FakeGitLab:
        """Made, then quiet (the record kept), its requests forgotten."""
        self.apply()
        self.apply()
        assert "nothing changed in GitLab" in self.apply().out
        self.fake.requests.clear()
        return self.fake

    def ours(self, program: str = BIG) -> list[int]:
        """The program's participants' issues with a task left to tick, by iid."""
        return [
            int(i["iid"])
            for i in self.fake.issues(PROJECT)
            if program in i["labels"] and _participants(i) and "1. [ ]" in str(i["description"])
        ]

    def tick(self, iid: int) -> None:
        _edit(self.fake, iid, _text(self.fake, iid).replace("1. [ ]", "1. [x]", 1))

    def converged(self) -> bool:
        """Whether a full run now has nothing to write."""
        return "nothing was written" in self.apply("--full").out


def _participants(issue: dict[str, Any]) -> bool:
    """Whether the issue is a participant's (its key names them)."""
    return "csm." in str(issue["description"]).split("\n", 1)[0]


def _issue(fake: FakeGitLab, iid: int) -> dict[str, Any]:
    return next(i for i in fake.issues(PROJECT) if i["iid"] == iid)


def _text(fake: FakeGitLab, iid: int) -> str:
    return str(_issue(fake, iid)["description"])


def _edit(fake: FakeGitLab, iid: int, text: str) -> None:
    fake.edit_issue(PROJECT, iid, description=text)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    made = Project(tmp_path, 40)
    with made.fake.activate():
        yield made


def _gets(fake: FakeGitLab) -> int:
    return sum(1 for r in fake.requests if r.method == "GET")


def _listed(fake: FakeGitLab) -> bool:
    """Whether a run listed a program's issues (a page of them, not their count)."""
    return any(
        "labels" in r.query and r.path.endswith("/issues") and r.query.get("per_page") != ["1"]
        for r in fake.requests
    )


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the issues whose bodies were rendered (in any run, until cleared)."""
    rendered: list[str] = []
    render = Context.rendered

    def counted(ctx: Context[Any], key: str, template: str, values: Any) -> Rendered:
        rendered.append(key)
        return render(ctx, key, template, values)

    monkeypatch.setattr(Context, "rendered", counted)
    return rendered


@pytest.mark.heavy
def test_a_run_after_ticks_reads_the_same_whatever_the_programs_size(
    tmp_path: Path, renders: list[str]
) -> None:
    costs = []
    for n in (40, 120):
        made = Project(tmp_path / str(n), n)
        with made.fake.activate():
            fake = made.settled()
            assert len(renders) >= 2 * n  # the two runs that listed the program rendered it all
            for issue in made.ours()[:2]:
                made.tick(issue)
            renders.clear()
            run = made.apply()
            assert LEDGER in run.out and not _listed(fake), run.out
            writes = sum(1 for r in fake.requests if r.method == "PUT" and "/issues/" in r.path)
            # the two ticked issues' bodies, and the few other issues read (a plan issue's...)
            costs.append((_gets(fake), writes, len(renders)))
            assert made.converged()
    assert costs[0][0] == costs[1][0], costs  # reads: the same for 40 and for 120
    assert costs[0][2] == costs[1][2] <= 5, costs  # and the bodies rendered
    # two issues, the tracking issue, the cohort's rollup, at most two shards
    assert all(writes <= 2 + 1 + 1 + 2 for _, writes, _ in costs), costs


@pytest.mark.heavy
@pytest.mark.parametrize("tier", ["premium", "free"])
def test_a_tick_in_another_issue_while_the_run_writes_is_planned_by_the_next_run(
    tmp_path: Path, tier: str
) -> None:
    project = Project(tmp_path, 40, tier)
    with project.fake.activate():
        fake = project.settled()
        first, other = project.ours()[:2]
        project.tick(first)
        fake.before_request("PUT", "/issues/", lambda: project.tick(other))
        assert LEDGER in project.apply().out
        assert "progress::0%" in _issue(fake, other)["labels"]  # not seen by that run
        project.apply()  # the next one plans it
        assert "progress::0%" not in _issue(fake, other)["labels"]
        assert project.converged()


def _shard(fake: FakeGitLab) -> int:
    return next(
        int(i["iid"]) for i in fake.issues(PROJECT) if "ledger-0 -->" in str(i["description"])
    )


@pytest.mark.heavy
@pytest.mark.parametrize(
    "edit",
    [
        "shard edited",
        "shard's end marker deleted",
        "issue deleted",
        "another's first line pasted",
        "issue closed",
        "label deleted",
    ],
)
def test_what_a_ledger_cannot_tell_is_planned_in_full(project: Project, edit: str) -> None:
    """With a tick in one issue, a person's change the ledger cannot account for: the run
    lists the program (the shard: it changed; the others: what the ledger read shows)."""
    fake = project.settled()
    issue, other = project.ours()[:2]
    project.tick(issue)
    shard = _shard(fake)
    if edit == "shard edited":
        _edit(fake, shard, _text(fake, shard).replace('"st":"opened"', '"st":"closed"', 1))
    elif edit == "shard's end marker deleted":  # (it stopped every run: a review)
        _edit(fake, shard, _text(fake, shard).replace("<!-- automation:end rows -->", ""))
    elif edit == "issue deleted":
        fake.delete_issue(PROJECT, other)
    elif edit == "issue closed":
        fake.edit_issue(PROJECT, other, state="closed")
    elif edit == "label deleted":  # GitLab takes it off every issue, leaving their times
        group = fake.state.group("enablement")
        fake.state.delete_group_label(group, group.labels["progress::0%"])
    else:  # a participant's first line over another's: its key is now the first's
        first = _text(fake, issue).split("\n", 1)[0]
        _edit(fake, other, first + "\n" + _text(fake, other).split("\n", 1)[1])
    run = project.apply()
    assert "only their programs are checked" in run.out, run.out  # (a run that may read it)
    assert LEDGER not in run.out and _listed(fake), run.out
    if edit == "label deleted":  # the other program, whose issues did not change, waits for
        # the day's first run or --full (README: "Runs that find nothing changed")
        ours = [i for i in fake.issues(PROJECT) if BIG in i["labels"] and _participants(i)]
        assert ours and all(any(x.startswith("progress::") for x in i["labels"]) for i in ours)
        return
    assert project.converged()


@pytest.mark.heavy
def test_a_program_past_gitlabs_count_is_listed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 10,000 issues GitLab does not count a label's issues: nothing would show that one
    was deleted (its stub would stand for it, and the record would cover it all day)."""
    fake = project.settled()
    issue, other = project.ours()[:2]
    monkeypatch.setattr(GitLabTracker, "label_count", lambda _self, _label: None)
    project.tick(issue)
    fake.delete_issue(PROJECT, other)
    run = project.apply()
    assert LEDGER not in run.out and _listed(fake), run.out
    assert project.converged()


@pytest.mark.heavy
@pytest.mark.parametrize("holder", ["tracking issue", "index issue"])
def test_a_public_program_whose_index_is_deleted_takes_its_ledger_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, holder: str
) -> None:
    """A public program's issues are public, but its ledger's are confidential: a run that
    lost the record of keys found them again (they failed on every run: a review)."""
    if holder == "index issue":
        monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)
    project = Project(tmp_path, 40)
    with project.fake.activate():
        fake = project.settled()
        key = f"{BIG[9:]}/tracking" + ("/index" if holder == "index issue" else "")
        fake.delete_issue(PROJECT, _keyed(fake, key))
        assert "0 failed" in project.apply("--full").out
        assert project.converged()


def _keyed(fake: FakeGitLab, key: str) -> int:
    return next(
        int(i["iid"])
        for i in fake.issues(PROJECT)
        if str(i["description"]).startswith(f"<!-- automation:key={key} -->")
    )


def _notes(fake: FakeGitLab) -> int:
    return sum(len(i["notes"]) for i in fake.issues(PROJECT))


@pytest.mark.heavy
def test_a_ledger_run_on_a_day_reminders_fall_due_sends_none_again(tmp_path: Path) -> None:
    """The shipped ESP and CSM programs: made on 2026-11-24; on 2026-12-07 the ESP monthly
    sessions' reminders fall due (a week after November ends), and the day's first run sends
    them; a tick then is read from the ledger, which neither sends them again nor says
    anything of the others' (their stubs hold no tasks)."""
    root = _shipped(tmp_path)
    fake = new_fake(users=(*roster_of(root), "alice"))
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
    with fake.activate():

        def apply(day: str, *args: str) -> Result:
            fake.clock.advance(HOUR)
            argv = ["apply", "--backend", "gitlab", "--today", day, "--rehearsal", *args]
            run = cli([*argv, "--config", str(root / "config")], env, GitLabTime(fake))
            assert run.code == 0, run.out + run.err
            return run

        apply("2026-11-24")
        apply("2026-12-07")
        apply("2026-12-07")  # finds nothing to do: keeps the record
        sent = _notes(fake)
        assert sent and "nothing changed in GitLab" in apply("2026-12-07").out
        plan = next(
            int(i["iid"])
            for i in fake.issues(PROJECT)
            if "/account-plan -->" in str(i["description"]) and "- [ ]" in str(i["description"])
        )
        _edit(fake, plan, _text(fake, plan).replace("- [ ]", "- [x]", 1))
        fake.requests.clear()
        run = apply("2026-12-07")
        read = {r.path for r in fake.requests if r.method == "GET" and r.path.endswith("/notes")}
        wrote = {
            f"{r.path}/notes" for r in fake.requests if r.method == "PUT" and "/issues/" in r.path
        }
        assert read == wrote  # the notes of the issues it wrote (`unseen`), no reminder's
        assert LEDGER in run.out and " 0 warnings" in run.out, run.out
        assert _notes(fake) == sent
        assert "nothing was written" in apply("2026-12-07", "--full").out


def _shipped(root: Path) -> Path:
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "templates", root / "templates")
    os.chdir(root)
    return keep_programs(root, "csm-aspiring-leaders", "executive-sponsorship")


def _tracking(fake: FakeGitLab) -> int:
    return next(
        int(i["iid"])
        for i in fake.issues(PROJECT)
        if str(i["description"]).startswith(f"<!-- automation:key={BIG[9:]}/tracking -->")
    )


def _newly_listed(root: Path) -> tuple[list[int], list[int]]:
    """The issues ticked, and those the tracking issue's rollup newly lists after the ticks,
    in a program of 200 participants: a rollup lists some issues by their reference (GitLab
    notes "mentioned in" on each, which moves its time)."""
    project = Project(root, 200)
    with project.fake.activate():
        fake = project.settled()
        ticked = project.ours()[::40][:4]
        before = references(_text(fake, _tracking(fake)))
        for iid in ticked:
            project.tick(iid)
        assert LEDGER in project.apply().out
        return ticked, sorted(references(_text(fake, _tracking(fake))) - before - set(ticked))


@pytest.mark.heavy
@pytest.mark.parametrize("person", ["nobody", "ticks one while the run writes"])
def test_issues_a_ledger_runs_rollup_newly_lists_are_watched_unless_a_person_changed_them(
    tmp_path: Path, person: str
) -> None:
    """They are not read by the run (their figures are the ledger's): the record watches them
    as their rows have them, and the next run reads those alone; one a person ticked during
    the run differs from its row, so no record is kept and the next run plans the tick."""
    ticked, listed = _newly_listed(tmp_path / "learn")
    assert listed  # (the scenario lists new issues: it tests something)
    project = Project(tmp_path / "run", 200)
    with project.fake.activate():
        fake = project.settled()
        for iid in ticked:
            project.tick(iid)
        if person != "nobody":
            fake.before_request("PUT", "/issues/", lambda: project.tick(listed[0]))
        assert LEDGER in project.apply().out
        after = project.apply().out
        if person == "nobody":
            assert "no program was read" in after, after
        else:
            assert "no program was read" not in after, after
            assert "progress::0%" not in _issue(fake, listed[0])["labels"]
        assert project.converged()


@pytest.mark.heavy
def test_a_score_typed_while_the_run_takes_its_lock_reaches_the_scorecard(tmp_path: Path) -> None:
    """The shipped ESP program: a tick in the program's annual review; a person types a score
    into Globex's account plan as the run takes its lock (after its first plan, before its
    plan under the lock), and the run's writes take two minutes. The quarter's scorecard
    counts that score: it is planned again (the program in full), not left as its ledger line
    had it while the record said nothing was left (a review)."""
    root = _shipped(tmp_path)
    fake = new_fake(users=(*roster_of(root), "alice"))
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
    with fake.activate():

        def apply(*args: str) -> str:
            fake.clock.advance(HOUR)
            argv = ["apply", "--backend", "gitlab", "--today", "2026-12-07", "--rehearsal"]
            run = cli([*argv, *args, "--config", str(root / "config")], env, GitLabTime(fake))
            assert run.code == 0, run.out + run.err
            return run.out

        for _ in range(3):
            apply()
        review = _keyed(fake, "executive-sponsorship/program/annual/fy27")
        plan = _keyed(fake, "executive-sponsorship/account/globex/account-plan")
        for _ in range(2):  # the second tick's write changes no label: a record is kept
            _edit(fake, review, _text(fake, review).replace("- [ ]", "- [x]", 1))
            assert LEDGER in apply()
            assert "nothing changed" in apply()
        _edit(fake, review, _text(fake, review).replace("- [ ]", "- [x]", 1))
        typed = [False]

        def person() -> None:  # at the run's first write: its lock
            if not typed[0]:
                typed[0] = True
                _edit(fake, plan, _text(fake, plan).replace(": __", ": 7", 1))

        fake.before_request("POST", None, person, times=None)
        fake.before_request("PUT", "/issues/", lambda: fake.clock.advance(2 * HOUR / 60))
        run = apply()
        assert typed[0] and "scorecard block" in run, run
        apply()
        assert "nothing was written" in apply("--full")


@pytest.mark.heavy
def test_a_tick_after_a_participant_left_is_read_from_the_ledger(project: Project) -> None:
    """A participant leaves (the program file without them: a full run withdraws their
    issue, which the ledger does not hold); a tick later is read from the ledger, with the
    withdrawn issue read as it is, and ends where a full run ends."""
    fake = project.settled()
    write_project(project.root, 39)  # the last participant is gone from people and cohort
    assert "withdrawn" in project.apply().out.lower()
    project.apply()
    assert "nothing changed" in project.apply().out
    project.tick(project.ours()[0])
    fake.requests.clear()
    run = project.apply()
    assert LEDGER in run.out, run.out
    left = _keyed(fake, f"{BIG[9:]}/cohort-00/{participant(39)}")
    read = {int(iid) for r in fake.requests for iid in r.query.get("iids[]", [])}
    assert left in read  # not a ledger line: read as it is
    assert project.converged()


def test_people_added_together_rewrite_a_shard_or_two_not_every_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are placed by issue number: 8 people added at once (their issues made one after
    the other) change one or two of the ledger's 8 shards, and the shard of their cohort's
    monthly issue, which lists them; placed by a digest of their key, they changed most
    shards, each write costing three requests."""
    monkeypatch.setattr(rowledger, "IID_RUN", 8)  # a shard's share of rows, as in use
    made = Project(tmp_path, 40)
    for i in range(40, 48):
        made.fake.add_member("enablement", participant(i))
    with made.fake.activate():
        fake = made.settled()
        shards = {int(i["iid"]) for i in fake.issues(PROJECT) if ": ledger " in str(i["title"])}
        assert len(shards) == 8
        write_project(made.root, 48)
        made.apply()
        written = {int(r.path.rsplit("/", 1)[1]) for r in fake.requests if r.method == "PUT"}
        assert 1 <= len(written & shards) <= 3, sorted(written & shards)
        assert made.converged()


def test_a_ledger_of_the_first_version_is_rewritten_by_the_first_full_run(
    project: Project,
) -> None:
    """An upgrade (CHANGES): shards whose first line says `v1` are read by no run, and the
    first run that plans the program in full (after an upgrade, the first run: a new version
    is a new fingerprint) writes them as `v2`."""
    fake = project.settled()
    shards = [int(i["iid"]) for i in fake.issues(PROJECT) if ": ledger " in str(i["title"])]
    for shard in shards:
        _edit(fake, shard, _text(fake, shard).replace("\nv2 sections=", "\nv1 sections=", 1))
    project.tick(project.ours()[0])
    run = project.apply()
    assert LEDGER not in run.out and _listed(fake), run.out  # v1: not read
    assert all("\nv2 sections=" in _text(fake, shard) for shard in shards)
    assert project.converged()


def test_a_problem_met_after_writes_says_they_are_kept_not_that_nothing_was_written(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: a body rendered when read fails after the run wrote (a render past its time
    bound on a loaded runner, say). The run said "nothing was written" after six writes, and
    the report said both that and "what it wrote is kept"."""
    fake = project.settled()
    project.tick(project.ours()[0])
    small = project.ours("program::csm-small")
    project.tick(small[0])  # the small program is checked: its deleted issue is made again,
    fake.delete_issue(PROJECT, small[1])  # so the run plans a second round, after writes
    plan = planner.plan_program

    def failing(*args: Any, **kwargs: Any) -> Any:
        if any(r.method in ("PUT", "POST") for r in fake.requests):  # round 2, after writes
            raise ConfigError([Problem("templates/x.md.j2", 3, "template too slow")])
        return plan(*args, **kwargs)

    monkeypatch.setattr(run_module, "plan_program", failing)  # (as run.py imports it)
    fake.clock.advance(HOUR)
    argv = ["apply", "--backend", "gitlab", "--today", "2026-11-24", "--rehearsal"]
    argv += ["--config", str(project.root / "config")]
    argv += ["--templates", str(project.root / "templates")]
    run = cli(argv, {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}, GitLabTime(fake))
    assert run.code == 2 and "template too slow" in run.err, run.out + run.err
    assert "nothing was written" not in run.out + run.err
    assert "what it wrote is kept" in run.err and "updated #" in run.out, run.out + run.err
    monkeypatch.setattr(run_module, "plan_program", plan)
    project.apply()  # the next run finishes the rest
    assert project.converged()


def test_a_ledger_issue_too_full_to_hold_its_lines_is_said_and_the_program_is_listed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review: a shard past SHARD_LIMIT holds no lines, and every run listed the program
    in full without a word; now each run that plans it in full says so."""
    fake = project.settled()
    monkeypatch.setattr(rowledger, "SHARD_LIMIT", 4_000)  # (a line is about 1 KB here)
    run = project.apply("--full")
    assert "would each hold over 4,000 characters of figures" in run.out, run.out
    assert "\nwarning:" not in run.out, run.out  # a notice: nothing for a person to do
    project.apply()
    project.tick(project.ours()[0])
    run = project.apply()
    assert LEDGER not in run.out and _listed(fake), run.out
    assert "hold over 4,000 characters" in run.out
    assert project.converged()
