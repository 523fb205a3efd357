"""The OpenAPI schema says what the API answers (the fuzzing in CI checks it whole; these
pin the rules it relies on)."""

from __future__ import annotations

import pytest

from backend.models import Membership
from tests.factories import StrategicAimFactory


@pytest.fixture
def schema(api, db) -> dict:
    return api().get("/api/schema/?format=json").json()


def _response_schema(schema: dict, path: str, method: str = "get", status: str = "200") -> dict:
    content = schema["paths"][path][method]["responses"][status]["content"]
    found = content["application/json"]["schema"]
    if "$ref" in found:
        found = schema["components"]["schemas"][found["$ref"].rsplit("/", 1)[1]]
    return found


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=last", "page"),
        ("page_size=0", "page_size"),
        ("page_size=501", "page_size"),
        ("page_size=0.5", "page_size"),
        ("project=0.5", "project"),
        ("project=0", "project"),
    ],
)
def test_a_bad_paging_or_id_parameter_is_a_400_naming_it(api, member, query, field):
    response = api(member()).get(f"/api/v1/cycles/?{query}")

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_a_page_past_the_last_is_a_documented_404(api, member, schema):
    response = api(member()).get("/api/v1/cycles/?page=2")

    assert response.status_code == 404
    assert "404" in schema["paths"]["/api/v1/cycles/"]["get"]["responses"]


def test_every_operation_documents_its_errors_in_the_one_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for status in ("400", "401", "403", "404", "429", "503"):
                answer = operation["responses"].get(status)
                assert answer, f"{method.upper()} {path} does not document {status}"
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (path, method, status)


def test_whole_lists_and_paged_lists_are_documented_as_they_answer(
    api, member, organisation, schema
):
    client = api(member(Membership.Role.QI_TEAM))
    aim = StrategicAimFactory(organisation=organisation)

    tree = _response_schema(schema, "/api/v1/aims/tree/")
    assert tree["type"] == "array"
    assert isinstance(client.get("/api/v1/aims/tree/").json(), list)
    learning = _response_schema(schema, "/api/v1/learning/")
    assert {"count", "results"} <= set(learning["required"])
    history = _response_schema(schema, "/api/v1/aims/{id}/history/")
    assert set(history["properties"]) == {"count", "results"}
    assert set(client.get(f"/api/v1/aims/{aim.pk}/history/").json()) == {"count", "results"}
    params = {
        p["name"]
        for p in schema["paths"]["/api/v1/aims/{id}/history/"]["get"].get("parameters", [])
    }
    assert not params & {"page", "page_size", "organisation"}


def test_values_through_an_empty_link_are_documented_nullable(schema):
    components = schema["components"]["schemas"]

    assert components["Aim"]["properties"]["unit_name"].get("nullable")
    assert components["Measure"]["properties"]["aim_title"].get("nullable")
    owner = components["Aim"]["properties"]["owner_detail"]
    assert owner.get("nullable") or any(v.get("type") == "null" for v in owner.get("anyOf", []))


def test_times_of_day_are_documented_as_they_are_written(api, member, schema):
    quiet = schema["components"]["schemas"]["Preference"]["properties"]["quiet_hours_start"]
    variants = quiet.get("anyOf", [quiet])
    client = api(member())

    assert not any(v.get("format") == "time" for v in variants)
    refused = client.put(
        "/api/v1/notifications/preferences/",
        {"quiet_hours_start": "22:00:00Z", "quiet_hours_end": "07:00"},
    )
    assert refused.status_code == 400, refused.content


def test_the_idempotency_key_is_documented_where_it_is_honoured(schema):
    def documented(path: str) -> bool:
        parameters = schema["paths"][path]["post"].get("parameters", [])
        return any(p["name"] == "Idempotency-Key" for p in parameters)

    assert documented("/api/v1/units/")
    assert documented("/api/v1/measures/{id}/data/")
    assert not documented("/api/v1/notifications/read-all/")
    assert not documented("/api/v1/spc/analyse/")
