"""Inviting people: one or a CSV file (all or nothing, bad rows named), the e-mail with its
one-time link that expires, resending, revoking, and taking an invitation up."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from backend import services
from backend.errors import ApplicationError
from backend.models import Invitation, Membership, User
from backend.navigation import home_url
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
NEW_PASSWORD = "a-long-new-password"


@pytest.fixture
def admin(member):
    return member(Role.ADMIN, email="admin@trust.example")


def sent_link(invitation: Invitation) -> str:
    """Run the e-mail task's service, as the worker would, and read the link it sent."""
    mail.outbox.clear()
    assert services.invitation_email_send(invitation_id=invitation.pk)
    [message] = mail.outbox
    return next(line for line in message.body.splitlines() if "/accounts/invitation/" in line)


def test_an_invitation_is_emailed_once_with_a_link_at_the_site_address(
    admin, organisation, ward, settings, django_capture_on_commit_callbacks
):
    settings.RIPPLE_BASE_URL = "https://ripple.trust.example"
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = services.invitation_create(
            by=admin,
            organisation=organisation,
            email=" Sam.New@Trust.example ",
            role=Role.FRONTLINE,
            full_name="Sam New",
            home_unit=ward,
        )
    assert len(callbacks) == 1  # the e-mail task, published after commit

    link = sent_link(invitation)

    assert link.startswith("https://ripple.trust.example/accounts/invitation/")
    assert mail.outbox[0].to == ["sam.new@trust.example"]
    # The worker running the task again sends nothing more.
    assert not services.invitation_email_send(invitation_id=invitation.pk)


def test_accepting_sets_the_password_joins_and_the_link_then_stops_working(
    admin, organisation, ward
):
    invitation = services.invitation_create(
        by=admin,
        organisation=organisation,
        email="sam@trust.example",
        role=Role.COACH,
        home_unit=ward,
    )
    path = sent_link(invitation).removeprefix("http://localhost:8000")
    client = Client()

    page = client.get(path).text
    assert "Join Demo Trust" in page
    assert '>Your role</dt><dd class="nhsuk-summary-list__value">Improvement coach<' in page
    assert '>Where you work</dt><dd class="nhsuk-summary-list__value">Ward 7<' in page
    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user = User.objects.get(email="sam@trust.example")
    assert user.check_password(NEW_PASSWORD)
    assert user.memberships.get().role == Role.COACH
    assert client.get(path).status_code == 410
    assert client.post("/accounts/login/", {"email": user.email, "password": NEW_PASSWORD})[
        "Location"
    ] == home_url(user)


def test_a_weak_or_mismatched_password_is_refused_beside_the_field(admin, organisation):
    invitation = services.invitation_create(
        by=admin, organisation=organisation, email="sam@trust.example", role=Role.FRONTLINE
    )
    path = sent_link(invitation).removeprefix("http://localhost:8000")

    weak = Client().post(path, {"password1": "12345678", "password2": "12345678"})
    mismatched = Client().post(path, {"password1": NEW_PASSWORD, "password2": "other-one!"})

    assert weak.status_code == 400 and "too common" in weak.text
    assert mismatched.status_code == 400 and "not the same" in mismatched.text
    assert not User.objects.filter(email="sam@trust.example").exists()


def test_a_link_expires(admin, organisation):
    invitation = services.invitation_create(
        by=admin, organisation=organisation, email="sam@trust.example", role=Role.FRONTLINE
    )
    path = sent_link(invitation).removeprefix("http://localhost:8000")

    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = Client().get(path)

    assert response.status_code == 410
    assert "expired or has already been used" in response.text


def test_a_resend_kills_the_old_link_and_a_revoke_kills_the_new_one(admin, organisation):
    invitation = services.invitation_create(
        by=admin, organisation=organisation, email="sam@trust.example", role=Role.FRONTLINE
    )
    old = sent_link(invitation).removeprefix("http://localhost:8000")

    invitation = services.invitation_resend(by=admin, invitation=invitation)
    new = sent_link(invitation).removeprefix("http://localhost:8000")

    assert Client().get(old).status_code == 410
    assert Client().get(new).status_code == 200
    services.invitation_revoke(by=admin, invitation=invitation)
    assert Client().get(new).status_code == 410


def test_a_forged_link_is_refused():
    assert Client().get("/accounts/invitation/WzEsMV0:1abc:forged/").status_code == 410


def test_someone_with_a_password_already_joins_with_it(admin, organisation, other_organisation):
    existing = UserFactory(email="sam@trust.example")
    Membership.objects.create(user=existing, organisation=other_organisation, role=Role.COACH)
    invitation = services.invitation_create(
        by=admin, organisation=organisation, email="sam@trust.example", role=Role.FRONTLINE
    )
    path = sent_link(invitation).removeprefix("http://localhost:8000")

    assert Client().post(path, {}).status_code == 302

    assert set(existing.memberships.values_list("organisation_id", flat=True)) == {
        organisation.pk,
        other_organisation.pk,
    }
    assert existing.check_password("correct-horse-battery")


