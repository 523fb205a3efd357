"""Targets, taking a change up (a pre-filled project of the unit's own), adoption
statuses, and the reach a candidate reports."""

from __future__ import annotations

import pytest

from backend.models import Membership, Unit
from pdsa.models import Cycle
from projects.models import ChangeIdea, Measure, Project, ProjectMember
from spread.models import Adoption
from tests.factories import DriverFactory, MembershipFactory, StrategicAimFactory, UserFactory
from tests.spread.conftest import BASELINE, SHIFTED, UNCHANGED, add_data

pytestmark = pytest.mark.django_db

ADOPTIONS = "/api/v1/spread/adoptions/"
TARGETS = "/api/v1/spread/targets/"


@pytest.fixture
def ward10(make_ward) -> Unit:
    return make_ward("Ward 10 Elderly Care", specialty="elderly care")


@pytest.fixture
def ward10_nurse(organisation, ward10):
    user = UserFactory(email="ward10@example.org")
    MembershipFactory(
        user=user, organisation=organisation, role=Membership.Role.FRONTLINE, home_unit=ward10
    )
    return user


def _take_up(api, user, candidate, unit, **body):
    return api(user).post(
        ADOPTIONS, {"candidate": candidate.pk, "unit": unit.pk, **body}, format="json"
    )


def test_taking_a_change_up_creates_a_prefilled_project(
    approved_candidate, ward10, ward10_nurse, api, organisation, falls_measure, idea
):
    trust_aim = StrategicAimFactory(organisation=organisation, title="Zero harm from falls")
    ward_aim = StrategicAimFactory(
        organisation=organisation, title="Ward 7 falls", parent=trust_aim, unit=idea.project.unit
    )
    idea.project.aims.set([ward_aim])
    primary = DriverFactory(project=idea.project, title="Everyone knows who is at risk")
    secondary = DriverFactory(
        project=idea.project, kind="secondary", parent=primary, title="Shared risk at handover"
    )
    idea.drivers.set([secondary])

    response = _take_up(api, ward10_nurse, approved_candidate, ward10)

    assert response.status_code == 201, response.json()
    adoption = Adoption.objects.get(pk=response.json()["id"])
    assert adoption.status == "planned"
    project = adoption.project
    assert project.unit == ward10
    assert project.title == "Falls huddle at handover: Ward 10 Elderly Care"
    assert project.aim_statement == "Reduce falls on Ward 10 Elderly Care by 30% by March 2025."
    assert list(project.aims.all()) == [trust_aim]
    assert "Ward 7 Elderly Care" in project.background
    assert project.members.get(role="lead").user == ward10_nurse
    [measure] = Measure.objects.filter(project=project)
    assert measure.definition == falls_measure.definition
    assert measure.pk != falls_measure.pk
    assert measure.target == 5.0
    [copied] = ChangeIdea.objects.filter(project=project)
    assert copied.title == "Falls huddle at handover"
    assert [d.title for d in copied.drivers.all()] == ["Shared risk at handover"]
    assert copied.drivers.get().parent.title == "Everyone knows who is at risk"
    [cycle] = Cycle.objects.filter(project=project)
    assert cycle.title == "Adapt to our context"
    assert cycle.change_idea == copied
    assert list(cycle.measures.all()) == [measure]
    assert cycle.questions.count() == 2


def test_taking_up_as_testing_starts_an_active_project(approved_candidate, ward10, qi, api):
    response = _take_up(api, qi, approved_candidate, ward10, status="testing")

    assert response.json()["project"]["status"] == Project.Status.ACTIVE


def test_the_qi_team_may_name_the_lead(approved_candidate, ward10, ward10_nurse, qi, api):
    response = _take_up(api, qi, approved_candidate, ward10, lead=ward10_nurse.pk)

    project = Project.objects.get(pk=response.json()["project"]["id"])
    leads = set(project.members.filter(role=ProjectMember.Role.LEAD).values_list("user", flat=True))
    assert ward10_nurse.pk in leads


