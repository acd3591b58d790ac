"""The record of the last run that found nothing to do: written, read back, and what it covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import pytest

from automation import unchanged
from automation.items import ObservedIssue
from automation.syncrecord import SyncRecord, fingerprint, read_record, watch

ALL = frozenset({"create", "labels", "progress"})
RECORD = SyncRecord(
    dt.datetime(2026, 11, 30, 9, 59, 55, tzinfo=dt.UTC), dt.date(2026, 11, 30), 46, ALL, "a" * 32
)


def test_a_record_reads_back_as_written() -> None:
    assert read_record(RECORD.text()) == RECORD
    ids = {"executive-sponsorship", "csm-aspiring-leaders", "fy27_pilot", "sales.emea"}
    warned = replace(RECORD, warned=frozenset(ids))  # every character an id may have
    assert warned.text().endswith(
        " warned=csm-aspiring-leaders,executive-sponsorship,fy27_pilot,sales.emea"
    )
    assert read_record(warned.text()) == warned


def test_a_record_that_watches_issues_reads_back_as_written() -> None:
    watching = replace(
        RECORD, warned=frozenset({"esp"}), watched=((151, "0" * 16), (152, "f" * 16))
    )
    assert watching.text().endswith(f" warned=esp watched=151:{'0' * 16},152:{'f' * 16}")
    assert read_record(watching.text()) == watching


def test_a_record_that_says_where_ledgers_start_reads_back_as_written() -> None:
    ledgered = replace(RECORD, watched=((151, "0" * 16),), ledgers=(("csm_a.b-c", 7), ("esp", 12)))
    assert ledgered.text().endswith(f" watched=151:{'0' * 16} ledgers=csm_a.b-c:7,esp:12")
    assert read_record(ledgered.text()) == ledgered
    assert read_record(RECORD.text()).ledgers == ()  # type: ignore[union-attr]  # a record of before
    assert read_record(ledgered.text().replace("esp:12", "esp:")) is None  # damaged: none


def test_only_programs_with_a_ledger_and_no_standing_warning_have_their_bodies_deferred() -> None:
    record = replace(RECORD, warned=frozenset({"esp"}), ledgers=(("csm", 7), ("esp", 12)))
    assert unchanged.LookBack(record, ()).deferred() == {"csm"}  # esp warned: render it all
    assert unchanged.LookBack(RECORD, ()).deferred() == frozenset()  # no ledger: none


def test_an_issues_watch_digest_follows_what_a_plan_reads_not_its_time_or_order() -> None:
    issue = ObservedIssue(iid=3, title="t", description="d", labels=("b", "a"))
    moved = replace(issue, labels=("a", "b"), updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert watch(moved) == watch(issue)
    assert watch(replace(issue, labels=("a",))) != watch(issue)
    assert watch(replace(issue, state="closed")) != watch(issue)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "someone typed here",
        RECORD.text().replace("day=2026-11-30", "day=2026-13-30"),
        RECORD.text().replace("since=2026-11-30T09:59:55Z", "since=2026-11-30T09:59:55"),
        RECORD.text().replace("a" * 32, "a" * 31),
        RECORD.text() + " and more",
        RECORD.text() + " watched=151:0000",
    ],
)
def test_a_damaged_record_is_no_record(text: str | None) -> None:
    assert read_record(text) is None


def test_it_covers_the_same_inputs_day_and_fewer_steps_only() -> None:
    day = dt.date(2026, 11, 30)
    assert RECORD.covers("a" * 32, day, ALL)
    assert RECORD.covers("a" * 32, day, frozenset({"labels"}))
    assert not RECORD.covers("b" * 32, day, ALL)
    assert not RECORD.covers("a" * 32, day + dt.timedelta(days=1), ALL)
    labels_only = SyncRecord(RECORD.since, day, 46, frozenset({"labels"}), "a" * 32)
    assert not labels_only.covers("a" * 32, day, ALL)


def test_the_fingerprint_follows_file_names_bytes_and_options(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "people.yml").write_text("people: []\n", "utf-8")
    first = fingerprint([tmp_path / "config"], ["1.0"])
    assert fingerprint([tmp_path / "config"], ["1.0"]) == first
    assert fingerprint([tmp_path / "config"], ["1.1"]) != first
    (tmp_path / "config" / "people.yml").write_text("people: [] \n", "utf-8")
    changed = fingerprint([tmp_path / "config"], ["1.0"])
    assert changed != first
    (tmp_path / "config" / "people.yml").rename(tmp_path / "config" / "persons.yml")
    assert fingerprint([tmp_path / "config"], ["1.0"]) not in (first, changed)


def test_the_inputs_hold_the_installed_dependencies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's finding: a same-day upgrade of Jinja2 or markdown-it-py (a dependency bot's
    merge request) kept the record, and the day's runs skipped what it renders otherwise."""
    before = unchanged.inputs("0.1.0", tmp_path, tmp_path, ())
    assert any(part.startswith("jinja2=3.") for part in unchanged.runtime())
    real = metadata.version
    monkeypatch.setattr(unchanged, "runtime", unchanged.runtime.__wrapped__)
    monkeypatch.setattr(metadata, "version", lambda name: "9.9" if name == "jinja2" else real(name))
    assert unchanged.inputs("0.1.0", tmp_path, tmp_path, ()) != before


def test_the_inputs_hold_the_tools_own_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tester's finding: code upgraded under the same version number kept the old record,
    and the day's runs skipped what the new code does. The code is in the fingerprint; a
    cache Python writes beside it is not."""
    before = unchanged.inputs("0.1.0", tmp_path, tmp_path, ())
    monkeypatch.setattr(unchanged, "code_digest", lambda: "another")
    assert unchanged.inputs("0.1.0", tmp_path, tmp_path, ()) != before
    package = tmp_path / "package"
    (package / "__pycache__").mkdir(parents=True)
    (package / "run.py").write_text("print(1)\n", "utf-8")
    first = fingerprint((package,), ())
    (package / "__pycache__" / "run.cpython-311.pyc").write_bytes(b"compiled")
    assert fingerprint((package,), ()) == first
    (package / "run.py").write_text("print(2)\n", "utf-8")
    assert fingerprint((package,), ()) != first
