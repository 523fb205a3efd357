"""Single sign-on against a real OpenID Connect provider started by the tests: who comes
in on a first sign-in, who is refused, and which ID tokens are not believed."""

from __future__ import annotations

import datetime

import jwt
import pytest
import time_machine
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from backend import sso as oidc
from backend.models import AllowedDomain, Invitation, Membership, SignInEvent, User
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/accounts/sso/callback/"


def sign_in_through_provider(client: Client, provider, username: str):
    """Press "Sign in with your organisation account", sign in at the provider, come back."""
    start = client.get("/accounts/sso/")
    assert start.status_code == 302 and start["Location"].startswith(provider.issuer)
    back = provider.authorize(provider.signed_in(username), start["Location"])
    assert back.startswith(CALLBACK)
    return client.get(back.removeprefix("http://testserver"))


def invite(organisation, email, role=Membership.Role.COACH, **extra):
    from django.utils import timezone

    return Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        **extra,
    )


def test_an_invited_person_signs_in_and_joins_in_the_invited_role(sso, organisation, ward):
    invitation = invite(organisation, "invited.nurse@trust.example", home_unit=ward)
    client = Client()

    response = sign_in_through_provider(client, sso, "invited")

    assert response.status_code == 302
    user = User.objects.get(email="invited.nurse@trust.example")
    assert user.full_name == "Ines Vited" and not user.has_usable_password()
    membership = user.memberships.get()
    assert (membership.organisation, membership.role, membership.home_unit) == (
        organisation,
        Membership.Role.COACH,
        ward,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert client.get("/api/v1/me/").json()["email"] == user.email
    assert SignInEvent.objects.filter(user=user, outcome="signed_in", method="sso").exists()


def test_someone_from_an_allowed_domain_joins_as_frontline_in_the_default_unit(sso, organisation):
    start_here = UnitFactory(organisation=organisation, name="Staff bank")
    organisation.default_unit = start_here
    organisation.save()
    AllowedDomain.objects.create(organisation=organisation, domain="trust.example")

    response = sign_in_through_provider(Client(), sso, "staff")

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.starter@trust.example")
    assert membership.role == Membership.Role.FRONTLINE
    assert membership.home_unit == start_here


def test_someone_neither_invited_nor_from_an_allowed_domain_is_refused(sso, organisation):
    AllowedDomain.objects.create(organisation=organisation, domain="trust.example")
    client = Client()

    response = sign_in_through_provider(client, sso, "stranger")

    assert response.status_code == 403
    assert "has not been invited to Ripple" in response.content.decode()
    assert not User.objects.filter(email="stranger@elsewhere.example").exists()
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert SignInEvent.objects.get(email="stranger@elsewhere.example").outcome == "refused"


def test_a_deactivated_member_cannot_come_back_through_an_allowed_domain(sso, organisation):
    AllowedDomain.objects.create(organisation=organisation, domain="trust.example")
    leaver = UserFactory(email="leaver@trust.example", is_active=False)
    MembershipFactory(user=leaver, organisation=organisation)

    response = sign_in_through_provider(Client(), sso, "leaver")

    assert response.status_code == 403
    assert "switched off" in response.content.decode()


def test_an_existing_member_signs_in_and_lands_on_their_home(sso, member):
    nurse = member(email="member@trust.example")

    response = sign_in_through_provider(Client(), sso, "member")

    assert response.status_code == 302 and response["Location"] == "/"
    nurse.refresh_from_db()
    assert nurse.last_login is not None


def test_a_callback_that_was_not_started_here_is_refused(sso):
    response = Client().get("/accounts/sso/callback/?code=made-up&state=made-up")

    assert response.status_code == 403


def test_the_sign_in_page_offers_single_sign_on_only_when_it_is_set_up(sso, settings):
    assert "Sign in with your organisation account" in Client().get("/accounts/login/").text
    settings.RIPPLE_OIDC_ISSUER = ""
    assert "Sign in with your organisation account" not in Client().get("/accounts/login/").text


# --- which ID tokens are believed ----------------------------------------------------------


@pytest.fixture
def backend(sso):
    found = oidc.Backend()
    found._configure()
    return found


def real_id_token(provider, client_id="ripple", secret="ripple-secret", nonce="n-1") -> str:
    return provider.tokens(
        "member", client_id=client_id, secret=secret, redirect_uri=CALLBACK, nonce=nonce
    )["id_token"]


def test_a_real_id_token_for_ripple_is_believed(backend, sso):
    claims = backend.verify_token(real_id_token(sso), nonce="n-1")

    assert claims["email"] == "member@trust.example"
    assert claims["aud"] == "ripple"


def test_an_id_token_for_another_client_is_refused(backend, sso):
    sso.register_client("another-service", "another-secret", CALLBACK)
    token = real_id_token(sso, client_id="another-service", secret="another-secret")

    with pytest.raises(SuspiciousOperation, match=r"(?i)audience"):
        backend.verify_token(token, nonce="n-1")


def test_an_id_token_with_a_bad_signature_is_refused(backend, sso):
    header, payload, signature = real_id_token(sso).split(".")
    claims = jwt.decode(f"{header}.{payload}.{signature}", options={"verify_signature": False})
    claims["email"] = "admin@trust.example"
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(f"{header}.{forged_payload}.{signature}", nonce="n-1")


def test_an_id_token_signed_by_another_key_is_refused(backend, sso):
    from cryptography.hazmat.primitives.asymmetric import rsa

    real = jwt.decode(real_id_token(sso), options={"verify_signature": False})
    kid = jwt.get_unverified_header(real_id_token(sso))["kid"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(real, other_key, algorithm="RS256", headers={"kid": kid})

    with pytest.raises(SuspiciousOperation):
        backend.verify_token(forged, nonce="n-1")


def test_an_expired_id_token_is_refused(backend, sso):
    token = real_id_token(sso)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]

    with (
        time_machine.travel(expires + 120, tick=False),
        pytest.raises(SuspiciousOperation, match=r"(?i)expired"),
    ):
        backend.verify_token(token, nonce="n-1")


def test_an_id_token_with_another_sign_in_s_nonce_is_refused(backend, sso):
    with pytest.raises(SuspiciousOperation, match=r"(?i)nonce"):
        backend.verify_token(real_id_token(sso, nonce="someone-else"), nonce="n-1")
