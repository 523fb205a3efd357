"""The public entry points: one document, many documents, or a numeric batch."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .batch import BatchResult, analyse_layout, without_gc
from .constants import CHARTS_WITH_DENOMINATOR
from .errors import SPCInputError
from .layout import layout_from_arrays, layout_from_series
from .validation import (
    Options,
    Series,
    parse_document,
    parse_points_strictly,
    values_are_valid,
)

POINTS_PER_PASS = 65_536


def analyse(document: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one input document and return its result dict.

    Raises `SPCInputError` (a ValueError with `field` and `message`) for bad input.
    """
    return analyse_series([parse_document(document)])[0]


def analyse_many(documents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate and analyse many documents at once, vectorised; results keep input order.

    Raises `SPCInputError` for the first bad document, with `index` saying which.
    """
    return analyse_series(parse_documents(documents))


def parse_documents(documents: Iterable[Mapping[str, Any]]) -> list[Series]:
    """Check every document, tagging an error with the index of the document it came from."""
    parsed = []
    with without_gc():
        for index, document in enumerate(documents):
            try:
                parsed.append(parse_document(document))
            except SPCInputError as error:
                raise error.with_index(index) from None
    return parsed


def analyse_series(series: Sequence[Series]) -> list[dict[str, Any]]:
    """Analyse checked series; returns one result dict per series, in order."""
    results: list[dict[str, Any] | None] = [None] * len(series)
    with without_gc():
        for indices, batch in analyse_batches(series):
            for index, result in zip(indices, batch.to_dicts(), strict=True):
                results[index] = result
    return results  # type: ignore[return-value]


def analyse_batches(series: Sequence[Series]) -> Iterator[tuple[list[int], BatchResult]]:
    """Group series that can share one vectorised pass and analyse each pass lazily.

    A pass needs one chart type and one pair of rule window lengths; every other option
    may differ from series to series.
    """
    batches: dict[tuple[str, int, int], list[list[int]]] = {}
    sizes: dict[tuple[str, int, int], int] = {}
    for index, one in enumerate(series):
        key = (one.chart, one.options.shift_points, one.options.trend_points)
        chunks = batches.setdefault(key, [[]])
        # Passes of a few tens of thousands of points stay in the CPU caches; one huge
        # pass runs at half the speed.
        if sizes.get(key, 0) + len(one.y) > POINTS_PER_PASS and chunks[-1]:
            chunks.append([])
            sizes[key] = 0
        chunks[-1].append(index)
        sizes[key] = sizes.get(key, 0) + len(one.y)
    for chunks in batches.values():
        for indices in chunks:
            yield indices, analyse_layout(layout_from_series([series[i] for i in indices]))


def analyse_arrays(
    chart: str,
    y: np.ndarray,
    n: np.ndarray | None = None,
    *,
    x: Sequence[str] | None = None,
    options: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Analyse S equal-length series given as an (S, N) array, all with the same options.

    The fast path for bulk work (recomputing every measure overnight, benchmarks): no
    per-point dicts are read and the result stays columnar until `to_dicts()`. `x` labels
    the N points (default "0", "1", ...); `options` is the contract's options object, and
    `rebase_at` in it names x labels as usual. The values are checked as a document would be.
    """
    values = np.asarray(y, dtype=np.float64)
    if values.ndim != 2:
        raise SPCInputError("points", "y must be a 2-D array: one row per series")
    labels = [str(i) for i in range(values.shape[1])] if x is None else list(x)
    denominators = None if n is None else np.broadcast_to(np.asarray(n, np.float64), values.shape)
    template = _template_document(chart, labels, values, denominators, options)
    checked = parse_document(template)
    _check_array_values(chart, values, denominators)
    return analyse_layout(
        layout_from_arrays(
            chart, values, denominators, labels, checked.group_starts, checked.options
        )
    )


def _template_document(
    chart: str,
    labels: list[str],
    values: np.ndarray,
    denominators: np.ndarray | None,
    options: Mapping[str, Any] | None,
) -> dict[str, Any]:
    # Validate labels and options once, through the same code as documents, using a
    # stand-in series with harmless values; the real values are checked in bulk.
    if len(labels) != values.shape[1]:
        raise SPCInputError("x", f"has {len(labels)} labels for {values.shape[1]} points")
    points: list[dict[str, Any]] = [{"x": label, "y": 0.0} for label in labels]
    if chart in CHARTS_WITH_DENOMINATOR:
        if denominators is None:
            raise SPCInputError("n", f"is required for a {chart} chart")
        points = [{**point, "n": 1.0} for point in points]
    elif denominators is not None:
        raise SPCInputError("n", "is used only by p, pp, u and up charts")
    return {"chart": chart, "points": points, "options": dict(options or {})}


def _check_array_values(chart: str, y: np.ndarray, n: np.ndarray | None) -> None:
    if values_are_valid(y, n, chart):
        return
    for row in range(y.shape[0]):
        if not values_are_valid(y[row], None if n is None else n[row], chart):
            points = [
                {"x": str(i), "y": float(v), **({} if n is None else {"n": float(n[row, i])})}
                for i, v in enumerate(y[row])
            ]
            try:
                parse_points_strictly(points, chart)
            except SPCInputError as error:
                raise error.with_index(row) from None


__all__ = ["Options", "analyse", "analyse_arrays", "analyse_many"]
