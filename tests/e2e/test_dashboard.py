"""`automation dashboard --out DIR` (issue 16): a static site of every program's progress, on
either backend, that never writes to the tracker, leaves confidential programs out unless
asked, and shows every text from configuration or issues as text, never as HTML."""

from __future__ import annotations

import datetime as dt
import errno
import html
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from automation.dashboard.model import page_name
from automation.markers import block_content
from tests.backends import TODAY, Backend, GitLabBackend, LocalBackend, cli
from tests.conftest import keep_programs
from tests.e2e.test_contract import tick
from tests.local_cli import edit, issues

TRACKING = "csm-aspiring-leaders/tracking"
CALLS = "Have ongoing regular calls with your manager on your growth plan"


def dashboard(backend: Backend, *args: str) -> tuple[int, str]:
    where = ["--backend", backend.name, "--today", TODAY]
    env = backend.env() if isinstance(backend, GitLabBackend) else {}
    result = cli(["dashboard", *where, "--out", "site", *args], env)
    return result.code, result.out + result.err


def overall_of(description: str) -> str:
    rollup = block_content(description, "rollup") or ""
    found = re.search(r"\| \*\*Overall\*\* \| \*\*(\d+/\d+)\*\* \|", rollup)
    assert found, rollup
    return found.group(1)


def test_the_dashboard_reads_the_issues_and_writes_nothing_to_them(
    backend: Backend, project: Path
) -> None:
    assert backend.cli("apply").code == 0
    sam = next(i for i in backend.issues() if "sam.delacroix -->" in i.description)
    backend.edit(sam.iid, lambda text: tick(text, CALLS))
    assert backend.cli("apply").code == 0
    before = backend.fingerprint()

    code, said = dashboard(backend)

    assert code == 0, said
    assert backend.fingerprint() == before  # not a write, not even the run lock
    assert "Dashboard: 3 pages written to site/ (1 program)" in said
    tracking = next(i for i in backend.issues() if TRACKING in i.description)
    index = (project / "site" / "index.html").read_text("utf-8")
    assert f'<td class="num">{overall_of(tracking.description)}</td>' in index
    page = (project / "site" / "csm-aspiring-leaders.html").read_text("utf-8")
    assert "FY27 pilot group" in page  # its cohort, with a page of its own
    assert (project / "site" / "csm-aspiring-leaders--fy27-pilot-group-2e9c29f1.html").is_file()


def test_confidential_programs_are_left_out_unless_asked_for(shipped: Path) -> None:
    keep_programs(shipped, "csm-aspiring-leaders", "sales-sponsorship")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    pairs = [i for k, i in issues(shipped).items() if k.startswith("sales-sponsorship/")]
    names = {i.title.split(": ", 1)[1] for i in pairs if ": " in i.title}
    assert names

    left_out = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
    assert "1 confidential program left out" in left_out.out
    site = "\n".join(p.read_text("utf-8") for p in (shipped / "site").glob("*.html"))
    assert "Sales Sponsorship" not in site and not any(name in site for name in names)
    assert not list((shipped / "site").glob("sales-sponsorship*"))

    asked = ["--include-confidential", "--out", "private"]
    assert cli(["dashboard", "--backend", "local", "--today", TODAY, *asked], {}).code == 0
    page = (shipped / "private" / "sales-sponsorship.html").read_text("utf-8")
    assert '<span class="badge">confidential</span>' in page


