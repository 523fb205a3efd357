"""Read queries for accounts and tenancy, scoped to what the requesting user may see.

Every other app scopes its reads through ``organisation_ids`` and ``role_in``, so
there is one answer to "which organisations can this user see, and as what?".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from backend.models import Membership, Organisation, Unit, User

_CACHE_ATTR = "_ripple_memberships"


def is_platform_operator(*, user: User) -> bool:
    """Whether ``user`` runs the Ripple installation itself: staff, and a member of no
    organisation. Only they open the Django admin (which sees every organisation) and
    read why a health check failed; an organisation's own people never do, whatever
    their flags say."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and not user_memberships(user=user)
    )


def user_memberships(*, user: User) -> dict[int, Membership]:
    """The user's memberships by organisation id, read once per request and kept on the user."""
    if not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {
            m.organisation_id: m
            for m in Membership.objects.filter(user=user).select_related("organisation")
        }
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(*, user: User) -> None:
    """Drop the per-request cache after the user's memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def organisation_ids(*, user: User, roles: Iterable[str] | None = None) -> list[int]:
    """Ids of the organisations the user belongs to, optionally only where they hold ``roles``."""
    wanted = set(roles) if roles is not None else None
    return [
        org_id
        for org_id, membership in user_memberships(user=user).items()
        if wanted is None or membership.role in wanted
    ]


def role_in(*, user: User, organisation_id: int) -> str | None:
    """The user's role in one organisation, or None when they are not a member."""
    membership = user_memberships(user=user).get(organisation_id)
    return membership.role if membership else None


def has_role(*, user: User, organisation_id: int, roles: Iterable[str]) -> bool:
    """Whether the user holds one of ``roles`` in the organisation."""
    return role_in(user=user, organisation_id=organisation_id) in set(roles)


def organisation_list(*, user: User) -> QuerySet[Organisation]:
    """The organisations the user belongs to."""
    return Organisation.objects.filter(id__in=organisation_ids(user=user))


def unit_list(*, user: User) -> QuerySet[Unit]:
    """Units of the user's organisations, with what their serialisers show."""
    return Unit.objects.filter(organisation_id__in=organisation_ids(user=user)).select_related(
        "organisation", "parent"
    )


def membership_list(*, user: User) -> QuerySet[Membership]:
    """Memberships of the user's organisations: who belongs, in which role."""
    return Membership.objects.filter(
        organisation_id__in=organisation_ids(user=user)
    ).select_related("user", "organisation", "home_unit")


def unit_descendant_ids(*, unit: Unit) -> list[int]:
    """The ids of ``unit`` and every unit beneath it, one query per level of the tree."""
    found = [unit.pk]
    frontier = [unit.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        found.extend(frontier)
    return found
