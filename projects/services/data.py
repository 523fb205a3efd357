"""Recording a measure's data: upserts by period, all or nothing, with every row checked.

Every change moves the measure to a new revision (so cached charts renew), marks the
project active now (stall detection reads it), and sends ``measure_data_changed`` inside
the transaction, so listeners' own writes commit or roll back with the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from backend.models import User
from backend.validators import NHS_NUMBER_MESSAGE, contains_nhs_number
from projects.models import RATIO_CHARTS, ChartType, DataPoint, Measure, Project
from projects.periods import period_problem
from projects.services.measures import (
    NON_NEGATIVE_CHARTS,
    ensure_can_edit_measure,
    measure_reading_changed,
)

MAX_ROWS = 2000
DATA_FIELDS = ("value", "numerator", "denominator", "note")
PROPORTION_CHARTS = frozenset({ChartType.P, ChartType.PP})


@dataclass
class DataUpsert:
    """What an upsert did: the points made and changed, and how many rows changed nothing."""

    created: list[DataPoint] = field(default_factory=list)
    updated: list[DataPoint] = field(default_factory=list)
    unchanged: int = 0
    revision: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _number_problems(point: DataPoint, chart_type: str) -> dict[str, str]:
    """What is wrong with a point's numbers for the measure's chart, by field."""
    problems = {}
    for name in ("value", "numerator", "denominator"):
        number = getattr(point, name)
        if number is not None and not math.isfinite(number):
            problems[name] = "must be a finite number."
    if problems:
        return problems
    label = ChartType(chart_type).label
    if chart_type in RATIO_CHARTS:
        for name in ("numerator", "denominator"):
            if getattr(point, name) is None:
                problems[name] = f"is required for a {label}."
        if point.denominator is not None and point.denominator <= 0:
            problems["denominator"] = "must be more than zero."
        if point.numerator is not None and point.numerator < 0:
            problems["numerator"] = "must be zero or more."
        if chart_type in PROPORTION_CHARTS and not problems and point.numerator > point.denominator:
            problems["numerator"] = "cannot be bigger than the denominator for a proportion."
    else:
        if point.value is None:
            problems["value"] = f"is required for a {label}."
        elif chart_type in NON_NEGATIVE_CHARTS and point.value < 0:
            problems["value"] = f"must be zero or more for a {label}."
        if point.denominator is not None and point.denominator <= 0:
            problems["denominator"] = "must be more than zero."
    return problems


def _apply(point: DataPoint, row: Mapping[str, Any]) -> bool:
    """Set the row's given fields on the point; whether anything changed."""
    changed = False
    for name in DATA_FIELDS:
        if name in row:
            value = row[name] if name != "note" else (row[name] or "")
            if getattr(point, name) != value:
                setattr(point, name, value)
                changed = True
    return changed


def _record_change(*, measure: Measure, by: User) -> None:
    """New data is the team's activity (stall detection reads it), and changes the chart."""
    if measure.project_id is not None:
        Project.objects.filter(pk=measure.project_id).update(last_activity_at=timezone.now())
    measure_reading_changed(measure=measure, by=by)


@transaction.atomic
def data_points_upsert(
    *,
    measure: Measure,
    rows: Sequence[Mapping[str, Any]],
    by: User,
    labels: Sequence[str] | None = None,
) -> DataUpsert:
    """Add or change a measure's data points by period, all or nothing.

    Each row has ``period`` (a date) and any of ``value``, ``numerator``, ``denominator``
    and ``note``; a field left out keeps its stored value. Every row is checked before
    anything is written, and every problem is reported at once, named by ``labels``
    (``rows[3].value`` by default; the CSV import says ``row 5.value``).
    """
    ensure_can_edit_measure(by=by, measure=measure, action="record data")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            {"rows": ValidationError(f"At most {MAX_ROWS} rows at once.", code="too_many")}
        )
    labels = labels or [f"rows[{index}]" for index in range(len(rows))]
    given = measure
    # One writer per measure at a time: concurrent uploads queue instead of colliding
    # on the same new period.
    measure = (
        Measure.objects.select_for_update(of=("self",)).select_related("project").get(pk=measure.pk)
    )
    existing = {
        point.period: point
        for point in DataPoint.objects.filter(
            measure=measure, period__in=[r["period"] for r in rows]
        )
    }
    today = timezone.localdate()
    errors: dict[str, list[ValidationError]] = {}
    first_row_of: dict[date, str] = {}
    result = DataUpsert()
    for label, row in zip(labels, rows, strict=True):
        period = row["period"]

        def problem(name: str, message: str, code: str = "invalid", label: str = label) -> None:
            errors.setdefault(f"{label}.{name}", []).append(ValidationError(message, code=code))

        if period in first_row_of:
            problem(
                "period", f"{period.isoformat()} is also in {first_row_of[period]}.", "duplicate"
            )
            continue
        first_row_of[period] = label
        period_problem_found = period_problem(period, measure.frequency, today)
        if period_problem_found:
            problem("period", period_problem_found)
        if row.get("note") and contains_nhs_number(row["note"]):
            problem("note", NHS_NUMBER_MESSAGE, "nhs_number")
        point = existing.get(period) or DataPoint(measure=measure, period=period, created_by=by)
        changed = _apply(point, row)
        for name, message in _number_problems(point, measure.chart_type).items():
            problem(name, message, "required" if "required" in message else "invalid")
        if point.pk is None:
            result.created.append(point)
        elif changed:
            point.updated_at = timezone.now()
            result.updated.append(point)
        else:
            result.unchanged += 1
    if errors:
        raise ValidationError(errors)
    if result.created:
        bulk_create_with_history(result.created, DataPoint, default_user=by)
    if result.updated:
        bulk_update_with_history(
            result.updated,
            DataPoint,
            fields=[*DATA_FIELDS, "updated_at"],
            default_user=by,
        )
    if result.changed:
        _record_change(measure=measure, by=by)
    given.revision = result.revision = measure.revision
    return result


@transaction.atomic
def data_point_delete(*, measure: Measure, period: date, by: User) -> None:
    """Remove one period's data point (kept in history with who removed it)."""
    ensure_can_edit_measure(by=by, measure=measure, action="record data")
    locked = Measure.objects.select_for_update().get(pk=measure.pk)
    point = DataPoint.objects.filter(measure=locked, period=period).first()
    if point is None:
        raise Http404(f"There is no data point for {period.isoformat()}.")
    point._history_user = by
    point.delete()
    _record_change(measure=locked, by=by)
    measure.revision = locked.revision
