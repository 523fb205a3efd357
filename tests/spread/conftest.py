"""Fixtures for spread tests: wards measuring falls from the library, a change that worked
on Ward 7 (or did not), and helpers to decide, nominate and approve it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from backend.models import Membership, Unit, User
from pdsa.models import Cycle
from pdsa.services import cycle_advance
from projects.models import ChangeIdea, DataPoint, Measure, MeasureDefinition, Project
from spread.models import SpreadCandidate
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    CycleQuestionFactory,
    MeasureDefinitionFactory,
    MeasureFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UnitFactory,
)

# Falls per 1,000 bed days, monthly from January 2023: a year of baseline around 8, then
# the year the change ran.
BASELINE = [8.2, 7.9, 8.5, 7.6, 8.1, 8.4, 7.8, 8.0, 8.3, 7.7, 8.2, 7.9]
SHIFTED = [6.0, 5.5, 5.8, 5.2, 5.6, 5.4, 5.9, 5.3, 5.5, 5.7, 5.1, 5.4]
UNCHANGED = [8.1, 7.8, 8.4, 7.9, 8.2, 7.7, 8.3, 8.0, 7.8, 8.4, 8.0, 7.9]
# One very good month among ordinary ones: an astronomical point and nothing else.
ONE_GOOD_MONTH = [8.1, 7.8, 8.4, 5.0, 8.2, 7.7, 8.3, 8.0, 7.8, 8.4, 8.0, 7.9]
CHANGE_STARTED = date(2024, 1, 1)


def month(index: int) -> date:
    """The first day of the ``index``-th month from January 2023."""
    return date(2023 + index // 12, index % 12 + 1, 1)


def add_data(measure: Measure, values: Sequence[float], start: int = 0) -> None:
    """Monthly points from ``month(start)``; the measure gets a new revision."""
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=month(start + i), value=value)
        for i, value in enumerate(values)
    )
    Measure.objects.filter(pk=measure.pk).update(revision=measure.revision + 1)
    measure.refresh_from_db()


@pytest.fixture
def falls(organisation) -> MeasureDefinition:
    return MeasureDefinitionFactory(
        organisation=organisation,
        name="Inpatient falls per 1,000 bed days",
        improvement_direction="decrease",
        chart_type="xmr",
    )


@pytest.fixture
def ward7(ward) -> Unit:
    ward.name = "Ward 7 Elderly Care"
    ward.save()
    return ward


@pytest.fixture
def origin_project(organisation, ward7) -> Project:
    return ProjectFactory(
        organisation=organisation,
        unit=ward7,
        title="Fewer falls on Ward 7 Elderly Care",
        aim_statement="Reduce falls on Ward 7 Elderly Care by 30% by March 2025.",
    )


@pytest.fixture
def nurse(member, origin_project) -> User:
    """A frontline nurse who leads the Ward 7 project."""
    user = member(Membership.Role.FRONTLINE, email="nurse@example.org")
    ProjectMemberFactory(project=origin_project, user=user, role="lead")
    return user


@pytest.fixture
def qi(member) -> User:
    return member(Membership.Role.QI_TEAM, email="qi@example.org")


@pytest.fixture
def falls_measure(origin_project, falls) -> Measure:
    return MeasureFactory(
        project=origin_project,
        definition=falls,
        name=falls.name,
        improvement_direction="decrease",
        fix_after_n_points=12,
        target=5.0,
    )


@pytest.fixture
def idea(origin_project) -> ChangeIdea:
    return ChangeIdeaFactory(
        project=origin_project,
        title="Falls huddle at handover",
        description="A two-minute huddle at each handover on who is at risk of falling.",
    )


@pytest.fixture
def cycle_in_act() -> Callable[..., Cycle]:
    """A cycle testing ``idea`` from ``started_on``, in Act, ready for its decision."""

    def make(idea: ChangeIdea, measures: Sequence[Measure] = (), **fields) -> Cycle:
        number = Cycle.objects.filter(project=idea.project).count() + 1
        fields = {
            "started_on": CHANGE_STARTED,
            "stage": Cycle.Stage.ACT,
            "observations": "Huddles happened on most days.",
            "learning": "Huddles work when the nurse in charge leads them.",
            "spread_note": "Print the huddle card; the nurse in charge runs it.",
            **fields,
        }
        cycle = CycleFactory(project=idea.project, change_idea=idea, number=number, **fields)
        CycleQuestionFactory(cycle=cycle, result="Yes, on 6 of 7 days.")
        cycle.measures.set(measures)
        return cycle

    return make


@pytest.fixture
def decide() -> Callable[..., Cycle]:
    """Record the act decision through the pdsa service (which sends ``cycle_decided``)."""

    def make(cycle: Cycle, by: User, decision: str = "adopt") -> Cycle:
        return cycle_advance(cycle=cycle, by=by, decision=decision)

    return make


@pytest.fixture
def proven_candidate(falls_measure, idea, nurse, cycle_in_act, decide) -> SpreadCandidate:
    """Ward 7 adopted the huddle after a shift in falls: suggested automatically."""
    add_data(falls_measure, BASELINE + SHIFTED)
    decide(cycle_in_act(idea, [falls_measure]), nurse)
    return SpreadCandidate.objects.get(change_idea=idea)


@pytest.fixture
def approved_candidate(proven_candidate, qi) -> SpreadCandidate:
    from spread.services import candidate_approve

    return candidate_approve(by=qi, candidate=proven_candidate)


@pytest.fixture
def make_ward(organisation) -> Callable[..., Unit]:
    def make(name: str, **fields) -> Unit:
        fields.setdefault("kind", Unit.Kind.WARD)
        fields.setdefault("specialty", "")
        return UnitFactory(organisation=organisation, name=name, **fields)

    return make


@pytest.fixture
def measured_ward(organisation, make_ward, falls) -> Callable[..., Unit]:
    """A ward with a falls project measuring the library definition with ``values``."""

    def make(name: str, values: Sequence[float] = UNCHANGED, target: float | None = 5.0, **kw):
        unit = make_ward(name, **kw)
        project = ProjectFactory(organisation=organisation, unit=unit, title=f"Falls on {name}")
        measure = MeasureFactory(
            project=project,
            definition=falls,
            name=falls.name,
            improvement_direction="decrease",
            target=target,
        )
        add_data(measure, values)
        return unit

    return make
