"""The issues of a sponsorship program: one per pair, dated from the cohort's start."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from automation.calendar import add_months
from automation.config.models import by_username
from automation.desired import (
    Closing,
    Context,
    Derived,
    DerivedRow,
    DesiredIssue,
    Generated,
    Group,
)
from automation.kinds.sponsorship.checks import Finding, findings
from automation.kinds.sponsorship.model import (
    SIDES,
    Advancement,
    Checkpoint,
    Pair,
    Scores,
    Sponsorship,
    SponsorshipCohort,
    SponsorshipProgram,
)
from automation.records import RecordSpec, read_records

Ctx = Context[SponsorshipProgram]
MATCHES = "matches"  # a cohort rollup's block: the pairs proposed and approved, not released
MATCHES_TEMPLATE = "sales-sponsorship/matches.md.j2"
PUBLISHED_TEMPLATE = "sales-sponsorship/published.md.j2"  # a published figure's block
ADVANCEMENT = "advancement"  # the cohort rollup's block with the career advancement rate
MATCHING = "matching"  # a held pair's failure: the matching rules it breaks
CHECKPOINT_BLOCKS = tuple(f"scores-{c}" for c in ("start", "mid", "end"))
DEFAULT = tuple(Checkpoint(id=c, label=f"satisfaction ({c})") for c in ("start", "mid", "end"))


def generate(ctx: Ctx) -> Generated:
    """An issue per pair; each cohort is a group with a (confidential) rollup issue."""
    part = ctx.program.sponsorship
    people = by_username(ctx.config.people)
    found = tuple(findings(part, people, ctx.config.grades, ctx.today))
    held = dict(_held(ctx, f) for f in found if f.held)
    issues = tuple(
        issue for c in part.cohorts for p in c.released() for issue in _issues(ctx, c, p, held)
    )
    groups = tuple(
        Group(
            c.id,
            c.name,
            rollup=True,
            values={"cohort": c},
            blocks=((MATCHES, _matches(ctx, c)),),
            derived=_checkpoints(ctx, c),
        )
        for c in part.cohorts
    )
    ended = {i for i, c in enumerate(part.cohorts) if _ended(ctx, c)}  # nothing to act on
    warnings = tuple(
        str(ctx.source.problem(f.loc, f.message))
        for f in found
        if not f.error and f.loc[2] not in ended
    )
    return Generated(
        issues,
        groups,
        warnings=warnings,
        notices=tuple(_staged_notices(ctx)),
        failures=tuple(held.items()),
        waiting=frozenset(key.removesuffix(f"/{MATCHING}") for key in held),
    )


def _held(ctx: Ctx, finding: Finding) -> tuple[str, str]:
    """A released pair of a cohort under way that breaks a matching rule, as a failure of its
    own issue: the run exits 1 and says why, and the other programs and pairs go on."""
    cohort = ctx.program.sponsorship.cohorts[int(finding.loc[2])]
    pair = cohort.pairs[int(finding.loc[4])]
    said = ctx.source.problem(finding.loc, finding.message)
    # keyed apart from the pair's issue: a failed key gets no writes, and its ticks still count
    return (
        f"{_key(ctx, cohort, pair)}/{MATCHING}",
        f"{said}; until then its issues not made yet wait, and those made keep their people "
        "(their ticks still count)",
    )


def _ended(ctx: Ctx, cohort: SponsorshipCohort) -> bool:
    """Whether the cohort's program ended before today."""
    return ctx.program.sponsorship.end_of(cohort) < ctx.today


def _issues(
    ctx: Ctx, cohort: SponsorshipCohort, pair: Pair, held: Mapping[str, str]
) -> Iterator[DesiredIssue]:
    """A released pair's issues: the pair's own, each side's scores, and (a year after) the
    sponsee's career advancement; none made while the pair is HELD, and those made before
    keep their people (a trial: a sponsor change that broke a rule assigned the new sponsor
    and withdrew the former one's score issue, though the run said it failed)."""
    made = f"{_key(ctx, cohort, pair)}/{MATCHING}" not in held
    yesterday = ctx.today - dt.timedelta(days=1)
    for issue in _all_issues(ctx, cohort, pair):
        yield issue if made else replace(issue, create=False, people_until=yesterday)


def _all_issues(ctx: Ctx, cohort: SponsorshipCohort, pair: Pair) -> Iterator[DesiredIssue]:
    part = ctx.program.sponsorship
    yield _pair(ctx, part, cohort, pair)
    if part.scores is not None:
        yield from _scores(ctx, part.scores, cohort, pair)
    if part.advancement is not None:
        advanced = _advancement(ctx, part.advancement, cohort, pair)
        if advanced is not None:
            yield advanced


