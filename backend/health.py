"""``/healthz``: is the database answering, can we reach the broker, is a worker consuming?

Anyone may ask whether Ripple is healthy; only a signed-in platform operator is told
why not, since the reason names internal hosts, ports and error text. The reason is
always logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from backend.celery import app as celery_app
from backend.errors import error_body
from backend.models import WorkerHeartbeat
from backend.selectors import is_platform_operator

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2
# Beat sends a heartbeat every minute and a worker runs it; three missed ones means no
# worker is consuming (or beat is not sending), and the background work has stopped.
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


def _check_worker() -> str | None:
    heartbeat = WorkerHeartbeat.objects.filter(name="default").first()
    if heartbeat is None:
        return "no heartbeat yet: is beat sending and a worker running?"
    age = timezone.now() - heartbeat.seen_at
    if age > WORKER_STALE_AFTER:
        return f"last heartbeat {age.total_seconds():.0f} s ago ({heartbeat.seen_at.isoformat()})"
    return None


def _may_see_detail(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and is_platform_operator(user=user)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer and a worker sent a heartbeat within
    ``WORKER_STALE_AFTER``; 503 naming whichever is not so."""
    problems = {"database": _check_database(), "broker": _check_broker()}
    # Without the database neither the heartbeat nor the person asking can be read.
    database_up = problems["database"] is None
    if database_up:
        problems["worker"] = _check_worker()
    down = [name for name, problem in problems.items() if problem]
    checks = {name: "unavailable" if problem else "ok" for name, problem in problems.items()}
    if not down:
        return JsonResponse({"status": "ok", "checks": checks})
    for name in down:
        logger.warning("Health check: %s unavailable: %s", name, problems[name])
    detail = database_up and _may_see_detail(request)
    errors = [
        {
            "field": name,
            "code": "unavailable",
            "message": problems[name] if detail else f"The {name} is unavailable.",
        }
        for name in down
    ]
    body = error_body(503, "unavailable", errors, message=f"Down: {', '.join(down)}.")
    return JsonResponse({**body, "checks": checks}, status=503)
