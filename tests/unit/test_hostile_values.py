"""Values from configuration are shown as typed: no Markdown or HTML in a name changes what an
issue looks like, how many tasks GitLab counts in it, or what it hides."""

from __future__ import annotations

import datetime as dt
import functools
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.blocks import Blocks, RollupRow, counted, record_specs
from automation.charts import charts_of
from automation.checklist import count_tasks, visible_lines
from automation.config.reminders import Reminder
from automation.desired import DesiredIssue, DesiredProgram
from automation.history import Week, week_of
from automation.lifecycle import samples
from automation.progress import measure, total
from automation.records import RecordSpec, read_records
from automation.reminders.samples import sample_notes
from automation.rendering import (
    Renderer,
    as_shown,
    escape_markdown,
    neutralise,
    neutralise_title,
)
from automation.run import prepare
from automation.tasks import Task
from tests.fakes.gitlab_fake import task_completion_status

REPO = Path(__file__).resolve().parents[2]
# The shipped programs on the default test day, the ESP on a fiscal year's first day (annual,
# quarterly and monthly issues all start), and the sponsorship program once its career
# advancement issue is due: together they render every shipped template.
DATES: tuple[tuple[dt.date, tuple[str, ...]], ...] = (
    (dt.date(2026, 11, 24), ()),
    (dt.date(2027, 2, 1), ("executive-sponsorship",)),
    (dt.date(2028, 8, 1), ("sales-sponsorship",)),
)
PERSON = "Sam Delacroix"  # a CSM Aspiring Leaders participant: in a heading and a rollup row

HOSTILE = [
    "<!--",
    "```",
    "`",
    "# x",
    "> x",
    "- x",
    "* x",
    "1. x",
    "[ ] x",
    "- [ ] x",
    "/close",
    "@all",
    "&lt;",
    "\u202e",
    "\u200b",
    "</details>",
    "<script>",
    "|",
]
# Strings that must not appear (unescaped) more often than with plain values.
RAW = ["<!--", "```", "`", "@all", "&lt;", "\u202e", "\u200b", "</details>", "<script>"]

Texts = dict[str, str]


# -- the escaping function, character class by character class --------------------------


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("R&D <team> > x", "R&amp;D &lt;team&gt; &gt; x"),
        ("&lt;", "&amp;lt;"),
        ("&12 &#60; &x", "&amp;12 &amp;#60; &amp;x"),  # an epic reference, entities
        ("Sales & Customer Success", "Sales & Customer Success"),  # shown as typed already
        ("<!-- hide", "&lt;!-- hide"),
        ("</details><script>", "&lt;/details&gt;&lt;script&gt;"),
        ("```", "\\`\\`\\`"),
        ("a `b` c", "a \\`b\\` c"),
        ("*b* _i_ ~~s~~", "\\*b\\* \\_i\\_ \\~\\~s\\~\\~"),
        ("[x](https://e.x) ![i](u)", "\\[x\\](https://e.x) !\\[i\\](u)"),
        ("a|b", "a\\|b"),
        ("back\\slash", "back\\\\slash"),
        ("$x$", "\\$x\\$"),
    ],
)
def test_inline_markdown_and_html_are_escaped(value: str, escaped: str) -> None:
    assert escape_markdown(value) == escaped


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("# x", "\\# x"),
        ("###### x", "\\###### x"),
        ("#", "\\#"),
        ("> x", "&gt; x"),
        ("- x", "\\- x"),
        ("-", "\\-"),
        ("---", "\\---"),
        ("+ x", "\\+ x"),
        ("* x", "\\* x"),
        ("===", "\\==="),
        ("1. x", "1\\. x"),
        ("12) x", "12\\) x"),
        ("[ ] x", "\\[ \\] x"),
        ("- [ ] x", "\\- \\[ \\] x"),
        ("[x] done", "\\[x\\] done"),
        ("  # x", "  \\# x"),
    ],
)
def test_a_value_cannot_start_a_block_or_a_task(value: str, escaped: str) -> None:
    assert escape_markdown(value) == escaped
    assert count_tasks(f"- [ ] {escaped}\n{escaped}\n").count == 1


@pytest.mark.parametrize("value", ["#123", "group/project#12", "-5", "10.5", "1.x", "C#", "a - b"])
def test_what_cannot_start_a_block_stays_as_it_is(value: str) -> None:
    assert escape_markdown(value) == value  # issue references stay links