def _matches(ctx: Ctx, cohort: SponsorshipCohort) -> str:
    """The cohort rollup's list of matches not released yet, for the program team."""
    staged = [
        {
            "status": pair.status,
            "sponsor": ctx.config.person(pair.sponsor),
            "sponsee": ctx.config.person(pair.sponsee),
        }
        for pair in cohort.staged()
    ]
    return ctx.renderer.render(MATCHES_TEMPLATE, {"cohort": cohort, "staged": staged})


def _staged_notices(ctx: Ctx) -> Iterator[str]:
    """What `plan` says about matches not released: counts only (who is matched with whom is
    confidential; the cohort rollup lists them)."""
    for cohort in ctx.program.sponsorship.cohorts:
        if _ended(ctx, cohort):
            continue  # pairs never released in a cohort that ended: nothing to do now
        counts = Counter(pair.status for pair in cohort.staged())
        if counts:
            total = sum(counts.values())
            said = ", ".join(f"{counts[s]} {s}" for s in ("proposed", "approved") if counts[s])
            yield (
                f"{ctx.program.id}: cohort {cohort.id}: {total} "
                f"{'pair is' if total == 1 else 'pairs are'} not released ({said}): nothing is "
                "created, assigned or notified for them until `status: released` (the cohort "
                "rollup lists them)"
            )


def dates(
    start: dt.date,
    months: int,
    phases: Sequence[str] = (),
    weights: Mapping[str, float] | None = None,
    checkpoints: Sequence[Checkpoint] = (),
) -> dict[str, Any]:
    """When each phase (by heading, in order, lasting its share of the weights; equal by
    default) runs, as its first and last day (the last phase's last is the program's end),
    each checkpoint falls, and each quarter's All-Hands is held (`all_hands`), from the
    cohort start."""
    end = add_months(start, months)
    span = (end - start).days

    def at(share: float) -> dt.date:
        return start + dt.timedelta(days=round(span * share))

    shares = [(weights or {}).get(name, 1.0) for name in phases]
    whole = sum(shares) or 1.0
    bounds = [at(sum(shares[:i]) / whole) for i in range(len(phases) + 1)]
    return {
        "start": start,
        "end": end,
        "phases": {name: (bounds[i], _last_day(bounds, i)) for i, name in enumerate(phases)},
        "checkpoints": {c.id: c.day(start, end) for c in checkpoints or DEFAULT},
        "quarters": all_hands(start, months),
    }


def _last_day(bounds: Sequence[dt.date], i: int) -> dt.date:
    """Phase I's last day: the day before the next one starts (a reader saw "to 03-18" and
    "from 03-18" in one issue), or the program's end for the last phase."""
    last = bounds[i + 1]
    return last if i + 2 == len(bounds) else max(bounds[i], last - dt.timedelta(days=1))


def all_hands(start: dt.date, months: int) -> list[dt.date]:
    """The middle of each quarter of the program, from its start, that falls before its end:
    a quarter begun in the program's last months has no All-Hands (nor DIB feedback) when its
    middle comes after the end (the pair could not finish on time)."""
    end = add_months(start, months)
    middles = (
        add_months(start, m) + (add_months(start, m + 3) - add_months(start, m)) / 2
        for m in range(0, months, 3)
    )
    return [day for day in middles if day < end]


def _pair(ctx: Ctx, part: Sponsorship, cohort: SponsorshipCohort, pair: Pair) -> DesiredIssue:
    values = _values(ctx, cohort, pair)
    manager, when = values["manager"], values["dates"]
    sponsor, sponsee = values["sponsor"], values["sponsee"]
    return ctx.program_issue(
        key=_key(ctx, cohort, pair),
        values=values,
        subject=f"{sponsee.name} with {sponsor.name}",
        group=cohort.name,
        # the manager too: only assignees (and Planners) can read a confidential issue, and the
        # manager has tasks in it; GitLab Free keeps the first, the sponsor
        assignees=(sponsor.username, sponsee.username, *([manager.username] if manager else [])),
        due_date=when["end"],
        phases_due={name: last for name, (_, last) in when["phases"].items()},
        people_until=when["end"],  # a new manager is not handed a pair whose time is over
        epic_key=ctx.group_epic_key(cohort.id),
        rollups=(ctx.group_rollup_key(cohort.id),),
        # a pair released once its cohort ended: nothing is made (it would only tell its
        # people of something over), and a warning says so; one made before is kept up to date
        create=not _ended(ctx, cohort),
        over_before_made=when["end"] if _ended(ctx, cohort) else None,
        completion_note=ctx.note(values),
        dates={
            "start": when["start"],
            "end": when["end"],
            **{f"checkpoint_{name}": day for name, day in when["checkpoints"].items()},
        },
        roles={
            "participant": (sponsee.username,),
            "sponsor": (sponsor.username,),
            "manager": (manager.username,) if manager else (),
        },
    )


