"""/api/v1/aims/: the few bold aims, their cascade, and who may set them."""

import pytest

from backend.models import Membership
from projects.models import StrategicAim
from tests.factories import ProjectFactory, StrategicAimFactory, UnitFactory

Role = Membership.Role


def _aim(client, **body):
    return client.post(
        "/api/v1/aims/",
        {"title": "Zero avoidable falls", "quality_dimensions": ["safe"], **body},
        format="json",
    )


@pytest.mark.parametrize("role", [Role.LEADER, Role.QI_TEAM, Role.ADMIN])
def test_leaders_the_qi_team_and_admins_set_aims(api, member, role):
    user = member(role)

    response = _aim(api(user), owner=user.pk, starts_on="2025-04-01", ends_on="2030-03-31")

    assert response.status_code == 201, response.json()
    assert response.json()["can_edit"] is True
    assert StrategicAim.objects.get().history.first().history_user == user


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.COACH, Role.LIVED_EXPERIENCE_PARTNER])
def test_other_roles_read_aims_but_cannot_set_them(api, member, organisation, role):
    aim = StrategicAimFactory(organisation=organisation)
    client = api(member(role))

    assert client.get(f"/api/v1/aims/{aim.pk}/").json()["can_edit"] is False
    assert _aim(client).status_code == 403
    assert client.patch(f"/api/v1/aims/{aim.pk}/", {"title": "x"}).status_code == 403


def test_another_organisation_gets_404_for_an_aim(api, member, organisation, other_organisation):
    aim = StrategicAimFactory(organisation=organisation)
    client = api(member(Role.ADMIN, org=other_organisation))

    assert client.get(f"/api/v1/aims/{aim.pk}/").status_code == 404
    assert client.patch(f"/api/v1/aims/{aim.pk}/", {"title": "x"}).status_code == 404
    assert client.get(f"/api/v1/aims/{aim.pk}/history/").status_code == 404
    parent = _aim(client, parent=aim.pk)
    assert parent.status_code == 400
    assert parent.json()["errors"][0]["field"] == "parent"


def test_aims_cascade_from_organisation_to_division_to_ward(api, member, organisation, ward):
    division = UnitFactory(organisation=organisation, name="Medicine", level="division")
    client = api(member(Role.QI_TEAM))
    top = _aim(client).json()
    middle = _aim(client, title="Medicine: halve falls", parent=top["id"], unit=division.pk).json()
    _aim(client, title="Ward 7: falls huddle", parent=middle["id"], unit=ward.pk)

    tree = client.get("/api/v1/aims/tree/").json()
    within = client.get(f"/api/v1/aims/?within_aim={middle['id']}").json()["results"]

    assert [node["title"] for node in tree] == ["Zero avoidable falls"]
    assert tree[0]["children"][0]["title"] == "Medicine: halve falls"
    assert tree[0]["children"][0]["children"][0]["unit"]["name"] == ward.name
    assert client.get(f"/api/v1/aims/{top['id']}/").json()["children"] == [middle["id"]]
    assert {aim["title"] for aim in within} == {"Medicine: halve falls", "Ward 7: falls huddle"}


def test_an_aim_cannot_sit_beneath_its_own_child(api, member, organisation):
    top = StrategicAimFactory(organisation=organisation)
    child = StrategicAimFactory(organisation=organisation, parent=top)

    response = api(member(Role.LEADER)).patch(
        f"/api/v1/aims/{top.pk}/", {"parent": child.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "parent"


def test_an_aim_must_end_after_it_starts(api, member):
    response = _aim(api(member(Role.LEADER)), starts_on="2030-01-01", ends_on="2025-01-01")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ends_on"


def test_an_unknown_quality_dimension_is_named(api, member):
    response = _aim(api(member(Role.LEADER)), quality_dimensions=["cheap"])

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "quality_dimensions[0]"


def test_aim_statement_with_an_nhs_number_is_refused(api, member):
    response = _aim(api(member(Role.LEADER)), statement="Like NHS no. 943 476 5919.")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "statement"


def test_aim_history_shows_who_changed_the_goal(api, member, organisation):
    aim = StrategicAimFactory(organisation=organisation, goal_target=10)
    leader = member(Role.LEADER, full_name="Helen Carter")
    client = api(leader)
    etag = client.get(f"/api/v1/aims/{aim.pk}/")["ETag"]

    assert (
        client.patch(f"/api/v1/aims/{aim.pk}/", {"goal_target": 5}, HTTP_IF_MATCH=etag).status_code
        == 200
    )
    history = client.get(f"/api/v1/aims/{aim.pk}/history/").json()["results"]

    assert history[0]["who"]["name"] == "Helen Carter"
    assert {"field": "goal_target", "old": 10.0, "new": 5.0} in history[0]["changes"]


def test_aim_list_query_count_does_not_grow_with_rows(
    api, member, organisation, ward, django_assert_max_num_queries
):
    client = api(member())
    top = StrategicAimFactory(organisation=organisation)
    with django_assert_max_num_queries(5) as one:
        client.get("/api/v1/aims/")
    for _ in range(49):
        aim = StrategicAimFactory(organisation=organisation, parent=top, owner=member())
        ProjectFactory(organisation=organisation, unit=ward).aims.set([aim])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/aims/?page_size=100").json()["results"]) == 50
