"""What a person does with their own notifications and preferences."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.models import User
from notifications.models import Notification, Preference


def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of the user's notifications read; reading it again keeps the first time."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


@transaction.atomic
def preference_update(*, user: User, **fields: Any) -> Preference:
    """Set how the user hears from Ripple: channels, muted kinds, digest day, quiet hours."""
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.full_clean()
    preference.save()
    return preference
