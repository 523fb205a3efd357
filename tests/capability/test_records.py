"""Training records and the level they give: approval, setting a level by hand with a
reason, and the history that keeps both."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.errors import ApplicationError
from capability import services
from capability.levels import Level
from capability.models import Person, TrainingRecord
from tests.factories import CourseFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db
Status = TrainingRecord.Status


@pytest.fixture
def nurse_record(trust) -> Person:
    return services.person_ensure(user=trust.nurse, organisation=trust.organisation)


def test_a_person_adds_a_course_which_counts_only_once_the_qi_team_approves_it(trust, nurse_record):
    record = services.record_add(
        by=trust.nurse,
        person=nurse_record,
        course=trust.courses[Level.PRACTITIONER],
        completed_on=date(2026, 3, 1),
        evidence_url="https://learning.example.nhs.uk/certificate/42",
    )
    nurse_record.refresh_from_db()

    assert record.status == Status.PENDING and record.source == "self"
    assert nurse_record.level == ""

    services.record_approve(by=trust.qi, record=record)
    nurse_record.refresh_from_db()

    assert nurse_record.level == nurse_record.records_level == Level.PRACTITIONER
    assert nurse_record.history.first().history_change_reason == "Practitioner course approved."


def test_the_qi_teams_record_counts_at_once_and_the_highest_level_wins(trust, nurse_record):
    for level, day in [(Level.ADVANCED, 1), (Level.FOUNDATION, 2)]:
        services.record_add(
            by=trust.qi,
            person=nurse_record,
            course=trust.courses[level],
            completed_on=date(2026, 1, day),
        )
    nurse_record.refresh_from_db()

    assert nurse_record.level == Level.ADVANCED
    assert TrainingRecord.objects.filter(person=nurse_record, status=Status.APPROVED).count() == 2


def test_a_declined_record_says_why_and_a_decided_one_cannot_be_decided_again(trust, nurse_record):
    record = services.record_add(
        by=trust.nurse,
        person=nurse_record,
        course=trust.courses[Level.EXPERT],
        completed_on=date(2026, 2, 1),
    )

    with pytest.raises(ApplicationError) as blank:
        services.record_decline(by=trust.qi, record=record, reason="  ")
    services.record_decline(by=trust.qi, record=record, reason="No certificate attached.")
    with pytest.raises(ApplicationError) as again:
        services.record_approve(by=trust.qi, record=record)

    assert blank.value.field == "reason"
    assert again.value.code == "already_decided"
    record.refresh_from_db()
    assert record.status == Status.DECLINED and record.decline_reason == "No certificate attached."


def test_only_the_qi_team_approves_and_nobody_adds_to_someone_elses_record(trust, nurse_record):
    record = services.record_add(
        by=trust.nurse,
        person=nurse_record,
        course=trust.courses[Level.FOUNDATION],
        completed_on=date(2026, 2, 1),
    )

    with pytest.raises(ApplicationError) as approve:
        services.record_approve(by=trust.leader, record=record)
    with pytest.raises(ApplicationError) as add:
        services.record_add(
            by=trust.coach,
            person=nurse_record,
            course=trust.courses[Level.FOUNDATION],
            completed_on=date(2026, 2, 2),
        )

    assert approve.value.status_code == add.value.status_code == 403
    assert "Only the QI team or an administrator can" in approve.value.message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"completed_on": timezone.localdate() + timedelta(days=1)}, "completed_on"),
        ({"evidence_url": "ftp://files.example/cert"}, "evidence_url"),
        ({"evidence_file": SimpleUploadedFile("cert.exe", b"MZ")}, "evidence_file"),
    ],
)
def test_a_record_refuses_bad_dates_and_evidence_naming_the_field(
    trust, nurse_record, change, field
):
    data = {"completed_on": date(2026, 1, 5), **change}

    with pytest.raises(ApplicationError) as refused:
        services.record_add(
            by=trust.nurse, person=nurse_record, course=trust.courses[Level.FOUNDATION], **data
        )

    assert refused.value.field == field


def test_a_course_of_another_organisation_is_refused(trust, nurse_record):
    elsewhere = CourseFactory(organisation=OrganisationFactory())

    with pytest.raises(ApplicationError) as refused:
        services.record_add(
            by=trust.qi, person=nurse_record, course=elsewhere, completed_on=date(2026, 1, 5)
        )

    assert refused.value.field == "course"


def test_the_qi_team_sets_a_level_with_a_reason_and_the_history_keeps_who_and_why(trust):
    person = PersonFactory(organisation=trust.organisation)
    services.record_add(
        by=trust.qi,
        person=person,
        course=trust.courses[Level.PRACTITIONER],
        completed_on=date(2025, 6, 1),
    )

    with pytest.raises(ApplicationError) as no_reason:
        services.person_set_level(by=trust.qi, person=person, level=Level.EXPERT, reason="")
    services.person_set_level(
        by=trust.qi, person=person, level=Level.EXPERT, reason="Recognised by peers."
    )
    person.refresh_from_db()
    set_entry = person.history.first()
    services.person_set_level(by=trust.qi, person=person, level="", reason="Left the faculty.")
    person.refresh_from_db()

    assert no_reason.value.field == "reason"
    assert set_entry.level == Level.EXPERT and set_entry.history_user == trust.qi
    assert set_entry.history_change_reason == "Level set to Expert: Recognised by peers."
    assert person.level == Level.PRACTITIONER and person.set_level == ""
    assert person.history.first().history_change_reason.startswith("Back to the level the records")


def test_a_level_set_by_hand_stays_when_new_records_come_in(trust):
    person = PersonFactory(organisation=trust.organisation)
    services.person_set_level(by=trust.qi, person=person, level=Level.ADVANCED, reason="Coach.")
    services.record_add(
        by=trust.qi,
        person=person,
        course=trust.courses[Level.FOUNDATION],
        completed_on=date(2026, 1, 1),
    )
    person.refresh_from_db()

    assert (person.level, person.records_level) == (Level.ADVANCED, Level.FOUNDATION)


def test_changing_a_courses_level_moves_everyone_who_did_it(trust):
    course = trust.courses[Level.FOUNDATION]
    person = PersonFactory(organisation=trust.organisation)
    services.record_add(by=trust.qi, person=person, course=course, completed_on=date(2026, 1, 1))

    services.course_update(by=trust.qi, course=course, level=Level.PRACTITIONER)
    person.refresh_from_db()

    assert person.level == Level.PRACTITIONER


def test_my_record_is_linked_to_one_an_import_made_under_my_email(trust):
    imported = PersonFactory(organisation=trust.organisation, email=trust.nurse.email)

    mine = services.person_ensure(user=trust.nurse, organisation=trust.organisation)

    assert mine.pk == imported.pk and mine.user == trust.nurse


def test_people_choose_their_listing_but_only_the_qi_team_moves_them(trust, nurse_record):
    services.person_update(by=trust.nurse, person=nurse_record, listed=False)

    with pytest.raises(ApplicationError) as refused:
        services.person_update(by=trust.nurse, person=nurse_record, unit=trust.units["HR"])

    nurse_record.refresh_from_db()
    assert nurse_record.listed is False
    assert refused.value.status_code == 403


def test_course_names_are_unique_in_a_catalogue_whatever_their_case(trust):
    with pytest.raises(ApplicationError) as refused:
        services.course_create(
            by=trust.qi,
            organisation=trust.organisation,
            name="FOUNDATION COURSE",
            level=Level.FOUNDATION,
        )

    assert refused.value.field == "name"
