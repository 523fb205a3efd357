"""My training: anyone's own record, a course they did to add for approval, and whether
the skills directory lists them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from backend.idempotency import idempotent_page
from backend.models import Organisation, User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from capability import levels, selectors, services
from capability.models import Course
from capability.pages._shared import organisation_of, section_links, with_organisation
from capability.selectors import course_list
from capability.services.records import EVIDENCE_MAX_BYTES


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, course: Course) -> str:
        provider = f", {course.provider}" if course.provider else ""
        return f"{course.name} ({course.get_level_display()}{provider})"


class OwnRecordForm(PageForm):
    course = CourseChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Choose the course you did",
        error_messages={"required": "Choose the course", "invalid_choice": "Choose the course"},
    )
    completed_on = forms.DateField(
        label="When did you finish it?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    evidence_url = forms.URLField(
        label="Link to your certificate (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://learning.example.nhs.uk/..."},
    )
    evidence_file = forms.FileField(
        label="Or attach it (optional)",
        help_text=f"A PDF, PNG or JPEG, up to {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.",
        required=False,
    )

    def __init__(self, *args, user: User, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = course_list(user=user).filter(
            organisation=organisation, is_active=True
        )


class ListingForm(PageForm):
    refuses_nhs_numbers = False

    listed = forms.TypedChoiceField(
        label="Show me in the skills directory",
        choices=[
            ("yes", "Yes: colleagues can find me by my level and experience"),
            ("no", "No: leave me out"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


def _organisation(request: HttpRequest) -> Organisation:
    return organisation_of(request, selectors.MEMBER_ROLES, "")


def _context(request: HttpRequest, organisation: Organisation, **given) -> dict:
    person = selectors.person_of(user=request.user, organisation=organisation)
    records = person.records.select_related("course").order_by("-completed_on") if person else []
    reader = selectors.may(
        user=request.user, organisation_id=organisation.pk, roles=selectors.PYRAMID_READER_ROLES
    )
    return {
        "organisation": organisation,
        "links": section_links(request, organisation) if reader else [],
        "person": person,
        "level_label": levels.label(person.level if person else ""),
        "level_description": levels.DESCRIPTIONS.get(person.level) if person else None,
        "records": records,
        "form": given.get("form") or OwnRecordForm(user=request.user, organisation=organisation),
        "listing_form": given.get("listing_form")
        or ListingForm(initial={"listed": "yes" if person is None or person.listed else "no"}),
        "directory_url": with_organisation(reverse("directory-page"), organisation, request),
    }


@login_required
def my_training(request: HttpRequest) -> HttpResponse:
    """Your improvement training: your level on the skills escalator, the courses on your
    record and any waiting for approval."""
    organisation = _organisation(request)
    return render(request, "capability/mine.html", _context(request, organisation))


@require_POST
@login_required
def my_record_add(request: HttpRequest) -> HttpResponse:
    """Add a course you did; the QI team approves it before it counts."""
    organisation = _organisation(request)
    form = OwnRecordForm(request.POST, request.FILES, user=request.user, organisation=organisation)
    if form.is_valid():
        data = form.cleaned_data

        def add():
            person = services.person_ensure(user=request.user, organisation=organisation)
            return services.record_add(
                by=request.user,
                person=person,
                course=data["course"],
                completed_on=data["completed_on"],
                evidence_url=data["evidence_url"] or "",
                evidence_file=data["evidence_file"],
            )

        record = save_or_refuse(form, add)
        if record is not None:
            messages.success(
                request,
                f"{record.course.name} is on your record, waiting for the QI team to approve it.",
            )
            return redirect(with_organisation(reverse("my-training"), organisation, request))
    return invalid_form_response(
        request, "capability/mine.html", _context(request, organisation, form=form)
    )


@require_POST
@login_required
@idempotent_page
def my_listing(request: HttpRequest) -> HttpResponse:
    """Choose whether the skills directory lists you."""
    organisation = _organisation(request)
    form = ListingForm(request.POST)
    if form.is_valid():
        listed = form.cleaned_data["listed"]

        def choose():
            person = services.person_ensure(user=request.user, organisation=organisation)
            return services.person_update(by=request.user, person=person, listed=listed)

        if save_or_refuse(form, choose) is not None:
            messages.success(
                request,
                "The skills directory lists you."
                if listed
                else "The skills directory leaves you out.",
            )
            return redirect(with_organisation(reverse("my-training"), organisation, request))
    return invalid_form_response(
        request, "capability/mine.html", _context(request, organisation, listing_form=form)
    )
