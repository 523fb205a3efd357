"""A measure's chart: the SPC reading plus what happened when (rebases, PDSA cycles)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from projects.models import Measure, Rebase
from projects.selectors.spc import measures_spc_readings, rebase_periods


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.email, "email": user.email}


def _period_of(day: date, periods: list[date]) -> str | None:
    """The charted period a date falls in: the last period starting on or before it."""
    index = bisect_right(periods, day) - 1
    return periods[index].isoformat() if index >= 0 else None


def measure_summary(measure: Measure) -> dict[str, Any]:
    """What a chart needs to say about its measure."""
    return {
        "id": measure.pk,
        "name": measure.name,
        "type": measure.type,
        "unit": measure.unit,
        "chart_type": measure.chart_type,
        "improvement_direction": measure.improvement_direction,
        "frequency": measure.frequency,
        "target": measure.target,
        "fix_after_n_points": measure.fix_after_n_points,
        "revision": measure.revision,
        "project": None
        if measure.project_id is None
        else {"id": measure.project_id, "title": measure.project.title},
        "aim": None
        if measure.aim_id is None
        else {"id": measure.aim_id, "title": measure.aim.title},
    }


def _rebase_annotations(rebases: list[Rebase], periods: list[date]) -> list[dict[str, Any]]:
    rebase_at = set(rebase_periods(periods, rebases)) if periods else set()
    annotations = []
    for rebase in rebases:
        first = next((p for p in periods if p >= rebase.starts_on), None)
        annotations.append(
            {
                "kind": "rebase",
                "date": rebase.starts_on.isoformat(),
                "x": first.isoformat() if first in rebase_at else None,
                "label": f"Rebased: {rebase.reason}",
                "rebase": {
                    "id": rebase.pk,
                    "reason": rebase.reason,
                    "decided_by": _person(rebase.decided_by),
                    "created_at": rebase.created_at.isoformat(),
                },
            }
        )
    return annotations


def _cycle_annotations(measure: Measure, periods: list[date]) -> list[dict[str, Any]]:
    annotations = []
    for cycle in measure.cycles.all():  # in number order (measure_charts)
        about = {
            "id": cycle.pk,
            "number": cycle.number,
            "title": cycle.title,
            "stage": cycle.stage,
            "decision": cycle.decision or None,
            "project": cycle.project_id,
        }
        for kind, actual, planned, verb in (
            ("cycle_start", cycle.started_on, cycle.planned_start, "starts"),
            ("cycle_end", cycle.ended_on, cycle.planned_end, "ends"),
        ):
            day = actual or planned
            if day is None:
                continue
            annotations.append(
                {
                    "kind": kind,
                    "date": day.isoformat(),
                    "x": _period_of(day, periods),
                    "planned": actual is None,
                    "label": f"PDSA {cycle.number} {verb}: {cycle.title}",
                    "cycle": about,
                }
            )
    return annotations


def measure_chart(*, measure: Measure) -> dict[str, Any]:
    """The chart of a measure: ``measure`` (what it is), ``spc`` (exactly the engine's
    result for its data and options, or None with ``reason`` when it cannot be charted
    yet) and ``annotations`` (rebases with their reasons, PDSA cycles' starts and ends),
    in date order."""
    return measure_charts(measures=[measure])[measure.pk]


def measure_charts(*, measures: Sequence[Measure]) -> dict[int, dict[str, Any]]:
    """Each measure's chart (``measure_chart``) by id, in a fixed number of queries
    however many measures: their readings in one batch, then their rebases and their
    cycles in one query each."""
    measures = list(measures)  # read once: each instance carries what is prefetched
    readings = measures_spc_readings(measures)
    # Cycles are pdsa's; they are reached through the reverse relation of Cycle.measures,
    # so projects never imports pdsa.
    cycles = Measure._meta.get_field("cycles").related_model
    prefetch_related_objects(
        measures,
        Prefetch(
            "rebases", queryset=Rebase.objects.select_related("decided_by").order_by("starts_on")
        ),
        Prefetch("cycles", queryset=cycles.objects.order_by("number")),
    )
    charts = {}
    for measure in measures:
        reading = readings[measure.pk]
        spc = reading["spc"]
        periods = [date.fromisoformat(point["x"]) for point in spc["points"]] if spc else []
        annotations = _rebase_annotations(list(measure.rebases.all()), periods)
        annotations += _cycle_annotations(measure, periods)
        annotations.sort(key=lambda annotation: annotation["date"])
        charts[measure.pk] = {
            "measure": measure_summary(measure),
            "spc": spc,
            "reason": reading["reason"],
            "annotations": annotations,
        }
    return charts
