"""Celebrations claim exactly what the evidence supports, and each claim is made once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from notifications.models import Kind, Notification
from notifications.rules.words import number
from notifications.services import (
    celebrate_adoption,
    cycle_adoption_celebrate,
    measure_wins_detect,
    reconcile,
)
from pdsa.models import Cycle
from projects.models import DataPoint, Measure, Project
from tests.factories import ChangeIdeaFactory, CycleFactory, RebaseFactory, UnitFactory
from tests.notifications.conftest import NOW, add_points

pytestmark = pytest.mark.django_db


def celebrations(kind: str = Kind.SIGNAL, recipient=None) -> list[Notification]:
    rows = Notification.objects.filter(kind=kind)
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return list(rows.order_by("id"))


# --- wording by the strength of the evidence ----------------------------------------


def test_a_shift_reads_as_sustained_improvement(team, measure_with):
    measure = measure_with("shift")
    measure_wins_detect(measure_id=measure.pk)
    [note] = celebrations(recipient=team.lead)
    assert note.title == "Sustained improvement in Falls (shift)"
    assert "The last 7 points of Falls (shift) are all below the average of 10: a shift" in (
        note.body
    )
    assert "sustained improvement, not chance" in note.body
    assert note.evidence["strength"] == "sustained"
    assert note.evidence["rule"] == "shift"
    assert note.measure_id == measure.pk and note.project_id == team.project.pk
    assert note.link == f"/projects/{team.project.pk}/#measure-{measure.pk}"


def test_a_trend_reads_as_sustained_improvement(team, measure_with):
    measure_wins_detect(measure_id=measure_with("trend").pk)
    [note] = celebrations(recipient=team.lead)
    assert note.title == "Sustained improvement in Falls (trend)"
    assert "has improved 7 points in a row: a trend" in note.body
    assert note.evidence["rule"] == "trend"


def test_one_point_beyond_the_limit_reads_as_unusually_good_keep_watching(team, measure_with):
    measure_wins_detect(measure_id=measure_with("astronomical").pk)
    [note] = celebrations(recipient=team.lead)
    assert note.title == "An unusually good result for Falls (astronomical): keep watching"
    assert "(3 for 2021-09-01) is beyond the process limit of 5.52" in note.body
    assert "One point is not a sustained change" in note.body
    assert "sustained improvement" not in note.body.lower()
    assert note.evidence["strength"] == "unusual"


def test_two_in_three_near_the_limit_reads_as_an_early_sign(team, measure_with):
    measure_wins_detect(measure_id=measure_with("two_in_three").pk)
    [note] = celebrations(recipient=team.lead)
    assert note.title == "An early sign of improvement in Falls (two_in_three): keep watching"
    assert "not yet a sustained change" in note.body
    assert note.evidence["strength"] == "early"


@pytest.mark.parametrize("series", ["common_cause", "concern"])
def test_common_cause_or_concern_is_not_celebrated(team, measure_with, series):
    measure_wins_detect(measure_id=measure_with(series).pk)
    assert Notification.objects.count() == 0


def test_the_whole_team_hears_of_a_win(team, measure_with):
    measure_wins_detect(measure_id=measure_with("shift").pk)
    assert {n.recipient_id for n in celebrations()} == {
        team.lead.pk,
        team.coach.pk,
        team.member.pk,
    }


# --- once per claim -----------------------------------------------------------------


def test_a_sustained_improvement_is_celebrated_once_as_it_continues(team, measure_with):
    measure = measure_with("shift")
    measure_wins_detect(measure_id=measure.pk)
    add_points(measure, [9.3, 9.2], start=date(2022, 4, 1))
    measure_wins_detect(measure_id=measure.pk)
    assert len(celebrations(recipient=team.lead)) == 1


def test_a_stronger_claim_after_a_weaker_one_is_celebrated_again(team, measure_with):
    measure = measure_with("astronomical")
    measure_wins_detect(measure_id=measure.pk)
    # Six more good months make a shift of seven with the outlier.
    add_points(measure, [9.4] * 6, start=date(2021, 10, 1))
    measure_wins_detect(measure_id=measure.pk)
    titles = [n.title for n in celebrations(recipient=team.lead)]
    assert titles == [
        "An unusually good result for Falls (astronomical): keep watching",
        "Sustained improvement in Falls (astronomical)",
    ]


def test_a_second_unusual_point_is_its_own_celebration(team, measure_with):
    measure = measure_with("astronomical")
    measure_wins_detect(measure_id=measure.pk)
    add_points(measure, [10, 3.1], start=date(2021, 10, 1))
    measure_wins_detect(measure_id=measure.pk)
    assert len(celebrations(recipient=team.lead)) == 2


def test_a_finished_project_is_not_celebrated(team, measure_with):
    measure = measure_with("shift")
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.COMPLETED)
    measure_wins_detect(measure_id=measure.pk)
    assert Notification.objects.count() == 0


# --- aims met -----------------------------------------------------------------------


def test_an_aim_is_met_when_the_limits_lie_beyond_the_target(team, measure_with):
    measure = measure_with("common_cause")
    add_points(
        measure, [5, 5.5, 4.8, 5.2, 5, 5.3, 4.9, 5.1, 5, 5.2, 4.8, 5.1, 5], date(2021, 10, 1)
    )
    RebaseFactory(measure=measure, starts_on=date(2021, 10, 1), reason="Huddle in place")
    measure_wins_detect(measure_id=measure.pk)
    [note] = celebrations(Kind.AIM_MET, recipient=team.lead)
    assert note.title == "Aim met: Falls (common_cause) consistently meets its target"
    assert "lie wholly on the better side of the target of 8" in note.body
    assert note.evidence["strength"] == "consistent_pass"
    assert note.project_id == team.project.pk and note.subject_type == "project"
    assert note.period == f"measure:{measure.pk}:group:2021-10-01"


def test_an_aim_is_met_by_a_sustained_shift_beyond_the_target(team, measure_with):
    measure_wins_detect(measure_id=measure_with("shift_beyond_target").pk)
    [note] = celebrations(Kind.AIM_MET, recipient=team.lead)
    assert note.title == "Aim met: Falls (shift_beyond_target) has shifted beyond its target"
    assert "the latest 7 all meet the target of 8" in note.body
    assert note.evidence["strength"] == "sustained_beyond_target"


def test_one_point_beyond_the_target_does_not_meet_the_aim(team, measure_with):
    measure_wins_detect(measure_id=measure_with("one_point_beyond_target").pk)
    assert celebrations(Kind.AIM_MET) == []


def test_a_shift_short_of_the_target_does_not_meet_the_aim(team, measure_with):
    measure_wins_detect(measure_id=measure_with("shift").pk)  # 9.4 against a target of 8
    assert celebrations(Kind.AIM_MET) == []
    assert len(celebrations(Kind.SIGNAL, recipient=team.lead)) == 1


def test_a_process_measure_meeting_its_target_is_not_the_aim(team, measure_with):
    measure_wins_detect(measure_id=measure_with("shift_beyond_target", type="process").pk)
    assert celebrations(Kind.AIM_MET) == []


# --- changes adopted ----------------------------------------------------------------


# The tails of SERIES begin in September 2021, when the huddle started.
HUDDLE_STARTED = date(2021, 9, 1)


def adopted_cycle(team, measures=(), decided_at=None, started_on=HUDDLE_STARTED) -> Cycle:
    idea = ChangeIdeaFactory(project=team.project, title="Falls huddle at handover")
    cycle = CycleFactory(
        project=team.project,
        change_idea=idea,
        stage=Cycle.Stage.DONE,
        decision=Cycle.Decision.ADOPT,
        decided_at=decided_at or NOW,
        started_on=started_on,
    )
    cycle.measures.set(measures)
    return cycle


def test_an_adopted_change_with_a_signal_since_it_started_cites_it(team, measure_with):
    cycle = adopted_cycle(team, [measure_with("shift")])
    cycle_adoption_celebrate(cycle_id=cycle.pk)
    [note] = celebrations(Kind.CHANGE_ADOPTED, recipient=team.lead)
    assert note.title == "Change adopted: Falls huddle at handover"
    assert (
        "and Falls (shift) shows a sustained improvement since the change started on "
        "1 Sep 2021 (a shift from Sep 2021)"
    ) in note.body
    assert note.evidence["strength"] == "sustained"
    assert (note.evidence["rule"], note.evidence["signal_started"]) == ("shift", "2021-09-01")
    assert note.evidence["change_started"] == "2021-09-01"
    assert note.cycle_id == cycle.pk


def test_an_adopted_change_with_two_of_three_near_the_limit_cites_an_early_sign(team, measure_with):
    cycle = adopted_cycle(team, [measure_with("two_in_three")])
    cycle_adoption_celebrate(cycle_id=cycle.pk)
    [note] = celebrations(Kind.CHANGE_ADOPTED, recipient=team.lead)
    assert "shows an early sign of improvement since the change started" in note.body
    assert note.evidence["strength"] == "early"


def test_an_adopted_change_without_a_signal_does_not_over_claim(team, measure_with):
    cycle = adopted_cycle(team, [measure_with("common_cause")])
    cycle_adoption_celebrate(cycle_id=cycle.pk)
    [note] = celebrations(Kind.CHANGE_ADOPTED, recipient=team.lead)
    assert "on the team's judgement" in note.body
    assert "show no special-cause improvement yet" in note.body
    assert note.evidence["strength"] is None


def test_one_good_point_is_not_evidence_behind_an_adopted_change(team, measure_with):
    cycle = adopted_cycle(team, [measure_with("astronomical")])
    cycle_adoption_celebrate(cycle_id=cycle.pk)
    [note] = celebrations(Kind.CHANGE_ADOPTED, recipient=team.lead)
    assert "on the team's judgement" in note.body
    assert note.evidence["strength"] is None


def test_a_shift_that_began_before_the_change_is_not_cited_for_it(team, measure_with):
    cycle = adopted_cycle(team, [measure_with("shift")], started_on=date(2021, 12, 1))
    cycle_adoption_celebrate(cycle_id=cycle.pk)
    [note] = celebrations(Kind.CHANGE_ADOPTED, recipient=team.lead)
    assert "on the team's judgement" in note.body
    assert note.evidence["strength"] is None


def test_a_cycle_no_longer_adopted_is_not_celebrated(team):
    cycle = adopted_cycle(team)
    Cycle.objects.filter(pk=cycle.pk).update(decision=Cycle.Decision.ADAPT)
    cycle_adoption_celebrate(cycle_id=cycle.pk)
    assert Notification.objects.count() == 0


def test_another_unit_adopting_a_change_tells_the_origin_team_once(team, organisation):
    ward10 = UnitFactory(organisation=organisation, name="Ward 10 Elderly Care")
    for _ in range(2):
        created = celebrate_adoption(
            adoption_id=41,
            origin_project=team.project,
            adopting_unit=ward10,
            change_title="Falls huddle at handover",
            candidate_id=7,
            adopted_on=date(2026, 11, 20),
            evidence={"origin_signal": "Falls fell below the average for 8 months: a shift."},
        )
    assert created == 0
    [note] = celebrations(Kind.CHANGE_SPREAD, recipient=team.lead)
    assert note.title == "Ward 10 Elderly Care has adopted your change: Falls huddle at handover"
    assert note.body == (
        'Ward 10 Elderly Care adopted "Falls huddle at handover" on 20 Nov 2026, the change '
        "Falls huddle at handover tested: your learning is helping beyond your own unit. "
        "The evidence behind it: Falls fell below the average for 8 months: a shift."
    )
    assert note.evidence["adopting_unit_id"] == ward10.pk
    assert note.subject_type == "spread.adoption" and note.subject_id == 41
    assert note.evidence["candidate_id"] == 7
    assert len(celebrations(Kind.CHANGE_SPREAD)) == 3


def test_reconcile_celebrates_recent_data_and_adoptions_but_not_old_ones(clock, team, measure_with):
    recent = measure_with("shift")
    old = measure_with("trend")
    DataPoint.objects.filter(measure=old).update(updated_at=NOW - timedelta(days=8))
    Measure.objects.filter(pk=old.pk).update(updated_at=NOW - timedelta(days=8))
    adopted_cycle(team, decided_at=NOW - timedelta(days=6))
    adopted_cycle(team, decided_at=NOW - timedelta(days=8))
    assert reconcile() == {"measures": 1, "wins": 3, "cycles": 1, "adopted": 3}
    assert [n.measure_id for n in celebrations(Kind.SIGNAL, recipient=team.lead)] == [recent.pk]
    assert len(celebrations(Kind.CHANGE_ADOPTED, recipient=team.lead)) == 1


def test_proportions_read_as_percentages():
    assert number(0.1234, "p") == "12.34%"
    assert number(0.5, "pp") == "50%"
    assert number(1234.5, "xmr") == "1,234.5"
    assert number(12.0) == "12"
