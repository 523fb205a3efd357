"""The measure library, measures of projects and aims, and rebases of their charts."""

from __future__ import annotations

import time
from datetime import date
from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from backend.errors import forbid, refuse
from backend.history import save_with_history
from backend.models import Organisation, User
from backend.updates import field_names, model_update, only
from projects.models import (
    RATIO_CHARTS,
    ChartType,
    DataPoint,
    Measure,
    MeasureDefinition,
    Project,
    Rebase,
    StrategicAim,
)
from projects.selectors import can_edit_measure, can_write_library
from projects.selectors.readings import SPC_FIELDS
from projects.services._shared import project_record_changed_by, same_organisation
from projects.services.readings import measure_reading_write
from projects.signals import measure_data_changed

# Options that change what the chart says: a new revision, so no cached reading survives.
SPC_OPTIONS = frozenset({"target", "improvement_direction", "chart_type", "fix_after_n_points"})
# What a measure takes from its library definition when the team does not say otherwise.
INHERITED = ("name", "operational_definition", "unit", "improvement_direction", "chart_type")
NON_NEGATIVE_CHARTS = frozenset({ChartType.C, ChartType.G, ChartType.T})
MIN_BASELINE = 12


class DefinitionFields(TypedDict, total=False):
    """What a library definition holds besides its name and organisation."""

    operational_definition: str
    numerator_definition: str
    denominator_definition: str
    unit: str
    improvement_direction: str
    chart_type: str
    frequency: str
    data_source: str
    quality_dimensions: list[str]


class DefinitionChanges(DefinitionFields, total=False):
    name: str


class MeasureFields(TypedDict, total=False):
    """What a team says about a measure; what it leaves out comes from its definition."""

    type: str
    name: str
    operational_definition: str
    unit: str
    improvement_direction: str
    chart_type: str
    frequency: str
    target: float | None
    fix_after_n_points: int | None


class MeasureChanges(MeasureFields, total=False):
    definition: MeasureDefinition | None


def bump_revision(measure: Measure) -> None:
    """Move the measure to a new revision and store its SPC reading at that revision, in
    the caller's transaction: the reading commits or rolls back with the change.

    The new revision is the later of the next number and the time in microseconds. A
    transaction that rolls back takes its revision with it, but the clock has moved on,
    so that number is never issued again: a reading or chart cached inside the
    rolled-back transaction can never be served for data committed later. The reading
    is computed from the measure as stored, read again under the row lock the update
    takes, so a caller's out-of-date copy of its options cannot leak into it.
    """
    now_us = time.time_ns() // 1_000
    Measure.objects.filter(pk=measure.pk).update(
        revision=Greatest(F("revision") + 1, Value(now_us))
    )
    current = Measure.objects.only(*SPC_FIELDS).get(pk=measure.pk)
    measure.revision = current.revision
    measure_reading_write(measure=current)


def measure_reading_changed(*, measure: Measure, by: User | None) -> None:
    """What follows any change to what a measure's chart says (data, a rebase, an SPC
    option): a new revision with its stored SPC reading written at that revision
    (``bump_revision``), so no cached chart survives and no stale reading is served; the
    measure stamped as
    changed now; and ``measure_data_changed`` for the apps that react to it (the progress
    score, celebrations, spread). Call inside the writing transaction."""
    bump_revision(measure)
    Measure.objects.filter(pk=measure.pk).update(updated_at=timezone.now())
    measure_data_changed.send(sender=Measure, measure=measure, by=by)


def ensure_can_edit_measure(*, by: User, measure: Measure, action: str) -> None:
    """Refuse (403) someone who may read the measure but not ``action`` it."""
    if not can_edit_measure(user=by, measure=measure):
        if measure.project_id is not None:
            forbid(f"Only the project's team, its coach and the QI team can {action}.")
        forbid(f"Only leaders, the QI team and administrators can {action} of an aim.")


# --- the library -------------------------------------------------------------------


def _ensure_library_writer(*, by: User, organisation_id: int) -> None:
    if not can_write_library(user=by, organisation_id=organisation_id):
        forbid("Only the QI team and administrators keep the measure library.")


def _check_definition_name(definition: MeasureDefinition) -> None:
    clash = MeasureDefinition.objects.filter(
        organisation_id=definition.organisation_id, name__iexact=definition.name
    ).exclude(pk=definition.pk)
    if clash.exists():
        refuse("The library already has a measure with this name.", field="name", code="duplicate")


@transaction.atomic
def measure_definition_create(
    *, by: User, organisation: Organisation, name: str, **fields: Unpack[DefinitionFields]
) -> MeasureDefinition:
    """Add a measure to the organisation's library, so wards measuring it are comparable."""
    _ensure_library_writer(by=by, organisation_id=organisation.pk)
    fields = only(DefinitionFields, fields, service="measure_definition_create")
    definition = MeasureDefinition(organisation=organisation, name=name, **fields)
    _check_definition_name(definition)
    save_with_history(definition, by=by)
    return definition


@transaction.atomic
def measure_definition_update(
    *, by: User, definition: MeasureDefinition, **changes: Unpack[DefinitionChanges]
) -> MeasureDefinition:
    """Change a library definition; measures already made from it keep their own copy."""
    _ensure_library_writer(by=by, organisation_id=definition.organisation_id)
    definition, _ = model_update(
        instance=definition,
        fields=field_names(DefinitionChanges),
        data=only(DefinitionChanges, changes, service="measure_definition_update"),
        by=by,
        check=_check_definition_name,
    )
    return definition


@transaction.atomic
def measure_definition_delete(*, by: User, definition: MeasureDefinition) -> None:
    """Remove a library definition that no measure uses."""
    _ensure_library_writer(by=by, organisation_id=definition.organisation_id)
    used = definition.measures.count()
    if used:
        refuse(f"{used} measure(s) use this definition; it cannot be removed.", code="in_use")
    definition._history_user = by
    definition.delete()