def test_a_dashboard_written_again_without_confidential_programs_removes_their_pages(
    shipped: Path,
) -> None:
    """A tester's finding: written over a folder that held a confidential program's pages,
    the dashboard left them there, unlinked, for whoever uploads the folder. A file it did not
    write is left alone."""
    keep_programs(shipped, "csm-aspiring-leaders", "sales-sponsorship")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    base = ["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"]
    assert cli([*base, "--include-confidential"], {}).code == 0
    assert list((shipped / "site").glob("sales-sponsorship*"))
    site = shipped / "site"
    (site / "notes.html").write_text("<p>our own page</p>", "utf-8")
    shutil.copy(site / "index.html", site / "fy27-q3-snapshot.html")  # a copy kept by hand
    (site / "archive.html").mkdir()
    one = cli([*base, "--program", "csm-aspiring-leaders"], {})  # refused: a whole site
    assert one.code == 2 and "holds other programs' pages too" in one.err
    assert list(site.glob("sales-sponsorship*"))
    again = cli(base, {})
    assert again.code == 0 and "older pages removed" in again.out
    assert not list(site.glob("sales-sponsorship*"))
    for kept in ("notes.html", "fy27-q3-snapshot.html", "csm-aspiring-leaders.html"):
        assert (site / kept).is_file(), kept
    outside = shipped / "outside.html"
    outside.write_text("not the dashboard's", "utf-8")
    with (site / ".dashboard-pages").open("a", encoding="utf-8") as listed:  # a list someone edited
        listed.write(f"../outside.html\n{outside}\n")
    assert cli(base, {}).code == 0
    assert outside.is_file()


def test_a_folder_an_earlier_version_wrote_loses_a_confidential_programs_pages(
    shipped: Path,
) -> None:
    """A reviewer's finding: without the list of pages (a folder written by the version
    before it), a program made confidential kept its pages for good."""
    keep_programs(shipped, "csm-aspiring-leaders", "sales-sponsorship")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    base = ["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"]
    assert cli([*base, "--include-confidential"], {}).code == 0
    (shipped / "site" / ".dashboard-pages").unlink()  # as the earlier version left it
    one = cli([*base, "--program", "csm-aspiring-leaders"], {})  # a reviewer: it was not refused
    assert one.code == 2 and "holds other programs' pages too" in one.err
    # copies kept by hand (a trial: the first dashboard into the folder removed them)
    shutil.copy(shipped / "site" / "index.html", shipped / "site" / "february-snapshot.html")
    shutil.copy(shipped / "site" / "sales-sponsorship.html", shipped / "site" / "ours.html")
    assert cli(base, {}).code == 0
    assert not list((shipped / "site").glob("sales-sponsorship*"))
    assert (shipped / "site" / ".dashboard-pages").is_file()
    assert (shipped / "site" / "february-snapshot.html").is_file()
    assert (shipped / "site" / "ours.html").is_file()


