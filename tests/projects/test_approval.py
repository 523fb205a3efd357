"""Approving new projects where the organisation asks for it: who waits, who approves or
returns, who is told, and the queue at the top of an approver's desk."""

from __future__ import annotations

import pytest

from backend.errors import ApplicationError
from backend.models import Membership
from notifications.models import Kind, Notification
from projects.models import Project, ProjectMember
from projects.selectors import approval_queue
from projects.services import (
    project_approval_request,
    project_approve,
    project_create,
    project_return,
    project_transition,
)
from tests.factories import OrganisationFactory, ProjectFactory, ProjectMemberFactory, UnitFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
Approval = Project.Approval


@pytest.fixture
def approving(organisation):
    organisation.projects_need_approval = True
    organisation.save(update_fields=["projects_need_approval"])
    return organisation


@pytest.fixture
def people(member, approving):
    return {
        "nurse": member(Role.FRONTLINE),
        "coach": member(Role.COACH),
        "qi": member(Role.QI_TEAM),
        "admin": member(Role.ADMIN),
        "leader": member(Role.LEADER),
    }


def _register(user, ward, **kwargs):
    return project_create(by=user, unit=ward, title="Fewer falls at night", **kwargs)


def _asked(project):
    return set(
        Notification.objects.filter(kind=Kind.APPROVAL_REQUESTED, project=project).values_list(
            "recipient__email", flat=True
        )
    )


