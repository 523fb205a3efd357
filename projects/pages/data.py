"""A measure's data: adding one value from a phone, and the data page, where values are
corrected (with a reason, kept in the history), pasted or uploaded as CSV (all or nothing,
every bad row named), and the chart's limits recalculated from a date (a rebase, with why).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from backend.errors import ApplicationError, forbid
from backend.idempotency import idempotent_page
from backend.models import User
from backend.pages import PageForm, invalid_form_response, save_or_refuse
from projects.data_csv import MAX_CSV_BYTES, decode_csv, parse_pasted_data, read_rows, row_number
from projects.models import RATIO_CHARTS, Measure
from projects.periods import likely_next_period
from projects.selectors import (
    can_edit_measure,
    data_point_list,
    measure_data_history,
    measure_get,
    measure_list,
    project_list,
    rebase_list,
)
from projects.services import DataUpsert, data_points_upsert, rebase_create, rebase_delete

# The newest points shown on the data page unless all are asked for.
POINTS_SHOWN = 36
CORRECTIONS_SHOWN = 20
REASON_HINT = "Needed when you change a value already recorded: it is kept with the change."


def suggested_period(measure: Measure, today: date) -> date:
    """The period a new data point is most likely for."""
    return likely_next_period(getattr(measure, "last_period", None), measure.frequency, today)


def _data_measures(user: User, chosen: str | None) -> QuerySet[Measure]:
    """Measures of the user's own projects, and the one they came from (any they may see)."""
    wanted = Q(project__in=project_list(user=user, filters={"mine": "true"}))
    if chosen and chosen.isdigit():
        wanted |= Q(pk=int(chosen))
    return measure_list(user=user).filter(wanted).order_by("project__title", "name")


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, measure: Measure) -> str:
        return f"{measure.name} ({measure.project.title})" if measure.project else measure.name


class PointForm(PageForm):
    """One period's value (or numerator and denominator) and a note; a reason when it
    changes a value already recorded."""

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
        max_length=2000,  # as the API's data rows
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything that explains this value, such as a change of staffing. "
        "Never a patient's details.",
    )

    reason = forms.CharField(
        label="Reason for the correction",
        required=False,
        max_length=500,
        help_text=REASON_HINT,
    )

    def row(self, measure: Measure) -> dict[str, Any]:
        """The form as a row for ``data_points_upsert``, in the measure's kind of numbers."""
        data = self.cleaned_data
        row = {"period": data["period"], "note": data["note"]}
        if measure.chart_type in RATIO_CHARTS:
            row |= {"numerator": data["numerator"], "denominator": data["denominator"]}
        else:
            row["value"] = data["value"]
        return row


