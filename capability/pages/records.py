"""The QI team's pages for training records: the list, the HR import, approvals, and one
person's record with their level and its history."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from backend.idempotency import idempotent_page
from backend.kept_pages import kept_page
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from capability import levels, selectors, services
from capability.levels import Level
from capability.models import Course, Person, TrainingRecord
from capability.pages._shared import PAGE_SIZE, organisation_of, section_links
from capability.records_csv import TEMPLATE
from projects.selectors import object_history

Status = TrainingRecord.Status


def _keeper_organisation(request: HttpRequest, action: str):
    return organisation_of(
        request, selectors.RECORD_KEEPER_ROLES, f"{selectors.WHO_KEEPS_RECORDS} {action}."
    )


class RecordFilterForm(PageForm):
    refuses_nhs_numbers = False

    q = forms.CharField(label="Name or e-mail", required=False)
    level = forms.ChoiceField(
        label="Level of the course", required=False, choices=[("", "Any level"), *Level.choices]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )


@login_required
@kept_page
def records_page(request: HttpRequest) -> HttpResponse:
    """Every training record of the organisation, newest first, filtered by name, level
    and status, 50 to a page."""
    organisation = _keeper_organisation(request, "read everyone's training records")
    form = RecordFilterForm(request.GET or None)
    wanted = {k: v for k, v in request.GET.items() if k in form.fields and v}
    wanted["organisation"] = str(organisation.pk)
    records = selectors.record_list(user=request.user, filters=wanted)
    # A row names the person, their unit and the course; not who added or decided it.
    records = records.select_related(None).select_related("person__unit", "course")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in wanted.items() if k != "organisation"})
    return render(
        request,
        "capability/records.html",
        {
            "organisation": organisation,
            "links": section_links(request, organisation),
            "form": form,
            "page": page,
            "query": query,
        },
    )


class ImportForm(PageForm):
    file = forms.FileField(
        label="The CSV file",
        help_text="Saved from your HR or learning system as CSV, up to 2 MB.",
        error_messages={"required": "Choose the CSV file to import"},
    )

    def field_for(self, service_field: str | None) -> str | None:
        # Every problem is about the file: a row, the header, or the file as a whole.
        return "file"

    def refusal_message(self, field: str | None, message: str) -> str:
        return message


@login_required
def records_import_page(request: HttpRequest) -> HttpResponse:
    """Import training records from an HR system's CSV file: all or nothing; a file with
    one bad row saves nothing and names every bad row."""
    organisation = _keeper_organisation(request, "import training records")
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {
        "organisation": organisation,
        "links": section_links(request, organisation),
        "form": form,
        "courses": selectors.course_list(user=request.user).filter(
            organisation=organisation, is_active=True
        ),
    }
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        result = save_or_refuse(
            form,
            lambda: services.records_import(by=request.user, organisation=organisation, raw=raw),
        )
        if result is not None:
            messages.success(
                request,
                f"Imported {result.rows} row{'s' * (result.rows != 1)}: "
                f"{result.records_added} record{'s' * (result.records_added != 1)} added, "
                f"{result.records_unchanged} already there, {result.people_added} new "
                f"{'person' if result.people_added == 1 else 'people'}; "
                f"{result.levels_changed} level{'s' * (result.levels_changed != 1)} changed.",
            )
            return redirect("training-records-page")
    if form.errors:
        return invalid_form_response(request, "capability/import.html", context)
    return render(request, "capability/import.html", context)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The columns the import reads, and one example row naming one of the organisation's
    own courses and units, so the file imports as it comes."""
    organisation = _keeper_organisation(request, "import training records")
    course = Course.objects.filter(organisation=organisation, is_active=True).first()
    unit = organisation.units.filter(is_active=True).order_by("name").first()
    rows = io.StringIO()
    csv.writer(rows, lineterminator="\n").writerow(
        [
            "sam.jones@example.nhs.uk",
            "Sam Jones",
            unit.name if unit else "",
            course.name if course else "Quality improvement foundations",
            "2026-03-31",
            "",
        ]
    )
    response = HttpResponse(TEMPLATE + rows.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-records.csv"'
    return response


class DeclineForm(PageForm):
    reason = forms.CharField(
        label="Why decline it?",
        help_text="The person sees this, so they can put it right.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are declining it"},
    )


@login_required
def approvals_page(request: HttpRequest) -> HttpResponse:
    """Courses people added for themselves, waiting for approval, oldest first."""
    organisation = _keeper_organisation(request, "approve training records")
    pending = selectors.record_list(
        user=request.user,
        filters={"status": Status.PENDING, "organisation": str(organisation.pk)},
    ).order_by("created_at")
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "capability/approvals.html",
        {
            "organisation": organisation,
            "links": section_links(request, organisation),
            "page": page,
            "query": "",
            "decline_form": DeclineForm(),
        },
    )