def test_a_persons_own_page_where_the_dashboard_writes_one_is_not_replaced(
    project: Path,
) -> None:
    """A trial: the folder's own index.html, a person's, was replaced without a word."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    site = project / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>my index</h1>\n", "utf-8")
    ran = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
    assert ran.code == 2
    assert ran.err == (
        "automation: --out site: index.html there is not a page the dashboard wrote, and would "
        "be replaced; move it away, or give another folder\n"
    )
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text("utf-8") == "<h1>my index</h1>\n"


def test_every_text_is_shown_as_text_never_as_html(shipped: Path) -> None:
    keep_programs(shipped, "executive-sponsorship")
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    program = shipped / "config" / "programs" / "executive-sponsorship.yml"
    edit(program, "name: Globex Corporation,", f"name: '{hostile} Globex',")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0

    later = "2026-12-15"  # Globex's November issues are overdue by then
    ran = cli(["dashboard", "--backend", "local", "--today", later, "--out", "site"], {})

    assert ran.code == 0, ran.out + ran.err
    pages = {p.name: p.read_text("utf-8") for p in (shipped / "site").glob("*.html")}
    escaped = (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"
    )
    (account,) = [text for name, text in pages.items() if "--script-alert-x-script-img" in name]
    assert f"<h1>{escaped} Globex</h1>" in account
    assert f'<td class="late">{escaped} Globex: November 2026 monthly</td>' in account
    for name, text in pages.items():
        assert "<script" not in text and "<img" not in text, name
        assert "Content-Security-Policy" in text and "https://" not in text, name


def test_out_must_be_a_folder(project: Path) -> None:
    (project / "site").write_text("not a folder", "utf-8")
    ran = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
    assert ran.code == 2
    assert ran.err.strip() == "automation: --out site: is a file; give a folder for the site"


def test_upcoming_lists_workshops_and_the_sessions_due_in_the_next_six_weeks(
    shipped: Path,
) -> None:
    keep_programs(shipped, "executive-sponsorship", "sales-onboarding")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    assert cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {}).code == 0

    today = dt.date.fromisoformat(TODAY)
    esp = (shipped / "site" / "executive-sponsorship.html").read_text("utf-8")
    listed = re.findall(r'<tr data-figure="upcoming"><td>([\d-]+)</td><td>([^<]+)</td>', esp)
    due = sorted(
        (str(i.due_date), i.title)
        for k, i in issues(shipped).items()
        if k.startswith("executive-sponsorship/")
        and i.due_date
        and today <= i.due_date <= today + dt.timedelta(weeks=6)
    )
    assert due and sorted((day, html.unescape(title)) for day, title in listed) == due
    assert any("account planning session" in title for _, title in due)

    onboarding = (shipped / "site" / "sales-onboarding.html").read_text("utf-8")
    assert '<td>2026-12-07</td><td><a href="' in onboarding  # the AMER workshop, with its issue
    assert "Workshop Dec 7-10, 2026" in onboarding


def _upcoming(page: str) -> list[tuple[str, str]]:
    rows = re.findall(r'<tr data-figure="upcoming"><td>([\d-]+)</td><td>(.*?)</td>', page)
    return [(day, html.unescape(re.sub(r"<[^>]+>", "", what))) for day, what in rows]


def test_upcoming_keeps_to_its_six_weeks_and_to_the_order_of_days(shipped: Path) -> None:
    """A tester's finding: every workshop not ended was listed, however far ahead, before the
    issues due, and the list cut at 50 then: a year of weekly workshops hid every hire's goal
    due in the six weeks. Now: what falls in the six weeks, by day."""
    keep_programs(shipped, "executive-sponsorship", "sales-onboarding")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    assert cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {}).code == 0
    last = str(dt.date.fromisoformat(TODAY) + dt.timedelta(weeks=6))
    for name in ("sales-onboarding", "executive-sponsorship"):
        days = [day for day, _ in _upcoming((shipped / "site" / f"{name}.html").read_text("utf-8"))]
        assert days and days == sorted(days) and days[-1] <= last, (name, days)
    workshops = shipped / "config" / "programs" / "sales-onboarding.yml"
    assert "2027-01-18" in workshops.read_text("utf-8")  # a workshop past the six weeks, left out
    onboarding = _upcoming((shipped / "site" / "sales-onboarding.html").read_text("utf-8"))
    assert not any(day == "2027-01-18" for day, _ in onboarding), onboarding


def test_a_confidential_issue_of_a_public_program_shows_the_tools_title_only(
    shipped: Path,
) -> None:
    """A tester's finding: a person made an ESP session issue confidential and wrote into its
    title what only its readers may see; the published page (which Guests can open) showed it.
    The page shows the title the tool gave it."""
    keep_programs(shipped, "executive-sponsorship")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    today = dt.date.fromisoformat(TODAY)
    soon = next(
        i
        for i in issues(shipped).values()
        if i.due_date and today <= i.due_date <= today + dt.timedelta(weeks=6)
    )
    path = shipped / ".automation" / "issues" / f"{soon.iid}.md"
    text = path.read_text("utf-8").replace("confidential: false", "confidential: true", 1)
    path.write_text(
        re.sub(r"^title: .*$", "title: CFO leaving in March", text, count=1, flags=re.M), "utf-8"
    )
    assert issues(shipped)[soon.key or ""].confidential
    assert issues(shipped)[soon.key or ""].title == "CFO leaving in March"
    assert cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {}).code == 0
    page = (shipped / "site" / "executive-sponsorship.html").read_text("utf-8")
    assert "CFO leaving" not in page
    assert (str(soon.due_date), soon.title) in _upcoming(page)


def test_an_overdue_issue_without_phases_is_not_said_complete(shipped: Path) -> None:
    """A tester's finding: the CSM monthly group call (ongoing sections only) was listed as
    overdue in phase "complete" at 0%; the rollup says "–"."""
    keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)
    for day in ("2026-12-31", "2027-01-01"):
        assert cli(["apply", "--backend", "local", "--today", day], {}).code == 0
    ran = cli(["dashboard", "--backend", "local", "--today", "2027-01-01", "--out", "site"], {})
    assert ran.code == 0
    page = (shipped / "site" / "csm-aspiring-leaders.html").read_text("utf-8")
    late = re.findall(r'<tr data-figure="overdue">(.*?)</tr>', page, flags=re.S)
    calls = [row for row in late if "December 2026" in row]
    assert calls and all(">complete<" not in row and ">–<" in row for row in calls), late


def test_what_sits_in_a_pages_place_is_said_on_one_line_and_a_link_is_replaced(
    project: Path, tmp_path: Path
) -> None:
    """A tester's finding: a folder where a page goes ended the run with a traceback (exit 1),
    and a symbolic link there was written through, to a file outside the site's folder."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me", "utf-8")
    site = project / "site"
    site.mkdir()
    (site / "index.html").symlink_to(outside)
    (site / "csm-aspiring-leaders.html").mkdir()
    ran = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
    assert ran.code == 2 and "Traceback" not in ran.err
    assert ran.err.strip() == (  # the overview was written first: said (a trial)
        "automation: --out site: cannot write csm-aspiring-leaders.html (Is a directory); "
        "remove what is in its place, or give another folder; 1 page of the site was "
        "written before it: write the site again once that is mended"
    )
    assert outside.read_text("utf-8") == "keep me"
    assert not (site / "index.html").is_symlink() and "<html" in (site / "index.html").read_text(
        "utf-8"
    )


