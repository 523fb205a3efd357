"""A task sent through Redis to a real Celery worker (not eager mode) changes the database."""

import pytest

from backend.models import WorkerHeartbeat
from backend.tasks import worker_heartbeat


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_sent_over_redis_runs_on_a_real_worker(celery_worker_on_redis):
    result = worker_heartbeat.apply_async(kwargs={"name": "from-test"})

    celery_worker_on_redis.wait_for(
        lambda: WorkerHeartbeat.objects.filter(name="from-test").exists()
    )
    assert result.id
