"""Sponsor/sponsee matching rules (evaluated once for both `validate` errors and plan warnings)
and the dates a cohort gives."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from automation.calendar import add_months
from automation.config.models import (
    JobGrades,
    Person,
    grade_of,
    manages_people,
    managing,
    title_grade_differs,
)
from automation.config.source import Loc, Source, duplicates
from automation.errors import Problem
from automation.kinds.kind import (
    CHANGED_SPONSEE,
    CHANGED_SPONSOR,
    NAMED,
    NOT_FOLLOWED,
    People,
    member_words,
    own_words,
)
from automation.kinds.sponsorship.model import (
    Checkpoint,
    Pair,
    Sponsorship,
    SponsorshipCohort,
    SponsorshipProgram,
)

# how long before its cohort a kick-off or training may be held without a warning: a season
# early is fine, a year typed wrong (12 months off) is not
DATES_AHEAD_MONTHS = 6


@dataclass(frozen=True)
class Finding:
    """One rule a pair breaks, where, and whether it stops the run."""

    error: bool
    loc: Loc
    message: str
    matching: bool = True  # a rule of the match (people's grades, tenure, managers, zones)
    # a released pair of a cohort under way: no configuration error (that would stop every
    # program), but a failure of this pair; its issues are kept up to date, none made
    held: bool = False


@dataclass(frozen=True)
class _Pair:
    loc: Loc
    label: str
    sponsor: Person
    sponsee: Person
    start: dt.date


def findings(
    part: Sponsorship,
    people: Mapping[str, Person],
    grades: JobGrades,
    today: dt.date | None = None,
) -> Iterator[Finding]:
    """Every rule broken by every pair, in configuration order. The matching rules hold when
    a match is made: a pair of a cohort that ended (on TODAY) is not checked against them any
    more (a sponsee promoted a year on stopped every run), nor one given an `exception` (the
    roster changed after the match); one of a cohort under way that breaks one says how, and
    is held when released (a trial: a sponsee promoted mid-cohort made every program exit 2)."""
    for finding in _all_findings(part, people, grades):
        cohort = part.cohorts[int(finding.loc[2])]
        if finding.matching and (_excepted(part, finding) or _over(part, cohort, today)):
            continue
        begun = today is not None and cohort.start <= today
        if finding.error and finding.matching and begun:
            pair = _pair_of(part, finding)
            held = pair is not None and pair.released
            yield replace(finding, message=finding.message + BEGUN, held=held)
        else:
            yield finding


BEGUN = (
    "; if people.yml changed after the match (a promotion, a new manager), give the pair "
    "`exception:` saying so"
)


def _excepted(part: Sponsorship, finding: Finding) -> bool:
    """Whether the finding is of a pair given an `exception` to the matching rules."""
    pair = _pair_of(part, finding)
    return pair is not None and pair.exception is not None


def _pair_of(part: Sponsorship, finding: Finding) -> Pair | None:
    """The pair a finding is of; None for one of a cohort's dates."""
    loc = finding.loc
    if len(loc) < 5 or loc[3] != "pairs":
        return None
    return part.cohorts[int(loc[2])].pairs[int(loc[4])]


def graded(program: SponsorshipProgram, today: dt.date | None) -> Iterator[str]:
    """The sponsors and sponsees whose grades the matching rules read on TODAY, those of the
    pairs of cohorts not over, given no `exception`, when a roster error may name them: not
    in a confidential program (a reviewer: "title … of 'amara.osei' is not in job-grades.yml"
    told a CI log she is in a pair). There the pair's own error says it, naming nobody."""
    part = program.sponsorship
    if program.outputs_hidden:
        return
    for cohort in part.cohorts:
        if not _over(part, cohort, today):
            for pair in cohort.pairs:
                if pair.exception is None:
                    yield from (pair.sponsor, pair.sponsee)


def _over(part: Sponsorship, cohort: SponsorshipCohort, today: dt.date | None) -> bool:
    return today is not None and part.end_of(cohort) < today


