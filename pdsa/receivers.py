"""Keep each project's progress score current when its record changes outside pdsa.

Cycle writes recompute the score themselves, in their transaction (``pdsa.services``).
The projects app says when something else the score reads changed, from the service that
changed it: ``project_record_changed`` (the aim statement, the team, the measures, the
change ideas) and ``measure_data_changed`` (data, rebases, SPC options). The score is
recomputed after that transaction commits: the SPC reading it needs is cached by the
measure's revision, and a reading computed inside a transaction that then rolls back
must never be cached under a revision number that will be used again.
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


def refresh_after_project_record_changed(sender: Any, project_id: int, **kwargs: Any) -> None:
    """The aim statement, a team member, a measure or a change idea is evidence for 1.0
    to 3.0."""
    _refresh_on_commit(project_id)
