"""Tests that drive the fake GitLab through python-gitlab and check documented GitLab behaviour."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

import gitlab
import pytest
import requests
from gitlab.v4.objects import Project, ProjectIssue

from tests.fakes import gitlab_fake
from tests.fakes.gitlab_fake import (
    LINE_BASED,
    MARKDOWN,
    MAX_LINKS_COUNT,
    READERS,
    FakeGitLab,
    extract_quick_actions,
    find_mentions,
    task_completion_status,
)

PROJECT = "enablement/programs"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strip GITLAB_* and CI_* variables so nothing leaks from the machine into a test."""
    for name in list(os.environ):
        if name.startswith(("GITLAB_", "CI_")):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record python-gitlab's back-off sleeps instead of waiting."""
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    return slept


def make_fake(tier: str = "premium") -> FakeGitLab:
    """Build a fake with one group, two projects and two users."""
    fake = FakeGitLab(tier="premium" if tier == "premium" else "free")
    fake.add_user("alice")
    fake.add_user("bob")
    fake.add_project(PROJECT)
    fake.add_project("enablement/other")
    return fake


def guests(fake: FakeGitLab) -> Project:
    """Alice and Bob become Guests of the group (GitLab assigns only users who can read the
    project); the project, through python-gitlab."""
    fake.add_member("enablement", "alice", "guest")
    fake.add_member("enablement", "bob", "guest")
    return project_of(fake)


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """A Premium fake, active for the whole test."""
    instance = make_fake("premium")
    with instance.activate():
        yield instance


@pytest.fixture
def free_fake() -> Iterator[FakeGitLab]:
    """A Free-tier fake, active for the whole test."""
    instance = make_fake("free")
    with instance.activate():
        yield instance


def project_of(fake: FakeGitLab, path: str = PROJECT, **kwargs: object) -> Project:
    """Fetch a project through python-gitlab."""
    return fake.client(**kwargs).projects.get(path)


def new_issue(project: Project, **data: object) -> ProjectIssue:
    """Create an issue with a default title."""
    payload: dict[str, object] = {"title": "Issue", **data}
    return project.issues.create(payload)


def test_a_branch_answers_its_head_commit_and_an_unknown_one_404(fake: FakeGitLab) -> None:
    """GET /projects/:id/repository/branches/:branch (docs: api/branches.md): the branch with
    its head `commit.id`; `404 Branch Not Found` for a branch the repository has not."""
    fake.push(PROJECT, "main", "a" * 40)
    branches = project_of(fake).branches
    assert branches.get("main").commit["id"] == "a" * 40
    fake.push(PROJECT, "main", "b" * 40)  # a merge moves the head
    assert branches.get("main").commit["id"] == "b" * 40
    with pytest.raises(gitlab.GitlabGetError) as error:
        branches.get("release")
    assert error.value.error_message == "404 Branch Not Found"


def test_a_compare_lists_the_files_the_commits_after_from_changed(fake: FakeGitLab) -> None:
    """GET /projects/:id/repository/compare?from=&to= (docs: api/repositories.md): `commits`
    after FROM up to TO, and `diffs` with each changed file's `old_path` and `new_path`;
    `404 Ref Not Found` for a commit the repository has not."""
    fake.push(PROJECT, "main", "a" * 40, ["config/people.yml"])
    fake.push(PROJECT, "main", "b" * 40, ["README.md"])
    fake.push(PROJECT, "main", "c" * 40, ["templates/x.md.j2", "README.md"])
    project = project_of(fake)
    found = project.repository_compare("a" * 40, "c" * 40)
    assert isinstance(found, dict)
    assert [c["id"] for c in found["commits"]] == ["b" * 40, "c" * 40]
    assert [d["new_path"] for d in found["diffs"]] == ["README.md", "templates/x.md.j2"]
    same = project.repository_compare("c" * 40, "c" * 40)
    assert isinstance(same, dict) and same["diffs"] == []
    with pytest.raises(gitlab.GitlabGetError) as error:
        project.repository_compare("d" * 40, "c" * 40)
    assert error.value.error_message == "404 Ref Not Found"


# --------------------------------------------------------------------------- issues


def test_iids_count_per_project_while_ids_are_global(fake: FakeGitLab) -> None:
    first = new_issue(project_of(fake))
    other = new_issue(project_of(fake, "enablement/other"))
    second = new_issue(project_of(fake))
    assert (first.iid, other.iid, second.iid) == (1, 1, 2)
    assert len({first.id, other.id, second.id}) == 3


def test_project_addressed_by_encoded_path_or_numeric_id(fake: FakeGitLab) -> None:
    by_path = project_of(fake)
    by_id = fake.client().projects.get(by_path.id)
    assert by_id.path_with_namespace == PROJECT
    assert [r.path for r in fake.requests] == [
        "/api/v4/projects/enablement/programs",
        f"/api/v4/projects/{by_path.id}",
    ]


def test_unknown_project_answers_404_project_not_found(fake: FakeGitLab) -> None:
    with pytest.raises(gitlab.GitlabGetError) as error:
        fake.client().projects.get("enablement/missing")
    assert error.value.response_code == 404
    assert error.value.error_message == "404 Project Not Found"


def test_issue_json_has_documented_fields(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake), due_date="2024-03-01", confidential=True)
    for key in ("id", "iid", "project_id", "web_url", "references", "closed_at", "created_at"):
        assert key in issue.attributes
    assert issue.web_url == f"{fake.url}/{PROJECT}/-/issues/1"
    assert issue.references["full"] == f"{PROJECT}#1"
    assert (issue.due_date, issue.confidential, issue.state) == ("2024-03-01", True, "opened")


def test_missing_title_is_rejected_with_400(fake: FakeGitLab) -> None:
    gl = fake.client()
    with pytest.raises(gitlab.GitlabHttpError) as error:
        gl.http_post("/projects/1/issues", post_data={"description": "no title"})
    assert error.value.response_code == 400
    assert fake.issues(PROJECT) == []


