"""When an organisation's approved training last changed, as a token in the cache, so a
count of who was trained each quarter can be kept until the records change.

Every write that can change what counts (a course added, approved or imported, a
course's level, an edit in the admin) passes through ``levels_refresh``, which renews
the token once its transaction commits. The token is random rather than a counter: a
cache that loses it makes a new one, and never meets an old count under it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

_TOKEN = "capability:training:{organisation}"


def training_token(organisation_id: int) -> str:
    """The organisation's current token (made now when the cache has none)."""
    key = _TOKEN.format(organisation=organisation_id)
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key)
    return token


def training_changed(organisation_ids: Iterable[int]) -> None:
    """Renew the organisations' tokens once the writing transaction commits (a reader
    before then still sees the old records, and keeps them under the old token)."""
    keys = {_TOKEN.format(organisation=pk): uuid.uuid4().hex for pk in set(organisation_ids)}
    if keys:
        transaction.on_commit(lambda: cache.set_many(keys, timeout=None))
