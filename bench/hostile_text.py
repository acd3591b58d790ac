"""CPU time of the check made before every description write (`automation.exposure.exposed`:
would the write set a person's text free as a quick action or a mention?) on hostile text a
participant can paste into their own issue: each shape at growing sizes, up to GitLab's
1,048,576-character limit. A time that grows with the square of the size (a regex that
scans to the end of the text from each of many openers) shows as a ratio near 4 from one
size to the double; linear is near 2.

    .venv/bin/python bench/hostile_text.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tool of this checkout

from automation.exposure import exposed

SHAPES = {
    "lines of `<`, then a command line": ("<\n", "/x\n"),
    "one line of `<`, and a mention": ("<", "@x\n"),
    "lines of `<!--`, then a command line": ("<!--\n", "/x\n"),
    "`<a ` repeated, and a mention": ("<a ", "\n@x\n/x\n"),
    "backticks, then a command line": ("`\n", "/x\n"),
}
SIZES = (131_072, 262_144, 524_288, 1_048_576)  # characters


def seconds(unit: str, tail: str, size: int) -> float:
    text = unit * (size // len(unit)) + tail
    start = time.process_time()
    exposed("a", text, lambda name: True)
    return time.process_time() - start


def main() -> None:
    print("| text | " + " | ".join(f"{size // 1024} KB" for size in SIZES) + " |")
    print("|---|" + "--:|" * len(SIZES))
    for name, (unit, tail) in SHAPES.items():
        times = [seconds(unit, tail, size) for size in SIZES]
        print(f"| {name} | " + " | ".join(f"{t:.2f} s" for t in times) + " |")


if __name__ == "__main__":
    main()
