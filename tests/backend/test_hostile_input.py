"""Input no honest client sends still gets an answer in the error shape, never a 500.

Each case here is one a fuzzer (schemathesis, ``--checks all``) found answering 500, or
answering outside the error shape, before the fix.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from backend.models import Membership
from backend.parsers import MAX_JSON_DEPTH
from projects.models import ProjectMember
from tests.factories import (
    AdoptionFactory,
    MeasureFactory,
    NotificationFactory,
    ProjectFactory,
    ProjectMemberFactory,
    SpreadCandidateFactory,
)

SHAPE = {"status", "code", "message", "errors"}


def _assert_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= SHAPE and body["status"] == status, body
    return body


BAD_IDS = ["abc", "null,null", "%C3%B5", "99999999999999999999999"]
ROUTES = [
    ("get", "/api/v1/measures/{}/"),
    ("get", "/api/v1/measures/{}/chart/"),
    ("get", "/api/v1/measures/{}/data/"),
    ("get", "/api/v1/measures/{}/data/history/"),
    ("get", "/api/v1/measures/{}/rebases/"),
    ("delete", "/api/v1/measures/{}/rebases/1/"),
    ("get", "/api/v1/measures/{}/data.csv"),
    ("get", "/api/v1/projects/{}/driver-diagram/"),
    ("get", "/api/v1/projects/{}/progress/"),
    ("post", "/api/v1/notifications/{}/read/"),
    ("patch", "/api/v1/spread/adoptions/{}/"),
    ("get", "/api/v1/units/{}/spread-suggestions/"),
]


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_an_id_that_is_not_a_record_id_is_a_404_on_every_route(api, member, bad_id):
    client = api(member(Membership.Role.QI_TEAM))

    for method, route in ROUTES:
        response = getattr(client, method)(route.format(bad_id))

        _assert_shape(response, 404)


def test_a_page_with_an_id_past_the_64_bit_range_is_a_404(member, client: Client):
    client.force_login(member())

    assert client.get("/projects/99999999999999999999999/").status_code == 404
    assert client.get("/cycles/abc/").status_code == 404


def test_the_router_still_serves_real_ids(api, member, organisation, ward):
    qi = member(Membership.Role.QI_TEAM)
    project = ProjectFactory(organisation=organisation, unit=ward)
    measure = MeasureFactory(project=project)
    notification = NotificationFactory(recipient=qi, organisation=organisation)
    adoption = AdoptionFactory(candidate=SpreadCandidateFactory(organisation=organisation))
    client = api(qi)

    assert client.get(f"/api/v1/measures/{measure.pk}/chart/").status_code == 200
    assert client.post(f"/api/v1/notifications/{notification.pk}/read/").status_code == 200
    assert client.get(f"/api/v1/spread/adoptions/{adoption.pk}/").status_code == 200


def test_adding_a_team_member_without_a_role_makes_them_a_member(api, member, organisation, ward):
    lead = member()
    colleague = member()
    project = ProjectFactory(organisation=organisation, unit=ward)
    ProjectMemberFactory(project=project, user=lead, role=ProjectMember.Role.LEAD)

    response = api(lead).post(
        "/api/v1/project-members/", {"project": project.pk, "user": colleague.pk}
    )

    assert response.status_code == 201, response.content
    assert response.json()["role"] == ProjectMember.Role.MEMBER


def test_options_on_the_preferences_route_describes_it(api, member):
    response = api(member()).options("/api/v1/notifications/preferences/")

    assert response.status_code == 200, response.content
    assert response.json()["name"]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
def test_json_nested_too_deep_is_a_400_naming_the_limit(api, member, depth):
    body = "[" * depth + "]" * depth

    response = api(member(Membership.Role.ADMIN)).post(
        "/api/v1/units/", data=body, content_type="application/json"
    )

    error = _assert_shape(response, 400)
    assert str(MAX_JSON_DEPTH) in error["message"]


def test_json_within_the_depth_limit_is_read(api, member, organisation):
    admin = member(Membership.Role.ADMIN)
    tags: list = ["ward"]
    for _ in range(MAX_JSON_DEPTH - 3):  # the body object and the tags list are two levels
        tags = [tags]
    body = {"organisation": organisation.pk, "name": "Deep", "tags": tags}

    response = api(admin).post("/api/v1/units/", body, format="json")

    # Read, then refused by the field (tags are a list of words), not by the parser.
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("tags")


@pytest.mark.parametrize("with_key", [False, True])
def test_a_json_body_over_the_upload_limit_is_a_413_in_the_error_shape(
    api, member, organisation, settings, with_key
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    body = json.dumps({"organisation": organisation.pk, "name": "x" * 5_000})
    headers = {"HTTP_IDEMPOTENCY_KEY": "big-1"} if with_key else {}

    response = api(member(Membership.Role.ADMIN)).post(
        "/api/v1/units/", data=body, content_type="application/json", **headers
    )

    error = _assert_shape(response, 413)
    assert error["code"] == "too_large"


def test_a_csv_upload_over_the_limit_is_a_413_in_the_error_shape(
    api, member, organisation, ward, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    lead = member()
    project = ProjectFactory(organisation=organisation, unit=ward)
    ProjectMemberFactory(project=project, user=lead, role=ProjectMember.Role.LEAD)
    measure = MeasureFactory(project=project)
    csv = "period,value\n" + "".join(f"2020-01-{d:02d},{d}\n" for d in range(1, 29)) * 20

    response = api(lead).post(
        f"/api/v1/measures/{measure.pk}/data.csv",
        data=csv,
        content_type="text/csv",
        HTTP_IDEMPOTENCY_KEY="csv-1",
    )

    _assert_shape(response, 413)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_503_with_retry_after(api, member):
    nurse = member()
    client = api(nurse)
    settings_dict = connection.settings_dict
    real_port = settings_dict["PORT"]
    connection.close()
    settings_dict["PORT"] = "1"  # nothing listens there: every connection is refused
    try:
        response = client.get("/api/v1/projects/")
    finally:
        connection.close()
        settings_dict["PORT"] = real_port

    error = _assert_shape(response, 503)
    assert int(response["Retry-After"]) > 0
    assert "127.0.0.1" not in json.dumps(error) and "port" not in error["message"].lower()
