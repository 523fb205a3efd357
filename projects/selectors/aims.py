"""Reading strategic aims and their cascade (catchball)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from backend.filters import apply_filters
from backend.models import Unit, User
from backend.selectors import organisation_ids
from projects.filters import AimFilter
from projects.models import StrategicAim


def aim_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[StrategicAim]:
    """Strategic aims of the user's organisations, with their owner, unit, the ids of the
    aims cascaded from them and how many projects they carry; constant queries per page."""
    aims = (
        StrategicAim.objects.filter(organisation_id__in=organisation_ids(user=user))
        .select_related("owner", "unit", "parent", "goal_measure")
        .prefetch_related(
            Prefetch("children", queryset=StrategicAim.objects.only("id", "parent_id"))
        )
        .annotate(project_count=Count("projects", distinct=True))
        .order_by("organisation", "title", "id")  # aggregation drops Meta.ordering
    )
    if filters is not None:
        aims = apply_filters(AimFilter(filters, queryset=aims, user=user))
    return aims


def aim_get(*, user: User, pk: int) -> StrategicAim:
    """One aim the user may see, or a 404."""
    return get_object_or_404(aim_list(user=user), pk=pk)


def aim_tree(*, user: User, organisation_id: int | None = None) -> list[dict[str, Any]]:
    """The aims as nested cascades (organisation -> division -> ward), in one query.

    Each node: id, title, unit, quality dimensions, project count and its children.
    """
    aims = StrategicAim.objects.filter(
        organisation_id__in=organisation_ids(user=user)
    ).select_related("unit")
    if organisation_id is not None:
        aims = aims.filter(organisation_id=organisation_id)
    aims = aims.annotate(project_count=Count("projects", distinct=True)).order_by("title")
    nodes: dict[int, dict[str, Any]] = {}
    parents: dict[int, int | None] = {}
    for aim in aims:
        parents[aim.pk] = aim.parent_id
        nodes[aim.pk] = {
            "id": aim.pk,
            "organisation": aim.organisation_id,
            "title": aim.title,
            "unit": None if aim.unit is None else {"id": aim.unit_id, "name": aim.unit.name},
            "quality_dimensions": aim.quality_dimensions,
            "is_active": aim.is_active,
            "project_count": aim.project_count,
            "children": [],
        }
    roots = []
    for aim_id, node in nodes.items():
        parent_id = parents[aim_id]
        if parent_id in nodes:
            nodes[parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots


def unit_ancestor_ids(*, unit: Unit) -> list[int]:
    """``unit`` and every unit above it (its ward, directorate, division, site), nearest
    first, from one query of the organisation's tree."""
    parents = dict(
        Unit.objects.filter(organisation_id=unit.organisation_id).values_list("id", "parent_id")
    )
    found: list[int] = []
    current: int | None = unit.pk
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def aims_reaching_unit(*, user: User, unit: Unit) -> list[StrategicAim]:
    """The active aims a project in ``unit`` may serve: the cascade that reaches it, from
    the organisation's bold aims down through its division's to its own, each after the
    aim it cascades from. Two queries."""
    reaching = unit_ancestor_ids(unit=unit)
    aims = list(
        StrategicAim.objects.filter(
            organisation_id=unit.organisation_id,
            organisation_id__in=organisation_ids(user=user),
            is_active=True,
        )
        .filter(Q(unit__isnull=True) | Q(unit_id__in=reaching))
        .select_related("unit")
        .order_by("title", "pk")
    )
    offered = {aim.pk for aim in aims}
    children: dict[int | None, list[StrategicAim]] = {}
    for aim in aims:
        parent = aim.parent_id if aim.parent_id in offered else None
        children.setdefault(parent, []).append(aim)
    ordered: list[StrategicAim] = []

    def walk(parent: int | None, depth: int) -> None:
        for aim in children.get(parent, []):
            aim.depth = depth
            ordered.append(aim)
            walk(aim.pk, depth + 1)

    walk(None, 0)
    return ordered
