"""The flat, segmented layout every calculation runs on.

Many series, each cut into rebase groups, are laid end to end in one set of 1-D arrays.
A group is a contiguous segment, so every per-group statistic is one `np.bincount` and
every rule window is valid exactly when it fits inside its group: no rule window can cross
a rebase or a series boundary, and one series costs the same code path as ten thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .constants import CHARTS_WITH_DENOMINATOR, D2, DIRECTION_SIGN, MDC_CONSTANT
from .validation import Options, Series


@dataclass(slots=True)
class Layout:
    """Points of many series of one chart type, flattened; see the module docstring.

    Point arrays have length T (all points), group arrays length G, series arrays length S.
    """

    chart: str
    shift_points: int
    trend_points: int
    x: list[list[str]]  # per series, the labels as given
    y: np.ndarray  # (T,) the raw y
    n: np.ndarray | None  # (T,) denominators, for p, pp, u and up
    gid: np.ndarray  # (T,) group of each point
    pos: np.ndarray  # (T,) position of each point in its group
    remaining: np.ndarray  # (T,) points from this one to the end of its group, inclusive
    group_start: np.ndarray  # (G,)
    group_len: np.ndarray  # (G,)
    baseline_len: np.ndarray  # (G,) points the limits are computed from
    group_series: np.ndarray  # (G,)
    series_start: np.ndarray  # (S,) first point
    series_len: np.ndarray  # (S,)
    series_group_start: np.ndarray  # (S,) first group
    direction_sign: np.ndarray  # (S,) +1 increase, -1 decrease, 0 neutral
    target: np.ndarray  # (S,) NaN when there is no target
    screen: np.ndarray  # (S,) bool, screen moving ranges
    count_beyond: np.ndarray  # (S,) bool, two-in-three counts points beyond the limits
    xmr_constant: np.ndarray  # (S,) 2.66 or 3 / 1.128

    @property
    def n_points(self) -> int:
        return len(self.y)

    @property
    def n_groups(self) -> int:
        return len(self.group_len)

    @property
    def n_series(self) -> int:
        return len(self.series_len)

    def in_baseline(self) -> np.ndarray:
        """(T,) bool: the point is among the first `baseline_len` points of its group."""
        return self.pos < self.baseline_len[self.gid]


def layout_from_series(series: Sequence[Series]) -> Layout:
    """Lay out checked series that share a chart type and rule window lengths."""
    first = series[0]
    lengths = np.fromiter((len(s.y) for s in series), dtype=np.int64, count=len(series))
    series_start = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    group_start = np.concatenate(
        [
            np.asarray(s.group_starts, dtype=np.int64) + start
            for s, start in zip(series, series_start, strict=True)
        ]
    )
    groups_per_series = np.fromiter((len(s.group_starts) for s in series), np.int64, len(series))
    fix_after = np.array([s.options.fix_after_n_points or 0 for s in series], dtype=np.int64)
    layout = _build(
        chart=first.chart,
        shift_points=first.options.shift_points,
        trend_points=first.options.trend_points,
        x=[s.x for s in series],
        y=np.concatenate([s.y for s in series]),
        n=np.concatenate([s.n for s in series]) if first.chart in CHARTS_WITH_DENOMINATOR else None,
        series_len=lengths,
        series_start=series_start,
        group_start=group_start,
        groups_per_series=groups_per_series,
        fix_after=fix_after,
        options=[s.options for s in series],
    )
    return layout


def layout_from_arrays(
    chart: str,
    y: np.ndarray,
    n: np.ndarray | None,
    x: list[str],
    group_starts: Sequence[int],
    options: Options,
) -> Layout:
    """Lay out S equal-length series given as an (S, N) array, all with the same options."""
    n_series, length = y.shape
    series_start = np.arange(n_series, dtype=np.int64) * length
    starts = np.asarray(group_starts, dtype=np.int64)
    group_start = (series_start[:, None] + starts[None, :]).ravel()
    return _build(
        chart=chart,
        shift_points=options.shift_points,
        trend_points=options.trend_points,
        x=[x] * n_series,
        y=np.ascontiguousarray(y, dtype=np.float64).ravel(),
        n=None if n is None else np.ascontiguousarray(n, dtype=np.float64).ravel(),
        series_len=np.full(n_series, length, dtype=np.int64),
        series_start=series_start,
        group_start=group_start,
        groups_per_series=np.full(n_series, len(starts), dtype=np.int64),
        fix_after=np.full(n_series, options.fix_after_n_points or 0, dtype=np.int64),
        options=_Repeated(options, n_series),
    )


class _Repeated(Sequence[Options]):
    """The same options for every series, without building a list of them."""

    def __init__(self, options: Options, count: int) -> None:
        self.options = options
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self.options


def _build(
    *,
    chart: str,
    shift_points: int,
    trend_points: int,
    x: list[list[str]],
    y: np.ndarray,
    n: np.ndarray | None,
    series_len: np.ndarray,
    series_start: np.ndarray,
    group_start: np.ndarray,
    groups_per_series: np.ndarray,
    fix_after: np.ndarray,
    options: Sequence[Options],
) -> Layout:
    total = int(series_len.sum())
    group_end = np.append(group_start[1:], total)
    group_len = group_end - group_start
    group_series = np.repeat(np.arange(len(series_len), dtype=np.int64), groups_per_series)
    # A marker at each group start, summed, numbers the points' groups.
    marks = np.zeros(total, dtype=np.int64)
    marks[group_start] = 1
    gid = np.cumsum(marks) - 1
    pos = np.arange(total, dtype=np.int64) - group_start[gid]
    remaining = group_len[gid] - pos
    group_fix = fix_after[group_series]
    baseline_len = np.where(group_fix > 0, np.minimum(group_fix, group_len), group_len)
    if isinstance(options, _Repeated):
        one = options.options
        count = len(options)
        per_series = _per_series_arrays([one])
        direction, target, screen, beyond, constant = (np.repeat(a, count) for a in per_series)
    else:
        direction, target, screen, beyond, constant = _per_series_arrays(options)
    return Layout(
        chart=chart,
        shift_points=shift_points,
        trend_points=trend_points,
        x=x,
        y=y,
        n=n,
        gid=gid,
        pos=pos,
        remaining=remaining,
        group_start=group_start,
        group_len=group_len,
        baseline_len=baseline_len,
        group_series=group_series,
        series_start=series_start,
        series_len=series_len,
        series_group_start=np.concatenate(([0], np.cumsum(groups_per_series)[:-1])),
        direction_sign=direction,
        target=target,
        screen=screen,
        count_beyond=beyond,
        xmr_constant=constant,
    )


def _per_series_arrays(options: Sequence[Options]) -> tuple[np.ndarray, ...]:
    direction = np.array([DIRECTION_SIGN[o.improvement_direction] for o in options], np.int8)
    target = np.array([np.nan if o.target is None else o.target for o in options], np.float64)
    screen = np.array([o.screen_outliers for o in options], dtype=bool)
    beyond = np.array([o.two_in_three_counts_beyond_limits for o in options], dtype=bool)
    constant = np.array(
        [MDC_CONSTANT if o.xmr_limits == "mdc" else 3.0 / D2 for o in options], np.float64
    )
    return direction, target, screen, beyond, constant
