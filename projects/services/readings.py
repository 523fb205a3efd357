"""Writing measures' SPC readings: with every data write, and in batches.

A measure's reading is written by ``bump_revision``, in the transaction that changes
what its chart says (data, rebases, SPC options), so it commits or rolls back with the
change. ``readings_recompute`` renews readings in batches on the engine's columnar path:
a backfill, a new engine version, or the nightly sweep of anything a bulk load left
behind.
"""

from __future__ import annotations

from projects.models import Measure, MeasureReading
from projects.selectors.readings import (
    READINGS_BATCH,
    SPC_FIELDS,
    reading_stale,
    readings_compute,
)


def measure_reading_write(*, measure: Measure) -> MeasureReading:
    """Analyse the measure at its current revision and store its reading, in the caller's
    transaction (one query for its points, one for its rebases, one upsert). The caller
    has just moved the revision, so it holds the measure's row lock."""
    reading = readings_compute([measure])[measure.pk]
    MeasureReading.objects.save_current([reading])
    return reading


def readings_recompute(
    *, organisation_id: int | None = None, everything: bool = False, batch: int = READINGS_BATCH
) -> dict[str, int]:
    """Renew the readings of every measure (of one organisation, or all) whose stored
    reading is missing, of another revision or of another engine version; every measure
    with ``everything``. ``batch`` measures at a time, each batch one columnar analysis
    and one short transaction, so memory stays flat and data writes never wait long. A
    measure being written meanwhile is left to its writer, which stores its own reading.
    Returns how many measures were analysed and how many readings stored."""
    measures = Measure.objects.all()
    if organisation_id is not None:
        measures = measures.filter(organisation_id=organisation_id)
    if not everything:
        measures = measures.filter(reading_stale())
    analysed = stored = 0
    after = 0
    while True:
        chunk = list(measures.filter(pk__gt=after).only(*SPC_FIELDS).order_by("pk")[:batch])
        if not chunk:
            break
        readings = readings_compute(chunk)
        stored += len(MeasureReading.objects.save_current(list(readings.values())))
        analysed += len(chunk)
        after = chunk[-1].pk
    return {"analysed": analysed, "stored": stored}
