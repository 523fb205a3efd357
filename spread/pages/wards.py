"""A ward's (or team's) page: its projects with their icons, the changes that worked
elsewhere offered or suggested to it with the reasons, and what it has taken up."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backend.kept_pages import kept_page
from backend.models import Unit
from backend.selectors import unit_list, user_memberships
from projects.chart_svg import variation_badge
from projects.models import Measure
from projects.selectors import measure_scope, measures_spc_summaries, project_list
from spread import selectors
from spread.models import Adoption
from spread.pages.words import evidence_words, reasons_in_words


def _projects(request: HttpRequest, unit: Unit) -> list[dict]:
    projects = list(
        project_list(user=request.user)
        .filter(unit=unit)
        .prefetch_related(None)
        .order_by("status", "title")
    )
    outcomes: dict[int, Measure] = {}
    for measure in (
        measure_scope(user=request.user)
        .filter(project__in=projects, type=Measure.Type.OUTCOME)
        .order_by("id")
    ):
        outcomes.setdefault(measure.project_id, measure)
    summaries = measures_spc_summaries(list(outcomes.values()))
    return [
        {
            "project": project,
            "outcome": outcomes.get(project.pk),
            "icon": variation_badge(summaries.get(outcomes[project.pk].pk))
            if project.pk in outcomes
            else None,
        }
        for project in projects
    ]


@login_required
@kept_page
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's projects and their icons, the changes offered and suggested to it (with
    "Adopt this on our ward" for those who may take a change up there), and what it has
    taken up."""
    unit = get_object_or_404(unit_list(user=request.user), pk=pk)
    adoptions = list(selectors.unit_adoptions(unit=unit))
    under_way = {a.candidate_id for a in adoptions if a.status != Adoption.Status.DECLINED}
    offered = [
        {**entry, "evidence": evidence_words(entry["candidate"])}
        for entry in selectors.unit_offers(unit=unit)
        if entry["candidate"].pk not in under_way
    ]
    offered_ids = {entry["candidate"].pk for entry in offered}
    suggested = [
        {
            "opportunity": opportunity,
            "reasons": reasons_in_words(opportunity.reasons),
            "evidence": evidence_words(opportunity.candidate),
        }
        for opportunity in selectors.unit_spread_suggestions(user=request.user, unit=unit)
        if opportunity.candidate.pk not in offered_ids
    ]
    return render(
        request,
        "spread/unit.html",
        {
            "unit": unit,
            "projects": _projects(request, unit),
            "offered": offered,
            "suggested": suggested,
            "adoptions": adoptions,
            "can_take_up": selectors.can_take_up(user=request.user, unit=unit),
            "home": _home_unit_id(request) == unit.pk,
        },
    )


def _home_unit_id(request: HttpRequest) -> int | None:
    for membership in user_memberships(user=request.user).values():
        if membership.home_unit_id is not None:
            return membership.home_unit_id
    return None


@login_required
def my_unit(request: HttpRequest) -> HttpResponse:
    """The person's own ward or team; without one, the list of units."""
    home = _home_unit_id(request)
    return redirect("unit-page", pk=home) if home else redirect("unit-list")


@login_required
def unit_index(request: HttpRequest) -> HttpResponse:
    """The wards and teams of the person's organisations, by where they sit."""
    units = (
        unit_list(user=request.user)
        .filter(level=Unit.Level.UNIT, is_active=True)
        .order_by("parent__name", "name")
    )
    groups = [
        {"name": parent or "Elsewhere", "units": list(rows)}
        for parent, rows in groupby(units, key=lambda unit: unit.parent.name if unit.parent else "")
    ]
    return render(request, "spread/units.html", {"groups": groups})