@pytest.mark.parametrize(
    "char",
    [
        *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
        *"\u200b\u2060\ufeff",
    ],
)
def test_bidi_and_zero_width_characters_are_removed(char: str) -> None:
    assert neutralise(f"a{char}b") == "ab"
    assert neutralise_title(f"a{char}b") == "ab"
    # removed before the tool's own zero-width space goes after `@`: no hidden mention
    assert neutralise(f"@{char}all") == "@\u200ball"
    assert neutralise_title(f"@{char}all") == "@\u200ball"


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u062d\u0645\u062f\u06cc\u200c\u0646\u0698\u0627\u062f",
        "Dev \U0001f469\u200d\U0001f4bb",
    ],
)
def test_the_joiners_names_are_written_with_stay(name: str) -> None:
    """A tester's: a Persian name written with a zero-width non-joiner, or an emoji sequence,
    was misspelt in every title and description; a mention stays impossible all the same."""
    assert neutralise(name) == name and neutralise_title(name) == name
    assert neutralise("@\u200dall") == "@\u200b\u200dall"


def test_quick_actions_and_mentions_stay_inert() -> None:
    assert neutralise("/close") == "\\/close"
    assert neutralise("  /close") == "  \\/close"
    assert neutralise("@all") == "@\u200ball"
    assert neutralise("a\n/close") == "a /close"


def test_titles_stay_plain_text() -> None:
    assert neutralise_title("R&D <b> # x | `y`") == "R&D <b> # x | `y`"


@pytest.mark.parametrize("label", ["R&D score", "NPS_raw", "<b> x", "- x", "# x", "a|b", "@all"])
def test_a_label_written_escaped_is_read_back_as_typed(label: str) -> None:
    assert as_shown(neutralise(label)) == label
    assert read_records(f"- {neutralise(label)}: 7\n", [RecordSpec(label)])[label].value == 7


def test_trusted_values_pass_unchanged(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text(
        "{{ who | mention }}\n{{ managed_block('progress') }}\n", "utf-8"
    )
    text = Renderer(tmp_path, ["r_d"]).render("t.md.j2", {"who": "r_d"})
    assert text == "@r_d\n<!-- automation:begin progress -->\n<!-- automation:end progress -->\n"


# -- every shipped template, rendered with hostile values in every free-text field -------


def _hostile_config(config: Path, prefix: str) -> None:
    """Prefix every free-text value (names, locations, capstones, reasons, record labels)."""

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: v if k == "sections" else walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item, key) for item in node]
        if isinstance(node, str) and key in {"name", "location", "capstone", "reason", "label"}:
            return f"{prefix} {node}"
        return node

    for name, data in _shipped_data().items():
        (config / name).write_text(
            yaml.safe_dump(walk(data), allow_unicode=False, sort_keys=False), "utf-8"
        )


@functools.cache
def _shipped_data() -> dict[str, Any]:
    """The shipped people and program files, parsed once (`walk` builds new values)."""
    config = REPO / "config"
    paths = [config / "people.yml", *sorted((config / "programs").glob("*.yml"))]
    return {str(p.relative_to(config)): yaml.safe_load(p.read_text("utf-8")) for p in paths}


def _texts(root: Path, today: dt.date, only: tuple[str, ...]) -> tuple[Texts, Texts]:
    """Every description, block, note and title the shipped programs render today."""
    prepared = prepare(root / "config", REPO / "templates", today, only)  # values change
    blocks: Blocks = prepared.blocks
    texts: Texts = {"completion": blocks.completion(today)}
    titles: Texts = {}
    for desired in prepared.programs:
        program = desired.program
        rows: list[RollupRow] = []
        for number, issue in enumerate(desired.every_issue(), start=1):
            texts[issue.key] = issue.description
            titles[issue.key] = issue.title
            texts.update({f"{issue.key} {name}": text for name, text in issue.blocks})
            texts.update(
                {f"{issue.key} {name}": text for name, text in blocks.derived(issue.derived, {})}
            )
            if issue.completion_note:
                texts[f"{issue.key} note"] = issue.completion_note
            progress = measure(issue.description, program, issue.due_date, today, issue.sections)
            texts[f"{issue.key} progress"] = blocks.progress(progress)
            records = read_records(issue.description, record_specs(program))
            texts[f"{issue.key} records"] = f"{sum(r.present for r in records.values())} found"
            rows.append(
                RollupRow(f"#{number}", issue.subject, issue.group, progress, "opened", records)
            )
        texts[f"{program.id} rollup"] = blocks.rollup(program, rows)
        totals = total(counted(rows), program)
        weeks = (Week(week_of(today), totals.overall.completed_count, totals.overall.count),)
        texts[f"{program.id} charts"] = blocks.charts(charts_of(totals, weeks)) or ""
        texts.update(_reminder_notes(desired, blocks.renderer, today))
        lifecycle = samples(desired, rows, blocks, today, reason=program.name)
        texts.update({f"{program.id} {name}": text for name, text in lifecycle.items()})
        for epic in desired.epics:
            texts[epic.key] = epic.description
            titles[epic.key] = epic.title
    return texts, titles


