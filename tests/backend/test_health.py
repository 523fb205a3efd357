from datetime import timedelta

import pytest
from django.utils import timezone

from backend.health import WORKER_STALE_AFTER
from backend.models import WorkerHeartbeat
from tests.factories import UserFactory


@pytest.fixture
def worker_alive(db):
    WorkerHeartbeat.objects.update_or_create(name="default", defaults={"seen_at": timezone.now()})


@pytest.fixture
def broker_down(monkeypatch):
    from backend.celery import app

    # Nothing listens on port 1: a broker that is down.
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")


def test_healthz_checks_the_database_the_broker_and_the_worker(client, worker_alive):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "worker": "ok"}


def test_healthz_names_what_is_down(client, worker_alive, broker_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"
    assert body["errors"][0]["field"] == "broker"


@pytest.mark.parametrize("seen_ago", [None, WORKER_STALE_AFTER + timedelta(seconds=1)])
def test_healthz_is_503_when_no_worker_has_sent_a_heartbeat_lately(client, db, seen_ago):
    if seen_ago is not None:
        WorkerHeartbeat.objects.create(name="default", seen_at=timezone.now() - seen_ago)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "unavailable"
    assert response.json()["errors"][0]["field"] == "worker"


def test_healthz_tells_only_platform_operators_why(client, worker_alive, broker_down):
    anonymous = client.get("/healthz").json()
    client.force_login(UserFactory())
    colleague = client.get("/healthz").json()
    client.force_login(UserFactory(is_staff=True))
    operator = client.get("/healthz").json()

    for body in (anonymous, colleague):
        text = str(body)
        assert "127.0.0.1" not in text and ":1" not in text and "Error" not in text, body
        assert body["errors"][0]["message"] == "The broker is unavailable."
    assert "Error" in operator["errors"][0]["message"]


def test_api_docs_are_served_without_the_internet(client, db):
    docs = client.get("/api/docs/")

    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in docs.content
    assert client.get("/api/schema/").status_code == 200
