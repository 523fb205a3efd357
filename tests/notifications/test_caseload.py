"""The coach caseload: a coach's open projects, most in need first, each with why and what to
do next, and the coach's load against capacity; in the same order as the weekly digest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.models import Membership, User
from notifications.models import Kind, Notification
from notifications.services import digests_send, wins_detect
from pdsa.models import Cycle
from projects.models import Measure, Project, ProjectMember
from projects.selectors import measure_spc
from tests.factories import (
    CycleFactory,
    MeasureFactory,
    NudgeSettingsFactory,
    ProjectFactory,
    ProjectMemberFactory,
)
from tests.notifications.conftest import NOW, SERIES, add_points

pytestmark = pytest.mark.django_db

URL = "/api/v1/caseload/"
# Monthly data whose last period is October 2026: nothing missing at NOW (25 Nov 2026).
LAST_MONTH = date(2026, 10, 1)


@pytest.fixture
def coach(member) -> User:
    return member(Membership.Role.COACH)


@pytest.fixture
def coached(organisation, ward, coach) -> Callable[..., Project]:
    """A project of the organisation with ``coach`` on its team as coach."""

    def make(title: str, **fields) -> Project:
        project = ProjectFactory(organisation=organisation, unit=ward, title=title, **fields)
        ProjectMemberFactory(project=project, user=coach, role=ProjectMember.Role.COACH)
        return project

    return make


def charted(project: Project, series: str, name: str | None = None, **fields) -> Measure:
    """A monthly 'lower is better' measure whose named series ends last month."""
    values = SERIES[series]
    first = LAST_MONTH.year * 12 + LAST_MONTH.month - len(values)
    measure = MeasureFactory(
        project=project,
        name=name or f"Falls ({series})",
        improvement_direction="decrease",
        chart_type="xmr",
        frequency="monthly",
        fix_after_n_points=20,
        target=8.0,
        **fields,
    )
    add_points(measure, values, start=date(first // 12, first % 12 + 1, 1))
    return measure


def overdue_cycle(project: Project, days: int, title: str = "Falls huddle") -> Cycle:
    return CycleFactory(
        project=project,
        title=title,
        stage=Cycle.Stage.DO,
        planned_start=NOW.date() - timedelta(days=days + 14),
        planned_end=NOW.date() - timedelta(days=days),
    )


def caseload(api, user: User, **params) -> dict:
    response = api(user).get(URL, params)
    assert response.status_code == 200, response.json()
    return response.json()


def titles(rows: Sequence[dict]) -> list[str]:
    return [row["title"] for row in rows]


def test_a_stalled_project_ranks_above_a_healthy_one_and_says_why(api, clock, coach, coached):
    healthy = coached("Antibiotic timing")
    stalled = coached("Wound care", last_activity_at=NOW - timedelta(days=35))
    rows = caseload(api, coach)["projects"]
    assert titles(rows) == ["Wound care", "Antibiotic timing"]
    assert rows[0]["days_stalled"] == 35
    assert rows[0]["needs_coach"] is True
    assert rows[0]["reasons"] == ["stalled: no activity for 35 days"]
    assert rows[0]["next_action"] == {
        "kind": "visit",
        "text": "Visit the team: nothing has happened for 35 days",
        "link": f"/projects/{stalled.pk}/",
    }
    assert rows[1]["days_stalled"] == 0
    assert rows[1]["reasons"] == ["on track"]
    assert rows[1]["next_action"] == {
        "kind": "keep_going",
        "text": "Keep going",
        "link": f"/projects/{healthy.pk}/",
    }


def test_need_orders_stalled_overdue_concern_data_and_study_wins_then_the_rest_as_the_digest(
    api, clock, coach, coached
):
    coached("A on track")
    charted(coached("B win"), "shift")
    charted(coached("C concern"), "concern")
    gap = MeasureFactory(project=coached("D data missing"), name="Bed days", frequency="monthly")
    add_points(gap, [10, 11, 9], start=date(2026, 5, 1))
    CycleFactory(
        project=coached("E study waiting"),
        stage=Cycle.Stage.STUDY,
        stage_changed_at=NOW - timedelta(days=10),
    )
    overdue_cycle(coached("F overdue"), days=12)
    coached("G stalled", last_activity_at=NOW - timedelta(days=40))
    order = ["G stalled", "F overdue", "C concern", "D data missing", "E study waiting", "B win"]
    rows = caseload(api, coach)["projects"]
    assert titles(rows) == [*order, "A on track"]
    digests_send()
    digest = Notification.objects.get(kind=Kind.DIGEST, recipient=coach)
    assert titles(digest.evidence["caseload"]) == titles(rows)
    assert [row["reasons"] for row in digest.evidence["caseload"]] == [r["reasons"] for r in rows]


def test_more_overdue_cycles_outrank_fewer_and_the_oldest_is_named(api, clock, coach, coached):
    one = coached("One overdue")
    overdue_cycle(one, days=30, title="Night checks")
    two = coached("Two overdue")
    overdue_cycle(two, days=9, title="Bed alarms")
    oldest = overdue_cycle(two, days=12, title="Falls huddle")
    rows = caseload(api, coach)["projects"]
    assert titles(rows) == ["Two overdue", "One overdue"]
    assert rows[0]["overdue_cycles"]["count"] == 2
    assert rows[0]["overdue_cycles"]["oldest"] == {
        "id": oldest.pk,
        "number": oldest.number,
        "title": "Falls huddle",
        "planned_end": (NOW.date() - timedelta(days=12)).isoformat(),
        "days_overdue": 12,
        "link": f"/cycles/{oldest.pk}/",
    }
    assert rows[0]["next_action"]["text"] == (
        "Chase the overdue cycle 'Falls huddle' (12 days past its planned end); 1 more overdue"
    )
    assert rows[1]["next_action"]["text"] == (
        "Chase the overdue cycle 'Night checks' (30 days past its planned end)"
    )


def test_each_kind_of_need_suggests_its_next_action(api, clock, coach, coached):
    concern = charted(coached("Concern"), "concern")
    gap = MeasureFactory(project=coached("Gap"), name="Bed days", frequency="monthly")
    add_points(gap, [10, 11, 9], start=date(2026, 5, 1))
    study = CycleFactory(
        project=coached("Study"),
        number=3,
        title="Grab bag",
        stage=Cycle.Stage.STUDY,
        stage_changed_at=NOW - timedelta(days=9),
    )
    charted(coached("Early"), "two_in_three", name="Falls")
    coached("Proposed", status=Project.Status.PROPOSED)
    coached("Paused", status=Project.Status.ON_HOLD)
    actions = {row["title"]: row["next_action"] for row in caseload(api, coach)["projects"]}
    assert actions["Concern"]["kind"] == "review_concern"
    assert actions["Concern"]["text"] == "Review the concern signal on Falls (concern)"
    assert actions["Concern"]["link"] == f"/projects/{concern.project_id}/#measure-{concern.pk}"
    assert (
        actions["Gap"]["text"] == "Ask for the missing data on Bed days (3 months without a point)"
    )
    assert actions["Study"] == {
        "kind": "study",
        "text": "Help the team study cycle 3 'Grab bag' (in Study for 9 days with no learning "
        "written)",
        "link": f"/cycles/{study.pk}/",
    }
    assert actions["Early"]["text"] == (
        "Encourage the team: Falls shows an early sign of improvement (keep watching)"
    )
    assert actions["Proposed"]["kind"] == "start"
    assert actions["Paused"]["kind"] == "check_in"


def test_a_win_says_whether_the_team_has_been_told(api, clock, coach, coached):
    measure = charted(coached("Falls huddle"), "shift", name="Falls")
    [row] = caseload(api, coach)["projects"]
    assert row["next_action"]["text"] == "Celebrate: Falls shows sustained improvement"
    assert row["wins"] == [
        {
            "measure_id": measure.pk,
            "name": "Falls",
            "strength": "sustained",
            "rule": "shift",
            "period": "2026-10-01",
            "celebrated": False,
            "celebrated_at": None,
        }
    ]
    assert row["wins_not_celebrated"] == 1
    wins_detect(measures=[measure])
    [row] = caseload(api, coach)["projects"]
    assert row["wins"][0]["celebrated"] is True
    assert row["wins"][0]["celebrated_at"] is not None
    assert row["wins_not_celebrated"] == 0
    # Once told, the win is named as celebrated and no longer asks the coach to act.
    assert row["reasons"] == ["celebrated: sustained improvement in Falls"]
    assert row["next_action"]["kind"] == "keep_going"


def test_a_row_shows_the_project_its_progress_and_its_outcome_measures_icons(
    api, clock, coach, coached, ward
):
    project = coached(
        "Falls huddle",
        progress_score=Decimal("2.0"),
        progress_reason="2.0: activity but no changes tested yet",
        progress_override=Decimal("3.5"),
        progress_override_reason="Two changes tested on nights",
        last_activity_at=NOW - timedelta(days=4),
    )
    outcome = charted(project, "shift", name="Falls")
    charted(project, "common_cause", name="Risk assessment", type=Measure.Type.PROCESS)
    new = MeasureFactory(project=project, name="Harm from falls", frequency="")
    [row] = caseload(api, coach)["projects"]
    assert row["id"] == project.pk
    assert row["unit"] == {"id": ward.pk, "name": ward.name}
    assert (row["status"], row["status_label"]) == ("active", "Active")
    assert row["progress"]["score"] == 3.5
    assert row["progress"]["is_override"] is True
    assert row["progress"]["reason"] == "Two changes tested on nights"
    assert row["progress"]["computed_score"] == 2.0
    assert row["days_since_activity"] == 4
    assert row["days_stalled"] == 0
    chart = measure_spc(outcome)
    assert row["outcome_measures"] == [
        {
            "id": outcome.pk,
            "name": "Falls",
            "variation_icon": chart["variation_icon"],
            "assurance_icon": chart["assurance_icon"],
            "latest_period": "2026-10-01",
            "latest_value": 9.4,
            "target": 8.0,
            "chart": f"/api/v1/measures/{outcome.pk}/chart/",
            "chart_svg": f"/api/v1/measures/{outcome.pk}/chart.svg",
        },
        {
            "id": new.pk,
            "name": "Harm from falls",
            "variation_icon": None,
            "assurance_icon": None,
            "latest_period": None,
            "latest_value": None,
            "target": None,
            "chart": f"/api/v1/measures/{new.pk}/chart/",
            "chart_svg": f"/api/v1/measures/{new.pk}/chart.svg",
        },
    ]
    assert chart["variation_icon"] == "improvement_low"


def test_the_caseload_holds_open_projects_the_person_coaches(api, clock, coach, coached):
    for status in Project.Status.values:
        coached(status, status=status)
    led = ProjectFactory(organisation=coached("active").organisation, title="Led, not coached")
    ProjectMemberFactory(project=led, user=coach, role=ProjectMember.Role.LEAD)
    rows = caseload(api, coach)["projects"]
    assert sorted(titles(rows)) == [
        "active",
        "active",
        "on_hold",
        "proposed",
        "spreading",
        "sustaining",
    ]


def test_stalling_follows_the_organisations_threshold(api, clock, coach, coached, organisation):
    coached("Quiet", last_activity_at=NOW - timedelta(days=35))
    NudgeSettingsFactory(organisation=organisation, stall_days=40)
    [row] = caseload(api, coach)["projects"]
    assert (row["days_stalled"], row["days_since_activity"]) == (0, 35)
    assert row["reasons"] == ["on track"]


def test_a_project_on_hold_never_stalls(api, clock, coach, coached):
    coached("Paused", status=Project.Status.ON_HOLD, last_activity_at=NOW - timedelta(days=90))
    [row] = caseload(api, coach)["projects"]
    assert row["days_stalled"] == 0


def test_the_load_counts_projects_against_capacity(api, clock, coach, coached):
    Membership.objects.filter(user=coach).update(caseload_capacity=2)
    coached("Quiet", last_activity_at=NOW - timedelta(days=35))
    coached("Busy")
    assert caseload(api, coach)["load"] == {
        "projects": 2,
        "capacity": 2,
        "over_capacity": False,
        "need_you": 1,
    }
    coached("Proposed", status=Project.Status.PROPOSED)
    assert caseload(api, coach)["load"] == {
        "projects": 3,
        "capacity": 2,
        "over_capacity": True,
        "need_you": 1,
    }


def test_a_coach_without_a_capacity_is_never_over_it(api, clock, coach, coached):
    coached("Busy")
    body = caseload(api, coach)
    assert body["load"] == {"projects": 1, "capacity": None, "over_capacity": False, "need_you": 0}
    assert body["coach"]["id"] == coach.pk


def test_a_coach_who_left_an_organisation_gets_neither_its_caseload_nor_its_digest(
    api, clock, coach, coached, other_organisation
):
    coached("Falls huddle")
    elsewhere = ProjectFactory(organisation=other_organisation, title="Elsewhere")
    ProjectMemberFactory(project=elsewhere, user=coach, role=ProjectMember.Role.COACH)
    digests_send()
    [digest] = Notification.objects.filter(kind=Kind.DIGEST, recipient=coach)
    assert titles(digest.evidence["caseload"]) == ["Falls huddle"]
    assert titles(caseload(api, coach)["projects"]) == ["Falls huddle"]


def test_activity_stamped_ahead_of_the_clock_is_not_negative_days_ago(api, clock, coach, coached):
    coached("Falls huddle", last_activity_at=NOW + timedelta(hours=4))
    [row] = caseload(api, coach)["projects"]
    assert row["days_since_activity"] == 0


def test_the_caseload_data_is_exactly_what_its_serializer_documents(api, clock, coach, coached):
    """The endpoint builds its body by hand for speed; the serializers document it."""
    from notifications.selectors import caseload_get
    from notifications.serializers import CaseloadSerializer, caseload_data

    charted(coached("B win"), "shift")
    charted(coached("C concern"), "concern")
    gap = MeasureFactory(project=coached("D data missing"), name="Bed days", frequency="monthly")
    add_points(gap, [10, 11, 9], start=date(2026, 5, 1))
    CycleFactory(
        project=coached("E study waiting"),
        stage=Cycle.Stage.STUDY,
        stage_changed_at=NOW - timedelta(days=10),
    )
    overdue_cycle(coached("F overdue"), days=12)
    coached("G stalled", last_activity_at=NOW - timedelta(days=40))
    wins_detect(measures=list(Measure.objects.filter(project__title="B win")))

    found = caseload_get(user=coach, now=NOW)

    assert caseload_data(found) == CaseloadSerializer(found).data
    assert caseload(api, coach) == caseload_data(found) | {"as_of": caseload(api, coach)["as_of"]}
