"""Cycles that start from other cycles: the next cycle of a ramp, and clones of another
team's test."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import Http404

from backend.errors import ApplicationError
from backend.models import User
from pdsa.models import Cycle
from pdsa.services.worksheet import cycle_create
from projects.models import ChangeIdea, Project
from projects.selectors import project_list

# What a new cycle copies from the one it follows or clones: the plan, never the results.
PLAN_COPY_FIELDS = ("title", "purpose", "objective", "data_collection_plan")


def _plan_rows(cycle: Cycle) -> dict[str, list[dict[str, Any]]]:
    return {
        "questions": [
            {"question": q.question, "prediction": q.prediction} for q in cycle.questions.all()
        ],
        "tasks": [{"what": t.what, "who": t.who, "where": t.where} for t in cycle.tasks.all()],
    }


def cycle_next_draft(*, cycle: Cycle) -> dict[str, Any]:
    """The next cycle of ``cycle``'s ramp, pre-filled from it, as a create body (unsaved).

    Same project, change idea, purpose, measures, questions with their predictions and
    tasks; the objective carries what the team said it would change (next steps).
    POSTing it to ``/api/v1/cycles/`` (or calling ``cycle_create_next``) makes the cycle.
    """
    objective = cycle.objective.strip()
    if cycle.next_steps.strip():
        change = f"What we change after cycle {cycle.number}: {cycle.next_steps.strip()}"
        objective = f"{objective}\n\n{change}" if objective else change
    return {
        "project": cycle.project_id,
        "change_idea": cycle.change_idea_id,
        "parent": cycle.pk,
        "title": cycle.title,
        "purpose": cycle.purpose,
        "objective": objective,
        "data_collection_plan": cycle.data_collection_plan,
        "measures": [measure.pk for measure in cycle.measures.all()],
        **_plan_rows(cycle),
    }


@transaction.atomic
def cycle_create_next(*, cycle: Cycle, by: User, uuid: UUID | None = None) -> tuple[Cycle, bool]:
    """Start the next cycle of the ramp from ``cycle``'s pre-filled draft, in Plan.

    Returns ``(cycle, created)`` as ``cycle_create`` does.
    """
    draft = cycle_next_draft(cycle=cycle)
    return cycle_create(
        by=by,
        project=cycle.project,
        uuid=uuid,
        title=draft["title"],
        purpose=draft["purpose"],
        objective=draft["objective"],
        data_collection_plan=draft["data_collection_plan"],
        change_idea=cycle.change_idea,
        parent=cycle,
        measures=list(cycle.measures.all()),
        questions=draft["questions"],
        tasks=draft["tasks"],
    )


@transaction.atomic
def cycle_clone(
    *,
    source: Cycle,
    by: User,
    project: Project,
    change_idea: ChangeIdea | None = None,
    title: str | None = None,
    uuid: UUID | None = None,
) -> tuple[Cycle, bool]:
    """Start a new test in ``project`` from any cycle the user can see, another team's too.

    The plan is copied (objective, questions and predictions, tasks, data plan), never
    the results; the clone remembers its source. Measures come along only within the
    same project, since another team's measures are theirs. Returns ``(cycle, created)``.
    """
    if not project_list(user=by).filter(pk=source.project_id).exists():
        raise Http404
    same_project = source.project_id == project.pk
    if change_idea is None and same_project:
        change_idea = source.change_idea
    if change_idea is not None and change_idea.project_id != project.pk:
        raise ApplicationError(
            "This change idea belongs to another project; choose one from the project you "
            "are cloning into.",
            field="change_idea",
        )
    rows = _plan_rows(source)
    return cycle_create(
        by=by,
        project=project,
        uuid=uuid,
        title=title or source.title,
        purpose=source.purpose,
        objective=source.objective,
        data_collection_plan=source.data_collection_plan,
        change_idea=change_idea,
        cloned_from=source,
        measures=list(source.measures.all()) if same_project else [],
        questions=rows["questions"],
        tasks=rows["tasks"],
    )
