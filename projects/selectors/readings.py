"""Measures' stored SPC readings: what every view but the chart itself reads.

A measure's reading (``MeasureReading``) is written in the same transaction as every
change that moves its revision, so a view finds it current and analyses nothing. A
reading is served only at the measure's revision and the engine's version; a miss (a
measure written by a path that bypasses the services, such as a bulk load, or a reading
of another engine version before the recompute reaches it) is analysed with the other
misses in one columnar batch and stored, so it is a miss once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from projects.models import RATIO_CHARTS, Measure, MeasureReading
from projects.selectors.spc import PointRow, series_data, spc_document, unavailable
from projects.spc import SPCInputError, analyse_batches, parse_document
from projects.spc_summary import ENGINE_VERSION, Summary, summarise, uncharted

# Measures analysed and stored at a time by a batch: about 70,000 points of monthly data.
READINGS_BATCH = 2000
# What the analysis reads of a measure: a batch loads nothing else.
SPC_FIELDS = (
    "id",
    "revision",
    "chart_type",
    "improvement_direction",
    "target",
    "fix_after_n_points",
)
# What a view that shows icons reads of the reading, joined to its measures
# (``select_related("reading").only(*READING_SUMMARY_FIELDS, ...)``): all but the evidence.
READING_SUMMARY_FIELDS = tuple(
    f"reading__{name}"
    for name in (
        "revision",
        "engine_version",
        "points",
        "latest_period",
        "latest_value",
        "point_type",
        "signal",
        "variation_icon",
        "assurance_icon",
        "meets_target",
        "signal_period",
        "signal_type",
        "reason",
    )
)


def _plotted(point: PointRow, chart_type: str) -> float | None:
    """What a chart would plot for the point: the value, or numerator over denominator."""
    if chart_type not in RATIO_CHARTS:
        return point.value
    if point.numerator is None or not point.denominator:
        return None
    return point.numerator / point.denominator


def _uncharted(points: Sequence[PointRow], chart_type: str, reason: str) -> Summary:
    last = points[-1] if points else None
    return uncharted(
        points=len(points),
        latest_period=last.period.isoformat() if last else None,
        latest_value=_plotted(last, chart_type) if last else None,
        reason=reason,
    )


def _reading(measure: Measure, summary: Summary, now: Any) -> MeasureReading:
    return MeasureReading(
        measure=measure,
        revision=measure.revision,
        engine_version=ENGINE_VERSION,
        computed_at=now,
        points=summary.points,
        latest_period=date.fromisoformat(summary.latest_period) if summary.latest_period else None,
        latest_value=summary.latest_value,
        point_type=summary.point_type or "",
        signal=summary.signal or "",
        variation_icon=summary.variation_icon or "",
        assurance_icon=summary.assurance_icon or "",
        meets_target=summary.meets_target,
        signal_period=date.fromisoformat(summary.signal_period) if summary.signal_period else None,
        signal_type=summary.signal_type or "",
        reason=summary.reason or "",
        win=summary.win,
        evidence=summary.evidence,
    )


def readings_compute(measures: Sequence[Measure]) -> dict[int, MeasureReading]:
    """Each measure's reading at its current revision, analysed now on the engine's
    columnar path (no per-point result dicts), unsaved, by measure id.

    One query for all the data points and one for all the rebases (per 10,000
    measures), then one vectorised pass per chart type. The measures must carry their
    current ``revision`` and SPC options.
    """
    points, rebases = series_data([measure.pk for measure in measures])
    summaries: dict[int, Summary] = {}
    charted: list[Measure] = []
    series = []
    for measure in measures:
        rows = points[measure.pk]
        reason = unavailable(rows)
        if reason is None:
            document = spc_document(
                measure=measure, points=rows, rebases=rebases.get(measure.pk, [])
            )
            try:
                series.append(parse_document(document))
            except SPCInputError as error:
                reason = f"The data cannot be charted: {error}"
            else:
                charted.append(measure)
        if reason is not None:
            summaries[measure.pk] = _uncharted(rows, measure.chart_type, reason)
    for indices, batch in analyse_batches(series):
        chosen = [charted[index] for index in indices]
        directions = [measure.improvement_direction for measure in chosen]
        for measure, summary in zip(chosen, summarise(batch, directions), strict=True):
            summaries[measure.pk] = summary
    now = timezone.now()
    return {measure.pk: _reading(measure, summaries[measure.pk], now) for measure in measures}


def _stored(measures: Sequence[Measure], *, evidence: bool) -> dict[int, MeasureReading]:
    """The stored readings of the measures: those joined already (``select_related(
    "reading")``), else one query (without the evidence unless asked)."""
    found: dict[int, MeasureReading] = {}
    unjoined = []
    for measure in measures:
        if Measure.reading.is_cached(measure):
            reading = getattr(measure, "reading", None)
            if reading is not None:
                found[measure.pk] = reading
        else:
            unjoined.append(measure.pk)
    readings = MeasureReading.objects.all()
    if not evidence:  # the icons alone: leave the larger JSON in the database
        readings = readings.defer("win", "evidence")
    for start in range(0, len(unjoined), READINGS_BATCH * 5):
        ids = unjoined[start : start + READINGS_BATCH * 5]
        found.update({r.measure_id: r for r in readings.filter(measure_id__in=ids)})
    return found


def measure_readings(
    measures: Sequence[Measure], *, evidence: bool = True
) -> dict[int, MeasureReading]:
    """Each measure's reading at its current revision, by measure id.

    Stored readings are read in one query (none when the measures were read with
    ``select_related("reading")``; without the win and the evidence when ``evidence`` is
    False); a reading of another revision or engine version is never served: such misses
    are analysed in one columnar batch and stored. The measures must carry their current
    ``revision`` and SPC options.
    """
    stored = _stored(measures, evidence=evidence)
    readings: dict[int, MeasureReading] = {}
    missing = []
    for measure in measures:
        reading = stored.get(measure.pk)
        if reading is not None and reading.is_current(measure, ENGINE_VERSION):
            readings[measure.pk] = reading
        else:
            missing.append(measure)
    if missing:
        fresh = readings_compute(missing)
        MeasureReading.objects.save_current(list(fresh.values()))
        readings.update(fresh)
    return readings


def reading_stale() -> Q:
    """Measures whose stored reading is missing, of another revision or of another engine
    version: those a view must not be served from."""
    return (
        Q(reading__isnull=True)
        | ~Q(reading__revision=F("revision"))
        | ~Q(reading__engine_version=ENGINE_VERSION)
    )


def reading_current() -> Q:
    """Measures whose stored reading is at their revision and the engine's version."""
    return Q(reading__revision=F("revision"), reading__engine_version=ENGINE_VERSION)


