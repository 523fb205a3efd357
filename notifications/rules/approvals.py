"""Approving new projects: who is asked, and who hears the answer.

Asked: the project's coach, when the team named one; otherwise every coach and QI team
member of the organisation (those who approve), never the person who asked. Told the
answer: the project's leads and whoever registered it. Once per request and per decision
(the period is the moment it was asked or decided), so a project returned and sent again
asks again.
"""

from __future__ import annotations

from backend.models import Membership
from notifications import links
from notifications.models import Kind
from notifications.rules.drafts import Draft, drafts_for_recipients
from projects.models import Project, ProjectMember

Role = Membership.Role
ASKED_ROLES = (Role.COACH, Role.QI_TEAM)


def approvers_of(project: Project) -> list[int]:
    """Who is asked to approve ``project``: its coaches, else the organisation's."""
    coaches = list(
        ProjectMember.objects.filter(project=project, role=ProjectMember.Role.COACH)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    if coaches:
        return coaches
    return list(
        Membership.objects.filter(organisation_id=project.organisation_id, role__in=ASKED_ROLES)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def approval_requested(*, project: Project, by_id: int | None) -> list[Draft]:
    """Ask the approvers to approve or return ``project``."""
    recipients = [user_id for user_id in approvers_of(project) if user_id != by_id]
    aim = project.aim_statement.strip()
    again = " again, reshaped after it was returned" if project.approval_note else ""
    return drafts_for_recipients(
        recipients,
        organisation_id=project.organisation_id,
        kind=Kind.APPROVAL_REQUESTED,
        subject_type="project",
        subject_id=project.pk,
        project_id=project.pk,
        period=project.approval_requested_at.isoformat(),
        title=f"Waiting for your approval: {project.title}",
        body=(
            f"{project.unit.name} has registered “{project.title}”{again}, and it waits for "
            "a coach or the QI team to approve it or return it with a reason."
            + (f" Their aim: {aim}" if aim else "")
        ),
        link=links.project_link(project.pk),
    )


def approval_decided(*, project: Project, approved: bool, note: str) -> list[Draft]:
    """Tell the team whether ``project`` was approved or returned, and why."""
    leads = ProjectMember.objects.filter(project=project, role=ProjectMember.Role.LEAD)
    recipients = sorted({*leads.values_list("user_id", flat=True), project.created_by_id} - {None})
    who = str(project.approval_decided_by) if project.approval_decided_by else "Your coach"
    if approved:
        title = f"Approved: {project.title}"
        body = f"{who} approved “{project.title}”. It is active: start testing your changes."
    else:
        title = f"Returned to the team: {project.title}"
        body = f"{who} returned “{project.title}” for the team to reshape before it is approved."
    if note:
        body += f" {'Their note' if approved else 'What to change'}: {note}"
    return drafts_for_recipients(
        recipients,
        organisation_id=project.organisation_id,
        kind=Kind.APPROVAL_DECIDED,
        subject_type="project",
        subject_id=project.pk,
        project_id=project.pk,
        period=project.approval_decided_at.isoformat(),
        title=title,
        body=body,
        link=links.project_link(project.pk),
    )
