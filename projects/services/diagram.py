"""Writing a project's driver diagram: primary and secondary drivers, and change ideas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from backend.errors import refuse
from backend.history import save_with_history
from backend.models import User
from backend.updates import field_names, model_update, only
from projects.models import ChangeIdea, Driver, Project
from projects.services._shared import project_record_changed_by
from projects.services.projects import ensure_can_edit_project


class DriverFields(TypedDict, total=False):
    """What a driver holds besides its kind and title."""

    description: str
    position: int
    parent: Driver | None


class DriverChanges(DriverFields, total=False):
    title: str


class IdeaFields(TypedDict, total=False):
    """What a change idea holds besides its title, status and drivers."""

    description: str
    learning: str
    position: int


class IdeaChanges(IdeaFields, total=False):
    title: str
    status: str


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
def driver_create(
    *, by: User, project: Project, kind: str, title: str, **fields: Unpack[DriverFields]
) -> Driver:
    """Add a primary driver to the aim, or a secondary driver beneath a primary one."""
    ensure_can_edit_project(by=by, project=project, action="change the driver diagram of")
    if kind not in Driver.Kind.values:
        refuse(f"Unknown driver kind {kind!r}.", field="kind")
    _check_parent(project=project, kind=kind, parent=fields.get("parent"))
    driver = Driver(
        project=project,
        kind=kind,
        title=title,
        **only(DriverFields, fields, service="driver_create"),
    )
    save_with_history(driver, by=by)
    return driver


@transaction.atomic
def driver_update(*, by: User, driver: Driver, **changes: Unpack[DriverChanges]) -> Driver:
    """Reword, reorder or move a driver; a secondary driver may move to another primary.

    A driver keeps its kind: change ideas and secondary drivers hang off it by kind.
    """
    ensure_can_edit_project(by=by, project=driver.project, action="change the driver diagram of")
    if "kind" in changes:
        refuse("A driver's kind cannot change; add a new driver instead.", field="kind")

    def check(changed: Driver) -> None:
        _check_parent(project=changed.project, kind=changed.kind, parent=changed.parent)

    driver, _ = model_update(
        instance=driver,
        fields=field_names(DriverChanges),
        data=only(DriverChanges, changes, service="driver_update"),
        by=by,
        check=check,
    )
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


def _check_status(status: str) -> None:
    if status not in ChangeIdea.Status.values:
        refuse(f"Unknown change idea status {status!r}.", field="status")


@transaction.atomic
def change_idea_create(
    *,
    by: User,
    project: Project,
    title: str,
    drivers: Iterable[Driver] = (),
    status: str = ChangeIdea.Status.UNTESTED,
    **fields: Unpack[IdeaFields],
) -> ChangeIdea:
    """Add a change idea to the driver diagram, serving one or more secondary drivers."""
    ensure_can_edit_project(by=by, project=project, action="change the driver diagram of")
    drivers = list(drivers)
    _check_idea_drivers(project=project, drivers=drivers)
    _check_status(status)
    idea = ChangeIdea(
        project=project,
        title=title,
        created_by=by,
        status=status,
        status_changed_at=None if status == ChangeIdea.Status.UNTESTED else timezone.now(),
        **only(IdeaFields, fields, service="change_idea_create"),
    )
    save_with_history(idea, by=by)
    idea.drivers.set(drivers)
    project_record_changed_by(project_id=project.pk, by=by)
    return idea


@transaction.atomic
def change_idea_update(
    *,
    by: User,
    idea: ChangeIdea,
    drivers: Iterable[Driver] | None = None,
    **changes: Unpack[IdeaChanges],
) -> ChangeIdea:
    """Reword a change idea, record its status and learning, or relink its drivers."""
    ensure_can_edit_project(by=by, project=idea.project, action="change the driver diagram of")
    if drivers is not None:
        drivers = list(drivers)
        _check_idea_drivers(project=idea.project, drivers=drivers)
    data = only(IdeaChanges, changes, service="change_idea_update")
    if data.get("status", idea.status) != idea.status:
        _check_status(data["status"])
        data["status_changed_at"] = timezone.now()
    idea, _ = model_update(
        instance=idea, fields=[*field_names(IdeaChanges), "status_changed_at"], data=data, by=by
    )
    if drivers is not None:
        idea.drivers.set(drivers)
    project_record_changed_by(project_id=idea.project_id, by=by)
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
    project_record_changed_by(project_id=idea.project_id, by=by)
