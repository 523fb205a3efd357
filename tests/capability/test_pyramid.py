"""The pyramid against the dosing target, by division and for the support services, the
gaps in words, training per quarter, headcounts and ratios."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backend.errors import ApplicationError
from capability import selectors, services
from capability.levels import Level
from capability.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def trained(trust, unit: str | None, level: str, count: int, on: date = date(2026, 1, 10)):
    """``count`` people in ``unit`` with an approved course at ``level``."""
    people = []
    for _ in range(count):
        person = PersonFactory(
            organisation=trust.organisation, unit=trust.units[unit] if unit else None
        )
        services.record_add(
            by=trust.qi, person=person, course=trust.courses[level], completed_on=on
        )
        people.append(person)
    return people


@pytest.fixture
def counted(trust):
    for unit, staff in [
        ("Ward A", 150),
        ("Ward B", 90),
        ("Theatres", 240),
        ("HR", 60),
        ("Finance", 40),
    ]:
        services.headcount_set(by=trust.qi, unit=trust.units[unit], staff=staff)
    return trust


def test_targets_are_the_ratios_of_the_headcount_to_the_nearest_person():
    assert selectors.target(20_000, Decimal("0.05")) == 10
    assert selectors.target(240, Decimal("5")) == 12
    assert selectors.target(240, Decimal("0.05")) == 0  # 0.12 of an expert
    assert selectors.target(30, Decimal("5")) == 2  # 1.5 rounds half up


def test_the_pyramid_counts_people_trained_to_at_least_each_level_by_division(counted):
    trust = counted
    trained(trust, "Theatres", Level.FOUNDATION, 3)
    trained(trust, "Theatres", Level.PRACTITIONER, 2)
    trained(trust, "Ward A", Level.ADVANCED, 1)
    trained(trust, "Ward B", Level.EXPERT, 1)
    trained(trust, "HR", Level.PRACTITIONER, 1)
    trained(trust, None, Level.FOUNDATION, 1)  # no unit: the organisation only

    data = selectors.pyramid(organisation=trust.organisation)

    whole = {t.level: (t.trained, t.target) for t in data["whole"].tiers}
    assert data["whole"].headcount == 580
    assert whole == {
        Level.FOUNDATION: (9, 290),
        Level.PRACTITIONER: (5, 29),
        Level.ADVANCED: (2, 3),
        Level.EXPERT: (1, 0),
    }
    divisions = {scope.name: scope for scope in data["divisions"]}
    surgery = {t.level: (t.trained, t.target, t.gap) for t in divisions["Surgery"].tiers}
    assert surgery[Level.PRACTITIONER] == (2, 12, 10)
    assert divisions["Medicine"].headcount == 240
    assert [t.trained for t in divisions["Medicine"].tiers] == [2, 2, 2, 1]
    assert data["unplaced"] == 1
    assert [t.trained for t in data["support"].tiers] == [1, 1, 0, 0]
    services_by_name = {scope.name: scope for scope in data["services"]}
    assert services_by_name["HR"].headcount == 60 and services_by_name["IT"].headcount == 0


def test_the_gaps_are_said_in_words(counted):
    trust = counted
    trained(trust, "Theatres", Level.PRACTITIONER, 1)

    data = selectors.pyramid(organisation=trust.organisation)
    surgery = next(scope for scope in data["divisions"] if scope.name == "Surgery")
    it = next(scope for scope in data["services"] if scope.name == "IT")

    assert surgery.words == (
        "Surgery needs 119 more people with foundation training, 11 more practitioners and "
        "1 more advanced practitioner."
    )
    assert it.words == "IT has no headcount recorded yet, so no targets."
    assert data["support"].words.startswith("The support services need ")


def test_a_division_that_meets_its_target_says_so(trust):
    services.headcount_set(by=trust.qi, unit=trust.units["Theatres"], staff=20)
    trained(trust, "Theatres", Level.PRACTITIONER, 10)

    surgery = next(
        s
        for s in selectors.pyramid(organisation=trust.organisation)["divisions"]
        if s.name == "Surgery"
    )

    assert surgery.words == "Surgery meets its target at every level."


def test_the_organisations_own_ratios_set_the_targets(counted):
    trust = counted
    services.ratios_update(
        by=trust.qi,
        organisation=trust.organisation,
        foundation=Decimal("80"),
        practitioner=Decimal("10"),
    )

    tiers = selectors.pyramid(organisation=trust.organisation)["whole"].tiers

    assert [t.target for t in tiers] == [464, 58, 3, 0]


def test_ratios_must_narrow_up_the_pyramid_and_stay_within_a_hundred(trust):
    with pytest.raises(ApplicationError) as wider:
        services.ratios_update(
            by=trust.qi, organisation=trust.organisation, practitioner=Decimal("60")
        )
    with pytest.raises(ValidationError):
        services.ratios_update(
            by=trust.qi, organisation=trust.organisation, foundation=Decimal("120")
        )

    assert wider.value.field == "practitioner"


def test_a_unit_is_not_counted_twice_with_the_division_above_it(trust):
    services.headcount_set(by=trust.qi, unit=trust.units["Ward A"], staff=100)

    with pytest.raises(ApplicationError) as above:
        services.headcount_set(by=trust.qi, unit=trust.units["Medicine"], staff=500)
    services.headcount_set(by=trust.qi, unit=trust.units["Surgery"], staff=300)
    with pytest.raises(ApplicationError) as below:
        services.headcount_set(by=trust.qi, unit=trust.units["Theatres"], staff=100)

    assert "Ward A, within Medicine, has a headcount of its own" in above.value.message
    assert "Surgery already has a headcount" in below.value.message


def test_a_pyramid_as_it_stood_on_a_date_counts_only_the_courses_done_by_then(counted):
    trust = counted
    early = trained(trust, "Ward A", Level.FOUNDATION, 2, on=date(2025, 1, 10))
    services.record_add(
        by=trust.qi,
        person=early[0],
        course=trust.courses[Level.PRACTITIONER],
        completed_on=date(2026, 2, 1),
    )
    trained(trust, "Ward B", Level.FOUNDATION, 3, on=date(2026, 2, 1))

    then = selectors.pyramid(organisation=trust.organisation, as_of=date(2025, 12, 31))
    now = selectors.pyramid(organisation=trust.organisation, as_of=date(2026, 12, 31))

    assert [t.trained for t in then["whole"].tiers] == [2, 0, 0, 0]
    assert [t.trained for t in now["whole"].tiers] == [5, 1, 0, 0]
    assert now["whole"].tiers == selectors.pyramid(organisation=trust.organisation)["whole"].tiers


def test_trained_per_quarter_counts_each_person_once_per_level_and_quarter(trust):
    today = date(2026, 5, 20)
    person = PersonFactory(organisation=trust.organisation)
    services.record_add(
        by=trust.qi,
        person=person,
        course=trust.courses[Level.FOUNDATION],
        completed_on=date(2026, 4, 2),
    )
    other = trust.courses[Level.FOUNDATION].__class__.objects.create(
        organisation=trust.organisation, name="Another foundation", level=Level.FOUNDATION
    )
    services.record_add(by=trust.qi, person=person, course=other, completed_on=date(2026, 5, 1))
    trained(trust, "Ward A", Level.PRACTITIONER, 2, on=date(2026, 1, 15))
    trained(trust, "Ward A", Level.FOUNDATION, 1, on=date(2024, 1, 15))  # too long ago

    quarters = selectors.trained_per_quarter(
        organisation=trust.organisation, as_of=today, quarters=3
    )

    assert [q["label"] for q in quarters] == [
        "Oct to Dec 2025",
        "Jan to Mar 2026",
        "Apr to Jun 2026",
    ]
    assert [q["by_level"] for q in quarters] == [[0, 0, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0]]


def test_training_per_quarter_is_kept_until_approved_training_changes(
    trust, django_assert_num_queries, django_capture_on_commit_callbacks
):
    today = date(2026, 5, 20)
    trained(trust, "Ward A", Level.FOUNDATION, 1, on=date(2026, 4, 2))
    first = selectors.trained_per_quarter(organisation=trust.organisation, as_of=today)
    with django_assert_num_queries(0):
        again = selectors.trained_per_quarter(organisation=trust.organisation, as_of=today)
    with django_capture_on_commit_callbacks(execute=True):
        trained(trust, "Ward B", Level.FOUNDATION, 1, on=date(2026, 4, 3))

    after = selectors.trained_per_quarter(organisation=trust.organisation, as_of=today)

    assert first == again and first[-1]["total"] == 1
    assert after[-1]["total"] == 2


def test_the_pyramid_reads_in_the_same_queries_for_ten_people_or_a_hundred(
    trust, django_assert_max_num_queries
):
    trained(trust, "Ward A", Level.FOUNDATION, 10)
    with django_assert_max_num_queries(4) as few:
        selectors.pyramid(organisation=trust.organisation)
    Person.objects.bulk_create(
        Person(
            organisation=trust.organisation,
            email=f"p{i}@x.example",
            level=Level.PRACTITIONER,
            level_rank=2,
            unit=trust.units["Ward B" if i % 2 else "HR"],
        )
        for i in range(100)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = selectors.pyramid(organisation=trust.organisation)

    assert data["whole"].tiers[0].trained == 110
