"""What needs a coach now: the facts behind nudges and the caseload, found in batches.

Each finder reads all of the organisations' state (or only ``project_ids``, or only some
``organisation_ids``: the nightly jobs run one task per organisation) in one or two
queries, pre-filtering in SQL by the most eager threshold of any organisation and then
applying each organisation's own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, F, Max, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.rules.thresholds import ThresholdBook
from pdsa.models import Cycle
from projects.lifecycle import LIVE
from projects.models import DataPoint, Measure, Project
from projects.periods import ended_periods, next_period, period_start
from projects.selectors import reading_current

# Enough to say "6 months missing" truthfully without counting a decade of days.
MOST_PERIODS_COUNTED = 120


@dataclass(frozen=True)
class Stall:
    project_id: int
    organisation_id: int
    project_title: str
    since: datetime
    days: int
    threshold: int


@dataclass(frozen=True)
class LateCycle:
    """A cycle overdue in Do, or waiting in Study; ``since`` is the planned end or the
    moment it entered Study."""

    cycle_id: int
    number: int
    title: str
    owner_id: int | None
    since: date | datetime
    days: int
    threshold: int
    project_id: int
    organisation_id: int
    project_title: str


@dataclass(frozen=True)
class DataGap:
    measure_id: int
    name: str
    frequency: str
    last_period: date | None
    first_missing: date
    missing: int
    threshold: int
    project_id: int
    organisation_id: int
    project_title: str


def _only(
    rows: QuerySet,
    field: str,
    project_ids: Collection[int] | None,
    organisation_ids: Collection[int] | None = None,
    organisation_field: str = "project__organisation_id",
) -> QuerySet:
    """Narrow ``rows`` to some projects (by ``field``) and some organisations."""
    if project_ids is not None:
        rows = rows.filter(**{f"{field}__in": list(project_ids)})
    if organisation_ids is not None:
        rows = rows.filter(**{f"{organisation_field}__in": list(organisation_ids)})
    return rows


def find_stalls(
    *,
    now: datetime,
    thresholds: ThresholdBook,
    project_ids: Collection[int] | None = None,
    organisation_ids: Collection[int] | None = None,
) -> list[Stall]:
    """Active projects with no cycle, data or update for their organisation's stall_days.
    The last activity is ``last_activity_at``, or the last update when there was none."""
    eager_cutoff = now - timedelta(days=thresholds.smallest("stall_days"))
    rows = (
        Project.objects.filter(status=Project.Status.ACTIVE)
        .annotate(stalled_since=Coalesce("last_activity_at", "updated_at", "created_at"))
        .filter(stalled_since__lte=eager_cutoff)
        .values_list("id", "organisation_id", "title", "stalled_since")
    )
    stalls = []
    for project_id, org_id, title, since in _only(
        rows, "id", project_ids, organisation_ids, "organisation_id"
    ):
        threshold = thresholds[org_id].stall_days
        if now - since >= timedelta(days=threshold):
            stalls.append(Stall(project_id, org_id, title, since, (now - since).days, threshold))
    return stalls


CYCLE_FIELDS = (
    "id",
    "number",
    "title",
    "owner_id",
    "project_id",
    "project__organisation_id",
    "project__title",
)


def find_overdue_cycles(
    *,
    now: datetime,
    thresholds: ThresholdBook,
    project_ids: Collection[int] | None = None,
    organisation_ids: Collection[int] | None = None,
) -> list[LateCycle]:
    """Cycles still in Do their organisation's overdue_days or more past the planned end."""
    today = timezone.localdate(now)
    eager_cutoff = today - timedelta(days=thresholds.smallest("overdue_days"))
    rows = Cycle.objects.filter(
        stage=Cycle.Stage.DO, planned_end__lte=eager_cutoff, project__status__in=LIVE
    ).values_list("planned_end", *CYCLE_FIELDS)
    late = []
    for planned_end, cycle_id, number, title, owner, project_id, org_id, project in _only(
        rows, "project_id", project_ids, organisation_ids
    ):
        threshold = thresholds[org_id].overdue_days
        days = (today - planned_end).days
        if days >= threshold:
            late.append(
                LateCycle(
                    cycle_id,
                    number,
                    title,
                    owner,
                    planned_end,
                    days,
                    threshold,
                    project_id,
                    org_id,
                    project,
                )
            )
    return late


def find_studies_pending(
    *,
    now: datetime,
    thresholds: ThresholdBook,
    project_ids: Collection[int] | None = None,
    organisation_ids: Collection[int] | None = None,
) -> list[LateCycle]:
    """Cycles that entered Study their organisation's study_pending_days or more ago and
    still have no learning written."""
    eager_cutoff = now - timedelta(days=thresholds.smallest("study_pending_days"))
    rows = Cycle.objects.filter(
        stage=Cycle.Stage.STUDY,
        learning="",
        stage_changed_at__lte=eager_cutoff,
        project__status__in=LIVE,
    ).values_list("stage_changed_at", *CYCLE_FIELDS)
    pending = []
    for since, cycle_id, number, title, owner, project_id, org_id, project in _only(
        rows, "project_id", project_ids, organisation_ids
    ):
        threshold = thresholds[org_id].study_pending_days
        if now - since >= timedelta(days=threshold):
            pending.append(
                LateCycle(
                    cycle_id,
                    number,
                    title,
                    owner,
                    since,
                    (now - since).days,
                    threshold,
                    project_id,
                    org_id,
                    project,
                )
            )
    return pending


def find_data_gaps(
    *,
    now: datetime,
    thresholds: ThresholdBook,
    project_ids: Collection[int] | None = None,
    organisation_ids: Collection[int] | None = None,
) -> list[DataGap]:
    """Measures with a frequency and no point for their organisation's missing_periods.

    A period is missing once it has ended: monthly data for January is missing from
    1 February. A measure with no data at all counts from the period it was set up in.
    The last period is the measure's stored reading's, written with its data; only a
    measure whose reading is not current has its data points read.
    """
    today = timezone.localdate(now)
    last_point = (
        DataPoint.objects.filter(measure=OuterRef("pk"))
        .order_by()
        .values("measure")
        .annotate(last=Max("period"))
        .values("last")
    )
    rows = (
        Measure.objects.filter(project__status__in=LIVE)
        .exclude(frequency="")
        .annotate(
            last_period=Case(
                When(reading_current(), then=F("reading__latest_period")),
                default=Subquery(last_point),
            )
        )
        .values_list(
            "id",
            "name",
            "frequency",
            "created_at",
            "last_period",
            "project_id",
            "organisation_id",
            "project__title",
        )
    )
    gaps = []
    for measure_id, name, frequency, created, last, project_id, org_id, project in _only(
        rows, "project_id", project_ids, organisation_ids, "organisation_id"
    ):
        first = (
            next_period(period_start(last, frequency), frequency)
            if last
            else period_start(timezone.localdate(created), frequency)
        )
        missing = ended_periods(first, today, frequency, at_most=MOST_PERIODS_COUNTED)
        threshold = thresholds[org_id].missing_periods
        if missing >= threshold:
            gaps.append(
                DataGap(
                    measure_id,
                    name,
                    frequency,
                    last,
                    first,
                    missing,
                    threshold,
                    project_id,
                    org_id,
                    project,
                )
            )
    return gaps
