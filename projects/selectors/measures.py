"""Reading the measure library, measures, their rebases and data points."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from backend.filters import apply_filters
from backend.models import User
from backend.selectors import organisation_ids
from projects.filters import MeasureFilter
from projects.models import DataPoint, Measure, MeasureDefinition, ProjectMember, Rebase

CSV_COLUMNS = ("period", "value", "numerator", "denominator", "note")
# A spreadsheet runs a cell starting with one of these as a formula: an exported note
# could otherwise carry one into the reader's Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def measure_definition_list(*, user: User) -> QuerySet[MeasureDefinition]:
    """The measure libraries of the user's organisations, with how many measures use each."""
    return (
        MeasureDefinition.objects.filter(organisation_id__in=organisation_ids(user=user))
        .annotate(measure_count=Count("measures"))
        .order_by("organisation", "name", "id")
    )


def measure_scope(*, user: User) -> QuerySet[Measure]:
    """Measures of the user's organisations (of projects and of aims), with their project,
    aim and definition: for a page that draws or words them, without the list's counts of
    data points or its project's team."""
    return Measure.objects.filter(organisation_id__in=organisation_ids(user=user)).select_related(
        "project", "aim", "definition"
    )


def measure_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Measure]:
    """Measures of the user's organisations (of projects and of aims), with their project's
    team (for edit rights), how many data points they have and the first and last period."""
    measures = (
        measure_scope(user=user)
        .prefetch_related(
            Prefetch("project__members", queryset=ProjectMember.objects.only("project", "user"))
        )
        .annotate(
            data_point_count=Count("data_points"),
            first_period=Min("data_points__period"),
            last_period=Max("data_points__period"),
        )
        .order_by("organisation", "name", "id")  # aggregation drops Meta.ordering
    )
    if filters is not None:
        measures = apply_filters(MeasureFilter(filters, queryset=measures, user=user))
    return measures


def measure_get(*, user: User, pk: int) -> Measure:
    """One measure the user may see, or a 404."""
    return get_object_or_404(measure_list(user=user), pk=pk)


def data_point_list(*, measure: Measure) -> QuerySet[DataPoint]:
    """A measure's data points in period order (the measure was already scoped)."""
    return DataPoint.objects.filter(measure=measure).select_related("created_by").order_by("period")


def points_since(wanted: Iterable[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """How many data points each measure has from a date on, by (measure id, date): one
    query, counting each distinct date in the database."""
    wanted = set(wanted)
    if not wanted:
        return {}
    dates = sorted({since for _, since in wanted})
    counts = {
        f"since_{index}": Count("id", filter=Q(period__gte=since))
        for index, since in enumerate(dates)
    }
    rows = (
        DataPoint.objects.filter(measure_id__in={measure_id for measure_id, _ in wanted})
        .values("measure_id")
        .order_by()
        .annotate(**counts)
    )
    found = {
        (row["measure_id"], since): row[f"since_{index}"]
        for row in rows
        for index, since in enumerate(dates)
    }
    return {pair: found.get(pair, 0) for pair in wanted}


def rebase_list(*, measure: Measure) -> QuerySet[Rebase]:
    """A measure's rebases in date order, with who decided each."""
    return Rebase.objects.filter(measure=measure).select_related("decided_by").order_by("starts_on")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def data_points_csv(*, measure: Measure) -> str:
    """The measure's data as CSV, in the same columns the import reads back."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for point in data_point_list(measure=measure):
        writer.writerow(
            [
                point.period.isoformat(),
                *(
                    _csv_cell(getattr(point, name))
                    for name in ("value", "numerator", "denominator", "note")
                ),
            ]
        )
    return out.getvalue()