def _key(ctx: Ctx, cohort: SponsorshipCohort, pair: Pair) -> str:
    return f"{ctx.program.id}/{cohort.id}/{pair.sponsee.lower()}"


def _values(ctx: Ctx, cohort: SponsorshipCohort, pair: Pair) -> dict[str, Any]:
    """What a pair's templates see: the people, the cohort and its dates."""
    part = ctx.program.sponsorship
    sponsor, sponsee = ctx.config.person(pair.sponsor), ctx.config.person(pair.sponsee)
    manager = ctx.config.person(sponsee.manager) if sponsee.manager else None
    return {
        "program": ctx.program,
        "cohort": cohort,
        "sponsor": sponsor,
        "sponsee": sponsee,
        "manager": manager,
        "part": part,
        "months": part.months_of(cohort),  # the cohort's length: its own, or the program's
        "dates": _cohort_dates(ctx, cohort),
    }


def _cohort_dates(ctx: Ctx, cohort: SponsorshipCohort) -> dict[str, Any]:
    part = ctx.program.sponsorship
    phases = [section.heading for section in ctx.program.phases]
    checkpoints = part.scores.checkpoints if part.scores else ()
    months = part.months_of(cohort)
    return dates(cohort.start, months, phases, part.phase_weights, checkpoints)


def _scores(
    ctx: Ctx, scores: Scores, cohort: SponsorshipCohort, pair: Pair
) -> Iterator[DesiredIssue]:
    """Each side's own score issue, assigned to that person only: the other side (and the
    manager) cannot read it. In no rollup (the program's tracking issue listed it, a year's
    review found: who had answered, while the cohort's said nothing is shown) nor epic: its
    figures are published only by checkpoint (`_checkpoints`)."""
    values = _values(ctx, cohort, pair)
    days = values["dates"]["checkpoints"]
    closed = max(days.values()) + dt.timedelta(days=scores.grace_days)
    # a checkpoint whose figure is published by the day the issue is made (at the latest its
    # grace days after its day, `_published`): nothing to ask
    grace = dt.timedelta(scores.grace_days)
    shut = tuple(c for c, day in days.items() if day + grace <= ctx.today)
    dates = {f"checkpoint_{c}": day for c, day in days.items()}
    for side in SIDES:
        person = values[side]
        own = {**values, "side": side, "person": person, "scores": scores, "closed": ()}
        labels = {c.id: scores.label(side, c) for c in scores.checkpoints}
        own["labels"] = labels
        pair_key = _key(ctx, cohort, pair)
        key = score_key(pair_key, side, person.username)
        title = ctx.title(scores.title, ("sponsorship", "scores", "title"), own)
        made = ctx.body(key, scores.template, {**own, "closed": shut}) if shut else None
        yield ctx.issue(
            key=key,
            # before keys named the sponsor: taken over by the one configuration names
            former_keys=(f"{pair_key}/sponsor-scores",) if side == "sponsor" else (),
            title=title,
            template=scores.template,
            values=own,
            made_with=made,
            subject=f"{person.name}: scores as {side}",
            group=cohort.name,
            assignees=(person.username,),
            due_date=closed,
            ends=closed,  # its last checkpoint closes: nothing it holds is published any more
            listed=False,
            create=not _ended(ctx, cohort),
            dates=dates,
            asks=tuple(f"checkpoint_{c}" for c in days if c not in shut or _asked(made, labels[c])),
            closing={f"checkpoint_{c}": day + grace for c, day in days.items()},
            roles={"participant": (person.username,)},
        )


def _asked(made: str | None, label: str) -> bool:
    """Whether a score issue made with MADE has a line for LABEL, a checkpoint shut when it
    is made: a team's template from before `closed` asks for it all the same (a review: such
    an issue, made late, went unsaid)."""
    return made is not None and read_records(made, [RecordSpec(label)])[label].present


def score_key(pair: str, side: str, username: str) -> str:
    """The key of one side's score issue: the sponsor's names them, so that a pair whose
    sponsor changes gets the new sponsor an issue of their own, and the old sponsor's (their
    answers, readable by them alone) is withdrawn rather than handed over. The sponsee's is
    the pair's (its id is the sponsee)."""
    if side == "sponsor":
        return f"{pair}/sponsor-scores/{username.lower()}"
    return f"{pair}/{side}-scores"


