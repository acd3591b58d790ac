"""A section heading is configuration too: whatever it says, nothing the tool writes makes
GitLab run a quick action (its extractor also reads inside HTML comments, where the tool
keeps its hidden records)."""

from __future__ import annotations

from pathlib import Path

from automation.markers import block_content
from automation.migration import RECORD_BLOCK, read_record
from tests.backends import GitLabBackend, new_fake, roster_of
from tests.conftest import keep_programs
from tests.local_cli import edit

HOSTILE = "/label ~hacked /close"
PROGRAM = Path("config/programs/csm-aspiring-leaders.yml")
TEMPLATE = Path("templates/csm-aspiring-leaders/participant.md.j2")


def test_a_heading_that_reads_as_a_quick_action_runs_none(shipped: Path) -> None:
    keep_programs(shipped, "csm-aspiring-leaders")
    edit(shipped / PROGRAM, '"Module 3: Practice"', f'"{HOSTILE}"', count=2)
    edit(shipped / TEMPLATE, "## Module 3: Practice", f"## {HOSTILE}")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        gitlab = GitLabBackend(fake)
        first = gitlab.cli("apply")
        assert first.code == 0, first.out + first.err
        assert fake.quick_actions == []
        issues = fake.issues("enablement/programs")
        assert all(i["state"] == "opened" for i in issues)
        assert not any("hacked" in label for i in issues for label in i["labels"])
        held = [i for i in issues if block_content(i["description"] or "", RECORD_BLOCK)]
        assert held
        for issue in held:
            text = issue["description"] or ""
            assert not any(line.startswith("/") for line in text.split("\n")), text
            record = read_record(text)
            assert record is not None and len(record.sections) >= 3
        assert "No changes" in gitlab.cli("apply").out  # read back as written
