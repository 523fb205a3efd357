"""Reading projects, their teams and driver diagrams."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from backend.filters import apply_filters
from backend.models import User
from backend.selectors import organisation_ids
from projects.filters import ChangeIdeaFilter, ProjectFilter
from projects.models import ChangeIdea, Driver, Project, ProjectMember, StrategicAim


def _team() -> Prefetch:
    return Prefetch("members", queryset=ProjectMember.objects.select_related("user"))


def _aims() -> Prefetch:
    return Prefetch("aims", queryset=StrategicAim.objects.only("id", "title", "organisation_id"))


def project_list(*, user: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Project]:
    """Projects of the user's organisations: every member may read every project there,
    so teams can see what was tried before.

    Carries the unit, aims and team, so a page of any length is a constant number of
    queries; ``filters`` takes the query parameters of ``ProjectFilter``.
    """
    projects = (
        Project.objects.filter(organisation_id__in=organisation_ids(user=user))
        .select_related("unit", "created_by", "progress_override_by")
        .prefetch_related(_aims(), _team())
    )
    if filters is not None:
        projects = apply_filters(ProjectFilter(filters, queryset=projects, user=user))
    return projects


def project_get(*, user: User, pk: int) -> Project:
    """One project the user may see, or a 404 (also for another organisation's)."""
    return get_object_or_404(project_list(user=user), pk=pk)


def colleague_list(*, user: User) -> QuerySet[User]:
    """People who share an organisation with the user: who may be put on a team or own an
    aim (the services check it is the right organisation)."""
    return User.objects.filter(
        memberships__organisation_id__in=organisation_ids(user=user)
    ).distinct()


def project_member_list(*, user: User) -> QuerySet[ProjectMember]:
    """Team places on the projects of the user's organisations."""
    return ProjectMember.objects.filter(
        project__organisation_id__in=organisation_ids(user=user)
    ).select_related("user", "project")


def driver_list(*, user: User) -> QuerySet[Driver]:
    """Drivers of the projects the user may see."""
    return Driver.objects.filter(
        project__organisation_id__in=organisation_ids(user=user)
    ).select_related("project", "parent")


def change_idea_list(
    *, user: User, filters: Mapping[str, Any] | None = None
) -> QuerySet[ChangeIdea]:
    """Change ideas of the projects the user may see, with the drivers they serve."""
    ideas = (
        ChangeIdea.objects.filter(project__organisation_id__in=organisation_ids(user=user))
        .select_related("project", "created_by")
        .prefetch_related(Prefetch("drivers", queryset=Driver.objects.only("id", "project_id")))
    )
    if filters is not None:
        ideas = apply_filters(ChangeIdeaFilter(filters, queryset=ideas, user=user)).distinct()
    return ideas


def _idea_summary(idea: ChangeIdea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "title": idea.title,
        "description": idea.description,
        "status": idea.status,
        "learning": idea.learning,
        "position": idea.position,
    }


def driver_diagram(*, project: Project) -> dict[str, Any]:
    """The project's whole theory of change as one tree, in three queries.

    Aim statement, then primary drivers, their secondary drivers, and under each
    secondary driver the change ideas that serve it (an idea serving several appears
    under each); ideas not yet linked to any driver are listed apart so none is lost.
    """
    drivers = list(Driver.objects.filter(project=project).order_by("position", "id"))
    ideas = list(
        ChangeIdea.objects.filter(project=project)
        .order_by("position", "id")
        .prefetch_related(Prefetch("drivers", queryset=Driver.objects.only("id")))
    )
    ideas_by_driver: dict[int, list[dict[str, Any]]] = {}
    unlinked = []
    for idea in ideas:
        driver_ids = [driver.pk for driver in idea.drivers.all()]
        summary = {**_idea_summary(idea), "drivers": driver_ids}
        if not driver_ids:
            unlinked.append(summary)
        for driver_id in driver_ids:
            ideas_by_driver.setdefault(driver_id, []).append(summary)

    def node(driver: Driver) -> dict[str, Any]:
        return {
            "id": driver.pk,
            "kind": driver.kind,
            "title": driver.title,
            "description": driver.description,
            "position": driver.position,
            "change_ideas": ideas_by_driver.get(driver.pk, []),
        }

    secondaries: dict[int, list[dict[str, Any]]] = {}
    for driver in drivers:
        if driver.kind == Driver.Kind.SECONDARY:
            secondaries.setdefault(driver.parent_id, []).append(node(driver))
    primaries = [
        {**node(driver), "secondary_drivers": secondaries.get(driver.pk, [])}
        for driver in drivers
        if driver.kind == Driver.Kind.PRIMARY
    ]
    return {
        "project": project.pk,
        "title": project.title,
        "aim": {
            "statement": project.aim_statement,
            "what": project.aim_what,
            "how_much": project.aim_how_much,
            "baseline": project.aim_baseline,
            "target": project.aim_target,
            "by_when": project.aim_by_when,
        },
        "primary_drivers": primaries,
        "unlinked_change_ideas": unlinked,
        "counts": {
            "primary_drivers": len(primaries),
            "secondary_drivers": sum(len(group) for group in secondaries.values()),
            "change_ideas": len(ideas),
        },
    }