class DataPointForm(PointForm):
    measure = MeasureChoiceField(
        label="Measure",
        queryset=Measure.objects.none(),
        empty_label="Choose a measure",
        error_messages={"required": "Choose the measure", "invalid_choice": "Choose the measure"},
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
        saved = save_or_refuse(
            form,
            lambda: data_points_upsert(
                measure=measure,
                rows=[form.row(measure)],
                by=request.user,
                labels=["point"],
                reason=data["reason"],
                corrections_need_reason=True,
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


class PasteForm(PageForm):
    """Data pasted from a spreadsheet, or a CSV file: saved all together or not at all."""

    text = forms.CharField(
        label="Paste the cells",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the columns from your spreadsheet: the period, then the value (or the "
        "count and the total), and a note if you like. A header row is optional.",
    )
    file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        help_text="Columns: period, value (or numerator and denominator), note.",
    )
    reason = forms.CharField(
        label="Reason for any corrections",
        required=False,
        max_length=500,
        help_text=REASON_HINT,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file"):
            self.add_error("text", "Paste the cells, or choose a CSV file")
        return data

    def field_for(self, service_field: str | None) -> str | None:
        return "reason" if service_field == "reason" else "text"

    def refusal_message(self, field: str | None, message: str) -> str:
        return message

    def add_refusal(self, error: ApplicationError | ValidationError) -> None:
        """Every bad row of the paste, named as the spreadsheet numbers it."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for key, messages_ in error.message_dict.items():
                where = _where(key)
                for message in messages_:
                    self.add_error(self.field_for(key), f"{where}{message}")
            return
        super().add_refusal(error)

    def read(self, measure: Measure) -> tuple[list[dict], list[str], dict[str, list[str]]]:
        """The rows pasted or uploaded, read, with the cells that could not be read."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            text = decode_csv(upload.read(MAX_CSV_BYTES + 1))
        else:
            text = self.cleaned_data["text"]
        return read_rows(parse_pasted_data(text, ratio=measure.chart_type in RATIO_CHARTS))


# The columns of a paste in the words of the page's table.
COLUMN_WORDS = {"numerator": "count (numerator)", "denominator": "total (denominator)"}


def _where(key: str) -> str:
    """Where in the paste a problem is: "row 5.value" -> "Row 5, value: "."""
    row, _, column = key.partition(".")
    if not row.startswith("row "):
        return ""
    column = COLUMN_WORDS.get(column, column)
    return f"{row.capitalize()}, {column}: " if column else f"{row.capitalize()}: "


class RebaseForm(PageForm):
    starts_on = forms.DateField(
        label="Recalculate from",
        help_text="The first period of the new process, such as the month the change took hold.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date to recalculate from",
            "invalid": "Enter a real date",
        },
    )
    reason = forms.CharField(
        label="Why has the process changed?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on the chart, such as “Falls huddle at every handover since March”.",
        error_messages={"required": "Say why the process changed"},
    )


FORMS = {"point": PointForm, "paste": PasteForm, "rebase": RebaseForm}


def _write(request: HttpRequest, measure: Measure, form: PageForm, action: str) -> str | None:
    """Do what the data page's form asks; what to say, or None when refused."""
    data = form.cleaned_data
    by = request.user
    if action == "point":
        done = save_or_refuse(
            form,
            lambda: data_points_upsert(
                measure=measure,
                rows=[form.row(measure)],
                by=by,
                labels=["point"],
                reason=data["reason"],
                corrections_need_reason=True,
            ),
        )
        return None if done is None else f"Saved the value for {data['period']:%-d %B %Y}."
    if action == "paste":
        done = save_or_refuse(
            form,
            lambda: _paste(form, measure=measure, by=by, reason=data["reason"]),
        )
        if done is None:
            return None
        return _saved_words(done)
    done = save_or_refuse(
        form,
        lambda: rebase_create(
            by=by, measure=measure, starts_on=data["starts_on"], reason=data["reason"]
        ),
    )
    return (
        None if done is None else f"The limits are recalculated from {data['starts_on']:%-d %B %Y}."
    )


def _saved_words(done: DataUpsert) -> str:
    parts = [
        f"{count} {noun}{'' if count == 1 else 's'}"
        for count, noun in (
            (len(done.created), "new value"),
            (len(done.updated), "correction"),
        )
        if count
    ]
    saved = f"Saved {' and '.join(parts)}." if parts else "Nothing changed."
    return saved + (f" {done.unchanged} were as recorded already." if done.unchanged else "")


def _paste(form: PasteForm, *, measure: Measure, by: User, reason: str) -> DataUpsert:
    """Save every pasted row, or none: the rows that could be read are checked by the
    service too, so one answer names every bad row, whatever is wrong with it."""
    rows, labels, unreadable = form.read(measure)
    with transaction.atomic():
        try:
            result = data_points_upsert(
                measure=measure,
                rows=rows,
                labels=labels,
                by=by,
                reason=reason,
                corrections_need_reason=True,
            )
        except ValidationError as refusal:
            unreadable = {**unreadable, **refusal.message_dict}
        if unreadable:
            # Raised inside the block, so what the readable rows wrote is undone.
            raise ValidationError(dict(sorted(unreadable.items(), key=lambda i: row_number(i[0]))))
    return result


@login_required
@idempotent_page
def measure_data(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's data: every value with a way to correct it, paste or upload many, and
    recalculate the chart's limits from a date; what was corrected, by whom and why."""
    measure = measure_get(user=request.user, pk=pk)
    can_edit = can_edit_measure(user=request.user, measure=measure)
    action = request.POST.get("form", "") if request.method == "POST" else ""
    if action and not can_edit:
        forbid("Only the project's team, its coach and the QI team can change its data.")
    forms_ = {
        name: (
            form_class(request.POST, request.FILES, prefix=name)
            if name == action
            else form_class(prefix=name, initial=_initial(name, measure, request))
        )
        for name, form_class in FORMS.items()
    }
    bound = forms_.get(action)
    if bound is not None and bound.is_valid():
        said = _write(request, measure, bound, action)
        if said is not None:
            messages.success(request, said)
            return redirect("measure-data", pk=measure.pk)
    points = list(data_point_list(measure=measure).reverse())
    shown = points if request.GET.get("all") else points[:POINTS_SHOWN]
    context = {
        "measure": measure,
        "can_edit": can_edit,
        "ratio": measure.chart_type in RATIO_CHARTS,
        "points": shown,
        "more": len(points) - len(shown),
        "rebases": list(rebase_list(measure=measure)),
        "corrections": [
            entry
            for entry in measure_data_history(measure=measure, limit=200)
            if entry["type"] != "created"
        ][:CORRECTIONS_SHOWN],
        "point_form": forms_["point"],
        "paste_form": forms_["paste"],
        "rebase_form": forms_["rebase"],
        "form": bound,  # the one whose errors the summary lists
    }
    if bound is not None and bound.errors:
        return invalid_form_response(request, "projects/measure_data.html", context)
    return render(request, "projects/measure_data.html", context)


def _initial(name: str, measure: Measure, request: HttpRequest) -> dict[str, Any]:
    """A correction starts from the value it corrects (``?period=``), a new value from the
    period most likely next."""
    if name != "point":
        return {}
    wanted = request.GET.get("period", "")
    point = None
    if wanted:
        try:
            point = (
                data_point_list(measure=measure).filter(period=date.fromisoformat(wanted)).first()
            )
        except ValueError:
            point = None
    if point is None:
        return {"period": suggested_period(measure, timezone.localdate())}
    return {
        "period": point.period,
        "value": point.value,
        "numerator": point.numerator,
        "denominator": point.denominator,
        "note": point.note,
    }


@login_required
@idempotent_page
def rebase_remove(request: HttpRequest, pk: int, rebase_pk: int) -> HttpResponse:
    """Undo a recalculation of the limits made by mistake."""
    measure = measure_get(user=request.user, pk=pk)
    rebase = rebase_list(measure=measure).filter(pk=rebase_pk).first()
    if request.method == "POST" and rebase is not None:
        rebase_delete(by=request.user, rebase=rebase)
        messages.success(
            request, f"The limits are no longer recalculated from {rebase.starts_on:%-d %B %Y}."
        )
    return redirect("measure-data", pk=measure.pk)
