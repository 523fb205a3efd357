"""What a measure's stored reading must say, worked out afresh from the engine's per-point
result (``projects.spc.analyse``, a dict per point), independently of the columnar
summary that the application stores (``projects.spc_summary``).

The rules are those of SPC.md as the application words them (the win on the latest
point, aim met, the improving stretches behind "improvement since a change"), read the
slow, literal way: point by point over the result dicts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projects.models import RATIO_CHARTS, DataPoint, Measure, MeasureReading, Rebase
from projects.selectors import spc_document
from projects.spc import DEFAULT_OPTIONS, SPCInputError, analyse

IMPROVEMENT = "special_cause_improvement"
WIN_RULES = {"shift": "sustained", "trend": "sustained", "two_in_three": "early"}
PATTERN_BITS = {"shift": 1, "trend": 2, "two_in_three": 4}
SHIFT = DEFAULT_OPTIONS["shift_points"]

# The fields of a reading a view reads, compared one by one.
COMPARED = (
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


def _meets(value: float | None, target: float | None, direction: str) -> bool | None:
    if value is None or target is None or direction == "neutral":
        return None
    return value >= target if direction == "increase" else value <= target


def _latest_group(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    group = points[-1]["group"]
    return [point for point in points if point["group"] == group]


def _lines(point: dict[str, Any]) -> dict[str, Any]:
    return {name: point[name] for name in ("x", "value", "centre", "lower", "upper")}


def _win(points: list[dict[str, Any]]) -> dict[str, Any] | None:
    latest = points[-1]
    if latest["point_type"] != IMPROVEMENT:
        return None
    rule = next((name for name in WIN_RULES if name in latest["rules"]), None)
    if rule is None and "astronomical" not in latest["rules"]:
        return None
    rule = rule or "astronomical"
    run = 0
    for point in reversed(_latest_group(points)):
        if rule not in point["rules"]:
            break
        run += 1
    return {
        "strength": WIN_RULES.get(rule, "unusual"),
        "rule": rule,
        "group_start": _latest_group(points)[0]["x"],
        **_lines(latest),
        "run_length": run,
    }


def _aim_met(result: dict[str, Any], measure: Measure, win: dict | None) -> dict | None:
    direction = measure.improvement_direction
    if measure.target is None or direction == "neutral":
        return None
    group = _latest_group(result["points"])
    if result["assurance_icon"] == "consistent_pass":
        strength, rule, run = "consistent_pass", "assurance", len(group)
    else:
        tail = group[-SHIFT:]
        if (
            win is None
            or win["strength"] != "sustained"
            or len(tail) < SHIFT
            or not all(_meets(p["value"], measure.target, direction) for p in tail)
        ):
            return None
        strength, rule, run = "sustained_beyond_target", win["rule"], win["run_length"]
    return {
        "strength": strength,
        "rule": rule,
        "group_start": group[0]["x"],
        **_lines(result["points"][-1]),
        "run_length": run,
    }


def _flags(point: dict[str, Any], direction: str) -> int:
    value, centre = point["value"], point["centre"]
    better = (
        value is not None
        and centre is not None
        and (value > centre if direction == "increase" else value < centre)
        and direction != "neutral"
    )
    flags = 0
    if "shift" in point["rules"] and better:
        flags |= PATTERN_BITS["shift"]
    if "trend" in point["rules"] and point["point_type"] == IMPROVEMENT:
        flags |= PATTERN_BITS["trend"]
    if "two_in_three" in point["rules"] and better:
        flags |= PATTERN_BITS["two_in_three"]
    return flags


def _stretches(points: list[dict[str, Any]], direction: str) -> list[list[list[Any]]]:
    flags = [_flags(point, direction) for point in points]
    two = PATTERN_BITS["two_in_three"]
    stretches: list[list[list[Any]]] = []
    current: list[list[Any]] = []
    for index, point in enumerate(points):
        member = bool(flags[index]) or (
            0 < index < len(points) - 1
            and bool(flags[index - 1] & two)
            and bool(flags[index + 1] & two)
            and points[index - 1]["group"] == points[index + 1]["group"]
        )
        entry = [point["x"], point["group"], flags[index]]
        if member and current and current[-1][1] == point["group"]:
            current.append(entry)
            continue
        if current:
            stretches.append(current)
        current = [entry] if member else []
    if current:
        stretches.append(current)
    return stretches


def summary_of_result(result: dict[str, Any], measure: Measure) -> dict[str, Any]:
    """The reading's fields from a full per-point result of ``measure``'s chart."""
    points = result["points"]
    latest = points[-1]
    signalled = [point for point in points if point["point_type"] != "common_cause"]
    win = _win(points)
    return {
        "points": len(points),
        "latest_period": date.fromisoformat(latest["x"]),
        "latest_value": latest["value"],
        "point_type": latest["point_type"],
        "signal": latest["signal"] or "",
        "variation_icon": result["variation_icon"],
        "assurance_icon": result["assurance_icon"] or "",
        "meets_target": _meets(latest["value"], measure.target, measure.improvement_direction),
        "signal_period": date.fromisoformat(signalled[-1]["x"]) if signalled else None,
        "signal_type": signalled[-1]["point_type"] if signalled else "",
        "reason": "",
        "win": win,
        "evidence": {
            "latest": {**_lines(latest), "group_start": _latest_group(points)[0]["x"]},
            "aim_met": _aim_met(result, measure, win),
            "recent": [point["value"] for point in points[-7:]],
            "stretches": _stretches(points, measure.improvement_direction),
        },
    }


def expected_reading(measure: Measure) -> dict[str, Any]:
    """What the reading of ``measure`` must say of the measure as the database holds it."""
    measure = Measure.objects.get(pk=measure.pk)
    points = list(DataPoint.objects.filter(measure=measure).order_by("period"))
    rebases = Rebase.objects.filter(measure=measure)
    last = points[-1] if points else None
    if len(points) >= 2:
        try:
            result = analyse(spc_document(measure=measure, points=points, rebases=rebases))
        except SPCInputError as error:
            reason = f"The data cannot be charted: {error}"
        else:
            return summary_of_result(result, measure)
    else:
        reason = f"A chart needs at least 2 data points; this measure has {len(points)}."
    plotted = None
    if last is not None:
        plotted = (
            last.numerator / last.denominator if measure.chart_type in RATIO_CHARTS else last.value
        )
    return {
        "points": len(points),
        "latest_period": last.period if last else None,
        "latest_value": plotted,
        "point_type": "",
        "signal": "",
        "variation_icon": "",
        "assurance_icon": "",
        "meets_target": None,
        "signal_period": None,
        "signal_type": "",
        "reason": reason,
        "win": None,
        "evidence": {},
    }


def stored_reading(measure: Measure) -> dict[str, Any]:
    """The reading stored for ``measure``, as its fields (no view involved)."""
    reading = MeasureReading.objects.get(measure_id=measure.pk)
    return {name: getattr(reading, name) for name in COMPARED}
