"""An epic a person changed is found again, never made twice: one whose description was
rewritten or emptied (its identity line gone), one that lost the program label, or both, is
the epic the issues meant for it sit in; a renamed program label makes no second set of
epics; an emulation of GitLab that does not say which epic an issue is in gets no writes
on every run. (GitLab Premium, on the fake; the local backend for one case.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.markers import find_key, identity_marker
from tests.backends import (
    GROUP,
    PROJECT,
    GitLabBackend,
    LocalBackend,
    Result,
    new_fake,
    roster_of,
)
from tests.conftest import keep_programs
from tests.fakes.gitlab_fake import Epic, FakeGitLab

LABEL = "program::csm-aspiring-leaders"
RENAMED = "program::CSM Aspiring Leaders"
TOP, COHORT = "csm-aspiring-leaders/epic", "csm-aspiring-leaders/fy27-pilot/epic"
TRACKING = "csm-aspiring-leaders/tracking"
OURS = "Our own summary of the cohort: we meet on Tuesdays."

pytestmark = pytest.mark.usefixtures("no_waiting")


@pytest.fixture
def gitlab(project: Path) -> Iterator[GitLabBackend]:
    """The CSM program applied once on a Premium fake: its epic (&1, with the tracking
    issue) and its cohort's (&2, with the three participants' issues)."""
    fake = new_fake(users=roster_of(project))
    with fake.activate():
        backend = GitLabBackend(fake)
        first = backend.cli("apply")
        assert first.code == 0, first.out + first.err
        assert [find_key(e["description"]) for e in fake.epics(GROUP)] == [TOP, COHORT]
        yield backend


def epic(fake: FakeGitLab, key: str) -> Epic:
    """The epic the tool made for KEY (the fixture's &1 or &2)."""
    return fake.state.group(GROUP).epics[1 if key == TOP else 2]


def full(backend: GitLabBackend | LocalBackend) -> Result:
    return backend.cli("apply", "--full")


def quiet(result: Result) -> None:
    assert result.code == 0, result.out + result.err
    assert "No changes" in result.out, result.out


def homes(fake: FakeGitLab) -> dict[str, int | None]:
    """Each issue's epic, by key."""
    return {find_key(i["description"] or "") or "": i["epic"] for i in fake.issues(PROJECT)}


def change(fake: FakeGitLab, key: str, how: str) -> None:
    """A person changes the epic of KEY in GitLab."""
    group = fake.client().groups.get(GROUP, lazy=True)
    target = epic(fake, key)
    if how in ("rewritten", "typed above"):
        text = OURS if how == "rewritten" else f"{OURS}\n\n{target.description}"
        group.epics.update(target.iid, {"description": text})
    if how in ("emptied", "emptied, label removed"):
        target.description = None  # GitLab answers null for an empty description
    if how in ("label removed", "emptied, label removed"):
        group.epics.update(target.iid, {"remove_labels": LABEL})


HOW = ("rewritten", "typed above", "emptied", "label removed", "emptied, label removed")


@pytest.mark.parametrize("key", [TOP, COHORT])
@pytest.mark.parametrize("how", HOW)
def test_an_epic_a_person_changed_is_found_again_not_made_twice(
    gitlab: GitLabBackend, key: str, how: str
) -> None:
    fake = gitlab.fake
    before = homes(fake)
    change(fake, key, how)
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    changed = epic(fake, key)
    assert f"updated epic &{changed.iid} [{key}]" in result.out
    assert [find_key(e["description"] or "") for e in fake.epics(GROUP)] == [TOP, COHORT]
    assert changed.description is not None
    assert changed.description.split("\n")[0] == identity_marker(key)
    assert changed.description.count(identity_marker(key)) == 1
    if how in ("rewritten", "typed above"):
        assert OURS in changed.description  # the person's text stays
    assert LABEL in changed.labels
    assert homes(fake) == before  # the issues stay in their epics
    quiet(full(gitlab))
    assert len(fake.epics(GROUP)) == 2


@pytest.mark.parametrize("retitled", ["by a person", "by configuration"])
def test_an_epic_retitled_then_emptied_is_found_again(gitlab: GitLabBackend, retitled: str) -> None:
    """A reviewer's: the tool sets an epic's title when it makes it and never after, so a
    title is no proof of which epic is which. A version that took a keyless epic back only
    with its title made the cohort a second, empty epic once a person (or a cohort's new
    name) had changed the title and, later, someone emptied its description."""
    fake = gitlab.fake
    before = homes(fake)
    if retitled == "by a person":
        group = fake.client().groups.get(GROUP, lazy=True)
        group.epics.update(2, {"title": "CSM Aspiring Leaders: FY27 pilot (Nov-Apr)"})
    else:
        path = Path("config/programs/csm-aspiring-leaders.yml")
        path.write_text(
            path.read_text(encoding="utf-8").replace("name: FY27 pilot group", "name: FY27 pilot"),
            encoding="utf-8",
        )
        assert full(gitlab).code == 0
    change(fake, COHORT, "emptied")
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert "created epic" not in result.out and f"updated epic &2 [{COHORT}]" in result.out
    assert [find_key(e["description"] or "") for e in fake.epics(GROUP)] == [TOP, COHORT]
    assert homes(fake) == before
    quiet(full(gitlab))


def test_the_plan_says_the_epic_is_taken_back(gitlab: GitLabBackend) -> None:
    change(gitlab.fake, COHORT, "emptied, label removed")
    result = gitlab.cli("plan")
    assert result.code == 0, result.out + result.err
    said = f"update epic &2 [{COHORT}]: identity line restored, labels +{LABEL}"
    assert said in result.out
    assert "create epic" not in result.out


def test_a_new_participant_goes_in_the_epic_taken_back(gitlab: GitLabBackend) -> None:
    """The epic found again is the cohort's epic in the same run: a participant added to
    the cohort is created inside it."""
    fake = gitlab.fake
    change(fake, COHORT, "emptied, label removed")
    programs = Path("config/programs/csm-aspiring-leaders.yml")
    text = programs.read_text(encoding="utf-8")
    assert text.count("      - lena.fischer\n") == 1
    programs.write_text(
        text.replace("      - lena.fischer\n", "      - lena.fischer\n      - riley.chen\n"),
        encoding="utf-8",
    )
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert len(fake.epics(GROUP)) == 2
    assert homes(fake)["csm-aspiring-leaders/fy27-pilot/riley.chen"] == 2
    quiet(full(gitlab))


def test_issues_in_two_epics_without_the_key_fail_the_epic_and_make_none(
    gitlab: GitLabBackend,
) -> None:
    """The cohort's epic lost its first line, and a person moved one of its issues to
    another epic without one: the tool cannot tell which is the cohort's, and says so."""
    fake = gitlab.fake
    change(fake, COHORT, "rewritten")
    group = fake.client().groups.get(GROUP, lazy=True)
    other = group.epics.create({"title": "Coaching", "description": "Our coaching work"})
    moved = next(i for i in fake.issues(PROJECT) if i["epic"] == 2)
    group.epics.get(other.iid, lazy=True).issues.create({"issue_id": moved["id"]})
    for _ in range(2):
        result = full(gitlab)
        assert result.code == 1, result.out + result.err
        assert f"FAILED [{COHORT}]: the issues meant for this epic are in epics &2 and &3" in (
            result.out
        )
        assert identity_marker(COHORT) in result.out  # what to put back
        assert len(fake.epics(GROUP)) == 3
    group.epics.update(2, {"description": f"{identity_marker(COHORT)}\n{OURS}"})
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert len(fake.epics(GROUP)) == 3
    assert fake.issues(PROJECT)[moved["iid"] - 1]["epic"] == other.iid  # theirs to keep
    quiet(full(gitlab))


def test_an_epic_holding_two_epics_issues_without_a_key_fails_both(gitlab: GitLabBackend) -> None:
    """Both epics lost their first line, and a person put the tracking issue in the cohort's
    epic: it holds the issues of both keys, so neither is taken back nor made."""
    fake = gitlab.fake
    change(fake, TOP, "rewritten")
    change(fake, COHORT, "rewritten")
    group = fake.client().groups.get(GROUP, lazy=True)
    tracking = next(i for i in fake.issues(PROJECT) if i["epic"] == 1)
    group.epics.get(2, lazy=True).issues.create({"issue_id": tracking["id"]})
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    for key, other in ((TOP, COHORT), (COHORT, TOP)):
        assert f"FAILED [{key}]: epic &2 holds the issues meant for this epic and for {other}" in (
            result.out
        )
    assert len(fake.epics(GROUP)) == 2


def test_an_epic_whose_first_line_names_another_epic_is_not_taken(gitlab: GitLabBackend) -> None:
    """A person pasted the program epic's first line over the cohort epic's: the program's
    key is on two epics (that fails, as ever), and the cohort's issues sit in an epic naming
    another item, so the cohort's epic fails too; nothing is made."""
    fake = gitlab.fake
    text = epic(fake, COHORT).description or ""
    pasted = text.replace(identity_marker(COHORT), identity_marker(TOP))
    fake.client().groups.get(GROUP, lazy=True).epics.update(2, {"description": pasted})
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    assert f"FAILED [{TOP}]: epics &2 and &1 carry the same key" in result.out
    assert f"FAILED [{COHORT}]: the issues meant for this epic are in epic &2, which names " in (
        result.out
    )
    assert len(fake.epics(GROUP)) == 2


def test_two_epics_with_the_key_and_without_the_label_fail_it(gitlab: GitLabBackend) -> None:
    """The cohort's epic lost its label, and a copy of it (its text, made by the tool's user)
    holds one of its issues: both carry the key, so the epic fails, and none is made."""
    fake = gitlab.fake
    group = fake.client().groups.get(GROUP, lazy=True)
    change(fake, COHORT, "label removed")
    copy = group.epics.create({"title": "copy", "description": epic(fake, COHORT).description})
    moved = next(i for i in fake.issues(PROJECT) if i["epic"] == 2)
    group.epics.get(copy.iid, lazy=True).issues.create({"issue_id": moved["id"]})
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    assert f"FAILED [{COHORT}]: epics &2 and &3 carry the same key, and not the program" in (
        result.out
    )
    assert len(fake.epics(GROUP)) == 3


def _cohort_moved_into(fake: FakeGitLab, iid: int) -> None:
    """A person puts the cohort's issues (in &2) into epic IID, then deletes &2."""
    group = fake.state.group(GROUP)
    for issue in fake.state.project(PROJECT).issues.values():
        if issue.epic is group.epics[2]:
            issue.epic = group.epics[iid]
    del group.epics[2]


def test_another_users_epic_is_not_taken_for_the_tools(gitlab: GitLabBackend) -> None:
    """The tool's cohort epic was deleted and a person put its issues in an epic of their
    own: that stays theirs (README), and the cohort gets a new epic."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    fake.act_as("carol.person")
    theirs = fake.client().groups.get(GROUP, lazy=True).epics.create({"title": "Mine"})
    fake.act_as("automation-bot")
    _cohort_moved_into(fake, theirs.iid)
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert "updated epic" not in result.out
    assert f'created epic "CSM Aspiring Leaders: FY27 pilot group" [{COHORT}]' in result.out
    assert LABEL not in group.epics[theirs.iid].labels
    quiet(full(gitlab))


def test_another_programs_epic_is_not_taken_even_without_its_first_line(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: an epic of the tool's that carries another program's label (another
    deployment's, with the same bot), emptied by a person who put this cohort's issues in it
    after deleting the cohort's epic, was taken: the scoped label swapped, the other program
    took it back next run, and the cohort got a second epic. It stays the other program's;
    the cohort gets a new epic, once."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    fake.add_label(GROUP, "program::other")
    other = (
        fake.client()
        .groups.get(GROUP, lazy=True)
        .epics.create(
            {"title": "Other: a cohort", "labels": "program::other", "description": "Ours"}
        )
    )
    _cohort_moved_into(fake, other.iid)
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert "updated epic" not in result.out, result.out
    assert f'created epic "CSM Aspiring Leaders: FY27 pilot group" [{COHORT}]' in result.out
    assert group.epics[other.iid].labels == ["program::other"]
    assert group.epics[other.iid].description == "Ours"
    quiet(full(gitlab))


def test_an_epic_is_read_only_when_one_is_missing(gitlab: GitLabBackend) -> None:
    """A run that lists every epic under its key reads none by itself; one that misses the
    cohort's reads the epic its issues sit in (once per plan)."""
    fake = gitlab.fake
    fake.requests.clear()
    quiet(full(gitlab))
    assert not [r for r in fake.requests if r.method == "GET" and "/epics/" in r.path]
    change(fake, COHORT, "label removed")
    fake.requests.clear()
    full(gitlab)
    reads = [r.path for r in fake.requests if r.method == "GET" and "/epics/" in r.path]
    # the plan, the plan again under the run lock, and the read just before the write
    assert reads == ["/api/v4/groups/enablement/epics/2"] * 3
    fake.requests.clear()
    quiet(full(gitlab))
    assert not [r for r in fake.requests if r.method == "GET" and "/epics/" in r.path]


def test_a_renamed_program_label_makes_no_second_set_of_epics(gitlab: GitLabBackend) -> None:
    """A person renamed the program label in GitLab (same label, new title): its issues fail
    until it is back, the epics are not made again, and the advice is to rename it back,
    not to rename the program."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    fake.state.rename_group_label(group, group.labels[LABEL], RENAMED)
    for _ in range(2):
        result = full(gitlab)
        assert result.code == 1, result.out + result.err
        assert "already carries this key but not the label" in result.out
        assert "created epic" not in result.out
        assert len(fake.epics(GROUP)) == 2
        assert "renamed_from" not in result.out
        assert f"the label {RENAMED} is the label {LABEL} renamed in GitLab" in result.out
    # what the advice says: delete the label made again, then rename the old one back
    fake.state.delete_group_label(group, group.labels[LABEL])
    fake.state.rename_group_label(group, group.labels[RENAMED], LABEL)
    result = _labelled_again(gitlab)
    assert "created" not in result.out.replace("0 created", "")


def test_a_renamed_label_is_known_by_the_description_gitlab_kept_of_an_escaped_name(
    project: Path,
) -> None:
    """The program's label has the description `Program: NAME (managed)`, its name made inert
    (`&` as `&amp;`, `_` as `\\_`). GitLab keeps a label's description cleaned
    (`CGI.unescapeHTML(Sanitize.clean(...))`: `&amp;` back to `&`, the backslashes left), so a
    name with both was not known again once the label was renamed: the warning said the label
    names no program, and advised what does not apply."""
    path = project / "config/programs/csm-aspiring-leaders.yml"
    path.write_text(
        path.read_text("utf-8").replace("name: CSM Aspiring Leaders", "name: R&D_Leaders"), "utf-8"
    )
    fake = new_fake(users=roster_of(project))
    with fake.activate():
        gitlab = GitLabBackend(fake)
        assert gitlab.cli("apply").code == 0
        group = fake.state.group(GROUP)
        assert group.labels[LABEL].description == "Program: R&D\\_Leaders (managed)"
        fake.state.rename_group_label(group, group.labels[LABEL], RENAMED)
        result = full(gitlab)
    assert result.code == 1, result.out + result.err
    assert f"the label {RENAMED} is the label {LABEL} renamed in GitLab" in result.out
    assert "which names no program" not in result.out


def test_a_renamed_label_whose_description_changed_too_is_not_taken_for_a_program(
    gitlab: GitLabBackend,
) -> None:
    """Without the tool's description the label cannot be told for the program's; its new
    name cannot be a program's id, so `renamed_from` is not what is advised either."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    label = group.labels[LABEL]
    label.description = "Our leaders programme"
    fake.state.rename_group_label(group, label, RENAMED)
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    assert "renamed_from" not in result.out
    assert f"4 open issues carry the label {RENAMED}, which names no program" in result.out
    assert "cannot be a program's id" in result.out
    assert "If it is a program's label renamed in GitLab, rename it back" in result.out
    assert len(fake.epics(GROUP)) == 2


def test_after_a_label_rename_putting_the_label_back_on_the_issues_is_enough(
    gitlab: GitLabBackend,
) -> None:
    """The other way out the failures give: the label back on each issue."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    fake.state.rename_group_label(group, group.labels[LABEL], RENAMED)
    assert full(gitlab).code == 1
    issues = fake.client().projects.get(PROJECT, lazy=True).issues
    for issue in fake.issues(PROJECT):
        issues.update(issue["iid"], {"add_labels": LABEL})
    _labelled_again(gitlab)


def _labelled_again(gitlab: GitLabBackend) -> Result:
    """A run after the label is put right: both epics, each with the program's label, and
    the next run quiet; the run's result."""
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert len(gitlab.fake.epics(GROUP)) == 2
    assert all(LABEL in e["labels"] for e in gitlab.fake.epics(GROUP))
    quiet(full(gitlab))
    return result


def test_issue_answers_without_their_epic_are_not_added_again_on_every_run(
    gitlab: GitLabBackend,
) -> None:
    """An emulation of GitLab that leaves `epic` and `epic_iid` out of issue answers: the
    issues (made inside their epics) are not put in them again on each run."""
    fake = gitlab.fake
    before = homes(fake)
    fake.state.issue_epic_fields = False
    fake.requests.clear()
    for _ in range(2):
        quiet(full(gitlab))
    assert not [r for r in fake.requests if r.method == "POST" and "/epics/" in r.path]
    assert homes(fake) == before


def test_the_local_backend_finds_an_epic_whose_text_was_rewritten(project: Path) -> None:
    local = LocalBackend(project)
    assert local.cli("apply").code == 0
    path = project / ".automation" / "epics" / "2.md"
    _, front, text = path.read_text("utf-8").split("---\n", 2)
    assert find_key(text) == COHORT
    path.write_text(f"---\n{front}---\n{OURS}\n", "utf-8")
    result = full(local)
    assert result.code == 0, result.out + result.err
    assert "updated epic &2" in result.out
    assert sorted(p.name for p in (project / ".automation" / "epics").glob("*.md")) == [
        "1.md",
        "2.md",
    ]
    assert path.read_text("utf-8").split("---\n", 2)[2] == f"{identity_marker(COHORT)}\n{OURS}\n"
    quiet(full(local))


def test_a_confidential_programs_epic_taken_back_is_made_confidential_in_the_same_write(
    shipped: Path,
) -> None:
    """A reviewer's: a person rewrote a sponsorship cohort epic's description and made it
    public; the run that took it back left it public, and only the next made it
    confidential. One write does both; the next run says No changes."""
    keep_programs(shipped, "sales-sponsorship")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        taken = max(fake.state.group(GROUP).epics.values(), key=lambda e: e.iid)
        taken.description, taken.confidential = "Our notes about this cohort", False
        result = full(backend)
        assert result.code == 0, result.out + result.err
        assert taken.confidential and "Our notes about this cohort" in (taken.description or "")
        quiet(full(backend))


def test_a_confidential_programs_epic_renamed_is_made_confidential_in_the_same_write(
    shipped: Path,
) -> None:
    """The same for an epic renamed with `renamed_from` (a cohort's new id) that a person
    had made public: the rename's write makes it confidential too."""
    keep_programs(shipped, "sales-sponsorship")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        cohort = next(
            e
            for e in fake.state.group(GROUP).epics.values()
            if find_key(e.description or "") == "sales-sponsorship/fy28-h1/epic"
        )
        cohort.confidential = False
        program = shipped / "config/programs/sales-sponsorship.yml"
        text = program.read_text("utf-8").replace(
            "    - id: fy28-h1\n", "    - id: fy28-first\n      renamed_from: fy28-h1\n", 1
        )
        program.write_text(text, "utf-8")
        result = full(backend)
        assert result.code == 0, result.out + result.err
        assert find_key(cohort.description or "") == "sales-sponsorship/fy28-first/epic"
        assert cohort.confidential
        quiet(full(backend))


@pytest.mark.parametrize("promoted", ["csm-aspiring-leaders/fy27-pilot/sam.delacroix", TRACKING])
def test_an_issue_promoted_to_an_epic_stays_the_items(gitlab: GitLabBackend, promoted: str) -> None:
    """A tester's: `/promote` makes the person's epic of the issue, its first line and its
    program label included, and closes the issue (on tiers with sub-epics). The item failed
    on every run ("epic &3 carries this item's key ... If the token was replaced ..."), and
    its issue was never written again: a promoted tracking issue froze the whole rollup. An
    epic holds an epic's key only; the issue, reopened, is the item's as before."""
    fake = gitlab.fake
    iid = next(i["iid"] for i in fake.issues(PROJECT) if find_key(i["description"]) == promoted)
    fake.promote_issue(PROJECT, iid, as_user="carol.person")
    fake.edit_issue(PROJECT, iid, state="opened", as_user="carol.person")
    sam = fake.state.project(PROJECT).issues[1]
    assert find_key(sam.description or "") == "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
    fake.edit_issue(PROJECT, 1, description=(sam.description or "").replace("[ ]", "[x]", 3))
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert "FAILED" not in result.out
    assert "status::in progress" in fake.issues(PROJECT)[0]["labels"]
    tracking = next(i for i in fake.issues(PROJECT) if find_key(i["description"]) == TRACKING)
    assert "| in progress |" in tracking["description"]
    quiet(full(gitlab))
    assert len(fake.epics(GROUP)) == 3


def test_an_issue_a_person_made_an_incident_is_left_out_of_its_epic(gitlab: GitLabBackend) -> None:
    """A tester's: a manager took Aiko's issue out of its epic and made it an incident
    (GitLab keeps incidents out of epics): the tool put it back on every run, GitLab
    answered 404, and every run failed. It stays out; its progress is still kept."""
    fake = gitlab.fake
    aiko = next(i for i in fake.state.project(PROJECT).issues.values() if "aiko" in i.title.lower())
    aiko.epic = None
    fake.set_issue_type(PROJECT, aiko.iid, "incident")
    fake.edit_issue(
        PROJECT, aiko.iid, description=(aiko.description or "").replace("[ ]", "[x]", 1)
    )
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert "epic" not in result.out and f"updated #{aiko.iid}" in result.out, result.out
    assert aiko.epic is None
    quiet(full(gitlab))


def test_a_clone_of_an_issue_is_said_to_be_a_copy_not_an_issue_that_lost_its_key(
    gitlab: GitLabBackend,
) -> None:
    """A tester's: a manager cloned Sam's issue (`/clone`: its text, first line included, and
    labels). The warning said the clone had no key on its first line and to put it back
    from the history, which it has; it names the issue the tool tracks instead."""
    fake = gitlab.fake
    copy = fake.clone_issue(PROJECT, 1, as_user="carol.person")
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    said = f"warning: issue #{copy} was created by carol.person with the first line of #1 (a copy"
    assert said in result.out, result.out
    assert "no automation key" not in result.out
    assert f"remove the label {LABEL} from #{copy}" in result.out


@pytest.mark.parametrize("theirs", [0, 120])  # issues people put in the epic since
def test_a_new_project_at_the_old_path_of_the_renamed_one_is_not_filled_again(
    gitlab: GitLabBackend, theirs: int
) -> None:
    """A tester's: the project was renamed (GitLab still finds it under its old path), then a
    new project was made at the old path: the next run made every issue again in it, into the
    same epics, with no word. The program's epic holds its issues in another project, and
    this one has none: the run stops before writing, saying where they are."""
    fake = gitlab.fake
    epics = fake.client().groups.get(GROUP, lazy=True).epics
    for n in range(theirs):  # a tester's: 100 or more, and the program's fell off page one
        made = fake.client().projects.get(PROJECT).issues.create({"title": f"Note {n}"})
        epics.get(1, lazy=True).issues.create({"issue_id": made.id})
    fake.state.project(PROJECT).full_path = "enablement/programs-archive"
    fake.add_project(PROJECT)
    result = full(gitlab)
    assert result.code == 3, result.out + result.err
    said = "its epic &1 holds its issues in another project (enablement/programs-archive#"
    assert said in result.err, result.err
    assert fake.issues(PROJECT) == []
    assert len(fake.epics(GROUP)) == 2
    # starting over in the new project on purpose: the message says how
    said = (
        "to start the program over in this project instead, take its label off its epics (&1, &2)"
    )
    assert said in result.err, result.err
    for iid in (1, 2):
        fake.client().groups.get(GROUP, lazy=True).epics.update(iid, {"remove_labels": LABEL})
    again = full(gitlab)
    assert again.code == 0, again.out + again.err
    assert len(fake.issues(PROJECT)) == 4
    assert set(homes(fake).values()) == {3, 4}  # new epics, not the old project's (a reviewer's)


def _epics_moved_to(fake: FakeGitLab, group: str) -> None:
    """The tool's epics, with the issues in them, now belong to GROUP."""
    elsewhere, ours = fake.add_group(group), fake.state.group(GROUP)
    for iid in list(ours.epics):
        moving = ours.epics.pop(iid)
        moving.group = elsewhere
        elsewhere.epics[iid] = moving


def test_epics_in_another_group_than_the_setting_are_not_made_twice(gitlab: GitLabBackend) -> None:
    """A tester's: `gitlab.group` was changed to another group (the parent, say) while the
    programs' epics stayed in the first: every epic was made again, empty, in the new group,
    with no word. The issues meant for it sit in another group's epics: it is not made."""
    fake = gitlab.fake
    _epics_moved_to(fake, "enablement/old")
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    assert f"FAILED [{COHORT}]: the program's epics are in another group than gitlab.group" in (
        result.out
    )
    assert fake.epics(GROUP) == []


def test_a_copy_of_an_epic_gitlab_made_when_the_project_moved_is_not_doubled(
    gitlab: GitLabBackend,
) -> None:
    """A tester's: a project moved to another group takes the epics its issues sit in along
    as copies made by the person who moved it, without labels (Epics::TransferService); with
    `gitlab.group` set to the new group, the tool made a second, empty set of epics. It says
    what to do; once a copy is deleted, the epic is made and its issues put in it."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    _epics_moved_to(fake, "enablement-old")
    for old in list(fake.state.group("enablement-old").epics.values()):
        copy = Epic(
            old.id + 100,
            old.iid,
            group,
            old.title,
            old.description,
            fake._user("carol.person"),
            old.created_at,
            old.updated_at,
        )
        group.epics[copy.iid] = copy
        for issue in fake.state.project(PROJECT).issues.values():
            if issue.epic is old:
                issue.epic = copy
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    said = (
        f"FAILED [{COHORT}]: the issues meant for this epic are in epic &2, which carries its "
        "key line but was made by carol.person"
    )
    assert said in result.out, result.out
    assert len(fake.epics(GROUP)) == 2
    for issue in fake.state.project(PROJECT).issues.values():
        if issue.epic is group.epics[2]:
            issue.epic = None
    del group.epics[2]
    result = full(gitlab)
    assert f'created epic "CSM Aspiring Leaders: FY27 pilot group" [{COHORT}]' in result.out, (
        result.out
    )
    made = next(e for e in group.epics.values() if LABEL in e.labels)
    cohort = {k: v for k, v in homes(fake).items() if k.startswith("csm-aspiring-leaders/fy27")}
    assert set(cohort.values()) == {made.iid}


def test_a_clone_left_after_its_original_was_deleted_is_said_once_and_not_contradicted(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: with the original deleted, the clone claims the item (a failure until a
    person decides), and the run also said "a new issue is made for the item", which it was
    not. The failure alone is said."""
    fake = gitlab.fake
    copy = fake.clone_issue(PROJECT, 1, as_user="carol.person")
    fake.delete_issue(PROJECT, 1)
    result = full(gitlab)
    assert result.code == 1, result.out + result.err
    assert f"issue #{copy} carries this item's key but was created by carol.person" in result.out
    assert "was deleted" not in result.out and "created issue" not in result.out


def test_an_issue_a_person_put_in_another_groups_epic_does_not_stop_the_epics(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: with epics turned on (the program's not made yet), a tracking issue a
    manager had put in a portfolio epic of another group read as "gitlab.group changed", and
    the program's epic failed on every run. Only when every issue meant for the program's
    epics sits in another group's does the run say so; here the epics are made."""
    fake = gitlab.fake
    group = fake.state.group(GROUP)
    now = fake.clock.now()
    portfolio = Epic(999, 1, fake.add_group("company"), "Portfolio", "", fake.owner, now, now)
    fake.state.group("company").epics[1] = portfolio
    for issue in fake.state.project(PROJECT).issues.values():
        issue.epic = portfolio if find_key(issue.description or "") == TRACKING else None
    group.epics.clear()
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert f'created epic "CSM Aspiring Leaders: FY27 pilot group" [{COHORT}]' in result.out
    assert f'created epic "CSM Aspiring Leaders" [{TOP}]' in result.out
    tracking = next(
        i
        for i in fake.state.project(PROJECT).issues.values()
        if find_key(i.description or "") == TRACKING
    )
    assert tracking.epic is portfolio


CHANGES = (
    "a participant added",
    "an issue taken out of its epic",
    "the tracking issue taken out of its epic",
    "a cohort added",
)


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_group_makes_no_second_set_of_epics_with_an_issue_in_none(
    gitlab: GitLabBackend, change: str
) -> None:
    """Reviewers': with `gitlab.group` changed, an issue in no epic (one made in that run for
    a participant or a cohort added, or one a person took out, the top epic's only issue
    too) turned the rule off, and a second set of epics was made in the new group."""
    fake = gitlab.fake
    issues = fake.state.project(PROJECT).issues.values()
    taken = {"an issue taken out of its epic": 1, "the tracking issue taken out of its epic": 4}
    for issue in issues:
        if issue.iid == taken.get(change):
            issue.epic = None
    assert find_key(fake.state.project(PROJECT).issues[4].description or "") == TRACKING
    _epics_moved_to(fake, "enablement/old")
    programs = Path("config/programs/csm-aspiring-leaders.yml")
    if change == "a participant added":
        programs.write_text(
            programs.read_text(encoding="utf-8").replace(
                "      - lena.fischer\n", "      - lena.fischer\n      - riley.chen\n"
            ),
            encoding="utf-8",
        )
    if change == "a cohort added":
        cohort = "  - id: fy28\n    name: FY28 group\n    participants:\n      - riley.chen\n"
        programs.write_text(
            programs.read_text(encoding="utf-8").replace("cohorts:\n", f"cohorts:\n{cohort}"),
            encoding="utf-8",
        )
    for _ in range(2):
        _said_and_none_made(gitlab)


def _said_and_none_made(gitlab: GitLabBackend) -> None:
    """A run says the program's epics are in another group, and makes none in this one."""
    result = full(gitlab)
    assert "epics are in another group than gitlab.group" in result.out, result.out
    assert gitlab.fake.epics(GROUP) == []


def test_a_changed_group_stays_said_while_people_are_added_over_months(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: a rule counting issues in no epic against those in the old group's epics
    gave way once enough new issues (made, in no epic, while the epics failed) outnumbered
    them. The tool's own epics in the old group are the evidence: said for as long as it is."""
    fake = gitlab.fake
    _epics_moved_to(fake, "enablement/old")
    programs = Path("config/programs/csm-aspiring-leaders.yml")
    for someone in ("riley.chen", "priya.natarajan", "marcus.oyelaran", "chloe.winters"):
        text = programs.read_text(encoding="utf-8")
        programs.write_text(
            text.replace("      - lena.fischer\n", f"      - lena.fischer\n      - {someone}\n"),
            encoding="utf-8",
        )
        _said_and_none_made(gitlab)


def test_issues_a_manager_put_in_a_parent_groups_epic_do_not_stop_the_epics(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: epics turned on while a manager's portfolio epic of a parent group held
    the cohort's issues: they outnumbered the issues in none, and every epic failed as if
    the group had changed. A person's epic is no evidence of that: the epics are made."""
    fake = gitlab.fake
    now = fake.clock.now()
    person = (
        fake.state.user_named("carol.person") or fake.state.users[fake.add_user("carol.person")]
    )
    portfolio = Epic(998, 1, fake.add_group("company"), "Portfolio", "Our plans", person, now, now)
    fake.state.group("company").epics[1] = portfolio
    for issue in fake.state.project(PROJECT).issues.values():
        issue.epic = (
            portfolio if "fy27-pilot" in (find_key(issue.description or "") or "") else None
        )
    fake.state.group(GROUP).epics.clear()
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert len(fake.epics(GROUP)) == 2


@pytest.mark.parametrize("when", ["with the group change", "while the change is said"])
def test_a_renamed_program_is_told_in_its_old_groups_epics_too(
    gitlab: GitLabBackend, when: str
) -> None:
    """A reviewer's: the old group's epics carry the program's former id in their keys (and
    its issues too, until the rename is written): a program renamed with, or after, a
    changed group got a second set of epics."""
    fake = gitlab.fake
    _epics_moved_to(fake, "enablement/old")
    if when == "while the change is said":
        assert "epics are in another group than gitlab.group" in full(gitlab).out
    programs = Path("config/programs/csm-aspiring-leaders.yml")
    programs.write_text(
        programs.read_text(encoding="utf-8").replace(
            "id: csm-aspiring-leaders\n", "id: csm-leaders\nrenamed_from: csm-aspiring-leaders\n"
        ),
        encoding="utf-8",
    )
    for _ in range(2):
        result = full(gitlab)
        assert "epics are in another group than gitlab.group (&1, &2 of group" in result.out
        assert fake.epics(GROUP) == []


def test_the_epics_start_over_in_a_new_group_once_the_old_ones_lose_their_first_line(
    gitlab: GitLabBackend,
) -> None:
    """A reviewer's: a move to another group on purpose (GitLab cannot move epics) had no way
    through: closing the old epics or taking their label off changed nothing. The message
    names them and says to delete their first line; done, the epics are made here, and the
    issues, which sit in the old ones (a person's now), stay there."""
    fake = gitlab.fake
    _epics_moved_to(fake, "enablement/old")
    said = full(gitlab).out
    assert "delete the first line (the automation:key marker) of those epics" in said, said
    for old in fake.state.group("enablement/old").epics.values():
        old.description = (old.description or "").split("\n", 1)[1]
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    assert len(fake.epics(GROUP)) == 2


def test_an_issue_put_in_an_epic_a_person_closed_is_said(gitlab: GitLabBackend) -> None:
    """An operations trial: a person closed the cohort's epic, and a participant added later
    went into it, unsaid, out of the group's open epics. The run says so, and leaves the
    epic closed."""
    fake = gitlab.fake
    cohort = epic(fake, COHORT)
    fake.client().groups.get(GROUP, lazy=True).epics.update(cohort.iid, {"state_event": "close"})
    config = Path("config/programs/csm-aspiring-leaders.yml")
    text = config.read_text("utf-8")
    config.write_text(
        text.replace("      - lena.fischer\n", "      - lena.fischer\n      - riley.chen\n"),
        "utf-8",
    )
    result = full(gitlab)
    assert result.code == 0, result.out + result.err
    said = f"warning: epic &{cohort.iid} is closed, and 1 issue goes into it: people looking in "
    assert said + "the group's open epics will not find it; reopen the epic" in result.out
    assert cohort.state == "closed"
    assert homes(fake)[f"{COHORT.rsplit('/', 1)[0]}/riley.chen"] == cohort.iid
    again = full(gitlab)
    assert "is closed" not in again.out  # said by the run that put it there
