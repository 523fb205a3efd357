"""Celery tasks for spread: thin, safe to run twice, each calling one service."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from spread import services

# A week covers any broker outage someone would not have noticed and fixed.
RECONCILE_LOOKBACK = timedelta(days=7)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def candidates_suggest_for_project(project_id: int) -> int:
    """After a project's data changed: put forward adopted changes that now show a win."""
    return services.candidates_suggest_for_project(project_id=project_id)


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def candidates_reconcile() -> int:
    """Nightly: the checks a lost message would have made, for data of the last week."""
    return services.candidates_reconcile(since=timezone.now() - RECONCILE_LOOKBACK)
