"""Names and numbers shared by the SPC engine.

The numeric constants follow /shared/SPC.md: MDC's 2.66 and 3.267 for XmR charts,
qicharts2's d2 = 1.128 for Laney charts and for the optional qicharts-style XmR limits.
"""

from __future__ import annotations

from typing import Final

CHARTS: Final = ("xmr", "run", "p", "pp", "u", "up", "c", "g", "t")
"""Every chart type the engine draws, as named in the input contract."""

CHARTS_WITH_DENOMINATOR: Final = frozenset({"p", "pp", "u", "up"})
"""Charts that plot y / n and so need a denominator on every point."""

CHARTS_NON_NEGATIVE: Final = frozenset({"p", "pp", "u", "up", "c", "g", "t"})
"""Charts of counts, rates or times, where a negative y is a data error."""

DIRECTIONS: Final = ("increase", "decrease", "neutral")
DIRECTION_SIGN: Final = {"increase": 1, "decrease": -1, "neutral": 0}

XMR_LIMITS: Final = ("mdc", "d2")
"""`mdc`: mean ± 2.66 * MRbar (NHS MDC). `d2`: mean ± 3 * MRbar / 1.128 (qicharts2, PowerBI-SPC)."""

MDC_CONSTANT: Final = 2.66
D2: Final = 1.128
MR_SCREEN_CONSTANT: Final = 3.267
T_CHART_POWER: Final = 3.6
TRIAL_LIMIT_POINTS: Final = 13
"""A group with fewer points than this carries trial limits (SPC.md, XmR step 6)."""

MIN_FIX_AFTER: Final = 12
SHIFT_TREND_RANGE: Final = (5, 30)
"""Accepted window lengths for the shift and trend rules.

Five is the shortest in use (IHI's run-chart trend); beyond 30 the rule hardly ever fires.
"""

RULES: Final = ("astronomical", "trend", "two_in_three", "shift")
"""Rule names in order of precedence: the first that flags a point becomes its `signal`."""

POINT_TYPES: Final = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

ICONS: Final = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
"""Variation icons, drawn from the point type and side of the last point."""

ASSURANCE_ICONS: Final = ("consistent_pass", "consistent_fail", "inconsistent")

DEFAULT_OPTIONS: Final = {
    "improvement_direction": "neutral",
    "target": None,
    "screen_outliers": True,
    "fix_after_n_points": None,
    "rebase_at": [],
    "shift_points": 7,
    "trend_points": 7,
    "two_in_three_counts_beyond_limits": True,
    "xmr_limits": "mdc",
}
"""Every option the input contract accepts, with the value used when it is left out."""
