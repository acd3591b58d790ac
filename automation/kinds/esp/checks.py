"""Cross-checks of an Executive Sponsorship Program: accounts, sponsors and commitments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from automation.calendar import add_months, fiscal_year
from automation.config.source import Source, duplicates
from automation.errors import Problem
from automation.kinds.esp.model import EspProgram, ExecutiveSponsorship
from automation.kinds.kind import People


def check_esp(program: EspProgram, source: Source, people: People) -> Iterator[Problem]:
    """People exist, commitments last long enough, no sponsor has too many accounts a year."""
    part = program.esp
    accounts = part.accounts
    yield from duplicates(
        source,
        [("esp", "accounts", i, "id") for i in range(len(accounts))],
        [a.id for a in accounts],
        "account id",
    )
    if not people.knows(part.program_manager):
        yield people.missing(
            source, ("esp", "program_manager"), f"program manager '{part.program_manager}'"
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
                yield source.problem(
                    (*loc, field),
                    f"account '{account.id}': {field} '{who}' "
                    "is not in the roster; add them to people.yml",
                )
        # the end date is the commitment's last day: Feb 1 to Jan 31 is a full year
        minimum = add_months(account.start, part.min_commitment_months) - dt.timedelta(days=1)
        if account.end is not None and account.end < minimum:
            yield source.problem(
                (*loc, "end"),
                f"account '{account.id}' with sponsor "
                f"'{account.sponsor}': the commitment ends {account.end}, "
                f"before {minimum}; sponsors commit for at least "
                f"{part.min_commitment_months} months",
            )
    yield from _sponsor_cap(part, source)


def _sponsor_cap(part: ExecutiveSponsorship, source: Source) -> Iterator[Problem]:
    """At most N accounts per sponsor in any program year (proposed ones count too)."""
    load: dict[tuple[str, int], list[int]] = defaultdict(list)
    month = part.fiscal_year_start_month
    # an open-ended account counts in every year up to the last one any account reaches
    horizon = max(fiscal_year(a.end or a.start, month) for a in part.accounts) + 1
    for i, account in enumerate(part.accounts):
        first = fiscal_year(account.start, month)
        last = fiscal_year(account.end, month) if account.end else horizon
        for year in range(first, last + 1):
            load[(account.sponsor.lower(), year)].append(i)
    for (sponsor, year), indexes in sorted(load.items()):
        if len(indexes) > part.max_accounts_per_sponsor:
            names = ", ".join(part.accounts[i].id for i in indexes)
            yield source.problem(
                ("esp", "accounts", indexes[part.max_accounts_per_sponsor], "sponsor"),
                f"sponsor '{sponsor}' has {len(indexes)} accounts in FY{year % 100:02d} "
                f"({names}); a sponsor takes at most {part.max_accounts_per_sponsor} a year",
            )
