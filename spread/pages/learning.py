"""The learning library for everyone: "has anyone tried this?", answered from every team's
tested change ideas (abandoned ones too), and "Use this in my project", which copies a
cycle's plan into one of the person's projects."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backend.idempotency import idempotent_page
from backend.kept_pages import kept_page
from backend.models import Unit
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.selectors import unit_list
from pdsa.selectors import cycle_list
from pdsa.services import cycle_clone
from projects.lifecycle import FINAL
from projects.models import ChangeIdea, Project, StrategicAim
from projects.selectors import project_list
from spread import selectors
from spread.pages.words import evidence_words
from spread.selectors.learning import TRIED_STATUSES

LEARNING_PAGE_SIZE = 10
DECISION_WORDS = {"adopt": "adopted", "adapt": "adapted", "abandon": "abandoned"}


class LibraryForm(PageForm):
    """The search box and its filters (a GET form: nothing is saved)."""

    refuses_nhs_numbers = False

    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        max_length=200,
        help_text="A few words, such as “falls at night” or “handover”.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Decided", required=False)
    unit_kind = forms.ChoiceField(label="Kind of unit", required=False)
    specialty = forms.ChoiceField(label="Specialty", required=False)
    aim = forms.TypedChoiceField(label="Strategic aim", required=False, coerce=int)

    def __init__(self, *args: Any, specialties: list[str], aims: list[StrategicAim], **kw: Any):
        super().__init__(*args, **kw)
        labels = dict(ChangeIdea.Status.choices)
        self.fields["status"].choices = [("", "Any decision")] + [
            (status, labels[status]) for status in TRIED_STATUSES
        ]
        self.fields["unit_kind"].choices = [("", "Any kind"), *Unit.Kind.choices]
        self.fields["specialty"].choices = [("", "Any specialty")] + [(s, s) for s in specialties]
        self.fields["aim"].choices = [("", "Any aim")] + [(aim.pk, aim.title) for aim in aims]


def _result(idea: ChangeIdea, visible: set[int]) -> dict[str, Any]:
    cycles = list(idea.cycles.all())
    learned = idea.learning or next((c.learning for c in reversed(cycles) if c.learning), "")
    decided = [
        f"cycle {c.number} {DECISION_WORDS[c.decision]}"
        for c in cycles
        if c.decision in DECISION_WORDS
    ]
    candidate = getattr(idea, "spread_candidate", None)
    shown = candidate if candidate is not None and candidate.pk in visible else None
    return {
        "idea": idea,
        "cycle": cycles[-1] if cycles else None,
        "learned": learned,
        "decided": "; ".join(decided).capitalize(),
        "evidence": evidence_words(shown) if shown else None,
        "candidate": shown,
    }


@login_required
@kept_page
def library(request: HttpRequest) -> HttpResponse:
    """Search what was tried across the organisation: each result says what was tried,
    where, what was decided and how strong the evidence is, and opens the cycle."""
    specialties = sorted(
        {s.strip() for s in unit_list(user=request.user).values_list("specialty", flat=True)} - {""}
    )
    aims = list(selectors.learning_aims(user=request.user))
    form = LibraryForm(request.GET or None, specialties=specialties, aims=aims)
    filters: dict[str, Any] = {}
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data.pop("q")
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    # A filter not understood is said beside it (400), and the library is listed unfiltered.
    ideas = selectors.learning_search(user=request.user, query=query, filters=filters)
    page = Paginator(ideas, LEARNING_PAGE_SIZE).get_page(request.GET.get("page"))
    visible = set(
        selectors.candidate_list(user=request.user)
        .filter(change_idea__in=[idea.pk for idea in page])
        .values_list("pk", flat=True)
    )
    context = {
        "form": form,
        "page": page,
        "results": [_result(idea, visible) for idea in page],
        "query": query,
        "searched": bool(query or filters),
    }
    if form.errors:
        return invalid_form_response(request, "spread/learning.html", context)
    return render(request, "spread/learning.html", context)


class UseCycleForm(PageForm):
    project = forms.ModelChoiceField(
        label="Which of your projects?",
        queryset=Project.objects.none(),
        empty_label="Choose a project",
        error_messages={"required": "Choose the project", "invalid_choice": "Choose the project"},
    )
    title = forms.CharField(
        label="Title of your cycle",
        max_length=200,
        help_text="Change it to fit what you will test.",
        error_messages={"required": "Enter a title for the cycle"},
    )

    def __init__(self, *args: Any, projects: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


@login_required
@idempotent_page
def use_cycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy another team's cycle plan into one of the person's projects (the plan, never
    the results), and open the new cycle."""
    source = get_object_or_404(cycle_list(user=request.user), pk=pk)
    projects = (
        project_list(user=request.user, filters={"mine": "true"})
        .exclude(status__in=FINAL)
        .prefetch_related(None)
        .order_by("title")
    )
    form = UseCycleForm(request.POST or None, projects=projects, initial={"title": source.title})
    if request.method == "POST" and form.is_valid():
        made = save_or_refuse(
            form,
            lambda: cycle_clone(
                source=source,
                by=request.user,
                project=form.cleaned_data["project"],
                title=form.cleaned_data["title"],
            ),
        )
        if made is not None:
            cycle, _ = made
            messages.success(
                request,
                f"Cycle {cycle.number} is in your project, with the plan from "
                f"{source.project.unit.name}. The results are yours to find.",
            )
            return redirect("cycle-page", pk=cycle.pk)
    context = {"form": form, "source": source, "has_projects": projects.exists()}
    if form.errors:
        return invalid_form_response(request, "spread/use_cycle.html", context)
    return render(request, "spread/use_cycle.html", context)
