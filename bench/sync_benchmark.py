"""End-to-end cost of a run: the `automation` command against the fake GitLab, N participants.

For each N, one program (CSM Aspiring Leaders' template) with N participants in cohorts of
1,000, and their managers, and a small program of 10 participants, in a temporary project
folder; then, in one process, against one fake GitLab:

- first run:   `apply` on an empty project (creates everything);
- no change:   `apply` again, an hour later, nothing changed (it reads everything, since the
               first run's writes changed issues, and keeps the record of finding nothing);
- no change, again: an hour later: the record shows nothing changed, so no issue is read;
- 1% ticked:   a person ticks a task in 1% of the participants' issues, then `apply` (it
               checks the big program only);
- after the ticks: an hour later: only the run's own writes changed, in the big program;
- 2 ticked in the small program: then `apply` (it checks the small program only);
- 1% added:    1% more participants in people.yml and the program, then `apply`;
- naive:       a script that lists the issues, then GETs and PUTs each one (the baseline).

Each run goes through `automation.cli.run`, as the scheduled job does: YAML parsing, rendering,
listing, planning and writing, everything but starting the interpreter (measured once, apart).
The fake GitLab (tests/fakes/gitlab_fake.py) behaves like GitLab.com: 2,000 requests a minute,
200 issue creations and 60 notes a minute. Its clock moves by the latency on every request and
by whatever the tool sleeps, so pacing costs no real time; the `paced` column says how long the
tool waited in GitLab time.

Columns: requests by method, and errors (429 and other refusals); `wall`, the real time of the
run less the fake's own work (so: the tool's time plus the latency of each request); `CPU`, the
tool's CPU time (time.process_time, less the fake's); `paced`, seconds the tool slept to stay
under GitLab's limits; `KB written`, the descriptions the run sent (creates and updates), and
the largest of them; then requests and CPU as multiples of the naive baseline's, and requests
as a multiple of the full-scan floor (one list request per 100 tracked issues).

    .venv/bin/python bench/sync_benchmark.py                      # N = 1,000, no latency
    .venv/bin/python bench/sync_benchmark.py --n 1000 3000 10000 --latency-ms 0 30
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, SupportsIndex

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the tool and the fake GitLab of tests/, from this checkout

from automation.cli import collect_less, run  # noqa: E402
from automation.clock import Clock  # noqa: E402
from tests.backends import GROUP, PROJECT, TOKEN, URL, new_fake  # noqa: E402
from tests.fakes.gitlab_fake import FakeGitLab  # noqa: E402

TODAY = "2026-11-24"
PROGRAM = REPO / "config" / "programs" / "csm-aspiring-leaders.yml"
TEAM = 10  # participants per manager
BOT = "automation-bot"  # the fake's token user
TICK = ("1. [ ]", "1. [x]")  # a person ticks the first open task
COHORT = 1000  # participants per cohort
SMALL = 10  # participants of the small program


# --- the project ---------------------------------------------------------------------------------


def participant(i: int) -> str:
    return f"csm.{i:05d}"


def manager(i: int) -> str:
    return f"manager.{i // TEAM:04d}"


def program_lead() -> str | None:
    """The shipped program's lead, if it names one."""
    lead = yaml.safe_load(PROGRAM.read_text("utf-8")).get("lead")
    return str(lead) if lead else None


def people_yml(n: int) -> str:
    """people.yml in the shipped file's block style: N participants and their managers."""
    rows = [
        f"  - username: {manager(i)}\n    name: Manager {i // TEAM}\n"
        f"    title: Manager, Customer Success\n    grade: 9\n"
        for i in range(0, n, TEAM)
    ]
    rows += [
        f"  - username: {participant(i)}\n    name: Participant {i}\n"
        f"    title: Customer Success Manager\n    grade: 7\n    manager: {manager(i)}\n"
        f"    start_date: 2023-04-03\n    timezone: America/Chicago\n"
        for i in range(n)
    ]
    if program_lead():  # who is assigned the tracking and group issues
        rows.append(f"  - username: {program_lead()}\n    name: Program Lead\n")
    return "people:\n" + "".join(rows)


