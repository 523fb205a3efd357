"""Signing in: a password with a per-account lockout, single sign-on's first sign-in, and
the record of every attempt that an organisation's administrators read.

No answer tells a stranger whether an e-mail address has an account: a wrong password
and an unknown address get the same words, and the lockout counts attempts by the
address typed, whether or not it names anyone.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken
from rest_framework import status

from backend import selectors
from backend.errors import ApplicationError
from backend.jobs import enqueue_on_commit
from backend.models import (
    AllowedDomain,
    Invitation,
    Membership,
    Organisation,
    SignInEvent,
    User,
    normalise_email,
)
from backend.site import absolute_url

Method = SignInEvent.Method
Outcome = SignInEvent.Outcome
LOCKOUT_WINDOW = timedelta(minutes=15)
WRONG_CREDENTIALS = "Enter the email address and password you use for Ripple"


def _client_ip(request: HttpRequest | None) -> str | None:
    # The socket's address: X-Forwarded-For is the sign-in throttle's business (it knows
    # how many proxies to trust); this is only a note for the administrators.
    return request.META.get("REMOTE_ADDR") if request is not None else None


def sign_in_event_record(
    *,
    email: str,
    method: str,
    outcome: str,
    user: User | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
) -> SignInEvent:
    """Note one attempt to sign in (kept whether or not the attempt's transaction stands)."""
    return SignInEvent.objects.create(
        email=email[:254],
        user=user,
        method=method,
        outcome=outcome,
        detail=detail[:200],
        ip_address=_client_ip(request),
    )


def locked_until(*, email: str, now: datetime | None = None) -> datetime | None:
    """When the account named ``email`` may try a password again, or None when it may now:
    ``RIPPLE_SIGN_IN_FAILURE_LIMIT`` wrong passwords in a row within 15 minutes lock it for
    15 minutes from the last of them (attempts refused while locked do not count)."""
    now = now or timezone.now()
    limit = settings.RIPPLE_SIGN_IN_FAILURE_LIMIT
    recent = list(
        SignInEvent.objects.filter(
            email=email,
            at__gte=now - LOCKOUT_WINDOW,
            outcome__in=[Outcome.FAILED, Outcome.SIGNED_IN],
        )
        .order_by("-at", "-id")
        .values_list("outcome", "at")[:limit]
    )
    if len(recent) < limit or any(outcome == Outcome.SIGNED_IN for outcome, _ in recent):
        return None
    return recent[0][1] + LOCKOUT_WINDOW


def _locked_out(until: datetime) -> ApplicationError:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ApplicationError(
        f"Too many attempts to sign in to this account. Wait {minutes} minutes, then try "
        "again, or reset your password.",
        field="email",
        code="locked_out",
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
    )


def password_allowed(*, user: User) -> Organisation | None:
    """None when the user may sign in with a password, else the organisation that has
    turned password sign-in off (for anyone in several, the strictest one wins)."""
    for membership in selectors.user_memberships(user=user).values():
        if not membership.organisation.password_sign_in:
            return membership.organisation
    return None


def password_sign_in(
    *, email: str, password: str, request: HttpRequest | None, method: str = Method.PASSWORD
) -> User:
    """The account an e-mail and password open, with every attempt recorded. Refused alike
    for an unknown address and a wrong password; refused (429) while the account is locked
    after too many wrong passwords; refused where the organisation signs in by SSO only."""
    email = email.strip().lower()
    until = locked_until(email=email)
    if until is not None:
        sign_in_event_record(
            email=email,
            method=method,
            outcome=Outcome.LOCKED_OUT,
            user=User.objects.filter(email__iexact=email).first(),
            detail="Tried while locked",
            request=request,
        )
        raise _locked_out(until)
    user = authenticate(request, email=email, password=password)
    if user is None:
        known = User.objects.filter(email__iexact=email).first()
        sign_in_event_record(
            email=email, method=method, outcome=Outcome.FAILED, user=known, request=request
        )
        until = locked_until(email=email)
        if until is not None:
            sign_in_event_record(
                email=email,
                method=method,
                outcome=Outcome.LOCKED_OUT,
                user=known,
                detail=f"Locked for {int(LOCKOUT_WINDOW.total_seconds() // 60)} minutes",
                request=request,
            )
        raise ApplicationError(WRONG_CREDENTIALS, field="email", code="invalid_credentials")
    strict = password_allowed(user=user)
    if strict is not None:
        sign_in_event_record(
            email=email,
            method=method,
            outcome=Outcome.REFUSED,
            user=user,
            detail="Password sign-in is off",
            request=request,
        )
        raise ApplicationError(
            f"{strict.name} signs its people in with their organisation account: use "
            "“Sign in with your organisation account”.",
            field="email",
            code="password_sign_in_off",
        )
    sign_in_event_record(
        email=email, method=method, outcome=Outcome.SIGNED_IN, user=user, request=request
    )
    return user


def token_create(*, email: str, password: str, request: Any = None) -> tuple[str, datetime | None]:
    """Sign in with e-mail and password; returns a new revocable API token and its expiry."""
    user = password_sign_in(email=email, password=password, request=request, method=Method.TOKEN)
    update_last_login(None, user)
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


class SSORefused(ApplicationError):
    """A provider vouched for someone Ripple does not let in; the message says why."""


def _refuse_sso(email: str, user: User | None, detail: str, message: str, request) -> None:
    sign_in_event_record(
        email=email,
        method=Method.SSO,
        outcome=Outcome.REFUSED,
        user=user,
        detail=detail,
        request=request,
    )
    raise SSORefused(message, code="sso_refused", status_code=status.HTTP_403_FORBIDDEN)


def sso_sign_in(*, email: str, full_name: str = "", request: HttpRequest | None = None) -> User:
    """The person an OpenID Connect provider vouches for, by e-mail address.

    An account that exists signs in (and takes up any invitation waiting for it). On a
    first sign-in, an open invitation makes the account and the membership it offers;
    failing that, an organisation that allows the address's domain takes them in as a
    frontline member of its starting unit. Anyone else, and an account that has been
    switched off, is refused (``SSORefused``), and the refusal is recorded.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    invited = _open_invitations(email).exists()
    if user is not None and not user.is_active and not invited:
        _refuse_sso(
            email,
            user,
            "Account switched off",
            "Your Ripple account has been switched off. Ask your organisation's Ripple "
            "administrator if you need it again.",
            request,
        )
    allowed = None
    if user is None and not invited:
        domain = email.rpartition("@")[2]
        allowed = (
            AllowedDomain.objects.filter(domain__iexact=domain)
            .select_related("organisation__default_unit")
            .first()
        )
        if allowed is None:
            _refuse_sso(
                email,
                None,
                "Not invited",
                f"{email} has not been invited to Ripple. Ask your organisation's Ripple "
                "administrator for an invitation.",
                request,
            )
    user, detail = _sso_account(email=email, full_name=full_name, allowed=allowed)
    sign_in_event_record(
        email=email,
        method=Method.SSO,
        outcome=Outcome.SIGNED_IN,
        user=user,
        detail=detail,
        request=request,
    )
    return user


@transaction.atomic
def _sso_account(*, email: str, full_name: str, allowed: AllowedDomain | None) -> tuple[User, str]:
    from backend.services.invitations import invitations_take_up

    user = User.objects.select_for_update().filter(email=normalise_email(email)).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    if allowed is None:
        taken = invitations_take_up(user=user, invitations=_open_invitations(email))
        names = ", ".join(invitation.organisation.name for invitation in taken)
        return user, f"Accepted the invitation to {names}" if names else ""
    organisation = allowed.organisation
    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=Membership.Role.FRONTLINE,
        home_unit=organisation.default_unit,
    )
    return user, f"Joined {organisation.name} from an allowed domain"


def _open_invitations(email: str):
    return Invitation.objects.filter(
        email__iexact=email,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    )


RESET_TASK = "backend.tasks.password_reset_send"
# One reset e-mail per address in this time, however often the form is sent.
RESET_COOLDOWN_SECONDS = 5 * 60


def password_reset_request(*, email: str) -> None:
    """Send a password reset link to the account at ``email``, if there is one that signs in
    with a password; the caller says the same thing either way. The e-mail goes from the
    worker, so the answer takes as long whether or not the address has an account."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or password_allowed(user=user) is not None:
        return
    cooldown = f"ripple:password-reset:{email}"
    if not cache.add(cooldown, 1, RESET_COOLDOWN_SECONDS):
        return
    # No periodic job sends a reset e-mail that was never handed to the worker: lift the
    # cooldown, so that asking again (the page says to, if nothing arrives) sends it.
    enqueue_on_commit(RESET_TASK, user.pk, if_lost=lambda: cache.delete(cooldown))


def password_reset_email_send(*, user_id: int) -> bool:
    """E-mail a password reset link to the user. The link's token is Django's: it stops
    working once the password changes or after ``PASSWORD_RESET_TIMEOUT``."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    link = absolute_url(
        reverse(
            "password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    context = {
        "user": user,
        "link": link,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    message = EmailMultiAlternatives(
        subject="Reset your Ripple password",
        body=render_to_string("backend/email/password_reset.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("backend/email/password_reset.html", context), "text/html"
    )
    message.send()
    return True


def password_changed(*, user: User) -> None:
    """After a new password: every other session ends and every API token is revoked, in
    case someone else knew the old one."""
    from backend.services.organisation import sessions_end

    sessions_end(user=user)
