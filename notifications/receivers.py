"""Listening to the other apps' events. Receivers run inside the sender's transaction.

Celebrations only schedule a task for after the commit: a rolled-back write enqueues
nothing, the SPC reading stays out of the user's request, and a task lost on the way is
made up by the daily reconcile, which derives the same celebrations from the database.
Approval requests and decisions are a few rows written in the transaction itself: nothing
derives them again later, so they commit with the request or not at all (their e-mails
still go after the commit)."""

from __future__ import annotations

from django.dispatch import receiver

from backend.jobs import enqueue_on_commit
from notifications.services import approval_decided_notify, approval_requested_notify
from notifications.tasks import cycle_adoption_celebrate, measure_wins_detect
from pdsa.signals import cycle_decided
from projects.signals import (
    measure_data_changed,
    project_approval_decided,
    project_approval_requested,
)


@receiver(measure_data_changed, dispatch_uid="notifications.measure_data_changed")
def detect_wins_after_data(sender, measure, by=None, **kwargs) -> None:
    enqueue_on_commit(measure_wins_detect, measure.pk)


@receiver(cycle_decided, dispatch_uid="notifications.cycle_decided")
def celebrate_adopted_change(sender, cycle, decision, by=None, **kwargs) -> None:
    if decision != "adopt":
        return
    enqueue_on_commit(cycle_adoption_celebrate, cycle.pk)


@receiver(project_approval_requested, dispatch_uid="notifications.project_approval_requested")
def ask_approvers(sender, project, by=None, **kwargs) -> None:
    approval_requested_notify(project=project, by=by)


@receiver(project_approval_decided, dispatch_uid="notifications.project_approval_decided")
def tell_team_the_decision(sender, project, approved, note="", by=None, **kwargs) -> None:
    approval_decided_notify(project=project, approved=approved, note=note)
