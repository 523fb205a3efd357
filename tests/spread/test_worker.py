"""On Redis with a real worker: data recorded after "adopt" that show the win put the
change forward, once, after the data commit."""

from __future__ import annotations

import pytest

from projects.services import data_points_upsert
from spread.models import SpreadCandidate
from tests.spread.conftest import BASELINE, SHIFTED, add_data, month

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_recording_the_data_that_show_the_win_suggests_the_change(
    celery_worker_on_redis, falls_measure, idea, nurse, cycle_in_act, decide
):
    add_data(falls_measure, BASELINE + SHIFTED[:1])
    decide(cycle_in_act(idea, [falls_measure]), nurse)
    assert not SpreadCandidate.objects.exists()

    data_points_upsert(
        measure=falls_measure,
        by=nurse,
        rows=[{"period": month(13 + i), "value": v} for i, v in enumerate(SHIFTED[1:])],
    )

    celery_worker_on_redis.wait_for(
        lambda: SpreadCandidate.objects.filter(change_idea=idea).exists()
    )
    candidate = SpreadCandidate.objects.get(change_idea=idea)
    assert candidate.evidence_strength == "proven"
    assert candidate.evidence["signal_started"] == month(12).isoformat()
