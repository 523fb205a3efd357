"""Writing the worksheet: the quick log that starts a cycle, drafts of any stage, and
deleting a cycle that was never started."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypedDict, Unpack
from uuid import UUID

from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from backend.errors import ApplicationError
from backend.models import User
from backend.updates import only
from pdsa.models import Cycle, CycleQuestion, CycleTask
from pdsa.rules import DECISION_STAGES
from pdsa.services.common import (
    TESTING_FROM_AT_DO,
    TESTING_FROM_AT_PLAN,
    ensure_can_edit,
    idea_mark_testing,
    record_cycle_change,
)
from projects.models import ChangeIdea, Measure, Project

Stage = Cycle.Stage


class WorksheetFields(TypedDict, total=False):
    """What a person writes on the worksheet; the stage, the number and the dates of moves
    are the method's."""

    title: str
    purpose: str
    owner: User | None
    change_idea: ChangeIdea | None
    parent: Cycle | None
    objective: str
    data_collection_plan: str
    planned_start: date | None
    planned_end: date | None
    started_on: date | None
    observations: str
    problems: str
    ended_on: date | None
    learning: str
    decision: str
    next_steps: str
    spread_note: str


QUESTION_FIELDS = ("question", "prediction", "result")
TASK_FIELDS = ("what", "who", "when", "where", "done")


def _next_number(*, project_id: int) -> int:
    # The project row is the lock: two quick logs in one project queue here instead of
    # both reading the same highest number.
    list(Project.objects.select_for_update(no_key=True).filter(pk=project_id).values("pk"))
    top = Cycle.objects.filter(project_id=project_id).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _check_links(
    *, cycle: Cycle, measures: Sequence[Measure] | None, changed: Iterable[str]
) -> None:
    """Everything a cycle points at must belong to its project (or its organisation).

    Links are checked as they are set (``changed``), so an owner who has since left the
    organisation does not block every later edit of the worksheet.
    """
    changed = set(changed)
    project = cycle.project
    if cycle.change_idea is not None and cycle.change_idea.project_id != project.pk:
        raise ApplicationError(
            "This change idea belongs to another project; choose one from this project's "
            "driver diagram.",
            field="change_idea",
        )
    if cycle.parent is not None:
        if cycle.parent.project_id != project.pk:
            raise ApplicationError(
                "A ramp stays in one project: the cycle it follows belongs to another project.",
                field="parent",
            )
        ancestor, hops = cycle.parent, 0
        while cycle.pk is not None and "parent" in changed and ancestor is not None and hops < 1000:
            if cycle.pk is not None and ancestor.pk == cycle.pk:
                raise ApplicationError("A cycle cannot follow on from itself.", field="parent")
            ancestor, hops = ancestor.parent, hops + 1
    if (
        "owner" in changed
        and cycle.owner is not None
        and not cycle.owner.memberships.filter(organisation_id=project.organisation_id).exists()
    ):
        raise ApplicationError(
            "The owner must belong to the project's organisation.", field="owner"
        )
    for index, measure in enumerate(measures or ()):
        if measure.project_id != project.pk:
            raise ApplicationError(
                f"“{measure.name}” is not one of this project's measures.",
                field=f"measures[{index}]",
            )
    if cycle.planned_start and cycle.planned_end and cycle.planned_end < cycle.planned_start:
        raise ApplicationError("The planned end is before the planned start.", field="planned_end")
    if cycle.started_on and cycle.ended_on and cycle.ended_on < cycle.started_on:
        raise ApplicationError("The test ended before it started.", field="ended_on")