def program_yml(n: int, program: str = "csm-aspiring-leaders") -> str:
    """The CSM Aspiring Leaders program with N participants, in cohorts of at most COHORT
    (a cohort's monthly group issue has a task per participant: 10,000 in one cohort would be
    over GitLab's description limit), under the id PROGRAM."""
    text = PROGRAM.read_text("utf-8").replace("id: csm-aspiring-leaders", f"id: {program}", 1)
    head, tail = text.split("cohorts:\n", 1)
    after = tail[tail.index("# The pilot group:") :]  # the lead and group issues stay
    cohorts = "".join(
        f"  - id: cohort-{start // COHORT:02d}\n    name: Cohort {start // COHORT}\n"
        "    start_date: 2026-11-02\n    end_date: 2027-04-30\n    participants:\n"
        + "".join(f"      - {participant(i)}\n" for i in range(start, min(n, start + COHORT)))
        for start in range(0, n, COHORT)
    )
    return head + "cohorts:\n" + cohorts + after


def write_project(root: Path, n: int) -> None:
    """The big program of N participants, and a small one of SMALL (a program of another team
    in the same project)."""
    (root / "config" / "programs").mkdir(parents=True, exist_ok=True)
    (root / "config" / "settings.yml").write_text(
        (REPO / "config" / "settings.yml").read_text("utf-8"), "utf-8"
    )
    (root / "config" / "people.yml").write_text(people_yml(n), "utf-8")
    (root / "config" / "programs" / "csm-aspiring-leaders.yml").write_text(program_yml(n), "utf-8")
    small = program_yml(SMALL, "csm-small")
    (root / "config" / "programs" / "csm-small.yml").write_text(small, "utf-8")
    if not (root / "templates").exists():
        (root / "templates").symlink_to(REPO / "templates")


# --- the fake GitLab, timed ----------------------------------------------------------------------


REAL_SLEEP = time.sleep


@dataclass
class Meter:
    """What the fake saw and spent: its own CPU and wall time (not the tool's), its answers, and
    the seconds the client waited in GitLab time (the tool's pacing, python-gitlab's 429 waits)."""

    latency: float
    cpu: float = 0.0
    wall: float = 0.0
    waited: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)


def instrument(fake: FakeGitLab, latency: float) -> Meter:
    """Time the fake's handling of each request apart from the tool's, and add the latency."""
    meter = Meter(latency)
    serve = fake._callback

    def timed(prepared: Any) -> tuple[int, dict[str, str], str]:
        REAL_SLEEP(latency)  # the network and GitLab's own work
        wall, cpu = time.perf_counter(), time.process_time()
        answer = serve(prepared)
        meter.cpu += time.process_time() - cpu
        meter.wall += time.perf_counter() - wall
        meter.statuses[answer[0]] += 1
        return answer

    fake._callback = timed  # type: ignore[method-assign]
    return meter


@contextmanager
def gitlab_time(fake: FakeGitLab, meter: Meter) -> Iterator[None]:
    """python-gitlab's own waits (Retry-After on a 429) move the fake's clock, not real time."""

    def wait(seconds: float | SupportsIndex) -> None:
        waited = max(float(seconds), 0.0)
        meter.waited += waited
        fake.sleep(waited)

    time.sleep = wait
    try:
        yield
    finally:
        time.sleep = REAL_SLEEP


