"""Output piped into a command that stops reading (`automation apply | head -3`): no
traceback, and the run still does all of its work."""

from __future__ import annotations

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
