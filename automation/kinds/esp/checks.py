"""Cross-checks of an Executive Sponsorship Program: accounts, sponsors and commitments."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from automation.calendar import add_months, fiscal_year
from automation.config.source import Source, duplicates
from automation.errors import Problem
from automation.kinds.esp.model import EspProgram, ExecutiveSponsorship
from automation.kinds.kind import CHANGED, NAMED, People

# what to do about an account's sponsor or team member who left (a trial: not said)
_LEFT = {
    "sponsor": "name another sponsor",
    "account_team": "take them out of `account_team`",
}


def account_words(data: Mapping[str, object]) -> Iterator[str]:
    """What names a customer in an ESP program file: each account's id, former id and name,
    whole (as written, valid or not; a word of a name, like "Health" or "Public", would hide
    that word in every message)."""
    esp = data.get("esp")
    accounts = esp.get("accounts") if isinstance(esp, Mapping) else None
    for account in accounts if isinstance(accounts, list | tuple) else ():
        for field in ("id", "renamed_from", "name"):
            value = account.get(field) if isinstance(account, Mapping) else None
            if isinstance(value, str):
                yield value


def check_esp(program: EspProgram, source: Source, people: People) -> Iterator[Problem]:
    """People exist, commitments last long enough, KPI targets name recorded values. (A
    sponsor over the accounts cap is the page's target, not a rule: see `over_cap`.)"""
    part = program.esp
    accounts = part.accounts
    yield from duplicates(
        source,
        [("esp", "accounts", i, "id") for i in range(len(accounts))],
        [a.id for a in accounts],
        "account id",
    )
    names = [("esp", "accounts", i, "name") for i in range(len(accounts))]
    yield from duplicates(source, names, [a.name for a in accounts], "account name", NAMED)
    if not people.knows(part.program_manager):
        yield people.missing(
            source,
            ("esp", "program_manager"),
            f"program manager '{part.program_manager}'",
            typed=part.program_manager,
        )
    for i, account in enumerate(accounts):
        loc = ("esp", "accounts", i)
        team = account.account_team
        yield from duplicates(
            source,
            [(*loc, "account_team", j) for j in range(len(team))],
            [member.lower() for member in team],
            f"account '{account.id}': account team member",
        )
        for field, who in (
            ("sponsor", account.sponsor),
            *(("account_team", member) for member in account.account_team),
        ):
            if not people.knows(who):
                shown = "" if program.is_confidential else who  # a typo names them too
                named = f" '{shown}'" if shown else ""
                yield people.missing(
                    source,
                    (*loc, field),
                    f"account '{account.id}': {field}{named}",
                    f"{CHANGED}; if they left, {_LEFT[field]}",
                    typed=shown,
                )
        # the end date is the commitment's last day: Feb 1 to Jan 31 is a full year
        minimum = add_months(account.start, part.min_commitment_months) - dt.timedelta(days=1)
        if account.end is not None and account.end < account.start:
            yield source.problem(
                (*loc, "end"),
                f"account '{account.id}': its end {account.end} comes before its start "
                f"{account.start}; fix one of the two dates",
            )
        elif (
            account.end is not None
            and account.end < minimum
            and not account.ended_early
            and not _over(account.end, people.today)
        ):
            yield source.problem(
                (*loc, "end"),
                f"account '{account.id}' with sponsor "
                f"'{account.sponsor}': the commitment ends {account.end}, "
                f"before {minimum}; sponsors commit for at least "
                f"{part.min_commitment_months} months. If it ended early, say why with "
                "`ended_early:` on the account",
            )
    yield from _kpis(program, source)
    yield from _touchpoint(program, source)
    for role in ("ceo", "cro"):
        who = getattr(part.leadership, role)
        if who is not None and not people.knows(who):
            yield people.missing(
                source, ("esp", "leadership", role), f"{role.upper()} '{who}'", typed=who
            )


def _kpis(program: EspProgram, source: Source) -> Iterator[Problem]:
    """Each KPI target names one of the program's recorded values, once."""
    kpis = program.esp.kpis
    labels = [r.label for r in program.records]
    yield from duplicates(
        source,
        [("esp", "kpis", i, "label") for i in range(len(kpis))],
        [k.label for k in kpis],
        "KPI",
    )
    for i, kpi in enumerate(kpis):
        if kpi.label not in labels:
            yield source.problem(
                ("esp", "kpis", i, "label"),
                f"KPI '{kpi.label}' is not one of the program's `records` "
                f"({', '.join(labels) or 'none'}); add it there or fix the label",
            )


def _over(end: dt.date, today: dt.date | None) -> bool:
    """Whether a commitment ended before TODAY: served under the minimum of its time (a trial:
    a minimum raised for new sponsors stopped every run on an account over a year before)."""
    return today is not None and end < today


def _touchpoint(program: EspProgram, source: Source) -> Iterator[Problem]:
    """The touchpoint names one of the program's sections (a trial: a misspelt one passed,
    and every account's scorecard said its touchpoint was not held, ticked or not)."""
    headings = [section.heading for section in program.sections]
    touchpoint = program.esp.touchpoint
    # the default, where no section has it: a program without touchpoints, as before
    if touchpoint not in headings and "touchpoint" in program.esp.model_fields_set:
        close = difflib.get_close_matches(touchpoint, headings, 1, 0.6)
        hint = f"did you mean '{close[0]}'?" if close else "name the quarterly issue's section"
        yield source.problem(
            ("esp", "touchpoint"),
            f"touchpoint '{touchpoint}' is not one of the program's `sections`; {hint} (its "
            "tasks, all ticked, are the quarter's sponsor touchpoint on the scorecard)",
        )


@dataclass(frozen=True)
class OverCap:
    """An account that takes its sponsor over the cap in a fiscal year: the sponsor's
    accounts that year, in the order they joined, and this one past the cap."""

    index: int  # of the account in `esp.accounts`
    sponsor: str
    year: int
    accounts: tuple[str, ...]
    cap: int

    @property
    def message(self) -> str:
        return (
            f"sponsor '{self.sponsor}' has {len(self.accounts)} accounts in "
            f"FY{self.year % 100:02d} ({', '.join(self.accounts)}); the program targets at "
            f"most {self.cap} account{'' if self.cap == 1 else 's'} per sponsor a year"
        )


def over_cap(part: ExecutiveSponsorship, since: int | None = None) -> list[OverCap]:
    """The accounts past `max_accounts_per_sponsor` of their sponsor in any program year (from
    fiscal year SINCE on, when given: a year over is history, nothing to rebalance), the
    latest to join first to go over (proposed ones count too); each account once."""
    load: dict[tuple[str, int], list[int]] = defaultdict(list)
    month = part.fiscal_year_start_month
    # an open-ended account counts in every year up to the last one any account reaches
    horizon = max(fiscal_year(a.end or a.start, month) for a in part.accounts) + 1
    for i, account in enumerate(part.accounts):
        first = fiscal_year(account.start, month)
        last = fiscal_year(account.end, month) if account.end else horizon
        for year in range(first, last + 1):
            load[(account.sponsor.lower(), year)].append(i)
    found: dict[int, OverCap] = {}
    for (sponsor, year), indexes in sorted(load.items()):
        if since is not None and year < since:
            continue
        if len(indexes) > part.max_accounts_per_sponsor:
            joined = sorted(indexes, key=lambda i: (part.accounts[i].start, i))
            names = tuple(part.accounts[i].id for i in joined)
            for i in joined[part.max_accounts_per_sponsor :]:
                found.setdefault(i, OverCap(i, sponsor, year, names, part.max_accounts_per_sponsor))
    return sorted(found.values(), key=lambda o: o.index)
