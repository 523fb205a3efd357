"""The measure summary table: one row of Making Data Count icons per measure, for every
member, filtered, paged, as CSV, in constant queries, and equal to the charts."""

from __future__ import annotations

import csv
import gc
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from backend.models import Membership, Organisation, User
from projects.models import DataPoint, Measure
from tests.factories import (
    MeasureDefinitionFactory,
    MeasureFactory,
    ProjectFactory,
    StrategicAimFactory,
    UnitFactory,
)
from tests.projects.conftest import months
from tests.projects.test_portfolio import FALLING, give_data

Role = Membership.Role
URL = "/api/v1/portfolio/measures/"


@pytest.fixture
def table(organisation, ward):
    """A cascade of two aims, a division above Ward 7, and measures of each kind."""
    division = UnitFactory(organisation=organisation, name="Medicine", level="division")
    ward.parent = division
    ward.save()
    elsewhere = UnitFactory(organisation=organisation, name="Finance", kind="finance")
    safe = StrategicAimFactory(organisation=organisation, title="Safe care", unit=division)
    ward_aim = StrategicAimFactory(
        organisation=organisation, title="Ward 7 falls", parent=safe, quality_dimensions=[]
    )
    timely = StrategicAimFactory(
        organisation=organisation, title="On time", quality_dimensions=["timely"]
    )
    falls_project = ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle")
    falls_project.aims.add(ward_aim)
    invoices = ProjectFactory(organisation=organisation, unit=elsewhere, title="Invoices")
    invoices.aims.add(timely)
    wellbeing = MeasureDefinitionFactory(
        organisation=organisation, name="Staff sickness", quality_dimensions=["staff_wellbeing"]
    )
    measures = {
        "aim": give_data(
            MeasureFactory(project=None, aim=safe, organisation=organisation, name="Harm"),
            FALLING,
        ),
        "falls": give_data(MeasureFactory(project=falls_project, name="Falls"), FALLING),
        "huddles": give_data(
            MeasureFactory(project=falls_project, name="Huddles", type="process"), FALLING[:5]
        ),
        "paid": give_data(MeasureFactory(project=invoices, name="Paid late"), FALLING),
        "sickness": MeasureFactory(
            project=invoices, name="Sickness", type="balancing", definition=wellbeing
        ),
    }
    return {"aims": (safe, ward_aim, timely), "units": (division, ward, elsewhere), **measures}


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    "role", [Role.FRONTLINE, Role.COACH, Role.LIVED_EXPERIENCE_PARTNER, Role.LEADER]
)
def test_every_member_reads_the_summary_table_aims_first(api, member, table, role):
    assert names(api(member(role)).get(URL)) == [
        "Harm",
        "Falls",
        "Huddles",
        "Paid late",
        "Sickness",
    ]


def test_a_row_shows_the_measure_where_it_belongs_its_latest_value_icons_and_links(
    api, member, table
):
    client = api(member())
    [row] = [r for r in client.get(URL).json()["results"] if r["name"] == "Falls"]
    chart = client.get(row["links"]["chart"]).json()

    assert row["project"]["title"] == "Falls huddle"
    assert row["linked_aims"] == [{"id": table["aims"][1].pk, "title": "Ward 7 falls"}]
    assert row["organisation_unit"]["name"] == "Ward 7"
    assert (row["improvement_direction"], row["chart_type"]) == ("decrease", "xmr")
    assert row["latest_period"] == chart["spc"]["points"][-1]["x"]
    assert row["latest_value"] == chart["spc"]["points"][-1]["value"]
    assert row["variation_icon"] == chart["spc"]["variation_icon"] == "improvement_low"
    assert row["assurance_icon"] == chart["spc"]["assurance_icon"]
    assert row["links"]["chart"] == f"http://testserver/api/v1/measures/{row['id']}/chart/"
    assert client.get(row["links"]["chart_svg"])["Content-Type"] == "image/svg+xml"


