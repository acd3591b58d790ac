"""Cross-checks of an onboarding program: roles, workshops, hires and who they are."""

from __future__ import annotations

from collections.abc import Iterator

from automation.config.models import Onboarding
from automation.config.source import Source, duplicates
from automation.errors import Problem


def check_onboarding(part: Onboarding, source: Source, known: set[str]) -> Iterator[Problem]:
    """Roles and workshops are unique, hires exist and are in a role this program takes."""
    where = ("onboarding",)
    roles = {role.id: role for role in part.roles}
    excluded = {role.id: role for role in part.excluded_roles}
    workshops = {w.id for w in part.workshops}
    yield from duplicates(
        source,
        [(*where, "roles", i, "id") for i in range(len(part.roles))],
        [r.id for r in part.roles],
        "role id",
    )
    yield from duplicates(
        source,
        [(*where, "workshops", i, "id") for i in range(len(part.workshops))],
        [w.id for w in part.workshops],
        "workshop id",
    )
    yield from duplicates(
        source,
        [(*where, "hires", i, "username") for i in range(len(part.hires))],
        [h.username.lower() for h in part.hires],
        "hire",
    )
    if part.enablement_contact.lower() not in known:
        yield source.problem(
            (*where, "enablement_contact"),
            f"enablement contact '{part.enablement_contact}' is not in the "
            "roster; add them to people.yml or fix the username",
        )
    for i, workshop in enumerate(part.workshops):
        if workshop.end < workshop.start:
            yield source.problem(
                (*where, "workshops", i, "end"),
                f"workshop '{workshop.id}' ends before it starts; fix a date",
            )
    for i, hire in enumerate(part.hires):
        loc = (*where, "hires", i)
        if hire.username.lower() not in known:
            yield source.problem(
                (*loc, "username"),
                f"hire '{hire.username}' is not in the roster; add them to "
                "people.yml or fix the username",
            )
        if hire.role in excluded:
            yield source.problem(
                (*loc, "role"),
                f"hire '{hire.username}' has role '{hire.role}': "
                f"{excluded[hire.role].reason}; remove them from this program",
            )
        elif hire.role not in roles:
            yield source.problem(
                (*loc, "role"),
                f"role '{hire.role}' of hire '{hire.username}' is not one of "
                f"this program's roles ({', '.join(roles)}); fix it",
            )
        if hire.workshop is not None and hire.workshop not in workshops:
            yield source.problem(
                (*loc, "workshop"),
                f"workshop '{hire.workshop}' of hire '{hire.username}' is not "
                f"in `workshops` ({', '.join(sorted(workshops)) or 'none'})",
            )
