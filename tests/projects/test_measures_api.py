"""The measure library and measures: who writes them, revisions, and their history."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from backend.models import Membership
from projects.models import Measure, ProjectMember
from tests.factories import (
    DataPointFactory,
    MeasureDefinitionFactory,
    MeasureFactory,
    ProjectFactory,
    StrategicAimFactory,
)

Role = Membership.Role
Team = ProjectMember.Role


@pytest.mark.parametrize("role", [Role.QI_TEAM, Role.ADMIN])
def test_the_qi_team_and_admins_keep_the_measure_library(api, member, organisation, role):
    response = api(member(role)).post(
        "/api/v1/measure-definitions/",
        {
            "organisation": organisation.pk,
            "name": "Inpatient falls per 1,000 bed days",
            "unit": "per 1,000 bed days",
            "improvement_direction": "decrease",
            "chart_type": "u",
            "quality_dimensions": ["safe"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "role", [Role.FRONTLINE, Role.COACH, Role.LEADER, Role.LIVED_EXPERIENCE_PARTNER]
)
def test_other_roles_read_the_library_but_cannot_change_it(api, member, organisation, role):
    definition = MeasureDefinitionFactory(organisation=organisation)
    client = api(member(role))

    assert client.get(f"/api/v1/measure-definitions/{definition.pk}/").status_code == 200
    response = client.post(
        "/api/v1/measure-definitions/", {"organisation": organisation.pk, "name": "Mine"}
    )
    assert response.status_code == 403


def test_a_library_name_is_used_once(api, member, organisation):
    MeasureDefinitionFactory(organisation=organisation, name="Pressure ulcers")

    response = api(member(Role.QI_TEAM)).post(
        "/api/v1/measure-definitions/", {"organisation": organisation.pk, "name": "pressure ulcers"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"


def test_a_measure_from_the_library_takes_its_wording_and_chart(
    api, project, on_team, organisation
):
    definition = MeasureDefinitionFactory(
        organisation=organisation,
        name="Falls risk assessment within 24 hours",
        unit="% of admissions",
        improvement_direction="increase",
        chart_type="p",
        frequency="weekly",
    )

    response = api(on_team(Team.MEMBER)).post(
        "/api/v1/measures/",
        {"project": project.pk, "definition": definition.pk, "type": "process", "target": 0.95},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["chart_type"], body["frequency"]) == (
        "Falls risk assessment within 24 hours",
        "p",
        "weekly",
    )
    assert body["improvement_direction"] == "increase"
    assert body["organisation"] == organisation.pk


def test_a_measure_belongs_to_a_project_or_an_aim(api, member, project, organisation):
    aim = StrategicAimFactory(organisation=organisation)
    client = api(member(Role.QI_TEAM))

    both = client.post("/api/v1/measures/", {"project": project.pk, "aim": aim.pk, "name": "x"})
    neither = client.post("/api/v1/measures/", {"name": "x"})

    assert both.status_code == neither.status_code == 400
    assert both.json()["errors"][0]["field"] == "project"


def test_aim_measures_are_written_by_leadership_roles(api, member, organisation):
    aim = StrategicAimFactory(organisation=organisation)
    body = {"aim": aim.pk, "name": "Falls with harm", "chart_type": "c"}

    assert api(member(Role.FRONTLINE)).post("/api/v1/measures/", body).status_code == 403
    assert api(member(Role.COACH)).post("/api/v1/measures/", body).status_code == 403
    assert api(member(Role.LEADER)).post("/api/v1/measures/", body).status_code == 201


def test_project_measures_are_written_by_the_projects_editors(api, member, project, on_team):
    body = {"project": project.pk, "name": "Falls", "chart_type": "xmr"}

    assert api(member(Role.FRONTLINE)).post("/api/v1/measures/", body).status_code == 403
    assert api(member(Role.LEADER)).post("/api/v1/measures/", body).status_code == 403
    assert api(on_team(Team.COACH, Role.COACH)).post("/api/v1/measures/", body).status_code == 201
    assert api(member(Role.QI_TEAM)).post("/api/v1/measures/", body).status_code == 201


def test_another_organisation_gets_404_for_a_measure_and_everything_under_it(
    api, member, measure_with_data, other_organisation
):
    client = api(member(Role.ADMIN, org=other_organisation))
    base = f"/api/v1/measures/{measure_with_data.pk}"

    for url in ("/", "/data/", "/chart/", "/history/", "/rebases/", "/data/history/"):
        assert client.get(base + url).status_code == 404, url
    assert client.get(base + "/data.csv").status_code == 404
    assert client.get(base + "/chart.svg").status_code == 404
    assert (
        client.post(
            base + "/data/", [{"period": "2024-01-01", "value": 1}], format="json"
        ).status_code
        == 404
    )
    assert client.patch(base + "/", {"target": 1}).status_code == 404


def test_changing_the_target_bumps_the_revision_but_renaming_does_not(
    api, measure_with_data, on_team
):
    client = api(on_team(Team.LEAD))
    url = f"/api/v1/measures/{measure_with_data.pk}/"
    before = client.get(url).json()["revision"]

    renamed = client.patch(url, {"name": "Falls (all)"}).json()
    retargeted = client.patch(url, {"target": 4}).json()
    redirected = client.patch(url, {"improvement_direction": "increase"}).json()

    assert renamed["revision"] == before
    assert retargeted["revision"] > before
    assert redirected["revision"] > retargeted["revision"]


def test_a_chart_type_the_data_cannot_fill_is_refused(api, measure_with_data, on_team):
    response = api(on_team(Team.LEAD)).patch(
        f"/api/v1/measures/{measure_with_data.pk}/", {"chart_type": "p"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "chart_type"
    assert "24 point(s)" in response.json()["message"]


def test_a_baseline_fixed_after_fewer_than_12_points_is_refused(api, measure_with_data, on_team):
    response = api(on_team(Team.LEAD)).patch(
        f"/api/v1/measures/{measure_with_data.pk}/", {"fix_after_n_points": 6}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "fix_after_n_points"


def test_measure_history_shows_who_changed_its_target_with_token_auth(
    project, on_team, measure_with_data
):
    lead = on_team(Team.LEAD)
    lead.full_name = "Priya Shah"
    lead.save()
    _, token = AuthToken.objects.create(user=lead)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = f"/api/v1/measures/{measure_with_data.pk}/"

    assert client.patch(url, {"target": 3.5}, format="json").status_code == 200
    history = client.get(url + "history/").json()["results"]

    latest = history[0]
    assert latest["type"] == "changed"
    assert latest["who"] == {"id": lead.pk, "email": lead.email, "name": "Priya Shah"}
    assert latest["changes"] == [{"field": "target", "old": 5.0, "new": 3.5}]


def test_a_measure_with_data_cannot_be_deleted(api, measure_with_data, on_team):
    response = api(on_team(Team.LEAD)).delete(f"/api/v1/measures/{measure_with_data.pk}/")

    assert response.status_code == 400
    assert Measure.objects.filter(pk=measure_with_data.pk).exists()


def test_measure_list_query_count_does_not_grow_with_rows(
    api, member, organisation, ward, django_assert_max_num_queries
):
    client = api(member())

    def make_measure():
        project = ProjectFactory(organisation=organisation, unit=ward)
        measure = MeasureFactory(project=project)
        DataPointFactory.create_batch(3, measure=measure)

    make_measure()
    with django_assert_max_num_queries(5) as one:
        client.get("/api/v1/measures/")
    for _ in range(49):
        make_measure()
    with django_assert_max_num_queries(len(one.captured_queries)):
        results = client.get("/api/v1/measures/?page_size=100").json()["results"]
    assert len(results) == 50
    assert results[0]["data_point_count"] == 3


def test_a_measure_updates_with_its_etag_and_refuses_a_stale_one(api, on_team, measure_with_data):
    client = api(on_team(Team.LEAD))
    url = f"/api/v1/measures/{measure_with_data.pk}/"
    etag = client.get(url)["ETag"]

    fresh = client.patch(url, {"target": 4.5}, HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"target": 9}, HTTP_IF_MATCH=etag)

    assert fresh.status_code == 200, fresh.json()
    assert stale.status_code == 412
    assert Measure.objects.get(pk=measure_with_data.pk).target == 4.5
