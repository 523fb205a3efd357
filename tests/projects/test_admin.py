"""The Django admin for the portfolio: it opens, and an edit there renews charts."""

import pytest
from django.test import Client

from projects.models import DataPoint, Measure
from tests.factories import UserFactory

PAGES = [
    "strategicaim",
    "project",
    "projectmember",
    "driver",
    "changeidea",
    "measuredefinition",
    "measure",
    "rebase",
    "datapoint",
]


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", PAGES)
def test_the_admin_lists_open(admin_client, measure_with_data, model):
    assert admin_client.get(f"/admin/projects/{model}/").status_code == 200


def test_editing_a_data_point_in_the_admin_moves_the_measure_to_a_new_revision(
    admin_client, measure_with_data
):
    point = measure_with_data.data_points.first()

    response = admin_client.post(
        f"/admin/projects/datapoint/{point.pk}/change/",
        {"measure": measure_with_data.pk, "period": point.period.isoformat(), "value": "42",
         "numerator": "", "denominator": "", "note": "", "created_by": ""},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    assert DataPoint.objects.get(pk=point.pk).value == 42
    assert Measure.objects.get(pk=measure_with_data.pk).revision > measure_with_data.revision
