"""People follow configuration (issue 13, item 3): a sponsor swap, a manager change and an account
team change reach the open issues' assignees, on the local backend and on the fake GitLab; people
assigned by hand stay; a confidential issue gets one note; a re-run writes nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
import yaml

from automation.actions import UpdateAssignees
from automation.applier import Writer, _perform
from automation.errors import TransientError
from automation.items import NewIssue, ObservedIssue
from automation.people import recorded
from automation.run import apply, prepare
from automation.trackers.base import Tracker
from automation.trackers.gitlab import GitLabTracker
from tests.backends import PROJECT, TODAY, GitLabBackend, LocalBackend, new_fake
from tests.conftest import keep_programs
from tests.crash import Crash, Delegating
from tests.fakes.gitlab_fake import JSON, FakeGitLab
from tests.local_cli import edit, issues, path_of, run

TODAY_DATE = dt.date.fromisoformat(TODAY)
SPONSORSHIP = Path("config/programs/sales-sponsorship.yml")
LENA = "sales-sponsorship/fy28-h1/lena.fischer"
COHORT = "sales-sponsorship/fy28-h1/tracking"
OLD_PAIR, NEW_PAIR = (
    "{sponsor: hannah.berg, sponsee: lena.fischer}",
    "{sponsor: dana.whitfield, sponsee: lena.fischer}",
)


def swap_sponsor() -> None:
    edit(SPONSORSHIP, OLD_PAIR, NEW_PAIR)


def notes(root: Path, iid: int) -> str:
    path = root / ".automation" / "notes" / f"{iid}.md"
    return path.read_text("utf-8") if path.is_file() else ""


def assign_by_hand(root: Path, key: str, username: str) -> None:
    """A person adds an assignee in the issue file's front matter."""
    path = path_of(root, key)
    last = issues(root)[key].assignees[-1]
    edit(path, f"- {last}\n", f"- {last}\n- {username}\n")


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


# --- the local backend, through the CLI ---------------------------------------------------


def test_a_sponsor_swap_assigns_the_new_sponsor_removes_the_old_and_notes_it_once(
    sponsorship: Path,
) -> None:
    assert run("apply").code == 0
    lena = issues(sponsorship)[LENA]
    assert lena.assignees == ("hannah.berg", "lena.fischer", "marcus.oyelaran")
    assert recorded(lena.description) == ("hannah.berg", "lena.fischer", "marcus.oyelaran")
    swap_sponsor()
    result = run("apply")
    assert result.code == 0, result.out + result.err
    lena = issues(sponsorship)[LENA]
    assert lena.assignees == ("dana.whitfield", "lena.fischer", "marcus.oyelaran")
    assert recorded(lena.description) == ("dana.whitfield", "lena.fischer", "marcus.oyelaran")
    said = notes(sponsorship, lena.iid)
    assert said.count("automation:note people") == 1
    assert "@dana.whitfield" in said and "hannah.berg" in said and "@hannah.berg" not in said
    assert "hannah" not in result.out.lower() and "dana" not in result.out.lower()
    assert f"updated assignees: #{lena.iid} of sales-sponsorship (confidential)" in result.out
    # the cohort rollup names the pair as configuration does now
    assert "Lena Fischer with Dana Whitfield" in issues(sponsorship)[COHORT].description
    before = LocalBackend(sponsorship).fingerprint()
    assert "No changes" in run("apply").out
    assert LocalBackend(sponsorship).fingerprint() == before


def test_an_assignee_added_by_hand_survives_a_swap(sponsorship: Path) -> None:
    assert run("apply").code == 0
    assign_by_hand(sponsorship, LENA, "chloe.winters")
    assert "No changes" in run("apply").out  # the tool leaves people's choices alone
    swap_sponsor()
    assert run("apply").code == 0
    assert issues(sponsorship)[LENA].assignees == (
        "dana.whitfield",
        "lena.fischer",
        "marcus.oyelaran",
        "chloe.winters",
    )


def test_a_person_unassigned_by_hand_is_not_put_back(sponsorship: Path) -> None:
    assert run("apply").code == 0
    path = path_of(sponsorship, LENA)
    edit(path, "- hannah.berg\n", "")
    assert "No changes" in run("apply").out
    assert issues(sponsorship)[LENA].assignees == ("lena.fischer", "marcus.oyelaran")


def test_an_issue_made_before_this_version_gets_the_record_once(sponsorship: Path) -> None:
    assert run("apply").code == 0
    path = path_of(sponsorship, LENA)
    text = path.read_text("utf-8")
    begin, end = "<!-- automation:begin assigned -->", "<!-- automation:end assigned -->\n"
    block = text[text.index(begin) : text.index(end) + len(end)]
    path.write_text(text.replace(block, ""), "utf-8")  # as issues were before the record existed
    result = run("apply")
    assert "updated description:" in result.out and "assignees" not in result.out
    assert recorded(issues(sponsorship)[LENA].description) == (
        "hannah.berg",
        "lena.fischer",
        "marcus.oyelaran",
    )
    assert "No changes" in run("apply").out