def test_bidirectional_controls_from_names_never_reach_the_pages(project: Path) -> None:
    """A tester's finding: a cohort named `FY27 \u202epilot` showed the tool's own words after it
    reversed ("FY27 6202 rebmeceD :tolip"), in tables and in the page's title."""
    edit(project / "config/programs/csm-aspiring-leaders.yml", "FY27 pilot", "FY27 \u202epilot")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    assert cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {}).code == 0
    pages = {p.name: p.read_text("utf-8") for p in (project / "site").glob("*.html")}
    assert any("FY27 pilot" in text for text in pages.values())
    for name, text in pages.items():
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", text), name


def test_a_groups_page_keeps_its_name_whatever_other_groups_do(shipped: Path) -> None:
    """A tester's finding: pages were numbered by their place among the groups, so removing
    the first account moved every page to another name, and with names in other scripts
    (all "group") a saved link showed another account's figures."""
    keep_programs(shipped, "executive-sponsorship")
    program = shipped / "config" / "programs" / "executive-sponsorship.yml"
    for latin, other in (("Globex Corporation", "トヨタ自動車"), ("Initech", "ソニーグループ")):
        edit(program, f"name: {latin},", f"name: {other},")

    def pages() -> dict[str, str]:
        assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
        ran = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
        assert ran.code == 0, ran.out + ran.err
        found = (shipped / "site").glob("executive-sponsorship--*.html")
        return {p.name: re.findall(r"<h1>(.*?)</h1>", p.read_text("utf-8"))[0] for p in found}

    before = pages()
    assert "トヨタ自動車" in before.values() and "ソニーグループ" in before.values()
    text = program.read_text("utf-8")
    first = text.index("    - {id: globex")
    program.write_text(text[:first] + text[text.index("    - {id: ", first + 1) :], "utf-8")
    after = pages()
    assert len(set(after) & set(before)) >= 3
    for name, heading in after.items():
        assert before.get(name, heading) == heading, (name, heading)


