"""A template's sections change while issues are open (two testers' findings), on the shipped
configuration through the CLI, local backend: a section split off another brings the task
that moved only once (it came twice), and a section taken out of the template is warned
about, once, naming the issues that still have its tasks (it was not, at all)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Literal

import pytest

from automation.markers import outside_blocks
from tests.backends import Result
from tests.conftest import keep_programs
from tests.e2e.test_template_changes import inserted
from tests.local_cli import edit, issues, path_of, run

PROGRAM = Path("config/programs/csm-aspiring-leaders.yml")
GROUP_TEMPLATE = Path("templates/csm-aspiring-leaders/group-monthly.md.j2")
DECEMBER = "csm-aspiring-leaders/fy27-pilot/monthly/2026-12"
SCHEDULE = "- [ ] **Program lead:** Schedule this month's group call and share its agenda."
HOLD = "- [ ] **Program lead:** Hold the call: each participant's progress, questions and feedback."
COLLECT = "- [ ] **Program lead:** Collect agenda items from participants."
AIKO = "csm-aspiring-leaders/fy27-pilot/aiko.tanaka"
UNDONE = "is closed with required tasks open again"
LEAD_NOTE = "Chloe's note: the call moves to Thursdays."


@pytest.fixture
def group(shipped: Path) -> Path:
    """The shipped CSM Aspiring Leaders program with its monthly group issues."""
    return keep_programs(shipped, "csm-aspiring-leaders", csm_group=True)


def split_group_call(*moved: str) -> None:
    """The MOVED tasks go from `## Group call` into a new ongoing section above it, `## Before
    the call`, with a task of its own; the section is declared before Group call."""
    text = GROUP_TEMPLATE.read_text(encoding="utf-8")
    for task in moved:
        assert f"{task}\n" in text, task
        text = text.replace(f"{task}\n", "", 1)
    before = "\n".join([*moved, COLLECT])
    text = text.replace("## Group call\n", f"## Before the call\n\n{before}\n\n## Group call\n", 1)
    GROUP_TEMPLATE.write_text(text, encoding="utf-8")
    edit(
        PROGRAM,
        "  - heading: Group call\n",
        "  - heading: Before the call\n    ongoing: true\n  - heading: Group call\n",
    )


def ticked(task: str) -> str:
    return task.replace("- [ ]", "- [x]", 1)


def test_a_task_moved_into_a_new_section_stays_where_the_issue_has_it_once(group: Path) -> None:
    """The tester's case: Schedule moves into a new section with a second, new task. The
    issue got both, Schedule twice (Overall 0/7 -> 0/9); the new section now brings only
    the new task, the lead's ticks and note stay as they were, and the run says where
    Schedule stays."""
    assert run("apply", "2026-12-01").code == 0
    path = path_of(group, DECEMBER)
    edit(path, SCHEDULE, ticked(SCHEDULE))
    edit(path, HOLD, ticked(HOLD))
    edit(path, "## Async discussion", f"{LEAD_NOTE}\n\n## Async discussion")
    before = issues(group)[DECEMBER].description
    split_group_call(SCHEDULE)
    result = run("apply", "2026-12-02")
    assert result.code == 0, result.out + result.err
    assert f"[{DECEMBER}]: template tasks added" in result.out
    said = result.out.replace("\n", " ")
    assert "1 warning" in said and "in 'Before the call', no longer in 'Group call': " in said
    text = issues(group)[DECEMBER].description
    assert [x for x in inserted(before, text) if x] == ["## Before the call", COLLECT]
    assert outside_blocks(text).count("Schedule this month's group call") == 1
    assert f"## Group call\n\n{ticked(SCHEDULE)}\n{ticked(HOLD)}\n" in text  # as it was
    assert LEAD_NOTE in text
    assert "| Before the call | 0/1 | 0% |" in text
    assert "| Group call | 2/3 | 66% |" in text
    assert "| **Overall** | **2/8** | **25%** |" in text
    assert "No changes" in run("apply", "2026-12-02").out
    assert issues(group)[DECEMBER].description == text


def test_a_new_section_made_mostly_of_moved_tasks_is_still_not_added(group: Path) -> None:
    """The more-than-half rule is unchanged: with Schedule and Hold moved (two of its three
    tasks already in the issue), the new section looks like one renamed without
    `renamed_from`; it is not added, and the run says what to do."""
    assert run("apply", "2026-12-01").code == 0
    before = issues(group)[DECEMBER]
    split_group_call(SCHEDULE, HOLD)
    result = run("apply", "2026-12-02")
    assert result.code == 0, result.out + result.err
    text = issues(group)[DECEMBER].description
    assert outside_blocks(text) == outside_blocks(before.description)
    assert f"issue #{before.iid} has no heading 'Before the call'" in result.out, result.out
    assert "by hand" in result.out


MODULE_3 = "Module 3: Practice"
PRACTICE = "1. [ ] Prepare a mock 30-60-90 day plan"
PARTICIPANT_TEMPLATE = Path("templates/csm-aspiring-leaders/participant.md.j2")


def drop_module_3() -> None:
    """Module 3 out of the template (heading, text, tasks), its `sections` entry, and the
    reminder that names it (else the configuration is refused)."""
    text = PARTICIPANT_TEMPLATE.read_text(encoding="utf-8")
    start, end = text.index(f"## {MODULE_3}"), text.index('{{ managed_block("progress") }}')
    PARTICIPANT_TEMPLATE.write_text(text[:start] + text[end:], encoding="utf-8")
    edit(PROGRAM, f'  - heading: "{MODULE_3}"\n    label: Practice\n', "")
    config = PROGRAM.read_text(encoding="utf-8")
    start, end = config.index("reminders:\n"), config.index("cohorts:\n")
    PROGRAM.write_text(config[:start] + config[end:], encoding="utf-8")


def delete_module_3(path: Path) -> None:
    """A person deletes Module 3 from their issue, heading, text and tasks."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(f"## {MODULE_3}"), text.index("<!-- automation:begin progress -->")
    path.write_text(text[:start] + text[end:], encoding="utf-8")


