"""Whose pair issue a sponsorship key is, and when its cohorts end."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from automation.course import MEMBER_WORDS, Course, Member, Renaming
from automation.kinds.sponsorship.model import Pair, SponsorshipProgram


def course(program: SponsorshipProgram) -> Course:
    """A key `cohort/sponsee[/...]` is one of that pair's issues (a reason is given by the sponsee's
    username); a cohort ends `program_months` after its start, the pairs' due date."""
    part = program.sponsorship
    pairs = {
        (cohort_id, sponsee.lower()): pair
        for cohort in part.cohorts
        for pair in cohort.pairs
        for cohort_id in filter(None, (cohort.id, cohort.renamed_from))
        for sponsee in filter(None, (pair.sponsee, pair.renamed_from))
    }  # with the former ids of a cohort or sponsee renamed: their issues' keys
    return Course(
        member=partial(_member, pairs),
        ends={c.id: part.end_of(c) for c in part.cohorts},
        starts={c.id: c.start for c in part.cohorts},
        names={c.id: c.name for c in part.cohorts},
        formerly={c.renamed_from: c.id for c in part.cohorts if c.renamed_from},
        named=frozenset(
            name.lower()
            for cohort in part.cohorts
            for pair in cohort.pairs
            for name in filter(None, (pair.sponsee, pair.renamed_from, pair.sponsor))
        ),
        renaming=Renaming(1, "give the pair of '{new}' in cohort '{group}' `renamed_from: {old}`"),
    )


def _member(pairs: Mapping[tuple[str, str], Pair], rest: str) -> Member | None:
    """`cohort/sponsee` (the pair's issue) and `cohort/sponsee/...` (its scores and career
    advancement issues) are the pair's, unless the pair is still released: then an issue of
    it no longer asked for (one a rehearsal of a later day made) is not a departure. A
    sponsor's score issue, `cohort/sponsee/sponsor-scores/sponsor`, is that sponsor's: theirs
    departs when the pair has another sponsor now."""
    parts = rest.split("/")
    sponsor = parts[3] if len(parts) == 4 and parts[2] == "sponsor-scores" else None
    if (len(parts) not in (2, 3) and sponsor is None) or parts[1] in MEMBER_WORDS:
        return None
    pair = pairs.get((parts[0], parts[1]))
    listed = len(parts) == 2  # the cohort's rollup lists the pair's issue, not the others
    if pair is None or not pair.released:
        return Member(parts[1], parts[0], listed, held=pair.status if pair else None)
    if sponsor is None or sponsor == pair.sponsor.lower():
        return None
    return Member(sponsor, parts[0], listed, replaced=True)
