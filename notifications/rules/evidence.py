"""What the SPC engine says about a measure, read as evidence for a celebration.

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
from projects.models import ImprovementDirection, Measure
from projects.selectors import measures_spc
from projects.spc import DEFAULT_OPTIONS

IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"

SUSTAINED = "sustained"
EARLY = "early"
UNUSUAL = "unusual"
# Strongest first: the order in which a point's rules are read.
STRENGTH_OF_RULE = {"shift": SUSTAINED, "trend": SUSTAINED, "two_in_three": EARLY}

CONSISTENT_PASS = "consistent_pass"
SUSTAINED_BEYOND_TARGET = "sustained_beyond_target"
SHIFT_POINTS = DEFAULT_OPTIONS["shift_points"]


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

    def as_evidence(self, result: dict[str, Any], measure: Measure) -> dict[str, Any]:
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
            "chart": result.get("chart"),
            "variation_icon": result.get("variation_icon"),
            "assurance_icon": result.get("assurance_icon"),
            "target": measure.target,
            "revision": measure.revision,
        }


def spc_by_measure(measures: Sequence[Measure]) -> dict[int, dict[str, Any]]:
    """The SPC result of each measure that can be charted, by measure id, through the
    projects app's selector: cached per (measure, revision), so every reader (charts,
    caseload, celebrations) shares one computation per change of data."""
    results: dict[int, dict[str, Any]] = {}
    for batch in chunked(list(measures)):
        results.update({mid: result for mid, result in measures_spc(batch).items() if result})
    return results


def latest_group_points(result: dict[str, Any]) -> list[dict[str, Any]]:
    points = result.get("points") or []
    if not points:
        return []
    group = points[-1]["group"]
    tail = []
    for point in reversed(points):
        if point["group"] != group:
            break
        tail.append(point)
    tail.reverse()
    return tail


def _group_start(result: dict[str, Any], group: int) -> str:
    for summary in result.get("groups") or []:
        if summary["group"] == group:
            return str(summary["start"])
    return ""


def _run_length(points: list[dict[str, Any]], rule: str) -> int:
    length = 0
    for point in reversed(points):
        if rule not in point["rules"]:
            break
        length += 1
    return length


def improvement_reading(result: dict[str, Any]) -> Reading | None:
    """How strong the special-cause improvement on the latest point is; None if there is none."""
    points = latest_group_points(result)
    if not points or points[-1]["point_type"] != IMPROVEMENT:
        return None
    latest = points[-1]
    rules = latest["rules"]
    rule = next((name for name in STRENGTH_OF_RULE if name in rules), None)
    if rule is None and "astronomical" not in rules:
        return None
    rule = rule or "astronomical"
    return Reading(
        strength=STRENGTH_OF_RULE.get(rule, UNUSUAL),
        rule=rule,
        group_start=_group_start(result, latest["group"]),
        x=str(latest["x"]),
        value=latest["value"],
        centre=latest["centre"],
        lower=latest["lower"],
        upper=latest["upper"],
        run_length=_run_length(points, rule),
    )


def shows_concern(result: dict[str, Any]) -> bool:
    """Whether the latest point is special-cause concern."""
    points = result.get("points") or []
    return bool(points) and points[-1]["point_type"] == CONCERN


def meets(value: float, target: float, direction: str) -> bool:
    if direction == ImprovementDirection.INCREASE:
        return value >= target
    return value <= target


def aim_met_reading(result: dict[str, Any], measure: Measure) -> Reading | None:
    """Whether the data show the measure's target met by SPC, not by one good point."""
    direction = measure.improvement_direction
    if measure.target is None or direction == ImprovementDirection.NEUTRAL:
        return None
    points = latest_group_points(result)
    if not points:
        return None
    latest = points[-1]
    if result.get("assurance_icon") == CONSISTENT_PASS:
        strength, rule, run = CONSISTENT_PASS, "assurance", len(points)
    else:
        reading = improvement_reading(result)
        tail = points[-SHIFT_POINTS:]
        if (
            reading is None
            or reading.strength != SUSTAINED
            or len(tail) < SHIFT_POINTS
            or not all(meets(p["value"], measure.target, direction) for p in tail)
        ):
            return None
        strength, rule, run = SUSTAINED_BEYOND_TARGET, reading.rule, reading.run_length
    return Reading(
        strength=strength,
        rule=rule,
        group_start=_group_start(result, latest["group"]),
        x=str(latest["x"]),
        value=latest["value"],
        centre=latest["centre"],
        lower=latest["lower"],
        upper=latest["upper"],
        run_length=run,
    )
