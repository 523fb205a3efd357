"""Read queries for accounts and tenancy, scoped to what the requesting user may see.

Every other app scopes its reads through ``organisation_ids`` and ``role_in``, so
there is one answer to "which organisations can this user see, and as what?".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Model, Q, QuerySet
from django.utils import timezone

from backend.errors import forbid
from backend.models import (
    AllowedDomain,
    Invitation,
    Membership,
    Organisation,
    SignInEvent,
    Unit,
    User,
)

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


def administered_organisation(
    *, user: User, organisation_id: str | int | None = None
) -> Organisation:
    """The organisation whose administration pages ``user`` is on: the one asked for, or
    the first they administer. Refused (403, saying who can) for anyone else."""
    administered = sorted(
        (
            m.organisation
            for m in user_memberships(user=user).values()
            if m.role == Membership.Role.ADMIN
        ),
        key=lambda organisation: organisation.name,
    )
    for organisation in administered:
        if organisation_id in (None, "", organisation.pk, str(organisation.pk)):
            return organisation
    forbid("Only your organisation's Ripple administrators can manage its people and settings.")


def administered_organisations(*, user: User) -> list[Organisation]:
    """Every organisation the user administers, by name."""
    return sorted(
        (
            m.organisation
            for m in user_memberships(user=user).values()
            if m.role == Membership.Role.ADMIN
        ),
        key=lambda organisation: organisation.name,
    )


def member_list(
    *, organisation: Organisation, search: str = "", role: str = ""
) -> QuerySet[Membership]:
    """The organisation's members (the deactivated too), by name, with what the list shows."""
    members = Membership.objects.filter(organisation=organisation).select_related(
        "user", "home_unit"
    )
    if search:
        members = members.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
        )
    if role:
        members = members.filter(role=role)
    return members.order_by("user__full_name", "user__email")


def invitation_list(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations not yet taken up or withdrawn (expired ones too, to be sent again)."""
    return (
        Invitation.objects.filter(organisation=organisation, accepted_at=None, revoked_at=None)
        .select_related("home_unit", "invited_by")
        .order_by("-created_at", "-id")
    )


def allowed_domain_list(*, organisation: Organisation) -> QuerySet[AllowedDomain]:
    """The e-mail domains whose people may join by single sign-on without an invitation."""
    return AllowedDomain.objects.filter(organisation=organisation).order_by("domain")


def unit_tree(*, organisation: Organisation, active_only: bool = False) -> list[tuple[Unit, int]]:
    """The organisation's units in tree order with each one's depth, in one query."""
    units = Unit.objects.filter(organisation=organisation).select_related("parent")
    if active_only:
        units = units.filter(is_active=True)
    children: dict[int | None, list[Unit]] = {}
    for unit in units.order_by("name"):
        children.setdefault(unit.parent_id, []).append(unit)
    found: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            found.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return found


@dataclass(frozen=True)
class SignInSummary:
    membership: Membership
    last_sign_in: datetime | None
    failures: int
    lockouts: int
    last_failure: datetime | None


def sign_in_summaries(*, organisation: Organisation, days: int = 30) -> list[SignInSummary]:
    """For each member: their last sign-in, and their wrong passwords and lockouts over the
    last ``days`` days; those with the most trouble first. Two queries however many."""
    since = timezone.now() - timedelta(days=days)
    members = list(member_list(organisation=organisation))
    counts = {
        row["user_id"]: row
        for row in SignInEvent.objects.filter(
            user_id__in=[m.user_id for m in members], at__gte=since
        )
        .values("user_id")
        .annotate(
            failures=Count("id", filter=Q(outcome=SignInEvent.Outcome.FAILED)),
            lockouts=Count(
                "id",
                filter=Q(outcome=SignInEvent.Outcome.LOCKED_OUT) & ~Q(detail="Tried while locked"),
            ),
            last_failure=Max("at", filter=~Q(outcome=SignInEvent.Outcome.SIGNED_IN)),
        )
    }
    summaries = [
        SignInSummary(
            membership=m,
            last_sign_in=m.user.last_login,
            failures=counts.get(m.user_id, {}).get("failures", 0),
            lockouts=counts.get(m.user_id, {}).get("lockouts", 0),
            last_failure=counts.get(m.user_id, {}).get("last_failure"),
        )
        for m in members
    ]
    return sorted(summaries, key=lambda s: (-s.lockouts, -s.failures, s.membership.user.email))


def sign_in_event_list(*, organisation: Organisation) -> QuerySet[SignInEvent]:
    """Attempts to sign in to the accounts of the organisation's members, newest first."""
    return (
        SignInEvent.objects.filter(user__memberships__organisation=organisation)
        .select_related("user")
        .order_by("-at", "-id")
    )


def change_history(instance: Model, *, limit: int = 20) -> list:
    """The latest changes to a record kept by django-simple-history: who, when, and why."""
    return list(instance.history.select_related("history_user").order_by("-history_date")[:limit])


def settings_history(*, organisation: Organisation, limit: int = 20) -> list:
    """Changes to the organisation's sign-in settings and allowed domains, newest first."""
    domains = AllowedDomain.history.filter(organisation_id=organisation.pk).select_related(
        "history_user"
    )
    changes = change_history(organisation, limit=limit) + list(
        domains.order_by("-history_date")[:limit]
    )
    return sorted(changes, key=lambda change: change.history_date, reverse=True)[:limit]
