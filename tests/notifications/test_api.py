"""The notifications API: your own list, its unread count, marking read, and preferences."""

from __future__ import annotations

import pytest

from backend.models import Membership
from notifications.models import Kind, Notification, Preference
from tests.factories import NotificationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


@pytest.fixture
def coach(member):
    return member(Membership.Role.COACH)


def notify(user, organisation, count: int = 1, **fields) -> list[Notification]:
    return [
        NotificationFactory(recipient=user, organisation=organisation, **fields)
        for _ in range(count)
    ]


def test_the_list_shows_only_my_notifications_newest_first_with_their_kind(
    api, coach, member, organisation
):
    mine = notify(coach, organisation, 2)
    notify(member(), organisation, 3)
    response = api(coach).get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine[1].pk, mine[0].pk]
    assert rows[0]["kind"] == "nudge_stalled"
    assert rows[0]["is_read"] is False
    assert set(rows[0]) >= {"title", "body", "link", "evidence", "created_at", "project"}


def test_the_list_pages_with_a_cursor(api, coach, organisation):
    notes = notify(coach, organisation, 5)
    first = api(coach).get(URL, {"page_size": 2}).json()
    assert [row["id"] for row in first["results"]] == [notes[4].pk, notes[3].pk]
    second = api(coach).get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [notes[2].pk, notes[1].pk]
    assert "cursor=" in first["next"]


def test_the_list_filters_by_kind_and_unread(api, coach, organisation):
    notify(coach, organisation, kind=Kind.SIGNAL)
    read = notify(coach, organisation, kind=Kind.STALLED)[0]
    read.read_at = read.created_at
    read.save()
    client = api(coach)
    assert [r["kind"] for r in client.get(URL, {"kind": "celebration_signal"}).json()["results"]]
    assert len(client.get(URL, {"unread": "true"}).json()["results"]) == 1
    assert client.get(URL, {"kind": "no_such_kind"}).status_code == 400


def test_filtering_by_another_organisations_project_says_nothing_about_it(
    api, coach, organisation, other_organisation
):
    theirs = ProjectFactory(organisation=other_organisation)
    response = api(coach).get(URL, {"project": theirs.pk})
    assert response.status_code == 200 and response.json()["results"] == []
    assert api(coach).get(URL, {"project": theirs.pk + 1000}).json()["results"] == []


def test_a_notification_hidden_from_the_app_is_not_listed(api, coach, organisation):
    notify(coach, organisation, in_app=False)
    assert api(coach).get(URL).json()["results"] == []
    assert api(coach).get(URL + "unread-count/").json() == {"unread": 0}


def test_notifications_of_an_organisation_i_left_are_not_listed(
    api, coach, other_organisation, organisation
):
    notify(coach, other_organisation)
    assert api(coach).get(URL).json()["results"] == []


def test_the_list_keeps_its_query_count_from_1_to_50_rows(
    api, coach, organisation, django_assert_max_num_queries
):
    notify(coach, organisation, 1)
    client = api(coach)
    with django_assert_max_num_queries(3) as one:
        client.get(URL)
    notify(coach, organisation, 49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(URL, {"page_size": 50})
    assert len(response.json()["results"]) == 50


def test_unread_count_and_marking_one_read(api, coach, organisation):
    first, _ = notify(coach, organisation, 2)
    client = api(coach)
    assert client.get(URL + "unread-count/").json() == {"unread": 2}
    response = client.post(f"{URL}{first.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    read_at = response.json()["read_at"]
    assert client.post(f"{URL}{first.pk}/read/").json()["read_at"] == read_at
    assert client.get(URL + "unread-count/").json() == {"unread": 1}


def test_marking_all_read(api, coach, member, organisation):
    notify(coach, organisation, 3)
    someone_else = notify(member(), organisation)[0]
    client = api(coach)
    assert client.post(URL + "read-all/").json() == {"marked_read": 3}
    assert client.get(URL + "unread-count/").json() == {"unread": 0}
    someone_else.refresh_from_db()
    assert someone_else.read_at is None


def test_someone_elses_notification_is_not_found(api, coach, member, organisation):
    theirs = notify(member(), organisation)[0]
    response = api(coach).post(f"{URL}{theirs.pk}/read/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_signing_in_is_required(api):
    assert api().get(URL).status_code in (401, 403)


# --- preferences --------------------------------------------------------------------

PREFS = URL + "preferences/"


def test_preferences_start_at_the_defaults(api, coach):
    response = api(coach).get(PREFS)
    assert response.status_code == 200
    assert response.json() | {"updated_at": None} == {
        "in_app": True,
        "email": True,
        "muted_kinds": [],
        "digest_weekday": 0,
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "updated_at": None,
    }
    assert response["ETag"]
    assert not Preference.objects.exists()


def test_preferences_are_saved(api, coach):
    body = {
        "in_app": True,
        "email": False,
        "muted_kinds": ["nudge_missing_data"],
        "digest_weekday": 4,
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "07:00",
    }
    response = api(coach).put(PREFS, body)
    assert response.status_code == 200, response.json()
    saved = Preference.objects.get(user=coach)
    assert saved.email is False and saved.muted_kinds == ["nudge_missing_data"]
    assert saved.digest_weekday == 4 and str(saved.quiet_hours_end) == "07:00:00"
    assert api(coach).get(PREFS).json()["quiet_hours_start"] == "21:00:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"muted_kinds": ["nudge_everything"]}, "muted_kinds[0]"),
        ({"digest_weekday": 7}, "digest_weekday"),
        ({"quiet_hours_start": "21:00"}, "quiet_hours_end"),
        ({"quiet_hours_start": "half past"}, "quiet_hours_start"),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field(api, coach, body, field):
    response = api(coach).put(PREFS, body)
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_a_stale_preferences_update_is_refused(api, coach):
    client = api(coach)
    etag = client.get(PREFS)["ETag"]
    assert client.put(PREFS, {"email": False}, HTTP_IF_MATCH=etag).status_code == 200
    response = client.put(PREFS, {"email": True}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert Preference.objects.get(user=coach).email is False