def test_a_deleted_record_then_a_swap_still_assigns_the_new_sponsor(sponsorship: Path) -> None:
    assert run("apply").code == 0
    path = path_of(sponsorship, LENA)
    text = path.read_text("utf-8")
    begin, end = "<!-- automation:begin assigned -->", "<!-- automation:end assigned -->\n"
    path.write_text(text.replace(text[text.index(begin) : text.index(end) + len(end)], ""), "utf-8")
    swap_sponsor()  # in the same change: the tool cannot tell who it assigned before
    result = run("apply")
    assert result.code == 0, result.out + result.err
    lena = issues(sponsorship)[LENA]
    assert "dana.whitfield" in lena.assignees  # configuration's sponsor, assigned
    assert "hannah.berg" in lena.assignees  # not known as the tool's: left to a person
    assert recorded(lena.description) == ("dana.whitfield", "lena.fischer", "marcus.oyelaran")
    assert "No changes" in run("apply").out


def test_a_managers_change_reaches_the_hires_issue(shipped: Path) -> None:
    keep_programs(shipped, "sales-onboarding")
    assert run("apply").code == 0
    found = {k: i for k, i in issues(shipped).items() if k.endswith("/tom.reyes")}
    ((key, tom),) = found.items()
    assert tom.assignees == ("tom.reyes", "dana.whitfield")
    change_manager("tom.reyes", "dana.whitfield", "lukas.brandt")
    result = run("apply")
    assert result.code == 0, result.out + result.err
    assert "assignees +lukas.brandt -dana.whitfield" in result.out  # not confidential: named
    tom = issues(shipped)[key]
    assert tom.assignees == ("tom.reyes", "lukas.brandt")
    assert notes(shipped, tom.iid).count("automation:note people") == 0  # not confidential
    assert "No changes" in run("apply").out


def test_an_account_team_change_reaches_every_open_issue_of_the_account(shipped: Path) -> None:
    keep_programs(shipped, "executive-sponsorship")
    assert run("apply").code == 0
    esp = Path("config/programs/executive-sponsorship.yml")
    umbrella = {k: i for k, i in issues(shipped).items() if "/account/umbrella/" in k}
    assert len(umbrella) == 4
    assert {i.assignees for i in umbrella.values()} == {("jordan.alvarez", "aiko.tanaka")}
    closed = path_of(shipped, "executive-sponsorship/account/umbrella/annual/fy27")
    edit(closed, "state: opened", "state: closed")
    edit(esp, "account_team: [aiko.tanaka]", "account_team: [lena.fischer, aiko.tanaka]")
    sponsor = "sponsor: {}, status: approved,\n       account_team: [lena"
    edit(esp, sponsor.format("jordan.alvarez"), sponsor.format("dana.whitfield"))
    assert run("apply").code == 0
    after = {k: issues(shipped)[k] for k in umbrella}
    for key, issue in after.items():
        if key.endswith("/annual/fy27"):
            assert issue.assignees == ("jordan.alvarez", "aiko.tanaka")  # closed: its history
        else:
            assert issue.assignees == ("dana.whitfield", "lena.fischer", "aiko.tanaka"), key
    assert "No changes" in run("apply").out


# --- the fake GitLab ------------------------------------------------------------------------


def roster() -> tuple[str, ...]:
    people = yaml.safe_load(Path("config/people.yml").read_text(encoding="utf-8"))["people"]
    return tuple(str(p["username"]) for p in people)


@pytest.fixture(params=["premium", "free"])
def gitlab(request: pytest.FixtureRequest, sponsorship: Path) -> Iterator[GitLabBackend]:
    fake = new_fake(request.param, users=roster())
    with fake.activate():
        yield GitLabBackend(fake)


def on_gitlab(backend: GitLabBackend, key: str) -> JSON:
    return next(
        i for i in backend.fake.issues(PROJECT) if f"automation:key={key} " in i["description"]
    )


def tool_notes(issue: JSON) -> list[str]:
    return [n for n in issue["notes"] if "automation:note people" in n]


def test_on_gitlab_a_swap_assigns_removes_keeps_hand_added_and_notes_once(
    gitlab: GitLabBackend,
) -> None:
    fake = gitlab.fake
    assert gitlab.cli("apply").code == 0
    lena = on_gitlab(gitlab, LENA)
    premium = fake.tier == "premium"
    assert lena["assignees"] == (
        ["hannah.berg", "lena.fischer", "marcus.oyelaran"] if premium else ["hannah.berg"]
    )
    if premium:
        people = ["hannah.berg", "lena.fischer", "chloe.winters"]
        fake.edit_issue(PROJECT, int(lena["iid"]), assignees=people, as_user="lena.fischer")
    swap_sponsor()
    result = gitlab.cli("apply")
    assert result.code == 0, result.out + result.err
    lena = on_gitlab(gitlab, LENA)
    if premium:
        assert lena["assignees"] == ["dana.whitfield", "lena.fischer", "chloe.winters"]
    else:  # Free keeps one assignee: the first person configuration names
        assert lena["assignees"] == ["dana.whitfield"]
    (note,) = tool_notes(lena)
    assert "@dana.whitfield" in note and "@hannah.berg" not in note
    # it says who is named, not who was assigned (a tester: on Free the note said people were
    # assigned whom GitLab never assigned)
    # and in which role (a year's trial: a pair was told of a new person, not why)
    assert "Now named for this issue: @dana.whitfield (sponsor)" in note
    assert "assigned:" not in note
    assert "GitLab Free keeps one assignee" in note
    before = gitlab.fingerprint()
    assert "No changes" in gitlab.cli("apply").out
    assert gitlab.fingerprint() == before