def said_of_module_3(out: str) -> list[str]:
    return [line for line in out.splitlines() if f"section '{MODULE_3}'" in line]


def test_a_section_taken_out_of_the_template_is_warned_about_until_recorded(
    project: Path,
) -> None:
    """Its tasks stay in the open issues, counted as other tasks, with no word said (a task
    taken out is warned about). Now one warning for the section names the issues that still
    have its tasks, as the removed-task warning does: `plan` says it until the run that
    records the new template, an issue whose person deleted the tasks is no longer named,
    and nothing is deleted."""
    assert run("apply").code == 0
    sam, aiko, lena = (
        issues(project)[f"csm-aspiring-leaders/fy27-pilot/{name}"]
        for name in ("sam.delacroix", "aiko.tanaka", "lena.fischer")
    )
    drop_module_3()
    planned = run("plan")
    assert planned.code == 0, planned.out + planned.err
    assert said_of_module_3(planned.out) == [
        f"warning: csm-aspiring-leaders no longer asks for section '{MODULE_3}' (its template, "
        "its `sections:`, or a value the template reads, such as a role, dropped it): issues "
        f"#{sam.iid}, #{aiko.iid}, #{lena.iid} still "
        "have tasks of it and keep them as they are (they still count, so an issue is complete "
        "only once they are done or deleted; delete them where they no longer apply, or keep "
        "them; the tool does not delete them)"
    ]
    assert "no longer asks for task" not in planned.out  # one warning, not one per task
    assert said_of_module_3(run("plan").out) == said_of_module_3(planned.out)  # not recorded
    delete_module_3(path_of(project, sam.key or ""))  # Sam deals with it
    applied = run("apply")
    assert applied.code == 0, applied.out + applied.err
    [said] = said_of_module_3(applied.out)
    assert f"issues #{aiko.iid}, #{lena.iid} still have" in said
    assert re.search(r"Summary: .* 1 warning\b", applied.out), applied.out
    aiko_now = issues(project)[aiko.key or ""].description
    assert PRACTICE in aiko_now and "| Other tasks | 0/7 | 0% |" in aiko_now  # kept, counted
    again = run("apply")
    assert not said_of_module_3(again.out) and "No changes" in again.out, again.out
    delete_module_3(path_of(project, aiko.key or ""))  # later dealt with: nothing more said
    assert not said_of_module_3(run("apply").out)