def _record(request: HttpRequest, pk: int) -> TrainingRecord:
    return get_object_or_404(selectors.record_list(user=request.user), pk=pk)


@require_POST
@login_required
@idempotent_page
def record_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve one record from the approvals list."""
    record = services.record_approve(by=request.user, record=_record(request, pk))
    messages.success(request, f"Approved {record.course.name} for {record.person}.")
    return redirect("approvals-page")


@require_POST
@login_required
@idempotent_page
def record_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Decline one record, saying why."""
    record = _record(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        done = save_or_refuse(
            form,
            lambda: services.record_decline(
                by=request.user, record=record, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, f"Declined {record.course.name} for {record.person}.")
            return redirect("approvals-page")
    organisation = record.person.organisation
    context = {
        "organisation": organisation,
        "links": section_links(request, organisation),
        "record": record,
        "form": form,
    }
    return invalid_form_response(request, "capability/decline.html", context)


class LevelForm(PageForm):
    level = forms.ChoiceField(
        label="Level",
        choices=[("", "Whatever the training records show"), *Level.choices],
        required=False,
    )
    reason = forms.CharField(
        label="Why?",
        help_text="For example: recognised by peers as an expert; trained at another trust.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why you are setting this level"},
    )


class KeeperRecordForm(PageForm):
    """A course the QI team adds to someone's record (it counts at once)."""

    course = forms.ModelChoiceField(
        label="Course",
        queryset=Course.objects.none(),
        empty_label="Choose a course",
        error_messages={"required": "Choose the course", "invalid_choice": "Choose the course"},
    )
    completed_on = forms.DateField(
        label="Completed on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    evidence_url = forms.URLField(
        label="Link to the evidence (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://learning.example.nhs.uk/..."},
    )

    def __init__(self, *args, courses=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses


def _person_context(request: HttpRequest, person: Person, **forms_given) -> dict:
    keeper = selectors.may(
        user=request.user,
        organisation_id=person.organisation_id,
        roles=selectors.RECORD_KEEPER_ROLES,
    )
    courses = selectors.course_list(user=request.user).filter(organisation=person.organisation_id)
    history = [
        entry
        for entry in object_history(instance=person, limit=50)
        if entry["type"] == "created" or any(c["field"] == "level" for c in entry["changes"])
    ]
    return {
        "organisation": person.organisation,
        "links": section_links(request, person.organisation) if keeper else [],
        "person": person,
        "level_label": levels.label(person.level),
        "records_label": levels.label(person.records_level),
        "records": person.records.select_related("course", "decided_by").order_by("-completed_on"),
        "history": history,
        "keeper": keeper,
        "level_form": forms_given.get("level_form")
        or LevelForm(initial={"level": person.set_level}, prefix="level"),
        "record_form": forms_given.get("record_form")
        or KeeperRecordForm(courses=courses.filter(is_active=True), prefix="record"),
    }


@login_required
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's training record: their level and where it comes from, their courses,
    and how their level changed (who set it, and why)."""
    person = get_object_or_404(selectors.person_list(user=request.user), pk=pk)
    return render(request, "capability/person.html", _person_context(request, person))


@require_POST
@login_required
@idempotent_page
def person_level(request: HttpRequest, pk: int) -> HttpResponse:
    """The QI team sets a person's level by hand, saying why."""
    person = get_object_or_404(selectors.person_list(user=request.user), pk=pk)
    form = LevelForm(request.POST, prefix="level")
    if form.is_valid():
        data = form.cleaned_data
        done = save_or_refuse(
            form,
            lambda: services.person_set_level(
                by=request.user, person=person, level=data["level"], reason=data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, f"{person}'s level is now {levels.label(done.level)}.")
            return redirect("person-page", pk=person.pk)
    return invalid_form_response(
        request, "capability/person.html", _person_context(request, person, level_form=form)
    )


@require_POST
@login_required
@idempotent_page
def person_record_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The QI team adds a course to someone's record."""
    person = get_object_or_404(selectors.person_list(user=request.user), pk=pk)
    courses = selectors.course_list(user=request.user).filter(organisation=person.organisation_id)
    form = KeeperRecordForm(request.POST, courses=courses, prefix="record")
    if form.is_valid():
        data = form.cleaned_data
        done = save_or_refuse(
            form,
            lambda: services.record_add(
                by=request.user,
                person=person,
                course=data["course"],
                completed_on=data["completed_on"],
                evidence_url=data["evidence_url"],
            ),
        )
        if done is not None:
            messages.success(request, f"Added {done.course.name} to {person}'s record.")
            return redirect(reverse("person-page", args=[person.pk]))
    return invalid_form_response(
        request, "capability/person.html", _person_context(request, person, record_form=form)
    )
