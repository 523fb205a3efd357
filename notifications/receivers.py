"""Listening to the other apps' events, each sent by the service that made the change,
inside its transaction. Slow work (reading SPC, celebrating a win) is scheduled for after
the commit (``backend.jobs``): a rolled-back write enqueues nothing, and nothing here can
fail the user's request; a task lost on the way is made up by the daily reconcile, which
derives the same celebrations from the database. A few cheap rows (telling the origin
team of an adoption) are written in the sender's transaction, to commit with it."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from backend.jobs import enqueue_on_commit
from notifications.services import celebrate_adoption
from notifications.tasks import cycle_adoption_celebrate, measure_wins_detect
from pdsa.signals import cycle_decided
from projects.signals import measure_data_changed
from spread.signals import change_adopted


@receiver(measure_data_changed, dispatch_uid="notifications.measure_data_changed")
def detect_wins_after_data(sender, measure, by=None, **kwargs) -> None:
    enqueue_on_commit(measure_wins_detect, measure.pk)


@receiver(cycle_decided, dispatch_uid="notifications.cycle_decided")
def celebrate_adopted_change(sender, cycle, decision, by=None, **kwargs) -> None:
    if decision != "adopt":
        return
    enqueue_on_commit(cycle_adoption_celebrate, cycle.pk)


@receiver(change_adopted, dispatch_uid="notifications.change_adopted")
def tell_the_origin_team(sender, adoption, by=None, **kwargs) -> None:
    """Another unit adopted the team's change: tell them, once per adoption."""
    candidate = adoption.candidate
    celebrate_adoption(
        adoption_id=adoption.pk,
        origin_project=candidate.origin_project,
        adopting_unit=adoption.unit,
        change_title=candidate.change_idea.title,
        candidate_id=candidate.pk,
        adopted_on=timezone.localdate(adoption.status_changed_at),
        evidence={"origin_signal": candidate.evidence.get("summary", "")},
    )
