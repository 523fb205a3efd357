"""Writing what the rules want: each draft once, as its recipient prefers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from backend.batches import chunked
from backend.jobs import enqueue_each_on_commit
from notifications.models import Channel, Notification, Preference
from notifications.rules import Draft


def preferences_for(user_ids: Iterable[int]) -> dict[int, Preference]:
    """Each user's preferences, the defaults (unsaved) for those who never set any."""
    ids = sorted(set(user_ids))
    found: dict[int, Preference] = {}
    for batch in chunked(ids):
        found.update({p.user_id: p for p in Preference.objects.filter(user_id__in=batch)})
    return {user_id: found.get(user_id) or Preference(user_id=user_id) for user_id in ids}


def email_due_at(preference: Preference, now: datetime) -> datetime:
    """When an e-mail may go: now, or the end of the recipient's quiet hours.

    Quiet hours are read in the site's time zone and may wrap midnight (21:00 to 07:00).
    """
    quiet = preference.quiet_hours
    if quiet is None:
        return now
    start, end = quiet
    local = timezone.localtime(now)
    moment = local.time()
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return now
    end_day = local.date() if moment < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(end_day, end))


def notifications_write(*, drafts: Sequence[Draft], now: datetime | None = None) -> int:
    """Write each draft once, by its dedupe key, and send the e-mails that are due.

    Safe to run twice or in two processes at once: rows are inserted ignoring dedupe-key
    conflicts, so the database keeps exactly one; an e-mail task enqueued twice for one row
    is a no-op the second time (see `delivery`). Drafts of muted kinds are dropped, so
    unmuting later says only what is still true. Returns how many were new.
    """
    now = now or timezone.now()
    unique = {draft.dedupe_key: draft for draft in drafts}
    preferences = preferences_for(draft.recipient_id for draft in unique.values())
    wanted = {
        key: draft
        for key, draft in unique.items()
        if preferences[draft.recipient_id].wants(draft.kind)
    }
    existing: set[str] = set()
    for batch in chunked(list(wanted)):
        existing |= set(
            Notification.objects.filter(dedupe_key__in=batch).values_list("dedupe_key", flat=True)
        )
    new = [draft for key, draft in wanted.items() if key not in existing]
    if not new:
        return 0
    Notification.objects.bulk_create(
        [_row(draft, preferences[draft.recipient_id], now) for draft in new],
        batch_size=500,
        ignore_conflicts=True,
    )
    due_keys = [d.dedupe_key for d in new if preferences[d.recipient_id].email]
    due_ids: list[int] = []
    for batch in chunked(due_keys):
        due_ids += Notification.objects.filter(
            dedupe_key__in=batch, email_sent_at=None, email_due_at__lte=now
        ).values_list("id", flat=True)
    deliveries_enqueue_on_commit(due_ids)
    return len(new)


def _row(draft: Draft, preference: Preference, now: datetime) -> Notification:
    return Notification(
        recipient_id=draft.recipient_id,
        organisation_id=draft.organisation_id,
        kind=draft.kind,
        project_id=draft.project_id,
        cycle_id=draft.cycle_id,
        measure_id=draft.measure_id,
        subject_type=draft.subject_type,
        subject_id=draft.subject_id,
        period=draft.period,
        dedupe_key=draft.dedupe_key,
        title=draft.title[:200],
        body=draft.body,
        link=draft.link,
        evidence=draft.evidence,
        in_app=preference.in_app,
        delivered_channels=[Channel.IN_APP] if preference.in_app else [],
        # Quiet hours: the row waits and the delivery sweep sends it when they end. A task
        # with a long countdown would sit unacknowledged past Redis's visibility timeout and
        # be delivered again every hour; the guard would absorb that, but why provoke it.
        email_due_at=email_due_at(preference, now) if preference.email else None,
    )


def deliveries_enqueue_on_commit(notification_ids: Sequence[int]) -> None:
    """One delivery task per notification, published only if the transaction commits; a
    broker that is down is healed by the delivery sweep (``backend.jobs``)."""
    enqueue_each_on_commit("notifications.tasks.notification_deliver", list(notification_ids))
