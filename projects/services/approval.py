"""Approving new projects, where the organisation asks for it.

A project registered there by someone who does not approve projects waits, proposed, until
a coach or the QI team approves it (it becomes active) or returns it to the team with a
reason (it stays proposed; the team reshapes it and sends it again). Each step sends a
signal from ``projects.signals``, so the notifications app tells the people concerned
without this app naming it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from backend.errors import forbid, refuse
from backend.history import save_with_history
from backend.models import Membership, User
from backend.selectors import role_in
from projects.models import Project, ProjectMember
from projects.selectors import can_approve_projects
from projects.services.projects import ensure_can_edit_project
from projects.signals import project_approval_decided, project_approval_requested

Approval = Project.Approval
Status = Project.Status
APPROVERS = "a coach or the QI team"


def _locked_waiting(project: Project, *, by: User) -> Project:
    """The project, locked, once ``by`` is known to approve projects and it is waiting."""
    if not can_approve_projects(user=by, organisation_id=project.organisation_id):
        forbid(f"Only {APPROVERS} can approve a project or return it to the team.")
    locked = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
    if locked.approval not in (Approval.PENDING, Approval.RETURNED):
        refuse("This project is not waiting for approval.", code="not_waiting")
    if locked.status != Status.PROPOSED:
        refuse("Only a proposed project can be approved.", code="not_waiting")
    return locked


@transaction.atomic
def project_approve(*, by: User, project: Project, note: str = "") -> Project:
    """Approve a project that waits for approval: it becomes active (started today).

    A coach who approves a project that has no coach yet becomes its coach, so it joins
    their caseload. Sends ``project_approval_decided`` with ``approved=True``.
    """
    project = _locked_waiting(project, by=by)
    now = timezone.now()
    project.approval = Approval.APPROVED
    project.approval_decided_at = now
    project.approval_decided_by = by
    project.approval_note = note.strip()
    project.status = Status.ACTIVE
    project.status_changed_at = now
    project.last_activity_at = now
    project.started_on = project.started_on or timezone.localdate()
    save_with_history(project, by=by, reason=note.strip() or "Approved")
    coached = ProjectMember.objects.filter(project=project, role=ProjectMember.Role.COACH)
    is_coach = role_in(user=by, organisation_id=project.organisation_id) == Membership.Role.COACH
    if is_coach and not coached.exists():
        ProjectMember.objects.create(project=project, user=by, role=ProjectMember.Role.COACH)
    project_approval_decided.send(
        sender=Project, project=project, approved=True, note=project.approval_note, by=by
    )
    return project


@transaction.atomic
def project_return(*, by: User, project: Project, reason: str) -> Project:
    """Return a project that waits for approval to its team, saying what to change; it
    stays proposed. Sends ``project_approval_decided`` with ``approved=False``."""
    if not reason.strip():
        refuse("Say what the team should change before it comes back to you.", field="reason")
    project = _locked_waiting(project, by=by)
    project.approval = Approval.RETURNED
    project.approval_decided_at = timezone.now()
    project.approval_decided_by = by
    project.approval_note = reason.strip()
    save_with_history(project, by=by, reason=f"Returned: {reason.strip()}")
    project_approval_decided.send(
        sender=Project, project=project, approved=False, note=project.approval_note, by=by
    )
    return project


@transaction.atomic
def project_approval_request(*, by: User, project: Project) -> Project:
    """Send a returned project back for approval, once the team has reshaped it.

    Sends ``project_approval_requested`` again, so the approvers hear of it.
    """
    ensure_can_edit_project(by=by, project=project, action="send for approval")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.approval != Approval.RETURNED:
        refuse("Only a project returned to the team is sent for approval again.")
    project.approval = Approval.PENDING
    project.approval_requested_at = timezone.now()
    save_with_history(project, by=by, reason="Sent for approval again")
    project_approval_requested.send(sender=Project, project=project, by=by)
    return project
