"""The Anhøj run-chart rules: longest run and number of crossings (SPC.md, "Run charts").

Points exactly on the centre line are dropped; n is the number of useful points left. A
run is a maximal sequence of useful points on one side; crossings = runs - 1. A group
signals when its longest run is longer than round(log2(n)) + 3, or it has fewer crossings
than the 5th percentile of Binomial(n - 1, 1/2).

Tiny groups: for n <= 5 neither rule can fire (the crossing limit is 0 and no run can be
longer than the run limit), which is the peers' behaviour too; we report the limits as
computed. For n = 0 (every point on the centre line) there is nothing to count: both
limits are None and there is no signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

from .layout import Layout


@cache
def longest_run_max(n_useful: int) -> int:
    """Longest run allowed among `n_useful` points: round(log2(n)) + 3.

    log2 of a whole number is never exactly halfway between two integers, so the rounding
    rule (Python and R both round half to even) never matters.
    """
    if n_useful < 1:
        raise ValueError("the Anhøj limits need at least one useful point")
    return round(math.log2(n_useful)) + 3


@cache
def crossings_min(n_useful: int) -> int:
    """Fewest crossings allowed: the smallest k with P(Binomial(n-1, 1/2) <= k) >= 0.05.

    Exact in integers: P(X <= k) >= 1/20 exactly when 20 * sum(C(m, i), i <= k) >= 2^m.
    """
    if n_useful < 1:
        raise ValueError("the Anhøj limits need at least one useful point")
    trials = n_useful - 1
    total = 1 << trials
    term = 1  # C(trials, k), updated as k grows
    cumulative = 0
    for k in range(trials + 1):
        cumulative += term
        if 20 * cumulative >= total:
            return k
        term = term * (trials - k) // (k + 1)
    return trials  # unreachable: at k = trials the sum is 2^m


@dataclass(slots=True)
class RunsStats:
    """(G,) Anhøj statistics per group; the limits are -1 where n_useful is 0."""

    n_useful: np.ndarray
    longest_run: np.ndarray
    longest_run_max: np.ndarray
    crossings: np.ndarray
    crossings_min: np.ndarray
    signal: np.ndarray


def runs_analysis(layout: Layout, side: np.ndarray) -> RunsStats:
    """Anhøj statistics for every group, from each point's side of the centre line."""
    groups = layout.n_groups
    useful = np.flatnonzero(side)
    useful_side = side[useful]
    useful_group = layout.gid[useful]
    n_useful = np.bincount(useful_group, minlength=groups)

    # A new run starts at each useful point whose side or group differs from the last one.
    starts_run = np.ones(len(useful), dtype=bool)
    starts_run[1:] = (useful_side[1:] != useful_side[:-1]) | (useful_group[1:] != useful_group[:-1])
    run_start = np.flatnonzero(starts_run)
    run_length = np.diff(np.append(run_start, len(useful)))
    run_group = useful_group[run_start]
    n_runs = np.bincount(run_group, minlength=groups)

    longest = np.zeros(groups, dtype=np.int64)
    has_runs = n_runs > 0
    if has_runs.any():
        # Runs are in group order, so each group's runs are one contiguous slice.
        first_run = np.concatenate(([0], np.cumsum(n_runs)[:-1]))[has_runs]
        longest[has_runs] = np.maximum.reduceat(run_length, first_run)
    crossings = np.maximum(n_runs - 1, 0)

    run_limit, crossing_limit = _limits_for(n_useful)
    signal = has_runs & ((longest > run_limit) | (crossings < crossing_limit))
    return RunsStats(n_useful, longest, run_limit, crossings, crossing_limit, signal)


def _limits_for(n_useful: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    run_limit = np.full(len(n_useful), -1, dtype=np.int64)
    crossing_limit = np.full(len(n_useful), -1, dtype=np.int64)
    values, inverse = np.unique(n_useful, return_inverse=True)
    runs = np.array([longest_run_max(int(n)) if n > 0 else -1 for n in values], np.int64)
    crossings = np.array([crossings_min(int(n)) if n > 0 else -1 for n in values], np.int64)
    run_limit[:] = runs[inverse]
    crossing_limit[:] = crossings[inverse]
    return run_limit, crossing_limit
