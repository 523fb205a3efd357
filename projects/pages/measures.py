"""Adding a measure to a project: found in the organisation's measure library (so wards
measuring the same thing are comparable) or defined here, with the chart chosen by a
plain question about the data rather than by its statistical name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from projects.models import ChartType, Frequency, ImprovementDirection, Measure, MeasureDefinition
from projects.selectors import can_edit_project, measure_definition_list, project_get
from projects.services import measure_create

LIBRARY_SHOWN = 20

# "What kind of data is it?", answered in the team's words, and the chart each answer
# gets (SPC.md: c for counts, u for counts per amount of activity, p for percentages of
# cases, XmR for times and values, t and g between rare events, run when unsure).
DATA_KINDS = [
    ("count", "A count of events each week or month, such as falls or complaints", ChartType.C),
    (
        "rate",
        "A count of events for an amount of activity, such as falls per 1,000 bed days",
        ChartType.U,
    ),
    (
        "percentage",
        "A percentage of cases, such as patients assessed out of all admitted",
        ChartType.P,
    ),
    (
        "value",
        "A time or a value for each period, such as median minutes to antibiotics",
        ChartType.XMR,
    ),
    (
        "time_between",
        "The time between rare events, such as days between pressure ulcers",
        ChartType.T,
    ),
    (
        "cases_between",
        "The number of cases between rare events, such as operations between infections",
        ChartType.G,
    ),
    ("unsure", "Not sure yet: a run chart, which suits any data", ChartType.RUN),
]
CHART_FOR_KIND = {kind: chart for kind, _, chart in DATA_KINDS}
# Laney's p' and u' charts read the same data as p and u.
KIND_FOR_CHART = {chart: kind for kind, _, chart in DATA_KINDS} | {
    ChartType.PP: "percentage",
    ChartType.UP: "rate",
}


def chart_for(kind: str) -> str:
    """The chart type for an answer to "what kind of data is it?"."""
    return CHART_FOR_KIND[kind]


class MeasureForm(PageForm):
    definition = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        label="What is the measure called?",
        max_length=200,
        help_text="Such as “Inpatient falls per 1,000 bed days”.",
        error_messages={"required": "Enter a name for the measure"},
    )
    operational_definition = forms.CharField(
        label="How exactly is it counted? (operational definition)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What counts, what does not, and where the data come from.",
    )
    unit = forms.CharField(
        label="Unit (optional)",
        max_length=100,
        required=False,
        help_text="Such as “per 1,000 bed days”, “minutes” or “% of admissions”.",
    )
    type = forms.ChoiceField(
        label="What does it tell you?",
        choices=[
            (Measure.Type.OUTCOME, "Outcome: whether the aim is being reached"),
            (Measure.Type.PROCESS, "Process: whether the changes are being done"),
            (Measure.Type.BALANCING, "Balancing: whether something else got worse"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the measure tells you"},
    )
    data_kind = forms.ChoiceField(
        label="What kind of data is it?",
        choices=[(kind, words) for kind, words, _ in DATA_KINDS],
        widget=forms.RadioSelect,
        help_text="Ripple picks the right chart for it.",
        error_messages={"required": "Choose what kind of data it is"},
    )
    improvement_direction = forms.ChoiceField(
        label="Which way is better?",
        choices=[
            (ImprovementDirection.INCREASE, "Higher is better"),
            (ImprovementDirection.DECREASE, "Lower is better"),
            (ImprovementDirection.NEUTRAL, "Neither: we are watching it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which way is better"},
    )
    target = forms.FloatField(
        label="Target (optional)",
        required=False,
        help_text="The value you aim for, such as 4. A percentage as a number, such as 90.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "Enter the target as a number, such as 4"},
    )
    frequency = forms.ChoiceField(
        label="How often is it counted?",
        choices=Frequency.choices,
        initial=Frequency.MONTHLY,
        error_messages={"required": "Choose how often it is counted"},
    )

    def clean_target(self) -> float | None:
        target = self.cleaned_data["target"]
        kind = self.data.get("data_kind")
        # A percentage is typed as people say it (90); p charts plot proportions (0.9).
        if target is not None and kind == "percentage" and target > 1:
            target = target / 100
        return target


def _initial(definition: MeasureDefinition | None) -> dict[str, Any]:
    if definition is None:
        return {"type": Measure.Type.OUTCOME, "frequency": Frequency.MONTHLY}
    return {
        "definition": definition.pk,
        "name": definition.name,
        "operational_definition": definition.operational_definition,
        "unit": definition.unit,
        "type": Measure.Type.OUTCOME,
        "data_kind": KIND_FOR_CHART.get(definition.chart_type, "unsure"),
        "improvement_direction": definition.improvement_direction,
        "frequency": definition.frequency,
    }


@login_required
@idempotent_page
def measure_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Find a measure in the library (or choose to define one), then say how to read it."""
    project = project_get(user=request.user, pk=pk)
    if not can_edit_project(user=request.user, project=project):
        forbid("Only the project's team, its coach and the QI team can add its measures.")
    library = measure_definition_list(user=request.user).filter(
        organisation_id=project.organisation_id
    )
    chosen = request.POST.get("definition") or request.GET.get("definition") or ""
    definition = library.filter(pk=chosen).first() if chosen.isdigit() else None
    defining = definition is not None or "new" in request.GET or request.method == "POST"
    if not defining:
        query = request.GET.get("q", "").strip()
        found = library
        if query:
            found = library.filter(
                Q(name__icontains=query) | Q(operational_definition__icontains=query)
            )
        context = {"project": project, "query": query, "found": list(found[:LIBRARY_SHOWN])}
        return render(request, "projects/measure_library.html", context)
    form = MeasureForm(request.POST or None, initial=_initial(definition))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        measure = save_or_refuse(
            form,
            lambda: measure_create(
                by=request.user,
                project=project,
                definition=definition,
                type=data["type"],
                name=data["name"],
                operational_definition=data["operational_definition"],
                unit=data["unit"],
                improvement_direction=data["improvement_direction"],
                chart_type=chart_for(data["data_kind"]),
                frequency=data["frequency"],
                target=data["target"],
            ),
        )
        if measure is not None:
            messages.success(
                request,
                f"Added “{measure.name}” ({measure.get_chart_type_display()}). Next: add its data.",
            )
            return redirect("measure-data", pk=measure.pk)
    context = {"project": project, "form": form, "definition": definition}
    if form.errors:
        return invalid_form_response(request, "projects/measure_form.html", context)
    return render(request, "projects/measure_form.html", context)
