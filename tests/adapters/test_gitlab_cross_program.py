"""An issue one program's record holds is never another program's, on the fake GitLab: a
project member who pastes a confidential program's next key over the first line of a public
program's issue, and gives it that program's label, gets nothing written to it (a tester's
insider did, and the confidential program took the issue for its pair, then assigned and
mentioned the pair on the participant's issue once it was made confidential)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from automation import keyindex
from automation.index import HEADER
from automation.markers import identity_marker
from tests.adapters.test_gitlab_squatting import by_key, on_fake
from tests.backends import PROJECT, GitLabBackend
from tests.projects import PROGRAM

SECRET = PROGRAM.replace("kind: participants\n", "kind: participants\nconfidential: true\n")
OPEN = PROGRAM.replace("id: demo\n", "id: open\n").replace("Demo", "Open")
NEXT_COHORT = "  - id: c2\n    name: Cohort 2\n    participants:\n      - cleo\n"
STOLEN = "demo/c2/cleo"  # the confidential program's key once cohort 2 is configured


@pytest.fixture
def gitlab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitLabBackend]:
    monkeypatch.chdir(tmp_path)
    files = {"config/programs/demo.yml": SECRET, "config/programs/open.yml": OPEN}
    yield from on_fake(tmp_path, files, "developer")


def _taken_over(gitlab: GitLabBackend) -> int:
    """Mallory turns the open program's issue for ben into the confidential one's next key,
    under its label; then cohort 2 is configured. The iid of the issue."""
    assert gitlab.cli("apply").code == 0
    iid = int(str(by_key(gitlab)["open/c1/ben"]["iid"]))
    _first_line(gitlab, iid, STOLEN, as_user="mallory")
    program = Path("config/programs/demo.yml")
    program.write_text(program.read_text(encoding="utf-8") + NEXT_COHORT, encoding="utf-8")
    return iid


def _first_line(gitlab: GitLabBackend, iid: int, key: str, as_user: str = "alice") -> None:
    """A person gives issue IID the first line of KEY and its program's label."""
    issue = next(i for i in gitlab.fake.issues(PROJECT) if i["iid"] == iid)
    body = str(issue["description"]).split("\n", 1)[1]
    label = f"program::{key.split('/', 1)[0]}"
    text = f"{identity_marker(key)}\n{body}"
    gitlab.fake.edit_issue(PROJECT, iid, description=text, labels=[label], as_user=as_user)


def _untouched(gitlab: GitLabBackend, iid: int, before: dict[str, object]) -> None:
    after = next(i for i in gitlab.fake.issues(PROJECT) if i["iid"] == iid)
    assert after["description"] == before["description"]
    assert after["assignees"] == before["assignees"]
    assert after["labels"] == before["labels"]
    assert not any(m.username == "cleo" for m in gitlab.fake.state.mentions)


@pytest.mark.parametrize("command", [("apply",), ("apply", "--program", "demo")])
def test_a_public_issue_given_a_confidential_programs_key_is_not_taken(
    gitlab: GitLabBackend, command: tuple[str, ...]
) -> None:
    iid = _taken_over(gitlab)
    before = next(i for i in gitlab.fake.issues(PROJECT) if i["iid"] == iid)
    result = gitlab.cli(*command)
    assert result.code == 1
    assert f"#{iid}" in result.out and "program open" in result.out
    assert "cleo" not in result.out + result.err  # a confidential program's people
    _untouched(gitlab, iid, before)
    # made confidential, as a warning about a public issue would have asked: still not taken
    gitlab.fake.edit_issue(PROJECT, iid, confidential=True, as_user="mallory")
    before = next(i for i in gitlab.fake.issues(PROJECT) if i["iid"] == iid)
    assert gitlab.cli(*command).code == 1
    _untouched(gitlab, iid, before)
    assert STOLEN not in by_key(gitlab) or by_key(gitlab)[STOLEN]["iid"] == iid  # none made


def test_put_back_the_issue_is_the_open_programs_again(gitlab: GitLabBackend) -> None:
    iid = _taken_over(gitlab)
    assert gitlab.cli("apply").code == 1
    _first_line(gitlab, iid, "open/c1/ben")  # put back from the issue's history
    result = gitlab.cli("apply")
    assert result.code == 0, result.out
    made = by_key(gitlab)
    assert made["open/c1/ben"]["iid"] == iid
    assert made[STOLEN]["iid"] != iid and made[STOLEN]["confidential"]


def _listed(backend: GitLabBackend) -> set[str]:
    return {
        r.params["labels"]
        for r in backend.fake.requests
        if r.method == "GET" and r.path.endswith("/issues") and "labels" in r.params
    }


def test_a_run_of_one_program_reads_no_other_while_its_record_holds_its_issues(
    gitlab: GitLabBackend,
) -> None:
    for _ in range(2):
        assert gitlab.cli("apply").code == 0
    gitlab.fake.requests.clear()
    assert gitlab.cli("apply", "--program", "demo").code == 0
    assert _listed(gitlab) == {"program::demo"}
    iid = _taken_over(gitlab)  # an issue its record does not hold: the others' are read
    gitlab.fake.requests.clear()
    assert gitlab.cli("apply", "--program", "demo").code == 1
    assert _listed(gitlab) == {"program::demo", "program::open"}
    assert f"#{iid}" in gitlab.cli("apply", "--program", "demo").out


