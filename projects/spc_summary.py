"""What Ripple keeps of a measure's SPC analysis: the small summary every view reads.

The engine's full result (every point with its lines and rules) is what a chart draws.
Every other view asks a few questions of it: the icons, the latest point and its signal,
whether the latest value meets the target, whether the latest point is a win worth
celebrating (and how strong), whether the target is met by SPC evidence, and whether the
measure improved since a change started. This module answers them once, from the
engine's columnar result (``projects.spc.BatchResult``, no per-point dicts), so they can
be stored per measure and revision (``projects.models.MeasureReading``). Pure: NumPy and
the engine, no Django.

The rules (SPC.md: "a single good month is not a win"):

- **The win on the latest point** (celebrations, the caseload): special-cause
  improvement on the latest point, read in the latest rebase group. A shift or a trend is
  "sustained", two-in-three alone "early", an astronomical point alone "unusual".
- **Aim met** (celebrations): the latest group's limits all lie on the better side of the
  target (assurance "consistent_pass"), or a sustained win whose last ``shift_points``
  points all meet the target. Never one point.
- **Improvement since a change** (spread, the progress score, "change adopted"): kept as
  the measure's *improving stretches*, the maximal runs of consecutive points of one
  group flagged as improvement by a pattern rule, each point with which rules flag it.
  ``projects.selectors.improvement_since`` reads them for any start date, so the reading
  answers for every change linked to the measure, whenever it started.

``ENGINE_VERSION`` names the engine and these rules together: a reading made by another
version is never served, and ``manage.py readings_recompute`` renews them all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from projects.spc import ASSURANCE_ICONS, DEFAULT_OPTIONS, ICONS, POINT_TYPES, RULES, BatchResult

# Bump when the engine's answers or the rules below change: every stored reading of
# another version is then a miss, analysed again on read and by the batch recompute.
ENGINE_VERSION = 1

IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
COMMON_CAUSE = "common_cause"

SUSTAINED = "sustained"
EARLY = "early"
UNUSUAL = "unusual"
CONSISTENT_PASS = "consistent_pass"
SUSTAINED_BEYOND_TARGET = "sustained_beyond_target"
# The rules a win on the latest point is read from, strongest first.
STRENGTH_OF_RULE = {"shift": SUSTAINED, "trend": SUSTAINED, "two_in_three": EARLY}
# The pattern rules that can show improvement since a change, strongest first, and the
# bit each sets in a stretch point's flags.
PATTERN_RULES = ("shift", "trend", "two_in_three")
PATTERN_BITS = {"shift": 1, "trend": 2, "two_in_three": 4}
SHIFT_POINTS = DEFAULT_OPTIONS["shift_points"]
# The plotted values of the last points kept: the progress score reads six, aim met seven.
RECENT_POINTS = max(SHIFT_POINTS, 6)

_ENGINE_BIT = {name: 1 << index for index, name in enumerate(RULES)}
_IMPROVEMENT_CODE = POINT_TYPES.index(IMPROVEMENT)
_COMMON_CODE = POINT_TYPES.index(COMMON_CAUSE)


@dataclass(slots=True)
class Summary:
    """One measure's summary: the columns of a stored reading, and its evidence."""

    points: int
    latest_period: str | None = None
    latest_value: float | None = None
    point_type: str | None = None
    signal: str | None = None
    variation_icon: str | None = None
    assurance_icon: str | None = None
    meets_target: bool | None = None
    signal_period: str | None = None
    signal_type: str | None = None
    reason: str | None = None
    win: dict[str, Any] | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def meets_target(value: float | None, target: float | None, direction: str) -> bool | None:
    """Whether one value is on the right side of the target (None without a target or a
    direction). One point against a target is not assurance: that is the assurance icon."""
    if value is None or target is None or direction not in ("increase", "decrease"):
        return None
    return value >= target if direction == "increase" else value <= target


