"""The pipeline users deploy, and the CI-facing output: summary line, run report, MR note."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.cli import build_parser, run
from automation.errors import EXIT_ITEMS_FAILED
from tests.backends import PROJECT, TOKEN, URL, Result, StepClock, Terminal, cli, new_fake
from tests.ci_rules import holds, runs, starts
from tests.conftest import REPO, keep_programs

PIPELINE: dict[str, Any] = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text("utf-8"))


def rules(job: str) -> list[dict[str, Any]]:
    """A job's rules, its own or those of the job it extends."""
    spec = PIPELINE[job]
    return list(spec.get("rules") or PIPELINE[spec["extends"]]["rules"])


def test_validate_and_tests_run_on_merge_requests_and_the_default_branch() -> None:
    for job in ("validate", "tests"):
        conditions = [r.get("if", "") for r in rules(job) if r.get("when") != "never"]
        assert any("merge_request_event" in c for c in conditions)
        assert any("$CI_DEFAULT_BRANCH" in c for c in conditions)
        assert any('"schedule"' in r.get("if", "") and r.get("when") == "never" for r in rules(job))


def test_plan_preview_runs_on_config_or_template_changes_and_keeps_artifacts() -> None:
    (rule,) = rules("plan-preview")
    assert "merge_request_event" in rule["if"] and "$GITLAB_TOKEN" in rule["if"]
    assert rule["changes"] == ["config/**/*", "templates/**/*"]
    script = " ".join(PIPELINE["plan-preview"]["script"])
    assert "--mr-note" in script and "--report plan.json" in script
    assert set(PIPELINE["plan-preview"]["artifacts"]["paths"]) == {"plan.txt", "plan.json"}


def test_scheduled_apply_is_chosen_by_variable_never_overlaps_nor_is_cancelled() -> None:
    job = PIPELINE["apply"]
    (rule,) = rules("apply")
    assert '"schedule"' in rule["if"] and "$AUTOMATION_STEPS" in rule["if"]
    assert job["resource_group"] and job["interruptible"] is False
    assert '--steps "$AUTOMATION_STEPS"' in " ".join(job["script"])


def test_a_merge_request_the_token_does_not_reach_says_it_has_no_plan() -> None:
    """A tester's finding: with GITLAB_TOKEN protected, as the README advises, a merge request
    from an unprotected branch (a dependency bot's upgrade) got no plan and nothing said so;
    a reviewer read no plan as "nothing changes". Its pipeline now has a job that fails,
    allowed to, saying why, and needs no install."""
    for pipeline in (PIPELINE, SKELETON):
        request = {"CI_DEFAULT_BRANCH": "main", "CI_PIPELINE_SOURCE": "merge_request_event"}
        assert "plan-preview" not in runs(pipeline, request)
        assert "plan-preview-skipped" in runs(pipeline, request)
        assert "plan-preview-skipped" not in runs(pipeline, {**request, "GITLAB_TOKEN": "x"})
        assert "plan-preview-skipped" in runs(pipeline, {**request, "GITLAB_TOKEN": ""})
        job = pipeline["plan-preview-skipped"]
        (rule,) = job["rules"]
        assert rule["allow_failure"] is True and job["before_script"] == []
        assert rule["changes"] == pipeline["plan-preview"]["rules"][0]["changes"]
        assert "No plan for this merge request" in job["script"][0] and job["script"][1] == "exit 1"


def test_a_merge_cancels_only_the_reading_jobs_of_older_pipelines() -> None:
    """A tester's finding: GitLab's default auto-cancel also cancels jobs of older pipelines
    on the branch that have not started, such as a reminder run waiting for the resource
    group, whatever their `interruptible`: so a merge dropped it."""
    for pipeline in (PIPELINE, SKELETON):
        assert pipeline["workflow"]["auto_cancel"]["on_new_commit"] == "interruptible"
        for name in ("apply", "sync-on-event", "pages"):
            assert pipeline[name].get("interruptible", False) is False, name
        assert pipeline["validate"]["interruptible"] is True


