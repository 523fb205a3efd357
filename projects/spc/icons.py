"""Point types and the MDC variation and assurance icons (SPC.md, "Icons")."""

from __future__ import annotations

import numpy as np

# Codes index constants.POINT_TYPES, constants.ICONS and constants.ASSURANCE_ICONS.
COMMON, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW = range(5)
CONSISTENT_PASS, CONSISTENT_FAIL, INCONSISTENT = range(3)
NO_ASSURANCE = -1


def point_types(direction: np.ndarray, preference: np.ndarray) -> np.ndarray:
    """Point type codes from each point's signal direction and the wanted direction.

    `preference` is +1 where higher is better, -1 where lower is better, 0 for neutral.
    """
    judged = direction * preference
    kind = np.where(judged > 0, IMPROVEMENT, CONCERN)
    kind = np.where(preference == 0, np.where(direction > 0, NEUTRAL_HIGH, NEUTRAL_LOW), kind)
    return np.where(direction == 0, COMMON, kind).astype(np.int8)


def variation_icons(point_type: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Icon codes from the last points' types and directions (high = the side of the signal)."""
    low = (direction < 0).astype(np.int8)
    # improvement_high/low = 1/2, concern_high/low = 3/4, neutral_high/low = 5/6.
    icon = np.select(
        (point_type == IMPROVEMENT, point_type == CONCERN),
        (1 + low, 3 + low),
        np.where(point_type == COMMON, 0, np.where(point_type == NEUTRAL_HIGH, 5, 6)),
    )
    return icon.astype(np.int8)


def assurance_icons(
    target: np.ndarray, preference: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> np.ndarray:
    """Assurance codes per series, judged against the last point's limits.

    Only with a target and a non-neutral direction, and only where limits exist (a run
    chart has none). A target equal to a limit counts as inside: `inconsistent`.
    """
    below_process = target < lower  # the whole process is above the target
    above_process = target > upper
    passes = np.where(preference > 0, below_process, above_process)
    fails = np.where(preference > 0, above_process, below_process)
    code = np.where(passes, CONSISTENT_PASS, np.where(fails, CONSISTENT_FAIL, INCONSISTENT))
    judged = ~np.isnan(target) & (preference != 0) & ~np.isnan(lower) & ~np.isnan(upper)
    return np.where(judged, code, NO_ASSURANCE).astype(np.int8)
