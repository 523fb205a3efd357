"""The wins page (each win once, worded by its evidence), thanks that reach the people
thanked, and the QI team's nudge settings page."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.models import Membership
from notifications.models import Kind, Notification, NudgeSettings, Thanks
from notifications.services import wins_detect
from tests.factories import MeasureFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def celebrate():
    """Run the celebration rules over a measure, as the data-changed task does."""

    def run(measure) -> Notification:
        wins_detect(measures=[measure])
        return Notification.objects.filter(measure=measure, kind=Kind.SIGNAL).order_by("id")[0]

    return run


def test_a_win_shows_once_however_many_people_were_told(team, measure_with, celebrate, member):
    win = celebrate(measure_with("shift"))
    assert Notification.objects.filter(kind=Kind.SIGNAL).count() == 3  # the whole team

    page = _client(member()).get("/wins/").content.decode()

    assert page.count('class="nhsuk-card ripple-win"') == 1 and win.title in page
    assert "Sustained improvement</strong>" in page
    assert f"/api/v1/measures/{win.measure_id}/chart.svg" in page


def test_one_good_month_is_never_called_sustained(team, measure_with, celebrate, member):
    celebrate(measure_with("astronomical"))

    page = _client(member()).get("/wins/").content.decode()

    assert "One unusual result: keep watching" in page
    assert "Sustained" not in page


def test_the_wins_page_reads_in_a_fixed_number_of_queries(
    team, celebrate, member, django_assert_max_num_queries
):
    from tests.notifications.conftest import SERIES, add_points

    def win() -> None:
        measure = MeasureFactory(
            project=team.project, improvement_direction="decrease", chart_type="xmr",
            frequency="monthly", fix_after_n_points=20,
        )  # fmt: skip
        add_points(measure, SERIES["shift"])
        celebrate(measure)

    win()
    client = _client(member())
    client.get("/wins/")
    with django_assert_max_num_queries(12) as few:
        client.get("/wins/")
    baseline = len(few.captured_queries)
    for _ in range(6):
        win()
    Thanks.objects.create(
        organisation=team.project.organisation,
        win_key=Notification.objects.filter(kind=Kind.SIGNAL).first().win_key,
        project=team.project,
        sender=team.coach,
        message="Brilliant.",
    )
    with django_assert_max_num_queries(baseline):
        page = client.get("/wins/").content.decode()
    assert page.count('class="nhsuk-card ripple-win"') == 7 and "Brilliant." in page


def test_thanking_the_team_tells_everyone_on_it_but_the_sender(
    team, measure_with, celebrate, member
):
    win = celebrate(measure_with("shift"))
    board = member(Membership.Role.LEADER)

    response = _client(board).post(
        f"/wins/{win.pk}/thank/", {"person": "0", "message": "This is what good looks like."}
    )

    assert response.status_code == 302 and response["Location"] == f"/wins/#win-{win.pk}"
    told = Notification.objects.filter(kind=Kind.THANKS)
    assert set(told.values_list("recipient", flat=True)) == {
        team.lead.pk,
        team.coach.pk,
        team.member.pk,
    }
    assert '"This is what good looks like."' in told.first().body
    thanks = Thanks.objects.get()
    assert (thanks.sender, thanks.person, thanks.win_key) == (board, None, win.win_key)
    page = _client(board).get("/wins/").content.decode()
    assert "This is what good looks like." in page


def test_thanking_one_person_tells_only_them(team, measure_with, celebrate):
    win = celebrate(measure_with("shift"))

    _client(team.coach).post(
        f"/wins/{win.pk}/thank/", {"person": str(team.member.pk), "message": "Your data did it."}
    )

    assert list(
        Notification.objects.filter(kind=Kind.THANKS).values_list("recipient", flat=True)
    ) == [team.member.pk]


def test_a_thanks_without_words_is_refused_beside_the_message(team, measure_with, celebrate):
    win = celebrate(measure_with("shift"))

    response = _client(team.coach).post(f"/wins/{win.pk}/thank/", {"person": "0", "message": ""})

    assert response.status_code == 400
    assert "Write a few words of thanks" in response.content.decode()
    assert not Thanks.objects.exists()


def test_a_thanks_naming_a_patient_is_refused(team, measure_with, celebrate):
    win = celebrate(measure_with("shift"))

    response = _client(team.coach).post(
        f"/wins/{win.pk}/thank/", {"person": "0", "message": "Thanks for 943 476 5919"}
    )

    assert response.status_code == 400 and "NHS number" in response.content.decode()
    assert not Thanks.objects.exists()


def test_another_organisations_win_cannot_be_thanked(
    team, measure_with, celebrate, member, other_organisation
):
    win = celebrate(measure_with("shift"))
    stranger = member(Membership.Role.LEADER, org=other_organisation)

    assert _client(stranger).get(f"/wins/{win.pk}/thank/").status_code == 404


def test_the_qi_team_sets_the_nudge_thresholds(member, organisation):
    qi = member(Membership.Role.QI_TEAM)
    data = {"stall_days": 28, "overdue_days": 5, "missing_periods": 3, "study_pending_days": 10}

    response = _client(qi).post("/settings/nudges/", {**data, "organisation": organisation.pk})

    assert response.status_code == 302
    settings = NudgeSettings.objects.get(organisation=organisation)
    assert {name: getattr(settings, name) for name in data} == data


def test_a_nudge_threshold_below_one_day_is_refused_beside_it(member, organisation):
    qi = member(Membership.Role.QI_TEAM)

    response = _client(qi).post(
        "/settings/nudges/",
        {"stall_days": 0, "overdue_days": 5, "missing_periods": 3, "study_pending_days": 10},
    )

    assert response.status_code == 400 and "Enter 1 or more" in response.content.decode()
    assert not NudgeSettings.objects.exists()


def test_only_the_qi_team_and_admins_may_set_nudges(member):
    response = _client(member(Membership.Role.COACH)).get("/settings/nudges/")

    assert response.status_code == 403
    assert "Only the QI team and administrators" in response.content.decode()
