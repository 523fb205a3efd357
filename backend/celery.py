"""The Celery app. Beat reads its schedule from the database (django-celery-beat)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("ripple")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one schedule. django-celery-beat copies these entries into its tables at start-up,
# where an administrator can pause or retime them without a deploy.
app.conf.beat_schedule = {
    # Every minute: proves a worker is consuming, for /healthz.
    "worker-heartbeat": {
        "task": "backend.tasks.worker_heartbeat",
        "schedule": 60.0,
    },
    # Nightly: forget idempotency keys older than a week; clients retry within minutes.
    "idempotency-prune": {
        "task": "backend.tasks.idempotency_prune",
        "schedule": crontab(hour=3, minute=15),
    },
}
