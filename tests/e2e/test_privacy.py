"""Confidential programs in every output: each kind of message about a pair, triggered for
real, names nobody in it (plan text, JSON, run report, failures, warnings, validate)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import pytest

from automation.errors import ConfigError
from automation.privacy import HIDDEN, Privacy, printable
from automation.run import prepare
from tests.backends import PROJECT, GitLabBackend, GitLabTime, cli, new_fake, roster_of
from tests.conftest import keep_programs
from tests.fakes.gitlab_fake import FakeGitLab
from tests.local_cli import TODAY, edit, issues, path_of, run

PROGRAM = Path("config/programs/sales-sponsorship.yml")
PEOPLE = (
    "jordan.alvarez",
    "aiko.tanaka",
    "hannah.berg",
    "lena.fischer",
    "dana.whitfield",
    "sam.delacroix",
    "victor.nakamura",
    "kenji.watanabe",
)
NAMES = tuple(part.capitalize() for who in PEOPLE for part in who.split("."))


@pytest.fixture
def sponsorship(shipped: Path) -> Path:
    return keep_programs(shipped, "sales-sponsorship")


def assert_names_nobody(text: str) -> None:
    named = [who for who in (*PEOPLE, *NAMES) if re.search(rf"\b{re.escape(who)}\b", text, re.I)]
    assert not named, f"{named} in:\n{text}"


def every_output(root: Path, command: str) -> str:
    """Text, JSON and the run report of one command, together."""
    report = root / "report.json"
    text = cli([command, "--backend", "local", "--today", TODAY, "--report", str(report)], {})
    outputs = [text.out, text.err, report.read_text("utf-8")]
    if command == "plan":
        as_json = cli(["plan", "--backend", "local", "--today", TODAY, "--json"], {})
        outputs.append(as_json.out)
    return "\n".join(outputs)


def test_every_kind_of_message_about_a_pair_names_nobody(sponsorship: Path) -> None:
    # a should-rule warning (timezones far apart), on every command
    edit(sponsorship / "config/people.yml", "timezone: America/Los_Angeles", "timezone: Asia/Tokyo")
    first = every_output(sponsorship, "apply")
    assert "pair 3 of cohort fy28-h1: the sponsor's and sponsee's timezones are" in first
    assert "Tokyo" not in first and "Los_Angeles" not in first  # a timezone can tell who
    # a duplicate pair issue (a failure), and a pair the configuration no longer defines
    # (withdrawn: labelled, closed, a note naming the sponsee's reason, a block)
    found = issues(sponsorship)
    lena = found["sales-sponsorship/fy28-h1/lena.fischer"]
    folder = sponsorship / ".automation" / "issues"
    copy = (folder / f"{lena.iid}.md").read_text("utf-8").replace(f"iid: {lena.iid}", "iid: 99")
    (folder / "99.md").write_text(copy, "utf-8")
    edit(
        sponsorship / PROGRAM, "        - {sponsor: victor.nakamura, sponsee: kenji.watanabe}\n", ""
    )
    with (sponsorship / PROGRAM).open("a", encoding="utf-8") as program:
        program.write("leaving:\n  reasons:\n    kenji.watanabe: Kenji Watanabe changed roles\n")
    outputs = [first, every_output(sponsorship, "plan"), every_output(sponsorship, "apply")]
    validate = run("validate")
    outputs.append(validate.out + validate.err)
    joined = "\n".join(outputs)
    assert f"issue #99's first line names the item the tool's record gives to #{lena.iid}" in joined
    assert "close issue: #" in joined and "add note: #" in joined
    assert_names_nobody(joined)


def test_a_misspelt_reason_of_a_pair_is_warned_of_naming_nobody(sponsorship: Path) -> None:
    """Kenji's pair is removed while his reason is under a misspelt name: the warnings (in
    validate, plan and apply) and the wait for his issues give the reason's line and the
    issues' numbers, never the name as typed (which no list of names would hide)."""
    assert run("apply").code == 0
    edit(
        sponsorship / PROGRAM, "        - {sponsor: victor.nakamura, sponsee: kenji.watanabe}\n", ""
    )
    with (sponsorship / PROGRAM).open("a", encoding="utf-8") as program:
        program.write("leaving:\n  reasons:\n    kenji.watanabee: Changed roles\n")
    line = next(
        n
        for n, text in enumerate((sponsorship / PROGRAM).read_text("utf-8").splitlines(), 1)
        if "kenji.watanabee" in text
    )
    validate = run("validate")
    assert (
        f"warning: {PROGRAM}:{line}: `leaving.reasons` gives a reason for a name, which is not "
        "in people.yml or this program's file, much like one there (the names are not said "
        "here: the program is confidential); check the spelling"
    ) in validate.out, validate.out
    joined = "\n".join([validate.out, every_output(sponsorship, "plan")])
    applied = every_output(sponsorship, "apply")
    assert "is not withdrawn yet: `leaving.reasons` has no reason under the name it is" in applied
    assert f"but {PROGRAM}:{line} gives one for a name much like it that no one has" in applied
    kenji = issues(sponsorship)["sales-sponsorship/fy28-h1/kenji.watanabe"]
    assert kenji.state == "opened" and "status::withdrawn" not in kenji.labels
    assert_names_nobody(joined + applied)
    assert "watanabee" not in (joined + applied).lower()