SPONSORSHIP = Path("config/programs/sales-sponsorship.yml")
PAIR = Path("templates/sales-sponsorship/pair.md.j2")
THROUGHOUT = "Throughout the program"


def test_a_section_taken_out_of_a_confidential_programs_template_names_no_task_or_person(
    shipped: Path,
) -> None:
    """In a confidential program the warning names the section and the issues by reference,
    as the removed-task one (`task no. 6 in 'Build'`): no task text (which holds the
    sponsee's name here), no person."""
    keep_programs(shipped, "sales-sponsorship")
    assert run("apply").code == 0
    pairs = [i for i in issues(shipped).values() if f"## {THROUGHOUT}" in i.description]
    assert pairs and all(i.confidential for i in pairs)
    text = PAIR.read_text(encoding="utf-8")
    start, end = text.index(f"## {THROUGHOUT}"), text.index("## Build")
    PAIR.write_text(text[:start] + text[end:], encoding="utf-8")
    edit(SPONSORSHIP, f"  - heading: {THROUGHOUT}\n    ongoing: true\n", "")
    result = run("apply")
    assert result.code == 0, result.out + result.err
    [said] = [line for line in result.out.splitlines() if f"section '{THROUGHOUT}'" in line]
    refs = ", ".join(f"#{i.iid}" for i in sorted(pairs, key=lambda i: i.iid))
    assert f"{'issue' if len(pairs) == 1 else 'issues'} {refs} still" in said, said
    for person in (name for i in pairs for name in i.assignees):
        assert person not in said
    assert "Lena" not in said and "check in with" not in said and "cadence" not in said
    assert "no longer asks for section" not in run("apply").out


SAM = "csm-aspiring-leaders/fy27-pilot/sam.delacroix"


def sams_module_1(group: Path) -> tuple[str, list[str]]:
    """After a first run: Module 1 of Sam's issue, and its tasks."""
    assert run("apply").code == 0
    text = path_of(group, SAM).read_text("utf-8")
    module = text[text.index("## Module 1: Explore\n") : text.index("## Module 2: Learn")]
    tasks = [line for line in module.splitlines() if re.match(r"\d+\. \[ \]", line)]
    assert tasks
    return module, tasks


def ticked_all_but(group: Path, module: str, instead: str) -> Result:
    """Sam's Module 1 made INSTEAD (tasks deleted), every task ticked, and a run."""
    path = path_of(group, SAM)
    text = path.read_text("utf-8")
    path.write_text(text.replace(module, instead).replace("[ ]", "[x]"), "utf-8")
    return run("apply")


def test_an_issue_completed_with_a_sections_tasks_deleted_is_warned_about_once(
    group: Path,
) -> None:
    """A tester's finding: Sam deleted Module 1's tasks but kept its heading, and ticked the
    rest: the module counted as done, and the issue completed with no word (as there is when
    the heading goes too). Said on the run it completes, once."""
    module, tasks = sams_module_1(group)
    kept = "\n".join(line for line in module.splitlines() if line not in tasks)
    result = ticked_all_but(group, module, kept + "\n")
    issue = issues(group)[SAM]
    said = (
        f"issue #{issue.iid} is complete with no task under 'Module 1: Explore', where its "
        f"template has {len(tasks)}"
    )
    assert result.code == 0 and said in result.out + result.err, result.out
    assert "status::complete" in issue.labels
    assert said not in run("apply").out