def test_on_gitlab_a_sponsee_renamed_as_the_readme_says_is_told_nothing(
    gitlab: GitLabBackend,
) -> None:
    """A tester's finding: Lena changed her username in GitLab, then the coordinator in
    configuration with `renamed_from`: the pair issue got a "People changed" note mentioning
    her as newly assigned and her old name as no longer assigned. Nobody changed."""
    assert gitlab.cli("apply").code == 0
    lena = on_gitlab(gitlab, LENA)
    gitlab.fake.rename_user("lena.fischer", "lena.f")
    for path in Path("config").rglob("*.yml"):
        path.write_text(path.read_text("utf-8").replace("lena.fischer", "lena.f"), "utf-8")
    edit(
        Path("config/programs/sales-sponsorship.yml"),
        "sponsee: lena.f}",
        "sponsee: lena.f, renamed_from: lena.fischer}",
    )
    result = gitlab.cli("apply")
    assert result.code == 0, result.out + result.err
    after = on_gitlab(gitlab, "sales-sponsorship/fy28-h1/lena.f")
    assert after["iid"] == lena["iid"] and not tool_notes(after)
    assert after["assignees"] == [  # the same people (Free: the first alone)
        "lena.f" if name == "lena.fischer" else name for name in lena["assignees"]
    ]
    assert recorded(after["description"]) == tuple(
        "lena.f" if name == "lena.fischer" else name for name in recorded(lena["description"]) or ()
    )
    assert "No changes" in gitlab.cli("apply").out


@pytest.mark.parametrize("epics", [True, False])
def test_on_gitlab_a_sponsor_and_manager_renamed_in_gitlab_are_told_nothing(
    sponsorship: Path, epics: bool
) -> None:
    """A tester: a sponsor and a sponsee's manager changed their usernames in GitLab, and the
    team wrote the new ones in configuration (README: nothing else to write for them). The
    pair's issue got a "People changed" note naming the same two people as new and gone,
    e-mailing everyone on it. GitLab already has the new names assigned, the old ones not:
    nobody changed, and only the record follows. With `epics: false` too (a reviewer: the
    rule was tied to epics, and Premium without them got the note)."""
    if not epics:
        settings = sponsorship / "config" / "settings.yml"
        settings.write_text(
            settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8"
        )
    fake = new_fake("premium", users=roster())
    with fake.activate():
        gitlab = GitLabBackend(fake)
        assert gitlab.cli("apply").code == 0
        lena = on_gitlab(gitlab, LENA)
        for old, new in (("hannah.berg", "hannah.b"), ("marcus.oyelaran", "marcus.o")):
            fake.rename_user(old, new)
            for path in Path("config").rglob("*.yml"):
                path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
        result = gitlab.cli("apply")
        assert result.code == 0, result.out + result.err
        after = on_gitlab(gitlab, LENA)
        assert after["iid"] == lena["iid"] and not tool_notes(after), after["notes"]
        assert recorded(after["description"]) == ("hannah.b", "lena.fischer", "marcus.o")
        assert "No changes" in gitlab.cli("apply").out


def fake_without(*outsiders: str) -> FakeGitLab:
    """A Premium fake GitLab where OUTSIDERS are users but not members of the group."""
    fake = new_fake("premium", users=tuple(u for u in roster() if u not in outsiders))
    for username in outsiders:
        fake.add_user(username)
    return fake


def test_on_gitlab_people_without_access_to_a_confidential_program_are_said_unnamed(
    sponsorship: Path,
) -> None:
    """A sponsor who is not a member is left out when the pair's issue is created, and a new
    sponsor swapped in without access is left out of the update: each said once, by issue
    number, the names hidden as the program is confidential."""
    outsiders = ("hannah.berg", "dana.whitfield")
    fake = fake_without(*outsiders)
    with fake.activate():
        backend = GitLabBackend(fake)
        first = backend.cli("apply")
        lena = on_gitlab(backend, LENA)
        assert lena["assignees"] == ["lena.fischer", "marcus.oyelaran"]
        swap_sponsor()
        second = backend.cli("apply")
        for result in (first, second):
            said = [line for line in result.out.splitlines() if "did not assign" in line]
            assert f"issue #{lena['iid']}: GitLab did not assign [confidential]" in "\n".join(said)
            assert len(said) == len(set(said))
            assert not any(name in result.out for name in outsiders)
        assert on_gitlab(backend, LENA)["assignees"] == ["lena.fischer", "marcus.oyelaran"]
        assert "did not assign" not in backend.cli("apply").out


