"""Read queries for aims, projects and measures, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.models import ADMIN_ROLES, User
from backend.selectors import organisation_ids, role_in
from projects.models import Project


def project_list(*, user: User) -> QuerySet[Project]:
    """Projects of the user's organisations: every member may read every project there,
    so teams can see what was tried before."""
    return Project.objects.filter(organisation_id__in=organisation_ids(user=user))


def can_edit_project(*, user: User, project: Project) -> bool:
    """The QI team and admins edit every project of their organisation; anyone on the
    project's team (lead, member, coach, sponsor, partner) edits that project."""
    role = role_in(user=user, organisation_id=project.organisation_id)
    if role is None:
        return False
    if role in ADMIN_ROLES:
        return True
    return project.members.filter(user=user).exists()
