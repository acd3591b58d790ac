"""Optional tasks and sections that are not required: shown and measured, never holding an
issue back from completion (CSM Aspiring Leaders' "if available", onboarding's Manager and
Enablement tasks)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.checklist import TaskCount, count_all, count_tasks, is_optional
from automation.config.models import Section
from automation.progress import Status, issue_labels, measure
from automation.tasks import tasks_of
from tests.fakes.gitlab_fake import task_completion_status
from tests.projects import demo_program

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "task",
    [
        "Optional: order your swag kit",
        "**Optional:** take the Elevate course",
        "_(optional)_ sign up for the CEO Shadow Program",
        "*Optional* read a book",
    ],
)
def test_a_task_that_says_it_is_optional_is_optional(task: str) -> None:
    assert is_optional(task)


@pytest.mark.parametrize(
    "task", ["Take the course, optionally", "Optionality of tasks", "Read: optional"]
)
def test_other_tasks_are_not(task: str) -> None:
    assert not is_optional(task)


TEXT = """## Learn
1. [x] Read the leadership page.
1. [ ] **Optional:** Take the Elevate course (if available).
1. [X] _(optional)_ Review the CEO Shadow Program.
"""


def test_optional_tasks_count_for_gitlab_but_not_for_progress() -> None:
    assert count_tasks(TEXT) == TaskCount(3, 2) == TaskCount(**task_completion_status(TEXT))
    (learn,), overall = count_all(TEXT, ["Learn"], skip_optional=True)
    assert learn.tasks == overall == TaskCount(1, 1)
    assert count_all(TEXT, ["Learn"])[1] == TaskCount(3, 2)  # GitLab's count by default


@given(st.text(alphabet=st.sampled_from("- []xX\n*_()Optional:ab")))
def test_skipping_optional_tasks_never_counts_more_than_gitlab(text: str) -> None:
    gitlab = count_tasks(text)
    _, counted = count_all(text, [], skip_optional=True)
    assert counted.count <= gitlab.count
    assert counted.completed_count <= gitlab.completed_count


def test_an_issue_whose_required_tasks_are_done_is_complete() -> None:
    program = demo_program(["Learn"])
    progress = measure(TEXT, program, None, TODAY)
    assert progress.overall == TaskCount(1, 1)
    assert progress.status is Status.COMPLETE


def test_a_section_that_is_not_required_is_shown_but_does_not_hold_completion() -> None:
    program = demo_program(["Mine", "Manager"])
    first, second = program.sections
    program = program.model_copy(
        update={"sections": (first, Section(heading="Manager", required=False))}
    )
    text = f"## {first.heading}\n- [x] mine\n\n## {second.heading}\n- [ ] the manager's\n"
    progress = measure(text, program, None, TODAY)
    assert [(s.section.heading, s.tasks) for s in progress.sections] == [
        (first.heading, TaskCount(1, 1)),
        (second.heading, TaskCount(1, 0)),  # still measured: the rollups show it
    ]
    assert progress.overall == TaskCount(1, 1)
    assert progress.status is Status.COMPLETE and progress.current_phase is None
    assert not any(label.startswith("phase::") for label in issue_labels(program, progress))
    assert [s.heading for s in program.phases] == ["Mine"]


def test_a_section_pasted_twice_counts_as_one_section_wherever_its_heading_stands() -> None:
    """A person pastes the Manager section a second time: its tasks are the Manager's, not
    required, and the section's row counts both copies (overall was 1/3 and the hire could
    not graduate; the row said 0/1 while overall counted the copy's task)."""
    program = demo_program(["Mine", "Manager"])
    first, second = program.sections
    program = program.model_copy(
        update={"sections": (first, Section(heading="Manager", required=False))}
    )
    manager = f"## {second.heading}\n- [ ] the manager's\n"
    text = (
        f"## {first.heading}\n- [x] mine\n\n{manager}\n## {first.heading}\n- [x] again\n{manager}"
    )
    progress = measure(text, program, None, TODAY)
    assert [(s.section.heading, s.tasks) for s in progress.sections] == [
        (first.heading, TaskCount(2, 2)),
        (second.heading, TaskCount(2, 0)),
    ]
    assert progress.overall == TaskCount(2, 2)
    assert progress.status is Status.COMPLETE


def test_tasks_under_a_pasted_copy_of_a_heading_are_that_sections_as_counting_says() -> None:
    """Reminders and template changes read tasks by section as progress counts them."""
    text = "## Mine\n- [ ] one\n\n## Manager\n- [ ] theirs\n\n## Mine\n- [ ] two\n"
    listed = [(t.section, t.text) for t in tasks_of(text, ["Mine", "Manager"])]
    assert listed == [("Mine", "one"), ("Manager", "theirs"), ("Mine", "two")]
    (mine, manager), _ = count_all(text, ["Mine", "Manager"])
    assert (mine.tasks.count, manager.tasks.count) == (2, 1)
