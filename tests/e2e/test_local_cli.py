"""A newcomer's session on the local backend: create, re-run, tick, re-run, all via the CLI."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from automation.cli import run
from tests.backends import StepClock
from tests.conftest import keep_programs


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), env or {}, out, err, StepClock())
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def issue_with_key(workspace: Path, fragment: str) -> Path:
    """The issue whose identity line ends in FRAGMENT (the tracking issue's index names every
    key too, without the marker)."""
    return next(
        p for p in (workspace / "issues").glob("*.md") if f"{fragment} -->" in p.read_text("utf-8")
    )


def test_newcomer_session_on_the_shipped_config(project: Path) -> None:
    code, out, err = cli("apply", "--today", "2026-11-24")
    assert code == 0, out + err
    assert "GITLAB_TOKEN is not set; using the local backend" in err
    workspace = project / ".automation"
    assert len(list((workspace / "issues").glob("*.md"))) == 4
    assert out.strip().endswith(
        "Summary: 4 created, 0 updated, 0 unchanged, 0 failed, 0 warnings "
        "(16 labels, 2 epics created)"
    )

    before = snapshot(workspace)
    code, out, _ = cli("apply", "--today", "2026-11-24")
    assert (code, out.strip()) == (0, "No changes: 4 issues are up to date; nothing was written.")
    assert snapshot(workspace) == before

    path = issue_with_key(workspace, "key=csm-aspiring-leaders/fy27-pilot/aiko.tanaka")
    text = path.read_text("utf-8")
    ticked = text.replace("1. [ ] Have ongoing regular calls", "1. [x] Have ongoing regular calls")
    ticked = ticked.replace("1. [ ] Have coffee chats", "1. [x] Have coffee chats")
    path.write_text(ticked, "utf-8")

    code, out, _ = cli("apply", "--today", "2026-11-24")
    assert code == 0
    after = path.read_text("utf-8")
    assert after.count("[x]") == 2
    assert "| **Overall** | **2/25** | **8%** |" in after
    assert "- progress::1-24%" in after and "- status::in progress" in after
    assert "- progress::0%" not in after
    tracking = issue_with_key(workspace, "key=csm-aspiring-leaders/tracking").read_text("utf-8")
    assert re.search(
        r"\| #\d+ \| Aiko Tanaka \| FY27 pilot group \| Module 1: Explore \| "
        r"20% \| 33% \| 0% \| 0% \| 8% \| in progress \|",
        tracking,
    )
    assert "| **Overall** | **2/75** | **2%** |" in tracking

    settled = snapshot(workspace)
    code, out, _ = cli("apply", "--today", "2026-11-24")
    assert "No changes" in out
    assert snapshot(workspace) == settled


def test_plan_writes_nothing_and_shows_what_apply_would_do(project: Path) -> None:
    code, out, _ = cli("plan", "--today", "2026-11-24")
    assert code == 0
    assert not (project / ".automation").exists()
    assert 'create issue "CSM Aspiring Leaders: Sam Delacroix (FY27 pilot group)"' in out
    assert out.strip().endswith(
        "Plan: 4 to create, 0 to update, 0 unchanged, 0 failed, 0 warnings "
        "(16 labels, 2 epics to create)"
    )


def test_plan_json_follows_the_documented_schema(project: Path) -> None:
    assert cli("apply", "--today", "2026-11-24")[0] == 0
    path = issue_with_key(project / ".automation", "fy27-pilot/lena.fischer")
    path.write_text(
        path.read_text("utf-8").replace("1. [ ] Create and keep", "1. [x] Create and keep"), "utf-8"
    )
    code, out, _ = cli("plan", "--json", "--today", "2026-11-24")
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == 1
    assert document["summary"] == {
        "create_label": 0,
        "create_issue": 0,
        "update_description": 2,
        "update_labels": 1,
        "update_assignees": 0,
        "update_due_date": 0,
        "add_note": 0,
        "close_issue": 0,
        "reopen_issue": 0,
        "create_epic": 0,
        "add_to_epic": 0,
        "link_issues": 0,
        "update_epic": 0,
        "remind": 0,
        "unchanged": 2,
        "failed": 0,
        "warnings": 0,
    }
    types = [a["type"] for a in document["actions"]]
    assert types == ["update_description", "update_labels", "update_description"]
    first = document["actions"][0]
    assert first["key"] == "csm-aspiring-leaders/fy27-pilot/lena.fischer"
    assert first["block"] == "progress"
    assert "+| Ongoing Activities | 1/5 | 20% |" in first["diff"]


def test_ci_without_token_refuses_to_fall_back_to_local(project: Path) -> None:
    code, _, err = cli("apply", env={"CI": "true"})
    assert code == 3
    assert "GITLAB_TOKEN is not set" in err
    assert not (project / ".automation").exists()


def test_unknown_program_is_a_clear_error(project: Path) -> None:
    code, _, err = cli("plan", "--program", "nope")
    assert code == 2
    assert (
        "--program nope: no program with that id in config/programs; known: csm-aspiring-leaders"
        in err
    )


def test_damaged_block_fails_that_issue_only(project: Path) -> None:
    assert cli("apply", "--today", "2026-11-24")[0] == 0
    path = issue_with_key(project / ".automation", "fy27-pilot/sam.delacroix")
    damaged = path.read_text("utf-8").replace("<!-- automation:end progress -->", "")
    path.write_text(
        damaged.replace("1. [ ] Have coffee chats", "1. [x] Have coffee chats"), "utf-8"
    )
    other = issue_with_key(project / ".automation", "fy27-pilot/aiko.tanaka")
    other.write_text(
        other.read_text("utf-8").replace("1. [ ] Have coffee", "1. [x] Have coffee"), "utf-8"
    )
    code, out, _ = cli("apply", "--today", "2026-11-24")
    assert code == 1
    assert path.read_text("utf-8") == damaged.replace("1. [ ] Have coffee", "1. [x] Have coffee")
    assert re.search(
        r"FAILED \[csm-aspiring-leaders/fy27-pilot/sam.delacroix\]: issue #\d+: "
        r"the managed block 'progress' is damaged",
        out,
    )
    assert "| **Overall** | **1/25** | **4%** |" in other.read_text("utf-8")


@pytest.mark.parametrize("command", ["validate", "plan", "apply"])
def test_help_lists_the_documented_options(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        run([command, "--help"], {}, io.StringIO(), io.StringIO())
    text = capsys.readouterr().out
    assert "--config" in text and "--program" in text


def test_local_epics_group_the_issues(project: Path) -> None:
    assert cli("apply", "--today", "2026-11-24")[0] == 0
    epics = sorted((project / ".automation" / "epics").glob("*.md"))
    assert [p.name for p in epics] == ["1.md", "2.md"]
    sam = issue_with_key(project / ".automation", "fy27-pilot/sam.delacroix").read_text("utf-8")
    assert "\nepic: 2\n" in sam


def test_without_epics_issues_are_linked_to_the_tracking_issue(project: Path) -> None:
    settings = project / "config" / "settings.yml"
    settings.write_text(settings.read_text("utf-8").replace("epics: true", "epics: false"), "utf-8")
    code, out, _ = cli("apply", "--today", "2026-11-24")
    assert code == 0
    assert "epics are not available" not in out  # chosen in settings: nothing to tell
    assert not (project / ".automation" / "epics").exists()
    tracking = issue_with_key(project / ".automation", "key=csm-aspiring-leaders/tracking")
    assert "links:\n- 1\n- 2\n- 3\n" in tracking.read_text("utf-8")
    assert "No changes" in cli("apply", "--today", "2026-11-24")[1]


def test_a_deleted_epic_file_leaves_its_issues_in_no_epic_and_they_go_in_the_new_one(
    project: Path,
) -> None:
    """A tester's: deleting epics/2.md, as one deletes an epic in GitLab, left its issues in
    it; the epic made again stayed empty for good. GitLab leaves them in no epic."""
    assert cli("apply")[0] == 0
    epics = project / ".automation" / "epics"
    cohort = epics / "2.md"
    members = [
        p
        for p in (project / ".automation" / "issues").glob("*.md")
        if "\nepic: 2\n" in p.read_text("utf-8")
    ]
    assert members
    cohort.unlink()
    code, out, _ = cli("apply")
    assert code == 0 and "created epic" in out, out
    (new,) = sorted(set(p.name for p in epics.glob("*.md")) - {"1.md"})
    number = new.removesuffix(".md")
    assert all(f"\nepic: {number}\n" in p.read_text("utf-8") for p in members)
    assert "No changes" in cli("apply")[1]


def test_a_rehearsal_of_a_day_before_the_workspace_was_last_written_says_so(
    project: Path,
) -> None:
    """A newcomer: after `--today 2027-03-01`, stepping back to `--today 2026-12-01` in the
    same workspace (as the README's walk-through reads) gave fourteen "no longer defines"
    warnings and statuses rewound, unsaid why. The run says the day went back, and where to
    rehearse it; a step forward says nothing."""
    code, out, err = cli("apply", "--today", "2027-03-01", "--program", "csm-aspiring-leaders")
    assert code == 0, out + err
    code, out, err = cli("apply", "--today", "2026-12-01", "--program", "csm-aspiring-leaders")
    assert code == 0, out + err
    said = [line for line in err.splitlines() if "went back" in line]
    assert said == [
        "note: the day went back: this run's, 2026-12-01, is before 2027-03-01, when the "
        "workspace .automation/ was last written, so issues made for later days read as issues "
        "configuration no longer defines, and statuses go back; rehearse an earlier day in a "
        "workspace of its own (--workspace DIR)"
    ], err
    code, out, err = cli("apply", "--today", "2027-04-01", "--program", "csm-aspiring-leaders")
    assert code == 0 and "went back" not in err


def test_a_plan_says_of_what_apply_would_make_that_it_is_to_be_made(shipped: Path) -> None:
    """A newcomer: `plan` (which writes nothing) said "6 issues made now for periods that
    were over"; it says they are to be made by apply, and apply that they were made now."""
    keep_programs(shipped, "executive-sponsorship")
    code, out, err = cli("plan", "--today", "2026-12-07")
    assert code == 0, out + err
    said = [line for line in out.splitlines() if "for periods that were over" in line]
    assert len(said) == 1 and "6 issues to be made by apply for periods" in said[0], out
    assert "made now" not in out
    code, out, err = cli("apply", "--today", "2026-12-07")
    assert "6 issues made now for periods that were over" in out, out


GIT = shutil.which("git")
IGNORE_NOTE = "the git repository it is in does not ignore it: add `.year/` to .gitignore"


@pytest.mark.skipif(GIT is None, reason="git is not installed")
@pytest.mark.parametrize(
    ("repository", "ignored", "workspace"),
    [
        (True, False, ".year"),
        (True, True, ".year"),
        (False, False, ".year"),
        (True, False, "runs/2027/.year"),  # a folder this run makes, in one it makes (a review)
    ],
)
def test_a_workspace_git_would_commit_is_said(
    shipped: Path, repository: bool, ignored: bool, workspace: str
) -> None:
    """A newcomer's trial: `--workspace .year` in the tool's repository, which ignores only
    the README's workspaces: `git add -A` would have committed the confidential pair issues
    it holds, and nothing said so."""
    if repository:
        subprocess.run([str(GIT), "init", "-q", str(shipped)], check=True)
    if ignored:
        (shipped / ".gitignore").write_text(".year/\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    argv = ["apply", "--backend", "local", "--workspace", workspace, "--today", "2026-12-01"]
    assert run(argv, {}, out, err, StepClock()) == 0
    said = IGNORE_NOTE in err.getvalue()
    assert said == (repository and not ignored), err.getvalue()
    assert (shipped / workspace / "issues").is_dir()
