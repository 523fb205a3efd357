"""Every error has the one shape: status, code, message, errors[field, code, message]."""

from backend.errors import flatten
from backend.models import Membership

SHAPE = {"status", "code", "message", "errors"}


def _assert_shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= SHAPE, body
    assert body["status"] == status
    assert body["errors"] and all(set(e) == {"field", "code", "message"} for e in body["errors"])
    return body


def test_401_403_404_400_405_and_unknown_urls_share_the_shape(api, member, organisation, ward):
    nurse = member()
    _assert_shape(api().get("/api/v1/me/"), 401)
    _assert_shape(
        api(nurse).post("/api/v1/units/", {"organisation": organisation.pk, "name": "X"}), 403
    )
    _assert_shape(api(nurse).get("/api/v1/units/999999/"), 404)
    _assert_shape(api(nurse).delete(f"/api/v1/units/{ward.pk}/"), 405)
    _assert_shape(api(nurse).get("/api/v1/no-such-thing/"), 404)
    body = _assert_shape(api(member(Membership.Role.ADMIN)).post("/api/v1/units/", {}), 400)
    assert {e["field"] for e in body["errors"]} == {"organisation", "name"}


def test_a_malformed_json_body_is_a_400_not_a_500(api, member):
    response = api(member(Membership.Role.ADMIN)).post(
        "/api/v1/units/", data="{not json", content_type="application/json"
    )

    _assert_shape(response, 400)


def test_nested_errors_get_dotted_paths():
    detail = {"questions": [{}, {"prediction": ["Required."]}], "non_field_errors": ["Bad."]}

    assert flatten(detail) == [
        {"field": "questions[1].prediction", "code": "invalid", "message": "Required."},
        {"field": None, "code": "invalid", "message": "Bad."},
    ]


def test_the_schema_documents_the_error_shape(api, db):
    schema = api().get("/api/schema/?format=json").json()

    assert "Error" in schema["components"]["schemas"]
    units_post = schema["paths"]["/api/v1/units/"]["post"]
    assert units_post["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert any(p["name"] == "Idempotency-Key" for p in units_post["parameters"])
