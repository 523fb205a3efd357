"""Fixtures for the notifications tests: a project with a team, measures with data shaped to
fire one SPC rule at a time, and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache

from backend.models import Membership, User
from projects.models import DataPoint, Measure, Project, ProjectMember
from projects.services import data_points_upsert
from tests.factories import MeasureFactory, ProjectFactory, ProjectMemberFactory

Role = ProjectMember.Role
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

# Twenty points around 10 (lower is better), then the tail that fires one rule; limits
# are fixed on the first twenty: centre 10, lower 5.52, lower near line 7.01, upper 14.48.
BASELINE = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10]
SERIES = {
    "shift": [*BASELINE, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4],
    "trend": [*BASELINE, 11.5, 11.0, 10.5, 10.0, 9.5, 9.0, 8.5],
    "astronomical": [*BASELINE, 3],
    "two_in_three": [*BASELINE, 6.5, 9.5, 6.4],
    "common_cause": [*BASELINE, 10.5],
    "concern": [*BASELINE, 18],
    # A shift whose last seven points all beat a target of 8.
    "shift_beyond_target": [*BASELINE, 6.9, 7.0, 6.8, 7.2, 6.9, 7.1, 6.8],
    # One point beating the target of 8, with nothing special about it.
    "one_point_beyond_target": [*BASELINE, 7.5],
}


@pytest.fixture(autouse=True)
def fresh_cache():
    """SPC readings are cached by measure revision; each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_tasks():
    """Tasks published run at once, in this process: a nightly job's fan-out runs its
    organisations' tasks before the publishing call returns."""
    from backend.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def nightly(eager_tasks, django_capture_on_commit_callbacks):
    """Run a nightly task as the beat would: it claims the day's slot and, on commit, fans
    out one task per organisation (run at once here). Returns the beat task's result."""

    def run(task):
        with django_capture_on_commit_callbacks(execute=True):
            return task()

    return run


@pytest.fixture
def clock(time_machine):
    """The clock stopped at NOW (a Wednesday in ISO week 2026-W48)."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


@dataclass
class Team:
    project: Project
    lead: User
    coach: User
    member: User


@pytest.fixture
def make_team(organisation, ward, member) -> Callable[..., Team]:
    """A project with a lead, a coach and a member, each belonging to the organisation."""

    def make(title: str = "Falls huddle at handover", **fields) -> Team:
        project = ProjectFactory(organisation=organisation, unit=ward, title=title, **fields)
        people = {}
        for role, org_role in (
            (Role.LEAD, Membership.Role.FRONTLINE),
            (Role.COACH, Membership.Role.COACH),
            (Role.MEMBER, Membership.Role.FRONTLINE),
        ):
            people[role] = member(org_role)
            ProjectMemberFactory(project=project, user=people[role], role=role)
        return Team(project, people[Role.LEAD], people[Role.COACH], people[Role.MEMBER])

    return make


@pytest.fixture
def team(make_team) -> Team:
    return make_team()


def months(count: int, start: date = date(2020, 1, 1)) -> list[date]:
    index = start.year * 12 + start.month - 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def add_points(measure: Measure, values: Sequence[float], start: date = date(2020, 1, 1)) -> None:
    """Store monthly values and move the measure to a new revision, as the data service does."""
    DataPoint.objects.bulk_create(
        [
            DataPoint(measure=measure, period=period, value=value)
            for period, value in zip(months(len(values), start), values, strict=True)
        ]
    )
    Measure.objects.filter(pk=measure.pk).update(revision=measure.revision + 1)
    measure.refresh_from_db()


def record_data(measure: Measure, values: Sequence[float], start: date, by: User) -> None:
    """Record monthly values through the projects data service, which sends
    ``measure_data_changed`` inside its transaction."""
    data_points_upsert(
        measure=measure,
        rows=[
            {"period": period, "value": value}
            for period, value in zip(months(len(values), start), values, strict=True)
        ],
        by=by,
    )


@pytest.fixture
def measure_with(team) -> Callable[..., Measure]:
    """A monthly 'lower is better' outcome measure of the team's project with a named series."""

    def make(series: str, **fields) -> Measure:
        fields.setdefault("target", 8.0)
        measure = MeasureFactory(
            project=team.project,
            name=f"Falls ({series})",
            improvement_direction="decrease",
            chart_type="xmr",
            frequency="monthly",
            fix_after_n_points=20,
            **fields,
        )
        add_points(measure, SERIES[series])
        return measure

    return make
