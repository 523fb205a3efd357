"""The engine's full result for a measure's chart, cached by (measure, revision).

A measure's ``revision`` goes up with every change to its data, options or rebases, in
the same transaction, so a result cached under (id, revision) can never be stale: a
change makes a new key and the old entry simply ages out.

Only the chart endpoints need every point; every other view reads the measure's stored
reading (``projects.selectors.readings``), which is small and never analysed on request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from django.core.cache import cache

from backend import kept_pages
from projects.models import RATIO_CHARTS, DataPoint, Measure, Rebase
from projects.spc import SPCInputError, analyse_many

# Bump when the engine's output changes shape or meaning, so old cached readings go.
SPC_CACHE_VERSION = 2
SPC_CACHE_SECONDS = 7 * 24 * 3600
MIN_POINTS = 2
# Measures per query when reading many at once: within SQLite's limit on parameters,
# and one query for any portfolio Ripple expects.
IDS_PER_QUERY = 10_000


class PointRow(NamedTuple):
    """The fields of a data point the engine reads."""

    period: date
    value: float | None
    numerator: float | None
    denominator: float | None


def _revision_key(measure: Measure) -> str:
    # The creation time is part of it because an id can come back after a rolled-back
    # transaction (SQLite reuses it), and that measure must not inherit a stale reading.
    born = int(measure.created_at.timestamp() * 1_000_000) if measure.created_at else 0
    return f"{measure.pk}:{born}:{measure.revision}"


def spc_cache_key(measure: Measure) -> str:
    """The cache key of a measure's reading at its current revision."""
    return f"projects:spc:v{SPC_CACHE_VERSION}:{_revision_key(measure)}"


def rebase_periods(periods: Sequence[date], rebases: Iterable[Rebase]) -> list[date]:
    """The data periods that start a new group: each rebase starts at the first period on
    or after its date; a rebase before the second point or after the last one has no
    effect yet (there is nothing to split)."""
    starts = set()
    for rebase in rebases:
        first = next((period for period in periods if period >= rebase.starts_on), None)
        if first is not None and first != periods[0]:
            starts.add(first)
    return sorted(starts)


def spc_document(
    *, measure: Measure, points: Sequence[DataPoint | PointRow], rebases: Iterable[Rebase]
) -> dict[str, Any]:
    """The SPC engine's input for a measure: x = ISO periods, y = value (or numerator for
    a ratio chart, with n = denominator), options from the measure and its rebases."""
    ratio = measure.chart_type in RATIO_CHARTS
    periods = [point.period for point in points]
    document_points = [
        {"x": point.period.isoformat(), "y": point.numerator, "n": point.denominator}
        if ratio
        else {"x": point.period.isoformat(), "y": point.value}
        for point in points
    ]
    options: dict[str, Any] = {
        "improvement_direction": measure.improvement_direction,
        "target": measure.target,
        "fix_after_n_points": measure.fix_after_n_points,
        "rebase_at": [period.isoformat() for period in rebase_periods(periods, rebases)],
    }
    return {"chart": measure.chart_type, "points": document_points, "options": options}


def series_data(
    measure_ids: Sequence[int],
) -> tuple[dict[int, list[PointRow]], dict[int, list[Rebase]]]:
    """The data points (plain rows, in period order) and rebases of the measures: one
    query for each per 10,000 measures."""
    points: dict[int, list[PointRow]] = {measure_id: [] for measure_id in measure_ids}
    rebases: dict[int, list[Rebase]] = {}
    for start in range(0, len(measure_ids), IDS_PER_QUERY):
        ids = measure_ids[start : start + IDS_PER_QUERY]
        rows = DataPoint.objects.filter(measure_id__in=ids).order_by("measure_id", "period")
        # Plain tuples, not model instances: a portfolio reads hundreds of thousands.
        for measure_id, *fields in rows.values_list("measure_id", *PointRow._fields):
            points[measure_id].append(PointRow(*fields))
        for rebase in Rebase.objects.filter(measure_id__in=ids).order_by("starts_on"):
            rebases.setdefault(rebase.measure_id, []).append(rebase)
    return points, rebases


def unavailable(points: Sequence[PointRow]) -> str | None:
    """Why the points cannot be charted yet, or None."""
    if len(points) < MIN_POINTS:
        return f"A chart needs at least {MIN_POINTS} data points; this measure has {len(points)}."
    return None


def _analyse(documents: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Analyse many documents at once; a document the engine refuses gets its reason."""
    readings: dict[int, dict[str, Any]] = {}
    pending = dict(documents)
    while pending:
        ids = list(pending)
        try:
            results = analyse_many([pending[measure_id] for measure_id in ids])
        except SPCInputError as error:
            failed = ids[error.index or 0]
            readings[failed] = {"spc": None, "reason": f"The data cannot be charted: {error}"}
            del pending[failed]
            continue
        readings.update(
            {
                measure_id: {"spc": result, "reason": None}
                for measure_id, result in zip(ids, results, strict=True)
            }
        )
        break
    return readings


def measures_spc_readings(measures: Sequence[Measure]) -> dict[int, dict[str, Any]]:
    """Each measure's reading ``{"spc": result or None, "reason": why not or None}``.

    Cached results come from one ``get_many``; the misses cost one query for all their
    data points, one for all their rebases (per 10,000 measures) and one vectorised
    ``analyse_many`` pass. The measures must carry their current ``revision``.
    """
    keys = {spc_cache_key(measure): measure for measure in measures}
    cached = cache.get_many(list(keys))
    readings = {keys[key].pk: reading for key, reading in cached.items()}
    if cached:  # a kept page drawn from these depends on what they were analysed from
        kept_pages.reads(DataPoint, Rebase)
    missing = [measure for key, measure in keys.items() if key not in cached]
    if not missing:
        return readings
    points, rebases = series_data([measure.pk for measure in missing])
    fresh: dict[int, dict[str, Any]] = {}
    documents = {}
    for measure in missing:
        reason = unavailable(points[measure.pk])
        if reason:
            fresh[measure.pk] = {"spc": None, "reason": reason}
        else:
            documents[measure.pk] = spc_document(
                measure=measure, points=points[measure.pk], rebases=rebases.get(measure.pk, [])
            )
    fresh.update(_analyse(documents))
    cache.set_many(
        {spc_cache_key(measure): fresh[measure.pk] for measure in missing},
        timeout=SPC_CACHE_SECONDS,
    )
    return readings | fresh


def measures_spc(measures: Sequence[Measure]) -> dict[int, dict[str, Any] | None]:
    """The SPC engine's result for each measure by id (None where it cannot be charted
    yet): every point, for drawing charts."""
    return {
        measure_id: reading["spc"]
        for measure_id, reading in measures_spc_readings(measures).items()
    }


def measure_spc_reading(measure: Measure) -> dict[str, Any]:
    """One measure's reading: ``{"spc": result or None, "reason": why not or None}``."""
    return measures_spc_readings([measure])[measure.pk]


def measure_spc(measure: Measure) -> dict[str, Any] | None:
    """The SPC engine's result for the measure's data and options, or None when it cannot
    be charted yet (fewer than two points)."""
    return measure_spc_reading(measure)["spc"]
