"""Who may change what in the portfolio: one answer, asked by services, views and pages.

Every member of an organisation reads all its aims, projects, measures and data, so teams
can see what was tried before. Writing depends on the role; the whole table is in
``projects/README.md``.
"""

from __future__ import annotations

from backend.models import ADMIN_ROLES, LEADERSHIP_ROLES, Membership, User
from backend.selectors import role_in
from projects.models import Measure, Project

Role = Membership.Role

# Leaders read the portfolio and sponsor projects; everyone else may register one.
PROJECT_CREATOR_ROLES = frozenset(
    {Role.FRONTLINE, Role.COACH, Role.QI_TEAM, Role.ADMIN, Role.LIVED_EXPERIENCE_PARTNER}
)
AIM_WRITER_ROLES = LEADERSHIP_ROLES
LIBRARY_WRITER_ROLES = ADMIN_ROLES
# Completed and abandoned are final for the team; only the QI team may reopen them.
PROJECT_REOPENER_ROLES = ADMIN_ROLES
# Where new projects wait for approval, a coach or the QI team (or an admin) gives it.
APPROVER_ROLES = ADMIN_ROLES | {Role.COACH}
# The portfolio against the aims is the board's and the QI team's view of the whole
# organisation; teams and coaches have their projects and the caseload.
PORTFOLIO_READER_ROLES = LEADERSHIP_ROLES


def can_create_project(*, user: User, organisation_id: int) -> bool:
    """Whether the user may register a project in the organisation."""
    return role_in(user=user, organisation_id=organisation_id) in PROJECT_CREATOR_ROLES


def can_approve_projects(*, user: User, organisation_id: int) -> bool:
    """Whether the user approves (or returns) new projects of the organisation."""
    return role_in(user=user, organisation_id=organisation_id) in APPROVER_ROLES


def is_on_team(*, user: User, project: Project) -> bool:
    """Whether the user has any part in the project's team (uses prefetched members)."""
    return any(member.user_id == user.pk for member in project.members.all())


def can_edit_project(*, user: User, project: Project) -> bool:
    """The QI team and admins edit every project of their organisation; anyone on the
    project's team (lead, member, coach, sponsor, partner) edits that project."""
    role = role_in(user=user, organisation_id=project.organisation_id)
    if role is None:
        return False
    if role in ADMIN_ROLES:
        return True
    return is_on_team(user=user, project=project)


def can_reopen_project(*, user: User, project: Project) -> bool:
    """Whether the user may bring a completed or abandoned project back to life."""
    return role_in(user=user, organisation_id=project.organisation_id) in PROJECT_REOPENER_ROLES


def can_write_aims(*, user: User, organisation_id: int) -> bool:
    """Leaders, the QI team and admins set the organisation's aims and their cascade."""
    return role_in(user=user, organisation_id=organisation_id) in AIM_WRITER_ROLES


def can_read_portfolio(*, user: User, organisation_id: int) -> bool:
    """Leaders, the QI team and admins read the organisation's portfolio by aim."""
    return role_in(user=user, organisation_id=organisation_id) in PORTFOLIO_READER_ROLES


def can_write_library(*, user: User, organisation_id: int) -> bool:
    """The QI team and admins keep the measure library."""
    return role_in(user=user, organisation_id=organisation_id) in LIBRARY_WRITER_ROLES


def can_edit_measure(*, user: User, measure: Measure) -> bool:
    """A project's measure (its data, options, rebases) is edited by the project's editors;
    an aim's measure by the organisation's leadership roles."""
    if measure.project_id is not None:
        return can_edit_project(user=user, project=measure.project)
    return can_write_aims(user=user, organisation_id=measure.organisation_id)
