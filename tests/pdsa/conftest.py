"""Fixtures for PDSA tests: a ward project with its team, an idea to test, and helpers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backend.models import Membership, User
from pdsa.models import Cycle
from projects.models import ChangeIdea, Measure, Project, ProjectMember
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    CycleQuestionFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
)


@pytest.fixture
def project(organisation, ward) -> Project:
    return ProjectFactory(organisation=organisation, unit=ward, title="Fewer falls on Ward 7")


@pytest.fixture
def nurse(member, project) -> User:
    """A frontline nurse on the project's team: may write its cycles."""
    user = member(Membership.Role.FRONTLINE, email="nurse@example.org")
    ProjectMemberFactory(project=project, user=user, role=ProjectMember.Role.LEAD)
    return user


@pytest.fixture
def idea(project) -> ChangeIdea:
    return ChangeIdeaFactory(project=project, title="Falls huddle at handover")


@pytest.fixture
def measure(project) -> Measure:
    return MeasureFactory(project=project, name="Falls per 1,000 bed days")


@pytest.fixture
def cycle_at() -> Callable[..., Cycle]:
    """A cycle of ``project`` at ``stage`` whose worksheet is complete up to that stage."""

    def make(project: Project, stage: str = Cycle.Stage.PLAN, **fields) -> Cycle:
        number = (Cycle.objects.filter(project=project).count()) + 1
        filled = {"objective": "Try a huddle at handover for a week."}
        order = [Cycle.Stage.PLAN, Cycle.Stage.DO, Cycle.Stage.STUDY, Cycle.Stage.ACT]
        reached = order.index(stage) if stage in order else len(order)
        if reached >= 1:
            filled["observations"] = "Huddles happened on 6 of 7 days."
        if reached >= 2:
            filled["learning"] = "Huddles work when the nurse in charge leads them."
        filled.update(fields)
        cycle = CycleFactory(project=project, number=number, stage=stage, **filled)
        CycleQuestionFactory(
            cycle=cycle,
            question="Will staff attend?",
            prediction="Most of the day shift will.",
            result="12 of 14 attended." if reached >= 2 else "",
        )
        return cycle

    return make
