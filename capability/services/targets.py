"""Headcounts and the dosing ratios the capability targets are sized from."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict, Unpack

from django.db import transaction

from backend.errors import refuse
from backend.history import save_with_history
from backend.models import Organisation, Unit, User
from backend.updates import field_names, model_update, only
from capability import levels
from capability.models import DosingRatios, Headcount
from capability.services._shared import ensure_keeper
from capability.tree import UnitTree


def _check_not_counted_twice(unit: Unit) -> None:
    """A unit's headcount includes everyone beneath it, so a unit above or below one
    with a headcount cannot have its own: the division would count its wards twice."""
    tree = UnitTree(unit.organisation_id)
    counted = Headcount.objects.filter(organisation_id=unit.organisation_id).exclude(unit=unit)
    for other in counted.select_related("unit"):
        if tree.is_within(unit.pk, other.unit_id):
            refuse(
                f"{other.unit.name} already has a headcount, which counts everyone in "
                f"{unit.name}: change that one, or remove it to count {unit.name} on its own.",
                field="unit",
            )
        if tree.is_within(other.unit_id, unit.pk):
            refuse(
                f"{other.unit.name}, within {unit.name}, has a headcount of its own: remove "
                f"it first, or give the other units beneath {unit.name} theirs.",
                field="unit",
            )


@transaction.atomic
def headcount_set(*, by: User, unit: Unit, staff: int) -> Headcount:
    """Record how many staff work in a unit (a ward, a service, a division)."""
    ensure_keeper(by=by, organisation_id=unit.organisation_id, action="record headcounts")
    if staff < 0:
        refuse("A headcount cannot be negative.", field="staff")
    found = Headcount.objects.select_for_update().filter(unit=unit).first()
    if found is not None:
        found, _ = model_update(instance=found, fields={"staff"}, data={"staff": staff}, by=by)
        return found
    _check_not_counted_twice(unit)
    headcount = Headcount(organisation_id=unit.organisation_id, unit=unit, staff=staff)
    save_with_history(headcount, by=by)
    return headcount


@transaction.atomic
def headcount_remove(*, by: User, headcount: Headcount) -> None:
    """Stop counting a unit's staff (its people then count only in the units above)."""
    ensure_keeper(by=by, organisation_id=headcount.organisation_id, action="record headcounts")
    headcount._history_user = by
    headcount.delete()


class RatioChanges(TypedDict, total=False):
    """The share of staff (a percentage) to train to at least each level."""

    foundation: Decimal
    practitioner: Decimal
    advanced: Decimal
    expert: Decimal


def _check_pyramid(ratios: DosingRatios) -> None:
    for lower, higher in zip(levels.LEVELS, levels.LEVELS[1:], strict=False):
        if ratios.percent(higher) > ratios.percent(lower):
            refuse(
                f"The {levels.label(higher).lower()} share cannot be larger than the "
                f"{levels.label(lower).lower()} share: everyone at a level has the skills "
                "of the levels below.",
                field=higher,
            )


@transaction.atomic
def ratios_update(
    *, by: User, organisation: Organisation, **changes: Unpack[RatioChanges]
) -> DosingRatios:
    """Set the organisation's dosing ratios (the share of staff to train to each level);
    an organisation that never set them has the framework's 50%, 5%, 0.5% and 0.05%."""
    ensure_keeper(by=by, organisation_id=organisation.pk, action="set the dosing ratios")
    data = only(RatioChanges, changes, service="ratios_update")
    ratios = DosingRatios.objects.select_for_update().filter(organisation=organisation).first()
    if ratios is None:
        ratios = DosingRatios(organisation=organisation)
        for name, value in data.items():
            setattr(ratios, name, value)
        ratios.full_clean(exclude=["organisation"])
        _check_pyramid(ratios)
        save_with_history(ratios, by=by)
        return ratios
    ratios, _ = model_update(
        instance=ratios, fields=field_names(RatioChanges), data=data, by=by, check=_check_pyramid
    )
    return ratios