def test_a_dashboard_of_one_program_is_refused_where_a_whole_site_is(shipped: Path) -> None:
    """A tester's finding: `--program` written into the whole site's folder replaced its
    overview with that one program, leaving the others' pages unlinked; a reviewer's: keeping
    the overview instead showed a program since made confidential, and never linked a second
    program written so. Refused, saying what to do; in a folder of its own it is written."""
    keep_programs(shipped, "csm-aspiring-leaders", "executive-sponsorship")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    where = ["--backend", "local", "--today", TODAY, "--out", "site"]
    assert cli(["dashboard", *where], {}).code == 0
    before = {p.name: p.read_text("utf-8") for p in (shipped / "site").iterdir()}
    one = cli(["dashboard", *where, "--program", "csm-aspiring-leaders"], {})
    assert one.code == 2 and one.err.strip() == (
        "automation: --out site: holds other programs' pages too, and a dashboard of "
        "csm-aspiring-leaders alone would replace its overview of them; give it a folder of "
        "its own, or leave out --program"
    )
    assert {p.name: p.read_text("utf-8") for p in (shipped / "site").iterdir()} == before
    own = [*where[:-1], "own", "--program", "csm-aspiring-leaders"]
    assert cli(["dashboard", *own], {}).code == 0
    assert "CSM Aspiring Leaders" in (shipped / "own" / "index.html").read_text("utf-8")
    assert cli(["dashboard", *own], {}).code == 0  # again: its own folder


def test_group_pages_are_told_apart_by_a_hash_of_the_whole_name() -> None:
    """A reviewer's finding: names alike in letters (`Müller AG`, `Möller AG`) shared a page
    name, hashed only while both were there: a saved link then showed the other account."""
    one, two = page_name("Müller AG"), page_name("Möller AG")
    assert one != two and one.startswith("m-ller-ag-") and two.startswith("m-ller-ag-")
    assert page_name("Müller AG") == one  # whatever else exists
    assert page_name("トヨタ自動車") != page_name("ソニーグループ")


def test_a_phase_with_no_tasks_reads_no_tasks(project: Path) -> None:
    """A reviewer: issues and rollups say `no tasks` for a phase that has none (it counts as
    done), and the dashboard still said 0/0 and 0%."""
    config = project / "config" / "programs" / "csm-aspiring-leaders.yml"
    edit(config, "    label: Practice\n", '    label: Practice\n  - heading: "Module 4: Reflect"\n')
    template = project / "templates" / "csm-aspiring-leaders" / "participant.md.j2"
    template.write_text(
        template.read_text("utf-8") + "\n## Module 4: Reflect\n\nWrite a note.\n", "utf-8"
    )
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    code, said = dashboard(LocalBackend(project))
    assert code == 0, said
    page = (project / "site" / "csm-aspiring-leaders.html").read_text("utf-8")
    row = re.search(
        r'<tr data-figure="phase"><th scope="row">Module 4: Reflect</th>(.*?)</tr>', page
    )
    assert row is not None, page
    assert ">0/0<" in row.group(1) and ">no tasks<" in row.group(1)


def test_a_programs_cohorts_are_listed_in_the_order_configuration_gives_them(
    shipped: Path,
) -> None:
    """A tester: the onboarding page listed January's workshops before December's, in the
    order of the first hire in each; the workshops' order is the program file's (by date)."""
    root = keep_programs(shipped, "sales-onboarding")
    backend = LocalBackend(root)
    assert backend.cli("apply").code == 0
    code, said = dashboard(backend)
    assert code == 0, said
    page = (root / "site" / "sales-onboarding.html").read_text("utf-8")
    linked = re.findall(r'href="sales-onboarding--sqs-(\w+)-(\d+)-\d+-(\d{4})-', page)
    order = [dt.datetime.strptime(f"{m} {d} {y}", "%b %d %Y").date() for m, d, y in linked]
    assert len(order) >= 4 and order == sorted(order), linked