class AssignsDuringTheRun(Delegating):
    """A person assigns someone right after the run listed the program's issues."""

    def __init__(self, inner: Tracker, assign: Callable[[], None]) -> None:
        super().__init__(inner)
        self.assign, self.done = assign, False

    def program_issues(self, program_label: str) -> tuple[ObservedIssue, ...]:
        listed = super().program_issues(program_label)
        if not self.done:
            self.done = True
            self.assign()
        return listed


@contextlib.contextmanager
def swapped() -> Iterator[tuple[GitLabBackend, int]]:
    """On Premium, the pair's issues made, then its sponsor swapped in configuration: the
    backend, and the number of the pair's issue."""
    fake = new_fake("premium", users=roster())
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        swap_sponsor()
        yield backend, int(on_gitlab(backend, LENA)["iid"])


def test_on_gitlab_someone_assigned_during_the_run_survives_the_swap(sponsorship: Path) -> None:
    with swapped() as (backend, iid):
        fake = backend.fake
        people = ["hannah.berg", "lena.fischer", "chloe.winters"]

        def assign() -> None:
            fake.edit_issue(PROJECT, iid, assignees=people, as_user="lena.fischer")

        prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
        assert not apply(
            prepared, AssignsDuringTheRun(backend.tracker(), assign), TODAY_DATE
        ).outcome.failures
        lena = on_gitlab(backend, LENA)
        assert lena["assignees"] == ["dana.whitfield", "lena.fischer", "chloe.winters"]


@pytest.mark.parametrize("first", ["tom.reyes", "lukas.brandt"])
def test_on_gitlab_free_a_change_of_people_is_said_as_gitlab_made_it(
    sponsorship: Path, first: str
) -> None:
    """A Free trial: a manager change printed `assignees +riley.chen` for someone GitLab did
    not assign (it keeps the first person), then advised assigning them by hand, which would
    unassign the hire. Only the first person configuration names, the one Free keeps, is
    news when missing."""
    fake = new_fake("free", users=("tom.reyes", "dana.whitfield", "lukas.brandt"))
    with fake.activate():
        tracker = GitLabBackend(fake).tracker()
        iid = tracker.create_issue(NewIssue("p/tom", "Tom", "text", (), ("tom.reyes",))).iid
        writer = Writer(tracker)
        order = (first, *({"tom.reyes", "lukas.brandt"} - {first}))
        done = _perform(
            writer, UpdateAssignees("p", "p/tom", iid, ("lukas.brandt",), (), order), None
        )
        assert fake.issues(PROJECT)[0]["assignees"] == [first]  # the primary person
        assert writer.warnings == []
        if first == "tom.reyes":
            assert done == []  # GitLab kept the issue as it was: no line
        else:
            (made,) = done
            assert isinstance(made, UpdateAssignees)
            assert (made.add, made.remove) == (("lukas.brandt",), ("tom.reyes",))


def test_on_gitlab_free_the_first_person_not_kept_is_said(sponsorship: Path) -> None:
    fake = new_fake("free", users=("tom.reyes", "dana.whitfield"))
    fake.add_user("nobody.yet")  # a GitLab user who cannot read the project's issues
    with fake.activate():
        tracker = GitLabBackend(fake).tracker()
        iid = tracker.create_issue(NewIssue("p/tom", "Tom", "text", (), ("tom.reyes",))).iid
        writer = Writer(tracker)
        order = ("nobody.yet", "tom.reyes")
        done = _perform(
            writer, UpdateAssignees("p", "p/tom", iid, ("nobody.yet",), (), order), None
        )
        ((program, warning),) = writer.warnings
        assert program == "p" and "did not assign nobody.yet" in warning
        assert fake.issues(PROJECT)[0]["assignees"] != ["nobody.yet"] and done == []


def test_on_gitlab_free_a_created_issue_is_said_assigned_to_whom_gitlab_kept(
    shipped: Path,
) -> None:
    """An operations trial: on Free each ESP issue was said "assigned to" its sponsor and
    account team, of whom GitLab had kept the first."""
    keep_programs(shipped, "executive-sponsorship")
    fake = new_fake("free", users=roster())
    with fake.activate():
        made = GitLabBackend(fake).cli("apply")
        assert made.code == 0, made.out
    plan = next(line for line in made.out.splitlines() if "account plan: Globex" in line)
    assert plan.endswith("assigned to dana.whitfield")  # not tom.reyes, arjun.mehta
    issue = next(i for i in fake.issues(PROJECT) if i["title"].endswith("Globex Corporation"))
    assert issue["assignees"] == ["dana.whitfield"]


