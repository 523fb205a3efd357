"""The stored SPC reading of each measure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from projects.models.measures import Measure

# What an upsert of a reading rewrites: everything but the key.
READING_FIELDS = (
    "revision",
    "engine_version",
    "computed_at",
    "points",
    "latest_period",
    "latest_value",
    "point_type",
    "signal",
    "variation_icon",
    "assurance_icon",
    "meets_target",
    "signal_period",
    "signal_type",
    "reason",
    "win",
    "evidence",
)


class MeasureReadingQuerySet(models.QuerySet):
    def save_current(self, readings: Sequence[MeasureReading]) -> list[MeasureReading]:
        """Store the readings whose measure is still at the revision they were computed
        from, replacing what was stored; returns those stored.

        Each measure's row is locked first (``FOR NO KEY UPDATE SKIP LOCKED`` on
        PostgreSQL), in one short transaction: a measure being written right now is
        skipped, since its writer stores the newer reading itself in its own transaction,
        and no writer can wait on this upsert while it waits on the writer. So a reading
        never replaces a newer one, and reading a view never blocks or fails a data write.
        Inside the writer's own transaction the measure's lock is its own, so nothing is
        skipped.
        """
        if not readings:
            return []
        with transaction.atomic(using=self.db):
            locked = Measure.objects.using(self.db).filter(
                pk__in=[reading.measure_id for reading in readings]
            )
            revisions = dict(
                locked.select_for_update(skip_locked=True, no_key=True)
                .order_by("pk")
                .values_list("pk", "revision")
            )
            current = [r for r in readings if revisions.get(r.measure_id) == r.revision]
            self.bulk_create(
                current,
                update_conflicts=True,
                unique_fields=["measure"],
                update_fields=READING_FIELDS,
                batch_size=1000,
            )
        return current


class MeasureReading(models.Model):
    """What SPC says about a measure at one revision: the summary every view reads.

    Written in the same transaction as every change that moves the measure's revision
    (``projects.services.bump_revision``) and by the batch recompute
    (``projects.services.readings_recompute``). It is served only while ``revision`` and
    ``engine_version`` are the measure's and the engine's (``is_current``), so a view can
    never show a reading of data it does not have. Derived, so not kept in history.
    """

    measure = models.OneToOneField(
        Measure, on_delete=models.CASCADE, primary_key=True, related_name="reading"
    )
    revision = models.PositiveBigIntegerField()
    engine_version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    points = models.PositiveIntegerField(default=0)
    latest_period = models.DateField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True, help_text="As plotted.")
    point_type = models.CharField(max_length=32, blank=True, help_text="Of the latest point.")
    signal = models.CharField(max_length=16, blank=True, help_text="The rule on the latest point.")
    variation_icon = models.CharField(max_length=16, blank=True)
    assurance_icon = models.CharField(max_length=16, blank=True)
    meets_target = models.BooleanField(null=True, blank=True)
    signal_period = models.DateField(
        null=True, blank=True, help_text="The latest point showing special cause."
    )
    signal_type = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True, help_text="Why there is no chart yet.")
    # The special-cause improvement on the latest point and its strength, for the
    # caseload and celebrations (projects.spc_summary), apart from the rest so a caseload
    # reads only this.
    win = models.JSONField(null=True, blank=True)
    # The latest point's lines, aim met, the last values and the improving stretches.
    evidence = models.JSONField(default=dict, blank=True)

    objects = MeasureReadingQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.measure_id} at {self.revision}"

    def is_current(self, measure: Measure, engine_version: int) -> bool:
        """Whether this reading was computed from the measure's data as it is now."""
        return (
            self.measure_id == measure.pk
            and self.revision == measure.revision
            and self.engine_version == engine_version
        )

    @property
    def charted(self) -> bool:
        return bool(self.variation_icon)

    def summary(self) -> dict[str, Any]:
        """The small summary the portfolio, the summary table and the phone pages show."""
        return {
            "points": self.points,
            "latest_period": self.latest_period.isoformat() if self.latest_period else None,
            "latest_value": self.latest_value,
            "point_type": self.point_type or None,
            "signal": self.signal or None,
            "variation_icon": self.variation_icon or None,
            "assurance_icon": self.assurance_icon or None,
            # The latest point showing special cause, either kind (the desk's "since").
            "signal_period": self.signal_period.isoformat() if self.signal_period else None,
            "reason": self.reason or None,
        }
