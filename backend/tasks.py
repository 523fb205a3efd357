"""Celery tasks for the ground floor: liveness and housekeeping."""

from __future__ import annotations

from datetime import timedelta

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
