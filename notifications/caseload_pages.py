"""The coach's caseload page: the projects they coach, most in need first.

One code path with ``GET /api/v1/caseload/`` and the weekly digest: the page renders the
API's own data over ``caseload_get`` (``caseload_data``, the shapes its serializer
documents), so the order, the reasons and the next action a coach reads here are those of
the e-mail and the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from backend.kept_pages import kept_page
from notifications.selectors import caseload_get, coach_list
from notifications.serializers import caseload_data

# The most in need first, a page at a time: a hundred cards is a long scroll on a phone.
PAGE_SIZE = 25


def _chosen(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, "")
    return value if value.isdigit() or name == "status" else ""


def _filters(projects: list[dict[str, Any]], unit: str, status: str) -> list[dict[str, Any]]:
    return [
        row
        for row in projects
        if (not unit or str(row["unit"]["id"]) == unit) and (not status or row["status"] == status)
    ]


@login_required
@kept_page
def caseload_page(request: HttpRequest) -> HttpResponse:
    """A coach's open projects, most in need first, with why and what to do next, and
    their load against capacity; filtered by unit and status, ``PAGE_SIZE`` at a time.
    The QI team and admins choose any coach of their organisation (``?coach=``); another
    organisation's coach, or someone who is no one's, is the 404 page."""
    coach = _chosen(request, "coach")
    caseload = caseload_get(user=request.user, coach_id=int(coach) if coach else None)
    data = caseload_data(caseload)
    unit, status = _chosen(request, "unit"), _chosen(request, "status")
    units = sorted({(row["unit"]["name"], row["unit"]["id"]) for row in data["projects"]})
    statuses = sorted({(row["status_label"], row["status"]) for row in data["projects"]})
    rows = _filters(data["projects"], unit, status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/desk/caseload.html",
        {
            "caseload": data,
            "coach": caseload.coach,
            "own": caseload.coach.pk == request.user.pk,
            "rows": page.object_list,
            "page": page,
            "units": units,
            "statuses": statuses,
            "unit": unit,
            "status": status,
            "coaches": list(coach_list(user=request.user)),
        },
    )


urlpatterns = [path("caseload/", caseload_page, name="caseload-page")]