class FakeTime(Clock):
    """The tool's clock is the fake GitLab's: sleeping moves it, and so does every request."""

    def __init__(self, fake: FakeGitLab, meter: Meter) -> None:
        self.fake = fake
        self.meter = meter
        self.start = fake.clock.now()

    def now(self) -> dt.datetime:
        return self.fake.clock.now().replace(microsecond=0)

    def monotonic(self) -> float:
        return (self.fake.clock.now() - self.start).total_seconds()

    def sleep(self, seconds: float) -> None:
        self.meter.waited += max(seconds, 0.0)
        self.fake.sleep(max(seconds, 0.0))


@dataclass
class Measure:
    """One run: requests by method, errors, times."""

    name: str
    methods: Counter[str]
    errors: int
    wall: float
    cpu: float
    paced: float
    outcome: str
    written: int = 0  # characters of descriptions sent (creates and updates)
    largest: int = 0  # the longest of them

    @property
    def requests(self) -> int:
        return sum(self.methods.values())


@contextmanager
def measured(name: str, fake: FakeGitLab, meter: Meter) -> Iterator[list[str]]:
    """Measure the block; it appends its outcome (e.g. the tool's summary line) to the list."""
    outcome: list[str] = []
    first = len(fake.requests)
    errors = sum(n for status, n in meter.statuses.items() if status >= 400)
    fake_cpu, fake_wall = meter.cpu, meter.wall
    waited = meter.waited
    wall, cpu = time.perf_counter(), time.process_time()
    yield outcome
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sent = [len(str(r.params.get("description") or "")) for r in fake.requests[first:]]
    measures.append(
        Measure(
            name,
            Counter(request.method for request in fake.requests[first:]),
            sum(n for status, n in meter.statuses.items() if status >= 400) - errors,
            wall - (meter.wall - fake_wall),
            cpu - (meter.cpu - fake_cpu),
            meter.waited - waited,
            " ".join(outcome),
            sum(sent),
            max(sent, default=0),
        )
    )


measures: list[Measure] = []


def apply(name: str, fake: FakeGitLab, meter: Meter, root: Path) -> None:
    """One scheduled run of the tool, an hour after the previous one."""
    fake.clock.advance(dt.timedelta(hours=1))
    clock = FakeTime(fake, meter)
    out, err = io.StringIO(), io.StringIO()
    argv = ["apply", "--backend", "gitlab", "--today", TODAY, "--rehearsal"]
    argv += ["--config", str(root / "config"), "--templates", str(root / "templates")]
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
    with measured(name, fake, meter) as outcome:
        code = run(argv, env, out, err, clock)
        last = (out.getvalue().strip().splitlines() or ["(nothing printed)"])[-1]
        outcome.append(f"exit {code}: {last}")
    if code != 0:
        print(f"{name}: exit {code}\n{err.getvalue()[-2000:]}", file=sys.stderr)


def tick(fake: FakeGitLab, share: float, program: str = "csm-aspiring-leaders") -> int:
    """A person ticks the first open task in `share` of PROGRAM's participants' issues."""
    issues = fake.client().projects.get(PROJECT, lazy=True).issues
    tracked = [
        i
        for i in fake.issues(PROJECT)
        if TICK[0] in (i["description"] or "") and f"program::{program}" in i["labels"]
    ]
    chosen = tracked[:: max(1, round(1 / share))]
    fake.act_as(participant(0))
    try:
        for issue in chosen:
            issues.update(issue["iid"], {"description": issue["description"].replace(*TICK, 1)})
    finally:
        fake.act_as(BOT)
    return len(chosen)


def naive(fake: FakeGitLab, meter: Meter) -> None:
    """The baseline: list the issues, then GET each one and PUT it back with its progress (with
    no rate limit: it would be throttled, and it is the count of requests that is compared)."""
    fake.set_rate_limit(None)
    with measured("naive GET+PUT", fake, meter) as outcome:
        issues = fake.client().projects.get(PROJECT, lazy=True).issues
        listed = issues.list(iterator=True, per_page=100, state="all")
        for brief in listed:
            issue = issues.get(brief.iid)
            text = issue.description or ""
            done, open_ = text.count("[x]"), text.count("[ ]")
            percent = 100 * done // max(done + open_, 1)
            issues.update(issue.iid, {"description": text, "labels": ",".join(issue.labels)})
            del percent
        outcome.append("every issue read and written")


