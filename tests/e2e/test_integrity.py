"""What people do around the tool never loses their work or duplicates an issue: edits during
a run, deleted identity lines, pasted keys, duplicates, concurrent runs, notes due once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from automation import keyindex
from automation.errors import EXIT_ITEMS_FAILED
from automation.identity import find_tracking
from automation.items import NewIssue, ObservedEpic, ObservedIssue
from automation.lock import LOCK_TTL, RunLock, holder_name
from automation.markers import find_key
from automation.run import Applied, apply, prepare
from automation.trackers.base import Tracker
from automation.trackers.gitlab import LOCK_LABEL
from automation.trackers.local import LocalTracker
from tests.backends import (
    PROJECT,
    TODAY,
    Backend,
    GitLabBackend,
    LocalBackend,
    Result,
    StepClock,
    cli,
    new_fake,
    roster_of,
)
from tests.conftest import keep_programs
from tests.crash import Delegating
from tests.e2e.test_contract import by_key  # the same two backends, no key twice
from tests.local_cli import edit, issues, path_of, run

SAM = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
TRACKING = "csm-aspiring-leaders/tracking"
TODAY_DATE = dt.date.fromisoformat(TODAY)


def drop_first_line(text: str) -> str:
    return text.split("\n", 1)[1]


def tick_first(text: str) -> str:
    return re.sub(r"\[ \]", "[x]", text, count=1)


# --- a lost identity line ----------------------------------------------------------------


@pytest.mark.parametrize("damage", [drop_first_line, lambda _: ""], ids=["deleted", "emptied"])
def test_an_issue_whose_identity_line_was_lost_is_restored_not_duplicated(
    backend: Backend, damage: Callable[[str], str]
) -> None:
    assert backend.cli("apply").code == 0
    sam = by_key(backend)[SAM]
    backend.edit(sam.iid, tick_first)
    backend.edit(sam.iid, damage)
    count = len(backend.issues())
    for _ in range(2):
        result = backend.cli("apply")
        assert result.code == 0, result.out + result.err
        assert "created #" not in result.out
    assert len(backend.issues()) == count
    restored = by_key(backend)[SAM]
    assert restored.iid == sam.iid
    assert restored.description.startswith(f"<!-- automation:key={SAM} -->\n")
    assert "No changes" in backend.cli("apply").out


def test_the_tick_of_an_issue_that_lost_its_line_still_counts_in_the_rollup(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    sam = by_key(backend)[SAM]
    backend.edit(sam.iid, lambda t: drop_first_line(tick_first(t)))
    assert backend.cli("apply").code == 0
    tracking = by_key(backend)[TRACKING].description
    row = next(line for line in tracking.split("\n") if line.startswith(f"| #{sam.iid} "))
    assert "| 0% | in progress |" not in row and "not started" not in row


def test_a_first_line_pasted_over_another_is_put_back_and_the_original_keeps_its_item(
    backend: Backend,
) -> None:
    """Someone pastes Sam's first line over Aiko's: the index of keys records which issue is
    whose, so Sam's stays up to date, and Aiko's gets her own line back (with a warning);
    nothing fails, nothing is created."""
    assert backend.cli("apply").code == 0
    issues = by_key(backend)
    aiko, sam = issues["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"], issues[SAM]
    count = len(backend.issues())
    sam_line = sam.description.split("\n", 1)[0]
    backend.edit(aiko.iid, lambda text: sam_line + "\n" + text.split("\n", 1)[1])
    backend.edit(sam.iid, tick_first)
    result = backend.cli("apply")
    said = result.out + result.err
    assert result.code == 0 and "carry the same key" not in said, said
    assert f"issue #{aiko.iid}'s first line named another item" in said
    assert "progress::" in said and f"#{sam.iid} [{SAM}]" in said  # Sam's tick counted
    again = by_key(backend)
    assert again["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"].iid == aiko.iid
    assert again[SAM].iid == sam.iid and len(backend.issues()) == count
    assert "No changes" in backend.cli("apply").out


def test_two_lines_of_the_index_swapped_with_both_first_lines_deleted_swap_nobody(
    backend: Backend,
) -> None:
    """An attacker: Sam's and Aiko's numbers swapped in the tracking issue's hidden index,
    and both issues' first lines deleted. Each issue was taken as the other's item: Sam's
    issue assigned to Aiko, his ticks counted as hers, unsaid. An issue that lost its first
    line and bears another item's title is not taken as the index says: both fail, and
    nothing is written to either, or made anew."""
    assert backend.cli("apply").code == 0
    issues = by_key(backend)
    aiko, sam = issues["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"], issues[SAM]
    tracking = issues[TRACKING]
    sam_line, aiko_line = (
        f"{sam.iid} fy27-pilot/sam.delacroix",
        f"{aiko.iid} fy27-pilot/aiko.tanaka",
    )
    assert sam_line in tracking.description and aiko_line in tracking.description
    swapped = f"{aiko.iid} fy27-pilot/sam.delacroix", f"{sam.iid} fy27-pilot/aiko.tanaka"
    backend.edit(
        tracking.iid,
        lambda text: (
            text.replace(sam_line, "@@").replace(aiko_line, swapped[1]).replace("@@", swapped[0])
        ),
    )
    backend.edit(sam.iid, drop_first_line)
    backend.edit(aiko.iid, drop_first_line)
    before = {i.iid: (i.assignees, i.description) for i in backend.issues()}
    result = backend.cli("apply")
    assert result.code == 1, result.out + result.err
    assert (
        result.out.count("its title is another item's")
        + result.err.count("its title is another item's")
        == 2
    ), result.out + result.err
    after = {i.iid: (i.assignees, i.description) for i in backend.issues()}
    assert after[sam.iid] == before[sam.iid] and after[aiko.iid] == before[aiko.iid]
    assert len(after) == len(before)  # nothing made anew


def test_two_issues_with_one_key_and_no_record_of_either_are_a_failure(backend: Backend) -> None:
    """With no index entry naming either (Sam's issue and a copy of it made by the tool's
    user, and the index lost), the tool cannot tell which is Sam's: neither is written."""
    assert backend.cli("apply").code == 0
    sam = by_key(backend)[SAM]
    tracking = next(i for i in backend.issues() if i.key == TRACKING)
    entry = f"{sam.iid} {SAM.split('/', 1)[1]}\n"  # the index's keys leave out the program
    assert entry in tracking.description
    backend.edit(tracking.iid, lambda text: text.replace(entry, ""))
    aiko = by_key(backend)["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"]
    sam_line = sam.description.split("\n", 1)[0]
    backend.edit(aiko.iid, lambda text: sam_line + "\n" + text.split("\n", 1)[1])
    result = backend.cli("apply")
    assert result.code == 1 and "carry the same key" in result.out + result.err


