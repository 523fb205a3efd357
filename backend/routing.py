"""One way to take a record's id from a URL: digits that fit the database's id column
(``backend.filters.IdFilter`` is the same for a query parameter).

Anything else (``/measures/abc/``, ``/measures/null,null/``, a number past the 64-bit
range) matches no route and so is a 404 in the error shape, before any view runs; no
view has to guard its own ``int()``.
"""

from __future__ import annotations

from django.urls import register_converter
from rest_framework.routers import SimpleRouter

# A positive 64-bit id has at most 19 digits; 18 keeps every match inside the range.
ID_PATTERN = r"[0-9]{1,18}"
MAX_ID = 10**18 - 1


class IdConverter:
    """``<id:pk>`` in a path: a record id, as an int."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


register_converter(IdConverter, "id")


class Router(SimpleRouter):
    """DRF's router, with every detail route's id held to ``ID_PATTERN`` (a viewset
    may still name its own ``lookup_value_regex``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._default_value_pattern = ID_PATTERN
