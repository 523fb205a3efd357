"""The periodic jobs and the event-driven celebrations, each deriving what should exist from
the database and writing it once. Because they derive rather than react, running any of
them again (a redelivered task, a second beat, tomorrow's run) only fills in what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.batches import chunked
from backend.models import Unit
from notifications.models import JobRun
from notifications.rules import celebrations, digest, nudges, thresholds_by_organisation
from notifications.rules.evidence import readings_by_measure
from notifications.services.delivery import deliveries_sweep
from notifications.services.writing import notifications_write
from pdsa.models import Cycle
from projects.models import DataPoint, Measure, Project, Rebase

# How far back the daily reconcile looks for data and decisions whose message was lost:
# a week covers a worker or broker that was down over a long weekend.
RECONCILE_LOOKBACK = timedelta(days=7)


def job_run(*, job: str, slot: str, work: Callable[[], Mapping[str, Any]]) -> JobRun | None:
    """Claim ``slot`` for ``job`` and do the work, in one transaction; None if already claimed.

    The claim and the work commit together: a second beat's claim waits on the first's
    row and then fails on the unique constraint, while a run that crashes rolls its claim
    back, so the broker's redelivery (acks_late) can do the slot after all.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = JobRun.objects.create(job=job, slot=slot, started_at=timezone.now())
        except IntegrityError:
            return None
        run.result = dict(work())
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "finished_at"])
    return run


def daily_slot(now: datetime | None = None) -> str:
    return timezone.localdate(now or timezone.now()).isoformat()


def organisation_slot(slot: str, organisation_id: int) -> str:
    """One organisation's share of a periodic job's slot: each is claimed on its own, so a
    redelivered or repeated task for one organisation does nothing."""
    return f"{slot}/org-{organisation_id}"


def minute_slot(now: datetime | None = None, every: int = 10) -> str:
    local = timezone.localtime(now or timezone.now())
    return local.replace(minute=local.minute // every * every).strftime("%Y-%m-%dT%H:%M")


def nudges_scan(
    *, now: datetime | None = None, organisation_ids: Collection[int] | None = None
) -> dict[str, int]:
    """Nudge every stalled project, overdue cycle, data gap and pending study, once each
    (in ``organisation_ids`` only, when given: the nightly run is one per organisation)."""
    now = now or timezone.now()
    drafts = nudges.all_nudges(
        now=now,
        thresholds=thresholds_by_organisation(organisation_ids),
        organisation_ids=organisation_ids,
    )
    return {"drafts": len(drafts), "created": notifications_write(drafts=drafts, now=now)}


def digests_send(
    *, now: datetime | None = None, organisation_ids: Collection[int] | None = None
) -> dict[str, int]:
    """Each coach's weekly digest, on (or after) their digest weekday, once per ISO week
    (of their caseloads in ``organisation_ids`` only, when given)."""
    now = now or timezone.now()
    drafts = digest.weekly_digests(
        now=now,
        thresholds=thresholds_by_organisation(organisation_ids),
        organisation_ids=organisation_ids,
    )
    return {"drafts": len(drafts), "created": notifications_write(drafts=drafts, now=now)}


def wins_detect(*, measures: list[Measure], now: datetime | None = None) -> int:
    """Celebrate improvement signals and aims met on these measures; returns how many new."""
    drafts = []
    for batch in chunked(measures, 1000):
        drafts += celebrations.measure_wins(batch, readings_by_measure(batch))
    return notifications_write(drafts=drafts, now=now)


def measure_wins_detect(*, measure_id: int) -> int:
    """Win detection for one measure whose data changed (the task after a data point)."""
    measure = Measure.objects.select_related("project").filter(pk=measure_id).first()
    if measure is None:  # deleted since the data changed
        return 0
    return wins_detect(measures=[measure])


def _adopted_cycles():
    return (
        Cycle.objects.filter(decision=Cycle.Decision.ADOPT)
        .select_related("project", "change_idea")
        .prefetch_related("measures")
    )


def cycle_adoption_celebrate(*, cycle_id: int) -> int:
    """Celebrate a change adopted at a cycle's Act (the task after ``cycle_decided``)."""
    cycle = _adopted_cycles().filter(pk=cycle_id).first()
    if cycle is None:  # deleted, or the decision changed before the task ran
        return 0
    return notifications_write(drafts=celebrations.adopted_changes([cycle]))


def reconcile(
    *,
    now: datetime | None = None,
    lookback: timedelta = RECONCILE_LOOKBACK,
    organisation_ids: Collection[int] | None = None,
) -> dict[str, int]:
    """Re-derive the celebrations that event messages would have made over ``lookback``:
    measures whose data, rebases or options changed, and cycles adopted (in
    ``organisation_ids`` only, when given). What exists already is left alone, so this
    only fills in what a lost message missed."""
    now = now or timezone.now()
    since = now - lookback
    points = DataPoint.objects.filter(updated_at__gte=since)
    rebases = Rebase.objects.filter(created_at__gte=since)
    changed = Measure.objects.filter(updated_at__gte=since)
    cycles_adopted = _adopted_cycles().filter(decided_at__gte=since)
    if organisation_ids is not None:
        orgs = list(organisation_ids)
        points = points.filter(measure__organisation_id__in=orgs)
        rebases = rebases.filter(measure__organisation_id__in=orgs)
        changed = changed.filter(organisation_id__in=orgs)
        cycles_adopted = cycles_adopted.filter(project__organisation_id__in=orgs)
    measure_ids = (
        set(points.values_list("measure_id", flat=True))
        | set(rebases.values_list("measure_id", flat=True))
        | set(changed.values_list("id", flat=True))
    )
    measures = []
    for batch in chunked(sorted(measure_ids)):
        measures += list(
            Measure.objects.filter(pk__in=batch, project__isnull=False).select_related("project")
        )
    wins = wins_detect(measures=measures, now=now)
    cycles = list(cycles_adopted)
    adopted = notifications_write(drafts=celebrations.adopted_changes(cycles), now=now)
    return {"measures": len(measures), "wins": wins, "cycles": len(cycles), "adopted": adopted}


def full_scan(*, now: datetime | None = None, lookback: timedelta = RECONCILE_LOOKBACK) -> dict:
    """Everything a day's jobs do, at once: what `manage.py notifications_scan` and the demo
    seed run so that a fresh start has its nudges and celebrations waiting."""
    now = now or timezone.now()
    return {
        "nudges": nudges_scan(now=now),
        "reconcile": reconcile(now=now, lookback=lookback),
        "digests": digests_send(now=now),
        "deliveries": deliveries_sweep(now=now),
    }


def celebrate_adoption(
    *,
    adoption_id: int,
    origin_project: Project,
    adopting_unit: Unit,
    change_title: str,
    candidate_id: int | None = None,
    adopted_on: date | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> int:
    """Tell the team whose change it was that another unit adopted it; once per adoption.

    For the spread app to call from its own service, inside its transaction: the
    notifications commit or roll back with the adoption, and e-mails go after commit.
    ``evidence`` may carry what spread knows (the candidate's signal, the adopting unit's
    measure); it is stored with the notification. Returns how many notifications were new.
    """
    drafts = celebrations.adopted_elsewhere(
        adoption_id=adoption_id,
        origin_project=origin_project,
        adopting_unit_name=adopting_unit.name,
        change_title=change_title,
        adopted_on=adopted_on,
        candidate_id=candidate_id,
        evidence={**(evidence or {}), "adopting_unit_id": adopting_unit.pk},
    )
    return notifications_write(drafts=drafts)
