"""Small helpers every projects service uses: refusals and saving with history."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db.models import Model
from rest_framework import status

from backend.errors import ApplicationError
from backend.models import User
from backend.selectors import role_in


def forbid(message: str) -> NoReturn:
    """Refuse (403) someone who may see the record but not do this to it; the message
    says who can, so they know whom to ask."""
    raise ApplicationError(message, code="permission_denied", status_code=status.HTTP_403_FORBIDDEN)


def refuse(message: str, *, field: str | None = None, code: str = "refused") -> NoReturn:
    """Refuse (400) a request that breaks a rule, naming the field at fault."""
    raise ApplicationError(message, field=field, code=code)


def same_organisation(
    related: Model | None, organisation_id: int, *, field: str, what: str
) -> None:
    """Refuse a link to a record of another organisation (the serializer's scoped ids
    already stop other organisations' records; this guards direct service calls)."""
    if related is not None and related.organisation_id != organisation_id:
        refuse(f"The {what} belongs to another organisation.", field=field)


def ensure_member(user: User | None, organisation_id: int, *, field: str) -> None:
    """Refuse a person who does not belong to the organisation."""
    if user is not None and role_in(user=user, organisation_id=organisation_id) is None:
        refuse("This person does not belong to the organisation.", field=field)


def save_with_history(instance: Model, *, by: User, reason: str = "", **kwargs: Any) -> None:
    """Save, recording ``by`` as who made the change.

    Said explicitly rather than left to the history middleware, so the record is right
    for token-authenticated requests, the phone pages, tasks and the shell alike.
    """
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save(**kwargs)