def test_a_description_over_a_mebibyte_in_bytes_is_refused_though_fewer_characters(
    fake: FakeGitLab,
) -> None:
    """Issuable validates the description's bytesize (app/models/concerns/issuable.rb)."""
    gl = fake.client()
    accented = "é" * (1_048_576 // 2 + 1)  # 524,289 characters, 1,048,578 bytes
    with pytest.raises(gitlab.GitlabHttpError) as error:
        gl.http_post("/projects/1/issues", post_data={"title": "t", "description": accented})
    assert error.value.response_code == 400 and "description" in str(error.value.error_message)
    assert fake.issues(PROJECT) == []
    made = gl.http_post(
        "/projects/1/issues", post_data={"title": "t", "description": "é" * 524_288}
    )
    assert isinstance(made, dict) and len(made["description"]) == 524_288


def test_state_event_close_sets_closed_at_and_reopen_clears_it(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    closed = project.issues.update(1, {"state_event": "close"})
    assert closed["state"] == "closed" and closed["closed_at"] is not None
    reopened = project.issues.update(1, {"state_event": "reopen"})
    assert reopened["state"] == "opened" and reopened["closed_at"] is None


def test_updated_at_moves_only_when_something_changed(fake: FakeGitLab) -> None:
    """IssuableBaseService#update sets updated_by and saves with touch: the first update of a
    new issue (updated_by is NULL) writes the row even when it changes nothing a reader sees;
    after that, the same user's update that changes nothing writes nothing."""
    project = project_of(fake)
    created = new_issue(project, title="Same")
    first = project.issues.update(1, {"title": "Same"})
    assert first["updated_at"] > created.updated_at  # updated_by: NULL -> the token's user
    unchanged = project.issues.update(1, {"title": "Same"})
    assert unchanged["updated_at"] == first["updated_at"]
    fake.clock.advance(timedelta(hours=1))
    changed = project.issues.update(1, {"title": "Different"})
    assert changed["updated_at"] > first["updated_at"]


def test_a_touch_within_a_minute_of_the_last_update_leaves_updated_at(fake: FakeGitLab) -> None:
    """ThrottledTouch (app/models/concerns/throttled_touch.rb): labels changed by whoever
    updated the issue last, or a note, only `touch` it, which does nothing within a minute of
    its last update; a field changed, or labels changed by someone else (updated_by changes:
    IssuableBaseService#update saves), always move it."""
    project = project_of(fake)
    new_issue(project, title="One")
    fake.clock.advance(timedelta(hours=1))
    fake.edit_issue(PROJECT, 1, description="ticked", as_user="alice")
    ticked = fake.issues(PROJECT)[0]["updated_at"]
    fake.edit_issue(PROJECT, 1, labels=["needs-attention"], as_user="alice")
    fake.add_note_as(PROJECT, 1, "bob", "Nice!")
    again = fake.issues(PROJECT)[0]
    assert again["labels"] == ["needs-attention"] and again["updated_at"] == ticked
    fake.edit_issue(PROJECT, 1, labels=["needs-attention", "later"], as_user="bob")
    assert fake.issues(PROJECT)[0]["updated_at"] > ticked  # someone else: a save
    bobs = fake.issues(PROJECT)[0]["updated_at"]
    fake.edit_issue(PROJECT, 1, description="ticked twice", as_user="bob")
    assert fake.issues(PROJECT)[0]["updated_at"] > bobs  # a field: always
    fake.clock.advance(timedelta(seconds=61))
    late = fake.clock.now()
    fake.add_note_as(PROJECT, 1, "bob", "Later")
    assert fake.issues(PROJECT)[0]["updated_at"] >= late  # over a minute on: the touch moves it


def test_assignee_ids_resolve_to_users_and_free_keeps_one(free_fake: FakeGitLab) -> None:
    issue = new_issue(guests(free_fake), assignee_ids=[2, 3])
    assert [a["username"] for a in issue.assignees] == ["alice"]


def test_premium_keeps_multiple_assignees(fake: FakeGitLab) -> None:
    issue = new_issue(guests(fake), assignee_ids=[2, 3])
    assert [a["username"] for a in issue.assignees] == ["alice", "bob"]


def test_assignee_ids_on_update_replace_the_assignees_and_empty_unassigns(fake: FakeGitLab) -> None:
    project = guests(fake)
    new_issue(project, assignee_ids=[2])
    swapped = project.issues.update(1, {"assignee_ids": [3, 2]})
    assert [a["username"] for a in swapped["assignees"]] == ["bob", "alice"]
    cleared = project.issues.update(1, {"assignee_ids": []})
    assert cleared["assignees"] == []


def test_a_person_assigns_someone_in_the_ui(fake: FakeGitLab) -> None:
    project = guests(fake)
    new_issue(project, assignee_ids=[2])
    fake.edit_issue(PROJECT, 1, assignees=["alice", "bob"], as_user="alice")
    assert fake.issues(PROJECT)[0]["assignees"] == ["alice", "bob"]


def test_a_confidential_issue_is_seen_by_its_author_assignees_and_planners_only(
    fake: FakeGitLab,
) -> None:
    # doc/user/project/issues/confidential_issues.md: author, assignees, and members with at
    # least the Planner role (Reporter before 17.7); a mention gives no access
    project = guests(fake)
    new_issue(project, assignee_ids=[2], confidential=True, description="cc @bob")
    new_issue(project, confidential=False)
    for username, role in (("alice", "guest"), ("bob", "guest"), ("carol", "planner")):
        fake.set_member_role(username, role, PROJECT)
    fake.set_member_role("dave", "reporter", "enablement")  # inherited from the group
    fake.set_member_role("erin", "developer", "enablement/other")  # not of this project
    seen = {}
    for username in ("alice", "bob", "carol", "dave"):
        fake.act_as(username)
        client = fake.client().projects.get(PROJECT, lazy=True)
        seen[username] = sorted(i.iid for i in client.issues.list(all=True))
        if 1 not in seen[username]:
            with pytest.raises(gitlab.GitlabGetError) as refused:
                client.issues.get(1)
            assert refused.value.response_code == 404
    assert seen == {"alice": [1, 2], "bob": [2], "carol": [1, 2], "dave": [1, 2]}
    fake.act_as("erin")  # not a member: the private project is not found (find_project!)
    client = fake.client().projects.get(PROJECT, lazy=True)
    for read in (lambda: client.issues.list(all=True), lambda: client.issues.get(2)):
        with pytest.raises(gitlab.GitlabError) as hidden:
            read()
        assert hidden.value.response_code == 404


def test_an_assignee_who_is_not_a_member_of_a_private_project_sees_nothing(
    fake: FakeGitLab,
) -> None:
    # a private project answers 404 to non-members, whatever its issues say about them
    frank = fake.add_member("enablement", "frank")
    created = new_issue(project_of(fake), assignee_ids=[frank], confidential=True)
    assert [a["username"] for a in created.assignees] == ["frank"]
    del fake.state.group("enablement").members[frank]  # he leaves the group, still assigned
    fake.set_member_role("frank", "developer", "enablement/other")  # not of this project
    fake.act_as("frank")
    client = fake.client().projects.get(PROJECT, lazy=True)
    with pytest.raises(gitlab.GitlabGetError) as refused:
        client.issues.get(1)
    assert refused.value.response_code == 404


def test_free_keeps_the_first_assignee_id_on_update(free_fake: FakeGitLab) -> None:
    # IssuableBaseService#filter_assignees: `params[:assignee_ids].first(1)` unless the issue
    # allows multiple assignees (a paid feature)
    project = guests(free_fake)
    new_issue(project, assignee_ids=[2])
    updated = project.issues.update(1, {"assignee_ids": [3, 2]})
    assert [a["username"] for a in updated["assignees"]] == ["bob"]


def test_gitlab_leaves_out_an_assignee_who_cannot_read_the_project(fake: FakeGitLab) -> None:
    # IssuableBaseService#filter_assignee keeps the ids whose user `assignee_can_read?` the
    # project (an issue being created) or the issue (an update), silently
    fake.add_user("frank")  # not a member: the project is private to him
    frank = next(u.id for u in fake.state.users.values() if u.username == "frank")
    project = guests(fake)
    issue = new_issue(project, assignee_ids=[2, frank])
    assert [a["username"] for a in issue.assignees] == ["alice"]
    alone = new_issue(project, assignee_ids=[frank])
    assert alone.assignees == []
    kept = project.issues.update(1, {"assignee_ids": [frank]})  # none can read: no change
    assert [a["username"] for a in kept["assignees"]] == ["alice"]


def test_a_guest_is_assigned_a_confidential_issue_on_creation_and_afterwards(
    fake: FakeGitLab,
) -> None:
    # GitLab asks whether the user reads issues of the project (`resource_parent`), even on
    # an update of a confidential issue a Guest cannot read yet
    project = guests(fake)
    created = new_issue(project, assignee_ids=[3], confidential=True)
    assert [a["username"] for a in created.assignees] == ["bob"]
    new_issue(project, assignee_ids=[2], confidential=True)
    updated = project.issues.update(2, {"assignee_ids": [2, 3]})
    assert [a["username"] for a in updated["assignees"]] == ["alice", "bob"]


def test_assign_quick_action_leaves_out_a_user_who_cannot_read_the_project(
    fake: FakeGitLab,
) -> None:
    fake.add_user("frank")
    project = guests(fake)
    issue = new_issue(project, description="/assign @frank @alice")
    assert [a["username"] for a in issue.assignees] == ["alice"]


def test_free_takes_the_first_id_before_asking_who_can_read(free_fake: FakeGitLab) -> None:
    free_fake.add_user("frank")
    frank = next(u.id for u in free_fake.state.users.values() if u.username == "frank")
    project = guests(free_fake)
    issue = new_issue(project, assignee_ids=[frank, 2])
    assert issue.assignees == []
    by_command = new_issue(project, description="/assign @frank @alice")
    assert by_command.assignees == []


# --------------------------------------------------------------------------- listing


def test_get_all_over_250_issues_with_per_page_100_takes_three_requests(fake: FakeGitLab) -> None:
    project = project_of(fake)
    for number in range(250):
        new_issue(project, title=f"Issue {number}")
    before = fake.count("GET", "/issues")
    issues = project.issues.list(get_all=True, per_page=100)
    assert len(issues) == 250
    assert len({i.iid for i in issues}) == 250
    assert fake.count("GET", "/issues") - before == 3


def test_lists_past_the_counted_size_come_without_totals(
    fake: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab answers a list of more than 10,000 records without its totals and without a
    "last" link (made smaller here); python-gitlab still reads every page by the next link."""
    monkeypatch.setattr(gitlab_fake, "COUNTED_RECORDS", 30)
    project = project_of(fake)
    for _ in range(31):
        new_issue(project)
    gl = fake.client()
    response = gl.http_get(f"/projects/{project.id}/issues", raw=True)
    assert isinstance(response, requests.Response)
    assert "X-Total" not in response.headers and "X-Total-Pages" not in response.headers
    rels = {part.split(";")[1].strip() for part in response.headers["Link"].split(",")}
    assert rels == {'rel="next"', 'rel="first"'}
    pages = gl.http_list(f"/projects/{project.id}/issues", iterator=True, per_page=10)
    assert isinstance(pages, gitlab.GitlabList) and pages.total is None
    assert len(list(pages)) == 31
    new_issue(project)  # one fewer than counted again: totals come back
    fake.delete_issue(PROJECT, 1)
    fake.delete_issue(PROJECT, 2)
    answer = gl.http_get(f"/projects/{project.id}/issues", raw=True)
    assert isinstance(answer, requests.Response) and answer.headers["X-Total"] == "30"


def test_list_answers_carry_offset_pagination_headers(fake: FakeGitLab) -> None:
    project = project_of(fake)
    for _ in range(45):
        new_issue(project)
    gl = fake.client()
    response = gl.http_get(f"/projects/{project.id}/issues", query_data={"page": 2}, raw=True)
    assert isinstance(response, requests.Response)
    headers = response.headers
    assert (headers["X-Total"], headers["X-Total-Pages"], headers["X-Page"]) == ("45", "3", "2")
    assert (headers["X-Per-Page"], headers["X-Next-Page"], headers["X-Prev-Page"]) == (
        "20",
        "3",
        "1",
    )
    assert {'rel="next"', 'rel="prev"', 'rel="first"', 'rel="last"'} <= {
        part.split(";")[1].strip() for part in headers["Link"].split(",")
    }
    assert len(response.json()) == 20


def test_per_page_is_capped_at_100(fake: FakeGitLab) -> None:
    project = project_of(fake)
    for _ in range(101):
        new_issue(project)
    page = project.issues.list(per_page=500, page=1)
    assert len(page) == 100


def test_label_filter_requires_all_listed_labels(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, labels="a,b")
    new_issue(project, labels="a")
    new_issue(project, labels="b")
    both = project.issues.list(get_all=True, labels=["a", "b"])
    assert [i.iid for i in both] == [1]


def test_state_filter_defaults_to_all_issues(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    new_issue(project)
    project.issues.update(1, {"state_event": "close"})
    assert len(project.issues.list(get_all=True)) == 2
    assert [i.iid for i in project.issues.list(get_all=True, state="opened")] == [2]


def test_default_order_is_newest_first(fake: FakeGitLab) -> None:
    project = project_of(fake)
    for _ in range(3):
        new_issue(project)
    assert [i.iid for i in project.issues.list(get_all=True)] == [3, 2, 1]
    ascending = project.issues.list(get_all=True, order_by="created_at", sort="asc")
    assert [i.iid for i in ascending] == [1, 2, 3]


def test_search_in_title_only_ignores_description(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, title="Marker in title")
    new_issue(project, title="Other", description="Marker in description")
    query = {"search": "marker", "in": "title"}
    found = project.issues.list(get_all=True, query_parameters=query)
    assert [i.iid for i in found] == [1]


def test_iids_filter_and_updated_after(fake: FakeGitLab) -> None:
    project = project_of(fake)
    for _ in range(3):
        new_issue(project)
    assert sorted(i.iid for i in project.issues.list(get_all=True, iids=[1, 3])) == [1, 3]
    cutoff = fake.clock.now()
    fake.clock.advance(timedelta(minutes=5))
    project.issues.update(2, {"title": "touched"})
    recent = project.issues.list(get_all=True, updated_after=cutoff.isoformat())
    assert [i.iid for i in recent] == [2]


# --------------------------------------------------------------------------- labels


def test_unknown_issue_labels_are_created_as_project_labels(fake: FakeGitLab) -> None:
    new_issue(project_of(fake), labels="brand-new")
    assert fake.labels(PROJECT)["brand-new"]["is_project_label"] is True
    assert fake.labels("enablement") == {}


def test_add_labels_through_lazy_project_creates_and_adds(fake: FakeGitLab) -> None:
    new_issue(project_of(fake), labels="keep")
    lazy = fake.client().projects.get(PROJECT, lazy=True)
    updated = lazy.issues.update(1, {"add_labels": "extra", "remove_labels": "keep"})
    assert updated["labels"] == ["extra"]
    assert "extra" in fake.labels(PROJECT)


def test_labels_param_replaces_the_whole_set(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, labels="a,b")
    assert project.issues.update(1, {"labels": "c"})["labels"] == ["c"]


def test_existing_group_label_answers_409(fake: FakeGitLab) -> None:
    group = fake.client().groups.get("enablement")
    group.labels.create({"name": "program", "color": "#428BCA"})
    with pytest.raises(gitlab.GitlabCreateError) as error:
        group.labels.create({"name": "program", "color": "#428BCA"})
    assert error.value.response_code == 409
    assert error.value.error_message == "Label already exists"


def test_project_label_named_like_group_label_answers_409(fake: FakeGitLab) -> None:
    fake.client().groups.get("enablement").labels.create({"name": "program", "color": "red"})
    with pytest.raises(gitlab.GitlabCreateError) as error:
        project_of(fake).labels.create({"name": "program", "color": "#00FF00"})
    assert error.value.response_code == 409


def test_issue_uses_group_label_instead_of_creating_a_project_label(fake: FakeGitLab) -> None:
    fake.add_label("enablement", "shared")
    issue = new_issue(project_of(fake), labels="shared")
    assert issue.labels == ["shared"]
    assert "shared" not in fake.labels(PROJECT)


def test_project_label_list_includes_ancestor_group_labels(fake: FakeGitLab) -> None:
    fake.add_label("enablement", "from-group")
    fake.add_label(PROJECT, "from-project")
    names = {label.name for label in project_of(fake).labels.list(get_all=True)}
    assert names == {"from-group", "from-project"}


def test_a_project_label_and_a_group_label_made_later_of_one_title_are_both_listed(
    fake: FakeGitLab,
) -> None:
    """LabelsFinder unions the project's labels with its groups' and orders by title alone:
    a group label made after a project label of its title (the group's check looks at the
    group's labels only) is listed beside it."""
    project_of(fake).labels.create({"name": "program", "color": "#00FF00"})
    fake.client().groups.get("enablement").labels.create({"name": "program", "color": "red"})
    listed = project_of(fake).labels.list(get_all=True)
    assert [(lb.name, lb.is_project_label) for lb in listed] == [
        ("program", False),
        ("program", True),
    ]


def test_scoped_label_replaces_same_scope_on_premium(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, labels="status::todo,team::a::x")
    updated = project.issues.update(1, {"add_labels": "status::done,team::a::y"})
    assert updated["labels"] == ["status::done", "team::a::y"]


def test_scoped_labels_accumulate_on_free(free_fake: FakeGitLab) -> None:
    project = project_of(free_fake)
    new_issue(project, labels="status::todo")
    updated = project.issues.update(1, {"add_labels": "status::done"})
    assert updated["labels"] == ["status::done", "status::todo"]


def test_reporter_role_is_needed_to_create_labels(fake: FakeGitLab) -> None:
    fake.set_role("guest")
    with pytest.raises(gitlab.GitlabCreateError) as error:
        project_of(fake).labels.create({"name": "x", "color": "#FFFFFF"})
    assert error.value.response_code == 403


def test_guest_can_create_issue_but_unknown_labels_are_dropped(fake: FakeGitLab) -> None:
    fake.set_role("guest", project=PROJECT)
    issue = new_issue(project_of(fake), labels="not-yet-there")
    assert issue.labels == []
    assert fake.labels(PROJECT) == {}


# --------------------------------------------------------------------------- epics and links


def test_every_epic_endpoint_answers_403_on_free(free_fake: FakeGitLab) -> None:
    group = free_fake.client().groups.get("enablement")
    with pytest.raises(gitlab.GitlabListError) as listing:
        group.epics.list()
    with pytest.raises(gitlab.GitlabCreateError) as creating:
        group.epics.create({"title": "Epic"})
    assert listing.value.response_code == creating.value.response_code == 403


def test_epic_links_issue_by_global_id(fake: FakeGitLab) -> None:
    new_issue(project_of(fake, "enablement/other"))
    target = new_issue(project_of(fake))
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    assert (epic.iid, target.iid) == (1, 1)
    epic.issues.create({"issue_id": target.id})
    assert fake.issues(PROJECT)[0]["epic"] == 1
    assert fake.issues("enablement/other")[0]["epic"] is None
    assert [i.id for i in epic.issues.list(get_all=True)] == [target.id]


def test_an_epic_title_over_255_characters_is_refused_as_an_issues_is(fake: FakeGitLab) -> None:
    """Epic includes Issuable, whose title is at most 255 characters (a tester's finding: the
    fake took any length, so a long cohort name's epic passed here and failed on GitLab)."""
    epics = fake.client().groups.get("enablement").epics
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        epics.create({"title": "x" * 256})
    assert refused.value.response_code == 400 and "too long" in str(refused.value)
    epic = epics.create({"title": "x" * 255})
    with pytest.raises(gitlab.GitlabUpdateError):
        epics.update(epic.iid, {"title": "y" * 256})


def test_an_epic_lists_the_issue_added_last_first(fake: FakeGitLab) -> None:
    """GitLab orders an epic's issues by relative position, and each link made moves to the
    start (EpicIssues::CreateService#relate_issuables: `link.move_to_start`)."""
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    made = [new_issue(project_of(fake)) for _ in range(3)]
    for issue in made:
        epic.issues.create({"issue_id": issue.id})
    listed = [i.iid for i in epic.issues.list(get_all=True)]
    assert listed == [issue.iid for issue in reversed(made)]


def test_an_issue_is_created_inside_an_epic_given_by_global_id(fake: FakeGitLab) -> None:
    # POST /projects/:id/issues takes epic_id (Premium): the epic's global id, linked as the
    # issue is created, with the "added to epic" system note; the answer shows the epic
    fake.add_group("another")
    elsewhere = fake.client().groups.get("another").epics.create({"title": "Not ours"})
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    assert epic.id != epic.iid or elsewhere.id != elsewhere.iid
    issue = new_issue(project_of(fake), epic_id=epic.id)
    assert issue.epic["iid"] == epic.iid
    assert fake.issues(PROJECT)[0]["epic"] == epic.iid
    notes = [n.body for n in issue.notes.list(get_all=True) if n.system]
    assert notes == [f"added to epic &{epic.iid}"]
    assert [i.id for i in epic.issues.list(get_all=True)] == [issue.id]


def test_an_epic_the_finder_cannot_find_creates_no_issue(fake: FakeGitLab) -> None:
    # the epic is looked up before the issue is saved: another group's epic, or an epic
    # that does not exist, is a 404 and nothing is created
    fake.add_group("another")
    elsewhere = fake.client().groups.get("another").epics.create({"title": "Not ours"})
    for epic_id in (elsewhere.id, 999):
        with pytest.raises(gitlab.GitlabCreateError) as error:
            new_issue(project_of(fake), epic_id=epic_id)
        assert error.value.response_code == 404
    assert fake.issues(PROJECT) == []


def test_epic_id_and_epic_iid_together_are_refused(fake: FakeGitLab) -> None:
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    with pytest.raises(gitlab.GitlabCreateError) as error:
        new_issue(project_of(fake), epic_id=epic.id, epic_iid=epic.iid)
    assert error.value.response_code == 400
    assert fake.issues(PROJECT) == []


def test_a_guest_cannot_create_an_issue_inside_an_epic(fake: FakeGitLab) -> None:
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    fake.set_role("guest", project=PROJECT)
    with pytest.raises(gitlab.GitlabCreateError) as error:
        new_issue(project_of(fake), epic_id=epic.id)
    assert error.value.response_code == 403
    assert fake.issues(PROJECT) == []


def test_epic_id_on_free_finds_no_epic(free_fake: FakeGitLab) -> None:
    with pytest.raises(gitlab.GitlabCreateError) as error:
        new_issue(project_of(free_fake), epic_id=1)
    assert error.value.response_code == 404
    assert free_fake.issues(PROJECT) == []


def test_epic_update_sets_the_description_and_changes_labels_one_by_one(fake: FakeGitLab) -> None:
    # PUT /groups/:id/epics/:epic_iid takes description, add_labels and remove_labels together
    epics = fake.client().groups.get("enablement").epics
    epic = epics.create({"title": "Epic", "description": "old", "labels": "program::a,team"})
    epics.update(epic.iid, {"description": "new", "add_labels": "program::b"})
    assert fake.epics("enablement")[0]["description"] == "new"
    assert fake.epics("enablement")[0]["labels"] == ["program::b", "team"]  # scoped: exclusive
    epics.update(epic.iid, {"add_labels": "x", "remove_labels": "team"})
    assert fake.epics("enablement")[0]["labels"] == ["program::b", "x"]


def test_an_issue_put_in_its_epic_again_answers_409_already_assigned(fake: FakeGitLab) -> None:
    # EpicIssues::CreateService (IssuableLinks::CreateService#execute): when every issue
    # referenced is in the epic already, error('Issue(s) already assigned', 409), rendered by
    # ee/lib/api/epic_issues.rb as {"message": ...}; nothing is linked, no note is added
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    issue = new_issue(project_of(fake))
    epic.issues.create({"issue_id": issue.id})
    answer = requests.post(
        f"{fake.api_url}/groups/enablement/epics/{epic.iid}/issues/{issue.id}",
        headers={"PRIVATE-TOKEN": fake.token},
        timeout=5,
    )
    assert (answer.status_code, answer.json()) == (409, {"message": "Issue(s) already assigned"})
    assert fake.issues(PROJECT)[0]["epic"] == epic.iid
    assert fake.issues(PROJECT)[0]["system_notes"] == [f"added to epic &{epic.iid}"]


def test_an_epic_made_without_a_description_answers_null(fake: FakeGitLab) -> None:
    # like an issue's: the column stays NULL until a description is given
    epics = fake.client().groups.get("enablement").epics
    bare = epics.create({"title": "Bare"})
    told = epics.create({"title": "Told", "description": "Why"})
    assert bare.description is None
    assert [e["description"] for e in fake.epics("enablement")] == [None, "Why"]
    epics.update(bare.iid, {"description": "Now"})
    assert fake.epics("enablement")[0]["description"] == "Now"
    assert told.description == "Why"


def test_issue_answers_can_leave_out_which_epic_an_issue_is_in(fake: FakeGitLab) -> None:
    # ee/lib/ee/api/entities/issue.rb exposes `epic` and `epic_iid` only where the project's
    # group has epics; `issue_epic_fields = False` answers as GitLab (or an emulation of it)
    # that leaves them out: absent, not null
    epic = fake.client().groups.get("enablement").epics.create({"title": "Program"})
    issue = new_issue(project_of(fake), epic_id=epic.id)
    assert (issue.epic_iid, issue.epic["iid"]) == (epic.iid, epic.iid)
    fake.state.issue_epic_fields = False
    answer = project_of(fake).issues.get(issue.iid).attributes
    listed = project_of(fake).issues.list(get_all=True)[0].attributes
    assert not {"epic", "epic_iid"} & (answer.keys() | listed.keys())
    assert fake.issues(PROJECT)[0]["epic"] == epic.iid  # still in it


def test_epic_iids_count_per_group(fake: FakeGitLab) -> None:
    fake.add_group("another")
    gl = fake.client()
    first = gl.groups.get("enablement").epics.create({"title": "A"})
    other = gl.groups.get("another").epics.create({"title": "B"})
    assert (first.iid, other.iid) == (1, 1)


def test_issue_links_are_listed_from_both_ends(fake: FakeGitLab) -> None:
    project = project_of(fake)
    source = new_issue(project)
    other_project = project_of(fake, "enablement/other")
    new_issue(other_project)
    source.links.create({"target_project_id": other_project.id, "target_issue_iid": 1})
    back = other_project.issues.get(1).links.list()
    assert [(i.iid, i.project_id, i.link_type) for i in back] == [(1, project.id, "relates_to")]
    with pytest.raises(gitlab.GitlabCreateError) as error:
        source.links.create({"target_project_id": other_project.id, "target_issue_iid": 1})
    assert error.value.response_code == 409


# ------------------------------------------------------------------ quick actions, mentions


def test_quick_actions_in_description_run_and_are_removed(fake: FakeGitLab) -> None:
    fake.add_label(PROJECT, "ready")
    body = "Intro\n/label ~ready\n/assign @alice\n/close\nOutro"
    issue = new_issue(guests(fake), description=body)
    assert (issue.state, issue.labels) == ("closed", ["ready"])
    assert [a["username"] for a in issue.assignees] == ["alice"]
    assert issue.description == "Intro\nOutro"


def test_quick_actions_on_update_run_too(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    updated = project.issues.update(1, {"description": "text\n/title Renamed"})
    assert (updated["title"], updated["description"]) == ("Renamed", "text")


def test_a_command_the_editor_cannot_run_is_taken_out_and_not_run(fake: FakeGitLab) -> None:
    """InterpretService's extractor knows every command: a Guest's `/label ~x` leaves their
    text as they save it, and runs only for a user who may (CommandDefinition#execute)."""
    fake.add_label("enablement", "x")
    bot = fake.owner.username
    fake.set_member_role("hana", "guest", PROJECT)
    iid = fake.create_issue_as(PROJECT, "hana", "Mine", "my notes")
    fake.act_as("hana")
    project_of(fake).issues.update(iid, {"description": "my notes\n/label ~x"})
    fake.act_as(bot)
    stored = project_of(fake).issues.get(iid)
    assert (stored.description, stored.labels) == ("my notes", [])


@pytest.mark.parametrize("rule", [True, False])
def test_an_edit_does_not_run_again_a_command_the_stored_text_had(
    fake: FakeGitLab, rule: bool
) -> None:
    """QuickActions::InterpretService#execute_with_original_text: a command the stored
    description had already (text from before, stored as it was) is taken out of an edit,
    not run again; an older GitLab (RULE False) ran it, with the editor's rights."""
    fake.add_label("enablement", "x")
    fake.state.original_text_rule = rule
    issue = new_issue(project_of(fake), description="notes")
    fake.state.project(PROJECT).issues[issue.iid].description = "notes\n/label ~x"
    issues = project_of(fake).issues
    issues.update(issue.iid, {"description": "notes\n/label ~x\nmore"})
    stored = issues.get(issue.iid)
    assert stored.description == "notes\nmore"
    assert stored.labels == ([] if rule else ["x"])


def test_quick_actions_in_an_epic_description_are_taken_out_and_recorded(fake: FakeGitLab) -> None:
    epics = fake.client().groups.get("enablement").epics
    epic = epics.create({"title": "Epic", "description": "text\n/label ~x"})
    epics.update(epic.iid, {"description": "again\n/close"})
    assert fake.epics("enablement")[0]["description"] == "again"
    assert [q.name for q in fake.quick_actions] == ["label", "close"]


def test_a_label_description_is_at_most_512_kilobytes(fake: FakeGitLab) -> None:
    labels = fake.client().groups.get("enablement").labels
    labels.create({"name": "record", "color": "#808080", "description": "x" * 512 * 1024})
    with pytest.raises(gitlab.GitlabCreateError) as error:
        labels.create({"name": "other", "color": "#808080", "description": "é" * 262_145})
    assert error.value.response_code == 400


def test_quick_actions_inside_backtick_fences_are_not_executed(fake: FakeGitLab) -> None:
    body = "```\n/close\n```"
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == "opened"
    assert issue.description == body


@pytest.mark.parametrize(
    ("after", "runs"), [("after", ["close"]), ("<details>\n/label ~x\n</details>", [])]
)
def test_a_command_inside_an_html_comment_runs_unless_a_closing_tag_follows(
    fake: FakeGitLab, after: str, runs: list[str]
) -> None:
    """GitLab 16's extractor (lib/gitlab/quick_actions/extractor.rb) skips a block from a line
    `<tag>` to a line `</tag>`, and its tag may run over lines: a comment opened on a line of
    its own and closed on a later one is such a tag. With no `</tag>` line after it, it hides
    nothing, and a command inside it runs; with one, nothing between runs."""
    body = f"<!-- hidden\n/close\n-->\n{after}"
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == ("closed" if runs else "opened")
    assert [a.name for a in fake.quick_actions] == runs


@pytest.mark.parametrize(
    ("body", "runs"),
    [
        ("a `b\n/close\nc` d", []),  # inline code over lines
        ("a `b\n/close", ["close"]),  # a backtick with no other after it hides nothing
        ("/close\nfoo `x`", ["close"]),  # code after the command
        ("``x``\n/close\n`", []),  # ``x`` pairs as ``x` + `: the last backtick opens
        ("<a\nb>\n/close\n</a>", []),  # a tag over two lines opens an HTML block
    ],
    ids=["spanning", "unpaired", "after", "shifted", "tag-over-lines"],
)
def test_the_line_based_extractor_skips_inline_code_over_lines(
    fake: FakeGitLab, body: str, runs: list[str]
) -> None:
    """GitLab 16's INLINE_CODE_REGEX pairs a backtick with the next one, whatever lies between:
    a command between them is text (an attacker's trial: a person's lone backtick in one of
    the tool's blocks hid their commands, and the tool's rewrite of the block freed them)."""
    fake.state.readers = frozenset({LINE_BASED})
    new_issue(project_of(fake), description=body)
    assert [a.name for a in fake.quick_actions] == runs, body


def test_a_command_after_a_one_line_comment_runs_whatever_block_follows(fake: FakeGitLab) -> None:
    """GitLab's Markdown-based extractor: a one-line HTML comment (the tool's first line) is
    an HTML block of its own, so the next lines are a paragraph, and a command in it runs,
    though a `<details>` ... `</details>` block follows (the line-based extractor of GitLab
    16 hid everything from the comment down to that closing tag)."""
    body = "<!-- automation:key=a/b -->\nHello\n/close\n<!-- begin -->\n<details>\n</details>"
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == "closed"
    assert [(a.name, a.argument) for a in fake.quick_actions] == [("close", "")]


@pytest.mark.parametrize(
    ("body", "runs"),
    [
        ("a `b\n/close\nc` d", []),  # inline code over a paragraph's lines
        ("a `b\n/close", ["close"]),  # a backtick with no other after it hides nothing
        ("a `b\n\n/close\n\nc` d", ["close"]),  # a blank line: paragraphs apart
    ],
    ids=["spanning", "unpaired", "paragraphs"],
)
def test_the_markdown_extractor_skips_inline_code_within_a_paragraph(
    fake: FakeGitLab, body: str, runs: list[str]
) -> None:
    """GitLab 17's extractor runs its pattern over each paragraph the Markdown pipeline found,
    inline code first: a backtick pairs with the next one in that paragraph."""
    fake.state.readers = frozenset({MARKDOWN})
    new_issue(project_of(fake), description=body)
    assert [a.name for a in fake.quick_actions] == runs, body


@pytest.mark.parametrize(
    ("readers", "runs"), [(READERS, True), (frozenset({MARKDOWN}), False)], ids=["both", "com"]
)
def test_gitlab_com_runs_no_command_under_a_comment_left_open(
    fake: FakeGitLab, readers: frozenset[str], runs: bool
) -> None:
    """GitLab.com runs the Markdown-based extractor alone: a comment left open (a key line
    whose `-->` a person deleted) is an HTML block to the end, so a command under it stays in
    the text and runs nothing; the line-based extractor of older GitLabs ran it."""
    fake.state.readers = readers
    body = "<!-- automation:key=a/b\nHello\n/close"
    issue = new_issue(project_of(fake), description=body)
    assert (issue.state == "closed") is runs
    assert (issue.description == body) is not runs
    assert [a.name for a in fake.quick_actions] == (["close"] if runs else [])


@pytest.mark.parametrize(
    "body",
    [
        "Lead\n\n<details>\n/close\n</details>",  # inside an HTML block, both extractors
        ">>>\n/close\n>>>",  # a multi-line quote
        "> quoted\n> /close",  # a quote
        "| a |\n|---|\n| /close |",  # a table cell
    ],
    ids=["html-block", "gitlab-quote", "quote", "table"],
)
def test_commands_in_quotes_code_and_html_blocks_do_not_run(fake: FakeGitLab, body: str) -> None:
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == "opened" and fake.quick_actions == [], body


def test_indented_or_inline_commands_are_plain_text(fake: FakeGitLab) -> None:
    body = " /close\ntext /close\n"
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == "opened"
    assert fake.quick_actions == []


@pytest.mark.parametrize(
    ("body", "mentioned"),
    [
        ('Hi <b title="`">@alice</b><b title="`">', ["alice"]),  # a tag binds before code
        ("Hi &#64;alice", ["alice"]),  # a character reference is the character
        ("<details>\n@alice\n</details>", ["alice"]),  # text of a raw HTML block
        ("`@alice` and <!-- @alice -->", []),
    ],
    ids=["backtick-in-a-tag", "character-reference", "html-block", "code-and-comment"],
)
def test_mentions_are_read_as_commonmark_renders_them(
    fake: FakeGitLab, body: str, mentioned: list[str]
) -> None:
    new_issue(project_of(fake), description=body)
    assert [m.username for m in fake.mentions] == mentioned


def test_note_with_only_quick_actions_is_not_stored(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake))
    issue.notes.create({"body": "/close"})
    assert fake.issues(PROJECT)[0]["state"] == "closed"
    assert fake.issues(PROJECT)[0]["notes"] == []


def test_note_keeps_text_and_executes_commands(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake))
    note = issue.notes.create({"body": "Done here.\n/assign me"})
    assert note.body == "Done here."
    assert fake.issues(PROJECT)[0]["assignees"] == ["automation-bot"]


def test_notes_list_newest_first_in_pages_with_system_notes(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake))
    issue.notes.create({"body": "first"})
    fake.add_note_as(PROJECT, issue.iid, "alice", "from alice")
    fake.edit_issue(PROJECT, issue.iid, description="- [ ] task")  # a system note
    issue.notes.create({"body": "last"})
    page = issue.notes.list(per_page=2, page=1)
    assert [n.body for n in page] == ["last", "changed the description"]
    every = issue.notes.list(get_all=True, per_page=2)
    assert [(n.body, n.system, n.author["username"]) for n in every] == [
        ("last", False, "automation-bot"),
        ("changed the description", True, "alice"),
        ("from alice", False, "alice"),
        ("first", False, "automation-bot"),
    ]
    oldest = issue.notes.list(get_all=True, sort="asc")
    assert [n.body for n in oldest][::3] == ["first", "last"]


def test_a_note_edited_down_to_quick_actions_runs_them_and_is_deleted(fake: FakeGitLab) -> None:
    """Notes::UpdateService: an edit that leaves only commands runs them and deletes the note
    (202, the commands' answer)."""
    issue = new_issue(project_of(fake))
    note = issue.notes.create({"body": "plain"})
    note.body = "/close"
    note.save()
    stored = fake.issues(PROJECT)[0]
    assert stored["state"] == "closed" and stored["notes"] == []


def test_the_activity_filter_lists_comments_or_system_notes_alone(fake: FakeGitLab) -> None:
    """lib/api/notes.rb: `activity_filter` (UserPreference::NOTES_FILTERS) narrows the list."""
    issue = new_issue(project_of(fake))
    issue.notes.create({"body": "first"})
    fake.edit_issue(PROJECT, issue.iid, description="- [ ] task")  # a system note
    comments = issue.notes.list(get_all=True, activity_filter="only_comments")
    activity = issue.notes.list(get_all=True, activity_filter="only_activity")
    assert [n.body for n in comments] == ["first"]
    assert [n.body for n in activity] == ["changed the description"]
    assert len(issue.notes.list(get_all=True, activity_filter="all_notes")) == 2
    with pytest.raises(gitlab.GitlabListError) as refused:
        issue.notes.list(get_all=True, activity_filter="comments")
    assert refused.value.response_code == 400


def test_an_issue_with_5000_notes_takes_no_more_but_its_history_goes_on(
    fake: FakeGitLab,
) -> None:
    """Noteable::MAX_NOTES_LIMIT: once an issue holds 5,000 notes, system notes (each
    description change's) included, a new note is refused with 400, not stored, its quick
    actions not run; changes to the issue still add system notes."""
    issue = new_issue(project_of(fake))
    stored = fake.state.project(PROJECT).issues[issue.iid]
    fake.fill_notes(PROJECT, issue.iid, room=1)
    assert len(stored.notes) == gitlab_fake.MAX_NOTES - 1
    issue.notes.create({"body": "the last one taken"})
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        issue.notes.create({"body": "one more\n/close"})
    assert refused.value.response_code == 400
    assert "Maximum number of comments exceeded" in str(refused.value.error_message)
    assert fake.issues(PROJECT)[0]["state"] == "opened"
    fake.edit_issue(PROJECT, issue.iid, description="- [ ] task")
    assert len(stored.notes) == gitlab_fake.MAX_NOTES + 1  # the system note, past the limit


def test_a_note_longer_than_gitlab_keeps_is_refused(fake: FakeGitLab) -> None:
    """Notes validate their text's length (Gitlab::Database::MAX_TEXT_SIZE_LIMIT) on create
    and on edit."""
    issue = new_issue(project_of(fake))
    note = issue.notes.create({"body": "x" * gitlab_fake.MAX_NOTE_LENGTH})
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        issue.notes.create({"body": "x" * (gitlab_fake.MAX_NOTE_LENGTH + 1)})
    assert refused.value.response_code == 400 and "is too long" in str(refused.value)
    note.body = "y" * (gitlab_fake.MAX_NOTE_LENGTH + 1)
    with pytest.raises(gitlab.GitlabUpdateError):
        note.save()
    assert len(fake.issues(PROJECT)[0]["notes"]) == 1


def test_only_a_notes_author_or_a_maintainer_edits_it_and_never_a_system_note(
    fake: FakeGitLab,
) -> None:
    fake.set_role("developer")
    issue = new_issue(project_of(fake))
    own = issue.notes.create({"body": "mine"})
    theirs = fake.add_note_as(PROJECT, issue.iid, "alice", "hers")
    fake.edit_issue(PROJECT, issue.iid, title="Renamed")
    system = next(n for n in fake.project(PROJECT).issues[issue.iid].notes if n.system)
    issue.notes.update(own.id, {"body": "mine, edited"})
    for note_id in (theirs, system.id):
        with pytest.raises(gitlab.GitlabUpdateError) as refused:
            issue.notes.update(note_id, {"body": "overwritten"})
        assert refused.value.response_code == 403
    fake.set_role("maintainer")
    issue.notes.update(theirs, {"body": "hers, tidied by a maintainer"})
    assert fake.issues(PROJECT)[0]["notes"] == ["mine, edited", "hers, tidied by a maintainer"]


def test_editing_a_note_runs_its_quick_actions_and_records_its_mentions(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake))
    note = issue.notes.create({"body": "plain"})
    issue.notes.update(note.id, {"body": "now @alice\n/close"})
    assert fake.issues(PROJECT)[0]["state"] == "closed"
    assert fake.issues(PROJECT)[0]["notes"] == ["now @alice"]
    assert [m.username for m in fake.mentions] == ["alice"]


def test_an_edit_notifies_only_the_people_it_newly_mentions(fake: FakeGitLab) -> None:
    # Issues::UpdateService and Notes::UpdateService hand on the added mentions only
    issue = new_issue(project_of(fake), description="ask @alice")
    issue.notes.create({"body": "digest for @alice"})
    note = issue.notes.list(get_all=True)[0]
    project_of(fake).issues.update(issue.iid, {"description": "ask @alice and @bob"})
    issue.notes.update(note.id, {"body": "digest for @alice, one more task"})
    assert [(m.username, m.where.split(":")[0]) for m in fake.mentions] == [
        ("alice", "issue"),
        ("alice", "note"),
        ("bob", "issue"),
    ]


def test_mentions_are_recorded_outside_code_only(fake: FakeGitLab) -> None:
    body = "Hi @alice, mail bob@example.com\n`@bob` in code\n```\n@bob\n```\n<!-- @bob -->"
    new_issue(project_of(fake), title="ping @all", description=body)
    assert sorted(m.username for m in fake.mentions) == ["alice", "all"]


def test_neutralised_text_makes_no_mentions_and_runs_no_actions(fake: FakeGitLab) -> None:
    new_issue(project_of(fake), description="Contact `@alice`.\n`/close`")
    assert fake.mentions == []
    assert fake.quick_actions == []
    assert fake.issues(PROJECT)[0]["state"] == "opened"


# --------------------------------------------------------------------------- task lists

TASK_CASES = [
    ("- [ ] open\n- [x] done", (2, 1)),
    ("* [X] upper\n+ [ ] plus", (2, 1)),
    ("1. [x] ordered\n2) [ ] paren", (2, 1)),
    ("  - [ ] indented\n    - [x] nested", (2, 1)),
    ("> - [x] quoted\n> > * [ ] deeper", (2, 1)),
    ("- - [x] double prefix", (1, 1)),
    ("```\n- [ ] in code\n```\n~~~\n- [x] tilde\n~~~\n- [ ] real", (1, 0)),
    ("<!-- \n- [ ] hidden\n-->\n- [x] shown <!-- - [ ] inline -->", (1, 1)),
    ("- [~] not a task\n- [  ] two spaces\n- [x]\n-[ ] no space", (0, 0)),
    ("[ ] no list marker\n- [x]text glued", (0, 0)),
    ("- [\u3000] a full-width space is a space\n1. [\t] and a tab", (2, 0)),
    ("- [\x1c] a file separator is no space\n- [y] nor a letter", (0, 0)),
    ("| [x] |\n|---|\n| [ ] |\n| [X] |", (3, 2)),  # the header's cell too
    ("| a | b |\n|---|---|\n| [ ] done? | b |\n| [x] |", (1, 1)),  # a box alone in a cell
    ("| a | b |\n|---|\n| [ ] |", (0, 0)),  # a delimiter row of another width: no table
    ("| a |\n|---|\n| [ ] |\n\n| [x] |", (1, 0)),  # a blank line ends the table
    ("| a |\n|---|\n[x]\n- [ ] listed", (2, 1)),  # a line without a pipe is a row; a list is not
    ("```\n| a |\n|---|\n| [ ] |\n```", (0, 0)),
    ("| a |\n|---|\n| [~] |", (0, 0)),
    ("> | [ ] |\n> |---|\n> | [x] |", (2, 1)),  # a table inside a quote
    ("> > | a |\n>> | --- |\n> > | [x] |\n> | [ ] |", (1, 1)),  # the quote's rows alone
    ("> | a |\n> |---|\n> | [x] |\n| [ ] |", (1, 1)),  # a line out of the quote ends it
]

# GitLab's own expectations (spec/models/concerns/taskable_spec.rb): the description of its
# `.get_tasks` test, and its table of task items
GITLAB_SPEC_DESCRIPTION = """Any text before the list
- [ ] First item
- [x] Second item
* [x] Third item
* [ ] **Fourth** item
* [~] Inapplicable item

<!-- a comment
- [ ] Item in comment, ignore
 rest of comment -->

+ [\u00a0] No-break space (U+00A0)
+ [\u2007] Figure space (U+2007)

```
- [ ] Item in code, ignore
```

+ [\u202f] Narrow no-break space (U+202F)
+ [\u2009] Thin space (U+2009)

1. [ ] Numbered 1
2) [x] Numbered 2
"""
GITLAB_SPEC_TABLE = """|     | Action       | When    |
| --- | ------------ | ------- |
| [ ] | Do something | Soon    |
| [x] | Do nothing   | **Now** |
"""


def test_task_completion_status_counts_as_gitlabs_own_spec_expects() -> None:
    """Ten items, three done, in its description (the boxes with a Unicode space open); two,
    one done, in its table."""
    assert task_completion_status(GITLAB_SPEC_DESCRIPTION) == {"count": 10, "completed_count": 3}
    assert task_completion_status(GITLAB_SPEC_TABLE) == {"count": 2, "completed_count": 1}


@pytest.mark.parametrize(("markdown", "expected"), TASK_CASES)
def test_task_completion_status_follows_task_list_rules(
    markdown: str, expected: tuple[int, int]
) -> None:
    status = task_completion_status(markdown)
    assert (status["count"], status["completed_count"]) == expected


def test_task_completion_status_is_served_and_follows_edits(fake: FakeGitLab) -> None:
    project = project_of(fake)
    issue = new_issue(project, description="- [ ] a\n- [ ] b")
    assert issue.task_completion_status == {"count": 2, "completed_count": 0}
    updated = project.issues.update(1, {"description": "- [x] a\n- [ ] b"})
    assert updated["task_completion_status"] == {"count": 2, "completed_count": 1}


def test_helpers_extract_commands_and_mentions() -> None:
    text, commands = extract_quick_actions('a\n/LABEL ~x ~"y z"\n/unknown\nb')
    assert text == "a\n/unknown\nb"
    assert commands == [("label", '~x ~"y z"')]
    assert find_mentions("@a.b. x@y `@c`") == ["a.b"]
    # a username may end in `-` and start with `.` (Gitlab::PathRegex), as its mention may
    assert find_mentions("ask @priya- or @.dot, not @-x") == ["priya-", ".dot"]


# --------------------------------------------------------------------------- auth, users, roles


def test_blocked_and_banned_users_are_not_listed_to_a_token_of_no_administrator(
    fake: FakeGitLab,
) -> None:
    """UsersFinder leaves out the forbidden states for a token that is no administrator's; a
    deactivated user is still listed (a tester's reading of GitLab's source)."""
    for name, state in (
        ("gone.user", "blocked"),
        ("out.user", "banned"),
        ("idle.user", "deactivated"),
    ):
        fake.add_user(name)
        fake.set_user_state(name, state)
    users = fake.client().users
    assert users.list(username="gone.user") == [] and users.list(username="out.user") == []
    (idle,) = users.list(username="idle.user")
    assert idle.attributes["state"] == "deactivated"


@pytest.mark.parametrize(
    ("state", "reason"), [("blocked", "has been blocked"), ("deactivated", "deactivated")]
)
def test_a_token_of_a_user_blocked_or_deactivated_is_refused_with_the_reason(
    fake: FakeGitLab, state: str, reason: str
) -> None:
    """The token is still valid (not 401); its user may not use the API: 403, saying why."""
    fake.set_user_state(fake.owner.username, state)
    with pytest.raises(gitlab.GitlabGetError) as error:
        fake.client().projects.get(PROJECT)
    assert error.value.response_code == 403
    assert reason in str(error.value.error_message)
    fake.set_user_state(fake.owner.username, "active")
    assert fake.client().projects.get(PROJECT).id


def test_a_projects_permissions_tell_project_and_group_membership_apart(
    fake: FakeGitLab,
) -> None:
    """GET /projects/:id: `project_access` is the project's own membership, `group_access`
    the group's (or an ancestor's); null where there is none."""

    def permissions() -> dict[str, Any]:
        return dict(fake.client().projects.get(PROJECT).attributes["permissions"])

    assert permissions() == {
        "project_access": None,
        "group_access": {"access_level": 50, "notification_level": 3},
    }
    fake.act_as("project_7_bot_abc")  # a project access token's bot: the project only
    fake.set_member_role("project_7_bot_abc", "maintainer", PROJECT)
    assert permissions() == {
        "project_access": {"access_level": 40, "notification_level": 3},
        "group_access": None,
    }


def test_bad_token_answers_401(fake: FakeGitLab) -> None:
    gl = gitlab.Gitlab(fake.url, private_token="wrong")
    with pytest.raises(gitlab.GitlabAuthenticationError) as error:
        gl.projects.get(PROJECT)
    assert error.value.response_code == 401


def test_bearer_token_is_accepted_and_user_is_token_owner(fake: FakeGitLab) -> None:
    gl = gitlab.Gitlab(fake.url, oauth_token=fake.token)
    gl.auth()
    assert gl.user is not None
    assert gl.user.username == "automation-bot"


def test_users_lookup_by_username_returns_a_list(fake: FakeGitLab) -> None:
    gl = fake.client()
    assert [u.username for u in gl.users.list(username="alice")] == ["alice"]
    assert gl.users.list(username="nobody") == []


def test_guest_cannot_edit_someone_elses_issue_metadata(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    fake.set_role("guest")
    fake.act_as("someone-else")
    with pytest.raises(gitlab.GitlabUpdateError) as error:
        project.issues.update(1, {"labels": "x"})
    assert error.value.response_code == 403


# --------------------------------------------------------------------------- faults


def test_429_is_obeyed_using_retry_after(fake: FakeGitLab, _no_sleep: list[float]) -> None:
    fault = fake.inject(status=429, retry_after=7, times=2, path_contains="/issues")
    project = project_of(fake)
    issue = new_issue(project)
    assert issue.iid == 1
    assert fault.fired == 2
    assert _no_sleep == [7, 7]
    assert fake.count("POST", "/issues") == 3


def test_429_surfaces_when_rate_limit_is_not_obeyed(fake: FakeGitLab) -> None:
    project = project_of(fake)
    fake.inject(status=429, retry_after=0)
    with pytest.raises(gitlab.GitlabCreateError) as error:
        project.issues.create({"title": "x"}, obey_rate_limit=False)
    assert error.value.response_code == 429


def test_502_is_retried_only_with_retry_transient_errors(fake: FakeGitLab) -> None:
    project = project_of(fake, retry_transient_errors=True)
    fake.inject(status=502, times=1, method="POST")
    assert new_issue(project).iid == 1
    plain = project_of(fake)
    fake.inject(status=502, times=1, method="POST")
    with pytest.raises(gitlab.GitlabCreateError) as error:
        new_issue(plain)
    assert error.value.response_code == 502
    assert len(fake.issues(PROJECT)) == 1


def test_every_nth_request_can_fail(fake: FakeGitLab) -> None:
    project = project_of(fake, retry_transient_errors=True)
    fault = fake.inject(status=503, every=3)
    for _ in range(4):
        new_issue(project)
    assert len(fake.issues(PROJECT)) == 4
    assert fault.fired == fault.seen // 3


def test_connection_error_is_raised_to_the_client(fake: FakeGitLab) -> None:
    project = project_of(fake)
    fake.inject(connection_error=True, method="POST")
    with pytest.raises(requests.ConnectionError):
        new_issue(project)
    assert fake.issues(PROJECT) == []


def test_crash_after_write_commits_then_fails(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    fake.crash_after_writes(1)
    with pytest.raises(requests.ConnectionError):
        new_issue(project, title="Committed anyway")
    assert [i["title"] for i in fake.issues(PROJECT)] == ["Issue", "Committed anyway"]


def test_blind_retry_after_crash_duplicates_the_issue(fake: FakeGitLab) -> None:
    project = project_of(fake, retry_transient_errors=True)
    fake.crash_after_writes(1)
    new_issue(project, title="Once")
    assert [i["title"] for i in fake.issues(PROJECT)] == ["Once", "Once"]


def test_every_request_is_recorded_including_failures(fake: FakeGitLab) -> None:
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(fake.url, private_token="wrong").projects.get(PROJECT)
    fake.inject(status=500)
    with pytest.raises(gitlab.GitlabGetError):
        project_of(fake)
    project_of(fake)
    assert fake.count() == 3
    assert fake.count("GET", "enablement/programs") == 3
    assert fake.requests[0].method == "GET"


# --------------------------------------------------------------------------- a person acting


def system_notes(issue: ProjectIssue) -> list[tuple[str, str]]:
    """(author, body) of an issue's system notes, oldest first, read through the API."""
    notes = issue.notes.list(get_all=True, sort="asc")
    return [(n.author["username"], n.body) for n in notes if n.system]


def test_tick_between_list_and_put_is_lost_to_a_blind_write(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, description="- [ ] a\n- [ ] b")

    def tick() -> None:
        fake.edit_issue(PROJECT, 1, description="- [x] a\n- [ ] b")

    hook = fake.before_request("PUT", "/issues/1", tick)
    listed = project.issues.list(get_all=True)
    assert listed[0].task_completion_status["completed_count"] == 0
    written = project.issues.update(1, {"description": "- [ ] a\n- [ ] b\n- [ ] c"})
    assert hook.fired == 1
    assert written["task_completion_status"] == {"count": 3, "completed_count": 0}
    assert system_notes(project.issues.get(1)) == [
        ("alice", "marked the checklist item **a** as completed"),
        ("automation-bot", "marked the checklist item **a** as incomplete"),
    ]


def test_rereading_just_before_the_write_sees_the_tick(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, description="- [ ] a")
    fake.before_request(
        "GET", "/issues/1", lambda: fake.edit_issue(PROJECT, 1, description="- [x] a")
    )
    fresh = project.issues.get(1)
    assert fresh.description == "- [x] a"


def test_before_request_filters_by_method_and_path_and_counts(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    seen: list[int] = []
    hook = fake.before_request("GET", "/issues", lambda: seen.append(1), times=2)
    for _ in range(3):
        project.issues.list()
    new_issue(project)
    assert (hook.fired, len(seen)) == (2, 2)
    always = fake.before_request(None, None, lambda: None, times=None)
    project.issues.list()
    project.issues.list()
    assert always.fired == 2


def test_before_request_runs_after_auth_only(fake: FakeGitLab) -> None:
    hook = fake.before_request(None, None, lambda: None)
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(fake.url, private_token="wrong").projects.get(PROJECT)
    assert hook.fired == 0
    project_of(fake)
    assert hook.fired == 1


def test_edit_issue_acts_as_the_person_and_bumps_updated_at(fake: FakeGitLab) -> None:
    project = project_of(fake)
    created = new_issue(project, title="Old", description="- [ ] a\n- [x] b")
    fake.edit_issue(PROJECT, 1, description="- [x] a\n- [ ] b", as_user="bob")
    issue = project.issues.get(1)
    assert issue.updated_at > created.updated_at
    assert system_notes(issue) == [
        ("bob", "marked the checklist item **a** as completed"),
        ("bob", "marked the checklist item **b** as incomplete"),
    ]
    gl = fake.client()
    gl.auth()
    assert gl.user is not None and gl.user.username == "automation-bot"
    recent = project.issues.list(get_all=True, updated_after=issue.updated_at)
    assert [i.iid for i in recent] == [1]


def test_edit_issue_changes_title_labels_state_and_confidentiality(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project, title="Old", description="text", labels="keep")
    fake.edit_issue(PROJECT, 1, title="New", labels=["x", "y"], state="closed", confidential=True)
    issue = project.issues.get(1)
    assert (issue.title, issue.labels, issue.state) == ("New", ["x", "y"], "closed")
    assert issue.confidential is True
    assert issue.attributes["closed_by"]["username"] == "alice"
    assert system_notes(issue) == [
        ("alice", "changed title from **Old** to **New**"),
        ("alice", "made the issue confidential"),
    ]
    fake.edit_issue(PROJECT, 1, description="other text")
    assert system_notes(issue)[-1] == ("alice", "changed the description")


def test_edit_issue_without_a_change_keeps_updated_at(fake: FakeGitLab) -> None:
    """A person's edit that changes nothing keeps updated_at once they updated the issue last;
    their first one writes updated_by (NULL on a new issue, or someone else), which moves it."""
    project = project_of(fake)
    created = new_issue(project, title="Same")
    fake.edit_issue(PROJECT, 1, title="Same")
    firsts = project.issues.get(1).updated_at
    assert firsts > created.updated_at  # updated_by: NULL -> alice
    fake.edit_issue(PROJECT, 1, title="Same")
    assert project.issues.get(1).updated_at == firsts
    fake.edit_issue(PROJECT, 1, title="Same", as_user="bob")
    assert project.issues.get(1).updated_at > firsts  # updated_by: alice -> bob


def test_create_issue_as_sets_the_author_and_audits_nothing(fake: FakeGitLab) -> None:
    fake.add_label(PROJECT, "x")
    iid = fake.create_issue_as(PROJECT, "bob", "By Bob", "ask @alice\n/label ~x", ["team"])
    issue = project_of(fake).issues.get(iid)
    assert issue.author["username"] == "bob"
    assert sorted(issue.labels) == ["team", "x"]
    assert (fake.mentions, fake.quick_actions) == ([], [])
    newcomer = fake.create_issue_as(PROJECT, "carol", "New person", "", confidential=True)
    assert project_of(fake).issues.get(newcomer).author["username"] == "carol"


def test_delete_issue_directly_then_get_is_404_and_iid_is_not_reused(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    new_issue(project)
    fake.delete_issue(PROJECT, 2)
    with pytest.raises(gitlab.GitlabGetError) as error:
        project.issues.get(2)
    assert error.value.response_code == 404
    assert new_issue(project).iid == 3


def test_delete_issue_over_http_needs_owner_and_answers_204(fake: FakeGitLab) -> None:
    project = project_of(fake)
    first, other = new_issue(project), new_issue(project_of(fake, "enablement/other"))
    first.links.create({"target_project_id": other.project_id, "target_issue_iid": other.iid})
    fake.set_role("maintainer", project=PROJECT)
    with pytest.raises(gitlab.GitlabDeleteError) as refused:
        project.issues.delete(1)
    assert refused.value.response_code == 403
    fake.set_role("owner", project=PROJECT)
    project.issues.delete(1)
    assert fake.issues(PROJECT) == []
    assert fake.issues("enablement/other")[0]["links"] == []


# --------------------------------------------------------------------------- link cap


def test_related_issue_links_stop_at_the_cap_on_either_end(fake: FakeGitLab) -> None:
    assert FakeGitLab.MAX_LINKS_COUNT == MAX_LINKS_COUNT == 100
    project = project_of(fake)
    hub = new_issue(project, title="Hub")
    for number in range(MAX_LINKS_COUNT + 1):
        fake.create_issue_as(PROJECT, "alice", f"Item {number}", "")
    for iid in range(2, MAX_LINKS_COUNT + 2):
        hub.links.create({"target_project_id": project.id, "target_issue_iid": iid})
    extra = MAX_LINKS_COUNT + 2
    with pytest.raises(gitlab.GitlabCreateError) as source_full:
        hub.links.create({"target_project_id": project.id, "target_issue_iid": extra})
    limit = "This issue would exceed the maximum number of linked issues (100)."
    assert source_full.value.response_code == 422
    assert source_full.value.error_message == f"#{extra} cannot be added: {limit}"
    with pytest.raises(gitlab.GitlabCreateError) as target_full:
        project.issues.get(extra).links.create(
            {"target_project_id": project.id, "target_issue_iid": 1}
        )
    assert target_full.value.error_message == f"#1 cannot be added: {limit}"
    assert len(hub.links.list()) == MAX_LINKS_COUNT


def test_links_to_issues_the_token_cannot_read_are_not_listed_but_count_for_the_cap(
    fake: FakeGitLab,
) -> None:
    project = project_of(fake)
    hub = new_issue(project, title="Hub")
    fake.add_project("finance/secret")
    secret = project_of(fake, "finance/secret")
    for number in range(MAX_LINKS_COUNT):
        new_issue(secret, title=f"Private {number}")
        hub.links.create({"target_project_id": secret.id, "target_issue_iid": number + 1})
    fake.set_member_role(fake.owner.username, "owner", "enablement")  # not in finance
    assert hub.links.list(get_all=True) == []
    new_issue(project, title="Ours")
    with pytest.raises(gitlab.GitlabCreateError) as full:
        hub.links.create({"target_project_id": project.id, "target_issue_iid": 2})
    assert full.value.response_code == 422
    assert "maximum number of linked issues (100)" in full.value.error_message


# --------------------------------------------------------------------------- rate limits


def error_body(error: gitlab.GitlabError) -> Any:
    """The JSON body of an error answer."""
    assert error.response_body is not None
    return json.loads(error.response_body)


def api_get(fake: FakeGitLab, path: str) -> requests.Response:
    """A plain GET with the fake's token, so an error answer's headers can be read."""
    return requests.get(f"{fake.api_url}{path}", headers={"PRIVATE-TOKEN": fake.token})


def test_every_answer_carries_a_date_header_in_gitlabs_time(fake: FakeGitLab) -> None:
    # HTTP servers date their answers (RFC 9110); GitLab's clock, not the client's
    fake.clock.advance(timedelta(days=3))
    answer = requests.get(f"{fake.url}/api/v4/projects/{quote(PROJECT, safe='')}", timeout=5)
    assert answer.headers["Date"] == format_datetime(fake.clock.now(), usegmt=True)


def test_no_rate_limit_headers_unless_a_budget_is_set(fake: FakeGitLab) -> None:
    assert not any(h.startswith("RateLimit") for h in api_get(fake, "/projects/1/issues").headers)


def test_rate_limit_headers_come_only_with_a_429_by_default(fake: FakeGitLab) -> None:
    """Rack::Attack adds RateLimit-* to the answers it throttles only (GitLab.com, gitlab-org/
    gitlab#365728 and !209485): a client cannot see the budget run low."""
    fake.set_rate_limit(2)
    assert not any(h.startswith("RateLimit") for h in api_get(fake, "/projects/1").headers)
    api_get(fake, "/projects/1")
    refused = api_get(fake, "/projects/1")
    assert refused.status_code == 429 and refused.headers["RateLimit-Remaining"] == "0"


def test_rate_limit_headers_follow_the_per_user_budget(fake: FakeGitLab) -> None:
    fake.set_rate_limit(5, headers_always=True)  # GitLab's flag for unthrottled answers
    api_get(fake, "/projects/1/issues")
    headers = api_get(fake, "/projects/1").headers
    assert [headers[f"RateLimit-{k}"] for k in ("Limit", "Observed", "Remaining")] == [
        "5",
        "2",
        "3",
    ]
    reset = int(headers["RateLimit-Reset"])
    assert reset % 60 == 0 and 0 < reset - fake.clock.now().timestamp() <= 60
    reset_time = format_datetime(datetime.fromtimestamp(reset, UTC), usegmt=True)
    assert headers["RateLimit-ResetTime"] == reset_time
    for listing in ("/users", "/projects", "/groups"):
        assert "RateLimit-Remaining" not in api_get(fake, listing).headers
    assert api_get(fake, "/projects/1/labels").headers["RateLimit-Observed"] == "6"


def test_a_throttle_over_a_longer_period_shows_its_limit_per_minute(fake: FakeGitLab) -> None:
    """A self-managed throttle of 600 requests an hour: GitLab rescales RateLimit-Limit to a
    minute, rounded up, while RateLimit-Remaining counts down over the hour
    (Gitlab::RackAttack.throttled_response_headers)."""
    fake.set_rate_limit(600, headers_always=True, period=3600)
    for _ in range(99):
        api_get(fake, "/projects/1/issues")
    headers = api_get(fake, "/projects/1").headers
    assert [headers[f"RateLimit-{k}"] for k in ("Limit", "Observed", "Remaining")] == [
        "10",
        "100",
        "500",
    ]
    reset = int(headers["RateLimit-Reset"])
    assert reset % 3600 == 0 and 60 < reset - fake.clock.now().timestamp() <= 3600


def test_over_budget_answers_429_with_retry_after_until_the_window_ends(fake: FakeGitLab) -> None:
    fake.set_rate_limit(2)
    api_get(fake, "/projects/1/issues")
    api_get(fake, "/projects/1/issues")
    refused = api_get(fake, "/projects/1/issues")
    assert (refused.status_code, refused.text) == (429, "Retry later\n")
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert int(refused.headers["Retry-After"]) == 60 - int(fake.clock.now().timestamp()) % 60
    fake.act_as("bob")
    assert api_get(fake, "/projects/1/issues").status_code == 200
    fake.act_as("automation-bot")
    fake.clock.advance(timedelta(seconds=int(refused.headers["Retry-After"])))
    assert api_get(fake, "/projects/1/issues").status_code == 200


def test_python_gitlab_waits_out_the_budget_on_fake_time(
    fake: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("time.sleep", fake.sleep)
    fake.set_rate_limit(3)
    project = project_of(fake)
    started = fake.clock.now()
    for _ in range(3):
        new_issue(project)
    assert len(fake.issues(PROJECT)) == 3
    assert fake.count("POST", "/issues") == 4
    assert fake.clock.now() - started >= timedelta(seconds=50)


def test_issue_creation_limit_is_per_project_and_user_and_not_in_headers(
    fake: FakeGitLab,
) -> None:
    fake.set_application_limits(issue_creates_per_minute=2, notes_per_minute=None)
    fake.set_rate_limit(1000, headers_always=True)
    project = project_of(fake)
    new_issue(project)
    new_issue(project)
    with pytest.raises(gitlab.GitlabCreateError) as error:
        project.issues.create({"title": "third"}, obey_rate_limit=False)
    assert error.value.response_code == 429
    message = "This endpoint has been requested too many times. Try again later."
    assert error_body(error.value) == {"message": {"error": message}}
    assert len(fake.issues(PROJECT)) == 2
    assert new_issue(project_of(fake, "enablement/other")).iid == 1
    refused = requests.post(
        f"{fake.api_url}/projects/1/issues",
        json={"title": "x"},
        headers={"PRIVATE-TOKEN": fake.token},
    )
    assert refused.status_code == 429 and "Retry-After" not in refused.headers
    assert int(refused.headers["RateLimit-Remaining"]) > 900
    fake.clock.advance(timedelta(minutes=1))
    assert new_issue(project).iid == 3


def test_note_creation_limit_counts_every_noteable_of_the_user(fake: FakeGitLab) -> None:
    fake.set_application_limits(issue_creates_per_minute=None, notes_per_minute=2)
    project = project_of(fake)
    issue = new_issue(project)
    mr_iid = fake.add_merge_request(PROJECT)
    issue.notes.create({"body": "one"})
    project.mergerequests.get(mr_iid, lazy=True).notes.create({"body": "two"})
    with pytest.raises(gitlab.GitlabCreateError) as error:
        issue.notes.create({"body": "three"}, obey_rate_limit=False)
    assert error.value.response_code == 429
    fake.clock.advance(timedelta(minutes=1))
    assert issue.notes.create({"body": "four"}).body == "four"
    assert fake.issues(PROJECT)[0]["notes"] == ["one", "four"]


def test_a_merge_request_note_is_deleted_by_its_author_or_a_maintainer_only(
    fake: FakeGitLab,
) -> None:
    """NotePolicy: admin_note (the author, or a Maintainer) may delete; 204; then 404."""
    mr_iid = fake.add_merge_request(PROJECT)
    notes = project_of(fake).mergerequests.get(mr_iid, lazy=True).notes
    note = notes.create({"body": "mine"})
    fake.set_member_role("alice", "developer", PROJECT)
    fake.act_as("alice")
    with pytest.raises(gitlab.GitlabDeleteError) as refused:
        project_of(fake).mergerequests.get(mr_iid, lazy=True).notes.delete(note.id)
    assert refused.value.response_code == 403
    assert fake.merge_request_notes(PROJECT, mr_iid) == ["mine"]
    fake.set_member_role("alice", "maintainer", PROJECT)
    project_of(fake).mergerequests.get(mr_iid, lazy=True).notes.delete(note.id)
    assert fake.merge_request_notes(PROJECT, mr_iid) == []
    with pytest.raises(gitlab.GitlabDeleteError) as gone:
        project_of(fake).mergerequests.get(mr_iid, lazy=True).notes.delete(note.id)
    assert gone.value.response_code == 404


def test_application_limits_are_off_by_default(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake))
    for number in range(70):
        issue.notes.create({"body": f"note {number}"})
    assert len(fake.issues(PROJECT)[0]["notes"]) == 70


# --------------------------------------------------------------------------- spam


def test_spam_verdict_answers_400_and_creates_nothing(fake: FakeGitLab) -> None:
    refusal = fake.refuse_creates_as_spam("spam", times=1)
    project = project_of(fake)
    with pytest.raises(gitlab.GitlabCreateError) as error:
        new_issue(project)
    assert error.value.response_code == 400
    text = "Your issue has been recognized as spam. Please, change the content to proceed."
    assert error_body(error.value) == {"message": {"base": [text]}}
    assert fake.issues(PROJECT) == []
    assert (refusal.fired, new_issue(project).iid) == (1, 1)


def test_captcha_verdict_answers_409_with_captcha_fields(fake: FakeGitLab) -> None:
    fake.refuse_creates_as_spam("captcha")
    project = project_of(fake)
    for _ in range(2):
        with pytest.raises(gitlab.GitlabCreateError) as error:
            new_issue(project)
        body = error_body(error.value)
        assert error.value.response_code == 409
        assert body["needs_captcha_response"] is True
        assert isinstance(body["spam_log_id"], int) and body["captcha_site_key"]
        assert "solve the reCAPTCHA" in body["message"]["error"]
    assert fake.issues(PROJECT) == []
    fake.clear_faults()
    assert new_issue(project).iid == 1


# --------------------------------------------------------------------------- group labels


def test_group_label_delete_by_name_or_id_answers_204_and_unlabels(fake: FakeGitLab) -> None:
    fake.add_label("enablement", "to go")
    fake.add_label("enablement", "also")
    new_issue(project_of(fake), labels="to go,also")
    group = fake.client().groups.get("enablement")
    group.labels.delete("to go")
    label_id = fake.labels("enablement")["also"]["id"]
    response = fake.client().http_delete(f"/groups/{group.id}/labels/{label_id}")
    assert isinstance(response, requests.Response) and response.status_code == 204
    assert fake.labels("enablement") == {}
    assert fake.issues(PROJECT)[0]["labels"] == []
    with pytest.raises(gitlab.GitlabDeleteError) as error:
        group.labels.delete("to go")
    assert (error.value.response_code, error.value.error_message) == (404, "404 Label Not Found")


def test_a_subgroup_reads_its_parents_label_unless_told_its_own_only_and_cannot_delete_it(
    fake: FakeGitLab,
) -> None:
    """GET /groups/:id/labels/:name takes `include_ancestor_groups`, true by default; a delete
    finds the group's own labels only."""
    fake.add_label("enablement", "parent")
    fake.add_group("enablement/team")
    team = fake.client().groups.get("enablement/team")
    assert team.labels.get("parent").name == "parent"
    with pytest.raises(gitlab.GitlabGetError) as error:
        team.labels.get("parent", include_ancestor_groups="false")
    assert error.value.response_code == 404
    fake.add_label("enablement/team", "own")
    assert team.labels.get("own", include_ancestor_groups="false").name == "own"
    with pytest.raises(gitlab.GitlabDeleteError) as refused:
        team.labels.delete("parent")
    assert refused.value.response_code == 404


def test_a_subgroup_cannot_create_a_label_its_parent_group_has(fake: FakeGitLab) -> None:
    """LabelHelpers#create_label looks for the name among the labels the group can use,
    its ancestors' included: 409, though the subgroup cannot update or delete that label."""
    fake.add_label("enablement", "automation-run-lock")
    fake.add_group("enablement/team")
    team = fake.client().groups.get("enablement/team")
    with pytest.raises(gitlab.GitlabCreateError) as error:
        team.labels.create({"name": "automation-run-lock", "color": "#808080"})
    assert error.value.response_code == 409
    assert "automation-run-lock" not in fake.labels("enablement/team")


def test_group_label_update_renames_everywhere(fake: FakeGitLab) -> None:
    fake.add_label("enablement", "old name")
    new_issue(project_of(fake), labels="old name")
    group = fake.client().groups.get("enablement")
    data = {"new_name": "new name", "color": "#FF0000", "description": "why"}
    updated = group.labels.update("old name", data)
    assert (updated["name"], updated["color"], updated["description"]) == (
        "new name",
        "#FF0000",
        "why",
    )
    assert fake.issues(PROJECT)[0]["labels"] == ["new name"]
    path = f"/groups/{group.id}/labels/{quote('new name', safe='')}"
    again = fake.client().http_put(path, post_data={"color": "#00FF00"})
    assert isinstance(again, dict) and again["color"] == "#00FF00"
    assert list(fake.labels("enablement")) == ["new name"]


def test_group_label_update_errors(fake: FakeGitLab) -> None:
    fake.add_label("enablement", "a")
    fake.add_label("enablement", "b")
    group = fake.client().groups.get("enablement")
    cases = [
        ({}, 400),
        ({"new_name": "b"}, 400),
        ({"color": "not a colour!"}, 400),
    ]
    for data, status in cases:
        with pytest.raises(gitlab.GitlabUpdateError) as error:
            group.labels.update("a", data)
        assert error.value.response_code == status
    with pytest.raises(gitlab.GitlabUpdateError) as missing:
        group.labels.update("zzz", {"color": "#FFFFFF"})
    assert missing.value.response_code == 404
    fake.set_role("guest")
    with pytest.raises(gitlab.GitlabUpdateError) as forbidden:
        group.labels.update("a", {"color": "#FFFFFF"})
    assert forbidden.value.response_code == 403


# --------------------------------------------------------------------------- users, authors


def test_get_user_returns_the_token_owner(fake: FakeGitLab) -> None:
    gl = fake.client()
    owner = gl.http_get("/user")
    assert isinstance(owner, dict) and owner["username"] == "automation-bot"
    fake.act_as("bob")
    other = gl.http_get("/user")
    assert isinstance(other, dict) and other["username"] == "bob"


def test_issue_author_is_its_creator(fake: FakeGitLab) -> None:
    project = project_of(fake)
    by_tool = new_issue(project)
    by_alice = fake.create_issue_as(PROJECT, "alice", "Hers", "")
    assert by_tool.author["username"] == "automation-bot"
    assert project.issues.get(by_tool.iid).author["username"] == "automation-bot"
    assert project.issues.get(by_alice).author["username"] == "alice"


# --------------------------------------------------------------------------- members


def test_members_all_lists_direct_and_inherited_with_highest_role(fake: FakeGitLab) -> None:
    fake.add_group("enablement/team")
    fake.add_member("enablement", "alice", "maintainer")
    fake.add_member("enablement/team", "alice", "guest")
    fake.add_member("enablement/team", "bob")
    team = fake.client().groups.get("enablement/team")
    everyone = team.members_all.list(get_all=True)
    assert [(m.username, m.access_level) for m in everyone] == [("alice", 40), ("bob", 30)]
    for key in ("id", "username", "name", "state", "access_level"):
        assert key in everyone[0].attributes
    direct = team.members.list(get_all=True)
    assert [(m.username, m.access_level) for m in direct] == [("alice", 10), ("bob", 30)]
    top = fake.client().groups.get("enablement").members_all.list(get_all=True)
    assert [m.username for m in top] == ["alice"]


def test_members_all_is_paginated(fake: FakeGitLab) -> None:
    for number in range(25):
        fake.add_member("enablement", f"user{number}", "reporter")
    group = fake.client().groups.get("enablement")
    assert len(group.members_all.list(per_page=20, page=1)) == 20
    assert len(group.members_all.list(get_all=True, per_page=20)) == 25
    with pytest.raises(ValueError, match="unknown role"):
        fake.add_member("enablement", "x", "boss")


def test_members_all_lists_the_newest_memberships_last(fake: FakeGitLab) -> None:
    """GitLab's offset pagination orders a relation without an order by its primary key
    (lib/gitlab/pagination/offset_pagination.rb, `add_default_order`): by membership, so a
    user who existed long before joins the list's end when they join the group."""
    fake.add_user("early.user")
    for number in range(3):
        fake.add_member("enablement", f"user{number}", "reporter")
    fake.add_member("enablement", "early.user", "reporter")
    fake.add_member("enablement", "user0", "developer")  # a new role: the same membership
    group = fake.client().groups.get("enablement")
    listed = [m.username for m in group.members_all.list(get_all=True)]
    assert listed[-4:] == ["user0", "user1", "user2", "early.user"]


def test_a_link_notes_and_touches_both_its_issues(fake: FakeGitLab) -> None:
    """IssueLinks::CreateService writes a relate_issuable system note on each end, and saving
    a note touches its issue (`after_save :touch_noteable`)."""
    project = project_of(fake)
    one, two = new_issue(project), new_issue(project)
    fake.clock.advance(timedelta(hours=1))
    before = fake.clock.now()
    one.links.create({"target_project_id": project.id, "target_issue_iid": two.iid})
    issues = {i["iid"]: i for i in fake.issues(PROJECT)}
    assert issues[one.iid]["system_notes"][-1] == f"marked this issue as related to #{two.iid}"
    assert issues[two.iid]["system_notes"][-1] == f"marked this issue as related to #{one.iid}"
    assert all(issues[i]["updated_at"] >= before for i in (one.iid, two.iid))


def test_editing_a_note_touches_its_issue(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake))
    note = issue.notes.create({"body": "first"})
    fake.clock.advance(timedelta(hours=1))
    before = fake.clock.now()
    issue.notes.update(note.id, {"body": "second"})
    assert fake.issues(PROJECT)[0]["updated_at"] >= before


def test_removing_a_link_notes_and_touches_both_its_issues(fake: FakeGitLab) -> None:
    project = project_of(fake)
    one, two = new_issue(project), new_issue(project)
    one.links.create({"target_project_id": project.id, "target_issue_iid": two.iid})
    (link,) = two.links.list()
    fake.clock.advance(timedelta(hours=1))
    before = fake.clock.now()
    two.links.delete(link.issue_link_id)
    assert one.links.list() == [] and two.links.list() == []
    issues = {i["iid"]: i for i in fake.issues(PROJECT)}
    assert issues[one.iid]["system_notes"][-1] == f"removed the relation with #{two.iid}"
    assert issues[two.iid]["system_notes"][-1] == f"removed the relation with #{one.iid}"
    assert all(issues[i]["updated_at"] >= before for i in (one.iid, two.iid))
    with pytest.raises(gitlab.GitlabDeleteError) as gone:
        two.links.delete(link.issue_link_id)
    assert gone.value.response_code == 404


def test_a_reference_notes_and_touches_the_issue_it_names_once(fake: FakeGitLab) -> None:
    """Issuable#create_cross_references! (on create) and create_new_cross_references! (on a
    description edit): each issue a description newly refers to gets "mentioned in #N", once,
    which touches it; references in code or HTML comments are not rendered, so not made."""
    project = project_of(fake)
    named, hidden = new_issue(project), new_issue(project)
    fake.clock.advance(timedelta(hours=1))
    before = fake.clock.now()
    text = f"See #{named.iid}.\n\n`#{hidden.iid}`\n<!-- #{hidden.iid} -->\n"
    rollup = project.issues.create({"title": "Rollup", "description": text})
    issues = {i["iid"]: i for i in fake.issues(PROJECT)}
    assert issues[named.iid]["system_notes"] == [f"mentioned in #{rollup.iid}"]
    assert issues[named.iid]["updated_at"] >= before
    assert issues[hidden.iid]["system_notes"] == [] and issues[hidden.iid]["updated_at"] < before
    fake.clock.advance(timedelta(hours=1))
    later = fake.clock.now()
    project.issues.update(
        rollup.iid, {"description": f"{text}\nAgain #{named.iid}, and #{hidden.iid}."}
    )
    issues = {i["iid"]: i for i in fake.issues(PROJECT)}
    assert issues[named.iid]["system_notes"] == [f"mentioned in #{rollup.iid}"]  # once
    assert issues[named.iid]["updated_at"] < later
    assert issues[hidden.iid]["system_notes"] == [f"mentioned in #{rollup.iid}"]


def test_a_confidential_epic_holds_confidential_issues_only(fake: FakeGitLab) -> None:
    """ee/app/services/ee/issues/base_service.rb, filter_epic: an issue created in a
    confidential epic is made confidential; ee/app/models/ee/issue.rb: one in it cannot be
    made public; ee/app/models/epic_issue.rb: a public issue cannot be put in it;
    ee/app/models/ee/epic.rb: an epic with public issues cannot be made confidential.
    Nothing is saved when refused."""
    group = fake.client().groups.get("enablement")
    secret = group.epics.create({"title": "Accounts", "confidential": True})
    assert secret.confidential is True
    made_secret = new_issue(project_of(fake), epic_id=secret.id)
    assert made_secret.confidential is True and made_secret.epic["iid"] == secret.iid
    inside = new_issue(project_of(fake), epic_id=secret.id, confidential=True)
    assert inside.epic["iid"] == secret.iid
    with pytest.raises(gitlab.GitlabUpdateError):
        inside.confidential = False
        inside.title = "Renamed in the same edit"
        inside.save()
    assert fake.issues(PROJECT)[1]["title"] != "Renamed in the same edit"  # nothing saved
    public = new_issue(project_of(fake))
    with pytest.raises(gitlab.GitlabCreateError):
        secret.issues.create({"issue_id": public.id})
    plain = group.epics.create({"title": "Cohort"})
    plain.issues.create({"issue_id": public.id})
    with pytest.raises(gitlab.GitlabUpdateError):
        group.epics.update(plain.iid, {"confidential": True})
    assert group.epics.get(plain.iid).confidential is False


def test_a_moved_issue_is_closed_pointing_at_its_copy_which_keeps_author_text_and_epic(
    fake: FakeGitLab,
) -> None:
    """Issues::MoveService: the copy in the other project has the same author, text,
    labels (those it can have there), assignees and notes; the epic goes with it
    (ee: rewrite_epic_issue); the old issue is closed with `moved_to_id` set."""
    project = project_of(fake)
    fake.add_label("enablement", "program::x")
    issue = new_issue(project, description="<!-- key -->\nbody", labels="program::x")
    epic = fake.client().groups.get("enablement").epics.create({"title": "E"})
    fake.client().groups.get("enablement").epics.get(epic.iid).issues.create({"issue_id": issue.id})
    fake.add_note_as(PROJECT, issue.iid, "bob", "a note")
    moved = fake.move_issue(PROJECT, issue.iid, "enablement/other", as_user="bob")
    old = project.issues.get(issue.iid)
    new = project_of(fake, "enablement/other").issues.get(moved)
    assert old.state == "closed" and old.moved_to_id == new.id and new.moved_to_id is None
    assert new.author["username"] == old.author["username"] and new.state == "opened"
    assert (new.title, new.description, new.labels) == (old.title, old.description, old.labels)
    assert new.epic["iid"] == epic.iid and old.epic is None
    assert "a note" in fake.issues("enablement/other")[0]["notes"]
    # it keeps its creation time, not its last update (a fidelity review, from MoveService)
    assert new.created_at == old.created_at and new.updated_at > old.created_at


def test_a_moved_in_issue_is_listed_by_creation_among_the_older_ones(fake: FakeGitLab) -> None:
    """A fidelity review: GitLab lists by `created_at` (then id), and a moved-in issue keeps
    the original's, so it comes before issues made after the original, not last."""
    project, other = project_of(fake), project_of(fake, "enablement/other")
    first = new_issue(project, description="first")
    fake.clock.advance(timedelta(hours=1))
    later = [new_issue(other, description=f"later {n}").iid for n in range(2)]
    moved = fake.move_issue(PROJECT, first.iid, "enablement/other", as_user="bob")
    listed = [i.iid for i in other.issues.list(order_by="created_at", sort="asc", get_all=True)]
    assert listed == [moved, *later]


def test_promoting_an_issue_makes_the_persons_epic_of_it_and_closes_the_issue(
    fake: FakeGitLab,
) -> None:
    """ee/app/services/epics/issue_promote_service.rb: the epic is the person's, with the
    issue's text and its group labels (a project label does not go to a group's epic)."""
    project = project_of(fake)
    fake.add_label("enablement", "program::x")
    project.labels.create({"name": "mine", "color": "#ffffff"})
    issue = new_issue(project, description="<!-- key -->\nbody", labels="program::x,mine")
    made = fake.promote_issue(PROJECT, issue.iid, as_user="bob")
    epic = fake.client().groups.get("enablement").epics.get(made)
    assert (epic.title, epic.description, epic.labels) == (
        issue.title,
        issue.description,
        ["program::x"],
    )
    assert epic.author["username"] == "bob"
    assert project.issues.get(issue.iid).state == "closed"


def test_a_clone_is_the_persons_issue_with_the_originals_text_labels_and_epic(
    fake: FakeGitLab,
) -> None:
    project = project_of(fake)
    fake.add_label("enablement", "program::x")
    issue = new_issue(project, description="<!-- key -->\nbody", labels="program::x")
    epic = fake.client().groups.get("enablement").epics.create({"title": "E"})
    fake.client().groups.get("enablement").epics.get(epic.iid).issues.create({"issue_id": issue.id})
    copy = project.issues.get(fake.clone_issue(PROJECT, issue.iid, as_user="bob"))
    assert (copy.title, copy.description, copy.labels) == (
        issue.title,
        issue.description,
        issue.labels,
    )
    assert copy.author["username"] == "bob" and copy.epic["iid"] == epic.iid
    assert project.issues.get(issue.iid).state == "opened"


def test_a_renamed_user_is_still_assigned_under_the_new_username(fake: FakeGitLab) -> None:
    project = project_of(fake)
    fake.add_user("aiko.tanaka")
    fake.add_member(PROJECT.split("/", maxsplit=1)[0], "aiko.tanaka")
    issue = new_issue(project)
    aiko = fake.client().users.list(username="aiko.tanaka")[0]
    project.issues.update(issue.iid, {"assignee_ids": [aiko.id]})
    before = fake.issues(PROJECT)[0]["updated_at"]
    fake.rename_user("aiko.tanaka", "aiko.t")
    found = project.issues.get(issue.iid)
    assert [a["username"] for a in found.assignees] == ["aiko.t"]
    assert [a["id"] for a in found.assignees] == [aiko.id]
    assert fake.issues(PROJECT)[0]["updated_at"] == before
    assert fake.client().users.list(username="aiko.tanaka") == []


def test_an_issue_a_title_refers_to_is_noted_as_mentioned(fake: FakeGitLab) -> None:
    """Issuable's title is mentionable as its description is: `#1` in a title (issue 2's at
    creation, issue 3's when renamed) puts "mentioned in" on #1, once per issue."""
    project = project_of(fake)
    new_issue(project)
    project.issues.create({"title": "See #1"})
    third = new_issue(project)
    project.issues.update(third.iid, {"title": "Also #1"})
    notes = fake.issues(PROJECT)[0]["system_notes"]
    assert notes.count("mentioned in #2") == 1 and notes.count("mentioned in #3") == 1


def test_an_incident_cannot_go_in_an_epic(fake: FakeGitLab) -> None:
    """ee Issue#supports_epic? is false for an incident: EpicIssues::CreateService finds no
    issue it can link, 404."""
    project = project_of(fake)
    issue = new_issue(project)
    fake.set_issue_type(PROJECT, issue.iid, "incident")
    assert project.issues.get(issue.iid).issue_type == "incident"
    epic = fake.client().groups.get("enablement").epics.create({"title": "E"})
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        fake.client().groups.get("enablement").epics.get(epic.iid).issues.create(
            {"issue_id": issue.id}
        )
    assert refused.value.response_code == 404
    assert "No matching issue found" in str(refused.value.error_message)


def test_a_checklist_item_converted_to_a_child_item_leaves_the_description(
    fake: FakeGitLab,
) -> None:
    """doc/user/tasks.md: the item is removed from the description and a task is made from
    its text; the issue's task count drops by one, and REST says nothing of the parent."""
    project = project_of(fake)
    issue = project.issues.create({"title": "T", "description": "- [x] one\n- [ ] two\n"})
    child = fake.convert_to_child_item(PROJECT, issue.iid, "two")
    parent = project.issues.get(issue.iid)
    assert parent.description.rstrip() == "- [x] one"
    assert parent.task_completion_status == {"count": 1, "completed_count": 1}
    task = project.issues.get(child)
    assert (task.title, task.issue_type, task.labels, task.state) == ("two", "task", [], "opened")
    long = "x" * 300
    issue = project.issues.create({"title": "L", "description": f"- [ ] {long}\n"})
    task = project.issues.get(fake.convert_to_child_item(PROJECT, issue.iid, long))
    assert (task.title, task.description) == ("x" * 255, "x" * 45)  # the title cut at 255


def test_issues_are_listed_by_type_and_an_unknown_type_is_refused(fake: FakeGitLab) -> None:
    """GET /projects/:id/issues lists every type; `issue_type` is one of issue, incident,
    test_case, task (lib/api/issues.rb), anything else a 400."""
    project = project_of(fake)
    new_issue(project)
    task = new_issue(project)
    fake.set_issue_type(PROJECT, task.iid, "task")
    assert sorted(i.iid for i in project.issues.list(get_all=True)) == [1, 2]
    assert [i.iid for i in project.issues.list(issue_type="task", get_all=True)] == [2]
    with pytest.raises(gitlab.GitlabListError) as refused:
        project.issues.list(issue_type="epic", get_all=True)
    assert refused.value.response_code == 400


def test_a_read_api_token_reads_and_is_refused_every_write(fake: FakeGitLab) -> None:
    """lib/api/api_guard.rb: a token without `api` gets 403 insufficient_scope on a write."""
    project = project_of(fake)
    new_issue(project)
    fake.token_scopes = ["read_api"]
    assert [i.iid for i in project.issues.list()] == [1]
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        new_issue(project)
    assert refused.value.response_code == 403
    assert json.loads(refused.value.response_body or b"{}")["error"] == "insufficient_scope"


def test_a_compare_of_a_later_commit_to_an_earlier_one_differs_only_straight(
    fake: FakeGitLab,
) -> None:
    """`from...to` compares from the merge base: TO before FROM (a branch moved back) shows no
    change; `straight=true` shows what differs between the two."""
    fake.push(PROJECT, "main", "a" * 40, [])
    fake.push(PROJECT, "main", "b" * 40, ["config/people.yml"])
    project = project_of(fake)
    base = project.repository_compare("b" * 40, "a" * 40)
    straight = project.repository_compare("b" * 40, "a" * 40, straight="true")
    assert isinstance(base, dict) and isinstance(straight, dict)
    assert base["diffs"] == []
    assert [d["new_path"] for d in straight["diffs"]] == ["config/people.yml"]


def test_a_label_title_keeps_a_non_breaking_space_as_an_entity(fake: FakeGitLab) -> None:
    """GitLab stores a label's title through Sanitize, whose serializer writes U+00A0 as
    `&nbsp;`, which CGI.unescapeHTML leaves: the label is never found by the name asked."""
    group = fake.client().groups.get("enablement")
    made = group.labels.create({"name": "phase::Module 1\u00a0: Découvrir", "color": "#8fbc8f"})
    assert made.name == "phase::Module 1&nbsp;: Découvrir"
    assert "phase::Module 1&nbsp;: Découvrir" in fake.labels("enablement")


def message_of(error: gitlab.GitlabError) -> Any:
    """The `message` of GitLab's JSON answer to a refused request."""
    assert error.response_body is not None
    return json.loads(error.response_body)["message"]


def test_a_label_title_and_description_are_kept_as_gitlab_cleans_them(fake: FakeGitLab) -> None:
    """app/models/label.rb: `title=` and `description=` keep
    `CGI.unescapeHTML(Sanitize.clean(value))` (tags go, their text stays; entities are decoded;
    comments go), and `before_validation :strip_whitespace_from_title` strips the title."""
    labels = fake.client().groups.get("enablement").labels
    sent = "Program: R&amp;D \\_pilot\\_ &lt;b&gt; <b>x</b><!-- hidden --> &#64;all (managed)"
    made = labels.create({"name": " program::rd\t", "color": "#123456", "description": sent})
    assert made.name == "program::rd"
    assert made.description == "Program: R&D \\_pilot\\_ <b> x @all (managed)"
    kept = fake.labels("enablement")["program::rd"]
    assert kept["description"] == made.description
    labels.update("program::rd", {"description": "<p>one</p>two<script>x</script>"})
    assert fake.labels("enablement")["program::rd"]["description"] == " one two"


def test_a_label_title_in_use_once_cleaned_answers_400_not_409(fake: FakeGitLab) -> None:
    """LabelHelpers#create_label answers 409 for a title in use as it was sent; the model's
    uniqueness validation, which sees the cleaned title, answers 400 (so does a create that
    races another of the same title: check and insert are two steps)."""
    labels = fake.client().groups.get("enablement").labels
    labels.create({"name": "status::late", "color": "#123456"})
    with pytest.raises(gitlab.GitlabCreateError) as error:
        labels.create({"name": "status::late ", "color": "#123456"})
    assert error.value.response_code == 400
    assert message_of(error.value) == {"title": ["has already been taken"]}
    with pytest.raises(gitlab.GitlabCreateError) as blank:
        labels.create({"name": "<b></b> ", "color": "#123456"})
    assert message_of(blank.value) == {"title": ["can't be blank"]}


def test_issue_and_epic_titles_are_stripped(fake: FakeGitLab) -> None:
    """Issuable's `strip_attributes! :title`: Ruby's strip (ASCII whitespace and NUL, not a
    non-breaking space); a title left blank is refused (400)."""
    project = project_of(fake)
    issue = new_issue(project, title="  padded title \t")
    assert issue.title == "padded title"
    assert project.issues.update(issue.iid, {"title": "\u00a0kept\n"})["title"] == "\u00a0kept"
    with pytest.raises(gitlab.GitlabUpdateError) as error:
        project.issues.update(issue.iid, {"title": " \t"})
    assert message_of(error.value) == {"title": ["can't be blank"]}
    epic = fake.client().groups.get("enablement").epics.create({"title": " plan "})
    assert epic.title == "plan"
    assert fake.epics("enablement")[0]["title"] == "plan"


def test_a_read_only_gitlab_reads_and_refuses_every_write(fake: FakeGitLab) -> None:
    """Maintenance mode or a Geo secondary: writes get 403 with GitLab's own message
    (lib/gitlab/middleware/read_only/controller.rb); reads go on."""
    project = project_of(fake)
    new_issue(project)
    fake.read_only = True
    assert [i.iid for i in project.issues.list()] == [1]
    with pytest.raises(gitlab.GitlabCreateError) as refused:
        new_issue(project)
    assert refused.value.response_code == 403
    said = json.loads(refused.value.response_body or b"{}")["message"]
    assert said == "You cannot perform write operations on a read-only instance"


def test_headers_a_proxy_drops_are_left_out_of_every_answer(fake: FakeGitLab) -> None:
    """`dropped_headers`: what a reverse proxy or another emulation leaves out; the rest of
    the answer is GitLab's."""
    project = project_of(fake)
    for _ in range(45):
        new_issue(project)
    fake.dropped_headers = frozenset({"Link", "X-Next-Page"})
    response = fake.client().http_get(f"/projects/{project.id}/issues", raw=True)
    assert isinstance(response, requests.Response)
    assert "Link" not in response.headers and "X-Next-Page" not in response.headers
    assert (response.headers["X-Total"], response.headers["X-Page"]) == ("45", "1")
    assert len(response.json()) == 20


def test_an_edit_of_the_description_may_be_refused_as_spam_and_changes_nothing(
    fake: FakeGitLab,
) -> None:
    """GitLab's spam check runs on updates of an issue's title or description too (400, or
    409 for a CAPTCHA); a label-only update is not checked."""
    project = project_of(fake)
    issue = new_issue(project)
    fake.refuse_updates_as_spam(times=1)
    issue.labels = ["x"]
    issue.save()  # labels only: not checked
    issue.description = "changed"
    with pytest.raises(gitlab.GitlabUpdateError) as refused:
        issue.save()
    assert refused.value.response_code == 400
    assert fake.issues(PROJECT)[0]["description"] != "changed"
    issue.save()  # the refusal was used up
    assert fake.issues(PROJECT)[0]["description"] == "changed"