def test_a_project_registered_by_the_team_waits_and_the_approvers_are_asked(
    people, ward, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        project = _register(people["nurse"], ward, status=Project.Status.ACTIVE)

    assert (project.status, project.approval, project.started_on) == ("proposed", "pending", None)
    assert project.approval_requested_at is not None
    # Every coach and the QI team; not the admin, the leader or the nurse who asked.
    assert _asked(project) == {people["coach"].email, people["qi"].email}


def test_the_projects_own_coach_is_asked_rather_than_every_coach(people, ward, member):
    project = ProjectFactory(
        organisation=ward.organisation,
        unit=ward,
        status=Project.Status.PROPOSED,
        approval=Approval.RETURNED,
        approval_note="Add a measure",
    )
    ProjectMemberFactory(project=project, user=people["nurse"], role=ProjectMember.Role.LEAD)
    ProjectMemberFactory(project=project, user=people["coach"], role=ProjectMember.Role.COACH)

    project_approval_request(by=people["nurse"], project=project)

    assert _asked(project) == {people["coach"].email}


@pytest.mark.parametrize("role", [Role.COACH, Role.QI_TEAM, Role.ADMIN])
def test_a_project_registered_by_an_approver_needs_no_approval(member, approving, ward, role):
    project = _register(member(role), ward, status=Project.Status.ACTIVE)

    assert (project.status, project.approval) == ("active", "")
    assert not Notification.objects.filter(project=project).exists()


def test_without_approval_a_project_starts_as_asked(people, organisation, ward):
    organisation.projects_need_approval = False
    organisation.save()
    project = _register(people["nurse"], ward, status=Project.Status.ACTIVE)

    assert (project.status, project.approval) == ("active", "")


def test_a_coach_approves_it_and_becomes_its_coach_and_the_team_is_told(people, ward):
    project = _register(people["nurse"], ward)

    project_approve(by=people["coach"], project=project, note="Clear aim")

    project.refresh_from_db()
    assert (project.status, project.approval, project.approval_decided_by) == (
        "active",
        "approved",
        people["coach"],
    )
    assert project.started_on is not None
    assert project.members.filter(user=people["coach"], role=ProjectMember.Role.COACH).exists()
    told = Notification.objects.get(kind=Kind.APPROVAL_DECIDED, project=project)
    assert told.recipient == people["nurse"]
    assert told.title == "Approved: Fewer falls at night" and "Clear aim" in told.body
    # Nobody else chases a project already decided.
    assert not Notification.objects.filter(
        kind=Kind.APPROVAL_REQUESTED, project=project, read_at__isnull=True
    ).exists()
    assert project.history.first().history_change_reason == "Clear aim"


def test_the_qi_team_approving_does_not_join_the_team(people, ward):
    project = _register(people["nurse"], ward)

    project_approve(by=people["qi"], project=project)

    assert not project.members.filter(user=people["qi"]).exists()


def test_a_return_needs_a_reason_and_the_team_sends_it_again(people, ward):
    project = _register(people["nurse"], ward)

    with pytest.raises(ApplicationError) as refused:
        project_return(by=people["qi"], project=project, reason="  ")
    assert refused.value.field == "reason"

    project_return(by=people["qi"], project=project, reason="Say how you will measure it")
    project.refresh_from_db()
    assert (project.status, project.approval, project.approval_note) == (
        "proposed",
        "returned",
        "Say how you will measure it",
    )
    returned = Notification.objects.get(kind=Kind.APPROVAL_DECIDED, project=project)
    assert "Say how you will measure it" in returned.body

    project_approval_request(by=people["nurse"], project=project)
    project.refresh_from_db()
    assert project.approval == "pending"
    # Asked again: a new request is a new occurrence.
    assert (
        Notification.objects.filter(
            kind=Kind.APPROVAL_REQUESTED, project=project, recipient=people["coach"]
        ).count()
        == 2
    )


@pytest.mark.parametrize("role", [Role.FRONTLINE, Role.LEADER, Role.LIVED_EXPERIENCE_PARTNER])
def test_only_coaches_and_the_qi_team_approve(people, ward, member, role):
    project = _register(people["nurse"], ward)

    for decide in (
        lambda user: project_approve(by=user, project=project),
        lambda user: project_return(by=user, project=project, reason="No"),
    ):
        with pytest.raises(ApplicationError) as refused:
            decide(member(role))
        assert refused.value.status_code == 403
        assert "coach or the QI team" in refused.value.message


def test_a_waiting_project_cannot_be_started_by_the_lifecycle_but_may_be_abandoned(people, ward):
    project = _register(people["nurse"], ward)

    with pytest.raises(ApplicationError) as refused:
        project_transition(by=people["qi"], project=project, status="active")
    assert refused.value.code == "awaiting_approval"

    project_transition(by=people["nurse"], project=project, status="abandoned", reason="Merged")
    project.refresh_from_db()
    assert project.status == "abandoned"


def test_a_decided_project_cannot_be_decided_again(people, ward):
    project = _register(people["nurse"], ward)
    project_approve(by=people["coach"], project=project)

    with pytest.raises(ApplicationError) as refused:
        project_return(by=people["qi"], project=project, reason="Too late")
    assert refused.value.code == "not_waiting"


def test_the_queue_shows_waiting_projects_to_those_who_approve_them_oldest_first(
    people, ward, member, other_organisation, django_assert_max_num_queries
):
    first = _register(people["nurse"], ward)
    second = project_create(by=people["nurse"], unit=ward, title="Quicker discharge letters")
    project_approve(by=people["coach"], project=_register(people["nurse"], ward))
    # Another organisation's waiting project is not anyone's here.
    other_ward = UnitFactory(organisation=other_organisation)
    ProjectFactory(organisation=other_organisation, unit=other_ward, approval=Approval.PENDING)

    for approver in (people["coach"], people["qi"], people["admin"]):
        assert list(approval_queue(user=approver)) == [first, second]
    for bystander in (people["nurse"], people["leader"]):
        assert list(approval_queue(user=bystander)) == []

    with django_assert_max_num_queries(5) as one:
        list(approval_queue(user=people["coach"]))
    for index in range(5):
        project_create(by=people["nurse"], unit=ward, title=f"Another project {index}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(list(approval_queue(user=people["coach"]))) == 7


def test_a_coach_of_two_organisations_approves_only_where_they_coach(people, ward, member):
    elsewhere = OrganisationFactory(projects_need_approval=True)
    Membership.objects.create(user=people["nurse"], organisation=elsewhere, role=Role.FRONTLINE)
    waiting_elsewhere = project_create(
        by=people["nurse"], unit=UnitFactory(organisation=elsewhere), title="Elsewhere"
    )

    assert waiting_elsewhere.approval == "pending"
    assert waiting_elsewhere not in approval_queue(user=people["coach"])
    with pytest.raises(ApplicationError):
        project_approve(by=people["coach"], project=waiting_elsewhere)


def test_the_queue_has_an_include_for_the_top_of_an_approvers_page(people, ward):
    from django.template.loader import render_to_string

    project = _register(people["nurse"], ward)
    template = "projects/includes/approval_queue.html"

    shown = render_to_string(template, {"approvals": list(approval_queue(user=people["coach"]))})

    assert "Waiting for your approval (1)" in shown
    assert f'href="/projects/{project.pk}/approval/"' in shown
    assert render_to_string(template, {"approvals": []}).strip() == ""
