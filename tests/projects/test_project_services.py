"""Projects: registration, lifecycle and team rules, through the services."""

import pytest

from backend.errors import ApplicationError
from backend.models import Membership
from projects.models import Project, ProjectMember
from projects.services import (
    project_create,
    project_member_remove,
    project_member_update,
    project_transition,
)
from tests.factories import StrategicAimFactory, UnitFactory

Role = Membership.Role
Status = Project.Status


def test_project_create_makes_the_registering_nurse_its_lead(member, ward):
    nurse = member(Role.FRONTLINE)

    project = project_create(by=nurse, unit=ward, title="Falls huddle")

    assert project.status == Status.PROPOSED
    assert project.organisation_id == ward.organisation_id
    assert list(project.members.values_list("user_id", "role")) == [(nurse.pk, "lead")]
    assert project.last_activity_at is not None
    assert project.history.first().history_user == nurse


def test_project_create_refuses_a_leader(member, ward):
    leader = member(Role.LEADER)

    with pytest.raises(ApplicationError) as refusal:
        project_create(by=leader, unit=ward, title="Board pet project")

    assert refusal.value.status_code == 403


def test_project_create_refuses_an_aim_of_another_organisation(member, ward, other_organisation):
    nurse = member(Role.FRONTLINE)
    elsewhere = StrategicAimFactory(organisation=other_organisation)

    with pytest.raises(ApplicationError) as refusal:
        project_create(by=nurse, unit=ward, title="Falls", aims=[elsewhere])

    assert refusal.value.field == "aims"


def test_project_create_refuses_a_unit_of_another_organisation_for_its_aims(
    member, ward, organisation
):
    nurse = member(Role.FRONTLINE)
    aim = StrategicAimFactory(organisation=organisation)
    stray = UnitFactory()

    with pytest.raises(ApplicationError):
        project_create(by=nurse, unit=stray, title="Falls", aims=[aim])


def test_a_proposed_project_cannot_be_completed(project, on_team):
    project.status = Status.PROPOSED
    project.save()
    lead = on_team(ProjectMember.Role.LEAD)

    with pytest.raises(ApplicationError) as refusal:
        project_transition(by=lead, project=project, status=Status.COMPLETED)

    assert refusal.value.message == (
        "A proposed project cannot be completed: start it (make it active) first, or abandon it."
    )
    assert refusal.value.field == "status"


def test_starting_a_project_sets_started_on_and_status_changed_at(project, on_team):
    project.status = Status.PROPOSED
    project.save()

    started = project_transition(
        by=on_team(ProjectMember.Role.LEAD), project=project, status=Status.ACTIVE
    )

    assert started.status == Status.ACTIVE
    assert started.started_on is not None
    assert started.status_changed_at is not None


def test_a_completed_project_is_reopened_only_by_the_qi_team(project, on_team, member):
    lead = on_team(ProjectMember.Role.LEAD)
    project_transition(by=lead, project=project, status=Status.COMPLETED, reason="Aim met")

    with pytest.raises(ApplicationError) as refusal:
        project_transition(by=lead, project=project, status=Status.ACTIVE)
    assert refusal.value.status_code == 403
    assert "only the QI team" in refusal.value.message

    reopened = project_transition(by=member(Role.QI_TEAM), project=project, status=Status.ACTIVE)
    assert reopened.status == Status.ACTIVE
    assert reopened.ended_on is None


def test_completing_records_the_reason_in_history(project, on_team):
    lead = on_team(ProjectMember.Role.LEAD)

    project_transition(by=lead, project=project, status=Status.COMPLETED, reason="Aim met")

    latest = project.history.first()
    assert latest.history_change_reason == "Aim met"
    assert latest.history_user == lead
    assert latest.status == Status.COMPLETED


def test_an_on_hold_project_cannot_jump_to_spreading(project, on_team):
    lead = on_team(ProjectMember.Role.LEAD)
    project_transition(by=lead, project=project, status=Status.ON_HOLD)

    with pytest.raises(ApplicationError) as refusal:
        project_transition(by=lead, project=project, status=Status.SPREADING)

    assert refusal.value.message == (
        "A project cannot go from on hold to spreading; from on hold it can go to active or "
        "abandoned."
    )


def test_the_last_lead_cannot_step_down(project, on_team):
    lead = on_team(ProjectMember.Role.LEAD)
    place = project.members.get(user=lead)

    with pytest.raises(ApplicationError) as refusal:
        project_member_remove(by=lead, member=place)
    assert refusal.value.field == "role"

    with pytest.raises(ApplicationError):
        project_member_update(by=lead, member=place, role=ProjectMember.Role.MEMBER)
