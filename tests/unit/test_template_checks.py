"""Templates are checked like code: lines GitLab would act on, paths that leave templates/,
and renders that run away are each one `file:line` problem, before any work is done."""

from __future__ import annotations

import builtins
import inspect
import io
import shutil
import time
import tracemalloc
from pathlib import Path
from typing import Any

import jinja2.loaders
import pytest

from automation.cli import run
from automation.errors import ConfigError, Problem
from automation.rendering import MAX_RENDER_SECONDS, Renderer, mentions_everyone
from tests.backends import StepClock
from tests.projects import make_project

REPO = Path(__file__).resolve().parents[2]
SLOW = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"


def validate(root: Path) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    args = ["validate", "--config", str(root / "config"), "--templates", str(root / "templates")]
    code = run(args, {}, out, err, StepClock())
    return code, err.getvalue().splitlines()


def problems(tmp_path: Path, source: str) -> list[Problem]:
    (tmp_path / "t.md.j2").write_text(source, "utf-8")
    return Renderer(tmp_path, []).check("t.md.j2")


@pytest.mark.parametrize(
    ("source", "line", "says"),
    [
        ("Intro\n/close\n", 2, "starts with `/close`, which GitLab runs as a quick action"),
        ("Intro\n   /label ~done\n", 2, "starts with `/label`"),
        ("Intro\n{% if x %}/close{% endif %}\n", 2, "starts with `/close`"),
        ("{% if x %}\n/assign me\n{% endif %}\n", 2, "starts with `/assign`"),
        ("Ping @{{ who }} now\n", 1, "`@` right before `{{ ... }}` would make a value a mention"),
        ("A\n/{{ action }}\n", 2, "the line starts with `/{{ ... }}`"),
        ("A\n  /{{- action }}\n", 2, "the line starts with `/{{ ... }}`"),
    ],
)
def test_lines_gitlab_would_act_on_are_rejected(
    tmp_path: Path, source: str, line: int, says: str
) -> None:
    [problem] = problems(tmp_path, source)
    assert problem.file == str(tmp_path / "t.md.j2")
    assert problem.line == line
    assert says in problem.message
    assert "\n" not in str(problem)


@pytest.mark.parametrize(
    "source",
    [
        "a/b and /close in the middle\n",
        "Score: __/{{ out_of }}\n",
        "`/close` in code\n",
        "Mail @ {{ who }}\n",
        "{{ who }}/close\n",
        "{# /close in a comment #}\n",
    ],
)
def test_harmless_lines_pass(tmp_path: Path, source: str) -> None:
    assert problems(tmp_path, source) == []


