"""Who on a project's team hears what, read in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from backend.batches import chunked
from backend.models import Membership
from projects.models import ProjectMember

Role = ProjectMember.Role


def team_by_project(
    project_ids: Iterable[int], roles: Iterable[str] | None = None
) -> dict[int, dict[str, list[int]]]:
    """User ids by role for each project, counting only active people who still belong to
    the project's organisation (someone who left is not nudged)."""
    ids = sorted(set(project_ids))
    team: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    still_a_member = Membership.objects.filter(
        user=OuterRef("user"), organisation=OuterRef("project__organisation")
    )
    for batch in chunked(ids):
        rows = ProjectMember.objects.filter(
            Exists(still_a_member), project_id__in=batch, user__is_active=True
        )
        if roles is not None:
            rows = rows.filter(role__in=list(roles))
        for project_id, user_id, role in rows.order_by("project_id", "id").values_list(
            "project_id", "user_id", "role"
        ):
            team[project_id][role].append(user_id)
    return team


def everyone(roles: dict[str, list[int]]) -> list[int]:
    """Everyone on the team, leads and coaches first, each once."""
    order = [Role.LEAD, Role.COACH, Role.MEMBER, Role.SPONSOR, Role.LIVED_EXPERIENCE_PARTNER]
    return list(dict.fromkeys(user for role in order for user in roles.get(role, [])))
