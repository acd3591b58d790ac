"""Reminders on the fake GitLab: a note per occasion whatever fails around its POST, found again
by listing the issue's notes; mentions only of GitLab users; paced under the note limit; the
digest edited in place with a PUT."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from automation.config.models import GitLabSettings
from automation.reminders import observe
from automation.syncrecord import RECORD_LABEL, read_record
from automation.trackers.gitlab import Connection, GitLabTracker
from tests.backends import GROUP, PROJECT, TOKEN, URL, Result, StepClock, cli, new_fake
from tests.fakes.gitlab_fake import FakeGitLab
from tests.projects import REMINDERS, reminders_project

ENV = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
SETTINGS = f"gitlab:\n  group: enablement\n  project: {PROJECT}\n"
MARKER = "<!-- automation:note reminder one-open 2026-12-04 -->"
DIGEST = REMINDERS.replace("reminders:\n", "reminders:\n  digest: true\n")


def setup(root: Path, reminders: str = REMINDERS, settings: str = SETTINGS) -> None:
    reminders_project(root, reminders)
    (root / "config" / "settings.yml").write_text(settings, "utf-8")


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    """The demo program created on 2026-12-01 in a fake GitLab where ana, ben and cy exist."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    instance = new_fake(users=("ana", "ben", "cy"))
    with instance.activate():
        ok(run("2026-12-01"))
        yield instance


