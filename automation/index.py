"""The record of which issue holds which key: how an issue whose identity line a person deleted
is found again instead of duplicated (pure). A program's tracking issue holds it in its
`index` block; once it outgrows INDEX_LIMIT it moves to the program's own closed issue (its
`keys` block, see keyindex.py), so that a tick, which rewrites the tracking issue's rollup,
does not rewrite the whole index with it. The tracking issue's `index` block then holds the
index issue's entry alone, and says where the index went (a tracking issue whose first line
was deleted is still found by that block)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from automation.errors import ItemError
from automation.markers import KEY_PATTERN, block_content, hidden_lines

INDEX_BLOCK = "index"  # in the tracking issue
KEYS_BLOCK = "keys"  # in the program's index issue, once the index moved there
INDEX_LIMIT = 10_000  # characters: a bigger index moves out of the tracking issue (~400 keys)
HEADER = (
    "<!-- Which issue holds which key, so that an issue whose first line was deleted is found "
    "again. Kept by the program automation; do not edit."
)
_ENTRY = re.compile(rf"^(?P<iid>\d+) (?P<key>{KEY_PATTERN})$")


def read_index(
    description: str, prefix: str = "", block: str = INDEX_BLOCK
) -> dict[str, int] | None:
    """Key → iid from a tracking issue's BLOCK (or an index issue's, KEYS_BLOCK; keys are
    written without the program's PREFIX); None when it holds no readable index."""
    try:
        content = block_content(description, block)
    except ItemError:  # a person broke a marker: the hidden lines still say
        content = _hidden(description)
    # both markers gone: an index issue's hidden lines still say (not a tracking issue's, or
    # find_tracking would take a keyless index issue for the tracking issue)
    if content is None and block == KEYS_BLOCK:
        content = _hidden(description)
    if content is None:
        return None
    entries: dict[str, int] = {}
    for line in content.split("\n"):
        match = _ENTRY.match(line.strip())
        if match:
            entries[prefix + match.group("key")] = int(match.group("iid"))
    return entries


def _hidden(description: str) -> str | None:
    """The lines of the index's first hidden comment, found by its header (a copy pasted
    further down is not read); None without one."""
    lines: list[str] = []
    for inside, line in hidden_lines(description, HEADER):
        if inside:
            lines.append(line)
        elif lines:
            break
    if not lines and HEADER not in description:
        return None  # no header line: nothing of the index is left
    return "\n".join(lines)


def index_content(entries: Mapping[str, int], prefix: str = "", note: str = "") -> str:
    """The block's content: one hidden `iid key` line per item, in iid order, each key
    without the program's PREFIX (a 10,000-issue program's index stays near 300 KB), after
    a NOTE line if there is one."""
    ordered = sorted(entries.items(), key=lambda e: (e[1], e[0]))
    lines = [f"{iid} {key.removeprefix(prefix)}" for key, iid in ordered]
    return "\n".join([HEADER, *([note] if note else []), *lines, "-->"]) + "\n"


def moved_content(key: str, iid: int, prefix: str) -> str:
    """The tracking issue's index block once the index moved to the issue IID that holds
    KEY: that issue's entry alone (so that it is looked for, should it lose its label)."""
    return index_content({key: iid}, prefix, f"The index is kept in issue #{iid}.")


def index_key(tracking_key: str) -> str:
    """The key of a program's index issue (keyindex.py), from its tracking issue's."""
    return f"{tracking_key}/index"


def key_prefix(tracking_key: str) -> str:
    """What every key of a program starts with (its id and a slash), left out of the index."""
    return tracking_key.rsplit("/", 1)[0] + "/"
