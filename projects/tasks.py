"""Celery tasks for projects: renewing measures' SPC readings in batches.

Readings are written with every data write, so these only catch up: after a bulk load,
a rule or engine change (``projects.spc_summary.ENGINE_VERSION``), or anything written
around the services. Recomputing is idempotent (a reading is only ever replaced by one of
the measure's current revision), so a redelivered or repeated task only costs time.
"""

from __future__ import annotations

from celery import shared_task

from backend.jobs import enqueue_group_on_commit
from backend.models import Organisation
from projects import services


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120, ignore_result=True)
def readings_recompute(everything: bool = False) -> dict:
    """Nightly (and after a deploy that changes the engine): renew readings, one task per
    organisation as a group, so every worker takes a share."""
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    enqueue_group_on_commit(
        [readings_recompute_organisation.s(org_id, everything) for org_id in ids]
    )
    return {"organisations": len(ids)}


@shared_task(acks_late=True, soft_time_limit=1500, time_limit=1800, ignore_result=True)
def readings_recompute_organisation(organisation_id: int, everything: bool = False) -> dict:
    """Renew one organisation's readings that are missing or not current (all of them
    with ``everything``), on the engine's columnar path."""
    return services.readings_recompute(organisation_id=organisation_id, everything=everything)
