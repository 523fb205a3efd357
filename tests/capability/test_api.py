"""The capability API: scoped reads, idempotent creates, ETags on writes, one error shape."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from capability import services
from capability.levels import Level
from capability.models import Course, Headcount, Person, TrainingRecord
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
CSV = "email,unit,course,completed_on\nann@trust.example,Theatres,Practitioner course,2026-01-02\n"


def test_a_course_created_twice_with_one_key_is_made_once(trust, api):
    client = api(trust.qi)
    body = {
        "organisation": trust.organisation.pk,
        "name": "Improvement in a day",
        "level": "foundation",
    }

    first = client.post("/api/v1/capability/courses/", body, HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post("/api/v1/capability/courses/", body, HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Course.objects.filter(name="Improvement in a day").count() == 1


def test_a_stale_course_edit_is_refused_with_412(trust, api):
    client = api(trust.qi)
    course = trust.courses[Level.FOUNDATION]
    url = f"/api/v1/capability/courses/{course.pk}/"
    etag = client.get(url)["ETag"]

    first = client.patch(url, {"provider": "Academy"}, HTTP_IF_MATCH=etag)
    stale = client.patch(url, {"provider": "Other"}, HTTP_IF_MATCH=etag)

    assert first.status_code == 200 and first["ETag"] != etag
    assert stale.status_code == 412 and stale.json()["code"] == "stale"


def test_people_are_read_by_the_qi_team_and_by_themselves_only(trust, api):
    PersonFactory(organisation=trust.organisation)
    mine = services.person_ensure(user=trust.nurse, organisation=trust.organisation)
    elsewhere = PersonFactory(organisation=OrganisationFactory())

    by_qi = api(trust.qi).get("/api/v1/capability/people/").json()
    by_nurse = api(trust.nurse).get("/api/v1/capability/people/").json()
    stranger = api(trust.qi).get(f"/api/v1/capability/people/{elsewhere.pk}/")

    assert by_qi["count"] == 2
    assert [p["id"] for p in by_nurse["results"]] == [mine.pk]
    assert stranger.status_code == 404


def test_the_qi_team_sets_a_level_with_a_reason_and_if_match(trust, api):
    client = api(trust.qi)
    person = PersonFactory(organisation=trust.organisation)
    url = f"/api/v1/capability/people/{person.pk}/"
    etag = client.get(url)["ETag"]

    no_reason = client.post(f"{url}level/", {"level": "expert"}, HTTP_IF_MATCH=etag)
    done = client.post(f"{url}level/", {"level": "expert", "reason": "Peers."}, HTTP_IF_MATCH=etag)
    stale = client.post(f"{url}level/", {"level": "", "reason": "Oops."}, HTTP_IF_MATCH=etag)
    history = client.get(f"{url}history/").json()

    assert no_reason.status_code == 400 and no_reason.json()["errors"][0]["field"] == "reason"
    assert done.status_code == 200 and done.json()["level"] == "expert"
    assert stale.status_code == 412
    assert history["results"][0]["reason"] == "Level set to Expert: Peers."


def test_a_person_adds_their_own_course_with_a_file_for_approval(trust, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api(trust.nurse)
    body = {
        "course": trust.courses[Level.PRACTITIONER].pk,
        "completed_on": "2026-02-01",
        "evidence_file": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 certificate"),
    }

    made = client.post("/api/v1/capability/records/", body, format="multipart")
    record_id = made.json()["id"]
    own = client.get(made.json()["evidence_file_url"])
    other = api(trust.coach).get(made.json()["evidence_file_url"])
    approved = api(trust.qi).post(f"/api/v1/capability/records/{record_id}/approve/")

    assert made.status_code == 201 and made.json()["status"] == "pending"
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF")
    assert other.status_code == 404
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Person.objects.get(user=trust.nurse).level == Level.PRACTITIONER


def test_an_import_with_bad_rows_answers_400_naming_each_row_and_saves_nothing(trust, api):
    client = api(trust.qi)
    bad = CSV + "bo@trust.example,Nowhere,Practitioner course,yesterday\n"

    refused = client.post(
        "/api/v1/capability/records/import/", bad.encode(), content_type="text/csv"
    )
    good = client.post(
        "/api/v1/capability/records/import/",
        {"file": SimpleUploadedFile("hr.csv", CSV.encode())},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import-1",
    )
    replay = client.post(
        "/api/v1/capability/records/import/",
        {"file": SimpleUploadedFile("hr.csv", CSV.encode())},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="import-2",
    )

    body = refused.json()
    assert refused.status_code == 400 and body["code"] == "invalid"
    assert {e["field"] for e in body["errors"]} == {"row 3.unit", "row 3.completed_on"}
    assert good.status_code == 201 and good.json()["records_added"] == 1
    assert replay.json()["records_unchanged"] == 1
    assert TrainingRecord.objects.count() == 1


def test_only_the_qi_team_imports_and_the_refusal_says_who_can(trust, api):
    refused = api(trust.leader).post(
        "/api/v1/capability/records/import/", CSV.encode(), content_type="text/csv"
    )

    assert refused.status_code == 403
    assert refused.json()["message"].startswith("Only the QI team or an administrator can")


def test_the_pyramid_answers_the_readers_and_refuses_frontline_staff(trust, api):
    services.headcount_set(by=trust.qi, unit=trust.units["Theatres"], staff=240)

    pyramid = api(trust.leader).get("/api/v1/capability/pyramid/")
    refused = api(trust.nurse).get("/api/v1/capability/pyramid/")

    surgery = next(d for d in pyramid.json()["divisions"] if d["name"] == "Surgery")
    assert pyramid.status_code == 200 and "ETag" in pyramid
    assert surgery["words"].startswith("Surgery needs 120 more people with foundation training")
    assert len(pyramid.json()["per_quarter"]) == 8
    assert refused.status_code == 403 and "leaders" in refused.json()["message"]


def test_the_targets_change_with_if_match_and_refuse_a_wider_top(trust, api):
    client = api(trust.qi)
    url = f"/api/v1/capability/targets/{trust.organisation.pk}/"
    services.headcount_set(by=trust.qi, unit=trust.units["Ward A"], staff=1000)
    read = client.get(url)

    wider = client.put(url, {"expert": "10"}, HTTP_IF_MATCH=read["ETag"])
    saved = client.put(url, {"practitioner": "8"}, HTTP_IF_MATCH=read["ETag"])
    stale = client.put(url, {"practitioner": "9"}, HTTP_IF_MATCH=read["ETag"])
    by_leader = api(trust.leader).put(url, {"practitioner": "9"})

    assert read.json()["targets"] == {
        "foundation": 500,
        "practitioner": 50,
        "advanced": 5,
        "expert": 1,
    }
    assert wider.status_code == 400 and wider.json()["errors"][0]["field"] == "expert"
    assert saved.status_code == 200 and saved.json()["targets"]["practitioner"] == 80
    assert stale.status_code == 412
    assert by_leader.status_code == 403


def test_headcounts_are_set_and_a_second_for_the_same_place_is_refused(trust, api):
    client = api(trust.qi)

    made = client.post(
        "/api/v1/capability/headcounts/", {"unit": trust.units["Medicine"].pk, "staff": 400}
    )
    below = client.post(
        "/api/v1/capability/headcounts/", {"unit": trust.units["Ward A"].pk, "staff": 40}
    )

    assert made.status_code == 201
    assert below.status_code == 400 and below.json()["errors"][0]["field"] == "unit"
    assert Headcount.objects.count() == 1


def test_a_patch_without_staff_keeps_the_headcount_and_no_assessment_is_put(trust, api):
    client = api(trust.qi)
    made = client.post(
        "/api/v1/capability/headcounts/", {"unit": trust.units["Medicine"].pk, "staff": 400}
    )
    url = f"/api/v1/capability/headcounts/{made.json()['id']}/"

    patched = client.patch(url, {}, format="json")

    assert patched.status_code == 200, patched.content
    assert patched.json()["staff"] == 400
    assert client.put("/api/v1/assessments/1/", {}, format="json").status_code in {404, 405}


def test_the_directory_and_partner_involvement_read_the_organisation(trust, api):
    PersonFactory(organisation=trust.organisation, level=Level.ADVANCED, full_name="Ada")

    directory = api(trust.nurse).get("/api/v1/capability/directory/?level=practitioner")
    bad = api(trust.nurse).get("/api/v1/capability/directory/?level=grandmaster")
    involvement = api(trust.coach).get("/api/v1/capability/partner-involvement/")

    assert [p["full_name"] for p in directory.json()["results"]] == ["Ada"]
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "level"
    assert involvement.status_code == 200 and involvement.json()["whole"]["projects"] == 0


def test_a_leader_records_a_story_once_whatever_the_retries(trust, api):
    client = api(trust.leader)
    body = {
        "organisation": trust.organisation.pk,
        "kind": "story",
        "happened_on": str(date(2026, 3, 1)),
        "learned": "A carer's story about waiting.",
    }

    first = client.post("/api/v1/capability/engagements/", body, HTTP_IDEMPOTENCY_KEY="e1")
    client.post("/api/v1/capability/engagements/", body, HTTP_IDEMPOTENCY_KEY="e1")
    nhs = client.post("/api/v1/capability/engagements/", {**body, "learned": "943 476 5919"})

    assert first.status_code == 201 and first.json()["leader"] == trust.leader.pk
    assert client.get("/api/v1/capability/engagements/").json()["count"] == 1
    assert nhs.status_code == 400 and nhs.json()["errors"][0]["code"] == "nhs_number"


def test_another_organisations_member_sees_none_of_it(trust, api):
    outsider = UserFactory()
    MembershipFactory(user=outsider, organisation=OrganisationFactory(), role="qi_team")

    courses = api(outsider).get("/api/v1/capability/courses/").json()
    pyramid = api(outsider).get(f"/api/v1/capability/pyramid/?organisation={trust.organisation.pk}")

    assert courses["count"] == 0
    assert pyramid.status_code == 404


@pytest.mark.parametrize("email", ["\u212aate@trust.example", "Ann@trust.example"])
def test_a_person_added_twice_is_refused_by_their_e_mail_whatever_its_letters(trust, api, email):
    # The Kelvin sign passes for a "K" and is stored as "k", which PostgreSQL's UPPER does
    # not match back to it: the repeat is found by the address as stored.
    client = api(trust.qi)
    body = {"organisation": trust.organisation.pk, "email": email, "full_name": "Ann"}

    first = client.post("/api/v1/capability/people/", body)
    again = client.post("/api/v1/capability/people/", body)

    assert first.status_code == 201
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "email"
    assert Person.objects.filter(organisation=trust.organisation).count() == 1


@pytest.fixture
def moved_record(trust) -> Person:
    """The nurse's training record, made before their address changed to a new one."""
    record = services.person_ensure(user=trust.nurse, organisation=trust.organisation)
    trust.nurse.email = "new.address@trust.example"
    trust.nurse.save()
    return record


