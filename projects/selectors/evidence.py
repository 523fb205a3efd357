"""Did a measure improve since a change started? One rule for every app that asks.

Spread's proof that a change worked, the IHI progress score's 3.5 and above, and the
"change adopted" celebration all ask the same question, and SPC.md answers it: "the
points since the change show special-cause improvement by the rules above; a single
good month is not a win." The rule, read on the measure's SPC result as the team sees
it (its rebases, fixed baseline and options: ``measures_spc_readings`` /
``measures_spc``):

- The points since the change are those whose period starts on or after the day the
  change started. A period that began before the change mixes before and after, so it
  is left out: Ripple would rather under-claim.
- Evidence is a pattern lying wholly within those points, in one rebase group, on the
  improving side of the direction:
  * shift: ``shift_points`` (7) consecutive points flagged by the shift rule;
  * trend: ``trend_points`` (7) consecutive points flagged by the trend rule, going the
    better way;
  * two-in-three: two points flagged by the two-in-three rule within three consecutive
    points (next to each other, or with one point between).
- The improvement must begin after the change. Where the post-change pattern continues a
  stretch of consecutive improvement-flagged points from before the change, and that
  earlier part already holds a pattern of its own, the signal was running before the
  change and is not credited to it (the process was moving for another reason). A point
  or two on the good side just before the change does not count against it.
- An astronomical point on its own is one good month: not a win.
- A measure whose direction is neutral has no "better", so it never shows improvement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projects.models import ImprovementDirection, Measure
from projects.spc import DEFAULT_OPTIONS

IMPROVEMENT = "special_cause_improvement"
# The pattern rules that can show improvement since a change, strongest first.
PATTERN_RULES = ("shift", "trend", "two_in_three")

Point = dict[str, Any]


@dataclass(frozen=True)
class ImprovementSignal:
    """Special-cause improvement in ``measure`` that began since the change started."""

    measure: Measure
    # Every pattern rule that shows it, in the order of PATTERN_RULES.
    rules: tuple[str, ...]
    # The first period of the earliest of those patterns.
    started: date
    point_type: str = IMPROVEMENT

    @property
    def rule(self) -> str:
        """The strongest rule that shows it: a shift, else a trend, else two-in-three."""
        return self.rules[0]


def _improving_side(point: Point, direction: str) -> bool:
    value, centre = point.get("value"), point.get("centre")
    if value is None or centre is None:
        return False
    if direction == ImprovementDirection.DECREASE:
        return value < centre
    return value > centre


def _flagged(point: Point, rule: str, direction: str) -> bool:
    if rule not in point["rules"]:
        return False
    if rule == "trend":
        # A trend's direction is the engine's to say; its point type follows it.
        return point["point_type"] == IMPROVEMENT
    return _improving_side(point, direction)


def _improving_stretches(points: Sequence[Point], direction: str) -> list[list[Point]]:
    """Maximal runs of consecutive points (in one group) flagged as improvement by a
    pattern rule. A point between two points flagged two-in-three belongs to their run:
    the rule's window is three points, and the engine flags only the close ones."""
    flagged = [any(_flagged(point, rule, direction) for rule in PATTERN_RULES) for point in points]
    in_stretch = [
        flagged[index]
        or (
            0 < index < len(points) - 1
            and _flagged(points[index - 1], "two_in_three", direction)
            and _flagged(points[index + 1], "two_in_three", direction)
            and points[index - 1]["group"] == points[index + 1]["group"]
        )
        for index in range(len(points))
    ]
    stretches: list[list[Point]] = []
    current: list[Point] = []
    for point, member in zip(points, in_stretch, strict=True):
        if member and current and current[-1]["group"] == point["group"]:
            current.append(point)
            continue
        if current:
            stretches.append(current)
        current = [point] if member else []
    if current:
        stretches.append(current)
    return stretches


def _first_pattern(points: Sequence[Point], rule: str, direction: str) -> str | None:
    """The period where the first qualifying pattern of ``rule`` starts, or None."""
    if rule == "two_in_three":
        for index, point in enumerate(points):
            if not _flagged(point, rule, direction):
                continue
            for later in points[index + 1 : index + 3]:
                if later["group"] == point["group"] and _flagged(later, rule, direction):
                    return point["x"]
        return None
    needed = DEFAULT_OPTIONS[f"{rule}_points"]
    run_start, run_length = None, 0
    previous_group = None
    for point in points:
        if _flagged(point, rule, direction) and point["group"] == previous_group and run_length:
            run_length += 1
        elif _flagged(point, rule, direction):
            run_start, run_length = point["x"], 1
        else:
            run_length = 0
        previous_group = point["group"]
        if run_length >= needed:
            return run_start
    return None


def improvement_since(
    *, measure: Measure, spc: dict[str, Any] | None, since: date | None
) -> ImprovementSignal | None:
    """The special-cause improvement in ``measure`` that began on or after ``since``, by
    the rule above, or None. ``spc`` is the SPC engine's result for the measure (None
    when it cannot be charted yet); ``since`` None reads the whole chart."""
    if spc is None or measure.improvement_direction == ImprovementDirection.NEUTRAL:
        return None
    direction = measure.improvement_direction
    since_iso = since.isoformat() if since else ""
    starts: dict[str, str] = {}
    for stretch in _improving_stretches(spc["points"], direction):
        before = [point for point in stretch if point["x"] < since_iso]
        after = stretch[len(before) :]
        if any(_first_pattern(before, rule, direction) for rule in PATTERN_RULES):
            continue
        for rule in PATTERN_RULES:
            started = _first_pattern(after, rule, direction)
            if started is not None and rule not in starts:
                starts[rule] = started
    if not starts:
        return None
    return ImprovementSignal(
        measure=measure,
        rules=tuple(rule for rule in PATTERN_RULES if rule in starts),
        started=date.fromisoformat(min(starts.values())),
    )
