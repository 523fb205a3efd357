"""The organisation administrator's pages: only for its administrators, scoped to their
organisation, with who and why kept for every change; and everyone's own account pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from backend.models import AllowedDomain, Membership, Unit
from tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
PAGES = [
    "/organisation/members/",
    "/organisation/invitations/",
    "/organisation/units/",
    "/organisation/settings/",
    "/organisation/sign-ins/",
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(member):
    return member(Role.ADMIN, email="admin@trust.example", full_name="Chris Admin")


def test_an_administrator_opens_every_page(admin):
    client = signed_in(admin)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Demo Trust" in response.text


@pytest.mark.parametrize("role", [Role.QI_TEAM, Role.COACH, Role.FRONTLINE, Role.LEADER])
def test_other_roles_are_told_who_can(member, role):
    client = signed_in(member(role))
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 403, page
        assert "Ripple administrators can manage its people" in response.text


def test_a_platform_superuser_is_no_organisation_administrator(db):
    client = signed_in(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/organisation/members/").status_code == 403


def test_another_organisations_admin_reads_nothing_of_this_one(
    member, admin, organisation, other_organisation, ward
):
    nurse = member(email="nurse@trust.example")
    stranger = UserFactory()
    MembershipFactory(user=stranger, organisation=other_organisation, role=Role.ADMIN)
    client = signed_in(stranger)
    membership = nurse.memberships.get()

    assert "nurse@trust.example" not in client.get("/organisation/members/").text
    assert client.get(f"/organisation/members/{membership.pk}/").status_code == 404
    assert (
        client.get(
            f"/organisation/members/{membership.pk}/?organisation={organisation.pk}"
        ).status_code
        == 403
    )
    assert client.get(f"/organisation/units/{ward.pk}/").status_code == 404
    deactivate = client.post(
        f"/organisation/members/{membership.pk}/deactivate/", {"deactivate-reason": "mischief"}
    )
    assert deactivate.status_code == 404
    nurse.refresh_from_db()
    assert nurse.is_active


def test_the_members_list_costs_the_same_for_ten_people_or_forty(
    admin, organisation, ward, django_assert_max_num_queries
):
    client = signed_in(admin)
    for _ in range(9):
        MembershipFactory(organisation=organisation, home_unit=ward)
    with django_assert_max_num_queries(12) as ten:
        client.get("/organisation/members/")
    for _ in range(30):
        MembershipFactory(organisation=organisation, home_unit=ward)
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert client.get("/organisation/members/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/organisation/sign-ins/").status_code == 200


def test_changing_a_member_keeps_who_and_why(admin, member, ward):
    coach = member(Role.FRONTLINE, email="coach@trust.example")
    membership = coach.memberships.get()

    response = signed_in(admin).post(
        f"/organisation/members/{membership.pk}/",
        {
            "role": Role.COACH,
            "home_unit": str(ward.pk),
            "caseload_capacity": "6",
            "reason": "Finished the coaching course",
        },
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.caseload_capacity) == (Role.COACH, 6)
    change = membership.history.first()
    assert (change.history_user, change.history_change_reason) == (
        admin,
        "Finished the coaching course",
    )
    page = signed_in(admin).get(f"/organisation/members/{membership.pk}/").text
    assert "Finished the coaching course" in page and "Chris Admin" in page


def test_deactivating_needs_a_reason(admin, member):
    nurse = member(email="nurse@trust.example")
    response = signed_in(admin).post(
        f"/organisation/members/{nurse.memberships.get().pk}/deactivate/", {"deactivate-reason": ""}
    )
    assert response.status_code == 400 and "Say why" in response.text


def test_units_are_added_moved_renamed_and_retired(admin, organisation, ward):
    client = signed_in(admin)
    client.post(
        "/organisation/units/",
        {"name": "Elderly Care", "parent": "", "level": "directorate", "kind": "other"},
    )
    directorate = Unit.objects.get(name="Elderly Care")

    moved = client.post(
        f"/organisation/units/{ward.pk}/",
        {
            "name": "Ward 7 Frailty",
            "parent": str(directorate.pk),
            "level": "unit",
            "kind": "ward",
            "reason": "Ward reconfiguration",
        },
    )
    assert moved.status_code == 302
    ward.refresh_from_db()
    assert (ward.name, ward.parent) == ("Ward 7 Frailty", directorate)

    refused = client.post(
        f"/organisation/units/{directorate.pk}/retire/", {"retire-reason": "Merged"}
    )
    assert refused.status_code == 400 and "Move or retire the units inside it first" in refused.text
    retired = client.post(f"/organisation/units/{ward.pk}/retire/", {"retire-reason": "Closed"})
    assert retired.status_code == 302
    ward.refresh_from_db()
    assert not ward.is_active
    assert ward.history.first().history_change_reason == "Closed"
    page = client.get("/organisation/units/").text
    tree = page[page.index('class="nhsuk-list ripple-units"') :]
    assert tree.index("Elderly Care") < tree.index("Ward 7 Frailty")


def test_the_units_tree_is_indented_and_says_what_each_place_is(admin, organisation):
    division = UnitFactory(organisation=organisation, name="Corporate", level="division")
    UnitFactory(organisation=organisation, parent=division, name="HR", kind="hr")
    UnitFactory(organisation=organisation, parent=division, name="Ward 9", kind="ward")
    page = signed_in(admin).get("/organisation/units/").text

    depths = set(re.findall(r"ripple-units__item--(\d+)", page))
    assert {"0", "1"} <= depths
    stylesheet = (settings.BASE_DIR / "backend/static/ripple/ripple.css").read_text()
    # The stylesheet is purged of unused rules: the indents, named by number, must stay.
    for depth in depths - {"0"}:
        assert f".ripple-units__item--{depth}{{padding-left:" in stylesheet
    assert re.search(r">HR</a> <span[^>]*>Support service</span>", page)
    assert re.search(r">Ward 9</a> <span[^>]*>Ward</span>", page)
    assert re.search(r">Corporate</a> <span[^>]*>Division</span>", page)


def test_a_unit_cannot_move_beneath_itself(admin, organisation, ward):
    child = UnitFactory(organisation=organisation, parent=ward, name="Bay A")
    response = signed_in(admin).post(
        f"/organisation/units/{ward.pk}/",
        {"name": ward.name, "parent": str(child.pk), "level": "unit", "kind": "ward"},
    )
    assert response.status_code == 400 and "cannot sit beneath itself" in response.text


def test_allowed_domains_are_added_and_removed_and_shared_ones_refused(admin, organisation):
    client = signed_in(admin)

    assert (
        client.post("/organisation/settings/domains/", {"domain": "@Trust.NHS.uk"}).status_code
        == 302
    )
    shared = client.post("/organisation/settings/domains/", {"domain": "nhs.net"})
    assert shared.status_code == 400 and "Anyone can have an address at nhs.net" in shared.text
    allowed = AllowedDomain.objects.get()
    assert allowed.domain == "trust.nhs.uk"

    client.post(f"/organisation/settings/domains/{allowed.pk}/remove/")
    assert not AllowedDomain.objects.exists()


def test_the_starting_unit_is_chosen_on_the_settings_page(admin, organisation, ward):
    response = signed_in(admin).post(
        "/organisation/settings/",
        {
            "password_sign_in": "yes",
            "projects_need_approval": "no",
            "default_unit": str(ward.pk),
            "reason": "New starters",
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.default_unit == ward


def test_the_navigation_offers_members_to_administrators_only(admin, member):
    assert "/organisation/members/" in signed_in(admin).get("/accounts/profile/").text
    assert "/organisation/members/" not in signed_in(member()).get("/accounts/profile/").text


def test_a_person_changes_their_name_and_where_they_work(member, organisation, ward):
    nurse = member(email="nurse@trust.example")
    other_ward = UnitFactory(organisation=organisation, name="Ward 8")
    membership = nurse.memberships.get()

    response = signed_in(nurse).post(
        "/accounts/profile/",
        {"full_name": "Priya Shah", f"home_unit_{membership.pk}": str(other_ward.pk)},
    )

    assert response.status_code == 302
    nurse.refresh_from_db()
    membership.refresh_from_db()
    assert (nurse.full_name, membership.home_unit) == ("Priya Shah", other_ward)


def test_notification_preferences_are_chosen_on_a_page(member):
    from notifications.models import Kind, Preference

    nurse = member()
    response = signed_in(nurse).post(
        "/notifications/preferences/",
        {
            "nudges": [Kind.OVERDUE, Kind.DIGEST],
            "celebrations": [Kind.SIGNAL],
            "email": "no",
            "digest_weekday": "4",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "07:00",
        },
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=nurse)
    assert not preference.email and preference.digest_weekday == 4
    assert Kind.STALLED in preference.muted_kinds and Kind.OVERDUE not in preference.muted_kinds
    half = signed_in(nurse).post(
        "/notifications/preferences/",
        {"email": "yes", "digest_weekday": "0", "quiet_hours_start": "21:00"},
    )
    assert half.status_code == 400 and "both the start and the end" in half.text
