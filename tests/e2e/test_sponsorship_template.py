"""The pair issue carries the page's commitments (Sponsor Training, the kick-off call, what a
sponsor and a sponsee will do, the handbook page, the Commit agreement, the quarterly All-Hands
inside the program), and pair issues made with the previous template get the new tasks without
losing a tick or a typed line. On the shipped configuration, through the CLI, local backend."""

# ruff: noqa: E501 - the previous template, verbatim, at the end of the file

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, keep_programs
from tests.local_cli import edit, issues, path_of, run

LENA = "sales-sponsorship/fy28-h1/lena.fischer"
PAIR = Path("templates/sales-sponsorship/pair.md.j2")


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


def section(text: str, heading: str) -> str:
    return text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_pages_commitments_are_tasks_with_their_dates(sponsorship: Path) -> None:
    assert run("apply").code == 0
    text = issues(sponsorship)[LENA].description
    build = section(text, "Build")
    assert "- [ ] **Sponsor:** Complete the Sponsor Training (2027-01-20)." in build
    assert (
        "- [ ] **Sponsor and sponsee:** Attend the program's kick-off call (2027-01-27)." in build
    )
    assert "handbook page](https://" in build
    assert "**A sponsor will:**" in text and "**A sponsee will:**" in text
    assert "Both agree to move forward to sponsorship and advocacy" in section(text, "Commit")
    throughout = section(text, "Throughout the program")
    all_hands = re.findall(r"Quarterly All-Hands \(around (\d{4}-\d\d-\d\d)\)", throughout)
    assert all_hands == ["2027-03-17", "2027-06-16"]  # inside the program, never its last day
    assert "2027-08-01" not in throughout
    assert "satisfaction" not in text.split("## Throughout")[1]  # scores live elsewhere
    # who can read it, on Free too (one assignee: the others cannot, a tester's finding)
    assert "on GitLab Free, which keeps one assignee, the sponsor alone" in " ".join(
        line.removeprefix("> ") for line in text.splitlines()
    )


def test_no_all_hands_is_asked_for_after_the_program_ends(sponsorship: Path) -> None:
    """Seven months from 2027-02-01: the third quarter begins in its last month, and its
    middle (2027-09-16) comes after the pairs' due date (2027-09-01): no task for it."""
    edit(Path("config/programs/sales-sponsorship.yml"), "program_months: 6", "program_months: 7")
    assert run("apply").code == 0
    issue = issues(sponsorship)[LENA]
    throughout = section(issue.description, "Throughout the program")
    assert issue.due_date == dt.date(2027, 9, 1)
    assert re.findall(r"All-Hands \(around (\S+)\)", throughout) == ["2027-03-17", "2027-06-16"]
    assert re.findall(r"DIB team \(around (\S+)\)", throughout) == ["2027-03-17", "2027-06-16"]


def test_a_pair_issue_made_with_the_previous_template_gets_the_new_tasks_and_keeps_its_ticks(
    sponsorship: Path,
) -> None:
    (sponsorship / PAIR).write_text(OLD_PAIR, "utf-8")
    (sponsorship / PAIR.with_name("quarterly.md.j2")).write_text(OLD_QUARTERLY, "utf-8")
    assert run("apply").code == 0
    path = path_of(sponsorship, LENA)
    one_to_ones = "**Sponsor and sponsee:** Commit to regular 1-1s."
    edit(path, f"- [ ] {one_to_ones}", f"- [x] {one_to_ones}")
    edit(path, "## Develop\n", "Our notes: we meet on Tuesdays.\n\n## Develop\n")
    shutil.copy(REPO / PAIR, sponsorship / PAIR)
    (sponsorship / PAIR.with_name("quarterly.md.j2")).unlink()
    result = run("apply")
    assert result.code == 0, result.out + result.err
    text = issues(sponsorship)[LENA].description
    build = section(text, "Build")
    assert f"- [x] {one_to_ones}" in build
    assert "Our notes: we meet on Tuesdays." in text
    assert build.count("Complete the Sponsor Training") == 1
    assert "Both agree to move forward" in section(text, "Commit")
    # a task the template dropped stays, and the run says which issues still have it
    assert "Record your satisfaction (start)" in text
    assert "warning:" in result.out and "Lena" not in result.out
    assert run("apply").out.splitlines()[-1].startswith("No changes")