def test_a_measure_without_a_chart_yet_says_why_and_still_shows_its_latest_value(
    api, member, project
):
    single = MeasureFactory(project=project, name="One point", target=5.0)
    DataPoint.objects.create(measure=single, period=months(1)[0], value=4.0)
    ratio = MeasureFactory(
        project=project, name="Ratio", chart_type="p", improvement_direction="increase"
    )
    DataPoint.objects.create(measure=ratio, period=months(1)[0], numerator=9, denominator=10)
    MeasureFactory(project=project, name="Empty")

    rows = {row["name"]: row for row in api(member()).get(URL).json()["results"]}

    assert rows["One point"]["reason"] == (
        "A chart needs at least 2 data points; this measure has 1."
    )
    assert (rows["One point"]["latest_value"], rows["One point"]["meets_target"]) == (4.0, True)
    assert rows["One point"]["variation_icon"] is None
    assert rows["Ratio"]["latest_value"] == 0.9
    assert (rows["Empty"]["points"], rows["Empty"]["latest_period"]) == (0, None)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"aim": "safe_aim"}, ["Harm"]),
        ({"within_aim": "safe_aim"}, ["Harm", "Falls", "Huddles"]),
        ({"aim": "ward_aim"}, ["Falls", "Huddles"]),
        ({"unit": "ward"}, ["Falls", "Huddles"]),
        ({"unit": "division"}, ["Harm"]),
        ({"within_unit": "division"}, ["Harm", "Falls", "Huddles"]),
        ({"quality_dimension": "timely"}, ["Paid late", "Sickness"]),
        ({"quality_dimension": "staff_wellbeing"}, ["Sickness"]),
        ({"quality_dimension": "safe"}, ["Harm"]),
        ({"type": ["process", "balancing"]}, ["Huddles", "Sickness"]),
        ({"type": "outcome", "within_unit": "division"}, ["Harm", "Falls"]),
        ({"q": "fall"}, ["Falls"]),
    ],
)
def test_the_table_filters_by_aim_unit_quality_dimension_and_type(
    api, member, table, params, expected
):
    ids = {
        "safe_aim": table["aims"][0].pk,
        "ward_aim": table["aims"][1].pk,
        "division": table["units"][0].pk,
        "ward": table["units"][1].pk,
    }
    query = {name: ids.get(value, value) if isinstance(value, str) else value
             for name, value in params.items()}  # fmt: skip

    assert names(api(member()).get(URL, query)) == expected


