"""Celery tasks for the ground floor: liveness, housekeeping, and the account e-mails."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from backend import services
from backend.models import IdempotencyRecord

IDEMPOTENCY_RETENTION = timedelta(days=7)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=20, time_limit=30)
def worker_heartbeat(name: str = "default") -> None:
    services.worker_heartbeat_record(name=name)


@shared_task(acks_late=True, ignore_result=True, time_limit=300)
def idempotency_prune() -> int:
    cutoff = timezone.now() - IDEMPOTENCY_RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=50,
    time_limit=60,
)
def invitation_send(invitation_id: int) -> None:
    """E-mail an invitation's link (once per link; safe to run twice)."""
    services.invitation_email_send(invitation_id=invitation_id)


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=50,
    time_limit=60,
)
def password_reset_send(user_id: int) -> None:
    """E-mail a password reset link. Run twice, it sends two links that both work until
    the password changes; the link itself is never carried through the broker."""
    services.password_reset_email_send(user_id=user_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=100, time_limit=120)
def invitations_sweep() -> int:
    """Send the invitations whose e-mail task was lost (each link once)."""
    return services.invitations_unsent_send()
