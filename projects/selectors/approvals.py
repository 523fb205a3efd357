"""Projects waiting for approval: the queue a coach or the QI team works through."""

from __future__ import annotations

from django.db.models import QuerySet

from backend.models import User
from backend.selectors import organisation_ids
from projects.models import Project
from projects.selectors.access import APPROVER_ROLES
from projects.selectors.projects import project_list


def approval_queue(*, user: User) -> QuerySet[Project]:
    """Proposed projects waiting for approval in the organisations where ``user`` approves
    them (a coach, the QI team or an admin there), the longest waiting first, with their
    unit, aims, team and who registered them; a fixed number of queries however long.

    Empty for everyone else. For the top of a coach's caseload and the QI team's desk.
    """
    approving_in = organisation_ids(user=user, roles=APPROVER_ROLES)
    return (
        project_list(user=user)
        .filter(
            organisation_id__in=approving_in,
            status=Project.Status.PROPOSED,
            approval=Project.Approval.PENDING,
        )
        .order_by("approval_requested_at", "pk")
    )