def test_an_issue_completed_with_one_task_deleted_is_warned_about_once(group: Path) -> None:
    """A tester's finding: a hire deleted one required milestone and ticked the rest; the
    issue closed, its person was congratulated, and nothing said one was missing (only a
    section emptied was said). Said on the run it completes, once."""
    module, tasks = sams_module_1(group)
    assert len(tasks) > 1
    result = ticked_all_but(group, module, module.replace(tasks[0] + "\n", ""))
    issue = issues(group)[SAM]
    said = (
        f"issue #{issue.iid} is complete with {len(tasks) - 1} of the {len(tasks)} tasks its "
        "template has under 'Module 1: Explore'; tasks moved to another section count there. "
        "If someone deleted them by mistake"  # a tester had moved the task, and read "deleted"
    )
    assert result.code == 0 and said in result.out + result.err, result.out
    # the program leaves complete issues open: not told to reopen one (an ESP trial)
    assert "reopen" not in next(line for line in result.out.splitlines() if said in line)
    assert "status::complete" in issue.labels
    assert said not in run("apply").out


def tick_modules_1_and_2(path: Path) -> None:
    """A participant ticks every task of Module 1 and Module 2 (Practice is their phase)."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index("## Module 1: Explore"), text.index(f"## {MODULE_3}")
    path.write_text(
        text[:start] + text[start:end].replace("1. [ ]", "1. [x]") + text[end:], encoding="utf-8"
    )


@pytest.mark.parametrize("change", ["required: false", "ongoing: true"])
def test_a_phase_that_is_no_longer_one_takes_its_label_off_issues_in_progress(
    group: Path, change: str
) -> None:
    """A tester: Module 3 made `required: false` (or `ongoing`) left `phase::Practice` on
    issues still in progress for good, though their progress said "all phases complete"."""
    assert run("apply", "2026-12-01").code == 0
    key = next(k for k, i in issues(group).items() if "phase::Explore" in i.labels)
    tick_modules_1_and_2(path_of(group, key))
    assert run("apply", "2026-12-01").code == 0
    assert "phase::Practice" in issues(group)[key].labels
    edit(PROGRAM, "    label: Practice\n", f"    label: Practice\n    {change}\n")
    result = run("apply", "2026-12-02")
    assert result.code == 0, result.out + result.err
    issue = issues(group)[key]
    assert not [label for label in issue.labels if label.startswith("phase::")], issue.labels
    assert "status::in progress" in issue.labels  # Ongoing Activities still open
    assert "No changes" in run("apply", "2026-12-02").out


def test_an_issue_closed_as_complete_with_tasks_open_again_is_warned_about(group: Path) -> None:
    """A tester: sections made `required: false` completed an issue (closed, its person
    congratulated), then required again: it stayed closed, labelled `in progress`, and no one
    was told. Here its person finished it, closed it, and a section became required again."""
    assert run("apply", "2026-12-01").code == 0
    key = next(k for k, i in issues(group).items() if "phase::Explore" in i.labels)
    path = path_of(group, key)
    edit(PROGRAM, "    label: Practice\n", "    label: Practice\n    required: false\n")
    tick_modules_1_and_2(path)
    text = path.read_text("utf-8")
    start = text.index("## Ongoing Activities")
    end = text.index("## Module 1: Explore")
    path.write_text(
        text[:start] + text[start:end].replace("1. [ ]", "1. [x]") + text[end:], "utf-8"
    )
    assert run("apply", "2026-12-01").code == 0
    assert "status::complete" in issues(group)[key].labels
    edit(path, "state: opened", "state: closed")  # its person closes it
    assert UNDONE not in run("apply", "2026-12-02").out
    edit(PROGRAM, "    label: Practice\n    required: false\n", "    label: Practice\n")
    result = run("apply", "2026-12-03")
    said = [line for line in result.out.splitlines() if UNDONE in line]
    assert len(said) == 1 and "reopen it if its person is to finish them" in said[0], result.out
    assert "status::in progress" in issues(group)[key].labels
    assert UNDONE not in run("apply", "2026-12-03").out  # said once
    edit(path, "state: closed", "state: opened")  # reopened
    assert UNDONE not in run("apply", "2026-12-03").out


def test_an_issue_its_person_closes_after_unticking_a_task_is_not_said_closed_complete(
    group: Path,
) -> None:
    """A Free trial: Sam finished his issue (the program leaves finished issues open),
    unticked a task, then closed it himself; every run, for months, said it "was closed as
    complete"."""
    assert run("apply", "2026-12-01").code == 0
    key = next(k for k, i in issues(group).items() if "phase::Explore" in i.labels)
    path = path_of(group, key)
    text = path.read_text("utf-8").replace("1. [ ]", "1. [x]").replace("- [ ]", "- [x]")
    path.write_text(text, "utf-8")
    assert run("apply", "2026-12-02").code == 0
    assert "status::complete" in issues(group)[key].labels
    edit(path, "1. [x]", "1. [ ]")  # unticked: its completion block says open again
    assert UNDONE not in run("apply", "2026-12-03").out
    edit(path, "state: opened", "state: closed")  # and closed by its person, unfinished
    for day in ("2026-12-04", "2027-01-04"):
        assert "required tasks open" not in run("apply", day).out