def test_dashboard_templates_saved_with_a_bom_make_the_same_pages(project: Path) -> None:
    """A tester re-saved the dashboard's templates in Notepad (a byte order mark first): the
    pages began with two marks, fell into quirks mode, lost their styles and their
    Content-Security-Policy. A template in another encoding is said at its line."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    site = ["dashboard", "--backend", "local", "--today", TODAY, "--out"]
    assert cli([*site, "plain"], {}).code == 0
    folder = project / "templates" / "dashboard"
    for path in folder.iterdir():
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cli([*site, "marked"], {}).code == 0
    for page in (project / "plain").glob("*.html"):
        marked = (project / "marked" / page.name).read_text(encoding="utf-8")
        assert "\ufeff" not in marked
        assert marked == page.read_text(encoding="utf-8")
    style = next(p for p in folder.iterdir() if p.suffix == ".css")
    style.write_bytes(b"/* caf\xe9 */\n" + style.read_bytes())
    result = cli([*site, "latin"], {})
    assert result.code == 2
    assert f"{style.relative_to(project)}:1: the file is not UTF-8 text" in result.err


def test_a_dashboard_template_mistake_writes_no_page(project: Path) -> None:
    """An attacker's trial: a mistake in a dashboard template stopped the command with
    "nothing was written" after it had written a new index.html beside the last run's pages
    (or, in a new folder, alone); and a missing template was named without its folder."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    site = ["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"]
    assert cli(site, {}).code == 0
    before = {p.name: p.read_bytes() for p in (project / "site").iterdir()}
    folder = project / "templates" / "dashboard"
    page = folder / "page.html"
    page.write_text(page.read_text("utf-8") + "{{ x\n", "utf-8")
    broken = cli(site, {})
    assert broken.code == 2 and "nothing was written" in broken.err, broken.err
    assert {p.name: p.read_bytes() for p in (project / "site").iterdir()} == before
    assert cli([*site[:-1], "fresh"], {}).code == 2  # made first, to refuse what cannot be
    assert not list((project / "fresh").iterdir())
    page.unlink()
    missing = cli(site, {})
    assert missing.code == 2
    assert f"{page.relative_to(project)}:1: dashboard template not found; copy it" in missing.err


def test_a_cohort_without_a_rollup_issue_is_not_said_to_have_none_yet(shipped: Path) -> None:
    """A CSM trial: the cohort's page read "its weekly figures are kept in a rollup issue, and
    this one has none yet", as if one were coming; CSM keeps them for the whole program only.
    An onboarding workshop's cohort has a rollup issue, and its page draws the burn-up."""
    keep_programs(shipped, "csm-aspiring-leaders", "sales-onboarding")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    ran = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
    assert ran.code == 0, ran.out + ran.err
    pages = {p.name: p.read_text("utf-8") for p in (shipped / "site").glob("*.html")}
    cohort = pages["csm-aspiring-leaders--fy27-pilot-group-2e9c29f1.html"]
    assert "none yet" not in cohort
    assert "CSM Aspiring Leaders keeps weekly figures for all its groups together" in cohort
    workshops = [text for name, text in pages.items() if name.startswith("sales-onboarding--sqs-")]
    drawn = [text for text in workshops if "The burn-up's figures, week by week" in text]
    assert drawn and not any("keeps weekly figures for all" in text for text in drawn)


def test_an_ended_workshop_is_said_ended_and_its_burn_up_stops_at_its_end(shipped: Path) -> None:
    """An independent check: an ended workshop's rollup issue kept the figures of its end
    (0/6), while its page showed 3/6, ticked since, unsaid, and its burn-up jumped to them
    in the current week."""
    keep_programs(shipped, "sales-onboarding")
    for day in ("2026-12-01", "2027-04-01"):
        assert cli(["apply", "--backend", "local", "--today", day], {}).code == 0
    hire = next(i for i in issues(shipped).values() if "**New hire:**" in i.description)
    path = shipped / ".automation" / "issues" / f"{hire.iid}.md"
    edit(path, "- [ ] **New hire:**", "- [x] **New hire:**")
    assert cli(["apply", "--backend", "local", "--today", "2027-05-01"], {}).code == 0
    ran = cli(["dashboard", "--backend", "local", "--today", "2027-05-01", "--out", "site"], {})
    assert ran.code == 0, ran.out + ran.err
    pages = {p.name: p.read_text("utf-8") for p in (shipped / "site").glob("*.html")}
    workshops = {n: t for n, t in pages.items() if n.startswith("sales-onboarding--sqs-")}
    ended = [text for text in workshops.values() if "This cohort has ended" in text]
    assert ended and len(ended) == pages["sales-onboarding.html"].count("<em>(ended)</em>")
    # December's workshop, frozen by the April run: no week of May's run on its page
    (december,) = [t for n, t in workshops.items() if n.startswith("sales-onboarding--sqs-dec-14")]
    weeks = re.findall(r'<tr data-figure="week"><th scope="row">(\d{4}-\d{2}-\d{2})', december)
    assert "This cohort has ended" in december and weeks and max(weeks) < "2027-04-26", weeks


