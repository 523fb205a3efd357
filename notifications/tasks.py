"""Celery tasks for notifications: thin, safe to run twice, each calling one service.

Periodic tasks claim their time slot (JobRun) so a second beat, or a beat that fires
twice, does nothing; event tasks and deliveries are idempotent by the notification's
dedupe key and the delivery claim. The schedule is in backend/celery.py.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

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


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def nudges_scan() -> dict | None:
    """Daily: nudge stalls, overdue cycles, data gaps and pending studies."""
    return _run("nudges_scan", services.daily_slot(), services.nudges_scan)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def digests_send() -> dict | None:
    """Daily: the weekly digest of each coach whose digest weekday has come."""
    return _run("digests_send", services.daily_slot(), services.digests_send)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def reconcile() -> dict | None:
    """Daily: make the celebrations that lost event messages would have made."""
    return _run("reconcile", services.daily_slot(), services.reconcile)


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def deliveries_sweep() -> dict | None:
    """Every five minutes: send e-mails that are due and unsent (quiet hours over, a lost
    delivery message, a claim whose worker died)."""
    return _run(
        "deliveries_sweep",
        services.minute_slot(),
        lambda: {"enqueued": services.deliveries_sweep()},
    )
