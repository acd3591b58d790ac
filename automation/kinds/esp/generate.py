"""The issues of an Executive Sponsorship Program: account plans and the operating cadence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from automation.blocks import record_specs
from automation.calendar import Period, anniversary_years, backfill_start, fiscal_year, periods
from automation.desired import Closing, Context, Derived, DerivedRow, DesiredIssue, Generated, Group
from automation.kinds.esp.checks import OverCap, over_cap
from automation.kinds.esp.model import Account, EspProgram, ExecutiveSponsorship

Ctx = Context[EspProgram]
PROPOSALS = "proposals"  # the tracking issue's block listing proposed pairings
SCORECARD = "scorecard"  # the quarterly scorecard issue's block, derived from the accounts' issues
PROPOSALS_BLOCK = "blocks/esp-proposals.md.j2"
SCORECARD_BLOCK = "blocks/esp-scorecard.md.j2"
# a quarter's scorecard gets its final figures on the first run after the quarter, if that run
# comes within this long: its KPIs are the account plans' values of that day, which a later run
# would read from the next quarter
SEALS_WITHIN = dt.timedelta(days=7)
# a later first run (no run in that week: a pipeline down) seals what the scorecard holds,
# saying they are not the final figures, or the figures of its day, saying so, when it holds
# none (an ESP trial: mid-quarter figures stayed for good, unsaid); an older quarter's is left
# as it is
SEALS_LATE_WITHIN = dt.timedelta(days=366)
# its review (the program manager reviews and shares it) is due two weeks after the quarter,
# not on the quarter's last day: the figures are final only once the quarter is over (a year's
# simulation found each scorecard overdue, with a late reminder, the day they were sealed)
SCORECARD_REVIEW = dt.timedelta(days=14)
ANNIVERSARY = "anniversary"  # an account's own years, from the day it joined the program
FISCAL = ("quarterly", "annual")  # the cadences the fiscal year places


@dataclass(frozen=True)
class _Window:
    """Which periods have issues: all since the start, created only from the start of the
    backfill window (a period that ended while no run happened is still made, overdue)."""

    today: dt.date
    ahead: int
    first_month: int
    backfill: str = "none"

    def periods(self, cadence: str, start: dt.date, end: dt.date | None) -> Iterator[Period]:
        """Every period from `start` up to the current one (or the next, when it is near)."""
        horizon = self.today + dt.timedelta(days=self.ahead)
        last = min(horizon, end) if end else horizon
        if start > last:
            return
        if cadence == ANNIVERSARY:
            yield from anniversary_years(start, last, self.first_month)
        else:
            yield from periods(cadence, start, last, self.first_month)

    def creates(self, item: Period) -> bool:
        """The current period's issue (or the next one, days ahead), and those of periods that
        ended within the backfill window: the current fiscal quarter or year, or none."""
        return item.end >= backfill_start(self.backfill, self.today, self.first_month)


@dataclass(frozen=True)
class _Cadence:
    """One cadence issue of an account or of the program: its period, template and title."""

    period: str  # monthly, quarterly, annual (fiscal years) or anniversary
    field: str  # its name under `esp.templates` and `esp.titles`
    template: str
    title: str


def _cadence(part: ExecutiveSponsorship, period: str, field: str) -> _Cadence:
    template, title = getattr(part.templates, field), getattr(part.titles, field)
    return _Cadence(period, field, str(template), str(title))


def generate(ctx: Ctx) -> Generated:
    """Account plans and cadence issues for approved accounts; program-level cadence issues.
    A sponsor over the accounts cap is a warning, or (`sponsor_cap: error`) a failure whose
    extra accounts get no new issues."""
    part = ctx.program.esp
    window = _Window(ctx.today, part.create_days_ahead, part.fiscal_year_start_month, part.backfill)
    approved = [a for a in part.accounts if a.status == "approved"]
    capped = over_cap(part, fiscal_year(ctx.today, part.fiscal_year_start_month))
    held = {part.accounts[o.index].id for o in capped} if part.sponsor_cap == "error" else set()
    issues = [
        issue
        for account in approved
        for issue in _account_issues(ctx, part, window, account, account.id not in held)
    ]
    issues += _program_issues(ctx, part, window, approved, frozenset(held))
    groups = tuple(  # an account over before the first run: no epic to gather nothing in
        Group(a.id, a.name, values={"account": a})
        for a in approved
        if a.id not in held and not _over(a, ctx.today)
    )
    proposed = [a for a in part.accounts if a.status == "proposed"]
    shown = {
        "accounts": proposed,
        "config": ctx.config,
        "held": [a for a in approved if a.id in held],  # said where the program team looks
        "cap": part.max_accounts_per_sponsor,
    }
    table = ctx.renderer.render(PROPOSALS_BLOCK, shown)
    warnings, failures = _cap_findings(ctx, capped)
    warnings += tuple(_sponsors_in_team(ctx))
    return Generated(
        tuple(issues),
        groups,
        ((PROPOSALS, table),),
        warnings,
        failures=failures,
    )


def _sponsors_in_team(ctx: Ctx) -> Iterator[str]:
    """A sponsor listed in their own account's team, at that line (an ESP trial: most likely
    a slip of copy and paste; the page gives the Executive Sponsor and the Account Team
    roles of their own). A warning, not an error: a run goes on as it did."""
    for i, account in enumerate(ctx.program.esp.accounts):
        team = [member.casefold() for member in account.account_team]
        if account.sponsor.casefold() in team:
            where = ("esp", "accounts", i, "account_team", team.index(account.sponsor.casefold()))
            yield str(
                ctx.source.problem(
                    where,
                    f"account '{account.id}': its sponsor '{account.sponsor}' is in its "
                    "account team too; the Executive Sponsor and the Account Team are roles "
                    "of their own: take the sponsor out of `account_team`",
                )
            )


def _cap_findings(
    ctx: Ctx, capped: list[OverCap]
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The cap as the page's target (a warning at the account's line), or as a rule: a
    failure of the account's plan, so the run exits 1 and the other programs still run."""
    part = ctx.program.esp
    if part.sponsor_cap == "warning":
        return tuple(
            str(
                ctx.source.problem(
                    ("esp", "accounts", o.index, "sponsor"),
                    f"{o.message}; rebalance the pairings, or set `sponsor_cap: error` to "
                    "hold back the extra accounts",
                )
            )
            for o in capped
        ), ()
    return (), tuple(
        (
            _account_key(ctx, part.accounts[o.index], "account-plan"),
            f"{o.message}; account '{part.accounts[o.index].id}' gets no new issues until "
            "its sponsor is within the cap (`sponsor_cap: error`)",
        )
        for o in capped
    )


