"""Read queries for PDSA cycles, scoped to the projects the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from backend.models import User
from pdsa.models import Cycle, CycleComment, CycleFile, CycleQuestion, CycleTask
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


def testing_started_on(cycles: Iterable[Cycle]) -> date | None:
    """When testing a change began, from the cycles that tested it: their earliest start
    (``started_on``, else ``planned_start``); when none is dated, the day the first was
    logged; None without cycles."""
    cycles = list(cycles)
    starts = [c.started_on or c.planned_start for c in cycles if c.started_on or c.planned_start]
    if starts:
        return min(starts)
    if cycles:
        return timezone.localdate(min(c.created_at for c in cycles))
    return None


def change_started_on(*, idea: ChangeIdea, cycle: Cycle | None = None) -> date:
    """When a change began: the start of every cycle testing ``idea`` in its project (the
    ramp that led to "adopt", not just its last cycle) and of ``cycle`` (see
    ``testing_started_on``); an idea never tested dates from the day it was recorded."""
    cycles = list(Cycle.objects.filter(project_id=idea.project_id, change_idea=idea))
    if cycle is not None and all(c.pk != cycle.pk for c in cycles):
        cycles.append(cycle)
    return testing_started_on(cycles) or timezone.localdate(idea.created_at)


def cycles_change_started_on(cycles: Sequence[Cycle]) -> dict[int, date]:
    """``change_started_on`` of the change each cycle tested (its idea's ramp in its
    project, with the cycle; the cycle alone when it has no idea), by cycle id, in one
    query for all of them."""
    idea_ids = {cycle.change_idea_id for cycle in cycles if cycle.change_idea_id}
    ramps: dict[int, list[Cycle]] = {}
    if idea_ids:
        tested = Cycle.objects.filter(change_idea_id__in=idea_ids).only(
            "project_id", "change_idea_id", "started_on", "planned_start", "created_at"
        )
        for ramp_cycle in tested:
            ramps.setdefault(ramp_cycle.change_idea_id, []).append(ramp_cycle)
    started: dict[int, date] = {}
    for cycle in cycles:
        ramp = [c for c in ramps.get(cycle.change_idea_id, []) if c.project_id == cycle.project_id]
        # The cycle itself is always among them, so there is always a day.
        started[cycle.pk] = testing_started_on([*ramp, cycle]) or timezone.localdate()
    return started


def cycle_file_list(*, user: User) -> QuerySet[CycleFile]:
    """Photos and documents of the cycles the user may read, with the cycle and who added
    them."""
    return CycleFile.objects.filter(cycle__in=cycle_scope(user=user)).select_related(
        "cycle__project", "uploaded_by"
    )


def cycle_comment_list(*, cycle: Cycle) -> QuerySet[CycleComment]:
    """The cycle's comments, oldest first, with their authors in the same query. The
    caller has already scoped ``cycle`` to the user (``cycle_list``)."""
    return CycleComment.objects.filter(cycle=cycle).select_related("author")


# A project's history is read whole to find its overrides; this caps a pathological one.
OVERRIDE_HISTORY_SCAN = 1000


def progress_override_history(*, project: Project) -> list[dict]:
    """Every time the project's progress score was set or cleared by hand, newest first:
    when, who, the score (None: cleared, the computed score shows again) and the reason.
    Read from the project's history (django-simple-history), in one query."""
    records = (
        project.history.select_related("history_user")
        .only(
            "history_id",
            "history_date",
            "history_user",
            "progress_override",
            "progress_override_reason",
        )
        .order_by("history_date", "history_id")[:OVERRIDE_HISTORY_SCAN]
    )
    changes = []
    before: tuple = (None, "")
    for record in records:
        now = (record.progress_override, record.progress_override_reason)
        if now != before:
            changes.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "score": record.progress_override,
                    "reason": record.progress_override_reason,
                }
            )
        before = now
    return changes[::-1]
