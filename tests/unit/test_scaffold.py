"""`automation init DIR` writes a team's programs repository (the shipped samples, a pipeline that
installs a pinned release, a README), never over an existing file; the pipelines install the
runtime dependencies from a lock file with hashes."""

from __future__ import annotations

import copy
import errno
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from automation import scaffold
from automation.config.models import Settings
from automation.errors import EXIT_INVALID_CONFIG, EXIT_OK
from tests.backends import cli
from tests.conftest import REPO

OURS: dict[str, Any] = yaml.safe_load((REPO / ".gitlab-ci.yml").read_text("utf-8"))
VERSION = scaffold.version()


def shipped_files(folder: str) -> dict[str, bytes]:
    root = REPO / folder
    return {
        str(path.relative_to(REPO)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def written_files(root: Path, folder: str) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def team_pipeline(root: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((root / ".gitlab-ci.yml").read_text("utf-8"))
    return loaded


# --- what init writes ---------------------------------------------------------------------------


def test_init_writes_the_samples_a_pipeline_a_pin_and_a_readme(tmp_path: Path) -> None:
    target = tmp_path / "programs"
    result = cli(["init", str(target)], {})
    assert (result.code, result.err) == (EXIT_OK, "")
    for folder in ("config", "templates"):
        assert written_files(target, folder) == shipped_files(folder)
    assert (target / "requirements.txt").read_text("utf-8").splitlines()[-1] == (
        f"program-automation=={VERSION}"
    )
    assert f"program-automation {VERSION}" in (target / "README.md").read_text("utf-8")
    ignored = (target / ".gitignore").read_text("utf-8").splitlines()
    reports = {"run-report.json", "event-report.json"}  # the sync-on-event job's too
    assert {".automation/", ".rehearsal/", "public/", *reports} <= set(ignored)
    written = sorted(p for p in target.rglob("*") if p.is_file())
    lines = result.out.splitlines()
    assert sorted(lines[:-1]) == sorted(f"wrote {p}" for p in written)
    assert lines[-1].startswith(f"Wrote {len(written)} files into {target}/ for program-")
    assert "holds the sample programs and fictional people: put yours" in lines[-1]


@pytest.mark.parametrize(("release", "said"), [("0.3.0.dev0", True), ("0.3.0", False)])
def test_init_from_a_development_build_says_it_is_no_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, release: str, said: bool
) -> None:
    """A newcomer's trial: init from main pinned the last release, 0.2.0, which refused the
    config/ main wrote (every job of the team's pipeline exit 2). Main's builds are
    development versions: init pins one, and says the team's jobs need it published."""
    monkeypatch.setattr(scaffold, "version", lambda: release)
    target = tmp_path / "programs"
    result = cli(["init", str(target)], {})
    assert result.code == EXIT_OK, result.err
    assert (target / "requirements.txt").read_text("utf-8").splitlines()[-1] == (
        f"program-automation=={release}"
    )
    last = result.out.splitlines()[-1]
    note = f"{release} is a development build, not a release: the team's jobs can install it"
    assert (note in last) is said, last
    if said:
        assert f"only once this build is published as {release} (a tag v{release} on this" in last
        assert last.endswith("may need features no earlier build has.")


def test_the_checkout_is_a_development_build_or_a_release_in_changes() -> None:
    """Main's version is a development one while CHANGES.md has unreleased changes: a build of
    main never passes for the last release."""
    changes = (REPO / "CHANGES.md").read_text("utf-8")
    unreleased = "\n## Unreleased" in changes
    assert VERSION is not None and (".dev" in VERSION) is unreleased, VERSION


def test_the_team_readme_has_the_samples_replaced_and_a_dry_run_before_the_schedules(
    tmp_path: Path,
) -> None:
    """A newcomer's trial: following the team README's steps literally made the schedules run
    on the sample programs and people; its dry run was only in this project's README."""
    target = tmp_path / "programs"
    assert cli(["init", str(target)], {}).code == EXIT_OK
    readme = (target / "README.md").read_text("utf-8")
    steps = readme[readme.index("## Set up the pipelines") :]
    samples, schedules = steps.index("in place of the samples"), steps.index("schedules on")
    assert samples < steps.index("`dry-run` job") < schedules
    jobs = yaml.safe_load((target / ".gitlab-ci.yml").read_text("utf-8"))
    assert jobs["dry-run"]["rules"][-1]["when"] == "manual"  # the job the README names


def test_the_new_repository_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli(["init", str(tmp_path / "team")], {}).code == EXIT_OK
    monkeypatch.chdir(tmp_path / "team")
    result = cli(["validate"], {})
    assert result.code == EXIT_OK, result.err
    assert "Configuration is valid: 4 programs" in result.out


def test_the_sample_settings_show_how_to_keep_a_replaced_tokens_issues() -> None:
    """Every deployment replaces its token (group access tokens expire): the settings a team
    starts from carry the former_users line, commented out, and it is valid once uncommented."""
    text = (REPO / "config" / "settings.yml").read_text("utf-8")
    (example,) = [line for line in text.splitlines() if line.lstrip().startswith("# former_users:")]
    settings = Settings.model_validate(
        yaml.safe_load(text.replace(example, example.replace("# ", "", 1)))
    )
    assert settings.gitlab.former_users == ("group_42_bot_0123456789abcdef",)
    assert Settings.model_validate(yaml.safe_load(text)).gitlab.former_users == ()


def test_the_tool_project_names_the_package_registry(tmp_path: Path) -> None:
    assert (
        cli(
            ["init", str(tmp_path / "a"), "--tool-project", "tools/automation/program-automation"],
            {},
        ).code
        == 0
    )
    assert cli(["init", str(tmp_path / "b"), "--tool-project", "4242"], {}).code == 0
    a, b = team_pipeline(tmp_path / "a"), team_pipeline(tmp_path / "b")
    assert a["variables"]["AUTOMATION_PACKAGES"] == "tools%2Fautomation%2Fprogram-automation"
    assert b["variables"]["AUTOMATION_PACKAGES"] == "4242"
    install = " ".join(a["default"]["before_script"])
    assert "}/projects/${AUTOMATION_PACKAGES}/packages/pypi/simple" in install


@pytest.mark.parametrize("given", ["", "program-automation", "https://gitlab.com/tools/x"])
def test_a_tool_project_that_is_no_project_path_is_refused(tmp_path: Path, given: str) -> None:
    result = cli(["init", str(tmp_path / "team"), "--tool-project", given], {})
    assert result.code == 2 and "Traceback" not in result.err
    assert f"--tool-project {given!r}: give the GitLab project's path" in result.err
    assert not (tmp_path / "team").exists()


# --- never over an existing file ----------------------------------------------------------------


def test_init_refuses_an_existing_file_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "team"
    (target / "config").mkdir(parents=True)
    (target / "config" / "people.yml").write_text("people: []\n", "utf-8")
    result = cli(["init", str(target)], {})
    assert result.code == EXIT_INVALID_CONFIG
    assert result.out == ""
    assert result.err == (
        f"automation: {target}/config/people.yml already exists; init writes only new files "
        "(move it away, or choose another folder)\n"
    )
    assert [p.name for p in target.rglob("*")] == ["config", "people.yml"]
    assert (target / "config" / "people.yml").read_text("utf-8") == "people: []\n"


def test_init_names_every_file_already_there(tmp_path: Path) -> None:
    """A tester: with both `.gitlab-ci.yml` and `README.md` there, only the first was named,
    so they were moved away one attempt at a time."""
    for name in (".gitlab-ci.yml", "README.md"):
        (tmp_path / name).write_text("ours\n", "utf-8")
    result = cli(["init", str(tmp_path)], {})
    assert result.code == EXIT_INVALID_CONFIG
    assert f"{tmp_path}/README.md" in result.err and f"{tmp_path}/.gitlab-ci.yml" in result.err
    assert "already exist; init writes only new files (move them away" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitlab-ci.yml", "README.md"]


def test_a_second_init_into_one_folder_names_a_few_files_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    """A newcomer's trial: a second init into the same folder printed all 56 paths on one
    line of about 5 KB."""
    assert cli(["init", str(tmp_path)], {}).code == 0
    result = cli(["init", str(tmp_path)], {})
    assert result.code == EXIT_INVALID_CONFIG
    (line,) = result.err.strip().splitlines()
    assert re.search(r" and \d+ more already exist; init writes only new files", line), line
    assert line.count(str(tmp_path)) == 5


def test_init_refuses_a_file_where_it_needs_a_folder(tmp_path: Path) -> None:
    (tmp_path / "templates").write_text("not a folder\n", "utf-8")
    result = cli(["init", str(tmp_path)], {})
    assert result.code == EXIT_INVALID_CONFIG
    assert result.err == f"automation: {tmp_path}/templates is a file, where init needs a folder\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["templates"]


def test_init_into_an_existing_folder_with_other_files_keeps_them(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("ours\n", "utf-8")
    assert cli(["init", str(tmp_path)], {}).code == EXIT_OK
    assert (tmp_path / "notes.md").read_text("utf-8") == "ours\n"


def test_a_write_that_fails_part_way_takes_back_what_init_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attacker's trial: the disk filled up part way; 26 files were left (one empty), the
    error said `cannot write None`, and a second init was refused because of them."""
    target = tmp_path / "team"
    (target / "config").mkdir(parents=True)
    (target / "config" / "notes.md").write_text("ours\n", "utf-8")
    real_open = Path.open

    class Full(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def filling(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "x" in mode and self.name == "participant.md.j2":
            real_open(self, mode).close()  # made, then nothing more fits
            return Full()
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", filling)
    result = cli(["init", str(target)], {})
    assert result.code == EXIT_INVALID_CONFIG
    assert result.err == (
        f"automation: cannot write {target}/templates/csm-aspiring-leaders/participant.md.j2: "
        "No space left on device; what init had written is taken back\n"
    )
    assert [str(p.relative_to(target)) for p in sorted(target.rglob("*"))] == [
        "config",
        "config/notes.md",
    ]
    monkeypatch.setattr(Path, "open", real_open)
    assert cli(["init", str(target)], {}).code == EXIT_OK  # nothing in the way now


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("a" * 300, "cannot write into a" + "a" * 299 + ": File name too long"),
        ("dangling", "dangling is a symbolic link to nowhere, which does not exist: make that"),
    ],
)
def test_init_refuses_a_folder_it_cannot_write_into_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, said: str
) -> None:
    """An attacker's trial: a name too long gave a traceback; a link to nowhere, "File
    exists"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dangling").symlink_to("nowhere")
    result = cli(["init", given], {})
    assert result.code == EXIT_INVALID_CONFIG
    (line,) = result.err.splitlines()
    assert said in line
    assert [p.name for p in tmp_path.iterdir()] == ["dangling"]


def test_init_stopped_part_way_takes_back_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or the job's SIGTERM) in the middle of init: no half skeleton is left."""
    real_open = Path.open

    def stopped(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "x" in mode and self.name == "people.yml":
            raise KeyboardInterrupt
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", stopped)
    with pytest.raises(KeyboardInterrupt):
        cli(["init", str(tmp_path / "team")], {})
    assert not list(tmp_path.iterdir())


def test_init_refuses_an_empty_folder_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An attacker's trial: `init "$DIR"` with DIR unset wrote 56 files into the folder the
    shell was in."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        cli(["init", ""], {})
    assert exited.value.code == EXIT_INVALID_CONFIG
    (line,) = capsys.readouterr().err.splitlines()
    assert "argument DIR: an empty folder name (a variable not set?); write . for" in line
    assert not list(tmp_path.iterdir())


def test_a_second_init_is_refused(tmp_path: Path) -> None:
    assert cli(["init", str(tmp_path)], {}).code == EXIT_OK
    assert cli(["init", str(tmp_path)], {}).code == EXIT_INVALID_CONFIG


# --- the pipelines and the lock -----------------------------------------------------------------


def runtime_names() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    return {re.split(r"[<>=!~ \[;]", dep)[0].lower() for dep in project["dependencies"]}


def lock_pins(text: str) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+) \\$", text, flags=re.MULTILINE))


def test_the_lock_pins_every_runtime_dependency_with_hashes_and_no_test_tool() -> None:
    text = (REPO / "requirements.lock").read_text("utf-8")
    pins = lock_pins(text)
    assert runtime_names() <= set(pins)
    assert not {"pytest", "mypy", "ruff", "hypothesis", "responses"} & set(pins)
    requirements = re.split(r"^(?=[a-z0-9])", text, flags=re.MULTILINE)[1:]  # after the header
    assert len(requirements) == len(pins)
    for requirement in requirements:
        assert "--hash=sha256:" in requirement, requirement


def test_the_release_ships_the_lock() -> None:
    lock = scaffold.lock_file()
    assert lock.read_bytes() == (REPO / "requirements.lock").read_bytes()
    printed = subprocess.run(
        [sys.executable, "-m", "automation.scaffold", "--lock"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(printed).read_bytes() == lock.read_bytes()


def test_scheduled_and_plan_jobs_install_the_lock_and_only_tests_get_the_test_tools() -> None:
    runtime = OURS["default"]["before_script"]
    assert runtime == [
        "python -m venv .venv",
        ".venv/bin/pip install --quiet --require-hashes -r requirements.lock",
        ".venv/bin/pip install --quiet --no-deps .",
    ]
    jobs = {name: job for name, job in OURS.items() if isinstance(job, dict) and "script" in job}
    lean = {name for name, job in jobs.items() if job.get("before_script", runtime) == runtime}
    assert lean == {"validate", "plan-preview", "dry-run", "apply", "sync-on-event", "pages"}
    assert "[test]" in " ".join(jobs["tests"]["before_script"])
    assert OURS["default"]["cache"]["paths"] == [".cache/pip"]
    assert OURS["variables"]["PIP_CACHE_DIR"] == "$CI_PROJECT_DIR/.cache/pip"
    assert "requirements.lock" in OURS["default"]["cache"]["key"]["files"]


def test_a_release_tag_publishes_to_the_package_registry_teams_install_from() -> None:
    never, rule = OURS["release"]["rules"]  # never in a schedule's or trigger's pipeline
    assert never["when"] == "never" and "schedule" in never["if"] and "trigger" in never["if"]
    assert "$CI_COMMIT_TAG" in rule["if"]
    tags = re.compile(rule["if"].split("=~", 1)[1].strip().strip("/"))
    # a release, and main's development builds (which init pins and says must be published)
    assert [tag for tag in ("v0.3.0", "v0.3.0.dev0", "v0.3", "v0.3.0-rc1") if tags.match(tag)] == [
        "v0.3.0",
        "v0.3.0.dev0",
    ]
    assert "build==" in " ".join(OURS["release"]["before_script"])  # pinned, as every job
    upload = OURS["release"]["script"][-1]
    assert "twine upload" in upload
    assert "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/pypi" in upload


def test_a_team_pipeline_installs_the_pinned_release_then_its_locked_dependencies(
    tmp_path: Path,
) -> None:
    assert cli(["init", str(tmp_path)], {}).code == 0
    install = team_pipeline(tmp_path)["default"]["before_script"][INSTALL:]
    assert install[0].startswith('case "$(printf') and "$AUTOMATION_PACKAGES" in install[0]  # below
    assert install[1] == "python -m venv .venv"
    assert install[2].startswith(".venv/bin/pip install --quiet --no-deps -r requirements.txt ")
    assert install[3] == (
        ".venv/bin/pip install --quiet --require-hashes "
        '-r "$(.venv/bin/python -m automation.scaffold --lock)"'
    )
    assert install[4] == ".venv/bin/pip check"


INSTALL = 1  # the team pipeline's install steps, after the check of the tool's own events
BOT = "group_42_bot_0123"


@pytest.mark.parametrize(
    ("source", "user", "payload", "installs"),
    [
        ("trigger", BOT, {"user": {"username": BOT}}, False),
        ("trigger", BOT, {"user": {"username": BOT.upper()}}, False),  # GitLab's: any case
        ("trigger", BOT, {"user": {"username": "sam.delacroix"}}, True),
        ("trigger", "", {"user": {"username": BOT}}, True),  # no variable: the tool decides
        ("trigger", BOT, {"user": None}, True),
        ("trigger", BOT, "not json", True),
        ("schedule", BOT, {"user": {"username": BOT}}, True),
    ],
)
def test_a_team_event_pipeline_for_the_tools_own_write_ends_before_installing(
    tmp_path: Path, source: str, user: str, payload: object, installs: bool
) -> None:
    """A tick's sync starts two or three pipelines of the tool's own events (an events trial:
    each installed for a minute to find so); with AUTOMATION_BOT_USER set, they end at once."""
    assert cli(["init", str(tmp_path)], {}).code == 0
    check = team_pipeline(tmp_path)["default"]["before_script"][0]
    event = tmp_path / "payload"
    event.write_text(payload if isinstance(payload, str) else json.dumps(payload), "utf-8")
    env = {
        "CI_PIPELINE_SOURCE": source,
        "AUTOMATION_BOT_USER": user,
        "TRIGGER_PAYLOAD": str(event),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",  # python, as the image
    }
    for shell in ("sh", "bash"):
        done = subprocess.run(
            [shell, "-ec", f"{check}\necho installing"],
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0 and done.stderr == "", done.stderr
        assert ("installing" in done.stdout) is installs, done.stdout
        assert ("the tool's own write" in done.stdout) is not installs


def refusal(root: Path, packages: str, shell: str) -> subprocess.CompletedProcess[str]:
    """The team pipeline's first install step, run as its job would, with this
    AUTOMATION_PACKAGES."""
    step = team_pipeline(root)["default"]["before_script"][INSTALL]
    env = {"AUTOMATION_PACKAGES": packages, "PATH": "/bin:/usr/bin"}
    return subprocess.run(
        [shell, "-ec", step], check=False, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("shell", ["sh", "bash"])
@pytest.mark.parametrize(
    "packages",
    [
        "",
        "__AUTOMATION_PACKAGES__",
        "enablement%2Fprogram-automation",
        "enablement/program-automation",
        "Enablement%2FProgram-Automation",  # GitLab finds paths in any case (a reviewer's)
        "enablement%2fprogram-automation",
        " enablement/program-automation",
    ],
)
def test_a_team_pipeline_refuses_a_registry_nobody_chose(
    tmp_path: Path, packages: str, shell: str
) -> None:
    """A project left at init's default (or no project) may be a stranger's, or one without the
    package, whose registry forwards to pypi.org: what it serves would run with GITLAB_TOKEN."""
    assert cli(["init", str(tmp_path)], {}).code == 0
    done = refusal(tmp_path, packages, shell)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        f"AUTOMATION_PACKAGES is '{packages}', not the project that publishes program-automation: "
        "set it in .gitlab-ci.yml to that project's numeric id (README.md, \"Where the tool comes "
        'from"); nothing was installed\n'
    )


@pytest.mark.parametrize("packages", ["4242", "tools%2Fprogram-automation"])
def test_a_team_pipeline_installs_from_a_project_someone_chose(
    tmp_path: Path, packages: str
) -> None:
    assert cli(["init", str(tmp_path)], {}).code == 0
    for shell in ("sh", "bash"):
        done = refusal(tmp_path, packages, shell)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_refused_default_is_inits_default(tmp_path: Path) -> None:
    """init without --tool-project writes the default, which the pipeline refuses, and says so."""
    result = cli(["init", str(tmp_path / "team")], {})
    written = team_pipeline(tmp_path / "team")["variables"]["AUTOMATION_PACKAGES"]
    assert written == quote(scaffold.DEFAULT_TOOL_PROJECT, safe="")
    assert refusal(tmp_path / "team", written, "sh").returncode == 1
    assert "set AUTOMATION_PACKAGES to the numeric id of the project" in result.out
    given = cli(["init", str(tmp_path / "other"), "--tool-project", "4242"], {})
    assert "check AUTOMATION_PACKAGES (the project that publishes the tool: 4242)" in given.out
    shouted = cli(
        ["init", str(tmp_path / "third"), "--tool-project", "Enablement/Program-Automation"], {}
    )
    assert "the pipeline refuses to run with the default" in shouted.out  # as the pipeline does


@pytest.mark.parametrize("pipeline", [".gitlab-ci.yml", "automation/skeleton/gitlab-ci.yml"])
def test_the_pipelines_use_no_keyword_gitlab_deprecated_at_the_top(pipeline: str) -> None:
    """A newcomer: the team pipeline had a global `cache:`; GitLab deprecates defining image,
    services, cache, before_script and after_script globally (use `default:`)."""
    loaded: dict[str, Any] = yaml.safe_load((REPO / pipeline).read_text("utf-8"))
    deprecated = {"image", "services", "cache", "before_script", "after_script"}
    assert not deprecated & set(loaded)
    assert loaded["default"]["cache"]["paths"] == [".cache/pip"]


@pytest.mark.parametrize("pipeline", [".gitlab-ci.yml", "automation/skeleton/gitlab-ci.yml"])
def test_every_script_line_of_the_pipelines_is_shell(pipeline: str) -> None:
    loaded: dict[str, Any] = yaml.safe_load((REPO / pipeline).read_text("utf-8"))
    lines = [
        line
        for job in loaded.values()
        if isinstance(job, dict)
        for key in ("before_script", "script")
        for line in job.get(key, [])
    ]
    assert len(lines) > 10
    for line in lines:
        for shell in ("sh", "bash"):
            subprocess.run([shell, "-n", "-c", line], check=True)


@pytest.mark.parametrize(
    ("api", "index"),
    [
        ("https://gitlab.com/api/v4", "https://gitlab-ci-token:T@gitlab.com/api/v4"),
        (
            "http://git.corp.example:8080/gitlab/api/v4",
            "http://gitlab-ci-token:T@git.corp.example:8080/gitlab/api/v4",
        ),
    ],
)
def test_a_team_pipeline_finds_the_registry_on_a_self_managed_instance(
    tmp_path: Path, api: str, index: str
) -> None:
    """The index address comes from the instance's API address, as the shell expands it: a
    port, a path and plain http stay (the host name alone lost all three)."""
    assert cli(["init", str(tmp_path)], {}).code == 0
    line = team_pipeline(tmp_path)["default"]["before_script"][INSTALL + 2]
    quoted = re.search(r'--index-url ("[^"]+")', line)
    assert quoted is not None
    env = {"CI_API_V4_URL": api, "CI_JOB_TOKEN": "T", "AUTOMATION_PACKAGES": "7", "PATH": "/bin"}
    for shell in ("sh", "bash"):
        command = [shell, "-c", f"printf %s {quoted[1]}"]
        done = subprocess.run(command, check=True, env=env, capture_output=True, text=True)
        assert done.stdout == f"{index}/projects/7/packages/pypi/simple"


def test_a_team_pipeline_runs_the_same_jobs_as_ours_but_tests_and_release(tmp_path: Path) -> None:
    """The skeleton's pipeline (automation/skeleton/gitlab-ci.yml) follows this repository's:
    a change to a job here belongs there too."""
    assert cli(["init", str(tmp_path)], {}).code == 0
    team = team_pipeline(tmp_path)

    def jobs(pipeline: dict[str, Any]) -> dict[str, Any]:
        found = {}
        for name, spec in pipeline.items():
            if isinstance(spec, dict) and "script" in spec and name not in {"tests", "release"}:
                job = dict(spec)
                if "extends" in job:
                    job = {**pipeline[job.pop("extends")], **job}
                job.pop("before_script", None)
                found[name] = job
        return found

    expected = jobs(copy.deepcopy(OURS))
    for plan in ("plan-preview", "plan-preview-skipped"):  # an upgrade is planned too
        rule = expected[plan]["rules"][0]
        rule["changes"] = [*rule["changes"], "requirements.txt"]
    assert jobs(team) == expected
    assert team["stages"] == [stage for stage in OURS["stages"] if stage != "release"]
    assert team["default"]["image"] == OURS["default"]["image"]


def test_init_from_a_checkout_not_installed_says_so_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester: `python -m automation init` from a checkout on PYTHONPATH, not installed,
    stopped with a traceback (PackageNotFoundError)."""

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    result = cli(["init", str(tmp_path / "team")], {})
    assert result.code == EXIT_INVALID_CONFIG and "Traceback" not in result.err
    assert "this copy of the tool is not installed" in result.err
    assert not (tmp_path / "team").exists()
    assert scaffold.version() is None  # and --version says "unknown"
