from backend.models import Membership
from tests.factories import PASSWORD


def test_token_login_returns_a_token_that_authenticates(api, member):
    nurse = member(Membership.Role.FRONTLINE, email="nurse@example.org")

    response = api().post(
        "/api/v1/auth/token/", {"email": "Nurse@Example.org", "password": PASSWORD}
    )

    assert response.status_code == 200
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["email"] == nurse.email
    assert me["memberships"][0]["role"] == "frontline"
    assert me["memberships"][0]["organisation"]["name"] == "Demo Trust"


def test_token_login_with_a_wrong_password_is_a_400_in_the_error_shape(api, member):
    member(email="nurse@example.org")

    response = api().post("/api/v1/auth/token/", {"email": "nurse@example.org", "password": "nope"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_token_login_without_a_password_names_the_field(api, db):
    response = api().post("/api/v1/auth/token/", {"email": "nurse@example.org"})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "password", "code": "required", "message": "This field is required."}
    ]


def test_revoked_token_no_longer_authenticates(api, member):
    member(email="nurse@example.org")
    token = (
        api()
        .post("/api/v1/auth/token/", {"email": "nurse@example.org", "password": PASSWORD})
        .json()["token"]
    )
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_session_auth_works_too(client, member):
    nurse = member()
    client.force_login(nurse)

    assert client.get("/api/v1/me/").json()["email"] == nurse.email


def test_unauthenticated_requests_get_401_in_the_error_shape(api, db):
    for url in ("/api/v1/me/", "/api/v1/units/", "/api/v1/organisations/", "/api/v1/memberships/"):
        response = api().get(url)
        assert response.status_code == 401, url
        body = response.json()
        assert body["status"] == 401
        assert body["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
