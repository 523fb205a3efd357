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


def test_an_admin_edit_of_data_has_the_consequences_of_an_api_edit(
    admin_client, measure_with_data, django_capture_on_commit_callbacks
):
    """The same signal as the data services send, so the progress score, celebrations and
    spread's check all follow an admin edit too, not only the nightly reconcile."""
    from projects.signals import measure_data_changed

    heard = []

    def listen(sender, measure, by, **kwargs):
        heard.append((measure.pk, by))

    measure_data_changed.connect(listen, dispatch_uid="test-admin-edit")
    point = measure_with_data.data_points.first()
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            admin_client.post(
                f"/admin/projects/datapoint/{point.pk}/change/",
                {"measure": measure_with_data.pk, "period": point.period.isoformat(),
                 "value": "1", "numerator": "", "denominator": "", "note": "",
                 "created_by": ""},
            )  # fmt: skip
    finally:
        measure_data_changed.disconnect(dispatch_uid="test-admin-edit")

    assert [measure_id for measure_id, _ in heard] == [measure_with_data.pk]
    assert heard[0][1].is_superuser
    # The progress refresh, the celebration check and spread's check, after commit.
    assert len(callbacks) >= 3


def test_an_admin_edit_of_a_team_recomputes_the_progress_score(
    admin_client, project, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory as People

    project.aim_statement = "Fewer falls."
    project.save()
    member = project.members.create(user=People(), role="member")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/projects/projectmember/{member.pk}/delete/", {"post": "yes"})

    project.refresh_from_db()
    assert project.progress_reason.startswith("0.5")
