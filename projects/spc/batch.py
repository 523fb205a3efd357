"""Run the whole analysis over a layout, keeping the answer columnar until asked for dicts."""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from .anhoej import RunsStats, runs_analysis
from .constants import ASSURANCE_ICONS, ICONS, POINT_TYPES, RULES, TRIAL_LIMIT_POINTS
from .icons import assurance_icons, point_types, variation_icons
from .layout import Layout
from .limits import Lines, compute_lines
from .rules import RULE_BITS, RuleHits, apply_rules

_RULE_LISTS = tuple(
    tuple(name for name, bit in zip(RULES, RULE_BITS, strict=True) if mask & bit)
    for mask in range(16)
)
_SIGNAL_NAMES = (None, *RULES)
_CHARTS_WITH_MOVING_RANGES = frozenset({"xmr", "t", "pp", "up"})


@dataclass(slots=True)
class BatchResult:
    """The analysis of many series, as arrays; `to_dicts()` builds the JSON-ready results.

    Everything is computed when the result is made (lines, rules, point types, Anhøj
    statistics, icons and warnings); only the conversion to Python dicts is deferred.
    """

    layout: Layout
    lines: Lines
    hits: RuleHits
    point_type: np.ndarray  # (T,) codes into POINT_TYPES
    runs: RunsStats
    variation_icon: np.ndarray  # (S,) codes into ICONS
    assurance_icon: np.ndarray  # (S,) codes into ASSURANCE_ICONS, -1 for none
    warnings: list[list[str]]  # (S,) human-readable

    def __len__(self) -> int:
        return self.layout.n_series

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every series' result as a plain, JSON-serialisable dict (the output contract)."""
        with without_gc():
            columns = _Columns(self)
            return [self._series_dict(i, columns) for i in range(len(self))]

    def result(self, index: int) -> dict[str, Any]:
        """One series' result dict."""
        return self._series_dict(index, _Columns(self))

    def _series_dict(self, index: int, columns: _Columns) -> dict[str, Any]:
        layout = self.layout
        start = int(layout.series_start[index])
        end = start + int(layout.series_len[index])
        first_group = int(layout.series_group_start[index])
        rows = zip(
            layout.x[index],
            *(column[start:end] for column in columns.point_columns),
            strict=True,
        )
        points = [
            {
                "x": x,
                "y": y,
                "value": value,
                "group": group - first_group,
                "centre": centre,
                "lower": lower,
                "upper": upper,
                "near_lower": near_lower,
                "near_upper": near_upper,
                "rules": list(_RULE_LISTS[mask]),
                "signal": _SIGNAL_NAMES[signal],
                "direction": direction,
                "point_type": POINT_TYPES[kind],
            }
            for (
                x,
                y,
                value,
                group,
                centre,
                lower,
                upper,
                near_lower,
                near_upper,
                mask,
                signal,
                direction,
                kind,
            ) in rows
        ]
        assurance = int(self.assurance_icon[index])
        return {
            "chart": layout.chart,
            "points": points,
            "groups": self.group_dicts(index),
            "variation_icon": ICONS[self.variation_icon[index]],
            "assurance_icon": None if assurance < 0 else ASSURANCE_ICONS[assurance],
            "warnings": list(self.warnings[index]),
        }

    def group_dicts(self, index: int) -> list[dict[str, Any]]:
        """The `groups` part of one series' result."""
        layout, runs = self.layout, self.runs
        first = int(layout.series_group_start[index])
        count = _group_count(layout, index)
        labels = layout.x[index]
        series_start = int(layout.series_start[index])
        groups = []
        for local, g in enumerate(range(first, first + count)):
            n_useful = int(runs.n_useful[g])
            groups.append(
                {
                    "group": local,
                    "start": labels[int(layout.group_start[g]) - series_start],
                    "n": int(layout.group_len[g]),
                    "baseline_n": int(layout.baseline_len[g]),
                    "trial_limits": bool(layout.group_len[g] < TRIAL_LIMIT_POINTS),
                    "runs": {
                        "n_useful": n_useful,
                        "longest_run": int(runs.longest_run[g]),
                        "longest_run_max": int(runs.longest_run_max[g]) if n_useful else None,
                        "crossings": int(runs.crossings[g]),
                        "crossings_min": int(runs.crossings_min[g]) if n_useful else None,
                        "signal": bool(runs.signal[g]),
                    },
                }
            )
        return groups


