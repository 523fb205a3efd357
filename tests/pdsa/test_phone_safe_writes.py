"""Quick logging from a phone on patchy Wi-Fi: one small request, never a duplicate,
never a silent overwrite."""

from __future__ import annotations

import json
import uuid

import pytest

from backend.models import IdempotencyRecord
from pdsa.models import Cycle
from projects.models import ProjectMember
from tests.conftest import race
from tests.factories import ProjectMemberFactory

# What a phone browser adds to a fetch() on its own.
BROWSER_HEADERS = {
    "Host": "ripple.example-trust.nhs.uk",
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Accept": "application/json",
    "Accept-Language": "en-GB,en;q=0.9",
    "Accept-Encoding": "gzip, deflate, br",
    "Origin": "https://ripple.example-trust.nhs.uk",
    "Connection": "keep-alive",
}


def _quick_log_body(project, idea) -> dict:
    return {
        "project": project.pk,
        "change_idea": idea.pk,
        "uuid": str(uuid.uuid4()),
        "title": "Falls huddle at the 07:30 handover",
        "objective": "See whether a five-minute falls huddle at handover is feasible on a "
        "busy morning, led by the nurse in charge.",
        "questions": [
            {
                "question": "Will the day shift come to the huddle?",
                "prediction": "At least 5 of 7 mornings, most of the shift will attend.",
            }
        ],
    }


def _raw_request(body: bytes, key: str) -> bytes:
    headers = {
        **BROWSER_HEADERS,
        "Authorization": "Token " + "a" * 64,  # knox: 64 characters
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "Content-Length": str(len(body)),
    }
    head = "POST /api/v1/cycles/ HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()
    )
    return head.encode() + b"\r\n" + body


def test_a_quick_log_is_one_request_under_1_kb(api, nurse, project, idea):
    body = json.dumps(_quick_log_body(project, idea), separators=(",", ":")).encode()
    key = str(uuid.uuid4())
    raw = _raw_request(body, key)

    response = api(nurse).post(
        "/api/v1/cycles/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 201, response.json()
    assert len(raw) < 1024, f"{len(raw)} bytes"


def _post(client, body: dict, key: str):
    return client.post("/api/v1/cycles/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_quick_log_replays_the_first_response_and_creates_nothing(
    api, nurse, project, idea
):
    body = _quick_log_body(project, idea)
    client = api(nurse)

    first = _post(client, body, "phone-key-1")
    retry = _post(client, body, "phone-key-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert retry["ETag"] == first["ETag"] and retry["Location"] == first["Location"]
    assert Cycle.objects.count() == 1


def test_the_same_key_with_a_different_body_is_a_422(api, nurse, project, idea):
    client = api(nurse)
    _post(client, _quick_log_body(project, idea), "phone-key-2")

    response = _post(client, {**_quick_log_body(project, idea), "title": "Other"}, "phone-key-2")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Cycle.objects.count() == 1


def test_a_refused_quick_log_releases_its_key_for_the_corrected_retry(api, nurse, project, idea):
    client = api(nurse)
    bad = {**_quick_log_body(project, idea), "title": ""}

    assert _post(client, bad, "phone-key-3").status_code == 400
    assert not IdempotencyRecord.objects.filter(key="phone-key-3").exists()


def test_a_stale_if_match_is_a_412_and_changes_nothing(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Cycle.Stage.DO, observations="")
    client = api(nurse)
    url = f"/api/v1/cycles/{cycle.pk}/"
    etag = client.get(url)["ETag"]
    saved = client.patch(url, {"observations": "Six huddles."}, HTTP_IF_MATCH=etag)
    assert saved.status_code == 200
    assert saved["ETag"] == client.get(url)["ETag"]  # the new ETag is the one a read gives

    stale = client.patch(url, {"observations": "Overwrite!"}, HTTP_IF_MATCH=etag)
    stale_move = client.post(f"{url}advance/", {"to": "study"}, HTTP_IF_MATCH=etag)

    assert stale.status_code == stale_move.status_code == 412
    cycle.refresh_from_db()
    assert (cycle.observations, cycle.stage) == ("Six huddles.", "do")
    fresh = client.post(f"{url}advance/", {"to": "study"}, HTTP_IF_MATCH=saved["ETag"])
    assert fresh.status_code == 200


# --- real concurrency, on PostgreSQL ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_quick_logs_with_one_key_create_one_cycle(api, nurse, project, idea):
    body = _quick_log_body(project, idea)

    responses = race(8, lambda i: _post(api(nurse), body, "race-key"))

    assert Cycle.objects.count() == 1
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and 201 in statuses
    originals = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r]
    assert len(originals) == 1
    first = originals[0].json()
    for response in responses:
        if response.status_code == 201:
            assert response.json() == first
        else:
            assert response.json()["code"] == "idempotency_in_progress"
            retry = _post(api(nurse), body, "race-key")  # retrying the 409 gets the replay
            assert (retry.status_code, retry.json()) == (201, first)
    again = _post(api(nurse), body, "race-key")
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, first, "true")
    assert _post(api(nurse), {**body, "title": "Changed"}, "race-key").status_code == 422
    assert Cycle.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_quick_logs_in_one_project_get_distinct_numbers(api, member, project, idea):
    team = [member(email=f"team{i}@example.org") for i in range(8)]
    for user in team:
        ProjectMemberFactory(project=project, user=user, role=ProjectMember.Role.MEMBER)

    responses = race(
        8, lambda i: _post(api(team[i]), _quick_log_body(project, idea), f"own-key-{i}")
    )

    assert [r.status_code for r in responses] == [201] * 8
    assert sorted(Cycle.objects.values_list("number", flat=True)) == list(range(1, 9))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_client_uuid_make_one_cycle(api, nurse, project, idea):
    body = _quick_log_body(project, idea)

    responses = race(8, lambda i: api(nurse).post("/api/v1/cycles/", body, format="json"))

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert {r.json()["id"] for r in responses} == {Cycle.objects.get().pk}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_with_one_etag_cannot_both_win(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Cycle.Stage.DO, observations="")
    url = f"/api/v1/cycles/{cycle.pk}/"
    etag = api(nurse).get(url)["ETag"]

    responses = race(
        4,
        lambda i: api(nurse).patch(url, {"observations": f"Writer {i}"}, HTTP_IF_MATCH=etag),
    )

    assert sorted(r.status_code for r in responses) == [200, 412, 412, 412]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_a_refused_quick_log_answer_400_or_409_never_500(
    api, nurse, project, idea
):
    bad = {**_quick_log_body(project, idea), "title": ""}

    responses = race(8, lambda i: _post(api(nurse), bad, "refused-key"))

    assert {r.status_code for r in responses} <= {400, 409}
    assert 400 in {r.status_code for r in responses}
    assert not Cycle.objects.exists()
    assert not IdempotencyRecord.objects.filter(key="refused-key").exists()


def test_a_retried_move_with_its_key_replays_the_first_answer(api, nurse, project, cycle_at):
    cycle = cycle_at(project, Cycle.Stage.PLAN)
    client = api(nurse)
    url = f"/api/v1/cycles/{cycle.pk}/advance/"

    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="move-1")
    retry = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="move-1")

    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    cycle.refresh_from_db()
    assert cycle.stage == Cycle.Stage.DO  # moved once, not to Study
