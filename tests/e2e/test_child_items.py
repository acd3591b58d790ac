"""A checklist item converted to a child item (GitLab's "Convert to child item") leaves the
issue's description as a deleted one does, and GitLab counts the child nowhere in the issue: a
tester saw a hire's issue closed, with the congratulations note, while the child task was
still open. (Sales onboarding, which closes an issue once every task is done, on the fake.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from automation.markers import find_key
from tests.backends import PROJECT, GitLabBackend, new_fake, roster_of
from tests.conftest import keep_programs

pytestmark = pytest.mark.usefixtures("no_waiting")
TOM = "sales-onboarding/tom.reyes"


def test_an_issue_with_a_task_converted_to_a_child_item_is_not_closed(shipped: Path) -> None:
    keep_programs(shipped, "sales-onboarding")
    people = shipped / "config/people.yml"  # no general onboarding issues in another project
    people.write_text(re.sub(r"\n    onboarding_issue: .*", "", people.read_text()))
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        tom = next(i for i in fake.issues(PROJECT) if find_key(i["description"]) == TOM)
        task = re.search(r"- \[ \] (.+)", tom["description"])
        assert task is not None
        child = fake.convert_to_child_item(PROJECT, tom["iid"], task.group(1), as_user="tom.reyes")
        fake.edit_issue(
            PROJECT,
            tom["iid"],
            description=fake.issues(PROJECT)[tom["iid"] - 1]["description"].replace("[ ]", "[x]"),
            as_user="tom.reyes",
        )
        result = backend.cli("apply")
        after = fake.state.project(PROJECT).issues[tom["iid"]]
        assert result.code == 0 and after.state == "opened", result.out
        assert f"issue #{tom['iid']} has every task done, but 1 of the " in result.out
        assert not [n for n in after.notes if "Congratulations" in n.body]
        assert fake.state.project(PROJECT).issues[child].state == "opened"
        # the person closes it once the child is done: then it completes, note and all
        fake.edit_issue(PROJECT, child, state="closed", as_user="tom.reyes")
        fake.edit_issue(PROJECT, tom["iid"], state="closed", as_user="tom.reyes")
        done = backend.cli("apply")
        assert done.code == 0 and f"added note to #{tom['iid']}" in done.out, done.out
        assert "has every task done" not in backend.cli("apply").out