@pytest.mark.parametrize("tier", ["premium", "free"])
def test_on_gitlab_a_hire_without_access_yet_is_not_assigned_and_that_is_said(
    shipped: Path, tier: str
) -> None:
    """GitLab silently leaves out an assignee who cannot read the project: a new hire whose
    access is not granted yet. The run says so once; on Free, where only the first person
    asked for is kept, the manager left out is no news."""
    keep_programs(shipped, "sales-onboarding")
    program = shipped / "config" / "programs" / "sales-onboarding.yml"
    text = program.read_text(
        "utf-8"
    )  # the general onboarding issues are in no project of this fake
    program.write_text(text.replace("  learning_path_note: sales-onboarding/", "  # "), "utf-8")
    fake = new_fake(tier, users=tuple(u for u in roster() if u != "tom.reyes"))
    fake.add_user("tom.reyes")  # a GitLab user, not a member of the group yet
    with fake.activate():
        backend = GitLabBackend(fake)
        first = backend.cli("apply")
        assert first.code == 0, first.err
        tom = next(i for i in fake.issues(PROJECT) if "/tom.reyes -->" in i["description"])
        assert tom["assignees"] == (["dana.whitfield"] if tier == "premium" else [])
        said = [line for line in first.out.splitlines() if "did not assign" in line]
        assert len(said) == 1 and f"issue #{tom['iid']}: GitLab did not assign tom.reyes" in said[0]
        others = [i for i in fake.issues(PROJECT) if i["iid"] != tom["iid"] and i["assignees"]]
        assert others  # everyone else was assigned, and no warning names them
        assert "did not assign" not in backend.cli("apply").out


@pytest.fixture
def premium(shipped: Path) -> Iterator[GitLabBackend]:
    fake = new_fake("premium", users=roster())
    with fake.activate():
        yield GitLabBackend(fake)


def change_manager(username: str, old: str, new: str) -> None:
    people = Path("config/people.yml")
    text = people.read_text(encoding="utf-8")
    start = text.index(f"  - username: {username}\n")
    entry = text[start : text.index("  - username:", start + 1)]
    people.write_text(
        text.replace(entry, entry.replace(f"manager: {old}", f"manager: {new}")), encoding="utf-8"
    )


def test_on_gitlab_a_managers_change_reaches_the_hires_issue(
    shipped: Path, premium: GitLabBackend
) -> None:
    keep_programs(shipped, "sales-onboarding")
    program = shipped / "config" / "programs" / "sales-onboarding.yml"
    text = program.read_text(
        "utf-8"
    )  # the general onboarding issues are in no project of this fake
    program.write_text(text.replace("  learning_path_note: sales-onboarding/", "  # "), "utf-8")
    assert premium.cli("apply").code == 0
    tom = next(i for i in premium.fake.issues(PROJECT) if "/tom.reyes -->" in i["description"])
    assert tom["assignees"] == ["tom.reyes", "dana.whitfield"]
    change_manager("tom.reyes", "dana.whitfield", "lukas.brandt")
    result = premium.cli("apply")
    assert "assignees +lukas.brandt -dana.whitfield" in result.out
    tom = next(i for i in premium.fake.issues(PROJECT) if i["iid"] == tom["iid"])
    assert tom["assignees"] == ["tom.reyes", "lukas.brandt"]
    assert not tool_notes(tom)  # not confidential: GitLab's history shows the change
    before = premium.fingerprint()
    assert "No changes" in premium.cli("apply").out
    assert premium.fingerprint() == before


def test_on_gitlab_an_account_team_change_reaches_the_accounts_open_issues(
    shipped: Path, premium: GitLabBackend
) -> None:
    keep_programs(shipped, "executive-sponsorship")
    assert premium.cli("apply").code == 0
    fake = premium.fake
    umbrella = [i for i in fake.issues(PROJECT) if "/account/umbrella/" in i["description"]]
    assert len(umbrella) == 4
    annual = next(i for i in umbrella if "/annual/fy27 " in i["description"])
    fake.edit_issue(PROJECT, annual["iid"], state="closed", as_user="aiko.tanaka")
    edit(
        Path("config/programs/executive-sponsorship.yml"),
        "account_team: [aiko.tanaka]",
        "account_team: [lena.fischer]",
    )
    assert premium.cli("apply").code == 0
    for issue in fake.issues(PROJECT):
        if issue["iid"] == annual["iid"]:
            assert issue["assignees"] == ["jordan.alvarez", "aiko.tanaka"]  # closed
        elif "/account/umbrella/" in issue["description"]:
            assert issue["assignees"] == ["jordan.alvarez", "lena.fischer"]
    before = premium.fingerprint()
    assert "No changes" in premium.cli("apply").out
    assert premium.fingerprint() == before


class DiesAfter(Delegating):
    """The run is killed right after one kind of write (the assignees, or the note) to one
    issue."""

    def __init__(self, inner: Tracker, write: str, iid: int) -> None:
        super().__init__(inner)
        self.write, self.iid = write, iid

    def set_assignees(self, iid: int, usernames: Sequence[str]) -> tuple[str, ...]:
        kept = super().set_assignees(iid, usernames)
        if self.write == "assignees" and iid == self.iid:
            raise Crash
        return kept

    def add_note(self, iid: int, body: str) -> None:
        super().add_note(iid, body)
        if self.write == "note" and iid == self.iid:
            raise Crash


