"""Phone pages for the portfolio: my projects, one project, and adding a data point.

They read through the same selectors as ``projects.api`` and write through the same
services; cycles are reached through the project's reverse relation (``project.cycles``),
as the portfolio does, so this module never imports ``pdsa``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from backend.idempotency import idempotent_page
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from projects.chart_svg import VARIATION_BADGES
from projects.lifecycle import OPEN
from projects.models import RATIO_CHARTS, Measure, Project
from projects.periods import likely_next_period, next_period, period_start
from projects.selectors import (
    can_edit_measure,
    can_edit_project,
    driver_diagram,
    measure_list,
    measures_spc_summaries,
    project_get,
    project_list,
)
from projects.services import data_points_upsert

# What a cycle at each stage needs next, worded for the person holding the phone.
NEXT_STEP_BY_STAGE = {
    "act": "Decide on cycle {number}: adopt, adapt or abandon",
    "study": "Study the results of cycle {number}",
    "do": "Write up what happened in cycle {number}",
    "plan": "Start testing cycle {number}",
}
STAGES = (("plan", "Plan"), ("do", "Do"), ("study", "Study"), ("act", "Act"), ("done", "Done"))


def suggested_period(measure: Measure, today: date) -> date:
    """The period a new data point is most likely for."""
    return likely_next_period(getattr(measure, "last_period", None), measure.frequency, today)


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
    return render(request, "projects/my_projects.html", {"rows": rows})


@login_required
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A project: its aim, driver diagram, measures with their charts, cycles by stage."""
    project = project_get(user=request.user, pk=pk)
    measures = list(
        measure_list(user=request.user).filter(project=project).order_by("type", "name")
    )
    readings = measures_spc_summaries(measures)
    cycles = list(project.cycles.select_related("change_idea").order_by("-number"))
    stages = [
        {"value": value, "label": label, "cycles": [c for c in cycles if c.stage == value]}
        for value, label in STAGES
    ]
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
                    "can_add": can_edit_measure(user=request.user, measure=measure),
                }
                for measure in measures
            ],
            "stages": [stage for stage in stages if stage["cycles"]],
            "can_edit": can_edit_project(user=request.user, project=project),
        },
    )


def _data_measures(user: User, chosen: str | None) -> QuerySet[Measure]:
    """Measures of the user's own projects, and the one they came from (any they may see)."""
    wanted = Q(project__in=project_list(user=user, filters={"mine": "true"}))
    if chosen and chosen.isdigit():
        wanted |= Q(pk=int(chosen))
    return measure_list(user=user).filter(wanted).order_by("project__title", "name")


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, measure: Measure) -> str:
        return f"{measure.name} ({measure.project.title})" if measure.project else measure.name


class DataPointForm(PageForm):
    measure = MeasureChoiceField(
        label="Measure",
        queryset=Measure.objects.none(),
        empty_label="Choose a measure",
        error_messages={"required": "Choose the measure", "invalid_choice": "Choose the measure"},
    )
    period = forms.DateField(
        label="Period",
        help_text="The first day of the week, month or quarter the value is for.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the period",
            "invalid": "Enter the period as a real date",
        },
    )
    value = forms.FloatField(
        label="Value",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "Value must be a number"},
    )
    numerator = forms.FloatField(
        label="Numerator",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "Numerator must be a number"},
    )
    denominator = forms.FloatField(
        label="Denominator",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "Denominator must be a number"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything that explains this value, such as a change of staffing. "
        "Never a patient's details.",
    )

    def __init__(self, *args: Any, measures: QuerySet[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures


@login_required
@idempotent_page
def data_point_new(request: HttpRequest) -> HttpResponse:
    """Add (or correct) one period's value of a measure."""
    chosen = request.POST.get("measure") or request.GET.get("measure")
    measures = _data_measures(request.user, chosen)
    initial: dict[str, Any] = {}
    selected = None
    if chosen and chosen.isdigit():
        selected = next((m for m in measures if m.pk == int(chosen)), None)
    if selected is not None:
        initial = {
            "measure": selected.pk,
            "period": suggested_period(selected, timezone.localdate()),
        }
    form = DataPointForm(request.POST or None, measures=measures, initial=initial)
    if request.method == "POST" and form.is_valid():
        measure = form.cleaned_data["measure"]
        data = form.cleaned_data
        ratio = measure.chart_type in RATIO_CHARTS
        row = {"period": data["period"], "note": data["note"]}
        if ratio:
            row |= {"numerator": data["numerator"], "denominator": data["denominator"]}
        else:
            row["value"] = data["value"]
        saved = save_or_refuse(
            form,
            lambda: data_points_upsert(
                measure=measure, rows=[row], by=request.user, labels=["point"]
            ),
        )
        if saved is not None:
            messages.success(request, f"Saved {measure.name} for {data['period']:%-d %B %Y}.")
            target = (
                reverse("project-page", args=[measure.project_id])
                if measure.project_id
                else reverse("my-projects")
            )
            return redirect(target, permanent=False)
    selected = (
        form.cleaned_data.get("measure")
        if form.is_bound and hasattr(form, "cleaned_data")
        else selected
    )
    context = {
        "form": form,
        "measures": measures,
        "ratio": bool(selected and selected.chart_type in RATIO_CHARTS),
        "ratio_ids": [m.pk for m in measures if m.chart_type in RATIO_CHARTS],
        "back": reverse("project-page", args=[selected.project_id])
        if selected is not None and selected.project_id
        else reverse("my-projects"),
    }
    if form.errors:
        return invalid_form_response(request, "projects/data_point_form.html", context)
    return render(request, "projects/data_point_form.html", context)


urlpatterns = [
    path("", my_projects, name="my-projects"),
    path("projects/<int:pk>/", project_page, name="project-page"),
    path("data/new/", data_point_new, name="data-point-new"),
]
