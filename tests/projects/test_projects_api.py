"""/api/v1/projects/: who may register, read and edit projects, filters, lifecycle."""

import pytest

from backend.models import Membership
from projects.models import Project, ProjectMember
from tests.factories import (
    ProjectFactory,
    ProjectMemberFactory,
    StrategicAimFactory,
    UnitFactory,
)

Role = Membership.Role
Team = ProjectMember.Role
NHS_NOTE = "Patient NHS no. 943 476 5919 fell twice."


def _register(client, ward, **extra):
    body = {"unit": ward.pk, "title": "Falls huddle at handover", **extra}
    return client.post("/api/v1/projects/", body, format="json")


@pytest.mark.parametrize(
    "role",
    [Role.FRONTLINE, Role.COACH, Role.QI_TEAM, Role.ADMIN, Role.LIVED_EXPERIENCE_PARTNER],
)
def test_every_role_but_leader_registers_a_project_and_becomes_its_lead(api, member, ward, role):
    user = member(role)

    response = _register(api(user), ward)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "proposed"
    assert [(m["user"]["id"], m["role"]) for m in body["team"]] == [(user.pk, "lead")]
    assert body["can_edit"] is True


def test_a_leader_reads_projects_but_cannot_register_one(api, member, ward, project):
    leader = member(Role.LEADER)

    assert api(leader).get(f"/api/v1/projects/{project.pk}/").status_code == 200
    response = _register(api(leader), ward)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "Leaders read and sponsor projects" in response.json()["message"]


def test_a_project_with_an_nhs_number_in_its_problem_is_refused(api, member, ward):
    response = _register(api(member()), ward, problem=NHS_NOTE)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "problem"
    assert response.json()["errors"][0]["code"] == "nhs_number"
    assert not Project.objects.exists()


def test_a_project_with_an_nhs_number_in_its_background_is_refused_on_edit(api, project, on_team):
    lead = on_team(Team.LEAD)

    response = api(lead).patch(f"/api/v1/projects/{project.pk}/", {"background": NHS_NOTE})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "background"


@pytest.mark.parametrize(
    ("team_role", "org_role"),
    [
        (Team.LEAD, Role.FRONTLINE),
        (Team.MEMBER, Role.FRONTLINE),
        (Team.COACH, Role.COACH),
        (Team.SPONSOR, Role.LEADER),
        (Team.LIVED_EXPERIENCE_PARTNER, Role.LIVED_EXPERIENCE_PARTNER),
    ],
)
def test_anyone_on_the_team_edits_the_project(api, project, on_team, team_role, org_role):
    user = on_team(team_role, org_role)

    response = api(user).patch(f"/api/v1/projects/{project.pk}/", {"aim_what": "Fewer falls"})

    assert response.status_code == 200, response.json()
    assert response.json()["aim_what"] == "Fewer falls"


