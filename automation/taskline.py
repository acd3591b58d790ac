"""GitLab's task line (pure): checklist.py counts them; markers.py refuses to rewrite a tool
block that holds one (a marker moved past a person's checklist)."""

from __future__ import annotations

import re

from automation.tasktables import BOX_SPACE

# GitLab's task rule: list prefixes (nested, optionally inside `>` quotes), a checkbox,
# then whitespace and some text. Its list numbers are ASCII digits; the box holds `x`, `X` or
# one space, any Unicode space (GitLab renders the text to count its boxes, and its spec counts
# a no-break space as an open box: pasted text brings them, and a person sees a checkbox).
TASK_LINE = re.compile(
    r"^(?:[ \t]{0,3}>[ \t]{0,4})*"  # blockquote markers (up to 3 spaces before each)
    r"(?:[ \t]*(?:[-+*]|\d+[.)]))+"  # one or more list prefixes
    r"[ \t]+"
    rf"\[(?P<box>[xX]|[{BOX_SPACE}])\]"  # [x], [X] or [ ] with one whitespace character
    r"[ \t]+\S",  # whitespace, then text
    re.ASCII,
)