def _all_findings(
    part: Sponsorship, people: Mapping[str, Person], grades: JobGrades
) -> Iterator[Finding]:
    for c, cohort in enumerate(part.cohorts):
        seen: dict[str, int] = {}
        for p, pair in enumerate(cohort.pairs):
            loc: Loc = ("sponsorship", "cohorts", c, "pairs", p)
            sponsee = pair.sponsee.lower()
            if sponsee in seen:
                yield Finding(
                    True,
                    loc,
                    f"pair {_label(p, cohort.id)}: the sponsee is already in pair "
                    f"{seen[sponsee] + 1} of this cohort; a sponsee has one sponsor per cohort",
                    matching=False,
                )
            seen.setdefault(sponsee, p)
            if pair.sponsor.lower() in people and sponsee in people:
                found = _Pair(
                    loc,
                    _label(p, cohort.id),
                    people[pair.sponsor.lower()],
                    people[sponsee],
                    cohort.start,
                )
                yield from _pair_findings(found, part, people, grades)
    yield from _overlapping(part)
    yield from _cohort_dates(part)


def _overlapping(part: Sponsorship) -> Iterator[Finding]:
    """A sponsee paired again with another sponsor while the commitment of an earlier pair
    (released: one never released committed nobody) still runs: the page asks a sponsee to
    commit to `commitment_months` with the same sponsor throughout."""
    for c, cohort in enumerate(part.cohorts):
        for earlier in part.cohorts:
            committed = add_months(earlier.start, part.commitment_months)
            if not earlier.start < cohort.start < committed:
                continue
            before = {
                pair.sponsee.lower(): (p, pair.sponsor.lower())
                for p, pair in enumerate(earlier.pairs)
                if pair.released
            }
            for p, pair in enumerate(cohort.pairs):
                first, sponsor = before.get(pair.sponsee.lower(), (None, None))
                if first is not None and sponsor != pair.sponsor.lower():
                    yield Finding(
                        False,
                        ("sponsorship", "cohorts", c, "pairs", p),
                        f"pair {_label(p, cohort.id)}: the sponsee is committed to pair "
                        f"{_label(first, earlier.id)} until {committed}; a sponsee commits to "
                        f"{part.commitment_months} months with one sponsor",
                    )


def _label(index: int, cohort: str) -> str:
    """Which pair, without its names: messages reach CI logs, and who is paired with whom is
    confidential (the file and line point at the pair). Nor do messages give a person's
    grade, start date or timezone: in a small roster, each can tell who it is."""
    return f"{index + 1} of cohort {cohort}"


def _pair_findings(
    pair: _Pair, part: Sponsorship, people: Mapping[str, Person], grades: JobGrades
) -> Iterator[Finding]:
    if pair.sponsor.username.lower() == pair.sponsee.username.lower():
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the sponsor and the sponsee are the same person; name "
            "another sponsor",
            matching=False,  # no `exception:` makes it a pair
        )
        return  # the other rules compare two people
    yield from _grades(pair, part, grades)
    yield from _tenure(pair, part)
    if (pair.sponsee.manager or "").lower() == pair.sponsor.username.lower():
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the sponsor is the sponsee's direct "
            "manager; a sponsor must not be the sponsee's manager",
        )
    yield from _people_manager(pair, part, people, grades)
    yield from _timezones(pair, part)


def _people_manager(
    pair: _Pair, part: Sponsorship, people: Mapping[str, Person], grades: JobGrades
) -> Iterator[Finding]:
    """A people manager by their title's grade where the job family splits individual
    contributor and manager grades; otherwise, someone in the roster reports to them. Said
    alike either way: a job family, or managing nobody, would narrow down who the sponsor
    is in a small roster (a privacy tester)."""
    manages, _ = manages_people(pair.sponsor, managing(people.values()), grades)
    if manages:
        return
    yield Finding(
        part.rules.sponsor_manages_people == "error",
        pair.loc,
        f"pair {pair.label}: {NOT_A_MANAGER}; a sponsor should be a people manager or manager "
        "of managers",
    )


NOT_A_MANAGER = (
    "the sponsor is not a people manager (by their title's grade in job-grades.yml, or, for a "
    "title no job family lists, by nobody in people.yml reporting to them)"
)