@pytest.mark.parametrize("change", ["required: false", "ongoing: true"])
def test_a_program_left_with_no_phase_takes_the_last_phase_label_off(
    group: Path, change: str
) -> None:
    """A reviewer: with every module made `required: false` (or `ongoing`), no section is a
    phase, and issues kept `phase::Explore` for good."""
    assert run("apply", "2026-12-01").code == 0
    key = next(k for k, i in issues(group).items() if "phase::Explore" in i.labels)
    for label in ("Explore", "Learn", "Practice"):
        edit(PROGRAM, f"    label: {label}\n", f"    label: {label}\n    {change}\n")
    result = run("apply", "2026-12-02")
    assert result.code == 0, result.out + result.err
    issue = issues(group)[key]
    assert "status::complete" not in issue.labels
    assert not [label for label in issue.labels if label.startswith("phase::")], issue.labels
    assert "No changes" in run("apply", "2026-12-02").out


def test_an_issue_whose_every_task_lost_its_box_is_warned_about(group: Path) -> None:
    """A tester: another tool made a participant's checklist into plain lines; the issue read
    `not started` with "all phases complete", its progress gone from the rollup, unsaid."""
    assert run("apply", "2026-12-01").code == 0
    key = next(k for k, i in issues(group).items() if "phase::Explore" in i.labels)
    path = path_of(group, key)
    path.write_text(
        re.sub(r"^(\s*)1\. \[[ x]\] ", r"\g<1>1. ", path.read_text("utf-8"), flags=re.M), "utf-8"
    )
    result = run("apply", "2026-12-02")
    said = [line for line in result.out.splitlines() if "has no task left" in line]
    assert len(said) == 1 and f"#{issues(group)[key].iid} " in said[0], result.out
    assert "Put its tasks back from the issue's history" in said[0]
    others = [line for line in run("apply", "2026-12-02").out.splitlines() if "warning" in line]
    assert said[0] in others  # said on every run while it holds


def test_a_tracking_issue_closed_while_its_program_runs_is_warned_about(group: Path) -> None:
    """A tester: a triage bot closed the tracking issue for inactivity; the tool went on
    writing into it, and nothing said it had left people's lists and boards."""
    assert run("apply", "2026-12-01").code == 0
    tracking = path_of(group, "csm-aspiring-leaders/tracking")
    edit(tracking, "state: opened", "state: closed")
    result = run("apply", "2026-12-02")
    said = [line for line in result.out.splitlines() if "is closed while" in line]
    assert len(said) == 1, result.out
    assert f"issue #{issues(group)['csm-aspiring-leaders/tracking'].iid} is closed" in said[0]
    edit(tracking, "state: closed", "state: opened")
    assert "is closed while" not in run("apply", "2026-12-02").out


