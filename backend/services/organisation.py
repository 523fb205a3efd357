"""Write use-cases for an organisation's people and places: units, memberships, the
sign-in settings and allowed domains, deactivating and reactivating members."""

from __future__ import annotations

import re
from typing import TypedDict, Unpack

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from knox.models import AuthToken

from backend import selectors
from backend.errors import ApplicationError, forbid, refuse
from backend.history import save_with_history
from backend.models import (
    ADMIN_ROLES,
    AllowedDomain,
    Membership,
    Organisation,
    Unit,
    User,
    WorkerHeartbeat,
    normalise_email,
)
from backend.updates import field_names, model_update, only

ADMIN_ONLY = frozenset({Membership.Role.ADMIN})


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
    caseload_capacity: int | None


class MembershipChanges(MembershipFields, total=False):
    role: str


def ensure_role(*, user: User, organisation_id: int, roles: frozenset[str], action: str) -> None:
    """Refuse (403) a user who may see the organisation but not do ``action`` in it."""
    if not selectors.has_role(user=user, organisation_id=organisation_id, roles=roles):
        forbid(f"Your role does not allow you to {action}.")


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
def unit_update(*, by: User, unit: Unit, reason: str = "", **changes: Unpack[UnitChanges]) -> Unit:
    """Rename, move or re-describe a unit (``reason`` says why, in its history); it stays
    in its organisation. Retiring one goes through ``unit_retire``."""
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

    if data.get("is_active") is False and unit.is_active:
        _check_retirable(unit)
    unit, _ = model_update(
        instance=unit,
        fields=field_names(UnitChanges),
        data=data,
        by=by,
        reason=reason,
        check=check,
    )
    return unit


def _check_retirable(unit: Unit) -> None:
    if unit.children.filter(is_active=True).exists():
        refuse("Move or retire the units inside it first.", field="is_active")
    if Organisation.objects.filter(default_unit=unit).exists():
        refuse(
            "New members who join by single sign-on start here: choose another starting "
            "unit first.",
            field="is_active",
        )


@transaction.atomic
def unit_retire(*, by: User, unit: Unit, reason: str) -> Unit:
    """Retire a unit: it stays in the record (its projects and history keep it) but is no
    longer offered as a place to work. Refused while units inside it are still in use."""
    return unit_update(by=by, unit=unit, reason=reason, is_active=False)


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
    user = User.objects.filter(email=normalise_email(email)).first()
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
    *, by: User, membership: Membership, reason: str = "", **changes: Unpack[MembershipChanges]
) -> Membership:
    """Change a member's role, home unit or coaching capacity (``reason`` says
    why, in its history)."""
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
        reason=reason,
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


def sessions_end(*, user: User) -> None:
    """Sign the person out everywhere at once: every page session stops matching (their
    session epoch moves on) and every API token is revoked."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    AuthToken.objects.filter(user=user).delete()


@transaction.atomic
def member_deactivate(*, by: User, membership: Membership, reason: str) -> Membership:
    """Stop someone using Ripple for the organisation, at once: their sessions end and their
    API tokens are revoked. Someone who belongs nowhere else has their account switched
    off and stays on the list, to be reactivated; someone who also belongs to another
    organisation leaves this one (the history keeps who removed them and why)."""
    ensure_role(
        user=by,
        organisation_id=membership.organisation_id,
        roles=ADMIN_ONLY,
        action="deactivate members",
    )
    if not reason.strip():
        refuse("Say why they are being deactivated.", field="reason")
    if membership.user_id == by.pk:
        refuse("You cannot deactivate yourself; ask another administrator.", field="reason")
    if _would_leave_no_admin(membership):
        refuse("An organisation needs at least one administrator.", field="reason")
    user = User.objects.select_for_update().get(pk=membership.user_id)
    elsewhere = Membership.objects.filter(user=user).exclude(pk=membership.pk).exists()
    if elsewhere:
        membership._history_user = by
        membership._change_reason = reason
        membership.delete()
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])
        # The member's own history says who switched them off and why.
        save_with_history(membership, by=by, reason=f"Deactivated: {reason}")
    sessions_end(user=user)
    selectors.forget_memberships(user=user)
    return membership


@transaction.atomic
def member_reactivate(*, by: User, membership: Membership, reason: str = "") -> Membership:
    """Let a deactivated member sign in again."""
    ensure_role(
        user=by,
        organisation_id=membership.organisation_id,
        roles=ADMIN_ONLY,
        action="reactivate members",
    )
    user = User.objects.select_for_update().get(pk=membership.user_id)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        save_with_history(membership, by=by, reason=f"Reactivated: {reason}".rstrip(": "))
    membership.user = user
    return membership


@transaction.atomic
def membership_home_unit_set(*, by: User, membership: Membership, home_unit: Unit | None) -> None:
    """A person chooses where they work (their own membership only; an administrator uses
    ``membership_update``)."""
    if membership.user_id != by.pk:
        forbid("Only the person themself or an administrator can change where they work.")
    if home_unit is not None and not home_unit.is_active:
        refuse("That unit has been retired; choose another.", field="home_unit")
    _check_home_unit(organisation=membership.organisation, home_unit=home_unit)
    model_update(instance=membership, fields={"home_unit"}, data={"home_unit": home_unit}, by=by)


@transaction.atomic
def profile_update(*, user: User, full_name: str) -> User:
    """A person changes the name Ripple shows for them."""
    full_name = full_name.strip()
    if not full_name:
        refuse("Enter your name.", field="full_name")
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


class OrganisationSettings(TypedDict, total=False):
    """How an organisation's people sign in and join. ``projects_need_approval`` is the
    projects app's setting, offered here when that app's model has it."""

    password_sign_in: bool
    default_unit: Unit | None
    projects_need_approval: bool


def organisation_setting_names() -> frozenset[str]:
    """The settings this installation's Organisation model holds."""
    present = {field.name for field in Organisation._meta.concrete_fields}
    return frozenset(field_names(OrganisationSettings) & present)


