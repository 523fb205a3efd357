"""Registering improvement projects, moving them through their lifecycle, and their teams."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from backend.errors import forbid, refuse
from backend.history import save_with_history
from backend.models import Unit, User
from backend.updates import field_names, model_update, only
from projects.lifecycle import FINAL, transition_refusal
from projects.models import Project, ProjectMember, StrategicAim
from projects.selectors import can_create_project, can_edit_project, can_reopen_project
from projects.services._shared import (
    ensure_member,
    project_record_changed_by,
    same_organisation,
)

Status = Project.Status


class ProjectFields(TypedDict, total=False):
    """What a team writes about its project besides its title and unit (the status moves
    only through ``project_transition``)."""

    aim_statement: str
    aim_what: str
    aim_how_much: str
    aim_baseline: float | None
    aim_target: float | None
    aim_by_when: date | None
    problem: str
    background: str


class ProjectChanges(ProjectFields, total=False):
    title: str
    unit: Unit


# A team may register a project that is already running; anything further along is
# reached through the lifecycle.
STARTING_STATUSES = frozenset({Status.PROPOSED, Status.ACTIVE})
EDITORS = "the project's team, its coach and the QI team"


def ensure_can_edit_project(*, by: User, project: Project, action: str) -> None:
    """Refuse (403) someone who may read the project but not ``action`` it."""
    if not can_edit_project(user=by, project=project):
        forbid(f"Only {EDITORS} can {action} this project.")


def _check_links(*, organisation_id: int, unit: Unit, aims: Iterable[StrategicAim]) -> None:
    same_organisation(unit, organisation_id, field="unit", what="unit")
    for aim in aims:
        same_organisation(aim, organisation_id, field="aims", what="aim")


@transaction.atomic
def project_create(
    *,
    by: User,
    unit: Unit,
    title: str,
    aims: Iterable[StrategicAim] = (),
    status: str = Status.PROPOSED,
    **fields: Unpack[ProjectFields],
) -> Project:
    """Register an improvement project in a unit; whoever registers it becomes its lead."""
    if not can_create_project(user=by, organisation_id=unit.organisation_id):
        forbid(
            "Leaders read and sponsor projects; ask a member of the team, a coach or the "
            "QI team to register it."
        )
    if status not in STARTING_STATUSES:
        refuse("A new project starts as proposed or active.", field="status")
    aims = list(aims)
    _check_links(organisation_id=unit.organisation_id, unit=unit, aims=aims)
    now = timezone.now()
    project = Project(
        organisation_id=unit.organisation_id,
        unit=unit,
        title=title,
        status=status,
        status_changed_at=now,
        started_on=timezone.localdate() if status == Status.ACTIVE else None,
        last_activity_at=now,
        created_by=by,
        **only(ProjectFields, fields, service="project_create"),
    )
    save_with_history(project, by=by)
    project.aims.set(aims)
    ProjectMember.objects.create(project=project, user=by, role=ProjectMember.Role.LEAD)
    project_record_changed_by(project_id=project.pk, by=by)
    return project


@transaction.atomic
def project_update(
    *,
    by: User,
    project: Project,
    aims: Iterable[StrategicAim] | None = None,
    **changes: Unpack[ProjectChanges],
) -> Project:
    """Change a project's title, unit, aim statement, problem or background, or its aims.

    The status changes only through ``project_transition``.
    """
    ensure_can_edit_project(by=by, project=project, action="change")

    def check(changed: Project) -> None:
        _check_links(organisation_id=changed.organisation_id, unit=changed.unit, aims=())

    project, changed = model_update(
        instance=project,
        fields=field_names(ProjectChanges),
        data=only(ProjectChanges, changes, service="project_update"),
        by=by,
        check=check,
    )
    if aims is not None:
        aims = list(aims)
        _check_links(organisation_id=project.organisation_id, unit=project.unit, aims=aims)
        project.aims.set(aims)
    if changed or aims is not None:
        project_record_changed_by(project_id=project.pk, by=by)
    return project


@transaction.atomic
def project_transition(*, by: User, project: Project, status: str, reason: str = "") -> Project:
    """Move a project along its lifecycle (see ``projects.lifecycle``), saying why if wished.

    Becoming active the first time sets ``started_on``; completing or abandoning sets
    ``ended_on``; reopening clears it. The reason is kept in the project's history.
    """
    if status not in Status.values:
        refuse(f"Unknown status {status!r}.", field="status")
    ensure_can_edit_project(by=by, project=project, action="move")
    project = Project.objects.select_for_update().get(pk=project.pk)
    may_reopen = can_reopen_project(user=by, project=project)
    refusal = transition_refusal(project.status, status, may_reopen=may_reopen)
    if refusal:
        if project.status in FINAL and status != project.status and not may_reopen:
            forbid(refusal)  # a role question, not a mistake in the request
        refuse(refusal, field="status", code="invalid_transition")
    now = timezone.now()
    today = timezone.localdate()
    reopened = project.status in FINAL
    project.status = status
    project.status_changed_at = now
    project.last_activity_at = now
    if status == Status.ACTIVE and project.started_on is None:
        project.started_on = today
    if status in FINAL:
        project.ended_on = today
    elif reopened:
        project.ended_on = None
    save_with_history(project, by=by, reason=reason)
    return project


def _ensure_lead_remains(member: ProjectMember, *, new_role: str | None) -> None:
    if member.role != ProjectMember.Role.LEAD or new_role == ProjectMember.Role.LEAD:
        return
    other_leads = ProjectMember.objects.filter(
        project_id=member.project_id, role=ProjectMember.Role.LEAD
    ).exclude(pk=member.pk)
    if not other_leads.exists():
        refuse(
            "A project needs a lead: name another lead before this person steps down.",
            field="role",
        )


@transaction.atomic
def project_member_add(*, by: User, project: Project, user: User, role: str) -> ProjectMember:
    """Put someone of the organisation on the project's team in a role."""
    ensure_can_edit_project(by=by, project=project, action="change the team of")
    ensure_member(user, project.organisation_id, field="user")
    if role not in ProjectMember.Role.values:
        refuse(f"Unknown team role {role!r}.", field="role")
    if ProjectMember.objects.filter(project=project, user=user, role=role).exists():
        refuse("This person already has this role on the team.", field="user", code="duplicate")
    member = ProjectMember.objects.create(project=project, user=user, role=role)
    project_record_changed_by(project_id=project.pk, by=by)
    return member


@transaction.atomic
def project_member_update(*, by: User, member: ProjectMember, role: str) -> ProjectMember:
    """Change someone's role on a project's team; the project keeps at least one lead."""
    ensure_can_edit_project(by=by, project=member.project, action="change the team of")
    if role not in ProjectMember.Role.values:
        refuse(f"Unknown team role {role!r}.", field="role")
    if role == member.role:
        return member
    _ensure_lead_remains(member, new_role=role)
    clash = ProjectMember.objects.filter(project_id=member.project_id, user_id=member.user_id)
    if clash.filter(role=role).exists():
        refuse("This person already has this role on the team.", field="role", code="duplicate")
    member.role = role
    member.save(update_fields=["role"])
    project_record_changed_by(project_id=member.project_id, by=by)
    return member


@transaction.atomic
def project_member_remove(*, by: User, member: ProjectMember) -> None:
    """Take someone off a project's team; the project keeps at least one lead."""
    ensure_can_edit_project(by=by, project=member.project, action="change the team of")
    _ensure_lead_remains(member, new_role=None)
    member.delete()
    project_record_changed_by(project_id=member.project_id, by=by)
