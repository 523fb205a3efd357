"""``/healthz``: is the database answering, and can we reach the broker?"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from backend.celery import app as celery_app
from backend.errors import error_body
from backend.models import WorkerHeartbeat

BROKER_TIMEOUT_SECONDS = 2
# The beat sends a heartbeat every minute; three missed ones means the worker is gone.
WORKER_STALE_AFTER = timedelta(minutes=3)


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure here is the answer, not a crash
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            conn.default_channel  # noqa: B018 - opening a channel is the real check
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _worker_status() -> str:
    heartbeat = WorkerHeartbeat.objects.filter(name="default").first()
    if heartbeat is None:
        return "unknown: no heartbeat yet"
    if timezone.now() - heartbeat.seen_at > WORKER_STALE_AFTER:
        return f"stale: last seen {heartbeat.seen_at.isoformat()}"
    return "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer; 503 naming whichever does not.

    The worker's heartbeat is reported but does not fail the check: a web server
    without a worker still serves every read.
    """
    problems = {"database": _check_database(), "broker": _check_broker()}
    checks = {name: problem or "ok" for name, problem in problems.items()}
    if problems["database"] is None:
        checks["worker"] = _worker_status()
    down = [name for name, problem in problems.items() if problem]
    if down:
        errors = [
            {"field": name, "code": "unavailable", "message": problems[name]} for name in down
        ]
        body = error_body(503, "unavailable", errors, message=f"Down: {', '.join(down)}.")
        return JsonResponse({**body, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})
