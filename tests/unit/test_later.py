"""Bodies rendered when first read (automation/later.py): a deferred issue reads as any other."""

from __future__ import annotations

import copy
import pickle
from dataclasses import replace

from automation.desired import DesiredIssue
from automation.later import Later, Rendered

TEXT = "<!-- key -->\n## Week 1\n- [ ] read\n"


def _deferred(made: list[str]) -> DesiredIssue:
    def render() -> Rendered:
        made.append("rendered")
        return Rendered(TEXT, ("Week 1",), (("kept-facts", "start"),))

    body = Later(render)
    return DesiredIssue("p/c/ana", "Ana", body, ("program::p",), "Ana", sections=body, kept=body)


def test_a_deferred_body_is_rendered_once_when_first_read_and_reads_as_rendered() -> None:
    made: list[str] = []
    item = _deferred(made)
    assert item.key == "p/c/ana" and item.title == "Ana" and made == []  # not yet
    assert item.sections == ("Week 1",) and made == ["rendered"]
    assert item.description == TEXT and item.kept == (("kept-facts", "start"),)
    assert made == ["rendered"]  # once, whichever field is read first


def test_a_copy_or_a_comparison_of_a_deferred_issue_reads_its_body() -> None:
    made: list[str] = []
    copy = replace(_deferred(made), title="Ana B")
    assert copy.description == TEXT and copy.title == "Ana B" and made == ["rendered"]
    plain = DesiredIssue("p/c/ana", "Ana", TEXT, ("program::p",), "Ana")
    assert _deferred([]) == replace(plain, sections=("Week 1",), kept=(("kept-facts", "start"),))
    assert plain.sections is None and plain.kept == ()  # the defaults, as before


def test_a_deep_copy_or_a_pickle_of_a_deferred_issue_holds_its_body_rendered() -> None:
    made: list[str] = []
    item = _deferred(made)
    for copied in (copy.deepcopy(item), pickle.loads(pickle.dumps(item))):
        assert copied.description == TEXT and copied.kept == (("kept-facts", "start"),)
    assert made == ["rendered"] and item.sections == ("Week 1",)