@contextmanager
def digested(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    """The demo program with a weekly digest, in a fake GitLab where ana, ben and cy exist,
    before its first run."""
    monkeypatch.chdir(root)
    setup(root, DIGEST)
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        yield fake


def run(today: str, *extra: str, clock: StepClock | None = None) -> Result:
    env = {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN}
    args = ["apply", "--backend", "gitlab", "--today", today, "--rehearsal", *extra]
    return cli(args, env, clock)


def ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    return result


def notes(fake: FakeGitLab, marker: str = MARKER) -> dict[int, int]:
    """How many notes carrying MARKER each issue has."""
    counted = {i["iid"]: sum(marker in n for n in i["notes"]) for i in fake.issues(PROJECT)}
    return {iid: n for iid, n in counted.items() if n}


def iid(fake: FakeGitLab, username: str) -> int:
    key = f"automation:key=demo/c1/{username} "
    return int(next(i["iid"] for i in fake.issues(PROJECT) if key in i["description"]))


def test_a_crash_after_the_notes_post_sends_it_once_in_the_run_and_after(
    fake: FakeGitLab,
) -> None:
    def drop_the_answer() -> None:
        fake.crash_after_writes(1)

    crash = fake.before_request("POST", "/notes", drop_the_answer)
    ok(run("2026-12-04", "--steps", "remind"))  # the first note is stored, the answer lost
    assert crash.fired == 1 and fake.crashes[0].fired == 1
    assert fake.count("POST", "/notes") == 2  # looked up after the drop, not posted again
    ok(run("2026-12-04", "--steps", "remind"))
    ok(run("2026-12-05"))
    assert notes(fake) == {iid(fake, "ben"): 1, iid(fake, "cy"): 1}
    assert fake.count("POST", "/notes") == 2


def test_a_retried_request_after_a_server_error_posts_one_note(fake: FakeGitLab) -> None:
    fake.inject(502, method="POST", path_contains="/notes", times=1)
    ok(run("2026-12-04", "--steps", "remind"))
    assert notes(fake) == {iid(fake, "ben"): 1, iid(fake, "cy"): 1}
    assert fake.count("POST", "/notes") == 3  # the failed one, then one per issue


def test_a_persons_note_quoting_the_marker_is_not_the_reminder(fake: FakeGitLab) -> None:
    ben = iid(fake, "ben")
    fake.add_note_as(PROJECT, ben, "ana", f"Copying the bot:\n{MARKER}")
    ok(run("2026-12-04"))
    assert notes(fake)[ben] == 2  # Ana's, and the reminder


def test_a_reminder_quoting_a_task_that_holds_a_marker_is_not_that_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ben writes a task holding the completion note's marker; the reminder, the tool's own
    note, quotes it. A note is the tool's note of a marker only when the marker is its first
    line: once every task is ticked, Ben's issue is closed and gets its completion note."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path, REMINDERS + "completion:\n  note: done-note.md.j2\n  close: true\n")
    (tmp_path / "templates" / "done-note.md.j2").write_text("Well done.\n", "utf-8")
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        ok(run("2026-12-01"))
        ben = iid(fake, "ben")
        text = next(i["description"] for i in fake.issues(PROJECT) if i["iid"] == ben)
        task = "- [ ] check <!-- automation:note completion -->\n## Two"
        fake.edit_issue(PROJECT, ben, description=text.replace("## Two", task, 1), as_user="ben")
        ok(run("2026-12-04", "--steps", "remind"))
        issue = next(i for i in fake.issues(PROJECT) if i["iid"] == ben)
        assert any("automation:note completion" in n for n in issue["notes"])  # quoted
        fake.edit_issue(PROJECT, ben, description=issue["description"].replace("- [ ]", "- [x]"))
        ok(run("2026-12-05"))
    issue = next(i for i in fake.issues(PROJECT) if i["iid"] == ben)
    assert issue["state"] == "closed"
    assert sum(n.startswith("<!-- automation:note completion -->") for n in issue["notes"]) == 1


def test_no_reminder_on_a_closed_issue_nor_once_its_tasks_are_ticked(fake: FakeGitLab) -> None:
    ben, cy = iid(fake, "ben"), iid(fake, "cy")
    fake.edit_issue(PROJECT, ben, state="closed")
    text = next(i["description"] for i in fake.issues(PROJECT) if i["iid"] == cy)
    fake.edit_issue(PROJECT, cy, description=text.replace("- [ ] ", "- [x] ", 2), as_user="cy")
    ok(run("2026-12-04"))
    assert notes(fake) == {}


def test_only_gitlab_users_of_the_roles_are_mentioned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    fake = new_fake(users=("ben", "cy"))  # Ben's manager Ana has no GitLab account
    with fake.activate():
        ok(run("2026-12-01"))
        fake.mentions.clear()
        result = ok(run("2026-12-04"))
    assert sorted(m.username for m in fake.mentions) == ["ben", "cy"]
    assert "'ana' is not a GitLab user" in result.out + result.err
    assert fake.quick_actions == []


def test_a_message_that_looks_like_a_quick_action_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    setup(tmp_path, REMINDERS.replace("message: section One is due", 'message: "/close @all"'))
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        ok(run("2026-12-01"))
        fake.mentions.clear()
        ok(run("2026-12-04"))
    assert fake.quick_actions == []
    assert {i["state"] for i in fake.issues(PROJECT)} == {"opened"}
    assert "all" not in {m.username for m in fake.mentions}


class SharedClock(StepClock):
    """The run's clock: its waits pass on the fake GitLab too, which counts notes per minute."""

    def __init__(self, fake: FakeGitLab) -> None:
        super().__init__()
        self.fake = fake

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self.fake.sleep(seconds)


def test_notes_are_paced_under_the_note_limit_instead_of_bouncing_off_429s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    retried: list[float] = []  # python-gitlab sleeps here when GitLab answers 429
    monkeypatch.setattr(time, "sleep", retried.append)
    people = ["ana", "ben", "cy"] + [f"p{n}" for n in range(5)]
    setup(tmp_path, settings=SETTINGS + "  notes_per_minute: 2\n")
    program = tmp_path / "config" / "programs" / "demo.yml"
    program.write_text(
        program.read_text("utf-8").replace("[ben, cy]", f"[{', '.join(people[1:])}]"), "utf-8"
    )
    roster = "".join(f"  - username: {u}\n    name: {u.title()}\n" for u in people[3:])
    with (tmp_path / "config" / "people.yml").open("a", encoding="utf-8") as file:
        file.write(roster)
    fake = new_fake(users=tuple(people))
    fake.set_application_limits(issue_creates_per_minute=None, notes_per_minute=2)
    clock = SharedClock(fake)
    with fake.activate():
        ok(run("2026-12-01"))
        ok(run("2026-12-04", "--steps", "remind", clock=clock))
    assert len(notes(fake)) == 7
    assert len([s for s in clock.slept if s > 30]) == 3  # 7 notes, 2 a minute: three waits
    assert retried == []  # never a 429


def test_the_digest_is_posted_once_then_edited_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with digested(tmp_path, monkeypatch) as fake:
        ok(run("2026-12-01"))
        ok(run("2026-12-04"))
        tracking = next(i for i in fake.issues(PROJECT) if "demo/tracking " in i["description"])
        (first,) = [n for n in tracking["notes"] if "reminders-digest" in n]
        ben = iid(fake, "ben")
        text = next(i["description"] for i in fake.issues(PROJECT) if i["iid"] == ben)
        fake.edit_issue(PROJECT, ben, description=text.replace("- [ ] ", "- [x] ", 2))
        puts = fake.count("PUT", "/notes/")
        ok(run("2026-12-05"))
        ok(run("2026-12-05"))
    tracking = next(i for i in fake.issues(PROJECT) if i["iid"] == tracking["iid"])
    (edited,) = [n for n in tracking["notes"] if "reminders-digest" in n]
    assert first.count("section One is due") == 2 and edited.count("section One is due") == 1
    assert fake.count("PUT", "/notes/") == puts + 1
    assert notes(fake) == {}  # nothing on the issues themselves


def test_an_event_run_sends_no_reminder_the_schedule_sends_it(fake: FakeGitLab) -> None:
    """A tick at dawn on the day a reminder falls due starts an event run: reminders are the
    schedule's, at the hour it was set for (a tester's finding: the event run sent them)."""
    Path("payload.json").write_text(
        json.dumps(
            {
                "object_kind": "issue",
                "user": {"username": "ana"},
                "labels": [{"title": "program::demo"}],
                "project": {"path_with_namespace": PROJECT},
            }
        ),
        encoding="utf-8",
    )
    ok(run("2026-12-04", "--event", "payload.json"))
    assert notes(fake) == {}
    ok(run("2026-12-04", "--event", "payload.json", "--steps", "labels,progress,remind"))
    assert notes(fake)  # asked for: sent


def test_a_person_who_joined_after_the_occasion_is_not_reminded_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab's `created_at` says when an issue was made: Cy, added to the cohort on
    2026-12-06, is not told that section One was "still open on 2026-12-04"; Ben, in the
    cohort since it began, is reminded late (the runs were down meanwhile)."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    program = tmp_path / "config/programs/demo.yml"
    program.write_text(program.read_text("utf-8").replace("[ben, cy]", "[ben]"), "utf-8")
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        ok(run("2026-12-01"))
        fake.clock.advance(dt.timedelta(days=12))  # GitLab's 2026-12-06
        program.write_text(program.read_text("utf-8").replace("[ben]", "[ben, cy]"), "utf-8")
        ok(run("2026-12-06", clock=StepClock(fake.clock.now())))
    assert notes(fake) == {iid(fake, "ben"): 1}


def test_a_rehearsal_of_a_day_before_gitlab_made_the_issues_sends_its_reminders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer's finding: rehearsing 2026-12-01 then 2026-12-04 on a GitLab whose day is
    2026-12-20 sent no reminder, every issue being "made after" its occasion by GitLab's
    clock. A rehearsed day before an issue's `created_at` takes the issue as there."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path)
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        fake.clock.advance(dt.timedelta(days=26))
        ok(run("2026-12-01", clock=StepClock(fake.clock.now())))
        ok(run("2026-12-04", clock=StepClock(fake.clock.now())))
    assert notes(fake) == {iid(fake, "ben"): 1, iid(fake, "cy"): 1}


def test_the_weeks_digests_are_read_in_one_listing_the_tools_own_only(fake: FakeGitLab) -> None:
    """`notes_marked`: every week's digest of the tool's user, oldest first, in one request; a
    person's note quoting a digest's marker is not one."""
    ben = iid(fake, "ben")
    prefix = "<!-- automation:note reminders-digest "
    client = fake.client().projects.get(PROJECT, lazy=True).issues.get(ben, lazy=True).notes
    for week in ("2026-W49", "2026-W50"):
        client.create({"body": f"{prefix}{week} -->\nfor @ana"})
    fake.add_note_as(PROJECT, ben, "ana", f"{prefix}2026-W51 -->\nmine")
    # a replaced token's user's: GitLab lets only its author or a Maintainer edit it (a tester:
    # editing it stopped every run after an upgrade)
    fake.add_user("old-bot")
    fake.add_note_as(PROJECT, ben, "old-bot", f"{prefix}2026-W48 -->\nfor @ana")
    settings = GitLabSettings(group="enablement", project=PROJECT, former_users=("old-bot",))
    tracker = GitLabTracker(Connection(URL, TOKEN), settings, sleep=lambda _: None)
    fake.requests.clear()
    found = tracker.notes_marked(ben, prefix)
    assert [n.body.split("\n")[0] for n in found] == [
        f"{prefix}2026-W49 -->",
        f"{prefix}2026-W50 -->",
    ]
    assert len([r for r in fake.requests if r.path.endswith("/notes")]) == 1


def digests(fake: FakeGitLab, week: str) -> list[str]:
    marker = f"<!-- automation:note reminders-digest {week} -->"
    return [n for i in fake.issues(PROJECT) for n in i["notes"] if n.startswith(marker)]


def replace_token(fake: FakeGitLab) -> None:
    """The token is replaced by a new bot's; the old one is named in `former_users`."""
    settings = Path("config/settings.yml")
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"  former_users: [{fake.owner.username}]\n",
        encoding="utf-8",
    )
    fake.act_as("new-bot")
    fake.set_role("developer")


