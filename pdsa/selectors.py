"""Read queries for PDSA cycles, scoped to the projects the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from backend.models import User
from pdsa.models import Cycle, CycleQuestion, CycleTask
from projects.models import Measure
from projects.selectors import project_list


def cycle_scope(*, user: User) -> QuerySet[Cycle]:
    """Cycles of every project the user may read (every project of their organisations)."""
    return Cycle.objects.filter(project__in=project_list(user=user))


def cycle_list(*, user: User) -> QuerySet[Cycle]:
    """``cycle_scope`` with what the cycle serializer shows, in a fixed number of queries."""
    return (
        cycle_scope(user=user)
        .select_related("project", "change_idea", "owner")
        .prefetch_related(
            Prefetch("questions", queryset=CycleQuestion.objects.order_by("position", "id")),
            Prefetch("tasks", queryset=CycleTask.objects.order_by("position", "id")),
            Prefetch("measures", queryset=Measure.objects.only("id")),
            Prefetch("children", queryset=Cycle.objects.only("id", "parent_id")),
        )
    )


def overdue_q(*, today: date | None = None) -> Q:
    """Cycles still in Do after their planned end: the team has not written up the test."""
    return Q(stage=Cycle.Stage.DO, planned_end__lt=today or timezone.localdate())
