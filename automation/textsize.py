"""How much text one template step would make, told before the step is taken: the steps
that multiply text (`replace` with a long replacement, `join` of long strings, `translate`,
`expandtabs`, `indent` and `wordwrap` of many lines, `*` of a list of long strings) would use
the run's memory before any check of what they made (pure; rendering.py refuses a step past
its bounds)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Sized
from typing import Any


def text_size(value: Any, cap: int | None = None, depth: int = 3) -> int:
    """The characters of VALUE's text: a string's (or bytes') length; a list's, tuple's,
    set's or mapping's strings', three levels down (what `join`, `*`, `string` or printing it
    would copy); 0 for anything else. Counting stops past CAP."""
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    if depth == 0:
        return 0
    items: Any = value
    if type(value).__name__ == "Namespace":  # Jinja's namespace(): its values
        value = items = getattr(value, "_Namespace__attrs", {})
    if isinstance(value, Mapping):
        items = (part for pair in value.items() for part in pair)
    elif not isinstance(value, list | tuple | set | frozenset):
        return 0
    total = 0
    for item in items:
        total += text_size(item, cap, depth - 1)
        if cap is not None and total > cap:
            break
    return total


def replaced_size(text: str, old: str, new: str, count: int | None = None) -> int:
    """The length of TEXT with OLD replaced by NEW (at most COUNT times)."""
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def joined_size(separator: str, items: Any) -> int:
    """The length of ITEMS joined with SEPARATOR: their strings, and the separator between
    each two (of what has a length: a range, a string's characters; an iterator, which `join`
    consumes, counts for nothing: what it yields is made, and counted, one at a time)."""
    count = len(items) if isinstance(items, Sized) else 0  # a string joins its characters
    return text_size(items) + len(separator) * max(count - 1, 0)


def lines_size(text: str, added: int) -> int:
    """The length of TEXT with ADDED characters put at each of its lines (`indent`)."""
    return len(text) + (text.count("\n") + 1) * max(added, 0)


def wrapped_size(text: str, width: int, wrapstring: str) -> int:
    """At most, the length of TEXT wrapped at WIDTH with WRAPSTRING at each break."""
    return len(text) + (len(text) // max(width, 1) + 1) * len(wrapstring)


def method_size(name: str, text: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> int:
    """The length of what the string method NAME of TEXT would make with ARGS (0 when it
    makes no more than its inputs hold, or is not a method that multiplies text)."""
    given = [*args, *kwargs.values()]
    strings = [a for a in given if isinstance(a, str)]
    if name == "replace" and len(strings) >= 2:
        count = next((a for a in given if isinstance(a, int)), None)
        return replaced_size(text, strings[0], strings[1], count)
    if name == "join" and given:
        return joined_size(text, given[0])
    if name == "translate" and given and isinstance(given[0], Mapping):
        longest = max((text_size(v) for v in given[0].values()), default=1)
        return len(text) * max(longest, 1)
    if name in ("format", "format_map"):  # each {} prints one of the values
        values = [*given, *(v for m in given if isinstance(m, Mapping) for v in m.values())]
        widest = max((text_size(v) for v in values), default=0)
        return len(text) + text.count("{") * widest
    if name == "expandtabs":
        tab = next((a for a in given if isinstance(a, int)), 8)
        return len(text) + text.count("\t") * max(tab, 0)
    return 0