def uncharted(
    *, points: int, latest_period: str | None, latest_value: float | None, reason: str
) -> Summary:
    """The summary of a measure that cannot be charted (too few points, or data the engine
    refuses): its latest value as plotted, and why there is no chart."""
    return Summary(
        points=points, latest_period=latest_period, latest_value=latest_value, reason=reason
    )


def summarise(batch: BatchResult, directions: Sequence[str]) -> list[Summary]:
    """The summary of every series of ``batch``, in order; ``directions`` are the series'
    improvement directions ("increase", "decrease" or "neutral")."""
    return list(_Summariser(batch, directions))


def _number(value: float) -> float | None:
    return None if math.isnan(value) else value


class _Summariser:
    """Whole-batch arrays first; Python only for the few series that show improvement."""

    def __init__(self, batch: BatchResult, directions: Sequence[str]) -> None:
        layout, lines, hits = batch.layout, batch.lines, batch.hits
        self.batch, self.directions = batch, directions
        self.last = layout.series_start + layout.series_len - 1
        self.value = lines.value
        self.centre, self.lower, self.upper = lines.centre, lines.lower, lines.upper
        self.mask = hits.mask
        self.point_type = batch.point_type
        preference = layout.direction_sign[layout.group_series[layout.gid]]
        better = np.where(
            preference > 0,
            lines.value > lines.centre,
            np.where(preference < 0, lines.value < lines.centre, False),
        )
        improving = self.point_type == _IMPROVEMENT_CODE
        self.flags = (((self.mask & _ENGINE_BIT["shift"]) != 0) & better) * PATTERN_BITS["shift"]
        self.flags |= (((self.mask & _ENGINE_BIT["trend"]) != 0) & improving) * PATTERN_BITS[
            "trend"
        ]
        self.flags |= (((self.mask & _ENGINE_BIT["two_in_three"]) != 0) & better) * PATTERN_BITS[
            "two_in_three"
        ]
        starts = layout.series_start
        self.has_stretch = np.add.reduceat((self.flags != 0).astype(np.int64), starts) > 0
        index = np.arange(layout.n_points, dtype=np.int64)
        self.last_signal = np.maximum.reduceat(
            np.where(self.point_type != _COMMON_CODE, index, -1), starts
        )

    def __iter__(self) -> Iterator[Summary]:
        batch = self.batch
        layout = batch.layout
        columns = {
            "point_type": self.point_type[self.last].tolist(),
            "signal": batch.hits.signal[self.last].tolist(),
            "variation": batch.variation_icon.tolist(),
            "assurance": batch.assurance_icon.tolist(),
            "target": layout.target.tolist(),
            "last_signal": self.last_signal.tolist(),
            "has_stretch": self.has_stretch.tolist(),
        }
        for index in range(layout.n_series):
            yield self._series(index, {name: values[index] for name, values in columns.items()})

    def _series(self, index: int, row: dict[str, Any]) -> Summary:
        layout = self.batch.layout
        labels = layout.x[index]
        start = int(layout.series_start[index])
        last = int(self.last[index])
        direction = self.directions[index]
        target = _number(row["target"])
        latest_value = _number(float(self.value[last]))
        point_type = POINT_TYPES[row["point_type"]]
        assurance = row["assurance"]
        signal_at = row["last_signal"]
        group_start = int(layout.group_start[layout.gid[last]])
        latest = self._point(last, labels, start)
        win = self._win(last, group_start, labels, start) if point_type == IMPROVEMENT else None
        recent = [
            _number(v) for v in self.value[max(start, last - RECENT_POINTS + 1) : last + 1].tolist()
        ]
        evidence = {
            "latest": {**latest, "group_start": labels[group_start - start]},
            "aim_met": self._aim_met(
                latest=latest,
                win=win,
                group=(group_start, last),
                assurance=None if assurance < 0 else ASSURANCE_ICONS[assurance],
                target=target,
                direction=direction,
                group_label=labels[group_start - start],
            ),
            "recent": recent,
            "stretches": self._stretches(index, labels, start, last) if row["has_stretch"] else [],
        }
        return Summary(
            points=last - start + 1,
            latest_period=labels[-1],
            latest_value=latest_value,
            point_type=point_type,
            signal=RULES[row["signal"] - 1] if row["signal"] else None,
            variation_icon=ICONS[row["variation"]],
            assurance_icon=None if assurance < 0 else ASSURANCE_ICONS[assurance],
            meets_target=meets_target(latest_value, target, direction),
            signal_period=labels[signal_at - start] if signal_at >= 0 else None,
            signal_type=POINT_TYPES[int(self.point_type[signal_at])] if signal_at >= 0 else None,
            win=win,
            evidence=evidence,
        )

    def _point(self, at: int, labels: list[str], start: int) -> dict[str, Any]:
        return {
            "x": labels[at - start],
            "value": _number(float(self.value[at])),
            "centre": _number(float(self.centre[at])),
            "lower": _number(float(self.lower[at])),
            "upper": _number(float(self.upper[at])),
        }

    def _win(self, last: int, group_start: int, labels: list[str], start: int) -> dict | None:
        """How strong the special-cause improvement on the latest point is (None: a point
        type of improvement with no rule to read it by cannot happen, but is not a win)."""
        rules = int(self.mask[last])
        rule = next((name for name in STRENGTH_OF_RULE if rules & _ENGINE_BIT[name]), None)
        if rule is None and not rules & _ENGINE_BIT["astronomical"]:
            return None
        rule = rule or "astronomical"
        run = 0
        while last - run >= group_start and self.mask[last - run] & _ENGINE_BIT[rule]:
            run += 1
        return {
            "strength": STRENGTH_OF_RULE.get(rule, UNUSUAL),
            "rule": rule,
            "group_start": labels[group_start - start],
            **self._point(last, labels, start),
            "run_length": run,
        }

    def _aim_met(
        self,
        *,
        latest: dict[str, Any],
        win: dict[str, Any] | None,
        group: tuple[int, int],
        assurance: str | None,
        target: float | None,
        direction: str,
        group_label: str,
    ) -> dict[str, Any] | None:
        """Whether the data show the target met by SPC, not by one good point."""
        if target is None or direction not in ("increase", "decrease"):
            return None
        first, last = group
        if assurance == CONSISTENT_PASS:
            strength, rule, run = CONSISTENT_PASS, "assurance", last - first + 1
        else:
            tail = self.value[max(first, last - SHIFT_POINTS + 1) : last + 1].tolist()
            if (
                win is None
                or win["strength"] != SUSTAINED
                or len(tail) < SHIFT_POINTS
                or not all(meets_target(value, target, direction) for value in tail)
            ):
                return None
            strength, rule, run = SUSTAINED_BEYOND_TARGET, win["rule"], win["run_length"]
        return {
            "strength": strength,
            "rule": rule,
            "group_start": group_label,
            **latest,
            "run_length": run,
        }

    def _stretches(
        self, index: int, labels: list[str], start: int, last: int
    ) -> list[list[list[Any]]]:
        """Maximal runs of consecutive points of one group flagged as improvement by a
        pattern rule, each point as ``[x, group, flags]``. A point between two points
        flagged two-in-three belongs to their run: the rule's window is three points,
        and the engine flags only the close ones."""
        layout = self.batch.layout
        flags = self.flags[start : last + 1].tolist()
        groups = (layout.gid[start : last + 1] - layout.series_group_start[index]).tolist()
        two = PATTERN_BITS["two_in_three"]
        stretches: list[list[list[Any]]] = []
        current: list[list[Any]] = []
        for i, flag in enumerate(flags):
            member = bool(flag) or (
                0 < i < len(flags) - 1
                and flags[i - 1] & two
                and flags[i + 1] & two
                and groups[i - 1] == groups[i + 1]
            )
            if member and current and current[-1][1] == groups[i]:
                current.append([labels[i], groups[i], flag])
                continue
            if current:
                stretches.append(current)
            current = [[labels[i], groups[i], flag]] if member else []
        if current:
            stretches.append(current)
        return stretches
