"""The board page, "Are we on track?": each bold aim with its icons, its chart and one
plain sentence; the summary table of the aims' measures; recent wins worded by the
strength of their evidence; and the projects whose outcome measures show a concern.
It prints on A4 landscape (``desk.css``'s print rules).

Read through ``portfolio_board`` (the bold aims, the aims' measures' readings and the
signalled projects) and ``measure_charts`` for the bold aims' charts, a handful of
measures in a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe

from backend.kept_pages import kept_page
from projects.chart_svg import render_chart_svg
from projects.chart_words import chart_words, period_words, value_words
from projects.models import Measure
from projects.portfolio_pages import ensure_portfolio_reader, headline_measure
from projects.selectors import measure_charts, measure_readings, measure_scope
from projects.selectors.portfolio import portfolio_board

# How the latest point's rule words a win: a shift or trend is sustained, fewer points
# are encouraging, one point is one good result (as the celebrations word them).
WIN_WORDS = {
    "shift": "sustained improvement",
    "trend": "sustained improvement",
    "two_in_three": "an early sign of improvement (keep watching)",
    "astronomical": "one unusually good result (keep watching)",
}
WIN_ORDER = ("shift", "trend", "two_in_three", "astronomical")
LISTED = 8
POINT_TYPES = {"improving": "special_cause_improvement", "concern": "special_cause_concern"}


def _bold_aims(request: HttpRequest, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each bold aim (the top of a cascade) with its headline measure's chart and words."""
    aims = []
    headlines = {}
    for node in data["bold_aims"]:
        headline = headline_measure(node)
        aims.append({"node": node, "headline": headline})
        if headline is not None:
            headlines[headline["id"]] = None
    charts = measure_charts(
        measures=list(measure_scope(user=request.user).filter(pk__in=list(headlines)))
    )
    for aim in aims:
        chart = charts.get(aim["headline"]["id"]) if aim["headline"] else None
        if chart is None:
            aim["words"] = {"headline": "No measure is set for this aim yet."}
            continue
        aim["words"] = chart_words(chart)
        # Built by render_chart_svg, which escapes every piece of user text.
        aim["svg"] = mark_safe(render_chart_svg(chart).split("?>", 1)[-1])  # noqa: S308
    return aims


def _aim_measures(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The aims' own measures, as the summary table shows them, bold aims first."""
    return [
        {
            **reading,
            "latest_words": value_words(
                reading["latest_value"], reading["chart_type"], reading["unit"]
            )
            if reading["latest_period"]
            else "No data",
            "target_words": value_words(reading["target"], reading["chart_type"], reading["unit"])
            if reading["target"] is not None
            else "None",
            "period_words": period_words(reading["latest_period"], reading["frequency"])
            if reading["latest_period"]
            else "",
        }
        for reading in data["aim_measures"]
    ]


def _signalled(request: HttpRequest, data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Projects whose outcome measure's latest point shows ``kind`` (improving or
    concern), most recent first as the portfolio lists them, each with that measure; wins
    worded by the strongest rule on that point, as the measure's stored reading holds it.
    A fixed number of queries: the listed projects are at most ``LISTED``."""
    projects = {project["id"]: project for project in data[kind]["top"][:LISTED]}
    point_type = POINT_TYPES[kind]
    outcomes = list(
        measure_scope(user=request.user)
        .filter(project_id__in=list(projects), type=Measure.Type.OUTCOME)
        .order_by("organisation", "name", "id")
    )
    readings = measure_readings(outcomes)
    showing: dict[int, Measure] = {}
    for measure in outcomes:
        reading = readings.get(measure.pk)
        if reading is not None and reading.point_type == point_type:
            showing.setdefault(measure.project_id, measure)
    found = [
        {"project": project, "measure": showing[project_id]}
        for project_id, project in projects.items()
        if project_id in showing
    ]
    if kind == "improving":
        for item in found:
            rule = (readings[item["measure"].pk].win or {}).get("rule")
            item["words"] = WIN_WORDS.get(rule or "", "a signal")
            item["strength"] = WIN_ORDER.index(rule) if rule in WIN_ORDER else len(WIN_ORDER)
        found.sort(key=lambda item: item["strength"])
    return found


@login_required
@kept_page
def board_page(request: HttpRequest) -> HttpResponse:
    """Are we on track against our few bold aims? For leaders, the QI team and admins."""
    ensure_portfolio_reader(request.user)
    data = portfolio_board(user=request.user)
    return render(
        request,
        "projects/desk/board.html",
        {
            "organisations": data["organisations"],
            "today": timezone.localdate(),
            "bold_aims": _bold_aims(request, data),
            "aim_measures": _aim_measures(data),
            "wins": _signalled(request, data, "improving"),
            "concerns": _signalled(request, data, "concern"),
        },
    )


urlpatterns = [path("board/", board_page, name="board-page")]
