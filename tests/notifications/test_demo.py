"""The demo: the first scan at start-up leaves the demo coach nudges and a celebration."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from notifications.models import CELEBRATION_KINDS, NUDGE_KINDS, Kind, Notification

pytestmark = pytest.mark.django_db


def test_the_demo_coach_finds_nudges_a_celebration_and_a_digest_waiting():
    call_command("seed_demo", stdout=None)
    kinds = set(
        Notification.objects.filter(recipient__email="coach@demo.example").values_list(
            "kind", flat=True
        )
    )
    assert kinds & NUDGE_KINDS
    assert kinds & CELEBRATION_KINDS
    assert Kind.DIGEST in kinds


def test_seeding_the_demo_again_says_nothing_twice():
    call_command("seed_demo")
    before = Notification.objects.count()
    call_command("notifications_scan")
    call_command("seed_demo")
    assert Notification.objects.count() == before
