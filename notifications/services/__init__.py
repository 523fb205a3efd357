"""Write use-cases for notifications.

- `writing`: each rule's drafts written once, as the recipient prefers.
- `delivery`: one e-mail per notification, guarded against double sends.
- `jobs`: the periodic scans, the reconcile, and the event-driven celebrations.
- `inbox`: marking read, and preferences.
- `approvals`: new projects waiting for approval, and the decision.
- `comments`: telling a team about a comment on its project or a cycle.
- `messages`: thanks for a win, and the QI team's offer of a change to a unit.
- `settings`: the organisation's nudge thresholds.
"""

from notifications.services.approvals import approval_decided_notify, approval_requested_notify
from notifications.services.comments import comment_tell_team
from notifications.services.delivery import deliveries_sweep, notification_email_send
from notifications.services.inbox import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
)
from notifications.services.jobs import (
    celebrate_adoption,
    cycle_adoption_celebrate,
    daily_slot,
    digests_send,
    full_scan,
    job_run,
    measure_wins_detect,
    minute_slot,
    nudges_scan,
    organisation_slot,
    reconcile,
    wins_detect,
)
from notifications.services.messages import offer_tell_unit, thanks_send
from notifications.services.settings import nudge_settings_update
from notifications.services.writing import email_due_at, notifications_write, preferences_for

__all__ = [
    "approval_decided_notify",
    "approval_requested_notify",
    "celebrate_adoption",
    "comment_tell_team",
    "cycle_adoption_celebrate",
    "daily_slot",
    "deliveries_sweep",
    "digests_send",
    "email_due_at",
    "full_scan",
    "job_run",
    "measure_wins_detect",
    "minute_slot",
    "notification_email_send",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notifications_write",
    "nudge_settings_update",
    "nudges_scan",
    "offer_tell_unit",
    "organisation_slot",
    "preference_update",
    "preferences_for",
    "reconcile",
    "thanks_send",
    "wins_detect",
]
