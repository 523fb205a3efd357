"""Write results straight from the columnar arrays to compact JSON text.

The command line answers thousands of series at a time; building a dict per point and
then serialising it costs more than the whole analysis. This writer produces the same
JSON as `json.dumps(result.to_dicts(), separators=(",", ":"))` (a test pins that) with
two savings: floats are formatted once per distinct line rather than once per point, and
the many common-cause points of a group share one pre-built text.
"""

from __future__ import annotations

import json
import math

import numpy as np

from .batch import BatchResult
from .constants import ASSURANCE_ICONS, ICONS, POINT_TYPES, RULES, TRIAL_LIMIT_POINTS
from .rules import RULE_BITS

_RULE_TEXT = tuple(
    json.dumps([name for name, bit in zip(RULES, RULE_BITS, strict=True) if mask & bit])
    for mask in range(16)
)
_SIGNAL_TEXT = ("null", *(json.dumps(name) for name in RULES))
_POINT_TYPE_TEXT = tuple(json.dumps(name) for name in POINT_TYPES)
# The signal is the first rule, in precedence order, whose bit is set.
_SIGNAL_OF_MASK = tuple(
    next((k + 1 for k, bit in enumerate(RULE_BITS) if mask & bit), 0) for mask in range(16)
)
_ASSURANCE_TEXT = {-1: "null", **{k: json.dumps(name) for k, name in enumerate(ASSURANCE_ICONS)}}
_CONSTANT_LINE_CHARTS = frozenset({"xmr", "run", "c", "g", "t"})
_TAIL = (
    '"group":{},"centre":{},"lower":{},"upper":{},"near_lower":{},"near_upper":{},'
    '"rules":{},"signal":{},"direction":{},"point_type":{}}}'
)
_GROUP = (
    '{{"group":{},"start":{},"n":{},"baseline_n":{},"trial_limits":{},"runs":{{"n_useful":{},'
    '"longest_run":{},"longest_run_max":{},"crossings":{},"crossings_min":{},"signal":{}}}}}'
)
_JSON_COMPACT = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def encode_results(result: BatchResult) -> list[str]:
    """One compact JSON text per series of the batch, in order."""
    layout, lines = result.layout, result.lines
    y_text = _float_texts(layout.y)
    value_text = y_text if lines.value is layout.y else _float_texts(lines.value)
    x_text = [text for labels in layout.x for text in _quoted(labels)]
    points = [
        f'{{"x":{x},"y":{y},"value":{v},{tail}'
        for x, y, v, tail in zip(x_text, y_text, value_text, _tails(result), strict=True)
    ]
    groups = _group_texts(result)
    group_start = [*layout.series_group_start.tolist(), layout.n_groups]
    point_start = [*layout.series_start.tolist(), layout.n_points]
    variation = result.variation_icon.tolist()
    assurance = result.assurance_icon.tolist()
    texts = []
    for index in range(len(result)):
        warnings = result.warnings[index]
        texts.append(
            f'{{"chart":"{layout.chart}",'
            f'"points":[{",".join(points[point_start[index] : point_start[index + 1]])}],'
            f'"groups":[{",".join(groups[group_start[index] : group_start[index + 1]])}],'
            f'"variation_icon":"{ICONS[variation[index]]}",'
            f'"assurance_icon":{_ASSURANCE_TEXT[assurance[index]]},'
            f'"warnings":{_JSON_COMPACT.encode(warnings) if warnings else "[]"}}}'
        )
    return texts


def _group_texts(result: BatchResult) -> list[str]:
    """The JSON text of every group of the batch (see BatchResult.group_dicts)."""
    layout, runs = result.layout, result.runs
    local = (np.arange(layout.n_groups) - layout.series_group_start[layout.group_series]).tolist()
    starts = [
        layout.x[series][offset]
        for series, offset in zip(
            layout.group_series.tolist(),
            (layout.group_start - layout.series_start[layout.group_series]).tolist(),
            strict=True,
        )
    ]
    rows = zip(
        local,
        starts,
        layout.group_len.tolist(),
        layout.baseline_len.tolist(),
        runs.n_useful.tolist(),
        runs.longest_run.tolist(),
        runs.longest_run_max.tolist(),
        runs.crossings.tolist(),
        runs.crossings_min.tolist(),
        runs.signal.tolist(),
        strict=True,
    )
    return [
        _GROUP.format(
            g,
            json.dumps(start),
            n,
            baseline,
            "true" if n < TRIAL_LIMIT_POINTS else "false",
            useful,
            longest,
            longest_max if useful else "null",
            crossings,
            crossings_min if useful else "null",
            "true" if signal else "false",
        )
        for (
            g,
            start,
            n,
            baseline,
            useful,
            longest,
            longest_max,
            crossings,
            crossings_min,
            signal,
        ) in rows
    ]


def _tails(result: BatchResult) -> list[str]:
    """Each point's text from "group" to the closing brace."""
    layout, lines, hits = result.layout, result.lines, result.hits
    gid = layout.gid.tolist()
    local_group = (layout.gid - layout.series_group_start[layout.group_series[layout.gid]]).tolist()
    columns = [lines.centre, lines.lower, lines.upper, lines.near_lower, lines.near_upper]
    mask, direction, kind = hits.mask.tolist(), hits.direction.tolist(), result.point_type.tolist()
    if layout.chart not in _CONSTANT_LINE_CHARTS:
        line_texts = [_float_texts(column) for column in columns]
        return [
            _tail(local_group[i], [t[i] for t in line_texts], mask[i], direction[i], kind[i])
            for i in range(layout.n_points)
        ]
    # Lines are constant within a group: format them once per group. Points of a group
    # with the same rules and direction then have the same text, so build it once.
    group_lines = [_float_texts(column[layout.group_start]) for column in columns]
    group_local = [local_group[start] for start in layout.group_start.tolist()]
    common = [
        _TAIL.format(g, *texts, "[]", "null", 0, _POINT_TYPE_TEXT[0])
        for g, *texts in zip(group_local, *group_lines, strict=True)
    ]
    tails = [common[g] for g in gid]
    built: dict[tuple[int, int, int], str] = {}
    for i in np.flatnonzero(hits.mask).tolist():
        key = (gid[i], mask[i], direction[i])
        text = built.get(key)
        if text is None:
            g = gid[i]
            texts = [t[g] for t in group_lines]
            text = built[key] = _tail(group_local[g], texts, mask[i], direction[i], kind[i])
        tails[i] = text
    return tails


def _tail(group: int, line_texts: list[str], mask: int, direction: int, kind: int) -> str:
    signal = _SIGNAL_OF_MASK[mask]
    return _TAIL.format(
        group,
        *line_texts,
        _RULE_TEXT[mask],
        _SIGNAL_TEXT[signal],
        direction,
        _POINT_TYPE_TEXT[kind],
    )


def _float_texts(values: np.ndarray) -> list[str]:
    """JSON text of each float: repr (shortest round-trip, as json.dumps), null for NaN."""
    texts = list(map(float.__repr__, values.tolist()))
    if not np.isfinite(values).all():
        texts = [t if math.isfinite(float(t)) else "null" for t in texts]
    return texts


def _quoted(labels: list[str]) -> list[str]:
    joined = "".join(labels)
    # Plain printable ASCII without quotes or backslashes needs no escaping: skip the
    # encoder for the usual ISO dates.
    if joined.isascii() and joined.isprintable() and '"' not in joined and "\\" not in joined:
        return [f'"{label}"' for label in labels]
    return [json.dumps(label) for label in labels]
