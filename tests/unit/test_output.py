"""The JSON documents: every action has one documented shape, and the README names every
field the builder writes."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from automation.actions import (
    AddNote,
    AddToEpic,
    CloseIssue,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Plan,
    Remind,
    ReopenIssue,
    UpdateAssignees,
    UpdateDescription,
    UpdateDueDate,
    UpdateEpic,
    UpdateLabels,
)
from automation.changes import RENAMED
from automation.items import NewEpic, NewIssue, ObservedIssue
from automation.output import document as doc
from automation.output.console import Console
from automation.output.lines import NOTE_MAX_LINES, describe, diff, failure_lines, note_body
from automation.output.result import ACTION_TYPES, Result, Summary
from automation.privacy import Privacy
from automation.progress import LabelSpec

README = Path(__file__).resolve().parents[2] / "README.md"
EVERY_ACTION = Plan(
    (
        CreateLabel(LabelSpec("status::complete", "#5cb85c", "done"), "p"),
        CreateIssue("p", NewIssue("p/a", "A", "text", ("program::p",), ("ana",))),
        UpdateDescription("p", "p/a", 2, "progress", "before\n", "after\n"),
        UpdateLabels("p", "p/a", 2, ("phase::two",), ("phase::one",)),
        UpdateAssignees("p", "p/a", 2, ("bo",), ("cy",), ("ana", "bo")),
        UpdateDueDate("p", "p/a", 2, dt.date(2027, 1, 31), dt.date(2027, 3, 31)),
        AddNote("p", "p/a", 2, "<!-- marker -->\nWell done"),
        CloseIssue("p", "p/a", 2),
        ReopenIssue("p", "p/a", 2),
        CreateEpic("p", NewEpic("p/epic", "Epic", "text", ("program::p",))),
        AddToEpic("p", "p/a", 4, ObservedIssue(2, "A", "", ())),
        LinkIssues("p", "p/c", 1, 2),
        UpdateEpic("p", "p/epic", 5, "<!-- a -->\n", "<!-- b -->\n", add=("program::p",)),
        Remind("p", "p/a", 2, "<!-- automation:note reminder r 2026-12-04 -->\nDo it"),
    ),
    (Failure("p", "p/b", "what to fix", 3),),
    ("a warning",),
    1,
    ("a notice",),
)
SHAPES: dict[str, Any] = {
    "create_label": doc.CreateLabelJson,
    "create_issue": doc.CreateIssueJson,
    "update_description": doc.UpdateDescriptionJson,
    "update_labels": doc.UpdateLabelsJson,
    "update_assignees": doc.UpdateAssigneesJson,
    "update_due_date": doc.UpdateDueDateJson,
    "add_note": doc.AddNoteJson,
    "close_issue": doc.BaseActionJson,
    "reopen_issue": doc.BaseActionJson,
    "create_epic": doc.CreateEpicJson,
    "add_to_epic": doc.AddToEpicJson,
    "link_issues": doc.LinkIssuesJson,
    "update_epic": doc.UpdateEpicJson,
    "remind": doc.RemindJson,
}


def test_every_action_has_its_documented_fields_and_no_others() -> None:
    document = doc.plan_document(EVERY_ACTION, Summary.of_plan(EVERY_ACTION))
    TypeAdapter(doc.PlanDocument).validate_python(document)
    assert [a["type"] for a in document["actions"]] == list(ACTION_TYPES)
    for action in document["actions"]:
        assert set(action) == SHAPES[action["type"]].__required_keys__


def test_a_confidential_items_action_has_no_key_and_no_text() -> None:
    hidden = Privacy(frozenset({"p"}))
    document = doc.plan_document(EVERY_ACTION, Summary.of_plan(EVERY_ACTION), hidden)
    label, *items = document["actions"]
    assert label["type"] == "create_label"  # a label is nobody's
    for action in items:
        assert set(action) == doc.ConfidentialActionJson.__required_keys__
    assert document["failures"][0]["key"] == "p #3 (confidential)"


def test_a_confidential_issues_description_line_names_its_blocks_not_its_renaming() -> None:
    """An upgrade trial read two writes of one pair's issue (its kept table, then the record
    of its new assignees) as the same line twice: the blocks, the template's, tell them apart;
    a renamed identity line would tell of a person, and is not said."""
    hidden = Privacy(frozenset({"p"}))
    # a kept block's name is the template's: `facts-aiko-tanaka` would say whose issue it is
    table = UpdateDescription("p", "p/a", 4, "kept-facts-aiko, kept-x, progress", "a\n", "b\n")
    record = UpdateDescription("p", "p/a", 4, f"{RENAMED}, assigned", "a\n", "b\n")
    assert describe(table, privacy=hidden) == "update description: #4 of p (confidential): " + (
        "kept, progress blocks"
    )
    assert describe(record, done=True, privacy=hidden) == (
        "updated description: #4 of p (confidential): assigned block"
    )
    renamed = UpdateDescription("p", "p/a", 4, RENAMED, "a\n", "b\n")
    assert describe(renamed, privacy=hidden) == "update description: #4 of p (confidential)"


def test_a_confidential_epics_line_names_an_epic() -> None:
    hidden = Privacy(frozenset({"p"}))
    create = CreateEpic("p", NewEpic("p/epic", "Epic", "text", ("program::p",)))
    rename = UpdateEpic("p", "p/epic", 5, "<!-- a -->\n", "<!-- b -->\n")
    assert describe(create, done=True, privacy=hidden) == ("created a new epic of p (confidential)")
    assert describe(rename, privacy=hidden) == "update epic: &5 of p (confidential)"


def test_the_run_report_and_the_plan_share_their_parts() -> None:
    result = Result.of_plan(EVERY_ACTION)
    report = doc.run_report("plan", dt.date(2026, 11, 24), result, Privacy())
    TypeAdapter(doc.RunReport).validate_python(report)
    plan = doc.plan_document(EVERY_ACTION, result.summary)
    assert report["actions"] == plan["actions"] and report["failures"] == plan["failures"]
    assert list(report) == [
        "schema",
        "command",
        "today",
        "exit_code",
        "summary",
        "actions",
        "failures",
        "warnings",
        "notices",
    ]
    assert report["exit_code"] == 0
    assert report["summary"]["created"] == plan["summary"]["create_issue"] == 1
    assert report["summary"]["updated"] == 1  # p/c; p/a is created by the same plan


def _fields(schema: Any) -> set[str]:
    """Every property name anywhere in a JSON schema."""
    if isinstance(schema, dict):
        own = set(schema.get("properties", {}))
        return own | {name for value in schema.values() for name in _fields(value)}
    if isinstance(schema, list):
        return {name for value in schema for name in _fields(value)}
    return set()


def test_the_readme_names_every_field_of_both_documents() -> None:
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## JSON.*?(?=^## )", text, re.S | re.M)
    assert section is not None
    schema = TypeAdapter(doc.PlanDocument | doc.RunReport).json_schema()
    names = _fields(schema) | set(ACTION_TYPES)
    missing = sorted(n for n in names if f"`{n}`" not in section[0] and f'"{n}"' not in section[0])
    assert not missing, f"README.md's JSON section does not name {missing}"


def test_a_note_reads_as_its_first_visible_line_not_its_hidden_marker() -> None:
    body = "<!-- automation:note withdrawn -->\n\nWithdrawn from Demo. " + "x" * 80
    line = describe(AddNote("demo", "demo/c1/ana", 3, body))
    assert line.startswith("add note to #3 [demo/c1/ana]: Withdrawn from Demo. x")
    assert "automation:note" not in line and line.endswith("…")


def test_a_shown_diff_names_keys_of_the_issues_own_program_only() -> None:
    """A cohort rename shows both keys; a key pasted from another program's item (maybe a
    confidential pair's) is left out."""
    renamed = diff(
        "<!-- automation:key=p/old/sam -->\nbody", "<!-- automation:key=p/new/sam -->\nbody"
    )
    assert renamed[1:3] == [
        "-<!-- automation:key=p/old/sam -->",
        "+<!-- automation:key=p/new/sam -->",
    ]
    pasted = diff(
        "<!-- automation:key=secret/c/aiko -->\nbody", "<!-- automation:key=p/c/sam -->\nbody"
    )
    assert pasted[1:3] == ["-<!-- automation:key=… -->", "+<!-- automation:key=p/c/sam -->"]