def _clean(cycle: Cycle) -> None:
    # Related rows were resolved (and scoped) by the caller; skip Django's per-key queries.
    cycle.full_clean(
        exclude=["project", "change_idea", "parent", "cloned_from", "owner", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )


def _write_rows(
    *,
    model: type[models.Model],
    existing: Iterable[models.Model],
    rows: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    required: str,
    label: str,
    cycle: Cycle,
    by: User,
    keep_ids: bool,
) -> None:
    """Make the cycle's ``label`` rows exactly ``rows``, in order: a row with an ``id``
    updates that row, one without adds a row, and rows left out are removed."""
    by_id = {row.pk: row for row in existing}
    kept: set[int] = set()
    for position, data in enumerate(rows):
        row_id = data.get("id") if keep_ids else None
        if row_id is not None:
            row = by_id.get(row_id)
            if row is None or row_id in kept:
                raise ApplicationError(
                    f"This {label[:-1]} is not on this cycle.", field=f"{label}[{position}].id"
                )
            kept.add(row_id)
        else:
            row = model(cycle=cycle)
        for name in fields:
            if name in data:
                setattr(row, name, data[name])
        if not str(getattr(row, required) or "").strip():
            raise ApplicationError(
                "This field may not be blank.", field=f"{label}[{position}].{required}"
            )
        row.position = position
        row._history_user = by
        row.save()
    for row_id, row in by_id.items():
        if row_id not in kept:
            row._history_user = by
            row.delete()


def _write_questions_and_tasks(
    *,
    cycle: Cycle,
    by: User,
    questions: Sequence[Mapping[str, Any]] | None,
    tasks: Sequence[Mapping[str, Any]] | None,
    keep_ids: bool,
) -> None:
    if questions is not None:
        _write_rows(
            model=CycleQuestion,
            existing=cycle.questions.all() if keep_ids else (),
            rows=questions,
            fields=QUESTION_FIELDS,
            required="question",
            label="questions",
            cycle=cycle,
            by=by,
            keep_ids=keep_ids,
        )
    if tasks is not None:
        _write_rows(
            model=CycleTask,
            existing=cycle.tasks.all() if keep_ids else (),
            rows=tasks,
            fields=TASK_FIELDS,
            required="what",
            label="tasks",
            cycle=cycle,
            by=by,
            keep_ids=keep_ids,
        )


def _existing_for_uuid(*, uuid: UUID, project: Project) -> Cycle | None:
    existing = Cycle.objects.filter(uuid=uuid).first()
    if existing is None:
        return None
    if existing.project_id != project.pk:
        raise ApplicationError(
            "This uuid already names another cycle; make a new one for a new cycle.",
            field="uuid",
            code="duplicate",
        )
    return existing


@transaction.atomic
def cycle_create(
    *,
    by: User,
    project: Project,
    title: str,
    uuid: UUID | None = None,
    questions: Sequence[Mapping[str, Any]] = (),
    tasks: Sequence[Mapping[str, Any]] = (),
    measures: Sequence[Measure] = (),
    cloned_from: Cycle | None = None,
    **fields: Unpack[WorksheetFields],
) -> tuple[Cycle, bool]:
    """Log a new cycle in Plan, numbered next in its project; a title is enough (quick log).

    ``uuid`` is the client's own id for the new record. When a cycle with it already
    exists in this project (an offline save sent again), that cycle comes back unchanged
    with ``created`` False and nothing in the call is applied; a uuid used in another
    project is refused. Returns ``(cycle, created)``.
    """
    ensure_can_edit(user=by, project=project)
    fields = only(WorksheetFields, fields, service="cycle_create")
    if uuid is not None and (existing := _existing_for_uuid(uuid=uuid, project=project)):
        return existing, False
    fields.setdefault("owner", by)
    cycle = Cycle(
        project=project,
        title=title,
        stage=Stage.PLAN,
        stage_changed_at=timezone.now(),
        created_by=by,
        cloned_from=cloned_from,
        **fields,
    )
    if uuid is not None:
        cycle.uuid = uuid
    if cycle.decision:
        raise ApplicationError(
            "Decide at Act, once you have studied the results.", field="decision"
        )
    _check_links(cycle=cycle, measures=measures, changed=fields)
    cycle.number = _next_number(project_id=project.pk)
    _clean(cycle)
    cycle._history_user = by
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError:
        # Another request saved this uuid between our check and our insert.
        if uuid is not None and (existing := _existing_for_uuid(uuid=uuid, project=project)):
            return existing, False
        raise
    cycle.measures.set(measures)
    _write_questions_and_tasks(cycle=cycle, by=by, questions=questions, tasks=tasks, keep_ids=False)
    idea_mark_testing(idea=cycle.change_idea, by=by, from_statuses=TESTING_FROM_AT_PLAN)
    record_cycle_change(project_id=project.pk)
    return cycle, True


def _check_decision_edit(*, cycle: Cycle, decision: str) -> None:
    if decision == cycle.decision:
        return
    if cycle.stage == Stage.DONE:
        raise ApplicationError(
            "The decision was recorded when this cycle finished; start a new cycle to "
            "change course.",
            field="decision",
        )
    if cycle.stage not in DECISION_STAGES and decision:
        raise ApplicationError(
            "Decide at Act, once you have studied the results.", field="decision"
        )


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    by: User,
    questions: Sequence[Mapping[str, Any]] | None = None,
    tasks: Sequence[Mapping[str, Any]] | None = None,
    measures: Sequence[Measure] | None = None,
    **fields: Unpack[WorksheetFields],
) -> Cycle:
    """Save any part of the worksheet as a draft: saving never needs it to be complete.

    ``questions`` and ``tasks``, when given, become the cycle's list in that order (rows
    with an ``id`` are updated, rows without are added, rows left out are removed).
    """
    ensure_can_edit(user=by, project=cycle.project)
    fields = only(WorksheetFields, fields, service="cycle_update")
    if "decision" in fields:
        _check_decision_edit(cycle=cycle, decision=fields["decision"])
    idea_before = cycle.change_idea_id
    for name, value in fields.items():
        setattr(cycle, name, value)
    if cycle.stage == Stage.DONE and cycle.change_idea_id != idea_before:
        raise ApplicationError(
            "This cycle's decision already updated its change idea; start a new cycle to "
            "test another idea.",
            field="change_idea",
        )
    _check_links(cycle=cycle, measures=measures, changed=fields)
    _clean(cycle)
    cycle._history_user = by
    # Only what this call changes: a caller's copy may be older than the row's stage.
    cycle.save(update_fields=[*fields, "updated_at"])
    if measures is not None:
        cycle.measures.set(measures)
    _write_questions_and_tasks(cycle=cycle, by=by, questions=questions, tasks=tasks, keep_ids=True)
    if cycle.change_idea_id != idea_before and cycle.stage in (Stage.PLAN, Stage.DO):
        started = TESTING_FROM_AT_DO if cycle.stage == Stage.DO else TESTING_FROM_AT_PLAN
        idea_mark_testing(idea=cycle.change_idea, by=by, from_statuses=started)
    record_cycle_change(project_id=cycle.project_id)
    return cycle


@transaction.atomic
def cycle_delete(*, cycle: Cycle, by: User) -> None:
    """Delete a cycle logged by mistake; once tested, a cycle is part of the record."""
    ensure_can_edit(user=by, project=cycle.project)
    if cycle.stage != Stage.PLAN:
        raise ApplicationError(
            "Only a cycle still in Plan can be deleted: a tested cycle is part of the record.",
            field="stage",
        )
    project_id = cycle.project_id
    cycle._history_user = by
    cycle.delete()
    record_cycle_change(project_id=project_id)
