"""Text from configuration can never run a quick action or notify anyone."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from automation.config.models import Config, Person, Settings
from automation.errors import ConfigError, Problem
from automation.rendering import FILTER_BLOCK, Renderer, inert, neutralise

QUICK_ACTION = re.compile(r"^\s*/[a-z_]+", re.MULTILINE)
MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_.\-]+")


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    (tmp_path / "issue.md.j2").write_text(
        "{{ name }}\nOwner: {{ owner | mention }}\n{{ note }}\n", "utf-8"
    )
    (tmp_path / "bad_mention.md.j2").write_text("Hi {{ who | mention }}\n", "utf-8")
    return Renderer(tmp_path, ["alice", "bob.smith"])


HOSTILE = [
    "Eve\n/close",
    "/label ~x",
    "  /assign @bob.smith",
    "x\r\n/unassign\u2028/reopen",
    "@all please look",
    "ping @here and @bob.smith",
    "a | b",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_config_values_cannot_start_a_quick_action_or_mention(
    renderer: Renderer, value: str
) -> None:
    text = renderer.render("issue.md.j2", {"name": value, "owner": "alice", "note": value})
    lines = text.split("\n")
    assert not QUICK_ACTION.search("\n".join(lines[:1] + lines[2:]))
    assert MENTION.findall(text) == ["@alice"]  # only the deliberate mention is live
    assert len(lines) == 4  # every value stayed on its own line


@pytest.mark.parametrize("expression", ["name | safe", "name | e", "name | escape"])
def test_jinja_safe_and_escape_do_not_bypass_neutralisation(
    renderer: Renderer, tmp_path: Path, expression: str
) -> None:
    (tmp_path / "bypass.md.j2").write_text(f"{{{{ {expression} }}}}\n", "utf-8")
    text = renderer.render("bypass.md.j2", {"name": "/close @all"})
    assert not text.startswith("/")
    assert not MENTION.findall(text)


MACROS = """\
{% macro task(text) -%}1. [ ] {{ text }}{%- endmacro %}
{% macro box() -%}1. [ ] {{ caller() }}{%- endmacro %}
"""


@pytest.mark.parametrize("value", HOSTILE)
def test_a_macros_task_is_a_task_and_the_values_in_it_stay_inert(
    renderer: Renderer, tmp_path: Path, value: str
) -> None:
    """A maintainer's macro wrote `1\\. \\[ \\] Take the course`: its text, the
    template's own, was escaped as a value is, and the task silently vanished. A macro's
    text is now shown as written; the values printed in it are made inert as anywhere."""
    (tmp_path / "macros.md.j2").write_text(MACROS, "utf-8")
    (tmp_path / "uses.md.j2").write_text(
        '{% import "macros.md.j2" as m %}## Module\n{{ m.task("Take the course") }}\n'
        "{{ m.task(name) }}\n{% call m.box() %}Read **the** guide{% endcall %}\n\n"
        '{{ m.task("a") ~ name }}\n',
        "utf-8",
    )
    lines = renderer.render("uses.md.j2", {"name": value}).split("\n")
    assert lines[1] == "1. [ ] Take the course"
    assert lines[3] == "1. [ ] Read **the** guide"  # a call block's text: the template's too
    assert not QUICK_ACTION.search("\n".join(lines)) and not MENTION.findall("\n".join(lines))
    assert lines[2].startswith("1. [ ] ") and len(lines) == 6  # the value: inert, one line


def test_titles_are_plain_text_without_markdown_escapes(renderer: Renderer) -> None:
    title = renderer.render_title("{{ a }}", {"a": "/x | y @all"}, origin=_origin())
    assert title == "/x | y @\u200ball"


def test_neutralised_text_stays_readable() -> None:
    assert neutralise("Eve\n/close") == "Eve /close"
    assert neutralise("/label ~x") == "\\/label \\~x"
    assert neutralise("@all") == "@\u200ball"
    assert neutralise(None) == ""
    assert neutralise(3) == "3"


# GitLab's reference patterns, as far as a value could write them (a tester's: a cohort named
# "FY27 pilot group #1" linked issue #1 from every issue and noted it "mentioned in" each)
REFERENCES = re.compile(r"[#!&]\d|%[\w\"]|(?<!\\)[~$][\w\"]")  # `\~` is Markdown's escape


@pytest.mark.parametrize(
    "value", ["FY27 pilot group #1", "see group/project#4 and !3", '%v1 %"Q3" &5 $7 ~x']
)
def test_a_value_refers_to_no_issue_merge_request_milestone_or_epic(
    renderer: Renderer, value: str
) -> None:
    shown = neutralise(value)
    title = renderer.render_title("{{ a }}", {"a": value}, origin=_origin())
    assert not REFERENCES.search(shown) and not REFERENCES.search(title), (shown, title)
    assert shown.replace("\u200b", "").replace("\\", "") == value  # shown as typed
    assert title.replace("\u200b", "") == value
    assert neutralise("R&D: C# 100% done!") == "R&amp;D: C# 100% done!"  # no reference there


@pytest.mark.parametrize(
    "address",
    [
        "https://acme.sharepoint.com/Shared%20Documents/Plan.pdf#page=2",
        "https://maps.example.com/place/data=!3m1!4b1",
        "https://gitlab.example.com/g/p/-/issues/3#note_12",
    ],
)
def test_a_web_address_is_left_whole(renderer: Renderer, address: str) -> None:
    """A reviewer's: the zero-width space of a value's `%20` or `#1` broke every address
    that held one (a learning path, a workshop's issue); GitLab reads no reference in an
    address."""
    shown = neutralise(f"see {address} now")
    assert "\u200b" not in shown.split("see ", 1)[1].split(" ", 1)[0], shown
    title = renderer.render_title("{{ a }}", {"a": f"see {address}"}, origin=_origin())
    assert "\u200b" not in title


@pytest.mark.parametrize("who", ["all", "here", "ALL", "carol", "group/subgroup"])
def test_mention_refuses_anything_but_a_roster_username(renderer: Renderer, who: str) -> None:
    with pytest.raises(ConfigError, match=r"only usernames listed in people\.yml"):
        renderer.render("bad_mention.md.j2", {"who": who})


def test_title_is_one_line_and_at_most_255_characters(renderer: Renderer) -> None:
    origin_title = renderer.render_title(
        "{{ a }}: {{ b }}", {"a": "Line\none", "b": "x" * 300}, origin=_origin()
    )
    assert "\n" not in origin_title
    assert len(origin_title) == 255
    assert origin_title.startswith("Line one: xxx")


def test_undefined_variable_in_a_title_is_a_config_error(renderer: Renderer) -> None:
    with pytest.raises(ConfigError, match=r"^config/programs/x.yml:5: title: 'nope' is undefined"):
        renderer.render_title("{{ nope }}", {}, origin=_origin())


def test_templates_cannot_leave_the_templates_folder(renderer: Renderer) -> None:
    assert not renderer.exists("../outside.md.j2")


def test_sandbox_blocks_unsafe_attribute_access(renderer: Renderer, tmp_path: Path) -> None:
    (tmp_path / "evil.md.j2").write_text("{{ ''.__class__.__mro__ }}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"evil\.md\.j2:1"):
        renderer.render("evil.md.j2", {})


def _origin() -> Problem:
    return Problem("config/programs/x.yml", 5, "")


PLAINISH = st.text(
    alphabet=st.sampled_from(list("a9 .)-+=#/_*@<>&[]|$\\`~\t\n\u200b\u00e9")), max_size=6
)


@settings(max_examples=1000, deadline=None)
@given(PLAINISH | st.integers() | st.dates())
@example("1.")
@example("12) x")
@example("- x")
@example("+ x")
@example("= x")
@example("# x")
@example("/x")
@example(" /x")
@example("a@b")
@example("a_b")
def test_what_neutralise_passes_unchanged_every_step_leaves_unchanged(value: object) -> None:
    """The shortcut for plain text, numbers and dates gives what every step would give."""
    assert neutralise(value) == inert(value)


@pytest.mark.parametrize("value", ["Acme Corp", "Q3 2026: 80% (12/15)", "2026-03-31", -4, "a-b"])
def test_plain_values_pass_unchanged(value: object) -> None:
    assert neutralise(value) == str(value)


def test_a_value_that_claims_another_class_is_checked_as_that_class(tmp_path: Path) -> None:
    """The sandbox asks `isinstance`, which believes a proxy's class; an answer remembered
    for one proxy must not be given to a proxy of a generator."""

    class Thing:
        gi_code = "harmless"

    def steps() -> Iterator[int]:
        yield 1

    thing, generator = Thing(), steps()
    (tmp_path / "t.md.j2").write_text("{{ p.gi_code }}\n", "utf-8")
    renderer = Renderer(tmp_path, [])
    assert renderer.render("t.md.j2", {"p": weakref.proxy(thing)}) == "harmless\n"
    with pytest.raises(ConfigError, match="not available to templates"):
        renderer.render("t.md.j2", {"p": weakref.proxy(generator)})


@pytest.mark.parametrize(
    "line",
    [
        "{{ person.parse_file(secret) }}",  # reads any file
        "{{ person.parse_raw(payload, proto='pickle', allow_pickle=True) }}",  # runs code
        "{{ person.model_construct(username='x') }}",
        "{{ person.model_dump_json() }}",
        "{{ person.copy }}",
    ],
)
def test_a_template_reaches_no_method_pydantic_gives_a_config_model(
    tmp_path: Path, line: str
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "glpat-from-a-file"}', "utf-8")
    proof = tmp_path / "pwned"
    payload = f"cos\nsystem\n(S'touch {proof}'\ntR.".encode()
    (tmp_path / "t.md.j2").write_text(f"{line}\n", "utf-8")
    person = Person(username="ana", name="Ana Lima")
    values = {"person": person, "secret": str(secret), "payload": payload}
    with pytest.raises(ConfigError) as error:
        Renderer(tmp_path, []).render("t.md.j2", values)
    assert "not available to templates" in str(error.value)
    assert "glpat" not in str(error.value) and not proof.exists()


def test_a_template_still_reads_a_model_s_fields_and_the_tool_s_own_methods(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.md.j2").write_text(
        "{{ person.name }}: {{ config.person('ana').name }}\n", "utf-8"
    )
    person = Person(username="ana", name="Ana Lima")
    settings = Settings.model_validate({"gitlab": {"group": "g", "project": "g/p"}})
    config = Config(settings=settings, people=(person,), programs=())
    assert Renderer(tmp_path, []).render("t.md.j2", {"person": person, "config": config}) == (
        "Ana Lima: Ana Lima\n"
    )


def test_a_filter_that_moves_a_value_to_the_start_of_a_line_runs_no_quick_action(
    tmp_path: Path,
) -> None:
    (tmp_path / "t.md.j2").write_text(
        '{{ ("You are in the " ~ name ~ " and welcome.") | wordwrap(40) }}\n', "utf-8"
    )
    text = Renderer(tmp_path, []).render("t.md.j2", {"name": "Pilot group of the year /close"})
    assert "\n/close" not in text and text.count("\n") == 1  # what a filter makes: one line


def test_a_character_reference_before_a_value_is_refused_like_an_at(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text("Ping &#64;{{ cohort }} now\n", "utf-8")
    problems = Renderer(tmp_path, []).check("t.md.j2")
    assert problems and "would make a value a mention" in problems[0].message


def test_a_filter_cannot_turn_a_value_into_a_mention_by_reference(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text('{{ ("Room " ~ name) | striptags }}\n', "utf-8")
    text = Renderer(tmp_path, []).render("t.md.j2", {"name": "Room &#64;all"})
    assert "&#64;all" not in text.replace("&amp;#64;all", "")


@pytest.mark.parametrize("block", ["striptags", 'replace("\\\\", "")', "wordwrap(40)", "upper"])
def test_a_filter_block_is_refused_at_its_line(tmp_path: Path, block: str) -> None:
    """A reviewer's: a filter block's text skipped the escaping of the values in it, so
    `striptags` gave back the `<` of a value's `<!--` (the rest of the issue hidden) and
    `replace` took the escapes off its Markdown. A filter block is refused; the filter
    applied to the value is escaped after it."""
    (tmp_path / "t.md.j2").write_text(
        f"Intro\nName: {{% filter {block} %}}{{{{ v }}}}{{% endfilter %}}\n## Tasks\n", "utf-8"
    )
    renderer = Renderer(tmp_path, [])
    (problem,) = renderer.check("t.md.j2")
    assert (problem.line, problem.message) == (2, FILTER_BLOCK)
    (tmp_path / "v.md.j2").write_text(f"Name: {{{{ v | {block} }}}}\n## Tasks\n", "utf-8")
    text = renderer.render("v.md.j2", {"v": "[click](https://x.example) **x** <!-- hide"})
    assert "<!--" not in text and "](https" not in text.replace("\\](https", "")


def test_mentioning_an_empty_value_says_so_and_how_to_guard_it(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text("Your manager: {{ manager | mention }}\n", "utf-8")
    with pytest.raises(ConfigError) as error:
        Renderer(tmp_path, ["ana"]).render("t.md.j2", {"manager": None})
    said = str(error.value)
    assert "t.md.j2:1:" in said and "cannot mention nobody" in said and "{% if" in said
    assert "'None'" not in said


@pytest.mark.parametrize(
    "line",
    [
        '{{ owner | mention + " (" + note + ")" }}',
        '{{ owner | mention ~ " (" ~ note ~ ")" }}',
        '{{ (owner | mention).join([" ", note]) }}',
        '{{ "%s %s" | format(owner | mention, note) }}',
        "{{ (owner | mention).replace('alice', note) }}",
    ],
)
def test_a_value_joined_to_a_mention_is_as_inert_as_any(tmp_path: Path, line: str) -> None:
    """Text joined to a vouched-for mention is not vouched for: a value holding `@bob.smith`
    or `/close` mentions and runs nothing, however a template joins it."""
    (tmp_path / "t.md.j2").write_text(line + "\n", "utf-8")
    text = Renderer(tmp_path, ["alice", "bob.smith"]).render(
        "t.md.j2", {"owner": "alice", "note": "@bob.smith\n/close"}
    )
    assert "@bob.smith" not in text and not QUICK_ACTION.search(text), text


def test_a_title_that_spells_a_mention_mentions_nobody(tmp_path: Path) -> None:
    """Not even a roster user (an attacker's trial: `cc @alex.morgan` in a program file's
    `title:` notified him from every new issue), nor by the `mention` filter."""
    origin = Problem("config/programs/x.yml", 4, "")
    renderer = Renderer(tmp_path, ["alice"])
    source = "Hi @{% if true %}all{% endif %}, @alice and {{ 'alice' | mention }}"
    title = renderer.render_title(source, {}, origin)
    assert title == "Hi @\u200ball, @\u200balice and @\u200balice", title


def test_a_titles_own_text_refers_to_nothing(tmp_path: Path) -> None:
    """GitLab links `#1` in a title and notes on issue 1 that this one mentioned it."""
    origin = Problem("config/programs/x.yml", 4, "")
    title = Renderer(tmp_path, []).render_title(
        'See #1 !2 &3 %"Q3" ~bug $7: {{ n }}', {"n": "#4"}, origin
    )
    assert not re.search(r"[#!&%~$][\w\"]", title), title
    assert title.replace("\u200b", "") == 'See #1 !2 &3 %"Q3" ~bug $7: #4'
