"""The page's Enablement step: one comment with the learning path's link on each hire's
general onboarding issue (another project), posted once across re-runs, crashes and edits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from automation.run import Prepared, apply, prepare
from tests.backends import GROUP, PROJECT, GitLabBackend, new_fake
from tests.conftest import keep_programs
from tests.crash import Crash, Delegating
from tests.local_cli import TODAY, cut_block, edit, issues, path_of, run
from tests.memory import memory_for, run_apply

GENERAL = "https://gitlab.example.com/people-group/onboarding"
MAYA = "sales-onboarding/maya.okonkwo"
MARKER = f"<!-- automation:note learning-path {MAYA} -->"
DAY = dt.date.fromisoformat(TODAY)


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def posted(root: Path, iid: int) -> str:
    path = root / ".automation" / "elsewhere" / "gitlab.example.com" / "people-group"
    return (path / "onboarding" / f"{iid}.md").read_text("utf-8")


def test_the_learning_path_is_posted_once_on_the_general_onboarding_issue(
    onboarding: Path,
) -> None:
    result = run("apply")
    assert f"added note to {GENERAL}/-/issues/1201 [{MAYA}]" in result.out
    # a newcomer is told that nothing went to that address
    assert "note: the local backend sends nothing: notes for issues of other projects" in result.out
    note = posted(onboarding, 1201)
    assert note.count(MARKER) == 1
    assert (
        "**Sales Quick Start learning path** for Maya Okonkwo (Strategic Account Leader): "
        "[https://about.gitlab.com/handbook/sales/onboarding/sales-learning-path/]"
    ) in note
    assert "before your SQS workshop (Jan 11-14, 2027, AMER)" in note
    maya = issues(onboarding)[MAYA].description
    # and where the hire's own issue is (a reader looked for it from this one)
    assert "your sales onboarding issue, linked below, has every milestone" in note
    assert note.rstrip().endswith(f"\n\n{issues(onboarding)[MAYA].web_url}"), note
    assert (
        f"The learning path's link was posted on the general onboarding issue "
        f"({GENERAL}/-/issues/1201) on {TODAY}."
    ) in maya
    # hires without a general onboarding issue in people.yml get no note
    elsewhere = onboarding / ".automation" / "elsewhere" / "gitlab.example.com"
    assert sorted(p.name for p in elsewhere.rglob("*.md")) == ["1188.md", "1201.md"]
    assert "No changes" in run("apply").out
    assert "added note" not in run("apply", today="2026-12-20").out  # weeks later
    assert posted(onboarding, 1201) == note


def test_a_deleted_record_does_not_post_the_note_again(onboarding: Path) -> None:
    assert run("apply").code == 0
    cut_block(path_of(onboarding, MAYA), "learning-path-note")
    result = run("apply")
    assert "added note" not in result.out  # found on the general onboarding issue
    assert posted(onboarding, 1201).count(MARKER) == 1
    assert "<!-- automation:begin learning-path-note -->" in issues(onboarding)[MAYA].description


def test_a_record_pasted_from_another_hires_issue_does_not_stop_the_note(
    onboarding: Path,
) -> None:
    """An attacker's trial: Sofia pasted the bottom of Maya's issue, hidden lines and all,
    into hers; once her general onboarding issue was known, her note was never posted."""
    assert run("apply").code == 0
    maya = issues(onboarding)[MAYA].description
    record = maya[maya.index("<!-- automation:begin learning-path-note") :]
    end = "<!-- automation:end learning-path-note -->"
    record = record[: record.index(end) + len(end)]
    sofia = path_of(onboarding, "sales-onboarding/sofia.alvarez")
    copied = f"{sofia.read_text('utf-8')}\nCopied from Maya's issue:\n\n{record}\n"
    sofia.write_text(copied, "utf-8")
    people = onboarding / "config" / "people.yml"
    text = people.read_text("utf-8")
    at = text.index("geo:", text.index("username: sofia.alvarez"))
    at = text.index("\n", at)
    issue = f"{GENERAL}/-/issues/1300"
    people.write_text(f"{text[:at]}\n    onboarding_issue: {issue}{text[at:]}", "utf-8")
    result = run("apply", "2026-11-25")
    assert f"added note to {issue} [sales-onboarding/sofia.alvarez]" in result.out, result.out
    assert posted(onboarding, 1300).count("learning-path sales-onboarding/sofia.alvarez") == 1
    assert (
        f"({issue}) on 2026-11-25"
        in issues(onboarding)["sales-onboarding/sofia.alvarez"].description
    )
    assert "added note" not in run("apply", "2026-11-26").out


def test_a_record_from_before_its_proof_line_keeps_its_day_and_posts_nothing(
    onboarding: Path,
) -> None:
    """A record written before records ended with the issue's proof line gets the line on the
    next run, with the day the note was posted, and the note is not posted again."""
    assert run("apply").code == 0
    path = path_of(onboarding, MAYA)
    own = f"<!-- automation:of #{issues(onboarding)[MAYA].iid} -->\n"
    edit(path, own, "")
    result = run("apply", "2026-12-20")
    assert "added note" not in result.out and f"[{MAYA}]: learning-path-note block" in result.out
    assert posted(onboarding, 1201).count(MARKER) == 1
    record = issues(onboarding)[MAYA].description
    assert f"({GENERAL}/-/issues/1201) on {TODAY}.\n{own}" in record


def test_no_note_without_a_note_template(onboarding: Path) -> None:
    program = onboarding / "config" / "programs" / "sales-onboarding.yml"
    edit(program, "  learning_path_note: sales-onboarding/learning-path-note.md.j2\n", "")
    result = run("apply")
    assert result.code == 0 and "added note" not in result.out
    assert not (onboarding / ".automation" / "elsewhere").exists()


class _DiesAfterTheNote(Delegating):
    """A run killed right after the note reached the other project, before its record."""

    def add_note_in(self, project: str, iid: int, body: str) -> None:
        super().add_note_in(project, iid, body)
        raise Crash


def _prepared(root: Path) -> Prepared:
    return prepare(root / "config", root / "templates", DAY)


def test_a_run_killed_after_the_note_posts_it_once(onboarding: Path) -> None:
    prepared = _prepared(onboarding)
    memory = memory_for(prepared)
    with pytest.raises(Crash):
        apply(prepared, _DiesAfterTheNote(memory), DAY)
    assert sum(len(v) for v in memory.elsewhere.values()) == 1
    run_apply(prepared, memory, DAY)
    run_apply(prepared, memory, DAY)
    assert {key: len(notes) for key, notes in memory.elsewhere.items()} == {
        (GENERAL, 1188): 1,
        (GENERAL, 1201): 1,
    }
    proofs = [i for i in memory.all_issues() if "begin learning-path-note" in i.description]
    assert len(proofs) == 2


# --- on GitLab: another project of the same instance ---------------------------------------


@pytest.fixture
def gitlab(onboarding: Path) -> Iterator[GitLabBackend]:
    people = yaml.safe_load(Path("config/people.yml").read_text(encoding="utf-8"))["people"]
    fake = new_fake("premium", users=tuple(str(p["username"]) for p in people))
    fake.add_project("people-group/onboarding")
    first = fake.create_issue_as("people-group/onboarding", "riley.chen", "Onboarding", "text")
    # Maya's general onboarding issue is the new project's first; Tom has none
    roster = Path("config/people.yml")
    text = roster.read_text(encoding="utf-8").replace(
        f"{GENERAL}/-/issues/1201", f"{GENERAL}/-/issues/{first}"
    )
    roster.write_text(
        text.replace(f"    onboarding_issue: {GENERAL}/-/issues/1188\n", ""), encoding="utf-8"
    )
    with fake.activate():
        yield GitLabBackend(fake)


def _tool_notes(backend: GitLabBackend) -> list[str]:
    (general,) = backend.fake.issues("people-group/onboarding")
    return [n for n in general["notes"] if MARKER in n]


def test_on_gitlab_the_note_goes_to_the_other_projects_issue_once(
    gitlab: GitLabBackend,
) -> None:
    first = gitlab.cli("apply")
    assert first.code == 0 and "the local backend sends nothing" not in first.out
    assert len(_tool_notes(gitlab)) == 1
    assert gitlab.cli("apply").code == 0
    assert len(_tool_notes(gitlab)) == 1


def test_on_gitlab_a_note_for_another_instance_fails_that_hire_only(
    gitlab: GitLabBackend,
) -> None:
    roster = Path("config/people.yml")
    roster.write_text(
        roster.read_text(encoding="utf-8").replace(GENERAL, "https://other.example.com/hr/onb"),
        encoding="utf-8",
    )
    result = gitlab.cli("apply")
    assert result.code == 1
    assert (
        f"FAILED [{MAYA}]: https://other.example.com/hr/onb is not on the GitLab at "
        "https://gitlab.example.com; the tool writes only there"
    ) in result.out + result.err
    assert not _tool_notes(gitlab)
    assert "Summary: 14 created" in result.out  # everything else was done


@pytest.mark.usefixtures("no_waiting")
def test_on_gitlab_a_lost_answer_to_the_other_projects_note_posts_it_once(
    gitlab: GitLabBackend,
) -> None:
    """The note is stored but its answer is lost: the tool looks for it on that issue before
    trying again, and finds it."""
    fake = gitlab.fake

    def lose_the_answer() -> None:
        fake.crash_after_writes(1)

    lose = fake.before_request("POST", "people-group/onboarding/issues", lose_the_answer)
    assert gitlab.cli("apply").code == 0
    assert lose.fired == 1 and fake.crashes[0].fired == 1
    assert fake.count("POST", "people-group/onboarding/issues") == 1
    assert len(_tool_notes(gitlab)) == 1


def test_on_gitlab_a_refused_note_on_the_other_projects_issue_fails_that_hire_only(
    gitlab: GitLabBackend,
) -> None:
    """GitLab answers 403 to a note on an issue whose discussion is locked to non-members, or
    in an archived project: that hire's item fails, and the run does the rest (a 403 on the
    program's own project still stops the run: the token lacks a role there)."""
    gitlab.fake.inject(403, times=1, method="POST", path_contains="people-group/onboarding/issues")
    result = gitlab.cli("apply")
    assert result.code == 1, result.out + result.err
    said = result.out + result.err
    assert f"FAILED [{MAYA}]: GitLab refused adding a note to {GENERAL}/-/issues/" in said
    assert "discussion may be locked" in said
    assert "Summary: 14 created" in result.out  # everything else was done
    assert not _tool_notes(gitlab)
    assert gitlab.cli("apply").code == 0  # posted once GitLab accepts it
    assert len(_tool_notes(gitlab)) == 1


