"""Celery tasks for spread: thin, safe to run twice, each calling one service."""

from __future__ import annotations

from celery import shared_task

from spread import services


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def candidates_suggest_for_project(project_id: int) -> int:
    """After a project's data changed: put forward adopted changes that now show a win."""
    return services.candidates_suggest_for_project(project_id=project_id)