# --- measures ------------------------------------------------------------------------


def _check_options(measure: Measure) -> None:
    if measure.fix_after_n_points is not None and measure.fix_after_n_points < MIN_BASELINE:
        refuse(
            f"A fixed baseline needs at least {MIN_BASELINE} points.", field="fix_after_n_points"
        )
    same_organisation(
        measure.definition, measure.organisation_id, field="definition", what="definition"
    )


def _misfits(measure: Measure, chart_type: str) -> str | None:
    """Why the measure's existing data cannot be drawn as ``chart_type``, if it cannot."""
    points = DataPoint.objects.filter(measure=measure)
    if chart_type in RATIO_CHARTS:
        checks = [
            (
                Q(numerator__isnull=True) | Q(denominator__isnull=True),
                "a numerator and a denominator",
            )
        ]
        if chart_type in {ChartType.P, ChartType.PP}:
            checks.append(
                (Q(numerator__gt=F("denominator")), "a numerator no bigger than its denominator")
            )
    else:
        checks = [(Q(value__isnull=True), "a value")]
        if chart_type in NON_NEGATIVE_CHARTS:
            checks.append((Q(value__lt=0), "a value of zero or more"))
    for condition, need in checks:
        bad = points.filter(condition).count()
        if bad:
            label = ChartType(chart_type).label
            return f"A {label} needs {need} on every data point; {bad} point(s) do not have it."
    return None


@transaction.atomic
def measure_create(
    *,
    by: User,
    project: Project | None = None,
    aim: StrategicAim | None = None,
    definition: MeasureDefinition | None = None,
    **fields: Unpack[MeasureFields],
) -> Measure:
    """Add an outcome, process or balancing measure to a project or to an aim, from the
    library (its wording and chart choices copied unless given) or defined here."""
    fields = only(MeasureFields, fields, service="measure_create")
    if (project is None) == (aim is None):
        refuse("A measure belongs to a project or to an aim: give exactly one.", field="project")
    owner = project or aim
    measure = Measure(organisation_id=owner.organisation_id, project=project, aim=aim)
    ensure_can_edit_measure(by=by, measure=measure, action="add measures")
    if definition is not None:
        for name in INHERITED:
            fields.setdefault(name, getattr(definition, name))
        fields.setdefault("frequency", definition.frequency)
    if not fields.get("name"):
        refuse("A measure needs a name (or a definition from the library).", field="name")
    measure.definition = definition
    for name, value in fields.items():
        setattr(measure, name, value)
    _check_options(measure)
    save_with_history(measure, by=by)
    measure_reading_write(measure=measure)
    project_record_changed_by(project_id=measure.project_id, by=by)
    return measure


@transaction.atomic
def measure_update(*, by: User, measure: Measure, **changes: Unpack[MeasureChanges]) -> Measure:
    """Change a measure's wording, target or SPC options; a change of target, direction,
    chart type or baseline moves it to a new revision (charts recomputed)."""
    ensure_can_edit_measure(by=by, measure=measure, action="change this measure")
    data = only(MeasureChanges, changes, service="measure_update")
    chart_type = data.get("chart_type", measure.chart_type)
    if chart_type != measure.chart_type:
        misfit = _misfits(measure, chart_type)
        if misfit:
            refuse(misfit, field="chart_type")
    measure, changed = model_update(
        instance=measure,
        fields=field_names(MeasureChanges),
        data=data,
        by=by,
        check=_check_options,
    )
    if SPC_OPTIONS & set(changed):
        measure_reading_changed(measure=measure, by=by)
    if changed:
        project_record_changed_by(project_id=measure.project_id, by=by)
    return measure


@transaction.atomic
def measure_delete(*, by: User, measure: Measure) -> None:
    """Remove a measure made by mistake; one with data is kept (its history matters)."""
    ensure_can_edit_measure(by=by, measure=measure, action="remove this measure")
    count = measure.data_points.count()
    if count:
        refuse(
            f"This measure has {count} data point(s); remove them first if it really was a "
            "mistake.",
            code="in_use",
        )
    measure._history_user = by
    measure.delete()
    project_record_changed_by(project_id=measure.project_id, by=by)


# --- rebases -------------------------------------------------------------------------


@transaction.atomic
def rebase_create(*, by: User, measure: Measure, starts_on: date, reason: str) -> Rebase:
    """Record a decision that the process changed: the chart starts a new group (own
    mean and limits) at ``starts_on``, with the reason and who decided it."""
    ensure_can_edit_measure(by=by, measure=measure, action="rebase this chart")
    if not reason.strip():
        refuse(
            "Say why the process changed: a rebase is a decision, with a reason.", field="reason"
        )
    if Rebase.objects.filter(measure=measure, starts_on=starts_on).exists():
        refuse("The chart is already rebased at this date.", field="starts_on", code="duplicate")
    rebase = Rebase(measure=measure, starts_on=starts_on, reason=reason.strip(), decided_by=by)
    try:
        with transaction.atomic():
            save_with_history(rebase, by=by)
    except IntegrityError:  # a concurrent rebase at the same date won the race
        refuse("The chart is already rebased at this date.", field="starts_on", code="duplicate")
    measure_reading_changed(measure=measure, by=by)
    return rebase


@transaction.atomic
def rebase_delete(*, by: User, rebase: Rebase) -> None:
    """Undo a rebase recorded by mistake; the chart is one group there again."""
    measure = rebase.measure
    ensure_can_edit_measure(by=by, measure=measure, action="rebase this chart")
    rebase._history_user = by
    rebase.delete()
    measure_reading_changed(measure=measure, by=by)
