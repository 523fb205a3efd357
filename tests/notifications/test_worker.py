"""On Redis with a real worker: a signal is celebrated exactly once, a rolled-back write
enqueues nothing, and a delivery task run twice sends one e-mail."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from celery.signals import before_task_publish, task_postrun
from django.core import mail
from django.db import transaction

from notifications.models import Kind, Notification
from notifications.rules import Draft
from notifications.services import notifications_write
from notifications.tasks import notification_deliver
from projects.models import ProjectMember
from tests.factories import MeasureFactory, ProjectFactory, ProjectMemberFactory
from tests.notifications.conftest import BASELINE, add_points, record_data

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def finished_tasks():
    """Names of the tasks the worker has finished, counted."""
    finished: Counter[str] = Counter()

    def count(sender=None, **kwargs) -> None:
        finished[sender.name] += 1

    task_postrun.connect(count, weak=False)
    yield finished
    task_postrun.disconnect(count)


@pytest.fixture
def published_tasks():
    """Names of the tasks this process has sent to the broker."""
    published: list[str] = []

    def record(sender=None, **kwargs) -> None:
        published.append(sender)

    before_task_publish.connect(record, weak=False)
    yield published
    before_task_publish.disconnect(record)


@pytest.fixture
def lead_and_measure(organisation, ward, member):
    """A project whose only team member is its lead, with six good months in a row: the
    seventh will make a shift."""
    project = ProjectFactory(organisation=organisation, unit=ward, title="Falls huddle")
    lead = member()
    ProjectMemberFactory(project=project, user=lead, role=ProjectMember.Role.LEAD)
    measure = MeasureFactory(
        project=project,
        name="Falls per 1,000 bed days",
        improvement_direction="decrease",
        fix_after_n_points=20,
    )
    add_points(measure, [*BASELINE, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4])
    return lead, measure


def test_a_data_point_that_makes_a_signal_is_celebrated_exactly_once(
    celery_worker_on_redis, finished_tasks, lead_and_measure
):
    lead, measure = lead_and_measure
    record_data(measure, [9.4], start=date(2022, 3, 1), by=lead)

    celery_worker_on_redis.wait_for(
        lambda: Notification.objects.filter(kind=Kind.SIGNAL, email_sent_at__isnull=False).exists()
    )
    [message] = mail.outbox
    assert message.subject == "Sustained improvement in Falls per 1,000 bed days"
    assert message.to == [lead.email]

    # The next month continues the same shift: detected again, celebrated no more.
    record_data(measure, [9.3], start=date(2022, 4, 1), by=lead)
    celery_worker_on_redis.wait_for(
        lambda: finished_tasks["notifications.tasks.measure_wins_detect"] == 2
    )
    assert Notification.objects.filter(kind=Kind.SIGNAL).count() == 1
    assert len(mail.outbox) == 1


def test_a_rolled_back_write_enqueues_nothing(
    celery_worker_on_redis, published_tasks, lead_and_measure
):
    lead, measure = lead_and_measure
    with pytest.raises(RuntimeError), transaction.atomic():
        record_data(measure, [9.4], start=date(2022, 3, 1), by=lead)
        raise RuntimeError("the request failed after the data were written")

    assert published_tasks == []
    assert not measure.data_points.filter(period=date(2022, 3, 1)).exists()
    assert not Notification.objects.exists()


def test_a_delivery_task_run_twice_sends_one_e_mail(
    celery_worker_on_redis, finished_tasks, organisation, member
):
    coach = member()
    with transaction.atomic():  # the write enqueues the first delivery on commit
        notifications_write(
            drafts=[
                Draft(
                    recipient_id=coach.pk,
                    organisation_id=organisation.pk,
                    kind=Kind.STALLED,
                    subject_type="project",
                    subject_id=1,
                    period="2026-11-04",
                    title="Falls huddle has stalled",
                    body="No new cycle, data or update for 21 days.",
                )
            ]
        )
    notification = Notification.objects.get()
    notification_deliver.delay(notification.pk)  # the broker delivers it again
    notification_deliver.delay(notification.pk)  # and once more

    celery_worker_on_redis.wait_for(
        lambda: finished_tasks["notifications.tasks.notification_deliver"] == 3
    )
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 1


def _stalled_project(organisation, member) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import UnitFactory

    project = ProjectFactory(
        organisation=organisation,
        unit=UnitFactory(organisation=organisation),
        last_activity_at=timezone.now() - timedelta(days=60),
    )
    lead = member(org=organisation)
    ProjectMemberFactory(project=project, user=lead, role=ProjectMember.Role.LEAD)


def test_a_nightly_job_fans_out_one_task_per_organisation_and_says_nothing_twice(
    celery_worker_on_redis, finished_tasks, organisation, other_organisation, member
):
    from notifications import tasks
    from notifications.models import JobRun

    _stalled_project(organisation, member)
    _stalled_project(other_organisation, member)

    tasks.nudges_scan.delay()
    celery_worker_on_redis.wait_for(
        lambda: (
            JobRun.objects.filter(
                job="nudges_scan", slot__contains="/org-", finished_at__isnull=False
            ).count()
            == 2
        )
    )
    assert Notification.objects.filter(kind=Kind.STALLED).count() == 2
    assert {n.organisation_id for n in Notification.objects.all()} == {
        organisation.pk,
        other_organisation.pk,
    }

    # A second beat (or a redelivered one) finds the day's slot taken.
    tasks.nudges_scan.delay()
    celery_worker_on_redis.wait_for(lambda: finished_tasks["notifications.tasks.nudges_scan"] == 2)
    assert finished_tasks["notifications.tasks.nudges_scan_organisation"] == 2
    assert Notification.objects.filter(kind=Kind.STALLED).count() == 2


def test_the_readings_recompute_fans_out_and_stores_every_organisations_readings(
    celery_worker_on_redis, organisation, other_organisation
):
    from projects.models import Measure, MeasureReading
    from projects.selectors import reading_current
    from projects.tasks import readings_recompute
    from tests.factories import UnitFactory

    measures = []
    for org in (organisation, other_organisation):
        project = ProjectFactory(organisation=org, unit=UnitFactory(organisation=org))
        measure = MeasureFactory(project=project, improvement_direction="decrease")
        add_points(measure, [*BASELINE, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4, 9.4])  # in bulk
        measures.append(measure)
    assert not Measure.objects.filter(reading_current()).exists()  # written around the services

    readings_recompute.delay()

    celery_worker_on_redis.wait_for(lambda: Measure.objects.filter(reading_current()).count() == 2)
    for reading in MeasureReading.objects.all():
        assert (reading.variation_icon, reading.win["rule"]) == ("improvement_low", "shift")
