"""The completion figures a plan-style issue shows, read as a person reads them."""

from __future__ import annotations

import re

_FIGURE = re.compile(r"=>\s*`(?P<value>\d{1,3})%`\s*$")


def figure_values(text: str) -> list[int]:
    """The figures as written, in order."""
    return [int(m.group("value")) for line in text.split("\n") if (m := _FIGURE.search(line))]