def test_the_json_failure_names_the_item_by_reference(sponsorship: Path) -> None:
    assert run("apply").code == 0
    lena = issues(sponsorship)["sales-sponsorship/fy28-h1/lena.fischer"]
    begin = "<!-- automation:begin progress -->"  # a person pasted its marker twice
    edit(path_of(sponsorship, lena.key or ""), begin, f"{begin}\n{begin}")
    document = json.loads(cli(["plan", "--backend", "local", "--today", TODAY, "--json"], {}).out)
    [failure] = document["failures"]
    assert failure["key"] == f"sales-sponsorship #{lena.iid} (confidential)"
    assert failure["message"].startswith(f"issue #{lena.iid}: the managed block 'progress'")
    assert_names_nobody(json.dumps(document))


def test_a_name_is_hidden_as_a_whole_word_only() -> None:
    privacy = Privacy(frozenset({"p"}), frozenset({"ana.b", "Ana B"}))
    said = privacy.about("p", "FAILED [p/c/ana.b]: ana.b left")
    assert said == "FAILED [p (confidential)]: [confidential] left"
    assert privacy.about("p", "banana.bread and ana.bx") == "banana.bread and ana.bx"
    assert privacy.about(None, "ANA B joined.") == "[confidential] joined."
    assert privacy.reference("p/c/ana.b", 7) == "p #7 (confidential)"
    assert privacy.reference("q/other", None) == "q/other"


def test_other_programs_still_name_a_person_but_never_a_confidential_key() -> None:
    privacy = Privacy(frozenset({"p"}), frozenset({"ana.b"}))
    assert privacy.about("onboarding", "no workshop for ana.b") == "no workshop for ana.b"
    assert privacy.text("see p/c/ana.b") == "see p (confidential)"


def test_an_onboarding_warning_about_a_sponsee_names_them(shipped: Path) -> None:
    result = run("plan")  # kenji.watanabe is a sponsee, and a new hire with no workshop
    assert "no SQS workshop for Kenji Watanabe (kenji.watanabe)" in result.out


def test_terminal_escapes_never_reach_the_terminal() -> None:
    hostile = "Eve\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b\x00!\tok"
    assert printable(hostile) == "Evered!\tok"
    # bidirectional overrides and isolates, line separators: a CI log line reordered or split
    tricks = "Kenji \u202eevil\u202c \u2066x\u2069 \u2028 \u2029z"
    assert printable(tricks) == "Kenji evil x  z"


def test_a_person_renamed_is_not_named_by_the_old_wording_their_issues_keep(
    sponsorship: Path,
) -> None:
    """Lena's name changes: her pair issue's tasks keep the old wording, which the warning
    about it must not quote (the redaction knows her new name only)."""
    assert run("apply").code == 0
    edit(sponsorship / "config/people.yml", "name: Lena Fischer", "name: Lena Berg-Fischer")
    joined = every_output(sponsorship, "plan") + every_output(sponsorship, "apply")
    assert "differently (the template changed, or a name or value it shows did)" in joined
    assert "keeps its wording, which still counts, and gets no new one" in joined
    assert_names_nobody(joined)


@pytest.mark.parametrize(
    ("where", "old", "new"),
    [
        (PROGRAM, "{{ sponsee.name }} with", "{{ sponsee.name | mention }} with"),
        (Path("templates/sales-sponsorship/pair.md.j2"), "", "{{ {}[sponsee.name] }}\n"),
        (Path("templates/sales-sponsorship/pair.md.j2"), "", "{% include sponsee.username %}\n"),
        (
            Path("templates/sales-sponsorship/pair.md.j2"),
            "",
            "{% include 'n/' ~ sponsee.username %}\n",
        ),
        (Path("templates/sales-sponsorship/pair.md.j2"), "", "{{ {}[sponsee.name.split()[0]] }}\n"),
        (
            Path("templates/sales-sponsorship/pair.md.j2"),
            "",
            "{{ {}[sponsee.name | lower | replace(' ', '-')] }}\n",
        ),
        (  # a word, as a template's attribute would be, but not spelt in the template
            Path("templates/sales-sponsorship/pair.md.j2"),
            "",
            "{{ dates.phases[sponsee.username | replace('.', '_')] }}\n",
        ),
        # an attacker's trial: syntax errors quote the token they failed on, a name
        (Path("templates/sales-sponsorship/pair.md.j2"), "", "{{ sponsee.name Lena }}\n"),
        (Path("templates/sales-sponsorship/pair.md.j2"), "", "{{ sponsee.name | lena }}\n"),
        (PROGRAM, "sponsee: lena.fischer}", "sponsee: *lena}"),  # YAML: an undefined alias
        (PROGRAM, "sponsee: lena.fischer}", "sponsee: !lena.fischer x}"),  # YAML: a tag
    ],
)
def test_a_template_or_title_mistake_in_a_confidential_program_names_nobody(
    sponsorship: Path, where: Path, old: str, new: str
) -> None:
    """The value a pair's title or template failed on is a person's name or username."""
    path = sponsorship / where
    text = path.read_text("utf-8")
    path.write_text(text.replace(old, new, 1) if old else new + text, "utf-8")
    for command in ("validate", "plan", "apply"):
        result = run(command)
        assert result.code == 2, result.out + result.err
        assert f"{where}:" in result.err and "[confidential]" in result.err, result.err
        assert_names_nobody(result.out + result.err)
    assert not (sponsorship / ".automation").exists()


