"""A literal, loop-by-loop reading of SPC.md's XmR limits and rules, for cross-checking.

Deliberately naive: no NumPy, no cleverness, one window at a time. The engine's vectorised
answers must agree with it on random series.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

PRECEDENCE = ("astronomical", "trend", "two_in_three", "shift")


def sign(value: float) -> int:
    return (value > 0) - (value < 0)


@dataclass
class LiteralLimits:
    mean: float
    lower: float | None
    upper: float | None
    near_lower: float | None
    near_upper: float | None


def literal_xmr_limits(values: list[float], screen: bool, constant: float = 2.66) -> LiteralLimits:
    """SPC.md XmR steps 2-5 for one group's baseline."""
    mean = sum(values) / len(values)
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, len(values))]
    if not ranges:
        return LiteralLimits(mean, None, None, None, None)
    mr_bar = sum(ranges) / len(ranges)
    if screen:
        kept = [r for r in ranges if r < 3.267 * mr_bar]
        mr_bar = sum(kept) / len(kept) if kept else mr_bar
    half = constant * mr_bar
    near = 2 / 3 * half
    return LiteralLimits(mean, mean - half, mean + half, mean - near, mean + near)


@dataclass
class LiteralPoint:
    rules: set[str]
    signal: str | None
    direction: int


def literal_rules(
    values: list[float],
    lines: list[LiteralLimits],
    group_starts: list[int],
    *,
    shift_points: int = 7,
    trend_points: int = 7,
    count_beyond: bool = True,
) -> list[LiteralPoint]:
    """Every rule hit per point, the chosen signal and its direction, per SPC.md."""
    count = len(values)
    bounds = [*group_starts, count]
    side = [sign(values[i] - lines[i].mean) for i in range(count)]
    above = [lines[i].upper is not None and values[i] > lines[i].upper for i in range(count)]
    below = [lines[i].lower is not None and values[i] < lines[i].lower for i in range(count)]
    outside = [a or b for a, b in zip(above, below, strict=True)]
    close = []
    for i in range(count):
        limits = lines[i]
        near = limits.near_upper is not None and (
            values[i] > limits.near_upper or values[i] < limits.near_lower
        )
        close.append((not outside[i] and near) or (count_beyond and outside[i]))

    in_trend = [False] * count
    in_two = [False] * count
    in_shift = [False] * count
    group_end = [0] * count
    for start, end in pairwise(bounds):
        for i in range(start, end):
            group_end[i] = end
        for s in range(start, end - trend_points + 1):
            steps = [values[i + 1] - values[i] for i in range(s, s + trend_points - 1)]
            if all(d > 0 for d in steps) or all(d < 0 for d in steps):
                for i in range(s, s + trend_points):
                    in_trend[i] = True
        for s in range(start, end - 2):
            window = range(s, s + 3)
            sides = {side[i] for i in window}
            if sum(close[i] for i in window) >= 2 and len(sides) == 1 and 0 not in sides:
                for i in window:
                    in_two[i] = in_two[i] or close[i]
        for s in range(start, end - shift_points + 1):
            sides = {side[i] for i in range(s, s + shift_points)}
            if len(sides) == 1 and 0 not in sides:
                for i in range(s, s + shift_points):
                    in_shift[i] = True

    points = []
    for i in range(count):
        if in_trend[i] and i + 1 < group_end[i] and in_trend[i + 1]:
            trend_direction = sign(values[i + 1] - values[i])
        elif in_trend[i]:
            trend_direction = sign(values[i] - values[i - 1])
        else:
            trend_direction = 0
        hits = {
            "astronomical": (outside[i], 1 if above[i] else -1),
            "trend": (in_trend[i], trend_direction),
            "two_in_three": (in_two[i], side[i]),
            "shift": (in_shift[i], side[i]),
        }
        rules = {name for name, (hit, _) in hits.items() if hit}
        signal = next((name for name in PRECEDENCE if name in rules), None)
        direction = hits[signal][1] if signal else 0
        points.append(LiteralPoint(rules, signal, direction))
    return points
