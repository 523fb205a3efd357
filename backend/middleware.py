"""A database that cannot answer is a 503 with ``Retry-After``, not a 500.

A phone that gets a 503 with ``Retry-After`` keeps what it typed and tries again; a 500
says the request itself was wrong. The failure is logged with its detail, which never
reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from backend.errors import error_body

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
MESSAGE = "Ripple cannot reach its database just now. Try again in a minute."


class DatabaseUnavailableMiddleware:
    """Answer a view that failed to reach the database with 503 and ``Retry-After``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # OperationalError is a lost or refused connection, a timeout, a lock that could
        # not be had: all worth retrying. InterfaceError is a connection already closed.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable for %s %s", request.method, request.path, exc_info=True)
        if request.path.startswith("/api/"):
            errors = [{"field": None, "code": "unavailable", "message": MESSAGE}]
            response: HttpResponse = JsonResponse(
                error_body(503, "unavailable", errors), status=503
            )
        else:
            response = HttpResponse(
                f'<!DOCTYPE html><html lang="en-GB"><title>Ripple is unavailable</title>'
                f"<h1>Ripple is unavailable</h1><p>{MESSAGE}</p></html>",
                status=503,
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