@pytest.mark.parametrize("write", ["assignees", "note"])
def test_a_run_stopped_half_way_through_a_swap_finishes_it_with_one_note(
    sponsorship: Path, write: str
) -> None:
    assert run("apply").code == 0
    swap_sponsor()
    prepared = prepare(Path("config"), Path("templates"), TODAY_DATE)
    tracker = DiesAfter(LocalBackend(sponsorship).tracker(), write, issues(sponsorship)[LENA].iid)
    with pytest.raises(Crash):
        apply(prepared, tracker, TODAY_DATE)
    lena = issues(sponsorship)[LENA]
    # the note goes out first, then the assignment (a stop after it leaves the issue as a
    # rename in GitLab does, which gets no note)
    sponsor = "dana.whitfield" if write == "assignees" else "hannah.berg"
    assert lena.assignees == (sponsor, "lena.fischer", "marcus.oyelaran")
    assert notes(sponsorship, lena.iid).count("automation:note people") == 1
    # not done yet
    assert recorded(lena.description) == ("hannah.berg", "lena.fischer", "marcus.oyelaran")
    assert run("apply").code == 0
    lena = issues(sponsorship)[LENA]
    assert recorded(lena.description) == ("dana.whitfield", "lena.fischer", "marcus.oyelaran")
    assert notes(sponsorship, lena.iid).count("automation:note people") == 1
    assert "No changes" in run("apply").out


def test_on_gitlab_free_an_issue_without_the_record_only_gets_it(sponsorship: Path) -> None:
    """Free keeps one assignee, so every issue lacks the others configuration names: an issue
    without the record (a person deleted the block) is not "missing" them."""
    fake = new_fake("free", users=roster())
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        lena = on_gitlab(backend, LENA)
        assert len(lena["assignees"]) == 1
        begin, end = "<!-- automation:begin assigned -->", "<!-- automation:end assigned -->\n"
        backend.edit(
            int(lena["iid"]), lambda t: t.replace(t[t.index(begin) : t.index(end) + len(end)], "")
        )
        result = backend.cli("apply")
        assert result.code == 0, result.out + result.err
        said = result.out + result.err
        assert "update assignees" not in said and "did not assign" not in said, said
        assert not tool_notes(on_gitlab(backend, LENA))
        assert recorded(on_gitlab(backend, LENA)["description"]) == (
            "hannah.berg",
            "lena.fischer",
            "marcus.oyelaran",
        )


def test_on_gitlab_free_a_deleted_record_then_a_swap_still_assigns_the_new_sponsor(
    sponsorship: Path,
) -> None:
    fake = new_fake("free", users=roster())
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        lena = on_gitlab(backend, LENA)
        begin, end = "<!-- automation:begin assigned -->", "<!-- automation:end assigned -->\n"
        backend.edit(
            int(lena["iid"]), lambda t: t.replace(t[t.index(begin) : t.index(end) + len(end)], "")
        )
        swap_sponsor()
        result = backend.cli("apply")
        assert result.code == 0, result.out + result.err
        lena = on_gitlab(backend, LENA)
        assert lena["assignees"] == ["dana.whitfield"]  # the one Free keeps: the sponsor
        (note,) = tool_notes(lena)
        assert "@dana.whitfield" in note


def test_on_gitlab_free_a_confidential_issue_kept_to_its_first_person_is_said_once(
    sponsorship: Path,
) -> None:
    """GitLab Free keeps one assignee: a pair's issue is made with its sponsor alone, so the
    sponsee and the manager cannot read it (it is confidential). Each such issue is said once,
    when it is made, by number, with the roles of those left out and their names hidden; the
    advice is what works on Free (no assigning by hand: it would unassign the sponsor)."""
    settings = sponsorship / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    fake = new_fake("free", users=roster())
    with fake.activate():
        backend = GitLabBackend(fake)
        first = backend.cli("apply")
        lena = on_gitlab(backend, LENA)
        assert len(lena["assignees"]) == 1
        said = [line for line in first.out.splitlines() if "keeps one assignee" in line]
        (mine,) = [line for line in said if f"issue #{lena['iid']}:" in line]
        assert (
            f"issue #{lena['iid']}: GitLab Free keeps one assignee, so the participant "
            "[confidential] and the manager [confidential] cannot read this confidential issue"
        ) in mine
        assert "would unassign the one it has" in mine and "by hand, " not in mine
        assert "Planner role" in mine and "every confidential issue of the project" in mine
        assert "Guest" not in first.out and "lena" not in first.out.lower()
        assert "keeps one assignee" not in backend.cli("apply").out


def test_on_gitlab_free_the_plan_says_who_will_not_read_a_new_confidential_issue(
    sponsorship: Path,
) -> None:
    """A tester: the plan said 0 warnings, and the run that made the issues 4. The plan says
    it once for the program's new confidential issues, keys hidden, roles shown (a reviewer
    read four identical lines)."""
    settings = sponsorship / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    fake = new_fake("free", users=roster())
    with fake.activate():
        plan = GitLabBackend(fake).cli("plan")
        (said,) = [line for line in plan.out.splitlines() if "keeps one assignee" in line]
        made = GitLabBackend(fake).cli("apply").out.count("keeps one assignee")
        assert said.startswith(f"warning: {made} new confidential issues of sales-sponsorship:")
        assert (
            "GitLab Free keeps one assignee, so in each, the participant and the manager will "
            "not be able to read it, and assigning them by hand would unassign"
        ) in said
        assert "lena" not in plan.out.lower()


