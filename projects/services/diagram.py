"""Writing a project's driver diagram: primary and secondary drivers, and change ideas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.errors import refuse
from backend.history import save_with_history
from backend.models import User
from projects.models import ChangeIdea, Driver, Project
from projects.services.projects import ensure_can_edit_project

DRIVER_FIELDS = frozenset({"title", "description", "position", "parent"})
IDEA_FIELDS = frozenset({"title", "description", "status", "learning", "position"})


def _check_parent(*, project: Project, kind: str, parent: Driver | None) -> None:
    if kind == Driver.Kind.PRIMARY:
        if parent is not None:
            refuse("A primary driver hangs off the aim: leave its parent empty.", field="parent")
        return
    if parent is None:
        refuse("A secondary driver needs a primary driver as its parent.", field="parent")
    if parent.project_id != project.pk:
        refuse("The parent driver belongs to another project.", field="parent")
    if parent.kind != Driver.Kind.PRIMARY:
        refuse("A secondary driver's parent must be a primary driver.", field="parent")


def _check_idea_drivers(*, project: Project, drivers: Iterable[Driver]) -> None:
    for driver in drivers:
        if driver.project_id != project.pk:
            refuse("A change idea can only serve drivers of its own project.", field="drivers")
        if driver.kind != Driver.Kind.SECONDARY:
            refuse(
                "A change idea serves secondary drivers; pick the secondary driver it acts on.",
                field="drivers",
            )


@transaction.atomic
def driver_create(*, by: User, project: Project, kind: str, title: str, **fields: Any) -> Driver:
    """Add a primary driver to the aim, or a secondary driver beneath a primary one."""
    ensure_can_edit_project(by=by, project=project, action="change the driver diagram of")
    if kind not in Driver.Kind.values:
        refuse(f"Unknown driver kind {kind!r}.", field="kind")
    _check_parent(project=project, kind=kind, parent=fields.get("parent"))
    driver = Driver(project=project, kind=kind, title=title, **fields)
    save_with_history(driver, by=by)
    return driver


@transaction.atomic
def driver_update(*, by: User, driver: Driver, **fields: Any) -> Driver:
    """Reword, reorder or move a driver; a secondary driver may move to another primary.

    A driver keeps its kind: change ideas and secondary drivers hang off it by kind.
    """
    ensure_can_edit_project(by=by, project=driver.project, action="change the driver diagram of")
    unexpected = set(fields) - DRIVER_FIELDS
    if unexpected:
        refuse("A driver's kind cannot change; add a new driver instead.", field="kind")
    for name, value in fields.items():
        setattr(driver, name, value)
    _check_parent(project=driver.project, kind=driver.kind, parent=driver.parent)
    save_with_history(driver, by=by)
    return driver


@transaction.atomic
def driver_delete(*, by: User, driver: Driver) -> None:
    """Remove a driver (and, for a primary one, its secondary drivers); change ideas stay,
    unlinked if they served nothing else, so no idea or its learning is lost."""
    ensure_can_edit_project(by=by, project=driver.project, action="change the driver diagram of")
    driver._history_user = by
    for child in driver.children.all():
        child._history_user = by
        child.delete()
    driver.delete()


def _set_status(idea: ChangeIdea, status: str | None) -> None:
    if status is None or status == idea.status:
        return
    if status not in ChangeIdea.Status.values:
        refuse(f"Unknown change idea status {status!r}.", field="status")
    idea.status = status
    idea.status_changed_at = timezone.now()


@transaction.atomic
def change_idea_create(
    *,
    by: User,
    project: Project,
    title: str,
    drivers: Iterable[Driver] = (),
    status: str = ChangeIdea.Status.UNTESTED,
    **fields: Any,
) -> ChangeIdea:
    """Add a change idea to the driver diagram, serving one or more secondary drivers."""
    ensure_can_edit_project(by=by, project=project, action="change the driver diagram of")
    drivers = list(drivers)
    _check_idea_drivers(project=project, drivers=drivers)
    idea = ChangeIdea(project=project, title=title, created_by=by, **fields)
    _set_status(idea, status)
    save_with_history(idea, by=by)
    idea.drivers.set(drivers)
    return idea


@transaction.atomic
def change_idea_update(
    *, by: User, idea: ChangeIdea, drivers: Iterable[Driver] | None = None, **fields: Any
) -> ChangeIdea:
    """Reword a change idea, record its status and learning, or relink its drivers."""
    ensure_can_edit_project(by=by, project=idea.project, action="change the driver diagram of")
    unexpected = set(fields) - IDEA_FIELDS
    if unexpected:
        raise TypeError(f"change_idea_update got unexpected fields: {sorted(unexpected)}")
    _set_status(idea, fields.pop("status", None))
    for name, value in fields.items():
        setattr(idea, name, value)
    if drivers is not None:
        drivers = list(drivers)
        _check_idea_drivers(project=idea.project, drivers=drivers)
    save_with_history(idea, by=by)
    if drivers is not None:
        idea.drivers.set(drivers)
    return idea


@transaction.atomic
def change_idea_delete(*, by: User, idea: ChangeIdea) -> None:
    """Remove a change idea that was never tested; a tested one keeps its learning, so
    it is marked abandoned instead."""
    ensure_can_edit_project(by=by, project=idea.project, action="change the driver diagram of")
    if idea.cycles.exists():
        refuse(
            "PDSA cycles tested this change idea; mark it abandoned (with what was learned) "
            "rather than deleting it.",
            code="in_use",
        )
    idea._history_user = by
    idea.delete()