def _people(ctx: Ctx, account: Account) -> dict[str, Any]:
    team = tuple(ctx.config.person(u) for u in account.account_team)
    return {"account": account, "sponsor": ctx.config.person(account.sponsor), "team": team}


def _account_key(ctx: Ctx, account: Account, rest: str) -> str:
    return f"{ctx.program.id}/account/{account.id}/{rest}"


def _account_issues(
    ctx: Ctx, part: ExecutiveSponsorship, window: _Window, account: Account, create: bool
) -> Iterator[DesiredIssue]:
    manager = ctx.config.person(part.program_manager)
    values = {"program": ctx.program, "program_manager": manager, **_people(ctx, account)}
    assignees = (account.sponsor, *account.account_team)
    over = _over(account, ctx.today)
    plan = _account_key(ctx, account, "account-plan")
    yield ctx.program_issue(
        key=plan,
        values=values,
        begins=account.start,
        subject=f"{account.name}: account plan",
        group=account.name,
        assignees=assignees,
        epic_key=ctx.group_epic_key(account.id),
        # a plan made once its commitment ended would be closed in the same run, notifying
        # its people of something over: made only while it runs (a plan made before stays)
        create=create and not over,
        # closed, unfinished, when the commitment ends: ended, not "not started" or overdue
        ends=account.end + dt.timedelta(days=1) if account.end else None,
        living=True,  # a new sponsor is the plan's, done or not
    )
    cadences = (
        _cadence(part, "monthly", "account_monthly"),
        _cadence(part, "quarterly", "account_quarterly"),
        _cadence(part, ANNIVERSARY, "account_annual"),
    )
    for cadence in cadences:
        for item in window.periods(cadence.period, account.start, account.end):
            team = _joined_by(ctx, account.account_team, item.end)
            yield _cadence_issue(
                ctx,
                window,
                item,
                cadence,
                values={**values, "group": account},
                key=_account_key(ctx, account, f"{item.cadence}/{item.key}"),
                assignees=(account.sponsor, *team),
                # once it ended, not the period it ended in, unless made before: made now, it
                # would be ended in the same run, its people told of something over
                create=create and not (over and account.end is not None and item.end > account.end),
                # once it ended, its periods missed while no run happened are made only in
                # an account the tool ran (its plan exists): not on a first run after its end
                requires=plan if over else None,
                # unfinished when the commitment ends: ended, not overdue for ever after
                ends=account.end + dt.timedelta(days=1) if account.end else None,
                roles={
                    "sponsor": (account.sponsor,),
                    "account_team": team,
                },
            )