def test_the_local_backend_keeps_every_assignee_and_the_plan_says_nothing_of_free(
    sponsorship: Path,
) -> None:
    """A reviewer: with `epics: false` on the local backend, `plan` warned four times of
    GitLab Free's one assignee, and `apply` (rightly) never: the files keep everyone."""
    settings = sponsorship / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    assert "keeps one assignee" not in run("plan").out
    assert run("apply").code == 0
    assert issues(sponsorship)[LENA].assignees == ("hannah.berg", "lena.fischer", "marcus.oyelaran")


def test_on_premium_without_epics_people_left_out_get_the_premium_advice(
    sponsorship: Path,
) -> None:
    """`epics: false` on Premium: GitLab keeps several assignees, so a pair's issue that keeps
    only its sponsor lacks the others' access; the warning says to give it, not that the
    program needs Premium (a reviewer saw the Free warning here)."""
    settings = sponsorship / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    fake = fake_without("lena.fischer", "marcus.oyelaran")
    with fake.activate():
        backend = GitLabBackend(fake)
        said = backend.cli("apply").out
        lena = on_gitlab(backend, LENA)
        mine = [line for line in said.splitlines() if f"issue #{lena['iid']}:" in line]
        assert mine and not [line for line in mine if "needs GitLab Premium" in line], mine
        assert any("Guest is enough" in line for line in mine), mine


def test_on_gitlab_free_a_new_manager_left_out_is_said_by_role(sponsorship: Path) -> None:
    """A pair's sponsee gets a new manager on Free: GitLab keeps the sponsor, and the warning
    names the one left out by role, their name hidden (a reviewer saw `[confidential]`
    alone)."""
    settings = sponsorship / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    fake = new_fake("free", users=roster())
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        change_manager("lena.fischer", "marcus.oyelaran", "chloe.winters")
        said = backend.cli("apply").out
        lines = [line for line in said.splitlines() if "keeps one assignee" in line]
        assert lines and all("so the manager [confidential] cannot" in x for x in lines), said
        assert "chloe" not in said.lower()


def test_on_gitlab_free_whether_it_is_free_is_asked_once_and_a_failing_answer_stops_nothing(
    sponsorship: Path,
) -> None:
    """`epics: false` on Free: the warning asks the group once a run whether it has epics
    (not once per issue), and GitLab failing to answer that leaves the warning from settings:
    every issue is still made (a reviewer saw a run stop at its first pair)."""
    settings = sponsorship / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    fake = new_fake("free", users=roster())
    with fake.activate():
        backend = GitLabBackend(fake)
        # refused for good (a 5xx too, after python-gitlab's retries, which take a while)
        fake.inject(401, method="GET", path_contains="/epics", every=1)
        result = backend.cli("apply")
        assert result.code == 0, result.out[-1500:] + result.err
        assert result.out.count("keeps one assignee, so the participant") == 4, result.out
        probes = [r for r in fake.requests if r.method == "GET" and "/epics" in r.path]
        assert len(probes) == 1


def test_on_gitlab_free_with_epics_in_settings_the_group_is_asked_once(
    sponsorship: Path,
) -> None:
    """The shipped `epics: true` on Free: the run's look for epics answers the question, the
    warning asks no second time (a reviewer saw two, and a 5xx there cost a minute and more
    of retries)."""
    fake = new_fake("free", users=roster())
    with fake.activate():
        result = GitLabBackend(fake).cli("apply")
        assert result.out.count("keeps one assignee, so the participant") == 4, result.out
        probes = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/epics")]
        assert len(probes) == 1


def test_on_gitlab_free_someone_assigned_by_hand_and_replaced_is_said(sponsorship: Path) -> None:
    """A Free trial: a sponsor swap gave the one place Free keeps to the new sponsor, and the
    person assigned by hand lost it, unsaid (while the note said people assigned by hand stay
    assigned)."""
    fake = new_fake("free", users=("tom.reyes", "dana.whitfield", "lukas.brandt"))
    with fake.activate():
        tracker = GitLabBackend(fake).tracker()
        iid = tracker.create_issue(NewIssue("p/tom", "Tom", "text", (), ("tom.reyes",))).iid
        fake.edit_issue(PROJECT, iid, assignees=["dana.whitfield"], as_user="dana.whitfield")
        writer = Writer(tracker)
        change = UpdateAssignees("p", "p/tom", iid, ("lukas.brandt",), (), ("lukas.brandt",))
        (made,) = _perform(writer, change, None)
        assert fake.issues(PROJECT)[0]["assignees"] == ["lukas.brandt"]
        # the line names configuration's people only (a review: dana was named)
        assert isinstance(made, UpdateAssignees) and (made.add, made.remove) == (
            ("lukas.brandt",),
            (),
        )
        ((_, warning),) = writer.warnings
        assert f"issue #{iid}: GitLab Free keeps one assignee, so the person assigned" in warning
        assert "dana" not in warning  # not in configuration: outputs could not hide the name


