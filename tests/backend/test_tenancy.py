import pytest

from backend.models import Membership, Unit
from tests.factories import OrganisationFactory, UnitFactory


def test_a_coach_from_another_trust_gets_404_for_a_demo_trust_unit(
    api, member, ward, other_organisation
):
    outsider = member(Membership.Role.COACH, org=other_organisation)

    response = api(outsider).get(f"/api/v1/units/{ward.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unit_list_shows_only_the_users_organisations(api, member, ward, other_organisation):
    UnitFactory(organisation=other_organisation, name="Elsewhere")
    nurse = member()

    names = [u["name"] for u in api(nurse).get("/api/v1/units/").json()["results"]]

    assert names == [ward.name]


def test_a_frontline_user_cannot_create_units(api, member, organisation):
    nurse = member(Membership.Role.FRONTLINE)

    response = api(nurse).post(
        "/api/v1/units/", {"organisation": organisation.pk, "name": "Ward 99", "kind": "ward"}
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Unit.objects.filter(name="Ward 99").exists()


@pytest.mark.parametrize("role", [Membership.Role.ADMIN, Membership.Role.QI_TEAM])
def test_admins_and_the_qi_team_create_units(api, member, organisation, ward, role):
    user = member(role)

    response = api(user).post(
        "/api/v1/units/",
        {
            "organisation": organisation.pk,
            "parent": ward.pk,
            "name": "Bay A",
            "kind": "ward",
            "tags": ["dementia-friendly"],
        },
    )

    assert response.status_code == 201, response.json()
    assert Unit.objects.get(name="Bay A").parent == ward


def test_creating_a_unit_in_another_organisation_says_it_does_not_exist(
    api, member, other_organisation
):
    admin = member(Membership.Role.ADMIN)

    response = api(admin).post(
        "/api/v1/units/", {"organisation": other_organisation.pk, "name": "Sneaky"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organisation"


def test_a_unit_cannot_be_moved_beneath_its_own_child(api, member, ward):
    child = UnitFactory(organisation=ward.organisation, parent=ward, name="Bay B")
    admin = member(Membership.Role.ADMIN)

    response = api(admin).patch(f"/api/v1/units/{ward.pk}/", {"parent": child.pk})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"


def test_a_user_in_two_organisations_sees_both(api, member, ward, other_organisation):
    nurse = member()
    Membership.objects.create(user=nurse, organisation=other_organisation, role="coach")
    UnitFactory(organisation=other_organisation, name="Ward A")

    body = api(nurse).get("/api/v1/me/").json()
    units = api(nurse).get("/api/v1/units/").json()["results"]

    assert {m["role"] for m in body["memberships"]} == {"frontline", "coach"}
    assert {u["name"] for u in units} == {ward.name, "Ward A"}


def test_only_admins_manage_memberships(api, member, organisation):
    qi = member(Membership.Role.QI_TEAM)
    admin = member(Membership.Role.ADMIN)
    body = {
        "organisation": organisation.pk,
        "email": "new@example.org",
        "role": "coach",
        "caseload_capacity": 6,
    }

    assert api(qi).post("/api/v1/memberships/", body).status_code == 403
    response = api(admin).post("/api/v1/memberships/", body)

    assert response.status_code == 201, response.json()
    assert response.json()["user"]["email"] == "new@example.org"


def test_a_member_added_by_an_address_with_any_letters_is_one_account(api, member, organisation):
    # "İ" lower-cases in Python to "i" and a combining dot, which PostgreSQL's UPPER does
    # not match back: looking the account up case-insensitively missed it.
    admin = member(Membership.Role.ADMIN)
    elsewhere = OrganisationFactory()
    other = member(Membership.Role.ADMIN, org=elsewhere)
    body = {"email": "İlker@example.org", "role": "coach"}

    first = api(admin).post("/api/v1/memberships/", {**body, "organisation": organisation.pk})
    second = api(other).post("/api/v1/memberships/", {**body, "organisation": elsewhere.pk})

    assert first.status_code == second.status_code == 201, second.json()
    assert first.json()["user"]["id"] == second.json()["user"]["id"]


def test_the_last_administrator_cannot_be_demoted(api, member):
    admin = member(Membership.Role.ADMIN)
    membership = admin.memberships.get()

    response = api(admin).patch(f"/api/v1/memberships/{membership.pk}/", {"role": "coach"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "role"


def test_unit_list_query_count_does_not_grow_with_rows(
    api, member, organisation, django_assert_max_num_queries
):
    nurse = member()
    client = api(nurse)
    with django_assert_max_num_queries(4):
        client.get("/api/v1/units/")
    UnitFactory.create_batch(50, organisation=organisation)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/units/?page_size=100").json()["results"]) == 51
