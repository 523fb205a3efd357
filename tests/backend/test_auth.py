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


def test_sign_in_attempts_are_limited_across_the_api_and_the_page(api, client, member, monkeypatch):
    from django.core.cache import cache

    from backend.throttles import SignInThrottle

    cache.clear()  # other tests' sign-ins from this address are still counted
    monkeypatch.setattr(SignInThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    member(email="nurse@example.org")
    wrong = {"email": "nurse@example.org", "password": "guess"}

    assert api().post("/api/v1/auth/token/", wrong).status_code == 400
    assert api().post("/api/v1/auth/token/", wrong).status_code == 400
    assert client.post("/accounts/login/", wrong).status_code == 400
    page = client.post("/accounts/login/", {**wrong, "password": PASSWORD})
    token = api().post("/api/v1/auth/token/", {**wrong, "password": PASSWORD})

    assert page.status_code == 429
    assert "Too many attempts to sign in" in page.content.decode()
    assert token.status_code == 429
    assert token.json()["code"] == "throttled"
    assert "Retry-After" in token
