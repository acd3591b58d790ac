"""Text pasted into an issue with a byte-order mark (an invisible U+FEFF that text copied
from a file saved by some editors starts with): the tool still finds its marker lines, on
both backends, and neither duplicates the issue nor calls its blocks damaged."""

from __future__ import annotations

from tests.backends import Backend
from tests.e2e.test_contract import by_key, tick

BOM = "\ufeff"
AIKO = "csm-aspiring-leaders/fy27-pilot/aiko.tanaka"
BEGIN = "<!-- automation:begin progress -->"


def test_a_description_pasted_with_a_byte_order_mark_keeps_its_issue(backend: Backend) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: BOM + tick(text, "Have coffee chats"))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    issues = by_key(backend)  # no second issue for the key
    assert issues[AIKO].iid == aiko.iid
    text = issues[AIKO].description
    assert text.startswith(BOM + "<!-- automation:key=" + AIKO + " -->\n")
    assert text.count("automation:key=") == 1
    assert "| **Overall** | **1/25** | **4%** |" in text
    assert "status::in progress" in issues[AIKO].labels
    assert "No changes" in backend.cli("apply").out


def test_a_block_marker_pasted_with_a_byte_order_mark_is_still_the_block(
    backend: Backend,
) -> None:
    assert backend.cli("apply").code == 0
    aiko = by_key(backend)[AIKO]
    backend.edit(aiko.iid, lambda text: tick(text.replace(BEGIN, BOM + BEGIN), "Have coffee chats"))
    result = backend.cli("apply")
    assert result.code == 0, result.out + result.err
    assert "damaged" not in result.out
    text = by_key(backend)[AIKO].description
    assert text.count(BEGIN) == 1  # updated in place, not a second block appended
    assert BOM + BEGIN in text  # the person's text around the marker is kept as it was
    assert "| **Overall** | **1/25** | **4%** |" in text