def test_a_body_rendered_when_read_fails_naming_nobody(sponsorship: Path) -> None:
    """A program read from its ledger renders its issues when read (automation/later.py):
    a template first read then, edited since the run began, fails past the check that hides
    names from the run's other problems, and must hide them as well."""
    days = dt.date.fromisoformat(TODAY)
    config, templates = sponsorship / "config", sponsorship / "templates"
    prepared = prepare(config, templates, days, deferred={"sales-sponsorship"})
    (desired,) = prepared.programs
    pairs = [item for item in desired.issues if item.key.count("/") == 2]
    assert pairs
    path = templates / "sales-sponsorship/pair.md.j2"
    path.write_text("{{ {}[sponsee.name] }}\n" + path.read_text("utf-8"), "utf-8")
    cache = prepared.blocks.renderer.env.cache
    assert cache is not None
    cache.clear()  # (a run reads a template once: as if this one were first read now)
    with pytest.raises(ConfigError) as raised:
        pairs[-1].description  # noqa: B018  # (read: rendered now; the first one was, for its headings)
    said = "\n".join(map(str, raised.value.problems))
    assert "pair.md.j2:1:" in said and "[confidential]" in said, said
    assert_names_nobody(said)


def test_a_template_mistake_in_a_confidential_program_shows_the_templates_own_word(
    sponsorship: Path,
) -> None:
    """A newcomer's trial: a phase renamed as README says, and the template's
    `dates.phases.Commit` left: the error said `'[confidential]' is not defined`, hiding the
    one word to fix, which is the template's own, not a value from configuration."""
    path = sponsorship / "templates/sales-sponsorship/pair.md.j2"
    text = path.read_text("utf-8")
    line = text[: text.index("{{ dates.phases.Commit[0] }}")].count("\n") + 1
    path.write_text(text.replace("dates.phases.Commit[0]", "dates.phases.Comit[0]", 1), "utf-8")
    result = run("validate")
    assert result.code == 2, result.out + result.err
    assert f":{line}: 'Comit' is not defined on this value" in result.err, result.err
    assert_names_nobody(result.out + result.err)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Released", "Released"),
        ("relesed", "relesed"),
        ("lena", HIDDEN),
        ("dana.whitfield", HIDDEN),
    ],
)
def test_a_mistyped_choice_in_a_confidential_program_is_shown_unless_a_name(
    sponsorship: Path, typed: str, shown: str
) -> None:
    """A newcomer's trial: `status: Released` said `(got '[confidential]')`; a plain word
    typed for a choice is shown, a person's name or username still hidden."""
    program = sponsorship / PROGRAM
    text = program.read_text("utf-8")
    old = "sponsee: amara.osei, status: proposed}"
    assert old in text
    program.write_text(text.replace(old, f"sponsee: amara.osei, status: {typed}}}"), "utf-8")
    result = run("validate")
    assert result.code == 2, result.out + result.err
    assert "should be one of 'proposed', 'approved' or 'released'" in result.err, result.err
    assert f"(got '{shown}')" in result.err, result.err
    assert_names_nobody(result.out + result.err)


@pytest.mark.usefixtures("no_waiting")
@pytest.mark.parametrize("status", [401, 403])
def test_gitlab_refusing_a_pair_s_issue_stops_the_run_without_naming_the_pair(
    sponsorship: Path, status: int
) -> None:
    fake = new_fake(users=roster_of(sponsorship))
    with fake.activate():
        fake.inject(status, method="POST", path_contains="/issues", times=1000)
        result = GitLabBackend(fake).cli("apply")
    assert result.code in (1, 3), result.out + result.err
    assert "sales-sponsorship" in result.out + result.err  # said, by program
    assert_names_nobody(result.out + result.err)


@pytest.mark.parametrize("lookup", ["{{ {}[sponsor.grade] }}", "{{ {}[sponsee.start_date] }}"])
def test_a_template_mistake_in_a_confidential_program_shows_no_grade_or_date(
    sponsorship: Path, lookup: str
) -> None:
    # a grade or a start date, with the cohort, tells who the pair is in a small roster
    path = sponsorship / "templates/sales-sponsorship/pair.md.j2"
    path.write_text(f"{lookup}\n{path.read_text('utf-8')}", "utf-8")
    result = run("validate")
    assert result.code == 2 and "has no element [confidential]" in result.err, result.err
    assert not re.search(r"element \d|datetime", result.err)


