"""How far a change has spread: units adopted out of units targeted, and whether each
adopting unit's own data show the improvement (by the same rule as the origin's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Min
from django.db.models.functions import Coalesce

from pdsa.models import Cycle
from projects.models import Measure, MeasureReading
from projects.selectors import measure_readings, points_since
from spread.models import Adoption, SpreadCandidate, SpreadTarget
from spread.selectors.evidence import measure_evidence
from spread.selectors.opportunities import candidate_definitions


def _local_starts(project_ids: list[int]) -> dict[int, date]:
    """When each adopting project started testing: its earliest cycle start."""
    rows = (
        Cycle.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(first=Min(Coalesce("started_on", "planned_start")))
    )
    return {row["project_id"]: row["first"] for row in rows if row["first"] is not None}


def _local_evidence(
    adoption: Adoption,
    measures: list[Measure],
    readings: dict[int, MeasureReading],
    counted: dict[tuple[int, date], int],
    since: date,
) -> dict[str, Any]:
    if adoption.project_id is None:
        return {"proven": False, "summary": "No project yet.", "measures": []}
    if not measures:
        return {
            "proven": False,
            "summary": "The project has no measure to judge it by.",
            "measures": [],
        }
    found = [
        measure_evidence(
            measure=measure,
            reading=readings[measure.pk],
            since=since,
            points_since_change=counted[(measure.pk, since)],
        )
        for measure in measures
    ]
    found.sort(key=lambda item: not item.proven)
    return {
        "proven": found[0].proven,
        "summary": found[0].reason,
        "since": since.isoformat(),
        "measures": [
            {
                "id": item.measure.pk,
                "name": item.measure.name,
                "proven": item.proven,
                "rules": item.rules,
                "signal_started": item.signal_started,
                "variation_icon": item.variation_icon,
                "chart": f"/api/v1/measures/{item.measure.pk}/chart.svg",
            }
            for item in found
        ],
    }


def candidate_reach(*, candidate: SpreadCandidate) -> dict[str, Any]:
    """Units adopted out of units targeted, each adoption's status, and the evidence of
    local improvement in each adopting unit; a fixed number of queries."""
    adoptions = list(
        Adoption.objects.filter(candidate=candidate)
        .select_related("unit", "project")
        .order_by("unit__name")
    )
    targets = list(SpreadTarget.objects.filter(candidate=candidate).select_related("unit"))
    targeted_ids = {target.unit_id for target in targets}
    definitions = candidate_definitions([candidate])[candidate.pk]
    project_ids = [a.project_id for a in adoptions if a.project_id is not None]
    measures: dict[int, list[Measure]] = {}
    for measure in Measure.objects.filter(project_id__in=project_ids).order_by("id"):
        measures.setdefault(measure.project_id, []).append(measure)
    for project_id, found in measures.items():
        # Judge by the measures the change moved at its origin where the unit has them.
        shared = [m for m in found if m.definition_id in definitions]
        outcome = [m for m in found if m.type == Measure.Type.OUTCOME]
        measures[project_id] = shared or outcome or found
    readings = measure_readings([m for found in measures.values() for m in found])
    starts = _local_starts(project_ids)
    since = {
        adoption.pk: starts.get(adoption.project_id, adoption.created_at.date())
        for adoption in adoptions
    }
    counted = points_since(
        (measure.pk, since[adoption.pk])
        for adoption in adoptions
        for measure in measures.get(adoption.project_id, [])
    )
    evidence = {
        adoption.pk: _local_evidence(
            adoption, measures.get(adoption.project_id, []), readings, counted, since[adoption.pk]
        )
        for adoption in adoptions
    }
    adopted = [a for a in adoptions if a.counts_as_adopted]
    adopted_of_targeted = sum(1 for a in adopted if a.unit_id in targeted_ids)
    started_ids = {a.unit_id for a in adoptions}
    improving = sum(1 for a in adopted if evidence[a.pk]["proven"])
    by_status = {status: 0 for status in Adoption.Status.values}
    for adoption in adoptions:
        by_status[adoption.status] += 1
    return {
        "targeted": len(targeted_ids),
        "adopted": len(adopted),
        "adopted_of_targeted": adopted_of_targeted,
        "improving": improving,
        "summary": (
            f"{adopted_of_targeted} of {len(targeted_ids)} targeted units adopted"
            f" ({len(adopted)} in all; {improving} with improvement in their own data)"
        ),
        "by_status": by_status,
        "adoptions": [
            {
                "id": adoption.pk,
                "unit": {"id": adoption.unit_id, "name": adoption.unit.name},
                "status": adoption.status,
                "targeted": adoption.unit_id in targeted_ids,
                "project": None
                if adoption.project is None
                else {"id": adoption.project_id, "title": adoption.project.title},
                "evidence": evidence[adoption.pk],
            }
            for adoption in adoptions
        ],
        "targeted_not_started": [
            {"id": target.unit_id, "name": target.unit.name}
            for target in sorted(targets, key=lambda t: t.unit.name)
            if target.unit_id not in started_ids
        ],
    }
