"""Each nudge fires at its threshold and not a day before, to the right people, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from notifications.models import Kind, Notification
from notifications.rules import nudges, thresholds_by_organisation
from notifications.services import nudges_scan
from pdsa.models import Cycle
from projects.models import Project
from tests.factories import (
    CycleFactory,
    DataPointFactory,
    MeasureFactory,
    NudgeSettingsFactory,
)
from tests.notifications.conftest import NOW

pytestmark = pytest.mark.django_db


def recipients(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def quiet_project(team, days: float) -> Project:
    Project.objects.filter(pk=team.project.pk).update(last_activity_at=NOW - timedelta(days=days))
    return team.project


# --- stalled ------------------------------------------------------------------------


def test_a_project_quiet_for_20_days_is_not_stalled(clock, team):
    quiet_project(team, 20.99)
    nudges_scan()
    assert recipients(Kind.STALLED) == set()


def test_a_project_quiet_for_21_days_nudges_its_coach_and_lead_not_its_members(clock, team):
    quiet_project(team, 21)
    nudges_scan()
    assert recipients(Kind.STALLED) == {team.coach.pk, team.lead.pk}
    nudge = Notification.objects.get(kind=Kind.STALLED, recipient=team.coach)
    assert nudge.title == "Falls huddle at handover has stalled"
    assert "no new cycle, data or update for 21 days (since 4 Nov 2026)" in nudge.body
    assert nudge.project_id == team.project.pk
    assert nudge.link == f"/projects/{team.project.pk}/"
    assert nudge.period == "2026-11-04"
    assert nudge.evidence["threshold_days"] == 21


def test_a_stall_is_nudged_once_however_often_the_scan_runs(clock, team):
    quiet_project(team, 30)
    nudges_scan()
    clock.shift(timedelta(days=3))
    nudges_scan()
    assert Notification.objects.filter(kind=Kind.STALLED).count() == 2  # coach and lead


def test_a_new_stall_after_activity_is_nudged_again(clock, team):
    quiet_project(team, 25)
    nudges_scan()
    clock.shift(timedelta(days=40))
    Project.objects.filter(pk=team.project.pk).update(last_activity_at=NOW + timedelta(days=5))
    nudges_scan()
    periods = set(
        Notification.objects.filter(kind=Kind.STALLED, recipient=team.coach).values_list(
            "period", flat=True
        )
    )
    assert periods == {"2026-10-31", "2026-11-30"}


def test_a_project_without_recorded_activity_stalls_from_its_last_update(clock, team):
    Project.objects.filter(pk=team.project.pk).update(
        last_activity_at=None, updated_at=NOW - timedelta(days=21)
    )
    nudges_scan()
    assert recipients(Kind.STALLED) == {team.coach.pk, team.lead.pk}


def test_a_project_on_hold_is_not_stalled(clock, team):
    quiet_project(team, 60)
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.ON_HOLD)
    nudges_scan()
    assert recipients(Kind.STALLED) == set()


def test_an_organisation_sets_its_own_stall_threshold(clock, organisation, team):
    NudgeSettingsFactory(organisation=organisation, stall_days=10)
    quiet_project(team, 9.9)
    nudges_scan()
    assert recipients(Kind.STALLED) == set()
    quiet_project(team, 10)
    nudges_scan()
    assert recipients(Kind.STALLED) == {team.coach.pk, team.lead.pk}


def test_a_team_member_who_left_the_organisation_is_not_nudged(clock, team):
    team.coach.memberships.all().delete()
    quiet_project(team, 30)
    nudges_scan()
    assert recipients(Kind.STALLED) == {team.lead.pk}


# --- overdue ------------------------------------------------------------------------


def cycle_in_do(team, planned_end: date, owner=None) -> Cycle:
    return CycleFactory(
        project=team.project,
        stage=Cycle.Stage.DO,
        planned_start=planned_end - timedelta(days=14),
        planned_end=planned_end,
        owner=owner,
    )


def test_a_cycle_6_days_past_its_planned_end_is_not_overdue(clock, team):
    cycle_in_do(team, date(2026, 11, 19), owner=team.member)
    nudges_scan()
    assert recipients(Kind.OVERDUE) == set()


def test_a_cycle_7_days_past_its_planned_end_nudges_its_owner_and_the_coach(clock, team):
    cycle = cycle_in_do(team, date(2026, 11, 18), owner=team.member)
    nudges_scan()
    assert recipients(Kind.OVERDUE) == {team.member.pk, team.coach.pk}
    nudge = Notification.objects.get(kind=Kind.OVERDUE, recipient=team.member)
    assert nudge.cycle_id == cycle.pk
    assert nudge.title == f"Cycle {cycle.number} of Falls huddle at handover is overdue"
    assert "planned to end on 18 Nov 2026 and is still in Do, 7 days later" in nudge.body


def test_an_overdue_cycle_without_an_owner_nudges_the_lead(clock, team):
    cycle_in_do(team, date(2026, 11, 1))
    nudges_scan()
    assert recipients(Kind.OVERDUE) == {team.lead.pk, team.coach.pk}


def test_a_cycle_past_its_end_but_in_study_is_not_overdue(clock, team):
    cycle = cycle_in_do(team, date(2026, 11, 1), owner=team.member)
    Cycle.objects.filter(pk=cycle.pk).update(stage=Cycle.Stage.STUDY, stage_changed_at=NOW)
    nudges_scan()
    assert recipients(Kind.OVERDUE) == set()


def test_an_organisation_sets_its_own_overdue_threshold(clock, organisation, team):
    NudgeSettingsFactory(organisation=organisation, overdue_days=3)
    cycle_in_do(team, date(2026, 11, 23), owner=team.member)
    nudges_scan()
    assert recipients(Kind.OVERDUE) == set()
    cycle_in_do(team, date(2026, 11, 22), owner=team.member)
    nudges_scan()
    assert recipients(Kind.OVERDUE) == {team.member.pk, team.coach.pk}


# --- missing data -------------------------------------------------------------------


def monthly_measure(team, last_period: date | None):
    measure = MeasureFactory(project=team.project, name="Falls per 1,000 bed days")
    if last_period is not None:
        DataPointFactory(measure=measure, period=last_period, value=5)
    return measure


def test_one_month_without_data_is_not_missing_data(time_machine, team):
    time_machine.move_to(date(2026, 10, 31), tick=False)
    monthly_measure(team, date(2026, 8, 1))  # September has ended, October not yet
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == set()


def test_two_months_without_data_nudge_the_lead(time_machine, team):
    time_machine.move_to(date(2026, 11, 1), tick=False)
    measure = monthly_measure(team, date(2026, 8, 1))
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == {team.lead.pk}
    nudge = Notification.objects.get(kind=Kind.MISSING_DATA)
    assert nudge.measure_id == measure.pk
    assert nudge.period == "2026-09-01"
    assert "has no data since 1 Aug 2026: 2 months missing" in nudge.body


def test_a_measure_without_any_data_counts_from_when_it_was_set_up(time_machine, team):
    time_machine.move_to(date(2026, 9, 15), tick=False)
    monthly_measure(team, None)
    time_machine.move_to(date(2026, 10, 31), tick=False)
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == set()
    time_machine.move_to(date(2026, 11, 1), tick=False)
    nudges_scan()
    assert "since it was set up" in Notification.objects.get(kind=Kind.MISSING_DATA).body


def test_weekly_data_are_missing_after_two_whole_weeks(time_machine, team):
    measure = monthly_measure(team, None)
    measure.frequency = "weekly"
    measure.save()
    DataPointFactory(measure=measure, period=date(2026, 11, 2), value=3)  # a Monday
    time_machine.move_to(date(2026, 11, 22), tick=False)  # the Sunday ending week 2
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == set()
    time_machine.move_to(date(2026, 11, 23), tick=False)
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == {team.lead.pk}


def test_a_measure_without_a_frequency_is_never_missing_data(clock, team):
    measure = monthly_measure(team, date(2020, 1, 1))
    measure.frequency = ""
    measure.save()
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == set()


def test_an_organisation_sets_how_many_periods_may_be_missing(clock, organisation, team):
    NudgeSettingsFactory(organisation=organisation, missing_periods=4)
    monthly_measure(team, date(2026, 7, 1))  # Aug, Sep, Oct ended: three missing
    nudges_scan()
    assert recipients(Kind.MISSING_DATA) == set()


# --- study pending ------------------------------------------------------------------


def cycle_in_study(team, days: float, learning: str = "") -> Cycle:
    return CycleFactory(
        project=team.project,
        stage=Cycle.Stage.STUDY,
        stage_changed_at=NOW - timedelta(days=days),
        owner=team.member,
        learning=learning,
    )


def test_a_cycle_in_study_for_6_days_is_not_pending(clock, team):
    cycle_in_study(team, 6.9)
    nudges_scan()
    assert recipients(Kind.STUDY_PENDING) == set()


def test_a_cycle_in_study_for_7_days_without_learning_nudges_its_owner(clock, team):
    cycle = cycle_in_study(team, 7)
    nudges_scan()
    assert recipients(Kind.STUDY_PENDING) == {team.member.pk}
    nudge = Notification.objects.get(kind=Kind.STUDY_PENDING)
    assert nudge.cycle_id == cycle.pk
    assert "finished its Do stage 7 days ago and nothing is written in Study" in nudge.body


def test_a_cycle_with_its_learning_written_is_not_pending(clock, team):
    cycle_in_study(team, 30, learning="Staff liked the huddle but nights could not attend.")
    nudges_scan()
    assert recipients(Kind.STUDY_PENDING) == set()


def test_an_organisation_sets_its_own_study_threshold(clock, organisation, team):
    NudgeSettingsFactory(organisation=organisation, study_pending_days=14)
    cycle_in_study(team, 13)
    nudges_scan()
    assert recipients(Kind.STUDY_PENDING) == set()


# --- thresholds ---------------------------------------------------------------------


def test_thresholds_default_for_an_organisation_without_settings(organisation):
    book = thresholds_by_organisation()
    assert book[organisation.pk].stall_days == 21
    assert book[organisation.pk].overdue_days == 7
    assert book[organisation.pk].missing_periods == 2
    assert book[organisation.pk].study_pending_days == 7


def test_one_organisations_thresholds_do_not_change_anothers(
    clock, organisation, other_organisation, make_team
):
    NudgeSettingsFactory(organisation=other_organisation, stall_days=5)
    team = make_team()
    quiet_project(team, 10)
    drafts = nudges.stalled_projects(now=NOW, thresholds=thresholds_by_organisation())
    assert drafts == []


def test_an_inactive_user_is_not_nudged(clock, team):
    team.lead.is_active = False
    team.lead.save()
    quiet_project(team, 30)
    nudges_scan()
    assert recipients(Kind.STALLED) == {team.coach.pk}
