"""Bad configuration: one line per problem naming file:line and the fix, exit 2, no writes."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from automation.cli import run
from automation.config.loader import load_config
from automation.config.source import parse_yaml
from automation.errors import ConfigError
from automation.kinds import registry
from automation.kinds.esp.model import Account
from automation.kinds.participants.model import ParticipantsProgram
from automation.rendering import _undefined
from tests.backends import StepClock
from tests.projects import PEOPLE, PROGRAM, make_project


def validate(root: Path, command: str = "validate") -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    code = run(
        [
            command,
            "--config",
            "config",
            "--templates",
            "templates",
            *(["--backend", "local"] if command != "validate" else []),
        ],
        {},
        out,
        err,
        StepClock(),
    )
    return code, err.getvalue().splitlines()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_minimal_project_is_valid(root: Path) -> None:
    make_project(root)
    assert validate(root) == (0, [])


CASES = [
    (
        {"config/people.yml": "people:\n  - username: ana\n    name: [Ana\n"},
        "config/people.yml:3: YAML syntax error: expected ',' or ']', but got '<stream end>'; "
        "fix the indentation or quoting there",
    ),
    (
        {
            "config/programs/demo.yml": PROGRAM.replace(
                "kind: participants\n", "kind: participants\nname: Again\n"
            )
        },
        "config/programs/demo.yml:4: duplicate key 'name' (first at line 2); keep one of them",
    ),
    (
        {"config/programs/demo.yml": PROGRAM.replace("title:", "titel:")},
        "config/programs/demo.yml:5: unknown key 'titel'; did you mean 'title'?",
    ),
    (
        {
            "config/programs/demo.yml": PROGRAM.replace("titel", "title").replace(
                'title: "Demo: {{ participant.name }}"\n', ""
            )
        },
        "config/programs/demo.yml:1: 'title' is required; add it",
    ),
    (
        {"config/people.yml": PEOPLE.replace("    name: Ben\n", "")},
        "config/people.yml:4: person 'ben' needs 'name'; add it",
    ),
    (
        {"config/programs/demo.yml": PROGRAM.replace("      - ben", "      - carol")},
        "config/programs/demo.yml:14: participant 'carol' is not in the roster; add them to "
        "people.yml or fix the username; if their username changed, write `{username: NEW, "
        "renamed_from: OLD}` here so their issues follow (README 'Renaming')",
    ),
    (
        {"config/people.yml": PEOPLE.replace("manager: ana", "manager: zed")},
        "config/people.yml:6: manager 'zed' of 'ben' is not in the roster; add them to "
        "people.yml or fix the username; if their username changed, write the new one here too",
    ),
    (
        {"config/people.yml": PEOPLE + "  - username: ana\n    name: Ana Again\n"},
        "config/people.yml:7: person 'ana' is listed twice (first at line 2); keep one entry",
    ),
    (
        {"config/programs/demo.yml": PROGRAM.replace("demo.md.j2", "missing.md.j2")},
        "config/programs/demo.yml:4: template 'missing.md.j2' not found in templates; "
        "create it or fix the name",
    ),
    (
        {
            "config/programs/demo.yml": PROGRAM.replace(
                "    name: Cohort 1\n", "    name: Cohort 1\n    start_date: 2026-13-01\n"
            )
        },
        "config/programs/demo.yml:13: 'start_date' of cohort 'c1': '2026-13-01' is not a date: "
        "there is no month 13; write dates as YYYY-MM-DD, e.g. 2026-03-31",
    ),
    (  # a fuzzing trial: read as seconds since 1970 (2026-11-02), unsaid
        {
            "config/programs/demo.yml": PROGRAM.replace(
                "    name: Cohort 1\n", "    name: Cohort 1\n    start_date: 1793577600\n"
            )
        },
        "config/programs/demo.yml:13: 'start_date' of cohort 'c1': '1793577600' is not a date; "
        "write it as YYYY-MM-DD, e.g. 2026-03-31",
    ),
    (  # a review: in quotes, the same
        {
            "config/programs/demo.yml": PROGRAM.replace(
                "    name: Cohort 1\n", "    name: Cohort 1\n    start_date: '1793577600'\n"
            )
        },
        "config/programs/demo.yml:13: 'start_date' of cohort 'c1': '1793577600' is not a date; "
        "write it as YYYY-MM-DD, e.g. 2026-03-31",
    ),
    (
        {
            "config/people.yml": PEOPLE.replace("username: ana", "username: all").replace(
                "manager: ana", "manager: all"
            )
        },
        "config/people.yml:2: 'username' of people entry 1: 'all' is a reserved GitLab "
        "mention, not a person; use the person's own GitLab username",
    ),
    (
        {"config/programs/demo.yml": PROGRAM.replace("kind: participants", "kind: pairs")},
        "config/programs/demo.yml:3: 'kind' should be 'participants', 'onboarding', "
        "'sponsorship' or 'esp' (got 'pairs'); fix the value",
    ),
    (
        {
            "config/programs/demo.yml": PROGRAM + "  - id: c1\n    name: Again\n    participants: "
            "[ana]\n"
        },
        "config/programs/demo.yml:15: cohort id 'c1' appears twice (first at line 11); keep one",
    ),
    (
        {"templates/demo.md.j2": "line one\n{% if participant %}\nunclosed\n"},
        "templates/demo.md.j2:2: template syntax error: the {% if %} on this line is never "
        "closed; add {% endif %} where its part ends",
    ),
    (  # a configuration trial: it read as a character Jinja did not expect
        {"templates/demo.md.j2": "## One\n\n- [ ] {{ participant.name | uper }}\n"},
        "templates/demo.md.j2:3: template error: there is no filter named 'uper'; did you "
        "mean 'upper'?",
    ),
    (
        {"templates/demo.md.j2": "## One\n\n{% if participant is defind %}x{% endif %}\n"},
        "templates/demo.md.j2:3: template error: there is no test named 'defind'; did you "
        "mean 'defined'?",
    ),
    (
        {"templates/demo.md.j2": "## One\n\n- [ ] {{ participant.nmae }}\n"},
        "templates/demo.md.j2:3: a person has no 'nmae' (it has: geo, grade, manager, name, "
        "onboarding_issue, start_date, timezone, title, username); check the variable name "
        "(see README.md for what templates get)",
    ),
    (
        {"templates/demo.md.j2": "## One\n- [ ] ask {{ 'all' | mention }}\n"},
        "templates/demo.md.j2:2: cannot mention 'all': only usernames listed in people.yml can "
        "be mentioned (never all, here or a group)",
    ),
    (
        {"config/programs/demo.yml": PROGRAM.replace("heading: One", "heading: Onne")},
        "config/programs/demo.yml:7: 'Onne' is not a heading in templates/demo.md.j2; make it "
        "match a `## ...` heading of the template exactly",
    ),
    (
        {
            "config/programs/demo.yml": PROGRAM.replace(
                "heading: One", "heading: One\n    label: 'One, two'"
            )
        },
        "config/programs/demo.yml:7: section 'One': phase label 'One, two' cannot contain ',' "
        "or '::' (GitLab would split it); set `label:` to a short name without them",
    ),
    (
        {"config/people.yml": PEOPLE + "  - username: Ana\n    name: Ana Again\n"},
        "config/people.yml:7: person 'Ana' is listed twice (first at line 2); keep one entry",
    ),
    (
        {"config/programs/demo.yml": PROGRAM.replace("id: demo", "id: Demo Program")},
        "config/programs/demo.yml:1: 'id': use lowercase a-z (no accents), digits, '-', '_' or "
        "'.', starting with a letter or digit (an id) (got 'Demo Program'); fix the value",
    ),
    (
        {"config/people.yml": "people:\n  ana: Ana\n"},
        "config/people.yml:1: 'people': should be a list (one '- item' per line); fix the value",
    ),
    (
        {"config/settings.yml": "gitlab:\n  group: g\n"},
        "config/settings.yml:1: 'gitlab.project' is required; add it",
    ),
    (  # a tester's: the person's issue took the cohort rollup's key, `demo/c1/tracking`
        {
            "config/people.yml": PEOPLE + "  - username: tracking\n    name: T\n",
            "config/programs/demo.yml": PROGRAM.replace("      - ben", "      - Tracking"),
        },
        "config/programs/demo.yml:14: participant 'Tracking': an issue of the tool's own has "
        "this word where this person's username would stand in their issue's key, so the "
        "program cannot hold an issue for them (a limit of the tool); leave them out of it",
    ),
    (  # `<program>/tracking/index` is the index of keys
        {
            "config/people.yml": PEOPLE + "  - username: index\n    name: I\n",
            "config/programs/demo.yml": PROGRAM.replace("id: c1", "id: tracking").replace(
                "      - ben", "      - index"
            ),
        },
        "config/programs/demo.yml:14: participant 'index': an issue of the tool's own has this "
        "word where this person's username would stand in their issue's key, so the program "
        "cannot hold an issue for them (a limit of the tool); leave them out of it",
    ),
    (  # a reviewer's: the cohort rollup `demo/c1/tracking` would be taken for Ben's former issue
        {
            "config/programs/demo.yml": PROGRAM.replace(
                "      - ben", "      - {username: ben, renamed_from: tracking}"
            )
        },
        "config/programs/demo.yml:14: renamed_from 'tracking': an issue of the tool's own has "
        "this word where this person's username would stand in their issue's key, so their "
        "former issue cannot be followed; remove `renamed_from:`",
    ),
    (  # a tester's: the dashboard made one page of two cohorts named alike, summed
        {
            "config/programs/demo.yml": PROGRAM
            + "  - id: c2\n    name: Cohort 1\n    participants:\n      - ana\n"
        },
        "config/programs/demo.yml:16: cohort name 'Cohort 1' appears twice (first at line 12); "
        "give each its own name: rollups and the dashboard tell groups apart by their names",
    ),
    (  # the skeleton teaches `%2F` for AUTOMATION_PACKAGES; python-gitlab would encode it again
        {"config/settings.yml": "gitlab:\n  group: g\n  project: g%2Fp\n"},
        "config/settings.yml:3: 'gitlab.project': write '/' as it is, not '%2F' (the tool "
        "encodes it), e.g. enablement/programs, or the numeric id in quotes",
    ),
    (
        {"config/settings.yml": "gitlab:\n  group: g/\n  project: g/p\n"},
        "config/settings.yml:2: 'gitlab.group': 'g/' is not a full path: write it without spaces "
        "or a leading or trailing '/', e.g. enablement/programs, or the numeric id in quotes",
    ),
    (
        {"config/settings.yml": "gitlab:\n  group: g\n  project: https://gitlab.com/g/p\n"},
        "config/settings.yml:3: 'gitlab.project': 'https://gitlab.com/g/p' is a web address; "
        "write the full path only, e.g. enablement/programs, or the numeric id in quotes",
    ),
    (  # a scale that starts at its end: every value would be unreadable
        {
            "config/programs/demo.yml": PROGRAM
            + "records:\n  - {label: Confidence, out_of: 5, min: 5}\n"
        },
        "config/programs/demo.yml:16: record 'Confidence': min (5) must be less than out_of (5); a "
        "value on the scale is read from min to out_of",
    ),
    (
        {"config/programs/demo.yml": PROGRAM + "records:\n  - {label: Count, min: .nan}\n"},
        "config/programs/demo.yml:16: 'min' of record 'Count': should be a finite number (got "
        "'.nan'); fix the value",
    ),
    (  # a review: Sentiment's lines read as Influence's too, both shown wrong
        {
            "config/programs/demo.yml": PROGRAM
            + "records:\n  - {label: Influence}\n  - {label: Sentiment, renamed_from: influence}\n"
        },
        "config/programs/demo.yml:17: 'influence' is the label of a record now; `renamed_from` "
        "names the label this record had before",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), CASES)
def test_bad_configuration_names_file_and_line(
    root: Path, overrides: dict[str, str], message: str
) -> None:
    make_project(root, overrides)
    code, lines = validate(root)
    assert code == 2
    assert message in lines
    assert lines[-1].endswith("nothing was written.")


def test_every_problem_is_reported_at_once(root: Path) -> None:
    people = PEOPLE.replace("manager: ana", "manager: zed") + "  - username: ana\n    name: A\n"
    program = PROGRAM.replace("      - ben", "      - carol")
    make_project(root, {"config/people.yml": people, "config/programs/demo.yml": program})
    code, lines = validate(root)
    assert code == 2
    assert [line.split(":")[0:2] for line in lines[:-1]] == [
        ["config/people.yml", "6"],
        ["config/people.yml", "7"],
        ["config/programs/demo.yml", "14"],
    ]


def test_schema_reference_and_template_problems_come_together(root: Path) -> None:
    program = PROGRAM.replace("      - ben", "      - carol").replace("demo.md.j2", "gone.md.j2")
    make_project(root, {"config/settings.yml": "gitlab: {}\n", "config/programs/demo.yml": program})
    code, lines = validate(root)
    assert code == 2
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [
        "config/programs/demo.yml:4",
        "config/programs/demo.yml:14",
        "config/settings.yml:1",
        "config/settings.yml:1",
    ]


def test_a_config_without_programs_is_an_error(root: Path) -> None:
    make_project(root)
    (root / "config" / "programs" / "demo.yml").unlink()
    code, lines = validate(root)
    assert code == 2
    assert lines[0] == (
        "config/programs:1: no program files (*.yml or *.yaml) found; add one "
        "(see README.md, Configuration)"
    )


def test_files_macos_and_editors_leave_beside_programs_and_templates_are_not_read(
    root: Path,
) -> None:
    """A tester's `._demo.yml` (macOS's copy of a file's metadata, not UTF-8) and `.#demo.yml`
    (an editor's lock, a link to nowhere) stopped every run; so did `._demo.md.j2`."""
    make_project(root)
    programs = root / "config" / "programs"
    (programs / "._demo.yml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X\xb0")
    (programs / ".#demo.yml").symlink_to("someone@host.1234:1700000000")
    (root / "templates" / "._demo.md.j2").write_bytes(b"\x00\x05\x16\x07\xb0")
    assert validate(root) == (0, [])


def test_a_program_file_in_capitals_is_read_and_one_saved_as_text_is_said(root: Path) -> None:
    """A tester's `ESP.YML` was silently no program, and so was Notepad's `esp.yml.txt`."""
    make_project(root)
    programs = root / "config" / "programs"
    (programs / "demo.yml").rename(programs / "DEMO.YML")
    assert validate(root) == (0, [])  # read: a folder without programs is an error
    (programs / "DEMO.YML").rename(programs / "demo.yml.txt")
    code, lines = validate(root)
    assert code == 2
    assert (
        lines[0] == "config/programs:1: no program files (*.yml or *.yaml) found; add one "
        "(see README.md, Configuration)"
    )
    assert lines[1] == (
        "config/programs/demo.yml.txt:1: a program file's name ends in .yml or .yaml; rename it "
        "to demo.yml"
    )


def test_a_file_saved_in_other_capitals_is_named(root: Path) -> None:
    """A tester's `People.yml` and `Demo.md.j2` worked on their laptop (a disk that ignores
    case) and were "not found" on Linux CI, with no word of why."""
    make_project(root)
    (root / "config" / "people.yml").rename(root / "config" / "People.yml")
    (root / "templates" / "demo.md.j2").rename(root / "templates" / "Demo.md.j2")
    code, lines = validate(root)
    assert code == 2
    assert (
        "config/people.yml:1: file not found (config/People.yml is there: names are told apart "
        "by case here; rename it); create it (see README.md)" in lines
    )
    assert any("templates/Demo.md.j2 is there: names are told apart by case" in x for x in lines)


def test_a_folder_or_pipe_where_a_file_belongs_is_named_as_such(root: Path) -> None:
    """An attacker's trial: a folder in people.yml's place was "not found (config/people.yml is
    there: names are told apart by case here; rename it)"."""
    make_project(root)
    (root / "config" / "people.yml").unlink()
    (root / "config" / "people.yml").mkdir()
    (root / "config" / "job-grades.yml").mkdir()
    os.mkfifo(root / "config" / "programs" / "pipe.yml")
    code, lines = validate(root)
    assert code == 2
    said = "1: not a file (a folder, or a pipe or device); put the YAML file itself here"
    for name in ("people.yml", "job-grades.yml", "programs/pipe.yml"):
        assert f"config/{name}:{said}" in lines, lines
    assert not [line for line in lines if "told apart by case" in line]


def test_grades_and_template_folders_in_other_capitals_are_named(root: Path) -> None:
    """A reviewer: `Job-Grades.yml` was silently no grades, and a template folder in other
    capitals was not named."""
    make_project(root, {"config/job-grades.yml": "families: []\n"})
    (root / "config" / "job-grades.yml").rename(root / "config" / "Job-Grades.yml")
    folder = root / "templates" / "demo"
    folder.mkdir()
    (root / "templates" / "demo.md.j2").rename(folder / "demo.md.j2")
    program = root / "config" / "programs" / "demo.yml"
    program.write_text(program.read_text("utf-8").replace("demo.md.j2", "DEMO/demo.md.j2"), "utf-8")
    code, lines = validate(root)
    assert code == 2
    assert "config/job-grades.yml:1: file not found (config/Job-Grades.yml is there" in lines[0]
    assert any("(templates/demo is there: names are told apart by case" in x for x in lines)


def test_a_text_copy_beside_its_program_file_is_no_program_and_no_error(root: Path) -> None:
    """A reviewer: `demo.yml.txt` kept beside `demo.yml` stopped every run, and its advice
    (rename it to demo.yml) would have overwritten the program."""
    make_project(root)
    programs = root / "config" / "programs"
    (programs / "demo.yml.txt").write_text((programs / "demo.yml").read_text("utf-8"), "utf-8")
    assert validate(root) == (0, [])


def test_bad_configuration_writes_nothing(root: Path) -> None:
    make_project(root, {"config/programs/demo.yml": PROGRAM.replace("- ben", "- carol")})
    code, _ = validate(root, "apply")
    assert code == 2
    assert not (root / ".automation").exists()


# a comment after the program with both kinds of quote in it, as the shipped one has: a quote
# left open on the cohort's name (line 12) is closed by the first of its kind here (line 15)
QUOTING_COMMENT = '# The group: "we hold calls, discussing everyone\'s progress"\n'
QUOTES = {"'": "single quote (')", '"': 'double quote (")'}


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_quote_left_open_in_a_program_is_said_where_it_opens_not_where_yaml_fails(
    root: Path, quote: str
) -> None:
    program = PROGRAM.replace("name: Cohort 1", f"name: {quote}Cohort 1") + QUOTING_COMMENT
    make_project(root, {"config/programs/demo.yml": program})
    code, lines = validate(root)
    assert code == 2
    assert lines[:-1] == [
        f"config/programs/demo.yml:12: YAML syntax error: the {QUOTES[quote]} opened on this "
        "line is not closed on it, so the value runs on to the next such quote, on line 15, "
        "where the file can no longer be read; close the quote on line 12 (if the value is "
        "meant to run on, fix line 15)"
    ]


@pytest.mark.parametrize("quote", ["'", '"'])
def test_a_quote_never_closed_in_people_is_said_where_it_opens_in_plain_words(
    root: Path, quote: str
) -> None:
    make_project(root, {"config/people.yml": PEOPLE.replace("name: Ben", f"name: {quote}Ben")})
    code, lines = validate(root)
    assert code == 2
    assert lines[:-1] == [
        f"config/people.yml:5: YAML syntax error: the {QUOTES[quote]} opened on this line is "
        "never closed (the value runs to the end of the file); close it on line 5"
    ]


def test_a_quoted_value_written_over_two_lines_still_loads(root: Path) -> None:
    program = PROGRAM.replace("name: Cohort 1", "name: 'Cohort\n      1'") + QUOTING_COMMENT
    make_project(root, {"config/programs/demo.yml": program})
    assert validate(root) == (0, [])
    program_file = load_config(root / "config").programs[0]
    assert program_file.data["cohorts"][0]["name"] == "Cohort 1"  # folded onto one line


def test_a_quoted_value_over_two_lines_is_not_blamed_for_a_problem_further_on(root: Path) -> None:
    people = PEOPLE.replace("name: Ana", "name: 'Ana\n      Lima'") + "    title: [Engineer\n"
    make_project(root, {"config/people.yml": people})
    code, lines = validate(root)
    assert code == 2
    assert lines[:-1] == [
        "config/people.yml:8: YAML syntax error: expected ',' or ']', but got '<stream end>'; "
        "fix the indentation or quoting there"
    ]


def test_a_tab_right_after_a_quoted_value_over_two_lines_is_still_said_as_a_tab() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_yaml("name: 'Ana\n  Lima'\n\tgeo: EMEA\n", "people.yml")
    assert [str(problem) for problem in raised.value.problems] == [
        "people.yml:3: a tab character: YAML indents with spaces only; use spaces"
    ]


def test_a_quote_closed_at_the_end_of_a_later_line_is_blamed_for_the_next_line() -> None:
    text = "people:\n  - username: ana\n    name: 'Ana\n# the students'\n bad: x\n"
    with pytest.raises(ConfigError) as raised:
        parse_yaml(text, "people.yml")
    assert [str(problem) for problem in raised.value.problems] == [
        "people.yml:3: YAML syntax error: the single quote (') opened on this line is not "
        "closed on it, so the value runs on to the next such quote, on line 4, and on line 5 "
        "the file can no longer be read; close the quote on line 3 (if the value is meant to "
        "run on, fix line 5)"
    ]


def test_a_quote_never_closed_before_a_new_document_names_both_lines() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_yaml('name: "Ana\ngeo: EMEA\n---\nname: Ben\n', "people.yml")
    assert [str(problem) for problem in raised.value.problems] == [
        'people.yml:1: YAML syntax error: the double quote (") opened on this line is never '
        "closed before line 3, a '---' or '...' line that ends the document; close it on line 1"
    ]


GRADES = """\
families:
  - name: Ecosystem Sales
    titles:
      - {title: Ecosystem Sales Manager, grade: 6}
      - {title: "Director, Ecosystem  Sales", grade: 10}
"""


def test_grade_comes_from_the_title_or_from_the_roster(root: Path) -> None:
    people = PEOPLE.replace(
        "    name: Ana\n", "    name: Ana\n    title: director, ecosystem sales\n"
    )
    people = people.replace("    name: Ben\n", "    name: Ben\n    title: Analyst\n    grade: 7\n")
    make_project(root, {"config/people.yml": people, "config/job-grades.yml": GRADES})
    config = load_config(Path("config")).config
    assert config.grade(config.person("ana")) == 10
    assert config.grade(config.person("ben")) == 7


def _participants(program: ParticipantsProgram, today: object) -> Iterable[str]:
    return (name for cohort in program.cohorts for name in cohort.usernames)


@pytest.fixture
def graded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo program's rules read its participants' grades (as sponsorship's read its
    sponsors' and sponsees'): a title not in job-grades.yml needs `grade:` for them."""
    kind = registry.kinds()[0]
    assert kind.name == "participants"
    reading = dataclasses.replace(kind, graded=_participants)
    monkeypatch.setitem(registry._KINDS, kind.name, reading)


def test_a_title_not_listed_needs_no_grade_where_no_rule_reads_one(root: Path) -> None:
    """A newcomer's trial: a new hire of a title not in job-grades.yml stopped every run,
    and onboarding reads no grade."""
    people = PEOPLE.replace("    name: Ben\n", "    name: Ben\n    title: Chief Vibes Officer\n")
    make_project(root, {"config/people.yml": people, "config/job-grades.yml": GRADES})
    assert validate(root) == (0, [])


@pytest.mark.usefixtures("graded")
def test_unknown_title_without_grade_lists_the_known_titles(root: Path) -> None:
    people = PEOPLE.replace("    name: Ben\n", "    name: Ben\n    title: Chief Vibes Officer\n")
    make_project(root, {"config/people.yml": people, "config/job-grades.yml": GRADES})
    code, lines = validate(root)
    assert code == 2
    assert lines[0] == (
        "config/people.yml:6: title 'Chief Vibes Officer' of 'ben' is not in job-grades.yml; "
        "use one of: Ecosystem Sales Manager; Director, Ecosystem Sales; or give `grade:` for "
        "this person"
    )


@pytest.mark.usefixtures("graded")
def test_a_long_list_of_titles_or_a_long_title_is_quoted_short(root: Path) -> None:
    """A message quotes a value at most 80 characters long, and lists at most 5 titles."""
    long = "Director of " + "Very " * 30 + "Important Things"
    titles = "".join(f"      - {{title: Title {n}, grade: {n + 1}}}\n" for n in range(8))
    grades = (
        f"families:\n  - name: Many\n    titles:\n{titles}      - {{title: {long}, grade: 9}}\n"
    )
    people = PEOPLE.replace("    name: Ben\n", "    name: Ben\n    title: Chief Vibes Officer\n")
    make_project(root, {"config/people.yml": people, "config/job-grades.yml": grades})
    code, lines = validate(root)
    assert code == 2
    assert "use one of: Title 0; Title 1; Title 2; Title 3; Title 4 (and 4 more in " in lines[0]
    typo = long.replace("Important", "Importent")
    make_project(
        root,
        {
            "config/people.yml": PEOPLE.replace(
                "    name: Ben\n", f"    name: Ben\n    title: {typo}\n"
            ),
            "config/job-grades.yml": grades,
        },
    )
    code, lines = validate(root)
    assert code == 2 and "did you mean 'Director of Very" in lines[0]
    quoted = lines[0].split("did you mean '", 1)[1].split("'?", 1)[0]
    assert len(quoted) <= 80 and quoted.endswith("…")


def test_a_grade_that_contradicts_the_title_is_an_error(root: Path) -> None:
    people = PEOPLE.replace(
        "    name: Ben\n", "    name: Ben\n    title: Ecosystem Sales Manager\n    grade: 9\n"
    )
    make_project(root, {"config/people.yml": people, "config/job-grades.yml": GRADES})
    code, lines = validate(root)
    assert code == 2
    assert lines[0] == (
        "config/people.yml:7: grade 9 of 'ben' differs from grade 6 of the title 'Ecosystem "
        "Sales Manager'; remove `grade:` or fix the title"
    )


def test_a_person_whose_entry_is_wrong_is_still_known_to_the_programs(root: Path) -> None:
    people = PEOPLE.replace("    name: Ben\n", "    name: Ben\n    start_date: 2026-02-30\n")
    program = PROGRAM.replace("      - ben\n", "      - ben\n      - carol\n")
    make_project(root, {"config/people.yml": people, "config/programs/demo.yml": program})
    code, lines = validate(root)
    assert code == 2
    assert lines == [
        "config/people.yml:6: 'start_date' of person 'ben': '2026-02-30' is not a date: "
        "February 2026 has 28 days; write dates as YYYY-MM-DD, e.g. 2026-03-31",
        "config/programs/demo.yml:15: participant 'carol' is not in the roster; add them to "
        "people.yml or fix the username; if their username changed, write `{username: NEW, "
        "renamed_from: OLD}` here so their issues follow (README 'Renaming')",
        # ben, whose entry is wrong, is not reported again
        "automation: 2 problems found; nothing was written.",
    ]


OTHER = PROGRAM.replace("id: demo", "id: other").replace("      - ben\n", "      - carol\n")


def test_a_program_with_problems_does_not_stop_another_one(root: Path) -> None:
    make_project(root, {"config/programs/other.yml": OTHER})
    out, err = io.StringIO(), io.StringIO()
    args = ["apply", "--backend", "local", "--program", "demo"]
    assert run(args, {}, out, err, StepClock()) == 0
    assert err.getvalue().splitlines() == [
        "warning: config/programs/other.yml:14: participant 'carol' is not in the roster; add "
        "them to people.yml or fix the username; if their username changed, write `{username: "
        "NEW, renamed_from: OLD}` here so their issues follow (README 'Renaming')",
        "note: 1 problem of programs not chosen with --program was set aside; fix it "
        "before running those programs",
    ]
    assert 'created issue "Demo: Ben" [demo/c1/ben]' in out.getvalue()
    refused = run(["apply", "--backend", "local", "--program", "other"], {}, out, io.StringIO())
    assert refused == 2


def test_a_shared_file_with_problems_stops_every_program(root: Path) -> None:
    people = PEOPLE.replace("manager: ana", "manager: zed")
    make_project(root, {"config/programs/other.yml": OTHER, "config/people.yml": people})
    code, lines = validate(root)
    assert code == 2
    assert lines[0].startswith("config/people.yml:6: manager 'zed' of 'ben' is not in the roster")
    out, err = io.StringIO(), io.StringIO()
    assert run(["validate", "--program", "demo"], {}, out, err, StepClock()) == 2
    assert "config/people.yml:6: manager 'zed'" in err.getvalue()


@pytest.mark.usefixtures("graded")
def test_a_misspelt_title_is_matched_to_the_known_one(root: Path) -> None:
    people = PEOPLE.replace("    name: Ben\n", "    name: Ben\n    title: Ecosystem Sales Manger\n")
    make_project(root, {"config/people.yml": people, "config/job-grades.yml": GRADES})
    code, lines = validate(root)
    assert code == 2
    assert lines[0] == (
        "config/people.yml:6: title 'Ecosystem Sales Manger' of 'ben' is not in job-grades.yml; "
        "did you mean 'Ecosystem Sales Manager'? Or give `grade:` for this person"
    )


@pytest.mark.parametrize("name", ["'Ben O'Brien'", '"Ben" Brien'])
def test_text_after_a_closing_quote_is_said_at_its_line_with_how_to_quote(
    root: Path, name: str
) -> None:
    """A reviewer's: an apostrophe inside single quotes (the most common quoting mistake)
    was said as bad indentation."""
    make_project(root, {"config/people.yml": PEOPLE.replace("name: Ben", f"name: {name}")})
    code, lines = validate(root)
    assert code == 2
    assert lines[:-1] == [
        "config/people.yml:5: YAML syntax error: text follows the closing quote of a value on "
        "this line (an apostrophe inside single quotes ends them); write an apostrophe inside "
        "single quotes as two ('O''Brien'), or put the whole value in double quotes"
    ]
    make_project(root, {"config/people.yml": PEOPLE.replace("name: Ben", "name: 'Ben' # ok")})
    assert validate(root)[0] == 0  # a comment after the quote is fine


@pytest.mark.parametrize(
    ("template", "warned"),
    [
        ("## One\n- [ ] task for {{ participant.name }}\n", True),  # its one section optional
        ("## One\n- [ ] Optional: a task\n## Main\n- [ ] counted, under no section\n", False),
    ],
)
def test_issues_with_no_task_that_counts_are_warned_about(
    root: Path, template: str, warned: bool
) -> None:
    """A tester's: with every section `required: false` (or every task optional), an issue
    with every box ticked stayed at 0/0, "not started", for good. A reviewer's: refusing such
    a program refused one whose checklist is under a heading not declared, which counts."""
    program = PROGRAM.replace("  - heading: One\n", "  - heading: One\n    required: false\n")
    make_project(root, {"config/programs/demo.yml": program, "templates/demo.md.j2": template})
    out = io.StringIO()
    code = run(
        ["validate", "--config", "config", "--templates", "templates"],
        {},
        out,
        io.StringIO(),
        StepClock(),
    )
    assert code == 0
    said = "demo: 'Demo: Ben' would have no task that counts towards its completion"
    assert (said in out.getvalue()) is warned, out.getvalue()


def test_a_heading_printed_from_configuration_with_a_number_sign_is_the_section(root: Path) -> None:
    """A reviewer's: a template printing its sections' headings (`## {{ s.heading }}`) wrote
    'Week #1' with the zero-width space of a value's `#1`, and validate refused the heading
    as not in the template."""
    program = PROGRAM.replace("  - heading: One\n", "  - heading: 'Week #1'\n")
    template = "{% for s in program.sections %}## {{ s.heading }}\n- [ ] a task\n{% endfor %}"
    make_project(root, {"config/programs/demo.yml": program, "templates/demo.md.j2": template})
    assert validate(root) == (0, [])


@pytest.mark.parametrize(
    ("cohort", "participant"),
    [("plan", "ben"), ("tracking", "ben"), ("c1", "index"), ("index", "plan")],
)
def test_ids_and_usernames_that_make_no_key_of_the_tools_are_valid(
    root: Path, cohort: str, participant: str
) -> None:
    """A reviewer's and an upgrade tester's: every cohort id and username spelling `epic`,
    `index`, `plan` or `tracking` was refused, though most make no key of the tool's: a
    cohort `tracking` run for months stopped every program after upgrading."""
    people = (
        PEOPLE + f"  - username: {participant}\n    name: P\n" if participant != "ben" else PEOPLE
    )
    program = PROGRAM.replace("id: c1", f"id: {cohort}").replace(
        "      - ben", f"      - {participant}"
    )
    make_project(root, {"config/people.yml": people, "config/programs/demo.yml": program})
    assert validate(root) == (0, [])


def test_a_missing_attribute_of_a_value_is_named_with_its_article() -> None:
    """An ESP trial read "a account has no 'nam'"."""
    assert Account.__name__ == "Account"  # imported: a model templates get
    said = _undefined("'automation.kinds.esp.model.Account object' has no attribute 'nam'")
    assert said.startswith("an account has no 'nam' (it has: "), said
    assert _undefined("'Person object' has no attribute 'nmae'").startswith("a person has no")
