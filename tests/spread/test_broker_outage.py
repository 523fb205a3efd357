"""With the broker down, a data write answers as it does with the broker up; when the
broker returns, the nightly reconciles make what the lost messages would have made, once.

The broker (and the cache, as in production, where one Redis is both) is a redis-server
this test starts on a port of its own, so it can stop it and start it again.
"""

from __future__ import annotations

import shutil
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from backend.celery import app
from notifications import services as notification_services
from notifications.models import Kind, Notification
from notifications.tasks import reconcile
from projects.models import DataPoint
from spread import services as spread_services
from spread.models import SpreadCandidate
from spread.tasks import candidates_reconcile
from tests.conftest import RunningWorker
from tests.redis_server import RedisServer, reset_broker_connections
from tests.spread.conftest import BASELINE, SHIFTED, add_data, month

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(tmp_path, settings):
    """Broker and cache on a redis-server of this test's own, on a queue of its own."""
    if not shutil.which("redis-server"):
        pytest.fail("the broker-outage test needs redis-server on the PATH", pytrace=False)
    server = RedisServer(tmp_path)
    server.start()
    previous = (app.conf.broker_url, app.conf.task_default_queue)
    queue = f"ripple-outage-{uuid.uuid4().hex[:8]}"
    app.conf.broker_url = server.url
    app.conf.task_default_queue = queue
    app.amqp.queues.select_add(queue)
    reset_broker_connections()
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": server.url, "KEY_PREFIX": queue}
    }
    try:
        yield server, queue
    finally:
        server.stop()
        app.conf.broker_url, app.conf.task_default_queue = previous
        reset_broker_connections()


def _signal_celebrations(measure) -> int:
    return Notification.objects.filter(
        kind=Kind.SIGNAL, subject_type="measure", subject_id=measure.pk
    ).count()


def test_data_written_while_the_broker_is_down_is_answered_and_healed_once(
    api, own_redis, falls_measure, idea, nurse, cycle_in_act, decide
):
    server, queue = own_redis
    add_data(falls_measure, BASELINE + SHIFTED[:1])
    decide(cycle_in_act(idea, [falls_measure]), nurse)
    client = api(nurse)
    url = f"/api/v1/measures/{falls_measure.pk}/data/"
    json_rows = [
        {"period": month(13 + i).isoformat(), "value": v} for i, v in enumerate(SHIFTED[1:7])
    ]
    csv = "period,value\n" + "".join(
        f"{month(19 + i).isoformat()},{v}\n" for i, v in enumerate(SHIFTED[7:])
    )

    server.stop()
    first = client.post(url, json_rows, format="json", HTTP_IDEMPOTENCY_KEY="outage-1")
    retry = client.post(url, json_rows, format="json", HTTP_IDEMPOTENCY_KEY="outage-1")
    upload = client.post(f"{url[:-1]}.csv", data=csv, content_type="text/csv")
    removed = client.delete(f"{url}{month(23).isoformat()}/")

    assert first.status_code == 201, first.content
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert upload.status_code == 201, upload.content
    assert removed.status_code == 204, removed.content
    assert DataPoint.objects.filter(measure=falls_measure).count() == 23
    # What the lost messages would have done has not happened.
    assert not SpreadCandidate.objects.exists()
    assert _signal_celebrations(falls_measure) == 0

    server.start()
    reset_broker_connections()
    with start_worker(app, pool="threads", concurrency=2, queues=[queue], perform_ping_check=False):
        worker = RunningWorker(app)
        reconcile.delay()
        candidates_reconcile.delay()
        worker.wait_for(lambda: SpreadCandidate.objects.filter(change_idea=idea).exists())
        worker.wait_for(lambda: _signal_celebrations(falls_measure) >= 1)

    # Healing again (tomorrow's run, or a beat that fired twice) changes nothing.
    notification_services.reconcile()
    spread_services.candidates_reconcile(since=falls_measure.created_at)
    assert SpreadCandidate.objects.filter(change_idea=idea).count() == 1
    assert SpreadCandidate.objects.get(change_idea=idea).evidence_strength == "proven"
    assert _signal_celebrations(falls_measure) == 1
