"""Idempotency-Key on creates and If-Match on updates (the shared plumbing)."""

import threading

import pytest
from django.db import connection

from backend.models import IdempotencyRecord, Membership, Unit


def _create(client, organisation, key, name="Bay C"):
    return client.post(
        "/api/v1/units/",
        {"organisation": organisation.pk, "name": name, "kind": "ward"},
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retry_with_the_same_key_replays_the_response_and_creates_nothing(
    api, member, organisation
):
    client = api(member(Membership.Role.ADMIN))

    first = _create(client, organisation, "k-1")
    retry = _create(client, organisation, "k-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Unit.objects.filter(name="Bay C").count() == 1


def test_the_same_key_with_a_different_body_is_a_422(api, member, organisation):
    client = api(member(Membership.Role.ADMIN))
    _create(client, organisation, "k-2")

    response = _create(client, organisation, "k-2", name="Bay D")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Unit.objects.filter(name="Bay D").exists()


def test_a_failed_request_releases_its_key(api, member, organisation):
    client = api(member(Membership.Role.ADMIN))
    bad = client.post(
        "/api/v1/units/", {"organisation": organisation.pk}, HTTP_IDEMPOTENCY_KEY="k-3"
    )

    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()


def test_keys_belong_to_their_user(api, member, organisation):
    _create(api(member(Membership.Role.ADMIN)), organisation, "shared", name="Bay E")

    response = _create(api(member(Membership.Role.QI_TEAM)), organisation, "shared", name="Bay F")

    assert response.status_code == 201
    assert response.json()["name"] == "Bay F"


def test_a_key_still_in_progress_is_a_409(api, member, organisation):
    admin = member(Membership.Role.ADMIN)
    client = api(admin)
    _create(client, organisation, "k-4")
    IdempotencyRecord.objects.filter(key="k-4").update(state=IdempotencyRecord.State.IN_PROGRESS)

    response = _create(client, organisation, "k-4")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"


def test_a_stale_if_match_is_a_412_and_changes_nothing(api, member, ward):
    client = api(member(Membership.Role.ADMIN))
    etag = client.get(f"/api/v1/units/{ward.pk}/")["ETag"]
    assert (
        client.patch(
            f"/api/v1/units/{ward.pk}/", {"specialty": "stroke"}, HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )

    stale = client.patch(
        f"/api/v1/units/{ward.pk}/", {"specialty": "respiratory"}, HTTP_IF_MATCH=etag
    )

    assert stale.status_code == 412
    ward.refresh_from_db()
    assert ward.specialty == "stroke"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_unit(api, member, organisation):
    admin = member(Membership.Role.ADMIN)
    results: list[int] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        try:
            barrier.wait()
            results.append(_create(api(admin), organisation, "race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Unit.objects.filter(name="Bay C").count() == 1
    assert set(results) <= {201, 409} and 201 in results
    assert _create(api(admin), organisation, "race").status_code == 201
