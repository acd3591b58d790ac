"""A completion block says "Open again" while required tasks of an issue finished once are
open again, on GitLab, with people ticking boxes while the tool writes."""

from __future__ import annotations

from pathlib import Path

from automation.markers import block_content
from tests.backends import PROJECT, GitLabBackend, new_fake
from tests.conftest import keep_programs

SAM = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"
AGAIN = "**Open again:**"


def test_a_box_ticked_while_the_tool_writes_open_again_is_kept_and_the_line_goes_next_run(
    shipped: Path,
) -> None:
    """Sam finished, reopened his issue and unticked a task to redo it. The run plans the
    "Open again" line; just before its read for the write, Sam ticks the task again. His
    tick lands with the line (written on that read), and the next run, finding the issue
    complete, takes the line out, writing nothing else of his."""
    keep_programs(shipped, "csm-aspiring-leaders")
    fake = new_fake(users=("sam.delacroix", "aiko.tanaka", "lena.fischer"))
    with fake.activate():
        gitlab = GitLabBackend(fake)
        assert gitlab.cli("apply").code == 0
        [issue] = [i for i in fake.issues(PROJECT) if f"key={SAM} " in i["description"]]
        iid = issue["iid"]

        def text() -> str:
            return str(fake.issues(PROJECT)[iid - 1]["description"])

        def sam_writes(description: str) -> None:
            fake.edit_issue(PROJECT, iid, description=description, as_user="sam.delacroix")

        sam_writes(text().replace("[ ]", "[x]"))
        assert gitlab.cli("apply").code == 0
        done = block_content(text(), "completion") or ""
        assert "**Completed:**" in done and AGAIN not in done
        task = next(line for line in text().splitlines() if "[x]" in line)
        untick = text().replace(task, task.replace("[x]", "[ ]"), 1)
        sam_writes(untick)
        hook = fake.before_request(
            "GET", f"/issues/{iid}", lambda: sam_writes(untick.replace("[ ]", "[x]", 1))
        )
        assert gitlab.cli("apply").code == 0
        assert hook.fired == 1
        assert task in text() and task.replace("[x]", "[ ]") not in text()  # his tick is there
        assert AGAIN in (block_content(text(), "completion") or "")
        assert gitlab.cli("apply").code == 0
        assert block_content(text(), "completion") == done
        assert "status::complete" in fake.issues(PROJECT)[iid - 1]["labels"]