def test_a_member_whose_address_changed_is_not_linked_to_a_second_record(trust, api, moved_record):
    made = api(trust.qi).post(
        "/api/v1/capability/people/",
        {"organisation": trust.organisation.pk, "email": "New.Address@trust.example"},
    )

    assert made.status_code == 201 and made.json()["user"] is None
    assert Person.objects.get(user=trust.nurse) == moved_record


def test_an_import_naming_a_member_whose_address_changed_starts_a_record_of_its_own(
    trust, api, moved_record
):
    imported = api(trust.qi).post(
        "/api/v1/capability/records/import/",
        CSV.replace("ann@trust.example", "new.address@trust.example").encode(),
        content_type="text/csv",
    )

    assert imported.status_code == 201, imported.json()
    assert Person.objects.get(user=trust.nurse) == moved_record


def test_a_level_nobody_set_by_hand_says_so_with_null(trust, api):
    person = PersonFactory(organisation=trust.organisation)

    read = api(trust.qi).get(f"/api/v1/capability/people/{person.pk}/").json()

    assert read["set_by"] is None


def test_a_person_added_unlisted_stays_out_of_the_directory(trust, api):
    made = api(trust.qi).post(
        "/api/v1/capability/people/",
        {"organisation": trust.organisation.pk, "email": "quiet@trust.example", "listed": False},
    )

    assert made.status_code == 201, made.json()
    assert made.json()["listed"] is False
    assert Person.objects.get(email="quiet@trust.example").listed is False