def test_on_gitlab_a_hire_whose_workshop_changes_moves_to_its_epic(
    gitlab: GitLabBackend, onboarding: Path
) -> None:
    """GitLab keeps an issue in one epic: adding Tom's to January's workshop epic takes it
    out of December's."""
    fake = gitlab.fake
    assert gitlab.cli("apply").code == 0
    tom = next(i for i in fake.issues(PROJECT) if "sales-onboarding/tom.reyes " in i["description"])
    before = tom["epic"]
    program = Path("config/programs/sales-onboarding.yml")
    text = program.read_text(encoding="utf-8")
    old = "{username: tom.reyes, role: ae}"
    assert old in text
    program.write_text(
        text.replace(old, "{username: tom.reyes, role: ae, workshop: amer-2027-01}"),
        encoding="utf-8",
    )
    assert gitlab.cli("apply").code == 0
    tom = next(i for i in fake.issues(PROJECT) if i["iid"] == tom["iid"])
    january = next(e for e in fake.epics(GROUP) if "amer-2027-01/epic" in (e["description"] or ""))
    assert tom["epic"] == january["iid"] != before
    assert "No changes" in gitlab.cli("apply").out


def test_on_gitlab_a_hire_back_gets_the_new_task_and_epic_in_the_run_that_reopens_it(
    gitlab: GitLabBackend, onboarding: Path
) -> None:
    """Tom leaves, the template gains a task, Tom comes back named for January's workshop:
    the reopening run adds the task and moves his issue to January's epic."""
    fake, program = gitlab.fake, Path("config/programs/sales-onboarding.yml")
    tom = "    - {username: tom.reyes, role: ae}\n"
    assert gitlab.cli("apply").code == 0
    edit(program, tom, "")
    assert gitlab.cli("apply").code == 0
    new_task = "- [ ] **New hire:** Shadow a renewal call."
    template = onboarding / "templates" / "sales-onboarding" / "new-hire.md.j2"
    edit(template, "## First 30 days\n", f"## First 30 days\n\n{new_task}\n")
    assert gitlab.cli("apply").code == 0
    back = tom.replace("role: ae}", "role: ae, workshop: amer-2027-01}")
    edit(program, "  hires:\n", "  hires:\n" + back)
    result = gitlab.cli("apply")
    assert result.code == 0, result.out + result.err
    key = "sales-onboarding/tom.reyes "
    issue = next(i for i in fake.issues(PROJECT) if key in i["description"])
    january = next(e for e in fake.epics(GROUP) if "amer-2027-01/epic" in (e["description"] or ""))
    assert issue["state"] == "opened" and new_task in issue["description"], result.out
    assert issue["epic"] == january["iid"], result.out
    assert "No changes" in gitlab.cli("apply").out