def _reminder_notes(desired: DesiredProgram, renderer: Renderer, today: dt.date) -> Texts:
    """Reminder notes (the program's reminders, and one whose message is the program's name)
    for one issue of each kind that has dates and tasks, and the program's digest."""
    program = desired.program

    def named(item: DesiredIssue, tasks: tuple[Task, ...]) -> list[Reminder]:
        sample = {
            "id": "sample",
            "when": f"on {next(iter(item.dates))}",
            "section": tasks[0].section,
            "for": list(item.roles)[:2] or ["participant"],
            "message": program.name,
        }
        return [Reminder.model_validate(sample)]

    return sample_notes(desired, renderer, today, named, both=True)


def _render_all(root: Path) -> tuple[Texts, Texts]:
    texts: Texts = {}
    titles: Texts = {}
    for today, only in DATES:
        day_texts, day_titles = _texts(root, today, only)
        texts.update({f"{today} {k}": v for k, v in day_texts.items()})
        titles.update({f"{today} {k}": v for k, v in day_titles.items()})
    return texts, titles


def _project(root: Path, prefix: str | None) -> Path:
    shutil.copytree(REPO / "config", root / "config")
    if prefix is not None:
        _hostile_config(root / "config", prefix)
    return root


@dataclass(frozen=True)
class Plain:
    """Everything rendered with the shipped values, once for the module: the texts and titles,
    what each text is (which a hostile value must not change), and the templates used."""

    texts: Texts
    titles: Texts
    shape: dict[str, tuple[Any, ...]]
    raw: dict[tuple[str, str], int]
    used: frozenset[str]
    templates: Path


def _shape(text: str) -> tuple[Any, ...]:
    """Tasks as we count them, as GitLab counts them, hidden comment regions, and the kind of
    each line (headings, lists, tables ...)."""
    return count_tasks(text), task_completion_status(text), text.count("<!--"), _structure(text)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Plain:
    root = _project(tmp_path_factory.mktemp("plain"), None)
    used: set[str] = set()
    original: Callable[..., str] = Renderer.render

    def recording(self: Renderer, template: str, context: Any, kept: bool = False) -> str:
        used.add(template)
        return original(self, template, context, kept)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Renderer, "render", recording)
        texts, titles = _render_all(root)
    shape = {key: _shape(text) for key, text in texts.items()}
    raw = {(key, r): _raw_count(text, r) for key, text in texts.items() for r in RAW}
    return Plain(texts, titles, shape, raw, frozenset(used), REPO / "templates")


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_LIST = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_BREAK = re.compile(r"^ {0,3}(?:=+|-+|\*+|_+)[ \t]*$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _structure(text: str) -> list[tuple[Any, ...]]:
    """What each rendered line is: heading level, list item, quote, break, HTML, table cells."""
    return [
        (
            len(heading.group(1)) if (heading := _HEADING.match(line)) else 0,
            bool(_LIST.match(line)),
            line.lstrip(" ").startswith(">"),
            bool(_BREAK.match(line)),
            line.lstrip(" ").startswith("<"),
            len(_UNESCAPED_PIPE.findall(line)),
        )
        for line in visible_lines(text)
    ]


def _raw_count(text: str, raw: str) -> int:
    if raw.startswith("`"):
        return len(re.findall(r"(?<!\\)" + re.escape(raw), text))
    return text.count(raw)


def test_every_shipped_template_is_rendered(plain: Plain) -> None:
    included = {
        name
        for template in plain.used
        for name in re.findall(
            r"{%\s*include\s+\"([^\"]+)\"", (plain.templates / template).read_text("utf-8")
        )
    }
    shipped = {str(p.relative_to(REPO / "templates")) for p in (REPO / "templates").rglob("*.j2")}
    assert plain.used | included == shipped


@pytest.mark.parametrize("hostile", HOSTILE, ids=[ascii(h) for h in HOSTILE])
def test_hostile_values_change_no_structure(plain: Plain, tmp_path: Path, hostile: str) -> None:
    plain_titles = plain.titles
    texts, titles = _render_all(_project(tmp_path, hostile))
    assert texts.keys() == plain.texts.keys()
    for key, text in texts.items():
        if key.endswith(" records"):  # the labels a template wrote are read back
            assert text == plain.texts[key], key
        if text == plain.texts[key]:
            continue  # no value of this text changed: its shape and counts are the plain ones
        # tasks (ours, GitLab's), hidden comment regions, headings, lists, tables ...
        assert _shape(text) == plain.shape[key], key
        if hostile in RAW:  # not unescaped anywhere it was not already
            assert _raw_count(text, hostile) == plain.raw[key, hostile], key
    everything = "\n".join(texts.values())
    assert neutralise(f"{hostile} {PERSON}") in everything  # shown, escaped
    for key, title in titles.items():
        assert "\n" not in title
        assert not re.search("[\u202e\ufeff]|(?<!@)\u200b", title), key
        assert ("@all" in title) is ("@all" in plain_titles[key]), key
    assert any(f"{neutralise_title(hostile)} {PERSON}" in title for title in titles.values())
