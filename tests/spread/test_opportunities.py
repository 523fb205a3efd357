"""Which units could take a change up, ranked, with the reasons in words; and the reverse
view, a unit's suggestions."""

from __future__ import annotations

import pytest

from backend.models import Membership, Unit
from projects.models import DataPoint, Measure, Project
from projects.services import readings_recompute
from spread.models import Adoption, SpreadCandidate
from tests.factories import (
    ChangeIdeaFactory,
    MeasureFactory,
    ProjectFactory,
    SpreadTargetFactory,
)
from tests.spread.conftest import BASELINE, SHIFTED, UNCHANGED, add_data, month

pytestmark = pytest.mark.django_db


def _opportunities(api, user, candidate) -> list[dict]:
    response = api(user).get(
        f"/api/v1/spread/candidates/{candidate.pk}/opportunities/?page_size=500"
    )
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.fixture
def wards(make_ward, measured_ward, approved_candidate, organisation) -> dict[str, Unit]:
    """Around Ward 7 Elderly Care, where the huddle worked."""
    found = {
        "ward10": measured_ward("Ward 10 Elderly Care", UNCHANGED, specialty="elderly care"),
        "ward11": measured_ward(
            "Ward 11 Elderly Care", BASELINE + SHIFTED, specialty="Elderly Care"
        ),
        "ward12": measured_ward("Ward 12 Surgical", UNCHANGED, specialty="surgery"),
        "ward8": make_ward("Ward 8 Stroke", specialty="stroke"),
        "clinic": make_ward("Falls Clinic", kind=Unit.Kind.CLINIC, specialty="elderly care"),
        "ed": make_ward("Emergency Department", kind=Unit.Kind.EMERGENCY, specialty="emergency"),
        "hr": make_ward("HR", kind=Unit.Kind.HR),
        "division": make_ward("Medicine", level=Unit.Level.DIVISION, specialty="elderly care"),
        "closed": make_ward("Ward 3 Elderly Care", specialty="elderly care", is_active=False),
        "adopting": make_ward("Ward 9 Elderly Care", specialty="elderly care"),
        "declined": make_ward("Ward 14 Elderly Care", specialty="elderly care"),
    }
    Adoption.objects.create(candidate=approved_candidate, unit=found["adopting"], status="testing")
    Adoption.objects.create(
        candidate=approved_candidate, unit=found["declined"], status="declined", note="No staff."
    )
    return found


def test_opportunities_list_alike_units_with_reasons_excluding_adopters(
    wards, approved_candidate, qi, api
):
    found = {row["unit"]["name"]: row for row in _opportunities(api, qi, approved_candidate)}

    assert set(found) == {
        "Ward 10 Elderly Care",
        "Ward 11 Elderly Care",
        "Ward 12 Surgical",
        "Ward 8 Stroke",
        "Falls Clinic",
    }
    assert found["Ward 10 Elderly Care"]["reasons"] == [
        "same specialty: elderly care",
        "same kind of unit: ward",
        "measures Inpatient falls per 1,000 bed days with no improvement signal",
        "gap to target: 8.0 vs 5.0",
    ]
    assert found["Ward 10 Elderly Care"]["score"] == 100
    assert found["Ward 8 Stroke"]["reasons"] == ["same kind of unit: ward"]
    assert found["Falls Clinic"]["reasons"] == ["same specialty: elderly care"]
    assert found["Ward 11 Elderly Care"]["reasons"][2] == (
        "measures Inpatient falls per 1,000 bed days and already shows improvement"
    )


def test_opportunities_rank_need_and_likeness(wards, approved_candidate, qi, api):
    ranked = [
        (row["unit"]["name"], row["score"]) for row in _opportunities(api, qi, approved_candidate)
    ]

    assert ranked == [
        ("Ward 10 Elderly Care", 100),  # alike, measures falls, no improvement, off target
        ("Ward 11 Elderly Care", 85),  # alike and measures falls, but already improving
        ("Ward 12 Surgical", 70),  # a ward measuring falls with no improvement
        ("Falls Clinic", 30),  # same specialty, no shared measure
        ("Ward 8 Stroke", 20),  # same kind only
    ]


def test_a_unit_on_target_gets_no_gap_reason(measured_ward, approved_candidate, qi, api):
    measured_ward("Ward 15 Elderly Care", UNCHANGED, target=9.0, specialty="elderly care")

    [row] = _opportunities(api, qi, approved_candidate)

    assert row["score"] == 90
    assert not any(reason.startswith("gap to target") for reason in row["reasons"])


def test_a_unit_with_too_little_data_still_counts_its_measure(
    measured_ward, approved_candidate, qi, api
):
    measured_ward("Ward 15 Elderly Care", [7.0], specialty="elderly care")

    [row] = _opportunities(api, qi, approved_candidate)

    assert row["score"] == 30 + 20 + 25 + 5
    assert "too little data" in row["reasons"][2]


