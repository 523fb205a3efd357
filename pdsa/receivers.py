"""Keep each project's progress score current when its record changes outside pdsa.

Cycle writes recompute the score themselves (``pdsa.services``). A measure's data is
what moves the higher levels, so its signal recomputes in the same transaction; the
team, the aim and the driver diagram feed the lower levels and recompute after commit,
once per save, so the projects app's own writes stay as they are.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from pdsa.services.progress import project_progress_refresh
from projects.models import Measure, Project


def refresh_after_measure_data_changed(sender: Any, measure: Measure, **kwargs: Any) -> None:
    """New or changed data may show (or stop showing) special-cause improvement."""
    if measure.project_id is None:
        return
    Project.objects.filter(pk=measure.project_id).update(last_activity_at=timezone.now())
    project_progress_refresh(project_id=measure.project_id)


def _refresh_on_commit(project_id: int | None) -> None:
    if project_id is None:
        return

    def refresh() -> None:
        if Project.objects.filter(pk=project_id).exists():
            project_progress_refresh(project_id=project_id)

    transaction.on_commit(refresh)


def refresh_after_project_saved(
    sender: Any, instance: Project, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """The aim statement is evidence for 1.0."""
    derived = {"progress_score", "progress_reason", "last_activity_at"}
    if raw or (update_fields is not None and set(update_fields) <= derived):
        return
    _refresh_on_commit(instance.pk)


def refresh_after_project_part_changed(
    sender: Any, instance: Any, raw: bool = False, **kwargs: Any
) -> None:
    """A team member, a measure or a change idea is evidence for 1.0 to 3.0."""
    if raw:
        return
    _refresh_on_commit(instance.project_id)
