"""Reading spread candidates, targets and adoptions, and who may do what with them.

Who sees which candidate: the QI team, admins and leaders see every candidate of their
organisation (they review and steer spread). Everyone else sees the approved ones (and
retired ones, so an adopting unit keeps its link), plus the candidates of projects they
are on and the ones they nominated: a team follows its own nomination through review.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from backend.models import ADMIN_ROLES, LEADERSHIP_ROLES, Membership, Unit, User
from backend.selectors import organisation_ids, role_in, user_memberships
from pdsa.models import Cycle
from projects.models import Project, ProjectMember
from projects.selectors import can_edit_project
from spread.models import Adoption, SpreadCandidate, SpreadTarget

Status = SpreadCandidate.Status
BROWSABLE_STATUSES = (Status.APPROVED, Status.RETIRED)
ADOPTED_STATUSES = (Adoption.Status.ADOPTED, Adoption.Status.ADAPTED)
# Units that said no are not opportunities; the others are already on their way.
TAKEN_STATUSES = tuple(Adoption.Status.values)
REVIEWER_ROLES = ADMIN_ROLES
# Who may take a change up for a unit besides the QI team: people whose home is the unit.
HOME_UNIT_ROLES = frozenset(
    {Membership.Role.FRONTLINE, Membership.Role.COACH, Membership.Role.LIVED_EXPERIENCE_PARTNER}
)


def visible_q(user: User) -> Q:
    """The candidates ``user`` may see (see the module docstring), as a filter."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    everything = organisation_ids(user=user, roles=LEADERSHIP_ROLES)
    others = [org for org in organisation_ids(user=user) if org not in everything]
    on_team = ProjectMember.objects.filter(user=user).values("project_id")
    return Q(organisation_id__in=everything) | Q(organisation_id__in=others) & (
        Q(status__in=BROWSABLE_STATUSES) | Q(origin_project_id__in=on_team) | Q(nominated_by=user)
    )


def candidate_list(*, user: User) -> QuerySet[SpreadCandidate]:
    """Candidates the user may see (see the module docstring), with their change idea,
    origin, package and counts of targets and adoptions, in a fixed number of queries."""
    return (
        SpreadCandidate.objects.filter(visible_q(user))
        .select_related(
            "change_idea",
            "origin_project",
            "origin_unit",
            "source_cycle",
            "evidence_measure__definition",
            "nominated_by",
            "reviewed_by",
            "package__contact",
            "package__evidence_measure",
        )
        .prefetch_related(
            Prefetch("package__cycles", queryset=Cycle.objects.only("id", "number", "title"))
        )
        .annotate(
            target_count=Count("targets", distinct=True),
            adoption_count=Count("adoptions", distinct=True),
            adopted_count=Count(
                "adoptions", filter=Q(adoptions__status__in=ADOPTED_STATUSES), distinct=True
            ),
        )
        .order_by("-updated_at", "-pk")
    )


def candidate_get(*, user: User, pk: int) -> SpreadCandidate:
    """One candidate the user may see, or a 404 (also for another organisation's)."""
    return get_object_or_404(candidate_list(user=user), pk=pk)


def can_review(*, user: User, organisation_id: int) -> bool:
    """The QI team and admins review, approve, decline, retire and target candidates."""
    return role_in(user=user, organisation_id=organisation_id) in REVIEWER_ROLES


def can_nominate(*, user: User, project: Project) -> bool:
    """The project's team (its coach included), the QI team and admins nominate its changes."""
    return can_edit_project(user=user, project=project)


def can_take_up(*, user: User, unit: Unit) -> bool:
    """The QI team, people whose home is the unit, and anyone on the team (coach included)
    of a project in the unit may take a change up there."""
    membership = user_memberships(user=user).get(unit.organisation_id)
    if membership is None:
        return False
    if membership.role in REVIEWER_ROLES:
        return True
    if membership.home_unit_id == unit.pk and membership.role in HOME_UNIT_ROLES:
        return True
    return ProjectMember.objects.filter(user=user, project__unit=unit).exists()


def can_update_adoption(*, user: User, adoption: Adoption) -> bool:
    """Whoever may take the change up in the unit, or edit the adoption's project."""
    if adoption.project is not None and can_edit_project(user=user, project=adoption.project):
        return True
    return can_take_up(user=user, unit=adoption.unit)


def adoption_list(*, user: User) -> QuerySet[Adoption]:
    """Adoptions in the user's organisations: everyone there may see how far a change
    has spread."""
    return Adoption.objects.filter(
        candidate__organisation_id__in=organisation_ids(user=user)
    ).select_related(
        "candidate__change_idea", "candidate__organisation", "unit", "project", "started_by"
    )


def adoption_get(*, user: User, pk: int) -> Adoption:
    """One adoption the user may see, or a 404."""
    return get_object_or_404(
        adoption_list(user=user).prefetch_related(
            Prefetch("project__members", queryset=ProjectMember.objects.only("project", "user"))
        ),
        pk=pk,
    )


def target_list(*, user: User) -> QuerySet[SpreadTarget]:
    """The units the QI teams of the user's organisations target, by candidate."""
    return SpreadTarget.objects.filter(
        candidate__organisation_id__in=organisation_ids(user=user)
    ).select_related("candidate", "unit", "targeted_by")


def person_list(*, user: User) -> QuerySet[User]:
    """People of the user's organisations (a package's contact, an adopting project's lead)."""
    return User.objects.filter(
        memberships__organisation_id__in=organisation_ids(user=user)
    ).distinct()
