"""Centre lines, process limits and near lines for every chart type (SPC.md).

Everything is per rebase group and computed from the group's baseline: its first
`fix_after_n_points` points, or all of them. Lines come in two spaces: the *analysis*
space the rules judge in, and the *display* space that is plotted. They differ only for
t charts, which are analysed on y^(1/3.6) and drawn back-transformed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .constants import D2, MR_SCREEN_CONSTANT, T_CHART_POWER
from .layout import Layout

SIGMA_LIMIT = 3.0
SIGMA_NEAR = 2.0
NEAR_FRACTION = 2.0 / 3.0


@dataclass(slots=True)
class Lines:
    """Per-point values and lines; NaN where a line does not exist (run charts)."""

    analysis: np.ndarray  # what the rules judge
    value: np.ndarray  # what is plotted
    centre_a: np.ndarray
    lower_a: np.ndarray
    upper_a: np.ndarray
    near_lower_a: np.ndarray
    near_upper_a: np.ndarray
    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    near_lower: np.ndarray
    near_upper: np.ndarray


def compute_lines(layout: Layout) -> Lines:
    """Compute the lines of every point of the layout, by its chart type."""
    return _CHARTS[layout.chart](layout)


def _xmr(layout: Layout) -> Lines:
    return _same_space(layout.y, *_xmr_lines(layout, layout.y))


def _t(layout: Layout) -> Lines:
    # Times between events are skewed; y^(1/3.6) makes them near-normal (SPC.md, t chart).
    analysis = np.power(layout.y, 1.0 / T_CHART_POWER)
    centre, lower, upper, near_lower, near_upper = _xmr_lines(layout, analysis)

    def back(line: np.ndarray) -> np.ndarray:
        # A negative limit has no time to map to: clip to 0 first, as SPC.md asks.
        return np.power(np.maximum(line, 0.0), T_CHART_POWER)

    return Lines(
        analysis,
        layout.y,
        centre,
        lower,
        upper,
        near_lower,
        near_upper,
        back(centre),
        back(lower),
        back(upper),
        back(near_lower),
        back(near_upper),
    )


def _xmr_lines(layout: Layout, values: np.ndarray) -> tuple[np.ndarray, ...]:
    in_baseline = layout.in_baseline()
    mean = _baseline_mean(layout, values, in_baseline)
    mr_bar = screened_mr_bar(layout, values, in_baseline)
    half_width = layout.xmr_constant[layout.group_series] * mr_bar
    gid = layout.gid
    centre = mean[gid]
    upper = (mean + half_width)[gid]
    lower = (mean - half_width)[gid]
    near_upper = (mean + NEAR_FRACTION * half_width)[gid]
    near_lower = (mean - NEAR_FRACTION * half_width)[gid]
    return centre, lower, upper, near_lower, near_upper


def screened_mr_bar(layout: Layout, values: np.ndarray, in_baseline: np.ndarray) -> np.ndarray:
    """(G,) mean moving range of each group's baseline, screened where asked.

    Screening keeps only ranges strictly below 3.267 * MRbar and averages again (SPC.md,
    XmR step 4). A group whose baseline has a single point has no range: NaN.
    """
    moving_range = np.empty_like(values)
    moving_range[:1] = 0.0
    np.abs(values[1:] - values[:-1], out=moving_range[1:])
    # A range needs this point and the one before in the same baseline.
    valid = in_baseline & (layout.pos >= 1)
    gid = layout.gid[valid]
    ranges = moving_range[valid]
    groups = layout.n_groups
    count = np.bincount(gid, minlength=groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mr_bar = np.bincount(gid, weights=ranges, minlength=groups) / count
        screen = layout.screen[layout.group_series]
        if screen.any():
            keep = ranges < MR_SCREEN_CONSTANT * mr_bar[gid]
            kept = np.bincount(gid[keep], minlength=groups)
            screened = np.bincount(gid, weights=np.where(keep, ranges, 0.0), minlength=groups)
            # Every range is dropped only when all are 0 (MRbar = 0): the answer stays 0.
            screened = np.where(kept > 0, screened / kept, mr_bar)
            mr_bar = np.where(screen, screened, mr_bar)
    return mr_bar


def _p(layout: Layout) -> Lines:
    return _rate(layout, proportion=True, laney=False)


def _pp(layout: Layout) -> Lines:
    return _rate(layout, proportion=True, laney=True)


def _u(layout: Layout) -> Lines:
    return _rate(layout, proportion=False, laney=False)


def _up(layout: Layout) -> Lines:
    return _rate(layout, proportion=False, laney=True)


def _rate(layout: Layout, *, proportion: bool, laney: bool) -> Lines:
    assert layout.n is not None  # validation requires n for these charts
    in_baseline = layout.in_baseline()
    with np.errstate(invalid="ignore", divide="ignore"):
        centre_g = _group_sum(layout, layout.y, in_baseline) / _group_sum(
            layout, layout.n, in_baseline
        )
    centre = centre_g[layout.gid]
    value = layout.y / layout.n
    variance = centre * (1.0 - centre) / layout.n if proportion else centre / layout.n
    sigma = np.sqrt(variance)
    if laney:
        # Laney: rescale each point's sigma by the spread of the z-scores between points,
        # estimated like an XmR chart's (screened MRbar(z) / 1.128), as qicharts2 does.
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(sigma > 0, (value - centre) / sigma, 0.0)
        sigma_z = screened_mr_bar(layout, z, in_baseline) / D2
        sigma = sigma * sigma_z[layout.gid]
    ceiling = 1.0 if proportion else np.inf
    return _same_space(value, *_sigma_lines(centre, sigma, ceiling))


def _c(layout: Layout) -> Lines:
    mean = _baseline_mean(layout, layout.y)
    sigma = np.sqrt(mean)[layout.gid]
    return _same_space(layout.y, *_sigma_lines(mean[layout.gid], sigma, np.inf))


def _g(layout: Layout) -> Lines:
    # Limits come from the mean of a geometric distribution, but it is so skewed that the
    # centre line is drawn at the median (SPC.md): sides and runs are judged against it.
    mean = _baseline_mean(layout, layout.y)
    sigma = np.sqrt(mean * (mean + 1.0))[layout.gid]
    _, lower, upper, near_lower, near_upper = _sigma_lines(mean[layout.gid], sigma, np.inf)
    median = group_median(layout, layout.y, layout.in_baseline())[layout.gid]
    return _same_space(layout.y, median, lower, upper, near_lower, near_upper)


def _run(layout: Layout) -> Lines:
    median = group_median(layout, layout.y, layout.in_baseline())[layout.gid]
    missing = np.full_like(median, np.nan)
    return _same_space(layout.y, median, missing, missing, missing, missing)


def _sigma_lines(centre: np.ndarray, sigma: np.ndarray, ceiling: float) -> tuple[np.ndarray, ...]:
    # Near lines for attribute charts sit at ± 2 sigma_i, the analogue of MDC's 2/3 of
    # the way to the 3-sigma limits. All lines are clipped to the possible range; since
    # no value can lie outside that range, clipping never changes a rule's verdict.
    lower = np.maximum(centre - SIGMA_LIMIT * sigma, 0.0)
    upper = np.minimum(centre + SIGMA_LIMIT * sigma, ceiling)
    near_lower = np.maximum(centre - SIGMA_NEAR * sigma, 0.0)
    near_upper = np.minimum(centre + SIGMA_NEAR * sigma, ceiling)
    return centre, lower, upper, near_lower, near_upper


def _same_space(value: np.ndarray, *lines: np.ndarray) -> Lines:
    centre, lower, upper, near_lower, near_upper = lines
    return Lines(value, value, *lines, centre, lower, upper, near_lower, near_upper)


def _group_sum(layout: Layout, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.bincount(layout.gid, weights=np.where(mask, values, 0.0), minlength=layout.n_groups)


def _baseline_mean(
    layout: Layout, values: np.ndarray, in_baseline: np.ndarray | None = None
) -> np.ndarray:
    """(G,) mean of each group's baseline, in two passes as R's mean() does.

    The residuals of the second pass are exact, so a constant series gets its own value
    back rather than a neighbour one ulp away, which would put every point on one side
    of the mean and fire the shift rule on a flat line.
    """
    mask = layout.in_baseline() if in_baseline is None else in_baseline
    mean = _group_sum(layout, values, mask) / layout.baseline_len
    mean += _group_sum(layout, values - mean[layout.gid], mask) / layout.baseline_len
    return mean


def group_median(layout: Layout, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(G,) median of each group's masked values (the mask must cover a prefix)."""
    # Unmasked values sort after every real one, so each group's first `baseline_len`
    # sorted values are its baseline.
    keyed = np.where(mask, values, np.inf)
    ordered = keyed[np.lexsort((keyed, layout.gid))]
    start, size = layout.group_start, layout.baseline_len
    return (ordered[start + (size - 1) // 2] + ordered[start + size // 2]) / 2.0


_CHARTS: dict[str, Callable[[Layout], Lines]] = {
    "xmr": _xmr,
    "run": _run,
    "p": _p,
    "pp": _pp,
    "u": _u,
    "up": _up,
    "c": _c,
    "g": _g,
    "t": _t,
}
