"""``manage.py heartbeat_check``: exit 1 unless beat sent, and a worker ran, a recent heartbeat.

docker-compose uses it as the health check of the worker and of beat: the heartbeat
needs both.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backend.health import WORKER_STALE_AFTER
from backend.models import WorkerHeartbeat


class Command(BaseCommand):
    help = "Fail unless a Celery heartbeat ran within the last few minutes."

    def handle(self, *args, **options) -> None:
        heartbeat = WorkerHeartbeat.objects.filter(name="default").first()
        if heartbeat is None:
            raise CommandError("No heartbeat yet: is beat sending and a worker running?")
        age = timezone.now() - heartbeat.seen_at
        if age > WORKER_STALE_AFTER:
            raise CommandError(f"Last heartbeat {age.total_seconds():.0f} s ago.")
        self.stdout.write(f"Heartbeat {age.total_seconds():.0f} s ago.")