def test_someone_from_another_unit_cannot_take_it_up_for_this_one(
    approved_candidate, ward10, nurse, api
):
    response = _take_up(api, nurse, approved_candidate, ward10)

    assert response.status_code == 403
    assert not Adoption.objects.exists()


def test_only_an_approved_change_can_be_taken_up(proven_candidate, ward10, qi, api):
    response = _take_up(api, qi, proven_candidate, ward10)

    assert response.status_code == 400
    assert response.json()["code"] == "not_approved"


def test_the_origin_unit_cannot_take_up_its_own_change(approved_candidate, ward7, qi, api):
    response = _take_up(api, qi, approved_candidate, ward7)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"


def test_a_retried_take_up_creates_one_project(approved_candidate, ward10, qi, api):
    client = api(qi)
    body = {"candidate": approved_candidate.pk, "unit": ward10.pk}
    first = client.post(ADOPTIONS, body, format="json", HTTP_IDEMPOTENCY_KEY="take-up-1")
    again = client.post(ADOPTIONS, body, format="json", HTTP_IDEMPOTENCY_KEY="take-up-1")
    without_key = client.post(ADOPTIONS, body, format="json")

    assert first.json() == again.json()
    assert without_key.status_code == 400
    assert without_key.json()["code"] == "duplicate"
    assert Project.objects.filter(unit=ward10).count() == 1


def test_a_unit_may_decline_saying_why(approved_candidate, ward10, ward10_nurse, api, qi):
    refused = _take_up(api, ward10_nurse, approved_candidate, ward10, status="declined")
    response = _take_up(
        api, ward10_nurse, approved_candidate, ward10, status="declined", note="Ward closing."
    )

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "note"
    assert response.status_code == 201
    assert response.json()["project"] is None
    opportunities = api(qi).get(f"/api/v1/spread/candidates/{approved_candidate.pk}/opportunities/")
    assert ward10.pk not in [row["unit"]["id"] for row in opportunities.json()["results"]]
    again = _take_up(api, ward10_nurse, approved_candidate, ward10)
    assert again.status_code == 201
    assert again.json()["project"] is not None


def test_adoption_status_moves_on_with_if_match(approved_candidate, ward10, qi, api):
    client = api(qi)
    adoption = _take_up(api, qi, approved_candidate, ward10).json()
    url = f"{ADOPTIONS}{adoption['id']}/"
    etag = client.get(url)["ETag"]

    moved = client.patch(url, {"status": "testing"}, format="json", HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"status": "adopted"}, format="json", HTTP_IF_MATCH=etag)
    backwards = client.patch(url, {"status": "planned"}, format="json")

    assert moved.status_code == 200
    assert moved.json()["status"] == "testing"
    assert stale.status_code == 412
    assert backwards.status_code == 400
    assert backwards.json()["errors"][0]["field"] == "status"
    history = client.get(f"{url}history/").json()["results"]
    assert {"field": "status", "old": "planned", "new": "testing"} in history[0]["changes"]


def test_the_adopting_project_team_may_update_the_adoption(
    approved_candidate, ward10, qi, api, member
):
    adoption = _take_up(api, qi, approved_candidate, ward10).json()
    helper = member(Membership.Role.FRONTLINE)
    ProjectMember.objects.create(project_id=adoption["project"]["id"], user=helper)
    stranger = member(Membership.Role.FRONTLINE)
    url = f"{ADOPTIONS}{adoption['id']}/"

    assert api(stranger).patch(url, {"status": "testing"}, format="json").status_code == 403
    assert api(helper).patch(url, {"status": "testing"}, format="json").status_code == 200


def test_only_the_qi_team_targets(approved_candidate, ward10, nurse, qi, api):
    body = {"candidate": approved_candidate.pk, "unit": ward10.pk}

    assert api(nurse).post(TARGETS, body, format="json").status_code == 403
    created = api(qi).post(TARGETS, body, format="json")
    repeated = api(qi).post(TARGETS, body, format="json")

    assert created.status_code == 201
    assert repeated.status_code == 200
    assert repeated.json()["id"] == created.json()["id"]
    assert api(qi).delete(f"{TARGETS}{created.json()['id']}/").status_code == 204