def _joined_by(ctx: Ctx, names: Sequence[str], end: dt.date) -> tuple[str, ...]:
    """The people among NAMES who started by a period's END: a hire who joins an account team
    before their first day is not handed, nor reminded of, the months and quarters that ended
    before it (a year's simulation: the sample's new hires were assigned November's session)."""
    start = (ctx.config.person(name).start_date for name in names)
    return tuple(name for name, day in zip(names, start, strict=True) if day is None or day <= end)


def _over(account: Account, today: dt.date) -> bool:
    """Whether the account's commitment ended before today."""
    return account.end is not None and account.end < today


def _program_issues(
    ctx: Ctx,
    part: ExecutiveSponsorship,
    window: _Window,
    approved: list[Account],
    held: frozenset[str],  # accounts over their sponsor's cap: no new issues
) -> list[DesiredIssue]:
    if not approved:
        return []
    start = min(a.start for a in approved)
    values = {"program": ctx.program, "group": None}
    manager = (part.program_manager,)
    monthly = _cadence(part, "monthly", "program_monthly")
    scorecard = _cadence(part, "quarterly", "program_scorecard")
    annual = _cadence(part, "annual", "program_annual")
    yearly = {
        **values,
        "leadership": _leadership(ctx),
        "program_manager": ctx.config.person(part.program_manager),
        "accounts": approved,
        "config": ctx.config,
    }
    proposed = [a for a in part.accounts if a.status == "proposed"]
    return [
        *(
            _cadence_issue(
                ctx,
                window,
                p,
                monthly,
                values=values,
                key=f"{ctx.program.id}/program/{p.cadence}/{p.key}",
                assignees=manager,
            )
            for p in window.periods(monthly.period, start, None)
        ),
        *(
            _cadence_issue(
                ctx,
                window,
                p,
                scorecard,
                values=values,
                key=f"{ctx.program.id}/program/scorecard/{p.cadence}/{p.key}",
                assignees=manager,
                derived=_scorecard_of(ctx, part, approved, p, held),
                due_after=SCORECARD_REVIEW,
            )
            for p in window.periods(scorecard.period, start, None)
        ),
        *(
            _cadence_issue(
                ctx,
                window,
                p,
                annual,
                values={**yearly, "proposed": proposed},
                key=f"{ctx.program.id}/program/{p.cadence}/{p.key}",
                assignees=manager,
            )
            for p in window.periods(annual.period, start, None)
        ),
    ]


def _leadership(ctx: Ctx) -> dict[str, Any]:
    """The CEO and CRO as people, where the program file names them."""
    chosen = ctx.program.esp.leadership
    return {
        role: ctx.config.person(who) if who else None
        for role, who in (("ceo", chosen.ceo), ("cro", chosen.cro))
    }


def mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    """The Mondays from START to END, both included (a period's weeks)."""
    first = -start.weekday() % 7  # days to the first Monday
    return [start + dt.timedelta(days=d) for d in range(first, (end - start).days + 1, 7)]


def _due(ctx: Ctx, last: dt.date, cadence: _Cadence, weeks: list[dt.date]) -> dt.date:
    """A period's issue is due on its LAST day (the period's, or the account's when its
    commitment ends within it: a trial's June issue of an account that ended on June 10 was
    due June 30), or, where its template lists its `weeks`, when the last of them ends (the
    Sunday after its last Monday): a tester's November issue, all done but the week of
    November 30, was overdue on December 2 as that week ran."""
    if not weeks or not ctx.renderer.reads(cadence.template, "weeks"):
        return last
    return max(last, weeks[-1] + dt.timedelta(days=6))