def test_only_an_administrator_invites(member, organisation):
    with pytest.raises(ApplicationError) as refused:
        services.invitation_create(
            by=member(Role.QI_TEAM),
            organisation=organisation,
            email="x@trust.example",
            role=Role.FRONTLINE,
        )
    assert refused.value.status_code == 403


def test_a_member_or_someone_invited_already_is_not_invited_again(admin, organisation):
    services.invitation_create(
        by=admin, organisation=organisation, email="sam@trust.example", role=Role.FRONTLINE
    )
    with pytest.raises(ApplicationError, match="invited already"):
        services.invitation_create(
            by=admin, organisation=organisation, email="SAM@trust.example", role=Role.COACH
        )
    with pytest.raises(ApplicationError, match="already belongs"):
        services.invitation_create(
            by=admin, organisation=organisation, email=admin.email, role=Role.COACH
        )


def test_an_address_with_a_letter_only_python_lower_cases_is_invited_once(admin, organisation):
    # The Kelvin sign passes for a "K" and is stored as "k", which PostgreSQL's UPPER does
    # not match back to it: the repeat is found by the address as stored.
    kelvin = "\u212aate@trust.example"
    services.invitation_create(by=admin, organisation=organisation, email=kelvin, role=Role.COACH)

    with pytest.raises(ApplicationError, match="invited already"):
        services.invitation_create(
            by=admin, organisation=organisation, email=kelvin, role=Role.COACH
        )
    assert Invitation.objects.get().email == "kate@trust.example"


CSV_GOOD = """email,name,unit,role
nurse.one@trust.example,Nurse One,Ward 7,frontline
coach.two@trust.example,Coach Two,,Improvement coach
"""


def test_a_csv_file_invites_everyone_in_it(admin, organisation, ward):
    invitations = services.invitations_import(by=admin, organisation=organisation, text=CSV_GOOD)

    assert [(i.email, i.role, i.home_unit) for i in invitations] == [
        ("nurse.one@trust.example", Role.FRONTLINE, ward),
        ("coach.two@trust.example", Role.COACH, None),
    ]


def test_a_csv_file_with_bad_rows_invites_nobody_and_names_every_bad_row(admin, organisation, ward):
    UnitFactory(organisation=organisation, name="Ward 9")
    text = (
        "email,name,unit,role\n"
        "good@trust.example,Good,Ward 7,frontline\n"
        "not-an-email,Bad,Ward 7,frontline\n"
        "nowhere@trust.example,Lost,Ward 99,frontline\n"
        "good@trust.example,Twice,Ward 9,coach\n"
        "odd@trust.example,Odd,Ward 9,surgeon\n"
    )

    with pytest.raises(ApplicationError) as refused:
        services.invitations_import(by=admin, organisation=organisation, text=text)

    messages = [error["message"] for error in refused.value.extra["errors"]]
    assert messages == [
        "Row 3: enter an e-mail address like name@trust.nhs.uk.",
        "Row 4: there is no unit called “Ward 99”.",
        "Row 5: good@trust.example is in the file twice.",
        "Row 6: “surgeon” is not a role.",
    ]
    assert "4 rows cannot be invited" in refused.value.message
    assert not Invitation.objects.exists()


def test_a_csv_file_without_the_columns_is_refused(admin, organisation):
    with pytest.raises(ApplicationError, match="missing: unit, role"):
        services.invitations_import(
            by=admin, organisation=organisation, text="email,name\na@trust.example,A\n"
        )


def test_the_invitations_page_invites_from_a_file_and_lists_who_is_waiting(
    admin, organisation, ward
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(admin)
    upload = SimpleUploadedFile("people.csv", CSV_GOOD.encode(), content_type="text/csv")

    response = client.post("/organisation/invitations/file/", {"file": upload})

    assert response.status_code == 302
    page = client.get(response["Location"]).text
    assert "Invitations are on their way to 2 people" in page
    assert "nurse.one@trust.example" in page and "coach.two@trust.example" in page


def test_the_invitations_page_shows_bad_rows_and_saves_nothing(admin, organisation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(admin)
    bad = "email,name,unit,role\nnope,No,,frontline\n"

    response = client.post(
        "/organisation/invitations/file/",
        {"file": SimpleUploadedFile("people.csv", bad.encode(), content_type="text/csv")},
    )

    assert response.status_code == 400
    assert "Row 2: enter an e-mail address" in response.text
    assert not Invitation.objects.exists()


def test_the_sweep_sends_an_invitation_whose_task_was_lost_and_only_once(admin, organisation):
    # Created inside the test's transaction: its on-commit task never runs, as if the
    # broker had been down when it was published.
    lost = services.invitation_create(
        by=admin, organisation=organisation, email="lost@trust.example", role=Role.FRONTLINE
    )
    revoked = services.invitation_create(
        by=admin, organisation=organisation, email="gone@trust.example", role=Role.FRONTLINE
    )
    services.invitation_revoke(by=admin, invitation=revoked)
    mail.outbox.clear()

    assert services.invitations_unsent_send() == 1
    assert services.invitations_unsent_send() == 0

    [message] = mail.outbox
    assert message.to == ["lost@trust.example"]
    lost.refresh_from_db()
    assert lost.sent_at is not None
