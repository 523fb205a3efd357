"""Leaders' first-hand engagement with the improvement work: a visit, a story heard."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from backend.errors import forbid, refuse
from backend.history import save_with_history
from backend.models import Organisation, User
from capability.models import Engagement
from capability.selectors.access import ENGAGEMENT_WRITER_ROLES, RECORD_KEEPER_ROLES, ensure, may
from capability.services._shared import same_organisation
from projects.models import Project


@transaction.atomic
def engagement_record(
    *,
    by: User,
    organisation: Organisation,
    kind: str,
    happened_on: date,
    learned: str,
    project: Project | None = None,
) -> Engagement:
    """Record a leader's visit to a project or a story heard at the board, and what they
    learned: how the board hears first-hand about quality (key test L2)."""
    ensure(
        user=by,
        organisation_id=organisation.pk,
        roles=ENGAGEMENT_WRITER_ROLES,
        refusal="Only leaders, the QI team and administrators record visits and stories.",
    )
    same_organisation(project, organisation.pk, field="project", what="project")
    if kind not in Engagement.Kind.values:
        refuse("Choose what kind of engagement it was.", field="kind")
    if kind == Engagement.Kind.VISIT and project is None:
        refuse("Choose the project you visited.", field="project")
    if happened_on > timezone.localdate():
        refuse("The date cannot be in the future.", field="happened_on")
    if not learned.strip():
        refuse("Say what you learned: it is what the board hears.", field="learned")
    engagement = Engagement(
        organisation=organisation,
        leader=by,
        kind=kind,
        happened_on=happened_on,
        project=project,
        learned=learned.strip(),
    )
    engagement.full_clean()
    save_with_history(engagement, by=by)
    return engagement


@transaction.atomic
def engagement_delete(*, by: User, engagement: Engagement) -> None:
    """Remove a record: its leader, or the QI team and administrators."""
    if engagement.leader_id != by.pk and not may(
        user=by, organisation_id=engagement.organisation_id, roles=RECORD_KEEPER_ROLES
    ):
        forbid("Only the leader who recorded it, the QI team or an administrator can remove it.")
    engagement._history_user = by
    engagement.delete()
