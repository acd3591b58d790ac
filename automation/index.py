"""The record, kept in each program's tracking issue, of which issue holds which key: how an
issue whose identity line a person deleted is found again instead of duplicated (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from automation.errors import ItemError
from automation.markers import KEY_PATTERN, block_content

INDEX_BLOCK = "index"
_HEADER = (
    "<!-- Which issue holds which key, so that an issue whose first line was deleted is found "
    "again. Kept by the program automation; do not edit."
)
_ENTRY = re.compile(rf"^(?P<iid>\d+) (?P<key>{KEY_PATTERN})$")


def read_index(description: str, prefix: str = "") -> dict[str, int] | None:
    """Key → iid from a tracking issue (keys are written without the program's PREFIX);
    None when it holds no readable index."""
    try:
        content = block_content(description, INDEX_BLOCK)
    except ItemError:
        return None
    if content is None:
        return None
    entries: dict[str, int] = {}
    for line in content.split("\n"):
        match = _ENTRY.match(line.strip())
        if match:
            entries[prefix + match.group("key")] = int(match.group("iid"))
    return entries


def index_content(entries: Mapping[str, int], prefix: str = "") -> str:
    """The block's content: one hidden `iid key` line per item, in iid order, each key
    without the program's PREFIX (a 10,000-issue program's index stays near 300 KB)."""
    ordered = sorted(entries.items(), key=lambda e: (e[1], e[0]))
    lines = [f"{iid} {key.removeprefix(prefix)}" for key, iid in ordered]
    return "\n".join([_HEADER, *lines, "-->"]) + "\n"


def key_prefix(tracking_key: str) -> str:
    """What every key of a program starts with (its id and a slash), left out of the index."""
    return tracking_key.rsplit("/", 1)[0] + "/"
