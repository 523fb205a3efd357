"""``UNSET``: an update service's "leave this as it is", which None ("clear it") cannot say.

An update service names every field it takes, typed, each defaulting to ``UNSET``, and
applies only those the caller gave (``given``), so its signature says what it changes.
"""

from __future__ import annotations

import enum
from typing import Any


class Unset(enum.Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments the caller gave, leaving out those still ``UNSET``."""
    return {name: value for name, value in values.items() if value is not UNSET}
