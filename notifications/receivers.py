"""Listening to the other apps' events. Receivers run inside the sender's transaction, so
they only schedule a task for after the commit: a rolled-back write enqueues nothing, and
nothing here can fail the user's request. A task lost on the way is made up by the daily
reconcile, which derives the same celebrations from the database. A comment is told to the
team at once, in the comment's own transaction: a few rows, with nothing to derive later."""

from __future__ import annotations

from django.dispatch import receiver

from backend.jobs import enqueue_on_commit
from notifications.services.comments import comment_tell_team
from notifications.tasks import cycle_adoption_celebrate, measure_wins_detect
from pdsa.signals import cycle_comment_posted, cycle_decided
from projects.signals import measure_data_changed, project_comment_posted


@receiver(measure_data_changed, dispatch_uid="notifications.measure_data_changed")
def detect_wins_after_data(sender, measure, by=None, **kwargs) -> None:
    enqueue_on_commit(measure_wins_detect, measure.pk)


@receiver(cycle_decided, dispatch_uid="notifications.cycle_decided")
def celebrate_adopted_change(sender, cycle, decision, by=None, **kwargs) -> None:
    if decision != "adopt":
        return
    enqueue_on_commit(cycle_adoption_celebrate, cycle.pk)


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