def _cadence_issue(
    ctx: Ctx,
    window: _Window,
    item: Period,
    cadence: _Cadence,
    *,
    values: Mapping[str, Any],
    key: str,
    assignees: tuple[str, ...],
    roles: Mapping[str, tuple[str, ...]] | None = None,  # program_lead: Program.lead_username
    derived: tuple[Derived, ...] = (),
    create: bool = True,
    requires: str | None = None,
    ends: dt.date | None = None,
    due_after: dt.timedelta = dt.timedelta(0),
) -> DesiredIssue:
    account = values.get("account")
    # an account that joins within the period: the weeks from the one it joins in, not
    # weeks before it was in the program (a tester saw them asked for, then overdue)
    first = max(item.start, account.start - dt.timedelta(days=6)) if account else item.start
    # and to the week it ends in, not the weeks after its commitment ended (a tester's finding)
    last = min(item.end, account.end) if account and account.end else item.end
    weeks = mondays(first, last)
    full = {**values, "period": item, "weeks": weeks}
    return ctx.issue(
        key=key,
        title=ctx.title(cadence.title, ("esp", "titles", cadence.field), full),
        template=cadence.template,
        values=full,
        subject=f"{account.name if account else 'Program'}: {item.name} {item.cadence}",
        group=account.name if account else "Program",
        assignees=assignees,
        due_date=_due(ctx, last, cadence, weeks) + due_after,
        epic_key=ctx.group_epic_key(account.id) if account else ctx.program_epic_key(),
        create=create and window.creates(item),
        requires=requires,
        derived=derived,
        dates={"start": item.start, "end": item.end},
        # the fiscal calendar's periods (a month is the calendar's; an account's own years
        # move with its `start`, corrected by months, say: the same year, moved)
        period=(item.start, item.end) if cadence.period in FISCAL else None,
        calendar=str(ctx.program.esp.fiscal_year_start_month) if cadence.period in FISCAL else None,
        moves_within=key.rsplit("/", 1)[0] + "/" if cadence.period == ANNIVERSARY else None,
        roles=roles or {},
        ends=ends,
        people_until=item.end,
    )


def _scorecard_of(
    ctx: Ctx,
    part: ExecutiveSponsorship,
    accounts: list[Account],
    quarter: Period,
    held: frozenset[str],
) -> tuple[Derived, ...]:
    """A quarter's scorecard, while the quarter runs and on the first run after it, which
    writes its final figures (everything done up to its last day) and seals them; a first run
    later than SEALS_WITHIN seals what the scorecard holds, said not final (or, holding none,
    the figures of its day, said so). A quarter over for longer keeps what its scorecard holds
    (one made before blocks were sealed)."""
    if ctx.today > quarter.end + SEALS_LATE_WITHIN:
        return ()
    return (_scorecard(ctx, part, accounts, quarter, held),)


def _scorecard(
    ctx: Ctx,
    part: ExecutiveSponsorship,
    accounts: list[Account],
    quarter: Period,
    held: frozenset[str],
) -> Derived:
    """The scorecard block of a quarter: each account's KPIs and cadence compliance; an
    account held back by its sponsor's cap only once it has its plan (an ESP trial: one never
    made read as an account team that skipped every session, "0 of 3")."""
    rows = tuple(
        replace(row, made=row.records) if a.id in held else row
        for a in accounts
        if a.start <= quarter.end and (a.end is None or a.end >= quarter.start)
        for row in (_account_row(ctx, part, a, quarter),)
    )
    late = ctx.today if ctx.today > quarter.end + SEALS_WITHIN else None
    values = {"quarter": quarter, "section": part.touchpoint, "kpis": part.kpis, "late": late}
    after = quarter.end + dt.timedelta(days=1)
    closes = Closing(after, ctx.today >= after, early=False, late=late is not None)
    specs = tuple(record_specs(ctx.program))
    return Derived(SCORECARD, SCORECARD_BLOCK, values, rows, specs, closes)


def _account_row(
    ctx: Ctx, part: ExecutiveSponsorship, account: Account, quarter: Period
) -> DerivedRow:
    """An account's KPIs (its plan's values), its monthly sessions of the quarter so far, and
    whether the quarterly issue's touchpoint section is done."""
    last = min(quarter.end, ctx.today, account.end or quarter.end)  # not past its end
    months = periods(
        "monthly", max(quarter.start, account.start), last, part.fiscal_year_start_month
    )
    day = max(min(quarter.end, ctx.today), account.start)
    years = anniversary_years(account.start, day, part.fiscal_year_start_month)
    return DerivedRow(
        # a per-year value's "so far": its year runs on, unless the commitment ends first
        values={"account": account, "year_end": min(years[-1].end, account.end or years[-1].end)},
        records=_account_key(ctx, account, "account-plan"),
        year_records=_account_key(ctx, account, f"annual/{years[-1].key}"),
        counted=tuple(_account_key(ctx, account, f"monthly/{m.key}") for m in months),
        section=(_account_key(ctx, account, f"quarterly/{quarter.key}"), part.touchpoint),
        ticked=True,  # a touchpoint is held, not left with no task
    )
