"""What a person does with their own notifications and preferences."""

from __future__ import annotations

from datetime import time
from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from backend.models import User
from backend.updates import field_names, model_update, only
from notifications.models import Notification, Preference


class PreferenceChanges(TypedDict, total=False):
    """How a person hears from Ripple."""

    in_app: bool
    email: bool
    muted_kinds: list[str]
    digest_weekday: int
    quiet_hours_start: time | None
    quiet_hours_end: time | None


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
def preference_update(*, user: User, **changes: Unpack[PreferenceChanges]) -> Preference:
    """Set how the user hears from Ripple: channels, muted kinds, digest day, quiet hours."""
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    preference, _ = model_update(
        instance=preference,
        fields=field_names(PreferenceChanges),
        data=only(PreferenceChanges, changes, service="preference_update"),
        by=user,
        check=lambda changed: changed.full_clean(),
    )
    return preference
