"""Is there a real win since the change started? The SPC engine decides, not a good month.

The rule (SPC.md: "the points since the change show special-cause improvement ...; a
single good month is not a win"), applied to a measure's chart as the team sees it (its
rebases, fixed baseline and options, through ``projects.selectors.measures_spc``):

- The points since the change are those whose period starts on or after the day the
  change started. A period that began before the change mixes before and after, so it
  is left out: Ripple would rather under-claim.
- Evidence is a pattern lying wholly within those points, in one rebase group, on the
  improving side of the direction:
  * shift: ``shift_points`` (7) consecutive points flagged by the shift rule;
  * trend: ``trend_points`` (7) consecutive points flagged by the trend rule;
  * two-in-three: two points flagged by the two-in-three rule within three consecutive
    points.
- The improvement must begin after the change. Where the post-change pattern continues a
  stretch of consecutive improvement-flagged points from before the change, and that
  earlier part already holds a pattern of its own, the signal was running before the
  change and is not credited to it (the process was moving for another reason). A point
  or two on the good side just before the change does not count against it.
- An astronomical point on its own is one good month: not a win.
- A measure whose direction is neutral has no "better", so it never proves a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pdsa.models import Cycle
from projects.models import ChangeIdea, ImprovementDirection, Measure
from projects.selectors import measures_spc_readings
from projects.spc import DEFAULT_OPTIONS

IMPROVEMENT = "special_cause_improvement"
# The rule patterns that can prove a change, in the order a summary names them.
PATTERN_RULES = ("shift", "trend", "two_in_three")
RULE_WORDS = {
    "shift": "a shift",
    "trend": "a trend",
    "two_in_three": "two of three points near the limit",
}


@dataclass
class MeasureEvidence:
    """What the SPC of one measure says since the change started."""

    measure: Measure
    proven: bool
    rules: list[str] = field(default_factory=list)
    signal_started: str | None = None
    points_since_change: int = 0
    variation_icon: str | None = None
    assurance_icon: str | None = None
    centre: float | None = None
    latest_value: float | None = None
    reason: str = ""

    def citation(self, *, change_started: date) -> dict[str, Any]:
        """The evidence as stored on a candidate and shown to the QI team."""
        definition = self.measure.definition
        return {
            "measure": {
                "id": self.measure.pk,
                "name": self.measure.name,
                "definition": None if definition is None else definition.pk,
                "definition_name": None if definition is None else definition.name,
                "unit": self.measure.unit,
                "improvement_direction": self.measure.improvement_direction,
                "chart_type": self.measure.chart_type,
            },
            "rules": self.rules,
            "point_type": IMPROVEMENT if self.proven else None,
            "signal_started": self.signal_started,
            "change_started": change_started.isoformat(),
            "points_since_change": self.points_since_change,
            "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon,
            "centre": self.centre,
            "latest_value": self.latest_value,
            "chart": f"/api/v1/measures/{self.measure.pk}/chart.svg",
            "summary": self.reason,
        }


def _improving_side(point: dict[str, Any], direction: str) -> bool:
    value, centre = point.get("value"), point.get("centre")
    if value is None or centre is None:
        return False
    if direction == ImprovementDirection.DECREASE:
        return value < centre
    return value > centre


def _flagged(point: dict[str, Any], rule: str, direction: str) -> bool:
    if rule not in point["rules"]:
        return False
    if rule == "trend":
        # A trend's direction is the engine's to say; its point type follows it.
        return point["point_type"] == IMPROVEMENT
    return _improving_side(point, direction)


def _improving_stretches(
    points: Sequence[dict[str, Any]], direction: str
) -> list[list[dict[str, Any]]]:
    """Maximal runs of consecutive points (in one group) flagged as improvement by a
    pattern rule."""
    stretches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for point in points:
        flagged = any(_flagged(point, rule, direction) for rule in PATTERN_RULES)
        if flagged and current and current[-1]["group"] == point["group"]:
            current.append(point)
            continue
        if current:
            stretches.append(current)
        current = [point] if flagged else []
    if current:
        stretches.append(current)
    return stretches


def _first_pattern(
    points: Sequence[dict[str, Any]], rule: str, direction: str, options: dict[str, Any]
) -> str | None:
    """The period where the first qualifying pattern of ``rule`` starts, or None."""
    if rule == "two_in_three":
        for index, point in enumerate(points):
            if not _flagged(point, rule, direction):
                continue
            for later in points[index + 1 : index + 3]:
                if later["group"] == point["group"] and _flagged(later, rule, direction):
                    return point["x"]
        return None
    needed = options[f"{rule}_points"]
    run_start, run_length = None, 0
    previous_group = None
    for point in points:
        if _flagged(point, rule, direction) and point["group"] == previous_group and run_length:
            run_length += 1
        elif _flagged(point, rule, direction):
            run_start, run_length = point["x"], 1
        else:
            run_length = 0
        previous_group = point["group"]
        if run_length >= needed:
            return run_start
    return None


def improvement_since(
    *, measure: Measure, spc: dict[str, Any] | None, since: date, unavailable: str | None = None
) -> MeasureEvidence:
    """Whether ``spc`` (the engine's result for ``measure``) shows a real win since ``since``."""
    if spc is None:
        return MeasureEvidence(
            measure=measure, proven=False, reason=unavailable or "No chart yet: too few points."
        )
    points = spc["points"]
    last = points[-1]
    evidence = MeasureEvidence(
        measure=measure,
        proven=False,
        variation_icon=spc.get("variation_icon"),
        assurance_icon=spc.get("assurance_icon"),
        centre=last.get("centre"),
        latest_value=last.get("value"),
    )
    direction = measure.improvement_direction
    if direction == ImprovementDirection.NEUTRAL:
        evidence.reason = (
            f"{measure.name} has no improvement direction, so it cannot prove a change."
        )
        return evidence
    since_iso = since.isoformat()
    evidence.points_since_change = sum(1 for point in points if point["x"] >= since_iso)
    options = {**DEFAULT_OPTIONS}
    starts: dict[str, str] = {}
    for stretch in _improving_stretches(points, direction):
        before = [point for point in stretch if point["x"] < since_iso]
        after = stretch[len(before) :]
        if any(_first_pattern(before, rule, direction, options) for rule in PATTERN_RULES):
            continue
        for rule in PATTERN_RULES:
            started = _first_pattern(after, rule, direction, options)
            if started is not None and rule not in starts:
                starts[rule] = started
    if not starts:
        evidence.reason = (
            f"{measure.name}: no special-cause improvement that began since the change "
            f"started on {since:%d %b %Y} ({evidence.points_since_change} point(s) since)."
        )
        return evidence
    evidence.proven = True
    evidence.rules = [rule for rule in PATTERN_RULES if rule in starts]
    evidence.signal_started = min(starts.values())
    named = [RULE_WORDS[rule] for rule in evidence.rules]
    words = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 2 else named)
    evidence.reason = (
        f"{measure.name}: special-cause improvement ({words}) from "
        f"{date.fromisoformat(evidence.signal_started):%b %Y}, after the change started on "
        f"{since:%d %b %Y}."
    )
    return evidence


