"""Timing requests for the benches: import after ``django.setup()``.

Each request goes through Django's test client (the whole WSGI stack: middleware, knox
token or session authentication, DRF, rendering; no socket, whose cost would be the same
for every endpoint and only shrink the ratios).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from backend.models import User


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


class Endpoint:
    """One URL read as one person: by API token, or signed in for a page."""

    def __init__(self, path: str, user: User, note: str, *, page: bool = False) -> None:
        self.path, self.label = path, f"GET {path} ({note})"
        if page:
            self.client = Client()
            self.client.force_login(user)
        else:
            token = AuthToken.objects.create(user)[1]
            self.client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def get(self) -> tuple[int, int]:
        """The status and the size of the body, read to the end (a stream chunk by chunk,
        none kept)."""
        response = self.client.get(self.path)
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        return response.status_code, size

    def timed(self, times: int, before: Callable[[], None] = lambda: None) -> list[float]:
        seconds = []
        for _ in range(times):
            before()
            start = time.perf_counter()
            status, _ = self.get()
            seconds.append(time.perf_counter() - start)
            assert status == 200, f"{self.path} answered {status}"
        return seconds

    def queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.get()
        return len(captured)


def trivial_median(trivial: Endpoint, repeat: int) -> float:
    """The trivial endpoint's median, after a few requests to warm it."""
    trivial.timed(3)
    return statistics.median(trivial.timed(repeat))


def header() -> str:
    return (
        f"{'endpoint':<62}{'cache':>7}{'median':>13}{'min':>13}{'ratio':>8}"
        f"{'queries':>9}{'bytes':>11}"
    )


def row(label: str, state: str, runs: list[float], base: float, queries: int, size: int) -> str:
    median = statistics.median(runs)
    return (
        f"{label:<62}{state:>7}{ms(median):>13}{ms(min(runs)):>13}{median / base:>8.1f}"
        f"{queries:>9}{size:>11,}"
    )


def measure_endpoints(
    trivial: Endpoint, endpoints: list[Endpoint], *, repeat: int, cold_repeat: int
) -> dict[str, dict[str, float]]:
    """Print each endpoint's median, cold (the cache emptied before every request; the
    database's own caches are warm) and warm, with its ratio to the trivial endpoint's
    median, its query count and its size; a page answering 404 is skipped, saying so.
    Returns the ratios by label and state."""
    from django.core.cache import cache

    base = trivial_median(trivial, repeat * 3)
    print(f"\n{header()}")
    _, size = trivial.get()
    print(row(trivial.label, "-", [base], base, trivial.queries(), size))
    ratios: dict[str, dict[str, float]] = {}
    for endpoint in endpoints:
        status, size = endpoint.get()
        if status != 200:
            reason = "not built yet (404)" if status == 404 else f"answered {status}"
            print(f"{endpoint.label:<62}  skipped: {reason}")
            continue
        cold = endpoint.timed(cold_repeat, before=cache.clear)
        cache.clear()
        cold_queries = endpoint.queries()  # and leaves the cache warm
        warm = endpoint.timed(repeat)
        for state, runs, queries in (
            ("cold", cold, cold_queries),
            ("warm", warm, endpoint.queries()),
        ):
            print(row(endpoint.label, state, runs, base, queries, size))
            ratios.setdefault(endpoint.label, {})[state] = statistics.median(runs) / base
    return ratios
