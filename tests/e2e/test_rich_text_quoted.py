"""A reviewer's findings (r22): a person's quote of the tool's text in fenced code made the
real, trimmed comments of a later rich-text save look like stale copies, left as they were."""

from __future__ import annotations

import re
from pathlib import Path

from tests.backends import Backend
from tests.conftest import keep_programs
from tests.e2e.test_contract import by_key, tick
from tests.e2e.test_rich_text import AIKO, rich_text_save
from tests.e2e.test_sponsorship_scores import BEFORE_CLOSE
from tests.local_cli import issues, path_of, run


def save_outside_fences(text: str) -> str:
    """The rich text editor: comments trimmed, code blocks kept verbatim."""
    parts = re.split(r"((?:```|~~~~)\n.*?\n(?:```|~~~~)(?:\n|$))", text, flags=re.S)
    return "".join(p if p.startswith(("```", "~~~~")) else rich_text_save(p) for p in parts)


def test_a_quoted_block_then_a_rich_text_save(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    found = re.search(
        r"<!-- automation:begin progress -->.*?<!-- automation:end progress -->",
        aiko.description,
        re.S,
    )
    assert found is not None
    block = found[0]
    # a person quotes the tool's block in a code fence (markers._quoted: 'a person's quote')
    quoted = f"\nWhy does this say 0%?\n\n```\n{block}\n```\n"
    backend.edit(aiko.iid, lambda text: text + quoted)
    r = backend.cli("apply")
    assert r.code == 0, r.out + r.err  # fine while saved in Markdown
    # then someone ticks a box in the rich text editor: the whole description saved again
    backend.edit(aiko.iid, lambda text: save_outside_fences(tick(text, "Have coffee chats")))
    result = backend.cli("apply")
    after = by_key(backend)[AIKO].description
    assert result.code == 0 and "damaged" not in result.out, result.out + result.err
    live = after.split("```")[0] + after.split("```")[-1]
    assert live.count("<!-- automation:begin progress -->") == 1
    assert "<!--automation:begin progress-->" not in after, "stale copy left beside new block"
    assert "| **Overall** | **1/25** | **4%** |" in live


def test_a_pasted_description_then_a_rich_text_save(backend: Backend) -> None:
    """markers.py: 'a key quoted further down (a bug report, a pasted description) is not
    one'. The whole description pasted in a fence, then a rich-text save."""
    assert backend.cli("apply").code == 0
    before = by_key(backend)
    aiko = before[AIKO]
    backend.edit(
        aiko.iid, lambda text: text + f"\nAs it was on day one:\n\n```\n{text.strip()}\n```\n"
    )
    assert backend.cli("apply").code == 0
    backend.edit(aiko.iid, lambda text: save_outside_fences(tick(text, "Have coffee chats")))
    result = backend.cli("apply")
    after = by_key(backend)
    assert set(after) == set(before)
    assert after[AIKO].iid == aiko.iid
    assert result.code == 0, result.out + result.err


def test_a_pasted_description_then_a_rich_text_save_leaves_no_trimmed_copy(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(
        aiko.iid, lambda text: text + f"\nAs it was on day one:\n\n```\n{text.strip()}\n```\n"
    )
    assert backend.cli("apply").code == 0
    backend.edit(aiko.iid, lambda text: save_outside_fences(tick(text, "Have coffee chats")))
    assert backend.cli("apply").code == 0
    after = by_key(backend)[AIKO].description
    live = after.split("```")[0] + after.split("```")[-1]
    assert "<!--automation:" not in live, live


def test_a_confidential_tracking_issue_quoted_then_saved_in_rich_text(shipped: Path) -> None:
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply", BEFORE_CLOSE).code == 0
    before = issues(shipped)
    path = path_of(shipped, "sales-sponsorship/tracking")
    head, sep, body = path.read_text("utf-8").partition("\n---\n")  # front matter, description
    # the lead pastes the description in a code fence (a bug report), runs pass
    path.write_text(head + sep + body + f"\nWhat I saw:\n\n~~~~\n{body.strip()}\n~~~~\n", "utf-8")
    assert run("apply", BEFORE_CLOSE).code == 0
    assert set(issues(shipped)) == set(before)
    # then the lead edits the description in the rich text editor
    head, sep, body = path.read_text("utf-8").partition("\n---\n")
    path.write_text(head + sep + save_outside_fences(body), "utf-8")
    result = run("apply", BEFORE_CLOSE)
    after = issues(shipped)
    assert len(after) == len(before), sorted(after)
    assert result.code == 0
