"""Output piped into a command that stops reading (`automation apply | head -3`): no
traceback, and the run still does all of its work."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, keep_programs
from tests.local_cli import TODAY, run


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_a_reader_that_stops_reading_stops_neither_the_run_nor_cleanly(
    shipped: Path, stream: str
) -> None:
    keep_programs(shipped, "csm-aspiring-leaders")
    command = [sys.executable, "-m", "automation", "apply", "--today", TODAY]  # a note on stderr
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    job = subprocess.Popen(
        command, cwd=shipped, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert job.stdout is not None and job.stderr is not None
    gone, kept = (job.stdout, job.stderr) if stream == "stdout" else (job.stderr, job.stdout)
    gone.close()  # `| head -0`: gone before the run prints its first line
    errors = kept.read().decode()
    assert job.wait(timeout=120) == 0, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors
    assert "No changes" in run("plan", TODAY).out  # every write was made


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_runner_whose_locale_is_not_utf8_gets_every_line(shipped: Path, encoding: str) -> None:
    """A tester: with the runner's locale ISO-8859-1 (or ASCII), the first line holding a
    `…` or a name in another script stopped every run with a traceback, one write further
    each time. What the encoding cannot hold is written as an escape."""
    command = [sys.executable, "-m", "automation", "apply", "--today", TODAY]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": encoding}
    done = subprocess.run(
        command, check=False, cwd=shipped, env=env, capture_output=True, timeout=120
    )
    out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)
    assert done.returncode == 0, out + err
    assert "Traceback" not in out + err and "\\u2026" in out  # an escape, where `…` was
    assert out.rstrip().splitlines()[-1].startswith("Summary: 59 created"), out


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_plan_json_under_a_locale_that_is_not_utf8_is_json(shipped: Path, encoding: str) -> None:
    """A reviewer: with escapes written for what the locale cannot hold, `plan --json` held
    Python's (`\\xb7`), no JSON's: `jq` read nothing. JSON then escapes every other character."""
    (shipped / "config/programs/csm-aspiring-leaders.yml").write_text(
        (shipped / "config/programs/csm-aspiring-leaders.yml")
        .read_text("utf-8")
        .replace("name: CSM Aspiring Leaders", "name: CSM Aspiring Leaders 🚀 · Zoë"),
        "utf-8",
    )
    command = [sys.executable, "-m", "automation", "plan", "--json", "--today", TODAY]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": encoding}
    done = subprocess.run(
        command, check=False, cwd=shipped, env=env, capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode(encoding)
    document = json.loads(done.stdout.decode(encoding))
    assert "CSM Aspiring Leaders 🚀 · Zoë" in json.dumps(document, ensure_ascii=False)


SECRET = "s3cretPW"


@pytest.mark.parametrize(
    "proxy", [f"http://user:{SECRET}@127.0.0.1:99999", f"http://user:{SECRET}#x@127.0.0.1:9"]
)
def test_a_proxy_password_is_never_printed(shipped: Path, proxy: str) -> None:
    """A reviewer: HTTPS_PROXY with a password and a typo (a port out of range, a `#` not
    escaped): requests quotes the proxy's address, password and all, in its error."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "GITLAB_URL": "https://gitlab.example.com",
        "GITLAB_TOKEN": "glpat-abcdefghijklmnopqrst",
        "HTTPS_PROXY": proxy,
    }
    command = [sys.executable, "-m", "automation", "plan", "--backend", "gitlab", "--today", TODAY]
    done = subprocess.run(
        command, check=False, cwd=shipped, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr and "[hidden]" in done.stderr, done.stderr


def test_the_output_collected_after_its_stream_closed_raises_nothing() -> None:
    """A tester (Python 3.13): the wrapper, flushed once more when collected, raised on a
    stream already closed (an unraisable-exception warning in the suite)."""
    from automation.cli import _ToReader  # noqa: PLC0415 - the wrapper alone

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")  # as sys.stdout is
    wrapper = _ToReader(stream)
    wrapper.write("said")
    wrapper.flush()
    assert raw.getvalue() == b"said"
    stream.close()
    wrapper.flush()  # no ValueError
    wrapper.close()
    assert wrapper.closed
