"""What every spread service shares: refusals, saving with history, locking a candidate."""

from __future__ import annotations

from backend.errors import forbid
from backend.models import User
from spread.models import SpreadCandidate
from spread.selectors import can_review


def ensure_reviewer(*, by: User, candidate: SpreadCandidate, action: str) -> None:
    """Only the QI team and admins review, target and approve."""
    if not can_review(user=by, organisation_id=candidate.organisation_id):
        forbid(f"Only the QI team and administrators can {action}.")


def lock_candidate(candidate: SpreadCandidate) -> SpreadCandidate:
    """The candidate's row, locked until the transaction ends, read afresh."""
    return SpreadCandidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
