"""E-mail delivery: once per notification, as the recipient prefers, retried when it fails."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from notifications.models import Kind, Notification
from notifications.services import (
    deliveries_sweep,
    measure_wins_detect,
    notification_email_send,
    nudges_scan,
)
from notifications.services.delivery import EMAIL_CLAIM_LEASE
from projects.models import Project
from tests.factories import NotificationFactory, PreferenceFactory
from tests.notifications.conftest import NOW

pytestmark = pytest.mark.django_db


class FlakyBackend(EmailBackend):
    """A mail server that drops the connection on the first message of each test."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FlakyBackend"
    FlakyBackend.failures_left = 1
    return FlakyBackend


def due_notification(**fields) -> Notification:
    fields.setdefault("email_due_at", NOW - timedelta(minutes=1))
    return NotificationFactory(**fields)


def test_a_notification_is_e_mailed_once_however_often_delivery_runs(clock):
    notification = due_notification(title="Falls huddle at handover has stalled")
    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Falls huddle at handover has stalled"
    assert message.to == [notification.recipient.email]
    assert "No new cycle, data or update for 21 days." in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert "Falls huddle at handover has stalled" in message.alternatives[0].content
    notification.refresh_from_db()
    assert notification.email_sent_at == NOW
    assert notification.delivered_channels == ["in_app", "email"]


def test_the_message_id_is_the_same_for_every_send_of_a_notification(clock):
    notification = due_notification()
    notification_email_send(notification_id=notification.pk)
    assert mail.outbox[0].extra_headers["Message-ID"] == (
        f"<notification-{notification.pk}@localhost>"
    )


def test_a_claim_held_by_a_live_worker_is_not_sent_again(clock):
    notification = due_notification(email_claimed_at=NOW - timedelta(minutes=1))
    assert notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_is_sent_after_the_lease(clock):
    notification = due_notification(
        email_due_at=NOW - EMAIL_CLAIM_LEASE - timedelta(minutes=1),
        email_claimed_at=NOW - EMAIL_CLAIM_LEASE - timedelta(seconds=1),
    )
    assert deliveries_sweep() == 1
    assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_a_dead_workers_claim_is_sent_within_ten_minutes_of_the_claim(clock):
    from backend.celery import app

    sweep_every = app.conf.beat_schedule["notifications-deliveries-sweep"]["schedule"]
    minutes = sorted(sweep_every.minute)
    sweep_minutes = max(
        b - a for a, b in zip(minutes, [*minutes[1:], minutes[0] + 60], strict=True)
    )
    claimed_at = NOW - EMAIL_CLAIM_LEASE - timedelta(seconds=1)
    notification = due_notification(email_due_at=claimed_at, email_claimed_at=claimed_at)

    assert deliveries_sweep() == 1
    assert notification_email_send(notification_id=notification.pk) is True
    assert EMAIL_CLAIM_LEASE + timedelta(minutes=sweep_minutes) <= timedelta(minutes=10)


def test_a_live_send_cannot_outlast_its_claim(settings):
    from notifications.tasks import notification_deliver

    # Celery kills the task at its hard time limit (prefork), and every SMTP step is
    # bounded (any pool): connect, EHLO, STARTTLS, login, the message, QUIT.
    assert timedelta(seconds=notification_deliver.time_limit) < EMAIL_CLAIM_LEASE
    assert settings.EMAIL_TIMEOUT and timedelta(seconds=6 * settings.EMAIL_TIMEOUT) < (
        EMAIL_CLAIM_LEASE
    )


def test_a_failed_send_releases_its_claim_so_a_retry_sends_it(clock, flaky_mail):
    notification = due_notification()
    with pytest.raises(SMTPServerDisconnected):
        notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_claimed_at is None and notification.email_sent_at is None
    assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_attempts == 2


def test_delivery_gives_up_after_the_last_attempt(clock):
    notification = due_notification(email_attempts=8)
    assert notification_email_send(notification_id=notification.pk) is False
    assert deliveries_sweep() == 0


def test_the_sweep_leaves_fresh_and_stale_e_mails_alone(clock):
    due_notification(email_due_at=NOW - timedelta(seconds=30))  # its own task has it
    due_notification(email_due_at=NOW - timedelta(days=8))  # last week's news
    due_notification(email_due_at=NOW - timedelta(minutes=5))
    assert deliveries_sweep() == 1