def test_a_token_replaced_mid_week_leaves_the_weeks_digest_to_the_old_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reviewers: the week's digest by the replaced token's user was edited by the new one,
    which GitLab refuses (403): every run that week stopped (exit 3). Nothing the old digest
    listed is listed again, that week or the next."""
    with digested(tmp_path, monkeypatch) as fake:
        ok(run("2026-12-01"))
        ok(run("2026-12-04"))  # this week's digest, by the old token's user
        (before,) = digests(fake, "2026-W49")
        replace_token(fake)
        ben = iid(fake, "ben")
        text = next(i["description"] for i in fake.issues(PROJECT) if i["iid"] == ben)
        fake.edit_issue(PROJECT, ben, description=text.replace("- [ ] ", "- [x] ", 2))
        ok(run("2026-12-05"))
        assert digests(fake, "2026-W49") == [before]
        ok(run("2026-12-07"))  # Monday: last week's occasions were listed, by the old user
        assert digests(fake, "2026-W50") == []


def before_start(early: int, late: int) -> str:
    """A digest of two reminders, EARLY and LATE days before the cohort's start."""
    lines = [
        f"    - {{id: {name}, when: {days} days before start, section: One, "
        f"for: [participant], message: {said}}}\n"
        for name, days, said in (("early", early, "early"), ("late", late, "soon"))
    ]
    return "reminders:\n  digest: true\n  send:\n" + "".join(lines)


