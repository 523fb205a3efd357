"""Charts: the SPC reading of a measure, its annotations, the cache and the SVG."""

from datetime import date
from xml.etree import ElementTree

import pytest

from backend.models import Membership
from projects.models import Measure, ProjectMember
from projects.selectors import measure_chart, measure_charts, measure_spc, measures_spc
from projects.spc import analyse
from tests.factories import (
    CycleFactory,
    DataPointFactory,
    MeasureFactory,
    ProjectFactory,
    RebaseFactory,
)
from tests.projects.conftest import months

Role = Membership.Role
Team = ProjectMember.Role
SVG = "{http://www.w3.org/2000/svg}"


def _engine_input(measure, rebase_at=()):
    points = [{"x": p.period.isoformat(), "y": p.value} for p in measure.data_points.all()]
    options = {
        "improvement_direction": measure.improvement_direction,
        "target": measure.target,
        "fix_after_n_points": measure.fix_after_n_points,
        "rebase_at": list(rebase_at),
    }
    return {"chart": measure.chart_type, "points": points, "options": options}


def test_the_chart_is_exactly_the_engines_result_with_a_rebase_annotated(
    api, on_team, measure_with_data
):
    lead = on_team(Team.LEAD)
    client = api(lead)
    base = f"/api/v1/measures/{measure_with_data.pk}"
    rebased = client.post(
        f"{base}/rebases/", {"starts_on": "2022-12-15", "reason": "New falls bundle in place"}
    )
    assert rebased.status_code == 201, rebased.json()

    chart = client.get(f"{base}/chart/").json()

    assert chart["spc"] == analyse(_engine_input(measure_with_data, rebase_at=["2023-01-01"]))
    assert chart["reason"] is None
    assert chart["measure"]["target"] == 5.0
    [rebase] = chart["annotations"]
    assert rebase["kind"] == "rebase"
    assert rebase["x"] == "2023-01-01"
    assert rebase["rebase"]["reason"] == "New falls bundle in place"
    assert rebase["rebase"]["decided_by"]["id"] == lead.pk


def test_a_rebase_needs_a_reason(api, on_team, measure_with_data):
    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure_with_data.pk}/rebases/", {"starts_on": "2023-01-01"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"


def test_pdsa_cycles_on_the_measure_are_annotated_with_their_start_and_end(
    api, member, project, measure_with_data
):
    cycle = CycleFactory(
        project=project,
        number=3,
        title="Falls huddle at handover",
        stage="study",
        started_on=date(2023, 3, 6),
        planned_end=date(2023, 4, 2),
    )
    cycle.measures.add(measure_with_data)

    annotations = (
        api(member()).get(f"/api/v1/measures/{measure_with_data.pk}/chart/").json()["annotations"]
    )

    assert [(a["kind"], a["date"], a["x"], a["planned"]) for a in annotations] == [
        ("cycle_start", "2023-03-06", "2023-03-01", False),
        ("cycle_end", "2023-04-02", "2023-04-01", True),
    ]
    assert annotations[0]["label"] == "PDSA 3 starts: Falls huddle at handover"
    assert annotations[0]["cycle"]["stage"] == "study"


def test_many_charts_read_in_a_fixed_number_of_queries_each_as_its_own_chart(
    project, django_assert_num_queries
):
    measures = []
    for k in range(4):
        measure = MeasureFactory(project=project, name=f"Measure {k}")
        for i, period in enumerate(months(12)):
            DataPointFactory(measure=measure, period=period, value=10 + (i * (k + 1)) % 7)
        cycle = CycleFactory(
            project=project, number=k + 1, started_on=date(2023, 3, 6), planned_end=date(2023, 4, 2)
        )
        cycle.measures.add(measure)
        RebaseFactory(measure=measure, starts_on=date(2023, 6, 1), reason=f"Change {k}")
        measures.append(measure)
    alone = {m.pk: measure_chart(measure=Measure.objects.get(pk=m.pk)) for m in measures}

    fresh = list(
        Measure.objects.select_related("project", "aim").filter(pk__in=[m.pk for m in measures])
    )
    with django_assert_num_queries(2):  # readings cached above: the rebases, the cycles
        together = measure_charts(measures=fresh)

    assert together == alone
    assert {a["kind"] for chart in together.values() for a in chart["annotations"]} == {
        "rebase", "cycle_start", "cycle_end"
    }  # fmt: skip


def test_a_ratio_measures_chart_sends_numerator_over_denominator(api, member, project):
    measure = MeasureFactory(project=project, chart_type="p", improvement_direction="increase")
    for i, period in enumerate(months(14)):
        DataPointFactory(
            measure=measure, period=period, value=None, numerator=40 + i % 4, denominator=50
        )

    chart = api(member()).get(f"/api/v1/measures/{measure.pk}/chart/").json()

    expected = analyse(
        {
            "chart": "p",
            "points": [
                {"x": p.period.isoformat(), "y": p.numerator, "n": p.denominator}
                for p in measure.data_points.all()
            ],
            "options": {
                "improvement_direction": "increase",
                "target": None,
                "fix_after_n_points": None,
                "rebase_at": [],
            },
        }
    )
    assert chart["spc"] == expected


