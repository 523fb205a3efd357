"""The yearly self-assessment: starting a year's, answering, agreeing and reopening it,
comparing years, and who may read and write it (services, API and pages)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from assessment import services
from assessment.models import Answer, Assessment
from assessment.pages import current_year
from backend.errors import ApplicationError
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
YEAR = current_year()


@pytest.fixture
def this_year(trust) -> Assessment:
    return services.assessment_start(by=trust.qi, organisation=trust.organisation, year=YEAR)


@pytest.fixture
def last_year(trust) -> Assessment:
    last = services.assessment_start(
        by=trust.qi,
        organisation=trust.organisation,
        year=YEAR - 1,
        as_of=timezone.localdate() - timedelta(days=365),
    )
    for answer in last.answers.all():
        services.answer_update(by=trust.qi, answer=answer, rating=2, narrative="Early days.")
    return services.assessment_agree(by=trust.leader, assessment=last)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_new_assessment_has_every_key_test_and_the_evidence_ripple_holds(this_year):
    answers = {answer.code: answer for answer in this_year.answers.all()}

    assert len(answers) == 21
    assert sum(1 for a in answers.values() if a.evidence) == 13
    assert answers["C3"].evidence["source"]["url"] == "/capability/"
    assert answers["C3"].evidence["as_of"] == timezone.localdate().isoformat()
    assert answers["L3"].evidence is None and answers["L3"].evidence_at is None


def test_one_assessment_a_year(trust, this_year):
    with pytest.raises(ApplicationError) as refused:
        services.assessment_start(by=trust.qi, organisation=trust.organisation, year=YEAR)

    assert refused.value.field == "year" and refused.value.code == "duplicate"


def test_leaders_and_the_qi_team_write_and_everyone_else_reads(trust, this_year):
    answer = this_year.answers.get(code="V1")

    services.answer_update(by=trust.leader, answer=answer, rating=3, narrative="Known widely.")
    with pytest.raises(ApplicationError) as refused:
        services.answer_update(by=trust.nurse, answer=answer, rating=5)

    assert refused.value.status_code == 403
    assert "Only the QI team, leaders and administrators can" in refused.value.message
    assert Answer.objects.get(pk=answer.pk).history.first().history_user == trust.leader


def test_links_are_read_one_a_line_and_bad_ones_named():
    links = services.parse_links(
        "Quality strategy 2025 https://intranet.example/strategy.pdf\n\n"
        "https://intranet.example/board-minutes\n"
    )

    with pytest.raises(Exception) as refused:
        services.parse_links("The minutes, on the shared drive")

    assert links == [
        {"title": "Quality strategy 2025", "url": "https://intranet.example/strategy.pdf"},
        {
            "title": "https://intranet.example/board-minutes",
            "url": "https://intranet.example/board-minutes",
        },
    ]
    assert "Line 1 has no web address" in str(refused.value)


def test_an_assessment_is_agreed_only_when_every_test_is_rated_and_then_it_is_kept(
    trust, this_year
):
    with pytest.raises(ApplicationError) as unrated:
        services.assessment_agree(by=trust.qi, assessment=this_year)
    for answer in this_year.answers.all():
        services.answer_update(by=trust.qi, answer=answer, rating=3)
    agreed = services.assessment_agree(by=trust.qi, assessment=this_year)
    frozen = agreed.answers.get(code="C3").evidence_at

    with pytest.raises(ApplicationError) as locked:
        services.answer_update(by=trust.qi, answer=agreed.answers.get(code="V1"), rating=4)
    with pytest.raises(ApplicationError) as refresh:
        services.evidence_refresh(by=trust.qi, assessment=agreed)
    reopened = services.assessment_reopen(by=trust.qi, assessment=agreed, reason="Board asked.")

    assert "not rated yet" in unrated.value.message
    assert locked.value.code == refresh.value.code == "agreed"
    assert agreed.answers.get(code="C3").evidence_at == frozen
    assert reopened.is_draft and reopened.history.first().history_change_reason == (
        "Reopened: Board asked."
    )


def test_the_evidence_is_computed_again_for_a_draft(trust, this_year):
    from capability import services as capability

    capability.headcount_set(by=trust.qi, unit=trust.units["Ward A"], staff=200)

    services.evidence_refresh(by=trust.qi, assessment=this_year)

    c3 = this_year.answers.get(code="C3").evidence
    assert {f["label"]: f["value"] for f in c3["figures"]}["Headcount"] == 200


def test_the_api_compares_a_year_with_the_one_before(trust, this_year, last_year, api):
    services.answer_update(by=trust.qi, answer=this_year.answers.get(code="C1"), rating=4)

    compared = api(trust.nurse).get(f"/api/v1/assessments/{this_year.pk}/compare/").json()

    c1 = next(line for line in compared["lines"] if line["code"] == "C1")
    assert compared["compared_with"] == YEAR - 1
    assert (c1["rating"], c1["rating_before"], c1["movement"]) == (4, 2, "2 steps up")
    assert {d["key"]: d["average_before"] for d in compared["domains"]}["capability"] == 2.0
    assert all("before" in figure for figure in c1["figures"])


def test_the_api_answers_with_an_etag_and_refuses_a_stale_write(trust, this_year, api):
    client = api(trust.qi)
    url = f"/api/v1/assessments/{this_year.pk}/answers/O1/"
    etag = client.get(url)["ETag"]

    saved = client.patch(
        url,
        {"rating": 4, "links": [{"title": "Plan", "url": "https://x.example/p"}]},
        HTTP_IF_MATCH=etag,
    )
    stale = client.patch(url, {"rating": 5}, HTTP_IF_MATCH=etag)
    off_scale = client.patch(url, {"rating": 9})
    by_nurse = api(trust.nurse).patch(url, {"rating": 5})

    assert saved.status_code == 200 and saved.json()["rating_label"] == "4: Established"
    assert stale.status_code == 412
    assert off_scale.status_code == 400 and off_scale.json()["errors"][0]["field"] == "rating"
    assert by_nurse.status_code == 403


def test_the_api_starts_a_year_once_whatever_the_retries(trust, api):
    client = api(trust.qi)
    body = {"organisation": trust.organisation.pk, "year": YEAR}

    first = client.post("/api/v1/assessments/", body, HTTP_IDEMPOTENCY_KEY="start-1")
    again = client.post("/api/v1/assessments/", body, HTTP_IDEMPOTENCY_KEY="start-1")
    other_key = client.post("/api/v1/assessments/", body, HTTP_IDEMPOTENCY_KEY="start-2")

    assert first.status_code == again.status_code == 201 and "ETag" in first
    assert len(first.json()["answers"]) == 21
    assert other_key.status_code == 400 and other_key.json()["errors"][0]["field"] == "year"


def test_another_organisation_sees_nothing(trust, this_year, api):
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role="leader")

    assert api(outsider).get(f"/api/v1/assessments/{this_year.pk}/").status_code == 404
    assert _client(outsider).get(f"/assessment/{YEAR}/").status_code == 404


def test_everyone_in_the_organisation_reads_the_page_and_compares_years(
    trust, this_year, last_year
):
    page = _client(trust.nurse).get(f"/assessment/{YEAR}/").content.decode()

    assert f"Self-assessment {this_year.label}" in page
    assert "From Ripple's data" in page
    assert f"{last_year.label}: 2: Emerging" in page
    assert "Answer V1" not in page  # a nurse reads, does not edit


def test_the_answer_page_saves_and_refuses_a_write_from_an_older_copy(trust, this_year):
    client = _client(trust.qi)
    url = f"/assessment/{YEAR}/S2/"
    opened = client.get(url).context["form"]["version"].value()

    saved = client.post(
        url, {"rating": "2", "narrative": "We asked HR.", "links": "", "version": opened}
    )
    stale = client.post(
        url, {"rating": "4", "narrative": "Older copy.", "links": "", "version": opened}
    )
    bad_link = client.post(url, {"rating": "2", "links": "minutes on the drive"})

    assert saved.status_code == 302
    assert stale.status_code == 400 and "Someone else saved this answer" in stale.content.decode()
    assert bad_link.status_code == 400 and "Line 1 has no web address" in bad_link.content.decode()
    assert this_year.answers.get(code="S2").narrative == "We asked HR."


def test_a_nurse_cannot_open_the_answer_form(trust, this_year):
    response = _client(trust.nurse).get(f"/assessment/{YEAR}/S2/")

    assert response.status_code == 403


def test_the_page_reads_in_the_same_queries_however_much_is_written(
    trust, this_year, last_year, django_assert_max_num_queries
):
    client = _client(trust.leader)
    client.get(f"/assessment/{YEAR}/")
    with django_assert_max_num_queries(25) as few:
        client.get(f"/assessment/{YEAR}/")
    for answer in this_year.answers.all():
        services.answer_update(
            by=trust.qi,
            answer=answer,
            rating=3,
            narrative="More words. " * 50,
            links=[{"title": f"Link {i}", "url": f"https://x.example/{i}"} for i in range(5)],
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/assessment/{YEAR}/").status_code == 200


def test_the_etag_of_a_read_is_the_one_a_refresh_needs(trust, this_year, api):
    client = api(trust.qi)
    url = f"/api/v1/assessments/{this_year.pk}/"
    etag = client.get(url)["ETag"]

    refreshed = client.post(f"{url}refresh/", HTTP_IF_MATCH=etag)
    stale = client.post(f"{url}refresh/", HTTP_IF_MATCH='"not-it"')

    assert refreshed.status_code == 200 and stale.status_code == 412
