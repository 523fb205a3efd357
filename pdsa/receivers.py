"""Keep each project's progress score current when its record changes outside pdsa.

Cycle writes recompute the score themselves, in their transaction (``pdsa.services``).
Changes made by the projects app (a measure's data, the team, the aim, the driver
diagram) recompute it after their transaction commits: the SPC reading it needs is
cached by the measure's revision, and a reading computed inside a transaction that
then rolls back must never be cached under a revision number that will be used again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pdsa.services.progress import project_progress_refresh
from projects.models import Measure, Project


def _refresh_on_commit(project_id: int | None) -> None:
    if project_id is None:
        return

    def refresh() -> None:
        if Project.objects.filter(pk=project_id).exists():
            project_progress_refresh(project_id=project_id)

    transaction.on_commit(refresh)


def refresh_after_measure_data_changed(sender: Any, measure: Measure, **kwargs: Any) -> None:
    """New or changed data may show (or stop showing) special-cause improvement."""
    _refresh_on_commit(measure.project_id)


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
