"""Every page form, sent without JavaScript with input a service refuses, shows the
service's message beside its field (or above the form) and a 400 — never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from backend.models import Membership
from pdsa.models import Cycle
from projects.models import ChartType, DataPoint, ProjectMember
from tests.factories import MeasureFactory, ProjectFactory, ProjectMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(member):
    return member(Membership.Role.FRONTLINE)


@pytest.fixture
def project(nurse, organisation, ward):
    project = ProjectFactory(organisation=organisation, unit=ward, title="Fewer falls")
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.MEMBER)
    return project


@pytest.fixture
def another_team(organisation, ward):
    return ProjectFactory(organisation=organisation, unit=ward, title="Mouth care")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_quick_log_shows_a_refusal_for_a_project_the_person_is_not_on(nurse, another_team):
    response = _client(nurse).post(
        "/cycles/new/", {"project": another_team.pk, "title": "Huddle at handover"}
    )

    assert response.status_code == 400
    assert "only the project&#x27;s team" in response.content.decode().lower()
    assert not Cycle.objects.exists()


def test_moving_a_plan_without_a_prediction_names_the_missing_field(nurse, project):
    cycle = Cycle.objects.create(project=project, number=1, title="Huddle", owner=nurse)

    response = _client(nurse).post(
        f"/cycles/{cycle.pk}/",
        {"stage": "plan", "action": "move", "objective": "", "question_new": "Will it help?"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_objective-error"' in body or 'id="id_prediction_0-error"' in body
    cycle.refresh_from_db()
    assert cycle.stage == Cycle.Stage.PLAN


def test_finishing_a_cycle_without_a_decision_is_refused_beside_the_decision(nurse, project):
    cycle = Cycle.objects.create(
        project=project, number=1, title="Huddle", owner=nurse, stage=Cycle.Stage.ACT
    )

    response = _client(nurse).post(
        f"/cycles/{cycle.pk}/", {"stage": "act", "action": "move", "decision": ""}
    )

    assert response.status_code == 400
    assert 'id="id_decision-error"' in response.content.decode()


def test_a_data_point_for_a_period_not_yet_started_is_refused_beside_the_period(nurse, project):
    falls = MeasureFactory(project=project, chart_type=ChartType.XMR)
    next_year = datetime.date.today().replace(day=1) + datetime.timedelta(days=400)

    response = _client(nurse).post(
        "/data/new/",
        {"measure": falls.pk, "period": next_year.replace(day=1).isoformat(), "value": "3"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_period-error"' in body
    assert "Period is in the future" in body
    assert not DataPoint.objects.exists()


def test_a_data_point_on_another_teams_measure_shows_who_may_add_it(nurse, another_team):
    theirs = MeasureFactory(project=another_team, chart_type=ChartType.XMR)
    month = datetime.date.today().replace(day=1)

    response = _client(nurse).post(
        "/data/new/", {"measure": theirs.pk, "period": month.isoformat(), "value": "3"}
    )

    assert response.status_code == 400
    assert "team" in response.content.decode().lower()
    assert not DataPoint.objects.exists()


def test_a_refusal_no_form_catches_is_the_403_page_with_its_message(member, nurse, project):
    cycle = Cycle.objects.create(project=project, number=1, title="Huddle", owner=nurse)
    colleague = _client(member(Membership.Role.FRONTLINE))

    response = colleague.post(f"/cycles/{cycle.pk}/", {"stage": "plan", "action": "save"})

    assert response.status_code == 403
    assert "You cannot do that here" in response.content.decode()
