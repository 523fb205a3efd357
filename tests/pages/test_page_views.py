"""The phone pages' server side, without a browser: who sees what, retries, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings

from backend.models import IdempotencyRecord, Membership
from pdsa.models import Cycle
from projects.models import DataPoint, ProjectMember
from projects.services import readings_recompute
from tests.factories import (
    ChangeIdeaFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(member):
    return member(Membership.Role.FRONTLINE)


@pytest.fixture
def project(nurse, organisation, ward):
    project = ProjectFactory(organisation=organisation, unit=ward, title="Fewer falls")
    ProjectMemberFactory(project=project, user=nurse, role=ProjectMember.Role.MEMBER)
    return project


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _quick_log(client, project, key=None, **fields):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    data = {"project": project.pk, "title": "Huddle at handover", **fields}
    return client.post("/cycles/new/", data, **headers)


def test_pages_send_a_signed_out_person_to_sign_in():
    response = Client().get("/cycles/new/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cycles/new/"


def test_sign_in_goes_back_where_it_came_from_but_never_to_another_site(nurse):
    password = "a-long-test-password"
    nurse.set_password(password)
    nurse.save()
    form = {"email": nurse.email.upper(), "password": password}

    back = Client().post("/accounts/login/", {**form, "next": "/cycles/new/"})
    away = Client().post("/accounts/login/", {**form, "next": "https://evil.example/"})

    assert back["Location"] == "/cycles/new/"
    assert away["Location"] == "/"


def test_sign_out_needs_a_post(nurse):
    client = _client(nurse)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_a_quick_log_sent_twice_with_one_key_saves_one_cycle(nurse, project):
    client = _client(nurse)

    first = _quick_log(client, project, key="phone-1")
    again = _quick_log(client, project, key="phone-1")

    cycle = Cycle.objects.get(project=project)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/cycles/{cycle.pk}/"
    assert again["Idempotent-Replayed"] == "true"


def test_a_quick_log_with_an_error_releases_its_key_for_the_corrected_send(nurse, project):
    client = _client(nurse)

    refused = _quick_log(client, project, key="phone-2", title="")
    corrected = _quick_log(client, project, key="phone-2")

    assert refused.status_code == 400
    assert "Enter a title for the cycle" in refused.content.decode()
    assert corrected.status_code == 302
    assert Cycle.objects.filter(project=project).count() == 1


def test_the_same_key_for_a_different_form_is_refused(nurse, project):
    client = _client(nurse)
    _quick_log(client, project, key="phone-3")

    response = _quick_log(client, project, key="phone-3", title="Another test")

    assert response.status_code == 422
    assert Cycle.objects.filter(project=project).count() == 1
    assert IdempotencyRecord.objects.filter(key="phone-3").count() == 1


def test_a_prediction_in_the_quick_log_is_refused_when_it_names_a_patient(nurse, project):
    response = _quick_log(
        _client(nurse), project, question="Who?", prediction="Bed 3, NHS no. 943 476 5919"
    )

    assert response.status_code == 400
    assert "NHS number" in response.content.decode()
    assert not Cycle.objects.exists()


def test_another_organisations_project_is_not_found(member, other_organisation, project):
    outsider = member(Membership.Role.QI_TEAM, org=other_organisation)

    response = _client(outsider).get(f"/projects/{project.pk}/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(DEBUG=True)
def test_another_organisations_project_is_ripples_not_found_page_under_make_run_too(
    member, other_organisation, project
):
    outsider = member(Membership.Role.QI_TEAM, org=other_organisation)

    response = _client(outsider).get(f"/projects/{project.pk}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "belongs to an organisation you are not a member of" in page
    assert "URLconf" not in page and "No Project matches" not in page


def test_someone_off_the_team_may_read_a_cycle_but_not_move_it(member, nurse, project):
    cycle = Cycle.objects.create(project=project, number=1, title="Huddle", owner=nurse)
    colleague = _client(member(Membership.Role.FRONTLINE))

    page = colleague.get(f"/cycles/{cycle.pk}/")
    moved = colleague.post(f"/cycles/{cycle.pk}/", {"stage": "plan", "action": "move"})

    assert page.status_code == 200
    assert "Save and start the test" not in page.content.decode()
    assert moved.status_code == 403
    assert "only the project&#x27;s team can change" in moved.content.decode().lower()


def test_a_cycle_page_sent_again_after_the_cycle_moved_on_changes_nothing(nurse, project):
    cycle = Cycle.objects.create(
        project=project, number=1, title="Huddle", owner=nurse, stage=Cycle.Stage.STUDY
    )

    response = _client(nurse).post(
        f"/cycles/{cycle.pk}/", {"stage": "do", "action": "move", "observations": "Late copy"}
    )

    cycle.refresh_from_db()
    assert response.status_code == 302
    assert (cycle.stage, cycle.observations) == (Cycle.Stage.STUDY, "")


def test_a_data_point_error_names_the_field_it_is_about(nurse, project):
    measure = MeasureFactory(project=project, chart_type="p", frequency="monthly")

    response = _client(nurse).post(
        "/data/new/",
        {"measure": measure.pk, "period": "2025-03-01", "numerator": "9", "denominator": "4"},
    )

    assert response.status_code == 400
    assert "Numerator cannot be bigger than the denominator" in response.content.decode()
    assert not DataPoint.objects.exists()


def test_a_data_point_is_saved_through_the_service(nurse, project):
    measure = MeasureFactory(project=project, frequency="monthly")

    response = _client(nurse).post(
        "/data/new/", {"measure": measure.pk, "period": "2025-03-01", "value": "4.5"}
    )

    measure.refresh_from_db()
    assert response["Location"] == f"/projects/{project.pk}/"
    assert DataPoint.objects.get(measure=measure).period == datetime.date(2025, 3, 1)
    assert measure.revision > 0


@pytest.mark.parametrize("count", [1, 12])
def test_my_projects_reads_in_a_fixed_number_of_queries(
    count, nurse, organisation, ward, django_assert_max_num_queries
):
    for index in range(count):
        project = ProjectFactory(organisation=organisation, unit=ward, title=f"Project {index}")
        ProjectMemberFactory(project=project, user=nurse)
        ChangeIdeaFactory(project=project)
        MeasureFactory(project=project)
        Cycle.objects.create(project=project, number=1, title="Test", owner=nurse)
    readings_recompute()  # factories write around the services, which store readings
    client = _client(nurse)

    with django_assert_max_num_queries(14):
        response = client.get("/")

    assert response.content.decode().count("nhsuk-card__heading") == count


def test_the_service_worker_and_manifest_are_served_from_the_root(nurse):
    client = Client()

    worker = client.get("/sw.js")
    manifest = client.get("/manifest.webmanifest").json()

    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Cache-Control"] == "no-cache"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
