"""Tests that drive the fake GitLab through python-gitlab and check documented GitLab behaviour."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import gitlab
import pytest
import requests
from gitlab.v4.objects import Project, ProjectIssue

from tests.fakes.gitlab_fake import (
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


def test_state_event_close_sets_closed_at_and_reopen_clears_it(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    closed = project.issues.update(1, {"state_event": "close"})
    assert closed["state"] == "closed" and closed["closed_at"] is not None
    reopened = project.issues.update(1, {"state_event": "reopen"})
    assert reopened["state"] == "opened" and reopened["closed_at"] is None


def test_updated_at_moves_only_when_something_changed(fake: FakeGitLab) -> None:
    project = project_of(fake)
    created = new_issue(project, title="Same")
    unchanged = project.issues.update(1, {"title": "Same"})
    assert unchanged["updated_at"] == created.updated_at
    fake.clock.advance(timedelta(hours=1))
    changed = project.issues.update(1, {"title": "Different"})
    assert changed["updated_at"] > created.updated_at


def test_assignee_ids_resolve_to_users_and_free_keeps_one(free_fake: FakeGitLab) -> None:
    issue = new_issue(project_of(free_fake), assignee_ids=[2, 3])
    assert [a["username"] for a in issue.assignees] == ["alice"]


def test_premium_keeps_multiple_assignees(fake: FakeGitLab) -> None:
    issue = new_issue(project_of(fake), assignee_ids=[2, 3])
    assert [a["username"] for a in issue.assignees] == ["alice", "bob"]


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
    issue = new_issue(project_of(fake), description=body)
    assert (issue.state, issue.labels) == ("closed", ["ready"])
    assert [a["username"] for a in issue.assignees] == ["alice"]
    assert issue.description == "Intro\nOutro"


def test_quick_actions_on_update_run_too(fake: FakeGitLab) -> None:
    project = project_of(fake)
    new_issue(project)
    updated = project.issues.update(1, {"description": "text\n/title Renamed"})
    assert (updated["title"], updated["description"]) == ("Renamed", "text")


def test_quick_actions_inside_backtick_fences_are_not_executed(fake: FakeGitLab) -> None:
    body = "```\n/close\n```"
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == "opened"
    assert issue.description == body


def test_indented_or_inline_commands_are_plain_text(fake: FakeGitLab) -> None:
    body = " /close\ntext /close\n"
    issue = new_issue(project_of(fake), description=body)
    assert issue.state == "opened"
    assert fake.quick_actions == []


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
]


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


# --------------------------------------------------------------------------- auth, users, roles


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