OLD_PAIR = r"""## Sales Sponsorship: {{ sponsee.name }} with {{ sponsor.name }}

| | |
|---|---|
| Sponsee | {{ sponsee | mention }} |
| Sponsor | {{ sponsor | mention }} |
| Sponsee's manager | {% if manager %}{{ manager | mention }}{% else %}not set in people.yml{% endif %} |
| Cohort | {{ cohort.name }}: {{ dates.start }} to {{ dates.end }} |
| Length | a {{ part.program_months }}-month program; sponsor and sponsee commit to {{ part.commitment_months }} months |

> This issue is confidential: only its assignees, its author and project members with at least
> the Planner role can see it. Keep notes about the relationship here only if everyone involved
> is comfortable with that.

"While a mentor is someone who has knowledge and will share it with you, a sponsor is a person
who has power and will use it for you." The sponsee leads the relationship; the sponsor uses
their influence to advocate for the sponsee's career advancement and visibility. The program
moves through four phases: **Build**, **Develop**, **Commit** and **Advocate**. Tick each task as
it is done; the progress table at the end updates itself.

## Throughout the program

- [ ] **Sponsor and sponsee:** Agree a 1-1 cadence of at least bi-weekly, and keep it up for the whole program (special projects may change the cadence).
- [ ] **Manager:** Regularly check in with {{ sponsee.name }} on the progress of the sponsorship, and report on its success to the program's leadership advocates.

## Build

Take the time to build a solid relationship before moving into authentic sponsorship
(until {{ dates.phases.Build[1] }}).

- [ ] **Sponsee and manager:** Create the Individual Growth Plan (IGP) together{% if manager %} ({{ manager | mention }}){% endif %}; the sponsor adds suggestions throughout the program.
- [ ] **Sponsor and sponsee:** Commit to regular 1-1s.
- [ ] **Sponsor:** Understand the sponsee's career development plan.
- [ ] **Sponsor and sponsee:** Set goals and expectations early.
- [ ] **Sponsor and sponsee:** Record your satisfaction (start) in "Recorded values" below, by {{ dates.checkpoints.start }}.
{% with phase = "Build" %}{% include "sales-sponsorship/quarterly.md.j2" %}{% endwith %}

## Develop

Become action and capability focused: the sponsor guides the sponsee on areas of improvement;
the sponsee acts on feedback and shows the improvements (until {{ dates.phases.Develop[1] }}).

- [ ] **Sponsor and sponsee:** Find and seek opportunities for the sponsor to observe the sponsee's improvement areas.
- [ ] **Sponsee:** Invite your sponsor to a team meeting where you are presenting.
- [ ] **Sponsor:** Invite your sponsee to a working group.
- [ ] **Manager:** Reassess the IGP with {{ sponsee.name }}.
- [ ] **Manager:** Take part in the manager of sponsees session.
- [ ] **Sponsor and sponsee:** Record your satisfaction (mid-program) in "Recorded values" below, by {{ dates.checkpoints.mid }}.
{% with phase = "Develop" %}{% include "sales-sponsorship/quarterly.md.j2" %}{% endwith %}

## Commit

Both agree to move forward to sponsorship and advocacy: a chance to give feedback, raise
uncertainties and re-establish career development goals (until {{ dates.phases.Commit[1] }}).

- [ ] **Sponsor and sponsee:** Participate in a feedback session.
- [ ] **Sponsor and sponsee:** Re-establish the sponsee's career development goals.
- [ ] **Manager:** Reassess the IGP with {{ sponsee.name }} and the sponsor's suggestions.
{% with phase = "Commit" %}{% include "sales-sponsorship/quarterly.md.j2" %}{% endwith %}

## Advocate

The sponsor actively and intentionally advocates for the sponsee's continued career development
and advancement (until {{ dates.end }}).

- [ ] **Sponsor:** Use your influence to increase the sponsee's visibility among other senior leaders.
- [ ] **Sponsor:** Provide opportunities and space for risk-taking and growth, such as a special project or stretch assignment.
- [ ] **Sponsor and sponsee:** Hold the end of program session.
- [ ] **Sponsor, sponsee and manager:** Complete the Next Steps document so that progression continues.
- [ ] **Sponsor and sponsee:** Record your satisfaction (end) in "Recorded values" below, by {{ dates.checkpoints.end }}.
{% with phase = "Advocate" %}{% include "sales-sponsorship/quarterly.md.j2" %}{% endwith %}

## Recorded values

Replace each `__` with a score out of 10, for example `Sponsee satisfaction (start): 8/10`.
The cohort's rollup shows only averages over at least three pairs, never one person's score.

{% for record in program.records %}
- {{ record.label }}: __{% if record.out_of %}/{{ "%g" | format(record.out_of) }}{% endif +%}
{% endfor %}

{{ managed_block("progress") }}
"""

OLD_QUARTERLY = r"""{% set first, last = dates.phases[phase] %}
{% for q in dates.quarters if first < q <= last %}
- [ ] **Sponsor and sponsee:** Attend the Quarterly All-Hands (around {{ q }}).
- [ ] **Sponsee:** Give your individual quarterly feedback to the DIB team (around {{ q }}).
{% endfor %}
"""