ACCOUNTS = ("Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell")


def test_a_confidential_esp_programs_outputs_name_no_customer_over_a_year(shipped: Path) -> None:
    """The ESP program made confidential: a year of runs, some months missed (the schedule
    was down), an account paused: no output (text, JSON, run report) names an account, a
    customer; the missed periods are counted, not named."""
    keep_programs(shipped, "executive-sponsorship")
    program = shipped / "config/programs/executive-sponsorship.yml"
    edit(program, "kind: esp\n", "kind: esp\nconfidential: true\n")
    outputs = []
    for day in ("2026-12-01", "2027-02-01", "2027-06-07", "2027-09-01", "2028-02-01"):
        report = shipped / "report.json"
        done = cli(["apply", "--backend", "local", "--today", day, "--report", str(report)], {})
        assert done.code == 0, done.out + done.err
        outputs += [done.out, done.err, report.read_text("utf-8")]
    edit(
        program,
        "name: Initech, sponsor: dana.whitfield, status: approved",
        "name: Initech, sponsor: dana.whitfield, status: proposed",
    )
    for command in (["plan", "--json"], ["apply"]):
        found = cli([*command, "--backend", "local", "--today", "2028-03-01"], {})
        outputs += [found.out, found.err]
    joined = "\n".join(outputs)
    assert "periods of executive-sponsorship ended while no run created their issues" in joined
    assert "(not named here: the program is confidential)" in joined
    named = [name for name in ACCOUNTS if name.lower() in joined.lower()]
    assert not named, joined


def _confidential_esp_with(root: Path, accounts: Sequence[tuple[str, str]]) -> Path:
    """The ESP program alone, made confidential, with more accounts (id, name) of the same
    sponsor (over the cap); its file."""
    keep_programs(root, "executive-sponsorship")
    program = root / "config/programs/executive-sponsorship.yml"
    edit(program, "kind: esp\n", "kind: esp\nconfidential: true\n")
    more = "".join(
        f"    - {{id: {short}, name: {name}, sponsor: dana.whitfield, status: approved, "
        "account_team: [tom.reyes], start: 2026-11-01}\n"
        for short, name in accounts
    )
    edit(program, "    - {id: globex,", more + "    - {id: globex,")
    return program


def test_a_confidential_esp_programs_config_messages_name_no_customer(shipped: Path) -> None:
    """A tester's finding: the sponsor-cap warning listed the account ids, and a mistyped or
    unknown sponsor was printed, in validate, plan and apply (CI logs)."""
    program = _confidential_esp_with(
        shipped, [(name, f"{name.title()} Inc") for name in ("acme", "hooli", "cyberdyne")]
    )
    said = [cli(["validate", "--today", "2026-12-01"], {})]
    said += [cli([c, "--backend", "local", "--today", "2026-12-01"], {}) for c in ("plan", "apply")]
    joined = "\n".join(r.out + r.err for r in said)
    assert "accounts in FY27" in joined  # the warning is there, naming no account
    named = [n for n in (*ACCOUNTS, "acme", "hooli", "cyberdyne") if n.lower() in joined.lower()]
    assert not named, joined
    edit(
        program,
        "sponsor: dana.whitfield, status: approved, account_team: [tom.reyes]",
        "sponsor: nobody.here, status: approved, account_team: [tom.reyes]",
    )
    refused = cli(["validate", "--today", "2026-12-01"], {})
    assert refused.code == 2 and "sponsor is not in the roster" in refused.err
    assert "nobody" not in refused.err and "acme" not in refused.err.lower()


@pytest.mark.parametrize(
    "accounts",
    [
        (("thd", "The Home Depot"), ("prgs", "Progress Software"), ("epic", "Epic Systems")),
        (("hp", "HP"), ("ge", "GE"), ("3m", "3M")),
    ],
)
def test_account_names_are_hidden_whole_and_the_message_stays_readable(
    shipped: Path, accounts: tuple[tuple[str, str], ...]
) -> None:
    """A reviewer's findings: each word of an account's name was hidden everywhere ("rebalance
    [confidential] pairings"), and ids of two letters (HP, GE) were not hidden at all."""
    _confidential_esp_with(shipped, accounts)
    said = cli(["validate", "--today", "2026-12-01"], {})
    line = next(x for x in (said.out + said.err).splitlines() if "accounts in FY27" in x)
    assert "rebalance the pairings" in line and "hold back the extra accounts" in line, line
    shown = line.split("accounts in FY27", 1)[1]
    assert not any(re.search(rf"\b{re.escape(short)}\b", shown) for short, _ in accounts), line


def _epics_confidential(root: Path, fake: FakeGitLab | None) -> list[bool]:
    if fake is None:
        return [
            "\nconfidential: true\n" in path.read_text("utf-8")
            for path in sorted((root / ".automation/epics").glob("*.md"))
        ]
    return [bool(epic["confidential"]) for epic in fake.epics("enablement")]


