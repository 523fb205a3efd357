"""What capability's pages share: which organisation a page is about, and the links
between the section's pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from backend.models import Organisation
from backend.selectors import user_memberships
from capability import selectors

PAGE_SIZE = 50


def organisation_of(request: HttpRequest, roles: Iterable[str], refusal: str) -> Organisation:
    """The organisation the page is about (``?organisation=`` for someone in several)."""
    return selectors.organisation_for(
        user=request.user,
        roles=roles,
        chosen=request.GET.get("organisation") or request.POST.get("organisation"),
        refusal=refusal,
    )


def with_organisation(url: str, organisation: Organisation, request: HttpRequest) -> str:
    """``url`` for the same organisation, when the person belongs to more than one."""
    if len(user_memberships(user=request.user)) < 2:
        return url
    return f"{url}?{urlencode({'organisation': organisation.pk})}"


def section_links(
    request: HttpRequest, organisation: Organisation, *, pending: int | None = None
) -> list[dict]:
    """The capability section's pages this person may open, the current one marked
    (``pending``: the approvals waiting, when the page has counted them already)."""
    user = request.user
    keeper = selectors.may(
        user=user, organisation_id=organisation.pk, roles=selectors.RECORD_KEEPER_ROLES
    )
    reader = selectors.may(
        user=user, organisation_id=organisation.pk, roles=selectors.PYRAMID_READER_ROLES
    )
    pages = []
    if reader:
        pages.append(("The pyramid", "capability-page", 0))
    if keeper:
        pages += [
            ("Training records", "training-records-page", 0),
            (
                "Approvals",
                "approvals-page",
                selectors.pending_count(user=user) if pending is None else pending,
            ),
            ("Courses", "courses-page", 0),
            ("Targets", "targets-page", 0),
        ]
    pages.append(("Skills directory", "directory-page", 0))
    if reader:
        pages += [
            ("Partners", "partners-page", 0),
            ("Visits and stories", "engagement-page", 0),
        ]
    links = []
    for label, name, badge in pages:
        url = reverse(name)
        links.append(
            {
                "label": label,
                "url": with_organisation(url, organisation, request),
                # The pyramid is the section's root: only its own address marks it.
                "current": request.path == url
                or (name != "capability-page" and request.path.startswith(url)),
                "badge": badge,
            }
        )
    return links
