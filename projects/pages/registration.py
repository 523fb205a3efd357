"""Registering a project, with "has this been tried before?" beside the form.

With JavaScript, the aim sentence and what was tried before appear beside the form as the
title and problem are typed (``register_preview`` answers with that part of the page).
Without it, the same part is a confirm step between the form and the project.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from backend.errors import forbid
from backend.idempotency import idempotent_page
from backend.models import Unit, User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from backend.selectors import organisation_ids, user_memberships
from projects.models import Project, StrategicAim
from projects.selectors import (
    PROJECT_CREATOR_ROLES,
    aims_reaching_unit,
    project_similar,
)
from projects.services import needs_approval, project_create
from projects.tried_before import tried_changes
from projects.wording import aim_sentence

SIMILAR_SHOWN = 5
TRIED_SHOWN = 5


def _units(user: User) -> QuerySet[Unit]:
    """The wards and teams a project may be registered in: the user's organisations where
    they may register one."""
    allowed = organisation_ids(user=user, roles=PROJECT_CREATOR_ROLES)
    return (
        Unit.objects.filter(organisation_id__in=allowed, level=Unit.Level.UNIT, is_active=True)
        .select_related("organisation", "parent")
        .order_by("parent__name", "name")
    )


def _home_unit(user: User) -> Unit | None:
    homes = [m.home_unit_id for m in user_memberships(user=user).values() if m.home_unit_id]
    return Unit.objects.filter(pk=homes[0]).first() if homes else None


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return f"{unit.name} ({unit.parent.name})" if unit.parent else unit.name


def _aim_label(aim: StrategicAim) -> str:
    return f"{aim.title} ({aim.unit.name if aim.unit else 'the whole organisation'})"


class ProjectForm(PageForm):
    title = forms.CharField(
        label="What is the project called?",
        max_length=200,
        help_text="A few words, such as “Fewer falls on Ward 7”.",
        error_messages={
            "required": "Enter a name for the project",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    unit = UnitField(
        label="Which ward or team is it in?",
        queryset=Unit.objects.none(),
        empty_label="Choose a ward or team",
        error_messages={
            "required": "Choose the ward or team",
            "invalid_choice": "Choose the ward or team",
        },
    )
    problem = forms.CharField(
        label="What is the problem?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happens now, to whom, and why it matters. Never a patient's details.",
        error_messages={"required": "Say what the problem is"},
    )
    aim_what = forms.CharField(
        label="What will you improve?",
        max_length=300,
        help_text="Start with a verb, such as “reduce inpatient falls on Ward 7”.",
        error_messages={
            "required": "Say what you will improve",
            "max_length": "Keep this to 300 characters or fewer",
        },
    )
    aim_how_much = forms.CharField(
        label="By how much? (optional)",
        max_length=200,
        required=False,
        help_text="Such as “by 40%” or “to half”.",
    )
    aim_baseline = forms.FloatField(
        label="Where is it now? (optional)",
        required=False,
        help_text="The number today, such as 7 falls per 1,000 bed days.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "Enter where it is now as a number, such as 7"},
    )
    aim_target = forms.FloatField(
        label="Where do you want it to be? (optional)",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages={"invalid": "Enter the target as a number, such as 4"},
    )
    aim_by_when = forms.DateField(
        label="By when?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date you aim to get there by",
            "invalid": "Enter the date as a real date",
        },
    )
    aims = forms.ModelMultipleChoiceField(
        label="Which of the organisation's aims does it serve?",
        queryset=StrategicAim.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The aims that reach this ward or team. Choose any that fit.",
    )
    # Set once the person has seen what was tried before (beside the form, or on the
    # confirm step): the next send registers the project.
    seen = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = _units(user)
        self.unit = self._chosen_unit()
        reaching = aims_reaching_unit(user=user, unit=self.unit) if self.unit else []
        self.fields["aims"].queryset = StrategicAim.objects.filter(
            pk__in=[aim.pk for aim in reaching]
        ).select_related("unit")
        # In the cascade's order (bold aims, then the division's, then the ward's).
        self.fields["aims"].choices = [(aim.pk, _aim_label(aim)) for aim in reaching]

    def _chosen_unit(self) -> Unit | None:
        chosen = str(self.data.get("unit") or self.initial.get("unit") or "")
        if not chosen.isdigit():
            return None
        return next((u for u in self.fields["unit"].queryset if u.pk == int(chosen)), None)

    def clean_aim_by_when(self) -> date:
        by_when = self.cleaned_data["aim_by_when"]
        if by_when is not None and by_when < timezone.localdate():
            raise forms.ValidationError("The date you aim to get there by must be in the future")
        return by_when

    def sentence(self) -> str:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return aim_sentence(
            what=data.get("aim_what") or "",
            how_much=data.get("aim_how_much") or "",
            baseline=data.get("aim_baseline"),
            target=data.get("aim_target"),
            by_when=data.get("aim_by_when"),
        )


def _tried_before(user: User, data: dict[str, Any], unit: Unit | None) -> dict[str, Any]:
    """What the aside shows: the aim sentence, similar projects and tried changes."""
    title = (data.get("title") or "").strip()
    problem = (data.get("problem") or "").strip()
    aims = [aim.pk for aim in data.get("aims") or []]
    similar = (
        project_similar(user=user, title=f"{title} {problem}", unit=unit, aim_ids=aims)
        if title or problem
        else []
    )
    organisation_id = unit.organisation_id if unit else None
    tried = (
        tried_changes(
            user=user,
            text=f"{title} {problem}",
            organisation_id=organisation_id,
            limit=TRIED_SHOWN,
        )
        if organisation_id
        else []
    )
    return {"similar": similar[:SIMILAR_SHOWN], "tried": tried, "asked": bool(title or problem)}


def _ensure_may_register(user: User) -> None:
    if not organisation_ids(user=user, roles=PROJECT_CREATOR_ROLES):
        forbid(
            "Leaders read and sponsor projects; ask a member of the team, a coach or the "
            "QI team to register it."
        )


@login_required
@idempotent_page
def project_new(request: HttpRequest) -> HttpResponse:
    """Register a project: the form, then (without JavaScript) a confirm step showing the
    aim in one sentence and what was tried before, then the project."""
    _ensure_may_register(request.user)
    initial = {}
    home = _home_unit(request.user)
    chosen = request.GET.get("unit", "")
    if chosen.isdigit():
        initial["unit"] = int(chosen)  # the page script asks for the aims of another ward
    elif home is not None:
        initial["unit"] = home.pk
    data = request.POST or None
    confirming = request.method == "POST" and "change" not in request.POST
    if request.method == "POST" and not confirming:
        # Back from the confirm step to change the details: show it again after them.
        data = request.POST.copy()
        data["seen"] = ""
    form = ProjectForm(data, initial=initial, user=request.user)
    if confirming and form.is_valid():
        data = form.cleaned_data
        if data["seen"]:
            project = save_or_refuse(form, lambda: _register(request.user, data, form.sentence()))
            if project is not None:
                messages.success(request, _registered_message(project))
                return redirect("project-page", pk=project.pk)
        else:
            context = {
                "form": form,
                "sentence": form.sentence(),
                "waits": needs_approval(by=request.user, unit=data["unit"]),
                **_tried_before(request.user, data, data["unit"]),
            }
            return render(request, "projects/register_confirm.html", context)
    context = {
        "form": form,
        "waits": form.unit is not None and needs_approval(by=request.user, unit=form.unit),
    }
    if form.is_bound and form.errors and confirming:
        return invalid_form_response(request, "projects/register.html", context)
    return render(request, "projects/register.html", context)


def _register(user: User, data: dict[str, Any], sentence: str) -> Project:
    return project_create(
        by=user,
        unit=data["unit"],
        title=data["title"],
        aims=data["aims"],
        status=Project.Status.ACTIVE,
        problem=data["problem"],
        aim_statement=sentence,
        aim_what=data["aim_what"],
        aim_how_much=data["aim_how_much"],
        aim_baseline=data["aim_baseline"],
        aim_target=data["aim_target"],
        aim_by_when=data["aim_by_when"],
    )


def _registered_message(project: Project) -> str:
    if project.approval == Project.Approval.PENDING:
        return (
            f"“{project.title}” is registered. A coach or the QI team will approve it; "
            "meanwhile, build your team, driver diagram and measures."
        )
    return f"“{project.title}” is registered. Next: your team, driver diagram and measures."


@login_required
@require_GET
def register_preview(request: HttpRequest) -> HttpResponse:
    """The part of the registration page beside the form, for the page script: the aim
    in one sentence and what was tried before, from what has been typed so far."""
    _ensure_may_register(request.user)
    form = ProjectForm(request.GET, user=request.user)
    form.is_valid()  # whatever is valid so far; the rest is left out
    data = getattr(form, "cleaned_data", {})
    context = {"sentence": form.sentence(), **_tried_before(request.user, data, form.unit)}
    return render(request, "projects/includes/tried_before.html", context)
