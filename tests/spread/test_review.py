"""Nomination by hand, and the QI team's review: approve (proven only), decline (with a
reason), retire; who may do what; who sees what."""

from __future__ import annotations

import pytest

from backend.models import Membership
from spread.models import SpreadCandidate
from tests.factories import ChangeIdeaFactory, ProjectFactory, ProjectMemberFactory
from tests.spread.conftest import BASELINE, SHIFTED, UNCHANGED, add_data, month

pytestmark = pytest.mark.django_db

CANDIDATES = "/api/v1/spread/candidates/"


@pytest.fixture
def early_promise(falls_measure, idea, nurse, cycle_in_act, decide, api) -> SpreadCandidate:
    """Ward 7 adopted the huddle but falls have not moved (yet): nominated by hand."""
    add_data(falls_measure, BASELINE + UNCHANGED[:6])
    decide(cycle_in_act(idea, [falls_measure]), nurse)
    response = api(nurse).post(
        CANDIDATES, {"change_idea": idea.pk, "note": "Staff love it."}, format="json"
    )
    assert response.status_code == 201, response.json()
    return SpreadCandidate.objects.get(pk=response.json()["id"])


def test_a_hand_nomination_without_a_signal_is_early_promise(early_promise, nurse):
    assert early_promise.origin == SpreadCandidate.Origin.NOMINATED
    assert early_promise.evidence_strength == SpreadCandidate.EvidenceStrength.EARLY_PROMISE
    assert early_promise.nominated_by == nurse
    assert early_promise.nomination_note == "Staff love it."
    checked = early_promise.evidence["measures_checked"]
    assert checked[0]["proven"] is False
    assert "no special-cause improvement" in checked[0]["summary"]


def test_a_hand_nomination_with_a_signal_is_proven(falls_measure, idea, nurse, cycle_in_act, api):
    add_data(falls_measure, BASELINE + SHIFTED)
    cycle_in_act(idea, [falls_measure], stage="done", decision="adopt")
    idea.status = "adopted"
    idea.save()

    response = api(nurse).post(CANDIDATES, {"change_idea": idea.pk}, format="json")

    assert response.status_code == 201
    assert response.json()["evidence_strength"] == "proven"
    assert response.json()["evidence"]["rules"] == ["shift", "two_in_three"]