def test_dry_run_is_manual() -> None:
    assert any(r.get("when") == "manual" for r in rules("dry-run"))
    assert all("apply" not in line for line in PIPELINE["dry-run"]["script"])


def automation_calls() -> list[list[str]]:
    calls = []
    for job in PIPELINE.values():
        if isinstance(job, dict):
            for line in job.get("script", []):
                words = shlex.split(line.split("|")[0])
                if words and words[0].endswith("automation"):
                    calls.append(words[1:])
    return calls


def test_every_command_and_flag_the_pipeline_uses_exists() -> None:
    parser = build_parser()
    calls = automation_calls()
    assert {call[0] for call in calls} >= {"validate", "plan", "apply"}
    for call in calls:
        out = io.StringIO()
        with pytest.raises(SystemExit), contextlib.redirect_stdout(out):
            parser.parse_args([call[0], "--help"])
        flags = {word for word in call[1:] if word.startswith("--")}
        assert flags <= set(re.findall(r"--[a-z-]+", out.getvalue())), call


@pytest.fixture
def onboarding(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-onboarding")


def test_summary_line_and_run_report_for_a_run_with_every_outcome(onboarding: Path) -> None:
    assert cli(["apply", "--backend", "local", "--today", "2026-11-24"], {}).code == 0
    issues = onboarding / ".automation" / "issues"
    tom = next(p for p in issues.glob("*.md") if "tom.reyes -->" in p.read_text("utf-8"))
    tom.write_text(tom.read_text("utf-8").replace("- [ ]", "- [x]", 1), "utf-8")  # an update
    ines = next(p for p in issues.glob("*.md") if "ines.moreau -->" in p.read_text("utf-8"))
    ines.write_text(
        ines.read_text("utf-8").replace("<!-- automation:end progress -->", ""), "utf-8"
    )  # fails
    people = onboarding / "config" / "people.yml"
    people.write_text(
        people.read_text("utf-8") + "  - {username: nia.brooks, name: Nia Brooks, "
        "grade: 7, manager: dana.whitfield, start_date: 2026-11-30, geo: AMER}\n",
        "utf-8",
    )
    program = onboarding / "config" / "programs" / "sales-onboarding.yml"
    program.write_text(
        program.read_text("utf-8") + "    - {username: nia.brooks, role: ae}\n", "utf-8"
    )
    report_path = onboarding / "run-report.json"
    result = cli(
        ["apply", "--backend", "local", "--today", "2026-11-24", "--report", str(report_path)], {}
    )
    assert result.code == 1
    last = result.out.strip().splitlines()[-1]
    assert re.fullmatch(
        r"Summary: 1 created, \d+ updated, \d+ unchanged, 1 failed, 1 warning", last
    )
    document = json.loads(report_path.read_text("utf-8"))
    assert document["command"] == "apply" and document["schema"] == 1
    summary = document["summary"]
    assert (summary["created"], summary["failed"], summary["warnings"]) == (1, 1, 1)
    assert summary["updated"] >= 2  # Tom's issue and the rollups
    assert document["failures"][0]["key"] == "sales-onboarding/ines.moreau"
    assert "kenji.watanabe" in document["warnings"][0]
    assert {a["type"] for a in document["actions"]} >= {"create_issue", "update_description"}


def test_ci_logs_get_collapsible_sections_and_no_colour(project: Path) -> None:
    result = cli(["apply", "--backend", "local"], {"GITLAB_CI": "true"})
    assert "section_start:" in result.out and "[collapsed=true]" in result.out
    assert "section_end:" in result.out and "\x1b[31m" not in result.out


def test_steps_split_creation_from_progress_sync(project: Path) -> None:
    result = cli(["apply", "--backend", "local", "--steps", "labels,progress"], {})
    assert "created issue" not in result.out
    assert result.out.strip().endswith("(16 labels created)")
    created = cli(["apply", "--backend", "local", "--steps", "create"], {})
    assert "created issue" in created.out
    with pytest.raises(SystemExit) as stopped:
        cli(["apply", "--backend", "local", "--steps", "everything"], {})
    assert stopped.value.code == 2


def test_the_merge_request_note_is_one_note_edited_in_place(project: Path) -> None:
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    fake.add_project("enablement/automation")
    mr = fake.add_merge_request("enablement/automation")
    env = {
        "GITLAB_URL": URL,
        "GITLAB_TOKEN": TOKEN,
        "CI_PROJECT_ID": "enablement/automation",
        "CI_MERGE_REQUEST_IID": str(mr),
    }
    people = project / "config" / "people.yml"
    people.write_text(
        people.read_text("utf-8").replace("name: Lena Fischer", 'name: "/close @all /label ~x"'),
        "utf-8",
    )
    with fake.activate():
        first = cli(["plan", "--backend", "gitlab", "--mr-note"], env)
        assert first.code == 0, first.out + first.err
        assert cli(["apply", "--backend", "gitlab", "--steps", "create"], env).code == 0
        second = cli(["plan", "--backend", "gitlab", "--mr-note"], env)
    assert "note: merge request note created" in first.out
    assert "note: merge request note updated" in second.out
    (note,) = fake.merge_request_notes("enablement/automation", mr)
    assert note.startswith("<!-- automation:plan-note -->")
    assert fake.quick_actions == []
    assert [m for m in fake.mentions if m.where.startswith("mr-note")] == []
    assert all(i["state"] == "opened" for i in fake.issues(PROJECT))
    assert TOKEN not in note
    assert "Lena" not in note and "Fischer" not in note  # names never reach the note


def _with_notes(
    bodies: list[str], meanwhile: Callable[[Any, list[Any]], None] = lambda *_: None
) -> tuple[Result, list[str]]:
    """A merge request with these notes (the token's user wrote them), then `plan --mr-note`
    (MEANWHILE, given the notes' manager and the notes made, sets up what happens during it);
    the run, and the merge request's notes after it."""
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    fake.add_project("enablement/automation")
    mr = fake.add_merge_request("enablement/automation")
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN, "CI_PROJECT_ID": "enablement/automation"}
    env["CI_MERGE_REQUEST_IID"] = str(mr)
    with fake.activate():
        project_api = fake.client().projects.get("enablement/automation", lazy=True)
        notes = project_api.mergerequests.get(mr, lazy=True).notes
        made = [notes.create({"body": body}) for body in bodies]
        meanwhile(fake, [notes, *made])
        result = cli(["plan", "--backend", "gitlab", "--mr-note"], env)
    assert result.code == 0, result.out + result.err
    return result, fake.merge_request_notes("enablement/automation", mr)