# --- preferences --------------------------------------------------------------------


def stalled(team, days: int = 30) -> None:
    Project.objects.filter(pk=team.project.pk).update(last_activity_at=NOW - timedelta(days=days))


def test_a_muted_kind_is_not_notified_at_all(clock, team):
    PreferenceFactory(user=team.coach, muted_kinds=[Kind.STALLED])
    stalled(team)
    nudges_scan()
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {team.lead.pk}


def test_e_mail_turned_off_keeps_the_in_app_notification(clock, team):
    PreferenceFactory(user=team.coach, email=False)
    stalled(team)
    nudges_scan()
    note = Notification.objects.get(recipient=team.coach)
    assert note.in_app is True and note.email_due_at is None
    assert notification_email_send(notification_id=note.pk) is False


def test_in_app_turned_off_still_e_mails(clock, team):
    PreferenceFactory(user=team.coach, in_app=False)
    stalled(team)
    nudges_scan()
    note = Notification.objects.get(recipient=team.coach)
    assert note.in_app is False and note.delivered_channels == []
    assert notification_email_send(notification_id=note.pk) is True


def test_e_mail_waits_for_quiet_hours_to_end(time_machine, team):
    night = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)  # 22:30 in London (GMT)
    time_machine.move_to(night, tick=False)
    PreferenceFactory(user=team.coach, quiet_hours_start=time(21), quiet_hours_end=time(7))
    stalled(team)
    nudges_scan()
    note = Notification.objects.get(recipient=team.coach)
    assert note.email_due_at == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert notification_email_send(notification_id=note.pk) is False
    Notification.objects.filter(recipient=team.lead).update(email_sent_at=night)
    time_machine.move_to(datetime(2026, 11, 26, 7, 5, tzinfo=UTC), tick=False)
    assert deliveries_sweep() == 1
    assert notification_email_send(notification_id=note.pk) is True


def test_quiet_hours_that_began_since_writing_hold_the_e_mail(time_machine, team):
    time_machine.move_to(datetime(2026, 11, 25, 20, 0, tzinfo=UTC), tick=False)
    stalled(team)
    nudges_scan()
    note = Notification.objects.get(recipient=team.coach)
    PreferenceFactory(user=team.coach, quiet_hours_start=time(20), quiet_hours_end=time(6, 30))
    assert notification_email_send(notification_id=note.pk) is False
    note.refresh_from_db()
    assert note.email_due_at == datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert note.email_attempts == 0


def test_quiet_hours_within_one_day_hold_e_mail_until_they_end(time_machine, team):
    time_machine.move_to(datetime(2026, 11, 25, 13, 0, tzinfo=UTC), tick=False)
    PreferenceFactory(user=team.coach, quiet_hours_start=time(12), quiet_hours_end=time(14))
    stalled(team)
    nudges_scan()
    note = Notification.objects.get(recipient=team.coach)
    assert note.email_due_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


# --- what the e-mail shows ----------------------------------------------------------


def test_a_celebration_e_mail_shows_the_chart_inline(clock, team, measure_with):
    measure_wins_detect(measure_id=measure_with("shift").pk)
    note = Notification.objects.get(recipient=team.lead)
    notification_email_send(notification_id=note.pk)
    message = mail.outbox[0]
    assert message.mixed_subtype == "related"
    [image] = message.attachments
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<chart>"
    assert image.get_payload(decode=True).startswith(b"\x89PNG\r\n\x1a\n")
    html = message.alternatives[0].content
    assert 'src="cid:chart"' in html
    assert f"/api/v1/measures/{note.measure_id}/chart.svg" in html
    assert "Sustained improvement in Falls (shift)" in html
    assert "sustained improvement, not chance" in message.body


def test_a_nudge_e_mail_has_no_chart(clock, team):
    stalled(team)
    nudges_scan()
    notification_email_send(notification_id=Notification.objects.filter(recipient=team.lead)[0].pk)
    assert mail.outbox[0].attachments == []
    assert "Open it in Ripple: http://localhost:8000/projects/" in mail.outbox[0].body