def test_an_issue_moved_away_and_back_fails_with_advice_that_ends_it(project: Path) -> None:
    """Sam's issue moved to another project and back: GitLab closes the original and makes
    an open copy, so two issues carry his key and the tool cannot tell which people work in.
    The failure says which to keep and what to do with the other; done, the next run is
    quiet, with no warning about the one left (a tester saw one on every run)."""
    assert run("apply").code == 0
    folder = project / ".automation" / "issues"
    sam = issues(project)[SAM]
    copy = max(int(p.stem) for p in folder.glob("*.md")) + 1
    original = folder / f"{sam.iid}.md"
    (folder / f"{copy}.md").write_text(original.read_text("utf-8"), "utf-8")
    edit(original, "state: opened", "state: closed")  # the original, moved
    result = run("apply")
    assert result.code == 1
    advice = "keep the one people work in (after a move to another project and back, the open "
    assert advice + "one;" in result.out, result.out
    edit(original, "- program::csm-aspiring-leaders\n", "")
    text = original.read_text("utf-8")
    marker = text.index("<!-- automation:key=")
    original.write_text(text[:marker] + text[text.index("\n", marker) + 1 :], "utf-8")
    result = run("apply")
    assert result.code == 0 and "warning:" not in result.out, result.out
    assert issues(project)[SAM].iid == copy
    assert "No changes" in run("apply").out


@dataclass
class _Moved:
    """An issue a person moved to another project, and then back: the runs after each move."""

    gitlab: GitLabBackend
    iid: int  # the original's
    away: Result
    back: int  # the issue it came back as
    returned: Result


@contextmanager
def _moved_away_and_back(project: Path, key: str) -> Iterator[_Moved]:
    fake = new_fake(users=roster_of(project))
    fake.add_project("enablement/archive")
    with fake.activate():
        gitlab = GitLabBackend(fake)
        assert gitlab.cli("apply").code == 0
        iid = by_key(gitlab)[key].iid
        copy = fake.move_issue(PROJECT, iid, "enablement/archive", as_user="sam.delacroix")
        away = gitlab.cli("apply")
        back = fake.move_issue("enablement/archive", copy, PROJECT, as_user="sam.delacroix")
        yield _Moved(gitlab, iid, away, back, gitlab.cli("apply"))


def test_on_gitlab_an_issue_moved_away_is_said_and_moved_back_is_followed(project: Path) -> None:
    """A tester's: an issue a person moved to another project read `closed, 0%` for good with
    nothing said (GitLab closes it here and points it at its copy, `moved_to_id`). It is
    warned about; moved back, the issue it comes back as is the item's, with no failure,
    nothing made twice, and the next run quiet."""
    with _moved_away_and_back(project, SAM) as moved:
        away, back, returned = moved.away, moved.back, moved.returned
        assert away.code == 0, away.out
        assert f"issue #{moved.iid} was moved to another project" in away.out, away.out
        assert "to epic" not in away.out  # its epic went with the copy
        assert returned.code == 0 and "FAILED" not in returned.out, returned.out
        assert "was moved to another project" not in returned.out
        found = moved.gitlab.issues()
        assert [i.iid for i in found if i.key == SAM and i.state == "opened"] == [back]
        assert len(found) == 5  # the one moved back is the fifth: nothing made
        tracking = next(i for i in found if i.key == TRACKING).description
        assert f"| #{back} | Sam Delacroix |" in tracking and f"| #{moved.iid} |" not in tracking
        assert "No changes" in moved.gitlab.cli("apply").out


def test_a_finished_issues_text_pasted_into_an_open_one_fails_nothing(shipped: Path) -> None:
    """Tom graduated (his issue closed); Maya pastes his whole text into her open issue: the
    index records hers as Maya's, so it is a copy, not Tom's issue moved away and back: she
    gets her line back, and Tom's item neither fails nor is advised away."""
    keep_programs(shipped, "sales-onboarding")
    assert run("apply").code == 0
    tom = path_of(shipped, "sales-onboarding/tom.reyes")
    tom.write_text(tom.read_text("utf-8").replace("[ ]", "[x]"), "utf-8")
    assert run("apply").code == 0
    maya = path_of(shipped, "sales-onboarding/maya.okonkwo")
    front, body = (
        maya.read_text("utf-8").split("---\n", 2)[1],
        tom.read_text("utf-8").split("---\n", 2)[2],
    )
    maya.write_text(f"---\n{front}---\n{body}", "utf-8")
    result = run("apply")
    assert result.code == 0 and "FAILED" not in result.out, result.out
    found = issues(shipped)
    assert found["sales-onboarding/tom.reyes"].state == "closed"
    assert found["sales-onboarding/maya.okonkwo"].description.startswith(
        "<!-- automation:key=sales-onboarding/maya.okonkwo "
    )