def test_nominating_an_idea_not_yet_adopted_is_refused(idea, nurse, api):
    response = api(nurse).post(CANDIDATES, {"change_idea": idea.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "change_idea"
    assert "adopted" in response.json()["message"]


def test_nominating_someone_elses_change_is_forbidden(idea, member, api):
    idea.status = "adopted"
    idea.save()
    outsider = member(Membership.Role.FRONTLINE)

    response = api(outsider).post(CANDIDATES, {"change_idea": idea.pk}, format="json")

    assert response.status_code == 403


def test_the_projects_coach_may_nominate(idea, member, api):
    idea.status = "adopted"
    idea.save()
    coach = member(Membership.Role.COACH)
    ProjectMemberFactory(project=idea.project, user=coach, role="coach")

    response = api(coach).post(CANDIDATES, {"change_idea": idea.pk}, format="json")

    assert response.status_code == 201


def test_a_retried_nomination_creates_one_candidate(idea, nurse, api):
    idea.status = "adopted"
    idea.save()
    client = api(nurse)
    first = client.post(
        CANDIDATES, {"change_idea": idea.pk}, format="json", HTTP_IDEMPOTENCY_KEY="nominate-1"
    )
    again = client.post(
        CANDIDATES, {"change_idea": idea.pk}, format="json", HTTP_IDEMPOTENCY_KEY="nominate-1"
    )

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert SpreadCandidate.objects.count() == 1


def test_the_qi_team_approves_a_proven_candidate_with_its_package(proven_candidate, qi, api):
    client = api(qi)
    url = f"{CANDIDATES}{proven_candidate.pk}/"
    assert client.post(f"{url}review/").json()["status"] == "under_review"

    response = client.post(
        f"{url}approve/",
        {"package": {"how_to": "Five minutes at 07:30 and 19:30.", "context_notes": "28 beds"}},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved"
    assert body["reviewed_by"]["email"] == "qi@example.org"
    assert body["approved_at"]
    package = body["package"]
    assert package["how_to"] == "Five minutes at 07:30 and 19:30."
    assert package["summary"].startswith("A two-minute huddle")
    assert package["context_specialty"] == "elderly care"
    assert package["context_unit_kind"] == "ward"
    assert (
        package["chart_link"]
        == f"/api/v1/measures/{proven_candidate.evidence_measure_id}/chart.svg"
    )
    assert len(package["cycles"]) == 1


def test_early_promise_cannot_be_approved_as_proven(early_promise, qi, api):
    response = api(qi).post(f"{CANDIDATES}{early_promise.pk}/approve/")

    assert response.status_code == 400
    assert response.json()["code"] == "early_promise"
    assert "cannot be approved as proven" in response.json()["message"]
    early_promise.refresh_from_db()
    assert early_promise.status == SpreadCandidate.Status.PROPOSED


def test_early_promise_is_approved_once_its_data_show_the_signal(
    early_promise, falls_measure, qi, api
):
    add_data(falls_measure, SHIFTED, start=18)

    response = api(qi).post(f"{CANDIDATES}{early_promise.pk}/approve/")

    assert response.status_code == 200, response.json()
    assert response.json()["evidence_strength"] == "proven"
    assert response.json()["evidence"]["signal_started"] >= month(17).isoformat()


def test_refreshing_the_evidence_upgrades_early_promise(early_promise, falls_measure, nurse, api):
    add_data(falls_measure, SHIFTED, start=18)

    response = api(nurse).post(f"{CANDIDATES}{early_promise.pk}/refresh-evidence/")

    assert response.status_code == 200
    assert response.json()["evidence_strength"] == "proven"


def test_declining_needs_a_reason(proven_candidate, qi, api):
    response = api(qi).post(f"{CANDIDATES}{proven_candidate.pk}/decline/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"


def test_declining_with_a_reason_keeps_it(proven_candidate, qi, api):
    response = api(qi).post(
        f"{CANDIDATES}{proven_candidate.pk}/decline/",
        {"reason": "Ward 7 has twice the staffing of other wards."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["decline_reason"] == "Ward 7 has twice the staffing of other wards."


def test_a_declined_change_can_be_nominated_again(proven_candidate, qi, nurse, api):
    api(qi).post(f"{CANDIDATES}{proven_candidate.pk}/decline/", {"reason": "Not yet."})

    response = api(nurse).post(
        CANDIDATES, {"change_idea": proven_candidate.change_idea_id}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["id"] == proven_candidate.pk
    assert response.json()["status"] == "proposed"
    assert response.json()["decline_reason"] == ""


def test_only_an_approved_candidate_retires(proven_candidate, qi, api):
    client = api(qi)
    url = f"{CANDIDATES}{proven_candidate.pk}/"
    assert client.post(f"{url}retire/").status_code == 400
    client.post(f"{url}approve/")

    response = client.post(f"{url}retire/", {"reason": "Now standard practice trust-wide."})

    assert response.json()["status"] == "retired"


@pytest.mark.parametrize("action", ["review", "approve", "decline", "retire"])
def test_only_the_qi_team_reviews(proven_candidate, nurse, member, api, action):
    coach = member(Membership.Role.COACH)
    ProjectMemberFactory(project=proven_candidate.origin_project, user=coach, role="coach")
    for user in (nurse, coach):
        response = api(user).post(
            f"{CANDIDATES}{proven_candidate.pk}/{action}/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 403


def test_a_stale_if_match_is_refused(proven_candidate, qi, api):
    client = api(qi)
    url = f"{CANDIDATES}{proven_candidate.pk}/"
    etag = client.get(url)["ETag"]
    client.post(f"{url}review/", HTTP_IF_MATCH=etag)

    response = client.post(f"{url}approve/", HTTP_IF_MATCH=etag)

    assert response.status_code == 412


def test_another_organisations_candidate_is_not_found(
    proven_candidate, member, api, other_organisation
):
    stranger = member(Membership.Role.QI_TEAM, org=other_organisation)
    client = api(stranger)

    assert client.get(f"{CANDIDATES}{proven_candidate.pk}/").status_code == 404
    assert client.post(f"{CANDIDATES}{proven_candidate.pk}/approve/").status_code == 404
    assert client.get(f"{CANDIDATES}{proven_candidate.pk}/opportunities/").status_code == 404
    assert client.get(CANDIDATES).json()["count"] == 0


def test_frontline_staff_see_approved_candidates_and_their_own(
    proven_candidate, nurse, member, api, organisation, qi
):
    other_idea = ChangeIdeaFactory(
        project=ProjectFactory(organisation=organisation), status="adopted"
    )
    other = SpreadCandidate.objects.create(
        organisation=organisation,
        change_idea=other_idea,
        origin_project=other_idea.project,
        origin_unit=other_idea.project.unit,
        origin="nominated",
        evidence_strength="early_promise",
    )
    porter = member(Membership.Role.FRONTLINE)

    assert api(porter).get(CANDIDATES).json()["count"] == 0
    assert api(nurse).get(CANDIDATES).json()["count"] == 1
    assert api(qi).get(CANDIDATES).json()["count"] == 2
    assert api(porter).get(f"{CANDIDATES}{other.pk}/").status_code == 404

    api(qi).post(f"{CANDIDATES}{proven_candidate.pk}/approve/")
    assert [c["id"] for c in api(porter).get(CANDIDATES).json()["results"]] == [proven_candidate.pk]


def test_the_history_says_who_approved(proven_candidate, qi, api):
    client = api(qi)
    client.post(f"{CANDIDATES}{proven_candidate.pk}/approve/")

    history = client.get(f"{CANDIDATES}{proven_candidate.pk}/history/").json()["results"]

    assert history[0]["who"]["email"] == "qi@example.org"
    assert {"field": "status", "old": "proposed", "new": "approved"} in history[0]["changes"]


def test_candidate_list_queries_do_not_grow_with_rows(
    proven_candidate, qi, api, organisation, django_assert_max_num_queries
):
    client = api(qi)
    client.get(CANDIDATES)
    with django_assert_max_num_queries(6) as one:
        client.get(CANDIDATES)
    for _ in range(30):
        idea = ChangeIdeaFactory(project=proven_candidate.origin_project, status="adopted")
        SpreadCandidate.objects.create(
            organisation=organisation,
            change_idea=idea,
            origin_project=idea.project,
            origin_unit=idea.project.unit,
            origin="nominated",
            evidence_strength="early_promise",
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(CANDIDATES).json()["count"] == 31


def test_free_text_with_an_nhs_number_is_refused(proven_candidate, qi, api):
    client = api(qi)
    url = f"{CANDIDATES}{proven_candidate.pk}/"

    declined = client.post(f"{url}decline/", {"reason": "See patient 943 476 5919."})
    approved = client.post(
        f"{url}approve/", {"package": {"how_to": "Ask 9434765919 how it went."}}, format="json"
    )

    assert declined.status_code == 400
    assert declined.json()["errors"][0]["field"] == "reason"
    assert approved.status_code == 400
    assert approved.json()["errors"][0]["field"] == "package.how_to"


def test_the_package_is_written_with_if_match(approved_candidate, qi, nurse, api, member):
    url = f"{CANDIDATES}{approved_candidate.pk}/package/"
    etag = api(qi).get(url)["ETag"]

    written = api(nurse).patch(
        url, {"context_notes": "Works with 28 beds."}, format="json", HTTP_IF_MATCH=etag
    )
    stale = api(qi).patch(url, {"how_to": "x"}, format="json", HTTP_IF_MATCH=etag)
    outsider = api(member(Membership.Role.FRONTLINE)).patch(url, {"how_to": "x"}, format="json")

    assert written.status_code == 200
    assert written.json()["context_notes"] == "Works with 28 beds."
    assert stale.status_code == 412
    assert outsider.status_code == 403


def test_a_long_decline_reason_is_kept_whole(proven_candidate, qi, api):
    reason = "Ward 7 has twice the staffing of the other wards. " * 6

    response = api(qi).post(f"{CANDIDATES}{proven_candidate.pk}/decline/", {"reason": reason})

    assert response.status_code == 200
    assert response.json()["decline_reason"] == reason.strip()
    assert proven_candidate.history.first().history_change_reason == reason.strip()
