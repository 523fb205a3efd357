"""Fixtures for the portfolio tests: a team, a project, a measure with data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.cache import cache

from backend.models import Membership, User
from projects.models import Measure, Project, ProjectMember
from tests.factories import DataPointFactory, MeasureFactory, ProjectFactory, ProjectMemberFactory

Role = Membership.Role


@pytest.fixture(autouse=True)
def fresh_cache():
    """SPC readings are cached; each test starts from an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def project(organisation, ward) -> Project:
    return ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle at handover")


@pytest.fixture
def on_team(member, project) -> Callable[..., User]:
    """A member of the organisation with a role on ``project``'s team."""

    def make(team_role: str = ProjectMember.Role.MEMBER, org_role: str = Role.FRONTLINE) -> User:
        user = member(org_role)
        ProjectMemberFactory(project=project, user=user, role=team_role)
        return user

    return make


def months(count: int, start: date = date(2022, 1, 1)) -> list[date]:
    """The first days of ``count`` consecutive months from ``start``."""
    return [
        date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


@pytest.fixture
def measure_with_data(project) -> Measure:
    """An XmR measure of the project with 24 monthly points."""
    measure = MeasureFactory(project=project, name="Falls per 1,000 bed days", target=5.0)
    for i, period in enumerate(months(24)):
        DataPointFactory(measure=measure, period=period, value=8.0 + (i % 5) - (i // 12) * 2)
    return measure
