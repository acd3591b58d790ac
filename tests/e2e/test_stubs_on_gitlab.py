"""Planning from stubs (docs/incremental-planning.md) checked through the GitLab adapter, on
the fake GitLab's Premium (epics) and Free (links to the tracking issue): the shipped programs
(but sales onboarding, whose notes go to other projects) are synced until quiet by the CLI,
then a person ticks, unticks, records a score or writes a line in one issue at a time in
GitLab. Each change `local_change` calls local gives, planned from the changed issue, its
dependents and the stubs of the others' ledger rows (read as GitLab gave them before the
change), exactly the plan of the whole program."""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from automation.actions import Observed
from automation.desired import DesiredProgram
from automation.items import ObservedIssue
from automation.locality import Footprint, dependents, local_change
from automation.planner import ledger_rows, plan_program
from automation.run import Prepared, make_plan, observe, prepare
from automation.trackers.base import Tracker
from automation.trackers.gitlab import Connection, GitLabTracker
from tests.backends import PROJECT, TOKEN, URL, GitLabTime, cli, new_fake, roster_of
from tests.conftest import REPO, keep_programs
from tests.fakes.gitlab_fake import FakeGitLab
from tests.unit.test_locality import DAY, EDITS, LOCAL

pytestmark = pytest.mark.usefixtures("no_waiting")  # see tests/conftest.py
KEPT = ("csm-aspiring-leaders", "executive-sponsorship", "sales-sponsorship")


@pytest.mark.heavy
@pytest.mark.parametrize("tier", ["premium", "free"])
def test_a_local_change_planned_from_stubs_is_the_full_plan_on_gitlab(
    tmp_path: Path, tier: str
) -> None:
    fake = new_fake(tier, users=roster_of(REPO))
    for part in ("config", "templates"):
        shutil.copytree(REPO / part, tmp_path / part)
    # sales onboarding writes to other projects' issues, which the fake does not hold
    keep_programs(tmp_path, *KEPT, csm_group=True)
    os.chdir(tmp_path)
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
    args = ["apply", "--backend", "gitlab", "--today", DAY.isoformat(), "--rehearsal"]
    rng = random.Random(tier)
    compared = 0
    with fake.activate():
        for _ in range(2):
            assert cli(args, env, GitLabTime(fake)).code == 0
        prepared = prepare(tmp_path / "config", tmp_path / "templates", DAY)
        settings = prepared.loaded.config.settings.gitlab
        tracker = GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)
        tracker.check_access(writes=False)  # as the CLI does first: it learns the project
        plan = make_plan(prepared, tracker, DAY)
        assert not plan.actions, plan.actions
        for desired in (d for d in prepared.programs if d.program.id not in plan.warned):
            for name in sorted(LOCAL - {"assign someone"}):
                compared += _compare(prepared, tracker, desired, name, rng, fake)
    assert compared >= 10  # not a test of nothing: edits were planned both ways


def _observed(tracker: Tracker, desired: DesiredProgram) -> Observed:
    return observe(tracker, desired, tracker.label_names(), tracker.epics_available())


def _compare(  # noqa: PLR0917
    prepared: Prepared,
    tracker: Tracker,
    desired: DesiredProgram,
    name: str,
    rng: random.Random,
    fake: FakeGitLab,
) -> int:
    """One issue of DESIRED changed by the edit NAME in GitLab, planned both ways, then put
    back as it was; 1 when the change was local and compared."""
    before = _observed(tracker, desired)
    tracked = [i for i in before.issues if i.key in desired.by_key]
    issue: ObservedIssue = rng.choice(tracked)
    memory = _Text(issue.description)
    EDITS[name](memory, issue, rng)  # type: ignore[arg-type]  # it calls `edit` alone
    if memory.text == issue.description:
        return 0
    fake.edit_issue(PROJECT, issue.iid, description=memory.text)
    try:
        after = _observed(tracker, desired)
        changed = next(i for i in after.issues if i.iid == issue.iid)
        if local_change(Footprint.of(issue), changed, desired) is not None:
            return 0
        focus = {issue.key, *dependents(desired, [str(issue.key)])}
        rows = ledger_rows(desired, before, prepared.blocks, DAY)
        kept = {key: row for key, row in rows.items() if key not in focus}
        stubs = tuple(kept[i.key].stub if i.key in kept else i for i in after.issues)
        full = plan_program(desired, after, prepared.blocks, DAY)
        stubbed = plan_program(desired, replace(after, issues=stubs), prepared.blocks, DAY, kept)
        assert stubbed == full, (name, issue.key)
        return 1
    finally:
        fake.edit_issue(PROJECT, issue.iid, description=issue.description)


class _Text:
    """An edit of tests/unit/test_locality.py applied to a text alone (its `edit` call)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def edit(self, _iid: int, change: Callable[[str], str]) -> None:
        self.text = change(self.text)
