"""Executive Sponsorship Program: account plans and the operating cadence, by fiscal period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from automation.blocks import record_specs
from automation.calendar import Period, periods
from automation.config.models import Account, ExecutiveSponsorship
from automation.desired import Context, DesiredIssue, Generated, Group, Measured
from automation.progress import Status
from automation.records import averages

PROPOSALS_BLOCK = "blocks/esp-proposals.md.j2"
SCORECARD_BLOCK = "blocks/esp-scorecard.md.j2"
TOUCHPOINT = "Sponsor touchpoint"  # the quarterly issue's section that proves the touchpoint


@dataclass(frozen=True)
class _Window:
    """Which periods have issues: all since the start, created only from the current one."""

    today: dt.date
    ahead: int
    first_month: int

    def periods(self, cadence: str, start: dt.date, end: dt.date | None) -> Iterator[Period]:
        """Every period from `start` up to the current one (or the next, when it is near)."""
        horizon = self.today + dt.timedelta(days=self.ahead)
        last = min(horizon, end) if end else horizon
        if start <= last:
            yield from periods(cadence, start, last, self.first_month)

    def creates(self, item: Period) -> bool:
        """Only the current period's issue (or the next one, days ahead) is ever created."""
        return item.end >= self.today


def generate(ctx: Context) -> Generated:
    """Account plans and cadence issues for approved accounts; program-level cadence issues."""
    part = _part(ctx)
    window = _Window(ctx.today, part.create_days_ahead, part.fiscal_year_start_month)
    approved = [a for a in part.accounts if a.status == "approved"]
    issues = [
        issue for account in approved for issue in _account_issues(ctx, part, window, account)
    ]
    issues += _program_issues(ctx, part, window, approved)
    groups = tuple(Group(a.id, a.name, values={"account": a}) for a in approved)
    proposed = [a for a in part.accounts if a.status == "proposed"]
    table = ctx.renderer.render(PROPOSALS_BLOCK, {"accounts": proposed, "config": ctx.config})
    return Generated(tuple(issues), groups, (("proposals", table),))


def _part(ctx: Context) -> ExecutiveSponsorship:
    assert ctx.program.esp is not None  # the model requires it for this kind
    return ctx.program.esp


def _people(ctx: Context, account: Account) -> dict[str, Any]:
    team = tuple(ctx.config.person(u) for u in account.account_team)
    return {"account": account, "sponsor": ctx.config.person(account.sponsor), "team": team}


def _account_issues(
    ctx: Context, part: ExecutiveSponsorship, window: _Window, account: Account
) -> Iterator[DesiredIssue]:
    values = {"program": ctx.program, **_people(ctx, account)}
    assignees = (account.sponsor, *account.account_team)
    yield ctx.issue(
        key=f"{ctx.program.id}/account/{account.id}/account-plan",
        title=ctx.title(ctx.program.title, ("title",), values),
        template=ctx.program.template,
        values=values,
        subject=f"{account.name}: account plan",
        group=account.name,
        assignees=assignees,
        epic_key=ctx.group_epic_key(account.id),
    )
    cadences = (
        ("monthly", part.templates.account_monthly),
        ("quarterly", part.templates.account_quarterly),
        ("annual", part.templates.account_annual),
    )
    for cadence, template in cadences:
        for item in window.periods(cadence, account.start, account.end):
            yield _cadence_issue(
                ctx,
                window,
                item,
                template=template,
                values={**values, "group": account},
                owner=f"account/{account.id}",
                assignees=assignees,
            )


