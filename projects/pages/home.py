"""My projects, one project, and adding a data point."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from backend.comments import CommentForm
from backend.selectors import organisation_ids
from projects.chart_svg import VARIATION_BADGES
from projects.lifecycle import OPEN
from projects.models import ChangeIdea, Measure, Project, Rebase
from projects.pages.files import file_rows
from projects.periods import next_period, period_start
from projects.selectors import (
    PROJECT_CREATOR_ROLES,
    can_approve_projects,
    can_edit_project,
    driver_diagram,
    measure_list,
    measures_spc_summaries,
    project_comment_list,
    project_files,
    project_get,
    project_list,
)

# What a cycle at each stage needs next, worded for the person holding the phone.
NEXT_STEP_BY_STAGE = {
    "act": "Decide on cycle {number}: adopt, adapt or abandon",
    "study": "Study the results of cycle {number}",
    "do": "Write up what happened in cycle {number}",
    "plan": "Start testing cycle {number}",
}
STAGES = (("plan", "Plan"), ("do", "Do"), ("study", "Study"), ("act", "Act"), ("done", "Done"))


def _icon(spc: dict[str, Any] | None) -> dict[str, str] | None:
    """The Making Data Count variation icon of the latest point, drawn as the chart draws it."""
    badge = VARIATION_BADGES.get((spc or {}).get("variation_icon"))
    if badge is None:
        return None
    colour, letter, text = badge
    return {"colour": colour, "letter": letter, "text": text}


def _open_cycles(project: Project) -> list[Any]:
    return [cycle for cycle in project.cycles.all() if cycle.stage != "done"]


def _next_step(project: Project, outcome: Measure | None, today: date) -> dict[str, str]:
    """The one thing to do next on the project: the most advanced open cycle first (it is
    closest to a decision), then missing data, then a new test."""
    order = ("act", "study", "do", "plan")
    cycles = sorted(_open_cycles(project), key=lambda c: (order.index(c.stage), -c.number))
    if cycles:
        cycle = cycles[0]
        return {
            "text": NEXT_STEP_BY_STAGE[cycle.stage].format(number=cycle.number),
            "url": reverse("cycle-page", args=[cycle.pk]),
        }
    if outcome is not None:
        current = period_start(today, outcome.frequency)
        last = outcome.last_period
        if last is None or next_period(last, outcome.frequency) < current:
            return {
                "text": f"Add the latest data for {outcome.name}",
                "url": reverse("data-point-new") + "?" + urlencode({"measure": outcome.pk}),
            }
    return {
        "text": "Log your next PDSA cycle",
        "url": reverse("cycle-new") + "?" + urlencode({"project": project.pk}),
    }


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    """The projects whose team the user is on, each with its aim, the variation icon of
    its outcome measure and what to do next."""
    projects = list(
        project_list(user=request.user, filters={"mine": "true"})
        .filter(status__in=OPEN)
        .prefetch_related("cycles")
        .order_by("-last_activity_at", "title")
    )
    outcomes: dict[int, Measure] = {}
    for measure in measure_list(user=request.user).filter(
        project__in=projects, type=Measure.Type.OUTCOME
    ):
        outcomes.setdefault(measure.project_id, measure)
    # Only the icon is drawn here: the small cached summary, not the whole chart result.
    readings = measures_spc_summaries(list(outcomes.values()))
    today = timezone.localdate()
    rows = []
    for project in projects:
        outcome = outcomes.get(project.pk)
        spc = readings.get(outcome.pk) if outcome else None
        rows.append(
            {
                "project": project,
                "outcome": outcome,
                "icon": _icon(spc),
                "next": _next_step(project, outcome, today),
            }
        )
    can_register = bool(organisation_ids(user=request.user, roles=PROJECT_CREATOR_ROLES))
    return render(
        request, "projects/my_projects.html", {"rows": rows, "can_register": can_register}
    )


@login_required
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A project: its approval, aim, team, driver diagram, measures with their charts and
    what happened on them, cycles by stage, and its photos and documents."""
    project = project_get(user=request.user, pk=pk)
    measures = list(
        measure_list(user=request.user)
        .filter(project=project)
        .prefetch_related(
            "cycles",
            Prefetch("rebases", queryset=Rebase.objects.order_by("starts_on")),
        )
        .order_by("type", "name")
    )
    readings = measures_spc_summaries(measures)
    cycles = list(project.cycles.select_related("change_idea").order_by("-number"))
    stages = [
        {"value": value, "label": label, "cycles": [c for c in cycles if c.stage == value]}
        for value, label in STAGES
    ]
    can_edit = can_edit_project(user=request.user, project=project)
    return render(
        request,
        "projects/project.html",
        {
            "project": project,
            "diagram": driver_diagram(project=project),
            "measures": [
                {
                    "measure": measure,
                    "icon": _icon(readings.get(measure.pk)),
                    "events": _chart_events(measure),
                }
                for measure in measures
            ],
            "stages": [stage for stage in stages if stage["cycles"]],
            "can_edit": can_edit,
            "can_approve": can_approve_projects(
                user=request.user, organisation_id=project.organisation_id
            ),
            "files": file_rows(project, project_files(project=project)),
            "spread_ideas": _spread_ideas(project),
            "comments": list(project_comment_list(project=project)),
            "comment_form": CommentForm(),
        },
    )


def _spread_ideas(project: Project) -> set[int]:
    """The project's change ideas put forward for spread, where spread is installed; read
    through the reverse relation, as the portfolio reads it, so projects never imports it."""
    if not apps.is_installed("spread"):
        return set()
    return set(
        ChangeIdea.objects.filter(project=project, spread_candidate__isnull=False).values_list(
            "pk", flat=True
        )
    )


def _chart_events(measure: Measure) -> list[dict[str, Any]]:
    """What the chart marks, in words beside it: cycles tested and limits recalculated."""
    # Cycles are pdsa's, reached through the reverse relation of Cycle.measures.
    events = [
        {
            "date": cycle.started_on or cycle.planned_start,
            "text": f"PDSA {cycle.number}: {cycle.title}",
            "url": reverse("cycle-page", args=[cycle.pk]),
        }
        for cycle in measure.cycles.all()
    ]
    events += [
        {"date": rebase.starts_on, "text": f"Limits recalculated: {rebase.reason}", "url": ""}
        for rebase in measure.rebases.all()
    ]
    return sorted(events, key=lambda event: (event["date"] is None, event["date"] or date.min))
