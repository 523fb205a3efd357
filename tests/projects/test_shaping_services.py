"""The services and selectors behind shaping a project on pages: moving drivers and ideas,
updates that change only what they are given, corrections with a reason, the aims that
reach a ward, and "has this been tried before?"."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from backend.models import Membership
from projects.models import ChangeIdea, DataPoint, Driver, ProjectMember
from projects.selectors import aims_reaching_unit
from projects.services import (
    change_idea_create,
    change_idea_move,
    data_points_upsert,
    driver_create,
    driver_move,
    driver_update,
    project_update,
)
from projects.tried_before import tried_changes
from tests.factories import (
    ChangeIdeaFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StrategicAimFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
Kind = Driver.Kind


@pytest.fixture
def lead(on_team):
    return on_team(ProjectMember.Role.LEAD)


def test_new_drivers_and_ideas_go_after_their_siblings_and_move_up_and_down(lead, project):
    first = driver_create(by=lead, project=project, kind=Kind.PRIMARY, title="People")
    second = driver_create(by=lead, project=project, kind=Kind.PRIMARY, title="Places")
    third = driver_create(by=lead, project=project, kind=Kind.PRIMARY, title="Things")
    assert [d.position for d in (first, second, third)] == [0, 1, 2]

    driver_move(by=lead, driver=third, offset=-1)
    assert list(
        Driver.objects.filter(project=project).order_by("position").values_list("title", flat=True)
    ) == ["People", "Things", "Places"]
    driver_move(by=lead, driver=first, offset=-1)  # already first: stays
    assert Driver.objects.get(pk=first.pk).position == 0

    ideas = [change_idea_create(by=lead, project=project, title=t) for t in ("A", "B", "C")]
    change_idea_move(by=lead, idea=ideas[0], offset=1)
    assert list(
        ChangeIdea.objects.filter(project=project)
        .order_by("position")
        .values_list("title", flat=True)
    ) == ["B", "A", "C"]


def test_moving_renumbers_siblings_that_share_a_position(lead, project):
    ideas = [ChangeIdeaFactory(project=project, title=t, position=0) for t in ("A", "B", "C")]

    change_idea_move(by=lead, idea=ideas[2], offset=-1)

    assert list(
        ChangeIdea.objects.filter(project=project)
        .order_by("position")
        .values_list("title", "position")
    ) == [("A", 0), ("C", 1), ("B", 2)]


def test_a_secondary_driver_moved_under_another_primary_goes_last_there(lead, project):
    people = driver_create(by=lead, project=project, kind=Kind.PRIMARY, title="People")
    places = driver_create(by=lead, project=project, kind=Kind.PRIMARY, title="Places")
    driver_create(by=lead, project=project, kind=Kind.SECONDARY, title="Wards", parent=places)
    handover = driver_create(
        by=lead, project=project, kind=Kind.SECONDARY, title="Handover", parent=people
    )

    driver_update(by=lead, driver=handover, parent=places)

    handover.refresh_from_db()
    assert (handover.parent, handover.position) == (places, 1)


def test_an_update_changes_only_what_it_is_given(lead, project):
    project.problem = "Falls at night"
    project.aim_target = 4.0
    project.save()

    project_update(by=lead, project=project, title="Fewer falls at night")

    project.refresh_from_db()
    assert (project.title, project.problem, project.aim_target) == (
        "Fewer falls at night",
        "Falls at night",
        4.0,
    )
    project_update(by=lead, project=project, aim_target=None)
    project.refresh_from_db()
    assert project.aim_target is None


def test_a_driver_keeps_its_kind(lead, project):
    driver = driver_create(by=lead, project=project, kind=Kind.PRIMARY, title="People")

    with pytest.raises(Exception, match="kind cannot change"):
        driver_update(by=lead, driver=driver, kind=Kind.SECONDARY)


@pytest.fixture
def falls(project):
    return MeasureFactory(project=project, chart_type="xmr", frequency="monthly")


def test_a_correction_asks_for_a_reason_and_keeps_it_in_the_history(lead, falls):
    data_points_upsert(measure=falls, by=lead, rows=[{"period": date(2025, 1, 1), "value": 7.0}])

    with pytest.raises(ValidationError) as refused:
        data_points_upsert(
            measure=falls,
            by=lead,
            rows=[{"period": date(2025, 1, 1), "value": 6.0}],
            corrections_need_reason=True,
        )
    assert "1 Jan 2025" in refused.value.message_dict["reason"][0]
    assert DataPoint.objects.get(measure=falls).value == 7.0

    data_points_upsert(
        measure=falls,
        by=lead,
        rows=[{"period": date(2025, 1, 1), "value": 6.0}],
        reason="Two falls were on another ward",
        corrections_need_reason=True,
    )
    point = DataPoint.objects.get(measure=falls)
    assert point.value == 6.0
    latest = point.history.first()
    assert (latest.history_change_reason, latest.history_user) == (
        "Two falls were on another ward",
        lead,
    )


def test_a_new_value_or_a_note_needs_no_reason(lead, falls):
    data_points_upsert(
        measure=falls,
        by=lead,
        rows=[{"period": date(2025, 1, 1), "value": 7.0}],
        corrections_need_reason=True,
    )
    data_points_upsert(
        measure=falls,
        by=lead,
        rows=[{"period": date(2025, 1, 1), "note": "Short staffed"}],
        corrections_need_reason=True,
    )

    assert DataPoint.objects.get(measure=falls).note == "Short staffed"


def test_a_reason_with_an_nhs_number_is_refused(lead, falls):
    with pytest.raises(ValidationError) as refused:
        data_points_upsert(
            measure=falls,
            by=lead,
            rows=[{"period": date(2025, 1, 1), "value": 7.0}],
            reason="Patient 943 476 5919 was counted twice",
        )
    assert "reason" in refused.value.message_dict


def test_the_aims_offered_are_the_cascade_that_reaches_the_ward(member, organisation):
    medicine = UnitFactory(organisation=organisation, name="Medicine", level="division")
    ward7 = UnitFactory(organisation=organisation, name="Ward 7", parent=medicine)
    surgery = UnitFactory(organisation=organisation, name="Surgery", level="division")
    bold = StrategicAimFactory(organisation=organisation, title="Zero avoidable harm")
    division = StrategicAimFactory(
        organisation=organisation, title="Medicine: halve falls", unit=medicine, parent=bold
    )
    ward = StrategicAimFactory(
        organisation=organisation, title="Ward 7: falls down", unit=ward7, parent=division
    )
    StrategicAimFactory(organisation=organisation, title="Surgery: on time", unit=surgery)
    StrategicAimFactory(organisation=organisation, title="Retired aim", is_active=False)
    timely = StrategicAimFactory(organisation=organisation, title="A timely trust")

    offered = aims_reaching_unit(user=member(Membership.Role.FRONTLINE), unit=ward7)

    assert offered == [timely, bold, division, ward]
    assert [aim.depth for aim in offered] == [0, 0, 1, 2]


def test_tried_before_finds_changes_tried_in_the_organisation_by_any_telling_word(
    member, organisation, other_organisation
):
    ward10 = UnitFactory(organisation=organisation, name="Ward 10")
    earlier = ProjectFactory(organisation=organisation, unit=ward10, title="Night safety")
    ChangeIdeaFactory(
        project=earlier, title="Toilet offered at the 2am check", status="adopted",
        learning="Falls at night halved.",
    )  # fmt: skip
    ChangeIdeaFactory(project=earlier, title="Night lights in bays", status="untested")
    elsewhere = ProjectFactory(
        organisation=other_organisation, unit=UnitFactory(organisation=other_organisation)
    )
    ChangeIdeaFactory(project=elsewhere, title="Falls toilet rounds", status="adopted")
    nurse = member(Membership.Role.FRONTLINE)
    ProjectMemberFactory(project=earlier, user=member(Membership.Role.FRONTLINE))

    found = tried_changes(
        user=nurse, text="Patients fall going to the toilet", organisation_id=organisation.pk
    )

    assert [(change.title, change.outcome, change.unit_name) for change in found] == [
        ("Toilet offered at the 2am check", "adopted", "Ward 10")
    ]
    assert found[0].url == f"/projects/{earlier.pk}/#driver-diagram"
    assert tried_changes(user=nurse, text="  ", organisation_id=organisation.pk) == []
