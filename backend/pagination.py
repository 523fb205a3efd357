"""Pagination shared by every list that pages, with its parameters checked strictly.

A list that pages takes ``page`` (from 1) and ``page_size`` (1 to 500) and answers
``{"count", "next", "previous", "results"}``; a page past the last is a 404. A bad value
is a 400 naming the parameter (DRF would quietly use its default instead, so a client's
mistake went unnoticed). Lists answered whole (a record's history, a measure's data)
take no page parameters and answer ``{"count", "results"}``: see ``backend.schema``.
"""

from __future__ import annotations

from typing import Any

from rest_framework import pagination as drf_pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(raw: str, name: str, maximum: int | None) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise ValidationError({name: [f"Must be a whole number from 1{upper}."]})
    return value


class StrictPageSizeMixin:
    """``page_size`` from 1 to ``max_page_size``, or a 400 naming it."""

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole_number(raw, self.page_size_query_param, self.max_page_size)


class Pagination(StrictPageSizeMixin, PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    # Page numbers beyond this are refused before they reach the database's OFFSET.
    max_page = 1_000_000

    def get_page_number(self, request, paginator) -> int | str:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        return _whole_number(raw, self.page_query_param, self.max_page)

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": self.max_page},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class CursorPagination(StrictPageSizeMixin, drf_pagination.CursorPagination):
    """DRF's cursor pagination, ordered by id, answering a cursor it cannot read with a
    400 naming it (DRF says 404, as if the list were missing)."""

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters
