"""What the SPC engine says about a measure, read as evidence for a celebration.

Read from the measure's stored reading (``projects.selectors.measure_readings``), which
the projects app computes with every change of data by the rules of
``projects.spc_summary``; here they are named for celebrations and the caseload.

A "real win" (SPC.md) is special-cause improvement in the latest rebase group, and the
words claim no more than the rule that fired:

- a shift or a trend on the latest point: "sustained improvement";
- two of three points near or beyond the better limit (no shift or trend): "an early sign
  of improvement: keep watching" -- special cause, but three points are not a sustained
  change, so it is worded between the other two;
- one point beyond the limit (astronomical alone): "an unusually good result: keep watching".

An aim is met only on SPC evidence, never on one point: the latest group's limits all lie on
the better side of the target (assurance "consistent_pass"), or a sustained shift or trend
whose last points all meet the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.batches import chunked
from projects.models import Measure, MeasureReading
from projects.selectors import measure_readings
from projects.spc_summary import (
    CONCERN,
    CONSISTENT_PASS,
    EARLY,
    IMPROVEMENT,
    SHIFT_POINTS,
    STRENGTH_OF_RULE,
    SUSTAINED,
    SUSTAINED_BEYOND_TARGET,
    UNUSUAL,
)

__all__ = [
    "CONCERN",
    "CONSISTENT_PASS",
    "EARLY",
    "IMPROVEMENT",
    "SHIFT_POINTS",
    "STRENGTH_OF_RULE",
    "SUSTAINED",
    "SUSTAINED_BEYOND_TARGET",
    "UNUSUAL",
    "Reading",
    "aim_met_reading",
    "improvement_reading",
    "readings_by_measure",
    "shows_concern",
]


@dataclass(frozen=True)
class Reading:
    """The evidence for one claim about a measure's latest point."""

    strength: str
    rule: str
    group_start: str
    x: str
    value: float
    centre: float | None
    lower: float | None
    upper: float | None
    run_length: int

    @property
    def celebration_period(self) -> str:
        """Which occurrence a celebration of this claim is: "sustained" and "early" once per
        rebase group, "unusual" once per point (the period of its dedupe key)."""
        if self.strength == UNUSUAL:
            return f"point:{self.x}"
        return f"group:{self.group_start}:{self.strength}"

    def as_evidence(self, reading: MeasureReading, measure: Measure) -> dict[str, Any]:
        return {
            "strength": self.strength,
            "rule": self.rule,
            "group_start": self.group_start,
            "x": self.x,
            "value": self.value,
            "centre": self.centre,
            "lower": self.lower,
            "upper": self.upper,
            "run_length": self.run_length,
            "chart": measure.chart_type,
            "variation_icon": reading.variation_icon or None,
            "assurance_icon": reading.assurance_icon or None,
            "target": measure.target,
            "revision": measure.revision,
        }


def readings_by_measure(measures: Sequence[Measure]) -> dict[int, MeasureReading]:
    """The stored reading of each measure that can be charted, by measure id: current
    (renewed where a bulk load left none), so every reader (charts, caseload,
    celebrations) reads one computation per change of data."""
    readings: dict[int, MeasureReading] = {}
    for batch in chunked(list(measures)):
        readings.update(
            {mid: reading for mid, reading in measure_readings(batch).items() if reading.charted}
        )
    return readings


def _claim(stored: dict[str, Any] | None) -> Reading | None:
    return None if stored is None else Reading(**stored)


def improvement_reading(reading: MeasureReading) -> Reading | None:
    """How strong the special-cause improvement on the latest point is; None if there is none."""
    return _claim(reading.win)


def shows_concern(reading: MeasureReading) -> bool:
    """Whether the latest point is special-cause concern."""
    return reading.point_type == CONCERN


def aim_met_reading(reading: MeasureReading) -> Reading | None:
    """Whether the data show the measure's target met by SPC, not by one good point: the
    latest group's limits all on the better side of the target (``consistent_pass``), or
    a sustained shift or trend whose last points all meet the target."""
    return _claim(reading.evidence.get("aim_met"))