def test_a_confidential_failure_with_no_issue_keeps_where_it_is() -> None:
    """A tester's finding: the failure of a confidential cohort's epic (its key names nobody)
    read "sales-sponsorship (confidential) (confidential)": the line was hidden a second
    time, key and all, so two such failures could not be told apart."""
    hidden = Privacy(frozenset({"sales-sponsorship"}), frozenset({"aiko.tanaka"}))
    failures = [
        Failure("sales-sponsorship", f"sales-sponsorship/{c}/epic", "GitLab failed") for c in "ab"
    ] + [Failure("sales-sponsorship", "sales-sponsorship/a/aiko.tanaka", "no aiko.tanaka")]
    lines = [
        "FAILED [sales-sponsorship: a/epic (confidential)]: GitLab failed",
        "FAILED [sales-sponsorship: b/epic (confidential)]: GitLab failed",
        "FAILED [sales-sponsorship: a/[confidential] (confidential)]: no [confidential]",
    ]
    assert list(failure_lines(failures, hidden)) == lines
    # and as printed: every line a console prints is hidden once more (a tester upgrading)
    assert [hidden.text(line) for line in lines] == lines
    # the JSON run report names them as the printed lines do (it said "sales-sponsorship
    # (confidential)" for all three)
    report = doc.body([], failures, [], [], hidden)["failures"]
    assert [f["key"] for f in report] == [line[8:].split("]: ")[0] for line in lines]
    assert "aiko" not in str(report)