def _issue(gitlab: GitLabBackend, iid: int) -> dict[str, object]:
    return next(i for i in gitlab.fake.issues(PROJECT) if i["iid"] == iid)


def test_an_entry_pasted_into_the_taking_programs_own_index_does_not_make_it_its(
    gitlab: GitLabBackend,
) -> None:
    """Mallory also adds the issue to the confidential program's index of keys: both records
    hold it, and neither program writes to it until a person takes the entry out. (A run of
    the confidential program alone reads no other record while its own holds every issue its
    list shows: the full run finds this, and the public issue gets nothing meanwhile.)"""
    iid = _taken_over(gitlab)
    tracking = by_key(gitlab)["demo/tracking"]
    text = str(tracking["description"]).replace(HEADER + "\n", f"{HEADER}\n{iid} c2/cleo\n", 1)
    assert text != tracking["description"]
    gitlab.fake.edit_issue(PROJECT, int(str(tracking["iid"])), description=text, as_user="mallory")
    before = _issue(gitlab, iid)
    result = gitlab.cli("apply")
    assert result.code == 1 and "both this program and program open" in result.out
    _untouched(gitlab, iid, before)


def test_a_confidential_programs_key_pasted_over_a_public_tracking_issue_is_not_taken(
    gitlab: GitLabBackend,
) -> None:
    assert gitlab.cli("apply").code == 0
    iid = int(str(by_key(gitlab)["open/tracking"]["iid"]))
    _first_line(gitlab, iid, STOLEN, as_user="mallory")
    program = Path("config/programs/demo.yml")
    program.write_text(program.read_text(encoding="utf-8") + NEXT_COHORT, encoding="utf-8")
    before = _issue(gitlab, iid)
    result = gitlab.cli("apply", "--program", "demo")
    assert result.code == 1 and f"#{iid}" in result.out and "index of keys" in result.out
    _untouched(gitlab, iid, before)


def test_a_public_program_takes_no_confidential_issue_whose_programs_record_it_cannot_read(
    gitlab: GitLabBackend,
) -> None:
    """The other way round: mallory pastes the public program's next key over the
    confidential program's issue, and takes the confidential program's label off its tracking
    issue (its record unread): the public program neither assigns its participant to the
    issue nor writes to it."""
    assert gitlab.cli("apply").code == 0
    made = by_key(gitlab)
    iid = int(str(made["demo/c1/ben"]["iid"]))
    _first_line(gitlab, iid, "open/c2/cleo", as_user="mallory")
    tracking = int(str(made["demo/tracking"]["iid"]))
    gitlab.fake.edit_issue(PROJECT, tracking, labels=[], as_user="mallory")
    program = Path("config/programs/open.yml")
    program.write_text(program.read_text(encoding="utf-8") + NEXT_COHORT, encoding="utf-8")
    before = _issue(gitlab, iid)
    assert before["confidential"]
    result = gitlab.cli("apply", "--program", "open")
    assert result.code == 1 and f"#{iid}" in result.out and "confidential" in result.out
    _untouched(gitlab, iid, before)


def test_a_run_of_one_program_reads_anothers_index_issue_that_lost_its_label(
    gitlab: GitLabBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index kept in an issue of its own (a big program's), which a person took the
    label off: a run of the other program alone reads it by iid, as a run of all does."""
    monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)
    iid = _taken_over(gitlab)
    index = by_key(gitlab)["open/tracking/index"]
    gitlab.fake.edit_issue(PROJECT, int(str(index["iid"])), labels=[], as_user="mallory")
    before = _issue(gitlab, iid)
    gitlab.fake.edit_issue(PROJECT, iid, confidential=True, as_user="mallory")
    result = gitlab.cli("apply", "--program", "demo")
    assert result.code == 1 and f"#{iid}" in result.out and "program open" in result.out
    _untouched(gitlab, iid, {**before, "confidential": True})


def test_while_another_programs_tracking_issue_lacks_its_label_nothing_unrecorded_is_taken(
    gitlab: GitLabBackend,
) -> None:
    """Mallory also takes the public program's label off its tracking issue, so its record
    is not read: no run takes the issue, and none after the label is back. (A program whose
    list then shows none of its issues looks like one not begun: see the README.)"""
    program = Path("config/programs/open.yml")
    program.write_text(program.read_text(encoding="utf-8") + "      - ana\n", encoding="utf-8")
    iid = _taken_over(gitlab)
    tracking = int(str(by_key(gitlab)["open/tracking"]["iid"]))
    gitlab.fake.edit_issue(PROJECT, tracking, labels=[], as_user="mallory")
    gitlab.fake.edit_issue(PROJECT, iid, confidential=True, as_user="mallory")
    before = _issue(gitlab, iid)
    for command in (("apply", "--program", "demo"), ("apply",)):
        result = gitlab.cli(*command)
        assert result.code == 1 and f"#{iid}" in result.out and "program::open" in result.out
        _untouched(gitlab, iid, before)
    gitlab.fake.edit_issue(PROJECT, tracking, labels=["program::open"])
    result = gitlab.cli("apply", "--program", "demo")
    assert result.code == 1 and "the tool's record of program open" in result.out
    _untouched(gitlab, iid, before)