def _make_issues_confidential(root: Path, fake: FakeGitLab | None) -> None:
    """People turn each issue confidential, as the warning asks."""
    if fake is None:
        for path in (root / ".automation/issues").glob("*.md"):
            path.write_text(
                path.read_text("utf-8").replace("confidential: false\n", "confidential: true\n", 1),
                "utf-8",
            )
        return
    for issue in fake.issues(PROJECT):
        fake.edit_issue(PROJECT, issue["iid"], confidential=True)


@pytest.mark.parametrize("where", ["local", "gitlab"])
def test_a_confidential_programs_epics_are_confidential(shipped: Path, where: str) -> None:
    """A tester's finding: the epics of a confidential ESP program were made public, their
    titles naming the customers. New ones are made confidential; those made before the
    program was confidential are made so once none of its issues is public (GitLab keeps a
    public issue out of a confidential epic)."""
    keep_programs(shipped, "executive-sponsorship")
    program = shipped / "config/programs/executive-sponsorship.yml"
    fake = new_fake(users=roster_of(shipped)) if where == "gitlab" else None

    def apply() -> str:
        result = run("apply") if fake is None else GitLabBackend(fake).cli("apply")
        assert result.code == 0, result.out + result.err
        return result.out

    with fake.activate() if fake is not None else nullcontext():
        apply()
        assert _epics_confidential(shipped, fake) and not any(_epics_confidential(shipped, fake))
        edit(program, "kind: esp\n", "kind: esp\nconfidential: true\n")
        apply()  # its issues are still public: said (a warning), not failed
        assert not any(_epics_confidential(shipped, fake))
        _make_issues_confidential(shipped, fake)
        apply()
        assert all(_epics_confidential(shipped, fake))
        edit(
            program,
            "    - {id: globex,",
            "    - {id: newco, name: Newco Ltd, sponsor: victor.nakamura, status: approved,\n"
            "       account_team: [aiko.tanaka], start: 2026-11-01}\n    - {id: globex,",
        )
        apply()
        assert len(_epics_confidential(shipped, fake)) > 6 and all(
            _epics_confidential(shipped, fake)
        )


def test_an_epic_holding_a_persons_public_issue_is_said_not_failed(shipped: Path) -> None:
    """A reviewer's finding: a confidential program's epic that holds a person's own public
    issue cannot be made confidential (GitLab refuses); that failed every run. It is a
    warning naming the epic, and the other epics are made confidential."""
    keep_programs(shipped, "executive-sponsorship")
    program = shipped / "config/programs/executive-sponsorship.yml"
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        assert GitLabBackend(fake).cli("apply").code == 0
        ours = [i["iid"] for i in fake.issues(PROJECT)]
        epic = fake.epics("enablement")[0]
        theirs = fake.create_issue_as(PROJECT, "alice", "Call notes", "Notes of the call")
        group = fake.client().groups.get("enablement")
        public = fake.client().projects.get(PROJECT).issues.get(theirs)
        group.epics.get(epic["iid"]).issues.create({"issue_id": public.id})
        edit(program, "kind: esp\n", "kind: esp\nconfidential: true\n")
        for iid in ours:
            fake.edit_issue(PROJECT, iid, confidential=True)
        runs = [GitLabBackend(fake).cli("apply") for _ in range(2)]
        hidden = {e["iid"]: e["confidential"] for e in fake.epics("enablement")}
    assert [r.code for r in runs] == [0, 0], runs[-1].out
    assert f"epic &{epic['iid']} stays public" in runs[-1].out
    assert hidden.pop(epic["iid"]) is False and all(hidden.values())


def test_a_program_made_public_again_makes_nothing_public(shipped: Path) -> None:
    """An auditor's finding (GitLab makes an issue created in a confidential epic
    confidential): a program made public after its issues were made keeps them and its
    epics confidential; a new issue of a group whose epic is confidential is confidential, a
    new group's epic and issues are public; every run ends without failure."""
    keep_programs(shipped, "executive-sponsorship")
    program = shipped / "config/programs/executive-sponsorship.yml"
    edit(program, "kind: esp\n", "kind: esp\nconfidential: true\n")
    fake = new_fake(users=roster_of(shipped))
    with fake.activate():
        assert GitLabBackend(fake).cli("apply").code == 0
        made = {i["iid"] for i in fake.issues(PROJECT)}
        edit(program, "confidential: true\n", "confidential: false\n")
        edit(
            program,
            "    - {id: globex,",
            "    - {id: newco, name: Newco Ltd, sponsor: victor.nakamura, status: approved,\n"
            "       account_team: [aiko.tanaka], start: 2026-11-01}\n    - {id: globex,",
        )
        runs = [GitLabBackend(fake).cli("apply", "--today", "2026-12-01") for _ in range(2)]
        found = {i["title"]: i for i in fake.issues(PROJECT)}
        epics = {e["title"]: e["confidential"] for e in fake.epics("enablement")}
    assert [r.code for r in runs] == [0, 0], runs[0].out
    assert "No changes" in runs[1].out
    assert all(i["confidential"] for i in found.values() if i["iid"] in made)
    assert found["ESP December 2026: Globex Corporation account planning session"]["confidential"]
    assert not found["ESP account plan: Newco Ltd"]["confidential"]
    assert epics.pop("Executive Sponsorship Program: Newco Ltd") is False
    assert all(epics.values())


