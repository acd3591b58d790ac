"""The local tracker keeps files byte-stable and behaves like a tracker should."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from automation.errors import ItemError, TrackerUnavailable
from automation.items import DESCRIPTION_LIMIT, NewIssue
from automation.progress import LabelSpec
from automation.trackers.local import LocalTracker, WorkspaceError


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


@pytest.fixture
def tracker(tmp_path: Path) -> LocalTracker:
    return LocalTracker(tmp_path / "ws", clock=Clock())


def new_issue(key: str = "p/a") -> NewIssue:
    return NewIssue(
        key,
        "Title: A",
        f"<!-- automation:key={key} -->\nbody\n",
        ("program::p",),
        ("ana",),
        dt.date(2027, 1, 31),
        True,
    )


def test_created_issue_reads_back_with_every_field(tracker: LocalTracker) -> None:
    created = tracker.create_issue(new_issue())
    (read,) = tracker.program_issues("program::p")
    assert read == created
    assert (read.iid, read.key, read.due_date, read.confidential) == (
        1,
        "p/a",
        dt.date(2027, 1, 31),
        True,
    )
    text = (tracker.issues_dir / "1.md").read_text("utf-8")
    assert text.startswith("---\ntitle: 'Title: A'\nstate: opened\n")
    assert "created_at: '2026-11-24T09:01:00Z'\nupdated_at: '2026-11-24T09:01:00Z'\n" in text


def test_iids_increase_and_lookup_by_key_reads_from_disk(tracker: LocalTracker) -> None:
    tracker.create_issue(new_issue("p/a"))
    tracker.create_issue(new_issue("p/b"))
    found = tracker.find_issue("p/b", "program::p")
    assert found is not None and found.iid == 2
    assert tracker.find_issue("p/zzz", "program::p") is None


def test_label_update_keeps_other_labels_and_touches_timestamp_only_on_change(
    tracker: LocalTracker,
) -> None:
    tracker.create_issue(new_issue())
    path = tracker.issues_dir / "1.md"
    path.write_text(
        path.read_text("utf-8").replace("- program::p\n", "- program::p\n- mine\n"), "utf-8"
    )
    tracker.update_labels(1, ["status::complete"], ["nothing-to-remove"])
    (issue,) = tracker.program_issues("program::p")
    assert issue.labels == ("program::p", "mine", "status::complete")
    stamped = path.read_bytes()
    tracker.update_labels(1, ["status::complete"], [])
    assert path.read_bytes() == stamped


def test_description_update_preserves_crlf_written_by_a_person(tracker: LocalTracker) -> None:
    tracker.create_issue(new_issue())
    path = tracker.issues_dir / "1.md"
    path.write_bytes(path.read_bytes().replace(b"body\n", b"body\r\nmore\r\n"))
    (issue,) = tracker.program_issues("program::p")
    assert "body\r\nmore\r\n" in issue.description
    tracker.update_description(1, issue.description + "tail\n")
    assert b"body\r\nmore\r\ntail\n" in path.read_bytes()


def test_labels_are_created_once(tracker: LocalTracker) -> None:
    spec = LabelSpec("status::complete", "#5cb85c", "Issue status (managed)")
    tracker.create_label(spec)
    tracker.create_label(spec)
    assert tracker.label_names() == frozenset({"status::complete"})


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("state: opened", "state: [opened", r"1\.md:3: YAML syntax error"),
        (
            "due_date: 2027-01-31",
            "due_date: 2027-13-45",
            r"1\.md:7: 'due_date': '2027-13-45' is not a date: there is no month 13",
        ),
        (
            "confidential: true",
            "confidential: true\nfoo: 1",
            r"1\.md:7: front matter unknown field 'foo' \(the tool writes title, state, ",
        ),
        (
            "title: 'Title: A'",
            "title: [a, b]",
            r"1\.md:2: front matter field 'title' should be text \(one line\); fix it",
        ),
        ("confidential: true", "confidential: maybe", r"'confidential' should be true or false"),
        ("state: opened", "state: banana", r"1\.md:3: front matter field 'state' should be one"),
        ("---\ntitle", "title", r"1\.md:1: the file must start with the '---' front matter"),
    ],
)
def test_broken_front_matter_stops_the_run_naming_file_line_and_field(
    tracker: LocalTracker, old: str, new: str, message: str
) -> None:
    tracker.create_issue(new_issue())
    path = tracker.issues_dir / "1.md"
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    with pytest.raises(WorkspaceError, match=message):
        tracker.program_issues("program::p")


def test_non_utf8_file_is_reported_not_a_traceback(tracker: LocalTracker) -> None:
    tracker.create_issue(new_issue())
    (tracker.issues_dir / "1.md").write_bytes(b"---\ntitle: \xff\n---\n")
    with pytest.raises(WorkspaceError, match=r"1\.md:2: the file is not UTF-8 text"):
        tracker.program_issues("program::p")


def test_windows_line_endings_and_bom_are_read(tracker: LocalTracker) -> None:
    tracker.create_issue(new_issue())
    path = tracker.issues_dir / "1.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    (issue,) = tracker.program_issues("program::p")
    assert issue.key == "p/a" and issue.title == "Title: A"


def test_the_tools_note_is_found_by_its_first_line_and_edited_alone(tracker: LocalTracker) -> None:
    iid = tracker.create_issue(new_issue()).iid
    marker = "<!-- automation:note reminders-digest 2026-W49 -->"
    tracker.add_note(iid, "<!-- automation:note other -->\nfirst")
    path = tracker.workspace / "notes" / f"{iid}.md"
    with path.open(
        "a", encoding="utf-8"
    ) as file:  # a person adds their own note by hand, quoting the marker
        file.write(f"---\nnote by alice at 2026-12-01T09:00:00Z\n---\n{marker}\nmine\n")
    tracker.add_note(iid, f"{marker}\ndigest, first version")
    tracker.add_note(iid, "<!-- automation:note later -->\nlast\n---\nnot a header")
    found = tracker.find_note(iid, marker)
    assert found is not None and found.body == f"{marker}\ndigest, first version"
    before = path.read_text("utf-8")
    tracker.update_note(iid, found.id, f"{marker}\ndigest, edited")
    after = path.read_text("utf-8")
    assert after == before.replace("digest, first version", "digest, edited")
    assert tracker.find_note(iid, "<!-- automation:note missing -->") is None
    assert tracker.find_note(iid + 1, marker) is None  # an issue without notes
    # every week's digest in one read, the person's quoting note left out
    digests = tracker.notes_marked(iid, "<!-- automation:note reminders-digest ")
    assert [n.body for n in digests] == [f"{marker}\ndigest, edited"]


@pytest.mark.parametrize("saved", ["\r\n", "\ufeff", "\r"])
def test_notes_saved_with_windows_or_old_mac_line_ends_or_a_bom_are_still_found(
    tracker: LocalTracker, saved: str
) -> None:
    """A tester saved a notes file in a Windows editor: the tool no longer found its
    reminder, and posted it again on every run."""
    iid = tracker.create_issue(new_issue()).iid
    marker = "<!-- automation:note reminder cohort-ends -->"
    tracker.add_note(iid, f"{marker}\nThe cohort ends in two weeks.")
    tracker.add_note(iid, "<!-- automation:note other -->\nsecond")
    path = tracker.workspace / "notes" / f"{iid}.md"
    text = path.read_text("utf-8")
    resaved = "\ufeff" + text if saved == "\ufeff" else text.replace("\n", saved)
    path.write_bytes(resaved.encode())
    found = tracker.find_note(iid, marker)
    assert found is not None and found.body == f"{marker}\nThe cohort ends in two weeks."
    tracker.update_note(iid, found.id, f"{marker}\nedited")
    assert [n.body for n in tracker.notes_marked(iid, "<!-- automation:note ")] == [
        f"{marker}\nedited",
        "<!-- automation:note other -->\nsecond",
    ]


def test_a_note_after_a_persons_unended_last_line_is_found(tracker: LocalTracker) -> None:
    """A reviewer: a notes file whose last line had no line end (Notepad's) got the tool's
    next note joined to it, not found, and posted again."""
    iid = tracker.create_issue(new_issue()).iid
    path = tracker.workspace / "notes" / f"{iid}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\nnote by ana at 2026-12-01T09:00:00Z\n---\nthanks, done", "utf-8")
    marker = "<!-- automation:note reminder -->"
    tracker.add_note(iid, f"{marker}\nDue soon.")
    found = tracker.find_note(iid, marker)
    assert found is not None and found.body == f"{marker}\nDue soon."
    assert path.read_text("utf-8").startswith(
        "---\nnote by ana at 2026-12-01T09:00:00Z\n---\nthanks, done\n"
    )


def test_an_issue_saved_with_old_mac_line_ends_is_read_line_by_line(
    tracker: LocalTracker,
) -> None:
    """Lone `\r` line ends: the key line and the tool's blocks are found (a tester's file got
    every block a second time)."""
    iid = tracker.create_issue(new_issue()).iid
    path = tracker.issues_dir / f"{iid}.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    (read,) = tracker.program_issues("program::p")
    assert read.key == "p/a" and read.description == "<!-- automation:key=p/a -->\nbody\n"


def test_a_description_over_gitlabs_limit_is_refused_as_gitlab_would(tracker: LocalTracker) -> None:
    """A rehearsal shows what would fail on GitLab: 1,048,576 bytes at most (UTF-8: fewer
    characters when they are accented), at creation and when the tool rewrites an issue; the
    file is left as it was."""
    issue = new_issue()
    too_long = replace(issue, description=issue.description + "é" * (DESCRIPTION_LIMIT // 2))
    with pytest.raises(ItemError, match=r"the description would be .* bytes, over GitLab.s limit"):
        tracker.create_issue(too_long)
    assert tracker.program_issues("program::p") == ()
    created = tracker.create_issue(issue)
    with pytest.raises(ItemError, match=r"over GitLab.s limit of 1,048,576"):
        tracker.update_description(created.iid, too_long.description)
    assert tracker.get_issue(created.iid) == created


def test_a_refused_description_takes_no_number(tracker: LocalTracker) -> None:
    """GitLab refuses it before the issue exists; the next issue gets the next number."""
    issue = new_issue()
    with pytest.raises(ItemError):
        tracker.create_issue(replace(issue, description="x" * (DESCRIPTION_LIMIT + 1)))
    assert tracker.create_issue(issue).iid == 1


def test_a_note_elsewhere_that_cannot_be_written_is_one_message(tracker: LocalTracker) -> None:
    (tracker.workspace / "elsewhere").parent.mkdir(parents=True, exist_ok=True)
    (tracker.workspace / "elsewhere").write_text("a person's file\n", "utf-8")
    with pytest.raises(TrackerUnavailable, match="elsewhere is a file, not a folder"):
        tracker.add_note_in("https://gitlab.example.com/people/onboarding", 7, "Welcome")


def test_notes_a_person_saved_in_another_encoding_are_said_and_kept(
    tracker: LocalTracker,
) -> None:
    created = tracker.create_issue(new_issue())
    tracker.add_note(created.iid, "<!-- automation:note digest -->\nfirst")
    path = tracker.workspace / "notes" / f"{created.iid}.md"
    path.write_bytes(path.read_bytes() + "café\n".encode("latin-1"))
    before = path.read_bytes()
    writes: list[Callable[[], None]] = [
        lambda: tracker.add_note(created.iid, "second"),
        lambda: tracker.update_note(created.iid, 1, "edited"),
    ]
    for write in writes:
        with pytest.raises(WorkspaceError, match="UTF-8"):
            write()
    assert path.read_bytes() == before


def test_a_persons_note_quoting_the_marker_is_not_the_tools_note(tracker: LocalTracker) -> None:
    created = tracker.create_issue(new_issue())
    marker = "<!-- automation:note reminder pre-work 2026-12-04 -->"
    path = tracker.workspace / "notes" / f"{created.iid}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\nnote by ana at 2026-12-04T09:00:00Z\n---\n{marker}\nquoted\n", "utf-8")
    assert not tracker.has_note(created.iid, marker)
    tracker.add_note(created.iid, f"{marker}\nReminder")
    assert tracker.has_note(created.iid, marker)


def test_a_box_ticked_between_two_listings_is_in_the_second(tracker: LocalTracker) -> None:
    """A person saves the file while a run is going: the same size and, on a coarse clock,
    the same modification time; the next listing still reads what the file holds."""
    issue = tracker.create_issue(replace(new_issue(), description="<!-- k -->\n- [ ] a\n"))
    path = tracker.issues_dir / f"{issue.iid}.md"
    (before,) = tracker.program_issues("program::p")
    stat = path.stat()
    path.write_text(path.read_text("utf-8").replace("- [ ] a", "- [x] a"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    (after,) = tracker.program_issues("program::p")
    assert "- [ ] a" in before.description and "- [x] a" in after.description
    assert tracker.get_issue(issue.iid) == after