@contextmanager
def two_reminders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: tuple[int, int], start: str
) -> Iterator[FakeGitLab]:
    """The demo cohort starting on START, with two reminders DAYS before it in a digest, run
    on 1 and 2 December (the old token's user's digest lists the first)."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path, before_start(*days))
    program = Path("config/programs/demo.yml")
    program.write_text(
        program.read_text(encoding="utf-8").replace(
            "start_date: 2026-12-01", f"start_date: {start}"
        ),
        encoding="utf-8",
    )
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        ok(run("2026-12-01"))
        ok(run("2026-12-02"))
        yield fake


def test_what_falls_due_after_a_token_change_is_listed_that_week_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: with the week left to the replaced token's user's digest, a reminder days
    before a date that came before next Monday was never listed (nor, with a short
    `late_days`, one after it). The new token's user posts a digest of its own beside the old
    one, listing only what that one does not: each occasion once."""
    with two_reminders(tmp_path, monkeypatch, (4, 2), "2026-12-06") as fake:
        replace_token(fake)
        for day in ("2026-12-03", "2026-12-04", "2026-12-05", "2026-12-07"):
            ok(run(day))
        week = digests(fake, "2026-W49")
        assert len(week) == 2 and digests(fake, "2026-W50") == []
        listed = [line for body in week for line in body.splitlines() if line.startswith("- ")]
        assert sum("early (2026-12-02)" in line for line in listed) == 2  # Ben's and Cy's
        assert sum("soon (2026-12-04)" in line for line in listed) == 2
        assert "soon" not in week[0] and "early" not in week[1]


