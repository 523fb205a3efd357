"""The wins page reads an organisation's celebrations through their own index on
PostgreSQL: a year of nudges, digests and comments beside them is never read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import CELEBRATION_KINDS, Kind, Notification
from notifications.selectors import win_ids, wins_by_ids

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def year_of_notifications(organisation, member):
    """20 wins, each told to three people, among 20,000 nudges to the same people."""
    people = [member() for _ in range(3)]
    now = timezone.now()

    def row(kind: str, subject: int, person: int) -> Notification:
        key = f"{people[person].pk}:{kind}:measure:{subject}:2026-11"
        return Notification(
            recipient=people[person], organisation=organisation, kind=kind,
            subject_type="measure", subject_id=subject, period="2026-11", dedupe_key=key,
            title=f"{kind} {subject}", created_at=now,
        )  # fmt: skip

    Notification.objects.bulk_create(
        [row(Kind.STALLED, n, n % 3) for n in range(20_000)]
        + [row(Kind.SIGNAL, n, person) for n in range(20) for person in range(3)],
        batch_size=5_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_notification")
    return people[0]


def test_the_wins_are_read_off_their_own_index_once_each(year_of_notifications):
    ids = win_ids(user=year_of_notifications)

    plan = ids.explain()

    assert "notification_wins" in plan, plan
    wins = wins_by_ids([row["first"] for row in ids[:10]])
    assert [win.kind for win in wins] == [Kind.SIGNAL] * 10
    assert len({win.subject_id for win in wins}) == 10  # one row per win, not per person
    assert [win.subject_id for win in wins] == list(range(19, 9, -1))  # newest first
    assert ids.count() == 20


def test_the_index_covers_every_kind_of_celebration():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'notification_wins'")
        [(definition,)] = cursor.fetchall()

    for kind in CELEBRATION_KINDS:
        assert f"'{kind}'" in definition
