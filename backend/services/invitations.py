"""Inviting people into an organisation: one at a time or from a CSV file, the e-mail with
its one-time link, resending, revoking, and taking an invitation up.

The link is a signed (invitation id, token version): nothing secret is stored, so the
e-mail task writes the link from the row alone and never carries it through the broker.
A resend raises the version (the old link stops working), and accepting, revoking or
expiry ends it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import timedelta
from typing import TypedDict, Unpack

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rest_framework import status

from backend.errors import ApplicationError, refuse
from backend.history import save_with_history
from backend.jobs import enqueue_each_on_commit, enqueue_on_commit
from backend.models import Invitation, Membership, Organisation, Unit, User, normalise_email
from backend.services.organisation import ADMIN_ONLY, ensure_role
from backend.site import absolute_url
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number

SALT = "backend.invitation"
SEND_TASK = "backend.tasks.invitation_send"
CSV_COLUMNS = ("email", "name", "unit", "role")
CSV_MAX_ROWS = 2000
GONE = (
    "This invitation link has expired or has already been used. Ask your organisation's "
    "Ripple administrator to send a new one."
)


class InvitationFields(TypedDict, total=False):
    full_name: str
    home_unit: Unit | None


def invitation_lifetime() -> timedelta:
    return timedelta(days=settings.RIPPLE_INVITATION_DAYS)


def _check(
    *, organisation: Organisation, email: str, role: str, home_unit: Unit | None, full_name: str
) -> list[tuple[str, str]]:
    """What is wrong with one invitation, as (field, message) pairs; empty when nothing."""
    problems = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append(("email", "Enter an e-mail address like name@trust.nhs.uk."))
    if role not in Membership.Role.values:
        problems.append(("role", "Choose a role."))
    if home_unit is not None and (
        home_unit.organisation_id != organisation.pk or not home_unit.is_active
    ):
        problems.append(("home_unit", "Choose one of the organisation's units in use."))
    if contains_nhs_number(full_name):
        problems.append(("full_name", NHS_NUMBER_MESSAGE))
    if not problems:
        if Membership.objects.filter(
            organisation=organisation, user__email=email, user__is_active=True
        ).exists():
            problems.append(("email", f"{email} already belongs to {organisation.name}."))
        elif _open(organisation).filter(email=email, expires_at__gt=timezone.now()).exists():
            problems.append(("email", f"{email} has been invited already: resend it instead."))
    return problems


def _open(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, accepted_at=None, revoked_at=None)


def _make(
    *,
    by: User,
    organisation: Organisation,
    email: str,
    role: str,
    full_name: str,
    home_unit: Unit | None,
) -> Invitation:
    # An expired invitation to the same person gives way to the new one.
    _open(organisation).filter(email=email).update(revoked_at=timezone.now())
    invitation = Invitation(
        organisation=organisation,
        email=email,
        full_name=full_name,
        role=role,
        home_unit=home_unit,
        invited_by=by,
        expires_at=timezone.now() + invitation_lifetime(),
    )
    save_with_history(invitation, by=by, reason="Invited")
    return invitation


@transaction.atomic
def invitation_create(
    *,
    by: User,
    organisation: Organisation,
    email: str,
    role: str,
    **fields: Unpack[InvitationFields],
) -> Invitation:
    """Invite one person to join the organisation in a role; the e-mail goes after commit."""
    ensure_role(user=by, organisation_id=organisation.pk, roles=ADMIN_ONLY, action="invite people")
    email = normalise_email(email)
    full_name = fields.get("full_name", "").strip()
    home_unit = fields.get("home_unit")
    problems = _check(
        organisation=organisation,
        email=email,
        role=role,
        home_unit=home_unit,
        full_name=full_name,
    )
    if problems:
        raise ApplicationError(
            problems[0][1],
            field=problems[0][0],
            extra={"errors": [{"field": f, "message": m} for f, m in problems]},
        )
    invitation = _make(
        by=by,
        organisation=organisation,
        email=email,
        role=role,
        full_name=full_name,
        home_unit=home_unit,
    )
    enqueue_on_commit(SEND_TASK, invitation.pk)
    return invitation


def _role_from(text: str) -> str | None:
    wanted = text.strip().lower()
    for value, label in Membership.Role.choices:
        if wanted in (value, label.lower(), value.replace("_", " ")):
            return value
    # "coach" for "Improvement coach", "admin" for "Administrator".
    matches = [
        value for value, label in Membership.Role.choices if wanted and wanted in label.lower()
    ]
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def invitations_import(*, by: User, organisation: Organisation, text: str) -> list[Invitation]:
    """Invite everyone in a CSV file (columns email, name, unit, role; a header row first).

    All or nothing: when any row is wrong nothing is saved, and the refusal names every
    bad row and what is wrong with it.
    """
    ensure_role(user=by, organisation_id=organisation.pk, roles=ADMIN_ONLY, action="invite people")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        refuse(
            "The first row must name the columns email, name, unit and role; "
            f"missing: {', '.join(missing)}.",
            field="file",
        )
    reader.fieldnames = header
    units: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(organisation=organisation, is_active=True):
        units.setdefault(unit.name.strip().lower(), []).append(unit)
    rows, errors, seen = [], [], set()
    for line, row in enumerate(reader, start=2):
        if line - 1 > CSV_MAX_ROWS:
            refuse(f"Send at most {CSV_MAX_ROWS} people in one file.", field="file")
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        email = normalise_email(row.get("email") or "")
        full_name = (row.get("name") or "").strip()
        unit_name = (row.get("unit") or "").strip()
        role = _role_from(row.get("role") or "")
        problems = []
        home_unit = None
        if unit_name:
            found = units.get(unit_name.lower(), [])
            if len(found) == 1:
                home_unit = found[0]
            else:
                problems.append(
                    (
                        "unit",
                        f"there is no unit called “{unit_name}”"
                        if not found
                        else f"more than one unit is called “{unit_name}”",
                    )
                )
        if role is None:
            problems.append(("role", f"“{row.get('role') or ''}” is not a role"))
        if email in seen:
            problems.append(("email", f"{email} is in the file twice"))
        seen.add(email)
        # The role and unit were judged above; the rest of one invitation's rules here.
        problems += [
            (field, message.rstrip("."))
            for field, message in _check(
                organisation=organisation,
                email=email,
                role=role or Membership.Role.FRONTLINE,
                home_unit=home_unit,
                full_name=full_name,
            )
            if field not in ("home_unit", "role")
        ]
        for field, message in problems:
            errors.append(
                {
                    "field": f"rows[{line}].{field}",
                    "message": f"Row {line}: {message[0].lower()}{message[1:]}.",
                }
            )
        rows.append((email, full_name, home_unit, role))
    if errors:
        bad_rows = len({error["field"].split(".")[0] for error in errors})
        raise ApplicationError(
            f"{bad_rows} {'row' if bad_rows == 1 else 'rows'} cannot be invited, so nobody "
            "was: put them right and send the file again.",
            field="file",
            extra={"errors": errors},
        )
    if not rows:
        refuse("The file has no one in it.", field="file")
    invitations = [
        _make(
            by=by,
            organisation=organisation,
            email=email,
            role=role,
            full_name=full_name,
            home_unit=home_unit,
        )
        for email, full_name, home_unit, role in rows
    ]
    enqueue_each_on_commit(SEND_TASK, [invitation.pk for invitation in invitations])
    return invitations


@transaction.atomic
def invitation_resend(*, by: User, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link that lasts the full time; the old link
    stops working."""
    ensure_role(
        user=by,
        organisation_id=invitation.organisation_id,
        roles=ADMIN_ONLY,
        action="invite people",
    )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        refuse("This invitation has been accepted or revoked; invite them again instead.")
    invitation.token_version += 1
    invitation.expires_at = timezone.now() + invitation_lifetime()
    save_with_history(invitation, by=by, reason="Sent again")
    enqueue_on_commit(SEND_TASK, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, by: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation: its link stops working at once."""
    ensure_role(
        user=by,
        organisation_id=invitation.organisation_id,
        roles=ADMIN_ONLY,
        action="invite people",
    )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.is_open:
        invitation.revoked_at = timezone.now()
        save_with_history(invitation, by=by, reason="Revoked")
    return invitation


def invitation_token(invitation: Invitation) -> str:
    """The secret part of the invitation's link."""
    return signing.dumps([invitation.pk, invitation.token_version], salt=SALT)


def invitation_link(invitation: Invitation) -> str:
    """The one-time link, at the address people open Ripple at."""
    return absolute_url(reverse("invitation-accept", args=[invitation_token(invitation)]))


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link stands for, while it may still be used; refused (410) when the
    link is forged, replaced by a resend, accepted, revoked or expired."""
    try:
        pk, version = signing.loads(
            token, salt=SALT, max_age=invitation_lifetime() + timedelta(days=1)
        )
    except (signing.BadSignature, ValueError, TypeError):
        pk, version = None, None
    invitation = (
        Invitation.objects.select_related("organisation", "home_unit")
        .filter(pk=pk, token_version=version)
        .first()
        if isinstance(pk, int)
        else None
    )
    if invitation is None or not invitation.is_usable():
        raise ApplicationError(GONE, code="gone", status_code=status.HTTP_410_GONE)
    return invitation


def invitations_take_up(*, user: User, invitations: Iterable[Invitation]) -> list[Invitation]:
    """Give ``user`` the memberships their open invitations offer (the caller holds the
    transaction), and switch their account on if it was off."""
    taken = []
    for invitation in invitations:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable():
            continue
        if not Membership.objects.filter(
            user=user, organisation_id=invitation.organisation_id
        ).exists():
            membership = Membership(
                user=user,
                organisation_id=invitation.organisation_id,
                role=invitation.role,
                home_unit=invitation.home_unit,
            )
            save_with_history(membership, by=invitation.invited_by, reason="Joined by invitation")
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        save_with_history(invitation, by=user, reason="Accepted")
        taken.append(invitation)
    if taken and not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return taken


@transaction.atomic
def invitation_accept(*, token: str, password: str | None) -> User:
    """Take up an invitation from its link: make the account (or use the one the person
    has), set the password they chose, and give them the membership. The link then stops
    working. ``password`` None joins an existing account as it is."""
    invitation = invitation_from_token(token)
    email = normalise_email(invitation.email)
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=invitation.full_name)
    if password is not None:
        if not invitation.organisation.password_sign_in:
            refuse(
                f"{invitation.organisation.name} signs its people in with their organisation "
                "account, not a password.",
                field="password1",
            )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ApplicationError(" ".join(error.messages), field="password1") from error
        user.set_password(password)
    elif user.pk is None or not user.has_usable_password():
        refuse("Choose a password.", field="password1")
    user.save()
    invitations_take_up(user=user, invitations=[invitation])
    return user


def invitation_email_send(*, invitation_id: int) -> bool:
    """Send the invitation's current link by e-mail, once per link: a task run twice, or a
    resend that overtook it, sends nothing more. Returns whether it sent."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at=None, revoked_at=None)
        .first()
    )
    if invitation is None or invitation.emailed_version >= invitation.token_version:
        return False
    claimed = Invitation.objects.filter(
        pk=invitation.pk, emailed_version__lt=invitation.token_version
    ).update(emailed_version=invitation.token_version, sent_at=timezone.now())
    if not claimed:
        return False
    try:
        _invitation_email(invitation).send()
    except Exception:
        # Give the claim back so the retry sends it.
        Invitation.objects.filter(pk=invitation.pk).update(
            emailed_version=invitation.token_version - 1
        )
        raise
    return True


def invitations_unsent_send() -> int:
    """Send every usable invitation whose current link has not gone (its task was lost to
    a broker outage or a dead worker): the sweep behind ``invitation_create``,
    ``invitations_import`` and ``invitation_resend``. Returns how many were sent."""
    unsent = Invitation.objects.filter(
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
        emailed_version__lt=F("token_version"),
    ).values_list("pk", flat=True)
    return sum(invitation_email_send(invitation_id=pk) for pk in unsent)


def _invitation_email(invitation: Invitation) -> EmailMultiAlternatives:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "link": invitation_link(invitation),
        "expires_at": invitation.expires_at,
        "inviter": invitation.invited_by,
        "role": invitation.get_role_display(),
        "password_sign_in": invitation.organisation.password_sign_in,
    }
    message = EmailMultiAlternatives(
        subject=f"You are invited to {invitation.organisation.name}'s Ripple",
        body=render_to_string("backend/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("backend/email/invitation.html", context), "text/html"
    )
    return message
