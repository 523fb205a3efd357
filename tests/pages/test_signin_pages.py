"""Signing in and bringing people in, in a real browser: an administrator invites by CSV,
the person sets a password from the e-mailed link and signs in; single sign-on through
the real local provider; deactivation stops the person's API token. Every new page is
checked with axe-core and pictured at 390 and 1280 wide."""

from __future__ import annotations

import re

import pytest
import requests
from django.core import mail

from backend import services
from backend.models import Invitation, Membership, Organisation, User
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.pages.conftest import PASSWORD, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a-long-new-password"


@pytest.fixture
def trust(transactional_db):
    """An organisation with a small tree of units and its administrator."""
    organisation = Organisation.objects.create(name="Test Trust", slug="test-trust")
    site = UnitFactory(organisation=organisation, name="Royal Infirmary", level="site")
    ward = UnitFactory(organisation=organisation, name="Ward 7 Elderly Care", parent=site)
    admin = UserFactory(email="admin@trust.example", full_name="Chris Taylor", password=PASSWORD)
    MembershipFactory(user=admin, organisation=organisation, role=Membership.Role.ADMIN)
    return {"organisation": organisation, "ward": ward, "admin": admin}


def look(page, name: str) -> None:
    screenshot(page, name)
    assert_accessible(page)


def emailed_link(email: str) -> str:
    """Deliver the invitation as the worker would, and read the link from the e-mail."""
    invitation = Invitation.objects.get(email=email, accepted_at=None, revoked_at=None)
    mail.outbox.clear()
    services.invitation_email_send(invitation_id=invitation.pk)
    [message] = mail.outbox
    return re.search(r"https?://\S+/accounts/invitation/\S+", message.body)[0]


def test_invite_by_csv_accept_set_a_password_sign_in_then_deactivate(
    desk, phone, trust, live_server, settings, tmp_path
):
    settings.RIPPLE_BASE_URL = live_server.url
    admin_tab = desk.new_page()
    sign_in(admin_tab, trust["admin"].email)
    admin_tab.wait_for_url("**/organisation/members/")
    look(admin_tab, "signin-members-desk")

    admin_tab.get_by_role("link", name="Invitations").click()
    bad = tmp_path / "bad.csv"
    bad.write_text("email,name,unit,role\nnot-an-email,Sam,Ward 7 Elderly Care,surgeon\n")
    admin_tab.get_by_label("A CSV file of people").set_input_files(str(bad))
    admin_tab.get_by_role("button", name="Invite everyone in the file").click()
    admin_tab.get_by_text("Row 2: “surgeon” is not a role.").first.wait_for()
    look(admin_tab, "signin-invitations-bad-file-desk")
    assert not Invitation.objects.exists()

    good = tmp_path / "people.csv"
    good.write_text(
        "email,name,unit,role\nsam.new@trust.example,Sam New,Ward 7 Elderly Care,frontline\n"
    )
    admin_tab.get_by_label("A CSV file of people").set_input_files(str(good))
    admin_tab.get_by_role("button", name="Invite everyone in the file").click()
    admin_tab.get_by_text("Invitations are on their way to 1 person").wait_for()
    assert admin_tab.get_by_role("cell", name="Sam New sam.new@trust.example").is_visible()
    look(admin_tab, "signin-invitations-desk")

    link = emailed_link("sam.new@trust.example")
    assert link.startswith(live_server.url)
    person = phone.new_page()
    person.goto(link)
    person.get_by_role("heading", name="Join Test Trust on Ripple").wait_for()
    look(person, "signin-invitation-phone")
    person.get_by_label("Choose a password").fill(NEW_PASSWORD)
    person.get_by_label("Type the password again").fill(NEW_PASSWORD)
    person.get_by_role("button", name="Save the password and join").click()
    person.get_by_text("You have joined Test Trust").wait_for()
    sign_in(person, "sam.new@trust.example", NEW_PASSWORD)
    person.get_by_role("link", name="Your account").wait_for()
    assert person.url.rstrip("/") == live_server.url  # frontline staff land on My projects

    token = requests.post(
        f"{live_server.url}/api/v1/auth/token/",
        json={"email": "sam.new@trust.example", "password": NEW_PASSWORD},
        timeout=10,
    ).json()["token"]
    me = f"{live_server.url}/api/v1/me/"
    headers = {"Authorization": f"Token {token}"}
    assert requests.get(me, headers=headers, timeout=10).status_code == 200

    admin_tab.get_by_role("link", name="Members", exact=True).first.click()
    admin_tab.get_by_role("link", name="Sam New").click()
    look(admin_tab, "signin-member-desk")
    admin_tab.get_by_label("Why are they leaving Ripple?").fill("Left the trust")
    admin_tab.get_by_role("button", name="Deactivate Sam New").click()
    admin_tab.get_by_text("Sam New has been deactivated and signed out everywhere").wait_for()

    assert requests.get(me, headers=headers, timeout=10).status_code == 401
    person.reload()
    assert "/accounts/login/" in person.url
    admin_tab.get_by_role("link", name="Sign-in record").click()
    look(admin_tab, "signin-record-desk")