# --- one N ---------------------------------------------------------------------------------------


def bench(n: int, latency_ms: float) -> tuple[int, list[Measure]]:
    """All runs for N participants at this latency; returns the tracked issues and the runs."""
    measures.clear()
    fake = new_fake()
    fake.clock.step = dt.timedelta(milliseconds=max(latency_ms, 10))
    fake.set_rate_limit(2000)
    fake.set_application_limits()
    grown = n + max(1, n // 100)
    for i in range(0, grown, TEAM):
        fake.add_member(GROUP, manager(i))
    for i in range(grown):
        fake.add_member(GROUP, participant(i))
    for lead in filter(None, [program_lead()]):
        fake.add_member(GROUP, lead)
    meter = instrument(fake, latency_ms / 1000)
    with tempfile.TemporaryDirectory() as tmp, fake.activate(), gitlab_time(fake, meter):
        root = Path(tmp)
        write_project(root, n)
        apply("first run", fake, meter, root)
        tracked = len(fake.issues(PROJECT))
        apply("no change", fake, meter, root)
        apply("no change, again", fake, meter, root)
        ticked = tick(fake, 0.01)
        apply(f"1% ticked ({ticked})", fake, meter, root)
        apply("after the ticks", fake, meter, root)
        ticked = tick(fake, 0.2, "csm-small")
        apply(f"{ticked} ticked in the small program", fake, meter, root)
        write_project(root, grown)
        apply(f"1% added ({grown - n})", fake, meter, root)
        naive(fake, meter)
    return tracked, list(measures)


def table(n: int, latency_ms: float, tracked: int, runs: list[Measure]) -> str:
    """The runs as a Markdown table."""
    base = runs[-1]
    floor = math.ceil(tracked / 100)
    lines = [
        f"N = {n:,} participants, {tracked:,} tracked issues, {latency_ms:g} ms per request "
        f"(naive: {base.requests:,} requests; full-scan floor: {floor} list requests)",
        "",
        "| run | requests | GET | POST | PUT | other | errors | wall s | CPU s | paced s "
        "| KB written | largest KB | requests ÷ naive | requests ÷ floor | CPU ÷ naive |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for m in runs:
        other = m.requests - m.methods["GET"] - m.methods["POST"] - m.methods["PUT"]
        lines.append(
            f"| {m.name} | {m.requests:,} | {m.methods['GET']:,} | {m.methods['POST']:,} "
            f"| {m.methods['PUT']:,} | {other:,} | {m.errors} | {m.wall:.1f} | {m.cpu:.1f} "
            f"| {m.paced:.0f} | {m.written / 1000:,.0f} | {m.largest / 1000:,.0f} "
            f"| {m.requests / base.requests:.3f} | {m.requests / floor:.1f} "
            f"| {m.cpu / base.cpu:.2f} |"
        )
    return "\n".join(lines)


def startup() -> float:
    """Seconds to start the interpreter and import the command (once per job, not per N)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import automation.cli"], cwd=REPO, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000], help="participants")
    parser.add_argument(
        "--latency-ms", type=float, nargs="+", default=[0.0], help="added to each request"
    )
    parser.add_argument("--verbose", action="store_true", help="also print each run's summary")
    args = parser.parse_args(argv)
    collect_less()  # as the `automation` command does before a run
    print(f"Python {sys.version.split()[0]}; interpreter start and imports: {startup():.2f} s")
    for latency in args.latency_ms:
        for n in args.n:
            tracked, runs = bench(n, latency)
            print()
            print(table(n, latency, tracked, runs))
            if args.verbose:
                for m in runs:
                    print(f"  {m.name}: {m.outcome}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