def test_a_measure_with_fewer_than_two_points_has_no_chart_yet_and_says_why(api, member, project):
    measure = MeasureFactory(project=project)
    DataPointFactory(measure=measure, period=date(2024, 1, 1))
    client = api(member())

    chart = client.get(f"/api/v1/measures/{measure.pk}/chart/")
    svg = client.get(f"/api/v1/measures/{measure.pk}/chart.svg")

    assert chart.status_code == 200
    assert chart.json()["spc"] is None
    assert chart.json()["reason"] == "A chart needs at least 2 data points; this measure has 1."
    assert svg.status_code == 200
    assert "needs at least 2 data points" in svg.content.decode()


def test_the_cached_reading_is_renewed_by_new_data(api, on_team, measure_with_data):
    client = api(on_team(Team.LEAD))
    before = measure_spc(measure_with_data)

    client.post(
        f"/api/v1/measures/{measure_with_data.pk}/data/",
        [{"period": "2024-01-01", "value": 40}],
        format="json",
    )
    measure_with_data.refresh_from_db()
    after = measure_spc(measure_with_data)

    assert len(before["points"]) == 24
    assert len(after["points"]) == 25
    assert after["points"][-1]["rules"] == ["astronomical"]


def test_many_measures_are_read_with_one_query_for_data_and_one_for_rebases(
    project, django_assert_num_queries
):
    measures = []
    for _ in range(20):
        measure = MeasureFactory(project=project)
        for period in months(15):
            DataPointFactory(measure=measure, period=period, value=period.month)
        measures.append(measure)
    empty = MeasureFactory(project=project)

    with django_assert_num_queries(2):
        first = measures_spc([*measures, empty])
    with django_assert_num_queries(0):
        again = measures_spc([*measures, empty])

    assert first == again
    assert first[empty.pk] is None
    assert all(first[m.pk]["chart"] == "xmr" for m in measures)


def test_the_svg_is_xml_with_the_variation_and_assurance_icons(api, member, measure_with_data):
    response = api(member()).get(f"/api/v1/measures/{measure_with_data.pk}/chart.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    icons = [g for g in root.iter(f"{SVG}g") if g.get("class") == "icon"]
    titles = [icon.find(f"{SVG}title").text for icon in icons]
    assert len(titles) == 2
    assert titles[0].startswith("Special cause") or titles[0].startswith("Common cause")
    assert titles[1].startswith("Assurance")
    assert len([c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]) == 24
    assert "Target 5" in response.content.decode()


def test_captions_of_cycles_close_together_do_not_overlap(api, member, project, measure_with_data):
    for number, started in ((4, date(2023, 3, 1)), (12, date(2023, 3, 20)), (13, date(2023, 9, 1))):
        CycleFactory(
            project=project, number=number, started_on=started, planned_end=None
        ).measures.add(measure_with_data)

    svg = api(member()).get(f"/api/v1/measures/{measure_with_data.pk}/chart.svg").content
    captions = {
        text.text: (float(text.get("x")), float(text.get("y")))
        for text in ElementTree.fromstring(svg).iter(f"{SVG}text")
        if (text.text or "").startswith("PDSA ") and text.text != "PDSA cycle"
    }
    assert set(captions) == {"PDSA 4", "PDSA 12", "PDSA 13"}
    # Cycles 4 and 12 start within a month: the second steps down a row.
    assert captions["PDSA 12"][1] == captions["PDSA 4"][1] + 12
    # Cycle 13 is far enough along to go back to the first row.
    assert captions["PDSA 13"][1] == captions["PDSA 4"][1]


def test_the_svg_escapes_what_people_typed(api, member, organisation, ward):
    project = ProjectFactory(
        organisation=organisation, unit=ward, title="<script>alert(1)</script>"
    )
    measure = MeasureFactory(project=project, name='Falls & "near misses" <b>')
    for period in months(3):
        DataPointFactory(measure=measure, period=period, value=3)

    response = api(member()).get(f"/api/v1/measures/{measure.pk}/chart.svg")

    body = response.content.decode()
    ElementTree.fromstring(response.content)
    assert "<script>" not in body
    assert "&lt;script&gt;" in body
    assert 'Falls &amp; "near misses" &lt;b&gt;' in body


@pytest.mark.parametrize("accept", ["image/svg+xml", "*/*", "text/html,image/*;q=0.8"])
def test_the_svg_is_served_whatever_the_browser_accepts(api, member, measure_with_data, accept):
    response = api(member()).get(
        f"/api/v1/measures/{measure_with_data.pk}/chart.svg", HTTP_ACCEPT=accept
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