def _grades(pair: _Pair, part: Sponsorship, grades: JobGrades) -> Iterator[Finding]:
    rules = part.rules
    if any(title_grade_differs(p, grades) is not None for p in (pair.sponsor, pair.sponsee)):
        return  # the roster says which grade is wrong; these rules wait for it
    sponsor, sponsee = grade_of(pair.sponsor, grades), grade_of(pair.sponsee, grades)
    if sponsor is None or sponsee is None:
        who = "sponsor" if sponsor is None else "sponsee"
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the {who} has no grade; give a title "
            "from job-grades.yml or `grade:` in people.yml",
        )
        return
    if sponsor < rules.min_sponsor_grade:
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the sponsor's grade is below {rules.min_sponsor_grade}; a "
            f"sponsor needs grade {rules.min_sponsor_grade} or above",
        )
    if sponsor - sponsee < rules.min_grade_gap:
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the sponsor's grade is less than {rules.min_grade_gap} above "
            f"the sponsee's; a sponsor needs to be at least {rules.min_grade_gap} grades higher",
        )


def _tenure(pair: _Pair, part: Sponsorship) -> Iterator[Finding]:
    months = part.rules.min_tenure_months
    joined = pair.sponsor.start_date
    if joined is None:
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the sponsor "
            "has no start_date in people.yml, so the tenure rule cannot be checked",
        )
    elif add_months(joined, months) > pair.start:
        yield Finding(
            True,
            pair.loc,
            f"pair {pair.label}: the sponsor started less than {months} months before the "
            f"cohort starts; a sponsor needs {months} months at the company",
        )


def _timezones(pair: _Pair, part: Sponsorship) -> Iterator[Finding]:
    rules = part.rules
    zones = (pair.sponsor.timezone, pair.sponsee.timezone)
    if None in zones:
        missing = [who for who, zone in zip(("sponsor", "sponsee"), zones, strict=True) if not zone]
        whom = "either person" if len(missing) == 2 else f"the {missing[0]}"
        yield Finding(
            False,
            pair.loc,
            f"pair {pair.label}: no timezone in people.yml for {whom}, so the timezone rule "
            "was not checked; add `timezone:` (e.g. Europe/Berlin)",
        )
        return
    gap = clock_gap(zones[0] or "UTC", zones[1] or "UTC", pair.start)
    if gap > rules.max_timezone_gap_hours:
        yield Finding(
            rules.timezone_gap == "error",
            pair.loc,
            f"pair {pair.label}: the sponsor's and sponsee's timezones are {gap:g} hours "
            f"apart; 1-1s need them at most {rules.max_timezone_gap_hours:g} hours apart",
        )


def clock_gap(one: str, other: str, on: dt.date) -> float:
    """How many hours apart two clocks are on a day (noon UTC, so daylight saving time as it
    is that day), the short way round: Auckland and Honolulu are 1 hour apart, not 23."""
    moment = dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC)
    offsets = [
        moment.astimezone(ZoneInfo(zone)).utcoffset() or dt.timedelta() for zone in (one, other)
    ]
    hours = abs(offsets[0] - offsets[1]).total_seconds() / 3600 % 24
    return min(hours, 24 - hours)


def _cohort_dates(part: Sponsorship) -> Iterator[Finding]:
    """A kick-off call or Sponsor Training dated far from its cohort (a year typed wrong):
    every pair issue would show that date, where only people can correct it. A warning, said
    while the cohort runs: `validate` and `plan` show it before pairs are released, and a
    date that is right after all (a yearly training) stops no run, nor does an ended
    cohort's."""
    for c, cohort in enumerate(part.cohorts):
        earliest = add_months(cohort.start, -DATES_AHEAD_MONTHS)
        end = part.end_of(cohort)
        for field in ("kickoff", "sponsor_training"):
            day = getattr(cohort, field)
            if day is not None and not earliest <= day <= end:
                yield Finding(
                    False,
                    ("sponsorship", "cohorts", c, field),
                    f"cohort '{cohort.id}': its {field} {day} is not between {earliest} "
                    f"({DATES_AHEAD_MONTHS} months before the cohort starts) and {end} (its "
                    "end); check the year",
                )


_ORDER = ("start", "mid", "end")


