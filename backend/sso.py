"""Single sign-on with OpenID Connect (Microsoft Entra ID, or any OpenID provider).

mozilla-django-oidc runs the authorisation code flow (state, nonce and PKCE kept in the
session, the code exchanged for tokens, the ID token's signature checked against the
provider's published keys). Ripple adds what it leaves out: the provider's endpoints
come from its discovery document (so three settings are enough: the issuer, the client
id and the secret), and the ID token must be for this client (``aud``), from this
issuer (``iss``) and in date (``exp``, ``iat``). Who may come in is
``services.sso_sign_in``'s rule.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from backend import services
from backend.models import User
from backend.navigation import home_url

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 60 * 60
# Clocks differ a little between Ripple and the provider.
LEEWAY_SECONDS = 60
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


def enabled() -> bool:
    """Whether single sign-on is configured for this installation."""
    return bool(settings.RIPPLE_OIDC_ISSUER and settings.RIPPLE_OIDC_CLIENT_ID)


def button_label() -> str:
    """The words on the sign-in button, or "" when single sign-on is not set up."""
    return settings.RIPPLE_OIDC_BUTTON if enabled() else ""


def provider() -> dict[str, Any]:
    """The provider's discovery document (endpoints and keys' address), kept for an hour."""
    issuer = settings.RIPPLE_OIDC_ISSUER.rstrip("/")
    key = f"ripple:oidc-discovery:{issuer}"
    found = cache.get(key)
    if found is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        response.raise_for_status()
        found = response.json()
        if found.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(
                f"The provider at {issuer} calls itself {found.get('issuer')!r}: set "
                "RIPPLE_OIDC_ISSUER to exactly its issuer."
            )
        cache.set(key, found, DISCOVERY_SECONDS)
    return found


class Backend(OIDCAuthenticationBackend):
    """The authentication backend for the code flow's callback (and nothing else)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Settings are read when a sign-in starts, not on every password sign-in (Django
        # makes each backend for every authenticate call).
        self.UserModel = User

    def _configure(self) -> None:
        found = provider()
        self.OIDC_OP_TOKEN_ENDPOINT = found["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = found["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = found["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.RIPPLE_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.RIPPLE_OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.issuer = found["issuer"]

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest, *, nonce: str | None = None, code_verifier: str | None = None
    ) -> User | None:
        """Only the callback calls with a nonce; e-mail and password never reach here."""
        if not enabled() or request is None or nonce is None:
            return None
        self._configure()
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def get_payload_data(self, token: bytes | str, key: Any) -> dict[str, Any]:
        """The ID token's claims, once its signature, audience, issuer and dates hold."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}")
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        # A provider that says the address is unverified is not vouching for it.
        return bool(claims.get("email")) and claims.get("email_verified") is not False

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info is about someone else")
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The provider gave no verified e-mail address")
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        )
        try:
            return services.sso_sign_in(email=claims["email"], full_name=name, request=self.request)
        except services.SSORefused as refusal:
            self.request.sso_refusal = refusal.message
            return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class SignInWithProvider(OIDCAuthenticationRequestView):
    """Send the person to the provider to sign in (a GET from the sign-in page's button)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return redirect("sign-in")
        self.OIDC_OP_AUTH_ENDPOINT = provider()["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.RIPPLE_OIDC_CLIENT_ID
        return super().get(request)


class ProviderCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the person back: signed in and on their home page, or on
    the sign-in page with the reason they were not let in."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, KeyError, ValueError) as error:
            logger.warning("Single sign-on refused: %s", error)
            return self._refused(
                "Your organisation account could not be checked. Try again; if it keeps "
                "happening, tell your organisation's Ripple administrator."
            )

    def login_success(self) -> HttpResponse:
        super().login_success()
        return redirect(self.request.session.pop("oidc_login_next", None) or home_url(self.user))

    def login_failure(self) -> HttpResponse:
        return self._refused(
            getattr(self.request, "sso_refusal", None)
            or "You were not signed in with your organisation account. Try again."
        )

    def _refused(self, message: str) -> HttpResponse:
        from backend.pages import SignInForm, sign_in_context

        context = {**sign_in_context(SignInForm(), ""), "problem": message}
        return render(self.request, "backend/sign_in.html", context, status=403)
