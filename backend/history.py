"""Who changed what, and why, in the django-simple-history records."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from backend.models import User


def save_with_history(instance: Model, *, by: User | None, reason: str = "", **kwargs: Any) -> None:
    """Save, recording ``by`` as who made the change and ``reason`` as why.

    Said explicitly rather than left to the history middleware, so the record is right
    for token-authenticated requests, the phone pages, tasks and the shell alike.
    """
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save(**kwargs)
