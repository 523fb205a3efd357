"""A measure's numbers are held to the SPC engine's own rule when stored, so no stored
point can blank a chart: a number, not a boolean, finite, and within +/-1e100."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from projects.models import DataPoint, ProjectMember
from projects.serializers.common import ChartNumberField
from projects.spc import MAX_MAGNITUDE, SPCInputError, analyse, number_problem

Team = ProjectMember.Role


def _post_raw(client, measure, body: str):
    return client.post(
        f"/api/v1/measures/{measure.pk}/data/", data=body, content_type="application/json"
    )


@pytest.mark.parametrize(
    "raw_value",
    ["1.8e308", "-1.8e308", "1e400", "1e101", "true", "false"],
)
def test_a_value_the_engine_would_refuse_is_refused_when_stored(
    api, on_team, measure_with_data, raw_value
):
    before = DataPoint.objects.filter(measure=measure_with_data).count()

    response = _post_raw(
        api(on_team(Team.LEAD)),
        measure_with_data,
        f'[{{"period": "2024-01-01", "value": {raw_value}}}]',
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "rows[0].value"
    assert DataPoint.objects.filter(measure=measure_with_data).count() == before


def test_the_largest_value_the_engine_takes_is_stored_and_charted(api, on_team, measure_with_data):
    client = api(on_team(Team.LEAD))

    response = _post_raw(client, measure_with_data, '[{"period": "2024-01-01", "value": 1e100}]')

    assert response.status_code == 201, response.content
    chart = client.get(f"/api/v1/measures/{measure_with_data.pk}/chart/").json()
    assert chart["spc"] is not None, chart["reason"]


def test_a_csv_value_past_the_engine_limit_names_its_row(api, on_team, measure_with_data):
    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure_with_data.pk}/data.csv",
        data="period,value\n2024-01-01,4\n2024-02-01,1e200\n",
        content_type="text/csv",
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "row 3.value"


@pytest.mark.parametrize("raw_target", ["1e300", "true"])
def test_a_target_the_engine_would_refuse_is_refused(api, on_team, measure_with_data, raw_target):
    response = api(on_team(Team.LEAD)).patch(
        f"/api/v1/measures/{measure_with_data.pk}/",
        data=f'{{"target": {raw_target}}}',
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "target"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.integers()))
def test_storage_takes_exactly_the_numbers_the_engine_takes(number):
    try:
        stored = ChartNumberField().to_internal_value(number)
    except ValidationError:
        stored = None
    try:
        analyse({"chart": "run", "points": [{"x": "1", "y": number}, {"x": "2", "y": 1}]})
        engine_takes = True
    except SPCInputError:
        engine_takes = False

    assert (stored is not None) == engine_takes
    assert (number_problem(number) is None) == engine_takes
    if stored is not None:
        assert math.isfinite(stored) and abs(stored) <= MAX_MAGNITUDE