OLDER = "<!-- automation:plan-note -->\nan older plan"


def test_two_pipelines_that_both_wrote_the_note_leave_one_after_the_next(project: Path) -> None:
    """Two merge request pipelines at once each found no note and wrote one: the next
    pipeline keeps one, up to date, and deletes the other."""
    _, kept = _with_notes([OLDER, OLDER, "A reviewer's comment"])
    assert len(kept) == 2 and "A reviewer's comment" in kept
    assert sum(note.startswith("<!-- automation:plan-note -->") for note in kept) == 1
    assert not any("an older plan" in note for note in kept)


def test_a_second_note_another_pipeline_deleted_first_is_no_failure(project: Path) -> None:
    """Both pipelines see two notes and delete the second: the one that comes later finds
    it gone (404), and still updates the note it keeps."""

    def deleted_first(fake: Any, made: list[Any]) -> None:
        notes, older = made[0], made[1]
        fake.before_request("DELETE", "/notes/", lambda: notes.delete(older.id))

    result, (kept,) = _with_notes([OLDER, OLDER + ", another"], deleted_first)
    assert "older plan" not in kept and "note: merge request note updated" in result.out


def test_mr_note_outside_a_merge_request_says_so(project: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["plan", "--backend", "local", "--mr-note"], {}, out, err, StepClock())
    assert code == 0
    assert "--mr-note needs the GitLab backend in a merge request pipeline" in out.getvalue()


