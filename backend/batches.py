"""Reading and writing in batches, so a query's parameter list stays within what every
database accepts (SQLite's limit is the lowest) and memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
BATCH = 2000


def chunked(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
