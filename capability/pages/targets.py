"""The QI team's settings pages: the course catalogue, the headcounts and the dosing
ratios the targets come from."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from backend.idempotency import idempotent_page
from backend.models import Organisation, Unit
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from capability import levels, selectors, services
from capability.levels import Level
from capability.models import Headcount
from capability.pages._shared import organisation_of, section_links
from capability.selectors.pyramid import percent_text


def _keeper_organisation(request: HttpRequest, action: str) -> Organisation:
    return organisation_of(
        request, selectors.RECORD_KEEPER_ROLES, f"{selectors.WHO_KEEPS_RECORDS} {action}."
    )


class CourseForm(PageForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the course's name"}
    )
    provider = forms.CharField(label="Who runs it (optional)", max_length=200, required=False)
    level = forms.ChoiceField(
        label="The level it gives",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the level the course gives"},
    )
    description = forms.CharField(
        label="What it covers (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.TypedChoiceField(
        label="Offered now?",
        choices=[("yes", "Yes"), ("no", "No: keep it on old records only")],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )


@login_required
def courses_page(request: HttpRequest) -> HttpResponse:
    """The course catalogue: what each course is and the level it gives. The QI team
    adds courses here; everyone else sees it when adding to their record."""
    organisation = _keeper_organisation(request, "keep the course catalogue")
    courses = selectors.course_list(user=request.user).filter(organisation=organisation)
    return render(
        request,
        "capability/courses.html",
        {
            "organisation": organisation,
            "links": section_links(request, organisation),
            "courses": courses.order_by("-is_active", "level_rank", "name"),
            "descriptions": [
                (levels.label(lvl), levels.DESCRIPTIONS[lvl]) for lvl in levels.LEVELS
            ],
        },
    )


@login_required
@idempotent_page
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a course to the catalogue, or change one."""
    organisation = _keeper_organisation(request, "keep the course catalogue")
    course = None
    if pk is not None:
        course = get_object_or_404(
            selectors.course_list(user=request.user).filter(organisation=organisation), pk=pk
        )
    initial = (
        {
            "name": course.name,
            "provider": course.provider,
            "level": course.level,
            "description": course.description,
            "is_active": "yes" if course.is_active else "no",
        }
        if course
        else None
    )
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if course is None:
            saved = save_or_refuse(
                form,
                lambda: services.course_create(by=request.user, organisation=organisation, **data),
            )
        else:
            saved = save_or_refuse(
                form, lambda: services.course_update(by=request.user, course=course, **data)
            )
        if saved is not None:
            messages.success(request, f"{saved.name} is in the catalogue.")
            return redirect("courses-page")
    context = {
        "organisation": organisation,
        "links": section_links(request, organisation),
        "form": form,
        "course": course,
    }
    if form.errors:
        return invalid_form_response(request, "capability/course_form.html", context)
    return render(request, "capability/course_form.html", context)


class RatiosForm(PageForm):
    refuses_nhs_numbers = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for level in levels.LEVELS:
            self.fields[level] = forms.DecimalField(
                label=f"{levels.label(level)} (% of staff)",
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=3,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                error_messages={
                    "required": f"Enter the {levels.label(level).lower()} share",
                    "invalid": "Enter a number, like 5 or 0.05",
                    "min_value": "Enter a share from 0 to 100",
                    "max_value": "Enter a share from 0 to 100",
                    "max_decimal_places": "Use no more than 3 decimal places",
                },
            )


class HeadcountsForm(PageForm):
    """A staff count for each unit; blank means the unit has none of its own."""

    refuses_nhs_numbers = False

    def __init__(self, *args, units: list[Unit], counts: dict[int, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            self.fields[f"unit_{unit.pk}"] = forms.IntegerField(
                label=unit.name,
                help_text=f"In {unit.parent.name}" if unit.parent else "",
                required=False,
                min_value=0,
                initial=counts.get(unit.pk),
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "nhsuk-input--width-5"}
                ),
                error_messages={"invalid": "Enter a whole number", "min_value": "Enter 0 or more"},
            )

    def field_for(self, service_field: str | None) -> str | None:
        return getattr(self, "current_field", None)


def _targets_context(request: HttpRequest, organisation: Organisation, **given) -> dict:
    ratios = selectors.ratios_of(organisation)
    units = list(
        Unit.objects.filter(organisation=organisation, is_active=True)
        .exclude(level=Unit.Level.SITE)
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    counts = dict(
        Headcount.objects.filter(organisation=organisation).values_list("unit_id", "staff")
    )
    return {
        "organisation": organisation,
        "links": section_links(request, organisation),
        "ratios_form": given.get("ratios_form")
        or RatiosForm(
            initial={level: percent_text(ratios.percent(level)) for level in levels.LEVELS}
        ),
        "headcounts_form": given.get("headcounts_form")
        or HeadcountsForm(units=units, counts=counts),
        "total": sum(counts.values()),
    }


@login_required
def targets_page(request: HttpRequest) -> HttpResponse:
    """The dosing ratios and each unit's headcount: what the targets are sized from."""
    organisation = _keeper_organisation(request, "set headcounts and dosing ratios")
    return render(request, "capability/targets.html", _targets_context(request, organisation))


@login_required
@idempotent_page
def ratios_save(request: HttpRequest) -> HttpResponse:
    """Save the dosing ratios."""
    organisation = _keeper_organisation(request, "set the dosing ratios")
    form = RatiosForm(request.POST)
    if request.method == "POST" and form.is_valid():
        done = save_or_refuse(
            form,
            lambda: services.ratios_update(
                by=request.user, organisation=organisation, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "The dosing ratios are saved; the targets follow them.")
            return redirect("targets-page")
    return invalid_form_response(
        request,
        "capability/targets.html",
        _targets_context(request, organisation, ratios_form=form),
    )


def _save_headcounts(request: HttpRequest, form: HeadcountsForm) -> bool:
    """Every changed count in one transaction, removals first (so a division's count can
    give way to its wards' in one go); one refusal saves none of them."""
    current = {h.unit_id: h for h in Headcount.objects.filter(unit__in=form.units)}
    removals, settings = [], []
    for unit in form.units:
        staff = form.cleaned_data[f"unit_{unit.pk}"]
        found = current.get(unit.pk)
        if staff is None and found is not None:
            removals.append((unit, found))
        elif staff is not None and (found is None or found.staff != staff):
            settings.append((unit, staff))
    with transaction.atomic():
        for unit, found in removals:
            form.current_field = f"unit_{unit.pk}"
            services.headcount_remove(by=request.user, headcount=found)
        for unit, staff in settings:
            form.current_field = f"unit_{unit.pk}"
            saved = save_or_refuse(
                form,
                lambda unit=unit, staff=staff: services.headcount_set(
                    by=request.user, unit=unit, staff=staff
                ),
            )
            if saved is None:
                transaction.set_rollback(True)
                return False
    return True


@login_required
@idempotent_page
def headcounts_save(request: HttpRequest) -> HttpResponse:
    """Save the headcounts; a unit counted twice (its division has a count too) is
    refused beside it, and nothing is saved."""
    organisation = _keeper_organisation(request, "record headcounts")
    context = _targets_context(request, organisation)
    form = HeadcountsForm(request.POST, units=context["headcounts_form"].units, counts={})
    if request.method == "POST" and form.is_valid() and _save_headcounts(request, form):
        messages.success(request, "The headcounts are saved; the targets follow them.")
        return redirect("targets-page")
    return invalid_form_response(
        request, "capability/targets.html", {**context, "headcounts_form": form}
    )
