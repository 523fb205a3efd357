"""Listening to the other apps' events, each sent by the service that made the change,
inside its transaction. Slow work (reading SPC, celebrating a win) is scheduled for after
the commit (``backend.jobs``): a rolled-back write enqueues nothing, and nothing here can
fail the user's request; a task lost on the way is made up by the daily reconcile, which
derives the same celebrations from the database. A few cheap rows (telling the origin
team of an adoption, asking approvers about a new project and telling the team their
answer, telling a team of a comment) are written in the sender's transaction, to commit
with it: nothing derives them again later."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from backend.jobs import enqueue_on_commit
from notifications.services import (
    approval_decided_notify,
    approval_requested_notify,
    celebrate_adoption,
    comment_tell_team,
    offer_tell_unit,
)
from notifications.tasks import cycle_adoption_celebrate, measure_wins_detect
from pdsa.signals import cycle_comment_posted, cycle_decided
from projects.signals import (
    measure_data_changed,
    project_approval_decided,
    project_approval_requested,
    project_comment_posted,
)
from spread.signals import change_adopted, change_offered


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


@receiver(project_approval_requested, dispatch_uid="notifications.project_approval_requested")
def ask_approvers(sender, project, by=None, **kwargs) -> None:
    approval_requested_notify(project=project, by=by)


@receiver(project_approval_decided, dispatch_uid="notifications.project_approval_decided")
def tell_team_the_decision(sender, project, approved, note="", by=None, **kwargs) -> None:
    approval_decided_notify(project=project, approved=approved, note=note)


@receiver(project_comment_posted, dispatch_uid="notifications.project_comment_posted")
def tell_team_of_project_comment(sender, comment, by=None, **kwargs) -> None:
    comment_tell_team(comment=comment, project=comment.project)


@receiver(cycle_comment_posted, dispatch_uid="notifications.cycle_comment_posted")
def tell_team_of_cycle_comment(sender, comment, by=None, **kwargs) -> None:
    cycle = comment.cycle
    comment_tell_team(
        comment=comment,
        project=cycle.project,
        cycle_id=cycle.pk,
        about=f"cycle {cycle.number} '{cycle.title}'",
    )


@receiver(change_offered, dispatch_uid="notifications.change_offered")
def tell_the_unit_team(sender, offer, by=None, **kwargs) -> None:
    """The QI team offered a change to a unit: tell its team, once per offer."""
    offer_tell_unit(offer=offer, by=by)
