"""Spread opportunities: which units could take a change up, best first, and why.

Who qualifies: an active ward or team (level "unit") of the same organisation, not the
unit the change came from, not one already taking it up or that said no (any adoption
row), and alike in context: the same unit kind or the same specialty. The support
services (HR, finance, IT, estates) match only a support service of the same kind, and
clinical areas never match a support service.

The score (0 to 100) adds up what makes a unit a good fit, and each part is a reason in
words:

    same specialty                                    +30
    same unit kind                                    +20
    measures a library definition the change moved    +25
      ... and shows no improvement signal on it       +15  (special-cause improvement: +0;
                                                           too little data to chart: +5)
      ... and its process mean misses its target      +10

With several matching measures the unit counts the one that needs the change most.
Ties go to the units the QI team targeted, then by name. Targets are flagged, not scored:
the score says how well the change fits, the flag says what the QI team decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from backend.models import Unit, User
from projects.models import ImprovementDirection, Measure, MeasureReading
from projects.selectors import measure_readings
from spread.models import Adoption, SpreadCandidate, SpreadTarget
from spread.selectors.candidates import candidate_list

SAME_SPECIALTY = 30
SAME_KIND = 20
SAME_MEASURE = 25
NO_IMPROVEMENT = 15
TOO_LITTLE_DATA = 5
GAP_TO_TARGET = 10
IMPROVING_ICONS = frozenset({"improvement_high", "improvement_low"})
CONCERN_ICONS = frozenset({"concern_high", "concern_low"})


@dataclass
class MeasureFit:
    """How one of the unit's measures of a shared definition stands."""

    measure: Measure
    score: int
    reasons: list[str]
    variation_icon: str | None = None
    centre: float | None = None
    gap_to_target: bool = False


@dataclass
class Opportunity:
    """A unit that could take a change up: its score and the reasons for it."""

    unit: Unit
    candidate: SpreadCandidate
    score: int
    reasons: list[str] = field(default_factory=list)
    targeted: bool = False
    measures: list[MeasureFit] = field(default_factory=list)


