"""Mistakes a person makes, and command-line polish: several programs at once, the version, the
help's environment and exit codes, `--today` on GitLab only as a rehearsal, a report folder
checked before any work, `.yaml` files, repeated people, and iids never reused."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from automation import cli as cli_module
from automation.cli import build_parser
from tests.backends import (
    GROUP,
    PROJECT,
    URL,
    GitLabBackend,
    StepClock,
    cli,
    new_fake,
    roster_of,
)
from tests.conftest import keep_programs
from tests.local_cli import TODAY, issues
from tests.projects import make_project


def test_two_programs_are_both_worked_on(shipped: Path) -> None:
    chosen = ["--program", "csm-aspiring-leaders", "--program", "sales-sponsorship"]
    result = cli(["apply", "--backend", "local", "--today", TODAY, *chosen], {})
    assert result.code == 0, result.err
    programs = {key.split("/", 1)[0] for key in issues(shipped)}
    assert programs == {"csm-aspiring-leaders", "sales-sponsorship"}


def test_each_unknown_program_is_named(shipped: Path) -> None:
    result = cli(["validate", "--program", "nope", "--program", "nada"], {})
    assert result.code == 2
    assert "--program nope, --program nada: no program with those ids" in result.err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--version"])
    assert capsys.readouterr().out.startswith("automation ")
    text = parser.format_help()
    for needle in ("GITLAB_URL", "GITLAB_TOKEN", "exit codes:", "3  GitLab unreachable"):
        assert needle in text


def test_apply_today_on_gitlab_needs_rehearsal(shipped: Path) -> None:
    fake = new_fake()
    with fake.activate():
        env = GitLabBackend(fake).env()
        refused = cli(["apply", "--backend", "gitlab", "--today", "2027-03-01"], env)
        assert refused.code == 2
        assert "add --rehearsal" in refused.err
        assert fake.issues("enablement/programs") == []


@pytest.mark.parametrize("workspace", ["config", "config/programs", "templates/x", "config/ws"])
def test_a_workspace_inside_config_or_templates_is_refused(shipped: Path, workspace: str) -> None:
    """An attacker's trial: `--workspace config` wrote every issue file (a confidential
    program's too) into the folder a team commits; `config/programs` broke every later run."""
    before = sorted(p.relative_to(shipped) for p in shipped.rglob("*"))
    result = cli(["apply", "--today", TODAY, "--workspace", workspace], {})
    assert result.code == 2 and "Traceback" not in result.err
    assert f"--workspace {workspace}: it is in " in result.err
    assert "using the local backend" not in result.err  # said before where it would be
    assert sorted(p.relative_to(shipped) for p in shipped.rglob("*")) == before


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--report", "config/people.yml"],
        ["plan", "--report", "config/programs/report.json"],
        ["plan", "--report", "templates/report.json"],
        ["plan", "--report", "config/report.json"],  # a newcomer's: committed with config/
        ["dashboard", "--out", "config/programs"],
        ["dashboard", "--out", "templates"],
        ["dashboard", "--out", "config"],
        # a fuzzing trial: `--report .automation/issues/1.md` wrote the report over issue #1
        # and said "nothing was written"; the next run stopped there, the issue's ticks lost
        ["apply", "--report", ".automation/issues/1.md"],
        ["plan", "--report", ".automation/labels.yml"],
        ["dashboard", "--out", ".automation/issues"],
    ],
)
def test_a_report_or_site_inside_config_templates_or_the_workspace_is_refused(
    shipped: Path, args: list[str]
) -> None:
    """An attacker's trial: `--report config/people.yml` wrote JSON over the roster (the next
    run failed at its line 1266), `dashboard --out templates` put 13 pages among them."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    before = {p.relative_to(shipped): p.read_bytes() for p in shipped.rglob("*") if p.is_file()}
    result = cli([*args, "--backend", "local", "--today", TODAY], {})
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{args[1]} {args[2]}: it is in " in result.err, result.err
    after = {p.relative_to(shipped): p.read_bytes() for p in shipped.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("command", ["apply", "plan"])
def test_a_lone_surrogate_in_a_refused_value_leaves_a_json_report(
    shipped: Path, command: str
) -> None:
    """A fuzzing trial: `name: "Lena \\ud800"` (a YAML escape) was said at its line, then a
    traceback, exit 1, and an empty report: UTF-8 cannot hold the surrogate the line quotes."""
    people = shipped / "config" / "people.yml"
    people.write_text(
        people.read_text("utf-8").replace("name: Lena Fischer", 'name: "Lena \\ud800"'), "utf-8"
    )
    result = cli([command, "--backend", "local", "--today", TODAY, "--report", "r.json"], {})
    assert result.code == 2 and "Traceback" not in result.err, result.err
    report = json.loads((shipped / "r.json").read_text("utf-8"))
    assert report["exit_code"] == 2 and "people.yml:42:" in json.dumps(report), report


def test_a_report_beside_a_flat_layout_is_written(shipped: Path) -> None:
    """With `--config .` a report in the same folder is no program file."""
    for name in ("people.yml", "settings.yml", "job-grades.yml", "programs"):
        (shipped / "config" / name).rename(shipped / name)
    result = cli(["plan", "--today", TODAY, "--config", ".", "--report", "report.json"], {})
    assert result.code == 0, result.err
    assert json.loads((shipped / "report.json").read_text("utf-8"))["today"] == TODAY


def test_a_flat_layout_keeps_its_default_workspace(shipped: Path) -> None:
    """A reviewer's: with `--config .` the default workspace, .automation, is inside the
    configuration folder; it is no mistake there (nothing reads it as configuration)."""
    for name in ("people.yml", "settings.yml", "job-grades.yml", "programs"):
        (shipped / "config" / name).rename(shipped / name)
    result = cli(["plan", "--today", TODAY, "--config", "."], {})
    assert result.code == 0, result.err
    assert "--workspace" not in result.err


def test_the_day_is_the_utc_day_whatever_the_runners_time_zone(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 23:30 UTC a runner in Kiritimati (UTC+14) is already on the next day; the run plans
    for GitLab's (UTC) day, so runners in different zones do not flip the day back and forth
    (a tester saw overdue labels and warnings flap)."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    try:
        late = StepClock(dt.datetime(2031, 6, 30, 23, 30, tzinfo=dt.UTC))
        report = shipped / "report.json"
        result = cli(
            [
                "plan",
                "--config",
                str(shipped / "config"),
                "--templates",
                str(shipped / "templates"),
                "--workspace",
                str(shipped / ".automation"),
                "--report",
                str(report),
            ],
            {},
            late,
        )
        assert result.code in (0, 1), result.err
        assert json.loads(report.read_text("utf-8"))["today"] == "2031-06-30"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_runner_whose_clock_is_months_off_writes_nothing(shipped: Path) -> None:
    """A runner's clock months ahead of GitLab's would post ended notes, seal scorecards and
    record history for that day, for good (a tester's finding): the run stops before its
    first write, with exit 2; a day apart (a run at midnight) is fine."""
    fake = new_fake(users=("automation-bot", *roster_of(shipped)))
    with fake.activate():
        env = GitLabBackend(fake).env()
        ahead = StepClock(fake.clock.now() + dt.timedelta(days=120))
        refused = cli(["apply", "--backend", "gitlab"], env, ahead)
        assert refused.code == 2, refused.out + refused.err
        assert "this machine's clock says it is 2027-03-24, GitLab's says 2026-11-24" in (
            refused.err
        )
        assert fake.issues(PROJECT) == [] and not [r for r in fake.requests if r.method != "GET"]
        midnight = StepClock(fake.clock.now() + dt.timedelta(hours=20))
        assert cli(["apply", "--backend", "gitlab"], env, midnight).code in (0, 1)
        assert fake.issues(PROJECT)


def test_a_runner_whose_clock_is_off_keeps_no_record_of_its_day(shipped: Path) -> None:
    """With nothing to write, a run on a wrong day keeps no record of that day either (a
    reviewer saw the record of the last run written for the runner's wrong day)."""
    keep_programs(shipped, "csm-aspiring-leaders")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        env = GitLabBackend(fake).env()
        assert cli(["apply", "--backend", "gitlab"], env).code == 0
        first = len(fake.requests)
        ahead = StepClock(fake.clock.now() + dt.timedelta(days=90))
        quiet = cli(["apply", "--backend", "gitlab"], env, ahead)
        assert quiet.code == 0, quiet.err
        assert "was not kept (this machine's clock says it is 2027-02-2" in quiet.out, quiet.out
        assert not [r for r in fake.requests[first:] if r.method != "GET"]


@pytest.mark.parametrize("command", ["apply", "plan"])
def test_a_run_that_fails_before_writing_still_leaves_its_report(
    shipped: Path, command: str
) -> None:
    """A tester: the CI jobs keep the report `when: always`, and a job that failed on its
    configuration or on GitLab had none, where the on-call person looks first."""
    people = shipped / "config" / "people.yml"
    text = people.read_text("utf-8")
    people.write_text(text.replace("people:", "peeple:", 1), "utf-8")
    wrong = cli([command, "--backend", "local", "--today", TODAY, "--report", "r.json"], {})
    assert wrong.code == 2
    report = json.loads((shipped / "r.json").read_text("utf-8"))
    said = "\n".join(report["notices"])
    assert "config/people.yml:" in said and "nothing was written" in said
    assert report["summary"]["created"] == 0 and report["exit_code"] == 2
    people.write_text(text, "utf-8")
    keep_programs(shipped, "csm-aspiring-leaders")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        env = {**GitLabBackend(fake).env(), "GITLAB_TOKEN": "glpat-expired-token-0000"}
        refused = cli([command, "--backend", "gitlab", "--report", "r2.json"], env)
    assert refused.code == 3
    report = json.loads((shipped / "r2.json").read_text("utf-8"))
    assert any("GitLab rejected the token" in notice for notice in report["notices"])
    assert report["exit_code"] == 3
    assert "glpat-expired-token-0000" not in (shipped / "r2.json").read_text("utf-8")


def test_a_report_into_a_missing_folder_is_refused_before_any_work(shipped: Path) -> None:
    result = cli(["apply", "--backend", "local", "--report", "nowhere/report.json"], {})
    assert result.code == 2
    assert "the folder nowhere does not exist" in result.err
    assert not (shipped / ".automation" / "issues").exists()


def test_a_report_under_a_file_is_said_to_be_under_a_file(shipped: Path) -> None:
    """A trial: `--report afile/r.json` said the folder afile does not exist."""
    (shipped / "afile").write_text("ours\n", "utf-8")
    result = cli(["plan", "--backend", "local", "--report", "afile/r.json"], {})
    assert result.code == 2
    assert result.err == "automation: --report afile/r.json: afile is a file\n"


@pytest.mark.parametrize("command", ["apply", "plan"])
def test_a_report_given_a_folder_is_refused_before_any_work(shipped: Path, command: str) -> None:
    (shipped / "reports").mkdir()
    result = cli([command, "--backend", "local", "--today", TODAY, "--report", "reports"], {})
    assert result.code == 2 and "Traceback" not in result.err
    assert (
        "--report reports: is a folder; give a file, such as reports/run-report.json" in result.err
    )
    assert not (shipped / ".automation").exists()


@pytest.mark.parametrize("out", ["/etc/passwd/site", "/proc/nowhere"])
def test_a_dashboard_folder_that_cannot_be_made_is_one_line(shipped: Path, out: str) -> None:
    result = cli(["dashboard", "--backend", "local", "--out", out], {})
    assert result.code == 2 and "Traceback" not in result.err
    assert f"--out {out}: cannot make that folder (" in result.err


def test_a_program_file_spelt_yaml_is_read(shipped: Path) -> None:
    programs = shipped / "config" / "programs"
    (programs / "csm-aspiring-leaders.yml").rename(programs / "csm-aspiring-leaders.yaml")
    result = cli(["validate"], {})
    assert result.code == 0, result.err
    assert "4 programs" in result.out


def test_a_person_twice_in_an_account_team_is_an_error(shipped: Path) -> None:
    program = shipped / "config" / "programs" / "executive-sponsorship.yml"
    text = program.read_text("utf-8")
    program.write_text(
        text.replace("[tom.reyes, arjun.mehta]", "[tom.reyes, arjun.mehta, Tom.Reyes]"), "utf-8"
    )
    result = cli(["validate"], {})
    assert result.code == 2
    first = result.err.splitlines()[0]
    assert first.startswith("config/programs/executive-sponsorship.yml:")
    assert "account 'globex': account team member 'tom.reyes' appears twice" in first


def test_a_person_in_two_overlapping_cohorts_is_warned_about(shipped: Path) -> None:
    program = shipped / "config" / "programs" / "csm-aspiring-leaders.yml"
    second = (
        "  - id: fy27-second\n    name: Second group\n    start_date: 2027-01-04\n"
        "    end_date: 2027-06-30\n    participants:\n      - sam.delacroix\n"
    )
    text = program.read_text("utf-8")  # the cohort goes after the pilot group, before group_issues
    program.write_text(text.replace("# The pilot group:", second + "# The pilot group:"), "utf-8")
    result = cli(["validate"], {})
    assert result.code == 0, result.err
    assert (
        "warning: csm-aspiring-leaders: sam.delacroix in both cohorts 'fy27-pilot' and "
        "'fy27-second', whose dates overlap" in result.out
    )


def test_the_local_backend_never_gives_an_iid_twice(shipped: Path) -> None:
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    folder = shipped / ".automation" / "issues"
    highest = max(int(p.stem) for p in folder.glob("*.md"))
    (folder / f"{highest}.md").unlink()  # a person deletes the newest issue file
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    assert not (folder / f"{highest}.md").exists()
    assert (folder / f"{highest + 1}.md").is_file()


def test_a_title_cut_at_gitlabs_limit_is_warned_about(shipped: Path) -> None:
    program = shipped / "config" / "programs" / "csm-aspiring-leaders.yml"
    text = program.read_text("utf-8").replace(
        'title: "CSM Aspiring Leaders: {{ participant.name }} ({{ cohort.name }})"',
        'title: "CSM Aspiring Leaders: {{ participant.name * 25 }}"',  # names of 13+ letters
    )
    program.write_text(text, "utf-8")
    result = cli(["validate"], {})
    assert result.code == 0, result.err
    assert "the title of csm-aspiring-leaders/fy27-pilot/sam.delacroix is longer than" in result.out


def test_a_gitlab_read_failing_mid_run_is_exit_3_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_project(
        tmp_path, {"config/settings.yml": f"gitlab:\n  group: {GROUP}\n  project: {PROJECT}\n"}
    )
    fake = new_fake(users=("ana", "ben"))
    monkeypatch.setattr("time.sleep", fake.sleep)  # python-gitlab's retries back off for real
    gitlab = GitLabBackend(fake)
    with fake.activate():
        assert gitlab.cli("apply").code == 0
        (issue,) = [i for i in gitlab.issues() if i.title == "Demo: Ben"]
        gitlab.edit(issue.iid, lambda text: text.replace("- [ ] task", "- [x] task"))
        writes = gitlab.fingerprint()
        fault = fake.inject(502, times=1000, method="GET", path_contains="/issues")
        result = gitlab.cli("apply")
    assert fault.fired > 1  # retried, then given up
    assert result.code == 3
    assert result.err.startswith(f"automation: cannot reach GitLab at {URL}: GitLab failed while")
    assert len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    assert gitlab.fingerprint() == writes  # nothing was written


def test_the_command_collects_garbage_less_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """`automation` runs with the collector's first threshold raised (a third of a big run's
    CPU went to collections), and leaves the older generations' thresholds as they were."""
    seen: list[tuple[int, ...]] = []

    def run(*_: object) -> int:
        seen.append(gc.get_threshold())
        return 0

    monkeypatch.setattr(cli_module, "run", run)
    monkeypatch.setattr(sys, "argv", ["automation", "--version"])
    before = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as exited:
            cli_module.main()
    finally:
        gc.set_threshold(*before)
    assert exited.value.code == 0
    assert seen == [(cli_module.ALLOCATIONS_PER_COLLECTION, *before[1:])]
    assert before[0] < cli_module.ALLOCATIONS_PER_COLLECTION


def test_a_person_listed_twice_is_one_problem_not_more(shipped: Path) -> None:
    """The repeat is the mistake; checks that look the person up read the first entry, the
    one the message points to (a sponsee's grade is there, not in the bare repeat)."""
    with (shipped / "config" / "people.yml").open("a", encoding="utf-8") as roster:
        roster.write("  - username: aiko.tanaka\n    name: Aiko T\n")
    result = cli(["validate"], {})
    assert result.code == 2
    problems = [line for line in result.err.splitlines() if not line.startswith("automation:")]
    assert len(problems) == 1 and "person 'aiko.tanaka' is listed twice" in problems[0], problems


def test_a_report_that_cannot_be_written_is_refused_before_any_work(shipped: Path) -> None:
    """An operator's: a report path the job cannot write ended the run in a traceback after
    its writes (exit 1, '0 failed'). It is tried first: one line, exit 2, nothing written."""
    result = cli(["apply", "--backend", "local", "--report", "/proc/run-report.json"], {})
    assert result.code == 2 and "Traceback" not in result.err, result.err
    assert "--report /proc/run-report.json: cannot write it (" in result.err
    assert not (shipped / ".automation").exists()
    kept = shipped / "run-report.json"
    kept.write_text("an earlier report", "utf-8")  # one there already: tried, not emptied
    assert cli(["plan", "--backend", "local", "--report", str(kept)], {}).code == 0
    assert json.loads(kept.read_text("utf-8"))["command"] == "plan"


def test_a_report_that_fails_after_the_run_says_so_in_one_line(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up after the check: the run's work stands, and one line says the
    report was not written (exit 3: the environment's failure, not an item's), not a
    traceback."""
    written = Path.write_text

    def full(path: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if path.name == "run-report.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        return written(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    result = cli(["apply", "--backend", "local", "--report", "run-report.json"], {})
    assert result.code == 3 and "Traceback" not in result.err, result.err
    assert "cannot write it (No space left on device); the run itself was done" in result.err
    assert "Summary: 59 created" in result.out


@pytest.mark.parametrize(
    "argv",
    [
        ["apply", "--today", "2026-13-01"],
        ["plan", "--backend", "nope"],
        ["validate", "--nope"],
        [],
        ["dashboard", "--out", ""],  # a variable not set: not the current folder (a trial)
        ["plan", "--workspace", " "],
        ["apply", "--report", ""],
        ["validate", "--config", ""],
    ],
)
def test_a_command_line_mistake_is_one_line(argv: list[str]) -> None:
    """An attacker's trial: a `--today` typo printed argparse's five lines of usage before the
    line that said what was wrong. One line now, ending with where the options are listed."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exited:
        cli(argv, {})
    assert exited.value.code == 2
    [line] = err.getvalue().splitlines()
    assert line.startswith("automation") and ": error: " in line, line
    assert line.endswith(" --help`)"), line
