"""The address people open Ripple at, for links that leave the site (e-mails).

Links in e-mails are built from ``RIPPLE_BASE_URL`` (``make run`` sets it from ``PORT``;
production from the environment), never from the request's Host header, which a
stranger could set to send a victim a link to somewhere else.
"""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (``/accounts/...``) at the configured site address; a full URL as it is."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.RIPPLE_BASE_URL.rstrip("/") + path
