"""Audit of the fake GitLab against GitLab's own code: each test asserts what GitLab does and
fails on the fake (a discrepancy to fix in tests/fakes/gitlab_fake.py). Sources are cited
per test (paths in gitlab-org/gitlab)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import gitlab
import pytest
import requests

from tests.backends import GitLabTime
from tests.fakes.gitlab_fake import FakeGitLab, encode_path

PROJECT = "enablement/programs"
OTHER = "enablement/other"


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    instance = FakeGitLab(tier="premium")
    instance.add_user("alice")
    instance.add_user("bob")
    instance.add_project(PROJECT)
    instance.add_project(OTHER)
    with instance.activate():
        yield instance


def _api(fake: FakeGitLab, method: str, path: str, **kwargs: object) -> requests.Response:
    headers = {"PRIVATE-TOKEN": fake.token}
    return requests.request(method, f"{fake.api_url}{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- epics


def test_an_issue_created_in_a_confidential_epic_is_made_confidential(fake: FakeGitLab) -> None:
    """ee/app/services/ee/issues/base_service.rb, filter_epic (called from
    EE::Issues::CreateService#filter_params before the issue is saved):
    `params[:confidential] = true if !issue.persisted? && epic&.confidential`. A new issue
    given the epic_id of a confidential epic is created confidential (201), not refused."""
    group = fake.client().groups.get("enablement")
    secret = group.epics.create({"title": "Accounts", "confidential": True})
    project = fake.client().projects.get(PROJECT, lazy=True)
    issue = project.issues.create({"title": "Onboard", "epic_id": secret.id, "confidential": False})
    assert issue.confidential is True
    assert issue.epic["iid"] == secret.iid


def test_a_public_issue_put_in_a_confidential_epic_answers_422(fake: FakeGitLab) -> None:
    """POST /groups/:id/epics/:epic_iid/issues/:issue_id: ee/app/models/epic_issue.rb
    validate_confidential_epic adds "Cannot assign a confidential epic to a non-confidential
    issue. Make the issue confidential and try again"; IssuableLinks::CreateService#
    link_issuables collects "<ref> cannot be added: ..." and answers error(..., 422);
    ee/lib/api/epic_issues.rb renders render_api_error!(result[:message], 422), i.e.
    {"message": "..."} (the fake: 400 {"error": ...}, the issue model's message)."""
    group = fake.client().groups.get("enablement")
    secret = group.epics.create({"title": "Accounts", "confidential": True})
    public = fake.client().projects.get(PROJECT, lazy=True).issues.create({"title": "Public"})
    answer = _api(fake, "POST", f"/groups/enablement/epics/{secret.iid}/issues/{public.id}")
    assert answer.status_code == 422
    assert "Cannot assign a confidential epic to a non-confidential issue" in str(
        answer.json().get("message")
    )


def test_an_epic_refused_confidentiality_answers_a_validation_error(fake: FakeGitLab) -> None:
    """ee/app/models/ee/epic.rb validate_confidential_issues_and_subepics:
    errors.add(:confidential, 'Cannot make the epic confidential if it contains
    non-confidential issues'); ee/lib/api/epics.rb renders it with render_validation_error!,
    400 {"message": {"confidential": [...]}} (the fake: {"error": "..."})."""
    group = fake.client().groups.get("enablement")
    plain = group.epics.create({"title": "Cohort"})
    public = fake.client().projects.get(PROJECT, lazy=True).issues.create({"title": "Public"})
    plain.issues.create({"issue_id": public.id})
    answer = _api(fake, "PUT", f"/groups/enablement/epics/{plain.iid}", json={"confidential": True})
    assert answer.status_code == 400
    assert answer.json() == {
        "message": {
            "confidential": [
                "Cannot make the epic confidential if it contains non-confidential issues"
            ]
        }
    }


def test_making_an_issue_in_a_confidential_epic_public_says_so(fake: FakeGitLab) -> None:
    """ee/app/models/ee/issue.rb validate_confidential_epic / confidentiality_error: when
    `confidential` is among the changes the error is 'this issue cannot be made public since
    it belongs to a confidential epic', on :issue; lib/api/issues.rb renders it with
    render_validation_error! (400 {"message": {"issue": [...]}})."""
    group = fake.client().groups.get("enablement")
    secret = group.epics.create({"title": "Accounts", "confidential": True})
    project = fake.client().projects.get(PROJECT, lazy=True)
    issue = project.issues.create({"title": "In", "epic_id": secret.id, "confidential": True})
    answer = _api(
        fake,
        "PUT",
        f"/projects/{encode_path(PROJECT)}/issues/{issue.iid}",
        json={"confidential": False},
    )
    assert answer.status_code == 400
    refusal = "this issue cannot be made public since it belongs to a confidential epic"
    assert answer.json() == {"message": {"issue": [refusal]}}


# --------------------------------------------------------------------------- updated_at


def test_the_first_label_change_after_creation_moves_updated_at(fake: FakeGitLab) -> None:
    """Issues::BuildService/CreateService never set `updated_by` (it is NULL on a new issue).
    IssuableBaseService#update then sets `issuable.updated_by = current_user if should_touch`
    (update_timestamp?: changes.keys != ["relative_position"], true for a label-only change)
    and saves with touch: the first update of an issue, whoever makes it and however soon,
    changes updated_by from nil and so moves updated_at (the fake sets updated_by on create,
    so the creator's label change within a minute only touches, throttled)."""
    project = fake.client().projects.get(PROJECT, lazy=True)
    created = project.issues.create({"title": "Fresh"})
    fake.clock.advance(timedelta(seconds=10))
    changed = project.issues.update(created.iid, {"add_labels": "needs-attention"})
    assert changed["labels"] == ["needs-attention"]
    assert changed["updated_at"] > created.updated_at


def test_an_unchanged_put_by_another_user_moves_updated_at(fake: FakeGitLab) -> None:
    """IssuableBaseService#update enters its save branch whenever params are present (here the
    Description callback), sets updated_by = current_user (should_touch is true: no attribute
    changed at all) and saves with touch: updated_by changed from the person to the token's
    user, so the row is written and updated_at moves though nothing a reader sees changed."""
    project = fake.client().projects.get(PROJECT, lazy=True)
    created = project.issues.create({"title": "Same", "description": "text"})
    fake.clock.advance(timedelta(hours=1))
    fake.edit_issue(PROJECT, created.iid, title="Renamed", as_user="alice")
    alices = project.issues.get(created.iid).updated_at
    fake.clock.advance(timedelta(seconds=10))
    again = project.issues.update(created.iid, {"description": "text"})
    assert again["updated_at"] > alices


# --------------------------------------------------------------------------- visibility


def test_a_private_project_is_not_found_by_a_non_member(fake: FakeGitLab) -> None:
    """lib/api/helpers.rb find_project!: a project the user cannot read_project answers
    404 Project Not Found, and so do its issues and their notes (the fake's projects are
    private, README: "a non-member reads none of their issues", but it serves the project,
    its non-confidential issues and their notes to anyone)."""
    issue = fake.client().projects.get(OTHER, lazy=True).issues.create({"title": "Elsewhere"})
    fake.set_member_role("carol", "developer", PROJECT)  # carol: a member of PROJECT only
    fake.act_as("carol")
    other = f"/projects/{encode_path(OTHER)}"
    assert _api(fake, "GET", other).status_code == 404
    assert _api(fake, "GET", f"{other}/issues/{issue.iid}").status_code == 404
    assert _api(fake, "GET", f"{other}/issues/{issue.iid}/notes").status_code == 404
    assert _api(fake, "GET", f"{other}/issues").status_code == 404


# --------------------------------------------------------------------------- representation


def test_an_issue_created_without_a_description_has_a_null_description(fake: FakeGitLab) -> None:
    """doc/api/issues.md ("New issue" response: "description": null): the column stays NULL
    when no description is given (the fake answers "")."""
    issue = fake.client().projects.get(PROJECT, lazy=True).issues.create({"title": "Bare"})
    assert issue.description is None


def test_fixture_sanity(fake: FakeGitLab) -> None:
    """Not a discrepancy: the client reaches the fake (guards the audit tests above against
    failing for a setup reason)."""
    assert fake.client().projects.get(PROJECT).path_with_namespace == PROJECT
    with pytest.raises(gitlab.GitlabGetError):
        fake.client().projects.get("enablement/missing")


# --------------------------------------------------------------------------- replicas


@pytest.fixture
def lagging(fake: FakeGitLab) -> FakeGitLab:
    """Two issues made before GitLab answers from replicas that lag by a minute."""
    project = fake.client().projects.get(PROJECT, lazy=True)
    for title in ("one", "two"):
        project.issues.create({"title": title, "description": "- [ ] a task"})
    fake.lag_replicas(timedelta(seconds=60))
    return fake


def test_a_read_may_miss_a_persons_change_made_since_the_token_users_last_write(
    lagging: FakeGitLab,
) -> None:
    """lib/gitlab/database/load_balancing/sticking.rb: a user's reads stick to a replica
    caught up with that user's last write; nothing waits for another user's write (MR
    gitlab-org/gitlab!122424), and doc/administration/postgresql/database_load_balancing.md
    lets a replica lag up to max_replication_lag_time (60 s). Alice ticks #2 after the token's
    user wrote #1: the next read of #2 and of its notes may not show it yet; a write of the
    token's user, or a minute, brings it."""
    project = lagging.client().projects.get(PROJECT, lazy=True)
    project.issues.update(1, {"description": "- [ ] a task\n\nmore"})
    lagging.edit_issue(PROJECT, 2, description="- [x] a task", as_user="alice")
    assert project.issues.get(2).description == "- [ ] a task"  # the replica's
    assert lagging.issues(PROJECT)[1]["description"] == "- [x] a task"  # the primary's
    notes = project.issues.get(2, lazy=True).notes.list(get_all=True)
    assert not any("checklist item" in n.body for n in notes)
    listed = project.issues.list(get_all=True, updated_after="2000-01-01T00:00:00Z")
    assert {i.iid: i.description for i in listed}[2] == "- [ ] a task"
    project.issues.update(1, {"description": "- [ ] a task"})  # caught up with this write
    assert project.issues.get(2).description == "- [x] a task"
    notes = project.issues.get(2, lazy=True).notes.list(get_all=True)
    assert any("marked the checklist item **a task** as completed" in n.body for n in notes)


def test_a_lagging_replica_catches_up_within_its_lag(lagging: FakeGitLab) -> None:
    project = lagging.client().projects.get(PROJECT, lazy=True)
    lagging.edit_issue(PROJECT, 2, description="- [x] a task", as_user="alice")
    assert project.issues.get(2).description == "- [ ] a task"
    lagging.clock.advance(timedelta(seconds=61))
    assert project.issues.get(2).description == "- [x] a task"


def test_a_change_made_long_before_a_read_is_in_every_replica(lagging: FakeGitLab) -> None:
    """A person's change an hour before the next request, with nothing asked of GitLab in
    between, is in every replica by then (the replicas lag by a minute, not an hour)."""
    project = lagging.client().projects.get(PROJECT, lazy=True)
    lagging.edit_issue(PROJECT, 2, description="- [x] a task", as_user="alice")
    lagging.clock.advance(timedelta(hours=1))
    assert project.issues.get(2).description == "- [x] a task"


def test_the_token_users_own_writes_are_in_its_next_reads(lagging: FakeGitLab) -> None:
    """A user's reads stick to a replica caught up with that user's writes, a new issue too."""
    project = lagging.client().projects.get(PROJECT, lazy=True)
    project.issues.update(2, {"description": "- [x] a task"})
    made = project.issues.create({"title": "three"})
    assert project.issues.get(2).description == "- [x] a task"
    assert project.issues.get(made.iid).title == "three"


def test_an_issue_a_person_made_since_may_not_be_found_yet(lagging: FakeGitLab) -> None:
    """The 404 MR !122424 accepts: an issue another user made a moment ago."""
    iid = lagging.create_issue_as(PROJECT, "alice", "theirs", "text")
    project = lagging.client().projects.get(PROJECT, lazy=True)
    with pytest.raises(gitlab.GitlabGetError) as error:
        project.issues.get(iid)
    assert error.value.response_code == 404
    assert iid not in {i.iid for i in project.issues.list(get_all=True)}
    lagging.clock.advance(timedelta(seconds=61))
    assert project.issues.get(iid).title == "theirs"


def test_the_note_of_a_ticked_box_escapes_the_items_markdown(fake: FakeGitLab) -> None:
    """SystemNotes::IssuablesService#change_task_status, as gitlab.com wrote it (a live probe:
    `Close \\#4 as obsolete: src/x\\.go says a \\= \\"1\\"`): the item's punctuation escaped.
    (GitLab also keeps a hidden comment's text there; the fake leaves it out.)"""
    project = fake.client().projects.get(PROJECT, lazy=True)
    text = '- [ ] Close #4: src/x.go says a = "1"'
    issue = project.issues.create({"title": "t", "description": text})
    fake.edit_issue(PROJECT, issue.iid, description=text.replace("[ ]", "[x]"), as_user="alice")
    bodies = [n.body for n in project.issues.get(issue.iid, lazy=True).notes.list(get_all=True)]
    wanted = r"marked the checklist item **Close \#4: src/x\.go says a \= \"1\"** as completed"
    assert wanted in bodies


def test_a_system_note_is_newer_than_the_save_it_tells_of(fake: FakeGitLab) -> None:
    """Issues::UpdateService saves the issue (its updated_at), then handle_changes writes the
    system notes: a note is a few milliseconds newer than the issue's time."""
    project = fake.client().projects.get(PROJECT, lazy=True)
    issue = project.issues.create({"title": "t", "description": "- [ ] a"})
    fake.edit_issue(PROJECT, issue.iid, description="- [x] a", as_user="alice")
    saved = project.issues.get(issue.iid)
    (note,) = [n for n in saved.notes.list(get_all=True) if "checklist item" in n.body]
    assert note.created_at > saved.updated_at


@pytest.mark.parametrize(
    ("before", "after", "wanted"),
    [
        ([], ["alice"], "assigned to @alice"),
        (["alice"], ["alice", "bob", "carol"], "assigned to @bob and @carol"),
        (["alice", "bob"], ["carol"], "assigned to @carol and unassigned @alice and @bob"),
        (["alice", "bob", "carol"], ["bob"], "unassigned @alice and @carol"),
        (["bob"], [], "unassigned @bob"),
        ([], ["alice", "bob", "carol"], "assigned to @alice, @bob, and @carol"),
    ],
)
def test_the_note_of_an_assignee_change_names_who_was_added_and_who_removed(
    fake: FakeGitLab, before: list[str], after: list[str], wanted: str
) -> None:
    """SystemNotes::IssuablesService#change_issuable_assignees: `assigned to` the users added
    and `unassigned` the users removed (each list by Array#to_sentence), joined by ` and `;
    not the whole new list."""
    ids = {name: fake.add_member("enablement", name) for name in ("alice", "bob", "carol")}
    project = fake.client().projects.get(PROJECT, lazy=True)
    issue = project.issues.create({"title": "t", "assignee_ids": [ids[n] for n in before]})
    project.issues.update(issue.iid, {"assignee_ids": [ids[n] for n in after]})
    notes = project.issues.get(issue.iid, lazy=True).notes.list(get_all=True, sort="desc")
    assert notes[0].body == wanted


def test_a_runs_clock_starts_where_gitlabs_is(fake: FakeGitLab) -> None:
    """tests/backends.GitLabTime: a run hours into a scenario starts at GitLab's time, as a
    runner's clock agrees with GitLab's (an operations trial: its lock said it expired at a
    time GitLab had passed)."""
    fake.clock.advance(timedelta(hours=5))
    assert GitLabTime(fake).now() == fake.clock.now()