def test_the_week_after_a_token_change_lists_nothing_the_old_digest_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: the next week's digest read only the newest digest of the week before (the
    new user's), and listed again, late, what the old user's had listed."""
    with two_reminders(tmp_path, monkeypatch, (10, 8), "2026-12-12") as fake:
        replace_token(fake)
        ok(run("2026-12-04"))  # the new user's lists `soon` only
        assert len(digests(fake, "2026-W49")) == 2
        ok(run("2026-12-07"))
        assert digests(fake, "2026-W50") == []


def test_a_second_digest_of_the_week_by_the_same_user_is_not_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: two digests of a week by the token's own user (overlapping runs): the
    newer one was rewritten to "every task is done" while every task was open. Only a
    replaced token's user's digest counts as listing beside it."""
    with two_reminders(tmp_path, monkeypatch, (10, 8), "2026-12-12") as fake:
        (first,) = digests(fake, "2026-W49")
        tracking = next(i["iid"] for i in fake.issues(PROJECT) if first in i["notes"])
        fake.add_note_as(PROJECT, tracking, fake.owner.username, first)  # the other run's
        ok(run("2026-12-03"))
        assert not any("Nothing is due any more" in b for b in digests(fake, "2026-W49"))


def test_both_digests_of_a_week_with_two_are_quieted_the_week_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: a week with two digests of the token's user (two runs at once, say) had
    only its newest quieted, twice every later week, found again by its marker: the older
    one mentioned its people for good, and they got every later digest by e-mail."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path, before_start(10, 3))
    program = Path("config/programs/demo.yml")
    program.write_text(
        program.read_text(encoding="utf-8").replace("2026-12-01", "2026-12-12"), encoding="utf-8"
    )
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        ok(run("2026-12-02"))
        (first,) = digests(fake, "2026-W49")
        tracking = next(i["iid"] for i in fake.issues(PROJECT) if first in i["notes"])
        fake.add_note_as(PROJECT, tracking, fake.owner.username, first)  # another run's
        ok(run("2026-12-09"))  # the next week's digest: earlier ones quieted
        edits = [r for r in fake.requests if r.method == "PUT" and "/notes/" in r.path]
        ok(run("2026-12-10"))
        w49 = digests(fake, "2026-W49")
    assert len(w49) == 2
    assert not [body for body in w49 if "@ben" in body or "@cy" in body], w49
    assert len(edits) == 2  # one each