@pytest.mark.parametrize("number", ["x1", "\u0661", "0", "007"])
def test_mr_note_with_a_merge_request_number_that_is_none_says_so(
    project: Path, number: str
) -> None:
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN, "CI_PROJECT_ID": "1"}
    with fake.activate():
        result = cli(
            ["plan", "--backend", "gitlab", "--mr-note"], env | {"CI_MERGE_REQUEST_IID": number}
        )
    assert result.code == 0 and "Traceback" not in result.err, result.out + result.err
    assert "CI_MERGE_REQUEST_IID a number); no note was written" in result.out


def test_colour_only_on_a_terminal_and_never_with_no_color(project: Path) -> None:
    assert cli(["apply", "--backend", "local"], {}).code == 0
    path = next((project / ".automation" / "issues").glob("1.md"))
    path.write_text(
        path.read_text("utf-8").replace("<!-- automation:end progress -->", ""), "utf-8"
    )
    path.write_text(
        path.read_text("utf-8").replace("1. [ ] Have ongoing", "1. [x] Have ongoing"), "utf-8"
    )
    coloured = Terminal()
    code = run(["apply", "--backend", "local"], {}, coloured, io.StringIO(), StepClock())
    assert code == EXIT_ITEMS_FAILED  # the broken block's item
    assert "\x1b[31mFAILED" in coloured.getvalue()
    plain = Terminal()
    code = run(
        ["apply", "--backend", "local"], {"NO_COLOR": "1"}, plain, io.StringIO(), StepClock()
    )
    assert code == EXIT_ITEMS_FAILED
    assert "FAILED" in plain.getvalue() and "\x1b[" not in plain.getvalue()


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


def test_confidential_items_are_shown_by_reference_only(sponsorship: Path) -> None:
    text = cli(["plan", "--backend", "local"], {}).out
    plan_json = cli(["plan", "--backend", "local", "--json"], {}).out
    report_path = sponsorship / "report.json"
    applied = cli(["apply", "--backend", "local", "--report", str(report_path)], {})
    for output in (text, plan_json, applied.out, report_path.read_text("utf-8")):
        assert "Aiko" not in output and "aiko.tanaka" not in output and "Jordan" not in output
    assert "create a new issue of sales-sponsorship (confidential)" in text
    assert '"confidential": true' in plan_json