def test_on_gitlab_a_general_onboarding_issue_gitlab_cannot_find_says_what_to_check(
    gitlab: GitLabBackend,
) -> None:
    """A tester's finding: a link to a project the token cannot see failed the hire with
    "GitLab failed ... 404 Project Not Found", blaming GitLab rather than the link."""
    gitlab.fake.inject(404, times=10, method="GET", path_contains="people-group/onboarding/issues")
    result = gitlab.cli("apply")
    assert result.code == 1, result.out + result.err
    said = result.out + result.err
    assert f"FAILED [{MAYA}]: GitLab found nothing while reading the notes of {GENERAL}" in said
    assert "check the link in people.yml (`onboarding_issue`)" in said
    assert "a confidential one needs the Planner or Reporter role there" in said  # a tester's


TOM = "sales-onboarding/tom.reyes"


def test_a_hire_whose_username_changed_keeps_their_issue_with_renamed_from(
    onboarding: Path,
) -> None:
    """A tester's finding: hires had no `renamed_from`, so Tom's username change withdrew his
    issue (his ticks and notes with it, a "Withdrawn" note to him), made an empty one, and
    posted the learning path a second time on his general onboarding issue, with no warning.
    Now, as for participants: warned first, and followed with `renamed_from`."""
    assert run("apply", "2026-11-20").code == 0
    tom = issues(onboarding)[TOM]
    ticked = tom.description.replace("- [ ]", "- [x]", 2)
    path_of(onboarding, TOM).write_text(
        path_of(onboarding, TOM)
        .read_text("utf-8")
        .replace(tom.description, ticked + "\nMY NOTES\n"),
        "utf-8",
    )
    for path in Path("config").rglob("*.yml"):
        path.write_text(path.read_text("utf-8").replace("tom.reyes", "tom.r"), "utf-8")
    warned = run("plan", "2026-12-15").out
    assert "looks like a username change" in warned
    assert "give hire 'tom.r' `renamed_from: tom.reyes`" in warned
    edit(
        Path("config/programs/sales-onboarding.yml"),
        "{username: tom.r, role: ae}",
        "{username: tom.r, role: ae, renamed_from: tom.reyes}",
    )
    result = run("apply", "2026-12-15")
    assert result.code == 0, result.out
    after = issues(onboarding)["sales-onboarding/tom.r"]
    assert after.iid == tom.iid and after.state == "opened" and TOM not in issues(onboarding)
    assert "MY NOTES" in after.description and after.description.count("- [x]") >= 2
    assert "withdrawn" not in result.out.lower()
    notes = "".join(posted(onboarding, iid) for iid in (1188, 1201))
    assert notes.count("automation:note learning-path") == 2  # one per hire, none again
    assert "No changes" in run("apply", "2026-12-15").out


def test_a_hires_renamed_from_that_is_a_word_of_the_tools_keys_is_refused(
    onboarding: Path,
) -> None:
    edit(
        Path("config/programs/sales-onboarding.yml"),
        "{username: tom.reyes, role: ae}",
        "{username: tom.reyes, role: ae, renamed_from: tracking}",
    )
    result = run("validate")
    assert result.code == 2
    assert "renamed_from 'tracking': an issue of the tool's own has this word" in result.out + (
        result.err
    )