def readings_renew_missing(measures: QuerySet[Measure]) -> int:
    """Make sure every measure of ``measures`` has a current reading before a view
    aggregates readings in SQL: those without one are analysed in one columnar batch per
    2,000 and stored. One query when none is missing; returns how many were renewed."""
    missing = list(
        measures.select_related(None).filter(reading_stale()).only(*SPC_FIELDS).order_by("pk")
    )
    for start in range(0, len(missing), READINGS_BATCH):
        fresh = readings_compute(missing[start : start + READINGS_BATCH])
        MeasureReading.objects.save_current(list(fresh.values()))
    return len(missing)


def measure_reading_get(measure: Measure) -> MeasureReading:
    """One measure's reading at its current revision (see ``measure_readings``)."""
    return measure_readings([measure])[measure.pk]


def measures_spc_summaries(measures: Sequence[Measure]) -> dict[int, dict[str, Any]]:
    """Each measure's SPC summary by id, from its stored reading: how many points, the
    latest period and plotted value, that point's type and signal, the variation and
    assurance icons, the latest special-cause point's period (``signal_period``), and the
    reason when there is no chart yet (icons then None). The icons are exactly the
    chart's."""
    readings = measure_readings(measures, evidence=False)
    return {pk: reading.summary() for pk, reading in readings.items()}