SKELETON: dict[str, Any] = yaml.safe_load(
    (REPO / "automation" / "skeleton" / "gitlab-ci.yml").read_text("utf-8")
)
MAIN = {"CI_DEFAULT_BRANCH": "main", "GITLAB_TOKEN": "masked"}
PIPELINES = {
    "merge request": {"CI_PIPELINE_SOURCE": "merge_request_event"},
    "push to main": {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"},
    "push to a branch": {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "idea"},
    "hourly sync": {
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_COMMIT_BRANCH": "main",
        "AUTOMATION_STEPS": "labels,progress",
    },
    "daily create": {
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_COMMIT_BRANCH": "main",
        "AUTOMATION_STEPS": "create",
    },
    "schedule on a branch": {
        "CI_PIPELINE_SOURCE": "schedule",
        "CI_COMMIT_BRANCH": "idea",
        "AUTOMATION_STEPS": "labels,progress",
    },
    "issue event": {
        "CI_PIPELINE_SOURCE": "trigger",
        "CI_COMMIT_BRANCH": "main",
        "TRIGGER_PAYLOAD": "/builds/payload",
    },
    "issue event on a branch": {
        "CI_PIPELINE_SOURCE": "trigger",
        "CI_COMMIT_BRANCH": "idea",
        "TRIGGER_PAYLOAD": "/builds/payload",
    },
}
EXPECTED = {
    "merge request": {"validate", "tests", "plan-preview"},
    "push to main": {"validate", "tests", "dry-run"},
    "push to a branch": set(),
    "hourly sync": {"apply", "pages"},
    "daily create": {"apply"},
    "schedule on a branch": set(),
    "issue event": {"sync-on-event"},  # not the tests, nor validate, before the sync
    "issue event on a branch": set(),
}


@pytest.mark.parametrize("pipeline", PIPELINES)
@pytest.mark.parametrize("ours", [True, False], ids=["this repository", "the team skeleton"])
def test_each_pipeline_runs_just_its_jobs(pipeline: str, ours: bool) -> None:
    jobs = runs(PIPELINE if ours else SKELETON, {**MAIN, **PIPELINES[pipeline]})
    expected = EXPECTED[pipeline] - (set() if ours else {"tests"})
    assert set(jobs) == expected
    assert jobs.get("dry-run", "manual") == "manual"
    # and GitLab creates it: no job needs one the pipeline does not run
    assert starts(PIPELINE if ours else SKELETON, {**MAIN, **PIPELINES[pipeline]}, set()) <= set(
        jobs
    )


@pytest.mark.parametrize("ours", [True, False], ids=["this repository", "the team skeleton"])
def test_the_dashboard_is_published_after_a_sync_where_some_items_failed(ours: bool) -> None:
    """apply exits 1 when some items failed and the others were written: the pages job still
    runs after it (it needed apply to succeed, so the dashboard stayed as it was, silently)."""
    pipeline = PIPELINE if ours else SKELETON
    sync = {**MAIN, **PIPELINES["hourly sync"]}
    assert starts(pipeline, sync, failed=set()) == {"apply", "pages"}
    assert starts(pipeline, sync, failed={"apply"}) == {"apply", "pages"}
    assert pipeline["pages"]["needs"] == [{"job": "apply", "artifacts": False}]
    (rule,) = pipeline["pages"]["rules"]
    assert rule["when"] == "always"  # in the rule: older GitLab refuses a `when` beside `rules`
    waiting = copy.deepcopy(pipeline)
    del waiting["pages"]["rules"][0]["when"]
    assert starts(waiting, sync, failed={"apply"}) == {"apply"}  # as it was


def test_a_tag_runs_the_tests_then_the_release_which_needs_them() -> None:
    """A newcomer's review: a pushed `v*` tag published a release with no test run on its
    commit; the tag pipeline runs the tests, and the release starts only if they pass."""
    tag = {**MAIN, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1.2.3"}
    assert set(runs(PIPELINE, tag)) == {"tests", "release"}
    assert starts(PIPELINE, tag, failed=set()) == {"tests", "release"}
    assert starts(PIPELINE, tag, failed={"tests"}) == {"tests"}
    assert PIPELINE["release"]["needs"] == ["tests"]
    other = {**tag, "CI_COMMIT_TAG": "draft"}  # not a release's tag: nothing runs
    assert set(runs(PIPELINE, other)) == set()
    for source in ("schedule", "trigger"):  # no tests there: no release needing them (a review)
        assert "release" not in runs(PIPELINE, {**tag, "CI_PIPELINE_SOURCE": source})
        starts(PIPELINE, {**tag, "CI_PIPELINE_SOURCE": source}, set())  # GitLab creates it


def test_the_rules_reader_reads_gitlab_expressions() -> None:
    seen = {"A": "x", "B": "labels,progress", "EMPTY": ""}
    assert holds('$A == "x" && $B =~ /progress/', seen)
    assert not holds('$A == "x" && ($EMPTY || $MISSING)', seen)
    assert holds('$MISSING == null || $A != "y"', seen)
    assert not holds("$EMPTY == null", seen) and holds('$EMPTY == ""', seen)


def headings(readme: Path) -> set[str]:
    lines = readme.read_text(encoding="utf-8").splitlines()
    return {line.lstrip("#").strip() for line in lines if re.match(r"#+ ", line)}


def sections_named(pipeline: Path) -> list[tuple[str, str]]:
    """The README sections a pipeline's comments send readers to: (which README, section)."""
    comments = " ".join(
        line.strip().lstrip("#").strip()
        for line in pipeline.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("#")
    )
    named = []
    for which, titles in re.findall(
        r'(README\.md|program-automation README), ((?:"[^"]+"(?: and | or |, )?)+)', comments
    ):
        named += [(which, title) for title in re.findall(r'"([^"]+)"', titles)]
    return named


@pytest.mark.parametrize(
    ("pipeline", "readme"),
    [
        (".gitlab-ci.yml", "README.md"),
        ("automation/skeleton/gitlab-ci.yml", "automation/skeleton/README.md"),
    ],
    ids=["this repository", "the team skeleton"],
)
def test_every_readme_section_the_pipeline_names_is_there(pipeline: str, readme: str) -> None:
    """A team's repository has the README that init writes, not this one: what its pipeline
    sends a reader to is in that README, or named as the tool's README."""
    named = sections_named(REPO / pipeline)
    assert len(named) >= 4
    for which, title in named:
        among = headings(REPO / (readme if which == "README.md" else "README.md"))
        assert title in among, (which, title)


def test_writing_jobs_are_given_time_for_a_paced_first_run() -> None:
    for pipeline in (PIPELINE, SKELETON):
        assert pipeline["apply"]["timeout"] == "4h"


def _mr_plan(
    env_more: dict[str, str], *options: str, refused: bool = False
) -> tuple[Result, list[str]]:
    """`plan --mr-note` (and OPTIONS) in a merge request pipeline of enablement/automation,
    with ENV_MORE (and GitLab REFUSED to comment: 403); the run, and the notes after it."""
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    if refused:
        fake.inject(403, times=100, method="POST", path_contains="/merge_requests/")
    fake.add_project("enablement/automation")
    mr = fake.add_merge_request("enablement/automation")
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN, "CI_PROJECT_ID": "enablement/automation"}
    env |= {"CI_MERGE_REQUEST_IID": str(mr), **env_more}
    with fake.activate():
        result = cli(["plan", "--backend", "gitlab", "--mr-note", *options], env)
    return result, fake.merge_request_notes("enablement/automation", mr)


def test_mr_note_on_another_server_than_gitlab_url_is_not_posted(project: Path) -> None:
    """An operator's: with GITLAB_URL not the pipeline's server (README allows it), the
    merge request's project number meant another project on GITLAB_URL's server, which got
    the plan. The note is not posted then."""
    elsewhere, notes = _mr_plan({"CI_SERVER_URL": "https://ci.other.example"})
    assert elsewhere.code == 0 and notes == [], elsewhere.out
    assert "GITLAB_URL names another; no note was written" in elsewhere.out
    same, notes = _mr_plan({"CI_SERVER_URL": URL.upper() + ":443/"})
    assert same.code == 0 and len(notes) == 1, same.out


def test_mr_note_with_json_leaves_the_json_document_alone(project: Path) -> None:
    """An operator's: `plan --json --mr-note` printed its note line after the document."""
    result, notes = _mr_plan({}, "--json")
    assert result.code == 0 and len(notes) == 1, result.out + result.err
    assert json.loads(result.out)["summary"] is not None
    assert "note: merge request note created" in result.err


def test_mr_note_on_a_merge_request_the_token_cannot_see_says_so_and_the_plan_stands(
    project: Path,
) -> None:
    """An operator's: a 404 reading the merge request's notes ended `plan` with exit 1 and no
    FAILED line; the note is a courtesy: the plan stands, the line says what to check."""
    result, notes = _mr_plan({"CI_MERGE_REQUEST_IID": "77"})
    assert result.code == 0 and notes == [], result.out + result.err
    assert "note: no merge request note was written (" in result.out
    assert "a group access token reaches only its group's projects" in result.out
    locked, notes = _mr_plan({}, refused=True)  # a reviewer's: a 403 ended the plan, exit 3
    assert locked.code == 0 and notes == [], locked.out + locked.err
    assert "note: no merge request note was written (GitLab refused" in locked.out