def test_a_bad_filter_is_a_400_naming_it_also_when_csv_was_asked_for(api, member, table):
    response = api(member()).get(URL, {"type": "kpi", "format": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["field"] == "type"


def test_the_table_is_paged(api, member, table):
    client = api(member())

    first = client.get(URL, {"page_size": 2}).json()
    last = client.get(URL, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert [row["name"] for row in first["results"]] == ["Harm", "Falls"]
    assert [row["name"] for row in last["results"]] == ["Sickness"]


def test_another_organisations_measures_never_appear(
    api, member, table, other_organisation, organisation
):
    theirs = ProjectFactory(organisation=other_organisation)
    give_data(MeasureFactory(project=theirs, name="Their falls"), FALLING)
    theirs_aim = StrategicAimFactory(organisation=other_organisation)
    client = api(member())

    assert "Their falls" not in names(client.get(URL))
    assert names(client.get(URL, {"organisation": other_organisation.pk})) == []
    assert names(client.get(URL, {"within_aim": theirs_aim.pk})) == []
    assert "Their falls" not in [
        row["measure"] for row in csv_rows(client.get(URL + "?format=csv"))
    ]


def test_the_csv_has_every_row_of_the_filter_with_a_filename_and_no_formulas(
    api, member, organisation, project
):
    for index in range(60):  # more than a page
        give_data(MeasureFactory(project=project, name=f"Measure {index:02d}"), FALLING[:3])
    MeasureFactory(project=project, name="=HYPERLINK(evil)")
    client = api(member())

    response = client.get(URL, {"format": "csv"})
    by_accept = client.get(URL, HTTP_ACCEPT="text/csv")
    rows = csv_rows(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="ripple-measure-summary-'
    )
    assert response["Content-Disposition"].endswith('.csv"')
    assert len(rows) == 61
    assert rows[0]["measure"] == "'=HYPERLINK(evil)"
    assert rows[1]["project"] == project.title
    assert rows[1]["latest_value"] in {"10", "11", "9"}
    assert rows[1]["variation"].startswith(("Common cause", "Special cause"))
    assert rows[1]["chart_svg_url"].endswith("/chart.svg")
    assert len(csv_rows(by_accept)) == 61


def test_the_csv_rows_equal_the_json_rows(api, member, table):
    client = api(member())

    rows = client.get(URL).json()["results"]
    exported = csv_rows(client.get(URL, {"format": "csv"}))

    assert [int(row["measure_id"]) for row in exported] == [row["id"] for row in rows]
    assert [row["variation_icon"] or None for row in exported] == [
        row["variation_icon"] for row in rows
    ]
    assert [row["assurance_icon"] or None for row in exported] == [
        row["assurance_icon"] for row in rows
    ]


def _measures_with_data(project, count: int) -> None:
    aims = StrategicAimFactory.create_batch(2, organisation=project.organisation)
    project.aims.add(*aims)
    for index in range(count):
        give_data(MeasureFactory(project=project, name=f"M{index}"), FALLING[: 3 + index % 10])


@pytest.mark.parametrize("count", [1, 50])
def test_the_table_and_its_csv_take_the_same_queries_for_1_and_50_measures(
    api, member, project, django_assert_max_num_queries, count
):
    _measures_with_data(project, count)
    client = api(member())
    client.get("/api/v1/me/")  # the memberships, read once per request like any other

    # Bulk-loaded, so no readings yet: count, the page's ids in order, its rows with
    # their readings, its projects' aims, then the misses' data points and rebases and a
    # transaction storing their readings (savepoint, lock, insert, release).
    with django_assert_max_num_queries(4 + 2 + 4):
        first = client.get(URL)
    # Stored: count, ids, rows, aims.
    with django_assert_max_num_queries(4):
        stored = client.get(URL)
    # The measures with their readings, their projects' aims: per 2,000 rows.
    with django_assert_max_num_queries(3):
        exported = csv_rows(client.get(URL, {"format": "csv"}))

    assert first.json() == stored.json()
    assert len(exported) == count


def _garbage_of_a_csv(client) -> int:
    """Objects only the cycle collector would free after streaming the whole table."""
    csv_rows(client.get(URL, {"format": "csv"}))  # stores the readings a bulk load left out
    gc.collect()
    gc.disable()
    try:
        assert csv_rows(client.get(URL, {"format": "csv"}))
        return gc.collect()
    finally:
        gc.enable()


def test_a_streamed_csv_leaves_nothing_per_row_for_the_cycle_collector(api, member, project):
    # A batch that waits for a full collection is memory that grows with the rows.
    _measures_with_data(project, 5)
    client = api(member())
    few = _garbage_of_a_csv(client)
    _measures_with_data(project, 40)
    many = _garbage_of_a_csv(client)

    assert many - few < 40, (few, many)


# --- the demo: every icon equals its chart's ---------------------------------------------


def test_the_summary_tables_icons_equal_the_chart_endpoints_for_every_demo_measure(db, api):
    call_command("seed_demo", stdout=io.StringIO())
    cache.clear()
    checked, seen = 0, set()
    for organisation in Organisation.objects.all():
        reader = User.objects.filter(memberships__organisation=organisation).first()
        client = api(reader)
        rows = client.get(URL, {"organisation": organisation.pk, "page_size": 500}).json()
        exported = csv_rows(client.get(URL, {"organisation": organisation.pk, "format": "csv"}))
        assert rows["count"] == Measure.objects.filter(organisation=organisation).count()
        assert len(exported) == rows["count"]
        for row, line in zip(rows["results"], exported, strict=True):
            chart = client.get(f"/api/v1/measures/{row['id']}/chart/").json()
            spc = chart["spc"] or {}
            latest = spc["points"][-1] if spc else {}
            assert row["variation_icon"] == spc.get("variation_icon"), row["name"]
            assert row["assurance_icon"] == spc.get("assurance_icon"), row["name"]
            assert row["latest_period"] == latest.get("x", row["latest_period"]), row["name"]
            assert row["reason"] == chart["reason"], row["name"]
            assert (line["variation_icon"] or None, line["assurance_icon"] or None) == (
                row["variation_icon"],
                row["assurance_icon"],
            )
            seen.add(row["variation_icon"])
            checked += 1
    assert len(seen) >= 3  # the demo shows several patterns: a real comparison
    assert checked == Measure.objects.count() >= 20