def test_a_persons_phase_label_on_an_issue_without_phases_stays(group: Path) -> None:
    """A reviewer: a lead's `phase::Group call` on the month's group issue (a section that
    was never a phase) was taken off once the tool took every section's phase label for its
    own; only a section's own `label:` value, kept once it is no phase, is the tool's."""
    assert run("apply", "2026-12-01").code == 0
    path = path_of(group, DECEMBER)
    edit(path, "labels:\n", "labels:\n- phase::Group call\n")
    result = run("apply", "2026-12-02")
    assert result.code == 0, result.out + result.err
    assert "phase::Group call" in issues(group)[DECEMBER].labels, result.out


def _in_form(form: Literal["NFC", "NFD"], text: str) -> str:
    return unicodedata.normalize(form, text)


@pytest.mark.parametrize("saved", [(PROGRAM, PARTICIPANT_TEMPLATE), (PARTICIPANT_TEMPLATE,)])
def test_files_saved_again_in_another_unicode_form_change_no_issue(
    group: Path, saved: tuple[Path, ...]
) -> None:
    """A tester: a program file and template saved decomposed (NFD), then composed (NFC) by
    another editor: every open issue got each section whose heading has an umlaut a second
    time, and the person's ticks moved to "Other tasks". A reviewer: the template alone
    saved so, its task printing a value from the program file (composed all along), was
    said to be reworded."""
    heading, task = "Modul 2: Üben", "1. [ ] Übe ein Gespräch in {{ cohort.name }}."
    edit(PROGRAM, "name: FY27 pilot group", "name: FY27 Gruppe Müller")
    for path, old in ((PROGRAM, '"Module 2: Learn"'), (PARTICIPANT_TEMPLATE, "Module 2: Learn")):
        text = path.read_text("utf-8").replace(
            old, f'"{heading}"' if old.startswith('"') else heading
        )
        if path == PARTICIPANT_TEMPLATE:
            text = text.replace(f"## {heading}\n", f"## {heading}\n\n{task}\n", 1)
        path.write_text(_in_form("NFD", text) if path in saved else text, "utf-8")
    assert run("apply", "2026-12-01").code == 0
    key = next(k for k, i in issues(group).items() if "phase::Explore" in i.labels)
    path = path_of(group, key)
    text = path.read_text("utf-8")
    start = text.index("Gespr")
    line_start = text.rindex("\n", 0, start) + 1
    path.write_text(text[:line_start] + text[line_start:].replace("[ ]", "[x]", 1), "utf-8")
    assert run("apply", "2026-12-01").code == 0
    before = issues(group)[key].description
    for changed in saved:
        changed.write_text(_in_form("NFC", changed.read_text("utf-8")), "utf-8")
    result = run("apply", "2026-12-02")
    assert result.code == 0, result.out + result.err
    assert "template tasks added" not in result.out and " 0 warnings" in result.out, result.out
    assert "created" not in result.out.rsplit("Summary:", 1)[1].split(",", 1)[1], result.out
    text = issues(group)[key].description
    assert outside_blocks(text) == outside_blocks(before)
    assert f"| {heading} | 1/" in _in_form("NFC", text)
    assert "No changes" in run("apply", "2026-12-02").out


def test_an_overdue_issue_emptied_of_its_tasks_is_warned_about(shipped: Path) -> None:
    """A newcomer's trial: a hire's checklist emptied after its due date, while the hire's
    workshop group still ran: the first line and blocks came back, "0 warnings", and the
    hire's tasks left the program's totals unsaid."""
    keep_programs(shipped, "sales-onboarding")
    key = "sales-onboarding/oliver.grant"
    assert run("apply", "2026-11-23").code == 0
    due = issues(shipped)[key].due_date
    assert due is not None
    after = (due + dt.timedelta(days=2)).isoformat()
    assert run("apply", after).code == 0
    assert "status::overdue" in issues(shipped)[key].labels  # its group still runs
    path = path_of(shipped, key)
    text = path.read_text("utf-8")
    path.write_text(text[: text.index("---", 3) + 4], "utf-8")  # the front matter alone
    result = run("apply", after)
    assert result.code == 0, result.out + result.err
    said = [line for line in result.out.splitlines() if "has no task left" in line]
    assert len(said) == 1 and f"#{issues(shipped)[key].iid} " in said[0], result.out
    assert "status::overdue" in issues(shipped)[key].labels


