"""The QI team's settings for nudges: how long before a project counts as stalled, a cycle
as overdue, data as missing and a study as pending."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.db import transaction

from backend.errors import forbid
from backend.models import ADMIN_ROLES, Organisation, User
from backend.selectors import has_role
from backend.updates import field_names, model_update, only
from notifications.models import NudgeSettings


class NudgeThresholds(TypedDict, total=False):
    """When each nudge is sent, in days (or periods of data)."""

    stall_days: int
    overdue_days: int
    missing_periods: int
    study_pending_days: int


@transaction.atomic
def nudge_settings_update(
    *, by: User, organisation: Organisation, **changes: Unpack[NudgeThresholds]
) -> NudgeSettings:
    """Set the organisation's nudge thresholds (the QI team and administrators); the next
    daily scan uses them."""
    if not has_role(user=by, organisation_id=organisation.pk, roles=ADMIN_ROLES):
        forbid("Only the QI team and administrators can change when nudges are sent.")
    settings, _ = NudgeSettings.objects.select_for_update().get_or_create(organisation=organisation)
    settings, _ = model_update(
        instance=settings,
        fields=field_names(NudgeThresholds),
        data=only(NudgeThresholds, changes, service="nudge_settings_update"),
        by=by,
    )
    return settings
