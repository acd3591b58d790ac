"""A year of the shipped programs, month by month with `--today`, as a team runs them: a
participant leaves and comes back, a cohort is renamed, a sponsor is swapped, a template gains a
task and rewords another, the schedule is down for two months, an account ends. After every
month: one issue per key, ticks and human text kept, and a second run writes nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from automation import keyindex
from automation.index import KEYS_BLOCK, read_index
from automation.items import ObservedIssue
from tests.backends import Backend, GitLabBackend, LocalBackend, Result, cli, new_fake, roster_of
from tests.conftest import keep_programs

CSM = Path("config/programs/csm-aspiring-leaders.yml")
SPONSORSHIP = Path("config/programs/sales-sponsorship.yml")
ESP = Path("config/programs/executive-sponsorship.yml")
TEMPLATE = Path("templates/csm-aspiring-leaders/participant.md.j2")
HUMAN = "Sam's own note: the first module went well."
ADDED = "1. [ ] Write down three things you learnt from your mentor."
REWORDED_FROM = "1. [ ] Take the [Crucial Conversations]"
REWORDED_TO = "1. [ ] Complete the [Crucial Conversations]"


def month(root: Path, backend: Backend, today: str) -> Result:
    """One scheduled run on the 15th, then a second run that must write nothing."""
    args = ["apply", "--backend", backend.name, "--today", today, "--rehearsal"]
    env = backend.env() if isinstance(backend, GitLabBackend) else {}
    first = cli(args, env)
    assert first.code in (0, 1), first.out + first.err
    assert "FAILED" not in first.out, first.out
    again = cli(args, env)
    assert "No changes" in again.out, f"{today}: a second run wrote:\n{again.out}"
    keys = Counter(i.key for i in backend.issues() if i.key)
    assert [k for k, n in keys.items() if n > 1] == [], today
    return first


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def by_key(backend: Backend) -> dict[str, ObservedIssue]:
    return {i.key: i for i in backend.issues() if i.key}


def sam(backend: Backend) -> ObservedIssue:
    return next(
        i for k, i in by_key(backend).items() if k.endswith("/sam.delacroix") and "csm" in k
    )


def change_template(path: Path) -> None:
    """A task added at the end of Module 1, and one of Module 2 reworded."""
    edit(path, "\n## Module 2: Learn\n", f"{ADDED}\n\n## Module 2: Learn\n")
    edit(path, REWORDED_FROM, REWORDED_TO)


def tick_first(text: str) -> str:
    return re.sub(r"1\. \[ \]", "1. [x]", text, count=1) + f"\n{HUMAN}\n"


@pytest.fixture(params=["local", "gitlab", "gitlab-free"])
def backend(request: pytest.FixtureRequest, shipped: Path) -> Iterator[Backend]:
    # onboarding takes no part in these events
    keep_programs(shipped, "csm-aspiring-leaders", "sales-sponsorship", "executive-sponsorship")
    if request.param == "local":
        yield LocalBackend(shipped)
        return
    roster = roster_of(shipped)  # Free: no epics, one assignee, issue links instead
    fake = new_fake("free" if request.param.endswith("free") else "premium", users=roster)
    with fake.activate():
        yield GitLabBackend(fake)


@pytest.mark.heavy
@pytest.mark.parametrize("index", ["in tracking", "in its own issue"])
def test_a_year_of_changes_keeps_every_issue_whole(
    shipped: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch, index: str
) -> None:
    if index == "in its own issue":  # as a big program's (keyindex.py)
        monkeypatch.setattr(keyindex, "INDEX_LIMIT", 0)
    root = shipped
    events: dict[str, Callable[[], None]] = {
        "2026-12-15": lambda: edit(root / CSM, "      - lena.fischer\n", ""),
        "2027-01-15": lambda: edit(
            root / CSM, "      - aiko.tanaka\n", "      - aiko.tanaka\n      - lena.fischer\n"
        ),
        "2027-02-15": lambda: edit(
            root / CSM,
            "  - id: fy27-pilot\n",
            "  - id: fy27-leaders\n    renamed_from: fy27-pilot\n",
        ),
        "2027-03-15": lambda: edit(
            root / SPONSORSHIP,
            "{sponsor: hannah.berg, sponsee: lena.fischer}",
            "{sponsor: dana.whitfield, sponsee: lena.fischer}",
        ),
        "2027-04-15": lambda: change_template(root / TEMPLATE),
        "2027-08-15": lambda: edit(
            root / ESP,
            "account_team: [maya.okonkwo, ines.moreau], start: 2026-05-01}",
            "account_team: [maya.okonkwo, ines.moreau], start: 2026-05-01, end: 2027-08-31}",
        ),
    }
    skipped = {"2027-05-15", "2027-06-15"}
    days = ["2026-11-15", "2026-12-15", *(f"2027-{m:02d}-15" for m in range(1, 11))]
    month(root, backend, days[0])
    first = sam(backend)
    backend.edit(first.iid, tick_first)
    lena_iid = next(
        i.iid for k, i in by_key(backend).items() if k.endswith("fy27-pilot/lena.fischer")
    )
    for today in days[1:]:
        if today in events:
            events[today]()
        if today in skipped:
            continue
        month(root, backend, today)
        now = sam(backend)
        assert now.iid == first.iid
        assert "1. [x]" in now.description and HUMAN in now.description, today
    found = by_key(backend)
    lena = found["csm-aspiring-leaders/fy27-leaders/lena.fischer"]
    assert lena.iid == lena_iid and lena.state == "opened"
    text = sam(backend).description
    assert text.count(ADDED.removeprefix("1. [ ] ")) == 1
    assert REWORDED_FROM in text and REWORDED_TO not in text
    pair = found["sales-sponsorship/fy28-h1/lena.fischer"]
    assert "dana.whitfield" in pair.assignees and "hannah.berg" not in pair.assignees
    plan = found["executive-sponsorship/account/initech/account-plan"]
    assert plan.state == "closed"
    if index == "in its own issue":  # each program's, closed, and every issue in it
        for program in ("csm-aspiring-leaders", "sales-sponsorship", "executive-sponsorship"):
            keys = found[f"{program}/tracking/index"]
            entries = read_index(keys.description, f"{program}/", KEYS_BLOCK) or {}
            ours = {k: i.iid for k, i in found.items() if k.startswith(f"{program}/")}
            assert keys.state == "closed"
            assert {k: v for k, v in ours.items() if k in entries} == entries
            assert set(ours) - set(entries) == {f"{program}/tracking", keys.key}
