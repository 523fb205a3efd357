"""Writing a project's driver diagram: primary and secondary drivers, and change ideas."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from backend.errors import refuse
from backend.history import save_with_history
from backend.models import User
from backend.unset import UNSET, Unset, given
from projects.models import ChangeIdea, Driver, Project
from projects.services.projects import ensure_can_edit_project


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
    *,
    by: User,
    project: Project,
    kind: str,
    title: str,
    parent: Driver | None = None,
    description: str = "",
    position: int | None = None,
) -> Driver:
    """Add a primary driver to the aim, or a secondary driver beneath a primary one;
    without a ``position`` it goes after its siblings."""
    ensure_can_edit_project(by=by, project=project, action="change the driver diagram of")
    if kind not in Driver.Kind.values:
        refuse(f"Unknown driver kind {kind!r}.", field="kind")
    _check_parent(project=project, kind=kind, parent=parent)
    if position is None:
        position = _next_position(Driver.objects.filter(project=project, parent=parent))
    driver = Driver(
        project=project,
        kind=kind,
        title=title,
        parent=parent,
        description=description,
        position=position,
    )
    save_with_history(driver, by=by)
    return driver


@transaction.atomic
def driver_update(
    *,
    by: User,
    driver: Driver,
    kind: str | Unset = UNSET,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    position: int | Unset = UNSET,
    parent: Driver | Unset | None = UNSET,
) -> Driver:
    """Reword, reorder or move a driver; a secondary driver may move to another primary
    (it goes after the drivers already there, unless a ``position`` is given).

    A driver keeps its kind: change ideas and secondary drivers hang off it by kind.
    """
    ensure_can_edit_project(by=by, project=driver.project, action="change the driver diagram of")
    if kind is not UNSET and kind != driver.kind:
        refuse("A driver's kind cannot change; add a new driver instead.", field="kind")
    moved = parent is not UNSET and getattr(parent, "pk", None) != driver.parent_id
    for name, value in given(
        title=title, description=description, position=position, parent=parent
    ).items():
        setattr(driver, name, value)
    _check_parent(project=driver.project, kind=driver.kind, parent=driver.parent)
    if moved and position is UNSET:
        siblings = Driver.objects.filter(project_id=driver.project_id, parent=driver.parent)
        driver.position = _next_position(siblings.exclude(pk=driver.pk))
    save_with_history(driver, by=by)
    return driver


def _next_position(siblings: QuerySet) -> int:
    top = siblings.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _move(*, item: Driver | ChangeIdea, siblings: QuerySet, offset: int, by: User) -> None:
    """Move ``item`` ``offset`` places among its ``siblings`` (clamped at either end) and
    number them all again 0, 1, 2 ..., so equal positions left by older data sort out."""
    ordered = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, sibling in enumerate(ordered):
        if sibling.position != position:
            sibling.position = position
            save_with_history(sibling, by=by, update_fields=["position", "updated_at"])
    item.position = target


@transaction.atomic
def driver_move(*, by: User, driver: Driver, offset: int) -> Driver:
    """Move a driver up (``offset`` -1) or down (+1) among the drivers beside it."""
    ensure_can_edit_project(by=by, project=driver.project, action="change the driver diagram of")
    siblings = Driver.objects.filter(project_id=driver.project_id, parent_id=driver.parent_id)
    _move(item=driver, siblings=siblings, offset=offset, by=by)
    return driver


@transaction.atomic
def change_idea_move(*, by: User, idea: ChangeIdea, offset: int) -> ChangeIdea:
    """Move a change idea up (``offset`` -1) or down (+1) in the project's list of ideas."""
    ensure_can_edit_project(by=by, project=idea.project, action="change the driver diagram of")
    _move(
        item=idea,
        siblings=ChangeIdea.objects.filter(project_id=idea.project_id),
        offset=offset,
        by=by,
    )
    return idea


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
    description: str = "",
    learning: str = "",
    position: int | None = None,
) -> ChangeIdea:
    """Add a change idea to the driver diagram, serving one or more secondary drivers;
    without a ``position`` it goes after the project's other ideas."""
    ensure_can_edit_project(by=by, project=project, action="change the driver diagram of")
    drivers = list(drivers)
    _check_idea_drivers(project=project, drivers=drivers)
    if position is None:
        position = _next_position(ChangeIdea.objects.filter(project=project))
    idea = ChangeIdea(
        project=project,
        title=title,
        created_by=by,
        description=description,
        learning=learning,
        position=position,
    )
    _set_status(idea, status)
    save_with_history(idea, by=by)
    idea.drivers.set(drivers)
    return idea


@transaction.atomic
def change_idea_update(
    *,
    by: User,
    idea: ChangeIdea,
    drivers: Iterable[Driver] | Unset = UNSET,
    title: str | Unset = UNSET,
    description: str | Unset = UNSET,
    status: str | Unset = UNSET,
    learning: str | Unset = UNSET,
    position: int | Unset = UNSET,
) -> ChangeIdea:
    """Reword a change idea, record its status and learning, or relink its drivers."""
    ensure_can_edit_project(by=by, project=idea.project, action="change the driver diagram of")
    _set_status(idea, None if status is UNSET else status)
    for name, value in given(
        title=title, description=description, learning=learning, position=position
    ).items():
        setattr(idea, name, value)
    drivers = None if drivers is UNSET else list(drivers)
    if drivers is not None:
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