def test_single_sign_on_through_the_real_local_provider(
    phone, trust, live_server, oidc_provider, settings
):
    callback = f"{live_server.url}/accounts/sso/callback/"
    oidc_provider.register_client("ripple-browser", "browser-secret", callback)
    settings.RIPPLE_OIDC_ISSUER = oidc_provider.issuer
    settings.RIPPLE_OIDC_CLIENT_ID = "ripple-browser"
    settings.RIPPLE_OIDC_CLIENT_SECRET = "browser-secret"
    services.invitation_create(
        by=trust["admin"],
        organisation=trust["organisation"],
        email="invited.nurse@trust.example",
        role=Membership.Role.FRONTLINE,
        home_unit=trust["ward"],
    )
    page = phone.new_page()

    page.goto("/accounts/login/")
    look(page, "signin-sign-in-with-sso-phone")
    page.get_by_role("link", name="Sign in with your organisation account").click()
    page.get_by_label("Username").fill("invited")
    page.get_by_label("Password").fill("provider-password")
    page.get_by_role("button", name="Sign in to Test Trust").click()

    page.get_by_role("link", name="Your account").wait_for()
    user = User.objects.get(email="invited.nurse@trust.example")
    assert user.memberships.get().home_unit == trust["ward"]
    page.get_by_role("link", name="Your account").click()
    assert page.get_by_text("You sign in with your organisation account").is_visible()
    look(page, "signin-profile-sso-phone")


def test_every_other_new_page_is_accessible_and_pictured(desk, phone, trust, live_server):
    admin_tab = desk.new_page()
    sign_in(admin_tab, trust["admin"].email)
    for path, name in [
        ("/organisation/units/", "units"),
        (f"/organisation/units/{trust['ward'].pk}/", "unit"),
        ("/organisation/settings/", "settings"),
    ]:
        admin_tab.goto(path)
        look(admin_tab, f"signin-{name}-desk")

    page = phone.new_page()
    sign_in(page, trust["admin"].email)
    for path, name in [
        ("/organisation/members/", "members"),
        ("/organisation/invitations/", "invitations"),
        ("/organisation/units/", "units"),
        ("/organisation/sign-ins/", "record"),
        ("/accounts/profile/", "profile"),
        ("/accounts/password/change/", "password-change"),
        ("/notifications/preferences/", "preferences"),
    ]:
        page.goto(path)
        look(page, f"signin-{name}-phone")
    page.goto("/accounts/password/change/")
    page.get_by_label("Your current password").fill("wrong")
    page.get_by_role("button", name="Change the password").click()
    page.locator(".nhsuk-error-summary").wait_for()
    look(page, "signin-password-change-error-phone")

    stranger = phone.new_page()
    stranger.context.clear_cookies()
    stranger.goto("/accounts/password/reset/")
    look(stranger, "signin-password-reset-phone")
    stranger.get_by_label("Email address").fill("nobody@trust.example")
    stranger.get_by_role("button", name="Send me a link").click()
    stranger.get_by_role("heading", name="Check your email").wait_for()
    look(stranger, "signin-password-reset-sent-phone")
