"""The IHI progress score, computed from the record, with its reason; and overrides."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from backend.models import Membership
from pdsa.models import Cycle
from pdsa.progress import (
    Evidence,
    MeasureEvidence,
    progress_evaluate,
    progress_from_evidence,
)
from pdsa.services import project_progress_refresh
from projects.models import ChangeIdea, Measure
from projects.selectors import measures_spc
from projects.services import bump_revision, project_member_add
from projects.signals import measure_data_changed
from tests.factories import (
    ChangeIdeaFactory,
    CycleFactory,
    DataPointFactory,
    MeasureFactory,
    ProjectFactory,
)

BASE = {"aim_set": True, "team_size": 3, "change_ideas": 0, "cycles": 0}
TESTING = {"cycles_started": 0, "cycles_studied": 0, "cycles_done": 0}
IMPROVED_OUTCOME = MeasureEvidence("Falls", is_outcome=True, improved=True, sustained=False)
SUSTAINED_OUTCOME = MeasureEvidence("Falls", is_outcome=True, improved=True, sustained=True)
IMPROVED_PROCESS = MeasureEvidence("Huddles held", is_outcome=False, improved=True, sustained=False)
FLAT_OUTCOME = MeasureEvidence("Harm", is_outcome=True, improved=False, sustained=False)


@pytest.mark.parametrize(
    ("evidence", "score", "reason"),
    [
        (
            Evidence(**{**BASE, "aim_set": False, "team_size": 0}, **TESTING),
            "0.5",
            "0.5: intent to participate; no aim yet and no team yet",
        ),
        (Evidence(**BASE, **TESTING), "1.0", "1.0: aim and team set (3 members)"),
        (
            Evidence(**{**BASE, "change_ideas": 2, "cycles": 1}, **TESTING),
            "1.5",
            "1.5: planning has begun (2 change ideas, 1 cycle planned)",
        ),
        (
            Evidence(**{**BASE, "cycles": 1}, **{**TESTING, "cycles_started": 1}, data_points=24),
            "2.0",
            "2.0: activity but no changes tested yet (1 cycle started, 24 data points)",
        ),
        (
            Evidence(**{**BASE, "cycles": 3}, cycles_started=3, cycles_studied=3, cycles_done=3),
            "2.5",
            "2.5: cycles are being tested (3 done); no change adopted yet",
        ),
        (
            Evidence(**BASE, **TESTING, adopted=["Huddle"]),
            "3.0",
            "3.0: modest improvement: 1 change adopted (Huddle)",
        ),
        (
            Evidence(**BASE, **TESTING, adopted=["Huddle"], measures=[IMPROVED_PROCESS]),
            "3.5",
            "3.5: improvement: “Huddles held” shows special-cause improvement",
        ),
        (
            Evidence(**BASE, **TESTING, adopted=["Huddle"], measures=[IMPROVED_OUTCOME]),
            "4.0",
            "4.0: significant improvement: outcome measure “Falls”",
        ),
        (
            Evidence(
                **BASE, **TESTING, adopted=["Huddle"], measures=[SUSTAINED_OUTCOME, FLAT_OUTCOME]
            ),
            "4.5",
            "4.5: sustainable improvement: “Falls” improved and is sustained at target",
        ),
        (
            Evidence(**BASE, **TESTING, adopted=["Huddle"], measures=[SUSTAINED_OUTCOME]),
            "4.5",
            "4.5: sustainable improvement: “Falls” improved and is sustained at target; 1 change "
            "adopted (Huddle); 5.0 when the gains are held and spread",
        ),
        (
            Evidence(
                **BASE,
                **TESTING,
                adopted=["Huddle"],
                measures=[SUSTAINED_OUTCOME],
                holding_gains=True,
            ),
            "5.0",
            "5.0: outstanding sustainable results: every outcome measure (“Falls”)",
        ),
    ],
)
def test_each_ihi_level_is_reached_by_its_evidence(evidence, score, reason):
    progress = progress_from_evidence(evidence)

    assert progress.score == Decimal(score)
    assert progress.reason.startswith(reason)


def test_improvement_without_an_adopted_change_is_not_credited_and_the_reason_says_so():
    evidence = Evidence(
        **{**BASE, "cycles": 1},
        cycles_started=1,
        cycles_studied=1,
        cycles_done=0,
        measures=[IMPROVED_OUTCOME],
    )

    progress = progress_from_evidence(evidence)

    assert progress.score == Decimal("2.5")
    assert progress.reason.endswith(
        "“Falls” shows special-cause improvement, but no change is adopted to explain it yet"
    )


# --- from the record, through the SPC engine ------------------------------------------


BEFORE = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 11, 9]  # 2023, before the first test
AFTER = [5, 6, 4, 5, 5, 6, 4, 5, 6, 5, 4, 5]  # 2024, once the huddle started


def _months(start_year: int, values: list[float]) -> list[date]:
    return [date(start_year + i // 12, i % 12 + 1, 1) for i in range(len(values))]


def _falls_measure(project, *, target=None, values=None, **fields) -> Measure:
    values = values or BEFORE + AFTER
    measure = MeasureFactory(
        project=project, improvement_direction="decrease", target=target, **fields
    )
    for period, value in zip(_months(2023, values), values, strict=True):
        DataPointFactory(measure=measure, period=period, value=value)
    return measure


@pytest.fixture
def adopted_project(project, nurse):
    """A project whose first test started in January 2024 and whose change was adopted."""
    project.aim_statement = "Halve falls by 2025."
    project.save()
    idea = ChangeIdeaFactory(
        project=project, title="Falls huddle", status=ChangeIdea.Status.ADOPTED
    )
    CycleFactory(
        project=project,
        number=1,
        change_idea=idea,
        stage=Cycle.Stage.DONE,
        decision="adopt",
        started_on=date(2024, 1, 1),
    )
    return project


def test_special_cause_improvement_in_an_outcome_measure_after_testing_scores_4_0(adopted_project):
    _falls_measure(adopted_project, name="Falls per 1,000 bed days")

    progress = progress_evaluate(project=adopted_project)

    assert progress.score == Decimal("4.0")
    assert "“Falls per 1,000 bed days” shows special-cause improvement" in progress.reason


def test_an_outcome_measure_sustained_at_target_scores_4_5_and_5_0_once_sustaining(
    adopted_project,
):
    _falls_measure(adopted_project, target=7)
    assert progress_evaluate(project=adopted_project).score == Decimal("4.5")

    adopted_project.status = "sustaining"

    assert progress_evaluate(project=adopted_project).score == Decimal("5.0")


def test_improvement_that_came_before_any_test_is_not_credited_to_the_tests(adopted_project):
    adopted_project.cycles.update(started_on=date(2025, 6, 1))
    _falls_measure(adopted_project)

    progress = progress_evaluate(project=adopted_project)

    assert progress.score == Decimal("3.0")


def test_a_single_good_month_after_the_change_does_not_lift_the_score_past_3_0(adopted_project):
    # December (before the huddle) is near the limit and January beyond it: two-in-three
    # by the chart's rules, but only one good month of it since the change.
    one_good_month = [*BEFORE[:11], 6.5, 3, 9, 11, 10, 12, 10, 9, 11, 10, 10, 11, 9]
    measure = _falls_measure(adopted_project, values=one_good_month)
    january = measures_spc([measure])[measure.pk]["points"][12]
    assert (january["x"], january["rules"]) == ("2024-01-01", ["astronomical", "two_in_three"])

    progress = progress_evaluate(project=adopted_project)

    assert progress.score == Decimal("3.0")
    assert progress.reason.endswith(
        "no measure shows special-cause improvement since testing began yet"
    )


def test_a_shift_after_the_change_lifts_the_score_past_3_0(adopted_project):
    _falls_measure(adopted_project, name="Falls huddles missed", type=Measure.Type.PROCESS)

    progress = progress_evaluate(project=adopted_project)

    assert progress.score == Decimal("3.5")
    assert progress.reason.startswith(
        "3.5: improvement: “Falls huddles missed” shows special-cause improvement since "
        "testing began; 1 change adopted (Falls huddle)"
    )


def test_testing_began_with_the_adopted_change_not_an_earlier_abandoned_one(adopted_project):
    # Bed rails were tried (and abandoned) in 2023; falls came down from January 2024,
    # before the huddle was first tested in August.
    rails = ChangeIdeaFactory(
        project=adopted_project, title="Bed rails", status=ChangeIdea.Status.ABANDONED
    )
    CycleFactory(project=adopted_project, number=2, change_idea=rails, started_on=date(2023, 3, 1))
    adopted_project.cycles.filter(change_idea__title="Falls huddle").update(
        started_on=None, planned_start=date(2024, 8, 1)
    )
    _falls_measure(adopted_project)

    progress = progress_evaluate(project=adopted_project)

    assert progress.score == Decimal("3.0")


def test_new_data_recomputes_the_score_once_it_is_committed(
    adopted_project, nurse, django_capture_on_commit_callbacks
):
    measure = _falls_measure(adopted_project, values=BEFORE)
    project_progress_refresh(project_id=adopted_project.pk)
    adopted_project.refresh_from_db()
    assert adopted_project.progress_score == Decimal("3.0")

    # What the projects app's data services do: write, bump the revision, send the signal.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for period in _months(2024, [5] * 10):
            DataPointFactory(measure=measure, period=period, value=5)
        bump_revision(measure)
        measure_data_changed.send(sender=Measure, measure=measure, by=nurse)

    adopted_project.refresh_from_db()
    assert adopted_project.progress_score == Decimal("4.0")


def test_naming_the_team_lifts_a_new_project_to_1_0(
    organisation, member, django_capture_on_commit_callbacks
):
    project = ProjectFactory(organisation=organisation, aim_statement="Fewer falls.")
    project.refresh_from_db()
    assert project.progress_score == Decimal("0.5")

    with django_capture_on_commit_callbacks(execute=True):
        project_member_add(
            by=member(Membership.Role.QI_TEAM), project=project, user=member(), role="member"
        )

    project.refresh_from_db()
    assert project.progress_score == Decimal("1.0")
    assert (
        project.progress_reason
        == "1.0: aim and team set (1 member); no measure, change idea or cycle yet"
    )


# --- the override ---------------------------------------------------------------------


def _override(client, project, **body):
    return client.post(f"/api/v1/projects/{project.pk}/progress-override/", body, format="json")


def test_a_team_overrides_the_score_with_a_reason_and_it_shows_as_such(api, nurse, project):
    client = api(nurse)

    response = _override(client, project, score="3.5", reason="Audit shows the change in use.")

    assert response.status_code == 200, response.json()
    body = client.get(f"/api/v1/projects/{project.pk}/progress/").json()
    assert (body["score"], body["is_overridden"], body["progress_override_by"]) == (
        "3.5",
        True,
        nurse.pk,
    )
    assert body["progress_score"] == "0.5"  # the computed score is still there
    assert project.history.first().history_user == nurse


def test_an_override_needs_a_reason_and_a_score_on_the_scale(api, nurse, project):
    client = api(nurse)

    no_reason = _override(client, project, score="3.5", reason=" ")
    off_scale = _override(client, project, score="3.7", reason="Because.")
    too_high = _override(client, project, score="5.5", reason="Because.")

    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert off_scale.json()["errors"][0]["field"] == "score"
    assert too_high.status_code == 400


def test_clearing_the_override_shows_the_computed_score_again(api, nurse, project):
    client = api(nurse)
    _override(client, project, score="3.5", reason="Audit.")

    body = _override(client, project, score=None).json()

    assert (body["score"], body["is_overridden"], body["progress_override_reason"]) == (
        "0.5",
        False,
        "",
    )


def test_only_the_team_or_qi_team_overrides_and_another_organisation_gets_a_404(
    api, member, project, other_organisation
):
    board = api(member(Membership.Role.LEADER))
    stranger = api(member(Membership.Role.ADMIN, org=other_organisation))

    assert _override(board, project, score="2.0", reason="x").status_code == 403
    assert _override(stranger, project, score="2.0", reason="x").status_code == 404
    assert stranger.get(f"/api/v1/projects/{project.pk}/progress/").status_code == 404
    assert (
        api(member(Membership.Role.QI_TEAM))
        .post(
            f"/api/v1/projects/{project.pk}/progress-override/",
            {"score": "2.0", "reason": "QI review."},
            format="json",
        )
        .status_code
        == 200
    )
