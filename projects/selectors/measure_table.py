"""The measure summary table: one row of Making Data Count icons per measure.

What NHS analysts ask of their tools: one table of variation and assurance icons across
many measures with different units and directions, each row linking to its chart. Rows
read their measures' stored SPC readings in the same query as the measures, so a page is
a fixed number of queries and the whole table a fixed number per batch, and nothing is
analysed on request.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse

from backend.filters import apply_filters
from backend.models import User
from backend.selectors import organisation_ids
from projects.chart_svg import ASSURANCE_BADGES, VARIATION_BADGES
from projects.filters import MeasureSummaryFilter
from projects.models import Measure, Project
from projects.selectors.measures import FORMULA_STARTS
from projects.selectors.readings import (
    READING_SUMMARY_FIELDS,
    measures_spc_summaries,
    readings_renew_missing,
)
from projects.spc_summary import meets_target

# What the SPC summary needs of a measure, and what a row shows: nothing else is read.
MEASURE_FIELDS = (
    "id",
    "organisation_id",
    "project_id",
    "aim_id",
    "name",
    "type",
    "unit",
    "improvement_direction",
    "chart_type",
    "frequency",
    "target",
    "fix_after_n_points",
    "revision",
    "created_at",
)
# Aims' measures before projects'.
OWNER_ORDER = Case(When(aim__isnull=False, then=Value(0)), default=Value(1))
TYPE_ORDER = Case(
    *(When(type=value, then=Value(index)) for index, value in enumerate(Measure.Type.values)),
    output_field=IntegerField(),
)
# Rows of the CSV read and analysed at a time: memory stays flat for any portfolio, and
# each batch stays within SQLite's limit on query parameters.
CSV_BATCH = 2000
CSV_COLUMNS = (
    "measure_id",
    "measure",
    "type",
    "organisation_id",
    "aim_id",
    "aim",
    "project_id",
    "project",
    "project_status",
    "linked_aims",
    "organisation_unit_id",
    "organisation_unit",
    "unit",
    "improvement_direction",
    "chart_type",
    "frequency",
    "points",
    "latest_period",
    "latest_value",
    "target",
    "meets_target",
    "variation_icon",
    "variation",
    "assurance_icon",
    "assurance",
    "signal",
    "reason",
    "chart_url",
    "chart_svg_url",
)


# --- one measure's reading ------------------------------------------------------------


def charts_url(origin: str = "") -> str:
    """Where measures' charts live (``{origin}/api/v1/measures/``): reversed once per
    request rather than once per row, which costs more than the rest of a row."""
    return f"{origin}{reverse('measure-list')}"


def measure_reading(measure: Measure, summary: Mapping[str, Any], *, charts_at: str) -> dict:
    """A measure as the portfolio and the summary table show it: what it is, its latest
    value against the target, its icons (exactly the chart's) and links to the chart
    (under ``charts_at``, from ``charts_url``)."""
    return {
        "id": measure.pk,
        "name": measure.name,
        "type": measure.type,
        "unit": measure.unit,
        "improvement_direction": measure.improvement_direction,
        "chart_type": measure.chart_type,
        "frequency": measure.frequency,
        "target": measure.target,
        "points": summary["points"],
        "latest_period": summary["latest_period"],
        "latest_value": summary["latest_value"],
        "meets_target": meets_target(
            summary["latest_value"], measure.target, measure.improvement_direction
        ),
        "point_type": summary["point_type"],
        "signal": summary["signal"],
        "variation_icon": summary["variation_icon"],
        "assurance_icon": summary["assurance_icon"],
        "signal_period": summary.get("signal_period"),
        "reason": summary["reason"],
        "links": {
            "chart": f"{charts_at}{measure.pk}/chart/",
            "chart_svg": f"{charts_at}{measure.pk}/chart.svg",
        },
    }


# --- the summary table ----------------------------------------------------------------


def _with_row_fields(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """What a row shows, read with the measures: owners, units and stored readings."""
    return measures.select_related("project__unit", "aim__unit", "reading").only(
        *MEASURE_FIELDS,
        *READING_SUMMARY_FIELDS,
        "project__id",
        "project__title",
        "project__status",
        "project__unit__id",
        "project__unit__name",
        "aim__id",
        "aim__title",
        "aim__unit__id",
        "aim__unit__name",
    )


def measure_summary_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[Measure]:
    """Measures of the user's organisations for the summary table: every member reads
    them (as they read each chart). Aims' measures first, then projects', each owner's
    outcome, process and balancing measures in turn; ``filters`` takes the query
    parameters of ``MeasureSummaryFilter``. One query per page (two with the count), the
    stored readings joined; ``measure_summary_for_ids`` reads a page faster."""
    measures = _with_row_fields(
        Measure.objects.filter(organisation_id__in=organisation_ids(user=user))
    ).order_by(
        "organisation_id",
        OWNER_ORDER,
        Coalesce("aim__title", "project__title"),
        "aim_id",
        "project_id",
        TYPE_ORDER,
        "name",
        "id",
    )
    if filters is not None:
        measures = apply_filters(MeasureSummaryFilter(filters, queryset=measures, user=user))
    return measures


def measure_summary_for_ids(ids: Sequence[int]) -> list[Measure]:
    """The measures of one page of the table, in the order of ``ids`` (a page of
    ``measure_summary_list(...).values_list("pk", flat=True)``): ordering every measure
    by only its keys and then reading the page's rows by id is several times cheaper
    than ordering whole rows. One query."""
    found = _with_row_fields(Measure.objects.all()).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _named(instance: Any, name: str = "title") -> dict[str, Any] | None:
    return None if instance is None else {"id": instance.pk, name: getattr(instance, name)}


def _aims_of_projects(project_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    # Plain rows: a related manager per project costs more than the rest of the row.
    links = Project.aims.through.objects.filter(project_id__in=project_ids)
    aims: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for project_id, aim_id, title in links.order_by("strategicaim__title").values_list(
        "project_id", "strategicaim_id", "strategicaim__title"
    ):
        aims[project_id].append({"id": aim_id, "title": title})
    return aims


def measure_summary_rows(measures: Sequence[Measure], *, origin: str = "") -> list[dict]:
    """One summary-table row per measure (from ``measure_summary_list``), with the aims
    its project serves (one query) and its stored SPC reading."""
    summaries = measures_spc_summaries(measures)
    aims_of = _aims_of_projects({m.project_id for m in measures if m.project_id is not None})
    charts_at = charts_url(origin)
    rows = []
    for measure in measures:
        project, aim = measure.project, measure.aim
        owner_unit = project.unit if project is not None else aim.unit
        rows.append(
            {
                **measure_reading(measure, summaries[measure.pk], charts_at=charts_at),
                "organisation": measure.organisation_id,
                "aim": _named(aim),
                "project": None
                if project is None
                else {"id": project.pk, "title": project.title, "status": project.status},
                "linked_aims": [_named(aim)] if aim is not None else aims_of[project.pk],
                "organisation_unit": _named(owner_unit, "name"),
            }
        )
    return rows


def _csv_text(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting like a formula.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_number(value: float | None) -> str:
    if value is None:
        return ""
    return repr(int(value)) if float(value).is_integer() else repr(value)


def _csv_record(row: Mapping[str, Any]) -> list[str]:
    variation = VARIATION_BADGES.get(row["variation_icon"] or "")
    assurance = ASSURANCE_BADGES.get(row["assurance_icon"] or "")
    aim, project, unit = row["aim"], row["project"], row["organisation_unit"]
    meets = row["meets_target"]
    return [
        str(row["id"]),
        _csv_text(row["name"]),
        row["type"],
        str(row["organisation"]),
        "" if aim is None else str(aim["id"]),
        "" if aim is None else _csv_text(aim["title"]),
        "" if project is None else str(project["id"]),
        "" if project is None else _csv_text(project["title"]),
        "" if project is None else project["status"],
        _csv_text("; ".join(linked["title"] for linked in row["linked_aims"])),
        "" if unit is None else str(unit["id"]),
        "" if unit is None else _csv_text(unit["name"]),
        _csv_text(row["unit"]),
        row["improvement_direction"],
        row["chart_type"],
        row["frequency"],
        str(row["points"]),
        row["latest_period"] or "",
        _csv_number(row["latest_value"]),
        _csv_number(row["target"]),
        "" if meets is None else ("yes" if meets else "no"),
        row["variation_icon"] or "",
        "" if variation is None else variation[2],
        row["assurance_icon"] or "",
        "" if assurance is None else assurance[2],
        row["signal"] or "",
        _csv_text(row["reason"]),
        row["links"]["chart"],
        row["links"]["chart_svg"],
    ]


def measure_summary_csv(measures: QuerySet[Measure], *, origin: str = "") -> Iterator[str]:
    """The summary table as CSV text, a header and then batches of rows, for every
    measure of ``measures`` (not a page): a stream, so a large trust's table starts
    arriving at once, and its memory stays that of one batch however many rows there
    are: the measures with their readings through one cursor read 2,000 rows at a time,
    and one query per batch for the aims of its projects."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    batch: list[Measure] = []
    for measure in measures.iterator(chunk_size=CSV_BATCH):
        batch.append(measure)
        if len(batch) == CSV_BATCH:
            yield _csv_batch(batch, origin)
            batch = []
    if batch:
        yield _csv_batch(batch, origin)


def _csv_batch(measures: list[Measure], origin: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_csv_record(row) for row in measure_summary_rows(measures, origin=origin))
    # A measure read with its reading and the reading refer to each other, so a spent
    # batch would wait for the cycle collector, whose full passes grow rarer as the process
    # holds more: forgotten here, each batch is freed as soon as it is dropped.
    reading = Measure._meta.get_field("reading")
    for measure in measures:
        if reading.is_cached(measure):
            reading.delete_cached_value(measure)
    return out.getvalue()


# --- sorting the table --------------------------------------------------------------

# Concern first, then improvement, change of neither kind, common cause, no chart yet.
VARIATION_RANK = {
    "concern_high": 0,
    "concern_low": 0,
    "improvement_high": 1,
    "improvement_low": 1,
    "neutral_high": 2,
    "neutral_low": 2,
    "common_cause": 3,
}
SORTS = {
    "": "Aims first, then projects",
    "measure": "Measure name",
    "owner": "Project or aim",
    "unit": "Ward, team or unit",
    "variation": "Variation: concern first",
    "signal": "Latest signal: newest first",
}


def measure_summary_sorted(measures: QuerySet[Measure], sort: str) -> QuerySet[Measure]:
    """The table's rows (``measure_summary_list``) in the order ``sort`` names (a key of
    ``SORTS``), all in the database: by an icon or the latest signal through the
    measures' stored readings."""
    tie = ("organisation_id", "name", "id")
    if sort == "measure":
        return measures.order_by(*tie[1:])
    if sort == "owner":
        return measures.order_by(Coalesce("aim__title", "project__title"), *tie)
    if sort == "unit":
        return measures.order_by(Coalesce("project__unit__name", "aim__unit__name"), *tie)
    if sort not in ("variation", "signal"):
        return measures
    # Ordered by the stored readings, in the database (misses renewed first).
    readings_renew_missing(measures)
    if sort == "variation":
        rank = Case(
            *(
                When(reading__variation_icon=icon, then=Value(n))
                for icon, n in VARIATION_RANK.items()
            ),
            default=Value(len(VARIATION_RANK)),
            output_field=IntegerField(),
        )
        return measures.order_by(rank, *tie)
    # Newest signal first; measures with none last, keeping the table's order.
    return measures.order_by(F("reading__signal_period").desc(nulls_last=True), *tie)
