"""The pages' header, assembled from what the installed apps declare.

Each app registers its own entries in its ``AppConfig.ready()`` (label, URL name, the
roles that see it, an optional badge count, the roles it is home to); the base template
renders ``navigation`` and ``account_links`` from this module's context processor. The
ground floor never names an app: it only knows roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from backend.kept_pages import unnoted
from backend.models import Membership, User
from backend.selectors import user_memberships

Role = Membership.Role
# Where someone with several roles (in one or more organisations) lands: the role that
# steers the most work first.
HOME_PRECEDENCE = (
    Role.QI_TEAM,
    Role.LEADER,
    Role.COACH,
    Role.ADMIN,
    Role.FRONTLINE,
    Role.LIVED_EXPERIENCE_PARTNER,
)


@dataclass(frozen=True)
class NavEntry:
    """One link in the header.

    ``roles`` None means everyone signed in. ``badge`` counts something for the user
    (an unread count); it is only called when the header is drawn. ``account`` entries
    sit beside "Sign out" rather than in the main navigation.
    """

    label: str
    url_name: str
    order: int
    roles: frozenset[str] | None = None
    home_for: frozenset[str] = frozenset()
    badge: Callable[[User], int] | None = None
    account: bool = False
    # URL prefixes that mark the entry as the current section.
    sections: tuple[str, ...] = field(default_factory=tuple)


_entries: dict[str, NavEntry] = {}


def register(*entries: NavEntry) -> None:
    """Add an app's entries (idempotent by URL name, so a reloaded app does not repeat)."""
    for entry in entries:
        _entries[entry.url_name] = entry


def user_roles(user: User) -> set[str]:
    """Every role the user holds in any organisation; a superuser-only operator has none."""
    return {membership.role for membership in user_memberships(user=user).values()}


def entries_for(user: User) -> list[NavEntry]:
    """The entries this user's roles allow, in order."""
    roles = user_roles(user)
    return sorted(
        (e for e in _entries.values() if e.roles is None or roles & e.roles),
        key=lambda e: (e.order, e.label),
    )


def home_url(user: User) -> str:
    """The page a person lands on after signing in, by their most steering role."""
    roles = user_roles(user)
    for role in HOME_PRECEDENCE:
        if role in roles:
            for entry in entries_for(user):
                if role in entry.home_for:
                    return reverse(entry.url_name)
    fallback = [e for e in entries_for(user) if not e.account]
    return reverse(fallback[0].url_name) if fallback else "/"


def _links(request: HttpRequest, *, account: bool) -> list[dict[str, Any]]:
    user = request.user
    if not user.is_authenticated:
        return []
    links = []
    for entry in entries_for(user):
        if entry.account != account:
            continue
        url = reverse(entry.url_name)
        prefixes = entry.sections or (url,)
        current = any(
            request.path == prefix or (prefix != "/" and request.path.startswith(prefix))
            for prefix in prefixes
        )
        links.append(
            {
                "label": entry.label,
                "url": url,
                "current": current,
                "badge": entry.badge(user) if entry.badge else 0,
            }
        )
    return links


def _unnoted(read: Callable[[], Any]) -> Callable[[], Any]:
    # The header is drawn afresh for a kept page: its counts are not what the page shows.
    def reading() -> Any:
        with unnoted():
            return read()

    return reading


def header(request: HttpRequest) -> dict[str, Any]:
    """Template context: the header's links, computed only when a template uses them."""
    return {
        "navigation": SimpleLazyObject(_unnoted(lambda: _links(request, account=False))),
        "account_links": SimpleLazyObject(_unnoted(lambda: _links(request, account=True))),
        "home_url": SimpleLazyObject(_unnoted(lambda: home_url(request.user))),
    }
