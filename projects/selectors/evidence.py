"""Did a measure improve since a change started? One rule for every app that asks.

Spread's proof that a change worked, the IHI progress score's 3.5 and above, and the
"change adopted" celebration all ask the same question, and SPC.md answers it: "the
points since the change show special-cause improvement by the rules above; a single
good month is not a win." The rule, read on the measure's SPC analysis as the team sees
it (its rebases, fixed baseline and options), through its stored reading: the reading
keeps the measure's improving stretches (``projects.spc_summary``), so it answers for
any change's start date without analysing anything (``measure_readings``):

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

from projects.models import ImprovementDirection, Measure, MeasureReading
from projects.spc import DEFAULT_OPTIONS
from projects.spc_summary import IMPROVEMENT, PATTERN_BITS, PATTERN_RULES

# A point of an improving stretch as the reading stores it: [x, group, flags].
StretchPoint = Sequence[Any]


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


def _flagged(point: StretchPoint, rule: str) -> bool:
    return bool(point[2] & PATTERN_BITS[rule])


def _first_pattern(points: Sequence[StretchPoint], rule: str) -> str | None:
    """The period where the first qualifying pattern of ``rule`` starts, or None."""
    if rule == "two_in_three":
        for index, point in enumerate(points):
            if not _flagged(point, rule):
                continue
            for later in points[index + 1 : index + 3]:
                if later[1] == point[1] and _flagged(later, rule):
                    return point[0]
        return None
    needed = DEFAULT_OPTIONS[f"{rule}_points"]
    run_start, run_length = None, 0
    previous_group = None
    for point in points:
        x, group = point[0], point[1]
        if _flagged(point, rule) and group == previous_group and run_length:
            run_length += 1
        elif _flagged(point, rule):
            run_start, run_length = x, 1
        else:
            run_length = 0
        previous_group = group
        if run_length >= needed:
            return run_start
    return None


def improvement_since(
    *, measure: Measure, reading: MeasureReading | None, since: date | None
) -> ImprovementSignal | None:
    """The special-cause improvement in ``measure`` that began on or after ``since``, by
    the rule above, or None. ``reading`` is the measure's current stored reading
    (``projects.selectors.measure_readings``; None reads as no evidence); ``since`` None
    reads the whole chart."""
    if reading is None or measure.improvement_direction == ImprovementDirection.NEUTRAL:
        return None
    since_iso = since.isoformat() if since else ""
    starts: dict[str, str] = {}
    for stretch in reading.evidence.get("stretches") or []:
        before = [point for point in stretch if point[0] < since_iso]
        after = stretch[len(before) :]
        if any(_first_pattern(before, rule) for rule in PATTERN_RULES):
            continue
        for rule in PATTERN_RULES:
            started = _first_pattern(after, rule)
            if started is not None and rule not in starts:
                starts[rule] = started
    if not starts:
        return None
    return ImprovementSignal(
        measure=measure,
        rules=tuple(rule for rule in PATTERN_RULES if rule in starts),
        started=date.fromisoformat(min(starts.values())),
    )
