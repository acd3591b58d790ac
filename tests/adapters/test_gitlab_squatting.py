"""Confidential content goes only where it is safe, on the fake GitLab: an issue another user
made with a predictable key is never filled, and a confidential issue a person made public
gets nothing more written to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from automation import keyindex
from automation.index import read_index
from automation.markers import find_key, identity_marker
from tests.backends import GROUP, PROJECT, GitLabBackend, new_fake
from tests.projects import PROGRAM, make_project, roster

PEOPLE = ["ana", "ben", "cleo"]
CONFIDENTIAL = PROGRAM.replace("kind: participants\n", "kind: participants\nconfidential: true\n")
NEXT_COHORT = "  - id: c2\n    name: Cohort 2\n    participants:\n      - cleo\n"
TRACKING = "tracking\n{{ managed_block('rollup') }}\n"
ROLLUP = "{% for row in rows %}{{ row.subject }}\n{% endfor %}"


def on_fake(root: Path, files: dict[str, str], mallory: str) -> Iterator[GitLabBackend]:
    """A project of FILES (and ana, ben and cleo) at ROOT on a fake GitLab where mallory has
    the role MALLORY in the group."""
    settings = f"gitlab:\n  group: {GROUP}\n  project: {PROJECT}\n"
    make_project(
        root, {"config/settings.yml": settings, "config/people.yml": roster(PEOPLE), **files}
    )
    fake = new_fake(users=tuple(PEOPLE))
    fake.add_member(GROUP, "mallory", mallory)
    with fake.activate():
        yield GitLabBackend(fake)


@pytest.fixture
def gitlab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    monkeypatch.chdir(tmp_path)
    files = {
        "config/programs/demo.yml": CONFIDENTIAL,
        "templates/tracking.md.j2": TRACKING,
        "templates/blocks/rollup.md.j2": ROLLUP,
    }
    yield from on_fake(tmp_path, files, "guest")


def by_key(backend: GitLabBackend) -> dict[str, dict[str, object]]:
    return {find_key(str(i["description"])) or "": i for i in backend.fake.issues(PROJECT)}


def test_an_issue_a_guest_made_with_the_next_cohorts_key_is_never_filled(
    gitlab: GitLabBackend,
) -> None:
    assert gitlab.cli("apply").code == 0
    squat = f"{identity_marker('demo/c2/cleo')}\nPlease fill me in."
    iid = gitlab.fake.create_issue_as(PROJECT, "mallory", "Cohort 2", squat, ["program::demo"])
    program = Path("config/programs/demo.yml")
    program.write_text(program.read_text(encoding="utf-8") + NEXT_COHORT, encoding="utf-8")
    result = gitlab.cli("apply")
    # what is not made yet waits, said alike whichever key it carries (README, Privacy)
    assert result.code == 1
    assert f"issue #{iid} has a key of this program on the first line, but mallory" in result.out
    assert "cleo" not in result.out  # a confidential program's people stay out of the log
    squatted = next(i for i in gitlab.fake.issues(PROJECT) if i["iid"] == iid)
    assert squatted["description"] == squat and not squatted["confidential"]
    assert "Person cleo" not in str(squatted)
    made = [find_key(str(i["description"])) for i in gitlab.fake.issues(PROJECT)]
    assert made.count("demo/c2/cleo") == 1  # the squatted issue's alone
    tracking = by_key(gitlab)["demo/tracking"]
    assert f"#{iid}" not in str(tracking["description"])  # not adopted into the index either


def _public_then_ana_joins(
    gitlab: GitLabBackend, issue: dict[str, object]
) -> dict[str, dict[str, object]]:
    """A person makes ISSUE public, then ana joins the cohort; two runs each warn of it.
    (GitLab keeps a public issue out of a confidential epic: the person takes it out first,
    and the tool does not put it back.)"""
    iid = int(str(issue["iid"]))
    group = gitlab.fake.client().groups.get("enablement")
    for epic in group.epics.list(get_all=True):
        for inside in epic.issues.list(get_all=True):
            if inside.iid == iid:
                epic.issues.delete(inside.epic_issue_id)
    gitlab.fake.edit_issue(PROJECT, iid, confidential=False)
    program = Path("config/programs/demo.yml")
    program.write_text(
        program.read_text(encoding="utf-8").replace("      - ben\n", "      - ben\n      - ana\n"),
        encoding="utf-8",
    )
    for _ in range(2):
        result = gitlab.cli("apply")
        assert "is public though the program is confidential" in result.out
    return by_key(gitlab)


def test_a_tracking_issue_made_public_gets_no_more_names(gitlab: GitLabBackend) -> None:
    assert gitlab.cli("apply").code == 0
    tracking = by_key(gitlab)["demo/tracking"]
    assert tracking["confidential"]
    after = _public_then_ana_joins(gitlab, tracking)
    assert "demo/c1/ana" in after  # the new participant's own issue is made (confidential)
    assert after["demo/c1/ana"]["confidential"]
    assert "Person ana" not in str(after["demo/tracking"]["description"])
    assert "Person ben" in str(tracking["description"])  # it was filled while confidential


def test_an_index_issue_made_public_gets_no_new_keys(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)  # a big program's: its index has an issue
    assert gitlab.cli("apply").code == 0
    index = by_key(gitlab)["demo/tracking/index"]
    assert index["confidential"] and index["state"] == "closed"
    after = _public_then_ana_joins(gitlab, index)
    assert "c1/ana" not in str(after["demo/tracking/index"]["description"])
    # the (confidential) tracking issue holds the whole index meanwhile
    kept = read_index(str(after["demo/tracking"]["description"]), "demo/") or {}
    assert kept["demo/c1/ana"] == after["demo/c1/ana"]["iid"]