@transaction.atomic
def organisation_settings_update(
    *,
    by: User,
    organisation: Organisation,
    reason: str = "",
    **changes: Unpack[OrganisationSettings],
) -> Organisation:
    """Change how the organisation's people sign in, where single sign-on newcomers start,
    and (where installed) whether projects need approval; the history keeps who and why."""
    ensure_role(
        user=by, organisation_id=organisation.pk, roles=ADMIN_ONLY, action="change the settings"
    )
    data = only(OrganisationSettings, changes, service="organisation_settings_update")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if data.get("password_sign_in") is False and not settings.RIPPLE_OIDC_ISSUER:
        refuse(
            "Single sign-on is not set up for this Ripple, so nobody could sign in: keep "
            "passwords on until it is.",
            field="password_sign_in",
        )
    unit = data.get("default_unit")
    if unit is not None and (unit.organisation_id != organisation.pk or not unit.is_active):
        refuse("Choose one of the organisation's units in use.", field="default_unit")
    organisation, _ = model_update(
        instance=organisation,
        fields=organisation_setting_names(),
        data=data,
        by=by,
        reason=reason,
    )
    return organisation


DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")
# Domains many organisations (or anyone at all) share: allowing one would let strangers in.
SHARED_DOMAINS = frozenset(
    {
        "nhs.net",
        "nhs.uk",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "btinternet.com",
    }
)


@transaction.atomic
def allowed_domain_add(
    *, by: User, organisation: Organisation, domain: str, reason: str = ""
) -> AllowedDomain:
    """Let people whose e-mail is at ``domain`` join by single sign-on as frontline members."""
    ensure_role(
        user=by, organisation_id=organisation.pk, roles=ADMIN_ONLY, action="change the settings"
    )
    domain = domain.strip().lower().removeprefix("@")
    if not DOMAIN.match(domain):
        refuse("Enter a domain like trust.nhs.uk (the part after the @).", field="domain")
    if domain in SHARED_DOMAINS:
        refuse(
            f"Anyone can have an address at {domain}, not only your people: invite them instead.",
            field="domain",
        )
    if AllowedDomain.objects.filter(domain__iexact=domain).exists():
        refuse("That domain is already allowed, here or by another organisation.", field="domain")
    allowed = AllowedDomain(organisation=organisation, domain=domain)
    save_with_history(allowed, by=by, reason=reason)
    return allowed


@transaction.atomic
def allowed_domain_remove(*, by: User, allowed: AllowedDomain, reason: str = "") -> None:
    """Stop people at a domain joining without an invitation (members already in stay)."""
    ensure_role(
        user=by,
        organisation_id=allowed.organisation_id,
        roles=ADMIN_ONLY,
        action="change the settings",
    )
    allowed._history_user = by
    allowed._change_reason = reason
    allowed.delete()


def worker_heartbeat_record(*, name: str = "default") -> WorkerHeartbeat:
    """Note that a Celery worker is alive and running tasks."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