def test_reach_counts_units_adopted_out_of_units_targeted_with_local_evidence(
    approved_candidate, make_ward, qi, api
):
    client = api(qi)
    units = [make_ward(f"Ward {n} Elderly Care", specialty="elderly care") for n in (10, 11, 12)]
    for unit in units:
        client.post(TARGETS, {"candidate": approved_candidate.pk, "unit": unit.pk}, format="json")
    reach_url = f"/api/v1/spread/candidates/{approved_candidate.pk}/reach/"
    assert client.get(reach_url).json()["summary"].startswith("0 of 3 targeted units adopted")

    first = _take_up(api, qi, approved_candidate, units[0]).json()
    _take_up(api, qi, approved_candidate, units[1])
    client.patch(f"{ADOPTIONS}{first['id']}/", {"status": "adopted"}, format="json")
    measure = Measure.objects.get(project_id=first["project"]["id"])
    add_data(measure, BASELINE[:6] + UNCHANGED[:6] + SHIFTED[:8])
    Cycle.objects.filter(project_id=first["project"]["id"]).update(planned_start="2024-01-01")

    reach = client.get(reach_url).json()

    assert reach["targeted"] == 3
    assert reach["adopted"] == 1
    assert reach["adopted_of_targeted"] == 1
    assert reach["improving"] == 1
    assert reach["by_status"]["planned"] == 1
    assert reach["summary"] == (
        "1 of 3 targeted units adopted (1 in all; 1 with improvement in their own data)"
    )
    by_unit = {row["unit"]["name"]: row for row in reach["adoptions"]}
    evidence = by_unit["Ward 10 Elderly Care"]["evidence"]
    assert evidence["proven"] is True
    assert evidence["measures"][0]["rules"][0] == "shift"
    assert by_unit["Ward 11 Elderly Care"]["evidence"]["proven"] is False
    assert [u["name"] for u in reach["targeted_not_started"]] == ["Ward 12 Elderly Care"]
    listed = client.get(f"/api/v1/spread/candidates/{approved_candidate.pk}/").json()
    assert listed["counts"] == {"targets": 3, "adoptions": 2, "adopted": 1}


def test_the_origin_team_hears_once_when_another_unit_adopts_their_change(
    approved_candidate, ward10, qi, nurse, api
):
    from notifications.models import Notification

    client = api(qi)
    adoption = _take_up(api, qi, approved_candidate, ward10).json()
    url = f"{ADOPTIONS}{adoption['id']}/"
    client.patch(url, {"status": "testing"}, format="json")
    assert not Notification.objects.filter(subject_type="spread.adoption").exists()

    client.patch(url, {"status": "adopted"}, format="json")
    client.patch(url, {"status": "adapted"}, format="json")

    [sent] = Notification.objects.filter(subject_type="spread.adoption")
    assert sent.recipient == nurse
    assert sent.subject_id == adoption["id"]
    assert sent.title == "Ward 10 Elderly Care has adopted your change: Falls huddle at handover"
    assert "special-cause improvement" in sent.evidence["origin_signal"]


def test_another_organisations_adoption_is_not_found(
    approved_candidate, ward10, qi, api, member, other_organisation
):
    adoption = _take_up(api, qi, approved_candidate, ward10).json()
    stranger = api(member(Membership.Role.QI_TEAM, org=other_organisation))

    assert stranger.get(f"{ADOPTIONS}{adoption['id']}/").status_code == 404
    assert stranger.patch(f"{ADOPTIONS}{adoption['id']}/", {"status": "testing"}).status_code == 404
    assert stranger.get(ADOPTIONS).json()["count"] == 0
    taken = stranger.post(ADOPTIONS, {"candidate": approved_candidate.pk, "unit": ward10.pk})
    assert taken.status_code == 400
    assert {e["field"] for e in taken.json()["errors"]} == {"candidate", "unit"}
