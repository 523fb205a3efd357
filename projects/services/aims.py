"""Setting the organisation's few bold aims and cascading them (catchball)."""

from __future__ import annotations

from datetime import date
from typing import TypedDict, Unpack

from django.db import transaction

from backend.errors import forbid, refuse
from backend.history import save_with_history
from backend.models import Organisation, Unit, User
from backend.updates import field_names, model_update, only
from projects.models import Measure, QualityDimension, StrategicAim
from projects.selectors import can_write_aims
from projects.services._shared import ensure_member, same_organisation


class AimFields(TypedDict, total=False):
    """What an aim holds besides its title and organisation."""

    parent: StrategicAim | None
    unit: Unit | None
    statement: str
    quality_dimensions: list[str]
    owner: User | None
    starts_on: date | None
    ends_on: date | None
    goal_measure: Measure | None
    goal_baseline: float | None
    goal_target: float | None
    goal_date: date | None
    is_active: bool


class AimChanges(AimFields, total=False):
    title: str


def _ensure_can_write(*, by: User, organisation_id: int) -> None:
    if not can_write_aims(user=by, organisation_id=organisation_id):
        forbid("Only leaders, the QI team and administrators set strategic aims.")


def _check_parent(aim: StrategicAim) -> None:
    """The parent is an aim of the same organisation, and never the aim or beneath it."""
    parent = aim.parent
    same_organisation(parent, aim.organisation_id, field="parent", what="parent aim")
    seen = set()
    while parent is not None and aim.pk is not None:
        if parent.pk == aim.pk:
            refuse("An aim cannot sit beneath itself or an aim cascaded from it.", field="parent")
        if parent.pk in seen:  # a loop made before this check existed; stop walking it
            break
        seen.add(parent.pk)
        parent = parent.parent


def _check(aim: StrategicAim) -> None:
    unknown = sorted(set(aim.quality_dimensions) - set(QualityDimension.values))
    if unknown:
        refuse(
            f"Unknown quality dimension: {', '.join(unknown)}. Choose from "
            f"{', '.join(QualityDimension.values)}.",
            field="quality_dimensions",
        )
    _check_parent(aim)
    same_organisation(aim.unit, aim.organisation_id, field="unit", what="unit")
    same_organisation(aim.goal_measure, aim.organisation_id, field="goal_measure", what="measure")
    ensure_member(aim.owner, aim.organisation_id, field="owner")
    if aim.starts_on and aim.ends_on and aim.ends_on < aim.starts_on:
        refuse("The aim must end after it starts.", field="ends_on")
    if aim.goal_date and aim.starts_on and aim.goal_date < aim.starts_on:
        refuse("The goal date must be after the aim starts.", field="goal_date")


@transaction.atomic
def aim_create(
    *, by: User, organisation: Organisation, title: str, **fields: Unpack[AimFields]
) -> StrategicAim:
    """Set a strategic aim for the organisation, or cascade one beneath another aim."""
    _ensure_can_write(by=by, organisation_id=organisation.pk)
    aim = StrategicAim(
        organisation=organisation,
        title=title,
        **only(AimFields, fields, service="aim_create"),
    )
    _check(aim)
    save_with_history(aim, by=by)
    return aim


@transaction.atomic
def aim_update(*, by: User, aim: StrategicAim, **changes: Unpack[AimChanges]) -> StrategicAim:
    """Change an aim's wording, goal, owner, time frame or place in the cascade."""
    _ensure_can_write(by=by, organisation_id=aim.organisation_id)
    aim, _ = model_update(
        instance=aim,
        fields=field_names(AimChanges),
        data=only(AimChanges, changes, service="aim_update"),
        by=by,
        check=_check,
    )
    return aim
