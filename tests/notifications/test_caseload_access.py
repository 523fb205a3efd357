"""Whose caseload a person may read: their own; the QI team and admins any coach's in their
organisation; another organisation's people are not found."""

from __future__ import annotations

import pytest

from backend.models import Membership
from projects.models import ProjectMember
from tests.factories import MembershipFactory, ProjectFactory, ProjectMemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/caseload/"
Role = Membership.Role


@pytest.fixture
def coach(member, organisation, ward):
    coach = member(Role.COACH)
    project = ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle")
    ProjectMemberFactory(project=project, user=coach, role=ProjectMember.Role.COACH)
    return coach


@pytest.mark.parametrize("role", [Role.QI_TEAM, Role.ADMIN])
def test_the_qi_team_and_admins_read_a_coachs_caseload(api, member, coach, role):
    response = api(member(role)).get(URL, {"coach": coach.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["coach"]["id"] == coach.pk
    assert [row["title"] for row in body["projects"]] == ["Falls huddle"]


@pytest.mark.parametrize(
    "role", [Role.FRONTLINE, Role.COACH, Role.LEADER, Role.LIVED_EXPERIENCE_PARTNER]
)
def test_others_may_not_read_another_persons_caseload(api, member, coach, role):
    response = api(member(role)).get(URL, {"coach": coach.pk})
    assert response.status_code == 403
    assert response.json()["message"] == (
        "Only the QI team and administrators may read another coach's caseload."
    )


def test_a_coach_in_another_organisation_is_not_found(api, member, other_organisation):
    stranger = member(Role.COACH, org=other_organisation)
    response = api(member(Role.QI_TEAM)).get(URL, {"coach": stranger.pk})
    assert response.status_code == 404


def test_a_person_who_does_not_exist_is_not_found(api, member):
    assert api(member(Role.QI_TEAM)).get(URL, {"coach": 999_999}).status_code == 404


def test_a_coach_id_that_is_not_a_number_is_a_400_naming_it(api, coach):
    response = api(coach).get(URL, {"coach": "sam"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "coach"


def test_anyone_may_ask_for_their_own_caseload_by_id(api, coach):
    response = api(coach).get(URL, {"coach": coach.pk})
    assert response.status_code == 200
    assert len(response.json()["projects"]) == 1


def test_someone_who_coaches_nothing_has_an_empty_caseload(api, member, coach):
    body = api(member(Role.FRONTLINE)).get(URL).json()
    assert body["projects"] == []
    assert body["load"] == {"projects": 0, "capacity": None, "over_capacity": False, "need_you": 0}


def test_the_qi_team_reads_only_their_own_organisations_part_of_a_caseload(
    api, member, coach, other_organisation
):
    MembershipFactory(user=coach, organisation=other_organisation, role=Role.COACH)
    elsewhere = ProjectFactory(organisation=other_organisation, title="Elsewhere")
    ProjectMemberFactory(project=elsewhere, user=coach, role=ProjectMember.Role.COACH)
    own = api(coach).get(URL).json()
    assert sorted(row["title"] for row in own["projects"]) == ["Elsewhere", "Falls huddle"]
    qi = api(member(Role.QI_TEAM)).get(URL, {"coach": coach.pk}).json()
    assert [row["title"] for row in qi["projects"]] == ["Falls huddle"]


def test_a_coach_who_left_an_organisation_no_longer_sees_its_projects(api, coach, organisation):
    Membership.objects.filter(user=coach, organisation=organisation).delete()
    assert api(coach).get(URL).json()["projects"] == []


def test_the_caseload_narrows_to_one_of_your_organisations(
    api, coach, organisation, other_organisation
):
    client = api(coach)
    assert len(client.get(URL, {"organisation": organisation.pk}).json()["projects"]) == 1
    assert client.get(URL, {"organisation": other_organisation.pk}).status_code == 404


def test_signing_in_is_required(api):
    assert api().get(URL).status_code in (401, 403)