def _advancement(
    ctx: Ctx, advancement: Advancement, cohort: SponsorshipCohort, pair: Pair
) -> DesiredIssue | None:
    """The sponsee's career advancement, recorded by their manager: made on the day it asks
    about (`months_after_end` after the cohort's end)."""
    values = _values(ctx, cohort, pair)
    due = add_months(values["dates"]["end"], advancement.months_after_end)
    if ctx.today < due:
        return None
    manager = values["manager"]
    closed = due + dt.timedelta(days=_grace(ctx))
    own = {**values, "advancement": advancement, "due": due}
    return ctx.issue(
        key=f"{_key(ctx, cohort, pair)}/advancement",
        title=ctx.title(advancement.title, ("sponsorship", "advancement", "title"), own),
        template=advancement.template,
        values=own,
        subject=f"{values['sponsee'].name}: career advancement",
        group=cohort.name,
        assignees=(manager.username,) if manager else (),
        due_date=closed,
        ends=closed,  # the rate is published then, once
        listed=False,  # in no rollup, as a score issue (a row would show who has answered)
        requires=_key(ctx, cohort, pair),  # a pair that had its program, not one never made
        dates={"asked": due},
        roles={"manager": (manager.username,) if manager else ()},
    )


def _grace(ctx: Ctx) -> int:
    scores = ctx.program.sponsorship.scores
    return scores.grace_days if scores else 14


def _minimum(ctx: Ctx) -> int:
    scores = ctx.program.sponsorship.scores
    return scores.min_answers if scores else 3


def _checkpoints(ctx: Ctx, cohort: SponsorshipCohort) -> tuple[Derived, ...]:
    """The cohort rollup's published figures: per checkpoint, both sides' averages; and the
    career advancement rate. Each is published once, when it closes (from its date, every
    answer in; or its date plus the grace period passed), over at least the minimum of
    answers, and then never changes (a sealed block)."""
    part = ctx.program.sponsorship
    when = _cohort_dates(ctx, cohort)
    scores = (
        [_score_block(ctx, part.scores, c, cohort, when) for c in part.scores.checkpoints]
        if part.scores
        else []
    )
    advancement = (
        [_advancement_block(ctx, part.advancement, cohort, when)] if part.advancement else []
    )
    return (*scores, *advancement)


def _published(  # noqa: PLR0917
    ctx: Ctx,
    name: str,
    what: str,
    on: dt.date,
    rows: tuple[DerivedRow, ...],
    specs: tuple[RecordSpec, ...],
) -> Derived:
    closes = on + dt.timedelta(days=_grace(ctx))
    values = {
        "what": what,
        "on": on,
        "minimum": _minimum(ctx),
        "rate": name == ADVANCEMENT,
        "today": ctx.today,
    }
    # early only from the checkpoint's own date: answers typed ahead of it (the whole form
    # filled in on day one) must not seal the end-of-program figure months early (a tester)
    closing = Closing(closes, ctx.today >= closes, early=ctx.today >= on, reopens=True)
    return Derived(name, PUBLISHED_TEMPLATE, values, rows, specs, closing)


def _score_block(
    ctx: Ctx,
    scores: Scores,
    checkpoint: Checkpoint,
    cohort: SponsorshipCohort,
    when: dict[str, Any],
) -> Derived:
    rows = tuple(
        DerivedRow({"side": side}, records=score_key(_key(ctx, cohort, pair), side, pair.of(side)))
        for pair in cohort.released()
        for side in SIDES
    )
    specs = tuple(
        RecordSpec(scores.label(side, checkpoint), scores.out_of, scores.min_answers)
        for side in SIDES
    )
    return _published(
        ctx,
        f"scores-{checkpoint.id}",
        checkpoint.label,
        when["checkpoints"][checkpoint.id],
        rows,
        specs,
    )


def _advancement_block(
    ctx: Ctx, advancement: Advancement, cohort: SponsorshipCohort, when: dict[str, Any]
) -> Derived:
    rows = tuple(
        DerivedRow({}, records=f"{_key(ctx, cohort, pair)}/advancement")
        for pair in cohort.released()
    )
    specs = (RecordSpec(advancement.label, 1, _minimum(ctx)),)
    asked = add_months(when["end"], advancement.months_after_end)
    return _published(ctx, ADVANCEMENT, advancement.label, asked, rows, specs)
