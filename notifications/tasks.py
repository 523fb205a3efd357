"""Celery tasks for notifications: thin, safe to run twice, each calling one service.

Periodic tasks claim their time slot (JobRun) so a second beat, or a beat that fires
twice, does nothing; event tasks and deliveries are idempotent by the notification's
dedupe key and the delivery claim. The schedule is in backend/celery.py.

The daily jobs fan out: the beat's task claims the day's slot and enqueues one task per
organisation as a Celery group, so every worker takes a share and a region's night
shortens as workers are added. Each organisation's task claims its own share of the
slot (``organisation_slot``), so a redelivered task, or a second beat's, does nothing,
and every notification it writes is unique by its dedupe key.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from backend.jobs import enqueue_group_on_commit
from backend.models import Organisation
from notifications import services

# Worth retrying: the mail server or the network hiccuped. Anything else is a bug to see.
TRANSIENT_EMAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=45,
    time_limit=60,
    ignore_result=True,
)
def notification_deliver(notification_id: int) -> bool:
    """Send one notification's e-mail; a second delivery of this task sends nothing."""
    return services.notification_email_send(notification_id=notification_id)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def measure_wins_detect(measure_id: int) -> int:
    """After a measure's data changed: celebrate a new improvement signal or aim met."""
    return services.measure_wins_detect(measure_id=measure_id)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def cycle_adoption_celebrate(cycle_id: int) -> int:
    """After a cycle's Act decided "adopt": celebrate the change with its evidence."""
    return services.cycle_adoption_celebrate(cycle_id=cycle_id)


def _run(job: str, slot: str, work) -> dict | None:
    run = services.job_run(job=job, slot=slot, work=work)
    return None if run is None else run.result


def _fan_out(job: str, task) -> dict | None:
    """Claim today's slot for ``job`` and, once that commits, enqueue ``task`` for each
    organisation as one group."""
    slot = services.daily_slot()

    def work() -> dict:
        ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
        enqueue_group_on_commit([task.s(org_id, slot) for org_id in ids])
        return {"organisations": len(ids)}

    return _run(job, slot, work)


def _run_for(job: str, organisation_id: int, slot: str, service) -> dict | None:
    return _run(
        job,
        services.organisation_slot(slot, organisation_id),
        lambda: service(organisation_ids=[organisation_id]),
    )


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def nudges_scan() -> dict | None:
    """Daily: nudge stalls, overdue cycles, data gaps and pending studies, one task per
    organisation."""
    return _fan_out("nudges_scan", nudges_scan_organisation)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def nudges_scan_organisation(organisation_id: int, slot: str) -> dict | None:
    """One organisation's share of the day's nudge scan."""
    return _run_for("nudges_scan", organisation_id, slot, services.nudges_scan)


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def digests_send() -> dict | None:
    """Daily: the weekly digest of each coach whose digest weekday has come, one task per
    organisation."""
    return _fan_out("digests_send", digests_send_organisation)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def digests_send_organisation(organisation_id: int, slot: str) -> dict | None:
    """One organisation's share of the day's digests: its coaches' caseloads there."""
    return _run_for("digests_send", organisation_id, slot, services.digests_send)


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def reconcile() -> dict | None:
    """Daily: make the celebrations that lost event messages would have made, one task per
    organisation."""
    return _fan_out("reconcile", reconcile_organisation)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def reconcile_organisation(organisation_id: int, slot: str) -> dict | None:
    """One organisation's share of the day's reconcile."""
    return _run_for("reconcile", organisation_id, slot, services.reconcile)


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def deliveries_sweep() -> dict | None:
    """Every five minutes: send e-mails that are due and unsent (quiet hours over, a lost
    delivery message, a claim whose worker died)."""
    return _run(
        "deliveries_sweep",
        services.minute_slot(),
        lambda: {"enqueued": services.deliveries_sweep()},
    )