def test_a_long_plans_merge_request_note_keeps_its_failures_warnings_and_notes() -> None:
    """A tester: a plan of 426 lines had its FAILED line and warnings after every diff, and
    the note, cut at 300 lines, showed neither (its headline counting them)."""
    diffs = [f"    + line {n}" for n in range(NOTE_MAX_LINES + 100)]
    tail = ["FAILED [demo/c1/ben]: its block is damaged", "warning: a phase", "note: renamed"]
    body = note_body("Plan: 1 failed", ["update #1 [demo/c1/ben]", *diffs, *tail], None)
    for line in tail:
        assert f"\n  {line}\n" in body  # each line indented in the note's code block
    assert "      + line 0\n" in body and f"    + line {NOTE_MAX_LINES + 99}" not in body
    assert f"… {len(diffs) + 4 - NOTE_MAX_LINES} more lines in the plan artifact" in body


def test_a_plan_of_thousands_of_failures_makes_a_note_gitlab_accepts() -> None:
    """A tester: 4,000 failures (a token replaced before `former_users` named the old one)
    made a 1.2 MB note, over GitLab's 1,000,000 characters: refused, the last pipeline's
    note stayed as if it were this plan. The note keeps within a fifth of the limit, and
    says how many lines the artifact has besides."""
    failed = [
        f"FAILED [demo/c1/person{n:04d}]: issue #{n} is another user's; name them in "
        "gitlab.former_users in config/settings.yml" + " (and more words)" * 10
        for n in range(4000)
    ]
    body = note_body("Plan: 4000 failed", [*failed, "update #1 [demo/c1/ben]"], None)
    assert len(body) < 1_000_000 // 4
    shown = body.count("\n  FAILED [")
    assert 300 <= shown < 4000
    assert f"… {4001 - shown} more lines in the plan artifact" in body


def test_items_failed_for_one_cause_past_the_first_few_are_said_on_one_line() -> None:
    """A review: after GitLab's spam check refused a write, each write held back was a FAILED
    line of its own (a thousand, the day a template changed). The first three of a cause
    are said each on its line, the rest on one, by reference, the first twenty named; other
    causes keep their lines."""
    held = "not written: GitLab's spam check refused an earlier write this run"
    failures = [Failure("p", f"p/c/person{n}", held, n) for n in range(1, 30)]
    failures.insert(5, Failure("p", "p/c/other", "GitLab failed", None))
    lines = list(failure_lines(failures))
    assert lines[:3] == [f"FAILED [p/c/person{n}]: {held}" for n in (1, 2, 3)]
    named = ", ".join(f"p/c/person{n}" for n in range(4, 24))
    assert lines[3] == f"FAILED [26 more, the same: {named}, …]: {held}"
    assert lines[4:] == ["FAILED [p/c/other]: GitLab failed"]
    four = list(failure_lines(failures[:4]))  # one past the few: named whole
    assert four[3] == f"FAILED [1 more, the same: p/c/person4]: {held}"
    hidden = Privacy(frozenset({"p"}), frozenset({"person4"}))
    assert (
        list(failure_lines(failures[:4], hidden))[3]
        == f"FAILED [1 more, the same: p #4 (confidential)]: {held}"
    )


def test_items_failed_for_one_cause_that_name_their_issue_are_folded_too() -> None:
    """An operations trial: `GitLab failed while updating issue #N: 502 …` and `issue #N already
    carries this key but not the label …` were a line each, fifty a run."""
    failures = [
        Failure("p", f"p/c/person{n}", f"GitLab failed while updating issue #{n}: 502", n)
        for n in range(1, 8)
    ]
    failures.append(Failure("p", "p/c/other", "epic &9 is refused", None))
    lines = list(failure_lines(failures))
    assert lines[:3] == [
        f"FAILED [p/c/person{n}]: GitLab failed while updating issue #{n}: 502" for n in (1, 2, 3)
    ]
    named = ", ".join(f"p/c/person{n} (#{n})" for n in range(4, 8))
    assert (
        lines[3]
        == f"FAILED [4 more, the same: {named}]: GitLab failed while updating issue #…: 502"
    )
    assert lines[4:] == ["FAILED [p/c/other]: epic &9 is refused"]


def test_lines_the_same_as_the_last_are_counted_not_repeated() -> None:
    """A Free trial: a confidential program's first run printed `linked issues: #62 of
    sales-sponsorship (confidential)` twelve times, lines nobody could tell apart."""
    out = io.StringIO()
    console = Console(out, privacy=Privacy(frozenset({"s"})))
    for iid in (3, 4, 5):
        console.action(LinkIssues("s", f"s/c/p{iid}", 62, iid))
    console.action(LinkIssues("p", "p/c", 7, 2))
    console.action(LinkIssues("s", "s/c/p8", 62, 8))
    console.action(LinkIssues("s", "s/c/p9", 62, 9))
    console.line("note: a note")
    lines = out.getvalue().splitlines()
    same = "linked issues: #62 of s (confidential)"
    assert lines == [
        same,
        "(and 2 more the same)",
        lines[2],
        same,
        "(and 1 more the same)",
        "note: a note",
    ]
    assert "#7" in lines[2]
