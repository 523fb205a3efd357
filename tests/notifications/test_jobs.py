"""Periodic jobs: a slot is worked once, scans are safe twice or in parallel, and the
reconcile makes up what a lost message would have made."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from notifications import tasks
from notifications.models import JobRun, Kind, Notification
from notifications.services import job_run, nudges_scan
from pdsa.models import Cycle
from pdsa.services import cycle_advance
from projects.models import Project
from tests.factories import CycleFactory, JobRunFactory
from tests.notifications.conftest import NOW, record_data


def stall_and_overdue(team) -> None:
    Project.objects.filter(pk=team.project.pk).update(last_activity_at=NOW - timedelta(days=30))
    CycleFactory(
        project=team.project,
        stage=Cycle.Stage.DO,
        owner=team.member,
        planned_start=date(2026, 10, 1),
        planned_end=date(2026, 11, 1),
    )


@pytest.mark.django_db
def test_a_periodic_task_works_its_slot_once_one_organisation_at_a_time(
    clock, team, organisation, nightly
):
    stall_and_overdue(team)
    first = nightly(tasks.nudges_scan)
    second = nightly(tasks.nudges_scan)

    assert first == {"organisations": 1}
    assert second is None
    assert Notification.objects.count() == 4
    runs = {run.slot: run for run in JobRun.objects.filter(job="nudges_scan")}
    share = f"2026-11-25/org-{organisation.pk}"
    assert set(runs) == {"2026-11-25", share}
    assert runs[share].result == {"drafts": 4, "created": 4}
    assert runs[share].finished_at is not None
    # A redelivered organisation task finds its share of the slot taken.
    assert tasks.nudges_scan_organisation(organisation.pk, "2026-11-25") is None


@pytest.mark.django_db
def test_each_organisations_task_works_only_that_organisation(
    clock, team, other_organisation, member, nightly
):
    from tests.factories import ProjectFactory, ProjectMemberFactory, UnitFactory

    stall_and_overdue(team)
    theirs = ProjectFactory(
        organisation=other_organisation,
        unit=UnitFactory(organisation=other_organisation),
        last_activity_at=NOW - timedelta(days=30),
    )
    ProjectMemberFactory(project=theirs, user=member(org=other_organisation), role="lead")

    assert nightly(tasks.nudges_scan) == {"organisations": 2}

    shares = {run.slot: run.result for run in JobRun.objects.exclude(slot="2026-11-25")}
    assert shares == {
        f"2026-11-25/org-{team.project.organisation_id}": {"drafts": 4, "created": 4},
        f"2026-11-25/org-{other_organisation.pk}": {"drafts": 1, "created": 1},
    }
    assert Notification.objects.filter(organisation=other_organisation).count() == 1


@pytest.mark.django_db
def test_a_run_that_fails_gives_its_slot_back(clock):
    def broken():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        job_run(job="nudges_scan", slot="2026-11-25", work=broken)
    assert not JobRun.objects.exists()
    assert job_run(job="nudges_scan", slot="2026-11-25", work=dict) is not None


@pytest.mark.django_db
def test_a_slot_claimed_by_another_beat_is_skipped(clock, team):
    stall_and_overdue(team)
    JobRunFactory(job="nudges_scan", slot="2026-11-25")
    assert tasks.nudges_scan() is None
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_the_sweep_has_slots_of_ten_minutes(clock):
    tasks.deliveries_sweep()
    clock.shift(timedelta(minutes=9))
    assert tasks.deliveries_sweep() is None
    clock.shift(timedelta(minutes=1))
    assert tasks.deliveries_sweep() == {"enqueued": 0}
    assert list(JobRun.objects.order_by("slot").values_list("slot", flat=True)) == [
        "2026-11-25T09:00",
        "2026-11-25T09:10",
    ]


@pytest.mark.django_db
def test_running_the_scan_twice_creates_each_notification_once(clock, team):
    stall_and_overdue(team)
    assert nudges_scan() == {"drafts": 4, "created": 4}
    assert nudges_scan() == {"drafts": 4, "created": 0}
    assert Notification.objects.count() == 4


def run_in_threads(count: int, work) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_create_each_notification_once(clock, make_team):
    for index in range(5):
        stall_and_overdue(make_team(f"Project {index}"))
    assert run_in_threads(2, nudges_scan) == []
    assert Notification.objects.count() == 20
    assert Notification.objects.values("dedupe_key").distinct().count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_firing_at_once_work_the_slot_once(clock, team, eager_tasks):
    stall_and_overdue(team)
    results = []
    assert run_in_threads(4, lambda: results.append(tasks.nudges_scan())) == []
    assert sorted(results, key=str) == [None, None, None, {"organisations": 1}]
    assert JobRun.objects.count() == 2  # the day's slot and the organisation's share
    assert Notification.objects.count() == 4


# --- the reconcile makes up for lost messages ----------------------------------------


@pytest.mark.django_db
def test_the_reconcile_makes_the_celebration_a_lost_message_would_have(
    clock, team, measure_with, django_capture_on_commit_callbacks, nightly
):
    measure = measure_with("common_cause")
    # Recording data enqueues win detection after commit; here that message is lost
    # (the callbacks are captured and never run).
    with django_capture_on_commit_callbacks(execute=False) as lost:
        record_data(measure, [2.0], start=date(2021, 10, 1), by=team.lead)
    assert len(lost) >= 1
    assert Notification.objects.filter(kind=Kind.SIGNAL).count() == 0
    assert nightly(tasks.reconcile) == {"organisations": 1}
    share = JobRun.objects.get(job="reconcile", slot__contains="/org-")
    assert share.result == {"measures": 1, "wins": 3, "cycles": 0, "adopted": 0}
    note = Notification.objects.get(kind=Kind.SIGNAL, recipient=team.lead)
    assert note.title == "An unusually good result for Falls (common_cause): keep watching"


@pytest.mark.django_db
def test_the_reconcile_makes_the_adoption_a_lost_message_would_have(
    clock, team, django_capture_on_commit_callbacks, nightly
):
    cycle = CycleFactory(
        project=team.project,
        owner=team.lead,
        stage=Cycle.Stage.ACT,
        observations="Day shift attended every huddle.",
        learning="It works on days; nights need a shorter version.",
    )
    with django_capture_on_commit_callbacks(execute=False):
        cycle_advance(cycle=cycle, by=team.lead, decision="adopt", next_steps="Keep it going.")
    cycle.refresh_from_db()
    assert cycle.decision == "adopt"
    assert not Notification.objects.filter(kind=Kind.CHANGE_ADOPTED).exists()
    nightly(tasks.reconcile)
    assert Notification.objects.filter(kind=Kind.CHANGE_ADOPTED).count() == 3


@pytest.mark.django_db
def test_the_scan_reads_in_the_same_queries_for_2_or_20_projects(
    clock, make_team, django_assert_max_num_queries
):
    def scan_queries() -> int:
        Notification.objects.all().delete()
        with django_assert_max_num_queries(100) as counted:
            nudges_scan()
        return len(counted.captured_queries)

    for index in range(2):
        stall_and_overdue(make_team(f"Early {index}"))
    few = scan_queries()
    for index in range(18):
        stall_and_overdue(make_team(f"Later {index}"))
    # SQLite inserts ~40 rows a statement, so the 80 nudges may take two more inserts.
    many = scan_queries()
    assert Notification.objects.count() == 80
    assert many <= few + 2, (few, many)