@pytest.mark.usefixtures("no_waiting")
def test_a_sponsorship_program_made_public_names_no_earlier_pair_in_any_output(
    sponsorship: Path,
) -> None:
    """A privacy tester's finding: a team opened its next cohort to the public (the two
    settings), and a name changed. The earlier pairs' issues stay confidential in GitLab, so
    the log, the JSON plan, the report and the dashboard must not name them either."""
    fake = new_fake(users=roster_of(sponsorship))
    program = sponsorship / PROGRAM
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        edit(program, "kind: sponsorship\n", "kind: sponsorship\nconfidential: false\n")
        edit(program, "sponsorship:\n", "sponsorship:\n  allow_public_issues: true\n")
        edit(
            sponsorship / "config/people.yml",
            "    name: Hannah Berg\n",
            "    name: Hannah Berg-Lund\n",
        )
        outputs = [backend.cli("plan", "--report", "plan.json"), backend.cli("plan", "--json")]
        outputs.append(backend.cli("apply", "--report", "apply.json"))
        argv = ["dashboard", "--backend", "gitlab", "--today", TODAY, "--out", "site"]
        site = cli(argv, backend.env(), GitLabTime(fake))
        assert all(o.code in (0, 1) for o in (*outputs, site)), outputs[0].out
        assert all(i["confidential"] for i in fake.issues(PROJECT))
    reports = [(sponsorship / f).read_text("utf-8") for f in ("plan.json", "apply.json")]
    pages = [page.read_text("utf-8") for page in (sponsorship / "site").glob("*.html")]
    assert "updated description: #" in outputs[2].out  # the run did write about the pairs
    assert "1 confidential program left out" in site.out
    assert_names_nobody("\n".join([*(o.out + o.err for o in outputs), *reports, *pages]))


def test_a_title_mistake_of_a_sponsorship_program_made_public_names_nobody(
    sponsorship: Path,
) -> None:
    """A reviewer's finding: its outputs are hidden, its config errors were not."""
    program = sponsorship / PROGRAM
    edit(program, "kind: sponsorship\n", "kind: sponsorship\nconfidential: false\n")
    edit(program, "sponsorship:\n", "sponsorship:\n  allow_public_issues: true\n")
    edit(
        program,
        'title: "Sponsorship: {{ sponsee.name }}',
        'title: "Sponsorship: {{ {}[sponsee.name] }}',
    )
    result = run("validate")
    assert result.code == 2 and "config/programs/sales-sponsorship.yml:" in result.err
    assert_names_nobody(result.out + result.err)


def _guessed(root: Path, key: str, before: bool) -> tuple[int, str]:
    """Mallory, a Guest, opens an issue with the sponsorship label and KEY on its first
    line, BEFORE the pair is released (its issues made) or after; the exit code and the log
    of the run after hers, every number in it made N."""
    program = root / PROGRAM
    pair = "{sponsor: hannah.berg, sponsee: lena.fischer"
    text = program.read_text("utf-8")
    if before:
        edit(program, pair + "}", pair + ", status: approved}")
    fake = new_fake(users=(*roster_of(root), "mallory"))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code == 0
        line = f"<!-- automation:key={key} -->\nA question."
        fake.create_issue_as(PROJECT, "mallory", "q", line, labels=["program::sales-sponsorship"])
        program.write_text(text, "utf-8")  # released (again)
        run = backend.cli("apply")
    return run.code, re.sub(r"\d+", "N", run.out + run.err)


@pytest.mark.usefixtures("no_waiting")
@pytest.mark.parametrize("before", [True, False], ids=["before its issues", "after them"])
def test_a_guessed_pair_key_on_a_persons_issue_reads_as_a_wrong_guess(
    sponsorship: Path, before: bool
) -> None:
    """A privacy tester's finding: a Guest, who cannot read confidential issues, made public
    issues with guessed pair keys; a right guess was said apart (a failure naming the key's
    item, or "a copy of #64"), so the job's log or its status told who sponsors whom."""
    pair = "sales-sponsorship/fy28-h1/lena.fischer/sponsor-scores/hannah.berg"
    wrong = "sales-sponsorship/fy28-h1/lena.fischer/sponsor-scores/dana.whitfield"
    fake = new_fake(users=roster_of(sponsorship))
    with fake.activate():
        assert GitLabBackend(fake).cli("apply").code == 0
        keys = [i["description"].split("\n", 1)[0] for i in fake.issues(PROJECT)]
    assert f"<!-- automation:key={pair} -->" in keys
    right = _guessed(sponsorship, pair, before)
    assert right == _guessed(sponsorship, wrong, before)
    # what is not made yet waits (the pair's issues before their release), whichever key
    held = "no issue of this program is created, whichever items" in right[1]
    assert right[0] == (1 if before else 0) and held == before, right[1]
    assert "but another user opened it, not the tool" in right[1]
    assert "lena" not in right[1] and "hannah" not in right[1]


