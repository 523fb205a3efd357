"""Every measure's stored SPC reading: written with every data write, never served stale.

Each write test seeds a measure through the services (so it has a reading), changes it
one way (the API, the phone page, a CSV import, the Django admin, a rebase, a delete),
and then, before anything reads it, checks that the stored reading was written by the
change itself and says exactly what a fresh analysis of the new state says
(``tests.projects.reading_oracle``, worked out point by point from the engine's full
result); and that the summary table and the chart then agree with it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from projects.models import DataPoint, Measure, MeasureReading, ProjectMember
from projects.selectors import measure_readings, measures_spc_summaries, readings_compute
from projects.services import bump_revision, data_points_upsert, measure_create
from projects.spc_summary import ENGINE_VERSION
from tests.factories import MeasureFactory, UserFactory
from tests.projects.conftest import months
from tests.projects.reading_oracle import expected_reading, stored_reading
from tests.projects.test_portfolio import FALLING, give_data

URL = "/api/v1/portfolio/measures/"
READ = ("points", "latest_period", "latest_value", "signal", "variation_icon", "assurance_icon")


@pytest.fixture
def lead(on_team):
    return on_team(ProjectMember.Role.LEAD)


@pytest.fixture
def falls(project, lead) -> Measure:
    """Twenty months through the service, lower is better, the last eight a shift down;
    target 8."""
    measure = MeasureFactory(project=project, name="Falls", target=8.0)
    rows = [
        {"period": period, "value": value}
        for period, value in zip(months(20), FALLING, strict=True)
    ]
    data_points_upsert(measure=measure, rows=rows, by=lead)
    return measure


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def served_reading(client, measure: Measure) -> dict[str, Any]:
    """What the summary table says, checked against what the chart says."""
    [row] = [row for row in client.get(URL).json()["results"] if row["id"] == measure.pk]
    chart = client.get(row["links"]["chart"]).json()["spc"]
    if chart is not None:
        assert (chart["variation_icon"], chart["assurance_icon"]) == (
            row["variation_icon"],
            row["assurance_icon"],
        )
        assert chart["points"][-1]["x"] == row["latest_period"]
    return {name: row[name] for name in READ}


def check_written(client, measure: Measure, change: Callable[[], Any]) -> None:
    before = stored_reading(measure)
    assert before == expected_reading(measure)
    revision = Measure.objects.get(pk=measure.pk).revision

    response = change()

    # The admin answers a saved form with a redirect, and a refused one with the form.
    assert response.status_code in (200, 201, 204, 302), response.content[:500]
    assert not (response.status_code == 200 and b"errornote" in response.content)
    now = Measure.objects.get(pk=measure.pk)
    assert now.revision > revision
    # Written by the change itself, at the new revision: nothing has read it since.
    written = MeasureReading.objects.get(measure=measure)
    assert (written.revision, written.engine_version) == (now.revision, ENGINE_VERSION)
    after = expected_reading(measure)
    assert after != before, "the change should move the reading"
    assert stored_reading(measure) == after
    served = served_reading(client, measure)
    assert served["variation_icon"] == (after["variation_icon"] or None)
    assert served["points"] == after["points"]


# --- through the API and the pages ------------------------------------------------------


def test_new_data_writes_the_reading(api, lead, falls):
    client = api(lead)
    check_written(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/data/", [{"period": "2023-09-01", "value": 30}]
        ),
    )


def test_a_changed_value_writes_the_reading(api, lead, falls):
    client = api(lead)
    check_written(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/data/", [{"period": "2023-08-01", "value": 30}]
        ),
    )


def test_a_csv_import_writes_the_reading(api, lead, falls):
    client = api(lead)
    check_written(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/data.csv",
            b"period,value\r\n2023-09-01,30\r\n",
            content_type="text/csv",
        ),
    )


def test_a_point_added_on_the_phone_page_writes_the_reading(api, lead, falls):
    page = Client()
    page.force_login(lead)
    check_written(
        api(lead),
        falls,
        lambda: page.post(
            "/data/new/", {"measure": falls.pk, "period": "2023-09-01", "value": "30"}
        ),
    )


def test_deleting_a_data_point_writes_the_reading(api, lead, falls):
    client = api(lead)
    check_written(
        client, falls, lambda: client.delete(f"/api/v1/measures/{falls.pk}/data/2023-08-01/")
    )


def test_a_rebase_writes_the_reading(api, lead, falls):
    client = api(lead)
    check_written(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/rebases/",
            {"starts_on": "2023-01-01", "reason": "Falls bundle in place"},
        ),
    )


def test_undoing_a_rebase_writes_the_reading(api, lead, falls):
    client = api(lead)
    rebase = client.post(
        f"/api/v1/measures/{falls.pk}/rebases/",
        {"starts_on": "2023-01-01", "reason": "Falls bundle in place"},
    ).json()
    check_written(
        client, falls, lambda: client.delete(f"/api/v1/measures/{falls.pk}/rebases/{rebase['id']}/")
    )


@pytest.mark.parametrize(
    "change",
    [
        {"target": 20},
        {"target": None},
        {"improvement_direction": "increase"},
        {"chart_type": "run"},
        {"fix_after_n_points": 12},
    ],
)
def test_changing_what_the_chart_reads_writes_the_reading(api, lead, falls, change):
    client = api(lead)
    check_written(client, falls, lambda: client.patch(f"/api/v1/measures/{falls.pk}/", change))


def test_a_new_measure_has_a_reading_saying_why_there_is_no_chart_yet(project, lead):
    measure = measure_create(by=lead, project=project, name="Huddles held", type="process")

    assert stored_reading(measure) == expected_reading(measure)
    assert MeasureReading.objects.get(measure=measure).reason.startswith("A chart needs")


def test_renaming_a_measure_keeps_its_reading_and_shows_the_new_name(
    api, lead, falls, django_assert_max_num_queries
):
    client = api(lead)
    written = MeasureReading.objects.get(measure=falls).computed_at

    client.patch(f"/api/v1/measures/{falls.pk}/", {"name": "Falls (all)"})
    falls.refresh_from_db()
    with django_assert_max_num_queries(1):  # the stored readings, nothing analysed
        measures_spc_summaries([falls])

    assert MeasureReading.objects.get(measure=falls).computed_at == written
    assert client.get(URL).json()["results"][0]["name"] == "Falls (all)"


# --- through the Django admin ---------------------------------------------------------


def _measure_form(measure: Measure, **changes: Any) -> dict[str, Any]:
    fields = {
        "organisation": measure.organisation_id,
        "project": measure.project_id,
        "aim": "",
        "definition": "",
        "type": measure.type,
        "name": measure.name,
        "operational_definition": "",
        "unit": "",
        "improvement_direction": measure.improvement_direction,
        "chart_type": measure.chart_type,
        "frequency": measure.frequency,
        "target": measure.target,
        "fix_after_n_points": "",
        "rebases-TOTAL_FORMS": 0,
        "rebases-INITIAL_FORMS": 0,
        "rebases-MIN_NUM_FORMS": 0,
        "rebases-MAX_NUM_FORMS": 1000,
    }
    return {**fields, **changes}


def test_a_target_changed_in_the_admin_writes_the_reading(api, member, admin_client, falls):
    check_written(
        api(member()),
        falls,
        lambda: admin_client.post(
            f"/admin/projects/measure/{falls.pk}/change/", _measure_form(falls, target="20")
        ),
    )


def test_a_rebase_added_in_the_admin_writes_the_reading(api, member, admin_client, falls):
    reader = member()
    form = _measure_form(
        falls,
        **{
            "rebases-TOTAL_FORMS": 1,
            "rebases-0-starts_on": "2023-01-01",
            "rebases-0-reason": "Falls bundle in place",
            "rebases-0-decided_by": reader.pk,
            "rebases-0-measure": falls.pk,
        },
    )
    check_written(
        api(reader),
        falls,
        lambda: admin_client.post(f"/admin/projects/measure/{falls.pk}/change/", form),
    )


def test_a_rebase_deleted_in_the_admin_writes_the_reading(api, member, lead, admin_client, falls):
    rebase = (
        api(lead)
        .post(
            f"/api/v1/measures/{falls.pk}/rebases/",
            {"starts_on": "2023-01-01", "reason": "Falls bundle in place"},
        )
        .json()
    )
    check_written(
        api(member()),
        falls,
        lambda: admin_client.post(
            f"/admin/projects/rebase/{rebase['id']}/delete/", {"post": "yes"}
        ),
    )


def test_a_value_changed_in_the_admin_writes_the_reading(api, member, admin_client, falls):
    point = falls.data_points.get(period="2023-08-01")
    form = {
        "measure": falls.pk,
        "period": "2023-08-01",
        "value": "30",
        "numerator": "",
        "denominator": "",
        "note": "",
        "created_by": "",
    }
    check_written(
        api(member()),
        falls,
        lambda: admin_client.post(f"/admin/projects/datapoint/{point.pk}/change/", form),
    )


def test_a_data_point_deleted_in_the_admin_writes_the_reading(api, member, admin_client, falls):
    point = falls.data_points.get(period="2023-08-01")
    check_written(
        api(member()),
        falls,
        lambda: admin_client.post(f"/admin/projects/datapoint/{point.pk}/delete/", {"post": "yes"}),
    )


def test_data_points_deleted_together_in_the_admin_write_the_reading(
    api, member, admin_client, falls
):
    last_two = falls.data_points.filter(period__gte="2023-07-01")
    form = {
        "action": "delete_selected",
        "post": "yes",
        "_selected_action": [point.pk for point in last_two],
    }
    check_written(
        api(member()),
        falls,
        lambda: admin_client.post("/admin/projects/datapoint/", form),
    )


# --- never stale ----------------------------------------------------------------------


def _bypassing_the_services(measure: Measure, value: float) -> None:
    """Change the last value and move the revision as a careless script would, without
    writing the reading: the stored one is now of an older revision."""
    last = DataPoint.objects.filter(measure=measure).latest("period")
    DataPoint.objects.filter(pk=last.pk).update(value=value)
    Measure.objects.filter(pk=measure.pk).update(revision=measure.revision + 1)


def test_a_reading_of_an_older_revision_is_never_served(api, lead, falls):
    old = MeasureReading.objects.get(measure=falls)
    assert old.variation_icon == "improvement_low"

    _bypassing_the_services(falls, 30.0)

    served = served_reading(api(lead), falls)
    fresh = expected_reading(falls)
    assert served["latest_value"] == 30.0 != old.latest_value
    assert served["variation_icon"] == fresh["variation_icon"] == "concern_high"
    # The miss was analysed and stored at the new revision.
    assert stored_reading(falls) == fresh
    assert MeasureReading.objects.get(measure=falls).revision == falls.revision + 1


def test_a_reading_of_another_engine_version_is_never_served(falls):
    MeasureReading.objects.filter(measure=falls).update(
        engine_version=ENGINE_VERSION + 1, variation_icon="concern_high"
    )

    [reading] = measure_readings([Measure.objects.get(pk=falls.pk)]).values()

    assert (reading.engine_version, reading.variation_icon) == (ENGINE_VERSION, "improvement_low")


def test_a_reading_never_replaces_one_of_a_newer_revision(falls):
    stale = readings_compute([Measure.objects.get(pk=falls.pk)])[falls.pk]
    bump_revision(falls)  # writes the newer reading
    newer = MeasureReading.objects.get(measure=falls).revision

    stored = MeasureReading.objects.save_current([stale])

    assert stored == []
    assert MeasureReading.objects.get(measure=falls).revision == newer > stale.revision


def test_a_reading_written_in_a_rolled_back_transaction_rolls_back_with_it(lead, falls):
    before = stored_reading(falls)
    with suppress(RuntimeError), transaction.atomic():
        data_points_upsert(measure=falls, rows=[{"period": months(21)[-1], "value": 30}], by=lead)
        raise RuntimeError

    assert stored_reading(falls) == before == expected_reading(falls)


def test_a_revision_lost_in_a_rollback_is_never_issued_again(falls):
    """A chart cached inside a transaction that rolls back is keyed by its revision; if
    the next committed change could get the same number, that stale chart would be
    served for it."""
    from projects.selectors import measure_spc

    last = DataPoint.objects.filter(measure=falls).latest("period")
    with suppress(RuntimeError), transaction.atomic():
        DataPoint.objects.filter(pk=last.pk).update(value=999)
        bump_revision(falls)
        lost = falls.revision
        assert measure_spc(falls)["points"][-1]["value"] == 999  # now in the cache
        raise RuntimeError
    falls.refresh_from_db()

    bump_revision(falls)

    assert falls.revision > lost
    assert measure_spc(falls)["points"][-1]["value"] == last.value


# --- reading many ---------------------------------------------------------------------


def test_stored_readings_are_read_in_one_query_and_misses_in_a_fixed_number(
    project, django_assert_num_queries
):
    measures = [give_data(MeasureFactory(project=project), FALLING) for _ in range(5)]

    # Bulk-loaded: no readings. Their points, their rebases, then one transaction: a
    # savepoint, the measures locked, the readings written, the savepoint released.
    with django_assert_num_queries(1 + 2 + 4):
        first = measures_spc_summaries(measures)
    ids = [measure.pk for measure in measures]
    fresh = list(Measure.objects.filter(pk__in=ids))
    with django_assert_num_queries(1):
        again = measures_spc_summaries(fresh)
    joined = list(Measure.objects.filter(pk__in=ids).select_related("reading"))
    with django_assert_num_queries(0):
        read = measures_spc_summaries(joined)

    assert first == again == read
