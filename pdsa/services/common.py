"""What every cycle write shares: who may write, the change idea's status, and the
project's activity and progress."""

from __future__ import annotations

from django.utils import timezone

from backend.errors import forbid
from backend.models import User
from pdsa.models import Cycle
from pdsa.services.progress import project_progress_refresh
from projects.models import ChangeIdea, Project
from projects.selectors import can_edit_project

Decision = Cycle.Decision
IdeaStatus = ChangeIdea.Status

IDEA_STATUS_AFTER = {
    Decision.ADOPT: IdeaStatus.ADOPTED,
    Decision.ADAPT: IdeaStatus.ADAPTED,
    Decision.ABANDON: IdeaStatus.ABANDONED,
}
# Planning a test of an untested idea means it is being tested; doing a test of an idea
# that was adapted or set aside means it is being tested again. Adopted stays adopted.
TESTING_FROM_AT_PLAN = frozenset({IdeaStatus.UNTESTED})
TESTING_FROM_AT_DO = frozenset({IdeaStatus.UNTESTED, IdeaStatus.ADAPTED, IdeaStatus.ABANDONED})


def ensure_can_edit(*, user: User, project: Project) -> None:
    """Refuse (403, saying who may) a user who can see the project but not change it."""
    if not can_edit_project(user=user, project=project):
        forbid("Only the project's team, the QI team and admins can change its cycles.")


def record_cycle_change(*, project_id: int) -> None:
    """Mark the project active now and recompute its progress score."""
    # Stall detection reads last_activity_at; an update() keeps it out of the history.
    Project.objects.filter(pk=project_id).update(last_activity_at=timezone.now())
    project_progress_refresh(project_id=project_id)


def idea_mark_testing(*, idea: ChangeIdea | None, by: User, from_statuses: frozenset) -> None:
    """A cycle is testing ``idea``: say so, unless its status says otherwise already."""
    if idea is None or idea.status not in from_statuses:
        return
    idea.status = IdeaStatus.TESTING
    idea.status_changed_at = timezone.now()
    idea._history_user = by
    idea.save(update_fields=["status", "status_changed_at", "updated_at"])
