"""Read queries for PDSA cycles, scoped to the projects the user may see."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from backend.models import User
from backend.selectors import organisation_ids
from pdsa.models import Cycle, CycleQuestion, CycleTask
from projects.models import ChangeIdea, Measure, Project
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


def cycle_project_list(*, user: User) -> QuerySet[Project]:
    """Projects a cycle may be created in or cloned into (the user may see them; whether
    they may edit one is the service's question, so a visible one is a 403, not a 404)."""
    return project_list(user=user)


def change_idea_list(*, user: User) -> QuerySet[ChangeIdea]:
    """Change ideas of the projects the user may see."""
    return ChangeIdea.objects.filter(project__in=project_list(user=user))


def measure_list(*, user: User) -> QuerySet[Measure]:
    """Measures of the user's organisations, for linking to cycles."""
    return Measure.objects.filter(organisation_id__in=organisation_ids(user=user))


def member_user_list(*, user: User) -> QuerySet[User]:
    """People who belong to one of the user's organisations (possible cycle owners)."""
    return User.objects.filter(
        memberships__organisation_id__in=organisation_ids(user=user)
    ).distinct()