def _number(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 1 else f"{value:.2f}"


def context_q(origin: Unit) -> Q:
    """Units alike in context to ``origin`` (see the module docstring)."""
    if origin.kind in Unit.SUPPORT_KINDS:
        return Q(kind=origin.kind)
    alike = Q(kind=origin.kind)
    if origin.specialty.strip():
        alike |= Q(specialty__iexact=origin.specialty.strip())
    return ~Q(kind__in=Unit.SUPPORT_KINDS) & alike


def candidate_definitions(candidates: Sequence[SpreadCandidate]) -> dict[int, dict[int, str]]:
    """The library definitions each change moved: its evidence measure's, then those of
    its origin project's measures (one query for all candidates)."""
    found: dict[int, dict[int, str]] = {candidate.pk: {} for candidate in candidates}
    by_project: dict[int, list[int]] = {}
    for candidate in candidates:
        by_project.setdefault(candidate.origin_project_id, []).append(candidate.pk)
        measure = candidate.evidence_measure
        if measure is not None and measure.definition_id is not None:
            found[candidate.pk][measure.definition_id] = measure.definition.name
    rows = Measure.objects.filter(project_id__in=by_project, definition__isnull=False).values_list(
        "project_id", "definition_id", "definition__name"
    )
    for project_id, definition_id, name in rows:
        for candidate_id in by_project[project_id]:
            found[candidate_id].setdefault(definition_id, name)
    return found


def _measure_fit(measure: Measure, reading: MeasureReading, name: str) -> MeasureFit:
    if not reading.charted:
        return MeasureFit(
            measure=measure,
            score=SAME_MEASURE + TOO_LITTLE_DATA,
            reasons=[f"measures {name} (too little data to chart yet)"],
        )
    icon = reading.variation_icon
    centre = reading.evidence["latest"]["centre"]
    fit = MeasureFit(measure=measure, score=SAME_MEASURE, reasons=[], variation_icon=icon)
    fit.centre = centre
    if icon in IMPROVING_ICONS:
        fit.reasons.append(f"measures {name} and already shows improvement")
    elif icon in CONCERN_ICONS:
        fit.score += NO_IMPROVEMENT
        fit.reasons.append(f"measures {name}, which shows special-cause concern")
    else:
        fit.score += NO_IMPROVEMENT
        fit.reasons.append(f"measures {name} with no improvement signal")
    target = measure.target
    if target is not None and centre is not None:
        missing = (
            centre > target
            if measure.improvement_direction == ImprovementDirection.DECREASE
            else centre < target
        )
        if missing and measure.improvement_direction != ImprovementDirection.NEUTRAL:
            fit.score += GAP_TO_TARGET
            fit.gap_to_target = True
            fit.reasons.append(f"gap to target: {_number(centre)} vs {_number(target)}")
    return fit


def score_unit(
    *,
    candidate: SpreadCandidate,
    unit: Unit,
    definitions: dict[int, str],
    measures: Iterable[Measure],
    readings: dict[int, MeasureReading],
    targeted: bool,
) -> Opportunity:
    """Score one unit (already known to be alike in context) for one candidate."""
    origin = candidate.origin_unit
    opportunity = Opportunity(unit=unit, candidate=candidate, score=0, targeted=targeted)
    if (
        origin.specialty.strip()
        and unit.specialty.strip().lower() == origin.specialty.strip().lower()
    ):
        opportunity.score += SAME_SPECIALTY
        opportunity.reasons.append(f"same specialty: {unit.specialty.strip().lower()}")
    if unit.kind == origin.kind:
        opportunity.score += SAME_KIND
        opportunity.reasons.append(f"same kind of unit: {unit.get_kind_display().lower()}")
    fits = [
        _measure_fit(measure, readings[measure.pk], definitions[measure.definition_id])
        for measure in measures
        if measure.definition_id in definitions
    ]
    fits.sort(key=lambda fit: (-fit.score, fit.measure.pk))
    if fits:
        opportunity.score += fits[0].score
        opportunity.reasons.extend(fits[0].reasons)
        opportunity.measures = fits
    if targeted:
        opportunity.reasons.append("targeted by the QI team")
    return opportunity


def _rank(opportunities: list[Opportunity]) -> list[Opportunity]:
    return sorted(opportunities, key=lambda o: (-o.score, not o.targeted, o.unit.name, o.unit.pk))


def _unit_measures(units: QuerySet[Unit] | Sequence[Unit], definition_ids: Iterable[int]):
    return (
        Measure.objects.filter(project__unit__in=units, definition_id__in=list(definition_ids))
        .select_related("definition", "project")
        .order_by("id")
    )


def candidate_opportunities(*, candidate: SpreadCandidate) -> list[Opportunity]:
    """The units that could take ``candidate`` up, best first (see the module docstring).

    A fixed number of queries whatever the size of the organisation: the units, the
    targets, the definitions, the units' matching measures, and their stored SPC
    readings.
    """
    units = (
        Unit.objects.filter(
            context_q(candidate.origin_unit),
            organisation_id=candidate.organisation_id,
            level=Unit.Level.UNIT,
            is_active=True,
        )
        .exclude(pk=candidate.origin_unit_id)
        .exclude(pk__in=Adoption.objects.filter(candidate=candidate).values("unit_id"))
        .order_by("name")
    )
    unit_rows = list(units)
    targeted = set(
        SpreadTarget.objects.filter(candidate=candidate).values_list("unit_id", flat=True)
    )
    definitions = candidate_definitions([candidate])[candidate.pk]
    measures_by_unit: dict[int, list[Measure]] = {}
    measures = list(_unit_measures(units, definitions)) if definitions else []
    for measure in measures:
        measures_by_unit.setdefault(measure.project.unit_id, []).append(measure)
    readings = measure_readings(measures) if measures else {}
    return _rank(
        [
            score_unit(
                candidate=candidate,
                unit=unit,
                definitions=definitions,
                measures=measures_by_unit.get(unit.pk, []),
                readings=readings,
                targeted=unit.pk in targeted,
            )
            for unit in unit_rows
        ]
    )


def unit_spread_suggestions(*, user: User, unit: Unit) -> list[Opportunity]:
    """Approved changes from elsewhere that this unit could take up because it measures
    what they moved, best first, scored as in ``candidate_opportunities``."""
    unit_measures = list(
        Measure.objects.filter(project__unit=unit, definition__isnull=False)
        .select_related("definition", "project")
        .order_by("id")
    )
    tracked = {measure.definition_id for measure in unit_measures}
    if not tracked:
        return []
    candidates = list(
        candidate_list(user=user)
        .filter(status=SpreadCandidate.Status.APPROVED, organisation_id=unit.organisation_id)
        .filter(
            Q(evidence_measure__definition_id__in=tracked)
            | Q(origin_project__measures__definition_id__in=tracked)
        )
        .exclude(origin_unit=unit)
        .exclude(adoptions__unit=unit)
        .distinct()
    )
    alike = [candidate for candidate in candidates if _alike(candidate.origin_unit, unit)]
    definitions = candidate_definitions(alike)
    readings = measure_readings(unit_measures)
    targeted = set(
        SpreadTarget.objects.filter(candidate__in=alike, unit=unit).values_list(
            "candidate_id", flat=True
        )
    )
    return _rank(
        [
            score_unit(
                candidate=candidate,
                unit=unit,
                definitions=definitions[candidate.pk],
                measures=unit_measures,
                readings=readings,
                targeted=candidate.pk in targeted,
            )
            for candidate in alike
            if tracked & definitions[candidate.pk].keys()
        ]
    )


def _alike(origin: Unit, unit: Unit) -> bool:
    """``context_q`` in Python, for one pair of units already in hand."""
    if origin.kind in Unit.SUPPORT_KINDS or unit.kind in Unit.SUPPORT_KINDS:
        return origin.kind == unit.kind
    same_specialty = (
        bool(origin.specialty.strip())
        and origin.specialty.strip().lower() == unit.specialty.strip().lower()
    )
    return origin.kind == unit.kind or same_specialty
