"""Spread listens to PDSA and to the data: an "adopt" decision, or new data after one,
may put the change forward for spread."""

from __future__ import annotations

from typing import Any

from backend.jobs import enqueue_on_commit
from backend.models import User
from pdsa.models import Cycle
from projects.models import Measure
from spread import services, tasks


def suggest_on_adopt(
    sender: type[Cycle], *, cycle: Cycle, decision: str, by: User | None, **kwargs: Any
) -> None:
    """Suggest the adopted change for spread when its measures show improvement since it
    started (the rule of ``projects/selectors/evidence.py``).

    pdsa sends ``cycle_decided`` from its service; this runs inside the decision's
    transaction on purpose (the SPC readings are cached and the writes are a few rows),
    so a decided cycle and its suggestion commit or roll back together.
    """
    if decision == Cycle.Decision.ADOPT:
        services.candidate_suggest(cycle=cycle, by=by)


def suggest_after_data_changed(sender: Any, *, measure: Measure, **kwargs: Any) -> None:
    """New data may show the win an adopted change was waiting for. Checked by a task
    after commit: a reading of data that then rolled back must never be acted on."""
    if measure.project_id is not None:
        enqueue_on_commit(tasks.candidates_suggest_for_project, measure.project_id)
