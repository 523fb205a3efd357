"""Read queries for notifications: a person sees only their own, in organisations they
still belong to."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.models import User
from backend.selectors import organisation_ids
from notifications.models import Notification, Preference


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first."""
    return Notification.objects.filter(
        recipient=user, in_app=True, organisation_id__in=organisation_ids(user=user)
    ).order_by("-id")


def notification_unread_count(*, user: User) -> int:
    """How many of the user's in-app notifications are unread."""
    return notification_list(user=user).filter(read_at=None).count()


def preference_get(*, user: User) -> Preference:
    """The user's preferences; the defaults (unsaved) when they never set any."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)