class _Columns:
    """Per-point arrays converted once to Python lists (NaN as None) for dict building."""

    def __init__(self, result: BatchResult) -> None:
        layout, lines, hits = result.layout, result.lines, result.hits
        group = layout.gid.tolist()
        value = layout.y.tolist() if lines.value is layout.y else lines.value.tolist()
        self.point_columns = (
            layout.y.tolist(),
            value,
            group,
            *(
                _nullable(line)
                for line in (
                    lines.centre,
                    lines.lower,
                    lines.upper,
                    lines.near_lower,
                    lines.near_upper,
                )
            ),
            hits.mask.tolist(),
            hits.signal.tolist(),
            hits.direction.tolist(),
            result.point_type.tolist(),
        )


@contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small containers.

    A batch result is ~10^6 dicts and lists with no reference cycles; left on, the
    collector keeps re-scanning them and costs four times the building itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _nullable(values: np.ndarray) -> list[float | None]:
    listed = values.tolist()
    if not np.isfinite(values).all():
        return [v if math.isfinite(v) else None for v in listed]
    return listed


def _group_count(layout: Layout, index: int) -> int:
    first = int(layout.series_group_start[index])
    if index + 1 < layout.n_series:
        return int(layout.series_group_start[index + 1]) - first
    return layout.n_groups - first


def analyse_layout(layout: Layout) -> BatchResult:
    """Compute lines, rules, point types, Anhøj statistics, icons and warnings."""
    lines = compute_lines(layout)
    hits = apply_rules(layout, lines)
    preference = layout.direction_sign[layout.group_series[layout.gid]]
    kinds = point_types(hits.direction, preference)
    runs = runs_analysis(layout, hits.side)
    last = layout.series_start + layout.series_len - 1
    variation = variation_icons(kinds[last], hits.direction[last])
    assurance = assurance_icons(
        layout.target, layout.direction_sign, lines.lower[last], lines.upper[last]
    )
    return BatchResult(
        layout, lines, hits, kinds, runs, variation, assurance, _warnings(layout, runs)
    )


def _warnings(layout: Layout, runs: RunsStats) -> list[list[str]]:
    """Human-readable warnings per series; only groups that need one are visited."""
    warnings: list[list[str]] = [[] for _ in range(layout.n_series)]
    shortest_rule = max(layout.shift_points, layout.trend_points)
    needs_look = (
        (layout.group_len < TRIAL_LIMIT_POINTS)
        | (layout.group_len < shortest_rule)
        | (runs.n_useful == 0)
    )
    for g in np.flatnonzero(needs_look).tolist():
        series = int(layout.group_series[g])
        start = layout.x[series][int(layout.group_start[g] - layout.series_start[series])]
        warnings[series].extend(_group_warnings(layout, runs, g, start))
    return warnings


def _group_warnings(layout: Layout, runs: RunsStats, g: int, start: str) -> list[str]:
    size = int(layout.group_len[g])
    where = f"The group starting at {start}"
    found = []
    if size == 1 and layout.chart in _CHARTS_WITH_MOVING_RANGES:
        found.append(f"{where} has a single point: there is no moving range, so no limits.")
    if size < TRIAL_LIMIT_POINTS:
        found.append(
            f"{where} has only {size} points: its centre line and limits are trial values "
            f"that will change as points are added ({TRIAL_LIMIT_POINTS} or more are needed)."
        )
    too_short = [
        f"the {name} rule ({width} points)"
        for name, width in (("shift", layout.shift_points), ("trend", layout.trend_points))
        if size < width
    ]
    if too_short:
        found.append(f"{where} has {size} points, too few for {' and '.join(too_short)}.")
    if runs.n_useful[g] == 0:
        found.append(
            f"{where} has every point on the centre line, so the run-chart (Anhøj) rules "
            "cannot be applied."
        )
    return found
