"""Write use-cases for accounts and tenancy."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, Unpack

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from backend import selectors
from backend.errors import ApplicationError, forbid
from backend.models import ADMIN_ROLES, Membership, Organisation, Unit, User, WorkerHeartbeat
from backend.updates import field_names, model_update, only


class UnitFields(TypedDict, total=False):
    """Where a unit sits and what kind of place it is."""

    parent: Unit | None
    level: str
    kind: str
    specialty: str
    tags: list[str]
    is_active: bool


class UnitChanges(UnitFields, total=False):
    name: str


class MembershipFields(TypedDict, total=False):
    """A member's place in the organisation besides their role."""

    home_unit: Unit | None
    capability: str
    caseload_capacity: int | None


class MembershipChanges(MembershipFields, total=False):
    role: str


def ensure_role(*, user: User, organisation_id: int, roles: frozenset[str], action: str) -> None:
    """Refuse (403) a user who may see the organisation but not do ``action`` in it."""
    if not selectors.has_role(user=user, organisation_id=organisation_id, roles=roles):
        forbid(f"Your role does not allow you to {action}.")


def token_create(*, email: str, password: str, request: Any = None) -> tuple[str, datetime | None]:
    """Sign in with e-mail and password; returns a new revocable API token and its expiry."""
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None:
        raise ApplicationError(
            "The e-mail address or password is not right.", code="invalid_credentials"
        )
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def _check_name_free(
    *, organisation: Organisation, parent: Unit | None, name: str, unit: Unit | None
) -> None:
    siblings = Unit.objects.filter(organisation=organisation, parent=parent, name__iexact=name)
    if unit is not None:
        siblings = siblings.exclude(pk=unit.pk)
    if siblings.exists():
        raise ApplicationError(
            "A unit with this name is already there.", field="name", code="duplicate"
        )


def _check_parent(*, organisation: Organisation, parent: Unit | None, unit: Unit | None) -> None:
    if parent is None:
        return
    if parent.organisation_id != organisation.pk:
        raise ApplicationError("The parent unit belongs to another organisation.", field="parent")
    ancestor: Unit | None = parent
    while unit is not None and ancestor is not None:
        if ancestor.pk == unit.pk:
            raise ApplicationError("A unit cannot sit beneath itself.", field="parent")
        ancestor = ancestor.parent


@transaction.atomic
def unit_create(
    *, by: User, organisation: Organisation, name: str, **fields: Unpack[UnitFields]
) -> Unit:
    """Add a site, division, directorate, ward or team to an organisation's hierarchy."""
    ensure_role(user=by, organisation_id=organisation.pk, roles=ADMIN_ROLES, action="add units")
    fields = only(UnitFields, fields, service="unit_create")
    _check_parent(organisation=organisation, parent=fields.get("parent"), unit=None)
    _check_name_free(organisation=organisation, parent=fields.get("parent"), name=name, unit=None)
    unit = Unit(organisation=organisation, name=name, **fields)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def unit_update(*, by: User, unit: Unit, **changes: Unpack[UnitChanges]) -> Unit:
    """Rename, move or re-describe a unit; it stays in its organisation."""
    ensure_role(
        user=by, organisation_id=unit.organisation_id, roles=ADMIN_ROLES, action="change units"
    )
    data = only(UnitChanges, changes, service="unit_update")
    if "parent" in data:
        _check_parent(organisation=unit.organisation, parent=data["parent"], unit=unit)

    def check(changed: Unit) -> None:
        _check_name_free(
            organisation=changed.organisation,
            parent=changed.parent,
            name=changed.name,
            unit=changed,
        )
        changed.full_clean()

    unit, _ = model_update(
        instance=unit, fields=field_names(UnitChanges), data=data, by=by, check=check
    )
    return unit


@transaction.atomic
def membership_create(
    *,
    by: User,
    organisation: Organisation,
    email: str,
    role: str,
    full_name: str = "",
    **fields: Unpack[MembershipFields],
) -> Membership:
    """Give a person a role in an organisation, creating their account if they have none.

    A new account has no usable password: the person sets one through password reset.
    """
    ensure_role(
        user=by,
        organisation_id=organisation.pk,
        roles=frozenset({Membership.Role.ADMIN}),
        action="manage memberships",
    )
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ApplicationError(
            "This person already belongs to the organisation; change their role instead.",
            field="email",
            code="duplicate",
        )
    fields = only(MembershipFields, fields, service="membership_create")
    _check_home_unit(organisation=organisation, home_unit=fields.get("home_unit"))
    membership = Membership(user=user, organisation=organisation, role=role, **fields)
    membership.full_clean()
    membership.save()
    return membership


def _check_home_unit(*, organisation: Organisation, home_unit: Unit | None) -> None:
    if home_unit is not None and home_unit.organisation_id != organisation.pk:
        raise ApplicationError("The home unit belongs to another organisation.", field="home_unit")


def _would_leave_no_admin(membership: Membership) -> bool:
    return (
        membership.role == Membership.Role.ADMIN
        and not Membership.objects.filter(
            organisation_id=membership.organisation_id, role=Membership.Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_update(
    *, by: User, membership: Membership, **changes: Unpack[MembershipChanges]
) -> Membership:
    """Change a member's role, home unit, capability or coaching capacity."""
    ensure_role(
        user=by,
        organisation_id=membership.organisation_id,
        roles=frozenset({Membership.Role.ADMIN}),
        action="manage memberships",
    )
    data = only(MembershipChanges, changes, service="membership_update")
    if data.get("role", membership.role) != membership.role and _would_leave_no_admin(membership):
        raise ApplicationError("An organisation needs at least one administrator.", field="role")
    if "home_unit" in data:
        _check_home_unit(organisation=membership.organisation, home_unit=data["home_unit"])
    membership, _ = model_update(
        instance=membership,
        fields=field_names(MembershipChanges),
        data=data,
        by=by,
        check=lambda changed: changed.full_clean(),
    )
    selectors.forget_memberships(user=membership.user)
    return membership


@transaction.atomic
def membership_delete(*, by: User, membership: Membership) -> None:
    """Remove a person from an organisation (their account and past work stay)."""
    ensure_role(
        user=by,
        organisation_id=membership.organisation_id,
        roles=frozenset({Membership.Role.ADMIN}),
        action="manage memberships",
    )
    if _would_leave_no_admin(membership):
        raise ApplicationError("An organisation needs at least one administrator.")
    membership.delete()


def worker_heartbeat_record(*, name: str = "default") -> WorkerHeartbeat:
    """Note that a Celery worker is alive and running tasks."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
