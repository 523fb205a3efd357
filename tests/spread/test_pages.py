"""Spread on pages, without a browser: the QI team's queue and decisions, where a change
could go next, reach, taking it up, a ward's page, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from backend.models import Membership, Unit
from notifications.models import Kind, Notification
from pdsa.models import Cycle
from projects.models import Project
from spread.models import Adoption, SpreadCandidate, SpreadOffer, SpreadTarget
from spread.services import candidate_approve, candidate_nominate
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    MeasureFactory,
    MembershipFactory,
    ProjectFactory,
    ProjectMemberFactory,
    SpreadCandidateFactory,
    UnitFactory,
    UserFactory,
)
from tests.spread.conftest import UNCHANGED, add_data

pytestmark = pytest.mark.django_db
Status = SpreadCandidate.Status


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ward10(organisation, falls) -> Unit:
    """An elderly care ward that measures falls from the library, with no improvement."""
    unit = UnitFactory(
        organisation=organisation, name="Ward 10 Elderly Care", specialty="elderly care"
    )
    project = ProjectFactory(organisation=organisation, unit=unit, title="Falls on Ward 10")
    measure = MeasureFactory(project=project, definition=falls, name=falls.name)
    add_data(measure, UNCHANGED + UNCHANGED)
    return unit


@pytest.fixture
def approved(proven_candidate, qi) -> SpreadCandidate:
    return candidate_approve(by=qi, candidate=proven_candidate)


@pytest.fixture
def early_promise(organisation, ward7, nurse, cycle_in_act, decide) -> SpreadCandidate:
    """A change adopted in a project with no data: early promise."""
    project = ProjectFactory(organisation=organisation, unit=ward7, title="Calmer nights")
    ProjectMemberFactory(project=project, user=nurse, role="lead")
    idea = ChangeIdeaFactory(project=project, title="Bedside safety brief")
    decide(cycle_in_act(idea), nurse)
    idea.refresh_from_db()
    return candidate_nominate(by=nurse, change_idea=idea, note="Staff like it.")


def test_the_queue_shows_each_state_with_its_count_and_the_evidence_in_one_line(
    proven_candidate, early_promise, qi
):
    response = _client(qi).get("/spread/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'Proposed <span class="ripple-count">1</span>' in page
    assert 'Early promise <span class="ripple-count">1</span>' in page
    assert "Falls huddle at handover" in page and "Bedside safety brief" not in page
    assert (
        "A shift and two of three points near the limit in Inpatient falls per 1,000 bed days "
        "from January 2024" in page
    )

    early = _client(qi).get("/spread/?state=early_promise").content.decode()
    assert "Bedside safety brief" in early
    assert "No special-cause improvement yet" in early


def test_the_queue_reads_in_a_fixed_number_of_queries(
    organisation, origin_project, qi, django_assert_max_num_queries
):
    def put_forward(count: int) -> None:
        for _ in range(count):
            idea = ChangeIdeaFactory(project=origin_project, status="adopted")
            SpreadCandidateFactory(
                organisation=organisation,
                change_idea=idea,
                origin_project=origin_project,
                origin_unit=origin_project.unit,
            )

    put_forward(1)
    client = _client(qi)
    client.get("/spread/")
    with django_assert_max_num_queries(12) as few:
        client.get("/spread/")
    put_forward(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/spread/").status_code == 200


def test_the_qi_team_approves_a_proven_change_and_history_says_who(approved, proven_candidate, qi):
    page = _client(qi).get(f"/spread/{approved.pk}/").content.decode()

    assert "Approved for spread" in page and qi.full_name in page


def test_approving_through_the_page_goes_through_the_service(proven_candidate, qi):
    response = _client(qi).post(f"/spread/{proven_candidate.pk}/", {"action": "approve"})

    assert response.status_code == 302
    proven_candidate.refresh_from_db()
    assert proven_candidate.status == Status.APPROVED
    assert proven_candidate.history.first().history_user == qi


def test_declining_needs_a_reason_shown_beside_the_field(proven_candidate, qi):
    response = _client(qi).post(f"/spread/{proven_candidate.pk}/", {"action": "decline"})

    assert response.status_code == 400
    assert "Say why the change is declined" in response.content.decode()
    proven_candidate.refresh_from_db()
    assert proven_candidate.status == Status.PROPOSED


def test_a_decline_keeps_who_and_why(proven_candidate, qi):
    reason = "Falls are already low on the wards that could use it."

    _client(qi).post(f"/spread/{proven_candidate.pk}/", {"action": "decline", "reason": reason})

    proven_candidate.refresh_from_db()
    assert (proven_candidate.status, proven_candidate.decline_reason) == (Status.DECLINED, reason)
    record = proven_candidate.history.first()
    assert (record.history_user, record.history_change_reason) == (qi, reason)
    page = _client(qi).get(f"/spread/{proven_candidate.pk}/").content.decode()
    assert "Declined</strong> on" in page and reason in page


def test_early_promise_cannot_be_approved_and_the_page_says_why(early_promise, qi):
    response = _client(qi).post(f"/spread/{early_promise.pk}/", {"action": "approve"})

    assert response.status_code == 400
    assert "cannot be approved as proven" in response.content.decode()
    early_promise.refresh_from_db()
    assert early_promise.status == Status.PROPOSED


def test_someone_outside_the_qi_team_is_told_who_may_decide(proven_candidate, nurse):
    response = _client(nurse).post(f"/spread/{proven_candidate.pk}/", {"action": "approve"})

    assert response.status_code == 403
    assert "Only the QI team and administrators can approve" in response.content.decode()


def test_another_organisations_candidate_is_not_found(proven_candidate, member, other_organisation):
    stranger = member(Membership.Role.QI_TEAM, org=other_organisation)

    assert _client(stranger).get(f"/spread/{proven_candidate.pk}/").status_code == 404


def test_the_candidate_page_reads_in_a_fixed_number_of_queries(
    proven_candidate, qi, django_assert_max_num_queries
):
    client = _client(qi)
    client.get(f"/spread/{proven_candidate.pk}/")
    with django_assert_max_num_queries(25) as few:
        client.get(f"/spread/{proven_candidate.pk}/")
    idea = proven_candidate.change_idea
    for number in range(10):
        CycleFactory(
            project=idea.project, change_idea=idea, number=number + 10, decision="adapt",
            stage=Cycle.Stage.DONE, learning="Shorter worked better.",
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/spread/{proven_candidate.pk}/").content.decode()
    assert page.count("Shorter worked better.") >= 10


def test_the_ramp_shows_adapted_and_abandoned_versions(proven_candidate, qi):
    idea = proven_candidate.change_idea
    CycleFactory(
        project=idea.project, change_idea=idea, number=8, stage=Cycle.Stage.DONE,
        decision="abandon", learning="A huddle at the desk was drowned out by the phones.",
    )  # fmt: skip

    page = _client(qi).get(f"/spread/{proven_candidate.pk}/").content.decode()

    assert "drowned out by the phones" in page and "Abandon" in page


def test_the_wards_that_could_adopt_come_ranked_with_their_reasons(approved, ward10, qi):
    page = _client(qi).get(f"/spread/{approved.pk}/wards/").content.decode()

    assert "Ward 10 Elderly Care" in page
    assert "Same specialty: elderly care; same kind of unit: ward; measures Inpatient falls" in page


def test_the_qi_team_sets_targets_with_a_date(approved, ward10, qi):
    due = timezone.localdate() + timedelta(days=60)

    response = _client(qi).post(
        f"/spread/{approved.pk}/wards/",
        {"action": "target", "units": [ward10.pk], "due_by": due.isoformat()},
    )

    assert response.status_code == 302
    target = SpreadTarget.objects.get(candidate=approved, unit=ward10)
    assert (target.due_by, target.targeted_by) == (due, qi)


def test_a_target_in_the_past_is_refused_beside_the_date(approved, ward10, qi):
    response = _client(qi).post(
        f"/spread/{approved.pk}/wards/",
        {"action": "target", "units": [ward10.pk], "due_by": "2020-01-01"},
    )

    assert response.status_code == 400
    assert "The date must be today or later" in response.content.decode()
    assert not SpreadTarget.objects.exists()


def test_offering_a_change_tells_the_units_team_once(approved, ward10, qi, member):
    sister = member(Membership.Role.FRONTLINE)
    Membership.objects.filter(user=sister).update(home_unit=ward10)
    bystander = member(Membership.Role.FRONTLINE)
    client = _client(qi)

    client.post(f"/spread/{approved.pk}/wards/", {"offer": ward10.pk})
    client.post(f"/spread/{approved.pk}/wards/", {"offer": ward10.pk})

    offer = SpreadOffer.objects.get(candidate=approved, unit=ward10)
    told = Notification.objects.filter(kind=Kind.SPREAD_OFFER)
    assert list(told.values_list("recipient", flat=True)) == [sister.pk]
    assert told.get().link == f"/units/{ward10.pk}/#offered"
    assert offer.offered_by == qi and bystander.notifications.count() == 0


def test_only_the_qi_team_targets_or_offers(approved, ward10, nurse):
    response = _client(nurse).post(f"/spread/{approved.pk}/wards/", {"offer": ward10.pk})

    assert response.status_code == 403
    assert not SpreadOffer.objects.exists()


def test_reach_is_judged_by_the_origins_rule_and_summed_by_division(
    approved, ward10, qi, organisation
):
    division = UnitFactory(organisation=organisation, name="Medicine", level=Unit.Level.DIVISION)
    Unit.objects.filter(pk=ward10.pk).update(parent=division)
    Adoption.objects.create(candidate=approved, unit=ward10, status=Adoption.Status.TESTING)
    SpreadTarget.objects.create(candidate=approved, unit=ward10)

    page = _client(qi).get(f"/spread/{approved.pk}/reach/").content.decode()

    assert "Reach by division" in page and "Medicine" in page
    assert "0 of 1 targeted units adopted" in page


def test_adopting_from_the_ward_page_lands_on_the_new_prefilled_project(approved, ward10, member):
    sister = member(Membership.Role.FRONTLINE)
    Membership.objects.filter(user=sister).update(home_unit=ward10)
    client = _client(sister)
    page = client.get(f"/units/{ward10.pk}/").content.decode()
    assert "Adopt this on our ward" in page and "Falls huddle at handover" in page

    response = client.post(f"/spread/{approved.pk}/adopt/", {"unit": ward10.pk})

    adoption = Adoption.objects.get(candidate=approved, unit=ward10)
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{adoption.project_id}/"
    project = adoption.project
    assert project.unit == ward10 and "Ward 10 Elderly Care" in project.aim_statement
    assert project.cycles.get().title == "Adapt to our context"
    assert project.measures.filter(definition__name="Inpatient falls per 1,000 bed days").exists()


def test_taking_a_change_up_for_another_ward_is_refused_saying_who_may(approved, ward10, nurse):
    response = _client(nurse).post(f"/spread/{approved.pk}/adopt/", {"unit": ward10.pk})

    assert response.status_code == 403
    assert "Only the unit&#x27;s team" in response.content.decode()
    assert not Adoption.objects.exists()


def test_a_double_tap_on_adopt_makes_one_project(approved, ward10, member):
    sister = member(Membership.Role.FRONTLINE)
    Membership.objects.filter(user=sister).update(home_unit=ward10)
    client = _client(sister)

    for _ in range(2):
        response = client.post(
            f"/spread/{approved.pk}/adopt/", {"unit": ward10.pk}, HTTP_IDEMPOTENCY_KEY="tap-1"
        )
        assert response.status_code == 302

    assert Project.objects.filter(unit=ward10).count() == 2  # its own, and the one made
    assert Adoption.objects.count() == 1


def test_the_ward_page_reads_in_a_fixed_number_of_queries(
    approved, ward10, member, organisation, django_assert_max_num_queries
):
    sister = member(Membership.Role.FRONTLINE)
    client = _client(sister)
    client.get(f"/units/{ward10.pk}/")
    with django_assert_max_num_queries(30) as few:
        client.get(f"/units/{ward10.pk}/")
    baseline = len(few.captured_queries)  # each request empties the query log
    for index in range(10):
        project = ProjectFactory(organisation=organisation, unit=ward10, title=f"More {index}")
        MeasureFactory(project=project, type="outcome")
    client.get(f"/units/{ward10.pk}/")  # the new measures' SPC readings are cached now
    with django_assert_max_num_queries(baseline):
        assert client.get(f"/units/{ward10.pk}/").content.decode().count("More ") >= 10


def test_my_ward_opens_the_home_unit(member, ward):
    nurse = member(Membership.Role.FRONTLINE)

    assert _client(nurse).get("/units/mine/")["Location"] == f"/units/{ward.pk}/"


def test_the_package_is_edited_through_the_service(approved, qi, falls):
    response = _client(qi).post(
        f"/spread/{approved.pk}/package/",
        {
            "summary": "A two-minute huddle.",
            "how_to": "Huddle at every handover.",
            "resources": "A huddle card.",
            "measure_definitions": [falls.pk],
            "tips": "Let the nurse in charge lead.",
            "pitfalls": "At the desk the phones drown it out.",
        },
    )

    assert response.status_code == 302
    package = approved.package
    package.refresh_from_db()
    assert (package.resources, package.tips) == ("A huddle card.", "Let the nurse in charge lead.")
    assert list(package.measure_definitions.all()) == [falls]
    assert package.history.first().history_user == qi


def test_the_package_refuses_an_nhs_number(approved, qi):
    response = _client(qi).post(f"/spread/{approved.pk}/package/", {"tips": "Ask 943 476 5919"})

    assert response.status_code == 400
    assert "NHS number" in response.content.decode()


def test_someone_off_the_team_may_not_edit_the_package(approved, member):
    outsider = member(Membership.Role.FRONTLINE)

    assert _client(outsider).get(f"/spread/{approved.pk}/package/").status_code == 403


def test_a_nominated_change_drafts_its_pitfalls_from_what_the_ramp_gave_up(
    origin_project, nurse, cycle_in_act, decide
):
    idea = ChangeIdeaFactory(project=origin_project, title="Bay watch at night")
    CycleFactory(
        project=origin_project, change_idea=idea, number=1, stage=Cycle.Stage.DONE,
        decision="adapt", learning="One person cannot watch two bays.",
    )  # fmt: skip
    decide(cycle_in_act(idea), nurse)
    idea.refresh_from_db()

    candidate = candidate_nominate(by=nurse, change_idea=idea)

    assert "Cycle 1: One person cannot watch two bays." in candidate.package.pitfalls


def test_the_frontline_see_approved_changes_but_not_the_review(approved, early_promise, member):
    reader = _client(member(Membership.Role.FRONTLINE))

    page = reader.get("/spread/").content.decode()

    assert "Falls huddle at handover" in page and "Bedside safety brief" not in page
    assert reader.get(f"/spread/{early_promise.pk}/").status_code == 404


def test_an_organisation_without_falls_data_still_gets_a_ward_page(member, organisation):
    unit = UnitFactory(organisation=organisation, name="Estates", kind="estates")
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation, role="frontline", home_unit=unit)
    ProjectMemberFactory(
        project=ProjectFactory(organisation=organisation, unit=unit, title="Repairs"), user=user
    )

    page = _client(user).get(f"/units/{unit.pk}/").content.decode()

    assert "Repairs" in page and "None yet." in page
