"""Writing the fields a service takes, and only those.

A service says what it takes with a ``TypedDict`` of its fields, spelled once and used
for both its signature (``**changes: Unpack[ProjectChanges]``) and its check (``only``).
``model_update`` is HackSoft's: set the named fields, validate them, save what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.db.models import Model

from backend.history import save_with_history
from backend.models import User

M = TypeVar("M", bound=Model)


def field_names(shape: type) -> frozenset[str]:
    """The keys of a ``TypedDict``, required and optional."""
    return frozenset(shape.__required_keys__ | shape.__optional_keys__)


def only(shape: type, data: Mapping[str, Any], *, service: str) -> dict[str, Any]:
    """``data`` as a dict, refusing (TypeError, a programming error) a key ``shape`` lacks."""
    unexpected = set(data) - field_names(shape)
    if unexpected:
        raise TypeError(f"{service} got unexpected fields: {sorted(unexpected)}")
    return dict(data)


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: Mapping[str, Any],
    by: User | None,
    reason: str = "",
    check: Callable[[M], None] | None = None,
) -> tuple[M, list[str]]:
    """Set the ``fields`` given in ``data`` on ``instance``, validate the changed ones, run
    the service's own ``check`` of the whole record, and save only what changed, recording
    ``by`` (and ``reason``) in the history.

    Returns the instance and the names of the fields that changed; nothing is saved (and
    ``check`` is not run) when none did.
    """
    allowed = set(fields)
    unexpected = set(data) - allowed
    if unexpected:
        raise TypeError(f"{type(instance).__name__} has no writable fields {sorted(unexpected)}")
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    if not changed:
        return instance, changed
    for name in changed:
        setattr(instance, name, data[name])
    unchanged = [f.name for f in instance._meta.concrete_fields if f.name not in changed]
    instance.clean_fields(exclude=unchanged)
    if check is not None:
        check(instance)
    update_fields = [*changed]
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        update_fields.append("updated_at")
    save_with_history(instance, by=by, reason=reason, update_fields=update_fields)
    return instance, changed
