"""The four MDC special-cause rules, vectorised over a whole layout (SPC.md, "Rules").

Each rule is a question about windows of consecutive points. A window is asked only if it
fits inside one rebase group (`layout.remaining >= width`), its answer comes from
differences of cumulative sums, and every point of a qualifying window is then marked by
spreading the window starts forward over `width` points, again with a cumulative sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import Layout
from .limits import Lines

# Signal codes: 0 is no signal, then the rules in precedence order (constants.RULES).
NO_SIGNAL, ASTRONOMICAL, TREND, TWO_IN_THREE, SHIFT = range(5)
# Bits of `RuleHits.mask`, one per rule, in the same order.
RULE_BITS = (1, 2, 4, 8)


@dataclass(slots=True)
class RuleHits:
    """Per-point rule results: which rules hit, the chosen signal and its direction."""

    side: np.ndarray  # int8, sign(value - centre) in the analysis space; 0 on the centre
    mask: np.ndarray  # uint8, one bit per rule that flags the point (RULE_BITS)
    signal: np.ndarray  # int8, the rule chosen by precedence (0: none)
    direction: np.ndarray  # int8, +1 high, -1 low, 0 none


def apply_rules(layout: Layout, lines: Lines) -> RuleHits:
    """Apply astronomical, trend, two-in-three and shift to every point of the layout."""
    value = lines.analysis
    side = np.sign(value - lines.centre_a).astype(np.int8)
    above = value > lines.upper_a  # strictly beyond: equal to a limit is inside
    below = value < lines.lower_a
    outside = above | below
    close = ~outside & ((value > lines.near_upper_a) | (value < lines.near_lower_a))
    if outside.any():
        counts_beyond = layout.count_beyond[layout.group_series[layout.gid]]
        close |= outside & counts_beyond

    trend, trend_direction = _trend(layout, value, layout.trend_points)
    two_in_three = _two_in_three(layout, side, close)
    shift = _shift(layout, side, layout.shift_points)

    hits = (outside, trend, two_in_three, shift)
    mask = np.zeros(len(value), dtype=np.uint8)
    for hit, bit in zip(hits, RULE_BITS, strict=True):
        mask |= hit.astype(np.uint8) * np.uint8(bit)
    signal = np.select(hits, (ASTRONOMICAL, TREND, TWO_IN_THREE, SHIFT), NO_SIGNAL)
    astronomical_direction = above.astype(np.int8) - below.astype(np.int8)
    direction = np.select(hits, (astronomical_direction, trend_direction, side, side), 0)
    return RuleHits(side, mask, signal.astype(np.int8), direction.astype(np.int8))


def _trend(layout: Layout, value: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of `width` points whose every step rises, or every step falls."""
    step = np.zeros(len(value), dtype=np.int8)
    np.sign(value[1:] - value[:-1], out=step[1:], casting="unsafe")
    step[layout.pos == 0] = 0  # no step into the first point of a group
    # A window of `width` points starting at s has its steps at s+1 .. s+width-1.
    steps = _window_sums(step[1:], width - 1)
    starts = _valid_starts(layout, width)
    steps = steps[: len(starts)]
    in_trend = _cover(starts & (np.abs(steps) == width - 1), width, len(value))
    # SPC.md: where this point and the next are both in a trend, the trend's direction
    # here is the step to the next point; otherwise it is the step from the previous one.
    next_step = np.zeros_like(step)
    next_step[:-1] = step[1:]
    next_in_trend = np.zeros_like(in_trend)
    next_in_trend[:-1] = in_trend[1:] & (layout.pos[1:] > 0)
    direction = np.where(next_in_trend, next_step, step)
    return in_trend, np.where(in_trend, direction, 0).astype(np.int8)


def _two_in_three(layout: Layout, side: np.ndarray, close: np.ndarray) -> np.ndarray:
    """Close points in a 3-point window with 2+ close points, all three on one side."""
    starts = _valid_starts(layout, 3)
    count = len(starts)
    close_count = _window_sums(close, 3)[:count]
    same_side = np.abs(_window_sums(side, 3)[:count]) == 3
    qualifying = starts & (close_count >= 2) & same_side
    # Only the close points of a qualifying window are flagged (SPC.md).
    return _cover(qualifying, 3, len(side)) & close


def _shift(layout: Layout, side: np.ndarray, width: int) -> np.ndarray:
    """Points in a run of `width` points all on one side of the centre; the centre breaks it."""
    starts = _valid_starts(layout, width)
    sums = _window_sums(side, width)[: len(starts)]
    return _cover(starts & (np.abs(sums) == width), width, len(side))


def _valid_starts(layout: Layout, width: int) -> np.ndarray:
    """(T - width + 1,) bool: a window of `width` points starting here stays in its group."""
    count = max(layout.n_points - width + 1, 0)
    return layout.remaining[:count] >= width


def _window_sums(values: np.ndarray, width: int) -> np.ndarray:
    """Sums of every `width` consecutive values, one per window start."""
    cumulative = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(values, out=cumulative[1:], dtype=np.int32)
    if width > len(values):
        return cumulative[:0]
    return cumulative[width:] - cumulative[: len(values) + 1 - width]


def _cover(starts: np.ndarray, width: int, total: int) -> np.ndarray:
    """(total,) bool: the point lies in a window of `width` that starts where `starts` is True."""
    cumulative = np.zeros(total + 1, dtype=np.int32)
    np.cumsum(starts, out=cumulative[1 : len(starts) + 1], dtype=np.int32)
    cumulative[len(starts) + 1 :] = cumulative[len(starts)]
    # Point t is covered by the starts in [t - width + 1, t].
    head = min(width - 1, total)
    covered = np.empty(total, dtype=bool)
    np.greater(cumulative[1 : head + 1], 0, out=covered[:head])
    tail = max(total + 1 - width, 0)
    np.greater(cumulative[width:] - cumulative[:tail], 0, out=covered[head:])
    return covered
