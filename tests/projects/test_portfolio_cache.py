"""Cached SPC readings renew on every path that changes a measure's data or options.

Each test warms the caches through the summary table and the chart, changes the measure
one way, and checks that both then say what the SPC engine says of the new state (and
that the change did move the reading, so the check means something).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from projects.models import DataPoint, Measure, ProjectMember, Rebase
from projects.selectors import measures_spc_summaries, spc_document
from projects.spc import analyse
from tests.factories import MeasureFactory, UserFactory
from tests.projects.test_portfolio import FALLING, give_data

URL = "/api/v1/portfolio/measures/"
READ = ("points", "latest_period", "latest_value", "signal", "variation_icon", "assurance_icon")


@pytest.fixture
def falls(project) -> Measure:
    """Twenty months, lower is better, the last eight a shift down; target 8."""
    return give_data(MeasureFactory(project=project, name="Falls", target=8.0), FALLING)


@pytest.fixture
def lead(on_team):
    return on_team(ProjectMember.Role.LEAD)


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def engine_reading(measure: Measure) -> dict[str, Any]:
    """What the SPC engine says of the measure as the database holds it now."""
    measure = Measure.objects.get(pk=measure.pk)
    points = list(DataPoint.objects.filter(measure=measure).order_by("period"))
    rebases = Rebase.objects.filter(measure=measure)
    result = analyse(spc_document(measure=measure, points=points, rebases=rebases))
    latest = result["points"][-1]
    return {
        "points": len(points),
        "latest_period": latest["x"],
        "latest_value": latest["value"],
        "signal": latest["signal"],
        "variation_icon": result["variation_icon"],
        "assurance_icon": result["assurance_icon"],
    }


def served_reading(client, measure: Measure) -> dict[str, Any]:
    """What the summary table says, checked against what the chart says."""
    [row] = [row for row in client.get(URL).json()["results"] if row["id"] == measure.pk]
    chart = client.get(row["links"]["chart"]).json()["spc"]
    assert (chart["variation_icon"], chart["assurance_icon"]) == (
        row["variation_icon"],
        row["assurance_icon"],
    )
    assert chart["points"][-1]["x"] == row["latest_period"]
    return {name: row[name] for name in READ}


def check_renewed(client, measure: Measure, change: Callable[[], Any]) -> None:
    before = served_reading(client, measure)
    assert before == engine_reading(measure)
    revision = Measure.objects.get(pk=measure.pk).revision

    response = change()

    # The admin answers a saved form with a redirect, and a refused one with the form.
    assert response.status_code in (200, 201, 204, 302), response.content[:500]
    assert not (response.status_code == 200 and b"errornote" in response.content)
    assert Measure.objects.get(pk=measure.pk).revision > revision
    after = engine_reading(measure)
    assert after != before, "the change should move the reading"
    assert served_reading(client, measure) == after


# --- through the API ------------------------------------------------------------------


def test_new_data_renews_the_cached_reading(api, lead, falls):
    client = api(lead)
    check_renewed(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/data/", [{"period": "2023-09-01", "value": 30}]
        ),
    )


def test_a_changed_value_renews_the_cached_reading(api, lead, falls):
    client = api(lead)
    check_renewed(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/data/", [{"period": "2023-08-01", "value": 30}]
        ),
    )


def test_a_csv_import_renews_the_cached_reading(api, lead, falls):
    client = api(lead)
    check_renewed(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/data.csv",
            b"period,value\r\n2023-09-01,30\r\n",
            content_type="text/csv",
        ),
    )


def test_deleting_a_data_point_renews_the_cached_reading(api, lead, falls):
    client = api(lead)
    check_renewed(
        client, falls, lambda: client.delete(f"/api/v1/measures/{falls.pk}/data/2023-08-01/")
    )


def test_a_rebase_renews_the_cached_reading(api, lead, falls):
    client = api(lead)
    check_renewed(
        client,
        falls,
        lambda: client.post(
            f"/api/v1/measures/{falls.pk}/rebases/",
            {"starts_on": "2023-01-01", "reason": "Falls bundle in place"},
        ),
    )


def test_undoing_a_rebase_renews_the_cached_reading(api, lead, falls):
    client = api(lead)
    rebase = client.post(
        f"/api/v1/measures/{falls.pk}/rebases/",
        {"starts_on": "2023-01-01", "reason": "Falls bundle in place"},
    ).json()
    check_renewed(
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
def test_changing_what_the_chart_reads_renews_the_cached_reading(api, lead, falls, change):
    client = api(lead)
    check_renewed(client, falls, lambda: client.patch(f"/api/v1/measures/{falls.pk}/", change))


def test_renaming_a_measure_keeps_its_cached_reading_and_shows_the_new_name(
    api, lead, falls, django_assert_max_num_queries
):
    client = api(lead)
    served_reading(client, falls)

    client.patch(f"/api/v1/measures/{falls.pk}/", {"name": "Falls (all)"})
    falls.refresh_from_db()
    with django_assert_max_num_queries(0):
        measures_spc_summaries([falls])

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


def test_a_target_changed_in_the_admin_renews_the_cached_reading(api, member, admin_client, falls):
    check_renewed(
        api(member()),
        falls,
        lambda: admin_client.post(
            f"/admin/projects/measure/{falls.pk}/change/", _measure_form(falls, target="20")
        ),
    )


def test_a_rebase_added_in_the_admin_renews_the_cached_reading(api, member, admin_client, falls):
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
    check_renewed(
        api(reader),
        falls,
        lambda: admin_client.post(f"/admin/projects/measure/{falls.pk}/change/", form),
    )


def test_a_rebase_deleted_in_the_admin_renews_the_cached_reading(
    api, member, lead, admin_client, falls
):
    rebase = (
        api(lead)
        .post(
            f"/api/v1/measures/{falls.pk}/rebases/",
            {"starts_on": "2023-01-01", "reason": "Falls bundle in place"},
        )
        .json()
    )
    check_renewed(
        api(member()),
        falls,
        lambda: admin_client.post(
            f"/admin/projects/rebase/{rebase['id']}/delete/", {"post": "yes"}
        ),
    )


def test_a_value_changed_in_the_admin_renews_the_cached_reading(api, member, admin_client, falls):
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
    check_renewed(
        api(member()),
        falls,
        lambda: admin_client.post(f"/admin/projects/datapoint/{point.pk}/change/", form),
    )


def test_a_data_point_deleted_in_the_admin_renews_the_cached_reading(
    api, member, admin_client, falls
):
    point = falls.data_points.get(period="2023-08-01")
    check_renewed(
        api(member()),
        falls,
        lambda: admin_client.post(f"/admin/projects/datapoint/{point.pk}/delete/", {"post": "yes"}),
    )


def test_data_points_deleted_together_in_the_admin_renew_the_cached_reading(
    api, member, admin_client, falls
):
    last_two = falls.data_points.filter(period__gte="2023-07-01")
    form = {
        "action": "delete_selected",
        "post": "yes",
        "_selected_action": [point.pk for point in last_two],
    }
    check_renewed(
        api(member()),
        falls,
        lambda: admin_client.post("/admin/projects/datapoint/", form),
    )


def test_the_summary_of_a_measure_is_read_from_the_cache_once_warm(
    project, django_assert_num_queries
):
    measures = [give_data(MeasureFactory(project=project), FALLING) for _ in range(5)]
    cache.clear()

    with django_assert_num_queries(2):  # all the data points, all the rebases
        cold = measures_spc_summaries(measures)
    with django_assert_num_queries(0):
        warm = measures_spc_summaries(measures)

    assert cold == warm


def test_a_revision_lost_in_a_rollback_is_never_issued_again(falls):
    """A reading cached inside a transaction that rolls back is keyed by its revision;
    if the next committed change could get the same number, that stale reading would
    be served for it."""
    from contextlib import suppress

    from django.db import transaction

    from projects.selectors import measure_spc
    from projects.services import bump_revision

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
