"""Project teams (/api/v1/project-members/) and similar projects (/api/v1/projects/similar/)."""

import pytest

from backend.models import Membership
from projects.models import ProjectMember
from tests.factories import ProjectFactory, StrategicAimFactory, UnitFactory

Role = Membership.Role
Team = ProjectMember.Role


def test_the_lead_adds_a_coach_and_a_partner_to_the_team(api, member, project, on_team):
    lead = on_team(Team.LEAD)
    coach = member(Role.COACH)
    partner = member(Role.LIVED_EXPERIENCE_PARTNER)
    client = api(lead)

    for user, role in ((coach, "coach"), (partner, "lived_experience_partner")):
        response = client.post(
            "/api/v1/project-members/", {"project": project.pk, "user": user.pk, "role": role}
        )
        assert response.status_code == 201, response.json()

    team = client.get(f"/api/v1/projects/{project.pk}/").json()["team"]
    assert {(m["user"]["id"], m["role"]) for m in team} == {
        (lead.pk, "lead"),
        (coach.pk, "coach"),
        (partner.pk, "lived_experience_partner"),
    }
    assert client.get(f"/api/v1/projects/?coach={coach.pk}").json()["count"] == 1


def test_a_coach_edits_the_projects_they_coach(api, member, project, on_team):
    coach = on_team(Team.COACH, Role.COACH)

    response = api(coach).patch(f"/api/v1/projects/{project.pk}/", {"problem": "Falls at night"})

    assert response.status_code == 200


def test_someone_of_another_organisation_cannot_join_a_team(
    api, member, project, on_team, other_organisation
):
    outsider = member(Role.COACH, org=other_organisation)

    response = api(on_team(Team.LEAD)).post(
        "/api/v1/project-members/", {"project": project.pk, "user": outsider.pk, "role": "coach"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "user"


def test_a_team_place_is_given_once_per_role(api, member, project, on_team):
    lead = on_team(Team.LEAD)
    body = {"project": project.pk, "user": lead.pk, "role": "lead"}

    response = api(lead).post("/api/v1/project-members/", body)

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate"


def test_someone_off_the_team_cannot_change_it(api, member, project, on_team):
    on_team(Team.LEAD)
    stranger = member(Role.FRONTLINE)

    response = api(stranger).post(
        "/api/v1/project-members/", {"project": project.pk, "user": stranger.pk, "role": "member"}
    )

    assert response.status_code == 403


def test_the_last_lead_cannot_be_removed_but_a_member_can(api, project, on_team):
    lead = on_team(Team.LEAD)
    helper = on_team(Team.MEMBER)
    client = api(lead)
    lead_place = project.members.get(user=lead)
    helper_place = project.members.get(user=helper)

    assert client.delete(f"/api/v1/project-members/{lead_place.pk}/").status_code == 400
    assert client.delete(f"/api/v1/project-members/{helper_place.pk}/").status_code == 204


@pytest.fixture
def past_projects(organisation, ward):
    aim = StrategicAimFactory(organisation=organisation, title="Zero avoidable falls")
    other_ward = UnitFactory(organisation=organisation, name="Ward 10", kind="ward")
    clinic = UnitFactory(organisation=organisation, name="Diabetes clinic", kind="clinic")
    falls = ProjectFactory(
        organisation=organisation, unit=other_ward, title="Safety huddle to cut falls"
    )
    falls.aims.set([aim])
    ProjectFactory(organisation=organisation, unit=clinic, title="Foot checks in clinic")
    ProjectFactory(organisation=organisation, unit=other_ward, title="Discharge before noon")
    return {"aim": aim, "falls": falls}


def test_similar_projects_share_aim_unit_kind_and_words_with_reasons(
    api, member, ward, past_projects
):
    aim = past_projects["aim"]

    response = api(member()).get(
        f"/api/v1/projects/similar/?title=Falls huddle at handover&unit={ward.pk}&aims={aim.pk}"
    )

    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert results[0]["title"] == "Safety huddle to cut falls"
    assert results[0]["reasons"] == [
        "serves the same aim (Zero avoidable falls)",
        "the same kind of place (Ward)",
        "uses the same words: falls, huddle",
    ]
    assert 0 < results[0]["score"] <= 1
    assert "Foot checks in clinic" not in [r["title"] for r in results]


def test_similar_projects_of_another_organisation_are_never_shown(
    api, member, ward, past_projects, other_organisation
):
    outsider = member(Role.FRONTLINE, org=other_organisation)
    own_ward = UnitFactory(organisation=other_organisation)

    response = api(outsider).get(f"/api/v1/projects/similar/?title=Falls huddle&unit={own_ward.pk}")

    assert response.json()["results"] == []


def test_similar_needs_a_title(api, member):
    response = api(member()).get("/api/v1/projects/similar/")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"


def test_similar_projects_run_in_constant_queries(
    api, member, ward, organisation, django_assert_max_num_queries
):
    client = api(member())
    url = f"/api/v1/projects/similar/?title=Falls huddle&unit={ward.pk}"
    ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle one")
    with django_assert_max_num_queries(5) as one:
        assert len(client.get(url).json()["results"]) == 1
    ProjectFactory.create_batch(49, organisation=organisation, unit=ward, title="Falls huddle")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(url).json()["results"]) == 10
