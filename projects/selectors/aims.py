"""Reading strategic aims and their cascade (catchball)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from backend.filters import apply_filters
from backend.models import User
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