@pytest.mark.parametrize("role", [Role.QI_TEAM, Role.ADMIN])
def test_the_qi_team_and_admins_edit_any_project_of_their_organisation(api, member, project, role):
    response = api(member(role)).patch(f"/api/v1/projects/{project.pk}/", {"title": "Renamed"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "role", [Role.FRONTLINE, Role.COACH, Role.LEADER, Role.LIVED_EXPERIENCE_PARTNER]
)
def test_people_not_on_the_team_read_but_cannot_edit(api, member, project, role):
    client = api(member(role))

    read = client.get(f"/api/v1/projects/{project.pk}/")
    edit = client.patch(f"/api/v1/projects/{project.pk}/", {"title": "Mine now"})

    assert read.status_code == 200
    assert read.json()["can_edit"] is False
    assert edit.status_code == 403
    assert edit.json()["message"] == (
        "Only the project's team, its coach and the QI team can change this project."
    )


def test_another_organisation_gets_404_for_a_project(api, member, project, other_organisation):
    outsider = member(Role.ADMIN, org=other_organisation)
    client = api(outsider)

    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 404
    assert client.patch(f"/api/v1/projects/{project.pk}/", {"title": "x"}).status_code == 404
    assert (
        client.post(f"/api/v1/projects/{project.pk}/transition/", {"status": "on_hold"}).status_code
        == 404
    )
    assert client.get(f"/api/v1/projects/{project.pk}/driver-diagram/").status_code == 404
    assert client.get(f"/api/v1/projects/{project.pk}/history/").status_code == 404
    assert client.get("/api/v1/projects/").json()["results"] == []


def test_registering_in_another_organisations_unit_says_it_does_not_exist(
    api, member, other_organisation
):
    elsewhere = UnitFactory(organisation=other_organisation)

    response = _register(api(member()), elsewhere)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"


def test_status_changes_only_through_the_transition_endpoint(api, project, on_team):
    client = api(on_team(Team.LEAD))

    patched = client.patch(f"/api/v1/projects/{project.pk}/", {"status": "completed"})
    moved = client.post(
        f"/api/v1/projects/{project.pk}/transition/", {"status": "sustaining", "reason": "At aim"}
    )

    assert patched.status_code == 400
    assert patched.json()["errors"][0]["field"] == "status"
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "sustaining"
    assert "completed" in moved.json()["next_statuses"]


def test_a_refused_transition_says_why(api, project, on_team):
    project.status = Project.Status.PROPOSED
    project.save()

    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/projects/{project.pk}/transition/", {"status": "completed"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["message"].startswith("A proposed project cannot be completed")


def test_a_stale_if_match_on_a_project_is_a_412(api, project, on_team):
    client = api(on_team(Team.LEAD))
    etag = client.get(f"/api/v1/projects/{project.pk}/")["ETag"]
    client.patch(f"/api/v1/projects/{project.pk}/", {"title": "First"}, HTTP_IF_MATCH=etag)

    response = client.patch(
        f"/api/v1/projects/{project.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    assert Project.objects.get(pk=project.pk).title == "First"


def test_a_retried_registration_with_the_same_key_creates_one_project(api, member, ward):
    client = api(member())
    body = {"unit": ward.pk, "title": "Retry me"}

    first = client.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    retry = client.post("/api/v1/projects/", body, format="json", HTTP_IDEMPOTENCY_KEY="p-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert Project.objects.filter(title="Retry me").count() == 1


def test_the_project_shows_a_progress_override_as_an_override(api, member, project):
    project.progress_score = 2
    project.progress_reason = "Cycles are being tested."
    project.progress_override = 4
    project.progress_override_reason = "Sustained for six months."
    project.save()

    body = api(member()).get(f"/api/v1/projects/{project.pk}/").json()

    assert body["progress"]["score"] == 4.0
    assert body["progress"]["is_override"] is True
    assert body["progress"]["computed_score"] == 2.0
    assert "set by the team" in body["progress"]["label"]
    assert body["progress_override_reason"] == "Sustained for six months."


def test_project_filters(api, member, organisation, ward):
    coach = member(Role.COACH)
    safe = StrategicAimFactory(organisation=organisation, quality_dimensions=["safe"])
    timely = StrategicAimFactory(organisation=organisation, quality_dimensions=["timely"])
    bay = UnitFactory(organisation=organisation, parent=ward, name="Bay A")
    hr = UnitFactory(organisation=organisation, name="HR", kind="hr")
    falls = ProjectFactory(organisation=organisation, unit=bay, title="Falls huddle")
    falls.aims.set([safe])
    ProjectMemberFactory(project=falls, user=coach, role=Team.COACH)
    sickness = ProjectFactory(
        organisation=organisation, unit=hr, title="Sickness absence", status="on_hold"
    )
    sickness.aims.set([timely])
    client = api(member())

    def titles(query):
        response = client.get(f"/api/v1/projects/?{query}")
        assert response.status_code == 200, response.json()
        return {p["title"] for p in response.json()["results"]}

    assert titles(f"unit={bay.pk}") == {"Falls huddle"}
    assert titles(f"unit={ward.pk}") == set()
    assert titles(f"within_unit={ward.pk}") == {"Falls huddle"}
    assert titles(f"aim={timely.pk}") == {"Sickness absence"}
    assert titles("status=on_hold") == {"Sickness absence"}
    assert titles("status=active&status=on_hold") == {"Falls huddle", "Sickness absence"}
    assert titles(f"coach={coach.pk}") == {"Falls huddle"}
    assert titles("quality_dimension=safe") == {"Falls huddle"}
    assert titles("q=absence") == {"Sickness absence"}
    assert titles("unit_kind=hr") == {"Sickness absence"}
    assert titles("updated_since=2999-01-01") == set()
    assert client.get("/api/v1/projects/?status=finished").status_code == 400


def test_mine_lists_the_projects_whose_team_i_am_on(api, project, on_team, organisation):
    ProjectFactory(organisation=organisation, unit=project.unit, title="Not mine")
    lead = on_team(Team.LEAD)

    results = api(lead).get("/api/v1/projects/?mine=true").json()["results"]

    assert [p["title"] for p in results] == [project.title]


def test_project_list_query_count_does_not_grow_with_rows(
    api, member, organisation, ward, django_assert_max_num_queries
):
    aim = StrategicAimFactory(organisation=organisation)
    client = api(member(Role.QI_TEAM))

    def make_project():
        project = ProjectFactory(organisation=organisation, unit=ward)
        project.aims.set([aim])
        ProjectMemberFactory(project=project, role=Team.LEAD)
        ProjectMemberFactory(project=project, role=Team.COACH)

    make_project()
    with django_assert_max_num_queries(6) as one:
        assert len(client.get("/api/v1/projects/").json()["results"]) == 1
    for _ in range(49):
        make_project()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/projects/?page_size=100").json()["results"]) == 50
