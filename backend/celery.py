"""The Celery app. Beat reads its schedule from the database (django-celery-beat)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

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
    # Nightly, before the reconcile reads them: renew any SPC reading a bulk load or an
    # engine change left behind (every data write stores its own; this only catches up).
    "projects-readings-recompute": {
        "task": "projects.tasks.readings_recompute",
        "schedule": crontab(hour=5, minute=0),
    },
    # Nightly, before the working day: celebrate wins whose event message was lost (data,
    # rebases and adoptions of the last week), so nothing waits on a broker hiccup.
    "notifications-reconcile": {
        "task": "notifications.tasks.reconcile",
        "schedule": crontab(hour=5, minute=30),
    },
    # Nightly, beside it: put forward changes whose win a lost data check missed.
    "spread-candidates-reconcile": {
        "task": "spread.tasks.candidates_reconcile",
        "schedule": crontab(hour=5, minute=40),
    },
    # Daily at 07:00, as the day shift starts: nudge stalled projects, overdue cycles,
    # missing data and pending studies (each once per occurrence).
    "notifications-nudges-scan": {
        "task": "notifications.tasks.nudges_scan",
        "schedule": crontab(hour=7, minute=0),
    },
    # Daily at 07:15, after the nudges it summarises: each coach's weekly digest goes on
    # their chosen weekday (or the first run after it), once per ISO week.
    "notifications-digests": {
        "task": "notifications.tasks.digests_send",
        "schedule": crontab(hour=7, minute=15),
    },
    # Every five minutes: send e-mails whose quiet hours ended, or whose delivery message
    # or worker was lost (a dead worker's claim lapses after five minutes).
    "notifications-deliveries-sweep": {
        "task": "notifications.tasks.deliveries_sweep",
        "schedule": crontab(minute="*/5"),
    },
    # Every five minutes, beside it: e-mail invitations whose task was lost (the link is
    # written from the row, so nothing is carried through the broker; each link once).
    "invitations-sweep": {
        "task": "backend.tasks.invitations_sweep",
        "schedule": crontab(minute="*/5"),
    },
}


@worker_ready.connect
def _heartbeat_on_start(sender, **kwargs) -> None:
    # Beat's first heartbeat is a minute away; this one tells /healthz at once that a
    # worker is consuming (it goes through the broker like any task).
    sender.app.send_task("backend.tasks.worker_heartbeat")