def _checkpoint_renames(checkpoints: Sequence[Checkpoint], source: Source) -> Iterator[Problem]:
    """A checkpoint's `renamed_from` that is a checkpoint's label now: that checkpoint's
    answers would be read as this one's too."""
    labels = {c.label.casefold() for c in checkpoints}
    for i, checkpoint in enumerate(checkpoints):
        if checkpoint.renamed_from is not None and checkpoint.renamed_from.casefold() in labels:
            yield source.problem(
                ("sponsorship", "scores", "checkpoints", i, "renamed_from"),
                f"'{checkpoint.renamed_from}' is the label of a checkpoint now; `renamed_from` "
                "names the label this checkpoint had before",
            )


def _checkpoints_in_order(part: Sponsorship, source: Source) -> Iterator[Problem]:
    """Checkpoints that would fall out of order (start, mid, end), or after their cohort's
    end, in the first cohort where they do (a trial: `days_after_start: 200` for start was
    accepted, and its figure published after the end's)."""
    if part.scores is None:
        return
    checkpoints = part.scores.checkpoints
    ranked = sorted(range(len(checkpoints)), key=lambda i: _ORDER.index(checkpoints[i].id))
    for cohort in part.cohorts:
        end = part.end_of(cohort)
        day = {i: checkpoints[i].day(cohort.start, end) for i in ranked}
        said = [(i, f"is after the cohort's end ({end})") for i in ranked if day[i] > end]
        for one, other in itertools.pairwise(ranked):
            if day[other] < day[one]:  # the one `days_after_start` placed is said
                i, j = (
                    (other, one)
                    if checkpoints[other].days_after_start is not None
                    else (one, other)
                )
                said.append(
                    (i, f"is not in order with the {checkpoints[j].id} checkpoint ({day[j]})")
                )
        for i, why in said[:1]:
            yield source.problem(
                ("sponsorship", "scores", "checkpoints", i),
                f"the {checkpoints[i].id} checkpoint of cohort '{cohort.id}' ({day[i]}) {why}; "
                "set `days_after_start` so that start, mid and end come in that order, within "
                "the cohort",
            )
        if said:
            return


def check_sponsorship(
    program: SponsorshipProgram, source: Source, people: People
) -> Iterator[Problem]:
    """The rules a pair must meet (and should-rules configured as errors), as problems."""
    part = program.sponsorship
    phases = [section.heading for section in program.phases]
    for name in part.phase_weights:
        if name not in phases:
            yield source.problem(
                ("sponsorship", "phase_weights", name),
                f"'{name}' is not a phase of this program; weigh one of: {', '.join(phases)}",
            )
    if part.lead is not None and not people.knows(part.lead):
        yield people.missing(
            source, ("sponsorship", "lead"), f"program lead '{part.lead}'", typed=part.lead
        )
    for finding in findings(part, people.by_name, people.grades, people.today):
        if finding.error and not finding.held:  # a held pair fails its own program's run
            yield source.problem(finding.loc, finding.message)
    yield from _checkpoint_renames(part.scores.checkpoints if part.scores else (), source)
    yield from _checkpoints_in_order(part, source)
    ids = [("sponsorship", "cohorts", c, "id") for c in range(len(part.cohorts))]
    yield from duplicates(source, ids, [cohort.id for cohort in part.cohorts], "cohort id")
    names = [("sponsorship", "cohorts", c, "name") for c in range(len(part.cohorts))]
    yield from duplicates(source, names, [c.name for c in part.cohorts], "cohort name", NAMED)
    for c, cohort in enumerate(part.cohorts):
        words, pairs = member_words(cohort.id), cohort.pairs
        at = ("sponsorship", "cohorts", c, "pairs")
        sponsees = [(*at, p, "sponsee") for p in range(len(pairs))]
        yield from own_words(source, sponsees, [p.sponsee for p in pairs], "sponsee", words)
        former = [(p, pair.renamed_from) for p, pair in enumerate(pairs) if pair.renamed_from]
        where = [(*at, p, "renamed_from") for p, _ in former]
        formers = [old or "" for _, old in former]
        yield from own_words(source, where, formers, "renamed_from", words, NOT_FOLLOWED)
        for p, pair in enumerate(cohort.pairs):
            for role, who in (("sponsor", pair.sponsor), ("sponsee", pair.sponsee)):
                if not people.knows(who):
                    loc = ("sponsorship", "cohorts", c, "pairs", p, role)
                    changed = CHANGED_SPONSEE if role == "sponsee" else CHANGED_SPONSOR
                    yield people.missing(source, loc, f"the {role} of this pair", changed)