def _program_issues(
    ctx: Context, part: ExecutiveSponsorship, window: _Window, approved: list[Account]
) -> list[DesiredIssue]:
    if not approved:
        return []
    start = min(a.start for a in approved)
    values = {"program": ctx.program, "group": None}
    manager = (part.program_manager,)
    monthly = [
        _cadence_issue(
            ctx,
            window,
            p,
            template=part.templates.program_monthly,
            values=values,
            owner="program",
            assignees=manager,
        )
        for p in window.periods("monthly", start, None)
    ]
    scorecards = [
        _cadence_issue(
            ctx,
            window,
            p,
            template=part.templates.program_scorecard,
            values=values,
            owner="program/scorecard",
            assignees=manager,
            # a past quarter's scorecard keeps the figures it closed with
            scorecard=_scorecard(ctx, approved, p) if p.end >= ctx.today else None,
        )
        for p in window.periods("quarterly", start, None)
    ]
    return monthly + scorecards


def _cadence_issue(
    ctx: Context,
    window: _Window,
    item: Period,
    *,
    template: str,
    values: Mapping[str, Any],
    owner: str,
    assignees: tuple[str, ...],
    scorecard: Any = None,
) -> DesiredIssue:
    weeks = [
        item.start + dt.timedelta(days=d)
        for d in range((item.end - item.start).days + 1)
        if (item.start + dt.timedelta(days=d)).weekday() == 0
    ]
    full = {**values, "period": item, "weeks": weeks}
    account = values.get("account")
    title = f"ESP {item.name}: " + (
        f"{account.name} {_NAMES[item.cadence]}" if account else _NAMES[f"program-{item.cadence}"]
    )
    return ctx.issue(
        key=f"{ctx.program.id}/{owner}/{item.cadence}/{item.key}",
        title=ctx.title("{{ title }}", ("title",), {"title": title}),
        template=template,
        values=full,
        subject=f"{account.name if account else 'Program'}: {item.name} {item.cadence}",
        group=account.name if account else "Program",
        assignees=assignees,
        due_date=item.end,
        epic_key=ctx.group_epic_key(account.id) if account else ctx.program_epic_key(),
        create=window.creates(item),
        derived=(("scorecard", scorecard),) if scorecard else (),
    )


_NAMES = {
    "monthly": "account planning session",
    "quarterly": "quarterly review",
    "annual": "annual review",
    "program-monthly": "E-Group and CRO LT program update",
    "program-quarterly": "program scorecard",
}


def _scorecard(ctx: Context, accounts: list[Account], quarter: Period) -> Any:
    """The scorecard block of a quarter: each account's KPIs and cadence compliance."""
    specs = record_specs(ctx.program)
    program = ctx.program.id

    def derive(measured: Mapping[str, Measured]) -> str:
        rows = [
            _account_row(program, a, quarter, measured, ctx)
            for a in accounts
            if a.start <= quarter.end and (a.end is None or a.end >= quarter.start)
        ]
        plans = [row["records"] for row in rows if row["records"] is not None]
        values = {
            "quarter": quarter,
            "rows": rows,
            "specs": specs,
            "averages": averages(plans, specs),
        }
        return ctx.renderer.render(SCORECARD_BLOCK, values)

    return derive


def _account_row(
    program: str, account: Account, quarter: Period, measured: Mapping[str, Measured], ctx: Context
) -> dict[str, Any]:
    base = f"{program}/account/{account.id}"
    months = periods(
        "monthly",
        max(quarter.start, account.start),
        min(quarter.end, ctx.today),
        _part(ctx).fiscal_year_start_month,
    )
    sessions = [measured.get(f"{base}/monthly/{m.key}") for m in months]
    quarterly = measured.get(f"{base}/quarterly/{quarter.key}")
    touchpoint = None
    if quarterly is not None:
        section = next(
            (s for s in quarterly.progress.sections if s.section.heading == TOUCHPOINT), None
        )
        touchpoint = bool(section and section.found and section.tasks.complete)
    plan = measured.get(f"{base}/account-plan")
    return {
        "account": account,
        "records": plan.records if plan else None,
        "sessions_done": sum(1 for s in sessions if s and s.progress.status is Status.COMPLETE),
        "sessions": len(months),
        "touchpoint": touchpoint,
    }
