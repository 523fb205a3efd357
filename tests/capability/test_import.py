"""Importing training records from an HR system's CSV: all or nothing, every bad row
named, and nothing added twice."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from capability import services
from capability.levels import Level
from capability.models import Person, TrainingRecord
from tests.factories import PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "Email,Name,Unit,Course,Completed on,Evidence\n"
    "ann.lee@trust.example,Ann Lee,Ward A,Foundation course,31/03/2026,\n"
    "ann.lee@trust.example,Ann Lee,Ward A,Practitioner course,2026-05-02,"
    "https://learning.example/ann\n"
    "bo.chan@trust.example,Bo Chan,HR,Foundation course,02/01/2026,\n"
    "\n"
)


def _import(trust, text: str):
    return services.records_import(by=trust.qi, organisation=trust.organisation, raw=text.encode())


def test_an_import_makes_people_records_and_levels(trust):
    result = _import(trust, GOOD)

    ann = Person.objects.get(email="ann.lee@trust.example")
    assert (result.rows, result.records_added, result.people_added) == (3, 3, 2)
    assert ann.level == Level.PRACTITIONER and ann.unit == trust.units["Ward A"]
    assert set(ann.records.values_list("completed_on", flat=True)) == {
        date(2026, 3, 31),
        date(2026, 5, 2),
    }
    assert ann.records.get(course__level=Level.PRACTITIONER).evidence_url.endswith("/ann")
    assert TrainingRecord.objects.filter(source="import", status="approved").count() == 3
    assert ann.history.last().history_change_reason == "Imported from HR."


def test_importing_the_same_file_twice_adds_nothing(trust):
    _import(trust, GOOD)
    again = _import(trust, GOOD)

    assert (again.records_added, again.records_unchanged, again.people_added) == (0, 3, 0)
    assert TrainingRecord.objects.count() == 3


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(trust):
    text = GOOD + (
        "cy.jones@trust.example,Cy Jones,Ward Z,Foundation course,2026-01-01,\n"
        "not-an-email,Dee,Ward A,Foundation course,2026-01-01,\n"
        "eve@trust.example,Eve,Ward A,Knitting,31/02/2026,\n"
    )

    with pytest.raises(ValidationError) as refused:
        _import(trust, text)

    errors = refused.value.message_dict
    assert errors == {
        "row 6.unit": ["Row 6: there is no unit called 'Ward Z'."],
        "row 7.email": ["Row 7: not-an-email is not an e-mail address."],
        "row 8.course": ["Row 8: there is no course called 'Knitting' in the catalogue."],
        "row 8.completed_on": [
            "Row 8: '31/02/2026' is not a date (write 2026-03-31 or 31/03/2026)."
        ],
    }
    assert Person.objects.count() == TrainingRecord.objects.count() == 0


def test_the_import_approves_what_a_person_added_for_themselves(trust):
    person = services.person_ensure(user=trust.nurse, organisation=trust.organisation)
    waiting = services.record_add(
        by=trust.nurse,
        person=person,
        course=trust.courses[Level.FOUNDATION],
        completed_on=date(2026, 3, 31),
    )

    result = _import(
        trust, f"email,course,completed_on\n{trust.nurse.email},foundation COURSE,2026-03-31\n"
    )

    waiting.refresh_from_db()
    assert result.records_approved == 1 and waiting.status == "approved"
    assert Person.objects.get(pk=person.pk).level == Level.FOUNDATION


def test_hr_moves_someone_to_another_unit(trust):
    person = PersonFactory(
        organisation=trust.organisation, email="ann.lee@trust.example", unit=trust.units["Ward B"]
    )

    _import(trust, GOOD)

    person.refresh_from_db()
    assert person.unit == trust.units["Ward A"] and person.full_name == "Ann Lee"


def test_a_unit_name_two_units_share_is_refused(trust):
    UnitFactory(organisation=trust.organisation, name="Ward A", parent=trust.units["Surgery"])

    with pytest.raises(ValidationError) as refused:
        _import(trust, GOOD)

    assert refused.value.message_dict["row 2.unit"] == [
        "Row 2: more than one unit is called 'Ward A'."
    ]


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("", "file", "The file is empty"),
        ("email,course,completed_on\n", "file", "no data rows"),
        ("email,course\nann@x.example,Foundation course\n", "header", "completed_on"),
        ("email,course,completed_on,shoe size\n", "header", "Unknown column 'shoe size'"),
        (
            "email,name,course,completed_on\na@x.example,Pat 943 476 5919,Foundation course,"
            "2026-01-01\n",
            "row 2.name",
            "NHS number",
        ),
    ],
)
def test_a_file_that_cannot_be_read_says_why(trust, text, field, message):
    with pytest.raises(ValidationError) as refused:
        _import(trust, text)

    assert message in " ".join(refused.value.message_dict[field])


def test_people_who_use_ripple_are_linked_to_their_account(trust):
    _import(
        trust,
        f"email,course,completed_on\n{trust.coach.email.upper()},Advanced course,2026-01-01\n",
    )

    assert Person.objects.get(email=trust.coach.email).user == trust.coach


def test_only_the_qi_team_imports(trust):
    from backend.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        services.records_import(by=trust.leader, organisation=trust.organisation, raw=GOOD.encode())

    assert refused.value.status_code == 403
