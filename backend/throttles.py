"""Limits on guessing passwords (the API token endpoint and the sign-in page share one)
and on asking for password reset e-mails."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class SignInThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address (``RIPPLE_AUTH_THROTTLE``, e.g. 30/min).

    One counter for both ways in, so a guesser gains nothing by switching from the API
    to the page. It reads only ``request.META``, so it serves Django views as well.
    """

    scope = "auth"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PasswordResetThrottle(SignInThrottle):
    """Password reset requests per client address (``RIPPLE_PASSWORD_RESET_THROTTLE``)."""

    scope = "password_reset"