def test_an_issue_with_no_box_left_reads_as_having_no_tasks_not_as_done(shipped: Path) -> None:
    """A newcomer's trial: a bot made a hire's checklist into plain bullets; the warning came,
    but the issue said "all phases complete" beside 0%, its rollup row `complete`, and its
    workshop's rollup listed the hire's pre-work as `done`."""
    keep_programs(shipped, "sales-onboarding")
    key = "sales-onboarding/oliver.grant"
    assert run("apply", "2026-11-23").code == 0
    path = path_of(shipped, key)
    path.write_text(re.sub(r"^- \[[ x]\] ", "- ", path.read_text("utf-8"), flags=re.M), "utf-8")
    result = run("apply", "2026-11-24")
    assert result.code == 0 and "has no task left" in result.out, result.out + result.err
    oliver = issues(shipped)[key]
    assert (
        "**Current phase:** no required tasks left · **Status:** not started" in oliver.description
    )
    assert "all phases complete" not in oliver.description
    everything = "\n".join(i.description for i in issues(shipped).values())
    row = next(line for line in everything.splitlines() if f"| #{oliver.iid} |" in line)
    assert "| no required tasks left |" in row and "| complete |" not in row, row
    workshop = next(line for line in everything.splitlines() if "| Oliver Grant |" in line)
    assert "not done yet" in workshop and "| done |" not in workshop, workshop


def test_a_section_the_template_gains_is_no_row_of_a_finished_issues_progress(
    group: Path,
) -> None:
    """A newcomer's trial: a `Reflection` section added to the template and to `sections` is
    not added to a finished issue (Sam's, every task done), which is right; but its progress
    table got a "Reflection | 0/0 | heading not found" row, as if Sam had deleted it. An issue
    under way gets the section, and counts it."""
    assert run("apply", "2027-01-04").code == 0
    sam = path_of(group, SAM)
    text = sam.read_text("utf-8")
    sam.write_text(text.replace("- [ ]", "- [x]").replace("1. [ ]", "1. [x]"), "utf-8")
    assert run("apply", "2027-01-05").code == 0
    finished = sam.read_text("utf-8")
    edit(
        PARTICIPANT_TEMPLATE,
        '{{ managed_block("progress") }}',
        "## Reflection\n\n1. [ ] Write a short reflection on the program.\n\n"
        '{{ managed_block("progress") }}',
    )
    edit(PROGRAM, "    label: Practice\n", "    label: Practice\n  - heading: Reflection\n")
    result = run("apply", "2027-01-06")
    assert result.code == 0 and "heading" not in result.out, result.out
    assert sam.read_text("utf-8") == finished
    aiko = issues(group)["csm-aspiring-leaders/fy27-pilot/aiko.tanaka"].description
    assert "| Reflection | 0/1 | 0% |" in aiko


def test_a_task_the_last_section_gains_goes_above_the_progress_table(group: Path) -> None:
    """A newcomer's trial: a task the template gained for Module 3, the last section, went to
    the very end of Sam's issue, below the progress table and the tool's hidden blocks, glued
    to the note and to-do he had written there. It goes after Module 3's last task above
    the table; Sam's note and to-do stay as they were, at the end."""
    assert run("apply", "2027-01-04").code == 0
    sam = path_of(group, SAM)
    mine = "\nSam, 2027-01-04: first mentoring session done.\n- [ ] book the second session\n"
    sam.write_text(sam.read_text("utf-8") + mine, "utf-8")
    new = "1. [ ] Present your mock plan at one of the group's monthly calls."
    line = next(x for x in PARTICIPANT_TEMPLATE.read_text("utf-8").splitlines() if PRACTICE in x)
    edit(PARTICIPANT_TEMPLATE, line, f"{line}\n{new}")
    assert run("apply", "2027-01-05").code == 0
    text = sam.read_text("utf-8")
    assert text.endswith(mine)
    lines = text.splitlines()
    at = lines.index(new)
    assert PRACTICE in lines[at - 1], lines[at - 3 : at + 2]
    assert at < lines.index("<!-- automation:begin progress -->")


