"""A coach's weekly digest: the caseload ranked by need, once per ISO week, on their day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from notifications.models import Kind, Notification
from notifications.rules import thresholds_by_organisation
from notifications.rules.digest import coach_caseloads, digest_draft
from notifications.services import digests_send, wins_detect
from pdsa.models import Cycle
from projects.models import Project, ProjectMember
from tests.factories import CycleFactory, PreferenceFactory, ProjectMemberFactory
from tests.notifications.conftest import NOW

pytestmark = pytest.mark.django_db


def digests(coach) -> list[Notification]:
    return list(Notification.objects.filter(kind=Kind.DIGEST, recipient=coach).order_by("id"))


def test_a_stalled_project_ranks_above_a_healthy_one_and_says_why(clock, make_team):
    healthy = make_team("Hydration rounds")
    stalled = make_team("Falls huddle at handover")
    ProjectMemberFactory(project=stalled.project, user=healthy.coach, role=ProjectMember.Role.COACH)
    Project.objects.filter(pk=stalled.project.pk).update(last_activity_at=NOW - timedelta(days=30))
    digests_send()
    [digest] = digests(healthy.coach)
    assert [row["title"] for row in digest.evidence["caseload"]] == [
        "Falls huddle at handover",
        "Hydration rounds",
    ]
    assert digest.evidence["caseload"][0]["reasons"] == ["stalled: no activity for 30 days"]
    assert digest.evidence["caseload"][1]["reasons"] == ["on track"]
    assert digest.title == "Your week (2026-W48): 1 of your 2 projects need you this week"
    assert "1. Falls huddle at handover: stalled: no activity for 30 days" in digest.body
    assert digest.period == "2026-W48"


def test_need_orders_stalled_then_overdue_then_wins(clock, team, make_team, measure_with):
    coach_team = team
    measure_with("shift")
    overdue = make_team("Overdue cycle")
    CycleFactory(
        project=overdue.project,
        stage=Cycle.Stage.DO,
        planned_start=date(2026, 10, 1),
        planned_end=date(2026, 11, 1),
    )
    stalled = make_team("Stalled")
    Project.objects.filter(pk=stalled.project.pk).update(last_activity_at=NOW - timedelta(days=40))
    for other in (overdue, stalled):
        ProjectMemberFactory(
            project=other.project, user=coach_team.coach, role=ProjectMember.Role.COACH
        )
    caseload = coach_caseloads(
        now=NOW, thresholds=thresholds_by_organisation(), coach_ids=[coach_team.coach.pk]
    )
    [entries] = caseload.values()
    assert [entry.title for entry in entries] == [
        "Stalled",
        "Overdue cycle",
        "Falls huddle at handover",
    ]
    wins = entries[2].reasons()
    assert "to celebrate: sustained improvement in Falls (shift)" in wins


def test_the_headline_counts_only_wins_the_team_has_not_been_told_of(clock, team, measure_with):
    measure = measure_with("shift")

    def draft():
        [entries] = coach_caseloads(
            now=NOW, thresholds=thresholds_by_organisation(), coach_ids=[team.coach.pk]
        ).values()
        return entries, digest_draft(
            coach_id=team.coach.pk,
            organisation_id=team.project.organisation_id,
            week="2026-W48",
            caseload=entries,
        )

    entries, before = draft()
    assert before.title.endswith("; 1 win to celebrate")
    wins_detect(measures=[measure])  # the team is told
    entries, after = draft()
    assert "to celebrate" not in after.title
    assert "celebrated: sustained improvement in Falls (shift)" in entries[0].reasons()


def test_a_concern_signal_is_a_reason_for_the_coach(clock, team, measure_with):
    measure_with("concern")
    digests_send()
    [digest] = digests(team.coach)
    assert "special-cause concern on Falls (concern)" in digest.evidence["caseload"][0]["reasons"]


def test_one_digest_per_coach_per_iso_week(clock, team):
    digests_send()
    clock.shift(timedelta(days=2))  # Friday of the same week
    digests_send()
    assert len(digests(team.coach)) == 1
    clock.shift(timedelta(days=3))  # Monday of the next week
    digests_send()
    assert [d.period for d in digests(team.coach)] == ["2026-W48", "2026-W49"]


def test_the_digest_waits_for_the_coachs_weekday(time_machine, team):
    PreferenceFactory(user=team.coach, digest_weekday=4)  # Friday
    time_machine.move_to(datetime(2026, 11, 26, 7, tzinfo=UTC), tick=False)  # Thursday
    digests_send()
    assert digests(team.coach) == []
    time_machine.move_to(datetime(2026, 11, 28, 7, tzinfo=UTC), tick=False)  # Saturday
    digests_send()  # Friday's run was missed: it is made up
    assert len(digests(team.coach)) == 1


def test_only_coaches_get_digests(clock, team):
    digests_send()
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {team.coach.pk}


def test_a_coach_of_finished_projects_only_gets_no_digest(clock, team):
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.COMPLETED)
    digests_send()
    assert Notification.objects.count() == 0