def test_a_rejected_line_is_never_rendered(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text("Hello\n/close\n", "utf-8")
    with pytest.raises(ConfigError, match=r"t\.md\.j2:2: the line starts with `/close`"):
        Renderer(tmp_path, []).render("t.md.j2", {})


def test_validate_rejects_the_line_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = make_project(tmp_path, {"templates/demo.md.j2": "## One\n- [ ] task\n/close\n"})
    code, lines = validate(root)
    assert code == 2
    assert lines[0].startswith(f"{root / 'templates' / 'demo.md.j2'}:3: the line starts with")


def test_an_unused_template_is_checked_too(tmp_path: Path) -> None:
    root = make_project(tmp_path, {"templates/old/unused.md.j2": "x @{{ y }}\n"})
    code, lines = validate(root)
    assert code == 2
    assert lines[0].startswith(f"{root / 'templates' / 'old' / 'unused.md.j2'}:1: `@` right")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every file Jinja's loader opens."""
    names: list[str] = []

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        names.append(str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(jinja2.loaders, "open", spy, raising=False)
    return names


def test_a_link_out_of_templates_is_refused_and_never_read(
    tmp_path: Path, opened: list[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN=glpat-secret\n", "utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "leak.md.j2").symlink_to(secret)
    renderer = Renderer(templates, [])
    [problem] = renderer.check("leak.md.j2")
    assert problem.file == str(templates / "leak.md.j2")
    assert f"resolves to {secret}, outside {templates}; it was not read" in problem.message
    with pytest.raises(ConfigError, match="outside"):
        renderer.render("leak.md.j2", {})
    assert not renderer.exists("leak.md.j2")
    assert renderer.check_all() == [problem]
    assert "glpat" not in str(problem)
    assert not any("secret" in name for name in opened)


def test_proc_environ_through_a_link_is_refused(tmp_path: Path, opened: list[str]) -> None:
    (tmp_path / "env.md.j2").symlink_to("/proc/self/environ")
    [problem] = Renderer(tmp_path, []).check("env.md.j2")
    assert "outside" in problem.message
    assert "environ" not in "".join(opened)


def test_a_linked_folder_out_of_templates_is_refused(tmp_path: Path, opened: list[str]) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.md.j2").write_text("hello\n", "utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "sub").symlink_to(outside, target_is_directory=True)
    [problem] = Renderer(templates, []).check("sub/x.md.j2")
    assert "outside" in problem.message
    assert opened == []


@pytest.mark.parametrize("name", ["../outside.md.j2", "a/../../outside.md.j2", "/etc/passwd"])
def test_paths_out_of_templates_are_refused(tmp_path: Path, name: str) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (tmp_path / "outside.md.j2").write_text("hello\n", "utf-8")
    renderer = Renderer(templates, [])
    assert not renderer.exists(name)
    assert "points outside" in renderer.not_found(name)
    [problem] = renderer.check(name)
    assert f"template '{name}' points outside {templates}; it was not read" in problem.message


def test_a_program_naming_a_path_outside_gets_a_clear_problem(tmp_path: Path) -> None:
    (tmp_path / "outside.md.j2").write_text("## One\n- [ ] task\n", "utf-8")
    root = make_project(tmp_path / "p")
    program = root / "config" / "programs" / "demo.yml"
    program.write_text(
        program.read_text("utf-8").replace("demo.md.j2", "../../outside.md.j2"), "utf-8"
    )
    code, lines = validate(root)
    assert code == 2
    assert any("points outside" in line and "it was not read" in line for line in lines), lines


def test_a_runaway_loop_fails_fast_with_file_and_line(tmp_path: Path) -> None:
    # a renderer stops at its bound (0.2 s here, to keep the suite fast) ...
    (tmp_path / "slow.md.j2").write_text("Intro\n" + SLOW, "utf-8")
    started = time.process_time()
    with pytest.raises(ConfigError) as caught:
        Renderer(tmp_path, [], seconds=0.2).render("slow.md.j2", {})
    assert time.process_time() - started < 2
    assert str(caught.value).startswith(f"{tmp_path / 'slow.md.j2'}:2: template too slow")
    # ... and a renderer made without one has the default bound, under the 5 s said above
    assert inspect.signature(Renderer).parameters["seconds"].default == MAX_RENDER_SECONDS < 5


def test_loops_without_calls_are_bounded_too(tmp_path: Path) -> None:
    source = (
        "{% set r = range(100000) %}\n{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}\n"
    )
    (tmp_path / "slow.md.j2").write_text(source, "utf-8")
    started = time.process_time()
    with pytest.raises(ConfigError, match=r"slow\.md\.j2:2: template too slow"):
        Renderer(tmp_path, [], seconds=0.2).render("slow.md.j2", {})
    assert time.process_time() - started < 2


def test_a_busy_machine_is_not_a_slow_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loaded CI machine (load 12 on 2 cores) failed a run with `template too slow` on a
    shipped template: the bound counts the render's processor time, not the wall clock's."""
    clock = iter(range(0, 10**9, 100))  # every look at the wall clock: 100 s later
    monkeypatch.setattr(time, "monotonic", lambda: float(next(clock)))
    (tmp_path / "fine.md.j2").write_text("{% for i in range(50) %}{{ i }} {% endfor %}\n", "utf-8")
    assert Renderer(tmp_path, [], seconds=0.2).render("fine.md.j2", {}).startswith("0 1 2")


def test_a_runaway_title_fails_fast(tmp_path: Path) -> None:
    renderer = Renderer(tmp_path, [], seconds=0.2)
    origin = Problem("config/programs/x.yml", 7, "")
    with pytest.raises(ConfigError, match=r"^config/programs/x\.yml:7: title: template too slow"):
        renderer.render_title(SLOW.strip(), {}, origin)


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("A\n{% for i in range(100000) %}{{ 'x' * 50 }}\n{% endfor %}\n", 2),
        ("A\n{{ 'x' * 100000000 }}\n", 2),
        ("A\n{{ ['x'] * 100000000 }}\n", 2),
        ("A\n{{ 9 ** 99999999 }}\n", 2),
        ("A\n{{ '%099999999d' % 1 }}\n", 2),
        ("A\n{{ ('%1500000000s' | format('x')) | length }}\n", 2),  # a reviewer's: 6 GB
        ("A\n{{ '{:>1500000000}'.format('x') | length }}\n", 2),
        # a reviewer's: steps that multiply text they were given, each refused before it
        ("A\n{{ ('x' * 3000) | replace('x', 'y' * 1000000) | length }}\n", 2),
        ("A\n{{ ('x' * 3000).replace('x', 'y' * 1000000) | length }}\n", 2),
        ("A\n{{ (['y' * 1000000] * 1000) | join | length }}\n", 2),
        ("A\n{{ ('y' * 1000000).join(['a'] * 1000) | length }}\n", 2),
        ("A\n{{ ('\\n' * 100000) | indent(100000) | length }}\n", 2),
        ("A\n{{ ('x' * 1000000).translate({120: 'y' * 100000}) | length }}\n", 2),
        ("A\n{{ ('x' * 100000) | wordwrap(1, true, 'y' * 100000) | length }}\n", 2),
        # and text built up step by step, each step under the bound
        (
            "A\n{% set ns = namespace(s='x') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}\n",
            2,
        ),
        (
            "A\n{% set ns = namespace(s='x') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}\n",
            2,
        ),
        (
            "A\n{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
            "{% set _ = ns.l.append('%999999s' | format(i)) %}{% endfor %}{{ ns.l | length }}\n",
            2,
        ),
        (
            "A\n{% set ns = namespace(s='x') %}{% for i in range(40) %}"
            "{% set ns.s %}{{ ns.s }}{{ ns.s }}{% endset %}{% endfor %}{{ ns.s | length }}\n",
            2,
        ),
    ],
)
def test_huge_output_fails_fast_with_file_and_line(tmp_path: Path, source: str, line: int) -> None:
    (tmp_path / "big.md.j2").write_text(source, "utf-8")
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught:
        Renderer(tmp_path, []).render("big.md.j2", {})
    assert time.monotonic() - started < 2
    assert str(caught.value).startswith(f"{tmp_path / 'big.md.j2'}:{line}: template too large")


@pytest.mark.parametrize(
    "source",
    [
        "A\n{{ 'x'.center(100000000) }}\n",
        "A\n{% for i in range(100000000) %}{% endfor %}\n",
        "A\n{{ 'x' | center(100000000) | length }}\n",
        "A\n{{ 'x' | indent(100000000, true) | length }}\n",
        # a fuzzing trial: `slice(10**9)` made a billion lists, 3.4 GB and growing in 40 s
        "A\n{{ range(10) | slice(100000000) | list | length }}\n",
        "A\n{{ range(10) | batch(100000000, 'x') | list | length }}\n",
    ],
)
def test_a_huge_number_in_a_call_is_named_as_such(tmp_path: Path, source: str) -> None:
    """`range(100000000)` outputs nothing: the message names the number, not the size."""
    (tmp_path / "big.md.j2").write_text(source, "utf-8")
    with pytest.raises(ConfigError) as caught:
        Renderer(tmp_path, []).render("big.md.j2", {})
    assert str(caught.value).startswith(
        f"{tmp_path / 'big.md.j2'}:2: template calls something with 100,000,000, over the "
        "1,048,576 a template may use"
    )


def test_a_long_but_reasonable_render_passes(tmp_path: Path) -> None:
    (tmp_path / "ok.md.j2").write_text(
        "{% for i in range(3000) %}- [ ] task {{ i }}{{ loop.length }}\n{% endfor %}", "utf-8"
    )
    text = Renderer(tmp_path, []).render("ok.md.j2", {})
    assert text.count("- [ ] task") == 3000


def test_the_shipped_templates_pass() -> None:
    assert Renderer(REPO / "templates", []).check_all() == []


@pytest.mark.parametrize("block", ["progress", "rollup", "completion"])
def test_a_block_template_plan_would_refuse_fails_validate(tmp_path: Path, block: str) -> None:
    """A fuzzing trial: `{{ nosuch }}` in templates/blocks/progress.md.j2 passed `validate`
    (the merge request's check), and every `plan` and `apply` after the merge stopped at it."""
    root = make_project(tmp_path / "p")
    path = root / "templates" / "blocks" / f"{block}.md.j2"
    path.write_text("{{ nosuch }}\n" + path.read_text("utf-8"), "utf-8")
    code, lines = validate(root)
    assert code == 2, lines
    assert f"{path}:1: 'nosuch' is undefined" in "\n".join(lines), lines


def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped config/ and templates/ (every program, and their reminders)."""
    for folder in ("config", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


LATER = [
    "withdrawn",
    "withdrawn-note",
    "ended-note",
    "end-moved-note",
    "account-ended",
    "account-ended-note",
    "reminder-note",
]


@pytest.mark.parametrize("block", LATER)
def test_a_misspelt_name_in_a_later_events_template_fails_validate(
    tmp_path: Path, block: str
) -> None:
    """A trial: `{{ program.nmae }}` in templates/blocks/withdrawn-note.md.j2 passed
    `validate`, and the day a participant left every program's run stopped at it (exit 2,
    nothing written). The notes and blocks of later events (a withdrawal, an end, a reminder)
    are rendered by `validate` with the program's values."""
    root = shipped_copy(tmp_path)
    path = root / "templates" / "blocks" / f"{block}.md.j2"
    path.write_text(path.read_text("utf-8") + "{{ nosuch.name }}\n", "utf-8")
    code, lines = validate(root)
    assert code == 2, lines
    assert any(line.startswith(f"{path}:") and "'nosuch'" in line for line in lines), lines


@pytest.mark.parametrize(
    ("block", "line"),
    [
        ("withdrawn-note", "Left {{ left }} on {{ date }}; moved: {{ moved }}, {{ held }}."),
        ("withdrawn", "On {{ date }} ({{ back }})."),
        ("account-ended", "Why: {{ why }}."),
        ("reminder-note", "For {{ people[0] }}."),  # the program lead too (a review)
        ("end-moved-note", "The {{ was[:4] }} end."),  # a date as written: text (a review)
    ],
)
def test_what_a_later_events_template_gets_on_its_day_it_gets_in_validate(
    tmp_path: Path, block: str, line: str
) -> None:
    """`validate` gives the templates of later events every value the run gives them on the
    day: one a team's template uses without a guard is no mistake."""
    root = shipped_copy(tmp_path)
    path = root / "templates" / "blocks" / f"{block}.md.j2"
    path.write_text(f"{path.read_text('utf-8')}{line}\n", "utf-8")
    code, lines = validate(root)
    assert code == 0, lines


def test_a_block_templates_mistake_only_a_confidential_program_meets_names_nobody(
    tmp_path: Path,
) -> None:
    """A review: `validate`'s first run of each program printed a rollup template's mistake
    as the sponsorship pair's subject quoted it (`'Aiko Tanaka with Jordan Alvarez'`)."""
    root = shipped_copy(tmp_path)
    path = root / "templates" / "blocks" / "rollup.md.j2"
    line = '{% if program.kind == "sponsorship" and rows %}{{ {}[rows[0].subject].x }}{% endif %}'
    path.write_text(f"{path.read_text('utf-8')}{line}\n", "utf-8")
    code, lines = validate(root)
    assert code == 2, lines
    assert any(line.startswith(f"{path}:") and "[confidential]" in line for line in lines)
    assert " with " not in "\n".join(lines), lines


@pytest.mark.parametrize(
    ("block", "line"),
    [
        ("withdrawn-note", "{% if moved %}{{ movd }}{% endif %}"),
        ("withdrawn", "{% if held %}{{ hled }}{% endif %}"),
        ("withdrawn-note", "{% if replaced %}{{ replacd }}{% endif %}"),
        ("end-moved-note", "{{ rows | length }}"),  # the run gives this note no rows
        ("reminder-note", "{% if sent_late %}{{ sent_lat }}{% endif %}"),  # runs were missed
    ],
)
def test_a_mistake_in_any_case_of_a_later_events_template_fails_validate(
    tmp_path: Path, block: str, line: str
) -> None:
    """A review: only a withdrawal's plain case was rendered, so a misspelt name in the case
    of a person moved to another group passed `validate`, and the run stopped on the day."""
    root = shipped_copy(tmp_path)
    path = root / "templates" / "blocks" / f"{block}.md.j2"
    path.write_text(f"{path.read_text('utf-8')}{line}\n", "utf-8")
    code, lines = validate(root)
    assert code == 2, lines
    assert any(line.startswith(f"{path}:") for line in lines), lines


def test_a_mistake_in_the_digest_of_a_program_that_sends_one_fails_validate(
    tmp_path: Path,
) -> None:
    """A program whose reminders go in a weekly digest: `validate` renders the digest, and
    not the notes it no longer sends (their template may then go)."""
    root = shipped_copy(tmp_path)
    program = root / "config" / "programs" / "csm-aspiring-leaders.yml"
    text = program.read_text("utf-8")
    program.write_text(text.replace("reminders:\n", "reminders:\n  digest: true\n", 1), "utf-8")
    digest = root / "templates" / "blocks" / "reminder-digest.md.j2"
    digest.write_text(f"{digest.read_text('utf-8')}{{{{ nosuch.name }}}}\n", "utf-8")
    code, lines = validate(root)
    assert code == 2, lines
    assert any(line.startswith(f"{digest}:") and "'nosuch'" in line for line in lines), lines


def test_a_digest_template_a_team_never_got_is_not_asked_for(tmp_path: Path) -> None:
    """The weekly digest is rendered only for a program whose reminders go in one: a team's
    repository without it (made before digests) still validates."""
    root = shipped_copy(tmp_path)
    (root / "templates" / "blocks" / "reminder-digest.md.j2").unlink()
    code, lines = validate(root)
    assert code == 0, lines


def test_the_shipped_project_validates() -> None:
    code, lines = validate(REPO)
    assert (code, lines) == (0, [])


def test_only_an_all_gitlab_would_read_is_refused() -> None:
    """`@all` notifies every member where GitLab reads it: not in code, a code span, an HTML
    comment, a link, after a backslash, nor as part of a longer name or address."""
    source = (
        "Tip: never type `cc @all` here; mail team@all.example.com\n"
        "```\n@all in code\n```\n"
        "<!-- never write @all -->\n"
        "see gitlab.com/@all and \\@all\n"
        "@all-hands and @allison and @all_team\n"
        "Hello @all, welcome\n"
        "ping @ALL.\n"
        "Merci à tous é@all\n"  # Ruby's \w is ASCII: é does not shield it
        "Ping `@all for help\n"  # an unpaired backtick opens no code span
        "x ```@all`` and `@all``\n"  # runs of other lengths close nothing
        "Ping &#64;all and &#x40;ALL\n"  # a character reference GitLab shows as `@`
        "Ping &commat;all\n"
        '<span title="`">@all</span> <span title="`">x</span>\n'  # a tag binds first
        "shown as typed: &amp;#64;all, `&#64;all`\n"
    )
    found = [p.line for p in mentions_everyone(source, "t.md.j2")]
    assert found == [8, 9, 10, 11, 12, 13, 14, 15]


def test_lipsum_is_no_template_function(tmp_path: Path) -> None:
    """Jinja's page-filler made text without bound in one call (`lipsum(1000000)`: a minute)."""
    (tmp_path / "t.md.j2").write_text("A\n{{ lipsum(2) }}\n", "utf-8")
    with pytest.raises(ConfigError, match="'lipsum' is undefined"):
        Renderer(tmp_path, []).render("t.md.j2", {})


def _rendered(tmp_path: Path, source: str, context: dict[str, object], **bounds: int) -> str:
    (tmp_path / "t.md.j2").write_text(source, "utf-8")
    return Renderer(tmp_path, [], **bounds).render("t.md.j2", context)


def test_a_table_built_row_by_row_with_tilde_renders(tmp_path: Path) -> None:
    """A reviewer's finding: 900 rows built up with `~` (100 KB printed) were refused, every
    intermediate string counted towards the render's total."""
    source = (
        "{% set ns = namespace(table='') %}{% for p in people %}"
        "{% set ns.table = ns.table ~ '| ' ~ p ~ ' | in progress, 3 of 12 tasks |\\n' %}"
        "{% endfor %}{{ ns.table }}"
    )
    people = [f"Person number {n:04d} " + "x" * 60 for n in range(900)]
    assert len(_rendered(tmp_path, source, {"people": people})) > 90_000


@pytest.mark.parametrize(
    "source",
    [
        # a bounded filter applied to each item by map: each result counted
        "{{ range(1000) | map('string') | map('center', 900) | list | length }}",
        "{{ range(1000) | map('string') | map('indent', 900, true) | list | length }}",
        "{{ ('x' * 1000) | list | map('replace', 'x', 'y' * 900) | list | length }}",
        # bytes are text too
        "{{ (('x' * 900).encode() * 1000) | length }}",
        # a list of lists of long strings, counted before it is printed or made text
        "{{ ([['y' * 900]] * 1000) | length }}",
        "{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
        "{% set _ = ns.l.append(['y' * 900]) %}{% endfor %}{{ ns.l | string | length }}",
        "{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
        "{% set _ = ns.l.append(['y' * 900]) %}{% endfor %}{{ ('' ~ ns.l) | length }}",
        "{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
        "{% set _ = ns.l.append(['y' * 900]) %}{% endfor %}{{ ns.l | tojson | length }}",
        "{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
        "{% set _ = ns.l.append(['y' * 900]) %}{% endfor %}{{ ns.l }}",
        "{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
        "{% set _ = ns.l.append(['y' * 900]) %}{% endfor %}{{ '%s' % ns.l }}",
        # a reviewer's: one string made once, listed a thousand times, made text by a filter
        # that was not counted, a filter's argument, or a namespace printed
        *(
            "{% set big = 'y' * 900 %}{% set ns = namespace(l=[]) %}{% for i in range(1000) %}"
            "{% set _ = ns.l.append(big) %}{% endfor %}" + tail
            for tail in (
                "{{ ns.l | safe | length }}",
                "{% if ns.l | safe %}x{% endif %}",
                "{{ ns.l | mention }}",
                "{{ '%s' | format(ns.l) | length }}",
                "{{ ns | string | length }}",
                "{{ ns }}",
                "{{ '%(x)s' | format(x=ns.l) | length }}",
                "{{ '%s' | format(*[ns.l]) | length }}",
                "{{ '%(x)s' | format(**{'x': ns.l}) | length }}",
            )
        ),
    ],
)
def test_no_way_around_the_bounds_makes_far_more_text(tmp_path: Path, source: str) -> None:
    """A reviewer's bypasses, with an issue of 1,000 characters: each made 900,000 before
    (scaled to the real bound, a terabyte). Each is refused, and before the text is made."""
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match="too large"):
            _rendered(tmp_path, source, {}, max_chars=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 500_000, f"{peak:,} bytes before the refusal"


@pytest.mark.parametrize(
    ("source", "line", "said"),
    [  # a trial: Jinja named line 4, with no {{ on it
        ("A\nHi {{ name\n\n- [ ] **Manager:** do it\n", 2, "the {{ on this line is never closed"),
        ("{{ a\n}}\nHi {{ name\n\nx: y\n", 3, "the {{ on this line is never closed"),
        ("A\n{{ a b }}\n", 2, "expected token 'end of print statement'"),  # on its own line
    ],
)
def test_a_print_left_open_is_named_at_its_own_line(
    tmp_path: Path, source: str, line: int, said: str
) -> None:
    (tmp_path / "t.md.j2").write_text(source, "utf-8")
    problems = Renderer(tmp_path, []).check("t.md.j2")
    assert len(problems) == 1 and problems[0].line == line, [str(p) for p in problems]
    assert said in str(problems[0])


@pytest.mark.parametrize(
    ("source", "line", "tag"),
    [
        ("A\n{% if x %}\nB\n{% for i in y %}{{ i }}{% endfor %}\nC\n", 2, "if"),
        ("{% set t %}\n{% if x %}B{% endif %}\n{% set y = 1 %}\n", 1, "set"),
        ("{% for i in y %}\n{% if i %}\n{% endfor %}\n", 2, "if"),
        ("{% for i in y %}\n{% if i %}\n{% endfor %}\n{% endif %}\n", 2, "if"),  # crossed
    ],
)
def test_a_block_left_open_is_named_at_its_own_line(
    tmp_path: Path, source: str, line: int, tag: str
) -> None:
    """A tester's finding: a missing {% endif %} was reported at the file's last line."""
    (tmp_path / "t.md.j2").write_text(source, "utf-8")
    problems = Renderer(tmp_path, []).check("t.md.j2")
    assert [str(p) for p in problems] == [
        f"{tmp_path / 't.md.j2'}:{line}: template syntax error: the {{% {tag} %}} on this line "
        f"is never closed; add {{% end{tag} %}} where its part ends"
    ]


@pytest.mark.parametrize(
    "body",
    [
        "{% for r in rows %}\n| {{ r }} | {{ loop.index }} of {{ rows | length }} |\n"
        "{% endfor %}\n",
        "{% macro cell(r, everyone) %}{{ r }} ({{ everyone | length }}){% endmacro %}\n"
        "{% for r in rows %}\n| {{ cell(r, rows) }} |\n{% endfor %}\n",
        "{% for r in rows %}| {{ r | default(rows) }} |\n{% endfor %}",
        "{% for r in rows %}| {{ r | d(rows) | length }} |\n{% endfor %}",
        "{% for r in rows %}| {{ r }} | {{ (rows | default([])) | length }} |\n{% endfor %}",
        "{% for r in rows %}| {{ r }} | {{ (missing | default(rows)) | length }} |\n{% endfor %}",
        "{% for r in rows %}| {{ r }} | {{ (rows | list) | length }} |\n{% endfor %}",
    ],
)
def test_a_list_used_inside_a_loop_over_it_stays_linear(tmp_path: Path, body: str) -> None:
    """A reviewer's finding: each filter's input and each call's list argument was scanned
    on every use, so 4,000 rows ran past the 2-second bound (0.02 s before the bounds)."""
    rows = [f"Participant {i:05d} of the program" for i in range(4000)]
    assert _rendered(tmp_path, body, {"rows": rows}).count("\n") >= 4000


def _template_named(root: Path, name: str) -> None:
    program = root / "config" / "programs" / "demo.yml"
    program.write_text(
        program.read_text("utf-8").replace("template: demo.md.j2", f"template: {name!r}"), "utf-8"
    )


@pytest.mark.parametrize(
    ("make", "said"),
    [
        # a fuzzing trial's template linked to itself stopped validate with a traceback
        (lambda t: t.symlink_to(t.name), "a link that loops"),
        (lambda t: t.symlink_to("missing.md.j2"), "a link to a file that is not there"),
        (lambda t: t.mkdir(), "is a folder, not a file"),
    ],
)
def test_a_template_that_is_no_file_is_one_line_naming_it(
    tmp_path: Path, make: Any, said: str
) -> None:
    root = make_project(tmp_path / "p")
    template = root / "templates" / "demo.md.j2"
    template.unlink()
    make(template)
    code, lines = validate(root)
    assert code == 2, lines
    assert any("demo.md.j2" in line and said in line for line in lines), lines
    assert not any("told apart by case" in line for line in lines), lines


def test_an_empty_template_name_is_said_at_its_line(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p")
    _template_named(root, "")
    code, lines = validate(root)
    assert code == 2
    program = root / "config" / "programs" / "demo.yml"
    line = next(
        i for i, t in enumerate(program.read_text("utf-8").splitlines(), 1) if "template:" in t
    )
    assert f"{program}:{line}: the template's name is empty" in "\n".join(lines), lines