@pytest.mark.usefixtures("no_waiting")
@pytest.mark.parametrize("tracking", ["kept", "label taken off"])
def test_a_replaced_token_makes_no_pair_issue_twice(sponsorship: Path, tracking: str) -> None:
    """A new token's user finds every issue another user's: nothing is made twice (until
    `former_users` names the old), also when a person took the label off the old tracking
    issue, as the failure suggests (a reviewer: every pair issue was made again)."""
    fake = new_fake(users=roster_of(sponsorship))
    with fake.activate():
        assert GitLabBackend(fake).cli("apply").code == 0
        made = len(fake.issues(PROJECT))
        if tracking == "label taken off":
            old = next(i for i in fake.issues(PROJECT) if i["title"].endswith("program tracking"))
            fake.edit_issue(PROJECT, old["iid"], labels=[])
        fake.act_as("project_7_bot_new")
        run = GitLabBackend(fake).cli("apply")
        assert run.code == 1 and "add its former user to gitlab.former_users" in run.out
        assert len(fake.issues(PROJECT)) == made
    assert_names_nobody(run.out + run.err)


def test_a_people_file_mistake_hides_who_only_a_confidential_program_names(
    shipped: Path,
) -> None:
    """A privacy tester's finding: a mistake in people.yml about a person only the
    sponsorship file names (a sponsor) printed their username, which in a roster of nobody
    else tells they are in it. One about someone no confidential file names still names them."""
    people = shipped / "config/people.yml"
    edit(
        people,
        "    name: Hannah Berg\n",
        "    name: Hannah Berg\n    timezone: Europe/Berlinn\n",
    )
    edit(
        people,
        "    name: Priya Natarajan\n",
        "    name: Priya Natarajan\n    timezone: Mars/Base\n",
    )
    result = run("validate")
    assert result.code == 2
    assert "'timezone' of person 'priya.natarajan': unknown timezone" in result.err
    assert "'timezone' of person '[confidential]': unknown timezone" in result.err, result.err
    assert "hannah" not in result.err.lower() and "Berg" not in result.err


BREAKAGES = {  # a reviewer: the sponsorship file set aside, unreadable or of no known kind
    "valid": lambda text: text,
    "yaml-syntax": lambda text: text.replace("kind: sponsorship\n", "kind: sponsorship\n  x: [\n"),
    "schema-error": lambda text: text.replace("  program_months: 6\n", "  program_months: six\n"),
    "misspelt-kind": lambda text: text.replace("kind: sponsorship\n", "kind: sponsorshp\n"),
}


@pytest.mark.parametrize("breakage", ["yaml-syntax", "misspelt-kind"])
def test_a_people_file_mistake_hides_who_only_a_program_file_it_cannot_read_may_name(
    shipped: Path, breakage: str
) -> None:
    """An attacker's trial: a new sponsee is added to people.yml and to the sponsorship file
    in one merge request, with a typo in each. The sponsorship file unreadable (or of no
    known kind), people.yml's mistake named the sponsor in the pipeline's log: nothing
    said they were only in a confidential program. Now everyone no public program file
    names is hidden then."""
    edit(
        shipped / "config/people.yml",
        "    name: Hannah Berg\n",
        "    name: Hannah Berg\n    timezone: Europe/Berlinn\n",
    )
    path = shipped / PROGRAM
    path.write_text(BREAKAGES[breakage](path.read_text("utf-8")), "utf-8")
    result = run("validate")
    assert result.code == 2
    assert "'timezone' of person '[confidential]': unknown timezone" in result.err, result.err
    assert "hannah" not in result.err.lower() and "Berg" not in result.err


def test_a_yaml_mistake_in_people_yml_quotes_no_value_when_a_program_is_confidential(
    shipped: Path,
) -> None:
    """The same trial: `name: *Amara` in people.yml printed "found undefined alias 'Amara'":
    people.yml's own YAML mistakes hide what they quote while a program is confidential."""
    edit(shipped / "config/people.yml", "name: Amara Osei", "name: *Amara")
    result = run("validate")
    assert result.code == 2
    assert "people.yml" in result.err and "undefined alias '[confidential]'" in result.err
    assert "amara" not in result.err.lower(), result.err


@pytest.mark.parametrize("unread", ["a tab", "a misspelt key"])
def test_a_confidential_file_mistake_quotes_no_value_when_people_yml_cannot_be_read(
    shipped: Path, unread: str
) -> None:
    """The same trial the other way round: people.yml unreadable (a tab; or its `people:`
    misspelt, a review), a missing `:` in the sponsorship file printed `unknown key 'sponsee
    amara.osei'`: without the roster, its names were not known to hide."""
    people = shipped / "config/people.yml"
    text = people.read_text("utf-8")
    broken = f"{text}\t\n" if unread == "a tab" else text.replace("people:", "peopel:", 1)
    assert broken != text
    people.write_text(broken, "utf-8")
    edit(shipped / PROGRAM, "sponsee: amara.osei,", "sponsee amara.osei,")
    result = run("validate")
    assert result.code == 2
    assert "people.yml" in result.err and "sales-sponsorship.yml" in result.err, result.err
    assert "amara" not in result.err.lower() and "dana" not in result.err.lower(), result.err


