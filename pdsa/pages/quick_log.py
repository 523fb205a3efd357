"""The quick log: a new cycle in Plan from a phone in under a minute, linked to the measures
that will show whether it worked, and the next cycle of a ramp pre-filled from the last."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from backend.idempotency import idempotent_page
from backend.models import User
from backend.pages import invalid_form_response, save_or_refuse
from pdsa.models import Cycle
from pdsa.pages.common import CycleForm, text_field
from pdsa.selectors import cycle_list
from pdsa.services import cycle_create, cycle_next_draft
from projects.lifecycle import LIVE, OPEN
from projects.models import Measure, Project
from projects.selectors import change_idea_list, measure_scope, project_list

# Projects whose team tests changes now (a proposed one is being shaped): preselected in
# the quick log when it is the only one.
LIVE_STATUSES = LIVE | {Project.Status.PROPOSED}


class QuickLogForm(CycleForm):
    project = forms.ModelChoiceField(
        label="Project",
        queryset=Project.objects.none(),
        empty_label="Choose a project",
        error_messages={"required": "Choose the project", "invalid_choice": "Choose the project"},
    )
    change_idea = forms.TypedChoiceField(
        label="Change idea",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Optional: the idea from the driver diagram this cycle tests.",
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="A few words, such as “Safety huddle at 2pm handover”.",
        error_messages={
            "required": "Enter a title for the cycle",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    objective = text_field("Objective", rows=2, help_text="What this cycle will test.")
    question = text_field("Question", rows=2, help_text="What do you want to find out?")
    prediction = text_field("Prediction", rows=2, help_text="What do you think will happen?")
    planned_start = forms.DateField(
        label="When does the test start?",
        required=False,
        help_text="It is marked on the charts of the measures below from this day (today if "
        "left empty).",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the day the test starts as a real date"},
    )
    measures = forms.TypedMultipleChoiceField(
        label="Which measures will show whether it worked?",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The cycle is marked on their charts.",
    )
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = project_list(user=user, filters={"mine": "true"}).filter(status__in=OPEN)
        wanted = Q(pk__in=mine.values("pk"))
        chosen = str(self.data.get("project") or self.initial.get("project") or "")
        if chosen.isdigit():
            wanted |= Q(pk=int(chosen))
        projects = project_list(user=user).filter(wanted).order_by("title")
        self.fields["project"].queryset = projects
        ideas = (
            change_idea_list(user=user)
            .filter(project__in=projects)
            .order_by("project__title", "position", "id")
        )
        groups: dict[str, list[tuple[int, str]]] = {}
        for idea in ideas:
            groups.setdefault(idea.project.title, []).append((idea.pk, idea.title))
        self.fields["change_idea"].choices = [("", "None"), *groups.items()]
        self.ideas = {idea.pk: idea for idea in ideas}
        # The chosen project's measures (every offered project's until one is chosen).
        offered = measure_scope(user=user).filter(project__in=projects)
        if chosen.isdigit():
            offered = offered.filter(project_id=int(chosen))
        self.measures = {
            measure.pk: measure for measure in offered.order_by("project__title", "type", "name")
        }
        several = len({m.project_id for m in self.measures.values()}) > 1
        self.fields["measures"].choices = [
            (pk, _measure_label(measure, with_project=several))
            for pk, measure in self.measures.items()
        ]
        if chosen.isdigit() and "measures" not in self.initial:
            self.initial["measures"] = [
                pk for pk, m in self.measures.items() if m.type == Measure.Type.OUTCOME
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("prediction", "").strip() and not data.get("question", "").strip():
            self.add_error("question", "Enter the question your prediction answers")
        return data

    def field_for(self, service_field: str | None) -> str | None:
        if (service_field or "").startswith("measures["):
            return "measures"
        return super().field_for(service_field)


def _measure_label(measure: Measure, *, with_project: bool) -> str:
    label = f"{measure.name} ({measure.get_type_display().lower()})"
    return f"{label}, {measure.project.title}" if with_project else label


def _quick_log_initial(request: HttpRequest) -> tuple[dict[str, Any], Cycle | None]:
    """What the quick log starts from: the next cycle of a ramp (``?after=``), a project
    and idea it was opened from, or the person's one active project."""
    after = request.POST.get("after") or request.GET.get("after") or ""
    if after.isdigit():
        cycle = cycle_list(user=request.user).filter(pk=int(after)).first()
        if cycle is not None:
            draft = cycle_next_draft(cycle=cycle)
            question = draft["questions"][0] if draft["questions"] else {}
            return {
                "project": draft["project"],
                "change_idea": draft["change_idea"],
                "title": draft["title"],
                "objective": draft["objective"],
                "question": question.get("question", ""),
                "prediction": question.get("prediction", ""),
                "measures": draft["measures"],
                "planned_start": timezone.localdate(),
                "after": cycle.pk,
            }, cycle
    initial: dict[str, Any] = {
        name: request.GET[name] for name in ("project", "change_idea") if request.GET.get(name)
    }
    initial["planned_start"] = timezone.localdate()
    if "project" not in initial:
        active = list(
            project_list(user=request.user, filters={"mine": "true"})
            .filter(status__in=LIVE_STATUSES)
            .values_list("pk", flat=True)[:2]
        )
        if len(active) == 1:
            initial["project"] = active[0]
    return initial, None


@login_required
@idempotent_page
def cycle_new(request: HttpRequest) -> HttpResponse:
    """The quick log: a new cycle in Plan, from a phone, in under a minute; linked to the
    measures that will show whether it worked, so it is marked on their charts."""
    initial, previous = _quick_log_initial(request)
    form = QuickLogForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        cycle = _create(request, form, previous)
        if cycle is not None:
            messages.success(request, f"Cycle {cycle.number} saved. Next: do the test.")
            return redirect("cycle-page", pk=cycle.pk)
    chosen = str(form["project"].value() or "")
    project = (
        form.fields["project"].queryset.filter(pk=chosen).first() if chosen.isdigit() else None
    )
    context = {
        "form": form,
        "previous": previous,
        "back": reverse("project-page", args=[project.pk]) if project else reverse("my-projects"),
    }
    if form.errors:
        return invalid_form_response(request, "pdsa/quick_log.html", context)
    return render(request, "pdsa/quick_log.html", context)


def _create(request: HttpRequest, form: QuickLogForm, previous: Cycle | None) -> Cycle | None:
    data = form.cleaned_data
    idea = form.ideas.get(data["change_idea"]) if data["change_idea"] else None
    if data["change_idea"] and idea is None:
        form.add_error("change_idea", "Choose a change idea of this project")
        return None
    questions = (
        [{"question": data["question"], "prediction": data["prediction"]}]
        if data["question"].strip()
        else []
    )
    measures = [form.measures[pk] for pk in data["measures"] if pk in form.measures]
    # The next cycle of a ramp carries the rest of its plan: the other questions, the
    # tasks and the data collection plan.
    same_ramp = previous is not None and previous.project_id == data["project"].pk
    draft = cycle_next_draft(cycle=previous) if same_ramp else None
    created = save_or_refuse(
        form,
        lambda: cycle_create(
            by=request.user,
            project=data["project"],
            title=data["title"],
            objective=data["objective"],
            change_idea=idea,
            questions=questions + (draft["questions"][1:] if draft else []),
            tasks=draft["tasks"] if draft else (),
            data_collection_plan=draft["data_collection_plan"] if draft else "",
            parent=previous if same_ramp else None,
            planned_start=data["planned_start"] or timezone.localdate(),
            measures=measures,
        ),
    )
    return created[0] if created else None
