"""Capability's pages on the server side: who may open what, forms and their refusals,
and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from capability import services
from capability.levels import Level
from capability.models import Headcount, Person, TrainingRecord
from tests.factories import PersonFactory, TrainingRecordFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        ("qi", "/capability/", 200),
        ("leader", "/capability/", 200),
        ("coach", "/capability/", 200),
        ("nurse", "/capability/", 403),
        ("nurse", "/capability/me/", 200),
        ("nurse", "/capability/directory/", 200),
        ("leader", "/capability/records/", 403),
        ("qi", "/capability/records/", 200),
        ("qi", "/capability/records/import/", 200),
        ("qi", "/capability/approvals/", 200),
        ("qi", "/capability/courses/", 200),
        ("qi", "/capability/targets/", 200),
        ("leader", "/capability/targets/", 403),
        ("leader", "/capability/engagement/", 200),
        ("nurse", "/capability/engagement/", 403),
        ("coach", "/capability/partners/", 200),
    ],
)
def test_each_page_opens_for_those_who_may_use_it(trust, who, path, status):
    response = _client(getattr(trust, who)).get(path)

    assert response.status_code == status
    if status == 403:
        assert b"Only the QI team" in response.content


def test_a_page_refused_as_a_whole_says_who_can(trust):
    response = _client(trust.nurse).get("/capability/")

    assert "Only the QI team, leaders, coaches and administrators can" in response.content.decode()


def test_importing_a_file_with_a_bad_row_saves_nothing_and_names_it(trust):
    text = (
        "email,unit,course,completed_on\n"
        "ann@trust.example,Ward A,Foundation course,2026-01-02\n"
        "bo@trust.example,Ward A,Basket weaving,2026-01-02\n"
    )

    response = _client(trust.qi).post(
        "/capability/records/import/", {"file": SimpleUploadedFile("hr.csv", text.encode())}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Row 3: there is no course called &#x27;Basket weaving&#x27; in the catalogue." in page
    assert Person.objects.count() == TrainingRecord.objects.count() == 0


def test_the_template_file_imports_as_it_comes(trust):
    client = _client(trust.qi)
    template = client.get("/capability/records/template.csv")
    assert template.status_code == 200

    response = client.post(
        "/capability/records/import/",
        {"file": SimpleUploadedFile("template.csv", template.content)},
        follow=True,
    )

    assert "Imported 1 row: 1 record added" in response.content.decode()
    assert TrainingRecord.objects.get().person.email == "sam.jones@example.nhs.uk"


def test_importing_a_good_file_says_what_it_did(trust):
    text = "email,unit,course,completed_on\nann@trust.example,Ward A,Foundation course,2026-01-02\n"

    response = _client(trust.qi).post(
        "/capability/records/import/",
        {"file": SimpleUploadedFile("hr.csv", text.encode())},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/capability/records/"
    assert "Imported 1 row: 1 record added, 0 already there, 1 new person" in (
        response.content.decode()
    )


def test_a_person_adds_a_course_and_the_qi_team_approves_it_from_the_list(trust):
    nurse = _client(trust.nurse)
    nurse.post(
        "/capability/me/records/",
        {
            "course": trust.courses[Level.FOUNDATION].pk,
            "completed_on": "2026-02-03",
            "evidence_url": "learning.example.nhs.uk/cert/9",
        },
    )
    record = TrainingRecord.objects.get()

    approvals = _client(trust.qi).get("/capability/approvals/").content.decode()
    done = _client(trust.qi).post(
        f"/capability/records/{record.pk}/approve/", HTTP_IDEMPOTENCY_KEY="tap-1"
    )
    twice = _client(trust.qi).post(
        f"/capability/records/{record.pk}/approve/", HTTP_IDEMPOTENCY_KEY="tap-1"
    )

    record.refresh_from_db()
    assert record.evidence_url == "https://learning.example.nhs.uk/cert/9"
    assert "Foundation course" in approvals and record.person.full_name in approvals
    assert done.status_code == twice.status_code == 302
    assert record.status == "approved"


def test_a_decline_needs_a_reason(trust):
    person = services.person_ensure(user=trust.nurse, organisation=trust.organisation)
    record = TrainingRecordFactory(
        person=person, course=trust.courses[Level.EXPERT], status="pending", source="self"
    )

    blank = _client(trust.qi).post(f"/capability/records/{record.pk}/decline/", {"reason": ""})

    assert blank.status_code == 400 and "Say why you are declining it" in blank.content.decode()


def test_people_opt_out_of_the_directory(trust):
    services.person_ensure(user=trust.nurse, organisation=trust.organisation)
    Person.objects.filter(user=trust.nurse).update(level=Level.FOUNDATION, level_rank=1)

    _client(trust.nurse).post("/capability/me/listing/", {"listed": "no"})
    directory = _client(trust.coach).get("/capability/directory/").content.decode()

    assert Person.objects.get(user=trust.nurse).listed is False
    assert trust.nurse.email not in directory


def test_headcounts_counted_twice_are_refused_beside_the_unit_and_none_are_saved(trust):
    units = trust.units
    form = {
        f"unit_{units['Medicine'].pk}": "400",
        f"unit_{units['Ward A'].pk}": "100",
        f"unit_{units['HR'].pk}": "50",
    }

    refused = _client(trust.qi).post("/capability/targets/headcounts/", form)
    fixed = {k: v for k, v in form.items() if k != f"unit_{units['Ward A'].pk}"}
    saved = _client(trust.qi).post("/capability/targets/headcounts/", fixed)

    assert refused.status_code == 400
    assert "Medicine, has a headcount of its own" in refused.content.decode() or (
        "already has a headcount" in refused.content.decode()
    )
    assert saved.status_code == 302
    assert dict(Headcount.objects.values_list("unit__name", "staff")) == {"Medicine": 400, "HR": 50}


def test_a_leader_records_a_visit_from_the_page(trust):
    from tests.factories import ProjectFactory

    project = ProjectFactory(organisation=trust.organisation, title="Falls huddle")
    response = _client(trust.leader).post(
        "/capability/engagement/",
        {
            "kind": "visit",
            "happened_on": "2026-03-04",
            "project": project.pk,
            "learned": "Nights want the huddle too.",
        },
        follow=True,
    )

    assert "Nights want the huddle too." in response.content.decode()


def test_the_pyramid_page_reads_in_the_same_queries_for_more_people(
    trust, django_assert_max_num_queries
):
    client = _client(trust.qi)
    services.headcount_set(by=trust.qi, unit=trust.units["Ward A"], staff=100)
    for _ in range(2):
        TrainingRecordFactory(
            person=PersonFactory(
                organisation=trust.organisation, unit=trust.units["Ward A"], level=Level.FOUNDATION
            )
        )
    client.get("/capability/")
    with django_assert_max_num_queries(30) as few:
        client.get("/capability/")
    for i in range(60):
        person = PersonFactory(
            organisation=trust.organisation, unit=trust.units["HR"], level=Level.PRACTITIONER
        )
        TrainingRecordFactory(
            person=person,
            course=trust.courses[Level.PRACTITIONER],
            completed_on=date(2026, 1 + i % 9, 1),
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/capability/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/capability/records/", "/capability/directory/", "/capability/approvals/"]
)
def test_the_lists_read_in_the_same_queries_for_more_rows(
    trust, path, django_assert_max_num_queries
):
    client = _client(trust.qi)

    def add(count: int) -> None:
        for _ in range(count):
            person = PersonFactory(
                organisation=trust.organisation, unit=trust.units["Ward B"], level=Level.FOUNDATION
            )
            TrainingRecordFactory(person=person, status="pending", source="self")

    add(2)
    client.get(path)
    with django_assert_max_num_queries(30) as few:
        client.get(path)
    add(30)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200
