"""The dashboard in a real browser (issue 16): Debian's headless Chromium opens the site the CLI
wrote after two weeks of runs. The pages load without a console error, the figures they show
are the tracking issues' figures, and a screenshot of the overview is kept as a CI artifact.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`): no port,
no extra package, and every console message, uncaught exception and failed or refused load
arrives as an event. Without Chromium the test is skipped, unless REQUIRE_CHROMIUM=1 (as
`.ci/run` sets it), where a missing browser fails it."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from automation.history import read_history
from automation.markers import block_content
from automation.trackers.local import LocalTracker
from tests.backends import cli
from tests.conftest import REPO

ARTIFACTS = REPO / "artifacts"
WEEKS = ("2026-11-23", "2026-11-30")
ROLLUP_ROW = re.compile(
    r"^\| (?:\*\*)?(?P<label>[^|*]+?(?: \*\(not in Overall\)\*)?)(?:\*\*)? \| "
    r"(?:\*\*)?(?P<done>\d+/\d+)"
)
# What a reader sees of each figure: its row's cells (or its own text), and where it links.
FIGURES_JS = """JSON.stringify([...document.querySelectorAll('[data-figure]')].map(e => [
  e.dataset.figure,
  [...(e.matches('tr') ? e.children : [e])].map(c => c.textContent.trim()),
  e.querySelector('a') ? e.querySelector('a').getAttribute('href') : null
]))"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class CDPError(AssertionError):
    """The browser answered a command with an error, or not in time."""


@dataclass
class Browser:
    """Headless Chromium, spoken to over the DevTools protocol on a pipe."""

    process: subprocess.Popen[bytes]
    send_fd: int
    receive_fd: int
    session: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    _buffer: bytes = b""
    _next: int = 0

    @classmethod
    def start(cls, executable: str, profile: Path) -> Browser:
        to_browser, from_us = os.pipe()  # Chromium reads commands on its fd 3 ...
        to_us, from_browser = os.pipe()  # ... and writes answers and events on its fd 4

        def pipes_as_3_and_4() -> None:
            # by way of fds above 9: either pipe may itself be fd 3 or 4 (the first free ones)
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
            os.dup2(high[0], 3)  # dup2 makes them inheritable: they stay open across exec
            os.dup2(high[1], 4)

        args = [
            executable,
            "--headless=new",
            "--remote-debugging-pipe",
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=1200,900",
            *(["--no-sandbox"] if os.geteuid() == 0 else []),  # root: no user namespace sandbox
            "about:blank",
        ]
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=pipes_as_3_and_4,  # noqa: PLW1509 (before exec, nothing threaded runs)
        )
        os.close(to_browser)
        os.close(from_browser)
        browser = cls(process, from_us, to_us)
        target = browser.call("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = browser.call(
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            session=False,
        )
        browser.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            browser.call(f"{domain}.enable")
        return browser

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = True
    ) -> Any:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.send_fd, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive(deadline=time.monotonic() + 20)
            if answer is None:
                raise CDPError(f"no answer to {method}")
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise CDPError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def _receive(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.receive_fd], [], [], left)[0]:
                return None
            chunk = os.read(self.receive_fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def open(self, url: str) -> list[str]:
        """Load a page; the console errors, uncaught exceptions and refused or failed loads
        it caused."""
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + 20
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            event = self._receive(deadline)
            if event is None:
                raise CDPError(f"{url} did not finish loading")
            self.events.append(event)
        while (event := self._receive(time.monotonic() + 0.05)) is not None:  # late reports
            self.events.append(event)
        return [_error(e) for e in self.events if _error(e)]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result["result"]["value"]

    def screenshot(self, path: Path) -> None:
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        with contextlib.suppress(CDPError):
            self.call("Browser.close", session=False)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.send_fd)
        os.close(self.receive_fd)


def _error(event: dict[str, Any]) -> str:
    params = event.get("params", {})
    match event.get("method"):
        case "Runtime.exceptionThrown":
            return "exception: " + str(params.get("exceptionDetails", {}).get("text"))
        case "Runtime.consoleAPICalled" if params.get("type") in ("error", "assert"):
            return "console: " + " ".join(str(a.get("value")) for a in params.get("args", []))
        case "Log.entryAdded" if params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            return f"log: {entry.get('text')} {entry.get('url', '')}".strip()
    return ""


def chromium_or_skip(env: Mapping[str, str]) -> str:
    """The browser; without one, the test is skipped, or failed where it is required."""
    executable = chromium()
    if executable is None:
        if env.get("REQUIRE_CHROMIUM") == "1":
            pytest.fail("REQUIRE_CHROMIUM=1 but no chromium on PATH: apt-get install -y chromium")
        pytest.skip("no chromium on PATH (apt-get install -y chromium); REQUIRE_CHROMIUM=1 fails")
    return executable


def test_without_chromium_the_browser_test_skips_unless_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="no chromium on PATH"):
        chromium_or_skip({})
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_CHROMIUM=1 but no chromium"):
        chromium_or_skip({"REQUIRE_CHROMIUM": "1"})


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_or_skip(os.environ)
    with tempfile.TemporaryDirectory(prefix="dashboard-chromium-") as profile:
        started = Browser.start(executable, Path(profile))
        try:
            yield started
        finally:
            started.close()


@dataclass(frozen=True)
class Site:
    root: Path  # the project: config, templates, .automation
    out: Path  # the site


