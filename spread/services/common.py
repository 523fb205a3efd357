"""What every spread service shares: refusals, saving with history, locking a candidate."""

from __future__ import annotations

from typing import Any, NoReturn

from rest_framework import status as http

from backend.errors import ApplicationError
from backend.models import User
from spread.models import SpreadCandidate
from spread.selectors import can_review


def forbid(message: str) -> NoReturn:
    """Refuse (403) someone who may see the record but not do this to it; the message
    says who can."""
    raise ApplicationError(message, code="permission_denied", status_code=http.HTTP_403_FORBIDDEN)


def ensure_reviewer(*, by: User, candidate: SpreadCandidate, action: str) -> None:
    """Only the QI team and admins review, target and approve."""
    if not can_review(user=by, organisation_id=candidate.organisation_id):
        forbid(f"Only the QI team and administrators can {action}.")


def save_with_history(instance: Any, *, by: User | None, reason: str = "") -> None:
    """Save, recording ``by`` (and why) in the history, whatever the caller: API, signal
    receiver, demo seeding or shell."""
    instance._history_user = by
    if reason:
        # The history keeps at most 100 characters of why; the record keeps it whole.
        instance._change_reason = reason if len(reason) <= 100 else reason[:99] + "…"
    instance.save()


def lock_candidate(candidate: SpreadCandidate) -> SpreadCandidate:
    """The candidate's row, locked until the transaction ends, read afresh."""
    return SpreadCandidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
