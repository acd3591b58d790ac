"""The program file of an Executive Sponsorship Program: accounts, cadence templates, titles."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from automation.config.counts import Amount, Count
from automation.config.models import Date, Frozen, OneLine, Program, Slug, Username


class Account(Frozen):
    """A customer account in the Executive Sponsorship Program, and its pairing."""

    id: Slug
    name: OneLine
    sponsor: Username
    account_team: tuple[Username, ...] = Field(min_length=1)
    start: Date
    end: Date | None = Field(default=None, description="end of the commitment")
    ended_early: OneLine | None = Field(
        default=None,
        description="why the commitment ended before its minimum (the customer left, say): "
        "an `end` that early is then taken",
    )
    status: Literal["proposed", "approved"] = "proposed"
    renamed_from: Slug | None = Field(default=None, description="the account's former id")


class CadenceTemplates(Frozen):
    """The template of each operating-cadence issue."""

    account_monthly: str = "esp/account-monthly.md.j2"
    account_quarterly: str = "esp/account-quarterly.md.j2"
    account_annual: str = "esp/account-annual.md.j2"
    program_monthly: str = "esp/program-monthly.md.j2"
    program_scorecard: str = "esp/program-scorecard.md.j2"
    program_annual: str = "esp/program-annual.md.j2"


class CadenceTitles(Frozen):
    """The title of each operating-cadence issue: Jinja expressions that get `period` (its
    `name`, `start`, `end`), `program` and, for an account's issues, `account` and `sponsor`."""

    account_monthly: OneLine = "ESP {{ period.name }}: {{ account.name }} account planning session"
    account_quarterly: OneLine = "ESP {{ period.name }}: {{ account.name }} quarterly review"
    account_annual: OneLine = "ESP {{ period.name }}: {{ account.name }} annual review"
    program_monthly: OneLine = "ESP {{ period.name }}: E-Group and CRO LT program update"
    program_scorecard: OneLine = "ESP {{ period.name }}: program scorecard"
    program_annual: OneLine = "ESP {{ period.name }}: annual program review and account selection"


class Kpi(Frozen):
    """A KPI's target on the quarterly program scorecard (one of the program's `records`)."""

    label: OneLine
    group: OneLine | None = Field(default=None, description="e.g. Relationship score")
    target: Amount | None = Field(default=None, description="none: a value recorded and shown")
    at_most: bool = Field(default=False, description="the target is a maximum (time to value)")
    per_year: bool = Field(
        default=False,
        description="counted per account year in its annual review issue, not the account "
        "plan; never averaged (public references: 2 a year)",
    )


class Leadership(Frozen):
    """Who drives the program's accountability (the CEO and the CRO), named in the program's
    annual issue; optional."""

    ceo: Username | None = None
    cro: Username | None = None


class ExecutiveSponsorship(Frozen):
    """The `esp:` part of an Executive Sponsorship Program."""

    fiscal_year_start_month: Count = Field(default=2, ge=1, le=12)
    create_days_ahead: Count = Field(default=0, ge=0, le=31)
    backfill: Literal["quarter", "year", "none"] = Field(
        default="quarter",
        description="periods that ended with no issue (runs were missed) are created, overdue, "
        "back to the start of the current fiscal quarter or year",
    )
    max_accounts_per_sponsor: Count = Field(default=4, ge=1)
    sponsor_cap: Literal["warning", "error"] = Field(
        default="warning",
        description="a sponsor over `max_accounts_per_sponsor` (the page's target): a warning, "
        "or with `error` a failed item whose accounts get no new issues (other programs run)",
    )
    min_commitment_months: Count = Field(default=12, ge=1)
    program_manager: Username
    templates: CadenceTemplates = CadenceTemplates()
    titles: CadenceTitles = CadenceTitles()
    touchpoint: OneLine = Field(
        default="Sponsor touchpoint",
        description="the quarterly issue's section whose tasks, all ticked, prove the touchpoint",
    )
    kpis: tuple[Kpi, ...] = Field(default=(), description="targets on the scorecard")
    leadership: Leadership = Leadership()
    accounts: tuple[Account, ...] = Field(min_length=1)

    def kpi(self, label: str) -> Kpi | None:
        """The scorecard target of a recorded value, if it has one."""
        return next((k for k in self.kpis if k.label == label), None)


class EspProgram(Program):
    """Account plans and the operating cadence, by fiscal period (Executive Sponsorship)."""

    backfill_setting: ClassVar[str | None] = "esp.backfill"

    kind: Literal["esp"]
    esp: ExecutiveSponsorship

    def lead_username(self) -> str | None:
        """The page's program manager, who "owns ... measure success"."""
        return self.esp.program_manager

    def template_files(self) -> tuple[tuple[tuple[str | int, ...], str], ...]:
        """The program's, and each operating-cadence issue's."""
        cadences = self.esp.templates
        own = (
            (("esp", "templates", name), str(getattr(cadences, name)))
            for name in type(cadences).model_fields
        )
        return (*super().template_files(), *own)

    def year_start_month(self) -> int:
        """The fiscal year's first month."""
        return self.esp.fiscal_year_start_month