def test_a_workspace_that_is_not_there_is_refused_not_shown_as_zeros(project: Path) -> None:
    """A trial: `--workspace` mistyped wrote pages of zeros (and an overdue issue that does not
    exist), exit 0, as if nothing had been done."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    ran = cli(["dashboard", "--backend", "local", "--workspace", "nowhere", "--out", "site"], {})
    assert ran.code == 2
    assert ran.err.startswith("automation: --workspace nowhere: no such folder, so no issue")
    assert not list((project / "site").iterdir()) and not (project / "nowhere").exists()


def test_a_folder_that_cannot_be_written_is_not_said_to_hold_something(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial: a read-only folder was told to "remove what is in its place"."""
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    written = Path.write_text

    def refused(path: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if ".html" in path.name:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return written(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", refused)
    ran = cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {})
    assert ran.code == 2
    assert ran.err == (
        "automation: --out site: cannot write index.html (Permission denied); make the folder "
        "writable, or give another folder\n"
    )


def test_a_teams_own_footer_or_a_page_a_full_disk_cut_short_does_not_lock_the_site(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: pages were told apart from a person's files by their footer alone, so a
    team's own layout without it had every later dashboard refused; and a full disk left half
    a page, which the next run refused as someone else's. The folder's list says which pages
    are the dashboard's, and a page is written whole or not at all."""
    layout = project / "templates" / "dashboard" / "layout.html"
    layout.write_text(
        layout.read_text("utf-8").replace("Written by the program automation", "Our site"),
        "utf-8",
    )
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    base = ["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"]
    assert cli(base, {}).code == 0
    assert cli(base, {}).code == 0  # its own pages, by its list
    written = Path.write_text

    def full(path: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if path.name.startswith(".csm-aspiring-leaders.html"):
            written(path, text[:100], *args, **kwargs)  # what fitted
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return written(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    ran = cli(base, {})
    assert ran.code == 2
    assert "(No space left on device); free some space, or give another folder" in ran.err
    assert sorted(p.name for p in (project / "site").iterdir() if p.name.startswith(".")) == [
        ".dashboard-pages"
    ]
    assert "</html>" in (project / "site" / "csm-aspiring-leaders.html").read_text("utf-8")
    monkeypatch.setattr(Path, "write_text", written)
    assert cli(base, {}).code == 0


def test_a_long_name_in_a_bar_chart_is_shortened_at_its_end_and_whole_on_hover(
    shipped: Path,
) -> None:
    """A trial: `EMEA WORLDWIDE MANAGEMENT MOMENTUM` was cut to 34 characters, wider in
    capitals than the room the chart keeps for names, so its start was cut off instead:
    `ORLDWIDE MANAGEMENT MOMENTUM`. It ends with "…" where it is cut, and its whole name is
    the label's title (a browser shows it on hover)."""
    keep_programs(shipped, "executive-sponsorship")
    program = shipped / "config" / "programs" / "executive-sponsorship.yml"
    edit(program, "name: Executive Sponsorship Program", "name: EMEA WORLDWIDE MANAGEMENT MOMENTUM")
    assert cli(["apply", "--backend", "local", "--today", TODAY], {}).code == 0
    assert cli(["dashboard", "--backend", "local", "--today", TODAY, "--out", "site"], {}).code == 0
    overview = (shipped / "site" / "index.html").read_text("utf-8")
    (label,) = re.findall(r'text-anchor="end">([^<]*)<title>EMEA WORLDWIDE', overview)
    assert label.endswith("…") and "EMEA WORLDWIDE MANAGEMENT MOMENTUM".startswith(label[:-1])
    assert len(label) <= 28  # 12 px capitals, about 8 px each, in the chart's 232 px
