"""The caseload reads a constant number of queries, however many projects a coach has."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.models import Membership, User
from notifications.services import wins_detect
from pdsa.models import Cycle
from projects.models import Measure, ProjectMember
from tests.factories import CycleFactory, MeasureFactory, ProjectFactory, ProjectMemberFactory
from tests.notifications.conftest import NOW, SERIES, add_points

pytestmark = pytest.mark.django_db

URL = "/api/v1/caseload/"
# Memberships, thresholds, assignments with their projects, four kinds of attention,
# measures, their data and rebases (a cold SPC cache), celebrations.
MOST_QUERIES = 11


def coach_with_projects(member, organisation, ward, count: int) -> User:
    """A coach whose every project needs everything at once: stalled, an overdue cycle, a
    study waiting, data missing, and a celebrated win on an outcome measure."""
    coach = member(Membership.Role.COACH)
    measures = []
    for index in range(count):
        project = ProjectFactory(
            organisation=organisation,
            unit=ward,
            title=f"Project {index:03d}",
            last_activity_at=NOW - timedelta(days=30),
        )
        ProjectMemberFactory(project=project, user=coach, role=ProjectMember.Role.COACH)
        CycleFactory(project=project, stage=Cycle.Stage.DO, planned_end=date(2026, 11, 1))
        CycleFactory(
            project=project, stage=Cycle.Stage.STUDY, stage_changed_at=NOW - timedelta(days=10)
        )
        measure = MeasureFactory(
            project=project, frequency="monthly", fix_after_n_points=20, target=8.0
        )
        add_points(measure, SERIES["shift"])
        measures.append(measure)
    wins_detect(measures=list(Measure.objects.filter(pk__in=[m.pk for m in measures])))
    return coach


def queries_for(api, coach: User) -> tuple[int, dict]:
    cache.clear()
    client = api(coach)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response.json()


@pytest.mark.parametrize("count", [1, 100])
def test_the_caseload_is_a_bounded_number_of_queries(
    api, clock, member, organisation, ward, django_assert_max_num_queries, count
):
    coach = coach_with_projects(member, organisation, ward, count)
    cache.clear()
    with django_assert_max_num_queries(MOST_QUERIES):
        body = api(coach).get(URL).json()
    assert body["load"]["projects"] == count
    row = body["projects"][0]
    assert row["days_stalled"] == 30
    assert row["overdue_cycles"]["count"] == 1
    assert len(row["studies_pending"]) == 1
    assert len(row["missing_data"]) == 1
    assert row["wins"][0]["celebrated"] is True
    assert row["outcome_measures"][0]["variation_icon"] == "improvement_low"


def test_one_project_and_a_hundred_cost_the_same_queries(api, clock, member, organisation, ward):
    one, _ = queries_for(api, coach_with_projects(member, organisation, ward, 1))
    hundred, body = queries_for(api, coach_with_projects(member, organisation, ward, 100))
    assert len(body["projects"]) == 100
    assert one == hundred
