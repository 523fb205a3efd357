"""E-mail delivery: once per notification, however often its task is delivered.

The guard is a claim with a lease, taken in its own committed UPDATE before sending:

    UPDATE notification SET email_claimed_at = now, email_attempts = email_attempts + 1
    WHERE id = ? AND email_sent_at IS NULL AND email_due_at <= now
      AND (email_claimed_at IS NULL OR email_claimed_at < now - lease)

Only one task can win that row, so a task redelivered by the broker, enqueued twice, or
run by two workers at once sends one e-mail. The trade-off is what happens when a worker
dies between the claim and the send:

- at-most-once (claim forever) would lose that e-mail silently;
- at-least-once (send, then mark) would send again whenever a task is redelivered.

We take the middle: a send that fails is un-claimed at once and retried with backoff; a
worker that dies holding a claim leaves it to expire after EMAIL_CLAIM_LEASE, and the
delivery sweep (every five minutes) then sends it. The lease is safe because a live send
cannot outlast it: Celery kills a task at its hard time limit (a minute) and every SMTP
step is bounded by ``EMAIL_TIMEOUT`` (20 seconds) whatever the worker's pool, so a send
still holding its claim after five minutes has died. A duplicate needs the worker to
die after the SMTP server accepted the message and before the "sent" UPDATE commits: a
window of milliseconds, against losing a message for good. The Message-ID is fixed per
notification, so a mail system that de-duplicates by Message-ID folds even that one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from notifications.emails import notification_email
from notifications.models import Channel, Notification
from notifications.services.writing import (
    deliveries_enqueue_on_commit,
    email_due_at,
    preferences_for,
)

logger = logging.getLogger(__name__)

EMAIL_CLAIM_LEASE = timedelta(minutes=5)
MAX_EMAIL_ATTEMPTS = 8
# The task enqueued when a row is written gets the first go; the sweep picks up after.
SWEEP_GRACE = timedelta(minutes=2)
# After a long outage, last week's nudge is noise: the in-app row stays, the e-mail goes.
EMAIL_STALE_AFTER = timedelta(days=7)
SWEEP_BATCH = 1000


def _claimable(now: datetime) -> Q:
    return Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notification's e-mail unless it is sent, claimed, not yet due or no longer
    wanted; True when this call sent it. Raises the transport's error after releasing
    the claim, so the task's retry (or the sweep) can try again."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        _claimable(now),
        pk=notification_id,
        email_sent_at=None,
        email_due_at__lte=now,
        email_attempts__lt=MAX_EMAIL_ATTEMPTS,
    ).update(email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    if not claimed:  # sent, claimed by another worker, gone, or not due yet
        return False
    ours = Notification.objects.filter(pk=notification_id, email_claimed_at=now)
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    preference = preferences_for([recipient.pk])[recipient.pk]
    if not (recipient.is_active and recipient.email and preference.email):
        ours.update(email_due_at=None, email_claimed_at=None)
        return False
    if not preference.wants(notification.kind):
        ours.update(email_due_at=None, email_claimed_at=None)
        return False
    later = email_due_at(preference, now)
    if later > now:  # quiet hours began since it was written: the sweep sends it after
        ours.update(
            email_due_at=later, email_claimed_at=None, email_attempts=F("email_attempts") - 1
        )
        return False
    try:
        notification_email(notification).send()
    except Exception:
        ours.update(email_claimed_at=None)
        raise
    channels = [*notification.delivered_channels, Channel.EMAIL]
    Notification.objects.filter(pk=notification_id, email_sent_at=None).update(
        email_sent_at=timezone.now(), delivered_channels=list(dict.fromkeys(channels))
    )
    return True


def deliveries_sweep(*, now: datetime | None = None) -> int:
    """Enqueue the e-mails that are due and unsent: quiet hours that ended, a delivery
    message the broker lost, a claim whose worker died. Returns how many were enqueued."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            _claimable(now),
            email_sent_at=None,
            email_due_at__lte=now - SWEEP_GRACE,
            email_due_at__gte=now - EMAIL_STALE_AFTER,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .order_by("email_due_at")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    deliveries_enqueue_on_commit(ids)
    return len(ids)
