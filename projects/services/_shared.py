"""Small helpers every projects service uses: refusals and saving with history."""

from __future__ import annotations

from django.db.models import Model

from backend.errors import refuse
from backend.models import User
from backend.selectors import role_in
from projects.signals import project_record_changed


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


def project_record_changed_by(*, project_id: int | None, by: User | None) -> None:
    """Say that something the project's progress score reads has changed (pdsa listens)."""
    if project_id is not None:
        project_record_changed.send(sender=None, project_id=project_id, by=by)
