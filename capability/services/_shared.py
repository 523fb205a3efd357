"""What every capability service does: check who asks, and keep levels in step with
the records."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from backend.batches import chunked
from backend.errors import refuse
from backend.models import User
from capability import levels
from capability.models import Person, TrainingRecord
from capability.selectors.access import RECORD_KEEPER_ROLES, WHO_KEEPS_RECORDS, ensure
from capability.training_cache import training_changed


def ensure_keeper(*, by: User, organisation_id: int, action: str) -> None:
    """Refuse (403) anyone but the QI team or an administrator of the organisation."""
    ensure(
        user=by,
        organisation_id=organisation_id,
        roles=RECORD_KEEPER_ROLES,
        refusal=f"{WHO_KEEPS_RECORDS} {action}.",
    )


def same_organisation(related, organisation_id: int, *, field: str, what: str) -> None:
    """Refuse a link to a record of another organisation."""
    if related is not None and related.organisation_id != organisation_id:
        refuse(f"The {what} belongs to another organisation.", field=field)


def levels_refresh(*, person_ids: Iterable[int], by: User | None, reason: str) -> int:
    """Bring people's levels in step with their approved records: ``records_level`` is
    the highest level of an approved course, ``level`` the QI team's where they set one,
    else that. Saves (with history, saying ``reason``) only those that changed; returns
    how many did. A few queries per 2,000 people. Every write to approved training
    passes through here, so here the counts of training per quarter are renewed."""
    ids = sorted(set(person_ids))
    changed: list[Person] = []
    organisations: set[int] = set()
    now = timezone.now()
    for batch in chunked(ids):
        highest: dict[int, str] = {}
        approved = (
            TrainingRecord.objects.filter(
                person_id__in=batch, status=TrainingRecord.Status.APPROVED
            )
            .values_list("person_id", "course__level")
            .order_by()
            .distinct()
        )
        for person_id, level in approved:
            highest[person_id] = levels.highest([highest.get(person_id, ""), level])
        for person in Person.objects.filter(pk__in=batch):
            organisations.add(person.organisation_id)
            records_level = highest.get(person.pk, "")
            level = person.set_level or records_level
            if (person.records_level, person.level) != (records_level, level):
                person.records_level, person.updated_at = records_level, now
                person.put_level(level)
                changed.append(person)
    training_changed(organisations)
    if changed:
        bulk_update_with_history(
            changed,
            Person,
            ["records_level", "level", "level_rank", "updated_at"],
            default_user=by,
            default_change_reason=reason,
        )
    return len(changed)