def test_a_tracking_issue_whose_first_line_was_deleted_is_found_by_its_index(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    tracking = by_key(backend)[TRACKING]
    backend.edit(tracking.iid, drop_first_line)
    count = len(backend.issues())
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert len(backend.issues()) == count
    assert by_key(backend)[TRACKING].iid == tracking.iid


def test_issues_with_the_label_and_no_key_are_warned_about_on_every_run(
    backend: Backend,
) -> None:
    """...in one line for all of them, telling people's issues from the tool's (a tester's
    finding: 230 issues people opened with the label made 230 lines, each telling them to
    put back a first line they never had)."""
    assert backend.cli("apply").code == 0
    tracker = backend.tracker()
    strangers = [_person_creates(backend, f"Question {n}", "Who runs the pilot?") for n in "123"]
    for stranger in strangers:
        tracker.update_labels(stranger, ["program::csm-aspiring-leaders"], [])
    a, b, c = sorted(strangers)
    label = ("program::csm-aspiring-leaders",)
    ours = tracker.create_issue(NewIssue("x", "A note of the tool's", "no key here", label)).iid
    for _ in range(2):
        result = backend.cli("apply")
        said = [line for line in result.out.splitlines() if "program::csm-aspiring-leaders" in line]
        assert len(said) == 2, said
        assert (
            f"issues #{a}, #{b} and #{c} have the label program::csm-aspiring-leaders, but "
            "other users opened them, not the tool, so the tool does not track them"
        ) in said[1]
        assert (
            f"issue #{ours} has the label program::csm-aspiring-leaders but no automation key "
            "on the first line, so the tool does not track it: if it is the program's, put its "
            "first line back"
        ) in said[0]


def test_closed_issues_people_opened_with_the_label_are_not_warned_about(
    backend: Backend,
) -> None:
    """A tester adopting the tool: a team's closed, hand-made issues of past years carry the
    program label, and a run warned about them every time, asking to take the label off
    their history. Only open ones are said (they may be counted as the program's)."""
    assert backend.cli("apply").code == 0
    tracker = backend.tracker()
    old, live = (_person_creates(backend, f"Onboarding {n}", "- [x] done") for n in "12")
    for iid in (old, live):
        tracker.update_labels(iid, ["program::csm-aspiring-leaders"], [])
    tracker.close_issue(old)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert (
        f"issue #{live} has the label program::csm-aspiring-leaders, but another user opened it, "
        "not the tool, so the tool does not track it (its labels may be counted" in result.out
    ), result.out
    assert f"#{old}" not in result.out
    tracker.close_issue(live)
    assert "opened it" not in backend.cli("apply").out


# --- keys count only where the tool put them ----------------------------------------------


def test_a_key_pasted_into_a_bug_report_blocks_and_hijacks_nothing(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    sam = by_key(backend)[SAM]
    quoted = f"Broken:\n\n```\n<!-- automation:key={SAM} -->\n```\n"
    pasted = f"<!-- automation:key={SAM} -->\nI copied Sam's issue to ask a question."
    bug = _person_creates(backend, "Bug report", quoted)
    copy = _person_creates(backend, "Copy of Sam's issue", pasted)
    for iid in (bug, copy):
        backend.tracker().update_labels(iid, ["program::csm-aspiring-leaders"], [])
    backend.edit(sam.iid, tick_first)
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert f"updated #{sam.iid}" in result.out  # the real item is still kept up to date
    assert "created #" not in result.out
    assert by_key(backend)[SAM].iid == sam.iid
    copy_now = next(i for i in backend.issues() if i.iid == copy)
    assert copy_now.description == pasted  # never written to


def test_first_line_rule() -> None:
    assert find_key(f"<!-- automation:key={SAM} -->\ntext") == SAM
    assert find_key(f"\n  \n<!-- automation:key={SAM} -->\ntext") == SAM
    assert find_key(f"Hello\n<!-- automation:key={SAM} -->") is None
    assert find_key(f"```\n<!-- automation:key={SAM} -->\n```") is None


def _person_creates(backend: Backend, title: str, description: str) -> int:
    """A person (not the tool's user) opens an issue."""
    if isinstance(backend, GitLabBackend):
        return backend.fake.create_issue_as(
            "enablement/programs", "aiko.tanaka", title, description
        )
    assert isinstance(backend, LocalBackend)
    folder = backend.root / ".automation" / "issues"
    iid = max(int(p.stem) for p in folder.glob("*.md")) + 1
    front = (
        f"---\ntitle: {title}\nstate: opened\nlabels: []\ncreated_at: 2026-11-24T00:00:00Z\n"
        "updated_at: 2026-11-24T00:00:00Z\nauthor: aiko.tanaka\n---\n"
    )
    (folder / f"{iid}.md").write_text(front + description, "utf-8")
    return iid


# --- edits made during a run survive --------------------------------------------------------


class PersonAfterList(Delegating):
    """A person edits an issue right after the run listed the program's issues."""

    def __init__(self, inner: Tracker, iid: int, change: Callable[[str], str]) -> None:
        super().__init__(inner)
        self.iid, self.change, self.done = iid, change, False

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        listed = super().program_issues(program_label)
        if not self.done:
            self.done = True
            current = self.inner.get_issue(self.iid)
            assert current is not None
            self.inner.update_description(self.iid, self.change(current.description))
        return listed


def test_a_tick_made_between_the_list_and_the_write_survives(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    sam, tracking = by_key(backend)[SAM], by_key(backend)[TRACKING]
    backend.edit(sam.iid, tick_first)  # the run will rewrite Sam's progress block
    note = "Program team: kick-off moved to Friday."

    def type_a_line(text: str) -> str:
        return text.replace("## ", f"{note}\n\n## ", 1)

    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    people = PersonAfterList(backend.tracker(), tracking.iid, type_a_line)
    assert not apply(prepared, people, TODAY_DATE).outcome.failures
    assert note in by_key(backend)[TRACKING].description
    # and a second person ticks Sam's next box during the next run
    people = PersonAfterList(backend.tracker(), sam.iid, tick_first)
    before = by_key(backend)[SAM].description.count("[x]")
    assert not apply(prepared, people, TODAY_DATE).outcome.failures
    assert by_key(backend)[SAM].description.count("[x]") == before + 1
    assert backend.cli("apply").code == 0
    assert "No changes" in backend.cli("apply").out


# --- notes that must happen once ----------------------------------------------------------


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def _tick_all(path: Path) -> None:
    path.write_text(re.sub(r"\[ \]", "[x]", path.read_text(encoding="utf-8")), encoding="utf-8")


def _tom(root: Path) -> ObservedIssue:
    found = LocalTracker(root / ".automation").all_issues()
    return next(i for i in found if i.key == "sales-onboarding/tom.reyes")


def _notes(root: Path, iid: int) -> str:
    path = root / ".automation" / "notes" / f"{iid}.md"
    return path.read_text("utf-8") if path.is_file() else ""


def _local(*args: str) -> None:
    """A command on the local backend, as a step on the way: it must succeed."""
    result = cli([*args, "--backend", "local", "--today", TODAY], {})
    assert result.code == 0, result.out + result.err


def test_a_deleted_completion_block_brings_no_second_note_and_no_second_close(
    onboarding: Path,
) -> None:
    _local("apply")
    tom = _tom(onboarding)
    path = onboarding / ".automation" / "issues" / f"{tom.iid}.md"
    _tick_all(path)
    _local("apply")
    notes = _notes(onboarding, tom.iid)
    assert notes.count("Congratulations") == 1
    text = path.read_text("utf-8").replace("state: closed", "state: opened")
    start = text.index("<!-- automation:begin completion -->")
    end = text.index("<!-- automation:end completion -->") + len(
        "<!-- automation:end completion -->"
    )
    path.write_text(text[:start] + text[end:], "utf-8")
    _local("apply")
    assert _notes(onboarding, tom.iid) == notes
    assert _tom(onboarding).state == "opened"  # a person reopened it: left open
    assert "**Completed:**" in _tom(onboarding).description


# --- two runs at once ----------------------------------------------------------------------


class OtherRun(Delegating):
    """Starts a whole other run (through the CLI) once, at the moment a subclass picks."""

    def __init__(self, inner: Tracker, other: Callable[[], Result]) -> None:
        super().__init__(inner)
        self.other = other
        self.result: Result | None = None

    def start_other(self) -> None:
        if self.result is None:
            self.result = self.other()


class SecondRunMidway(OtherRun):
    """The other run starts when this one creates its first issue."""

    def create_issue(self, issue: NewIssue, epic: ObservedEpic | None = None) -> ObservedIssue:
        self.start_other()
        return super().create_issue(issue, epic)


class RunBeforeTheLock(OtherRun):
    """The other run starts, and finishes, just before this one takes the run lock."""

    def lock_take(self, holder: str, until: dt.datetime) -> bool:
        self.start_other()
        return super().lock_take(holder, until)


def _run_with_another(
    backend: Backend, kind: type[OtherRun], clock: StepClock | None = None
) -> tuple[OtherRun, Applied]:
    """A run (planned and applied in process) and, at its KIND's moment, a CLI run."""
    args = ["apply", "--backend", backend.name, "--today", TODAY, "--rehearsal"]
    env = backend.env() if isinstance(backend, GitLabBackend) else {}
    tracker = kind(backend.tracker(), lambda: cli(args, env, clock))
    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    return tracker, apply(prepared, tracker, TODAY_DATE, lock=RunLock(tracker, StepClock()))


def test_a_second_run_during_a_first_waits_then_exits_3_and_nothing_is_duplicated(
    backend: Backend,
) -> None:
    clock = StepClock()
    first, _ = _run_with_another(backend, SecondRunMidway, clock)
    second = first.result
    assert second is not None and second.code == 3
    assert "another run of the automation holds the lock" in second.err
    assert clock.slept and sum(clock.slept) >= 600  # it waited ten minutes (of test time)
    by_key(backend)  # no key twice
    assert backend.cli("apply").code == 0  # the lock was released


def test_a_run_that_finished_before_the_lock_was_taken_is_planned_from_again(
    backend: Backend,
) -> None:
    """The plan made before the lock would create every issue; the other run created them
    first, so under the lock the run plans from what is there now and creates nothing."""
    late, applied = _run_with_another(backend, RunBeforeTheLock)
    assert late.result is not None and "created" in late.result.out
    assert applied.plans[0].creates_items is False
    assert applied.outcome.done == [] and applied.outcome.failures == []
    by_key(backend)  # no key twice


def test_a_crashed_runs_lock_expires(backend: Backend) -> None:
    clock = StepClock()
    tracker = backend.tracker()
    assert tracker.lock_take("run-crashed", clock.now() + dt.timedelta(minutes=5))
    args = ["apply", "--backend", backend.name, "--today", TODAY, "--rehearsal"]
    env = backend.env() if isinstance(backend, GitLabBackend) else {}
    result = cli(args, env, clock)
    assert result.code == 0, result.out + result.err  # waited past the expiry, then took over
    assert 300 <= sum(clock.slept) <= 300 + 60
    assert tracker.lock_read() is None
    assert dt.timedelta(minutes=30) <= LOCK_TTL


def test_an_issue_whose_first_line_was_changed_to_a_future_rollups_key_gets_its_own_back(
    shipped: Path,
) -> None:
    """Sam, in a confidential program, changes his pair issue's first line to the key of a
    cohort rollup the team will add: the rollup would list that cohort's pairs, released or
    not, in an issue Sam reads. The index records his issue under his pair, so his own line
    is put back and the rollup is made as a new issue, which Sam cannot read."""
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply").code == 0
    pair = "sales-sponsorship/fy28-h1/sam.delacroix"
    path, sams = path_of(shipped, pair), issues(shipped)[pair].iid
    edit(path, f"automation:key={pair} ", "automation:key=sales-sponsorship/fy29-h1/tracking ")
    add_a_cohort_with_a_proposed_pair(shipped)
    result = run("apply")
    assert result.code == 0, result.out + result.err
    assert "first line named another item" in result.out
    found = issues(shipped)
    assert found[pair].iid == sams and "Nakamura" not in path.read_text(encoding="utf-8")
    rollup = found["sales-sponsorship/fy29-h1/tracking"]
    assert rollup.iid != sams and "Victor Nakamura" in rollup.description
    assert "No changes" in run("apply").out


INDEX = f"{TRACKING}/index"
PASTES = [
    (TRACKING, SAM, False),
    (SAM, TRACKING, False),
    (INDEX, SAM, True),
    (SAM, INDEX, True),
    (TRACKING, INDEX, True),
    (INDEX, TRACKING, True),
]


@pytest.mark.parametrize(("source", "target", "big"), PASTES, ids=lambda v: str(v).split("/")[-1])
def test_a_first_line_pasted_between_the_tools_own_issues_makes_no_second_issue(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, source: str, target: str, big: bool
) -> None:
    """The tracking issue holds the index of keys and the index issue its keys block: which
    issue is which is found by those, not only by first lines. Nothing is created twice, no
    index entry is lost, and the runs settle."""
    if big:
        monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)  # the index lives in an issue of its own
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    line = found[source].description.split("\n", 1)[0]
    backend.edit(found[target].iid, lambda text: line + "\n" + text.split("\n", 1)[1])
    said = [backend.cli("apply") for _ in range(3)]
    assert len(backend.issues()) == count, said[-1].out
    assert "created issue" not in "".join(r.out for r in said)
    assert "No changes" in said[2].out, said[2].out  # settled: the lines are put back
    backend.edit(found[SAM].iid, tick_first)  # Sam's tick still reaches the rollup
    assert backend.cli("apply").code == 0
    tracking = next(i for i in backend.issues() if i.iid == found[TRACKING].iid).description
    row = next(line for line in tracking.split("\n") if "| Sam Delacroix |" in line)
    assert row.startswith(f"| #{found[SAM].iid} ") and " 0% | 0% |" not in row.split("|", 4)[3]


@pytest.fixture(params=["local", "gitlab"])
def two_programs(request: pytest.FixtureRequest, shipped: Path) -> Iterator[Backend]:
    """CSM Aspiring Leaders beside the confidential Sales Sponsorship program."""
    keep_programs(shipped, "sales-sponsorship", "csm-aspiring-leaders")
    if request.param == "local":
        yield LocalBackend(shipped)
        return
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        yield GitLabBackend(fake)


@pytest.mark.parametrize("target", [TRACKING, SAM])
def test_a_confidential_pairs_first_line_pasted_into_another_programs_issue(
    two_programs: Backend, target: str
) -> None:
    """Aiko's pair line (sales sponsorship, confidential) pasted over CSM's tracking issue or
    Sam's CSM issue: the index and the index block say which issue it is, its own line is put
    back, nothing is made twice, and no output names the pair."""
    backend = two_programs
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    line = found["sales-sponsorship/fy28-h1/aiko.tanaka"].description.split("\n", 1)[0]
    backend.edit(found[target].iid, lambda text: line + "\n" + text.split("\n", 1)[1])
    planned = backend.cli("plan", "--json")
    said = [backend.cli("apply") for _ in range(2)]
    assert len(backend.issues()) == count
    assert "aiko" not in (planned.out + "".join(r.out + r.err for r in said)).lower()
    assert by_key(backend)[target].iid == found[target].iid
    assert "No changes" in said[-1].out


def test_the_whole_tracking_issue_pasted_into_sams_makes_no_second_issue(backend: Backend) -> None:
    """Both issues then carry the tracking key and an index block: the real one is the one
    no index records as another item (Sam's index entry names his issue)."""
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    text = found[TRACKING].description
    backend.edit(found[SAM].iid, lambda _: text)
    said = [backend.cli("apply") for _ in range(3)]
    assert len(backend.issues()) == count, said[-1].out
    assert "created issue" not in "".join(r.out for r in said)
    again = by_key(backend)
    assert again[TRACKING].iid == found[TRACKING].iid and again[SAM].iid == found[SAM].iid
    assert "No changes" in said[-1].out


def test_a_tracking_issue_whose_text_was_replaced_is_found_by_its_title(backend: Backend) -> None:
    """The program lead replaces the whole tracking issue with her own note (the index of keys
    with it), and Sam deletes his first line before the next run: no second tracking issue and
    no second issue for Sam (both are known by their titles); both get their first lines back,
    the tracking issue its figures."""
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    backend.edit(found[TRACKING].iid, lambda _: "We moved our notes to the wiki.")
    backend.edit(found[SAM].iid, lambda text: text.split("\n", 1)[1])
    said = [backend.cli("apply") for _ in range(3)]
    assert len(backend.issues()) == count, said[-1].out
    again = by_key(backend)
    assert again[TRACKING].iid == found[TRACKING].iid and again[SAM].iid == found[SAM].iid
    tracking = again[TRACKING].description
    assert tracking.startswith("<!-- automation:key=") and "We moved our notes" in tracking
    assert "automation:begin rollup" in tracking
    assert "No changes" in said[-1].out


AIKO = "csm-aspiring-leaders/fy27-pilot/aiko.tanaka"


def test_a_replaced_tracking_issue_and_a_pasted_first_line_make_no_second_issue(
    backend: Backend,
) -> None:
    """The same week, the lead replaces the tracking issue's text (the index with it) and
    Aiko's first line is changed to Sam's key: with no index, the titles tell which issue is
    Sam's and which Aiko's, so Aiko gets her own line back, no second issue, and Sam's issue
    is not failed for ever (a tester saw both)."""
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    backend.edit(found[TRACKING].iid, lambda _: "# Chloe's notes\n\nWe meet every other Tuesday.\n")
    sams_line = found[SAM].description.split("\n", 1)[0]
    backend.edit(found[AIKO].iid, lambda text: sams_line + "\n" + text.split("\n", 1)[1])
    said = [backend.cli("apply") for _ in range(3)]
    assert all(r.code == 0 for r in said), said[0].out
    assert len(backend.issues()) == count, said[0].out
    assert "created issue" not in "".join(r.out for r in said)
    assert f"issue #{found[AIKO].iid}'s first line named another item than its title" in said[0].out
    again = by_key(backend)
    assert [again[k].iid for k in (TRACKING, SAM, AIKO)] == [
        found[k].iid for k in (TRACKING, SAM, AIKO)
    ]
    assert "No changes" in said[-1].out


@pytest.mark.parametrize("sams", ["closed", "retitled"])
def test_a_participant_typing_anothers_first_line_and_title_takes_nothing(
    backend: Backend, sams: str
) -> None:
    """With no index to read (the tracking issue's text replaced), Aiko gives her own issue
    Sam's first line and Sam's title, while Sam's issue is closed or titled his own way: the
    titles cannot tell whose is whose, so Sam's item fails and neither issue is written to
    (a reviewer's attack on settling by title; Aiko's own item, which no issue shows any
    more, is made anew)."""
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    backend.edit(found[TRACKING].iid, lambda _: "We moved our notes to the wiki.")
    if sams == "closed":
        backend.retitle(found[SAM].iid, found[SAM].title, state="closed")
    else:
        backend.retitle(found[SAM].iid, "Sam's leadership notes")
    sams_line = found[SAM].description.split("\n", 1)[0]
    backend.edit(found[AIKO].iid, lambda text: sams_line + "\n" + text.split("\n", 1)[1])
    backend.retitle(found[AIKO].iid, found[SAM].title)
    before = {i.iid: i for i in backend.issues()}
    result = backend.cli("apply")
    assert result.code == 1 and "carry the same key" in result.out, result.out
    after = {i.iid: i for i in backend.issues()}
    for iid in (found[SAM].iid, found[AIKO].iid):  # neither written to
        assert after[iid].description == before[iid].description, result.out
        assert after[iid].assignees == before[iid].assignees


def test_a_confidential_tracking_issue_given_another_programs_label_stays_its_own(
    two_programs: Backend,
) -> None:
    """The CSM tracking issue loses its label and the confidential Sales tracking issue gets
    CSM's too: it is not taken for CSM's (its first line and label say whose it is)."""
    backend = two_programs
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    sales = found["sales-sponsorship/tracking"].iid
    before = next(i for i in backend.issues() if i.iid == sales).description
    tracker = backend.tracker()
    tracker.update_labels(found[TRACKING].iid, [], ["program::csm-aspiring-leaders"])
    tracker.update_labels(sales, ["program::csm-aspiring-leaders"], [])
    for _ in range(3):
        # the tool refuses the tracking issue that lost its label (an item FAILED): exit 1
        assert backend.cli("apply").code == EXIT_ITEMS_FAILED
    after = next(i for i in backend.issues() if i.iid == sales)
    assert after.key == "sales-sponsorship/tracking" and after.description == before


def test_a_departed_pairs_issue_retitled_as_a_future_rollup_takes_nothing(shipped: Path) -> None:
    """Sam's pair leaves the configuration; Sam, still assigned, gives his issue the title of
    a cohort rollup the team adds later and deletes its first line. The confidential rollup,
    which names the cohort's pairs not released yet, is made as an issue of its own."""
    keep_programs(shipped, "sales-sponsorship")
    pair, rollup = "sales-sponsorship/fy28-h1/sam.delacroix", "sales-sponsorship/fy29-h1/tracking"
    assert run("apply").code == 0
    path, sams = path_of(shipped, pair), issues(shipped)[pair].iid
    config = shipped / "config" / "programs" / "sales-sponsorship.yml"
    edit(config, "        - {sponsor: dana.whitfield, sponsee: sam.delacroix}\n", "")
    assert run("apply").code == 0
    edit(
        path, "Sponsorship: Sam Delacroix with Dana Whitfield", "Sales Sponsorship: FY29 H1 cohort"
    )
    edit(path, f"<!-- automation:key={pair} -->\n", "")
    edit(
        config,
        "    - id: fy28-h2\n",
        "    - id: fy29-h1\n      name: FY29 H1 cohort\n      start: 2028-02-01\n      pairs:\n"
        "        - {sponsor: victor.nakamura, sponsee: lena.fischer, status: proposed}\n"
        "    - id: fy28-h2\n",
    )
    assert run("apply").code == 0
    found = issues(shipped)
    assert found[rollup].iid != sams
    assert "Victor Nakamura" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("guessed", [False, True], ids=["numbers", "guessed keys"])
def test_an_index_a_sponsee_forges_in_his_own_issue_takes_nothing(
    shipped: Path, guessed: bool
) -> None:
    """Sam gives his scores issue the tracking issue's first line and an index block of his
    own (numbers 1 to 500, or each number with a key he can guess), and his pair issue the
    first line of a cohort rollup the team adds later. His index is not the program's (the
    issues' first lines bear out the real one), so the confidential rollup, which names the
    cohort's pairs not released yet, is made as an issue of its own."""
    keep_programs(shipped, "sales-sponsorship")
    pair = "sales-sponsorship/fy28-h1/sam.delacroix"
    scores, rollup = pair + "/sponsee-scores", "sales-sponsorship/fy29-h1/tracking"
    assert run("apply").code == 0
    pair_path, scores_path = path_of(shipped, pair), path_of(shipped, scores)
    edit(scores_path, f"automation:key={scores} ", "automation:key=sales-sponsorship/tracking ")
    names = ["aiko.tanaka", "lena.fischer", "sam.delacroix", "kenji.watanabe"]
    lines = [
        f"{n} fy28-h1/{names[n % 4]}{'/sponsee-scores' if n % 3 else ''}"
        if guessed
        else f"{n} x/{n}"
        for n in range(1, 501)
    ]
    forged = "\n".join(lines)
    block = f"<!-- automation:begin index -->\n<!--\n{forged}\n-->\n<!-- automation:end index -->\n"
    scores_path.write_text(scores_path.read_text("utf-8") + "\n" + block, "utf-8")
    edit(pair_path, f"automation:key={pair} ", f"automation:key={rollup} ")
    assert run("apply").code in (0, 1)
    add_a_cohort_with_a_proposed_pair(shipped)
    assert run("apply").code == 0
    assert "Nakamura" not in pair_path.read_text(encoding="utf-8")
    assert issues(shipped)[rollup].iid != issues(shipped)[pair].iid


def test_an_index_a_participant_forges_in_his_own_issue_makes_no_second_issue(
    backend: Backend,
) -> None:
    """Sam pastes the tracking issue's first line into his issue, with an index block that
    records the tracking issue as his: the issues' first lines bear out the real index, so
    nothing is made twice and nothing fails; Sam's issue gets its own line back."""
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    tracking = found[TRACKING]
    line = tracking.description.split("\n", 1)[0]
    forged = (
        "<!-- automation:begin index -->\n<!-- Which issue holds which key\n"
        f"{tracking.iid} fy27-pilot/sam.delacroix\n-->\n<!-- automation:end index -->\n"
    )
    backend.edit(found[SAM].iid, lambda t: line + "\n" + t.split("\n", 1)[1] + "\n" + forged)
    said = [backend.cli("apply") for _ in range(2)]
    assert len(backend.issues()) == count, said[-1].out
    assert "FAILED" not in said[-1].out, said[-1].out
    assert by_key(backend)[SAM].iid == found[SAM].iid


def forged_index(backend: Backend, *extra: str) -> None:
    """Sam, who can read every issue of the program, pastes the tracking issue's first line
    and its index block into his issue, his own entry left out and EXTRA entries added."""
    found = by_key(backend)
    tracking, sam = found[TRACKING], found[SAM]
    block = re.search(
        r"<!-- automation:begin index -->.*?<!-- automation:end index -->",
        tracking.description,
        re.S,
    )
    assert block
    lines = [line for line in block.group(0).split("\n") if not line.startswith(f"{sam.iid} ")]
    lines[-2:-2] = [f"{tracking.iid} tracking", *extra]
    line = tracking.description.split("\n", 1)[0]
    backend.edit(sam.iid, lambda t: line + "\n" + t.split("\n", 1)[1] + "\n" + "\n".join(lines))


def test_a_copy_of_the_index_a_participant_improves_on_wins_nothing(backend: Backend) -> None:
    """His issue carries the labels the tool keeps on tracked issues, which he cannot take
    off: it is his copy, whatever its index says. Nothing is made twice, his issue gets its
    own line back and the real index takes none of his entries."""
    assert backend.cli("apply").code == 0
    found = by_key(backend)
    count = len(backend.issues())
    forged_index(backend, "999 fy29-future/whatever")
    picked = find_tracking(backend.issues(), TRACKING)
    assert picked is not None and picked.iid == found[TRACKING].iid
    said = [backend.cli("apply") for _ in range(2)]
    assert all(r.code == 0 for r in said), said[-1].out
    assert len(backend.issues()) == count
    again = by_key(backend)
    assert again[SAM].iid == found[SAM].iid
    assert "fy29-future" not in again[TRACKING].description


def test_an_entry_a_participant_forges_for_someone_to_come_gives_them_nothing(
    shipped: Path,
) -> None:
    """Sam's forged index gives his issue to Dana, who joins later; he deletes his first
    line. Dana gets an issue of her own, and nothing Sam wrote."""
    keep_programs(shipped, "csm-aspiring-leaders")
    backend = LocalBackend(shipped)
    assert backend.cli("apply").code == 0
    sam = by_key(backend)[SAM]
    backend.edit(sam.iid, lambda t: t + "\nSam's own note\n")
    forged_index(backend, f"{sam.iid} fy27-pilot/dana.whitfield")
    assert backend.cli("apply").code == 0
    backend.edit(sam.iid, lambda t: t.split("\n", 1)[1])
    assert backend.cli("apply").code == 0
    edit(
        shipped / "config/programs/csm-aspiring-leaders.yml",
        "      - lena.fischer\n",
        "      - lena.fischer\n      - dana.whitfield\n",
    )
    assert backend.cli("apply").code == 0
    dana = by_key(backend)["csm-aspiring-leaders/fy27-pilot/dana.whitfield"]
    assert dana.iid != sam.iid and "Sam's own note" not in dana.description


def add_a_cohort_with_a_proposed_pair(root: Path) -> None:
    """The team adds sponsorship cohort fy29-h1, its one pair (Victor and Lena) proposed:
    its rollup, confidential, names them."""
    edit(
        root / "config" / "programs" / "sales-sponsorship.yml",
        "    - id: fy28-h2\n",
        "    - id: fy29-h1\n      name: FY29 H1 cohort\n      start: 2028-02-01\n      pairs:\n"
        "        - {sponsor: victor.nakamura, sponsee: lena.fischer, status: proposed}\n"
        "    - id: fy28-h2\n",
    )


def test_two_index_lines_a_lead_swaps_fail_both_items_saying_where_to_look(
    shipped: Path,
) -> None:
    """A lead swaps two entries of the sponsorship program's index of keys (a hidden comment,
    marked "do not edit"): the tool cannot tell that from two first lines swapped, so both
    pairs fail and nothing is written to them, and the message leads to the index as well as
    the first line; put back, the program runs again."""
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply").code == 0
    sam, lena = "fy28-h1/sam.delacroix\n", "fy28-h1/lena.fischer\n"
    found = issues(shipped)
    tracking = path_of(shipped, "sales-sponsorship/tracking")
    before = tracking.read_text(encoding="utf-8")
    sams, lenas = (found[f"sales-sponsorship/{key.strip()}"].iid for key in (sam, lena))
    swapped = before.replace(f"{sams} {sam}", f"{lenas} {sam}X").replace(
        f"{lenas} {lena}", f"{sams} {lena}"
    )
    tracking.write_text(swapped.replace(f"{lenas} {sam}X", f"{lenas} {sam}"), encoding="utf-8")
    result = run("apply")
    assert result.code == 1, result.out
    assert result.out.count("index of keys in the program's tracking or index issue") == 2
    assert issues(shipped)[f"sales-sponsorship/{sam.strip()}"].iid == sams
    tracking.write_text(before, encoding="utf-8")  # its rollup as before the failing run
    assert run("apply").code == 0
    assert "No changes" in run("apply").out


def test_a_ci_jobs_run_names_its_job_in_the_lock_and_a_second_run_says_which_job_holds_it(
    backend: Backend,
) -> None:
    """An operator whose run stopped on the lock wants to know which job holds it (still
    going? crashed?): a run in a GitLab CI job writes its job's address in the lock, and the
    second run's message names that job."""
    job = "https://gitlab.example.com/enablement/programs/-/jobs/4242"
    first_holder: list[str] = []

    class Holders(SecondRunMidway):
        def lock_take(self, holder: str, until: dt.datetime) -> bool:
            first_holder.append(holder)
            return super().lock_take(holder, until)

    args = ["apply", "--backend", backend.name, "--today", TODAY, "--rehearsal"]
    env = backend.env() if isinstance(backend, GitLabBackend) else {}
    clock = StepClock()
    tracker = Holders(backend.tracker(), lambda: cli(args, env, clock))
    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    lock = RunLock(tracker, StepClock(), holder=holder_name({"CI_JOB_URL": job}))
    assert not apply(prepared, tracker, TODAY_DATE, lock=lock).outcome.failures
    second = tracker.result
    assert second is not None and second.code == 3
    assert f"another run of the automation (CI job {job}) holds the lock" in second.err
    assert first_holder[0].startswith(f"{job}#run-")
    assert holder_name({"CI_JOB_URL": job}) != first_holder[0]  # a retried job is another run
    assert holder_name({}).startswith("run-") and holder_name({"CI_JOB_URL": "x y"}) != "x y"


def test_the_cli_in_a_ci_job_writes_its_jobs_address_in_the_lock(project: Path) -> None:
    fake = new_fake(users=roster_of(project))
    job = "https://gitlab.example.com/enablement/programs/-/jobs/77"
    with fake.activate():
        gitlab = GitLabBackend(fake)
        env = {**gitlab.env(), "CI_JOB_URL": job}
        assert cli(["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"], env).code == 0
    locks = [
        r.params.get("description", "")
        for r in fake.requests
        if r.method == "POST" and r.path.endswith("/labels") and r.params.get("name") == LOCK_LABEL
    ]
    assert locks and all(f"going: {job}#run-" in text for text in locks)


def test_on_gitlab_a_tracking_issue_moved_away_is_said_moved_not_closed(project: Path) -> None:
    """An operations trial: the tracking issue moved to another project read "closed while
    … under way: reopen it", which would leave two copies. Moved back, it is followed."""
    with _moved_away_and_back(project, TRACKING) as moved:
        away, returned = moved.away, moved.returned
        said = f"issue #{moved.iid} was moved to another project, and GitLab closed it here, while"
        assert away.code == 0 and said in away.out and "reopen it" not in away.out, away.out
        assert returned.code == 0 and "FAILED" not in returned.out, returned.out
        assert "was moved to another project" not in returned.out
        found = [i for i in moved.gitlab.issues() if i.key == TRACKING and i.state == "opened"]
        assert [i.iid for i in found] == [moved.back]


def test_a_deleted_tracking_issue_made_again_is_said(project: Path) -> None:
    """An operations trial: an owner deleted the tracking issue; the run made it again among
    "1 created", and its lead looked for their text."""
    assert run("apply").code == 0
    path_of(project, "csm-aspiring-leaders/tracking").unlink()
    result = run("apply")
    said = (  # a run stopped before making it, too (an operations trial: nothing was lost)
        "the tracking issue of csm-aspiring-leaders was not found (deleted, or a run stopped "
        "before making it?): a new one is made; if there was one, its history"
    )
    assert result.code == 0 and said in result.out, result.out
    assert said not in run("apply").out
    # its label taken off (the label still in use elsewhere): it fails, nothing is made
    edit(path_of(project, "csm-aspiring-leaders/tracking"), "- program::csm-aspiring-leaders\n", "")
    taken = run("apply")
    assert taken.code == 1 and said not in taken.out, taken.out
