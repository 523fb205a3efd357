"""Moving a cycle through Plan, Do, Study and Act, and recording the team's decision."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.errors import ApplicationError
from backend.models import User
from backend.words import day
from pdsa.models import Cycle
from pdsa.rules import NEXT_STAGE, missing_before_next_stage
from pdsa.services.common import (
    IDEA_STATUS_AFTER,
    TESTING_FROM_AT_DO,
    ensure_can_edit,
    idea_mark_testing,
    record_cycle_change,
)
from pdsa.signals import cycle_decided

Stage = Cycle.Stage
Decision = Cycle.Decision


def _refuse_incomplete(cycle: Cycle) -> None:
    missing = missing_before_next_stage(cycle)
    if not missing:
        return
    # The summary names the first gap; ``errors`` lists them all, so a phone can mark
    # every field at once instead of refusing one at a time.
    raise ApplicationError(
        missing[0].message,
        field=missing[0].field,
        code="incomplete",
        extra={
            "errors": [
                {"field": gap.field, "code": "incomplete", "message": gap.message}
                for gap in missing
            ]
        },
    )


def _record_decision(*, cycle: Cycle, by: User) -> None:
    """The change idea takes the decision's status and keeps the cycle's learning."""
    cycle.decided_at = timezone.now()
    idea = cycle.change_idea
    if idea is None:
        return
    idea.status = IDEA_STATUS_AFTER[cycle.decision]
    idea.status_changed_at = cycle.decided_at
    learning = cycle.learning.strip()
    if learning:
        # Kept on the idea (also when abandoned), so whoever searches the idea later
        # finds what this test taught, with the cycle it came from.
        entry = (
            f"Cycle {cycle.number} ({cycle.get_decision_display().lower()}, "
            f"{day(timezone.localdate(cycle.decided_at))}): {learning}"
        )
        idea.learning = f"{idea.learning.rstrip()}\n\n{entry}" if idea.learning.strip() else entry
    idea._history_user = by
    idea.save(update_fields=["status", "status_changed_at", "learning", "updated_at"])


@transaction.atomic
def cycle_advance(
    *,
    cycle: Cycle,
    by: User,
    to: str | None = None,
    decision: str | None = None,
    next_steps: str | None = None,
    spread_note: str | None = None,
) -> Cycle:
    """Move a cycle to its next stage when the worksheet allows it (see ``pdsa.rules``).

    ``to`` is the stage the client means to reach: if the cycle is already there (a
    retried request), nothing changes. At Act the decision, next steps and spread note
    may come with the move, so a phone decides and finishes in one request. Finishing
    records the decision: the change idea's status follows it (adopt -> adopted, adapt
    -> adapted, abandon -> abandoned), the learning is kept on the idea, and
    ``cycle_decided`` is sent. Returns the cycle as saved.
    """
    ensure_can_edit(user=by, project=cycle.project)
    cycle = (
        Cycle.objects.select_for_update(of=("self",))
        .select_related("project", "change_idea")
        .get(pk=cycle.pk)
    )
    if to is not None and to == cycle.stage:
        return cycle
    if cycle.stage == Stage.DONE:
        raise ApplicationError(
            "This cycle is finished; start a new cycle to keep testing.",
            field="stage",
            code="finished",
        )
    target = NEXT_STAGE[cycle.stage]
    if to is not None and to != target:
        raise ApplicationError(
            f"A cycle in {cycle.get_stage_display()} moves to {Stage(target).label} next.",
            field="to",
            code="invalid_stage",
        )
    _apply_act_fields(
        cycle=cycle, decision=decision, next_steps=next_steps, spread_note=spread_note
    )
    _refuse_incomplete(cycle)

    today = timezone.localdate()
    cycle.stage = target
    cycle.stage_changed_at = timezone.now()
    if target == Stage.DO:
        cycle.started_on = cycle.started_on or today
        idea_mark_testing(idea=cycle.change_idea, by=by, from_statuses=TESTING_FROM_AT_DO)
    elif target == Stage.STUDY:
        cycle.ended_on = cycle.ended_on or max(today, cycle.started_on or today)
    elif target == Stage.DONE:
        _record_decision(cycle=cycle, by=by)
    cycle._history_user = by
    cycle.save()
    if target == Stage.DONE:
        cycle_decided.send(sender=Cycle, cycle=cycle, decision=cycle.decision, by=by)
    record_cycle_change(project_id=cycle.project_id)
    return cycle


def _apply_act_fields(
    *, cycle: Cycle, decision: str | None, next_steps: str | None, spread_note: str | None
) -> None:
    given = {
        name: value
        for name, value in (
            ("decision", decision),
            ("next_steps", next_steps),
            ("spread_note", spread_note),
        )
        if value is not None
    }
    if not given:
        return
    if cycle.stage != Stage.ACT:
        raise ApplicationError(
            "Decide at Act, once you have studied the results.", field=next(iter(given))
        )
    if "decision" in given and given["decision"] not in Decision.values:
        raise ApplicationError("Choose adopt, adapt or abandon.", field="decision")
    for name, value in given.items():
        setattr(cycle, name, value)
