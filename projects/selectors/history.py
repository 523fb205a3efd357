"""Who changed what, and when: readable history from django-simple-history's records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model

from projects.models import DataPoint, Measure

HISTORY_LIMIT = 200
# A measure's data history is read whole to pair each record with the one before it;
# this caps a pathological measure rather than any real one.
DATA_HISTORY_SCAN = 5000
_NOT_CHANGES = frozenset({"created_at", "updated_at", "status_changed_at"})
_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _entry(record: Any, previous: Any | None, *, subject: str) -> dict[str, Any]:
    changes = []
    if previous is not None and record.history_type == "~":
        delta = record.diff_against(previous)
        changes = [
            {"field": change.field, "old": _plain(change.old), "new": _plain(change.new)}
            for change in delta.changes
            if change.field not in _NOT_CHANGES
        ]
    user = record.history_user
    return {
        "id": record.history_id,
        "when": record.history_date.isoformat(),
        "type": _TYPES.get(record.history_type, record.history_type),
        "subject": subject,
        "object_id": record.id,
        "who": None
        if user is None
        else {"id": user.pk, "email": user.email, "name": user.full_name or user.email},
        "changes": changes,
        "reason": record.history_change_reason or "",
    }


def _entries(records: list[Any], *, subject_of: Any) -> list[dict[str, Any]]:
    """Entries newest first; ``records`` oldest first, each diffed against the one before
    it for the same object."""
    last_seen: dict[Any, Any] = {}
    entries = []
    for record in records:
        entries.append(_entry(record, last_seen.get(record.id), subject=subject_of(record)))
        last_seen[record.id] = record
    entries.reverse()
    return entries


def object_history(*, instance: Model, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The history of one aim, project, measure or other tracked record, newest first:
    when, who (e-mail and name), what kind of change, and each field's old and new value."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    records.reverse()
    entries = _entries(records, subject_of=lambda record: str(instance))
    return entries[:limit]


def measure_data_history(*, measure: Measure, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """Every data point added, changed or removed on a measure, newest first."""
    records = list(
        DataPoint.history.filter(measure_id=measure.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:DATA_HISTORY_SCAN]
    )
    records.reverse()
    entries = _entries(records, subject_of=lambda record: record.period.isoformat())
    return entries[:limit]
