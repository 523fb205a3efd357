"""Signing in securely: a per-account lockout, the record the administrators read, no
account enumeration, password sign-in turned off, password reset and change, and
deactivation that ends sessions and tokens at once."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from backend import jobs, services
from backend.errors import ApplicationError
from backend.models import Membership, SignInEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
Role = Membership.Role
NEW_PASSWORD = "a-brand-new-password"


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"email": email, "password": password})


def token_for(email: str, password: str = PASSWORD):
    return APIClient().post("/api/v1/auth/token/", {"email": email, "password": password})


def test_ten_wrong_passwords_lock_the_account_and_the_record_shows_it(member, settings):
    settings.RIPPLE_SIGN_IN_FAILURE_LIMIT = 3
    nurse = member(email="nurse@trust.example")
    client = Client()
    for _ in range(3):
        assert sign_in(client, nurse.email, "wrong").status_code == 400

    locked = sign_in(client, nurse.email)  # the right password, too late

    assert "Too many attempts to sign in to this account" in locked.text
    assert "_auth_user_id" not in client.session
    assert token_for(nurse.email).status_code == 429
    outcomes = list(SignInEvent.objects.filter(user=nurse).values_list("outcome", flat=True))
    assert outcomes.count("failed") == 3 and "locked_out" in outcomes


def test_an_unknown_address_is_answered_as_a_wrong_password_and_locks_alike(member, settings):
    settings.RIPPLE_SIGN_IN_FAILURE_LIMIT = 2
    nurse = member(email="nurse@trust.example")

    unknown = sign_in(Client(), "nobody@trust.example", "wrong")
    wrong = sign_in(Client(), nurse.email, "wrong")

    assert unknown.status_code == wrong.status_code == 400
    assert "Enter the email address and password you use for Ripple" in unknown.text
    assert "Enter the email address and password you use for Ripple" in wrong.text
    sign_in(Client(), "nobody@trust.example", "wrong")
    assert "Too many attempts" in sign_in(Client(), "nobody@trust.example").text


def test_signing_in_resets_the_count(member, settings):
    settings.RIPPLE_SIGN_IN_FAILURE_LIMIT = 2
    nurse = member(email="nurse@trust.example")
    sign_in(Client(), nurse.email, "wrong")
    assert sign_in(Client(), nurse.email).status_code == 302
    sign_in(Client(), nurse.email, "wrong")

    assert sign_in(Client(), nurse.email).status_code == 302


def test_an_organisation_can_turn_password_sign_in_off(member, organisation, settings):
    settings.RIPPLE_OIDC_ISSUER = "https://login.example/tenant/v2.0"
    admin = member(Role.ADMIN)
    nurse = member(email="nurse@trust.example")

    services.organisation_settings_update(
        by=admin, organisation=organisation, password_sign_in=False, reason="Entra for all"
    )

    page = sign_in(Client(), nurse.email)
    assert page.status_code == 400 and "signs its people in with their organisation" in page.text
    assert token_for(nurse.email).json()["code"] == "password_sign_in_off"
    change = organisation.history.first()
    assert (change.history_user, change.history_change_reason) == (admin, "Entra for all")


def test_passwords_stay_on_while_single_sign_on_is_not_set_up(member, organisation):
    with pytest.raises(ApplicationError, match="Single sign-on is not set up"):
        services.organisation_settings_update(
            by=member(Role.ADMIN), organisation=organisation, password_sign_in=False
        )


def test_deactivating_ends_sessions_and_tokens_at_once(member, organisation):
    admin = member(Role.ADMIN)
    nurse = member(email="nurse@trust.example")
    page = Client()
    assert sign_in(page, nurse.email).status_code == 302
    token = token_for(nurse.email).json()["token"]
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200

    services.member_deactivate(
        by=admin, membership=nurse.memberships.get(), reason="Left the trust"
    )

    assert api.get("/api/v1/me/").status_code == 401
    assert page.get("/api/v1/me/").status_code in (401, 403)
    assert page.get("/").status_code == 302  # back to the sign-in page
    assert sign_in(Client(), nurse.email).status_code == 400
    membership = nurse.memberships.get()
    assert membership.history.first().history_change_reason == "Deactivated: Left the trust"


def test_deactivating_someone_who_belongs_elsewhere_takes_them_out_of_this_one_only(
    member, organisation, other_organisation
):
    admin = member(Role.ADMIN)
    nurse = member(email="nurse@trust.example")
    Membership.objects.create(user=nurse, organisation=other_organisation, role=Role.COACH)
    page = Client()
    sign_in(page, nurse.email)

    services.member_deactivate(
        by=admin, membership=nurse.memberships.get(organisation=organisation), reason="Moved"
    )

    nurse.refresh_from_db()
    assert nurse.is_active
    assert list(nurse.memberships.values_list("organisation", flat=True)) == [other_organisation.pk]
    assert page.get("/api/v1/me/").status_code in (401, 403)  # signed out all the same


def test_a_password_reset_says_the_same_for_anyone_and_sends_one_link(
    member, settings, django_capture_on_commit_callbacks
):
    settings.RIPPLE_BASE_URL = "https://ripple.trust.example"
    nurse = member(email="nurse@trust.example")
    with django_capture_on_commit_callbacks() as sent:
        known = Client().post("/accounts/password/reset/", {"email": nurse.email})
    with django_capture_on_commit_callbacks() as not_sent:
        unknown = Client().post("/accounts/password/reset/", {"email": "nobody@trust.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/sent/"
    assert (len(sent), len(not_sent)) == (1, 0)
    with django_capture_on_commit_callbacks() as again:
        Client().post("/accounts/password/reset/", {"email": nurse.email})
    assert len(again) == 0  # one e-mail per address for a few minutes


def test_a_reset_e_mail_the_broker_lost_is_sent_when_the_person_asks_again(
    member, monkeypatch, django_capture_on_commit_callbacks
):
    nurse = member(email="sam@trust.example")  # an address no other test asked for
    published = []

    def broker_down(task, args):
        raise ConnectionError("Error 111 connecting to the broker")

    monkeypatch.setattr(jobs, "_send", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        lost = Client().post("/accounts/password/reset/", {"email": nurse.email})
    assert lost.status_code == 302

    # Nothing periodic sends it later, so the cooldown is lifted: asking again works.
    monkeypatch.setattr(jobs, "_send", lambda task, args: published.append((task, args)))
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": nurse.email})
    assert published == [("backend.tasks.password_reset_send", (nurse.pk,))]
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": nurse.email})
    assert len(published) == 1  # handed over: one e-mail per address for a few minutes


def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(member):
    nurse = member(email="nurse@trust.example")
    elsewhere = Client()
    sign_in(elsewhere, nurse.email)
    token = token_for(nurse.email).json()["token"]

    assert services.password_reset_email_send(user_id=nurse.pk)
    link = re.search(r"http://localhost:8000(/accounts/password/reset/\S+)", mail.outbox[0].body)
    client = Client()
    form_page = client.get(link[1], follow=True)
    assert "Choose a new password" in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done["Location"] == "/accounts/password/reset/done/"
    assert sign_in(Client(), nurse.email, NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/api/v1/me/").status_code in (401, 403)
    assert APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/me/").status_code == 401
    assert "does not work" in Client().get(link[1], follow=True).text


def test_password_reset_requests_are_rate_limited(monkeypatch):
    from django.core.cache import cache

    from backend.throttles import PasswordResetThrottle

    cache.clear()  # other tests' requests from this address are still counted
    monkeypatch.setattr(PasswordResetThrottle, "THROTTLE_RATES", {"password_reset": "2/hour"})
    for _ in range(2):
        sent = Client().post("/accounts/password/reset/", {"email": "a@b.example"})
        assert sent.status_code == 302

    limited = Client().post("/accounts/password/reset/", {"email": "a@b.example"})

    assert limited.status_code == 429 and "Too many requests" in limited.text


def test_changing_your_password_keeps_this_session_and_ends_the_others(member):
    nurse = member(email="nurse@trust.example")
    here, elsewhere = Client(), Client()
    sign_in(here, nurse.email)
    sign_in(elsewhere, nurse.email)

    response = here.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert here.get("/api/v1/me/").status_code == 200
    assert elsewhere.get("/api/v1/me/").status_code in (401, 403)


def test_every_account_form_needs_its_csrf_token(member):
    strict = Client(enforce_csrf_checks=True)
    for path, data in [
        ("/accounts/login/", {"email": "a@b.example", "password": "x"}),
        ("/accounts/password/reset/", {"email": "a@b.example"}),
    ]:
        assert strict.post(path, data).status_code == 403, path


def test_guessing_the_current_password_on_the_change_page_is_limited(member, monkeypatch):
    from django.core.cache import cache

    from backend.throttles import SignInThrottle

    cache.clear()
    monkeypatch.setattr(SignInThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    client = Client()
    client.force_login(member())
    guess = {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(2):
        assert client.post("/accounts/password/change/", guess).status_code == 400

    limited = client.post("/accounts/password/change/", guess)

    assert limited.status_code == 429 and "Too many attempts" in limited.text