def tick(body: str, count: int) -> str:
    return re.sub(r"(?m)^(\s*(?:[-*+]|\d+[.)]) )\[ \]", r"\1[x]", body, count=count)


def a_fortnight_of_runs(root: Path) -> None:
    """Two weekly runs of the shipped programs, people ticking tasks in between."""
    workspace = root / ".automation"
    common = ["--config", str(root / "config"), "--templates", str(root / "templates")]
    local = ["--backend", "local", "--workspace", str(workspace)]
    for n, day in enumerate(WEEKS):
        ran = cli(["apply", *common, *local, "--today", day], {})
        assert ran.code == 0, ran.out + ran.err
        for issue in LocalTracker(workspace).all_issues():
            if issue.key and not issue.key.endswith(("tracking", "/plan")) and issue.iid % 3 != n:
                path = workspace / "issues" / f"{issue.iid}.md"
                _, front, body = path.read_text("utf-8").split("---\n", 2)
                path.write_text(f"---\n{front}---\n{tick(body, 2 + issue.iid % 5)}", "utf-8")
    ran = cli(["apply", *common, *local, "--today", WEEKS[-1]], {})
    assert ran.code == 0, ran.out + ran.err


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("dashboard")
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "templates", root / "templates")
    a_fortnight_of_runs(root)
    out = root / "site"
    wrote = cli(
        [
            "dashboard",
            *("--config", str(root / "config"), "--templates", str(root / "templates")),
            *("--backend", "local", "--workspace", str(root / ".automation")),
            *("--today", WEEKS[-1], "--out", str(out)),
        ],
        {},
    )
    assert wrote.code == 0, wrote.out + wrote.err
    return Site(root, out)


def rollup_figures(description: str) -> list[tuple[str, str]]:
    """(section, done/total) of a rollup's completion table, as its rows read (emphasis left
    out): the counted sections, Overall, then the sections it leaves out."""
    content = block_content(description, "rollup") or ""
    table = content.split(" completion\n\n", 1)[1].split("\n\n", 1)[0]
    return [
        (m["label"].replace("*", ""), m["done"])
        for line in table.split("\n")
        if (m := ROLLUP_ROW.match(line))
    ]


Figures = list[tuple[str, list[str], str | None]]


def figures_on(browser: Browser) -> Figures:
    return [(name, cells, link) for name, cells, link in json.loads(browser.evaluate(FIGURES_JS))]


def table_rows(figures: Figures) -> list[tuple[str, str]]:
    """(section, done/total) of a page's table by phase, in the order it shows them."""
    return [(cells[0], cells[1]) for name, cells, _ in figures if name in ("phase", "overall")]


def shown(figures: Figures, kind: str) -> list[list[str]]:
    return [cells for name, cells, _ in figures if name == kind]


@pytest.mark.heavy
def test_dashboard_loads_cleanly_and_shows_the_rollups_figures(
    browser: Browser, site: Site
) -> None:
    # the error report works: a page that asks for a script from elsewhere is refused, loudly
    probe = site.out / "probe.html"
    probe.write_text(
        (site.out / "index.html")
        .read_text("utf-8")
        .replace("</main>", '<script src="https://example.invalid/x.js"></script></main>'),
        "utf-8",
    )
    assert any("Content Security Policy" in e for e in browser.open(probe.as_uri()))
    probe.unlink()

    assert browser.open((site.out / "index.html").as_uri()) == []
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "dashboard-overview.png")
    assert (ARTIFACTS / "dashboard-overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    overview = {link: cells for name, cells, link in figures_on(browser) if name == "program"}

    tracked = {i.key: i for i in LocalTracker(site.root / ".automation").all_issues() if i.key}
    public = {
        key.split("/")[0]: issue
        for key, issue in tracked.items()
        if key.endswith("/tracking") and key.count("/") == 1 and not issue.confidential
    }
    assert len(overview) == len(public) == 3  # sponsorship is confidential: left out
    cohorts: list[str] = []
    for key, issue in public.items():
        figures = rollup_figures(issue.description)
        overall = dict(figures)["Overall"]
        assert overview[f"{key}.html"][4] == overall, key  # the overall done/total
        assert browser.open((site.out / f"{key}.html").as_uri()) == [], key
        page = figures_on(browser)
        phases = table_rows(page)
        assert phases == figures, key
        weeks = read_history(issue.description)
        last = shown(page, "week")[-1]
        assert (last[0], f"{last[1]}/{last[2]}") == (
            weeks[-1].start.isoformat(),
            f"{weeks[-1].done}/{weeks[-1].total}",
        )
        assert len(weeks) == 2 and weeks[0].done < weeks[1].done, key  # it grew over two weeks
        statuses = re.findall(
            r"\| (overdue|complete) \|$", block_content(issue.description, "rollup") or "", re.M
        )
        assert shown(page, "overdue-count") == [[str(statuses.count("overdue"))]], key
        assert shown(page, "complete") == [[str(statuses.count("complete"))]], key
        cohorts += [link for name, _, link in page if name == "cohort" and link]

    seen = []  # each cohort page's figures
    for link in cohorts:
        assert browser.open((site.out / link).as_uri()) == [], link
        page = figures_on(browser)
        seen.append(table_rows(page))
    rollups = [
        issue
        for key, issue in tracked.items()
        if key.endswith("/tracking") and key.count("/") == 2 and not issue.confidential
    ]
    assert len(rollups) >= 3  # the onboarding workshops' cohorts
    for issue in rollups:
        assert rollup_figures(issue.description) in seen, issue.title