def test_a_token_put_back_edits_its_own_digest_and_lists_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: token A replaced by B mid-week, then A put back (B in `former_users`): A
    took B's newer digest for the week's and posted a third, listing again what its own
    first one listed (and e-mailing its people again)."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path, before_start(10, 8).replace("    - {id: late", "    - {id: later"))
    program = Path("config/programs/demo.yml")
    program.write_text(
        program.read_text(encoding="utf-8").replace("2026-12-01", "2026-12-12"), encoding="utf-8"
    )
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        first = fake.owner.username
        ok(run("2026-12-02"))  # A's digest lists "early"
        replace_token(fake)
        ok(run("2026-12-04"))  # B's lists the one due on the 4th
        settings = Path("config/settings.yml")
        text = settings.read_text(encoding="utf-8").replace(
            f"former_users: [{first}]", "former_users: [new-bot]"
        )
        settings.write_text(text, encoding="utf-8")
        fake.act_as(first)
        ok(run("2026-12-05"))
        w49 = digests(fake, "2026-W49")
    assert len(w49) == 2, w49
    assert sum("early" in body for body in w49) == 1, w49


def _on(fake: FakeGitLab, day: str) -> None:
    """GitLab's clock on DAY, as it is for the scheduled run of that day (not a rehearsal)."""
    fake.clock.current = dt.datetime.fromisoformat(f"{day}T09:00:00+00:00")


def _record_day(fake: FakeGitLab) -> str:
    """The day the record of the last run that left nothing to do names."""
    record = read_record(fake.labels(GROUP)[RECORD_LABEL]["description"])
    assert record is not None
    return record.day.isoformat()


def test_reminders_a_stopped_schedule_never_sent_are_said_by_the_runs_back(
    fake: FakeGitLab,
) -> None:
    """The schedule stopped for five weeks (a runner gone): the reminders whose day came
    during the stop, more than `late_days` before the run back, are not sent then (they
    would speak of what is long past), and were said by nothing (a finding of the year's
    trial). The runs back say how many, from when to when, and of which reminder, until one
    finds everything up to date (here the first): after it, nothing is said again."""
    ok(run("2026-12-01"))  # finds everything up to date: the record is of that day
    assert _record_day(fake) == "2026-12-01"
    _on(fake, "2027-01-10")
    back = ok(run("2027-01-10"))
    said = [line for line in back.out.splitlines() if "never sent" in line]
    assert len(said) == 1, back.out
    assert said[0].startswith("note: demo: 2 reminders never sent, due on 2026-12-04: ")
    assert "`late_days` (7) days" in said[0] and "(the last: 2026-12-01)" in said[0]
    assert said[0].endswith("By reminder: one-open (2)")
    assert notes(fake) == {}  # not sent late
    ok(run("2027-01-10"))  # found everything up to date
    _on(fake, "2027-01-11")
    assert "never sent" not in ok(run("2027-01-11")).out


def test_reminders_a_run_sent_before_the_stop_are_not_said_lost(fake: FakeGitLab) -> None:
    """A run sent the day's reminders and no run found everything up to date after it
    (its notes are writes of its own): the record still names the day before, and the
    notes are what say the reminders went out."""
    ok(run("2026-12-01"))
    ok(run("2026-12-04"))
    assert _record_day(fake) == "2026-12-01" and notes(fake) == {
        iid(fake, "ben"): 1,
        iid(fake, "cy"): 1,
    }
    _on(fake, "2027-01-10")
    assert "never sent" not in ok(run("2027-01-10")).out


def test_a_plan_of_a_later_day_calls_no_reminder_lost(fake: FakeGitLab) -> None:
    """A reviewer: `plan --today` a month ahead, on the schedule's own GitLab, said the
    reminders due meanwhile were never sent; the schedule may yet send them."""
    ok(run("2026-12-01"))
    ahead = cli(
        ["plan", "--backend", "gitlab", "--today", "2027-01-10"],
        {"GITLAB_URL": URL, "GITLAB_TOKEN": TOKEN},
    )
    assert ahead.code == 0 and "never sent" not in ahead.out, ahead.out + ahead.err
    _on(fake, "2027-01-10")
    assert "never sent" in ok(run("2027-01-10")).out  # on the day itself, it is said


def test_a_missed_digest_week_is_said_by_the_run_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a digest: an occasion no digest listed, whose day came more than `late_days`
    before the week of the run back, is said as never sent."""
    with digested(tmp_path, monkeypatch) as fake:
        ok(run("2026-12-01"))
        ok(run("2026-12-01"))
        _on(fake, "2027-01-13")
        back = ok(run("2027-01-13"))
    said = [line for line in back.out.splitlines() if "never sent" in line]
    assert len(said) == 1 and "By reminder: one-open (2)" in said[0], back.out


def test_a_tracking_issue_full_of_notes_fails_its_digest_saying_why_and_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitLab takes no comment on an issue holding 5,000 notes, its system notes included:
    a tracking issue rewritten every hour reaches that in a year or two, and the week's
    digest is refused. The run says why and what to do, not a bare 400; its notes are read
    without the system notes (a page each look, not fifty)."""
    with digested(tmp_path, monkeypatch) as fake:
        ok(run("2026-12-01"))
        tracking = next(i for i in fake.issues(PROJECT) if "demo/tracking " in i["description"])
        fake.fill_notes(PROJECT, tracking["iid"])
        reads = fake.count("GET", "/notes")
        failed = run("2026-12-04")
        assert fake.count("GET", "/notes") - reads < 10  # a page per look: 50 with them
    assert failed.code == 1, failed.out + failed.err
    assert "holds 5,000 notes, the most GitLab keeps on one" in failed.out + failed.err
    assert "`reminders.digest: false`" in failed.out + failed.err
    assert "Traceback" not in failed.err


def test_a_long_stop_looks_for_the_notes_of_the_first_occasions_only(
    fake: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a long stop the run reads the notes of at most MAX_LOST occasions, and says the
    count is of those (one, here, of two)."""
    monkeypatch.setattr(observe, "MAX_LOST", 1)
    ok(run("2026-12-01"))
    reads = fake.count("GET", "/notes")
    _on(fake, "2027-01-10")
    said = [line for line in ok(run("2027-01-10")).out.splitlines() if "never sent" in line]
    assert len(said) == 1 and "1 reminder (of the first 1 looked for) never sent" in said[0]
    assert fake.count("GET", "/notes") - reads == 1


BEFORE_START = """\
reminders:
  send:
    - id: soon
      when: 3 days before start
      section: One
      for: [participant]
      message: the cohort starts soon
"""


@pytest.mark.parametrize("digest", [False, True])
def test_a_reminder_whose_date_came_between_two_runs_is_said_once_with_its_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digest: bool
) -> None:
    """A year's trial: on a weekly schedule, a reminder days before a date fell between two
    runs; it is not sent once the date has come (it speaks of what is ahead), and nothing said
    so: in a year no hire got the pre-work reminder, and a note a week later said to raise
    `late_days`, which changed nothing. The first run after the date says it, and why (in a
    program that sends a weekly digest too, a reviewer's); a rehearsal of a later day, which
    the schedule may yet reach in time, says nothing."""
    monkeypatch.chdir(tmp_path)
    setup(
        tmp_path,
        BEFORE_START.replace("reminders:\n", "reminders:\n  digest: true\n")
        if digest
        else BEFORE_START,
    )
    program = Path("config/programs/demo.yml")
    text = program.read_text(encoding="utf-8").replace("2026-12-01", "2026-12-12")
    program.write_text(text, encoding="utf-8")
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        _on(fake, "2026-12-05")
        ok(run("2026-12-05"))
        ok(run("2026-12-05"))  # finds everything up to date: the record is of that day
        assert _record_day(fake) == "2026-12-05"
        ahead = cli(["plan", "--backend", "gitlab", "--today", "2026-12-14"], ENV)
        assert ahead.code == 0 and "not sent" not in ahead.out, ahead.out
        _on(fake, "2026-12-14")  # a week later: the reminder's day (the 9th) and date passed
        back = ok(run("2026-12-14"))
        said = [line for line in back.out.splitlines() if "not sent" in line]
        assert said == [
            "note: demo: 2 reminders not sent: the date they speak of came (on 2026-12-12) "
            "before a run could send them, and a reminder days before a date is not sent once "
            "that date has come; a schedule that runs every day sends each on its day. By "
            "reminder: soon (2)"
        ], back.out
        assert "late_days" not in back.out
        assert notes(fake, "<!-- automation:note reminder soon 2026-12-09 -->") == {}
        assert "soon" not in "".join(digests(fake, "2026-W50"))
        ok(run("2026-12-14"))
        _on(fake, "2026-12-15")
        assert "not sent" not in ok(run("2026-12-15")).out


def test_a_daily_schedule_reads_no_note_the_day_a_reminders_date_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reviewer: the day a reminder's date came, each issue's notes were read to see
    whether the reminder a run had sent on its day was sent (one request per issue)."""
    monkeypatch.chdir(tmp_path)
    setup(tmp_path, BEFORE_START)
    program = Path("config/programs/demo.yml")
    text = program.read_text(encoding="utf-8").replace("2026-12-01", "2026-12-12")
    program.write_text(text, encoding="utf-8")
    fake = new_fake(users=("ana", "ben", "cy"))
    with fake.activate():
        for day in ("2026-12-05", "2026-12-09", "2026-12-10", "2026-12-11"):
            _on(fake, day)
            ok(run(day))
            ok(run(day))
        assert notes(fake, "<!-- automation:note reminder soon 2026-12-09 -->") == {
            iid(fake, "ben"): 1,
            iid(fake, "cy"): 1,
        }
        _on(fake, "2026-12-12")
        fake.requests.clear()
        assert "not sent" not in ok(run("2026-12-12")).out
        assert not [r for r in fake.requests if r.method == "GET" and r.path.endswith("/notes")]