def test_a_section_renamed_with_another_added_keeps_its_row_in_a_closed_issue(
    group: Path,
) -> None:
    """A review: a section renamed (`renamed_from`) while another was added was taken for a
    section Sam's closed, finished issue was never given (its record lists it under its old
    heading): its row went, its tasks counted as "Other tasks", for good."""
    assert run("apply", "2027-01-04").code == 0
    sam = path_of(group, SAM)
    text = sam.read_text("utf-8").replace("- [ ]", "- [x]").replace("1. [ ]", "1. [x]")
    sam.write_text(text.replace("state: opened", "state: closed", 1), "utf-8")
    assert run("apply", "2027-01-05").code == 0
    edit(PARTICIPANT_TEMPLATE, "## Module 3: Practice", "## Module 3: Practise")
    edit(
        PARTICIPANT_TEMPLATE,
        '{{ managed_block("progress") }}',
        '## Reflection\n\n1. [ ] Write a short reflection.\n\n{{ managed_block("progress") }}',
    )
    edit(
        PROGRAM,
        '  - heading: "Module 3: Practice"\n    label: Practice\n',
        '  - heading: "Module 3: Practise"\n    renamed_from: "Module 3: Practice"\n'
        "    label: Practice\n  - heading: Reflection\n",
    )
    edit(PROGRAM, '      section: "Module 3: Practice"', '      section: "Module 3: Practise"')
    assert run("apply", "2027-01-06").code == 0
    table = sam.read_text("utf-8").split("| Section |", 1)[1].split("**Overall**", 1)[0]
    assert "| Module 3: Practise | 7/7 | 100% |" in table, table
    assert "Other tasks" not in table and "Reflection" not in table, table


def test_renamed_from_may_go_once_plan_says_no_changes_closed_issues_too(project: Path) -> None:
    """A configuration trial: README says a section's `renamed_from` may go once `plan` says
    "No changes"; a closed issue kept its old heading, and the run after `renamed_from` went
    moved its ticked task out of its phase (Aiko's progress block and the tracking issue's
    figures rewritten, unsaid). A closed issue gets the new heading too."""
    assert run("apply", "2026-12-01").code == 0
    aiko = path_of(project, AIKO)
    edit(aiko, "1. [ ] Find a mentor", "1. [x] Find a mentor")
    edit(aiko, "state: opened", "state: closed")  # Aiko closes her issue by hand
    assert run("apply", "2026-12-02").code == 0
    template = Path("templates/csm-aspiring-leaders/participant.md.j2")
    edit(template, "## Module 2: Learn\n", "## Module 2: Learn and grow\n")
    old = '  - heading: "Module 2: Learn"\n'
    edit(
        PROGRAM,
        old,
        '  - heading: "Module 2: Learn and grow"\n    renamed_from: "Module 2: Learn"\n',
    )
    renamed = run("apply", "2027-01-04")
    assert renamed.code == 0 and f"updated #{issues(project)[AIKO].iid} [{AIKO}]" in renamed.out
    text = aiko.read_text("utf-8")
    assert "## Module 2: Learn and grow\n" in text and "## Module 2: Learn\n" not in text
    assert "state: closed" in text  # left closed
    assert "No changes" in run("plan", "2027-01-04").out
    before = {key: issue.description for key, issue in issues(project).items()}
    edit(PROGRAM, '    renamed_from: "Module 2: Learn"\n', "")
    assert "No changes" in run("apply", "2027-01-04").out
    assert {key: issue.description for key, issue in issues(project).items()} == before
