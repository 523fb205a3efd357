"""Storing the computed IHI progress score on the project, and a team's override of it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from backend.errors import ApplicationError, forbid
from backend.models import User
from pdsa.progress import Progress, progress_evaluate
from projects.models import Project
from projects.selectors import can_edit_project

SCORE_MIN = Decimal("0.5")
SCORE_MAX = Decimal("5.0")


def project_progress_refresh(*, project_id: int) -> Progress:
    """Recompute the project's progress score and reason from its record, and store them."""
    project = Project.objects.get(pk=project_id)
    progress = progress_evaluate(project=project)
    if (project.progress_score, project.progress_reason) != (progress.score, progress.reason):
        # Derived, so written with update(): no history row, no updated_at bump.
        Project.objects.filter(pk=project_id).update(
            progress_score=progress.score, progress_reason=progress.reason
        )
    return progress


def _checked_score(score: Decimal | float | str) -> Decimal:
    try:
        value = Decimal(str(score))
    except InvalidOperation:
        value = Decimal("NaN")
    if value.is_nan() or not SCORE_MIN <= value <= SCORE_MAX or value % Decimal("0.5"):
        raise ApplicationError("The IHI score runs from 0.5 to 5.0 in steps of 0.5.", field="score")
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def project_progress_override(
    *, project: Project, by: User, score: Decimal | float | str | None, reason: str = ""
) -> Project:
    """Set the project's progress score by hand, saying why, or clear it (``score=None``)
    so the computed score shows again. Kept in the project's history with who did it."""
    if not can_edit_project(user=by, project=project):
        forbid("Only the project's team, the QI team and admins can set its progress score.")
    if score is None:
        project.progress_override = None
        project.progress_override_reason = ""
        project.progress_override_by = None
    else:
        if not reason.strip():
            raise ApplicationError(
                "Say why the computed score is not right, so others can trust the override.",
                field="reason",
            )
        project.progress_override = _checked_score(score)
        project.progress_override_reason = reason.strip()
        project.progress_override_by = by
    project._history_user = by
    project.save(
        update_fields=[
            "progress_override",
            "progress_override_reason",
            "progress_override_by",
            "updated_at",
        ]
    )
    return project
