def test_healthz_checks_the_database_and_the_broker(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["broker"] == "ok"


def test_healthz_names_what_is_down(client, db, monkeypatch):
    from backend.celery import app

    # Nothing listens on port 1: a broker that is down.
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"
    assert body["errors"][0]["field"] == "broker"


def test_api_docs_are_served_without_the_internet(client, db):
    docs = client.get("/api/docs/")

    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in docs.content
    assert client.get("/api/schema/").status_code == 200
