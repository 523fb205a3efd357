"""The skills directory, lived-experience partners on teams, and leaders' engagement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from backend.errors import ApplicationError
from capability import selectors, services
from capability.levels import Level
from capability.models import Person
from projects.models import Project, ProjectMember
from tests.factories import (
    CycleFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    ProjectMemberFactory,
)

pytestmark = pytest.mark.django_db
TeamRole = ProjectMember.Role


def _person(trust, user=None, unit="Ward A", level=Level.PRACTITIONER, **kw) -> Person:
    return PersonFactory(
        organisation=trust.organisation, user=user, unit=trust.units[unit], level=level, **kw
    )


def test_the_directory_shows_what_each_person_has_done(trust):
    practitioner = trust.person(unit="Ward A", full_name="Pat Lead")
    _person(trust, user=practitioner, full_name="Pat Lead")
    led = ProjectFactory(organisation=trust.organisation, unit=trust.units["Ward A"])
    ProjectMemberFactory(project=led, user=practitioner, role=TeamRole.LEAD)
    for number in (1, 2, 3):
        CycleFactory(project=led, owner=practitioner, number=number)
    for status in (Project.Status.ACTIVE, Project.Status.COMPLETED):
        coached = ProjectFactory(
            organisation=trust.organisation, status=status, unit=trust.units["Ward B"]
        )
        ProjectMemberFactory(project=coached, user=practitioner, role=TeamRole.COACH)

    people = selectors.directory(user=trust.nurse, organisation=trust.organisation)
    (found,) = selectors.with_experience(people)

    assert (found.projects_led, found.cycles_run, found.coaching) == (1, 3, 1)


def test_the_directory_filters_by_level_place_and_experience_and_leaves_out_who_opted_out(trust):
    lead = trust.person(unit="Theatres")
    _person(trust, user=lead, unit="Theatres", full_name="Sam Surgeon")
    ProjectMemberFactory(
        project=ProjectFactory(organisation=trust.organisation), user=lead, role=TeamRole.LEAD
    )
    _person(trust, unit="Ward A", level=Level.FOUNDATION, full_name="Fay Found")
    _person(trust, unit="Ward B", level=Level.EXPERT, full_name="Eli Expert")
    _person(trust, unit="Ward B", level=Level.ADVANCED, full_name="Hid Den", listed=False)
    _person(trust, unit="Ward B", level="", full_name="Not Trained")

    def names(**filters) -> list[str]:
        people = selectors.directory(
            user=trust.nurse, organisation=trust.organisation, filters=filters
        )
        return [person.full_name for person in people]

    assert names() == ["Eli Expert", "Sam Surgeon", "Fay Found"]
    assert names(level=Level.PRACTITIONER) == ["Eli Expert", "Sam Surgeon"]
    assert names(unit=str(trust.units["Medicine"].pk)) == ["Eli Expert", "Fay Found"]
    assert names(experience="led") == ["Sam Surgeon"]
    assert names(q="fay") == ["Fay Found"]


def test_the_directory_of_another_organisation_is_empty(trust):
    _person(trust)
    stranger = OrganisationFactory()

    assert not selectors.directory(user=trust.nurse, organisation=stranger).exists()


def test_the_directory_reads_in_the_same_queries_for_any_number_of_people(
    trust, django_assert_max_num_queries
):
    for i in range(3):
        _person(trust, user=trust.person() if i == 0 else None, full_name=f"Person {i}")

    def read() -> list:
        return selectors.with_experience(
            selectors.directory(user=trust.nurse, organisation=trust.organisation)
        )

    read()
    with django_assert_max_num_queries(4) as few:
        read()
    for i in range(40):
        user = trust.person(unit="Ward B")
        _person(trust, user=user, full_name=f"More {i}")
        ProjectMemberFactory(
            project=ProjectFactory(organisation=trust.organisation), user=user, role=TeamRole.LEAD
        )

    read()
    with django_assert_max_num_queries(len(few.captured_queries)):
        people = read()

    assert len(people) == 43


def test_the_share_of_projects_under_way_with_a_partner_by_division(trust):
    partner = trust.person(role="lived_experience_partner")
    for unit, status, with_partner in [
        ("Ward A", Project.Status.ACTIVE, True),
        ("Ward B", Project.Status.SUSTAINING, False),
        ("Ward B", Project.Status.ACTIVE, False),
        ("Theatres", Project.Status.SPREADING, True),
        ("Theatres", Project.Status.COMPLETED, True),  # over: not counted
        ("HR", Project.Status.PROPOSED, True),  # not under way yet
    ]:
        project = ProjectFactory(
            organisation=trust.organisation, unit=trust.units[unit], status=status
        )
        if with_partner:
            ProjectMemberFactory(
                project=project, user=partner, role=TeamRole.LIVED_EXPERIENCE_PARTNER
            )

    involvement = selectors.partner_involvement(organisation=trust.organisation)

    shares = {
        share.name: (share.with_partner, share.projects) for share in involvement["divisions"]
    }
    assert (involvement["whole"].with_partner, involvement["whole"].projects) == (2, 4)
    assert shares == {"Medicine": (1, 3), "Surgery": (1, 1), "Corporate": (0, 0)}
    assert involvement["whole"].words == (
        f"2 of 4 projects under way in {trust.organisation.name} have a lived-experience "
        "partner on the team (50%)."
    )
    assert [row["live"] for row in selectors.partner_list(organisation=trust.organisation)] == [2]


def test_a_partner_sees_their_own_projects_and_leaders_see_theirs(trust):
    partner = trust.person(role="lived_experience_partner")
    project = ProjectFactory(organisation=trust.organisation, title="Falls huddle")
    ProjectMemberFactory(project=project, user=partner, role=TeamRole.LIVED_EXPERIENCE_PARTNER)

    own = selectors.partner_places(user=partner, partner=partner)
    by_leader = selectors.partner_places(user=trust.leader, partner=partner)
    by_nurse = selectors.partner_places(user=trust.nurse, partner=partner)

    assert (
        [p.project.title for p in own] == [p.project.title for p in by_leader] == ["Falls huddle"]
    )
    assert not by_nurse.exists()


def test_a_leader_records_a_visit_and_what_they_learned(trust):
    project = ProjectFactory(organisation=trust.organisation)

    visit = services.engagement_record(
        by=trust.leader,
        organisation=trust.organisation,
        kind="visit",
        project=project,
        happened_on=timezone.localdate(),
        learned="  The huddle takes two minutes.  ",
    )

    assert visit.learned == "The huddle takes two minutes." and visit.leader == trust.leader
    assert list(selectors.engagement_list(user=trust.coach)) == [visit]
    assert not selectors.engagement_list(user=trust.nurse).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "visit", "project": None}, "project"),
        ({"happened_on": date.today() + timedelta(days=3)}, "happened_on"),
        ({"learned": " "}, "learned"),
    ],
)
def test_an_engagement_record_refuses_what_makes_no_sense(trust, change, field):
    data = {"kind": "story", "happened_on": date(2026, 1, 1), "learned": "A story.", **change}

    with pytest.raises(ApplicationError) as refused:
        services.engagement_record(by=trust.leader, organisation=trust.organisation, **data)

    assert refused.value.field == field


def test_only_leaders_and_the_qi_team_record_engagement(trust):
    with pytest.raises(ApplicationError) as refused:
        services.engagement_record(
            by=trust.nurse,
            organisation=trust.organisation,
            kind="story",
            happened_on=date(2026, 1, 1),
            learned="x",
        )

    assert refused.value.status_code == 403
