"""What a person reads: one line per action, the plan with its diffs, failures, the summary
line, CI log sections and the merge request note (pure formatting, except the clock a CI
section is stamped with)."""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from typing import assert_never

from automation.actions import (
    Action,
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
from automation.markers import KEPT_PREFIX, find_key
from automation.migration import HEADINGS_RENAMED, TASKS_ADDED
from automation.output.result import Summary, action_type, plural
from automation.privacy import Privacy, printable

NOBODY = Privacy()  # nothing confidential
FOLD_AFTER = 3  # items failed for one cause said each on a line of its own
MAX_NAMED = 20  # items a folded line names (a run's report lists them all)
DIFF_CONTEXT = 1
MAX_DIFF_LINES = 5_000  # lines a shown diff compares, at most
NOTE_MARKER = "<!-- automation:plan-note -->"
NOTE_MAX_LINES = 300
NOTE_MAX_SAID = 1_000  # failures, warnings and notes a note shows at most (they come first)
NOTE_MAX_CHARS = 200_000  # a fifth of GitLab's limit on a note's length
_ESC = "\x1b[0K"


@dataclass(frozen=True)
class _Verbs:
    create: str
    update: str
    add: str
    close: str
    reopen: str = "reopen"


_PLANNED = _Verbs("create", "update", "add", "close")
_DONE = _Verbs("created", "updated", "added", "closed", "reopened")


def describe(action: Action, *, done: bool = False, privacy: Privacy = NOBODY) -> str:
    """One line saying what an action does, or with `done`, what it did."""
    if privacy.hides(action.key):
        return _hidden(action, done)
    return privacy.about(action.program, _line(action, _DONE if done else _PLANNED))


_PAST = dict(zip(astuple(_PLANNED), astuple(_DONE), strict=True))  # create -> created, ...
_PAST |= {"link": "linked", "remind": "reminded"}


def _hidden(action: Action, done: bool) -> str:
    """A confidential item's line: what is done to which issue (or epic) of the program, by
    its number, in plain words (a tester read "done: create issue: a new issue of ...")."""
    epic = isinstance(action, CreateEpic | UpdateEpic)  # their iid is the epic's
    sign, noun = ("&", "epic") if epic else ("#", "issue")
    verb, _, what = action_type(action).replace("_", " ").partition(" ")
    verb = _PAST.get(verb, verb) if done else verb
    of = f"of {action.program} (confidential)"
    if not action.iid:
        return f"{verb} a new {noun} {of}"
    line = f"{verb} {what}: {sign}{action.iid} {of}".replace(" :", ":")
    # which of the tool's blocks (an upgrade trial read the two writes of one issue, a block
    # and then the record of its new assignees, as one line twice); a template's kept block
    # is said as `kept` alone, since its name is the template's to choose (`facts-{{ name }}`
    # would tell whose issue it is: a review)
    blocks = _blocks(_unnamed_kept(action.block)) if isinstance(action, UpdateDescription) else ""
    return f"{line}: {blocks}" if blocks else line


def _unnamed_kept(block: str) -> str:
    names = ("kept" if name.startswith(KEPT_PREFIX) else name for name in block.split(", "))
    return ", ".join(dict.fromkeys(names))


def _line(action: Action, v: _Verbs) -> str:  # noqa: C901, PLR0912 - one flat case per action
    line: str
    match action:
        case CreateLabel():
            line = f"{v.create} label {action.spec.name}"
        case CreateIssue():
            issue = action.issue
            who = f", assigned to {', '.join(issue.assignees)}" if issue.assignees else ""
            due = f", due {issue.due_date}" if issue.due_date else ""
            secret = ", confidential" if issue.confidential else ""
            line = f'{v.create} issue "{issue.title}" [{issue.key}]{who}{due}{secret}'
        case UpdateDescription():
            line = f"{v.update} #{action.iid} [{action.key}]: {_what(action.block)}"
        case UpdateLabels() | UpdateAssignees():
            changes = _changes(action.add, action.remove)
            what = "labels" if isinstance(action, UpdateLabels) else "assignees"
            line = f"{v.update} #{action.iid} [{action.key}]: {what} {' '.join(changes)}"
        case UpdateDueDate():
            dates = f"{action.before or 'none'} -> {action.after or 'none'}"
            line = f"{v.update} #{action.iid} [{action.key}]: due date {dates}"
        case AddNote():
            line = f"{v.add} note to {action.target} [{action.key}]: {_gist(action.body)}"
        case CloseIssue():
            line = f"{v.close} #{action.iid} [{action.key}]: {action.why}"
        case ReopenIssue():
            line = f"{v.reopen} #{action.iid} [{action.key}]: back in the program"
        case CreateEpic():
            line = f'{v.create} epic "{action.epic.title}" [{action.epic.key}]'
        case AddToEpic():
            line = f"{v.add} #{action.iid} [{action.key}] to epic &{action.epic_iid}"
        case LinkIssues():
            line = f"{v.add} link from tracking issue #{action.iid} to #{action.target_iid}"
        case UpdateEpic():
            changes = _changes(action.add, action.remove)
            said = [RENAMED] if action.edits.former else []
            said += ["identity line restored"] if action.edits.identity and not said else []
            said += [f"labels {' '.join(changes)}"] if changes else []
            said += ["made confidential"] if action.confidential else []
            line = f"{v.update} epic &{action.iid} [{action.key}]: {', '.join(said)}"
        case Remind():
            what = "reminder digest in" if action.digest else "reminder to"
            verb = v.update if action.edit else v.add
            line = f"{verb} {what} #{action.iid} [{action.key}]: {_gist(action.body)}"
        case _:
            assert_never(action)
    return line


def _what(block: str) -> str:
    """How a description update reads: its blocks, a restored identity line, and template
    tasks added."""
    names = block.split(", ")
    said = ["identity line restored"] if "identity line" in names else []
    said += [name for name in names if name in _TOLD]
    said += [blocks] if (blocks := _blocks(block)) else []
    return ", ".join(said)


_TOLD = frozenset({RENAMED, HEADINGS_RENAMED, TASKS_ADDED})  # said as they are, not as blocks


def _blocks(block: str) -> str:
    """The tool's blocks a description update writes, in words ("rollup, index blocks")."""
    blocks = [name for name in block.split(", ") if name not in {"identity line", *_TOLD}]
    return f"{', '.join(blocks)} block" + ("s" if len(blocks) > 1 else "") if blocks else ""


def diff(before: str, after: str) -> list[str]:
    """The changed lines of a description, as a unified diff without file headers. Only the
    part between the first and the last changed line is compared (difflib takes time growing
    with the square of what it compares, and a person's text around the tool's blocks can be
    a megabyte); past MAX_DIFF_LINES, it is said in one line."""
    old, new = before.splitlines(), after.splitlines()
    head = _common(zip(old, new, strict=False))
    tail = _common(zip(reversed(old[head:]), reversed(new[head:]), strict=False))
    start = max(head - DIFF_CONTEXT, 0)
    old_mid = old[start : len(old) - max(tail - DIFF_CONTEXT, 0)]
    new_mid = new[start : len(new) - max(tail - DIFF_CONTEXT, 0)]
    if len(old_mid) + len(new_mid) > MAX_DIFF_LINES:
        return [
            f"@@ lines {head + 1} to {len(old) - tail} (of {len(old)}) replaced by "
            f"{len(new) - tail - head} lines: too long to show @@"
        ]
    lines = difflib.unified_diff(old_mid, new_mid, lineterm="", n=DIFF_CONTEXT)
    own = (find_key(after) or "").split("/", 1)[0] + "/"
    return [
        _other_keys_left_out(_moved(line, start), own)
        for line in lines
        if not line.startswith(("---", "+++"))
    ]


_KEY_SHOWN = re.compile(r"^([-+ ]<!-- automation:key=)(\S+)( -->)$")


def _other_keys_left_out(line: str, own: str) -> str:
    """A diff line, with an identity line's key left out unless it is of the issue's own
    program: one pasted from another program's item may name a confidential program's
    person (the line above the diff says which item the issue is)."""
    shown = _KEY_SHOWN.match(line)
    if shown is None or shown.group(2).startswith(own):
        return line
    return f"{shown.group(1)}…{shown.group(3)}"


def _common(pairs: Iterable[tuple[str, str]]) -> int:
    """How many of the first pairs are equal."""
    count = 0
    for one, other in pairs:
        if one != other:
            break
        count += 1
    return count


_HUNK = re.compile(r"^@@ -(\d+)((?:,\d+)?) \+(\d+)((?:,\d+)?) @@$")


def _moved(line: str, offset: int) -> str:
    """A hunk header's line numbers counted from the description's first line."""
    hunk = _HUNK.match(line) if offset and line.startswith("@@") else None
    if hunk is None:
        return line
    old, old_count, new, new_count = hunk.groups()
    return f"@@ -{int(old) + offset}{old_count} +{int(new) + offset}{new_count} @@"


def plan_lines(plan: Plan, privacy: Privacy = NOBODY) -> Iterator[str]:
    """The plan as a person reads it: labels folded, each issue change, failures, warnings."""
    labels = [a for a in plan.actions if isinstance(a, CreateLabel)]
    if labels:
        yield f"create {plural(len(labels), 'label')}: {', '.join(a.spec.name for a in labels)}"
    for action in plan.actions:
        if isinstance(action, CreateLabel):
            continue
        yield describe(action, privacy=privacy)
        if isinstance(action, UpdateDescription | UpdateEpic) and not privacy.hides(action.key):
            changed = diff(action.before, action.after)
            yield from (privacy.about(action.program, f"    {line}") for line in changed)
    yield from failure_lines(plan.failures, privacy)
    yield from (privacy.text(f"warning: {warning}") for warning in plan.warnings)


def failure_lines(failures: Iterable[Failure], privacy: Privacy = NOBODY) -> Iterator[str]:
    """Each failed item on one line; past FOLD_AFTER items failed for the same cause, the rest
    on one line, by reference (a review: after GitLab's spam check refused a write, each
    write held back was a FAILED line of its own, a thousand of them the day a template
    changed)."""
    by_cause: dict[str, list[tuple[str, str]]] = {}
    for failure in failures:
        where = printable(privacy.located(failure.key, failure.iid))  # not hidden again
        said = privacy.about(failure.program, failure.message)
        by_cause.setdefault(_cause(said), []).append((where, said))
    for cause, places in by_cause.items():
        yield from (f"FAILED [{where}]: {said}" for where, said in places[:FOLD_AFTER])
        if places[FOLD_AFTER:]:
            named = [_naming(where, said, cause) for where, said in places[FOLD_AFTER:]]
            yield f"FAILED [{_more(named)}]: {cause}"


def _naming(where: str, said: str, cause: str) -> str:
    """An item folded into its cause's line, with the issues its own message named (a review:
    `#…` alone left a person without the issues to clean up)."""
    if said == cause:
        return where
    return f"{where} ({', '.join(found.group(0) for found in _REFERENCE.finditer(said))})"


_REFERENCE = re.compile(r"(?<![\w&#])([#&])\d+\b")


def _cause(message: str) -> str:
    """A failure's cause: its message with the issue or epic it names left out (an
    operations trial: `GitLab failed while updating issue #12: 502 …` was a line for each
    issue, fifty a run, and what to do scrolled away)."""
    return _REFERENCE.sub(r"\1…", message)


def _more(places: Sequence[str]) -> str:
    """Items past the first few failed for one cause: how many, and the first MAX_NAMED."""
    named = ", ".join(places[:MAX_NAMED]) + (", …" if places[MAX_NAMED:] else "")
    return f"{len(places)} more, the same: {named}"


def summary_line(summary: Summary, *, done: bool) -> str:
    """The one line a person reads first: every count of the plan or run."""
    verb = "created" if done else "to create"
    extras = ", ".join(_labels_and_epics(summary))
    return (
        f"{'Summary' if done else 'Plan'}: {summary.created} {verb}, "
        f"{summary.updated} {'updated' if done else 'to update'}, "
        f"{summary.unchanged} unchanged, {summary.failed} failed, "
        f"{plural(summary.warnings, 'warning')}" + (f" ({extras} {verb})" if extras else "")
    )


def stopped_line(summary: Summary) -> str:
    """The last line of a run that stopped before its end: what it wrote by then."""
    failed = f", {summary.failed} failed" if summary.failed else ""
    if not any(n for _, n in summary.by_type):
        return f"Summary: the run stopped before its end, before it wrote anything{failed}."
    extras = ", ".join(_labels_and_epics(summary))
    return (
        f"Summary: the run stopped before its end: {summary.created} created, "
        f"{summary.updated} updated{failed}"
        + (f" ({extras} created)" if extras else "")
        + "; the next run finishes the rest."
    )


def _labels_and_epics(summary: Summary) -> list[str]:
    """The labels and epics a summary counts, those there are ('2 labels', '1 epic')."""
    counted = [(summary.count("create_label"), "label"), (summary.count("create_epic"), "epic")]
    return [plural(n, what) for n, what in counted if n]


def no_changes_line(summary: Summary, *, done: bool) -> str:
    """The last line when nothing would change (or nothing was written); the warning count
    is on it too, so CI readers see it."""
    written = "; nothing was written" if done else ""
    noted = f" ({plural(summary.warnings, 'warning')})" if summary.warnings else ""
    if summary.warnings and not summary.unchanged:  # a newcomer read "0 issues are up to
        # date" under a warning that the tool writes nothing to them as fine
        said = plural(summary.warnings, "warning")
        return f"No changes{written}, and no issue was found up to date ({said}: see above)."
    are = "is" if summary.unchanged == 1 else "are"  # a tester read "1 issues are"
    return f"No changes: {plural(summary.unchanged, 'issue')} {are} up to date{written}{noted}."


def section_start(name: str, header: str) -> str:
    """A collapsible section's opening line in a GitLab CI log."""
    return f"{_ESC}section_start:{int(time.time())}:{name}[collapsed=true]\r{_ESC}{header}"


def section_end(name: str) -> str:
    """A collapsible section's closing line."""
    return f"{_ESC}section_end:{int(time.time())}:{name}\r{_ESC}"


_SAID = ("FAILED ", "warning: ", "note: ")


def note_body(summary: str, lines: Sequence[str], pipeline_url: str | None) -> str:
    """The merge request note: the summary, then the plan in a code block.

    Plan text can hold names from configuration: each line is indented inside a fence no line
    can close, and `@` cannot form a mention, so nothing in it can run a quick action or
    notify anyone."""
    # failures, warnings and notes first: the changes' diffs are what a long plan cuts (a
    # tester found a plan's FAILED line and warnings past the cut, the summary counting them)
    said = [line for line in lines if line.startswith(_SAID)]
    ordered = said + [line for line in lines if not line.startswith(_SAID)]
    shown = _fitted(ordered, max(NOTE_MAX_LINES, min(len(said), NOTE_MAX_SAID)))
    if len(ordered) > len(shown):
        shown.append(f"  … {len(ordered) - len(shown)} more lines in the plan artifact")
    source = f" ([pipeline]({pipeline_url}))" if pipeline_url else ""
    return "\n".join(
        [
            NOTE_MARKER,
            f"**Program automation plan**{source}: {_inert(summary).strip()}",
            "",
            "<details><summary>What `apply` would change</summary>",
            "",
            "````text",
            *shown,
            "````",
            "",
            "</details>",
            "",
            "_This note is updated in place on every pipeline of this merge request._",
        ]
    )


def _fitted(lines: Sequence[str], room: int) -> list[str]:
    """The first ROOM lines, made inert, as far as NOTE_MAX_CHARS holds them: GitLab refuses
    a note over 1,000,000 characters, and the old note then stayed, an older plan (a tester:
    4,000 failures of a replaced token, every one kept)."""
    shown: list[str] = []
    size = 0
    for line in lines[:room]:
        text = _inert(line)
        size += len(text) + 1
        if size > NOTE_MAX_CHARS:
            break
        shown.append(text)
    return shown


def _inert(line: str) -> str:
    return "  " + line.replace("`", "'").replace("@", "@\u200b")


def _changes(add: Sequence[str], remove: Sequence[str]) -> list[str]:
    """Label or assignee changes as `+added -removed`."""
    return [f"+{name}" for name in add] + [f"-{name}" for name in remove]


def _gist(body: str) -> str:
    """A note's first line a reader sees (its hidden marker line is skipped), cut short."""
    shown = (line.strip() for line in body.splitlines())
    first = next((line for line in shown if line and not line.startswith("<!--")), "")
    return first[:60] + ("…" if len(first) > 60 else "")
