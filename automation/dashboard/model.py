"""What the dashboard shows of a program and its cohorts, built from the very rows its rollup
issues are rendered from, so the site's figures are the rollups' figures (pure)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from automation.blocks import RollupRow, counted, withdrawn
from automation.charts import Bar, phase_bars, rollup_history
from automation.config.models import Program
from automation.desired import DesiredProgram
from automation.history import Week, read_history, weekly
from automation.items import ObservedIssue
from automation.kinds.onboarding.model import OnboardingProgram
from automation.progress import Status, total

SOON = dt.timedelta(weeks=6)  # how far ahead "upcoming" looks
MAX_UPCOMING = 50
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Late:
    """An overdue issue: whose, where it stands."""

    reference: str
    url: str | None
    subject: str
    group: str
    phase: str
    percent: int


@dataclass(frozen=True)
class Upcoming:
    """A workshop, session or deadline ahead."""

    day: dt.date
    what: str
    detail: str
    url: str | None = None


@dataclass(frozen=True)
class Page:
    """A program's or a cohort's page."""

    slug: str
    name: str
    program: str  # the program's name
    confidential: bool
    overall: Bar
    phases: tuple[Bar, ...]
    weeks: tuple[Week, ...]  # the burn-up, week by week up to today; empty without history
    issues: int
    complete: int
    overdue: tuple[Late, ...]
    upcoming: tuple[Upcoming, ...] = ()
    cohorts: tuple[Page, ...] = field(default=())
    # whether an issue of its own keeps its weekly figures (none for a cohort of a program
    # with no rollup issue per cohort: a trial read "none yet" there as "wait for it")
    has_rollup: bool = True
    # a group whose rollup issue keeps the figures of its end (an independent check read
    # other figures here than in that issue, unsaid): its figures here are its issues' now
    ended: bool = False


@dataclass(frozen=True)
class Rollups:
    """The rows each rollup of a program lists: the tracking issue's (group None) and each
    cohort rollup's (by the group's name), as planning rendered them."""

    rows: Mapping[str | None, Sequence[RollupRow]]
    # the groups whose rollup issue keeps the figures of their end (lifecycle.py)
    ended: frozenset[str] = frozenset()


def program_page(
    desired: DesiredProgram,
    rollups: Rollups,
    issues: Sequence[ObservedIssue],
    today: dt.date,
    slug: str,
) -> Page:
    """A program's page, with one page per cohort (each group its rows name)."""
    program = desired.program
    rows = list(rollups.rows.get(None, ()))
    found = {issue.key: issue for issue in issues if issue.key}
    urls = {issue.reference: _url(issue) for issue in issues}
    rollup_keys = {item.subject: item.key for item in desired.rollups}
    seen = list(dict.fromkeys(row.group for row in rows if row.group))
    # in the configuration's order of its groups (workshops by date, as written), not by
    # whose row came first (a tester: January's workshop before December's)
    named = (*(item.subject for item in desired.rollups), *desired.course.names.values())
    place = {name: n for n, name in reversed(list(enumerate(named)))}  # first place wins
    groups = sorted(seen, key=lambda name: (place.get(name, len(place)), seen.index(name)))
    cohorts = tuple(
        _page(
            program,
            f"{slug}--{page_name(name)}",
            name,
            list(rollups.rows.get(name) or [row for row in rows if row.group == name]),
            found.get(rollup_keys.get(name, "")),
            urls,
            today,
            has_rollup=name in rollup_keys,
            ended=name in rollups.ended,
        )
        for name in groups
    )
    page = _page(program, slug, program.name, rows, found.get(desired.tracking.key), urls, today)
    ahead = (*_workshops(program, today), *_due_soon(desired, issues, today))
    upcoming = sorted(ahead, key=lambda u: u.day)[:MAX_UPCOMING]  # stable: each list's order
    return replace(page, upcoming=tuple(upcoming), cohorts=cohorts)


def _page(  # noqa: PLR0917
    program: Program,
    slug: str,
    name: str,
    rows: list[RollupRow],
    rollup_issue: ObservedIssue | None,
    urls: Mapping[str, str | None],
    today: dt.date,
    has_rollup: bool = True,
    ended: bool = False,
) -> Page:
    totals = total(counted(rows), program)
    description = rollup_issue.description if rollup_issue else None
    history = (  # an ended group's weeks stop at its end, as its issue's do
        read_history(description)
        if ended and description is not None
        else rollup_history(description, totals, today)
    )
    return Page(
        slug=slug,
        name=name,
        program=program.name,
        confidential=program.outputs_hidden,
        overall=Bar("Overall", totals.overall.completed_count, totals.overall.count),
        phases=phase_bars(totals, lambda section: section.heading),
        weeks=tuple(weekly(history, None if ended else today)) if rollup_issue else (),
        issues=sum(1 for row in rows if not withdrawn(row)),
        complete=sum(1 for p in counted(rows) if p.status is Status.COMPLETE),
        overdue=tuple(_late(row, urls) for row in rows if _overdue(row)),
        has_rollup=has_rollup,
        ended=ended,
    )


def _overdue(row: RollupRow) -> bool:
    return row.progress is not None and row.progress.status is Status.OVERDUE


def _late(row: RollupRow, urls: Mapping[str, str | None]) -> Late:
    assert row.progress is not None
    return Late(
        row.reference or "(unresolved)",
        urls.get(row.reference or ""),
        row.subject,
        row.group,
        row.progress.phase_cell,
        row.progress.overall.percent,
    )


def _workshops(program: Program, today: dt.date) -> Iterable[Upcoming]:
    """An onboarding program's workshops under way, or starting in the next weeks."""
    if not isinstance(program, OnboardingProgram):
        return ()
    return (
        Upcoming(w.start, f"Workshop {w.dates}", f"{w.geo}, {w.location}", w.issue)
        for w in sorted(program.onboarding.workshops, key=lambda w: w.start)
        if w.end >= today and w.start <= today + SOON
    )


def _due_soon(
    desired: DesiredProgram, issues: Sequence[ObservedIssue], today: dt.date
) -> list[Upcoming]:
    """Open tracked issues due in the next weeks (an ESP program's sessions and reviews, a
    hire's milestones), soonest first; a confidential issue of a public program by the title
    the tool gave it (a person may have written into its title what only those who can see
    the issue may read, and the site's readers include Guests)."""
    tracked = desired.by_key
    due = [
        issue
        for issue in issues
        if issue.key in tracked
        and issue.state == "opened"
        and issue.due_date is not None
        and today <= issue.due_date <= today + SOON
    ]
    hidden = not desired.program.is_confidential
    return [
        Upcoming(
            issue.due_date,
            tracked[issue.key or ""].title if hidden and issue.confidential else issue.title,
            f"due, {issue.reference}",
            _url(issue),
        )
        for issue in sorted(due, key=lambda i: (i.due_date or today, i.iid))
        if issue.due_date is not None
    ]


def _url(issue: ObservedIssue) -> str | None:
    """A link to the issue on GitLab (the local backend's issues have none)."""
    return issue.web_url if issue.web_url.startswith(("https://", "http://")) else None


def page_name(group: str) -> str:
    """A group's page name, its own whatever other groups come and go (a saved link keeps
    showing its group): its name as letters and digits, for people to read, and a short hash
    of the whole name, which tells apart names those letters do not (`Müller AG` and `Möller
    AG`, names in other scripts)."""
    return f"{_slug(group)}-{hashlib.sha256(group.encode()).hexdigest()[:8]}"


def _slug(name: str) -> str:
    return _SLUG.sub("-", name.lower())[:40].strip("-") or "group"
