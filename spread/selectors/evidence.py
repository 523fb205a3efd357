"""Is there a real win since the change started? The SPC engine decides, not a good month.

The rule is defined once, in ``projects/selectors/evidence.py``
(``projects.selectors.improvement_since``), one meaning for spread, the progress score
and the "change adopted" celebration. When the change started is pdsa's to say
(``pdsa.selectors.change_started_on``). It reads each measure's stored reading
(``projects.selectors.measure_readings``).

Here spread picks the measures that can prove a change, words what each shows for the
QI team, and cites the best one on the candidate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.words import day
from pdsa.models import Cycle
from pdsa.selectors import change_started_on
from projects.models import ChangeIdea, ImprovementDirection, Measure, MeasureReading
from projects.selectors import improvement_since, measure_readings, points_since

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
    point_type: str | None = None

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
            "point_type": self.point_type,
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


def measure_evidence(
    *, measure: Measure, reading: MeasureReading, since: date, points_since_change: int
) -> MeasureEvidence:
    """What ``reading`` (the stored reading of ``measure``) shows since ``since``, by the
    shared rule (``projects.selectors.improvement_since``), worded for the QI team;
    ``points_since_change`` counts the data points since (``projects.selectors.points_since``)."""
    if not reading.charted:
        return MeasureEvidence(
            measure=measure,
            proven=False,
            reason=reading.reason or "No chart yet: too few points.",
        )
    evidence = MeasureEvidence(
        measure=measure,
        proven=False,
        variation_icon=reading.variation_icon,
        assurance_icon=reading.assurance_icon or None,
        centre=reading.evidence["latest"]["centre"],
        latest_value=reading.latest_value,
    )
    if measure.improvement_direction == ImprovementDirection.NEUTRAL:
        evidence.reason = (
            f"{measure.name} has no improvement direction, so it cannot prove a change."
        )
        return evidence
    evidence.points_since_change = points_since_change
    signal = improvement_since(measure=measure, reading=reading, since=since)
    if signal is None:
        evidence.reason = (
            f"{measure.name}: no special-cause improvement that began since the change "
            f"started on {day(since)} ({evidence.points_since_change} point(s) since)."
        )
        return evidence
    evidence.proven = True
    evidence.point_type = signal.point_type
    evidence.rules = list(signal.rules)
    evidence.signal_started = signal.started.isoformat()
    named = [RULE_WORDS[rule] for rule in evidence.rules]
    words = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 2 else named)
    evidence.reason = (
        f"{measure.name}: special-cause improvement ({words}) from "
        f"{signal.started:%b %Y}, after the change started on {day(since)}."
    )
    return evidence


def measures_evidence(*, measures: Iterable[Measure], since: date) -> list[MeasureEvidence]:
    """The evidence of each measure since ``since``, proven ones first (stored readings)."""
    measures = list(measures)
    readings = measure_readings(measures)
    counted = points_since((measure.pk, since) for measure in measures)
    found = [
        measure_evidence(
            measure=measure,
            reading=readings[measure.pk],
            since=since,
            points_since_change=counted[(measure.pk, since)],
        )
        for measure in measures
    ]
    return sorted(found, key=lambda item: not item.proven)


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
    started (``pdsa.selectors.change_started_on``); cite the first proven one, or say why
    none."""
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
