"""Telling people about new projects waiting for approval, and about the decision."""

from __future__ import annotations

from django.utils import timezone

from backend.models import User
from notifications.models import Kind, Notification
from notifications.rules import approvals
from notifications.services.writing import notifications_write
from projects.models import Project


def approval_requested_notify(*, project: Project, by: User | None) -> int:
    """Ask the approvers about ``project`` (once per request); returns how many were new.

    Called in the requesting transaction, so the request and its messages commit
    together; e-mails go after the commit.
    """
    return notifications_write(
        drafts=approvals.approval_requested(project=project, by_id=by.pk if by else None)
    )


def approval_decided_notify(*, project: Project, approved: bool, note: str) -> int:
    """Tell the team the decision on ``project`` and mark the approvers' requests read,
    so nobody chases a project someone else already decided; returns how many were new."""
    Notification.objects.filter(
        kind=Kind.APPROVAL_REQUESTED, project=project, read_at__isnull=True
    ).update(read_at=timezone.now())
    return notifications_write(
        drafts=approvals.approval_decided(project=project, approved=approved, note=note)
    )