@pytest.mark.usefixtures("no_waiting")
@pytest.mark.parametrize(
    ("command", "breakage"),
    [("plan", "valid"), ("apply", "valid"), *(("plan", b) for b in list(BREAKAGES)[1:])],
)
def test_a_run_of_one_program_names_no_pair_of_a_confidential_program_it_does_not_sync(
    shipped: Path, command: str, breakage: str
) -> None:
    """A tester: a pair's issue given the onboarding program's label (GitLab drops the
    sponsorship one: scoped labels) was warned about in an onboarding-only run (an event's,
    `--program`) by its key, the sponsee's username in a CI log: outputs hid only the
    programs the run rendered."""
    root = keep_programs(shipped, "sales-sponsorship", "sales-onboarding")
    fake = new_fake(users=roster_of(root))
    with fake.activate():
        backend = GitLabBackend(fake)
        assert backend.cli("apply").code in (0, 1)  # hires' general onboarding issues: elsewhere
        pair = next(
            i
            for i in fake.issues(PROJECT)
            if (i["description"] or "").startswith("<!-- automation:key=sales-sponsorship/")
            and "lena.fischer" in i["description"].split("\n", 1)[0]
        )
        labels = [label for label in pair["labels"] if not label.startswith("program::")]
        fake.edit_issue(PROJECT, pair["iid"], labels=[*labels, "program::sales-onboarding"])
        path = root / PROGRAM
        broken = BREAKAGES[breakage](path.read_text("utf-8"))
        assert breakage == "valid" or broken != path.read_text("utf-8")
        path.write_text(broken, "utf-8")
        result = backend.cli(command, "--program", "sales-onboarding")
    said = result.out + result.err
    assert f"#{pair['iid']}" in said  # the issue is still said, and what to do
    assert "an item of program sales-sponsorship" in said, said
    assert "program::sales-sponsorship (GitLab keeps one program:: label" in said
    assert "sales-sponsorship/" not in said and "lena" not in said.lower(), said


@pytest.mark.usefixtures("no_waiting")
@pytest.mark.parametrize("status", [400, 403, 404, 409, 422, 500])
@pytest.mark.parametrize(("method", "where"), [("PUT", "/issues/"), ("POST", "/notes")])
def test_gitlab_refusing_a_write_to_a_pair_s_issue_names_nobody(
    sponsorship: Path, status: int, method: str, where: str
) -> None:
    """An attacker's review could not make a write fail: each refusal of an update or a note
    of a pair's issue (its withdrawal: labels, closing, a note, its block), GitLab's answer
    echoing what was sent as a 400 may, names nobody."""
    fake = new_fake(users=roster_of(sponsorship))
    backend = GitLabBackend(fake)
    with fake.activate():
        assert backend.cli("apply").code == 0
        pair = next(
            i for i in backend.issues() if i.key == "sales-sponsorship/fy28-h1/sam.delacroix"
        )
        line = "{sponsor: dana.whitfield, sponsee: sam.delacroix"
        edit(
            sponsorship / "config/programs/sales-sponsorship.yml",
            line + "}",
            line + ", status: approved}",
        )
        echo = {"base": [f"refused: {pair.title} {pair.description[:400]}"]}
        fault = fake.inject(status, method=method, path_contains=where, times=1000, message=echo)
        result = backend.cli("apply")
    assert fault.fired > 0 and result.code != 0, result.out + result.err
    assert "sales-sponsorship" in result.out + result.err
    assert_names_nobody(result.out + result.err)


@pytest.mark.usefixtures("no_waiting")
@pytest.mark.parametrize(
    ("status", "method", "where"),
    [(401, "GET", "/users"), (403, "GET", "/users"), (403, "POST", "/issues")],
)
def test_the_report_of_a_run_gitlab_stopped_names_nobody_the_log_hides(
    sponsorship: Path, tmp_path: Path, status: int, method: str, where: str
) -> None:
    """An attacker's review: the log said `looking up user [confidential]`, and the run
    report (a CI artifact) said the sponsee's username, and whatever GitLab's answer echoed."""
    # a sponsee who is not a group member is looked up by username
    fake = new_fake(users=tuple(u for u in roster_of(sponsorship) if u != "lena.fischer"))
    fake.add_user("lena.fischer", "Lena Fischer")
    echo = {"base": ["Sponsorship: Lena Fischer with Hannah Berg"]}
    fault = fake.inject(status, method=method, path_contains=where, times=1000, message=echo)
    report = tmp_path / "report.json"
    with fake.activate():
        result = GitLabBackend(fake).cli("apply", "--report", str(report))
    assert fault.fired > 0 and result.code == 3, result.out + result.err
    notices = json.loads(report.read_text("utf-8"))["notices"]
    (why,) = [n for n in notices if n.startswith("the run stopped before its end: ")]
    assert "[confidential]" in why or where == "/issues", why
    assert_names_nobody(result.out + result.err + json.dumps(notices))
