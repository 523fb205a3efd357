"""Turn one input document into a checked `Series`, or raise `SPCInputError` naming the field.

Documents arrive by the thousand from the command line, so points are checked in two
passes: a fast pass of whole-list checks that run in C and only answers "all fine", and a
slow pass, point by point, that runs only when the fast pass is unsure and that alone
writes the error messages. One set of messages, one source of truth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .constants import (
    CHARTS,
    CHARTS_NON_NEGATIVE,
    CHARTS_WITH_DENOMINATOR,
    DEFAULT_OPTIONS,
    DIRECTION_SIGN,
    DIRECTIONS,
    MIN_FIX_AFTER,
    SHIFT_TREND_RANGE,
    XMR_LIMITS,
)
from .errors import SPCInputError

DOCUMENT_KEYS = ("chart", "points", "options")
# Beyond this a number is a data error, not a measure; keeping every input below it also
# keeps every derived line (squares in the g chart, y / n) finite.
MAX_MAGNITUDE = 1e100
_NUMBER_TYPES = (int, float, np.integer, np.floating)


@dataclass(frozen=True, slots=True)
class Options:
    """The options of one document, with defaults filled in (see DEFAULT_OPTIONS)."""

    improvement_direction: str = "neutral"
    target: float | None = None
    screen_outliers: bool = True
    fix_after_n_points: int | None = None
    shift_points: int = 7
    trend_points: int = 7
    two_in_three_counts_beyond_limits: bool = True
    xmr_limits: str = "mdc"

    @property
    def direction_sign(self) -> int:
        """+1 when higher is better, -1 when lower is better, 0 for neutral."""
        return DIRECTION_SIGN[self.improvement_direction]


@dataclass(slots=True)
class Series:
    """One checked document: the chart, its points as arrays, its rebase groups."""

    chart: str
    x: list[str]
    y: np.ndarray
    n: np.ndarray | None
    group_starts: list[int]
    options: Options


def parse_document(document: Any) -> Series:
    """Check one input document and return it as a `Series`.

    Raises `SPCInputError` naming the first offending field.
    """
    if not isinstance(document, Mapping):
        raise SPCInputError(None, "the document must be a JSON object with chart and points")
    for key in document:
        if key not in DOCUMENT_KEYS:
            raise SPCInputError(str(key), "unknown field; a document has chart, points and options")
    chart = _parse_chart(document.get("chart"))
    options, rebase_at = _parse_options(document.get("options"))
    x, y, n = _parse_points(document.get("points"), chart)
    return Series(chart, x, y, n, _group_starts(x, rebase_at), options)


def _parse_chart(chart: Any) -> str:
    if chart is None:
        raise SPCInputError("chart", f"is required; one of {', '.join(CHARTS)}")
    if not isinstance(chart, str) or chart not in CHARTS:
        raise SPCInputError("chart", f"unknown chart {chart!r}; one of {', '.join(CHARTS)}")
    return chart


def _parse_options(raw: Any) -> tuple[Options, list[str]]:
    if raw is None:
        return _DEFAULTS, []
    if not isinstance(raw, Mapping):
        raise SPCInputError("options", "must be an object")
    for key in raw:
        if key not in DEFAULT_OPTIONS:
            raise SPCInputError(
                f"options.{key}", f"unknown option; known: {', '.join(DEFAULT_OPTIONS)}"
            )
    values = {**DEFAULT_OPTIONS, **{k: v for k, v in raw.items() if v is not None}}
    direction = values["improvement_direction"]
    if direction not in DIRECTIONS:
        raise SPCInputError(
            "options.improvement_direction", f"must be one of {', '.join(DIRECTIONS)}"
        )
    target = values["target"]
    if target is not None:
        target = _finite_number(target, "options.target")
    for flag in ("screen_outliers", "two_in_three_counts_beyond_limits"):
        if not isinstance(values[flag], bool):
            raise SPCInputError(f"options.{flag}", "must be true or false")
    fix_after = values["fix_after_n_points"]
    if fix_after is not None and (not _is_int(fix_after) or fix_after < MIN_FIX_AFTER):
        # SPC.md: a fixed baseline has at least 12 points; fewer gives limits too unstable
        # to freeze, so we refuse rather than silently widen it.
        raise SPCInputError(
            "options.fix_after_n_points",
            f"must be a whole number of at least {MIN_FIX_AFTER}, or null for no fixed baseline",
        )
    low, high = SHIFT_TREND_RANGE
    for window in ("shift_points", "trend_points"):
        if not _is_int(values[window]) or not low <= values[window] <= high:
            raise SPCInputError(f"options.{window}", f"must be a whole number from {low} to {high}")
    if values["xmr_limits"] not in XMR_LIMITS:
        raise SPCInputError("options.xmr_limits", f"must be one of {', '.join(XMR_LIMITS)}")
    options = Options(
        improvement_direction=direction,
        target=target,
        screen_outliers=values["screen_outliers"],
        fix_after_n_points=None if fix_after is None else int(fix_after),
        shift_points=int(values["shift_points"]),
        trend_points=int(values["trend_points"]),
        two_in_three_counts_beyond_limits=values["two_in_three_counts_beyond_limits"],
        xmr_limits=values["xmr_limits"],
    )
    return options, _parse_rebase_at(values["rebase_at"])


def _parse_rebase_at(rebase_at: Any) -> list[str]:
    if not isinstance(rebase_at, Sequence) or isinstance(rebase_at, str):
        raise SPCInputError("options.rebase_at", "must be a list of x values")
    seen: set[str] = set()
    for i, x in enumerate(rebase_at):
        if not isinstance(x, str):
            raise SPCInputError(f"options.rebase_at[{i}]", "must be a string, the x of a point")
        if x in seen:
            raise SPCInputError(f"options.rebase_at[{i}]", f"{x!r} is listed twice")
        seen.add(x)
    return list(rebase_at)


def _group_starts(x: list[str], rebase_at: list[str]) -> list[int]:
    if not rebase_at:
        return [0]
    position = {label: i for i, label in enumerate(x)}
    starts = {0}
    for i, label in enumerate(rebase_at):
        if label not in position:
            raise SPCInputError(f"options.rebase_at[{i}]", f"{label!r} is not the x of any point")
        starts.add(position[label])
    return sorted(starts)


def _parse_points(points: Any, chart: str) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    if points is None:
        raise SPCInputError("points", "is required")
    if not isinstance(points, Sequence) or isinstance(points, str | bytes):
        raise SPCInputError("points", "must be a list of {x, y} objects")
    if len(points) < 2:
        raise SPCInputError("points", f"needs at least 2 points, got {len(points)}")
    parsed = _parse_points_fast(points, chart)
    if parsed is None:
        parsed = parse_points_strictly(points, chart)
    return parsed


def _parse_points_fast(
    points: Sequence[Any], chart: str
) -> tuple[list[str], np.ndarray, np.ndarray | None] | None:
    """Whole-list checks for the common, well-formed case; None means 'look closer'."""
    needs_n = chart in CHARTS_WITH_DENOMINATOR
    if set(map(type, points)) != {dict} or set(map(len, points)) != {3 if needs_n else 2}:
        return None
    try:
        x = [p["x"] for p in points]
        y_list = [p["y"] for p in points]
        n_list = [p["n"] for p in points] if needs_n else None
    except KeyError:
        return None
    if set(map(type, x)) != {str} or not set(map(type, y_list)) <= {int, float}:
        return None
    if n_list is not None and not set(map(type, n_list)) <= {int, float}:
        return None
    try:
        y = np.array(y_list, dtype=np.float64)
        n = None if n_list is None else np.array(n_list, dtype=np.float64)
    except OverflowError:
        return None
    if not values_are_valid(y, n, chart) or len(set(x)) != len(x):
        return None
    return x, y, n


def values_are_valid(y: np.ndarray, n: np.ndarray | None, chart: str) -> bool:
    """True when every y (and n) is acceptable for the chart; says nothing about which."""
    ok = bool((np.abs(y) <= MAX_MAGNITUDE).all())  # also False for NaN
    if chart in CHARTS_NON_NEGATIVE:
        ok = ok and bool((y >= 0).all())
    if n is not None:
        ok = ok and bool(((n >= 1.0 / MAX_MAGNITUDE) & (n <= MAX_MAGNITUDE)).all())
        if chart in ("p", "pp"):
            ok = ok and bool((y <= n).all())
    return ok


def parse_points_strictly(
    points: Sequence[Any], chart: str
) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    needs_n = chart in CHARTS_WITH_DENOMINATOR
    seen: dict[str, int] = {}
    x: list[str] = []
    y: list[float] = []
    n: list[float] = []
    for i, point in enumerate(points):
        where = f"points[{i}]"
        if not isinstance(point, Mapping):
            raise SPCInputError(where, "must be an object with x and y")
        for key in point:
            if key not in ("x", "y", "n"):
                raise SPCInputError(
                    f"{where}.{key}", "unknown field; a point has x, y and, for p/pp/u/up, n"
                )
        label = point.get("x")
        if not isinstance(label, str):
            raise SPCInputError(f"{where}.x", "is required and must be a string")
        if label in seen:
            raise SPCInputError(
                f"{where}.x", f"duplicate x {label!r} (also at points[{seen[label]}])"
            )
        seen[label] = i
        value = _finite_number(point.get("y"), f"{where}.y")
        if chart in CHARTS_NON_NEGATIVE and value < 0:
            raise SPCInputError(f"{where}.y", f"must not be negative on a {chart} chart")
        denominator = point.get("n")
        if needs_n:
            denominator = _finite_number(denominator, f"{where}.n")
            if denominator <= 0:
                raise SPCInputError(f"{where}.n", "must be greater than 0")
            if denominator < 1.0 / MAX_MAGNITUDE:
                raise SPCInputError(f"{where}.n", f"must be at least {1.0 / MAX_MAGNITUDE:g}")
            if chart in ("p", "pp") and value > denominator:
                raise SPCInputError(
                    f"{where}.y", f"must not exceed n ({denominator:g}) on a {chart} chart"
                )
            n.append(denominator)
        elif denominator is not None:
            raise SPCInputError(
                f"{where}.n",
                "is used only by p, pp, u and up charts; for this chart send y as the ratio",
            )
        x.append(label)
        y.append(value)
    y_array = np.array(y, dtype=np.float64)
    return x, y_array, np.array(n, dtype=np.float64) if needs_n else None


def number_problem(value: Any) -> str | None:
    """Why the engine would refuse ``value`` as a number to chart, or None if it takes it.

    The one rule for every number Ripple stores to chart (a data point's value,
    numerator and denominator, a target): a number, not a boolean, finite, and no
    further from zero than ``MAX_MAGNITUDE``. Storage checks it too, so a stored point
    can never blank a chart.
    """
    if isinstance(value, bool) or not isinstance(value, _NUMBER_TYPES):
        return f"must be a number, got {type(value).__name__}"
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        return "must be a finite number (no NaN or infinity)"
    if abs(number) > MAX_MAGNITUDE:
        return f"must be between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
    return None


def _finite_number(value: Any, field: str) -> float:
    if value is None:
        raise SPCInputError(field, "is required and must be a number")
    problem = number_problem(value)
    if problem:
        raise SPCInputError(field, problem)
    return float(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


_DEFAULTS = Options()
