"""Data points: upserts by period, all or nothing, per-row errors, CSV in and out."""

import csv
import io
import threading
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from backend.models import Membership
from projects.models import DataPoint, Project, ProjectMember
from projects.services import data_points_upsert
from projects.signals import measure_data_changed
from tests.factories import MeasureFactory
from tests.projects.conftest import months

Role = Membership.Role
Team = ProjectMember.Role
NHS_NOTE = "Patient NHS no. 943 476 5919 fell twice."


def _rows(count, start=date(2010, 1, 1), bad_at=None):
    rows = [
        {"period": p.isoformat(), "value": 10 + i % 3} for i, p in enumerate(months(count, start))
    ]
    if bad_at is not None:
        rows[bad_at]["value"] = "lots"
    return rows


def _csv(rows, header=("period", "value", "note")):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


def test_the_team_adds_data_and_the_measure_moves_to_a_new_revision(
    api, project, on_team, measure_with_data
):
    seen = []

    def listener(sender, measure, by, **kwargs):
        seen.append((measure.pk, by))

    measure_data_changed.connect(listener)
    lead = on_team(Team.LEAD)
    Project.objects.filter(pk=project.pk).update(last_activity_at=None)
    url = f"/api/v1/measures/{measure_with_data.pk}/data/"
    try:
        response = api(lead).post(
            url,
            [
                {"period": "2024-01-01", "value": 4, "note": "New huddle started"},
                {"period": "2023-12-01", "value": 7.5},
            ],
            format="json",
        )
    finally:
        measure_data_changed.disconnect(listener)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 0)
    assert body["revision"] > 0
    assert seen == [(measure_with_data.pk, lead)]
    assert Project.objects.get(pk=project.pk).last_activity_at is not None
    assert DataPoint.objects.get(measure=measure_with_data, period="2023-12-01").value == 7.5
    listed = api(lead).get(url).json()
    assert listed["count"] == 25
    assert listed["revision"] == body["revision"]


def test_sending_the_same_rows_again_changes_nothing(api, on_team, measure_with_data):
    client = api(on_team(Team.LEAD))
    url = f"/api/v1/measures/{measure_with_data.pk}/data/"
    first = client.post(url, [{"period": "2024-01-01", "value": 4}], format="json").json()

    again = client.post(url, {"rows": [{"period": "2024-01-01", "value": 4}]}, format="json")

    assert again.status_code == 200
    assert (again.json()["unchanged"], again.json()["revision"]) == (1, first["revision"])


def test_one_bad_row_saves_nothing_and_names_every_bad_row(api, on_team, project):
    measure = MeasureFactory(project=project)
    rows = _rows(6)
    rows[3]["value"] = "lots"
    rows[5]["period"] = "2010-06-15"

    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure.pk}/data/", rows, format="json"
    )

    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["rows[3].value"]
    assert not DataPoint.objects.filter(measure=measure).exists()
    rows[3]["value"] = 12

    second = api(on_team(Team.MEMBER)).post(
        f"/api/v1/measures/{measure.pk}/data/", rows, format="json"
    )

    assert second.status_code == 400
    assert [e["field"] for e in second.json()["errors"]] == ["rows[5].period"]
    assert "first day of the month" in second.json()["errors"][0]["message"]
    assert not DataPoint.objects.filter(measure=measure).exists()


def test_a_ratio_chart_needs_numerator_and_denominator(api, on_team, project):
    measure = MeasureFactory(project=project, chart_type="p", improvement_direction="increase")

    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure.pk}/data/",
        [
            {"period": "2024-01-01", "numerator": 40, "denominator": 50},
            {"period": "2024-02-01", "value": 0.8},
            {"period": "2024-03-01", "numerator": 60, "denominator": 50},
            {"period": "2024-03-01", "numerator": 1, "denominator": 2},
        ],
        format="json",
    )

    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {
        "rows[1].numerator",
        "rows[1].denominator",
        "rows[2].numerator",
        "rows[3].period",
    }


def test_a_data_note_with_an_nhs_number_is_refused(api, on_team, measure_with_data):
    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure_with_data.pk}/data/",
        [{"period": "2024-01-01", "value": 3, "note": NHS_NOTE}],
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rows[0].note"
    assert response.json()["errors"][0]["code"] == "nhs_number"


def test_data_in_the_future_is_refused(api, on_team, measure_with_data):
    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure_with_data.pk}/data/",
        [{"period": "2999-01-01", "value": 3}],
        format="json",
    )

    assert response.json()["errors"][0]["field"] == "rows[0].period"


def test_a_weekly_measures_period_is_the_monday_its_week_starts(api, on_team, project):
    """As the missing-data nudge counts weeks: two points in one week would be one week."""
    weekly = MeasureFactory(project=project, frequency="weekly")
    url = f"/api/v1/measures/{weekly.pk}/data/"
    client = api(on_team(Team.LEAD))

    wednesday = client.post(url, [{"period": "2026-11-04", "value": 3}], format="json")
    monday = client.post(url, [{"period": "2026-11-02", "value": 3}], format="json")

    assert wednesday.status_code == 400
    assert wednesday.json()["errors"][0]["message"].endswith("e.g. 2026-11-02.")
    assert monday.status_code == 201, monday.json()


def test_someone_off_the_team_reads_data_but_cannot_add_it(api, member, measure_with_data):
    client = api(member(Role.FRONTLINE))
    url = f"/api/v1/measures/{measure_with_data.pk}/data/"

    assert client.get(url).status_code == 200
    assert (
        client.post(url, [{"period": "2024-01-01", "value": 1}], format="json").status_code == 403
    )