def test_targeted_units_are_flagged_not_scored(wards, approved_candidate, qi, api):
    SpreadTargetFactory(candidate=approved_candidate, unit=wards["ward8"])

    found = {row["unit"]["name"]: row for row in _opportunities(api, qi, approved_candidate)}

    assert found["Ward 8 Stroke"]["targeted"] is True
    assert found["Ward 8 Stroke"]["score"] == 20
    assert "targeted by the QI team" in found["Ward 8 Stroke"]["reasons"]
    assert found["Ward 10 Elderly Care"]["targeted"] is False


def test_support_services_match_only_their_own_kind(organisation, make_ward, nurse, falls, qi, api):
    hr = make_ward("HR Recruitment", kind=Unit.Kind.HR)
    make_ward("HR Payroll", kind=Unit.Kind.HR)
    make_ward("Finance", kind=Unit.Kind.FINANCE)
    make_ward("Ward 20", specialty="")
    idea = ChangeIdeaFactory(project=ProjectFactory(organisation=organisation, unit=hr))
    candidate = SpreadCandidate.objects.create(
        organisation=organisation,
        change_idea=idea,
        origin_project=idea.project,
        origin_unit=hr,
        origin="nominated",
        status="approved",
        evidence_strength="proven",
    )

    assert [row["unit"]["name"] for row in _opportunities(api, qi, candidate)] == ["HR Payroll"]


def test_a_unit_is_offered_changes_that_worked_for_what_it_measures(
    wards, approved_candidate, member, api
):
    nurse10 = member(Membership.Role.FRONTLINE)

    response = api(nurse10).get(f"/api/v1/units/{wards['ward10'].pk}/spread-suggestions/")

    assert response.status_code == 200
    [suggestion] = response.json()["results"]
    assert suggestion["candidate"]["id"] == approved_candidate.pk
    assert suggestion["candidate"]["title"] == "Falls huddle at handover"
    assert suggestion["score"] == 100
    assert "gap to target: 8.0 vs 5.0" in suggestion["reasons"]
    for unmeasured in ("ward8", "adopting", "declined"):
        url = f"/api/v1/units/{wards[unmeasured].pk}/spread-suggestions/"
        assert api(nurse10).get(url).json()["results"] == []


def test_a_unit_is_not_offered_a_change_still_under_review(
    measured_ward, proven_candidate, nurse, api
):
    ward10 = measured_ward("Ward 10 Elderly Care", UNCHANGED, specialty="elderly care")

    response = api(nurse).get(f"/api/v1/units/{ward10.pk}/spread-suggestions/")

    assert response.json()["results"] == []


def test_another_organisations_unit_has_no_suggestions_for_you(
    approved_candidate, member, api, other_organisation, ward7
):
    stranger = member(Membership.Role.QI_TEAM, org=other_organisation)

    assert api(stranger).get(f"/api/v1/units/{ward7.pk}/spread-suggestions/").status_code == 404


def _organisation_of(organisation, falls, size: int) -> None:
    """``size`` elderly-care wards, each measuring falls monthly for two years."""
    units = Unit.objects.bulk_create(
        Unit(
            organisation=organisation,
            name=f"Bulk ward {index}",
            kind=Unit.Kind.WARD,
            specialty="elderly care" if index % 2 else "general medicine",
        )
        for index in range(size)
    )
    projects = Project.objects.bulk_create(
        Project(organisation=organisation, unit=unit, title=f"Falls on {unit.name}")
        for unit in units
    )
    measures = Measure.objects.bulk_create(
        Measure(
            organisation=organisation,
            project=project,
            definition=falls,
            name=falls.name,
            improvement_direction="decrease",
            target=5.0 if index % 3 else None,
        )
        for index, project in enumerate(projects)
    )
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=month(i), value=value)
        for measure in measures
        for i, value in enumerate(BASELINE + UNCHANGED)
    )
    readings_recompute()  # a bulk load is followed by the backfill of its SPC readings


def test_opportunities_for_500_units_run_in_a_bounded_number_of_queries(
    approved_candidate, organisation, falls, qi, api, django_assert_max_num_queries
):
    client = api(qi)
    url = f"/api/v1/spread/candidates/{approved_candidate.pk}/opportunities/"
    _organisation_of(organisation, falls, 5)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).json()["count"] == 5
    _organisation_of(organisation, falls, 495)

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).json()

    assert body["count"] == 500
    assert body["results"][0]["score"] == 100


def test_a_changed_measure_is_read_afresh(wards, approved_candidate, qi, api):
    before = {r["unit"]["name"]: r for r in _opportunities(api, qi, approved_candidate)}
    measure = MeasureFactory._meta.model.objects.get(project__unit=wards["ward10"])
    add_data(measure, SHIFTED, start=12)

    after = {r["unit"]["name"]: r for r in _opportunities(api, qi, approved_candidate)}

    assert before["Ward 10 Elderly Care"]["score"] == 100
    assert after["Ward 10 Elderly Care"]["score"] < 100
