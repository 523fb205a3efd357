"""Fixtures shared by every app's tests, and the rules for tests that need real services.

A test marked ``postgres``, ``redis`` or ``browser`` is skipped, with the reason, when
that service is not configured here; ``RIPPLE_REQUIRE_SERVICES=1`` (CI) makes the same
situation a failure, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from backend.models import Membership, Organisation, Unit, User
from tests.factories import MembershipFactory, OrganisationFactory, UnitFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("RIPPLE_REQUIRE_SERVICES") == "1"


def chromium_path() -> str | None:
    return os.environ.get("RIPPLE_CHROMIUM") or shutil.which("chromium")


def _missing_service(item: pytest.Item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis and a Celery worker: set REDIS_URL=redis://..."
    if item.get_closest_marker("browser") and not chromium_path():
        return "needs Chromium: install Debian's chromium package"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_service(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"RIPPLE_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def organisation(db) -> Organisation:
    return OrganisationFactory(name="Demo Trust", slug="demo")


@pytest.fixture
def other_organisation(db) -> Organisation:
    return OrganisationFactory(name="Other Trust", slug="other")


@pytest.fixture
def ward(organisation) -> Unit:
    return UnitFactory(organisation=organisation, name="Ward 7", specialty="elderly care")


@pytest.fixture
def member(organisation, ward) -> Callable[..., User]:
    """Make a user with a role in ``organisation`` (or another organisation)."""

    def make(role: str = Membership.Role.FRONTLINE, org: Organisation | None = None, **kw) -> User:
        user = UserFactory(**kw)
        target = org or organisation
        MembershipFactory(
            user=user,
            organisation=target,
            role=role,
            home_unit=ward if target == organisation else None,
        )
        return user

    return make


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """An API client, signed in as ``user`` when one is given."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


class RunningWorker:
    """A Celery worker consuming from the real broker, in a thread of this process."""

    def __init__(self, app) -> None:
        self.app = app

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError(f"the worker did not get there within {timeout} s")


@pytest.fixture
def celery_worker_on_redis(request):
    """Start a real worker on the configured Redis broker, on a queue of this test's own.

    The queue name is unique, so a worker of a running ``make run`` never steals the
    test's tasks, and the test never runs anyone else's.
    """
    import uuid

    from celery.contrib.testing.worker import start_worker

    from backend.celery import app

    queue = f"ripple-test-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    app.amqp.queues.select_add(queue)
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            queues=[queue],
            perform_ping_check=False,
            shutdown_timeout=10,
        ):
            yield RunningWorker(app)
    finally:
        app.conf.task_default_queue = previous


def race(n: int, send: Callable[[int], Any]) -> list[Any]:
    """Run ``send(i)`` in ``n`` threads released at once; their results, in order. For
    PostgreSQL tests of row locks and unique constraints (each thread has a connection)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = send(index)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
