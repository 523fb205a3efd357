"""A real worker process keeps delivering through broker crashes, without a hand restart.

The broker is a redis-server of the test's own, killed (SIGKILL, as a crash) ten times
while tasks are flowing and started again each time; the worker is a ``celery worker``
process with Ripple's settings, as ``make run`` and docker-compose start it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from backend.celery import app
from backend.models import WorkerHeartbeat
from backend.tasks import worker_heartbeat
from tests.redis_server import RedisServer, reset_broker_connections

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CRASHES = 10


def _database_url() -> str:
    db = connection.settings_dict
    login = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    return f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def test_a_worker_keeps_delivering_through_ten_broker_crashes(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    queue = f"ripple-recovery-{uuid.uuid4().hex[:8]}"
    previous = (app.conf.broker_url, app.conf.task_default_queue)
    app.conf.broker_url, app.conf.task_default_queue = server.url, queue
    app.amqp.queues.select_add(queue)
    reset_broker_connections()
    log = (tmp_path / "worker.log").open("w")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.test_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": server.url,
    }
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "backend", "worker"),
            *("--pool=threads", "--concurrency=2", "--queues", queue, "--loglevel=INFO"),
            *("--without-gossip", "--without-mingle", "--hostname", f"{queue}@%h"),
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def delivered(name: str) -> bool:
        return WorkerHeartbeat.objects.filter(name=name).exists()

    try:
        worker_heartbeat.delay(name="before")
        _wait_for(lambda: delivered("before"), 60, "the worker did not start")
        for crash in range(CRASHES):
            for task in range(5):  # work in flight when the broker dies
                worker_heartbeat.delay(name=f"load-{crash}-{task}")
            server.stop()
            time.sleep(0.5)
            server.start()
            worker_heartbeat.delay(name=f"after-{crash}")
            _wait_for(
                lambda crash=crash: delivered(f"after-{crash}"),
                90,
                f"nothing was delivered after crash {crash + 1}",
            )
            assert worker.poll() is None, f"the worker died at crash {crash + 1}"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
        server.stop()
        app.conf.broker_url, app.conf.task_default_queue = previous
        reset_broker_connections()
    # Each crash lost at most the tasks queued at that moment; the rest were delivered.
    assert WorkerHeartbeat.objects.filter(name__startswith="after-").count() == CRASHES