def test_deleting_a_data_point_is_kept_in_the_data_history(api, on_team, measure_with_data):
    lead = on_team(Team.LEAD)
    client = api(lead)
    base = f"/api/v1/measures/{measure_with_data.pk}"

    assert client.delete(f"{base}/data/2022-03-01/").status_code == 204
    assert client.delete(f"{base}/data/2022-03-01/").status_code == 404
    client.post(f"{base}/data/", [{"period": "2022-04-01", "value": 99}], format="json")
    history = client.get(f"{base}/data/history/").json()["results"]

    assert history[0]["subject"] == "2022-04-01"
    assert history[0]["who"]["id"] == lead.pk
    assert {"field": "value", "old": 11.0, "new": 99.0} in history[0]["changes"]
    assert (history[1]["type"], history[1]["subject"]) == ("deleted", "2022-03-01")


def test_a_csv_with_one_bad_row_among_100_saves_nothing_and_reports_the_row(api, on_team, project):
    measure = MeasureFactory(project=project)
    client = api(on_team(Team.LEAD))
    rows = _rows(100, bad_at=41)
    url = f"/api/v1/measures/{measure.pk}/data.csv"

    response = client.post(url, _csv(rows), content_type="text/csv")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["row 43.value"]  # the header is row 1
    assert errors[0]["message"] == "A valid number is required."
    assert not DataPoint.objects.filter(measure=measure).exists()

    rows[41]["value"] = 11
    fixed = client.post(url, _csv(rows), content_type="text/csv")

    assert fixed.status_code == 201, fixed.json()
    assert fixed.json()["created"] == 100
    assert DataPoint.objects.filter(measure=measure).count() == 100


def test_csv_business_rules_name_the_row_in_the_file(api, on_team, project):
    measure = MeasureFactory(project=project)
    rows = _rows(5)
    rows[2]["value"] = ""

    response = api(on_team(Team.LEAD)).put(
        f"/api/v1/measures/{measure.pk}/data.csv", _csv(rows), content_type="text/csv"
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["row 4.value"]
    assert response.json()["errors"][0]["message"] == "is required for a XmR chart."


def test_a_csv_file_upload_with_excel_habits_is_read(api, on_team, project):
    measure = MeasureFactory(project=project, chart_type="u")
    text = (
        '\ufeffMonth,Numerator,Denominator,Notes\r\n2024-01,3,"1,204",\r\n\r\n2024-02,5,980,ok\r\n'
    )
    upload = SimpleUploadedFile("falls.csv", text.encode("utf-8"), content_type="text/csv")

    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure.pk}/data.csv", {"file": upload}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    assert list(
        DataPoint.objects.filter(measure=measure).values_list("period", "numerator", "denominator")
    ) == [(date(2024, 1, 1), 3.0, 1204.0), (date(2024, 2, 1), 5.0, 980.0)]


def test_an_unknown_csv_column_is_refused(api, on_team, measure_with_data):
    response = api(on_team(Team.LEAD)).post(
        f"/api/v1/measures/{measure_with_data.pk}/data.csv",
        b"period,valeu\n2024-01-01,3\n",
        content_type="text/csv",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "header"
    assert "valeu" in response.json()["message"]


def test_csv_export_reads_back_unchanged(api, on_team, measure_with_data):
    client = api(on_team(Team.LEAD))
    url = f"/api/v1/measures/{measure_with_data.pk}/data.csv"
    client.post(
        f"/api/v1/measures/{measure_with_data.pk}/data/",
        [{"period": "2022-01-01", "value": 8.5, "note": '=HYPERLINK("x")'}],
        format="json",
    )

    exported = client.get(url)
    reimported = client.post(url, exported.content, content_type="text/csv")

    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode().splitlines()
    assert lines[0] == "period,value,numerator,denominator,note"
    # A note a spreadsheet would run as a formula goes out guarded, and comes back as typed.
    assert lines[1] == '2022-01-01,8.5,,,"\'=HYPERLINK(""x"")"'
    assert reimported.status_code == 200, reimported.json()
    assert reimported.json()["unchanged"] == 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_of_the_same_new_period_queue_instead_of_colliding(project, on_team):
    measure = MeasureFactory(project=project)
    lead = on_team(Team.LEAD)
    outcomes = []
    barrier = threading.Barrier(4)

    def upload(value):
        try:
            barrier.wait()
            result = data_points_upsert(
                measure=measure, rows=[{"period": date(2024, 1, 1), "value": value}], by=lead
            )
            outcomes.append((len(result.created), len(result.updated)))
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(value,)) for value in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [(0, 1), (0, 1), (0, 1), (1, 0)]
    assert DataPoint.objects.filter(measure=measure).count() == 1
    measure.refresh_from_db()
    assert measure.revision > 0


def test_a_retried_upload_with_the_same_key_is_replayed_not_applied_twice(
    api, on_team, measure_with_data
):
    client = api(on_team(Team.LEAD))
    url = f"/api/v1/measures/{measure_with_data.pk}/data/"
    rows = [{"period": "2024-01-01", "value": 4}]

    first = client.post(url, rows, format="json", HTTP_IDEMPOTENCY_KEY="upload-1")
    retry = client.post(url, rows, format="json", HTTP_IDEMPOTENCY_KEY="upload-1")

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    measure_with_data.refresh_from_db()
    assert measure_with_data.revision == first.json()["revision"]
