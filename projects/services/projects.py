"""Registering improvement projects, moving them through their lifecycle, and their teams."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.errors import forbid, refuse
from backend.history import save_with_history
from backend.models import Unit, User
from projects.lifecycle import FINAL, transition_refusal
from projects.models import Project, ProjectMember, StrategicAim
from projects.selectors import can_create_project, can_edit_project, can_reopen_project
from projects.services._shared import ensure_member, same_organisation

Status = Project.Status
PROJECT_FIELDS = frozenset(
    {
        "title",
        "unit",
        "aim_statement",
        "aim_what",
        "aim_how_much",
        "aim_baseline",
        "aim_target",
        "aim_by_when",
        "problem",
        "background",
    }
)
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


def _check_fields(fields: dict[str, Any], *, name: str) -> None:
    unexpected = set(fields) - PROJECT_FIELDS
    if unexpected:
        raise TypeError(f"{name} got unexpected fields: {sorted(unexpected)}")


@transaction.atomic
def project_create(
    *,
    by: User,
    unit: Unit,
    title: str,
    aims: Iterable[StrategicAim] = (),
    status: str = Status.PROPOSED,
    **fields: Any,
) -> Project:
    """Register an improvement project in a unit; whoever registers it becomes its lead."""
    _check_fields(fields, name="project_create")
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
        **fields,
    )
    save_with_history(project, by=by)
    project.aims.set(aims)
    ProjectMember.objects.create(project=project, user=by, role=ProjectMember.Role.LEAD)
    return project


@transaction.atomic
def project_update(
    *, by: User, project: Project, aims: Iterable[StrategicAim] | None = None, **fields: Any
) -> Project:
    """Change a project's title, unit, aim statement, problem or background, or its aims.

    The status changes only through ``project_transition``.
    """
    _check_fields(fields, name="project_update")
    ensure_can_edit_project(by=by, project=project, action="change")
    for name, value in fields.items():
        setattr(project, name, value)
    _check_links(organisation_id=project.organisation_id, unit=project.unit, aims=aims or ())
    save_with_history(project, by=by)
    if aims is not None:
        project.aims.set(list(aims))
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
def project_member_add(
    *, by: User, project: Project, user: User, role: str = ProjectMember.Role.MEMBER
) -> ProjectMember:
    """Put someone of the organisation on the project's team in a role (a member unless
    another is named)."""
    ensure_can_edit_project(by=by, project=project, action="change the team of")
    ensure_member(user, project.organisation_id, field="user")
    if role not in ProjectMember.Role.values:
        refuse(f"Unknown team role {role!r}.", field="role")
    if ProjectMember.objects.filter(project=project, user=user, role=role).exists():
        refuse("This person already has this role on the team.", field="user", code="duplicate")
    return ProjectMember.objects.create(project=project, user=user, role=role)


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
    return member


@transaction.atomic
def project_member_remove(*, by: User, member: ProjectMember) -> None:
    """Take someone off a project's team; the project keeps at least one lead."""
    ensure_can_edit_project(by=by, project=member.project, action="change the team of")
    _ensure_lead_remains(member, new_role=None)
    member.delete()
