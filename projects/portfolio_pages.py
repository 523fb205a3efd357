"""The portfolio by aim, for the QI team and the board: the aims cascade as a tree with
each aim's icons, a small chart and counts; and an aim's page listing its projects.

Everything is read through ``projects.selectors.portfolio.portfolio`` (the API's
``/api/v1/portfolio/``); the small charts are the goal measures' SPC results
(``measures_spc``), a handful per page. The page shows counts and links, never every
project inline, so a large trust's portfolio stays a few tens of kilobytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import urlencode

from backend.errors import forbid
from backend.kept_pages import kept_page
from backend.models import Unit, User
from backend.pages import PageForm
from backend.selectors import unit_descendant_ids, unit_list
from projects.models import Measure, Project
from projects.selectors import (
    aim_get,
    can_read_portfolio,
    measure_scope,
    measures_spc,
    measures_spc_summaries,
    project_list,
)
from projects.selectors.portfolio import (
    portfolio,
    portfolio_aim_tree,
    portfolio_organisation_ids,
)
from projects.serializers import progress_of

NOT_A_PORTFOLIO_READER = (
    "The portfolio is for leaders, the QI team and administrators. Everyone can read "
    "every measure's icons in Measures at a glance."
)
PROJECTS_PER_PAGE = 25
STATUS_LABELS = dict(Project.Status.choices)
# The statuses a board counts as work in hand, in the order it reads them.
COUNTED = ("proposed", "active", "on_hold", "sustaining", "spreading", "completed")


def ensure_portfolio_reader(user: User) -> None:
    """The 403 page, saying who may, for anyone who reads no organisation's portfolio."""
    if not portfolio_organisation_ids(user=user):
        forbid(NOT_A_PORTFOLIO_READER)


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every aim of a portfolio tree, parents before their children."""
    for node in nodes:
        yield node
        yield from walk(node["children"])


def headline_measure(node: dict[str, Any]) -> dict[str, Any] | None:
    """The measure an aim is judged by: its goal measure, else its first own measure."""
    return node["goal"]["measure"] or (node["measures"][0] if node["measures"] else None)


def attach_charts(
    user: User, nodes: list[dict[str, Any]], drawn: list[dict[str, Any]] | None = None
) -> None:
    """Give each aim its headline measure (``headline``) and each aim of ``drawn`` (by
    default, all of them) that measure's SPC result (``spc``, for the small chart), read
    for all of them in one batch."""
    for node in nodes:
        node["headline"] = headline_measure(node)
        node["spc"] = None
    drawn = nodes if drawn is None else drawn
    wanted = [node["headline"]["id"] for node in drawn if node["headline"] is not None]
    results = measures_spc(list(measure_scope(user=user).filter(pk__in=wanted)))
    for node in drawn:
        if node["headline"] is not None:
            node["spc"] = results.get(node["headline"]["id"])


def counts(node: dict[str, Any]) -> list[tuple[str, int]]:
    """Projects by status, the statuses a board reads, zeros left out."""
    by_status = node["projects"]["by_status"]
    return [(STATUS_LABELS[s], by_status[s]) for s in COUNTED if by_status.get(s)]


def _within_division(nodes: list[dict[str, Any]], unit_ids: set[int]) -> list[dict[str, Any]]:
    """The topmost aims owned in the division (or beneath it), each with its cascade."""
    found = []
    for node in nodes:
        if node["unit"] and node["unit"]["id"] in unit_ids:
            found.append(node)
        else:
            found += _within_division(node["children"], unit_ids)
    return found


class DivisionForm(PageForm):
    refuses_nhs_numbers = False
    division = forms.ChoiceField(label="Division", required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        divisions = unit_list(user=user).filter(
            level=Unit.Level.DIVISION,
            organisation_id__in=portfolio_organisation_ids(user=user),
        )
        self.fields["division"].choices = [
            ("", "Whole organisation"),
            *((str(unit.pk), unit.name) for unit in divisions.order_by("name")),
        ]

    def chosen(self) -> Unit | None:
        if not self.is_bound or not self.is_valid() or not self.cleaned_data["division"]:
            return None
        return Unit.objects.get(pk=int(self.cleaned_data["division"]))


@login_required
@kept_page
def portfolio_page(request: HttpRequest) -> HttpResponse:
    """The aims cascade: each aim with its icons, a small chart and the counts over the
    projects beneath it; filtered to a division's aims."""
    ensure_portfolio_reader(request.user)
    form = DivisionForm(request.GET or None, user=request.user)
    data = portfolio(user=request.user, is_active=True, top=0, top_overall=0)  # counts alone
    aims = data["aims"]
    division = form.chosen()
    if division is not None:
        aims = _within_division(aims, set(unit_descendant_ids(unit=division)))
    shown = list(walk(aims))
    # Aims from the third level down are one line each (aim_node.html): icons, no chart.
    attach_charts(request.user, shown, drawn=[n for top in aims for n in (top, *top["children"])])
    for node in shown:
        node["counts"] = counts(node)
    return render(
        request,
        "projects/desk/portfolio.html",
        {
            "form": form,
            "division": division,
            "aims": aims,
            "totals": counts(data),
            "total": data["projects"]["total"],
            "improving": data["improving"]["count"],
            "adopted": data["adopted_changes"]["count"],
            "unlinked": data["not_linked_to_an_aim"]["total"],
        },
    )


@login_required
@kept_page
def aim_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An aim: its icons and chart, the counts over its cascade, the aims beneath it, and
    its projects (those linked to it or to any aim beneath) with their progress scores,
    a page at a time, filtered by status."""
    aim = aim_get(user=request.user, pk=pk)
    if not can_read_portfolio(user=request.user, organisation_id=aim.organisation_id):
        forbid(NOT_A_PORTFOLIO_READER)
    node = portfolio_aim_tree(user=request.user, aim=aim, top=0)  # the counts alone
    attach_charts(request.user, [node, *node["children"]])
    status = request.GET.get("status", "")
    filters: dict[str, Any] = {"within_aim": str(pk)}
    if status in STATUS_LABELS:
        filters["status"] = [status]
    # A row shows the project's own fields and unit: not its aims or team.
    projects = (
        project_list(user=request.user, filters=filters)
        .prefetch_related(None)
        .order_by("title", "id")
    )
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    outcomes: dict[int, Measure] = {}
    for measure in (
        measure_scope(user=request.user)
        .filter(project__in=list(page), type=Measure.Type.OUTCOME)
        .order_by("name", "id")
    ):
        outcomes.setdefault(measure.project_id, measure)
    summaries = measures_spc_summaries(list(outcomes.values()))
    rows = [
        {
            "project": project,
            "progress": progress_of(project),
            "outcome": outcomes.get(project.pk),
            "summary": summaries.get(outcomes[project.pk].pk) if project.pk in outcomes else None,
        }
        for project in page
    ]
    return render(
        request,
        "projects/desk/aim.html",
        {
            "aim": aim,
            "node": node,
            "counts": counts(node),
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": [(value, STATUS_LABELS[value]) for value in (*COUNTED, "abandoned")],
            "query": urlencode({"status": status} if status else {}),
        },
    )


urlpatterns = [
    path("portfolio/", portfolio_page, name="portfolio-page"),
    path("portfolio/aims/<id:pk>/", aim_page, name="aim-page"),
]