def measures_evidence(*, measures: Iterable[Measure], since: date) -> list[MeasureEvidence]:
    """The evidence of each measure since ``since``, proven ones first (cached SPC)."""
    measures = list(measures)
    readings = measures_spc_readings(measures)
    found = [
        improvement_since(
            measure=measure,
            spc=readings[measure.pk]["spc"],
            unavailable=readings[measure.pk]["reason"],
            since=since,
        )
        for measure in measures
    ]
    return sorted(found, key=lambda item: not item.proven)


def change_started_on(*, idea: ChangeIdea, cycle: Cycle | None) -> date:
    """When the change began: the earliest start of any cycle testing the idea in its
    project (the ramp that led to "adopt"), else the cycle's creation, else the idea's."""
    cycles = list(Cycle.objects.filter(project_id=idea.project_id, change_idea=idea))
    if cycle is not None and all(c.pk != cycle.pk for c in cycles):
        cycles.append(cycle)
    starts = [c.started_on or c.planned_start for c in cycles if c.started_on or c.planned_start]
    if starts:
        return min(starts)
    if cycles:
        return min(c.created_at for c in cycles).date()
    return idea.created_at.date()


def evidence_measures(*, idea: ChangeIdea, cycle: Cycle | None) -> list[Measure]:
    """The measures that can prove a change: those linked to the cycle, or, when none is
    linked (or there is no cycle), the project's outcome measures (what it set out to move)."""
    if cycle is not None:
        linked = list(cycle.measures.select_related("definition").order_by("id"))
        if linked:
            return linked
    return list(
        Measure.objects.filter(project_id=idea.project_id, type=Measure.Type.OUTCOME)
        .select_related("definition")
        .order_by("id")
    )


@dataclass
class ChangeEvidence:
    """The verdict on a change: proven or early promise, with what to cite."""

    proven: bool
    citation: dict[str, Any]
    measure: Measure | None


def change_evidence(*, idea: ChangeIdea, cycle: Cycle | None) -> ChangeEvidence:
    """Check the change's measures (see ``evidence_measures``) for a real win since it
    started (see ``change_started_on``); cite the first proven one, or say why none."""
    since = change_started_on(idea=idea, cycle=cycle)
    found = measures_evidence(measures=evidence_measures(idea=idea, cycle=cycle), since=since)
    checked = [
        {
            "id": item.measure.pk,
            "name": item.measure.name,
            "proven": item.proven,
            "summary": item.reason,
        }
        for item in found
    ]
    if found and found[0].proven:
        best = found[0]
        citation = {
            "strength": "proven",
            **best.citation(change_started=since),
            "cycle": None if cycle is None else cycle.pk,
            "measures_checked": checked,
        }
        return ChangeEvidence(proven=True, citation=citation, measure=best.measure)
    summary = (
        "No linked or outcome measure to judge the change by."
        if not found
        else "No measure shows special-cause improvement since the change started: early "
        "promise, not yet proof."
    )
    citation = {
        "strength": "early_promise",
        "change_started": since.isoformat(),
        "cycle": None if cycle is None else cycle.pk,
        "summary": summary,
        "measures_checked": checked,
    }
    return ChangeEvidence(
        proven=False, citation=citation, measure=found[0].measure if found else None
    )