@pytest.mark.parametrize("new", [("lukas.brandt",), ("lukas.brandt", "maria.x")])
def test_on_gitlab_free_an_assignee_write_saved_though_its_answer_was_lost_is_said_once(
    sponsorship: Path, monkeypatch: pytest.MonkeyPatch, new: tuple[str, ...]
) -> None:
    """A review: GitLab saved the write and its answer was lost (a 502); on Free, with two
    new people, the read after it showed only the first, so the run wrote again and then said
    nothing of the change. The write is made once, and said as GitLab made it."""
    fake = new_fake("free", users=("tom.reyes", "maria.x", "lukas.brandt"))
    with fake.activate():
        tracker = GitLabBackend(fake).tracker()
        iid = tracker.create_issue(NewIssue("p/tom", "Tom", "text", (), ("tom.reyes",))).iid
        real, sent = tracker.set_assignees, []

        def saved_then_lost(number: int, names: Sequence[str]) -> tuple[str, ...]:
            sent.append(tuple(names))
            kept = real(number, names)
            if len(sent) == 1:
                raise TransientError("502 Bad Gateway")  # saved, its answer lost
            return kept

        monkeypatch.setattr(tracker, "set_assignees", saved_then_lost)
        monkeypatch.setattr(tracker, "pause", lambda seconds: None)
        change = UpdateAssignees("p", "p/tom", iid, new, ("tom.reyes",), new)
        (made,) = _perform(Writer(tracker), change, None)
        assert fake.issues(PROJECT)[0]["assignees"] == ["lukas.brandt"] and len(sent) == 1
    assert isinstance(made, UpdateAssignees)
    assert (made.add, made.remove) == (("lukas.brandt",), ("tom.reyes",))


def test_a_program_whose_tracking_issue_cannot_be_made_holds_back_no_other_program(
    shipped: Path,
) -> None:
    """A privacy trial: the ESP program manager had no GitLab account, so ESP's tracking issue
    (assigned to them) was not made while its accounts' issues were; the next round read ESP's
    record of keys as unreadable (issues of its own, no tracking issue), and failed 30 issues
    of the other programs, each made by that very run, as possibly ESP's."""
    keep_programs(shipped, "csm-aspiring-leaders", "executive-sponsorship", csm_group=True)
    fake = new_fake("premium", users=tuple(u for u in roster() if u != "morgan.lee"))
    with fake.activate():
        gitlab = GitLabBackend(fake)
        for _ in range(2):  # and the next run, ESP's tracking issue still not made
            result = gitlab.cli("apply")
            said = result.out + result.err
            failed = [line for line in said.splitlines() if line.startswith("FAILED")]
            assert failed and all("executive-sponsorship/" in line for line in failed), failed
            assert "record of keys" not in said
        made = {i.key for i in gitlab.issues()}
        assert "csm-aspiring-leaders/fy27-pilot/aiko.tanaka" in made


def test_on_gitlab_someone_assigned_a_moment_before_a_lagging_read_survives_the_swap(
    sponsorship: Path,
) -> None:
    """GitLab may answer the read the tool's assignee write is made on from a replica that
    lacks a person's change of a moment ago (`lag_replicas`): the write, a whole list, undid
    it. GitLab's note of the change ("assigned to @chloe.winters"), read after the write, has
    it made again, and the run says so, naming nobody."""
    with swapped() as (backend, iid):
        fake = backend.fake
        people = ["hannah.berg", "lena.fischer", "chloe.winters"]
        fake.lag_replicas(dt.timedelta(seconds=30))
        fake.clock.advance(dt.timedelta(seconds=40))

        reads: list[str] = []

        def assign() -> None:  # just before the read the assignee write is made on: the second
            # read of the issue (the first is its description's, the template's new tasks)
            if fake.requests[-1].path.endswith(f"/issues/{iid}"):
                reads.append(fake.requests[-1].path)
                if len(reads) == 2:
                    fake.edit_issue(PROJECT, iid, assignees=people, as_user="lena.fischer")

        fake.before_request("GET", f"/issues/{iid}", assign, times=None)
        result = backend.cli("apply")
        assert result.code == 0, result.out + result.err
        lena = on_gitlab(backend, LENA)
        assert lena["assignees"] == ["dana.whitfield", "lena.fischer", "chloe.winters"]
        said = result.out + result.err
        assert f"issue #{iid}: someone changed its assignees a moment before" in said
        assert "chloe" not in said


def test_on_gitlab_notes_unread_after_an_assignee_write_are_said_and_the_run_goes_on(
    sponsorship: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab failing to give the notes after the assignee write: the write landed, so the run
    goes on, and says the assignees may want a look (naming nobody)."""
    monkeypatch.setattr(GitLabTracker, "assignee_changes_since", lambda *_: None)
    with swapped() as (backend, iid):
        result = backend.cli("apply")
        assert result.code == 0, result.out + result.err
        assert on_gitlab(backend, LENA)["assignees"][0] == "dana.whitfield"
        said = result.out + result.err
        assert (
            f"issue #{iid}: after changing its assignees, the run could not read its notes" in said
        )
